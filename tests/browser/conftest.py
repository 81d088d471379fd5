"""Playwright driving the machine's Chromium against a live test server.

Chromium is Debian's (`apt-get install chromium`, as .ci/run does), never a
browser downloaded by Playwright. Without it these tests are skipped, except
in CI where UAC_REQUIRE_SERVICES turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from tests.conftest import require_service
from tests.factories import StaffUserFactory

SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "correct horse"
# The machine's network is closed: Chromium must not try to phone home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("UAC_CHROMIUM") or shutil.which("chromium")


@pytest.fixture
def browser(live_server, monkeypatch) -> Iterator[object]:
    """A headless Chromium for one test, started after its database is ready.

    Playwright's sync API keeps an event loop running in this thread while it
    is started, and Django then hands this thread other database connection
    objects: started once for the session, it would make later tests miss
    the data a transactional test restores. So each test starts its own.
    """
    path = chromium_path()
    require_service("Chromium (apt-get install chromium)", path is not None)
    from playwright.sync_api import sync_playwright

    # With that loop running, Django would refuse the test's own queries.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
        # The connections the test opened while the loop ran are not the
        # ones pytest-django closes: left open, they keep the test database.
        connections.close_all()


@pytest.fixture
def new_page(browser, live_server):
    """Open a fresh browser session (its own cookies) on the live server."""
    contexts = []

    def open_page():
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def log_in(new_page):
    """Log a new staff member of the role in through the login form."""

    def log_in_as(role: str):
        user = StaffUserFactory(role=role, password=PASSWORD)
        page = new_page()
        page.goto("/admin/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_selector("#todays-counts")
        return page

    return log_in_as


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under var/screenshots/ (named in the README)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
