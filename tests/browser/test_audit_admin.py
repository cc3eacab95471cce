"""The audit trail's list in the admin: every column readable at a desk and on a phone."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from callviewer.calls.models import AuditEvent

from .helpers import screenshot, sign_in

DETAIL = (
    "project acme-support: calls to or from +12068091239 (typed “(206) 809-1239”), "
    "status completed, started 2026-11-01 to 2026-11-30 (UTC)"
)
IPV6 = "2001:db8:85a3::8a2e:370:7334"
SID = "CA26e39c970fd416515799f5a165718be3"

# Whether anything in the list is cut off: a cell whose text overflows it, or a list wider
# than the space it has (which the admin would clip or scroll sideways).
CLIPPED = """() => {
  const results = document.querySelector('#changelist .results');
  const cells = [...document.querySelectorAll('#result_list td, #result_list th')];
  return {
    list: results.scrollWidth - results.clientWidth,
    cells: cells.filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.className),
  };
}"""


@pytest.mark.parametrize("width", [1440, 390])
def test_the_audit_list_shows_every_column_whole(page: Page, admin_user: User, width: int) -> None:
    for _ in range(3):
        AuditEvent.objects.create(
            username="alice",
            action=AuditEvent.Action.SEARCH,
            project_slug="acme-support",
            call_sid=SID,
            ip_address=IPV6,
            detail=DETAIL,
        )
    # The longest action's words, and every action in the sidebar's filter, as in a real trail.
    for action in AuditEvent.Action:
        AuditEvent.objects.create(username="alice", action=action, project_slug="acme-support")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "root", "root-password-1")
    page.goto("/admin/calls/auditevent/")
    row = page.locator("#result_list tbody tr", has_text=IPV6).first
    expect(row.locator("td.field-detail")).to_have_text(DETAIL)
    expect(row.locator("td.field-ip_address")).to_contain_text(IPV6)
    expect(row.locator("td.field-project_and_call")).to_contain_text(SID)
    assert page.evaluate(CLIPPED) == {"list": 0, "cells": []}
    for cell in ("td.field-detail", "td.field-ip_address"):
        box = row.locator(cell).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    screenshot(page, f"admin-audit-{width}")
