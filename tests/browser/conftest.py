"""Browser tests: Playwright drives Debian's chromium (never a downloaded browser)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from tests.cms.messages import ensure_compiled_messages

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session", autouse=True)
def _compiled_messages():
    ensure_compiled_messages()


@pytest.fixture(scope="module")
def restore_migration_rows(django_db_blocker):
    """Put back the rows data migrations made (home page, regions, role groups) once a module
    of ``serialized_rollback`` live-server tests is done.

    ``serialized_rollback`` reloads them when a test *starts*; the flush after the module's last
    test would otherwise leave later transactional tests elsewhere with an empty database.
    """
    yield
    from django.contrib.contenttypes.models import ContentType

    with django_db_blocker.unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            # A serialized flush leaves even the content types empty; reload only then, or the
            # reloaded rows would collide with ones a later flush has already recreated.
            if contents and not ContentType.objects.using(connection.alias).exists():
                connection.creation.deserialize_db_from_string(contents)


@pytest.fixture
def browser(monkeypatch):
    """Chromium for one test.

    Playwright's sync API keeps an asyncio loop running in this thread, and while it runs
    Django keeps database connections per context instead of per thread: the test database's
    serialized contents then sit on a connection the test cannot see, and ``serialized_rollback``
    silently does nothing. Started per test, the loop is gone again before the database is
    flushed and reloaded.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"needs Debian's chromium at {CHROMIUM} (make installs it: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
    # the database calls made while it runs. Only for browser tests, not the whole session.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser):
    """A fresh phone-sized tab with no cookies, set up like a phone in Hubei: the browser asks for
    Chinese (LocaleMiddleware honours Accept-Language until the reader picks a language)."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    path = Path(settings.BASE_DIR) / "var" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
