"""Login and logout never redirect off the site; login and password reset never tell who has an account.

The logins: the admin's (/admin/login/) and Wagtail's front-end login for private pages
(/_util/login/); the logout: the admin's. Each is given hostile `next` values, by query string
and in the form, and every redirect it answers must stay on this site. A failed login shows the
same message for a wrong password and an unknown user, after the same number of password hashes;
a password reset answers the same for a known and an unknown address (only the known one gets mail).
"""

import re
from urllib.parse import urljoin, urlsplit

from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client, override_settings

import pytest

from models_registry.factories import UserFactory
from models_registry.services.demo import OFFICERS, ensure_groups
from tests.html_checks import injected

HOSTILE_NEXT = [
    "https://evil.example",
    "https://evil.example/admin/",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https:evil.example",
    " //evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "\n//evil.example",
    "http://testserver@evil.example",
    "javascript:alert('xss-next')",
    "data:text/html,<script>alert('xss-next')</script>",
]
PASSWORD = "mat-khau-dung-2025"
LOGINS = ["/admin/login/", "/_util/login/"]
CSRF_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")


@pytest.fixture
def account(db):
    """A unit officer (the officers' group gives access to the admin)."""
    user = UserFactory(username="canbo_that", email="canbo.that@example.vn", password=PASSWORD)
    user.groups.add(ensure_groups()[OFFICERS])
    return user


def browser_target(location: str) -> str:
    """Where a browser goes for this Location (WHATWG parsing: tabs and newlines dropped, \\ read as /)."""
    cleaned = "".join(character for character in location if character not in "\t\r\n").strip()
    return urljoin("http://testserver/admin/login/", cleaned.replace("\\", "/"))


def assert_stays_on_site(response, description):
    assert response.status_code in (200, 302), (description, response.status_code)
    if response.status_code != 302:
        return
    target = urlsplit(browser_target(response["Location"]))
    assert (target.scheme, target.netloc) == ("http", "testserver"), (description, response["Location"])


@pytest.mark.parametrize("login", LOGINS)
@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_never_redirects_off_the_site(account, login, target):
    client = Client()
    page = client.get(login, {"next": target})
    assert page.status_code == 200
    assert injected(page.content.decode()) == []  # the `next` value is echoed escaped, if at all
    response = client.post(f"{login}?next={target}", {"username": "canbo_that", "password": PASSWORD, "next": target})
    assert_stays_on_site(response, (login, target))
    assert "_auth_user_id" in client.session  # the login itself worked


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_logout_never_redirects_off_the_site(account, target):
    client = Client()
    client.force_login(account)
    response = client.post(f"/admin/logout/?next={target}", {"next": target})
    assert_stays_on_site(response, target)
    assert "_auth_user_id" not in client.session


def test_login_still_follows_a_next_on_the_site(account):
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/pages/", {"username": "canbo_that", "password": PASSWORD, "next": "/admin/pages/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/pages/"


# ---------------------------------------------------------------------------------------------
# User enumeration


class CountingHasher(MD5PasswordHasher):
    """Django's MD5 hasher (the test settings' one), counting the hashes it computes."""

    algorithm = "md5"
    calls = 0

    def encode(self, password, salt):
        type(self).calls += 1
        return super().encode(password, salt)


def failed_login(client, login: str, username: str) -> tuple[int, str, int]:
    CountingHasher.calls = 0
    response = client.post(login, {"username": username, "password": "sai-mat-khau-2025"})
    return response.status_code, error_text(response.content.decode()), CountingHasher.calls


def error_text(html: str) -> str:
    """The page with the typed username taken out: what differs between two failures is then only the message."""
    for username in ("canbo_that", "khong_ton_tai"):
        html = html.replace(username, "USERNAME")
    return CSRF_TOKEN.sub("TOKEN", html)  # a fresh token per page, by design


@override_settings(PASSWORD_HASHERS=["tests.security.test_login_redirects.CountingHasher"])
@pytest.mark.parametrize("login", LOGINS)
def test_a_failed_login_says_the_same_for_a_wrong_password_and_an_unknown_user(account, login):
    account.set_password(PASSWORD)
    account.save()
    known = failed_login(Client(), login, "canbo_that")
    unknown = failed_login(Client(), login, "khong_ton_tai")
    assert known[0] == unknown[0] == 200
    assert known[1] == unknown[1]
    # Roughly equal work: Django hashes the password of an unknown user too, so timing tells nothing.
    assert known[2] == unknown[2] >= 1


@override_settings(PASSWORD_HASHERS=["tests.security.test_login_redirects.CountingHasher"])
def test_an_inactive_account_fails_like_an_unknown_one(account):
    account.is_active = False
    account.save()
    inactive = failed_login(Client(), "/admin/login/", "canbo_that")
    unknown = failed_login(Client(), "/admin/login/", "khong_ton_tai")
    assert inactive[:2] == unknown[:2]


def test_a_password_reset_answers_the_same_for_a_known_and_an_unknown_address(account):
    answers = []
    for email in ("canbo.that@example.vn", "khong.ai@example.vn"):
        client = Client()
        response = client.post("/admin/password_reset/", {"email": email})
        followed = client.get(response["Location"]) if response.status_code == 302 else response
        answers.append((response.status_code, response.get("Location"), error_text(followed.content.decode())))
    assert answers[0] == answers[1]
    assert answers[0][0] == 302
    # Only the real account gets mail; the page never said whether it went out.
    assert [message.to for message in mail.outbox] == [["canbo.that@example.vn"]]
