"""The simulated users of the load test (run by benchmarks/load.py, which sets the environment).

- `Visitor`: a citizen browsing the public site and the open-data API.
- `Officer`: a unit officer at a deadline, signed in to the admin, creating practice models and
  sending each for review at once (the editor's "submit" action, which starts Wagtail's workflow).

Every request is timed here too (the `request` event) so that load.py gets exact p50/p95/p99 per
request type, for the public requests together and in total, and the page cache's hit rate (the
X-Page-Cache header), over the whole run and over its steady state: the requests sent after the
warm-up (LOAD_WARMUP seconds: every user started, the caches filled). Environment: LOAD_TARGETS (the
JSON load.py prepared: sample model URLs, units, movements, fields, years, officer accounts),
LOAD_RESULTS (where the figures go), LOAD_OFFICERS, LOAD_WARMUP, LOAD_THINK_MIN/LOAD_THINK_MAX
(seconds between a visitor's pages).
"""

import json
import os
import random
import re
import statistics
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from locust import HttpUser, between, events, task

TARGETS = json.loads(Path(os.environ["LOAD_TARGETS"]).read_text()) if os.environ.get("LOAD_TARGETS") else {}
OFFICER_PREFIX = "admin: "
ADD_URL = "/admin/snippets/models_registry/practicemodel/add/"
LISTING_URL = "/admin/snippets/models_registry/practicemodel/"
# What citizens type: with and without diacritics, one word or several.
QUERIES = (
    "dân vận khéo",
    "dan van kheo",
    "vệ sinh môi trường",
    "ve sinh moi truong",
    "chi bộ bốn tốt",
    "nông thôn mới",
    "an ninh trật tự",
    "phụ nữ",
    "khu dân cư",
    "giải phóng mặt bằng",
    "chuyển đổi số",
    "người cao tuổi",
    "đoàn thanh niên",
    "xây dựng",
    "an sinh xã hội",
)
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _think() -> tuple[float, float]:
    low = float(os.environ.get("LOAD_THINK_MIN", "1"))
    return low, float(os.environ.get("LOAD_THINK_MAX", str(low)))


class Visitor(HttpUser):
    """A member of the public: mostly model pages, listings and searches; sometimes statistics."""

    weight = 1
    wait_time = between(*_think())

    def _get(self, url: str, name: str) -> None:
        self.client.get(url, name=name)

    @task(3)
    def home(self):
        self._get("/", "home")

    @task(4)
    def movement_listing(self):
        movement = random.choice(TARGETS["movements"])["slug"]
        if random.random() < 0.5:
            self._get(f"/{movement}/", "movement listing")
        else:
            field = random.choice(TARGETS["fields"])["slug"]
            year = random.choice(TARGETS["years"])
            self._get(f"/{movement}/?field={field}&year={year}", "movement listing, filtered")

    @task(8)
    def model_page(self):
        self._get(random.choice(TARGETS["models"])[1], "model page")

    @task(2)
    def unit_page(self):
        self._get(f"/don-vi/{random.choice(TARGETS['units'])}/", "unit page")

    @task(5)
    def search_page(self):
        query = random.choice(QUERIES)
        page = random.choice((1, 1, 1, 2, 3))
        self._get(f"/tim-kiem/?q={query}&page={page}", "search page")

    @task(1)
    def statistics(self):
        if random.random() < 0.5:
            self._get("/thong-ke/", "statistics")
        else:
            movement = random.choice(TARGETS["movements"])["slug"]
            self._get(f"/thong-ke/?movement={movement}", "statistics")

    @task(1)
    def honour_board(self):
        self._get("/bang-vinh-danh/", "honour board")

    @task(3)
    def api_list(self):
        query = random.choice(QUERIES)
        self._get(f"/api/v1/models/?q={query}&page={random.randint(1, 3)}", "API list")

    @task(2)
    def api_detail(self):
        self._get(f"/api/v1/models/{random.choice(TARGETS['models'])[0]}/", "API detail")


class Officer(HttpUser):
    """A unit officer before a deadline: signs in once, then creates and submits models."""

    fixed_count = int(os.environ.get("LOAD_OFFICERS", "0"))
    wait_time = between(2, 6)

    def on_start(self):
        self.account = random.choice(TARGETS["officers"])
        response = self.client.get("/admin/login/", name=OFFICER_PREFIX + "sign in")
        token = _csrf(response)
        with self.client.post(
            "/admin/login/",
            data={
                "username": self.account["username"],
                "password": TARGETS["password"],
                "csrfmiddlewaretoken": token,
                "next": "/admin/",
            },
            name=OFFICER_PREFIX + "sign in",
            catch_response=True,
        ) as answer:
            if not answer.history or not answer.url.endswith("/admin/"):
                answer.failure("sign-in refused")

    @task(4)
    def create_and_submit(self):
        form = self.client.get(ADD_URL, name=OFFICER_PREFIX + "new model form")
        token = _csrf(form)
        movement = random.choice(TARGETS["movements"])
        field = random.choice(TARGETS["fields"])
        marker = uuid.uuid4().hex[:8]
        data = {
            "csrfmiddlewaretoken": token,
            "title": f"Mô hình thử tải {marker}: vận động Nhân dân {random.choice(QUERIES)}",
            "unit": str(self.account["unit"]),
            "movement": str(movement["pk"]),
            "field": str(field["pk"]),
            "year": str(max(TARGETS["years"])),
            "summary": f"Tóm tắt {marker}: huy động {random.randint(20, 500)} hộ dân cùng tham gia.",
            "results": "Khu dân cư sạch đẹp, Nhân dân đồng tình hưởng ứng.",
            "cover_image": "",
            "contact_name": "Nguyễn Văn An",
            "contact_position": "Cán bộ phường",
            "contact_phone": "",
            "contact_email": "",
            "recognition_level": "",
            "external_id": "",
            "slug": "",
            "previous_record": "",
            "replicated_from": "",
            "story-count": "1",
            "story-0-type": "paragraph",
            "story-0-deleted": "",
            "story-0-order": "0",
            "story-0-id": str(uuid.uuid4()),
            "story-0-value": _draftail(f"Cách làm {marker}: họp dân, bàn bạc, thống nhất quy ước."),
            "action-submit": "submit",
        }
        for prefix in ("measured_results", "gallery_images", "attachments"):
            data.update(
                {
                    f"{prefix}-TOTAL_FORMS": "0",
                    f"{prefix}-INITIAL_FORMS": "0",
                    f"{prefix}-MIN_NUM_FORMS": "0",
                    f"{prefix}-MAX_NUM_FORMS": "1000",
                }
            )
        with self.client.post(
            ADD_URL, data=data, name=OFFICER_PREFIX + "create + submit", catch_response=True
        ) as answer:
            if answer.ok and answer.history and answer.url.rstrip("/").endswith(LISTING_URL.rstrip("/")):
                SUBMITTED["count"] += 1
            elif answer.ok:
                answer.failure(f"form refused: {_first_error(answer.text)}")

    @task(1)
    def model_listing(self):
        self.client.get(LISTING_URL, name=OFFICER_PREFIX + "model listing")

    @task(1)
    def dashboard(self):
        self.client.get("/admin/", name=OFFICER_PREFIX + "dashboard")


def _draftail(text: str) -> str:
    """A rich-text paragraph as the admin's editor (Draftail) posts it: contentstate JSON."""
    block = {"key": "a1b2c", "type": "unstyled", "depth": 0, "text": text, "inlineStyleRanges": []}
    return json.dumps({"blocks": [{**block, "entityRanges": [], "data": {}}], "entityMap": {}})


def _csrf(response) -> str:
    match = _CSRF.search(response.text or "")
    return match.group(1) if match else response.cookies.get("csrftoken", "")


def _first_error(html: str) -> str:
    match = re.search(r'class="[^"]*error-message[^"]*"[^>]*>\s*(?:<[^>]+>\s*)*([^<]{1,160})', html or "")
    return match.group(1).strip() if match else "no redirect to the listing"


# ---------------------------------------------------------------------------------------------
# The figures: every request's time, by name, written to LOAD_RESULTS when the run ends; over the
# whole run and over the steady state (the requests sent after the first LOAD_WARMUP seconds)


@dataclass(slots=True)
class Answer:
    at: float  # seconds since the run started, when the request was sent
    name: str
    milliseconds: float
    failed: bool
    cached: bool  # the answer said whether the page cache had it
    hit: bool


ANSWERS: list[Answer] = []
ERRORS: Counter = Counter()
SUBMITTED = {"count": 0}
CLOCK = {"start": None, "stop": None}


@events.test_start.add_listener
def _started(**kwargs):
    CLOCK["start"] = time.monotonic()


@events.test_stop.add_listener
def _stopped(**kwargs):
    CLOCK["stop"] = time.monotonic()


@events.request.add_listener
def _timed(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
    sent = time.monotonic() - response_time / 1000 - (CLOCK["start"] or time.monotonic())
    cache_header = response.headers.get("X-Page-Cache") if response is not None else None
    ANSWERS.append(Answer(sent, name, response_time, exception is not None, bool(cache_header), cache_header == "hit"))
    if exception is not None:
        ERRORS[f"{name}: {str(exception)[:160]}"] += 1


def _summary(answers: list[Answer]) -> dict:
    times = sorted(answer.milliseconds for answer in answers)
    summary = {
        "requests": len(times),
        "failures": sum(answer.failed for answer in answers),
        "cache_answers": sum(answer.cached for answer in answers),
        "cache_hits": sum(answer.hit for answer in answers),
        "p50": None,
        "p95": None,
        "p99": None,
    }
    if len(times) >= 2:
        cuts = statistics.quantiles(times, n=100, method="inclusive")
        summary.update(p50=cuts[49], p95=cuts[94], p99=cuts[98])
    elif times:
        summary.update(p50=times[0], p95=times[0], p99=times[0])
    return summary


def _figures(answers: list[Answer], seconds: float) -> dict:
    by_name: dict[str, list[Answer]] = defaultdict(list)
    for answer in answers:
        by_name[answer.name].append(answer)
    officers = [answer for answer in answers if answer.name.startswith(OFFICER_PREFIX)]
    public = [answer for answer in answers if not answer.name.startswith(OFFICER_PREFIX)]
    return {
        "seconds": seconds,
        "by_name": {name: _summary(group) for name, group in sorted(by_name.items())},
        "public": _summary(public),
        "officers": _summary(officers),
        "total": _summary(answers),
    }


@events.quitting.add_listener
def _write_results(environment, **kwargs):
    path = os.environ.get("LOAD_RESULTS")
    if not path:
        return
    seconds = (CLOCK["stop"] or time.monotonic()) - (CLOCK["start"] or time.monotonic())
    warm_up = min(float(os.environ.get("LOAD_WARMUP", "0")), seconds)
    steady = [answer for answer in ANSWERS if answer.at >= warm_up]
    Path(path).write_text(
        json.dumps(
            {
                "whole": _figures(ANSWERS, seconds),
                "steady": _figures(steady, seconds - warm_up),
                "warm_up": warm_up,
                "submitted": SUBMITTED["count"],
                "errors": dict(ERRORS),
            }
        )
    )
