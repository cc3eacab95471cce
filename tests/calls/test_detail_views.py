"""The call page, its polling status fragment, link resolution pages and error pages."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from callviewer.calls.models import AuditEvent, SeenCall
from callviewer.projects.models import Project, preference_for
from callviewer.providers.signalwire import sip_fact
from callviewer.sandbox import accounts, signalwire_data, sinch_data, talkstack_data
from callviewer.sandbox.core import Sandbox
from callviewer.sandbox.talkstack_data import EXAMPLE_SID, HTML_VALUE, LIVE_SIDS

pytestmark = pytest.mark.django_db

ACME = "ts-proj-acme-0001"
GLOBEX = "ts-proj-globex-0002"
UNKNOWN_SID = "CA" + "0" * 32
HX = {"HX-Request": "true"}
MakeProject = Any  # the make_project fixture of tests/conftest.py


@pytest.fixture
def project(make_project: MakeProject, alice: User) -> Project:
    return make_project("talkstack", members=[alice])


def page(client: Client, sid: str, query: str = "", **headers: Any) -> tuple[int, str]:
    response = client.get(f"/calls/{sid}/{query}", **headers)
    return response.status_code, response.content.decode()


def text(content: str) -> str:
    """The page's words without markup or runs of spaces, to check sentences."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def in_zone(user: User, zone: str) -> None:
    """The agent's time zone preference is `zone`."""
    pref = preference_for(user)
    pref.time_zone = zone
    pref.save()


def seeded(
    sandbox: Sandbox, status: str, project_id: str = ACME, **want: Any
) -> talkstack_data.SimCall:
    calls = talkstack_data.dataset(sandbox).history[project_id]
    return next(
        c for c in calls if c.status == status and all(getattr(c, k) == v for k, v in want.items())
    )


# TalkStack


def test_a_completed_call_shows_everything_an_agent_needs(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    status, content = page(agent, EXAMPLE_SID)
    words = text(content)
    assert status == 200
    assert f'data-copy="{EXAMPLE_SID}"' in content
    assert "Talkstack Demo" in words and "TalkStack AI" in words
    assert 'class="badge final status-completed"' in content
    assert "completed the call was answered and has ended normally (final)" in words
    assert "(415) 214-8508 +1 415-214-8508" in words
    assert 'data-copy="+14152148508"' in content and 'data-copy="+12068091239"' in content
    assert "Duration 0:00:23" in words
    assert "Cost 0.077 USD" in words
    assert 'title="Tue 30 Jan 2024, 13:39:53 UTC"' in content
    assert "Employee go to work No" in words
    assert "New date —" in words
    assert "Reason of cancellation Please keep in mind" in words
    assert "Partner ID partner-id" in words and "Shift ID shift-id" in words
    assert "Assignment ID assignment-id" in words
    assert f'src="/calls/{EXAMPLE_SID}/recordings/1/?project=talkstack-demo"' in content
    assert (
        f'href="/calls/{EXAMPLE_SID}/recordings/1/?project=talkstack-demo&amp;download=1"'
        in content
    )
    assert "Raw answer from TalkStack AI" in words
    assert 'hx-trigger="every' not in content  # final: nothing polls (the card loads once)


def test_times_are_in_the_agents_time_zone_with_utc_on_hover(
    sandbox: Sandbox, project: Project, agent: Client, alice: User
) -> None:
    in_zone(alice, "America/Los_Angeles")
    _, content = page(agent, EXAMPLE_SID)
    assert 'title="Tue 30 Jan 2024, 13:39:53 UTC">Tue 30 Jan 2024, 05:39:53 PST</time>' in content


def test_the_cost_is_in_the_projects_currency(
    sandbox: Sandbox, make_project: MakeProject, alice: User, agent: Client
) -> None:
    make_project("talkstack", members=[alice], settings={"currency": "EUR"})
    _, content = page(agent, EXAMPLE_SID)
    assert "Cost 0.077 EUR" in text(content)


@pytest.mark.parametrize("status", talkstack_data.STATUSES)
def test_every_status_reads_with_its_meaning_and_finality(
    sandbox: Sandbox, project: Project, agent: Client, status: str
) -> None:
    call = seeded(sandbox, status)
    code, content = page(agent, call.sid)
    final = status in talkstack_data.FINAL
    assert code == 200
    badge = f'class="badge {"final" if final else "live"} status-{status}"'
    assert badge in content
    assert ("(final)" in content) is final
    assert ("still in progress" in content) is not final
    assert ('hx-trigger="every' in content) is not final
    if not final:
        assert "Cost Not available yet" in text(content)


def test_silence_is_explained(sandbox: Sandbox, project: Project, agent: Client) -> None:
    _, content = page(agent, seeded(sandbox, "silence").sid)
    assert "silence the call was closed after more than 6 seconds of silence (final)" in text(
        content
    )


def test_markup_in_extracted_data_is_shown_as_text(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    call = next(c for c in talkstack_data.dataset(sandbox).history[ACME] if "agentNotes" in c.data)
    _, content = page(agent, call.sid)
    assert "<script>alert(1)</script>" not in content
    assert "<b>not bold</b>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;not bold&lt;/b&gt;" in content
    assert f"Agent notes {HTML_VALUE}" in text(content)


def test_a_sip_caller_is_shown_as_given(sandbox: Sandbox, project: Project, agent: Client) -> None:
    calls = talkstack_data.dataset(sandbox).history[ACME]
    call = next(c for c in calls if c.from_.startswith("sip:"))
    _, content = page(agent, call.sid)
    assert f"{call.from_} (SIP address)" in text(content)
    assert f'data-copy="{call.from_}"' in content


def test_ids_link_through_the_projects_url_templates(
    sandbox: Sandbox, make_project: MakeProject, alice: User, agent: Client
) -> None:
    templates = {
        "shift_url_template": "https://admin.example.com/shifts/{shiftId}",
        "partner_url_template": "javascript:alert('{partnerId}')",
    }
    make_project("talkstack", members=[alice], settings=templates)
    _, content = page(agent, EXAMPLE_SID)
    assert '<a href="https://admin.example.com/shifts/shift-id"' in content
    assert "javascript:" not in content


def test_a_call_without_recordings_says_so(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    _, content = page(agent, seeded(sandbox, "busy").sid)
    assert "This call has no recordings." in content
    assert "<audio" not in content


def test_a_call_with_two_recordings_has_two_players(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    call = next(c for c in talkstack_data.dataset(sandbox).history[ACME] if len(c.recordings) == 2)
    _, content = page(agent, call.sid)
    assert content.count("<audio") == 2
    assert f"/calls/{call.sid}/recordings/2/?project=talkstack-demo" in content


# Live calls and polling


def test_a_live_call_polls_its_status(sandbox: Sandbox, project: Project, agent: Client) -> None:
    sid = LIVE_SIDS[ACME][0]
    _, content = page(agent, sid)
    words = text(content)
    assert 'class="badge live status-queued"' in content
    assert f'hx-get="/calls/{sid}/status/?project=talkstack-demo"' in content
    assert 'hx-trigger="every 3s"' in content
    assert "Cost Not available yet" in words
    assert "Duration Not known yet" in words
    assert "Recordings appear here once the call has ended." in words


def test_the_status_fragment_follows_a_live_call_then_stops_polling(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    sid = LIVE_SIDS[ACME][0]
    url = f"/calls/{sid}/status/?project=talkstack-demo"
    sandbox.clock_offset = 10
    response = agent.get(url, headers=HX)
    content = response.content.decode()
    assert response.status_code == 200
    assert response["Vary"] and "HX-Request" in response["Vary"]
    assert 'class="badge live status-ringing"' in content
    assert 'hx-trigger="every 3s"' in content
    assert "<html" not in content and "call-details" not in content

    sandbox.clock_offset = 100
    response = agent.get(url, headers=HX)
    content = response.content.decode()
    assert response.status_code == 286
    assert 'class="badge final status-completed"' in content
    assert "hx-trigger" not in content
    # The rest of the page comes along, out of band: cost, duration, recordings, data.
    assert '<div id="call-details" hx-swap-oob="true">' in content
    words = text(content)
    assert "Duration 0:01:00" in words and "Cost 0.201 USD" in words
    assert f"/calls/{sid}/recordings/1/?project=talkstack-demo" in content
    assert "Employee go to work Yes" in words


def test_polls_are_remembered_but_not_audited(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    sid = LIVE_SIDS[ACME][1]
    agent.get(f"/calls/{sid}/status/?project=talkstack-demo", headers=HX)
    assert SeenCall.objects.get(sid=sid).status == "ringing"
    assert not AuditEvent.objects.exists()


def test_a_failed_refresh_keeps_the_status_and_keeps_polling(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    sandbox.faults.down = True
    response = agent.get(f"/calls/{LIVE_SIDS[ACME][0]}/status/?project=talkstack-demo", headers=HX)
    content = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    assert 'id="status-note"' in content and 'hx-swap-oob="true"' in content
    assert "Status not refreshed: TalkStack AI is having trouble (HTTP 503)." in text(content)


def stuck_call(sandbox: Sandbox, status: str = "in-progress") -> talkstack_data.SimCall:
    """The oldest call of the seeded history that TalkStack still says is live: days old."""
    live = set(LIVE_SIDS[ACME])
    calls = talkstack_data.dataset(sandbox).history[ACME]
    stuck = [c for c in calls if c.status == status and c.sid not in live]
    call = min(stuck, key=lambda c: c.start)
    assert sandbox.started - call.start > 24 * 3600
    return call


def test_a_live_call_shows_how_long_it_has_gone_on(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    # Answered 45 s before the simulator started: at least that old, never hours.
    _, content = page(agent, LIVE_SIDS[ACME][2])
    assert re.search(r"still in progress, for 0:0\d:\d\d", text(content))
    assert 'hx-trigger="every 3s"' in content and "has not finished" not in content


def test_a_call_live_for_hours_reads_as_stuck_and_asks_less_often_then_stops(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    call = stuck_call(sandbox)
    _, content = page(agent, call.sid)
    words = text(content)
    assert "TalkStack AI has not finished this call since" in words
    assert re.search(r"still in progress, for \d+ days \d+ h", words)
    assert "asks TalkStack AI less often: again in 30 s" in words
    assert 'hx-trigger="every 30s"' in content
    status = f"/calls/{call.sid}/status/?project=talkstack-demo"
    assert f'hx-get="{status}&amp;stale=1"' in content
    for step, seconds in [(1, 60), (2, 120), (3, 300)]:
        response = agent.get(f"{status}&stale={step}", headers=HX)
        fragment = response.content.decode()
        assert response.status_code == 200
        assert f'hx-trigger="every {seconds}s"' in fragment
        assert f'hx-get="{status}&amp;stale={step + 1}"' in fragment
    response = agent.get(f"{status}&stale=4", headers=HX)
    fragment = response.content.decode()
    assert response.status_code == 286  # htmx stops asking
    assert "hx-trigger" not in fragment
    assert "callviewer has stopped asking. Refresh" in text(fragment)
    assert f'<button type="button" class="small" hx-get="{status}"' in fragment


def test_refresh_on_a_stuck_call_asks_again_and_starts_the_slow_asks_over(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    call = stuck_call(sandbox, "queued")
    url = f"/calls/{call.sid}/status/?project=talkstack-demo"
    response = agent.get(url, headers=HX)  # the Refresh button's request: no `stale`
    assert response.status_code == 200
    assert 'hx-trigger="every 30s"' in response.content.decode()
    # A `stale` that is not a small count starts over too.
    response = agent.get(f"{url}&stale=99999999999999999999", headers=HX)
    assert 'hx-trigger="every 30s"' in response.content.decode()


@pytest.mark.parametrize("hours", [24 * 365 * 100, 0.001])
def test_the_age_of_a_stuck_call_is_a_setting(
    sandbox: Sandbox, project: Project, agent: Client, settings: Any, hours: float
) -> None:
    settings.LIVE_CALL_STALE_HOURS = hours
    _, content = page(agent, stuck_call(sandbox).sid)
    stuck = hours < 1
    assert ("has not finished this call since" in content) is stuck
    assert ('hx-trigger="every 30s"' if stuck else 'hx-trigger="every 3s"') in content


def test_the_status_fragment_outside_htmx_leads_to_the_page(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    response = agent.get(f"/calls/{EXAMPLE_SID}/status/?project=talkstack-demo")
    assert response.status_code == 302
    assert response["Location"] == f"/calls/{EXAMPLE_SID}/?project=talkstack-demo"


# SignalWire

SIGNALWIRE = next(iter(accounts.SIGNALWIRE_PROJECTS))


def signalwire_call(sandbox: Sandbox, test: Any) -> signalwire_data.SimCall:
    live = set(signalwire_data.LIVE_CALL_SIDS)
    return next(
        c for c in signalwire_data.calls(sandbox, SIGNALWIRE) if c.sid not in live and test(c)
    )


@pytest.fixture
def signalwire(make_project: MakeProject, alice: User) -> Project:
    return make_project("signalwire", members=[alice])


@pytest.mark.parametrize(
    ("form", "test"),
    [
        ("number", lambda p: isinstance(p, float) and p > 0),
        ("negative number", lambda p: isinstance(p, float) and p < 0),
        ("numeric string", lambda p: isinstance(p, str) and not p.startswith("-")),
        ("negative string", lambda p: isinstance(p, str) and p.startswith("-")),
    ],
)
def test_a_signalwire_price_in_any_form_is_shown_as_the_charge(
    sandbox: Sandbox, signalwire: Project, agent: Client, form: str, test: Any
) -> None:
    call = signalwire_call(sandbox, lambda c: c.status == "completed" and test(c.price))
    _, content = page(agent, call.sid)
    charge = Decimal(str(call.price)).copy_abs()
    assert re.search(rf"Cost {charge.normalize():f}0* USD", text(content)), form


def test_a_signalwire_call_not_priced_yet_says_so(
    sandbox: Sandbox, signalwire: Project, agent: Client
) -> None:
    call = signalwire_call(sandbox, lambda c: c.status == "completed" and c.price is None)
    _, content = page(agent, call.sid)
    assert "Cost Not given by SignalWire" in text(content)


def test_a_signalwire_api_call_shows_direction_and_who_answered(
    sandbox: Sandbox, signalwire: Project, agent: Client
) -> None:
    call = signalwire_call(
        sandbox, lambda c: c.direction == "outbound-api" and c.answered_by == "machine"
    )
    _, content = page(agent, call.sid)
    words = text(content)
    assert "Direction Outbound (placed through the API)" in words
    assert "Answered by A machine (answering machine or voicemail)" in words


@pytest.mark.parametrize("mos_type", [str, float])
def test_signalwire_quality_figures_are_shown_in_words(
    sandbox: Sandbox, signalwire: Project, agent: Client, mos_type: type
) -> None:
    call = signalwire_call(
        sandbox, lambda c: isinstance(c.mos, mos_type) and c.rtt is not None and c.sip_result_code
    )
    _, content = page(agent, call.sid)
    words = text(content)
    assert call.rtt is not None and call.jitter is not None
    assert f"Audio quality (MOS) {call.mos} of 5" in words
    assert f"Round trip {call.rtt[0]} ms average, {call.rtt[1]} to {call.rtt[2]} ms" in words
    assert f"Jitter {call.jitter[0]} ms average" in words
    assert f"Packets lost {call.lost}" in words
    sip = sip_fact(str(call.sip_result_code))
    assert f"SIP result {sip.value} {sip.code}" in words
    assert "Call quality" in words and words.index("SIP result") < words.index("Call quality")


def test_a_signalwire_call_without_quality_figures_shows_none(
    sandbox: Sandbox, signalwire: Project, agent: Client
) -> None:
    call = signalwire_call(
        sandbox, lambda c: c.mos is None and c.rtt is None and not c.sip_result_code
    )
    _, content = page(agent, call.sid)
    assert "Call quality" not in content


@pytest.mark.parametrize("status", sorted(signalwire_data.FINAL))
def test_every_final_signalwire_status_reads_with_its_meaning(
    sandbox: Sandbox, signalwire: Project, agent: Client, status: str
) -> None:
    call = signalwire_call(sandbox, lambda c: c.status == status)
    code, content = page(agent, call.sid)
    assert code == 200
    assert f'class="badge final status-{status}"' in content and "(final)" in content


def test_a_signalwire_calls_recordings_are_listed_with_players(
    sandbox: Sandbox, signalwire: Project, agent: Client
) -> None:
    call = signalwire_call(sandbox, lambda c: len(c.recordings) >= 1)
    _, content = page(agent, call.sid)
    assert content.count("<audio") == len(call.recordings)
    assert f"/calls/{call.sid}/recordings/1/?project=signalwire-demo" in content
    assert sandbox.requests_to(f"/api/laml/2010-04-01/Accounts/{SIGNALWIRE}/Recordings")


def test_a_live_signalwire_call_polls_until_final(
    sandbox: Sandbox, signalwire: Project, agent: Client
) -> None:
    sid = signalwire_data.LIVE_CALL_SIDS[1]
    _, content = page(agent, sid)
    assert 'class="badge live status-queued"' in content
    url = f"/calls/{sid}/status/?project=signalwire-demo"
    sandbox.clock_offset = 20
    assert 'class="badge live status-ringing"' in agent.get(url, headers=HX).content.decode()
    sandbox.clock_offset = 50
    response = agent.get(url, headers=HX)
    assert response.status_code == 286
    assert "nobody answered" in text(response.content.decode())


# Sinch


def test_a_sinch_call_shows_result_reason_debit_and_rate(
    sandbox: Sandbox, make_project: MakeProject, alice: User, agent: Client
) -> None:
    make_project("sinch", members=[alice])
    call = next(
        c
        for c in sinch_data.dataset(sandbox).history[next(iter(accounts.SINCH_APPLICATIONS))]
        if c.result == "ANSWERED" and c.reason == "CALLEEHANGUP" and c.from_type == "Username"
    )
    code, content = page(agent, call.call_id)
    words = text(content)
    assert code == 200
    assert "Result Answered ANSWERED" in words
    assert "Reason The person called hung up CALLEEHANGUP" in words
    assert f"{call.from_endpoint} (username)" in words
    assert f"Cost {call.debit:.4f}".rstrip("0") in words
    assert f"{call.currency} Rate" in words and "per minute" in words
    assert "Sinch\u2019s API offers no recordings." in words
    assert "<audio" not in content


@pytest.mark.parametrize("kind", ["number", "Number", "did"])
def test_sinch_numbers_of_every_type_are_formatted(
    sandbox: Sandbox, make_project: MakeProject, alice: User, agent: Client, kind: str
) -> None:
    make_project("sinch", members=[alice])
    calls = sinch_data.dataset(sandbox).history[next(iter(accounts.SINCH_APPLICATIONS))]
    call = next(c for c in calls if c.to_type == kind)
    _, content = page(agent, call.call_id)
    assert f'data-copy="{call.to_endpoint}"' in content
    assert "+1 " in content  # the international format beside the national one


def test_a_live_sinch_call_polls_until_final(
    sandbox: Sandbox, make_project: MakeProject, alice: User, agent: Client
) -> None:
    make_project("sinch", members=[alice])
    sid = sinch_data.LIVE_CALL_IDS[1]
    _, content = page(agent, sid)
    assert 'class="badge live' in content and 'hx-trigger="every 3s"' in content
    sandbox.clock_offset = 40
    response = agent.get(f"/calls/{sid}/status/?project=sinch-demo", headers=HX)
    assert response.status_code == 286
    assert "nobody answered" in text(response.content.decode())


def test_a_failed_sinch_call_says_why_beside_its_status(
    sandbox: Sandbox, make_project: MakeProject, alice: User, agent: Client
) -> None:
    make_project("sinch", members=[alice])
    calls = sinch_data.dataset(sandbox).history[next(iter(accounts.SINCH_APPLICATIONS))]
    call = next(c for c in calls if c.status == "FINAL" and c.result == "BUSY")
    _, content = page(agent, call.call_id)
    status = content[content.index('id="call-status"') : content.index('id="status-note"')]
    assert "Result The line was busy BUSY" in text(status)


# Ticket-ready pages


def ticket(content: str) -> list[str]:
    """The lines the Copy for ticket button copies."""
    match = re.search(r'<template id="ticket-text">(.*?)</template>', content, re.S)
    assert match is not None
    return html.unescape(match.group(1)).splitlines()


def test_copy_for_ticket_copies_a_summary_in_the_agents_zone(
    sandbox: Sandbox, project: Project, agent: Client, alice: User
) -> None:
    in_zone(alice, "Europe/Berlin")
    _, content = page(agent, EXAMPLE_SID)
    assert 'data-copy-from="ticket-text"' in content and ">Copy for ticket</button>" in content
    assert ticket(content) == [
        f"Call {EXAMPLE_SID} (TalkStack AI, project Talkstack Demo)",
        "Started: Tue 30 Jan 2024, 14:39:53 CET (Europe/Berlin)",
        "From: (415) 214-8508 (+14152148508)",
        "To: (206) 809-1239 (+12068091239)",
        "Status: completed (the call was answered and has ended normally)",
        "TalkStack AI status: Final: the call ended normally (completed)",
        "Duration: 0:00:23",
        "Cost: 0.077 USD",
        f"Link: http://testserver/calls/{EXAMPLE_SID}/?project=talkstack-demo",
    ]


def test_the_ticket_summary_follows_a_live_call(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    sid = LIVE_SIDS[ACME][0]
    assert "Status: queued" in "\n".join(ticket(page(agent, sid)[1]))
    sandbox.clock_offset = 100
    response = agent.get(f"/calls/{sid}/status/?project=talkstack-demo", headers=HX)
    lines = ticket(response.content.decode())
    assert "Status: completed (the call was answered and has ended normally)" in lines
    assert "Duration: 0:01:00" in lines and "Cost: 0.201 USD" in lines


def other_calls(client: Client, content: str) -> tuple[int, str]:
    """The "Other calls with this number" card the page loads after itself."""
    match = re.search(r'id="other-calls"[^>]* hx-get="([^"]+)" hx-trigger="load"', content)
    assert match is not None, "the page has no lazy Other calls card"
    response = client.get(html.unescape(match.group(1)), headers=HX)
    return response.status_code, response.content.decode()


def test_other_calls_with_the_caller_load_after_the_page_with_a_link_to_the_search(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    _, content = page(agent, EXAMPLE_SID)
    assert "Looking for other calls" in content
    code, card = other_calls(agent, content)
    caller = "+14152148508"
    others = [
        c
        for c in talkstack_data.dataset(sandbox).history[ACME]
        if caller in (c.from_, c.to) and c.sid != EXAMPLE_SID
    ]
    assert code == 200 and others
    links_ = re.findall(r'href="/calls/(CA[0-9a-f]{32})/\?project=talkstack-demo"', card)
    assert len(links_) == min(5, len(others)) and EXAMPLE_SID not in links_
    newest = sorted(others, key=lambda c: -c.start)[: len(links_)]
    assert links_ == [c.sid for c in newest]
    assert 'href="/calls/?project=talkstack-demo&amp;number=%2B14152148508"' in card
    assert "All calls with (415) 214-8508 in Talkstack Demo" in text(card)
    assert sandbox.requests_to("/call/get-call-history")


def test_other_calls_of_a_call_not_yet_written_to_the_calls_seen_ask_the_provider(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    """The page writes the call it showed after its response: the card may come first."""
    _, content = page(agent, EXAMPLE_SID)
    SeenCall.objects.filter(sid=EXAMPLE_SID).delete()
    code, card = other_calls(agent, content)
    assert code == 200
    assert "All calls with (415) 214-8508 in Talkstack Demo" in text(card)


def test_other_calls_of_a_sinch_call_come_from_the_calls_already_seen(
    sandbox: Sandbox, make_project: MakeProject, alice: User, agent: Client
) -> None:
    project = make_project("sinch", members=[alice])
    calls = sinch_data.dataset(sandbox).history[next(iter(accounts.SINCH_APPLICATIONS))]
    call = next(c for c in calls if c.to_type == "number" and c.to_endpoint.startswith("+"))
    SeenCall.objects.create(project=project, sid="ab" * 16, to_number=call.to_endpoint)
    _, content = page(agent, call.call_id)
    code, card = other_calls(agent, content)
    assert code == 200
    assert "Sinch keeps no call history" in text(card)
    assert f'href="/calls/{"ab" * 16}/?project=sinch-demo"' in card


def test_other_calls_of_another_agents_project_are_a_404(
    sandbox: Sandbox, make_project: MakeProject, alice: User, bob: User, agent: Client
) -> None:
    make_project("talkstack", "theirs", members=[bob])
    mine = make_project("talkstack", members=[alice])
    SeenCall.objects.create(project=mine, sid=EXAMPLE_SID, from_number="+14152148508")
    url = f"/calls/{EXAMPLE_SID}/other-calls/?project=theirs&side=from"
    response = agent.get(url, headers=HX)
    assert response.status_code == 404
    assert not sandbox.requests_to("/call/get-call-history")
    # Outside HTMX it is the call's page that answers.
    response = agent.get(f"/calls/{EXAMPLE_SID}/other-calls/?project=talkstack-demo")
    assert response.status_code == 302
    assert response["Location"] == f"/calls/{EXAMPLE_SID}/?project=talkstack-demo"


def test_other_calls_when_the_provider_fails_say_so_with_a_retry(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    _, content = page(agent, EXAMPLE_SID)
    sandbox.faults.down = True
    code, card = other_calls(agent, content)
    assert code == 502
    assert "TalkStack AI is having trouble" in text(card) and ">Retry</button>" in card


def test_a_call_with_a_sip_party_offers_no_other_calls(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    calls = talkstack_data.dataset(sandbox).history[ACME]
    call = next(c for c in calls if c.from_.startswith("sip:"))
    _, content = page(agent, call.sid)
    assert 'id="other-calls"' not in content


def test_a_signalwire_leg_links_its_parent_and_the_parent_its_legs(
    sandbox: Sandbox, signalwire: Project, agent: Client
) -> None:
    calls = signalwire_data.calls(sandbox, SIGNALWIRE)
    leg = next(c for c in calls if c.parent_call_sid)
    _, content = page(agent, leg.sid)
    assert f'href="/calls/{leg.parent_call_sid}/?project=signalwire-demo"' in content
    assert "Part of the parent call" in text(content)
    _, content = page(agent, str(leg.parent_call_sid))
    assert f'href="/calls/{leg.sid}/?project=signalwire-demo"' in content
    assert "Legs of this call" in text(content) and "Dialled" in text(content)
    asked = sandbox.requests_to(f"/api/laml/2010-04-01/Accounts/{SIGNALWIRE}/Calls.json")
    assert [r.query["ParentCallSid"] for r in asked] == [[leg.sid], [leg.parent_call_sid]]


def test_a_signalwire_call_without_legs_shows_no_legs(
    sandbox: Sandbox, signalwire: Project, agent: Client
) -> None:
    calls = signalwire_data.calls(sandbox, SIGNALWIRE)
    parents = {c.parent_call_sid for c in calls}
    call = next(c for c in calls if not c.parent_call_sid and c.sid not in parents)
    _, content = page(agent, call.sid)
    assert "Legs of this call" not in content


def test_a_live_call_asks_for_no_legs_until_it_ends(
    sandbox: Sandbox, signalwire: Project, agent: Client
) -> None:
    sid = signalwire_data.LIVE_CALL_SIDS[1]
    page(agent, sid)
    before = len(sandbox.requests_to(f"/api/laml/2010-04-01/Accounts/{SIGNALWIRE}/Calls.json"))
    sandbox.clock_offset = 20
    agent.get(f"/calls/{sid}/status/?project=signalwire-demo", headers=HX)
    after = len(sandbox.requests_to(f"/api/laml/2010-04-01/Accounts/{SIGNALWIRE}/Calls.json"))
    assert after == before  # polling asks only for the call


# Link resolution and access


def test_a_link_without_project_finds_the_call(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    status, _ = page(agent, EXAMPLE_SID)
    assert status == 200
    assert SeenCall.objects.filter(project=project, sid=EXAMPLE_SID).exists()


def test_a_call_in_several_projects_gets_a_chooser(
    sandbox: Sandbox, project: Project, make_project: MakeProject, alice: User, agent: Client
) -> None:
    make_project("talkstack", "talkstack-twin", members=[alice])
    status, content = page(agent, EXAMPLE_SID)
    assert status == 200
    assert "is in 2 of your projects" in text(content)
    assert f'href="/calls/{EXAMPLE_SID}/?project=talkstack-demo"' in content
    assert f'href="/calls/{EXAMPLE_SID}/?project=talkstack-twin"' in content
    assert not AuditEvent.objects.exists()


def test_an_unknown_call_is_a_404_with_a_search_box(
    sandbox: Sandbox, project: Project, make_project: MakeProject, alice: User, agent: Client
) -> None:
    make_project("sinch", members=[alice])
    status, content = page(agent, UNKNOWN_SID)
    assert status == 404
    assert f"No call {UNKNOWN_SID} in your 2 projects" in text(content)
    assert '<form method="get" action="/calls/"' in content
    assert 'name="sid"' in content


def test_an_unknown_call_says_what_each_providers_call_ids_look_like(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    _, content = page(agent, UNKNOWN_SID)
    assert "A TalkStack AI call SID is CA and 32 hexadecimal characters" in text(content)
    assert "a SignalWire one a UUID, a Sinch one 32 hexadecimal characters." in text(content)


def test_a_call_not_in_the_pinned_project_offers_all_projects(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    status, content = page(agent, UNKNOWN_SID, "?project=talkstack-demo")
    assert status == 404
    assert f"No call {UNKNOWN_SID} in Talkstack Demo" in text(content)
    assert f'href="/calls/{UNKNOWN_SID}/"' in content


def test_a_sid_with_markup_is_escaped_on_the_404(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    status, content = page(agent, "<img src=x onerror=alert(1)>")
    assert status == 404
    assert "<img src=x" not in content


def test_another_agents_call_is_a_404_everywhere(
    sandbox: Sandbox, project: Project, bob: User, client: Client, make_project: MakeProject
) -> None:
    make_project("talkstack", "bobs", members=[bob], settings={"project_id": GLOBEX},
                 secrets={"api_key": accounts.TALKSTACK_PROJECTS[GLOBEX]})  # fmt: skip
    client.force_login(bob)
    for query in ("", "?project=talkstack-demo", "?project=bobs"):
        assert page(client, EXAMPLE_SID, query)[0] == 404
        response = client.get(f"/calls/{EXAMPLE_SID}/status/{query}", headers=HX)
        assert response.status_code == 404
    assert not AuditEvent.objects.exists()


def test_a_signed_out_agent_is_sent_to_sign_in_and_back(
    sandbox: Sandbox, project: Project, client: Client
) -> None:
    response = client.get(f"/calls/{EXAMPLE_SID}/?project=talkstack-demo")
    assert response.status_code == 302
    assert response["Location"] == (
        f"/accounts/login/?next=/calls/{EXAMPLE_SID}/%3Fproject%3Dtalkstack-demo"
    )
    response = client.post(
        "/accounts/login/",
        {
            "username": "alice",
            "password": "alice-password-1",
            "next": f"/calls/{EXAMPLE_SID}/?project=talkstack-demo",
        },
    )
    assert response["Location"] == f"/calls/{EXAMPLE_SID}/?project=talkstack-demo"


def test_the_page_answers_only_reads(sandbox: Sandbox, project: Project, agent: Client) -> None:
    assert agent.post(f"/calls/{EXAMPLE_SID}/").status_code == 405


# Failing providers


def test_a_provider_that_is_down_is_named_with_a_retry(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    sandbox.faults.down = True
    status, content = page(agent, EXAMPLE_SID)
    assert status == 502
    assert (
        "TalkStack AI (project Talkstack Demo): TalkStack AI is having trouble (HTTP 503)"
        in text(content)
    )
    assert f'href="/calls/{EXAMPLE_SID}/">Retry</a>' in content


def test_a_provider_that_times_out_gets_504(
    sandbox: Sandbox, project: Project, agent: Client, settings: Any
) -> None:
    settings.PROVIDER_READ_TIMEOUT = 0.3
    sandbox.faults.timeout_sids = {EXAMPLE_SID}
    sandbox.faults.hang_seconds = 1.0
    status, content = page(agent, EXAMPLE_SID, "?project=talkstack-demo")
    assert status == 504
    assert "TalkStack AI took too long to answer." in text(content)
    assert 'href="/calls/' in content and "Retry" in content


def test_a_rate_limited_provider_gets_503_with_retry_after(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    sandbox.faults.rate_limit_next = 5
    sandbox.faults.retry_after = "30"
    response = agent.get(f"/calls/{EXAMPLE_SID}/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "TalkStack AI is limiting requests." in text(response.content.decode())


def test_refused_credentials_are_named(
    sandbox: Sandbox, make_project: MakeProject, alice: User, agent: Client
) -> None:
    make_project("talkstack", members=[alice], secrets={"api_key": "f" * 64})
    status, content = page(agent, EXAMPLE_SID)
    assert status == 502
    assert "TalkStack AI refused the project's credentials" in text(content)
    assert "f" * 64 not in content


def test_a_recordings_list_failure_leaves_the_rest_of_the_page(
    sandbox: Sandbox, project: Project, agent: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from callviewer.providers.talkstack import TalkStack
    from callviewer.providers.types import ProviderUnavailable

    def down(self: TalkStack, call: Any) -> None:
        raise ProviderUnavailable("TalkStack AI", "TalkStack AI could not be reached.")

    monkeypatch.setattr(TalkStack, "list_recordings", down)
    status, content = page(agent, EXAMPLE_SID)
    assert status == 200
    assert "Could not list the recordings: TalkStack AI could not be reached." in text(content)
    assert "Cost 0.077 USD" in text(content)


# Audit and the calls seen


def test_a_page_view_is_audited_and_remembered(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    page(agent, EXAMPLE_SID, REMOTE_ADDR="10.1.2.3")
    [event] = AuditEvent.objects.all()
    assert (event.action, event.username, event.project, event.call_sid, event.ip_address) == (
        "view_call",
        "alice",
        project,
        EXAMPLE_SID,
        "10.1.2.3",
    )
    seen = SeenCall.objects.get(sid=EXAMPLE_SID)
    assert (seen.project, seen.status, seen.duration) == (project, "completed", 23)


@pytest.mark.parametrize("query", ["", "?project=talkstack-demo"])
def test_a_call_already_seen_costs_three_queries_the_user_the_projects_and_the_audit(
    sandbox: Sandbox,
    project: Project,
    agent: Client,
    query: str,
    django_assert_max_num_queries: Any,
) -> None:
    # The session comes from the cache; the calls seen are asked with the projects, and the
    # call, unchanged since it was first seen, is not written again.
    assert page(agent, EXAMPLE_SID, query)[0] == 200
    with django_assert_max_num_queries(3):
        assert page(agent, EXAMPLE_SID, query)[0] == 200
    assert AuditEvent.objects.filter(action="view_call").count() == 2  # each view is audited


def test_a_call_seen_again_with_a_new_summary_is_written_again(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    sid = LIVE_SIDS[ACME][0]
    sandbox.clock_offset = 10
    page(agent, sid)
    assert SeenCall.objects.get(sid=sid).status == "ringing"
    sandbox.clock_offset = 100
    page(agent, sid)
    assert SeenCall.objects.get(sid=sid).status == "completed"


@pytest.mark.django_db(transaction=True)
def test_the_page_waits_on_the_providers_without_a_database_connection(
    sandbox: Sandbox, make_project: MakeProject, alice: User, monkeypatch: Any
) -> None:
    from django.db import connection

    from callviewer.providers.talkstack import TalkStack

    if connection.vendor == "sqlite":
        pytest.skip("SQLite keeps its one connection in the suite (an in-memory database)")
    make_project("talkstack", members=[alice])
    held: list[bool] = []
    get_call, list_recordings = TalkStack.get_call, TalkStack.list_recordings

    def get_call_noting(self: TalkStack, sid: str) -> Any:
        held.append(connection.connection is not None)
        return get_call(self, sid)

    def list_recordings_noting(self: TalkStack, call: Any) -> Any:
        held.append(connection.connection is not None)
        return list_recordings(self, call)

    monkeypatch.setattr(TalkStack, "get_call", get_call_noting)
    monkeypatch.setattr(TalkStack, "list_recordings", list_recordings_noting)
    agent = Client()
    agent.force_login(alice)
    for _ in range(2):  # first seen, then seen again
        assert agent.get(f"/calls/{EXAMPLE_SID}/").status_code == 200
    assert held == [False, False, False, False]
    assert AuditEvent.objects.filter(action="view_call").count() == 2
