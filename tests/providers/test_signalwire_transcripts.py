"""SignalWire's recording transcriptions: read, paged, bounded, and only from the project."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest

from callviewer.providers.signalwire import SignalWire, parse_transcript
from callviewer.providers.types import Money, Recording, UnexpectedAnswer
from callviewer.sandbox import accounts, signalwire_data
from callviewer.sandbox.core import Sandbox
from callviewer.sandbox.signalwire_api import BASE

PROJECT, TOKEN = next(iter(accounts.SIGNALWIRE_PROJECTS.items()))
ACCOUNT = f"{BASE}/Accounts/{PROJECT}"


@pytest.fixture
def signalwire(sandbox: Sandbox) -> SignalWire:
    return SignalWire({"project_id": PROJECT, "base_url": sandbox.url}, {"api_token": TOKEN})


def recording_with(sandbox: Sandbox, *statuses: str) -> signalwire_data.SimRecording:
    """A seeded recording whose transcriptions have exactly these statuses."""
    for recording in signalwire_data.dataset(sandbox).recordings.values():
        if tuple(t.status for t in signalwire_data.transcripts_for(recording)) == statuses:
            return recording
    raise AssertionError(statuses)


def as_listed(recording: signalwire_data.SimRecording) -> Recording:
    return Recording(url=f"{ACCOUNT}/Recordings/{recording.sid}.json", sid=recording.sid)


@pytest.mark.parametrize("status", ["completed", "in-progress", "failed"])
def test_it_reads_each_status_with_its_text_and_cost(
    signalwire: SignalWire, sandbox: Sandbox, status: str
) -> None:
    recording = recording_with(sandbox, status)
    (simulated,) = signalwire_data.transcripts_for(recording)
    (transcript,) = signalwire.list_transcripts(as_listed(recording))
    assert transcript.sid == simulated.sid
    assert transcript.status == status
    assert transcript.duration == recording.duration
    if status == "completed":
        assert transcript.text == simulated.text
        assert transcript.cost == Money(abs(Decimal(str(simulated.price))), "USD")
    else:
        assert transcript.text == "" and transcript.cost is None
    (request,) = sandbox.requests_to(f"{ACCOUNT}/Recordings/")
    assert request.path == f"{ACCOUNT}/Recordings/{recording.sid}/Transcriptions.json"


def test_a_recording_without_transcriptions_has_none(
    signalwire: SignalWire, sandbox: Sandbox
) -> None:
    assert signalwire.list_transcripts(as_listed(recording_with(sandbox))) == []


def test_it_follows_next_page_uri(signalwire: SignalWire, sandbox: Sandbox) -> None:
    sandbox.options["signalwire_transcript_page_size"] = 1
    recording = recording_with(sandbox, "completed", "failed")
    listed = signalwire.list_transcripts(as_listed(recording))
    assert [t.status for t in listed] == ["completed", "failed"]
    assert len(sandbox.requests_to(f"{ACCOUNT}/Recordings/")) == 2


def test_a_next_page_on_another_host_is_refused(signalwire: SignalWire, sandbox: Sandbox) -> None:
    sandbox.options |= {
        "signalwire_transcript_page_size": 1,
        "signalwire_next_host": "https://evil.example",
    }
    with pytest.raises(UnexpectedAnswer, match="does not fetch from"):
        signalwire.list_transcripts(as_listed(recording_with(sandbox, "completed", "failed")))


def test_endless_pages_are_read_a_bounded_number_of_times(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    sid = "6f1d3c2a-8e4b-4c1d-9a77-2b3c4d5e6f70"
    resource = f"{ACCOUNT}/Recordings/{sid}/Transcriptions.json"

    def endless(request: httpx.Request) -> httpx.Response:
        n = len(seen)
        body = {"transcriptions": [{"sid": str(n), "status": "completed"}]}
        return httpx.Response(200, json=body | {"next_page_uri": f"{resource}?Page={n}"})

    seen = answer_with(endless)
    client = SignalWire({"project_id": PROJECT, "base_url": "https://sw.test"}, {"api_token": "t"})
    listed = client.list_transcripts(Recording(url="", sid=sid))
    assert len(listed) == len(seen) == SignalWire.MAX_TRANSCRIPT_PAGES


def test_a_recording_sid_that_is_not_signalwire_s_is_never_sent(
    signalwire: SignalWire, sandbox: Sandbox
) -> None:
    assert signalwire.list_transcripts(Recording(url="", sid="../Calls")) == []
    assert sandbox.requests_to(BASE) == []


@pytest.mark.parametrize(
    ("raw", "status"),
    [("in-progress", "in-progress"), ("In Progress", "in-progress"), ("COMPLETED", "completed"),
     ("failed", "failed"), ("absent", "unknown"), (None, "unknown")],
)  # fmt: skip
def test_statuses_are_read_in_any_spelling(raw: object, status: str) -> None:
    assert parse_transcript({"status": raw}).status == status


def test_odd_fields_become_empty_not_errors() -> None:
    transcript = parse_transcript(
        {"sid": 5, "transcription_text": {"x": 1}, "duration": "-3", "price": "1e400"}
    )
    assert (transcript.sid, transcript.text, transcript.duration, transcript.cost) == (
        "5",
        "",
        None,
        None,
    )
    assert transcript.meaning == "the provider gave a status callviewer does not know"


def test_a_transcription_without_a_status_but_with_its_text_is_completed() -> None:
    transcript = parse_transcript({"sid": "TR1", "transcription_text": "Hello"})

    assert transcript.status == "completed"
    assert transcript.text == "Hello"


def test_a_transcription_without_a_status_or_text_is_of_unknown_status() -> None:
    assert parse_transcript({"sid": "TR1", "transcription_text": None}).status == "unknown"


def offline_client() -> SignalWire:
    return SignalWire({"project_id": PROJECT, "base_url": "https://sw.test"}, {"api_token": "t"})


def test_a_404_on_a_listed_recordings_transcriptions_is_none(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    answer_with(lambda r: httpx.Response(404, json={"code": 20404, "message": "Not found"}))
    sid = "6f1d3c2a-8e4b-4c1d-9a77-2b3c4d5e6f70"

    assert offline_client().list_transcripts(Recording(url="", sid=sid.upper())) == []


def test_a_transcription_with_null_text_under_transcriptions_is_listed_without_text(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    item = {"sid": "TR1", "status": "in-progress", "transcription_text": None, "price": None}
    body = {"transcriptions": [item], "page_size": 50}  # no next_page_uri at all
    answer_with(lambda r: httpx.Response(200, json=body))
    sid = "6f1d3c2a-8e4b-4c1d-9a77-2b3c4d5e6f70"

    (transcript,) = offline_client().list_transcripts(Recording(url="", sid=sid))

    assert (transcript.status, transcript.text, transcript.cost) == ("in-progress", "", None)
