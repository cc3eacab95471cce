"""Any answer a provider can send gives a well-formed result or a ProviderError, nothing else.

Property tests: hypothesis makes up answers (arbitrary JSON, call-shaped objects, envelopes,
and raw bodies no JSON encoder writes) and every operation of each provider is run on them
at the HTTP seam.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callviewer.providers import values
from callviewer.providers.base import MediaSource, Provider
from callviewer.providers.signalwire import API_PATH, SignalWire
from callviewer.providers.sinch import Sinch
from callviewer.providers.talkstack import TalkStack
from callviewer.providers.types import (
    STATUSES,
    TRANSCRIPT_STATUSES,
    Analysis,
    Call,
    Endpoint,
    Money,
    ProviderError,
    Question,
    Recording,
    SearchPage,
    SearchQuery,
    Transcript,
    in_newest_first_order,
)
from callviewer.sandbox import accounts

SW_PROJECT, SW_TOKEN = next(iter(accounts.SIGNALWIRE_PROJECTS.items()))
SW_ACCOUNT = f"{API_PATH}/Accounts/{SW_PROJECT}"
TS_SID = "CA" + "1" * 32
SW_SID = "6f1d3c2a-8e4b-4c1d-9a77-2b3c4d5e6f70"
SINCH_ID = "ab" * 16

# Values no provider should send, and some it should, mixed into every answer.
HOSTILE_TEXT = [
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "+14155550123",
    "9" * 10**6,  # a string of a million digits
    "1e400",
    "-1e400",
    "1e999999999",
    "NaN",
    "-5",
    "Tue, 30 Jan 99999 13:39:53 +0000",
    "Tue, 30 Jan 99999999999999999999999 13:39:53 +0000",
    "Tue, 30 Jan 0 13:39:53 +0000",
    "0000-01-01T00:00:00",
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    "https://xn--zz/",
    "https://xn--a.example/x",
    "http://[::1/x",
    "../../..",
    "FINAL",
    "completed",
    "number",
    "sip",
]
SIDS = [TS_SID, "CA" + "2" * 32, SW_SID, "00000000-0000-4000-8000-000000000000", SINCH_ID]
URIS = [
    None,
    "",
    f"{SW_ACCOUNT}/Calls.json?Page=1&PageToken=PAx",
    f"{SW_ACCOUNT}/Recordings.json?Page=1&PageToken=PAx",
    f"{SW_ACCOUNT}/Recordings/r1.json",
    f"{SW_ACCOUNT}/Calls/{SW_SID}/Recordings/r1.mp3",
    f"https://example.signalwire.com{SW_ACCOUNT}/Recordings/r1",
    f"https://xn--zz{SW_ACCOUNT}/Calls.json",
    "https://evil.example/",
    "/elsewhere",
    f"https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE{'a' * 32}.mp3",
    f"https://api.twilio.com/2010-04-01/Accounts/AC1/Calls/CA1/Recordings/RE{'a' * 32}",
    "https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json",
]
RAW_BODIES = [
    b"[" * 5000 + b"]" * 5000,
    b'{"a":' * 3000 + b"1" + b"}" * 3000,
    b'{"seconds": 1e400, "duration": -1e400, "price": NaN, "callSid": "' + TS_SID.encode() + b'"}',
    b'{"seconds": ' + b"9" * 5000 + b"}",
    b'{"date": "\\ud800", "from": "\\u0000", "callSid": "' + TS_SID.encode() + b'"}',
    b'{"calls": [{"sid": "' + SW_SID.encode() + b'", "start_time": "\\udfff"}]}',
    b"NaN",
    b"Infinity",
    b"",
    b"<html>",
    b"\xff\xfe\x00",
]


DATES = [
    "Tue, 30 Jan 2024 13:39:53 +0000",
    "Wed, 19 Sept 2018 20:00:01 +0000",
    "2024-01-30T13:39:53Z",
    "2024-01-30T13:39:53.1234567Z",
    "Tue, 30 Jan 99999 13:39:53 +0000",
    "Tue, 30 Jan 99999999999999999999999 13:39:53 +0000",
    "Tue, 30 Jan 0 13:39:53 +0000",
    "Tue, 30 Jan 2024 13:39:53 +9999",
    "0000-01-01T00:00:00",
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    "9999-12-31T23:59:59Z",
    "1900-01-01T00:00:00Z",
]
NUMBERS = [0, 1, 23, 125, -5, -0.013, 1e308, 10**30, "0.077", "-0.0130", "1e400", "NaN", "-5"]
WORDS = ["completed", "in-progress", "busy", "FINAL", "ONGOING", "ANSWERED", "N/A", "dice"]
WORDS += ["CANCEL", "number", "Username", "sip", "inbound", "outbound-api", "human"]
# What each kind of field gets, besides anything at all.
BY_KEY: dict[str, list[Any]] = {
    **dict.fromkeys(["date", "start_time", "end_time", "timestamp"], DATES),
    **dict.fromkeys(
        ["seconds", "duration", "cost", "price", "amount", "audio_in_mos", "channels"], NUMBERS
    ),
    **dict.fromkeys(["audio_rtt_avg", "audio_out_lost"], NUMBERS),
    **dict.fromkeys(["status", "result", "reason", "event", "type", "direction"], WORDS),
    **dict.fromkeys(["answered_by", "price_unit", "currencyId"], WORDS),
    **dict.fromkeys(["callSid", "sid", "callId", "callid"], SIDS),
    **dict.fromkeys(["uri", "next_page_uri"], URIS),
    "recordingUrls": [URIS[-3:], URIS[-3], URIS],
    "from": [HOSTILE_TEXT[4], {"type": "number", "endpoint": HOSTILE_TEXT[4]}, "sip:a@b"],
    "to": [HOSTILE_TEXT[4], {"type": "Username", "endpoint": "\x00"}, {"type": "did"}],
    "debit": [{"currencyId": "USD", "amount": n} for n in NUMBERS],
    "userRate": [{"currencyId": None, "amount": "0.0135"}, {"amount": "1e400"}],
}


def leaves() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(HOSTILE_TEXT + SIDS + URIS + DATES + NUMBERS + WORDS),
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**40), max_value=10**40),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=12),
    )


def answers(keys: list[str]) -> st.SearchStrategy[bytes]:
    """Bodies of answers: JSON of any shape, shaped like the provider's, and not JSON at all."""
    names = st.one_of(st.sampled_from(keys), st.text(max_size=6))
    anything = st.recursive(
        leaves(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=6),
        max_leaves=20,
    )
    call = st.fixed_dictionaries(
        {},
        optional={
            k: st.one_of(st.sampled_from(BY_KEY.get(k, HOSTILE_TEXT)), anything) for k in keys
        },
    )
    calls = st.lists(st.one_of(call, anything), max_size=6)
    envelope = st.fixed_dictionaries(
        {},
        optional={
            "calls": calls,
            "recordings": calls,
            "data": st.one_of(calls, call),
            "next_page_uri": st.sampled_from(URIS),
            "status": st.sampled_from(["success", "error"]),
            "message": anything,
        },
    )
    shaped = st.one_of(call, calls, envelope, anything).map(lambda body: json.dumps(body).encode())
    # Mostly JSON, often shaped like the provider's: that is where the parsers are reached.
    return st.one_of(shaped, shaped, shaped, st.sampled_from(RAW_BODIES))


STATUS_CODES = st.sampled_from([200] * 8 + [400, 401, 404, 422, 429, 500])


def text_ok(value: Any) -> None:
    assert isinstance(value, str)
    assert "\x00" not in value
    value.encode("utf-8")  # no lone surrogate: it can be written out


def check_call(call: Any, provider: type[Provider], asked: str) -> None:
    assert isinstance(call, Call)
    assert provider.sid_fits(call.sid) or call.sid == asked
    assert call.provider == provider.name
    assert call.status in STATUSES
    for text in (call.raw_status, call.direction, call.answered_by, call.result, call.reason):
        text_ok(text)
    for text in (call.partner_id, call.shift_id, call.assignment_id, call.meaning):
        text_ok(text)
    for endpoint in (call.from_, call.to):
        assert endpoint is None or isinstance(endpoint, Endpoint)
        if endpoint is not None:
            text_ok(endpoint.value)
            assert endpoint.kind in ("number", "sip", "username", "unknown")
    for when in (call.start, call.end):
        assert when is None or values.EARLIEST <= when.astimezone(dt.UTC) < values.LATEST
    assert call.duration is None or 0 <= call.duration <= values.MAX_COUNT
    for money in (call.cost, call.rate):
        assert money is None or isinstance(money, Money)
        if money is not None:
            assert isinstance(money.amount, Decimal) and money.amount.is_finite()
            text_ok(money.currency)
    for recording in call.recordings or ():
        check_recording(recording)
    for key, value in call.data:
        text_ok(key)
        text_ok(value)
    # The call page shows the raw answer as JSON: it must be writable as UTF-8.
    json.dumps(call.raw, ensure_ascii=False, default=str).encode("utf-8")
    assert isinstance(call.is_final, bool)
    assert call.parent_sid == "" or (
        provider.sid_fits(call.parent_sid) and call.parent_sid != call.sid
    )
    # What the page says of the call in the provider's terms is text, whatever was sent.
    for fact in (*provider.outcome_facts(call), *provider.quality_facts(call)):
        for text in (fact.label, fact.value, fact.code, fact.note):
            text_ok(text)
    other = provider.other_party(call)
    assert other is None or other in (call.from_, call.to)


def check_recording(recording: Any) -> None:
    assert isinstance(recording, Recording)
    for text in (recording.url, recording.sid, recording.status):
        text_ok(text)
    for count in (recording.duration, recording.channels):
        assert count is None or 0 <= count <= values.MAX_COUNT


def check_page(page: Any, provider: type[Provider]) -> None:
    assert isinstance(page, SearchPage)
    for call in page.calls:
        check_call(call, provider, "")
    assert page.next_cursor is None or isinstance(page.next_cursor, str)
    if page.sorted_newest_first:
        assert in_newest_first_order(c.start for c in page.calls)


def check_source(source: Any) -> None:
    assert isinstance(source, MediaSource)
    parsed = httpx.URL(source.url)
    assert parsed.scheme in ("http", "https") and parsed.host
    assert values.url(source.url) is not None
    assert source.credential_origin in ({""} | source.allowed_origins)


QUESTIONS = (
    Question("Did the caller cancel?", "Boolean"),
    Question("Why?", "Text"),
    Question("How many?", "Number"),
    Question("Reason", "Selector", ("Sick", "Late")),
)


def check_analysis(analysis: Any) -> None:
    """Parsed (an answer or None per question) or an unknown shape kept as text: nothing else."""
    assert isinstance(analysis, Analysis)
    if analysis.understood:
        assert [a.question for a in analysis.answers] == list(QUESTIONS)
        for answer in analysis.answers:
            if answer.value is not None:
                text_ok(answer.value)
        text_ok(analysis.summary)
        text_ok(analysis.sentiment)
    else:
        assert analysis.answers == ()
        text_ok(analysis.unknown)
        assert analysis.unknown


def check_transcripts(listed: Any) -> None:
    assert isinstance(listed, list)
    for transcript in listed:
        assert isinstance(transcript, Transcript)
        assert transcript.status in TRANSCRIPT_STATUSES
        for text in (transcript.sid, transcript.text, transcript.raw_status, transcript.meaning):
            text_ok(text)
        assert transcript.duration is None or 0 <= transcript.duration <= values.MAX_COUNT
        assert transcript.cost is None or transcript.cost.amount.is_finite()


def exercise(client: Provider, sid: str, cursor: str) -> None:
    """Each operation of `client`, checked; a ProviderError is a fine answer to any of them."""
    provider = type(client)
    recordings: list[Recording] = []

    def attempt(operation: Callable[[], Any], check: Callable[[Any], None]) -> None:
        try:
            result = operation()
        except ProviderError:
            return
        check(result)

    def got_call(call: Any) -> None:
        check_call(call, provider, sid)
        recordings.extend(call.recordings or ())

    def got_legs(legs: Any) -> None:
        assert isinstance(legs, list)
        for leg in legs:
            check_call(leg, provider, "")

    def got_recordings(listed: Any) -> None:
        assert isinstance(listed, list)
        for recording in listed:
            check_recording(recording)
        recordings.extend(listed)

    attempt(lambda: client.get_call(sid), got_call)
    attempt(lambda: client.search(SearchQuery()), lambda page: check_page(page, provider))
    attempt(lambda: client.search(SearchQuery(), cursor), lambda page: check_page(page, provider))
    bare = Call(sid=sid, provider=provider.name, status="completed", raw_status="completed")
    attempt(lambda: client.list_recordings(bare), got_recordings)
    attempt(lambda: client.child_calls(bare), got_legs)
    attempt(client.test_connection, lambda result: None)
    attempt(lambda: client.analyse(sid, QUESTIONS), check_analysis)
    for recording in recordings[:3]:
        attempt(functools.partial(client.media_source, recording), check_source)
    for recording in [*recordings[:2], Recording(url="", sid=sid)]:
        attempt(functools.partial(client.list_transcripts, recording), check_transcripts)


PROPERTY = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


@pytest.fixture
def serve(
    answer_with: Callable[..., list[httpx.Request]], settings: Any
) -> Callable[[bytes, int], None]:
    """Sets the answer every request gets; retries off, so no test waits for a backoff."""
    settings.PROVIDER_MAX_RETRIES = 0
    current: list[httpx.Response] = []
    answer_with(lambda request: current[0])

    def set_answer(body: bytes, code: int) -> None:
        headers = {"Content-Type": "application/json"}
        current[:] = [httpx.Response(code, content=body, headers=headers)]

    return set_answer


TS_KEYS = [
    "callSid",
    "sid",
    "status",
    "from",
    "to",
    "date",
    "seconds",
    "cost",
    "recordingUrls",
    "data",
    "partnerId",
    "shiftId",
    "assignmentId",
    "message",
]


@PROPERTY
@given(body=answers(TS_KEYS), code=STATUS_CODES)
def test_talkstack_answers_give_calls_or_provider_errors(
    serve: Callable[[bytes, int], None], body: bytes, code: int
) -> None:
    serve(body, code)
    client = TalkStack({"project_id": "ts-proj-acme-0001"}, {"api_key": "k"})
    exercise(client, TS_SID, "50")


SW_KEYS = [
    "sid",
    "status",
    "from",
    "to",
    "start_time",
    "end_time",
    "duration",
    "price",
    "price_unit",
    "direction",
    "answered_by",
    "audio_in_mos",
    "sip_result_code",
    "audio_rtt_avg",
    "audio_out_lost",
    "uri",
    "channels",
    "calls",
    "recordings",
    "transcriptions",
    "transcription_text",
    "recording_sid",
    "date_created",
    "next_page_uri",
    "code",
    "message",
    "errors",
]


@PROPERTY
@given(body=answers(SW_KEYS), code=STATUS_CODES)
def test_signalwire_answers_give_calls_or_provider_errors(
    serve: Callable[[bytes, int], None], body: bytes, code: int
) -> None:
    serve(body, code)
    client = SignalWire(
        {"project_id": SW_PROJECT, "space": "example.signalwire.com"}, {"api_token": SW_TOKEN}
    )
    exercise(client, SW_SID, f"{SW_ACCOUNT}/Calls.json?Page=1&PageToken=PAx")


SINCH_KEYS = [
    "callId",
    "callid",
    "status",
    "result",
    "reason",
    "timestamp",
    "duration",
    "from",
    "to",
    "type",
    "endpoint",
    "debit",
    "userRate",
    "amount",
    "currencyId",
    "event",
    "custom",
    "errorCode",
    "message",
    "reference",
]


@PROPERTY
@given(body=answers(SINCH_KEYS), code=STATUS_CODES)
def test_sinch_answers_give_calls_or_provider_errors(
    serve: Callable[[bytes, int], None], body: bytes, code: int
) -> None:
    serve(body, code)
    client = Sinch({"application_key": "app-key-1"}, {"application_secret": "c2VjcmV0"})
    exercise(client, SINCH_ID, "")


ANALYSIS_KEYS = [
    *(q.question for q in QUESTIONS),
    "question",
    "answer",
    "value",
    "summary",
    "sentiment",
    "data",
    "analysis",
    "answers",
    "results",
    "label",
    "message",
    "status",
]


@PROPERTY
@given(body=answers(ANALYSIS_KEYS), code=STATUS_CODES)
def test_talkstack_analysis_answers_are_parsed_unknown_or_provider_errors(
    serve: Callable[[bytes, int], None], body: bytes, code: int
) -> None:
    serve(body, code)
    client = TalkStack({"project_id": "ts-proj-acme-0001"}, {"api_key": "k"})
    try:
        analysis = client.analyse(TS_SID, QUESTIONS)
    except ProviderError:
        return
    check_analysis(analysis)
