"""Rate limits on search, the API, the exports and the password forms: 429 with Retry-After, never 500.

Each test turns the limits on (the test settings turn them off) with small rates, so a handful of
requests reaches them; the rules' paths are the ones of config/settings/base.py.
"""

import time

from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.checks import run_checks
from django.test import RequestFactory, override_settings

import pytest

from models_registry.factories import PracticeModelFactory
from security.client import client_ip
from security.rules import parse_rules, rule_for
from security.services import Rate
from tests.production import production_env, production_settings

from .test_login_throttling import UnreachableCache

RULES = {rule["name"]: rule for rule in django_settings.RATELIMIT_RULES}


def small(**rates: str) -> list[dict]:
    """The project's rules with other rates."""
    return [{**rule, "rate": rates.get(rule["name"].replace("-", "_"), rule["rate"])} for rule in RULES.values()]


@pytest.fixture
def limits(settings):
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMIT_RULES = small(
        export="2/m", api="3/m", search="3/m", page_password="2/15m", password_reset="2/h"
    )
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def published(unit_tree, dvk):
    return PracticeModelFactory(title="Ngõ phố xanh sạch đẹp", unit=unit_tree.dich_vong, movement=dvk)


def statuses(client, url, times, **extra) -> list[int]:
    return [client.get(url, **extra).status_code for _ in range(times)]


def test_the_api_answers_429_in_its_own_error_shape(client, limits, published):
    assert statuses(client, "/api/v1/models/", 3) == [200, 200, 200]
    response = client.get("/api/v1/models/?q=ngo")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["message"].startswith("Có quá nhiều yêu cầu từ địa chỉ của bạn. Vui lòng chờ")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert f"{response['Retry-After']} giây" in body["error"]["message"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response


def test_suggestions_model_details_and_statistics_share_the_api_limit(client, limits, published):
    urls = ["/api/v1/models/suggest?q=ngo", f"/api/v1/models/{published.pk}/", "/api/v1/stats/?group_by=field"]
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    assert client.get("/api/v1/models/suggest?q=pho").status_code == 429


def test_the_search_page_answers_a_vietnamese_page(client, limits, published):
    assert statuses(client, "/tim-kiem/", 3, QUERY_STRING="q=ngo") == [200, 200, 200]
    response = client.get("/tim-kiem/", {"q": "ngõ phố"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "<h1>Quá nhiều yêu cầu</h1>" in html
    assert "Có quá nhiều yêu cầu từ địa chỉ của bạn" in html
    assert 'href="/tim-kiem/?q=ng%C3%B5+ph%E1%BB%91"' in html  # try the same search again
    assert int(response["Retry-After"]) >= 1
    # The strict public policy holds for it: nothing inline.
    assert "<script" not in html
    assert "style" not in html.replace("stylesheet", "")


def test_exports_have_their_own_tighter_limit(client, limits, published):
    assert statuses(client, "/api/v1/models/export.csv", 2) == [200, 200]
    assert client.get("/api/v1/models/export.xlsx").status_code == 429
    assert client.get("/du-lieu-mo/mo-hinh.csv").status_code == 429
    # The rest of the API is counted apart.
    assert client.get("/api/v1/models/").status_code == 200


def test_each_address_has_its_own_count(client, limits, published):
    assert statuses(client, "/api/v1/models/", 4, REMOTE_ADDR="203.0.113.1")[-1] == 429
    assert client.get("/api/v1/models/", REMOTE_ADDR="203.0.113.2").status_code == 200
    # Other pages are not limited at all.
    assert statuses(client, "/", 5, REMOTE_ADDR="203.0.113.1") == [200] * 5


def test_a_forged_x_forwarded_for_escapes_nothing_without_a_trusted_proxy(client, limits, published):
    limits.SECURITY_TRUSTED_PROXY_COUNT = 0
    answers = [
        client.get("/api/v1/models/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}").status_code
        for number in range(4)
    ]
    assert answers == [200, 200, 200, 429]


def test_behind_nginx_the_address_nginx_appended_counts(client, limits, published):
    """nginx appends the address it saw: the client's own entries to its left are ignored."""
    limits.SECURITY_TRUSTED_PROXY_COUNT = 1
    nginx = "127.0.0.1"
    answers = [
        client.get(
            "/api/v1/models/", REMOTE_ADDR=nginx, HTTP_X_FORWARDED_FOR=f"10.0.0.{number}, 198.51.100.20"
        ).status_code
        for number in range(4)
    ]
    assert answers == [200, 200, 200, 429]
    # Another client behind the same nginx has its own count.
    assert client.get("/api/v1/models/", REMOTE_ADDR=nginx, HTTP_X_FORWARDED_FOR="198.51.100.21").status_code == 200


def test_switched_off_nothing_is_limited(client, limits, published):
    limits.RATELIMIT_ENABLED = False
    assert statuses(client, "/api/v1/models/", 6) == [200] * 6


def test_a_rule_set_to_off_limits_nothing(client, limits, published):
    limits.RATELIMIT_RULES = small(api="off")
    assert statuses(client, "/api/v1/models/", 6) == [200] * 6


def test_the_window_ends_and_the_client_may_go_on(client, limits, published):
    limits.RATELIMIT_RULES = small(api="2/2s")
    time.sleep(2 - time.time() % 2 + 0.05)  # at the start of a window, so the three requests share it
    assert statuses(client, "/api/v1/models/", 3) == [200, 200, 429]
    retry_after = int(client.get("/api/v1/models/")["Retry-After"])
    assert 1 <= retry_after <= 2
    time.sleep(retry_after + 0.05)
    assert client.get("/api/v1/models/").status_code == 200


def test_password_forms_are_limited_on_post_only(client, limits, db):
    # A page's password (Wagtail's view restrictions): no such restriction here, so 404 until the limit.
    url = "/_util/authenticate_with_password/999/999/"
    assert [client.post(url, {"password": "doan"}).status_code for _ in range(3)] == [404, 404, 429]
    assert client.get(url).status_code == 404  # reading the form is not counted
    # Password-reset mails.
    reset = "/admin/password_reset/"
    answers = [client.post(reset, {"email": "ai-do@example.vn"}).status_code for _ in range(3)]
    assert answers == [302, 302, 429]
    assert client.get(reset).status_code == 200


def test_head_requests_and_refused_methods_are_counted_without_a_500(client, limits, published):
    assert client.head("/api/v1/models/").status_code == 200
    assert client.post("/api/v1/models/").status_code == 405
    assert client.delete("/api/v1/models/").status_code == 405
    assert client.head("/api/v1/models/").status_code == 429


def test_a_cache_outage_lets_requests_through_instead_of_a_500(client, limits, published):
    """Redis down (the production cache, failing soft for pages): the limits let requests through."""
    down = {
        "BACKEND": "caching.backends.FailSoftRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
    with override_settings(CACHES={"default": down}):
        assert statuses(client, "/api/v1/models/", 5) == [200] * 5
        assert statuses(client, "/tim-kiem/", 5, QUERY_STRING="q=ngo") == [200] * 5


def test_a_cache_that_fails_outright_lets_requests_through(client, limits, db):
    """Even a cache whose every call raises: the limiter lets the request reach its view."""
    with override_settings(CACHES={"default": {"BACKEND": f"{UnreachableCache.__module__}.UnreachableCache"}}):
        assert [client.post("/api/v1/models/").status_code for _ in range(5)] == [405] * 5


# Configuration --------------------------------------------------------------------------------


def test_the_project_rules_cover_search_the_api_suggest_and_exports():
    expected = {
        "/api/v1/models/": "api",
        "/api/v1/models/suggest": "api",
        "/api/v1/models/12/": "api",
        "/api/v1/stats/": "api",
        "/api/v1/models/export.csv": "export",
        "/api/v1/models/export.xlsx": "export",
        "/du-lieu-mo/mo-hinh.jsonl": "export",
        "/tim-kiem/": "search",
    }
    for path, name in expected.items():
        assert rule_for(path, "GET").name == name, path
    assert rule_for("/admin/password_reset/", "POST").name == "password-reset"
    assert rule_for("/admin/password_reset/", "GET") is None
    assert rule_for("/dan-van-kheo/", "GET") is None
    for rule in parse_rules(django_settings.RATELIMIT_RULES):
        assert rule.rate is not None, rule.name
    # Generous defaults: a person browsing never meets them.
    assert Rate.parse(RULES["api"]["rate"]).limit >= 300
    assert Rate.parse(RULES["search"]["rate"]).limit >= 60


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("300/m", Rate(300, 60)),
        ("20/minute", Rate(20, 60)),
        ("10/15m", Rate(10, 900)),
        ("5/h", Rate(5, 3600)),
        ("100/30", Rate(100, 30)),
        ("2/2s", Rate(2, 2)),
        ("1000/day", Rate(1000, 86400)),
        ("off", None),
        ("0", None),
        ("", None),
    ],
)
def test_rates_are_read_from_their_short_form(text, expected):
    assert Rate.parse(text) == expected


@pytest.mark.parametrize("text", ["300", "abc/m", "5/fortnight", "5/0s", "-1/m"])
def test_a_bad_rate_is_refused(text):
    with pytest.raises(ValueError, match="Not a rate"):
        Rate.parse(text)


def test_a_mistyped_rate_fails_the_system_checks(settings):
    settings.RATELIMIT_RULES = small(api="300 per minute")
    errors = [error for error in run_checks() if error.id == "security.E001"]
    assert len(errors) == 1
    assert "api" in errors[0].msg


def test_the_limits_are_set_from_the_environment(tmp_path):
    """RATELIMIT_ENABLED=0 turns them off (the load test); each rule's rate has its variable."""
    expression = "[s.RATELIMIT_ENABLED, {r['name']: r['rate'] for r in s.RATELIMIT_RULES}]"

    def read(**overrides):
        return production_settings(production_env(tmp_path, **overrides), expression)

    enabled, rates = read()
    assert enabled is True
    assert rates["api"] == "300/m"
    enabled, rates = read(RATELIMIT_ENABLED="0", RATELIMIT_API="100000/m", RATELIMIT_SEARCH="off")
    assert enabled is False
    assert rates["api"] == "100000/m"
    assert rates["search"] == "off"


# Client addresses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "meta", "expected"),
    [
        (0, {"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_FOR": "10.1.1.1"}, "203.0.113.5"),
        (1, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.1.1.1, 203.0.113.5"}, "203.0.113.5"),
        (1, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}, "203.0.113.5"),
        (2, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.5, 192.0.2.1"}, "203.0.113.5"),
        # Fewer entries than trusted proxies (a request that bypassed them): the socket's address.
        (2, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}, "127.0.0.1"),
        (1, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "not-an-address"}, "127.0.0.1"),
        (1, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "[2001:db8:1:2::7]:443"}, "2001:db8:1:2::/64"),
        (0, {"REMOTE_ADDR": "2001:db8:1:2:aaaa::1"}, "2001:db8:1:2::/64"),
        (0, {"REMOTE_ADDR": "::ffff:203.0.113.9"}, "203.0.113.9"),
        (0, {"REMOTE_ADDR": ""}, "unknown"),
    ],
)
def test_client_address(settings, proxies, meta, expected):
    settings.SECURITY_TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", **meta)
    assert client_ip(request) == expected
