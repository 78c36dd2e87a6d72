"""Browser tests: Playwright (the pinned PyPI package) driving Debian's Chromium against live_server.

No browser is downloaded: ``/usr/bin/chromium`` is used as it is.  Without it the tests are skipped
with the reason, unless ``SIGAP_REQUIRE_BROWSER=1`` (set by ``.ci/run``), which makes that a failure.
Playwright's sync API runs an event loop in this thread, so Django's ORM calls made by the fixtures
need ``DJANGO_ALLOW_ASYNC_UNSAFE`` (tests only).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web.conftest import _fresh_cache, world  # noqa: F401 -- fixtures re-exported

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("SIGAP_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "sandi-rahasia-1"
NIK_PATTERN = re.compile(r"\b\d{16}\b")


def _missing_reason() -> str | None:
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is missing: run `make browser` (Debian package chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = _missing_reason()
    if reason is not None:
        if os.environ.get("SIGAP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required here (SIGAP_REQUIRE_BROWSER=1) but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Screenshots of the main screens (a temporary folder; ``make screenshots`` refreshes the README's
    copies from the demo); ``SIGAP_SCREENSHOT_DIR`` keeps them somewhere to look at."""
    keep = os.environ.get("SIGAP_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        return Path(keep)
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def open_as(browser: Any, live_server: Any, settings: Any) -> Iterator[Any]:
    """``open_as(role)`` -> a logged-in page (``None``: an anonymous visitor)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    contexts: list[Any] = []

    def open_page(role: str | None) -> Any:
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="id-ID", accept_downloads=True
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        if role is not None:
            page.goto(f"{live_server.url}/masuk/")
            page.get_by_label("Nama pengguna").fill(role)  # the labels are the accessible names
            page.get_by_label("Kata sandi").fill(PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            assert "/masuk/" not in page.url, f"login as {role} failed"
        return page

    yield open_page
    for context in contexts:
        context.close()
