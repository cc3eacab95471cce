"""What was said, in Chromium: the card loads after the page, the ask box answers, transcripts."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from callviewer.sandbox import accounts, signalwire_data, talkstack_analysis, talkstack_data
from callviewer.sandbox.core import Sandbox

from .helpers import screenshot, sign_in

MakeProject = Any
ACME = "ts-proj-acme-0001"
QUESTION = {"question": "Did the caller want to cancel the shift?", "type": "Boolean"}


def test_the_card_loads_after_the_page_and_the_ask_box_shows_an_answer(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    project = make_project("talkstack", "acme-support", members=[alice])
    project.questions = [QUESTION]
    project.save()
    call = next(c for c in talkstack_data.dataset(sandbox).history[ACME] if c.status == "completed")
    # The analysis alone is slow: the rest of the page must not wait for it.
    sandbox.faults.timeout_sids.add(str(QUESTION["question"]))
    sandbox.faults.hang_seconds = 2.0
    sign_in(page, "alice", "alice-password-1")

    page.goto(f"/calls/{call.sid}/?project=acme-support")
    expect(page.get_by_role("heading", level=1)).to_contain_text(call.sid)
    expect(page.get_by_text("Loading what was said…")).to_be_visible()

    card = page.locator("#analysis")
    answer = talkstack_analysis.answer(call, QUESTION)
    expect(
        card.get_by_role("row", name=re.compile("Did the caller want to cancel"))
    ).to_contain_text(answer)
    expect(card.get_by_text(talkstack_analysis.summary(call))).to_be_visible()

    sandbox.faults.timeout_sids.clear()
    card.get_by_label("Your question").fill("Which shift?")
    card.get_by_label("Answer").select_option("Selector")
    card.get_by_label(re.compile("^Options")).fill("Morning\nEvening")
    card.get_by_role("button", name="Ask TalkStack AI").click()
    expected = talkstack_analysis.answer(
        call, {"question": "Which shift?", "type": "Selector", "options": ["Morning", "Evening"]}
    )
    asked = card.locator(".asked li", has_text="Which shift?")
    expect(asked).to_contain_text(expected)
    expect(asked).to_contain_text("Asked by alice")
    screenshot(page, "call-what-was-said")


def test_a_signalwire_recording_shows_its_transcript_beside_the_player(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("signalwire", "initech", members=[alice])
    history = signalwire_data.dataset(sandbox).history[next(iter(accounts.SIGNALWIRE_PROJECTS))]
    call, transcript = next(
        (c, ts[0])
        for c in history
        if len(c.recordings) == 1
        and len(ts := signalwire_data.transcripts_for(c.recordings[0])) == 1
        and ts[0].status == "completed"
        and "<" not in (ts[0].text or "")
    )
    sign_in(page, "alice", "alice-password-1")
    page.goto(f"/calls/{call.sid}/?project=initech")
    player = page.locator("[data-player]").first
    expect(player.locator(".transcripts")).to_contain_text(transcript.text or "")
    expect(player.locator(".transcripts")).to_contain_text("Transcribed")


def test_a_live_call_s_card_loads_once_the_call_has_ended(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    project = make_project("talkstack", "acme-support", members=[alice])
    project.questions = [QUESTION]
    project.save()
    sid = talkstack_data.LIVE_SIDS[ACME][0]
    sandbox.clock_offset = 30  # in progress
    sign_in(page, "alice", "alice-password-1")
    page.goto(f"/calls/{sid}/?project=acme-support")
    card = page.locator("#analysis")
    expect(card).to_contain_text("What was said is available when the call ends.")
    assert sandbox.requests_to("/call/analysis") == []

    sandbox.clock_offset = 100  # ended: the status polling sees it and tells the card
    expect(page.locator("#call-status .badge.final.status-completed")).to_be_visible()
    expect(
        card.get_by_role("row", name=re.compile("Did the caller want to cancel"))
    ).to_be_visible()
    assert len(sandbox.requests_to("/call/analysis")) == 1


def test_the_card_s_heading_and_ask_box_line_up_with_the_rest_of_the_page(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme-support", members=[alice])
    sign_in(page, "alice", "alice-password-1")
    page.goto(f"/calls/{talkstack_data.EXAMPLE_SID}/?project=acme-support")
    card = page.locator("#analysis")
    expect(card.get_by_role("heading", name="What was said")).to_be_visible()
    expect(card.get_by_label("Answer")).to_be_visible()

    def heading_gap(section: str) -> float:  # from the card's top to its heading's
        return float(
            page.locator(section).evaluate(
                "c => c.querySelector('h2').getBoundingClientRect().top"
                " - c.getBoundingClientRect().top"
            )
        )

    assert heading_gap("#analysis") == heading_gap("section[aria-labelledby=h-call]")
    question = card.get_by_label("Your question").bounding_box()
    answer = card.get_by_label("Answer").bounding_box()
    assert question and answer and answer["width"] == question["width"]
