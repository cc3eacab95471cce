"""axe-core and layout checks of the page on screen, at a phone's and a desk's width.

axe-core comes from npm (tests/browser/axe/package.json pins it; ./scripts/test installs
it), never from a CDN. Its source is run with page.evaluate, which Playwright sends over
the DevTools protocol: the page's Content-Security-Policy neither applies to it nor sees
it, so the CSP recorder stays quiet and the page keeps its real policy.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from .helpers import screenshot

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PHONE, DESK = 390, 1440
WIDTHS = (PHONE, DESK)

_RUN_AXE = """async () => {
  // preload: false keeps axe from copying style sheets into <style> elements (its CSSOM
  // preload, for css-orientation-lock only), which the CSP refuses and the recorder reports.
  const results = await axe.run(document, {resultTypes: ["violations"], preload: false});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
  }));
}"""
_OVERFLOW = """() => ({
  page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth,
  tables: [...document.querySelectorAll(".table-wrap")]
    .filter((e) => e.scrollWidth > e.clientWidth + 1).length,
  wide: [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
      && !e.closest(".table-wrap, .visually-hidden, pre"))
    .slice(0, 5)
    .map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
      + (typeof e.className === "string" ? "." + e.className.replace(/ /g, ".") : "")),
})"""


@cache
def axe_source() -> str:
    if not AXE.exists():
        reason = f"{AXE} is missing: ./scripts/test installs axe-core from npm"
        if os.environ.get("CI"):
            pytest.fail(f"accessibility tests cannot run on CI: {reason}", pytrace=False)
        pytest.skip(reason)
    return AXE.read_text(encoding="utf-8")


def violations(page: Page) -> list[dict[str, Any]]:
    """What axe-core finds on the page as it is now (every impact, every default rule)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    found: list[dict[str, Any]] = page.evaluate(_RUN_AXE)
    return found


def overflow(page: Page) -> dict[str, Any]:
    """How wide the page is against the window, and what sticks out (tables scroll inside)."""
    found: dict[str, Any] = page.evaluate(_OVERFLOW)
    return found


def check(page: Page, name: str) -> None:
    """The page at a phone's and a desk's width: no axe violation, no sideways scroll of the
    page or of a table.

    Also keeps a screenshot of each (screenshots/a11y-<name>-<width>.png).
    """
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for v in violations(page):
            nodes = "\n      ".join(v["nodes"][:5])
            problems.append(f"{width} px: {v['impact']} {v['id']}: {v['help']}\n      {nodes}")
        wide = overflow(page)
        if wide["page"] > wide["view"]:
            problems.append(f"{width} px: the page scrolls sideways: {wide}")
        if wide["tables"]:  # a result table wider than the page hides its last columns
            problems.append(f"{width} px: {wide['tables']} table(s) scroll sideways")
        screenshot(page, f"a11y-{name}-{width}")
    assert not problems, f"{name} ({page.url}):\n  " + "\n  ".join(problems)
