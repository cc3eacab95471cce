"""Browser tests: headless Debian Chromium driven by Playwright against pytest-django's live_server.

Every test in this folder is marked `browser` (deselect with `-m "not browser"`). Without
/usr/bin/chromium they are skipped, except on CI (CI set), where that is a failure.
Playwright's own browser downloads are never used: `playwright install` is not needed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# The background-networking flags stop Chromium phoning home, which this machine's network
# refuses (and which then breaks its own connections).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).parent
# Generous: the machine running the suite may be busy with other work. Playwright's actions
# and navigations get it from the context, `expect(...)` from expect.set_options.
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)
            # live_server serves static files itself; WhiteNoise's empty STATIC_ROOT is moot.
            item.add_marker(pytest.mark.filterwarnings("ignore:No directory at:UserWarning"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: apt-get install chromium (./scripts/test does it)"
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run on CI: {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    # Sync Playwright keeps an event loop in the main thread, which makes Django refuse ORM
    # calls there (SynchronousOnlyOperation) from fixtures and tests. No coroutine shares them.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    """A fresh browser context (no cookies) on the live server, 1280x900.

    Cookies keep the production Secure flag: Chromium returns them to http://localhost.
    """
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
