"""Every page the app serves loads in Chromium with no Content-Security-Policy violation.

The `page` fixture records violations on every page; here each page is also checked as soon
as it has loaded, so a failure names the page. Until the CSP header is sent these pass
without a policy to break; from then on they hold every page to it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.auth.models import Group, User
from playwright.sync_api import Locator, Page, expect

from callviewer.sandbox import accounts, signalwire_data, sinch_data, talkstack_data
from callviewer.sandbox.core import Sandbox

from .conftest import CspViolations
from .helpers import sign_in

MakeProject = Any  # the make_project fixture of tests/conftest.py
ROWS = "#results tbody tr.call-row"
AUDITED = dt.datetime(2025, 3, 14, 10, 0, tzinfo=dt.UTC)  # a fixed day: no midnight to cross


def no_violation(page: Page, csp_violations: CspViolations, where: str) -> None:
    csp_violations.read_open_pages(page.context)
    assert not csp_violations.report(), f"{where}:\n{csp_violations.report()}"


def visit(
    page: Page, csp_violations: CspViolations, url: str, shows: Locator | str, status: int = 200
) -> None:
    """Open `url`, see it load (its status and a visible landmark), and no CSP violation."""
    response = page.goto(url)
    assert response is not None and response.status == status, (
        f"{url}: {response and response.status}"
    )
    landmark = page.get_by_role("heading", name=shows).first if isinstance(shows, str) else shows
    expect(landmark).to_be_visible()
    no_violation(page, csp_violations, url)


def test_every_page_an_agent_opens_keeps_to_the_policy(
    page: Page,
    csp_violations: CspViolations,
    sandbox: Sandbox,
    alice: User,
    make_project: MakeProject,
) -> None:
    make_project("talkstack", "acme", members=[alice])
    make_project("signalwire", "sw", members=[alice])
    make_project("sinch", "umbrella", members=[alice])
    signalwire_project = next(iter(accounts.SIGNALWIRE_PROJECTS))
    signalwire_call = next(
        c for c in signalwire_data.dataset(sandbox).history[signalwire_project] if c.recordings
    )
    sinch_call = sinch_data.seeded_call_ids(sandbox)[0]

    visit(page, csp_violations, "/accounts/login/", "Sign in")
    sign_in(page, "alice", "alice-password-1")
    no_violation(page, csp_violations, "the page after signing in")
    visit(page, csp_violations, "/projects/", "My projects")
    visit(page, csp_violations, "/preferences/", "Preferences")

    # Search: one project, all of them, nothing found, a provider failing, the Sinch list.
    visit(page, csp_violations, "/calls/?project=acme", page.locator(ROWS).first)
    page.get_by_label("Phone number").fill("206 809 1239")  # results swapped in by HTMX
    expect(page.locator("#results .summary")).to_contain_text("calls to or from +12068091239")
    no_violation(page, csp_violations, "a search typed on /calls/?project=acme")
    visit(page, csp_violations, "/calls/?project=all", page.locator(ROWS).first)
    visit(page, csp_violations, "/calls/?project=sw", page.locator(ROWS).first)
    page.get_by_role("button", name="More results").click()  # rows appended by HTMX
    expect(page.locator(ROWS)).to_have_count(100)
    no_violation(page, csp_violations, "More results on /calls/?project=sw")
    visit(
        page,
        csp_violations,
        "/calls/?project=acme&number=%2B19995550100&status=busy",
        page.get_by_text("No calls match"),
    )
    sandbox.faults.fail_sids[signalwire_project] = 500
    visit(
        page,
        csp_violations,
        "/calls/?project=all",
        page.locator("#results .notice-error"),
    )
    sandbox.faults.down = True
    visit(
        page,
        csp_violations,
        "/calls/?project=acme",
        page.locator("#results [role=alert]"),
        status=502,
    )
    page.get_by_label("Project").select_option("sw")  # an error swapped in by HTMX
    expect(page.locator("#results [role=alert]")).to_contain_text("SignalWire")
    no_violation(page, csp_violations, "a failing search swapped in")
    sandbox.faults.down = False
    sandbox.faults.fail_sids.clear()
    visit(
        page,
        csp_violations,
        "/calls/?project=umbrella",
        page.get_by_text("API keeps no call history", exact=False),
    )

    # Call pages: each provider, a live one that updates itself, one that is not there.
    visit(
        page,
        csp_violations,
        f"/calls/{talkstack_data.EXAMPLE_SID}/?project=acme",
        page.get_by_role("button", name="Play recording 1"),
    )
    visit(
        page,
        csp_violations,
        f"/calls/{signalwire_call.sid}/?project=sw",
        page.get_by_role("button", name="Play recording 1"),
    )
    visit(
        page,
        csp_violations,
        f"/calls/{sinch_call}/?project=umbrella",
        page.get_by_text("API offers no recordings."),
    )
    sandbox.clock_offset = 25  # in progress
    live = talkstack_data.LIVE_SIDS["ts-proj-acme-0001"][0]
    badge = page.locator("#call-status .badge.live")
    visit(page, csp_violations, f"/calls/{live}/?project=acme", badge)
    sandbox.clock_offset = 100  # over: the page swaps in the final state and a player
    expect(page.locator("#call-status .badge.final")).to_have_text("completed", timeout=20_000)
    expect(page.get_by_role("button", name="Play recording 1")).to_be_visible()
    no_violation(page, csp_violations, "a live call page after it ended")
    visit(page, csp_violations, "/calls/CA" + "0" * 32 + "/", page.locator("h1"), status=404)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    no_violation(page, csp_violations, "signing out")


def test_every_admin_page_keeps_to_the_policy(
    page: Page,
    csp_violations: CspViolations,
    admin_user: User,
    alice: User,
    bob: User,
    support_group: Group,
    make_project: MakeProject,
) -> None:
    from callviewer.calls.models import AuditEvent

    project = make_project("talkstack", "acme", members=[bob])
    made = AuditEvent.objects.create(
        user=alice, username="alice", action="view_call", call_sid="CA1", project_slug="acme"
    )
    AuditEvent.objects.filter(pk=made.pk).update(when=AUDITED)

    sign_in(page, "root", "root-password-1")
    visit(page, csp_violations, "/admin/", "Site administration")
    visit(page, csp_violations, "/admin/projects/project/", "Select project to change")

    # The add form: the provider switch shows only that provider's fields.
    visit(page, csp_violations, "/admin/projects/project/add/", "Add project")
    page.get_by_label("Provider").select_option("signalwire")
    expect(page.locator("fieldset.provider-signalwire").first).to_be_visible()
    expect(page.locator("fieldset.provider-talkstack").first).to_be_hidden()
    choose_member(page, alice)
    no_violation(page, csp_violations, "the project add form in use")

    visit(page, csp_violations, f"/admin/projects/project/{project.pk}/change/", "Change project")
    expect(page.locator("fieldset.provider-talkstack").first).to_be_visible()
    expect(page.locator("fieldset.provider-sinch").first).to_be_hidden()
    choose_member(page, alice)
    expect(page.locator("#id_members_to option")).to_have_count(2)  # bob, and now alice
    no_violation(page, csp_violations, "the project change form in use")

    day = AUDITED.date()
    visit(
        page,
        csp_violations,
        f"/admin/calls/auditevent/?when__year={day.year}&when__month={day.month}"
        f"&when__day={day.day}",
        page.locator("#result_list").get_by_text("CA1"),
    )
    visit(page, csp_violations, "/admin/auth/user/", "Select user to change")
    visit(page, csp_violations, f"/admin/auth/user/{alice.pk}/change/", "Change user")
    visit(page, csp_violations, "/admin/auth/user/add/", "Add user")
    visit(page, csp_violations, "/admin/auth/group/", "Select group to change")
    visit(page, csp_violations, f"/admin/auth/group/{support_group.pk}/change/", "Change group")
    visit(page, csp_violations, "/admin/auth/group/add/", "Add group")
    # The permissions filter_horizontal, filtered as a person types.
    page.locator("#id_permissions_input").press_sequentially("project")
    expect(page.locator("#id_permissions_from option").first).to_contain_text(
        re.compile("project", re.IGNORECASE)
    )
    no_violation(page, csp_violations, "the group add form in use")


def choose_member(page: Page, user: User) -> None:
    """Move a user to the chosen members with the filter_horizontal widget."""
    page.locator("#id_members_input").press_sequentially(user.username)
    page.locator("#id_members_from").select_option(str(user.pk))
    page.locator("#id_members_add").click()
    expect(page.locator("#id_members_to")).to_contain_text(user.username)
