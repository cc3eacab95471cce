"""The simulated Sinch Calling API v1, spoken to over HTTP like the real one."""

from __future__ import annotations

import base64
import datetime as dt
import math
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from callviewer.providers.sinch import sign_request, utc_timestamp
from callviewer.sandbox import accounts, sinch_api, sinch_data
from callviewer.sandbox.core import Sandbox
from callviewer.sandbox.server import build

KEY, SECRET = next(iter(accounts.SINCH_APPLICATIONS.items()))
PATH = "/calling/v1/calls/id/{}"
JSON = "application/json"
# Made afresh each time the module's tests start (pytest-xdist may run them in more than one
# stretch); the timeout only matters when something is wrong.
web: httpx.Client


@pytest.fixture(scope="module", autouse=True)
def _web() -> Iterator[None]:
    global web
    web = httpx.Client(timeout=30, trust_env=False)
    yield
    web.close()


def signed(
    path: str,
    *,
    method: str = "GET",
    body: bytes = b"",
    content_type: str = JSON,
    timestamp: str = "",
    key: str = KEY,
    secret: str = SECRET,
) -> dict[str, str]:
    headers = sign_request(
        method, path, body, content_type, timestamp or utc_timestamp(), key, secret
    )
    return headers | ({"Content-Type": content_type} if content_type else {})


def get(
    sandbox: Sandbox, call_id: str, headers: dict[str, str] | None = None, **kwargs: Any
) -> httpx.Response:
    path = PATH.format(call_id)
    chosen = signed(path) if headers is None else headers
    return web.request("GET", sandbox.url + path, headers=chosen, **kwargs)


def some_call(sandbox: Sandbox) -> str:
    return sinch_api.seeded_call_ids(sandbox)[0]


def assert_refused(response: httpx.Response, words: str = "") -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["errorCode"] == 40100
    assert words.lower() in body["message"].lower()
    uuid.UUID(body["reference"])


# Authentication


def test_a_signed_request_is_answered_with_the_call(sandbox: Sandbox) -> None:
    call_id = some_call(sandbox)

    response = get(sandbox, call_id)

    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == [
        "from",
        "to",
        "domain",
        "callId",
        "duration",
        "status",
        "result",
        "reason",
        "timestamp",
        "custom",
        "userRate",
        "debit",
    ]
    assert body["callId"] == call_id
    assert body["domain"] == "pstn"
    assert set(body["from"]) == set(body["to"]) == {"type", "endpoint"}
    assert set(body["debit"]) == set(body["userRate"]) == {"currencyId", "amount"}


def test_basic_credentials_are_accepted(sandbox: Sandbox) -> None:
    pair = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()

    response = get(sandbox, some_call(sandbox), {"Authorization": f"Basic {pair}"})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [
        "",
        "Bearer " + SECRET,
        "Basic " + base64.b64encode(f"{KEY}:wrong".encode()).decode(),
        "Basic " + base64.b64encode(f"someone:{SECRET}".encode()).decode(),
        "Basic " + base64.b64encode(KEY.encode()).decode(),
        "Basic not-base64!",
        f"Application {KEY}",
        f"Application {KEY}:",
        "Application :c2lnbmF0dXJl",
    ],
)
def test_missing_or_wrong_credentials_are_refused_in_sinch_shape(
    sandbox: Sandbox, authorization: str
) -> None:
    headers = {"Authorization": authorization, "x-timestamp": utc_timestamp()}

    assert_refused(get(sandbox, some_call(sandbox), headers))


def test_a_signature_made_with_another_secret_is_refused(sandbox: Sandbox) -> None:
    path = PATH.format(some_call(sandbox))
    other = base64.b64encode(b"another secret").decode()

    assert_refused(get(sandbox, some_call(sandbox), signed(path, secret=other)), "signature")


def test_a_signature_for_another_path_is_refused(sandbox: Sandbox) -> None:
    first, second = sinch_api.seeded_call_ids(sandbox)[:2]

    response = get(sandbox, second, signed(PATH.format(first)))

    assert_refused(response, "signature")


def test_the_content_type_signed_must_be_the_one_received(sandbox: Sandbox) -> None:
    call_id = some_call(sandbox)
    path = PATH.format(call_id)
    signed_as_json_sent_without = {k: v for k, v in signed(path).items() if k != "Content-Type"}

    assert_refused(get(sandbox, call_id, signed_as_json_sent_without), "signature")
    assert get(sandbox, call_id, signed(path, content_type="")).status_code == 200
    assert get(sandbox, call_id, signed(path, content_type="text/plain")).status_code == 200


def test_a_body_is_covered_by_its_md5(sandbox: Sandbox) -> None:
    call_id = some_call(sandbox)
    path = PATH.format(call_id)
    body = b'{"note": "a GET with a body"}'

    assert get(sandbox, call_id, signed(path, body=body), content=body).status_code == 200
    assert_refused(get(sandbox, call_id, signed(path), content=body), "signature")
    assert_refused(get(sandbox, call_id, signed(path, body=body), content=body + b" "), "signature")


def test_the_query_string_is_not_part_of_the_signed_path(sandbox: Sandbox) -> None:
    call_id = some_call(sandbox)

    response = get(sandbox, call_id, signed(PATH.format(call_id)), params={"x": "1"})

    assert response.status_code == 200


def test_the_method_is_signed(sandbox: Sandbox) -> None:
    call_id = some_call(sandbox)

    response = get(sandbox, call_id, signed(PATH.format(call_id), method="POST"))

    assert_refused(response, "signature")


@pytest.mark.parametrize("minutes", [-14, 14])
def test_a_timestamp_within_fifteen_minutes_is_accepted(sandbox: Sandbox, minutes: int) -> None:
    call_id = some_call(sandbox)
    when = utc_timestamp(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes))

    assert get(sandbox, call_id, signed(PATH.format(call_id), timestamp=when)).status_code == 200


@pytest.mark.parametrize("minutes", [-16, 16, -24 * 60])
def test_a_timestamp_further_off_is_refused(sandbox: Sandbox, minutes: int) -> None:
    call_id = some_call(sandbox)
    when = utc_timestamp(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes))

    assert_refused(get(sandbox, call_id, signed(PATH.format(call_id), timestamp=when)), "time")


def test_moving_the_call_clock_does_not_move_the_signature_clock(sandbox: Sandbox) -> None:
    sandbox.clock_offset = 3 * 3600

    assert get(sandbox, some_call(sandbox)).status_code == 200


@pytest.mark.parametrize("timestamp", ["", "yesterday", "2024-13-45T00:00:00Z"])
def test_a_missing_or_unreadable_timestamp_is_refused(sandbox: Sandbox, timestamp: str) -> None:
    call_id = some_call(sandbox)
    headers = signed(PATH.format(call_id), timestamp="2024-01-30T13:39:53.000Z")
    headers["x-timestamp"] = timestamp

    assert_refused(get(sandbox, call_id, headers), "x-timestamp")


def test_timestamps_with_offsets_or_without_fraction_are_read(sandbox: Sandbox) -> None:
    call_id = some_call(sandbox)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for stamp in (now.isoformat(), now.astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat()):
        response = get(sandbox, call_id, signed(PATH.format(call_id), timestamp=stamp))
        assert response.status_code == 200, stamp


# Calls


def test_an_unknown_call_is_404_in_sinch_shape(sandbox: Sandbox) -> None:
    response = get(sandbox, "0" * 32)

    assert response.status_code == 404
    body = response.json()
    assert (body["errorCode"], body["message"]) == (40400, "Call not found")
    uuid.UUID(body["reference"])


def test_credentials_are_checked_before_the_call_is_looked_up(sandbox: Sandbox) -> None:
    assert_refused(get(sandbox, "0" * 32, {"Authorization": "Basic eDp5"}))


def test_another_applications_call_is_not_found(monkeypatch: pytest.MonkeyPatch) -> None:
    other_key, other_secret = "11111111-2222-4333-8444-555555555555", "b3RoZXItc2VjcmV0"
    monkeypatch.setitem(accounts.SINCH_APPLICATIONS, other_key, other_secret)
    server = build(seed=7).start()
    try:
        theirs = sinch_api.seeded_call_ids(server, other_key)[0]
        path = PATH.format(theirs)
        as_them = get(server, theirs, signed(path, key=other_key, secret=other_secret))
        as_us = get(server, theirs)
    finally:
        server.stop()

    assert as_them.status_code == 200
    assert as_us.status_code == 404
    assert theirs not in sinch_api.seeded_call_ids(server)


def test_there_is_no_history_or_recordings_endpoint_in_v1(sandbox: Sandbox) -> None:
    pair = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    auth = {"Authorization": f"Basic {pair}"}

    for path in ("/calling/v1/calls", "/calling/v1/calls/id", "/calling/v1/recordings"):
        assert web.get(sandbox.url + path, headers=auth).status_code == 404, path
    assert web.post(sandbox.url + PATH.format(some_call(sandbox)), headers=auth).status_code == 405


# Seeded data


def seeded(sandbox: Sandbox) -> list[sinch_data.SimCall]:
    calls = [sinch_data.find(sandbox, i) for i in sinch_api.seeded_call_ids(sandbox)]
    return [c for c in calls if c is not None]


def test_about_300_calls_are_seeded_over_60_days(sandbox: Sandbox) -> None:
    calls = seeded(sandbox)
    anchor = sinch_data.dataset(sandbox).history[KEY][0].start + 120  # newest is >= 2 min old

    assert len(calls) == len({c.call_id for c in calls}) == 300
    assert all(re.fullmatch(r"[0-9a-f]{32}", c.call_id) for c in calls)
    assert [c.start for c in calls] == sorted((c.start for c in calls), reverse=True)
    assert calls[-1].start > anchor - 60 * 86_400 - 120
    assert sum(c.start > anchor - 86_400 for c in calls) >= 10
    assert not set(sinch_api.LIVE_CALL_IDS) & {c.call_id for c in calls}


def test_the_same_seed_gives_the_same_calls() -> None:
    first = sinch_api.seeded_call_ids(build(seed=7))

    assert first == sinch_api.seeded_call_ids(build(seed=7))
    assert first != sinch_api.seeded_call_ids(build(seed=8))


def test_the_data_is_made_once_per_simulator(sandbox: Sandbox) -> None:
    assert sinch_data.dataset(sandbox) is sinch_data.dataset(sandbox)


def test_every_type_spelling_result_and_reason_occurs(sandbox: Sandbox) -> None:
    calls = seeded(sandbox)

    types = Counter(c.from_type for c in calls) + Counter(c.to_type for c in calls)
    assert set(types) == set(sinch_data.ENDPOINT_TYPES)
    assert {c.result for c in calls} == set(sinch_data.RESULTS)
    assert {c.reason for c in calls} == set(sinch_data.REASONS)
    assert {c.currency for c in calls} == {"USD", "EUR"}
    assert {c.status for c in calls} == {"FINAL"}


def test_endpoints_fit_their_type(sandbox: Sandbox) -> None:
    for call in seeded(sandbox):
        for kind, value in ((call.from_type, call.from_endpoint), (call.to_type, call.to_endpoint)):
            if kind.lower() in ("number", "did"):
                assert re.fullmatch(r"\+1\d{10}", value), value
            elif kind == "sip":
                assert value.endswith("@example.sip.sinch.com")
            else:
                assert re.fullmatch(r"[a-z]+-\d+", value), value


def test_debit_is_the_rate_for_every_minute_started(sandbox: Sandbox) -> None:
    calls = seeded(sandbox)

    for call in calls:
        assert call.debit == pytest.approx(call.rate * math.ceil(call.duration / 60))
        assert (call.duration > 0) == (call.result == "ANSWERED")
    assert any(c.debit > c.rate > 0 for c in calls)  # totals that are not the rate


def test_timestamps_come_in_several_iso_8601_forms(sandbox: Sandbox) -> None:
    stamps = [sinch_api.call_json(c)["timestamp"] for c in seeded(sandbox)[:8]]

    assert {s[19:][:1] for s in stamps} == {"Z", ".", "+"}
    assert any(re.search(r"\.\d{7}Z$", s) for s in stamps)
    for stamp, call in zip(stamps, seeded(sandbox)[:8], strict=True):
        assert dt.datetime.fromisoformat(stamp).timestamp() == pytest.approx(call.start, abs=1)


# Live calls


def live(sandbox: Sandbox, n: int) -> dict[str, Any]:
    response = get(sandbox, sinch_api.LIVE_CALL_IDS[n])
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_live_call_is_ongoing_then_final_as_time_moves(sandbox: Sandbox) -> None:
    before = live(sandbox, 0)
    sandbox.clock_offset = 60
    after = live(sandbox, 0)

    assert (before["status"], before["result"], before["duration"]) == ("ONGOING", "N/A", 0)
    assert before["debit"]["amount"] == 0
    assert (after["status"], after["result"], after["reason"]) == (
        "FINAL",
        "ANSWERED",
        "CALLEEHANGUP",
    )
    assert after["duration"] == 52
    assert after["debit"] == {"currencyId": "USD", "amount": 0.0135}


def test_live_calls_end_at_their_own_times(sandbox: Sandbox) -> None:
    sandbox.clock_offset = 31
    assert (live(sandbox, 1)["status"], live(sandbox, 1)["result"]) == ("FINAL", "NOANSWER")
    assert live(sandbox, 2)["status"] == "ONGOING"

    sandbox.clock_offset = 180
    long_call = live(sandbox, 2)
    assert (long_call["status"], long_call["duration"]) == ("FINAL", 225)
    assert long_call["debit"] == {"currencyId": "EUR", "amount": 0.0756}


def test_live_calls_that_start_together_have_one_start_however_late_they_are_read() -> None:
    simulator = build(seed=7)  # its clock runs: the start must not depend on when it is read
    first, second = (sinch_data.find(simulator, i) for i in sinch_api.LIVE_CALL_IDS[:2])

    assert first is not None and second is not None
    assert first.start == second.start == simulator.started


def test_a_live_call_started_when_the_simulator_did(sandbox: Sandbox) -> None:
    started = dt.datetime.fromisoformat(live(sandbox, 2)["timestamp"]).timestamp()

    assert started == pytest.approx(sandbox.now() - sandbox.elapsed() - 45, abs=1)
