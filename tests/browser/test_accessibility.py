"""axe-core finds nothing on any page, in any state, at 390 px and 1440 px; no page scrolls
sideways; the keyboard basics hold (skip link, focus ring, focus in the number field)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import Group, User
from playwright.sync_api import Page, expect

from callviewer.sandbox import accounts, signalwire_data, sinch_data, talkstack_data
from callviewer.sandbox.core import Sandbox

from .accessibility import check
from .helpers import sign_in

MakeProject = Any  # the make_project fixture of tests/conftest.py
ROWS = "#results tbody tr.call-row"


def test_sign_in_projects_and_preferences_pass_axe(
    page: Page, alice: User, bob: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme", members=[alice])
    page.goto("/accounts/login/")
    check(page, "login")
    sign_in(page, "alice", "wrong-password")
    expect(page.get_by_role("alert")).to_be_visible()
    check(page, "login-error")
    sign_in(page, "alice", "alice-password-1")
    page.goto("/projects/")
    check(page, "projects")
    page.set_viewport_size({"width": 390, "height": 900})  # the header wraps: all in reach
    expect(page.get_by_role("button", name="Sign out")).to_be_in_viewport()
    expect(page.get_by_role("link", name="Preferences")).to_be_in_viewport()
    page.goto("/preferences/")
    check(page, "preferences")


def test_an_agent_without_projects_passes_axe(page: Page, bob: User) -> None:
    sign_in(page, "bob", "bob-password-1")
    page.goto("/calls/")
    expect(page.get_by_text("You are not a member of any project yet.")).to_be_visible()
    check(page, "search-no-projects")
    page.goto("/projects/")
    check(page, "projects-none")


def test_the_locked_sign_in_passes_axe(page: Page, bob: User, settings: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(page, "bob", "wrong-password")
    expect(page.get_by_role("heading", name="Sign-in locked for now")).to_be_visible()
    check(page, "locked-out")


def test_the_search_page_passes_axe_in_every_state(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme", members=[alice])
    make_project("signalwire", "sw", members=[alice])
    make_project("sinch", "umbrella", members=[alice])
    sign_in(page, "alice", "alice-password-1")

    page.goto("/calls/?project=acme")
    expect(page.locator(ROWS).first).to_be_visible()
    check(page, "search-results")
    page.goto("/calls/?project=all")
    expect(page.locator(ROWS).first).to_be_visible()
    check(page, "search-all")
    page.goto("/calls/?project=sw")
    expect(page.get_by_role("button", name="More results")).to_be_visible()
    check(page, "search-signalwire")
    page.goto("/calls/?project=acme&number=%2B19995550100&status=busy")
    expect(page.get_by_text("No calls match")).to_be_visible()
    check(page, "search-empty")
    page.get_by_label("Phone number").clear()
    page.get_by_label("Phone number").press_sequentially("(206) 8")
    expect(page.locator("#hint-number")).not_to_be_empty()
    check(page, "search-typing")
    page.goto("/calls/?project=acme&number=abc")
    expect(page.locator("#error-number")).not_to_be_empty()
    check(page, "search-invalid")
    page.goto("/calls/?project=umbrella")
    expect(page.get_by_text("Sinch\u2019s API keeps no call history")).to_be_visible()
    check(page, "search-sinch")

    sandbox.faults.fail_sids[next(iter(accounts.SIGNALWIRE_PROJECTS))] = 500
    page.goto("/calls/?project=all")
    expect(page.locator("#results .notice-error")).to_be_visible()
    check(page, "search-all-one-failing")
    sandbox.faults.down = True
    page.goto("/calls/?project=acme")
    expect(page.locator("#results [role=alert]")).to_be_visible()
    check(page, "search-error")


def test_call_pages_pass_axe_for_each_provider_and_state(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme", members=[alice])
    make_project("signalwire", "sw", members=[alice])
    make_project("sinch", "umbrella", members=[alice])
    signalwire_project = next(iter(accounts.SIGNALWIRE_PROJECTS))
    signalwire_call = next(
        c
        for c in signalwire_data.dataset(sandbox).history[signalwire_project]
        if c.recordings and c.rtt and c.answered_by
    )
    sinch_call = next(
        c
        for c in sinch_data.dataset(sandbox).history[next(iter(accounts.SINCH_APPLICATIONS))]
        if c.result == "FAILED"
    )
    sign_in(page, "alice", "alice-password-1")

    page.goto(f"/calls/{talkstack_data.EXAMPLE_SID}/?project=acme")
    expect(page.get_by_role("button", name="Play recording 1")).to_be_visible()
    check(page, "call-talkstack")
    page.goto(f"/calls/{signalwire_call.sid}/?project=sw")
    expect(page.get_by_role("button", name="Play recording 1")).to_be_visible()
    check(page, "call-signalwire")
    sip_leg = next(  # a long SIP address, which once pushed a phone's page sideways
        c
        for c in signalwire_data.dataset(sandbox).history[signalwire_project]
        if c.from_.startswith("sip:") and len(c.from_) > 36
    )
    page.goto(f"/calls/{sip_leg.sid}/?project=sw")
    expect(page.get_by_text("(SIP address)").first).to_be_visible()
    check(page, "call-signalwire-sip")
    page.goto(f"/calls/{sinch_call.call_id}/?project=umbrella")
    expect(page.get_by_text("API offers no recordings.")).to_be_visible()
    check(page, "call-sinch")
    sandbox.clock_offset = 25  # in progress
    live = talkstack_data.LIVE_SIDS["ts-proj-acme-0001"][0]
    page.goto(f"/calls/{live}/?project=acme")
    expect(page.locator("#call-status .badge.live")).to_be_visible()
    check(page, "call-live")
    page.goto("/calls/CA" + "0" * 32 + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("No call")
    check(page, "call-not-found")
    from callviewer.calls.models import SeenCall

    make_project("talkstack", "acme-copy", members=[alice])  # the same account: every SID twice
    SeenCall.objects.all().delete()  # nothing remembered: both projects are asked
    account = next(iter(accounts.TALKSTACK_PROJECTS))
    unseen = next(  # never opened, so no project is known for it
        c.sid
        for c in talkstack_data.calls_now(sandbox, account)
        if c.status == "completed" and c.sid != talkstack_data.EXAMPLE_SID
    )
    page.goto(f"/calls/{unseen}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("is in 2 of your projects")
    check(page, "call-chooser")
    sandbox.faults.down = True
    page.goto(f"/calls/{talkstack_data.EXAMPLE_SID}/?project=acme")
    expect(page.get_by_role("alert")).to_be_visible()
    check(page, "call-provider-failing")


def test_the_admin_pages_the_app_adds_pass_axe(
    page: Page,
    admin_user: User,
    alice: User,
    bob: User,
    support_group: Group,
    make_project: MakeProject,
) -> None:
    from callviewer.calls.models import AuditEvent

    project = make_project("talkstack", "acme", members=[bob])
    AuditEvent.objects.create(
        user=alice, username="alice", action="view_call", call_sid="CA1", project_slug="acme"
    )
    sign_in(page, "root", "root-password-1")
    for name, url in [
        ("admin", "/admin/"),
        ("admin-projects", "/admin/projects/project/"),
        ("admin-project-add", "/admin/projects/project/add/"),
        ("admin-project-change", f"/admin/projects/project/{project.pk}/change/"),
        ("admin-audit", "/admin/calls/auditevent/"),
    ]:
        page.goto(url)
        expect(page.locator("#content")).to_be_visible()
        check(page, name)


def test_a_skip_link_and_a_visible_focus_ring_lead_the_keyboard(
    page: Page, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme", members=[alice])
    sign_in(page, "alice", "alice-password-1")
    page.goto("/projects/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    ring = skip.evaluate(
        "e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]"
    )
    assert ring == ["solid", "3px"]
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")  # the first link in the content
    link = page.get_by_role("link", name="Search this project\u2019s calls")
    expect(link).to_be_focused()
    # #1c3f94 on the page's white: 9.6:1, well above the 3:1 a focus indicator needs.
    style = link.evaluate(
        "e => [getComputedStyle(e).outlineColor, getComputedStyle(e).outlineWidth]"
    )
    assert style == ["rgb(28, 63, 148)", "3px"]


def test_the_seek_slider_moves_five_seconds_per_arrow_press(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme", members=[alice])
    sign_in(page, "alice", "alice-password-1")
    page.goto(f"/calls/{talkstack_data.EXAMPLE_SID}/?project=acme")
    seek = page.get_by_role("slider", name="Position in recording 1")
    seek.focus()
    seek.press("ArrowRight")
    seek.press("ArrowRight")
    expect(seek).to_have_attribute("aria-valuetext", re.compile(r"^0:10 of "))
    seek.press("ArrowLeft")
    expect(seek).to_have_attribute("aria-valuetext", re.compile(r"^0:05 of "))
    assert page.evaluate("document.querySelector('audio').currentTime") == 5
