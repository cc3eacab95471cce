"""The SignalWire Compatibility API client, against the simulator and captured payloads."""

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

from callviewer.providers import http
from callviewer.providers.signalwire import SignalWire, parse_call
from callviewer.providers.types import (
    Call,
    CredentialsRefused,
    Endpoint,
    Money,
    NotFound,
    ProviderError,
    Quality,
    RateLimited,
    Recording,
    SearchQuery,
    TimedOut,
    UnexpectedAnswer,
)
from callviewer.sandbox import accounts, signalwire_data
from callviewer.sandbox.core import Sandbox
from callviewer.sandbox.signalwire_api import BASE

FIXTURES = Path(__file__).parent.parent / "fixtures" / "signalwire"
PROJECT, TOKEN = next(iter(accounts.SIGNALWIRE_PROJECTS.items()))
ACCOUNT = f"{BASE}/Accounts/{PROJECT}"
RINGING_THEN_COMPLETED, QUEUED_THEN_NO_ANSWER, _, RINGING_THEN_CANCELED = (
    signalwire_data.LIVE_CALL_SIDS
)
UNKNOWN_SID = "00000000-0000-4000-8000-000000000000"
BASIC = "Basic " + base64.b64encode(f"{PROJECT}:{TOKEN}".encode()).decode()


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def make_client(sandbox: Sandbox, token: str = TOKEN, **settings: str) -> SignalWire:
    return SignalWire(
        {"project_id": PROJECT, "base_url": sandbox.url} | settings, {"api_token": token}
    )


@pytest.fixture
def client(sandbox: Sandbox) -> SignalWire:
    return make_client(sandbox)


def offline(**settings: str) -> SignalWire:
    """A client for answer_with() tests, on a made-up space."""
    return SignalWire(
        {"project_id": PROJECT, "space": "example.signalwire.com"} | settings, {"api_token": TOKEN}
    )


def seeded(
    sandbox: Sandbox, keep: Callable[[signalwire_data.SimCall], bool]
) -> signalwire_data.SimCall:
    calls = (signalwire_data.find(sandbox, s) for s in signalwire_data.seeded_call_sids(sandbox))
    return next(c for c in calls if c and keep(c))


# Parsing captured payloads


def test_it_parses_the_documented_example() -> None:
    call = parse_call(fixture("call_seed_example.json"))

    assert call == Call(
        sid="b3877c40-da60-4998-90ad-b792e98472ca",
        provider="signalwire",
        status="completed",
        raw_status="completed",
        direction="inbound",
        from_=Endpoint("+13103384645", "number"),
        to=Endpoint("+13105678901", "number"),
        # The doc's "Sept" is not RFC 2822's "Sep"; it is read all the same.
        start=dt.datetime(2018, 9, 19, 20, 0, 1, tzinfo=dt.UTC),
        end=dt.datetime(2018, 9, 21, 10, 0, 0, tzinfo=dt.UTC),
        duration=20,
        cost=Money(Decimal("0.003"), "USD"),
        recordings=None,
        answered_by="machine",
        quality=Quality(
            mos=Decimal("4.2"),
            jitter_avg=4,
            jitter_min=1,
            jitter_max=25,
            rtt_avg=45,
            rtt_min=30,
            rtt_max=120,
            packets_lost=3,
            sip_result_code="200",
        ),
    )
    assert call.is_final
    assert call.raw["formatted_to"] == "(310) 567-8901"


def test_it_reads_twilio_style_strings_and_keeps_outbound_api() -> None:
    call = parse_call(fixture("call_twilio_style.json"))

    assert call.direction == "outbound-api"
    assert call.cost == Money(Decimal("0.0130"), "USD")  # "-0.0130": the charge, sign dropped
    assert call.duration == 125  # "125"
    assert call.answered_by == "human"
    assert call.quality is not None
    assert (call.quality.mos, call.quality.rtt_avg) == (Decimal("4.21"), 52)
    assert call.quality.sip_result_code == "200"  # a number in the payload


def test_a_dial_leg_to_a_sip_address_with_iso_times_and_no_quality() -> None:
    call = parse_call(fixture("call_dial_leg_sip.json"))

    assert call.direction == "outbound-dial"
    assert call.to == Endpoint("sip:frontdesk@pbx.example.net", "sip")
    assert call.start == dt.datetime(2024, 2, 3, 9, 15, 2, tzinfo=dt.UTC)  # naive ISO: UTC
    assert call.end == dt.datetime(2024, 2, 3, 9, 15, 5, tzinfo=dt.UTC)
    assert call.cost == Money(Decimal("0.02"), "USD")  # -0.02 as a number
    assert (call.status, call.duration) == ("busy", 0)
    assert call.quality == Quality(sip_result_code="486")  # only the SIP code is known


def test_garbage_values_become_missing_never_a_crash() -> None:
    call = parse_call(fixture("call_garbage_values.json"))

    assert call.status == "in-progress"  # "In Progress"
    assert (call.start, call.end, call.duration, call.cost) == (None, None, None, None)
    assert call.quality is None
    assert call.from_ == Endpoint("client:agent-7", "username")
    assert call.to == Endpoint("anonymous", "unknown")


@pytest.mark.parametrize(
    ("price", "unit", "expected"),
    [
        (0.003, "USD", Money(Decimal("0.003"), "USD")),
        ("0.0130", "USD", Money(Decimal("0.0130"), "USD")),
        ("-0.0130", "USD", Money(Decimal("0.0130"), "USD")),
        (-0.0130, "EUR", Money(Decimal("0.013"), "EUR")),
        (0, "USD", Money(Decimal("0"), "USD")),
        (" 1.5 ", None, Money(Decimal("1.5"), "USD")),
        (None, "USD", None),
        ("", "USD", None),
        ("n/a", "USD", None),
        ("NaN", "USD", None),
        ("Infinity", "USD", None),
        (True, "USD", None),
        ({"amount": 1}, "USD", None),
    ],
)
def test_price_is_the_charge_whatever_its_form_or_sign(
    price: Any, unit: Any, expected: Any
) -> None:
    call = parse_call(
        {"sid": UNKNOWN_SID, "status": "completed", "price": price, "price_unit": unit}
    )

    assert call.cost == expected


@pytest.mark.parametrize(
    ("mos", "expected"),
    [(4.3, Decimal("4.3")), ("3.85", Decimal("3.85")), (None, None), ("", None), ("bad", None)],
)
def test_mos_may_be_a_number_a_string_or_null(mos: Any, expected: Decimal | None) -> None:
    call = parse_call({"status": "completed", "audio_in_mos": mos, "sip_result_code": "200"})

    assert call.quality is not None
    assert call.quality.mos == expected


@pytest.mark.parametrize(
    ("raw", "status", "final"),
    [
        ("queued", "queued", False),
        ("ringing", "ringing", False),
        ("in-progress", "in-progress", False),
        ("canceled", "canceled", True),
        ("completed", "completed", True),
        ("busy", "busy", True),
        ("failed", "failed", True),
        ("no-answer", "no-answer", True),
        ("cancelled", "canceled", True),
        ("NO_ANSWER", "no-answer", True),
        ("teleported", "unknown", False),
        ("", "unknown", False),
    ],
)
def test_every_status_is_normalised(raw: str, status: str, final: bool) -> None:
    call = parse_call({"status": raw, "duration": 30})

    assert (call.status, call.raw_status, call.is_final) == (status, raw, final)
    assert call.duration == (30 if final else None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+13105678901", Endpoint("+13105678901", "number")),
        (
            "sip:alice@example.sip.signalwire.com",
            Endpoint("sip:alice@example.sip.signalwire.com", "sip"),
        ),
        ("SIP:bob@pbx.example.net", Endpoint("SIP:bob@pbx.example.net", "sip")),
        ("client:agent-7", Endpoint("client:agent-7", "username")),
        ("", None),
        (None, None),
    ],
)
def test_addresses_are_numbers_or_sip(value: Any, expected: Endpoint | None) -> None:
    assert parse_call({"from": value}).from_ == expected


# Configuration


def test_validation_needs_a_space_or_a_base_url() -> None:
    errors = SignalWire.validate({"project_id": PROJECT}, {"api_token": TOKEN})

    assert "Space host" in errors["space"]
    assert (
        SignalWire.validate(
            {"project_id": PROJECT, "space": "acme.signalwire.com"}, {"api_token": TOKEN}
        )
        == {}
    )
    assert (
        SignalWire.validate(
            {"project_id": PROJECT, "base_url": "http://127.0.0.1:9"}, {"api_token": TOKEN}
        )
        == {}
    )


def test_validation_checks_the_space_and_project_id_forms() -> None:
    errors = SignalWire.validate(
        {"project_id": "../../x", "space": "https://acme.signalwire.com/elsewhere"},
        {"api_token": ""},
    )

    assert set(errors) == {"project_id", "space", "api_token"}


def test_requests_go_to_the_space_host_with_basic_auth(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    seen = answer_with(lambda r: httpx.Response(200, json=fixture("call_twilio_style.json")))

    offline().get_call("6f1d3c2a-8e4b-4c1d-9a77-2b3c4d5e6f70")

    (request,) = seen
    assert str(request.url) == (
        f"https://example.signalwire.com{ACCOUNT}/Calls/6f1d3c2a-8e4b-4c1d-9a77-2b3c4d5e6f70.json"
    )
    assert request.headers["Authorization"] == BASIC


def test_base_url_wins_over_the_space(answer_with: Callable[..., list[httpx.Request]]) -> None:
    seen = answer_with(lambda r: httpx.Response(200, json={"sid": PROJECT}))

    offline(base_url="http://127.0.0.1:8001/").test_connection()

    assert str(seen[0].url) == f"http://127.0.0.1:8001{ACCOUNT}.json"


@pytest.mark.parametrize(
    ("base_url", "origin"),
    [
        ("https://example.signalwire.com/api/laml/2010-04-01", "https://example.signalwire.com"),
        ("https://example.signalwire.com/api/laml/2010-04-01/", "https://example.signalwire.com"),
        ("https://Example.SignalWire.com/API/LaML/2010-04-01", "https://example.signalwire.com"),
        ("HTTPS://example.signalwire.com/", "https://example.signalwire.com"),
        ("http://127.0.0.1:8001/api/laml/2010-04-01", "http://127.0.0.1:8001"),
    ],
)
def test_a_base_url_pasted_as_the_docs_print_it_is_read_as_its_origin(
    answer_with: Callable[..., list[httpx.Request]], base_url: str, origin: str
) -> None:
    seen = answer_with(lambda r: httpx.Response(200, json={"sid": PROJECT}))

    assert (
        SignalWire.validate({"project_id": PROJECT, "base_url": base_url}, {"api_token": TOKEN})
        == {}
    )
    offline(base_url=base_url).test_connection()

    assert str(seen[0].url) == f"{origin}{ACCOUNT}.json"


@pytest.mark.parametrize(
    "space",
    [
        "example.signalwire.com",
        "https://example.signalwire.com",
        "https://example.signalwire.com/",
        "https://example.signalwire.com/api/laml/2010-04-01",
        "example.signalwire.com/API/LAML/2010-04-01/",
    ],
)
def test_a_space_given_as_a_url_is_read_as_its_host(
    answer_with: Callable[..., list[httpx.Request]], space: str
) -> None:
    seen = answer_with(lambda r: httpx.Response(200, json={"sid": PROJECT}))

    assert SignalWire.validate({"project_id": PROJECT, "space": space}, {"api_token": TOKEN}) == {}
    offline(space=space).test_connection()

    assert str(seen[0].url) == f"https://example.signalwire.com{ACCOUNT}.json"


@pytest.mark.parametrize(
    "base_url",
    [
        "https://example.signalwire.com/elsewhere",
        "https://example.signalwire.com/api/laml/2010-04-01/Accounts",
        "https://example.signalwire.com/api/laml",
        "https://example.signalwire.com/api/laml/2010-04-01?x=1",
        "https://user@example.signalwire.com",
        "ftp://example.signalwire.com",
        "example.signalwire.com",
        "https://xn--zz/api/laml/2010-04-01",
        "https://xn--a.example",
        "not a url",
    ],
)
def test_other_base_urls_are_refused_in_plain_words(base_url: str) -> None:
    errors = SignalWire.validate(
        {"project_id": PROJECT, "base_url": base_url}, {"api_token": TOKEN}
    )

    assert errors == {
        "base_url": "Base URL must be a base URL like https://example.signalwire.com, "
        "with nothing after the host but /api/laml/2010-04-01."
    }


@pytest.mark.parametrize(
    "space",
    [
        "http://example.signalwire.com",
        "example.signalwire.com/elsewhere",
        "example.signalwire.com:8443",
        "xn--zz.signalwire.com",
        "signalwire",
    ],
)
def test_other_spaces_are_refused_in_plain_words(space: str) -> None:
    errors = SignalWire.validate({"project_id": PROJECT, "space": space}, {"api_token": TOKEN})

    assert errors == {"space": "Space host must be a host like example.signalwire.com."}


@pytest.mark.parametrize(
    ("settings", "said"),
    [
        ({"base_url": "https://xn--zz/"}, "Base URL is not one callviewer can use"),
        ({"base_url": "https://example.signalwire.com/x"}, "Base URL is not one"),
        ({"space": "xn--a.example"}, "space is not a host callviewer can use"),
    ],
)
def test_a_stored_setting_callviewer_cannot_read_is_for_an_administrator_to_fix(
    answer_with: Callable[..., list[httpx.Request]], settings: dict[str, str], said: str
) -> None:
    seen = answer_with(lambda r: httpx.Response(200, json={"sid": PROJECT}))
    client = SignalWire({"project_id": PROJECT} | settings, {"api_token": TOKEN})

    for ask in (client.test_connection, lambda: client.get_call(UNKNOWN_SID)):
        with pytest.raises(ProviderError, match=said):
            ask()
    assert seen == []


# One call, against the simulator


def test_it_reads_a_seeded_call_as_the_simulator_stores_it(
    sandbox: Sandbox, client: SignalWire
) -> None:
    stored = seeded(sandbox, lambda c: c.status == "completed" and c.price is not None)

    call = client.get_call(stored.sid)

    assert (call.sid, call.status, call.direction) == (stored.sid, "completed", stored.direction)
    assert call.from_ is not None and call.from_.value == stored.from_
    assert call.start == dt.datetime.fromtimestamp(int(stored.start or 0), dt.UTC)
    assert call.duration == stored.duration
    assert call.cost == Money(abs(Decimal(str(stored.price))), "USD")
    assert call.recordings is None
    (request,) = sandbox.requests_to(f"{ACCOUNT}/Calls/{stored.sid}.json")
    assert request.headers["authorization"].startswith("Basic ")


def test_the_simulators_variety_all_parses(sandbox: Sandbox, client: SignalWire) -> None:
    calls: list[Call] = []
    cursor = None
    while True:
        page = client.search(SearchQuery(), cursor)
        calls += page.calls
        if not (cursor := page.next_cursor):
            break

    assert {c.direction for c in calls} == {"inbound", "outbound", "outbound-api", "outbound-dial"}
    assert {c.answered_by for c in calls} == {"", "human", "machine"}
    assert any(c.to and c.to.kind == "sip" for c in calls)
    assert any(c.cost is None for c in calls if c.status == "completed")
    assert all(c.cost.amount >= 0 for c in calls if c.cost)
    assert any(c.quality and c.quality.mos is None and c.quality.rtt_avg for c in calls)


def test_an_unknown_call_is_not_found(sandbox: Sandbox, client: SignalWire) -> None:
    with pytest.raises(NotFound, match=UNKNOWN_SID):
        client.get_call(UNKNOWN_SID)


def test_a_sid_that_is_not_a_uuid_is_never_sent(sandbox: Sandbox, client: SignalWire) -> None:
    with pytest.raises(NotFound, match="not a SignalWire call SID"):
        client.get_call("../Recordings/x")
    assert sandbox.requests == []


def test_refused_credentials_say_so_in_signalwires_words(sandbox: Sandbox) -> None:
    with pytest.raises(CredentialsRefused) as caught:
        make_client(sandbox, token="PTwrong").get_call(RINGING_THEN_COMPLETED)

    assert "Authentication Error" in caught.value.message
    assert "code 20003" in caught.value.message
    assert caught.value.status == 401


def test_a_rate_limit_is_retried_then_reported(sandbox: Sandbox, client: SignalWire) -> None:
    sandbox.faults.rate_limit_next = 10
    sandbox.faults.retry_after = "0"

    with pytest.raises(RateLimited):
        client.get_call(RINGING_THEN_COMPLETED)
    assert len(sandbox.requests_to(ACCOUNT)) == 3  # first try and two retries


def test_a_short_rate_limit_is_ridden_out(sandbox: Sandbox, client: SignalWire) -> None:
    sandbox.faults.rate_limit_next = 1
    sandbox.faults.retry_after = "0"

    assert client.get_call(RINGING_THEN_COMPLETED).sid == RINGING_THEN_COMPLETED


def test_a_slow_answer_times_out(sandbox: Sandbox, client: SignalWire, settings: Any) -> None:
    settings.PROVIDER_READ_TIMEOUT = 0.2
    sandbox.faults.timeout_sids = {RINGING_THEN_COMPLETED}
    sandbox.faults.hang_seconds = 0.6

    with pytest.raises(TimedOut):
        client.get_call(RINGING_THEN_COMPLETED)


def test_a_live_call_moves_from_ringing_to_completed(sandbox: Sandbox, client: SignalWire) -> None:
    ringing = client.get_call(RINGING_THEN_COMPLETED)
    assert (ringing.status, ringing.is_final, ringing.cost, ringing.end) == (
        "ringing",
        False,
        None,
        None,
    )
    assert client.list_recordings(ringing) == []

    sandbox.clock_offset = 30
    assert client.get_call(RINGING_THEN_COMPLETED).status == "in-progress"

    sandbox.clock_offset = 61
    done = client.get_call(RINGING_THEN_COMPLETED)
    assert (done.status, done.duration, done.cost) == (
        "completed",
        40,
        Money(Decimal("0.0130"), "USD"),
    )
    assert done.end is not None and done.start is not None
    assert [r.sid for r in client.list_recordings(done)] == [signalwire_data.LIVE_RECORDING_SIDS[0]]


def test_live_calls_end_unanswered_or_cancelled(sandbox: Sandbox, client: SignalWire) -> None:
    assert client.get_call(QUEUED_THEN_NO_ANSWER).status == "queued"
    assert client.get_call(RINGING_THEN_CANCELED).status == "ringing"

    sandbox.clock_offset = 41
    assert client.get_call(QUEUED_THEN_NO_ANSWER).status == "no-answer"
    assert client.get_call(RINGING_THEN_CANCELED).status == "canceled"


# Search


def test_each_filter_reaches_signalwire_under_its_own_name(
    sandbox: Sandbox, client: SignalWire
) -> None:
    query = SearchQuery(
        to="+13105550100",
        from_="+12125550177",
        status="completed",
        started_from=dt.datetime(2024, 1, 31, tzinfo=dt.UTC),
        started_before=dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
    )

    client.search(query)

    (request,) = sandbox.requests_to(f"{ACCOUNT}/Calls.json")
    assert request.query == {
        "To": ["+13105550100"],
        "From": ["+12125550177"],
        "Status": ["completed"],
        # Whole UTC days, a day wider on each side: the format and edges are unconfirmed.
        "StartTime>": ["2024-01-30"],
        "StartTime<": ["2024-03-01"],
        "PageSize": ["50"],
    }


def test_search_finds_the_calls_that_match(sandbox: Sandbox, client: SignalWire) -> None:
    stored = seeded(sandbox, lambda c: c.direction == "inbound" and c.status == "busy")
    day = dt.datetime.fromtimestamp(stored.start or 0, dt.UTC).date()
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    query = SearchQuery(
        from_=stored.from_,
        status="busy",
        started_from=start,
        started_before=start + dt.timedelta(days=1),
    )

    page = client.search(query)

    assert stored.sid in {c.sid for c in page.calls}
    assert all(c.from_ and c.from_.value == stored.from_ and c.status == "busy" for c in page.calls)
    assert all(c.start and c.start.date() == day for c in page.calls)


@pytest.mark.parametrize("status", ["voicemail", "silence", "initiated", "unknown"])
def test_statuses_signalwire_does_not_have_find_nothing_without_asking(
    sandbox: Sandbox, client: SignalWire, status: str
) -> None:
    assert client.search(SearchQuery(status=status)).calls == []
    assert sandbox.requests == []


def test_paging_follows_next_page_uri_until_it_is_null(
    sandbox: Sandbox, client: SignalWire
) -> None:
    query = SearchQuery(started_from=dt.datetime(2000, 1, 2, tzinfo=dt.UTC))
    pages = [client.search(query)]
    while pages[-1].next_cursor:
        pages.append(client.search(query, pages[-1].next_cursor))

    sids = [c.sid for p in pages for c in p.calls]
    expected = [c.sid for c in signalwire_data.calls(sandbox, PROJECT) if c.start is not None]
    assert sids == expected  # every call once, newest first
    assert len(pages) == 7
    followed = sandbox.requests_to(f"{ACCOUNT}/Calls.json")[1:]
    assert all(r.query["StartTime>"] == ["2000-01-01"] and "PageToken" in r.query for r in followed)


def test_an_absolute_next_page_uri_on_the_same_host_is_followed(
    sandbox: Sandbox, client: SignalWire
) -> None:
    sandbox.options["signalwire_absolute_next"] = True
    first = client.search(SearchQuery())
    assert first.next_cursor and first.next_cursor.startswith(sandbox.url + "/")

    second = client.search(SearchQuery(), first.next_cursor)

    assert len(second.calls) == 50
    assert not {c.sid for c in first.calls} & {c.sid for c in second.calls}


def test_a_next_page_uri_on_another_host_is_refused(sandbox: Sandbox, client: SignalWire) -> None:
    sandbox.options["signalwire_next_host"] = "http://evil.example"
    first = client.search(SearchQuery())
    assert first.next_cursor and first.next_cursor.startswith("http://evil.example/")
    asked = len(sandbox.requests)

    with pytest.raises(UnexpectedAnswer, match="next page"):
        client.search(SearchQuery(), first.next_cursor)
    assert len(sandbox.requests) == asked


@pytest.mark.parametrize(
    "cursor",
    [
        f"//evil.example{ACCOUNT}/Calls.json?Page=1",
        f"https://evil.example{ACCOUNT}/Calls.json?Page=1",
        f"http://user:pw@127.0.0.1{ACCOUNT}/Calls.json?Page=1",
        f"{ACCOUNT}/Recordings/x.wav",
        f"{ACCOUNT}/Calls/../../Accounts.json",
        "/elsewhere",
        "javascript:alert(1)",
    ],
)
def test_a_cursor_is_only_followed_to_the_projects_own_call_list(
    sandbox: Sandbox, client: SignalWire, cursor: str
) -> None:
    with pytest.raises(UnexpectedAnswer):
        client.search(SearchQuery(), cursor)
    assert sandbox.requests == []


def test_calls_without_a_sid_are_skipped(answer_with: Callable[..., list[httpx.Request]]) -> None:
    answer_with(lambda r: httpx.Response(200, json=fixture("calls_last_page.json")))

    page = offline().search(SearchQuery(to="+12125550123"))

    assert [c.sid for c in page.calls] == ["6f1d3c2a-8e4b-4c1d-9a77-2b3c4d5e6f70"]
    assert page.next_cursor is None


def test_a_page_says_newest_first_only_when_it_is(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    older, newer = "Tue, 30 Jan 2024 13:39:53 +0000", "Wed, 31 Jan 2024 09:00:00 +0000"

    def page(*starts: str | None) -> dict[str, Any]:
        calls = [
            {"sid": f"6f1d3c2a-8e4b-4c1d-9a77-2b3c4d5e6f7{i}", "start_time": start}
            for i, start in enumerate(starts)
        ]
        return {"next_page_uri": None, "calls": calls}

    answers = [page(newer, None, older), page(older, newer)]
    answer_with(lambda r: httpx.Response(200, json=answers.pop(0)))

    assert offline().search(SearchQuery()).sorted_newest_first
    assert not offline().search(SearchQuery()).sorted_newest_first


def test_the_simulators_pages_are_newest_first(sandbox: Sandbox, client: SignalWire) -> None:
    page = client.search(SearchQuery())

    assert page.sorted_newest_first


def test_calls_whose_sid_is_not_a_uuid_are_not_listed(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    good = "6f1d3c2a-8e4b-4c1d-9a77-2b3c4d5e6f70"
    calls = [{"sid": s} for s in (good, "../x", "CA" + "0" * 32, ["a"], {"sid": good}, 12)]
    answer_with(lambda r: httpx.Response(200, json={"next_page_uri": None, "calls": calls}))

    assert [c.sid for c in offline().search(SearchQuery()).calls] == [good]


def test_an_empty_page_passes_its_next_page_on_for_the_calls_app_to_stop_and_say_so(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    next_uri = f"{ACCOUNT}/Calls.json?Page=1&PageToken=PAx"
    answer_with(
        lambda r: httpx.Response(200, json={"next_page_uri": next_uri, "calls": ["not a call"]})
    )

    page = offline().search(SearchQuery())

    # calls/search.py stops at a page with no calls that says more, and tells the agent.
    assert (page.calls, page.next_cursor) == ([], next_uri)


def test_a_next_page_uri_back_to_the_same_page_ends_the_list(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    cursor = f"{ACCOUNT}/Calls.json?Page=1&PageToken=PAx"
    call = {"sid": "6f1d3c2a-8e4b-4c1d-9a77-2b3c4d5e6f70"}
    answer_with(lambda r: httpx.Response(200, json={"next_page_uri": cursor, "calls": [call]}))

    page = offline().search(SearchQuery(), cursor)

    assert [c.sid for c in page.calls] == [call["sid"]]
    assert page.next_cursor is None


def test_a_list_answer_without_calls_is_unexpected(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    answer_with(lambda r: httpx.Response(200, json={"page": 0, "next_page_uri": None}))

    with pytest.raises(UnexpectedAnswer, match="no calls"):
        offline().search(SearchQuery())


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("error_array.json", "StartTime> is not a valid date (code 21210)"),
        ("error_string_array.json", "Validation error message; Another one"),
    ],
)
def test_an_errors_array_is_shown_in_signalwires_words(
    answer_with: Callable[..., list[httpx.Request]], name: str, said: str
) -> None:
    answer_with(lambda r: httpx.Response(400, json=fixture(name)))

    with pytest.raises(UnexpectedAnswer) as caught:
        offline().search(SearchQuery())
    assert caught.value.message == f"SignalWire rejected the request. SignalWire said: {said}."


def test_an_error_that_is_not_json_still_reads_well(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    answer_with(lambda r: httpx.Response(422, text="<html>nope</html>"))

    with pytest.raises(UnexpectedAnswer) as caught:
        offline().search(SearchQuery())
    assert caught.value.message == "SignalWire rejected the request."


def test_a_rate_limit_in_signalwires_shape_is_rate_limited(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    seen = answer_with(
        lambda r: httpx.Response(
            429, json=fixture("error_rate_limited.json"), headers={"Retry-After": "0"}
        )
    )

    with pytest.raises(RateLimited):
        offline().search(SearchQuery())
    assert len(seen) == 3


# Recordings


def test_recordings_are_listed_with_absolute_wav_urls(sandbox: Sandbox, client: SignalWire) -> None:
    stored = seeded(sandbox, lambda c: len(c.recordings) == 2)
    call = client.get_call(stored.sid)

    listed = client.list_recordings(call)

    assert listed == [
        Recording(
            url=f"{sandbox.url}{ACCOUNT}/Recordings/{r.sid}.wav",
            sid=r.sid,
            duration=r.duration,
            channels=r.channels,
            status="completed",
        )
        for r in stored.recordings
    ]
    (request,) = sandbox.requests_to(f"{ACCOUNT}/Recordings.json")
    assert request.query == {"CallSid": [stored.sid]}


def test_a_call_without_recordings_lists_none(sandbox: Sandbox, client: SignalWire) -> None:
    stored = seeded(sandbox, lambda c: c.status == "completed" and not c.recordings)

    assert client.list_recordings(client.get_call(stored.sid)) == []


def test_recording_fields_in_other_forms_are_read(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    answer_with(lambda r: httpx.Response(200, json=fixture("recordings_of_call.json")))
    client = offline()

    first, second = client.list_recordings(parse_call(fixture("call_twilio_style.json")))

    assert first == Recording(
        url=f"https://example.signalwire.com{ACCOUNT}/Recordings/19e436af-5688-4307-b03b-bdb2b42b8142.wav",
        sid="19e436af-5688-4307-b03b-bdb2b42b8142",
        duration=123,
        channels=2,
        status="completed",
    )
    # No uri: the media URL is made from the SID, on the project's own origin.
    assert (
        second.url
        == f"https://example.signalwire.com{ACCOUNT}/Recordings/2071320d-ee82-4578-84e0-379fb227eb77.wav"
    )
    assert (second.duration, second.channels, second.status) == (4, 1, "stopped")


CALL_SID = "6f1d3c2a-8e4b-4c1d-9a77-2b3c4d5e6f70"
SPACE = "https://example.signalwire.com"


@pytest.mark.parametrize("scope", ["", f"/Calls/{CALL_SID}"], ids=["account", "call-scoped"])
@pytest.mark.parametrize(
    ("extension", "media"), [(".json", ".wav"), (".wav", ".wav"), ("", ".wav"), (".mp3", ".mp3")]
)
@pytest.mark.parametrize("host", [SPACE, f"{SPACE}:443", ""], ids=["absolute", "port", "relative"])
def test_recording_uris_of_the_project_in_every_form_give_its_media(
    answer_with: Callable[..., list[httpx.Request]],
    scope: str,
    extension: str,
    media: str,
    host: str,
) -> None:
    uri = f"{host}{ACCOUNT}{scope}/Recordings/r1{extension}"
    body = {"next_page_uri": None, "recordings": [{"sid": "r1", "uri": uri, "duration": "3"}]}
    answer_with(lambda r: httpx.Response(200, json=body))

    (recording,) = offline().list_recordings(parse_call(fixture("call_twilio_style.json")))

    # Media from the account-level resource, the one SignalWire documents media for; MP3
    # when the URI asked for it, else WAV.
    assert recording.url == f"{SPACE}{ACCOUNT}/Recordings/r1{media}"
    assert offline().media_source(Recording(url=uri)).url == recording.url


OTHER_ACCOUNT = f"{BASE}/Accounts/{UNKNOWN_SID}"


@pytest.mark.parametrize(
    "uri",
    [
        f"https://evil.example{ACCOUNT}/Recordings/r1.json",
        f"http://example.signalwire.com{ACCOUNT}/Recordings/r1.json",
        f"//evil.example{ACCOUNT}/Recordings/r1.json",
        f"https://xn--zz{ACCOUNT}/Recordings/r1.json",
        f"https://xn--a.example{ACCOUNT}/Calls/{CALL_SID}/Recordings/r1.json",
        f"{OTHER_ACCOUNT}/Recordings/r1.json",
        f"{OTHER_ACCOUNT}/Calls/{CALL_SID}/Recordings/r1.json",
        f"{ACCOUNT}/Calls/{CALL_SID}/../../../Accounts/{UNKNOWN_SID}/Recordings/r1.json",
        f"{ACCOUNT}/Calls/%2e%2e/Recordings/r1.json",
        f"{ACCOUNT}/Recordings/r1/Transcriptions.json",
        f"{ACCOUNT}/Recordings/r1.JSON",
        f"{ACCOUNT}/Calls/{CALL_SID}/Recordings.json",
        f"{ACCOUNT}/Calls/{CALL_SID}/Streams/r1.json",
        f"{ACCOUNT}/Calls/{CALL_SID}.json",
        f"/api/laml/2010-04-02/Accounts/{PROJECT}/Recordings/r1.json",
        "javascript:alert(1)",
    ],
)
def test_recording_uris_of_other_hosts_accounts_or_resources_are_refused(
    answer_with: Callable[..., list[httpx.Request]], uri: str
) -> None:
    body = {"next_page_uri": None, "recordings": [{"sid": "r1", "uri": uri, "duration": "3"}]}
    answer_with(lambda r: httpx.Response(200, json=body))
    call = parse_call(fixture("call_twilio_style.json"))

    with pytest.raises(UnexpectedAnswer, match="host"):
        offline().list_recordings(call)
    with pytest.raises(UnexpectedAnswer, match="host"):
        offline().media_source(Recording(url=uri))


def test_call_scoped_recording_uris_from_the_simulator_play(
    sandbox: Sandbox, client: SignalWire
) -> None:
    sandbox.options["signalwire_call_scoped_uris"] = True
    stored = seeded(sandbox, lambda c: len(c.recordings) == 2)

    listed = client.list_recordings(client.get_call(stored.sid))

    assert [r.url for r in listed] == [
        f"{sandbox.url}{ACCOUNT}/Recordings/{r.sid}.wav" for r in stored.recordings
    ]
    source = client.media_source(listed[0])
    with http.stream("SignalWire", source.url, dict(source.headers or {})) as response:
        assert response.status_code == 200
        assert response.read()[:4] == b"RIFF"


R1, R2 = "19e436af-5688-4307-b03b-bdb2b42b8142", "2071320d-ee82-4578-84e0-379fb227eb77"


def test_a_recording_page_leading_back_to_itself_is_read_once(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        uri = request.url.raw_path.decode()  # the page's own URI, as a next_page_uri
        return httpx.Response(200, json={"next_page_uri": uri, "recordings": [{"sid": R1}]})

    seen = answer_with(handler)
    recordings = offline().list_recordings(parse_call(fixture("call_twilio_style.json")))

    assert [r.sid for r in recordings] == [R1]
    assert len(seen) == 1


def test_recording_pages_are_followed(answer_with: Callable[..., list[httpx.Request]]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if "PageToken" in request.url.params:
            return httpx.Response(200, json={"next_page_uri": None, "recordings": [{"sid": R2}]})
        next_uri = f"{ACCOUNT}/Recordings.json?CallSid=x&Page=1&PageToken=PAr1"
        return httpx.Response(200, json={"next_page_uri": next_uri, "recordings": [{"sid": R1}]})

    seen = answer_with(handler)
    recordings = offline().list_recordings(parse_call(fixture("call_twilio_style.json")))

    assert [r.sid for r in recordings] == [R1, R2]
    assert len(seen) == 2


def test_media_source_allows_only_the_projects_origin_and_sends_it_the_credentials(
    sandbox: Sandbox, client: SignalWire
) -> None:
    url = f"{sandbox.url}{ACCOUNT}/Recordings/{signalwire_data.LIVE_RECORDING_SIDS[0]}.wav"

    source = client.media_source(Recording(url=url))

    assert source.url == url
    assert source.allowed_origins == frozenset({sandbox.url})
    assert source.credential_origin == sandbox.url
    assert source.headers == {"Authorization": BASIC}


@pytest.mark.parametrize(
    "url",
    [
        f"https://evil.example{ACCOUNT}/Recordings/x.wav",
        f"http://example.signalwire.com{ACCOUNT}/Recordings/x.wav",  # not the https origin
        f"https://user@example.signalwire.com{ACCOUNT}/Recordings/x.wav",
        "file:///etc/passwd",
        "",
        # The right host, but not one of the project's recordings.
        f"https://example.signalwire.com{ACCOUNT}/Calls.json",
        f"https://example.signalwire.com{BASE}/Accounts/{UNKNOWN_SID}/Recordings/x.wav",
        f"https://example.signalwire.com{ACCOUNT}/Recordings/%2e%2e/Calls.json",
    ],
)
def test_media_source_refuses_other_hosts_and_paths(url: str) -> None:
    with pytest.raises(UnexpectedAnswer, match="host"):
        offline().media_source(Recording(url=url))


def test_protected_media_plays_with_the_projects_credentials(
    sandbox: Sandbox, client: SignalWire
) -> None:
    sandbox.options["signalwire_protect_media"] = True
    stored = seeded(sandbox, lambda c: bool(c.recordings))
    (recording, *_) = client.list_recordings(client.get_call(stored.sid))
    source = client.media_source(recording)

    with http.stream("SignalWire", source.url, dict(source.headers or {})) as response:
        assert response.status_code == 200
        assert response.read()[:4] == b"RIFF"
    with http.stream("SignalWire", source.url) as response:
        assert response.status_code == 401


# Connection test


def test_connection_test_succeeds_with_good_credentials(
    sandbox: Sandbox, client: SignalWire
) -> None:
    client.test_connection()

    assert [r.path for r in sandbox.requests] == [f"{ACCOUNT}.json"]


def test_connection_test_reports_refused_credentials(sandbox: Sandbox) -> None:
    with pytest.raises(CredentialsRefused, match="API token"):
        make_client(sandbox, token="PTwrong").test_connection()


def test_connection_test_reports_a_wrong_project_or_space(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    answer_with(lambda r: httpx.Response(404, json=fixture("error_not_found.json")))

    with pytest.raises(NotFound, match="Check the space"):
        offline().test_connection()


def test_connection_test_refuses_an_answer_that_is_not_json(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    answer_with(lambda r: httpx.Response(200, text="<html>login</html>"))

    with pytest.raises(UnexpectedAnswer, match="not JSON"):
        offline().test_connection()


# What the call page says about a SignalWire call


def test_a_dial_leg_names_its_parent_call() -> None:
    call = parse_call(fixture("call_dial_leg_sip.json"))
    assert call.parent_sid == "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"


@pytest.mark.parametrize("parent", [None, "", "not-a-uuid", 42, "SELF"])
def test_a_parent_callviewer_cannot_open_is_no_parent(parent: Any) -> None:
    body = fixture("call_dial_leg_sip.json")
    body["parent_call_sid"] = body["sid"] if parent == "SELF" else parent
    assert parse_call(body).parent_sid == ""


def test_child_legs_are_listed_by_parent_call_sid(sandbox: Sandbox, client: SignalWire) -> None:
    parent = next(
        c
        for c in signalwire_data.calls(sandbox, PROJECT)
        if any(k.parent_call_sid == c.sid for k in signalwire_data.calls(sandbox, PROJECT))
    )
    children = client.child_calls(client.get_call(parent.sid))
    assert children and all(c.parent_sid == parent.sid for c in children)
    (asked,) = sandbox.requests_to(f"{ACCOUNT}/Calls.json")
    assert asked.query["ParentCallSid"] == [parent.sid]
    assert asked.query["PageSize"] == [str(SignalWire.MAX_CHILD_LEGS)]


def test_a_call_without_legs_has_no_children(sandbox: Sandbox, client: SignalWire) -> None:
    leg = next(c for c in signalwire_data.calls(sandbox, PROJECT) if c.parent_call_sid)
    assert client.child_calls(client.get_call(leg.sid)) == []


@pytest.mark.parametrize(
    ("code", "value", "shown_code"),
    [
        ("486", "The line was busy", "486 Busy Here"),
        ("503", "The far end's service was unavailable or overloaded", "503 Service Unavailable"),
        ("200", "The call was set up normally", "200 OK"),
        ("499", "The far end refused or could not take the call", "499"),
        ("x" * 40, "A code callviewer does not know", "x" * 12),
    ],
)
def test_sip_result_codes_are_said_in_words(code: str, value: str, shown_code: str) -> None:
    call = Call("s", "signalwire", "failed", "failed", quality=Quality(sip_result_code=code))
    (fact,) = SignalWire.outcome_facts(call)
    assert (fact.label, fact.value, fact.code) == ("SIP result", value, shown_code)


def test_it_lists_only_the_quality_figures_that_are_present() -> None:
    assert SignalWire.quality_facts(Call("s", "signalwire", "completed", "completed")) == ()
    quality = Quality(
        mos=Decimal("4.3"), jitter_avg=3, jitter_max=9, packets_lost=2, sip_result_code="200"
    )
    facts = SignalWire.quality_facts(Call("s", "signalwire", "completed", "c", quality=quality))
    assert [f.label for f in facts] == ["Audio quality (MOS)", "Jitter", "Packets lost"]
    assert facts[0].value == "4.3 of 5" and facts[0].note == "good"
    assert facts[1].value == "3 ms average, up to 9 ms"


@pytest.mark.parametrize(
    ("direction", "other"), [("inbound", "from"), ("outbound-api", "to"), ("outbound-dial", "to")]
)
def test_the_other_party_follows_the_direction(direction: str, other: str) -> None:
    a, b = Endpoint("+12065550100"), Endpoint("+12065550111")
    call = Call("s", "signalwire", "completed", "completed", direction=direction, from_=a, to=b)
    assert SignalWire.other_party(call) == (a if other == "from" else b)


def test_a_sid_in_capitals_in_an_answer_is_spelled_as_links_and_the_sid_box_spell_it() -> None:
    sid, parent = "3B4AC1C7-3C2F-4E5A-9D1B-0A1B2C3D4E5F", "0D4A7D3C-1111-4C2E-9E4B-2D0C3A1B9F00"

    call = parse_call({"sid": sid, "parent_call_sid": parent}, fallback_sid=sid.lower())

    assert call.sid == sid.lower()
    assert call.parent_sid == parent.lower()


def test_a_parent_that_is_the_call_itself_in_other_case_is_no_parent() -> None:
    sid = "3b4ac1c7-3c2f-4e5a-9d1b-0a1b2c3d4e5f"

    assert parse_call({"sid": sid, "parent_call_sid": sid.upper()}).parent_sid == ""


@pytest.mark.parametrize(
    "start",
    ["Tue, 30 Jan 2024 13:39:53 +0000", "2024-01-30T13:39:53Z", "2024-01-30T13:39:53.000+00:00"],
)
def test_a_start_time_in_rfc_2822_or_iso_8601_is_read(start: str) -> None:
    call = parse_call({"sid": "3b4ac1c7-3c2f-4e5a-9d1b-0a1b2c3d4e5f", "start_time": start})

    assert call.start == dt.datetime(2024, 1, 30, 13, 39, 53, tzinfo=dt.UTC)


def sw_call(n: int) -> dict[str, Any]:
    start = dt.datetime(2024, 1, 30, 13, tzinfo=dt.UTC) - dt.timedelta(minutes=n)
    return {"sid": f"6f1d3c2a-8e4b-4c1d-9a77-{n:012x}", "start_time": email_date(start)}


def email_date(when: dt.datetime) -> str:
    return when.strftime("%a, %d %b %Y %H:%M:%S +0000")


@pytest.mark.parametrize("page_size", [None, 20, "50"])
def test_a_full_page_without_next_page_uri_says_there_may_be_more(
    answer_with: Callable[..., list[httpx.Request]], page_size: Any
) -> None:
    size = int(page_size or SignalWire.PAGE_SIZE)
    body = {"calls": [sw_call(n) for n in range(size)]} | (
        {"page_size": page_size} if page_size else {}
    )
    answer_with(lambda r: httpx.Response(200, json=body))

    page = offline().search(SearchQuery())

    assert len(page.calls) == size
    assert page.bound_reached
    assert page.next_cursor is None


@pytest.mark.parametrize("body", [{"calls": [sw_call(1)]}, {"calls": [], "next_page_uri": None}])
def test_a_short_page_or_a_null_next_page_uri_is_the_end(
    answer_with: Callable[..., list[httpx.Request]], body: Any
) -> None:
    answer_with(lambda r: httpx.Response(200, json=body))

    assert not offline().search(SearchQuery()).bound_reached


def test_a_list_in_ascending_order_is_shown_whole_and_not_called_newest_first(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    calls = [sw_call(n) for n in reversed(range(5))]
    answer_with(lambda r: httpx.Response(200, json={"next_page_uri": None, "calls": calls}))

    page = offline().search(SearchQuery())

    assert [c.sid for c in page.calls] == [c["sid"] for c in calls]
    assert not page.sorted_newest_first


def test_a_server_refusing_yyyy_mm_dd_dates_is_asked_again_in_rfc_2822(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if "-" in request.url.params["StartTime>"]:
            return httpx.Response(400, json={"code": 21210, "message": "Invalid date"})
        return httpx.Response(200, json={"next_page_uri": None, "calls": [sw_call(1)]})

    seen = answer_with(handler)
    start = dt.datetime(2024, 1, 30, tzinfo=dt.UTC)
    query = SearchQuery(started_from=start, started_before=start + dt.timedelta(days=1))

    page = offline().search(query)

    assert len(page.calls) == 1
    assert [r.url.params["StartTime>"] for r in seen] == [
        "2024-01-29",
        "Mon, 29 Jan 2024 00:00:00 +0000",
    ]
    assert seen[1].url.params["StartTime<"] == "Wed, 31 Jan 2024 00:00:00 +0000"


def test_a_server_refusing_both_date_forms_is_reported_once_asked_twice(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    body = {"code": 21210, "message": "Invalid date"}
    seen = answer_with(lambda r: httpx.Response(400, json=body))
    query = SearchQuery(started_from=dt.datetime(2024, 1, 30, tzinfo=dt.UTC))

    with pytest.raises(UnexpectedAnswer, match="Invalid date"):
        offline().search(query)
    assert len(seen) == 2


def test_a_refused_search_without_dates_is_not_asked_again(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    seen = answer_with(lambda r: httpx.Response(400, json={"message": "Bad To"}))

    with pytest.raises(UnexpectedAnswer):
        offline().search(SearchQuery(to="+14155550100"))
    assert len(seen) == 1
