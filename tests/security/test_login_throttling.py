"""Login throttling on the admin login: failed attempts lock a username or an address for a while.

The lock answers before any password is checked, in Vietnamese, with the same words whether or
not the user exists or the password was right; other users keep logging in; success clears a
username's count; a cache outage lets logins through rather than answering 500.
"""

import re
import time
from html import unescape

from django.contrib.auth import SESSION_KEY, authenticate
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.test import Client, override_settings

import pytest

from models_registry.factories import UserFactory

LOGIN = "/admin/login/"
PASSWORD = "mat-khau-dung-2025"
LOCKED = "Đăng nhập không thành công quá nhiều lần"


@pytest.fixture
def throttle(settings):
    """The throttle on (the test settings turn it off): 3 failures lock a username, 6 an address."""
    settings.LOGIN_THROTTLE = {
        "ENABLED": True,
        "USERNAME_FAILURES": 3,
        "IP_FAILURES": 6,
        "WINDOW": 900,
        "LOCKOUT": 600,
    }
    cache.clear()
    yield settings.LOGIN_THROTTLE
    cache.clear()


@pytest.fixture
def people(db):
    users = {name: UserFactory(username=name, is_superuser=True, is_staff=True) for name in ("quantri", "bientap")}
    for user in users.values():
        user.set_password(PASSWORD)
        user.save()
    return users


def attempt(client, username, password, address="203.0.113.10"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def errors(response) -> list[str]:
    """The messages the login page shows in its message list."""
    html = response.content.decode()
    block = html[html.index('<div class="messages"') : html.index("</div>", html.index('<div class="messages"'))]
    return [unescape(text).strip() for text in re.findall(r'<li class="error">(.*?)</li>', block, flags=re.S)]


def is_locked(response) -> bool:
    return any(LOCKED in message for message in errors(response))


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def test_failures_lock_the_username_even_for_the_right_password(throttle, people):
    client = Client()
    first = attempt(client, "quantri", "sai-mat-khau")
    assert first.status_code == 200
    invalid = errors(first)
    assert invalid and LOCKED not in invalid[0]
    for _ in range(2):
        assert errors(attempt(client, "quantri", "sai-mat-khau")) == invalid

    locked = attempt(client, "quantri", PASSWORD)
    assert locked.status_code == 200  # the login form again, never a 500
    assert not logged_in(client)
    [message] = errors(locked)
    assert message == "Đăng nhập không thành công quá nhiều lần. Vui lòng thử lại sau 10 phút."


def test_the_lock_says_the_same_whether_or_not_the_user_exists(throttle, people):
    answers = {}
    for username in ("quantri", "khong-ton-tai"):
        client = Client()
        failures = [errors(attempt(client, username, "sai-mat-khau", address="198.51.100.1")) for _ in range(3)]
        locked = attempt(client, username, PASSWORD, address="198.51.100.1")
        answers[username] = (failures, locked.status_code, errors(locked))
    assert answers["quantri"] == answers["khong-ton-tai"]
    assert LOCKED in answers["quantri"][2][0]  # the lock's words, identical for both


def test_other_users_still_log_in_while_one_username_is_locked(throttle, people):
    client = Client()
    for _ in range(3):
        attempt(client, "quantri", "sai-mat-khau")
    assert is_locked(attempt(client, "quantri", PASSWORD))

    colleague = Client()
    response = attempt(colleague, "bientap", PASSWORD)  # same address
    assert response.status_code == 302
    assert logged_in(colleague)


def test_the_username_is_counted_whatever_its_case_and_spacing(throttle, people):
    client = Client()
    for spelling in ("QuanTri", " quantri", "QUANTRI "):
        attempt(client, spelling, "sai-mat-khau")
    assert is_locked(attempt(client, "quantri", PASSWORD))


def test_many_failures_from_one_address_lock_that_address_only(throttle, people):
    client = Client()
    for number in range(6):  # six different usernames: no single username reaches its limit
        attempt(client, f"doan-ten-{number}", "sai-mat-khau", address="192.0.2.66")
    assert is_locked(attempt(client, "bientap", PASSWORD, address="192.0.2.66"))
    assert not logged_in(client)

    elsewhere = Client()
    assert attempt(elsewhere, "bientap", PASSWORD, address="192.0.2.67").status_code == 302


def test_a_successful_login_clears_the_username_count(throttle, people):
    client = Client()
    for _ in range(2):
        attempt(client, "quantri", "sai-mat-khau")
    assert attempt(client, "quantri", PASSWORD).status_code == 302
    client = Client()
    for _ in range(2):
        attempt(client, "quantri", "sai-mat-khau")
    assert attempt(client, "quantri", PASSWORD).status_code == 302


def test_the_lock_ends_after_its_time(throttle, people, settings):
    settings.LOGIN_THROTTLE = {**throttle, "WINDOW": 1, "LOCKOUT": 1}
    client = Client()
    for _ in range(3):
        attempt(client, "quantri", "sai-mat-khau")
    assert is_locked(attempt(client, "quantri", PASSWORD))
    time.sleep(1.2)
    assert attempt(client, "quantri", PASSWORD).status_code == 302


def test_failures_outside_the_login_form_count_too(throttle, people, rf):
    """Any `authenticate()` failure counts (Django's user_login_failed signal), not only the form's."""
    request = rf.post(LOGIN, REMOTE_ADDR="203.0.113.99")
    for _ in range(3):
        assert authenticate(request, username="quantri", password="sai-mat-khau") is None
    assert is_locked(attempt(Client(), "quantri", PASSWORD, address="198.51.100.200"))


def test_switched_off_nothing_is_locked(throttle, people, settings):
    settings.LOGIN_THROTTLE = {**throttle, "ENABLED": False}
    client = Client()
    for _ in range(5):
        attempt(client, "quantri", "sai-mat-khau")
    assert attempt(client, "quantri", PASSWORD).status_code == 302


class UnreachableCache(BaseCache):
    """A cache server that does not answer, as Redis does when it is down."""

    def __init__(self, location, params):
        super().__init__(params)

    def _down(self, *args, **kwargs):
        raise ConnectionError("cache server unreachable")

    add = get = set = touch = delete = incr = get_many = set_many = delete_many = clear = has_key = _down


def test_a_cache_outage_lets_logins_through_instead_of_a_500(throttle, people):
    client = Client()
    with override_settings(CACHES={"default": {"BACKEND": f"{__name__}.UnreachableCache"}}):
        for _ in range(4):
            assert attempt(client, "quantri", "sai-mat-khau").status_code == 200
        assert attempt(client, "quantri", PASSWORD).status_code == 302
