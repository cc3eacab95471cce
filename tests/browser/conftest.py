"""Browser tests: headless Debian Chromium driven by Playwright against pytest-django's live_server.

Every test in this folder is marked `browser` (deselect with `-m "not browser"`). Without
/usr/bin/chromium they are skipped, except on CI (CI set), where that is a failure.
Playwright's own browser downloads are never used: `playwright install` is not needed.

Every page a test opens records Content-Security-Policy violations, and the `page` fixture
fails the test at teardown if there was any (see `CspViolations`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.core.signals import request_finished, request_started
from django.db import connection

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


class OneRequestAtATime:
    """The live server's app, handling one request at a time (the body streams outside).

    On SQLite the test database lives in memory, and the live server's threads all share the
    test's one connection: two requests at once (search-as-you-type sends them) then collide
    ("cannot open savepoint - SQL statements in progress"), a 500 no real deployment can
    have, since each thread there has a connection of its own. PostgreSQL runs keep the live
    server's concurrency.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        with self.lock:
            return self.app(environ, start_response)


_set_app = ThreadedWSGIServer.set_app


def _set_app_for_the_database(server: ThreadedWSGIServer, application: Any) -> None:
    if connection.vendor == "sqlite":
        application = OneRequestAtATime(application)
    _set_app(server, application)


ThreadedWSGIServer.set_app = _set_app_for_the_database  # type: ignore[method-assign,assignment]
# Generous: the machine running the suite may be busy with other work. Playwright's actions
# and navigations get it from the context, `expect(...)` from expect.set_options.
TIMEOUT_MS = 10_000
# How long a test's leftover requests (an aborted search the server still answers, a
# recording still streaming) may take to end before the next test starts.
SETTLE_SECONDS = 30.0

# Runs in every page and frame before the page's own scripts. Playwright injects it, so the
# page's CSP does not apply to it. Each violation goes both into window.__cspViolations
# (read at teardown) and to Python at once through a binding, so a violation on a page the
# test has since navigated away from is not lost.
CSP_RECORDER_JS = """
(() => {
  const seen = [];
  let count = 0;
  window.__cspViolations = seen;
  window.addEventListener("securitypolicyviolation", (event) => {
    const violation = {
      id: `${performance.timeOrigin}:${count++}`,
      violatedDirective: event.violatedDirective,
      blockedURI: event.blockedURI,
      sourceFile: event.sourceFile,
      lineNumber: event.lineNumber,
      disposition: event.disposition,
      documentURI: event.documentURI,
    };
    seen.push(violation);
    if (typeof window.__reportCspViolation === "function") {
      window.__reportCspViolation(violation).catch(() => {});
    }
  }, true);
})();
"""


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


class RequestsInFlight:
    """The live server's threads that are answering a request right now.

    The test client answers in the main thread and may leave a streamed response unclosed
    (so never "finished"): only other threads, the live server's, are counted.
    """

    def __init__(self) -> None:
        self._threads: set[int] = set()
        self._changed = threading.Condition()

    def started(self, **kwargs: Any) -> None:
        if threading.current_thread() is not threading.main_thread():
            with self._changed:
                self._threads.add(threading.get_ident())

    def finished(self, **kwargs: Any) -> None:
        with self._changed:
            self._threads.discard(threading.get_ident())
            self._changed.notify_all()

    def wait_until_none(self, timeout: float) -> int:
        """Wait until no request is being answered; return how many still are."""
        with self._changed:
            self._changed.wait_for(lambda: not self._threads, timeout)
            return len(self._threads)


@pytest.fixture(scope="session")
def requests_in_flight() -> Iterator[RequestsInFlight]:
    counter = RequestsInFlight()
    request_started.connect(counter.started, weak=False, dispatch_uid="browser-tests-started")
    request_finished.connect(counter.finished, weak=False, dispatch_uid="browser-tests-finished")
    yield counter
    request_started.disconnect(dispatch_uid="browser-tests-started")
    request_finished.disconnect(dispatch_uid="browser-tests-finished")


class CspViolations:
    """Content-Security-Policy violations reported by the pages of one browser context."""

    def __init__(self) -> None:
        self.events: dict[str, dict[str, Any]] = {}  # by id: each reported once however read
        self.console: list[str] = []

    def add(self, violation: dict[str, Any]) -> None:
        self.events[str(violation.get("id"))] = violation

    def add_console(self, message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text:
            self.console.append(f"console {message.type}: {text}")

    def read_open_pages(self, context: Any) -> None:
        """Collect what the open pages hold (this also delivers any report still queued)."""
        from playwright.sync_api import Error

        for open_page in context.pages:
            try:
                found = open_page.evaluate("window.__cspViolations || []")
            except Error:
                continue  # closed, or navigating: the binding has reported what it saw
            for violation in found:
                self.add(violation)

    def clear(self) -> None:
        """Forget what was recorded (a test that causes violations on purpose)."""
        self.events.clear()
        self.console.clear()

    def report(self) -> str:
        lines = [
            f"{v.get('disposition')} {v.get('violatedDirective')}: blocked "
            f"{v.get('blockedURI') or '(inline)'} at {v.get('sourceFile') or v.get('documentURI')}"
            f":{v.get('lineNumber')}"
            for v in self.events.values()
        ]
        return "\n".join(lines + self.console)


@pytest.fixture
def csp_violations() -> CspViolations:
    """What the `page` fixture records; a test may inspect or clear it."""
    return CspViolations()


@pytest.fixture
def page(  # type: ignore[no-untyped-def]
    browser,
    live_server,
    requests_in_flight: RequestsInFlight,
    csp_violations: CspViolations,
    request: pytest.FixtureRequest,
):
    """A fresh browser context (no cookies) on the live server, 1280x900, in the time zone of
    the test's `browser_zone` mark (UTC without one: the sign-in form sends it).

    Cookies keep the production Secure flag: Chromium returns them to http://localhost.
    At teardown the test fails if any page recorded a Content-Security-Policy violation
    (`csp_violations`), and the next test waits until the live server has answered
    everything this one asked (an aborted search, a recording still streaming), so none of
    it reaches the simulator or the database after the next test has started.
    """
    zone = request.node.get_closest_marker("browser_zone")
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        timezone_id=zone.args[0] if zone else "UTC",
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.expose_binding(
        "__reportCspViolation", lambda source, violation: csp_violations.add(violation)
    )
    context.add_init_script(CSP_RECORDER_JS)
    context.on("console", csp_violations.add_console)
    page = context.new_page()
    try:
        yield page
        csp_violations.read_open_pages(context)
    finally:
        context.close()
        left = requests_in_flight.wait_until_none(SETTLE_SECONDS)
    if csp_violations.events or csp_violations.console:
        pytest.fail(
            "Content-Security-Policy violations:\n" + csp_violations.report(), pytrace=False
        )
    if left:
        pytest.fail(
            f"the live server was still answering {left} request(s) {SETTLE_SECONDS:.0f} s "
            "after the test ended",
            pytrace=False,
        )
