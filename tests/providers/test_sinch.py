"""The Sinch Calling API v1 client, against the simulator over HTTP and captured payloads."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from callviewer.providers import sinch
from callviewer.providers.sinch import Sinch, parse_call, sign_request
from callviewer.providers.types import (
    Call,
    CredentialsRefused,
    Endpoint,
    Money,
    NotFound,
    NotSupported,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    Recording,
    SearchQuery,
    UnexpectedAnswer,
)
from callviewer.sandbox import accounts, sinch_api, sinch_data
from callviewer.sandbox.core import Sandbox

FIXTURES = Path(__file__).parent.parent / "fixtures" / "sinch"
KEY, SECRET = next(iter(accounts.SINCH_APPLICATIONS.items()))
WRONG_SECRET = base64.b64encode(b"not the application secret").decode()
ONGOING_THEN_ANSWERED, ONGOING_THEN_NO_ANSWER, _ = sinch_api.LIVE_CALL_IDS


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def make_client(sandbox: Sandbox, secret: str = SECRET, **settings: str) -> Sinch:
    return Sinch(
        {"application_key": KEY, "base_url": sandbox.url} | settings, {"application_secret": secret}
    )


@pytest.fixture
def client(sandbox: Sandbox) -> Sinch:
    return make_client(sandbox)


def offline(**settings: str) -> Sinch:
    return Sinch({"application_key": KEY} | settings, {"application_secret": SECRET})


def seeded(sandbox: Sandbox, result: str) -> sinch_data.SimCall:
    calls = (sinch_data.find(sandbox, i) for i in sinch_api.seeded_call_ids(sandbox))
    return next(c for c in calls if c and c.result == result)


# Parsing


def test_it_parses_the_documented_example_exactly() -> None:
    call = parse_call(fixture("call_seed_example.json"))

    start = dt.datetime(2024, 1, 30, 13, 39, 53, tzinfo=dt.UTC)
    assert call == Call(
        sid="4398599d1ba84ef3bde0a82dfb61abed",
        provider="sinch",
        status="completed",
        raw_status="FINAL/ANSWERED",
        from_=Endpoint("+12125550123", "number"),
        to=Endpoint("+19876543210@example.sip.sinch.com", "sip"),
        start=start,
        end=start + dt.timedelta(seconds=125),
        duration=125,
        cost=Money(Decimal("0.0405"), "USD"),
        rate=Money(Decimal("0.0135"), "USD"),
        recordings=(),
        result="ANSWERED",
        reason="CALLERHANGUP",
    )
    assert call.is_final
    assert call.raw["custom"] == "ticket=48213"


def test_cost_is_the_debit_total_and_rate_is_the_per_minute_user_rate() -> None:
    call = parse_call(fixture("call_seed_example.json"))

    assert call.cost == Money(Decimal("0.0405"), "USD")  # three minutes started at 0.0135
    assert call.rate == Money(Decimal("0.0135"), "USD")


def test_an_ongoing_call_is_in_progress_without_cost_end_or_duration() -> None:
    call = parse_call(fixture("call_ongoing.json"))

    assert (call.status, call.raw_status, call.is_final) == ("in-progress", "ONGOING", False)
    assert (call.cost, call.end, call.duration) == (None, None, None)
    assert call.rate == Money(Decimal("0.0189"), "EUR")  # the rate is known from the start
    assert call.from_ == Endpoint("myUserName", "username")
    assert call.to == Endpoint("+12125550123", "number")
    assert call.start == dt.datetime(2024, 1, 30, 13, 39, 53, 123456, tzinfo=dt.UTC)


def test_it_reads_a_disconnected_call_event_with_a_plain_string_from() -> None:
    call = parse_call(fixture("call_dice_style.json"), currency="SEK")

    assert call.sid == "9f1e2d3c4b5a69788796a5b4c3d2e1f0"  # DiCE spells it "callid"
    assert call.from_ == Endpoint("+46700000000", "number")
    assert call.to == Endpoint("+46700000001", "number")
    assert (call.status, call.raw_status) == ("completed", "FINAL/ANSWERED")
    assert call.start == dt.datetime(2024, 1, 30, 13, 39, 53, 250000, tzinfo=dt.UTC)
    assert call.end == call.start + dt.timedelta(seconds=61)
    # currencyId is documented as nullable: the project's currency stands in.
    assert call.cost == Money(Decimal("0.048"), "SEK")
    assert call.rate == Money(Decimal("0.024"), "SEK")


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("number", "number"),
        ("Number", "number"),
        ("NUMBER", "number"),
        ("did", "number"),
        ("DID", "number"),
        ("username", "username"),
        ("Username", "username"),
        ("userName", "username"),
        ("sip", "sip"),
        ("SIP", "sip"),
        (" Sip ", "sip"),
        ("conference", "unknown"),
    ],
)
def test_every_endpoint_type_spelling_gives_its_kind(kind: str, expected: str) -> None:
    body = fixture("call_seed_example.json") | {
        "from": {"type": kind, "endpoint": "alice"},
        "to": {"type": kind, "endpoint": "bob"},
    }

    call = parse_call(body)

    assert call.from_ == Endpoint("alice", expected)
    assert call.to == Endpoint("bob", expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+46700000000", Endpoint("+46700000000", "number")),
        ("46700000000", Endpoint("46700000000", "number")),
        ("sip:alice@example.com", Endpoint("sip:alice@example.com", "sip")),
        ("+1987@example.sip.sinch.com", Endpoint("+1987@example.sip.sinch.com", "sip")),
        ("alice", Endpoint("alice", "username")),
        ("", None),
        (None, None),
        ({"type": "number", "endpoint": ""}, None),
        ({"type": "number"}, None),
    ],
)
def test_it_tolerates_plain_and_empty_endpoints(value: Any, expected: Endpoint | None) -> None:
    call = parse_call(fixture("call_seed_example.json") | {"from": value})

    assert call.from_ == expected


@pytest.mark.parametrize(
    ("status", "result", "reason", "expected"),
    [
        ("ONGOING", "N/A", "N/A", "in-progress"),
        ("ongoing", "", "", "in-progress"),
        ("FINAL", "ANSWERED", "CALLERHANGUP", "completed"),
        ("final", "answered", "calleehangup", "completed"),
        ("FINAL", "BUSY", "N/A", "busy"),
        ("FINAL", "NOANSWER", "TIMEOUT", "no-answer"),
        ("FINAL", "FAILED", "GENERALERROR", "failed"),
        ("FINAL", "FAILED", "NOCREDITPARTNER", "failed"),
        ("FINAL", "N/A", "CANCEL", "canceled"),
        ("FINAL", "N/A", "CALLERHANGUP", "canceled"),
        ("FINAL", "N/A", "TIMEOUT", "no-answer"),
        ("FINAL", "N/A", "BLOCKED", "failed"),
        ("FINAL", "N/A", "N/A", "failed"),
        ("FINAL", "", "", "failed"),
        ("FINAL", "SOMETHINGNEW", "N/A", "failed"),
        ("", "ANSWERED", "N/A", "unknown"),
        ("PAUSED", "N/A", "N/A", "unknown"),
    ],
)
def test_status_result_and_reason_map_onto_the_app_statuses(
    status: str, result: str, reason: str, expected: str
) -> None:
    body = fixture("call_seed_example.json") | {
        "status": status,
        "result": result,
        "reason": reason,
    }

    call = parse_call(body)

    assert call.status == expected
    assert (call.result, call.reason) == (result.upper(), reason.upper())
    if status.upper() == "FINAL":
        assert call.is_final  # whatever the result, a FINAL call never shows as still going


def test_raw_status_keeps_sinch_status_and_result() -> None:
    body = fixture("call_seed_example.json")

    assert parse_call(body | {"result": "BUSY"}).raw_status == "FINAL/BUSY"
    assert parse_call(body | {"result": "N/A"}).raw_status == "FINAL/N/A"
    assert parse_call(body | {"status": "ONGOING"}).raw_status == "ONGOING"


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("2024-01-30T13:39:53Z", dt.datetime(2024, 1, 30, 13, 39, 53, tzinfo=dt.UTC)),
        ("2024-01-30T13:39:53.5Z", dt.datetime(2024, 1, 30, 13, 39, 53, 500000, tzinfo=dt.UTC)),
        (
            "2024-01-30T13:39:53.1234567Z",
            dt.datetime(2024, 1, 30, 13, 39, 53, 123456, tzinfo=dt.UTC),
        ),
        ("2024-01-30T15:39:53+02:00", dt.datetime(2024, 1, 30, 13, 39, 53, tzinfo=dt.UTC)),
        ("2024-01-30T13:39:53", dt.datetime(2024, 1, 30, 13, 39, 53, tzinfo=dt.UTC)),
        ("30 Jan 2024", None),
        ("", None),
        (None, None),
    ],
)
def test_it_reads_iso_8601_timestamps_in_every_form(
    timestamp: Any, expected: dt.datetime | None
) -> None:
    call = parse_call(fixture("call_seed_example.json") | {"timestamp": timestamp})

    assert call.start == expected
    assert call.end == (expected + dt.timedelta(seconds=125) if expected else None)


def test_odd_money_and_duration_values_become_empty_not_errors() -> None:
    body = fixture("call_seed_example.json") | {
        "duration": "abc",
        "debit": {"currencyId": "usd", "amount": "NaN"},
        "userRate": "0.0135",
    }

    call = parse_call(body, fallback_sid="f" * 32)

    assert (call.duration, call.end, call.cost, call.rate) == (None, None, None, None)
    assert parse_call(
        {"debit": {"currencyId": "eur", "amount": "1.5"}, "status": "FINAL"}
    ).cost == (Money(Decimal("1.5"), "EUR"))
    assert parse_call({}, fallback_sid="f" * 32).sid == "f" * 32


def test_nul_characters_are_dropped_and_a_call_id_of_another_shape_is_not_taken() -> None:
    body = fixture("call_seed_example.json") | {
        "callId": "../other",
        "from": {"type": "num\x00ber", "endpoint": "+1212\x005550123"},
        "custom": "ticket\x00=1",
    }

    call = parse_call(body, fallback_sid="f" * 32)

    assert call.sid == "f" * 32
    assert call.from_ == Endpoint("+12125550123", "number")
    assert call.raw["custom"] == "ticket=1"


def test_every_seeded_call_parses_with_its_simulated_values(sandbox: Sandbox) -> None:
    kinds: set[tuple[str, str]] = set()
    for call_id in sinch_api.seeded_call_ids(sandbox):
        sim = sinch_data.find(sandbox, call_id)
        assert sim is not None
        call = parse_call(sinch_api.call_json(sim))
        assert call.sid == call_id
        assert call.is_final
        assert call.cost == Money(Decimal(str(sim.debit)), sim.currency)
        assert call.rate == Money(Decimal(str(sim.rate)), sim.currency)
        assert call.start == dt.datetime.fromtimestamp(sim.start, dt.UTC)
        assert call.from_ is not None and call.to is not None
        kinds |= {(sim.from_type, call.from_.kind), (sim.to_type, call.to.kind)}

    assert kinds == {
        ("number", "number"),
        ("Number", "number"),
        ("did", "number"),
        ("username", "username"),
        ("Username", "username"),
        ("sip", "sip"),
    }


# Against the simulator, over HTTP


def test_it_reads_a_call_from_the_simulator_with_a_signed_request(
    client: Sinch, sandbox: Sandbox
) -> None:
    sim = seeded(sandbox, "ANSWERED")

    call = client.get_call(sim.call_id)

    assert (call.sid, call.status, call.duration) == (sim.call_id, "completed", sim.duration)
    assert call.cost == Money(Decimal(str(sim.debit)), sim.currency)
    ((request,),) = [sandbox.requests_to(f"/calling/v1/calls/id/{sim.call_id}")]
    assert request.method == "GET"
    assert request.headers["authorization"].startswith(f"Application {KEY}:")


def test_the_signature_covers_exactly_the_content_type_and_path_sent(
    client: Sinch, sandbox: Sandbox
) -> None:
    sim = seeded(sandbox, "BUSY")

    client.get_call(sim.call_id)

    (request,) = sandbox.requests_to("/calling/v1/")
    assert request.headers["content-type"] == "application/json"
    assert request.body == b""
    resigned = sign_request(
        "GET",
        request.path,
        b"",
        request.headers["content-type"],
        request.headers["x-timestamp"],
        KEY,
        SECRET,
    )
    assert request.headers["authorization"] == resigned["Authorization"]
    sent = dt.datetime.fromisoformat(request.headers["x-timestamp"])
    assert abs(sent - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=30)


def test_basic_auth_mode_sends_key_and_secret_and_is_accepted(sandbox: Sandbox) -> None:
    client = make_client(sandbox, auth="basic")
    sim = seeded(sandbox, "NOANSWER")

    call = client.get_call(sim.call_id)

    assert call.status == "no-answer"
    (request,) = sandbox.requests_to("/calling/v1/")
    pair = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {pair}"
    assert "x-timestamp" not in request.headers


@pytest.mark.parametrize("auth", ["signed", "basic"])
def test_a_wrong_secret_is_refused(sandbox: Sandbox, auth: str) -> None:
    client = make_client(sandbox, secret=WRONG_SECRET, auth=auth)

    with pytest.raises(CredentialsRefused) as caught:
        client.get_call(seeded(sandbox, "ANSWERED").call_id)

    assert caught.value.status == 401
    assert "application key and secret" in caught.value.message
    assert "Sinch reference" in caught.value.message  # something to quote to Sinch support
    assert WRONG_SECRET not in caught.value.message


def test_an_unknown_application_key_is_refused(sandbox: Sandbox) -> None:
    client = Sinch(
        {"application_key": "00000000-0000-0000-0000-000000000000", "base_url": sandbox.url},
        {"application_secret": SECRET},
    )

    with pytest.raises(CredentialsRefused):
        client.get_call(seeded(sandbox, "ANSWERED").call_id)


def test_a_secret_that_is_not_base64_is_refused_before_any_request(sandbox: Sandbox) -> None:
    client = make_client(sandbox, secret="plain text secret!")

    with pytest.raises(CredentialsRefused, match="base64"):
        client.get_call(seeded(sandbox, "ANSWERED").call_id)

    assert sandbox.requests_to("/calling/") == []


def test_a_stale_timestamp_is_rejected_by_the_simulator(
    client: Sinch, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)
    real = sinch.utc_timestamp
    monkeypatch.setattr(sinch, "utc_timestamp", lambda: real(stale))

    with pytest.raises(CredentialsRefused, match="too far"):
        client.get_call(seeded(sandbox, "ANSWERED").call_id)


def test_an_unknown_call_is_not_found(client: Sinch, sandbox: Sandbox) -> None:
    with pytest.raises(NotFound) as caught:
        client.get_call("ab" * 16)

    assert "abababab" in caught.value.message
    assert caught.value.status == 404


@pytest.mark.parametrize(
    "sid", ["../../admin", "abc", "g" * 32, "4398599d1ba84ef3bde0a82dfb61abed?x=1"]
)
def test_something_that_is_not_a_call_id_is_never_sent(
    client: Sinch, sandbox: Sandbox, sid: str
) -> None:
    with pytest.raises(NotFound, match="not a Sinch call ID"):
        client.get_call(sid)

    assert sandbox.requests == []


def test_a_live_call_moves_from_ongoing_to_final(client: Sinch, sandbox: Sandbox) -> None:
    before = client.get_call(ONGOING_THEN_ANSWERED)
    sandbox.clock_offset = 61
    after = client.get_call(ONGOING_THEN_ANSWERED)

    assert (before.status, before.raw_status, before.cost) == ("in-progress", "ONGOING", None)
    assert (after.status, after.raw_status) == ("completed", "FINAL/ANSWERED")
    assert after.duration == 52
    assert after.cost == Money(Decimal("0.0135"), "USD")  # one minute started at 0.0135


def test_an_unanswered_live_call_ends_as_no_answer(client: Sinch, sandbox: Sandbox) -> None:
    assert client.get_call(ONGOING_THEN_NO_ANSWER).status == "in-progress"

    sandbox.clock_offset = 31

    call = client.get_call(ONGOING_THEN_NO_ANSWER)
    assert (call.status, call.reason, call.cost) == (
        "no-answer",
        "TIMEOUT",
        Money(Decimal("0.0"), "USD"),
    )


def test_search_is_not_supported(client: Sinch) -> None:
    with pytest.raises(NotSupported, match="no call history; search by call ID"):
        client.search(SearchQuery(to="+14155550101"))


def test_there_are_no_recordings(client: Sinch) -> None:
    call = parse_call(fixture("call_seed_example.json"))

    assert client.list_recordings(call) == []
    with pytest.raises(NotSupported):
        client.media_source(Recording(url="https://calling.api.sinch.com/x.mp3"))


def test_connection_test_passes_when_sinch_says_call_not_found(
    client: Sinch, sandbox: Sandbox
) -> None:
    client.test_connection()

    (request,) = sandbox.requests_to("/calling/v1/calls/id/")
    assert request.path == "/calling/v1/calls/id/" + "0" * 32


@pytest.mark.parametrize("auth", ["signed", "basic"])
def test_connection_test_fails_on_refused_credentials(sandbox: Sandbox, auth: str) -> None:
    with pytest.raises(CredentialsRefused):
        make_client(sandbox, secret=WRONG_SECRET, auth=auth).test_connection()


def test_connection_test_says_when_a_404_is_not_sinchs(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    answer_with(lambda r: httpx.Response(404, text="<html>Not Found</html>"))

    with pytest.raises(UnexpectedAnswer, match="base URL"):
        offline().test_connection()


# Error answers and hosts, at the HTTP seam


def test_sinch_error_words_and_reference_reach_the_agent(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    answer_with(
        lambda r: httpx.Response(
            400, json={"errorCode": 40001, "message": "Invalid call id", "reference": "ref-1"}
        )
    )

    with pytest.raises(UnexpectedAnswer) as caught:
        offline().get_call("ab" * 16)

    assert (
        caught.value.message
        == "Sinch rejected the request. Sinch said: Invalid call id. (Sinch reference ref-1)"
    )


def test_the_captured_401_body_reads_as_refused_credentials(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    answer_with(lambda r: httpx.Response(401, json=fixture("error_unauthorized.json")))

    with pytest.raises(CredentialsRefused, match="Invalid Signature"):
        offline().get_call("ab" * 16)


def test_the_captured_404_body_reads_as_not_found(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    answer_with(lambda r: httpx.Response(404, json=fixture("error_call_not_found.json")))

    with pytest.raises(NotFound):
        offline().get_call("ab" * 16)
    offline().test_connection()  # and, for the connection test, as accepted credentials


def test_rate_limits_and_outages_use_the_shared_vocabulary(
    answer_with: Callable[..., list[httpx.Request]], settings: Any
) -> None:
    settings.PROVIDER_RETRY_AFTER_CAP = 1.0
    answer_with(lambda r: httpx.Response(429, headers={"Retry-After": "30"}))
    with pytest.raises(RateLimited):
        offline().get_call("ab" * 16)


def test_outages_are_unavailable(answer_with: Callable[..., list[httpx.Request]]) -> None:
    seen = answer_with(lambda r: httpx.Response(503, json={"errorCode": 50300}))

    with pytest.raises(ProviderUnavailable):
        offline().test_connection()
    assert len(seen) > 1  # retried: an outage may pass


@pytest.mark.parametrize(
    "response",
    [httpx.Response(200, text="<html>ok</html>"), httpx.Response(200, json=[1, 2])],
)
def test_an_answer_that_is_not_a_call_object_is_unexpected(
    answer_with: Callable[..., list[httpx.Request]], response: httpx.Response
) -> None:
    answer_with(lambda r: response)

    with pytest.raises(UnexpectedAnswer):
        offline().get_call("ab" * 16)


def test_a_regional_host_is_used_and_the_path_alone_is_signed(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    seen = answer_with(lambda r: httpx.Response(200, json=fixture("call_seed_example.json")))
    base = "https://calling-euc1.api.sinch.com"

    assert (
        Sinch.validate({"application_key": KEY, "base_url": base}, {"application_secret": SECRET})
        == {}
    )
    offline(base_url=base + "/").get_call("4398599d1ba84ef3bde0a82dfb61abed")

    (request,) = seen
    assert str(request.url) == base + "/calling/v1/calls/id/4398599d1ba84ef3bde0a82dfb61abed"
    expected = sign_request(
        "GET",
        request.url.path,
        b"",
        "application/json",
        request.headers["x-timestamp"],
        KEY,
        SECRET,
    )
    assert request.headers["authorization"] == expected["Authorization"]


@pytest.mark.parametrize("base", ["https://xn--zz", "https://xn--a.example/", "calling.api.sinch"])
def test_a_base_url_callviewer_cannot_read_is_for_an_administrator_to_fix(
    answer_with: Callable[..., list[httpx.Request]], base: str
) -> None:
    seen = answer_with(lambda r: httpx.Response(200, json=fixture("call_seed_example.json")))
    client = offline(base_url=base)

    for ask in (client.test_connection, lambda: client.get_call("ab" * 16)):
        with pytest.raises(ProviderError, match="Sinch base URL is not a URL callviewer can use"):
            ask()
    assert seen == []


def test_the_default_host_is_sinchs_global_one(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    seen = answer_with(lambda r: httpx.Response(200, json=fixture("call_seed_example.json")))

    offline().get_call("4398599d1ba84ef3bde0a82dfb61abed")

    assert seen[0].url.host == "calling.api.sinch.com"
    assert seen[0].url.scheme == "https"


def test_a_project_needs_an_application_key_and_secret() -> None:
    errors = Sinch.validate({}, {})

    assert set(errors) == {"application_key", "application_secret"}
    assert "auth" in Sinch.validate(
        {"application_key": KEY, "auth": "oauth"}, {"application_secret": SECRET}
    )


def test_a_project_made_for_the_simulator_reads_its_calls(
    make_project: Callable[..., Any], sandbox: Sandbox
) -> None:
    project = make_project("sinch")
    call_id = sinch_api.seeded_call_ids(sandbox)[0]

    project.client().test_connection()
    assert project.client().get_call(call_id).sid == call_id


@pytest.mark.parametrize(
    ("result", "reason", "facts"),
    [
        ("NOANSWER", "TIMEOUT", [("Result", "Nobody answered"), ("Reason", "It timed out")]),
        ("answered", "", [("Result", "Answered")]),
        ("N/A", "N/A", [("Result", "Not available"), ("Reason", "No reason given")]),
        ("", "SOMETHINGNEW", [("Reason", "SOMETHINGNEW")]),
        ("", "", []),
    ],
)
def test_results_and_reasons_are_said_in_words_beside_sinchs_own(
    result: str, reason: str, facts: list[tuple[str, str]]
) -> None:
    call = Call("c", "sinch", "failed", "FINAL", result=result, reason=reason)
    shown = Sinch.outcome_facts(call)
    assert [(f.label, f.value) for f in shown] == facts
    assert [f.code for f in shown] == [v for v in (result, reason) if v]


def test_the_other_party_of_a_sinch_call_is_the_one_called() -> None:
    to = Endpoint("+12065550100")
    call = Call("c", "sinch", "completed", "FINAL", from_=Endpoint("app-user", "username"), to=to)
    assert Sinch.other_party(call) == to


# Other spellings a server built from the same docs may send

SID_IN_CAPITALS = "4398599D1BA84EF3BDE0A82DFB61ABED"


@pytest.mark.parametrize("key", ["callId", "callid", "callID", "call_id"])
def test_a_call_id_in_capitals_under_any_spelling_of_its_key_is_spelled_in_lowercase(
    key: str,
) -> None:
    assert parse_call({key: SID_IN_CAPITALS}).sid == SID_IN_CAPITALS.lower()


@pytest.mark.parametrize(
    ("result", "reason", "status"),
    [
        ("answered", "calleeHangUp", "completed"),
        ("No Answer", "timeout", "no-answer"),
        ("no-answer", "N/A", "no-answer"),
        ("NO_ANSWER", "N/A", "no-answer"),
        ("n/a", "caller_hangup", "canceled"),
        ("N/A", "Caller-HangUp", "canceled"),
        ("Busy", "", "busy"),
    ],
)
def test_results_and_reasons_in_any_case_or_with_separators_read_as_documented(
    result: str, reason: str, status: str
) -> None:
    call = parse_call(
        {"callId": SID_IN_CAPITALS, "status": "final", "result": result, "reason": reason}
    )

    assert call.status == status
    assert call.result == result.upper().replace(" ", "").replace("-", "").replace("_", "")


@pytest.mark.parametrize(
    "timestamp",
    [
        "2024-01-30T13:39:53Z",
        "2024-01-30T13:39:53.000Z",
        "2024-01-30T13:39:53.1234567Z",
        "2024-01-30T14:39:53+01:00",
        "2024-01-30T13:39:53",
    ],
)
def test_a_timestamp_with_or_without_milliseconds_or_offset_is_read(timestamp: str) -> None:
    call = parse_call({"callId": SID_IN_CAPITALS, "timestamp": timestamp})

    assert call.start is not None
    assert call.start.replace(microsecond=0) == dt.datetime(2024, 1, 30, 13, 39, 53, tzinfo=dt.UTC)


def test_a_final_call_without_debit_has_no_cost() -> None:
    call = parse_call({"callId": SID_IN_CAPITALS, "status": "FINAL", "result": "ANSWERED"})

    assert call.cost is None
    assert call.status == "completed"
