"""The `page` fixture's Content-Security-Policy recorder sees what a strict policy blocks."""

from __future__ import annotations

from playwright.sync_api import Page, Route, expect

from .conftest import CspViolations

STRICT = "default-src 'self'"
PROBE = """<!doctype html><html lang="en"><head><title>probe</title></head><body>
<h1>CSP probe</h1>
<p style="color: red">inline style attribute</p>
<script>document.title = "inline script ran";</script>
</body></html>"""


def serve_probe(route: Route) -> None:
    route.fulfill(
        status=200,
        headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": STRICT},
        body=PROBE,
    )


def test_violations_are_recorded_even_after_the_page_is_left(
    page: Page, csp_violations: CspViolations
) -> None:
    page.route("**/csp-probe/", serve_probe)
    page.goto("/csp-probe/")
    expect(page.get_by_role("heading", name="CSP probe")).to_be_visible()
    expect(page).to_have_title("probe")  # the inline script was blocked

    page.goto("/accounts/login/")  # the probe's window.__cspViolations is gone with it
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    csp_violations.read_open_pages(page.context)

    directives = {v["violatedDirective"] for v in csp_violations.events.values()}
    assert {"script-src-elem", "style-src-attr"} <= directives, csp_violations.report()
    assert all(v["documentURI"].endswith("/csp-probe/") for v in csp_violations.events.values())
    assert any("Content Security Policy" in line for line in csp_violations.console)
    csp_violations.clear()  # caused on purpose: the fixture must not fail this test
