"""CSRF: every URL the project answers, public and admin, refuses a POST without a token.

The URL patterns are enumerated from the resolver (Wagtail's admin, the snippets, the project's
screens, the public site), each turned into a concrete path that resolves to it, and posted to by a
logged-in administrator whose client enforces CSRF checks as a browser's would. Only the read-only
public API is exempt, and it answers a POST with 405; Wagtail's admin API is exempt for Django but
enforces the token itself (Django REST framework's session authentication).
"""

import re
import uuid
from re import _constants as sre_constants
from re import _parser as sre_parse

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import get_converters
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern

import pytest

from models_registry.factories import PracticeModelFactory

# Exempt from Django's CSRF check on purpose: the public JSON API (GET only) and Wagtail's admin API.
INTENDED_EXEMPT_MODULES = {"search.api", "stats.api", "models_registry.export_views"}
ADMIN_API_MODULES = {"wagtail.admin.api.views", "wagtail.documents.api.admin.views", "wagtail.images.api.admin.views"}


def _sample_from_regex(regex: str) -> str:
    """One string the regex matches: the first branch, the first character of a class, each repeat once."""

    def walk(parsed) -> str:
        out = []
        for op, value in parsed:
            if op is sre_constants.LITERAL:
                out.append(chr(value))
            elif op is sre_constants.NOT_LITERAL:
                out.append("a" if chr(value) != "a" else "b")
            elif op is sre_constants.ANY:
                out.append("a")
            elif op is sre_constants.IN:
                out.append(_class_sample(value))
            elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
                low, _high, item = value
                out.append(walk(item) * max(low, 1))
            elif op is sre_constants.SUBPATTERN:
                out.append(walk(value[-1]))
            elif op is sre_constants.BRANCH:
                out.append(walk(value[1][0]))
            elif op is sre_constants.CATEGORY:
                out.append(_category_sample(value))
        return "".join(out)

    return walk(sre_parse.parse(regex))


def _category_sample(category) -> str:
    if category is sre_constants.CATEGORY_DIGIT:
        return "1"
    if category is sre_constants.CATEGORY_SPACE:
        return " "
    return "a"


def _class_sample(items) -> str:
    for op, value in items:
        if op is sre_constants.NEGATE:
            return "a"
        if op is sre_constants.LITERAL:
            return chr(value)
        if op is sre_constants.RANGE:
            return "1" if value[0] <= ord("1") <= value[1] else chr(value[0])
        if op is sre_constants.CATEGORY:
            return _category_sample(value)
    return "a"


CONVERTER_SAMPLES = {"int": "1", "slug": "a-b", "str": "a", "path": "a/b", "uuid": str(uuid.UUID(int=1))}


def _sample(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        route = str(pattern)

        def converter(match):
            name = match.group("converter") or "str"
            if name in CONVERTER_SAMPLES:
                return CONVERTER_SAMPLES[name]
            return _sample_from_regex(get_converters()[name].regex)

        return re.sub(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>", converter, route)
    assert isinstance(pattern, RegexPattern)
    return _sample_from_regex(str(pattern).lstrip("^").rstrip("$")).replace("\\", "")


def url_patterns():
    """(path, pattern description, callback) for every URL pattern the project serves."""
    found = []

    def walk(resolver, prefix: str, described: str):
        for entry in resolver.url_patterns:
            path = prefix + _sample(entry.pattern)
            description = described + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry, path, description)
            elif isinstance(entry, URLPattern):
                found.append(("/" + path, description, entry.callback))

    walk(get_resolver(), "", "")
    return found


PATTERNS = url_patterns()


def test_every_pattern_gets_a_concrete_path_that_resolves_to_it():
    misses = []
    for path, description, callback in PATTERNS:
        try:
            match = resolve(path)
        except Resolver404:
            misses.append((description, path, None))
            continue
        if match.func is not callback:
            misses.append((description, path, match.func))
    assert misses == []
    assert len(PATTERNS) > 300  # Wagtail's admin alone has hundreds: the walk did not stop early


def test_no_view_is_csrf_exempt_unless_it_is_an_intended_api():
    exempt = {
        (description, callback.__module__)
        for _path, description, callback in PATTERNS
        if getattr(callback, "csrf_exempt", False)
    }
    unexpected = {item for item in exempt if item[1] not in INTENDED_EXEMPT_MODULES | ADMIN_API_MODULES}
    assert unexpected == set()


@pytest.fixture
def admin_client_without_token(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.admin)
    return client


def _is_csrf_refusal(response) -> bool:
    return response.status_code == 403 and "CSRF" in response.content.decode(errors="replace")


def test_every_form_refuses_a_post_without_a_token(admin_client_without_token, unit_tree, dvk):
    PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk)  # so that ids such as 1 name real rows
    accepted = []
    for path, description, callback in PATTERNS:
        if getattr(callback, "csrf_exempt", False):
            continue
        response = admin_client_without_token.post(path, {"title": "đổi"})
        if not _is_csrf_refusal(response):
            accepted.append((description, path, response.status_code))
    assert accepted == []


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_the_public_forms_refuse_a_post_without_a_token(users, who):
    client = Client(enforce_csrf_checks=True)
    if who == "admin":
        client.force_login(users.admin)
    for path in ("/admin/login/", "/admin/logout/", "/admin/password_reset/", "/dan-van-kheo/", "/", "/tim-kiem/"):
        response = client.post(path, {"username": "quantri", "password": "x", "email": "quantri@example.vn"})
        assert _is_csrf_refusal(response), (path, response.status_code)


def test_the_check_is_real_a_post_with_the_token_goes_through(users):
    """The control: the same client, with the token a browser would send, logs in."""
    client = Client(enforce_csrf_checks=True)
    users.admin.set_password("mat-khau-dung-2025")
    users.admin.save()
    page = client.get("/admin/login/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/admin/login/", {"username": "quantri", "password": "mat-khau-dung-2025", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_the_public_api_answers_a_post_with_405(admin_client_without_token, unit_tree, dvk):
    model = PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk)
    for path in (
        "/api/v1/models/",
        f"/api/v1/models/{model.pk}/",
        "/api/v1/models/suggest/",
        "/api/v1/schema/",
        "/api/v1/stats/",
        "/api/v1/models/export.csv",
        "/api/v1/models/export.xlsx",
    ):
        assert admin_client_without_token.post(path).status_code == 405, path


def test_wagtails_admin_api_enforces_the_token_itself(admin_client_without_token, home_page):
    response = admin_client_without_token.post(
        f"/admin/api/main/pages/{home_page.pk}/action/unpublish/", {}, content_type="application/json"
    )
    assert response.status_code == 403
    home_page.refresh_from_db()
    assert home_page.live
