"""Browser journeys: Playwright driving Debian's Chromium (never a downloaded browser).

`make test` runs them whenever /usr/bin/chromium (or $CHROMIUM_PATH) exists and says plainly
when it skips them; `.ci/run` installs Chromium from Debian's packages first.
"""

import os
import shutil
from pathlib import Path

from django.db import connections

import pytest

# Playwright's sync API runs an event loop in this thread; the Django calls the tests make
# around it (building fixtures) are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTEFACTS = Path(os.environ.get("E2E_ARTEFACTS", Path(__file__).resolve().parent.parent.parent / "test-artefacts"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def browser(transactional_db):
    # One browser per test, started after the database is set up: Playwright's sync API keeps
    # an event loop running in this thread, and Django looks connections up per async context,
    # so a browser left running across tests would make the next test's set-up see a fresh
    # connection object without the serialised seed content to restore.
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: install Debian's chromium package, as .ci/run does"
        # CI (E2E_REQUIRED=1, set by .ci/run) must run the journeys: a missing browser fails there.
        # `make test` on a developer's machine without Chromium says plainly what it left out.
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail(message)
        pytest.skip(f"{message} (browser journeys not run on this machine)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()
        # Connections opened while Playwright's loop ran belong to that async context: close
        # them, or PostgreSQL refuses to drop the test database at the end of the run.
        connections.close_all()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
