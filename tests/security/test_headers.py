"""Security headers: a strict Content-Security-Policy on public pages that nothing on them breaks.

Every public page is rendered with real content and parsed: no inline script, no event-handler
attribute, no javascript: URL and no inline style, since the policy allows none of them. The admin
gets its own, looser policy (security/middleware.py explains why). HSTS, the frame, referrer,
permissions and opener policies are checked on the same answers.
"""

import datetime
import json
from html.parser import HTMLParser

from django.test import override_settings

import pytest

from models_registry.factories import CommendationFactory, PracticeModelFactory
from models_registry.models import CommendationForm, RecognitionLevel
from tests.e2e.conftest import browser  # noqa: F401 - Debian's Chromium through Playwright
from tests.production import production_env, production_settings


def directives(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [sources]}."""
    policy = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            policy[words[0]] = words[1:]
    return policy


class InlineCode(HTMLParser):
    """What a strict policy would block: inline scripts, on* handlers, javascript: URLs, inline styles."""

    EXECUTABLE = {"", "text/javascript", "application/javascript", "module"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name.lower(): value or "" for name, value in attrs}
        if tag == "script" and attributes.get("type", "").lower() in self.EXECUTABLE:
            if "src" in attributes:
                self.scripts.append(attributes["src"])
            else:
                self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attributes.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name == "style":
                self.found.append(f"<{tag} style=…>")
            if name in {"href", "src", "action", "formaction"} and "".join(value.split()).lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:…>")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> InlineCode:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture
def site_content(unit_tree, dvk, cb4t, fields):
    """Published models with commendations, so every listing, search and board has rows to show."""
    models = [
        PracticeModelFactory(
            title="Ngõ phố xanh sạch đẹp",
            summary="Nhân dân cùng làm sạch ngõ phố.",
            movement=dvk,
            unit=unit_tree.dich_vong,
            field=fields["van-hoa-xa-hoi"],
            year=2024,
            recognition_level=RecognitionLevel.CITY,
            story=json.dumps(
                [{"type": "paragraph", "value": "<h3>Cách làm</h3><p>Họp dân bàn bạc, <b>thống nhất</b>.</p>"}]
            ),
        ),
        PracticeModelFactory(title="Chi bộ bốn tốt tổ dân phố 1", movement=cb4t, unit=unit_tree.cell, year=2023),
    ]
    CommendationFactory(
        practice_model=models[0],
        form=CommendationForm.DIPLOMA_OF_MERIT,
        level=RecognitionLevel.CITY,
        decision_date=datetime.date(2024, 12, 5),
    )
    return models


def public_pages(models) -> dict[str, tuple[str, str | None]]:
    """Each public page: (address, a text that proves it rendered its content)."""
    listed = f'href="{models[0].get_url()}"'  # a link to the first model: the listing has rows
    return {
        "home": ("/", None),
        "movement": ("/dan-van-kheo/", listed),
        "model": (models[0].get_url(), "thống nhất"),
        "search with results": ("/tim-kiem/?q=ngo+pho+xanh", listed),
        "search, empty": ("/tim-kiem/", None),
        "unit index": ("/don-vi/", "Quận Cầu Giấy"),
        "unit": ("/don-vi/HN-CG/", listed),
        "statistics": ("/thong-ke/", None),
        "honour board": ("/bang-vinh-danh/", listed),
        "open data": ("/du-lieu-mo/", None),
    }


def assert_strict_public_policy(response):
    assert "Content-Security-Policy" in response, response.request["PATH_INFO"]
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def assert_common_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions


def test_every_public_page_has_the_strict_policy_and_no_inline_code(client, site_content):
    for name, (url, proof) in public_pages(site_content).items():
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        html = response.content.decode()
        if proof:
            assert proof in html, (name, url)
        assert_strict_public_policy(response)
        assert_common_headers(response)
        parsed = inline_code(html)
        assert parsed.found == [], (name, url, parsed.found)
        # The scripts a page does load come from this site, which script-src 'self' allows.
        assert all(src.startswith("/static/") for src in parsed.scripts), (name, parsed.scripts)


def test_error_pages_have_the_strict_policy_and_no_inline_code(client, db):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert_strict_public_policy(response)
    assert inline_code(response.content.decode()).found == []


def test_the_api_answers_with_the_security_headers(client, site_content):
    for url in (
        "/api/v1/models/",
        f"/api/v1/models/{site_content[0].pk}/",
        "/api/v1/models/suggest?q=ngo",
        "/api/v1/stats/?group_by=field",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_public_policy(response)
        assert_common_headers(response)


def test_the_admin_gets_a_policy_it_can_work_with_that_still_keeps_out_plugins_and_framing(client, users):
    for url in ("/admin/login/", "/admin/"):
        if url == "/admin/":
            client.force_login(users.admin)
        response = client.get(url)
        assert response.status_code == 200, url
        policy = directives(response["Content-Security-Policy"])
        # Wagtail 8's admin renders inline scripts and offers no nonces.
        assert "'unsafe-inline'" in policy["script-src"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'self'"]
        assert policy["base-uri"] == ["'self'"]
        assert policy["form-action"] == ["'self'"]
        assert_common_headers(response)


def test_admin_inline_scripts_are_the_reason_for_its_policy(client, users, dvk):
    """If Wagtail's admin ever stops needing inline scripts, the admin can take the strict policy."""
    client.force_login(users.admin)
    response = client.get(f"/admin/pages/{dvk.pk}/edit/")
    assert response.status_code == 200
    assert inline_code(response.content.decode()).found, "the admin has no inline code any more: tighten its CSP"


def test_a_signed_in_editor_sees_the_userbar_from_files_only(client, users, site_content):
    client.force_login(users.admin)
    response = client.get("/dan-van-kheo/")
    html = response.content.decode()
    assert "wagtail-userbar" in html
    parsed = inline_code(html)
    assert parsed.found == []
    assert_strict_public_policy(response)


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_hsts_over_https(client, db):
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_production_settings_turn_on_hsts_and_trust_nginx_for_addresses(tmp_path):
    values = production_settings(
        production_env(tmp_path),
        "[s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURITY_TRUSTED_PROXY_COUNT, s.RATELIMIT_ENABLED, s.LOGIN_THROTTLE['ENABLED'], "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src']]",
    )
    assert values == [31536000, True, True, True, True, 1, True, True, ["'self'"]]


# In a real browser ------------------------------------------------------------------------------


def csp_complaints(messages: list[str]) -> list[str]:
    return [text for text in messages if "Content Security Policy" in text or "Refused to" in text]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_chromium_runs_public_pages_and_the_admin_without_a_policy_violation(
    browser,  # noqa: F811 - the fixture imported above
    live_server,
    users,
    dvk,
    unit_tree,
):
    """Public pages (with the type-ahead and an editor's userbar) and the admin's editors, as Chromium runs them."""
    model = PracticeModelFactory(title="Ngõ phố xanh sạch đẹp", unit=unit_tree.dich_vong, movement=dvk)
    users.admin.set_password("mat-khau-kiem-tra-csp")
    users.admin.save()
    page = browser.new_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.on("pageerror", lambda error: messages.append(f"Refused to run: {error}"))

    # An anonymous visitor: the header's suggestions come from the API (connect-src 'self').
    page.goto(live_server.url + "/")
    page.locator("#site-search-q").press_sequentially("ngo pho")
    page.locator("#site-search-suggestions [role=option]").first.wait_for()
    for url in ("/dan-van-kheo/", model.get_url(), "/tim-kiem/?q=ngo+pho", "/thong-ke/", "/bang-vinh-danh/"):
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
    assert csp_complaints(messages) == []

    page.goto(live_server.url + "/admin/login/")
    page.locator("input[name=username]").fill("quantri")
    page.locator("input[name=password]").fill("mat-khau-kiem-tra-csp")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    for url in (
        "/admin/",
        f"/admin/pages/{dvk.pk}/edit/",
        "/admin/snippets/models_registry/practicemodel/add/",
        f"/admin/snippets/models_registry/practicemodel/edit/{model.pk}/",
        "/admin/pages/",
        "/admin/users/",
    ):
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
    # An editor on the live site: Wagtail's userbar opens under the strict public policy.
    page.goto(live_server.url + "/dan-van-kheo/")
    page.locator("wagtail-userbar [data-wagtail-userbar-trigger]").click()
    page.locator("wagtail-userbar [role=menu]").wait_for()
    page.wait_for_load_state("networkidle")
    assert csp_complaints(messages) == []
