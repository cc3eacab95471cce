"""The search page in Chromium: results in place as the agent types, history, paging, states."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from callviewer.sandbox.core import Sandbox

from .helpers import screenshot, sign_in

MakeProject = Any  # the make_project fixture of tests/conftest.py
ROWS = "#results tbody tr.call-row"


def open_search(page: Page, query: str = "project=acme") -> None:
    sign_in(page, "alice", "alice-password-1")
    page.goto(f"/calls/?{query}")
    page.evaluate("window.__marker = 'same page'")  # gone if the page is ever reloaded


def still_same_page(page: Page) -> bool:
    return bool(page.evaluate("window.__marker === 'same page'"))


def test_typing_a_number_updates_the_results_without_a_page_load(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme", members=[alice])
    # The page's timers run on a clock the test holds: the debounce cannot fire mid-number
    # because the machine was slow between two keystrokes.
    page.clock.install()
    open_search(page)
    expect(page.locator(ROWS)).to_have_count(25)
    sandbox.faults.delay = 0.5  # long enough to see the indicator
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)

    expect(page.get_by_label("Phone number")).to_be_focused()  # where the page starts
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("/")  # focuses the number box again
    expect(page.get_by_label("Phone number")).to_be_focused()
    page.keyboard.type("(206) 809-1239", delay=20)
    expect(page.get_by_label("Phone number")).to_have_value("(206) 809-1239")
    assert not [r for r in sandbox.requests_to("/call/get-call-history") if r.query]
    page.clock.resume()  # the pause is over: the debounced search goes out
    expect(page.locator("#searching")).to_be_visible()
    expect(page.locator("#results .summary")).to_contain_text("calls to or from +12068091239")

    expect(page).to_have_url(re.compile(r"/calls/\?project=acme&number=%28206%29\+809-1239$"))
    # Both sides merged newest first, until one side's page is all shown: 25 rows at least.
    expect(page.locator(ROWS).nth(24)).to_be_visible()
    assert still_same_page(page)
    histories = [r for r in sandbox.requests_to("/call/get-call-history") if r.query]
    # Debounced: one search per side for the whole number, not one per keystroke.
    assert sorted(next(iter(r.query)) for r in histories) == ["from", "to"]
    assert {value for r in histories for values in r.query.values() for value in values} == {
        "+12068091239"
    }
    screenshot(page, "search-results")


def test_the_back_button_restores_the_previous_search(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme", members=[alice])
    open_search(page)
    page.get_by_label("Phone number").fill("2068091239")
    expect(page.locator("#results .summary")).to_contain_text("calls to or from +12068091239")
    page.get_by_label("Status").select_option("busy")
    expect(page.locator("#results .summary")).to_contain_text("status busy")
    expect(page).to_have_url(re.compile(r"status=busy"))

    page.go_back()

    expect(page).to_have_url(re.compile(r"/calls/\?project=acme&number=2068091239$"))
    expect(page.locator("#results .summary")).not_to_contain_text("status busy")
    expect(page.locator("#results .summary")).to_contain_text("calls to or from +12068091239")
    expect(page.get_by_label("Status")).to_have_value("")
    expect(page.get_by_label("Phone number")).to_have_value("2068091239")
    page.go_forward()
    expect(page.locator("#results .summary")).to_contain_text("status busy")
    expect(page.get_by_label("Status")).to_have_value("busy")


def test_more_results_are_appended_in_place(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("signalwire", "sw", members=[alice])
    open_search(page, "project=sw")
    expect(page.locator(ROWS)).to_have_count(50)
    first = page.locator(ROWS).first.get_attribute("data-href")
    assert first

    page.get_by_role("button", name="More results").click()

    expect(page.locator(ROWS)).to_have_count(100)
    expect(page.locator(ROWS).first).to_have_attribute("data-href", first)
    assert still_same_page(page)
    expect(page).to_have_url(re.compile(r"/calls/\?project=sw$"))  # paging is not a new search


def test_an_invalid_number_is_marked_next_to_its_field(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme", members=[alice])
    open_search(page)
    page.get_by_label("Phone number").fill("206-80")
    page.get_by_label("Phone number").press("Enter")  # submitted: no longer being typed

    expect(page.locator("#error-number")).to_contain_text("“206-80” is not a complete phone number")
    expect(page.get_by_label("Phone number")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#results")).to_contain_text("Nothing searched yet")
    page.get_by_label("Phone number").fill("206-809-1239")
    expect(page.locator("#error-number")).to_be_empty()
    expect(page.get_by_label("Phone number")).not_to_have_attribute("aria-invalid", "true")


def test_a_half_typed_number_is_never_red_while_typing(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme", members=[alice])
    open_search(page)
    number = page.get_by_label("Phone number")
    expect(number).to_be_focused()  # the search page starts in the number field
    expect(page.locator(ROWS)).to_have_count(25)

    number.press_sequentially("(206) 8")  # then the agent pauses
    expect(page.locator("#hint-number")).to_have_text(
        "Keep typing: not a whole phone number yet. Nothing is searched until it is."
    )
    expect(page.locator("#error-number")).to_be_empty()
    expect(number).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator(ROWS)).to_have_count(25)  # the results on screen stay
    expect(page.locator("#results")).not_to_contain_text("Nothing searched yet")
    screenshot(page, "search-typing")

    number.press_sequentially("09-1239")
    expect(page.locator("#results .summary")).to_contain_text("calls to or from +12068091239")
    expect(page.locator("#hint-number")).to_be_empty()

    number.fill("abc")  # no typing makes this a number: said once the agent pauses
    expect(page.locator("#error-number")).to_contain_text("“abc” is not a phone number")
    expect(number).to_have_attribute("aria-invalid", "true")
    assert still_same_page(page)


def test_old_results_are_inert_while_a_search_is_on_its_way(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("signalwire", "sw", members=[alice])
    open_search(page, "project=sw")
    more = page.get_by_role("button", name="More results")
    expect(more).to_be_enabled()
    sandbox.faults.delay = 1.5  # long enough to see the busy state
    page.get_by_label("Status").select_option("completed")

    results = page.locator("#results")
    expect(results).to_have_attribute("aria-busy", "true")
    expect(more).to_be_disabled()
    assert page.evaluate("document.getElementById('results').inert")
    screenshot(page, "search-loading")
    expect(page.locator("#results .summary")).to_contain_text("status completed")
    expect(results).not_to_have_attribute("aria-busy", "true")
    assert not page.evaluate("document.getElementById('results').inert")


def test_a_search_without_more_results_logs_no_script_error(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme", members=[alice])
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    open_search(page, "project=acme&number=%2B14152148508&match=from")
    expect(page.locator(ROWS).first).to_be_visible()
    expect(page.get_by_role("button", name="More results")).to_have_count(0)
    page.get_by_label("Status").select_option("completed")
    expect(page.locator("#results .summary")).to_contain_text("status completed")
    assert errors == []


def test_bad_input_in_the_demo_swaps_its_message_like_production(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject, settings: Any
) -> None:
    settings.DEBUG = True  # what ./scripts/demo runs with
    make_project("talkstack", "acme", members=[alice])
    open_search(page)
    with page.expect_response(lambda r: "number=abc" in r.url) as answer:
        page.get_by_label("Phone number").fill("abc")
        page.get_by_label("Phone number").press("Enter")
    assert answer.value.status == 400
    expect(page.locator("#results [role=alert]")).to_contain_text("Nothing searched yet")
    expect(page.locator("#error-number")).to_contain_text("“abc” is not a phone number")
    expect(page.get_by_role("heading", name="Search calls")).to_be_visible()  # the page stays
    assert still_same_page(page)


def test_a_number_shown_nationally_is_copied_in_e164(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme", members=[alice])
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_search(page, "project=acme&number=%2B14152148508&match=from")
    number = page.locator(f"{ROWS} td.party .party-text").first
    expect(number).to_have_text("(415) 214-8508")
    expect(number).to_have_attribute("title", "+14152148508")
    number.select_text()
    page.keyboard.press("Control+C")
    assert page.evaluate("navigator.clipboard.readText()") == "+14152148508"


def test_no_match_shows_the_empty_state(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme", members=[alice])
    open_search(page)
    page.get_by_label("Phone number").fill("+1 999 555 0100")
    page.get_by_label("Status").select_option("busy")

    expect(page.locator("#results")).to_contain_text(
        "No calls match: calls to or from +19995550100 (typed “+1 999 555 0100”), status busy."
    )
    screenshot(page, "search-empty")


def test_a_failing_provider_shows_an_error_with_a_retry_that_works(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme", members=[alice])
    make_project("signalwire", "sw", members=[alice])
    open_search(page, "project=all")
    expect(page.locator(ROWS).first).to_be_visible()  # every project answered
    sandbox.faults.down = True
    page.get_by_label("Project").select_option("acme")

    alert = page.locator("#results [role=alert]")
    expect(alert).to_contain_text("TalkStack AI (project Acme): TalkStack AI is having trouble")
    screenshot(page, "search-error")

    sandbox.faults.down = False
    page.get_by_role("button", name="Retry").click()
    expect(page.locator(ROWS)).to_have_count(25)
    assert still_same_page(page)


def test_one_project_failing_among_all_shows_a_notice_beside_the_others_results(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    from callviewer.sandbox import accounts

    make_project("talkstack", "acme", members=[alice])
    make_project("signalwire", "sw", members=[alice])
    make_project("sinch", "umbrella", members=[alice])
    sandbox.faults.fail_sids[next(iter(accounts.SIGNALWIRE_PROJECTS))] = 500
    open_search(page, "project=all")

    expect(page.locator("#results .notice-error")).to_contain_text("SignalWire (project Sw) failed")
    expect(page.locator(ROWS)).to_have_count(25)
    screenshot(page, "search-all-one-failing")


def test_a_row_opens_its_call(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme", members=[alice])
    open_search(page, "project=acme&number=%2B14152148508&match=from")
    row = page.locator(ROWS).first
    expect(row).to_be_visible()
    href = row.get_attribute("data-href")
    assert href and href.endswith("?project=acme")
    row.locator("td").nth(2).click()  # the From cell: not a link itself
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))


def test_a_sinch_project_lists_the_calls_seen(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    from callviewer.calls.models import SeenCall

    umbrella = make_project("sinch", "umbrella", members=[alice])
    SeenCall.objects.create(
        project=umbrella,
        sid="9a" * 16,
        status="completed",
        direction="outbound",
        from_number="+46701234567",
        to_number="+12068091239",
        start="2025-03-14T10:00:00Z",
        duration=95,
        cost="0.0420",
        currency="EUR",
    )
    make_project("talkstack", "acme", members=[alice])
    open_search(page, "project=umbrella")
    expect(page.locator("#results")).to_contain_text("Sinch\u2019s API keeps no call history")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(ROWS)).to_contain_text("0:01:35")
    # Only what works: one box for a call ID, the number; no status or dates.
    expect(page.get_by_role("button", name="Open call")).to_have_count(1)
    expect(page.get_by_label("Status")).to_be_hidden()
    expect(page.get_by_label("Started from", exact=False)).to_be_hidden()
    expect(page.get_by_role("button", name="Today")).to_be_hidden()  # quick ranges are dates
    expect(page.get_by_label("Phone number")).to_be_visible()

    # Picking a project with history brings them back, and back to Sinch hides them again.
    page.get_by_label("Project").select_option("acme")
    expect(page.get_by_label("Status")).to_be_visible()
    expect(page.get_by_role("button", name="Today")).to_be_visible()
    expect(page.locator(ROWS).first).to_be_visible()
    page.get_by_label("Status").select_option("completed")
    expect(page).to_have_url(re.compile(r"status=completed"))
    page.get_by_label("Project").select_option("umbrella")
    expect(page.get_by_label("Status")).to_be_hidden()
    expect(page.get_by_role("button", name="Today")).to_be_hidden()
    expect(page.locator("#results")).to_contain_text("keeps no call history")
    expect(page).not_to_have_url(re.compile(r"status="))
    screenshot(page, "search-sinch")


def test_number_status_and_dates_together_find_a_signalwire_call_in_place(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    from callviewer.sandbox import signalwire_data

    make_project("signalwire", "sw", members=[alice])
    seeded = signalwire_data.dataset(sandbox).by_sid  # not a live call: those move
    target = next(
        seeded[sid]
        for sid in signalwire_data.seeded_call_sids(sandbox)
        if seeded[sid].status == "completed" and seeded[sid].to.startswith("+")
    )
    assert target.start is not None
    day = dt.datetime.fromtimestamp(target.start, dt.UTC).date()
    open_search(page, "project=sw")

    page.get_by_label("Phone number").fill(target.to)
    page.get_by_label("To", exact=True).check()
    page.get_by_label("Status").select_option("completed")
    page.get_by_label("Started from").fill(day.isoformat())
    page.get_by_label("Started until").fill(day.isoformat())

    # What the agent sees once the last search is back: every filter, and the call.
    expect(page.locator("#results .summary")).to_contain_text(
        f"calls to {target.to}, status completed, started on {day} (UTC)"
    )
    expect(page.locator(f'{ROWS}[data-href^="/calls/{target.sid}/"]')).to_have_count(1)
    assert still_same_page(page)
    # Each change sent a search and earlier ones may reach the simulator late, so the
    # search with every filter is looked for among them all, not taken to be the last.
    wanted = {  # whole UTC days, a day wider on each side (then trimmed to the day)
        "To": [target.to],
        "Status": ["completed"],
        "StartTime>": [(day - dt.timedelta(days=1)).isoformat()],
        "StartTime<": [(day + dt.timedelta(days=1)).isoformat()],
    }
    asked = [r.query for r in sandbox.requests_to("/api/laml/")]
    assert any(wanted.items() <= query.items() for query in asked), asked


@pytest.mark.browser_zone("America/Los_Angeles")
def test_a_quick_range_fills_both_dates_with_the_agents_days(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme", members=[alice])
    open_search(page)  # the first sign-in took the browser's zone
    expect(page.locator(ROWS).first).to_be_visible()
    today = dt.datetime.now(zoneinfo.ZoneInfo("America/Los_Angeles")).date()
    yesterday = today - dt.timedelta(days=1)

    page.get_by_role("button", name="Yesterday").click()

    expect(page.get_by_label("Started from")).to_have_value(yesterday.isoformat())
    expect(page.get_by_label("Started until")).to_have_value(yesterday.isoformat())
    expect(page.locator("#results")).to_contain_text(
        f"started on {yesterday} (America/Los_Angeles)"
    )
    expect(page).to_have_url(re.compile(rf"date_from={yesterday}&date_to={yesterday}$"))
    assert still_same_page(page)
    page.get_by_role("button", name="Last 7 days").click()
    expect(page.get_by_label("Started from")).to_have_value(
        (today - dt.timedelta(days=6)).isoformat()
    )
    expect(page.get_by_label("Started until")).to_have_value(today.isoformat())


def test_a_sid_that_is_not_one_keeps_the_focus_in_the_sid_box(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme", members=[alice])
    open_search(page)
    sid = page.get_by_role("searchbox", name="Open a call by its SID")
    sid.fill("hello there")
    sid.press("Enter")
    expect(page.locator("#error-sid")).to_contain_text("“hello there” is not a call SID")
    expect(sid).to_be_focused()  # where the agent fixes it, not the number box
    expect(sid).to_have_value("hello there")


def test_on_a_phone_the_provider_s_name_stays_on_one_line(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme-support", members=[alice])  # the demo's, which wrapped
    page.set_viewport_size({"width": 390, "height": 844})
    open_search(page, "project=acme-support")
    provider = page.locator("#results .summary .provider")
    expect(provider).to_have_text("TalkStack AI")
    # An inline element broken over two lines has two boxes.
    assert provider.evaluate("e => e.getClientRects().length") == 1


# The width the select's chosen option needs: its text in the select's font, its padding
# and the arrow (about 1.5em).
OPTION_FITS = """(select) => {
  const style = getComputedStyle(select);
  const probe = document.createElement("span");
  probe.textContent = select.options[select.selectedIndex].text;
  probe.style.font = style.font;
  probe.style.position = "absolute";
  document.body.append(probe);
  const needed = probe.getBoundingClientRect().width + parseFloat(style.paddingLeft)
    + parseFloat(style.paddingRight) + 1.5 * parseFloat(style.fontSize);
  probe.remove();
  return needed <= select.clientWidth;
}"""


def test_at_a_desk_the_project_picker_shows_the_whole_name(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme-support", members=[alice])  # the demo's, which was cut
    page.set_viewport_size({"width": 1440, "height": 900})
    open_search(page, "project=acme-support")
    picker = page.get_by_label("Project")
    expect(picker).to_have_value("acme-support")
    assert picker.evaluate(OPTION_FITS)
