"""The TalkStack AI client, against the simulator over HTTP and against the docs' payloads."""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import json
import zoneinfo
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from callviewer.providers.talkstack import TalkStack, call_list, parse_call
from callviewer.providers.types import (
    Call,
    CredentialsRefused,
    Endpoint,
    Money,
    NotFound,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    Recording,
    SearchQuery,
    TimedOut,
    UnexpectedAnswer,
)
from callviewer.sandbox import accounts, talkstack_data
from callviewer.sandbox.core import Sandbox

FIXTURES = Path(__file__).parent.parent / "fixtures" / "talkstack"
PROJECT = "ts-proj-acme-0001"
ACCOUNT, TOKEN = next(iter(accounts.TWILIO_ACCOUNTS.items()))
EXAMPLE = talkstack_data.EXAMPLE_SID


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def make_client(
    sandbox: Sandbox, settings: dict[str, str] | None = None, **secrets: str
) -> TalkStack:
    base = {"project_id": PROJECT, "base_url": sandbox.url, "twilio_base_url": sandbox.url}
    keys = {
        "api_key": accounts.TALKSTACK_PROJECTS[PROJECT],
        "twilio_account_sid": ACCOUNT,
        "twilio_auth_token": TOKEN,
    }
    return TalkStack(base | (settings or {}), keys | secrets)


@pytest.fixture
def talkstack(sandbox: Sandbox) -> TalkStack:
    return make_client(sandbox)


def seeded(sandbox: Sandbox, status: str) -> talkstack_data.SimCall:
    live = talkstack_data.LIVE_SIDS[PROJECT]
    calls = talkstack_data.calls_now(sandbox, PROJECT)
    return next(c for c in calls if c.status == status and c.sid not in live)


def history_params(sandbox: Sandbox) -> list[dict[str, list[str]]]:
    return [r.query for r in sandbox.requests_to("/call/get-call-history")]


def history_bodies(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in sandbox.requests_to("/call/get-call-history")]


# Parsing


def test_it_parses_the_documented_example_exactly() -> None:
    call = parse_call(fixture("call_seed_example.json"), "USD")

    start = dt.datetime(2024, 1, 30, 13, 39, 53, tzinfo=dt.UTC)
    assert call == Call(
        sid=EXAMPLE,
        provider="talkstack",
        status="completed",
        raw_status="completed",
        from_=Endpoint("+14152148508", "number"),
        to=Endpoint("+12068091239", "number"),
        start=start,
        end=start + dt.timedelta(seconds=23),
        duration=23,
        cost=Money(Decimal("0.077"), "USD"),
        recordings=(
            Recording(url="https://api.twilio.com/2010-04-01/Accounts/xxxxxx/Recordings/xxxxx.mp3"),
        ),
        data=(
            ("employeeGoToWork", "false"),
            ("reasonOfCancellation", talkstack_data.LONG_VALUE),
            ("newDate", ""),
        ),
        partner_id="partner-id",
        shift_id="shift-id",
        assignment_id="assignment-id",
    )


def test_it_tolerates_strings_for_numbers_sid_for_callsid_and_missing_fields() -> None:
    call = parse_call(fixture("call_loose_types.json"), "EUR")

    assert call.sid == "CA0123456789abcdef0123456789abcdef"
    assert (call.status, call.raw_status) == ("completed", "Completed")
    assert call.from_ == Endpoint("sip:frontdesk@acme.sip.twilio.com", "sip")
    assert call.to == Endpoint("client:alice", "username")
    assert call.start == dt.datetime(2025, 3, 4, 10, 20, 30, tzinfo=dt.UTC)
    assert call.duration == 41
    assert call.cost == Money(Decimal("0.1375"), "EUR")
    assert call.recordings is not None
    assert [r.sid for r in call.recordings] == ["RE0123456789abcdef0123456789abcdef"]
    assert call.data == (
        ("confirmed", "true"),
        ("attempts", "2"),
        ("notes", ""),
        ("slots", '["morning", "evening"]'),
    )
    assert (call.partner_id, call.shift_id, call.assignment_id) == ("", "", "")


def test_a_call_without_recording_urls_leaves_recordings_unknown() -> None:
    call = parse_call({"callSid": EXAMPLE, "status": "busy"}, "USD")

    assert call.recordings is None
    assert (call.start, call.end, call.cost, call.from_) == (None, None, None, None)


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("in-progress", "in-progress"),
        ("IN_PROGRESS", "in-progress"),
        ("no answer", "no-answer"),
        ("Cancelled", "canceled"),
        ("voicemail", "voicemail"),
        ("transferred", "unknown"),
        ("", "unknown"),
    ],
)
def test_it_normalises_status_spellings_and_keeps_the_raw_value(raw: str, status: str) -> None:
    call = parse_call({"callSid": EXAMPLE, "status": raw}, "USD")

    assert (call.status, call.raw_status) == (status, raw)


@pytest.mark.parametrize(
    ("value", "endpoint"),
    [
        ("+12068091239", Endpoint("+12068091239", "number")),
        ("SIP:desk@example.com", Endpoint("SIP:desk@example.com", "sip")),
        ("12068091239", Endpoint("12068091239", "username")),
        ("", None),
        (None, None),
    ],
)
def test_it_reads_each_kind_of_endpoint(value: str | None, endpoint: Endpoint | None) -> None:
    assert parse_call({"callSid": EXAMPLE, "from": value}, "USD").from_ == endpoint


@pytest.mark.parametrize("date", ["not a date", "Tue, 30 Feb 2024 99:00:00 +0000", 12])
def test_an_unreadable_date_leaves_the_start_empty(date: object) -> None:
    assert parse_call({"callSid": EXAMPLE, "date": date}, "USD").start is None


def test_cost_is_only_set_when_the_answer_has_one() -> None:
    for cost in (None, "", "n/a", True):
        assert parse_call({"callSid": EXAMPLE, "cost": cost}, "USD").cost is None
    assert parse_call({"cost": 0}, "USD").cost == Money(Decimal("0"), "USD")


def test_it_unwraps_a_call_inside_an_envelope(answer_with: Callable[..., Any]) -> None:
    answer_with(lambda r: httpx.Response(200, json=fixture("call_in_envelope.json")))
    client = TalkStack({"project_id": PROJECT}, {"api_key": "k"})

    call = client.get_call("CAfeed0000000000000000000000000001")

    assert (call.status, call.duration, call.cost, call.end) == ("ringing", None, None, None)


# get_call against the simulator


def test_it_reads_the_documented_example_from_the_simulator(talkstack: TalkStack) -> None:
    call = talkstack.get_call(EXAMPLE)

    expected = parse_call(fixture("call_seed_example.json"), "USD")
    assert call.recordings == (
        Recording(
            url=f"{talkstack.settings['base_url']}/2010-04-01/Accounts/{ACCOUNT}"
            f"/Recordings/RE26e39c970fd416515799f5a165718be3.wav",
            sid="RE26e39c970fd416515799f5a165718be3",
        ),
    )
    assert call == replace(expected, recordings=call.recordings)


@pytest.mark.parametrize("status", talkstack_data.STATUSES)
def test_it_reads_every_talkstack_status(
    sandbox: Sandbox, talkstack: TalkStack, status: str
) -> None:
    seed = seeded(sandbox, status)

    call = talkstack.get_call(seed.sid)

    assert (call.status, call.raw_status) == (status, status)
    if call.is_final:
        assert call.duration == seed.seconds
        assert call.end == call.start + dt.timedelta(seconds=seed.seconds)  # type: ignore[operator]
    else:
        assert (call.duration, call.end, call.cost, call.recordings) == (None, None, None, ())


def test_a_completed_call_has_cost_recordings_and_data(
    sandbox: Sandbox, talkstack: TalkStack
) -> None:
    seed = next(
        c
        for c in talkstack_data.calls_now(sandbox, PROJECT)
        if c.status == "completed" and len(c.recordings) == 2 and c.data
    )

    call = talkstack.get_call(seed.sid)

    assert call.cost == Money(Decimal(str(seed.cost)), "USD")
    assert call.recordings is not None
    assert [r.sid for r in call.recordings] == [r.split(".")[0] for r in seed.recordings]
    assert call.data == tuple(seed.data.items())
    assert call.partner_id == seed.partner_id


def test_an_unknown_call_is_not_found(talkstack: TalkStack) -> None:
    with pytest.raises(NotFound):
        talkstack.get_call("CA" + "0" * 32)


def test_a_missing_sid_is_reported_with_talkstack_s_words(talkstack: TalkStack) -> None:
    with pytest.raises(UnexpectedAnswer, match="sid is required") as caught:
        talkstack.get_call("")
    assert caught.value.status == 400


def test_a_wrong_key_is_refused_credentials(sandbox: Sandbox) -> None:
    with pytest.raises(CredentialsRefused):
        make_client(sandbox, api_key="0" * 64).get_call(EXAMPLE)


def test_a_key_for_another_project_is_refused_credentials(sandbox: Sandbox) -> None:
    client = make_client(sandbox, {"project_id": "ts-proj-globex-0002"})

    with pytest.raises(CredentialsRefused) as caught:
        client.get_call(EXAMPLE)
    assert caught.value.status == 403


def test_it_sends_the_key_as_x_api_key_by_default(sandbox: Sandbox, talkstack: TalkStack) -> None:
    talkstack.get_call(EXAMPLE)

    (request,) = sandbox.requests_to("/call")
    assert request.headers["x-api-key"] == accounts.TALKSTACK_PROJECTS[PROJECT]
    assert "authorization" not in request.headers
    assert json.loads(request.body) == {"sid": EXAMPLE, "projectId": PROJECT}


def test_it_sends_a_bearer_token_when_configured(sandbox: Sandbox) -> None:
    (token,) = accounts.TALKSTACK_BEARER_TOKENS
    client = make_client(sandbox, {"auth_header": "bearer"}, api_key=token)

    assert client.get_call(EXAMPLE).sid == EXAMPLE
    (request,) = sandbox.requests_to("/call")
    assert request.headers["authorization"] == f"Bearer {token}"
    assert "x-api-key" not in request.headers


def test_a_project_from_the_database_reads_calls(make_project: Callable[..., Any]) -> None:
    project = make_project("talkstack")

    assert project.client().get_call(EXAMPLE).cost == Money(Decimal("0.077"), "USD")


# Live calls


def test_a_live_call_moves_from_queued_to_completed(sandbox: Sandbox, talkstack: TalkStack) -> None:
    sid = talkstack_data.LIVE_SIDS[PROJECT][0]
    seen = []
    for offset in (0, 10, 30, 61):
        sandbox.clock_offset = offset
        seen.append(talkstack.get_call(sid))

    assert [c.status for c in seen] == ["queued", "ringing", "in-progress", "completed"]
    assert [c.is_final for c in seen] == [False, False, False, True]
    done = seen[-1]
    assert done.duration == 60
    assert done.cost is not None
    assert done.recordings is not None
    assert len(done.recordings) == 1
    assert done.start == seen[0].start


# Search


def test_the_first_page_asks_for_25_newest_first(sandbox: Sandbox, talkstack: TalkStack) -> None:
    page = talkstack.search(SearchQuery())

    assert len(page.calls) == 25
    assert page.next_cursor == "50"
    assert not page.bound_reached
    expected = [c.sid for c in talkstack_data.calls_now(sandbox, PROJECT)[:25]]
    assert [c.sid for c in page.calls] == expected
    assert history_bodies(sandbox) == [{"projectId": PROJECT, "pageSize": 25}]
    assert history_params(sandbox) == [{}]


def test_each_filter_reaches_talkstack_as_its_own_query_parameter(
    sandbox: Sandbox, talkstack: TalkStack
) -> None:
    query = SearchQuery(
        to="+12068091239",
        from_="+14152148508",
        status="completed",
        started_from=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        started_before=dt.datetime(2024, 1, 31, tzinfo=dt.UTC),
    )

    page = talkstack.search(query)

    # Whole UTC days, a day wider on each side: the edges' meaning is not documented.
    assert history_params(sandbox) == [
        {
            "to": ["+12068091239"],
            "from": ["+14152148508"],
            "status": ["completed"],
            "startTimeAfter": ["2023-12-31"],
            "startTimeBefore": ["2024-01-31"],
        }
    ]
    assert [c.sid for c in page.calls] == [EXAMPLE]
    assert page.next_cursor is None


def test_a_number_search_finds_only_that_number(talkstack: TalkStack) -> None:
    page = talkstack.search(SearchQuery(to="+14152148508"))

    assert len(page.calls) >= 2
    assert {str(c.to) for c in page.calls} == {"+14152148508"}


@pytest.mark.parametrize("status", ["voicemail", "silence", "canceled"])
def test_statuses_beyond_the_documented_eight_are_sent_as_they_are(
    sandbox: Sandbox, talkstack: TalkStack, status: str
) -> None:
    page = talkstack.search(SearchQuery(status=status))

    assert history_params(sandbox) == [{"status": [status]}]
    assert page.calls
    assert {c.status for c in page.calls} == {status}


def test_the_unknown_status_is_not_sent_to_talkstack(
    sandbox: Sandbox, talkstack: TalkStack
) -> None:
    page = talkstack.search(SearchQuery(status="unknown"))

    assert history_params(sandbox) == [{}]
    assert page.calls == []


def test_a_date_range_of_one_day_includes_that_whole_day(
    sandbox: Sandbox, talkstack: TalkStack
) -> None:
    day = dt.datetime.fromtimestamp(seeded(sandbox, "completed").start, dt.UTC).date()

    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    query = SearchQuery(started_from=start, started_before=start + dt.timedelta(days=1))
    page = talkstack.search(query)

    assert page.calls
    assert {c.start.date() for c in page.calls if c.start} == {day}
    assert page.passed_over  # the widened days brought calls of the days around it


def test_bounds_in_an_agents_zone_are_trimmed_exactly(
    sandbox: Sandbox, talkstack: TalkStack
) -> None:
    # 2024-11-03 in Los Angeles, the day daylight saving time ends: 25 hours long.
    zone = zoneinfo.ZoneInfo("America/Los_Angeles")
    start = dt.datetime(2024, 11, 3, tzinfo=zone).astimezone(dt.UTC)
    end = dt.datetime(2024, 11, 4, tzinfo=zone).astimezone(dt.UTC)
    assert end - start == dt.timedelta(hours=25)
    query = SearchQuery(started_from=start, started_before=end)

    assert query.utc_days() == (dt.date(2024, 11, 2), dt.date(2024, 11, 5))
    page = talkstack.search(query)
    history_params(sandbox)  # asked with the widened UTC days
    assert all(start <= c.start < end for c in page.calls if c.start)


def test_no_match_is_an_empty_page_not_an_error(sandbox: Sandbox, talkstack: TalkStack) -> None:
    page = talkstack.search(SearchQuery(to="+19995550100"))

    assert page.calls == []
    assert page.next_cursor is None
    assert sandbox.requests_to("/call/get-call-history")


@pytest.mark.parametrize("envelope", ["object", "list", "calls"])
def test_it_reads_each_history_envelope(
    sandbox: Sandbox, talkstack: TalkStack, envelope: str
) -> None:
    sandbox.options["talkstack_envelope"] = envelope

    page = talkstack.search(SearchQuery(status="busy"))

    expected = [c.sid for c in talkstack_data.calls_now(sandbox, PROJECT) if c.status == "busy"]
    assert [c.sid for c in page.calls] == expected[:25]


def test_an_envelope_without_a_list_is_an_unexpected_answer(
    sandbox: Sandbox, talkstack: TalkStack
) -> None:
    sandbox.options["talkstack_envelope"] = "bad"

    with pytest.raises(UnexpectedAnswer, match="no list of calls"):
        talkstack.search(SearchQuery())


def test_a_list_nested_one_level_down_is_found() -> None:
    calls = call_list("TalkStack AI", fixture("history_nested.json"))

    assert [c["callSid"] for c in calls] == [EXAMPLE, "CA0123456789abcdef0123456789abcdef"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"status": "success", "tags": [], "items": [{"callSid": EXAMPLE}]},
            [{"callSid": EXAMPLE}],
        ),
        ({"status": "success", "data": []}, []),
        ([], []),
    ],
)
def test_empty_lists_beside_the_calls_are_ignored(body: Any, expected: list[Any]) -> None:
    assert call_list("TalkStack AI", body) == expected


@pytest.mark.parametrize(
    "body",
    [
        {"a": [{"callSid": EXAMPLE}], "b": [{"callSid": EXAMPLE}]},
        {"data": ["CA1", "CA2"]},
        ["CA1"],
        "calls",
        None,
        {"message": "ok"},
    ],
)
def test_any_other_history_shape_is_an_unexpected_answer(body: Any) -> None:
    with pytest.raises(UnexpectedAnswer):
        call_list("TalkStack AI", body)


def test_a_history_answer_that_is_not_json_is_an_unexpected_answer(
    answer_with: Callable[..., Any],
) -> None:
    answer_with(lambda r: httpx.Response(200, text="<html>login</html>"))

    with pytest.raises(UnexpectedAnswer, match="not JSON"):
        TalkStack({"project_id": PROJECT}, {"api_key": "k"}).search(SearchQuery())


def test_a_history_in_date_order_says_it_is_newest_first(talkstack: TalkStack) -> None:
    assert talkstack.search(SearchQuery()).sorted_newest_first


def history_item(sid: int, hours_ago: int) -> dict[str, Any]:
    when = dt.datetime(2024, 1, 30, 13, 39, 53, tzinfo=dt.UTC) - dt.timedelta(hours=hours_ago)
    return {"callSid": f"CA{sid:032x}", "date": email.utils.format_datetime(when)}


def test_a_history_out_of_date_order_does_not_say_newest_first(
    answer_with: Callable[..., Any],
) -> None:
    ages = [1, 0, *range(2, 25)]  # the second call is newer than the first
    answer_with(
        lambda r: httpx.Response(200, json=[history_item(i, a) for i, a in enumerate(ages)])
    )

    page = twilio_client().search(SearchQuery())

    assert [c.sid for c in page.calls] == [f"CA{i:032x}" for i in range(25)]  # as given
    assert not page.sorted_newest_first


def test_more_results_is_newest_first_only_if_the_earlier_calls_were_too(
    answer_with: Callable[..., Any],
) -> None:
    # Both times the second window (calls 25-49) is in order; the first time, call 1 is
    # newer than call 0, so the first page and this one together are not.
    answers = [[1, 0, *range(2, 50)], list(range(50))]
    answer_with(
        lambda r: httpx.Response(
            200, json=[history_item(i, a) for i, a in enumerate(answers.pop(0))]
        )
    )

    page = twilio_client().search(SearchQuery(), "50")
    assert len(page.calls) == 25
    assert not page.sorted_newest_first

    assert twilio_client().search(SearchQuery(), "50").sorted_newest_first


def test_history_items_whose_sid_callviewer_cannot_open_are_not_listed(
    answer_with: Callable[..., Any],
) -> None:
    items = [
        {"callSid": EXAMPLE},
        {"callSid": "CA1/../x"},
        {"callSid": ["CA"]},
        {"callSid": {"sid": EXAMPLE}},
        {"sid": "  "},
        {"callSid": EXAMPLE.lower().replace("ca", "CA", 1) + "\x00"},
    ]
    answer_with(lambda r: httpx.Response(200, json=items))

    page = twilio_client().search(SearchQuery())

    assert [c.sid for c in page.calls] == [EXAMPLE]


def test_nul_characters_are_dropped_from_every_text_value() -> None:
    call = parse_call(
        {
            "callSid": EXAMPLE + "\x00",
            "status": "comp\x00leted",
            "from": "+1415\x005550123",
            "data": {"no\x00te": "a\x00b", "nested": {"k\x00": ["v\x00"]}},
            "partnerId": "p\x00",
            "recordingUrls": [MEDIA + "\x00"],
        },
        "USD",
    )

    assert (call.sid, call.status, call.from_) == (
        EXAMPLE,
        "completed",
        Endpoint("+14155550123", "number"),
    )
    assert call.data == (("note", "ab"), ("nested", '{"k": ["v"]}'))
    assert call.partner_id == "p"
    assert call.recordings == (Recording(url=MEDIA, sid=f"RE{'a' * 32}"),)
    assert "\x00" not in json.dumps(call.raw)


# More results


def test_more_results_asks_for_a_larger_page_and_shows_only_the_new_calls(
    sandbox: Sandbox, talkstack: TalkStack
) -> None:
    first = talkstack.search(SearchQuery())
    second = talkstack.search(SearchQuery(), first.next_cursor)

    assert [b["pageSize"] for b in history_bodies(sandbox)] == [25, 50]
    assert second.next_cursor == "75"
    shown = [c.sid for c in first.calls + second.calls]
    assert shown == [c.sid for c in talkstack_data.calls_now(sandbox, PROJECT)[:50]]


def test_the_last_page_has_no_cursor(sandbox: Sandbox, talkstack: TalkStack) -> None:
    query = SearchQuery(status="voicemail")
    total = sum(c.status == "voicemail" for c in talkstack_data.calls_now(sandbox, PROJECT))
    assert 25 < total < 50

    first = talkstack.search(query)
    second = talkstack.search(query, first.next_cursor)

    assert len(second.calls) == total - 25
    assert second.next_cursor is None
    assert not second.bound_reached


def test_the_page_size_bound_ends_more_results(sandbox: Sandbox) -> None:
    class SmallBound(TalkStack):
        MAX_PAGE_SIZE = 50

    client = SmallBound(make_client(sandbox).settings, make_client(sandbox).secrets)

    page = client.search(SearchQuery(), "50")

    assert len(page.calls) == 25
    assert page.bound_reached
    assert page.next_cursor is None


def test_the_real_bound_is_500() -> None:
    assert TalkStack.MAX_PAGE_SIZE == 500


def test_more_results_skips_repeated_sids(answer_with: Callable[..., Any]) -> None:
    sids = [f"CA{i:032x}" for i in range(50)]
    listed = sids[:30] + sids[3:5] + sids[30:48]  # the provider repeats two calls
    seen = answer_with(lambda r: httpx.Response(200, json=[{"callSid": s} for s in listed]))
    client = TalkStack({"project_id": PROJECT}, {"api_key": "k"})

    page = client.search(SearchQuery(), "50")

    assert json.loads(seen[0].content)["pageSize"] == 50
    assert [c.sid for c in page.calls] == sids[25:48]
    assert page.next_cursor == "75"


@pytest.mark.parametrize("cursor", ["abc", "-50", "0", "25", "99999", "\uff15\uff10", "50.0", ""])
def test_a_cursor_not_made_by_search_starts_over(
    sandbox: Sandbox, talkstack: TalkStack, cursor: str
) -> None:
    page = talkstack.search(SearchQuery(), cursor)

    assert history_bodies(sandbox)[0]["pageSize"] == 25
    assert page.calls[0].sid == talkstack_data.calls_now(sandbox, PROJECT)[0].sid


# Failures


def test_it_retries_a_5xx_then_reports_talkstack_unavailable(
    sandbox: Sandbox, talkstack: TalkStack
) -> None:
    sandbox.faults.fail_sids = {EXAMPLE: 503}

    with pytest.raises(ProviderUnavailable, match="HTTP 503"):
        talkstack.get_call(EXAMPLE)
    assert len(sandbox.requests_to("/call")) == 3


def test_it_retries_after_a_short_rate_limit(sandbox: Sandbox, talkstack: TalkStack) -> None:
    sandbox.faults.rate_limit_next = 1
    sandbox.faults.retry_after = "0"

    assert talkstack.get_call(EXAMPLE).sid == EXAMPLE
    assert len(sandbox.requests_to("/call")) == 2


def test_a_long_rate_limit_is_reported_with_its_wait(
    sandbox: Sandbox, talkstack: TalkStack
) -> None:
    sandbox.faults.rate_limit_next = 1
    sandbox.faults.retry_after = "60"

    with pytest.raises(RateLimited) as caught:
        talkstack.search(SearchQuery())
    assert caught.value.retry_after == 60
    assert len(sandbox.requests_to("/call")) == 1


def test_a_slow_answer_times_out(sandbox: Sandbox, talkstack: TalkStack, settings: Any) -> None:
    settings.PROVIDER_READ_TIMEOUT = 0.2
    sandbox.faults.timeout_sids = {EXAMPLE}
    sandbox.faults.hang_seconds = 0.6

    with pytest.raises(TimedOut):
        talkstack.get_call(EXAMPLE)
    assert len(sandbox.requests_to("/call")) == 1  # a read timeout is not retried


# Recordings


def test_list_recordings_uses_the_recordings_already_in_the_call(
    sandbox: Sandbox, talkstack: TalkStack
) -> None:
    call = talkstack.get_call(EXAMPLE)

    assert talkstack.list_recordings(call) == list(call.recordings or ())
    assert len(sandbox.requests_to("/call")) == 1


def test_list_recordings_fetches_the_call_when_it_has_no_list(
    sandbox: Sandbox, talkstack: TalkStack
) -> None:
    bare = parse_call({"callSid": EXAMPLE}, "USD")

    recordings = talkstack.list_recordings(bare)

    assert [r.sid for r in recordings] == ["RE26e39c970fd416515799f5a165718be3"]
    assert len(sandbox.requests_to("/call")) == 1


def twilio_client(**secrets: str) -> TalkStack:
    return TalkStack({"project_id": PROJECT}, {"api_key": "k"} | secrets)


MEDIA = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE{'a' * 32}.mp3"


def test_media_from_twilio_gets_basic_auth_for_twilio_only() -> None:
    source = twilio_client(twilio_account_sid=ACCOUNT, twilio_auth_token=TOKEN).media_source(
        Recording(url=MEDIA)
    )

    expected = base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    assert source.url == MEDIA
    assert source.allowed_origins == frozenset({"https://api.twilio.com"})
    assert source.credential_origin == "https://api.twilio.com"
    assert source.headers == {"Authorization": f"Basic {expected}"}


def test_media_without_twilio_credentials_is_fetched_without_auth() -> None:
    source = twilio_client(twilio_account_sid=ACCOUNT).media_source(Recording(url=MEDIA))

    assert source.headers is None
    assert source.credential_origin == ""


def test_http_twilio_media_is_upgraded_to_https() -> None:
    source = twilio_client().media_source(Recording(url=MEDIA.replace("https:", "http:")))

    assert source.url == MEDIA


TWILIO = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}"
RE = f"RE{'b' * 32}"
CA = f"CA{'c' * 32}"


@pytest.mark.parametrize("scope", ["", f"/Calls/{CA}"], ids=["account", "call-scoped"])
@pytest.mark.parametrize("extension", [".mp3", ".wav", ""])
def test_twilio_recording_urls_in_either_form_are_fetched_as_given(
    scope: str, extension: str
) -> None:
    url = f"{TWILIO}{scope}/Recordings/{RE}{extension}"
    client = twilio_client(twilio_account_sid=ACCOUNT, twilio_auth_token=TOKEN)
    (recording,) = parse_call({"callSid": EXAMPLE, "recordingUrls": [url]}, "USD").recordings or ()

    source = client.media_source(recording)

    assert recording.sid == RE
    assert source.url == url
    assert source.allowed_origins == frozenset({"https://api.twilio.com"})


def test_a_query_or_fragment_on_a_recording_url_is_not_fetched() -> None:
    source = twilio_client().media_source(Recording(url=f"{TWILIO}/Recordings/{RE}.mp3?x=1#y"))

    assert source.url == f"{TWILIO}/Recordings/{RE}.mp3"


@pytest.mark.parametrize(
    "url",
    [
        f"{TWILIO}/Calls.json",
        f"{TWILIO}/Calls/{CA}.json",
        f"{TWILIO}/Recordings/{RE}.json",
        f"{TWILIO}/Recordings/{RE}/Transcriptions.json",
        f"{TWILIO}/Calls/{CA}/Recordings.json",
        f"{TWILIO}/Recordings/../Calls.json",
        f"{TWILIO}/Recordings/%2e%2e/Calls.json",
        f"{TWILIO}.json",
        "https://api.twilio.com/2010-04-01/Accounts.json",
    ],
)
def test_other_twilio_resources_are_never_fetched_with_the_twilio_credentials(url: str) -> None:
    client = twilio_client(twilio_account_sid=ACCOUNT, twilio_auth_token=TOKEN)

    with pytest.raises(UnexpectedAnswer, match="host callviewer does not fetch from"):
        client.media_source(Recording(url=url))


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example.com/2010-04-01/Accounts/AC1/Recordings/RE1.mp3",
        "https://xn--zz/2010-04-01/Accounts/AC1/Recordings/RE1.mp3",
        "https://xn--a.example/2010-04-01/Accounts/AC1/Recordings/RE1.mp3",
        "https://api.twilio.com:99999/2010-04-01/Accounts/AC1/Recordings/RE1.mp3",
        "https://api.twilio.com.evil.example.com/Recordings/RE1.mp3",
        "https://api.twilio.com@evil.example.com/Recordings/RE1.mp3",
        "https://user:pass@api.twilio.com/Recordings/RE1.mp3",
        "http://api.twilio.com:8080/Recordings/RE1.mp3",
        "ftp://api.twilio.com/Recordings/RE1.mp3",
        "file:///etc/passwd",
        "/2010-04-01/Accounts/AC1/Recordings/RE1.mp3",
        "http://[::1/x",
    ],
)
def test_media_on_any_other_host_is_refused(url: str) -> None:
    client = twilio_client(twilio_account_sid=ACCOUNT, twilio_auth_token=TOKEN)

    with pytest.raises(UnexpectedAnswer, match="host callviewer does not fetch from"):
        client.media_source(Recording(url=url))


@pytest.mark.parametrize("base", ["https://xn--zz", "https://xn--a.example", "api.twilio.com"])
def test_a_twilio_media_base_url_callviewer_cannot_read_is_for_an_administrator_to_fix(
    base: str,
) -> None:
    client = TalkStack({"project_id": PROJECT, "twilio_base_url": base}, {"api_key": "k"})

    with pytest.raises(ProviderError, match="Twilio media base URL is not a URL callviewer"):
        client.media_source(Recording(url=MEDIA))


@pytest.mark.parametrize("base", ["https://xn--zz", "https://xn--a.example/", "talkstack"])
def test_a_base_url_callviewer_cannot_read_is_for_an_administrator_to_fix(
    answer_with: Callable[..., Any], base: str
) -> None:
    seen = answer_with(lambda r: httpx.Response(200, json=[]))
    client = TalkStack({"project_id": PROJECT, "base_url": base}, {"api_key": "k"})

    for ask in (client.test_connection, lambda: client.get_call(EXAMPLE)):
        with pytest.raises(ProviderError, match="Base URL is not a URL callviewer can use"):
            ask()
    assert seen == []


def test_media_on_the_simulator_is_allowed_when_it_is_the_twilio_base(
    talkstack: TalkStack,
) -> None:
    (recording,) = talkstack.get_call(EXAMPLE).recordings or ()

    source = talkstack.media_source(recording)
    response = httpx.get(source.url, headers=dict(source.headers or {}))

    assert source.allowed_origins == frozenset({talkstack.settings["twilio_base_url"]})
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/x-wav"
    assert response.content.startswith(b"RIFF")


# Connection test


def test_the_connection_test_asks_for_one_call(sandbox: Sandbox, talkstack: TalkStack) -> None:
    talkstack.test_connection()

    assert history_bodies(sandbox) == [{"projectId": PROJECT, "pageSize": 1}]


def test_the_connection_test_accepts_a_project_without_calls(
    answer_with: Callable[..., Any],
) -> None:
    answer_with(lambda r: httpx.Response(404, json={"status": "error", "message": "Not found"}))

    twilio_client().test_connection()


def test_the_connection_test_reports_refused_credentials(sandbox: Sandbox) -> None:
    with pytest.raises(CredentialsRefused):
        make_client(sandbox, api_key="wrong").test_connection()


def test_the_connection_test_reports_an_unreachable_host(settings: Any) -> None:
    settings.PROVIDER_MAX_RETRIES = 0
    client = TalkStack({"project_id": PROJECT, "base_url": "http://127.0.0.1:9"}, {"api_key": "k"})

    with pytest.raises(ProviderUnavailable):
        client.test_connection()


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("queued", "Temporary: TalkStack's systems have not placed the call yet"),
        ("ringing", "Temporary: the phone is ringing"),
        ("voicemail", "Permanent: the call reached voicemail"),
        ("busy", "Permanent: the line was busy"),
        ("silence", "Permanent: TalkStack closed the call after more than 6 seconds of silence"),
        ("completed", "Final: the call ended normally"),
    ],
)
def test_talkstacks_temporary_and_permanent_statuses_are_said_in_words(
    status: str, words: str
) -> None:
    (fact,) = TalkStack.outcome_facts(Call("CA1", "talkstack", status, status))
    assert fact.label == "TalkStack AI status" and fact.value.startswith(words)
    assert fact.code == status


@pytest.mark.parametrize("status", ["failed", "no-answer", "initiated", ""])
def test_statuses_talkstack_does_not_call_temporary_or_permanent_get_no_gloss(status: str) -> None:
    assert TalkStack.outcome_facts(Call("CA1", "talkstack", "failed", status)) == ()


@pytest.mark.parametrize(
    ("phone_number", "other"), [("+12068091239", "from"), ("+14152148508", "to"), (None, "from")]
)
def test_the_other_party_is_the_one_that_is_not_the_agents_number(
    phone_number: str | None, other: str
) -> None:
    caller, called = Endpoint("+14152148508"), Endpoint("+12068091239")
    call = parse_call(
        {"callSid": "CA" + "1" * 32, "from": "+14152148508", "to": "+12068091239"}
        | ({"phoneNumber": phone_number} if phone_number else {}),
        "USD",
    )
    assert TalkStack.other_party(call) == (caller if other == "from" else called)


# Other readings of the undocumented history (a server built from the same docs by others)


def item(n: int, **fields: Any) -> dict[str, Any]:
    start = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC) - dt.timedelta(minutes=n)
    return {"callSid": f"CA{n:032x}", "status": "completed", "date": start.isoformat()} | fields


@pytest.mark.parametrize("key", ["date", "startTime", "start_time", "dateCreated", "createdAt"])
def test_a_start_under_any_usual_name_is_read(key: str) -> None:
    call = parse_call({"callSid": f"CA{1:032x}", key: "2024-01-30T13:39:53.000Z"}, "USD")

    assert call.start == dt.datetime(2024, 1, 30, 13, 39, 53, tzinfo=dt.UTC)


@pytest.mark.parametrize("value", [1706621993, 1706621993000, 1706621993.5])
def test_a_start_as_unix_seconds_or_milliseconds_is_read(value: float) -> None:
    call = parse_call({"callSid": f"CA{1:032x}", "date": value}, "USD")

    assert call.start is not None
    assert call.start.replace(microsecond=0) == dt.datetime(2024, 1, 30, 13, 39, 53, tzinfo=dt.UTC)


@pytest.mark.parametrize("value", [-1706621993, 12, 10**30, float("inf"), float("nan"), True])
def test_an_absurd_unix_start_is_left_empty(value: float) -> None:
    assert parse_call({"callSid": f"CA{1:032x}", "date": value}, "USD").start is None


def test_a_sid_under_call_sid_is_read() -> None:
    assert parse_call({"call_sid": f"CA{7:032x}"}, "USD").sid == f"CA{7:032x}"


@pytest.mark.parametrize(
    "body",
    [
        {"message": "No calls found", "status": "success", "data": None},
        {"calls": None},
        {"status": "success", "data": []},
        {"status": "success", "result": None, "count": 0},
    ],
)
def test_an_envelope_with_a_null_or_empty_list_is_no_calls(body: Any) -> None:
    assert call_list("TalkStack AI", body) == []


@pytest.mark.parametrize(
    "body",
    [
        {"status": "error", "message": "Project not found"},
        {"success": False, "message": "Project not found"},
        {"status": "failed", "message": "Project not found", "data": None},
    ],
)
def test_a_200_that_says_error_is_reported_in_talkstacks_words(
    answer_with: Callable[..., Any], body: Any
) -> None:
    answer_with(lambda r: httpx.Response(200, json=body))
    client = TalkStack({"project_id": PROJECT}, {"api_key": "k"})

    with pytest.raises(UnexpectedAnswer, match="answered with an error: Project not found"):
        client.search(SearchQuery())


def test_a_history_oldest_first_is_shown_whole_and_not_called_newest_first(
    answer_with: Callable[..., Any],
) -> None:
    listed = [item(n, seconds="12", cost=None) for n in reversed(range(10))]
    answer_with(lambda r: httpx.Response(200, json={"history": listed}))
    client = TalkStack({"project_id": PROJECT}, {"api_key": "k"})

    page = client.search(SearchQuery())

    assert [c.sid for c in page.calls] == [i["callSid"] for i in listed]
    assert not page.sorted_newest_first
    assert page.calls[0].duration == 12
    assert page.calls[0].cost is None


def test_more_rows_than_asked_are_cut_to_the_page_and_more_results_goes_on(
    answer_with: Callable[..., Any],
) -> None:
    answer_with(lambda r: httpx.Response(200, json=[item(n) for n in range(60)]))
    client = TalkStack({"project_id": PROJECT}, {"api_key": "k"})

    first = client.search(SearchQuery())
    second = client.search(SearchQuery(), first.next_cursor)

    assert [c.sid for c in first.calls + second.calls] == [f"CA{n:032x}" for n in range(50)]
    assert second.next_cursor == "75"


def test_a_server_ignoring_page_size_says_it_may_have_more(
    answer_with: Callable[..., Any],
) -> None:
    # 20 calls (the documented default pageSize) when 25 were asked for.
    answer_with(lambda r: httpx.Response(200, json=[item(n) for n in range(20)]))
    client = TalkStack({"project_id": PROJECT}, {"api_key": "k"})

    page = client.search(SearchQuery())

    assert len(page.calls) == 20
    assert page.bound_reached


@pytest.mark.parametrize(
    ("start", "first_day", "last_day"),
    [
        # A Los Angeles day, 22 Nov: 08:00 UTC on the 22nd to 08:00 UTC on the 23rd.
        ("2026-11-22T08:00:00+00:00", "2026-11-21", "2026-11-24"),
    ],
)
def test_date_bounds_are_sent_as_yyyy_mm_dd_and_cover_either_reading(
    answer_with: Callable[..., Any], start: str, first_day: str, last_day: str
) -> None:
    seen = answer_with(lambda r: httpx.Response(404, json={"message": "No calls"}))
    begin = dt.datetime.fromisoformat(start)
    query = SearchQuery(started_from=begin, started_before=begin + dt.timedelta(days=1))

    TalkStack({"project_id": PROJECT}, {"api_key": "k"}).search(query)

    # "on or after midnight" of the day before, "on or before midnight" of the day after the
    # last: whether a server counts the named day itself in or out, the whole span is asked.
    assert seen[0].url.params["startTimeAfter"] == first_day
    assert seen[0].url.params["startTimeBefore"] == last_day


def test_a_sid_in_capitals_in_an_answer_is_spelled_as_the_sid_box_spells_it() -> None:
    assert parse_call({"callSid": EXAMPLE.upper()}, "USD").sid == EXAMPLE


@pytest.mark.parametrize(("status", "content"), [(204, b""), (200, b""), (200, b"  \n")])
def test_an_empty_2xx_history_is_no_calls(
    answer_with: Callable[..., Any], status: int, content: bytes
) -> None:
    answer_with(lambda r: httpx.Response(status, content=content))
    client = TalkStack({"project_id": PROJECT}, {"api_key": "k"})

    assert client.search(SearchQuery()).calls == []
    client.test_connection()
