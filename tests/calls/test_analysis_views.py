"""What was said: the analysis card, the ask box and the transcripts, through the views."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import httpx
import pytest
from django.contrib.auth.models import User
from django.test import Client

from callviewer.calls.models import AuditEvent, CallAnalysis
from callviewer.projects.models import Project
from callviewer.providers import http
from callviewer.sandbox import signalwire_data, talkstack_analysis, talkstack_data
from callviewer.sandbox.accounts import SIGNALWIRE_PROJECTS
from callviewer.sandbox.core import Sandbox
from callviewer.sandbox.talkstack_data import HTML_VALUE, LIVE_SIDS

pytestmark = pytest.mark.django_db

ACME = "ts-proj-acme-0001"
HX = {"HX-Request": "true"}
QUESTIONS: list[dict[str, Any]] = [
    {"question": "Did the caller want to cancel the shift?", "type": "Boolean"},
    {"question": "Why?", "type": "Text"},
    {"question": "Reason", "type": "Selector", "options": ["Sick", "Family", "Transport"]},
]
MakeProject = Any


@pytest.fixture
def project(make_project: MakeProject, alice: User, bob: User) -> Project:
    made: Project = make_project("talkstack", members=[alice, bob])
    made.questions = QUESTIONS
    made.save()
    return made


@pytest.fixture
def other_agent(bob: User) -> Client:
    client = Client()
    client.force_login(bob)
    return client


def completed(sandbox: Sandbox, n: int = 0) -> talkstack_data.SimCall:
    calls = talkstack_data.dataset(sandbox).history[ACME]
    return [c for c in calls if c.status == "completed"][n]


def text(content: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def card(client: Client, sid: str, slug: str = "talkstack-demo") -> tuple[int, str]:
    response = client.get(f"/calls/{sid}/analysis/?project={slug}", headers=HX)
    return response.status_code, response.content.decode()


def ask(client: Client, sid: str, slug: str = "talkstack-demo", **data: str) -> Any:
    form = {"question": "Did the caller sound upset?", "answer_type": "Boolean"} | data
    return client.post(f"/calls/{sid}/ask/?project={slug}", form, headers=HX)


def analyses(sandbox: Sandbox) -> int:
    return len(sandbox.requests_to("/call/analysis"))


# The card


def test_the_call_page_asks_nothing_and_loads_the_card_after_it_is_shown(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    sid = completed(sandbox).sid
    content = agent.get(f"/calls/{sid}/?project=talkstack-demo").content.decode()
    assert f'hx-get="/calls/{sid}/analysis/?project=talkstack-demo" hx-trigger="load"' in content
    assert "Loading what was said" in content
    assert analyses(sandbox) == 0


def test_the_card_shows_each_answer_with_the_summary_and_sentiment(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    call = completed(sandbox)
    status, content = card(agent, call.sid)
    words = text(content)
    assert status == 200
    assert "<html" not in content
    for q in QUESTIONS:
        answer = talkstack_analysis.answer(call, q)
        assert f"{q['question']} {answer}" in words
    assert f"Summary: {talkstack_analysis.summary(call)}" in words
    assert f"Sentiment: {talkstack_analysis.sentiment(call)}" in words
    (request,) = sandbox.requests_to("/call/analysis")
    assert json.loads(request.body) == {"sid": call.sid, "questions": QUESTIONS}


def test_the_kept_answers_are_shown_again_without_asking(
    sandbox: Sandbox, project: Project, agent: Client, other_agent: Client
) -> None:
    call = completed(sandbox)
    first = text(card(agent, call.sid)[1])
    again = text(card(other_agent, call.sid)[1])
    assert first == again
    assert analyses(sandbox) == 1
    assert CallAnalysis.objects.get().answered


def test_changed_questions_ask_again(sandbox: Sandbox, project: Project, agent: Client) -> None:
    sid = completed(sandbox).sid
    card(agent, sid)
    project.questions = [*QUESTIONS, {"question": "How many minutes late?", "type": "Number"}]
    project.save()
    status, content = card(agent, sid)
    assert status == 200 and "How many minutes late?" in content
    assert analyses(sandbox) == 2
    card(agent, sid)
    assert analyses(sandbox) == 2


def test_a_live_call_says_available_when_it_ends_and_asks_nothing(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    sid = LIVE_SIDS[ACME][0]
    sandbox.clock_offset = 30  # in progress
    status, content = card(agent, sid)
    assert status == 200
    assert "What was said is available when the call ends." in text(content)
    assert 'hx-trigger="call-ended from:body"' in content
    assert "<form" not in content
    assert analyses(sandbox) == 0
    response = ask(agent, sid)
    assert response.status_code == 409
    assert "Questions can be asked when the call ends." in text(response.content.decode())
    assert analyses(sandbox) == 0


def test_the_status_fragment_tells_the_card_when_the_call_ends(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    sid = LIVE_SIDS[ACME][0]
    sandbox.clock_offset = 100
    response = agent.get(f"/calls/{sid}/status/?project=talkstack-demo", headers=HX)
    assert response.status_code == 286
    assert "call-ended" in json.loads(response["HX-Trigger"])


def test_a_project_without_questions_asks_nothing_by_itself(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    project.questions = []
    project.save()
    status, content = card(agent, completed(sandbox).sid)
    assert status == 200
    assert "This project has no standard questions" in text(content)
    assert "Ask TalkStack AI" in text(content)
    assert analyses(sandbox) == 0


@pytest.mark.parametrize("view", ["analysis/", "recordings/1/transcripts/"])
def test_a_call_outside_the_agent_s_projects_is_404_like_a_missing_one(
    sandbox: Sandbox, make_project: MakeProject, agent: Client, view: str
) -> None:
    make_project("talkstack", "not-alices")
    sid = completed(sandbox).sid
    response = agent.get(f"/calls/{sid}/{view}?project=not-alices", headers=HX)
    assert response.status_code == 404
    assert f"No call {sid} in your projects." in text(response.content.decode())
    assert ask(agent, sid, "not-alices").status_code == 404
    assert analyses(sandbox) == 0
    assert not CallAnalysis.objects.exists()


def test_the_card_is_no_page_of_its_own(sandbox: Sandbox, project: Project, agent: Client) -> None:
    sid = completed(sandbox).sid
    response = agent.get(f"/calls/{sid}/analysis/?project=talkstack-demo")
    assert response.status_code == 302
    assert response["Location"] == f"/calls/{sid}/?project=talkstack-demo"


# Only the analysis carries the questions: the card's own lookup of the call still works.
ANALYSIS_ONLY = str(QUESTIONS[0]["question"])


@pytest.mark.parametrize(
    ("fault", "status", "words"),
    [
        ("fail", 502, "TalkStack AI is having trouble (HTTP 503). Try again shortly."),
        ("timeout", 504, "TalkStack AI took too long to answer."),
    ],
)
def test_a_failing_analysis_says_so_in_words_and_keeps_nothing(
    sandbox: Sandbox,
    project: Project,
    agent: Client,
    settings: Any,
    fault: str,
    status: int,
    words: str,
) -> None:
    if fault == "fail":
        sandbox.faults.fail_sids[ANALYSIS_ONLY] = 503
    else:
        settings.PROVIDER_READ_TIMEOUT = 0.3
        sandbox.faults.timeout_sids.add(ANALYSIS_ONLY)
        sandbox.faults.hang_seconds = 1.5
    got, content = card(agent, completed(sandbox).sid)
    assert got == status
    assert words in text(content)
    assert "Try again" in content
    assert not CallAnalysis.objects.exists()
    audit = AuditEvent.objects.get(action=AuditEvent.Action.ANALYSE_CALL)
    assert audit.detail.startswith("failed: ")


def test_after_a_failure_trying_again_asks_again(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    call = completed(sandbox)
    sandbox.faults.fail_sids[ANALYSIS_ONLY] = 500
    assert card(agent, call.sid)[0] == 502
    sandbox.faults.fail_sids.clear()
    assert card(agent, call.sid)[0] == 200
    assert CallAnalysis.objects.get().answered


@pytest.mark.parametrize("shape", ["unknown", "text"])
def test_an_answer_of_unknown_shape_is_shown_as_sent_in_a_collapsed_block(
    sandbox: Sandbox, project: Project, agent: Client, shape: str
) -> None:
    sandbox.options["talkstack_analysis_shape"] = shape
    status, content = card(agent, completed(sandbox).sid)
    assert status == 200
    assert "answered in a shape callviewer cannot read" in content
    assert '<details class="raw-answer">' in content
    assert ("&quot;count&quot;: 3" if shape == "unknown" else "Summary: ") in content


def test_hostile_answers_are_escaped(sandbox: Sandbox, project: Project, agent: Client) -> None:
    sandbox.options["talkstack_analysis_shape"] = "hostile"
    sid = completed(sandbox).sid
    status, content = card(agent, sid)
    assert status == 200
    assert HTML_VALUE not in content and "<script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;not bold&lt;/b&gt;" in content
    response = ask(agent, sid, question="<b>bold?</b>")
    assert "<b>bold?</b>" not in response.content.decode()
    assert "&lt;b&gt;bold?&lt;/b&gt;" in response.content.decode()


def test_a_page_load_while_another_is_asking_asks_nothing_and_looks_again(
    sandbox: Sandbox, project: Project, agent: Client, bob: User
) -> None:
    from callviewer.calls import analysis

    sid = completed(sandbox).sid
    row, mine = analysis.claim(
        project, sid, analysis.Kind.STANDARD, project.standard_questions(), bob
    )
    assert mine and not row.answered
    status, content = card(agent, sid)
    assert status == 200
    assert "The answers are being prepared" in content
    assert 'hx-trigger="load delay:2s"' in content
    assert analyses(sandbox) == 0


# Ask about this call


def test_an_asked_question_is_answered_kept_and_shown_to_the_next_agent(
    sandbox: Sandbox, project: Project, agent: Client, other_agent: Client
) -> None:
    call = completed(sandbox)
    response = ask(agent, call.sid, question="Reason?", answer_type="Selector", options="A\nB\n")
    assert response.status_code == 200
    expected = talkstack_analysis.answer(
        call, {"question": "Reason?", "type": "Selector", "options": ["A", "B"]}
    )
    words = text(response.content.decode())
    assert f"Reason? (Selector) {expected} Asked by alice" in words
    (request,) = sandbox.requests_to("/call/analysis")
    assert json.loads(request.body)["questions"] == [
        {"question": "Reason?", "type": "Selector", "options": ["A", "B"]}
    ]
    later = text(card(other_agent, call.sid)[1])
    assert f"Reason? (Selector) {expected} Asked by alice" in later


def test_the_same_question_again_is_answered_from_what_was_kept(
    sandbox: Sandbox, project: Project, agent: Client, other_agent: Client
) -> None:
    sid = completed(sandbox).sid
    ask(agent, sid)
    response = ask(other_agent, sid)
    assert response.status_code == 200
    assert "its kept answer is above, and nothing was spent" in text(response.content.decode())
    assert len(sandbox.requests_to("/call/analysis")) == 1


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"question": "   "}, "This field is required."),
        ({"question": "x" * 301}, "at most 300 characters"),
        ({"answer_type": "Selector"}, "A Selector question needs its options"),
        ({"options": "a\nb"}, "Only a Selector question has options."),
        ({"answer_type": "Essay"}, "Select a valid choice."),
    ],
)
def test_a_bad_question_is_refused_in_words(
    sandbox: Sandbox, project: Project, agent: Client, data: dict[str, str], words: str
) -> None:
    response = ask(agent, completed(sandbox).sid, **data)
    assert response.status_code == 400
    assert words in text(response.content.decode())
    assert analyses(sandbox) == 0


def test_questions_are_limited_per_agent_with_retry_after(
    sandbox: Sandbox, project: Project, agent: Client, other_agent: Client, settings: Any
) -> None:
    settings.ASK_RATE_PER_AGENT = 2
    sid = completed(sandbox).sid
    assert ask(agent, sid, question="One?").status_code == 200
    assert ask(agent, sid, question="Two?").status_code == 200
    assert ask(agent, sid, question="One?").status_code == 200  # kept: nothing spent
    refused = ask(agent, sid, question="Three?")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "2 questions an hour is the most you may ask" in text(refused.content.decode())
    assert ask(other_agent, sid, question="Three?").status_code == 200
    assert analyses(sandbox) == 3


def test_questions_are_limited_per_project(
    sandbox: Sandbox, project: Project, agent: Client, other_agent: Client, settings: Any
) -> None:
    settings.ASK_RATE_PER_PROJECT = 1
    sid = completed(sandbox).sid
    assert ask(agent, sid, question="One?").status_code == 200
    refused = ask(other_agent, sid, question="Two?")
    assert refused.status_code == 429
    assert "the most this project's agents together may ask" in text(refused.content.decode())


def test_every_question_is_audited_by_type_and_length_never_its_text(
    sandbox: Sandbox, project: Project, agent: Client, settings: Any
) -> None:
    settings.ASK_RATE_PER_AGENT = 1
    sid = completed(sandbox).sid
    ask(agent, sid, question="Did Jane Doe at +14155550123 call?")
    ask(agent, sid, question="Did Jane Doe at +14155550123 call?")
    ask(agent, sid, question="Another?")
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ASK_QUESTION).order_by("pk")
    assert [(e.username, e.call_sid, e.detail) for e in events] == [
        ("alice", sid, "Boolean question of 34 characters: answered"),
        ("alice", sid, "Boolean question of 34 characters: kept"),
        ("alice", sid, "Boolean question of 8 characters: refused: agent limit"),
    ]


def test_a_failing_question_says_so_and_can_be_asked_again(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    sid = completed(sandbox).sid
    sandbox.faults.fail_sids["Fails?"] = 503
    response = ask(agent, sid, question="Fails?")
    assert response.status_code == 502
    assert "TalkStack AI is having trouble" in text(response.content.decode())
    assert 'value="Fails?"' in response.content.decode()  # what was typed stays
    sandbox.faults.fail_sids.clear()
    assert ask(agent, sid, question="Fails?").status_code == 200


# SignalWire transcripts


@pytest.fixture
def signalwire(make_project: MakeProject, alice: User) -> Project:
    made: Project = make_project("signalwire", members=[alice])
    return made


def call_with_transcripts(sandbox: Sandbox, *statuses: str) -> tuple[str, int]:
    """A seeded call and the number of its recording whose transcripts have these statuses."""
    for call in signalwire_data.dataset(sandbox).history[next(iter(SIGNALWIRE_PROJECTS))]:
        for n, recording in enumerate(call.recordings, start=1):
            found = tuple(t.status for t in signalwire_data.transcripts_for(recording))
            if found == statuses:
                return call.sid, n
    raise AssertionError(statuses)


def transcripts(client: Client, sid: str, n: int) -> tuple[int, str]:
    url = f"/calls/{sid}/recordings/{n}/transcripts/?project=signalwire-demo"
    response = client.get(url, headers=HX)
    return response.status_code, response.content.decode()


def test_each_recording_s_player_loads_its_transcripts(
    sandbox: Sandbox, signalwire: Project, agent: Client
) -> None:
    sid, n = call_with_transcripts(sandbox, "completed")
    content = agent.get(f"/calls/{sid}/?project=signalwire-demo").content.decode()
    url = f"/calls/{sid}/recordings/{n}/transcripts/?project=signalwire-demo"
    assert f'hx-get="{url}" hx-trigger="load"' in content
    assert "analysis/" not in content  # SignalWire offers no call analysis


def test_a_completed_transcript_shows_its_text_status_and_cost(
    sandbox: Sandbox, signalwire: Project, agent: Client
) -> None:
    sid, n = call_with_transcripts(sandbox, "completed")
    call = signalwire_data.find(sandbox, sid)
    assert call is not None
    (simulated,) = signalwire_data.transcripts_for(call.recordings[n - 1])
    status, content = transcripts(agent, sid, n)
    words = text(content)
    assert status == 200
    assert f"Transcribed · cost {str(simulated.price).lstrip('-')} USD" in words
    assert html.escape(simulated.text or "") in content


@pytest.mark.parametrize(
    ("statuses", "words"),
    [
        (
            ("in-progress",),
            "Being transcribed The text appears here once the transcription is done.",
        ),
        (("failed",), "The transcription failed No text: the transcription failed."),
        ((), "This recording has no transcript."),
    ],
)
def test_other_transcripts_say_what_became_of_them(
    sandbox: Sandbox, signalwire: Project, agent: Client, statuses: tuple[str, ...], words: str
) -> None:
    sid, n = call_with_transcripts(sandbox, *statuses)
    status, content = transcripts(agent, sid, n)
    assert status == 200
    assert words in text(content)


def test_a_failing_transcript_list_says_so_with_the_provider_s_status(
    sandbox: Sandbox, signalwire: Project, agent: Client
) -> None:
    sid, n = call_with_transcripts(sandbox, "completed")
    call = signalwire_data.find(sandbox, sid)
    assert call is not None
    sandbox.faults.fail_sids[f"{call.recordings[n - 1].sid}/Transcriptions"] = 503
    status, content = transcripts(agent, sid, n)
    assert status == 502
    assert "Could not load the transcript: SignalWire is having trouble" in text(content)


def test_a_recording_the_call_does_not_have_is_404(
    sandbox: Sandbox, signalwire: Project, agent: Client
) -> None:
    sid, _n = call_with_transcripts(sandbox, "completed")
    status, content = transcripts(agent, sid, 9)
    assert status == 404
    assert "has no recording 9" in text(content)


def test_a_provider_without_call_analysis_is_asked_nothing(
    sandbox: Sandbox, signalwire: Project, agent: Client
) -> None:
    sid, _n = call_with_transcripts(sandbox, "completed")
    response = ask(agent, sid, "signalwire-demo")
    assert response.status_code == 400
    assert "API cannot answer questions about a call." in text(response.content.decode())
    assert not CallAnalysis.objects.exists()


def test_a_provider_without_transcripts_says_so(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    sid = talkstack_data.EXAMPLE_SID
    response = agent.get(
        f"/calls/{sid}/recordings/1/transcripts/?project=talkstack-demo", headers=HX
    )
    assert response.status_code == 404
    assert "API offers no transcripts." in text(response.content.decode())


# Against another reading of the undocumented answer (a server built by someone else)


def other_server(analysis_status: int, analysis_body: Any) -> Any:
    """A TalkStack server that answers the call as seed 000 does and the analysis as given."""
    sid = "CA" + "5" * 32
    call = {"callSid": sid.upper(), "status": "completed", "date": 1706621993, "seconds": "23"}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/call/analysis":
            return httpx.Response(analysis_status, json=analysis_body)
        return httpx.Response(200, json={"status": "success", "data": call})

    return sid, http.override_transport(httpx.MockTransport(handler))


def test_answers_keyed_by_position_with_selectors_in_capitals_are_shown(
    project: Project, agent: Client
) -> None:
    sid, server = other_server(200, {"answers": {"0": True, "1": "Sick child", "2": "FAMILY"}})
    with server:
        status, content = card(agent, sid)

    assert status == 200
    words = text(content)
    assert "Did the caller want to cancel the shift? Yes" in words
    assert "Why? Sick child" in words
    assert "Reason Family" in words


def test_an_analysis_not_ready_yet_says_so_and_is_asked_again_next_time(
    project: Project, agent: Client
) -> None:
    sid, server = other_server(202, {"message": "Analysis started"})
    with server:
        status, content = card(agent, sid)

    assert status in (502, 503)  # the provider's failure, never a 500 (views map the kind)
    assert "not finished analysing" in text(content)
    assert not CallAnalysis.objects.filter(answered=True).exists()
