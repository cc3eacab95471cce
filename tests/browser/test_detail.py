"""The call page in Chromium: links from tickets, the recording player, live and failing calls."""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, Response, expect

from callviewer import capacity
from callviewer.calls.recordings import parse_range
from callviewer.providers import http
from callviewer.sandbox import accounts, signalwire_data, sinch_data
from callviewer.sandbox.core import Sandbox
from callviewer.sandbox.talkstack_data import EXAMPLE_SID, LIVE_SIDS

from .helpers import screenshot, sign_in, wait_for_audio

MakeProject = Any  # the make_project fixture of tests/conftest.py


def test_a_signed_out_agent_follows_a_call_link_signs_in_and_lands_on_the_call(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme-support", members=[alice])

    page.goto(f"/calls/{EXAMPLE_SID}/")
    expect(page).to_have_url(re.compile(rf"/accounts/login/\?next=/calls/{EXAMPLE_SID}/$"))
    sign_in(page, "alice", "alice-password-1")

    expect(page).to_have_url(re.compile(rf"/calls/{EXAMPLE_SID}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(EXAMPLE_SID)
    expect(page.locator("#call-status .badge.final.status-completed")).to_have_text("completed")
    expect(page.get_by_text("0.077 USD")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Employee go to work"))).to_contain_text("No")
    expect(page.get_by_role("button", name="Play recording 1")).to_be_visible()
    screenshot(page, "call-completed")


@pytest.mark.parametrize(
    "upstream_ranges", [True, False], ids=["upstream-ranges", "upstream-ignores-range"]
)
def test_the_recording_plays_and_seeks_through_range_requests(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject, upstream_ranges: bool
) -> None:
    make_project("talkstack", "acme-support", members=[alice])
    sandbox.faults.ignore_range = not upstream_ranges
    media: list[Response] = []
    page.on("response", lambda r: media.append(r) if "/recordings/1/" in r.url else None)
    sign_in(page, "alice", "alice-password-1")
    page.goto(f"/calls/{EXAMPLE_SID}/?project=acme-support")
    assert media == []  # preload="none": nothing fetched, nothing audited, until Play

    page.get_by_role("button", name="Play recording 1").click()
    wait_for_audio(page, "currentTime", 0.3)
    expect(page.locator("[data-total]")).to_have_text("0:23")
    # Seeking while paused: where the player lands does not depend on how fast the test runs.
    page.get_by_role("button", name="Pause recording 1").click()
    expect(page.get_by_role("button", name="Play recording 1")).to_be_visible()

    page.locator('[data-act="seek"]').fill("18")
    expect(page.locator("[data-elapsed]")).to_have_text("0:18")
    page.get_by_role("button", name="Back 10 s").click()
    expect(page.locator("[data-elapsed]")).to_have_text("0:08")
    page.get_by_role("button", name="Forward 10 s").click()
    expect(page.locator("[data-elapsed]")).to_have_text("0:18")
    page.get_by_label("Speed").select_option("1.5")
    assert wait_for_audio(page, "playbackRate", 1.4) == 1.5
    page.get_by_role("button", name="Play recording 1").click()
    wait_for_audio(page, "currentTime", 18.3)  # plays on
    expect(page.get_by_role("button", name="Pause recording 1")).to_be_visible()

    # The first request asks from the start and gets the whole 368 KB file as a range. (The
    # browser may ask again from the seek point if that had not arrived yet: also a range.)
    assert media, "no recording request"
    assert (media[0].request.headers.get("range"), media[0].status) == ("bytes=0-", 206)
    assert media[0].headers["content-range"] == "bytes 0-368043/368044"
    assert {r.status for r in media} == {206}
    screenshot(page, "call-recording-playing")


LONG_SECONDS = 40 * 60  # 40 minutes of 8 kHz 16-bit mono: 38 MB, more than a browser reads ahead


def long_recording_upstream(ranges: bool) -> httpx.MockTransport:
    """TalkStack answering the example call, and a Twilio host serving a 40-minute WAV."""
    rate, tone = 8000, 440
    second = b"".join(
        struct.pack("<h", int(6000 * math.sin(2 * math.pi * tone * n / rate))) for n in range(rate)
    )
    size = 44 + len(second) * LONG_SECONDS
    header = b"RIFF" + struct.pack("<I", size - 8) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    header += b"data" + struct.pack("<I", size - 44)

    def chunks(start: int, end: int) -> Iterator[bytes]:
        position = start
        while position <= end:
            if position < 44:
                piece = header[position : min(44, end + 1)]
            else:
                offset = (position - 44) % len(second)
                piece = second[offset : offset + min(len(second) - offset, end - position + 1)]
            yield piece
            position += len(piece)

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "talkstack.test":
            url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1.wav"
            call = {"callSid": EXAMPLE_SID, "status": "completed", "recordingUrls": [url]}
            return httpx.Response(200, json=call | {"seconds": LONG_SECONDS})
        asked = parse_range(request.headers.get("range"))
        if ranges and asked is not None:
            start, end = asked.within(size)
            headers = {"Content-Range": f"bytes {start}-{end}/{size}"}
            headers["Content-Length"] = str(end - start + 1)
            return httpx.Response(206, headers=headers, content=chunks(start, end))
        return httpx.Response(
            200, headers={"Content-Length": str(size)}, content=chunks(0, size - 1)
        )

    return httpx.MockTransport(handle)


@pytest.mark.parametrize(
    "upstream_ranges", [True, False], ids=["upstream-ranges", "upstream-ignores-range"]
)
def test_seeking_far_into_a_long_recording_asks_for_that_range(
    page: Page, alice: User, make_project: MakeProject, upstream_ranges: bool
) -> None:
    settings = {"base_url": "https://talkstack.test", "twilio_base_url": "https://api.twilio.com"}
    make_project("talkstack", "acme-support", members=[alice], settings=settings)
    media: list[Response] = []
    page.on("response", lambda r: media.append(r) if "/recordings/1/" in r.url else None)
    sign_in(page, "alice", "alice-password-1")
    with http.override_transport(long_recording_upstream(upstream_ranges)):
        page.goto(f"/calls/{EXAMPLE_SID}/?project=acme-support")
        page.get_by_role("button", name="Play recording 1").click()
        wait_for_audio(page, "currentTime", 0.3)
        expect(page.locator("[data-total]")).to_have_text("40:00")
        page.locator('[data-act="seek"]').fill("1800")  # 30:00, about 28.8 MB in
        wait_for_audio(page, "currentTime", 1800.3)
        page.get_by_role("button", name="Pause recording 1").click()
        expect(page.locator("[data-elapsed]")).to_have_text(re.compile(r"30:[0-5]\d"))
        screenshot(page, "call-long-recording-seeked")
        # Leave the page while the fake provider still answers: the player may be reading
        # ahead, and afterwards its requests would go to the real recording host.
        page.goto("about:blank")

    assert {r.status for r in media} == {206}
    starts = [int(r.request.headers["range"][6:].split("-")[0]) for r in media]
    assert starts[0] == 0
    assert any(start > 28_000_000 for start in starts), f"no range request for 30:00: {starts}"


def test_a_live_call_updates_itself_until_it_is_over(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme-support", members=[alice])
    sid = LIVE_SIDS["ts-proj-acme-0001"][0]
    sandbox.clock_offset = 25  # in progress
    sign_in(page, "alice", "alice-password-1")
    page.goto(f"/calls/{sid}/?project=acme-support")

    expect(page.locator("#call-status .badge.live")).to_have_text("in-progress")
    expect(page.locator(".status-line")).to_contain_text("— still in progress")
    expect(page.get_by_text("Not available yet")).to_be_visible()
    screenshot(page, "call-live")

    sandbox.clock_offset = 100  # over: completed, with cost and a recording
    # The page asks every 3 s: allow a few polls on a busy machine.
    expect(page.locator("#call-status .badge.final")).to_have_text("completed", timeout=20_000)
    expect(page.get_by_text("0.201 USD")).to_be_visible()
    expect(page.get_by_role("button", name="Play recording 1")).to_be_visible()
    expect(page.locator("[hx-trigger]")).to_have_count(0)  # the status area stopped polling
    screenshot(page, "call-live-then-final")


def test_a_failing_provider_is_named_with_a_retry(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme-support", members=[alice])
    sign_in(page, "alice", "alice-password-1")
    sandbox.faults.down = True
    response = page.goto(f"/calls/{EXAMPLE_SID}/")
    assert response is not None and response.status == 502
    expect(page.get_by_role("alert")).to_contain_text("TalkStack AI")
    screenshot(page, "call-provider-failing")

    sandbox.faults.down = False
    page.get_by_role("link", name="Retry").click()
    expect(page.locator("#call-status .badge.final.status-completed")).to_be_visible()


def test_an_unknown_call_offers_the_search_box(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme-support", members=[alice])
    sign_in(page, "alice", "alice-password-1")
    response = page.goto("/calls/CA" + "0" * 32 + "/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("in your 1 project")
    screenshot(page, "call-not-found")

    page.get_by_label("Open another call by its ID").fill(EXAMPLE_SID)
    page.get_by_role("button", name="Open call").click()
    expect(page).to_have_url(re.compile(rf"/calls/{EXAMPLE_SID}/"))
    expect(page.locator("#call-status .badge.final.status-completed")).to_be_visible()


def test_signalwire_and_sinch_calls_read_in_plain_words(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("signalwire", "signalwire-support", members=[alice])
    make_project("sinch", "sinch-voice", members=[alice])
    project_id = next(iter(accounts.SIGNALWIRE_PROJECTS))
    signalwire_call = next(
        c
        for c in signalwire_data.dataset(sandbox).history[project_id]
        if c.recordings and c.rtt and c.answered_by
    )
    sign_in(page, "alice", "alice-password-1")
    page.goto(f"/calls/{signalwire_call.sid}/")
    expect(page.get_by_role("heading", name="Call quality")).to_be_visible()
    expect(page.get_by_role("button", name="Play recording 1")).to_be_visible()
    screenshot(page, "call-signalwire")

    sinch_call = next(
        c
        for c in sinch_data.dataset(sandbox).history[next(iter(accounts.SINCH_APPLICATIONS))]
        if c.result == "FAILED" and c.reason == "NOCREDITPARTNER"
    )
    page.goto(f"/calls/{sinch_call.call_id}/")
    expect(page.get_by_text("the account has no credit left", exact=False)).to_be_visible()
    expect(page.get_by_text("API offers no recordings.")).to_have_text(
        "Sinch\u2019s API offers no recordings."
    )
    screenshot(page, "call-sinch")


def test_past_the_cap_on_recording_streams_the_player_says_so_and_plays_on_the_next_try(
    page: Page,
    sandbox: Sandbox,
    alice: User,
    make_project: MakeProject,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_project("talkstack", "acme-support", members=[alice])
    settings.RECORDING_STREAMS_PER_PROCESS = 1
    places = capacity.Places("RECORDING_STREAMS_PER_PROCESS")
    monkeypatch.setattr(capacity, "RECORDING_STREAMS", places)
    assert places.take()  # another agent's download holds the only place
    sign_in(page, "alice", "alice-password-1")
    page.goto(f"/calls/{EXAMPLE_SID}/?project=acme-support")

    page.get_by_role("button", name="Play recording 1").click()
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(
        "The recording could not be played: callviewer is answering as many recordings as it "
        "can right now. Try again in 5 seconds."
    )
    screenshot(page, "call-recording-busy")

    places.give_back()  # that download ended
    page.get_by_role("button", name="Play recording 1").click()
    wait_for_audio(page, "currentTime", 0.3)
    expect(alert).to_be_hidden()


def test_copy_for_ticket_puts_the_summary_on_the_clipboard_and_says_copied(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme-support", members=[alice])
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, "alice", "alice-password-1")
    page.goto(f"/calls/{EXAMPLE_SID}/?project=acme-support")
    expect(page.get_by_role("button", name="Copy for ticket")).to_be_visible()
    button = page.locator('button[data-copy-from="ticket-text"]')
    button.click()
    expect(button).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.splitlines()[0] == f"Call {EXAMPLE_SID} (TalkStack AI, project Acme Support)"
    assert "Status: completed (the call was answered and has ended normally)" in copied
    assert f"Link: {page.url}" in copied
    expect(button).to_have_text("Copy for ticket")  # the label comes back


def test_other_calls_with_the_caller_load_after_the_page(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject
) -> None:
    make_project("talkstack", "acme-support", members=[alice])
    sign_in(page, "alice", "alice-password-1")
    page.goto(f"/calls/{EXAMPLE_SID}/?project=acme-support")
    card = page.locator("#other-calls")
    expect(card.locator("li").first).to_be_visible()
    link = card.get_by_role("link", name="All calls with (415) 214-8508 in Acme Support")
    link.click()
    expect(page).to_have_url(re.compile(r"/calls/\?project=acme-support&number=%2B14152148508"))
    expect(page.locator("tr.call-row").first).to_be_visible()


def test_a_call_stuck_at_the_provider_says_so_and_offers_a_refresh(
    page: Page, sandbox: Sandbox, alice: User, make_project: MakeProject, settings: Any
) -> None:
    make_project("talkstack", "acme-support", members=[alice])
    settings.LIVE_CALL_STALE_HOURS = 0.001  # 3.6 s: the live call answered 45 s ago is stuck
    sid = LIVE_SIDS["ts-proj-acme-0001"][2]
    sign_in(page, "alice", "alice-password-1")
    page.goto(f"/calls/{sid}/?project=acme-support")
    expect(page.locator(".stale-note")).to_contain_text("has not finished this call since")
    expect(page.locator("#call-status")).to_have_attribute("hx-trigger", "every 30s")
    screenshot(page, "call-stuck")

    # The last slow ask stops the asking; Refresh asks once more and the call has ended.
    page.evaluate(
        "htmx.ajax('GET', document.querySelector('#call-status').getAttribute('hx-get')"
        ".replace(/stale=\\d+/, 'stale=4'), {target: '#call-status', swap: 'outerHTML'})"
    )
    refresh = page.get_by_role("button", name="Refresh")
    expect(refresh).to_be_visible()
    expect(page.locator("#call-status[hx-trigger]")).to_have_count(0)
    sandbox.clock_offset = 200
    refresh.click()
    expect(page.locator("#call-status .badge.final.status-completed")).to_be_visible()
    expect(page.get_by_role("button", name="Play recording 1")).to_be_visible()
