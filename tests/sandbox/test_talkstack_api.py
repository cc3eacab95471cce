"""The simulated TalkStack API and Twilio media, spoken to over HTTP like the real ones."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from callviewer.sandbox import accounts, talkstack_data
from callviewer.sandbox.audio import wav_for
from callviewer.sandbox.core import Sandbox
from callviewer.sandbox.server import build

PROJECT = "ts-proj-acme-0001"
OTHER = "ts-proj-globex-0002"
KEY = {"x-api-key": accounts.TALKSTACK_PROJECTS[PROJECT]}
TWILIO = next(iter(accounts.TWILIO_ACCOUNTS.items()))
EXAMPLE = talkstack_data.EXAMPLE_SID
FIXTURES = Path(__file__).parent.parent / "fixtures" / "talkstack"
# One pool for the module (a new client per request is slow), made afresh each time the module's
# tests start: pytest-xdist may run them in more than one stretch. The timeout only matters when
# something is wrong; a busy machine must not trip it.
web: httpx.Client


@pytest.fixture(scope="module", autouse=True)
def _web() -> Iterator[None]:
    global web
    web = httpx.Client(timeout=30, trust_env=False)
    yield
    web.close()


def post(
    sandbox: Sandbox,
    path: str,
    body: Any,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return web.post(
        sandbox.url + path, json=body, params=params, headers=KEY if headers is None else headers
    )


def history(sandbox: Sandbox, page_size: int = 500, **params: str) -> httpx.Response:
    return post(
        sandbox, "/call/get-call-history", {"projectId": PROJECT, "pageSize": page_size}, params
    )


def listed(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["data"]
    return items


def day_of(call: dict[str, Any]) -> dt.date:
    return email.utils.parsedate_to_datetime(call["date"]).astimezone(dt.UTC).date()


# Seeded data


def test_data_is_deterministic() -> None:
    first, second = build(seed=7), build(seed=7)
    second.started = first.started

    a = talkstack_data.dataset(first)
    b = talkstack_data.dataset(second)

    assert [c.sid for c in a.history[PROJECT]] == [c.sid for c in b.history[PROJECT]]
    assert a.history[PROJECT] != talkstack_data.dataset(build(seed=8)).history[PROJECT]
    assert talkstack_data.dataset(first) is a  # made once per simulator


def test_live_calls_that_start_together_come_in_one_order_however_late_they_are_read() -> None:
    simulator = build(seed=7)  # its clock runs: the order must not depend on when it is read
    answers, unanswered, long = talkstack_data.LIVE_SIDS[PROJECT]

    for _ in range(20):
        calls = talkstack_data.calls_now(simulator, PROJECT)[:3]
        assert [c.sid for c in calls] == [answers, unanswered, long]
        assert calls[0].start == calls[1].start == simulator.started


@pytest.mark.parametrize("project", list(accounts.TALKSTACK_PROJECTS))
def test_each_project_has_about_300_calls_of_every_status_over_60_days(project: str) -> None:
    # Counted back from the moment the data is made, not from the wall clock: the session's
    # simulator made its data when the first test asked, maybe minutes before this one.
    now = 1_700_000_000
    calls = talkstack_data._generate(7, now).history[project]

    assert 300 <= len(calls) <= 305
    assert set(Counter(c.status for c in calls)) == set(talkstack_data.STATUSES)
    recent = [c for c in calls if c.sid != EXAMPLE]
    assert all(now - 61 * 86_400 < c.start < now for c in recent)
    assert sum(now - c.start < 86_400 for c in recent) >= 10
    assert all(re.fullmatch(r"CA[0-9a-f]{32}", c.sid) for c in calls)
    assert len({c.sid for c in calls}) == len(calls)


def test_calls_that_have_not_ended_have_no_cost_and_no_seconds(sandbox: Sandbox) -> None:
    for call in listed(history(sandbox)):
        if call["status"] not in talkstack_data.FINAL:
            assert call["seconds"] == 0
            assert call.get("cost") is None
            assert call["recordingUrls"] == []


def test_customer_numbers_repeat_so_number_searches_find_several_calls(sandbox: Sandbox) -> None:
    calls = talkstack_data.dataset(sandbox).history[PROJECT]
    numbers = Counter(n for c in calls for n in (c.from_, c.to))

    customers = [n for n in numbers if n not in talkstack_data.OWN_NUMBERS[PROJECT]]
    assert 35 <= len([n for n in customers if n.startswith("+1")]) <= 41
    assert all(re.fullmatch(r"\+1[2-9]\d{2}[2-9]\d{6}|sip:.+", n) for n in customers)
    assert max(numbers[n] for n in customers) >= 3


def test_extracted_data_holds_strings_long_text_and_markup(sandbox: Sandbox) -> None:
    calls = listed(history(sandbox))
    values = [v for c in calls for v in c["data"].values()]

    assert all(isinstance(v, str) for v in values)
    assert {"true", "false", "", talkstack_data.LONG_VALUE, talkstack_data.HTML_VALUE} <= set(
        values
    )
    keys = {k for c in calls for k in c["data"]}
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)*", k) for k in keys)
    assert len(keys) >= 8


def test_completed_calls_have_zero_one_or_two_recordings_on_the_simulator(
    sandbox: Sandbox,
) -> None:
    completed = [c for c in listed(history(sandbox)) if c["status"] == "completed"]
    account = TWILIO[0]
    pattern = re.escape(f"{sandbox.url}/2010-04-01/Accounts/{account}/Recordings/")
    pattern += r"RE[0-9a-f]{32}(\.wav)?"

    assert {len(c["recordingUrls"]) for c in completed} == {0, 1, 2}
    assert all(re.fullmatch(pattern, u) for c in completed for u in c["recordingUrls"])


# POST /call


def test_it_answers_the_documented_example_field_for_field(sandbox: Sandbox) -> None:
    response = post(sandbox, "/call", {"sid": EXAMPLE, "projectId": PROJECT})

    expected = json.loads((FIXTURES / "call_seed_example.json").read_text())
    body = response.json()
    assert response.status_code == 200
    assert list(body) == list(expected)
    assert body | {"recordingUrls": []} == expected | {"recordingUrls": []}
    assert body["recordingUrls"][0].endswith("/Recordings/RE26e39c970fd416515799f5a165718be3.wav")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"projectId": PROJECT}, "sid is required"),
        ({"sid": EXAMPLE}, "projectId is required"),
        ({"sid": "", "projectId": PROJECT}, "sid is required"),
        ([EXAMPLE], "Body must be a JSON object"),
    ],
)
def test_a_call_request_without_its_fields_is_a_400(
    sandbox: Sandbox, body: Any, message: str
) -> None:
    response = post(sandbox, "/call", body)

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": message}


def test_an_unknown_call_is_a_404(sandbox: Sandbox) -> None:
    response = post(sandbox, "/call", {"sid": "CA" + "0" * 32, "projectId": PROJECT})

    assert response.status_code == 404


def test_another_project_s_call_is_a_404(sandbox: Sandbox) -> None:
    other_key = {"x-api-key": accounts.TALKSTACK_PROJECTS[OTHER]}

    response = post(sandbox, "/call", {"sid": EXAMPLE, "projectId": OTHER}, headers=other_key)

    assert response.status_code == 404


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-api-key": "0" * 64},
        {"authorization": "Bearer not-a-token"},
        {"authorization": f"Basic {accounts.TALKSTACK_PROJECTS[PROJECT]}"},
    ],
)
def test_missing_or_wrong_credentials_are_a_401_before_anything_else(
    sandbox: Sandbox, headers: dict[str, str]
) -> None:
    response = post(sandbox, "/call", {}, headers=headers)

    assert response.status_code == 401
    assert response.json() == {"status": "error", "message": "Unauthorized"}


def test_a_bearer_token_is_accepted(sandbox: Sandbox) -> None:
    (token,) = accounts.TALKSTACK_BEARER_TOKENS
    headers = {"authorization": f"Bearer {token}"}

    response = post(sandbox, "/call", {"sid": EXAMPLE, "projectId": PROJECT}, headers=headers)

    assert response.status_code == 200


def test_a_key_naming_another_project_is_a_403(sandbox: Sandbox) -> None:
    response = post(sandbox, "/call", {"sid": EXAMPLE, "projectId": OTHER})

    assert response.status_code == 403
    assert history(sandbox).status_code == 200
    assert post(sandbox, "/call/get-call-history", {"projectId": OTHER}).status_code == 403


# Live calls


def test_live_calls_move_with_the_clock(sandbox: Sandbox) -> None:
    answers, unanswered, long = talkstack_data.LIVE_SIDS[PROJECT]

    def status(sid: str) -> dict[str, Any]:
        answer: dict[str, Any] = post(sandbox, "/call", {"sid": sid, "projectId": PROJECT}).json()
        return answer

    timeline = {}
    for offset in (0, 10, 25, 65, 200):
        sandbox.clock_offset = offset
        timeline[offset] = [status(s)["status"] for s in (answers, unanswered, long)]

    assert timeline == {
        0: ["queued", "ringing", "in-progress"],
        10: ["ringing", "ringing", "in-progress"],
        25: ["in-progress", "ringing", "in-progress"],
        65: ["completed", "no-answer", "in-progress"],
        200: ["completed", "no-answer", "completed"],
    }
    done = status(long)
    assert (done["seconds"], len(done["recordingUrls"])) == (225, 2)
    assert done["cost"] > 0
    # The two live calls that started together always come in the same order (by SID).
    assert [c["callSid"] for c in history(sandbox, 3).json()["data"]] == [answers, unanswered, long]


# POST /call/get-call-history


def test_history_defaults_to_20_newest_first(sandbox: Sandbox) -> None:
    response = post(sandbox, "/call/get-call-history", {"projectId": PROJECT})

    calls = listed(response)
    assert len(calls) == 20
    starts = [email.utils.parsedate_to_datetime(c["date"]) for c in calls]
    assert starts == sorted(starts, reverse=True)
    assert response.json()["status"] == "success"


@pytest.mark.parametrize("size", [0, -1, "ten", True, 2.5])
def test_a_bad_page_size_is_a_400(sandbox: Sandbox, size: Any) -> None:
    response = post(sandbox, "/call/get-call-history", {"projectId": PROJECT, "pageSize": size})

    assert response.status_code == 400


def test_history_without_project_is_a_400(sandbox: Sandbox) -> None:
    assert post(sandbox, "/call/get-call-history", {"pageSize": 5}).status_code == 400


def test_history_with_nothing_matching_is_a_404(sandbox: Sandbox) -> None:
    response = history(sandbox, to="+19995550100")

    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "No calls found"}


@pytest.mark.parametrize(("name", "field"), [("to", "to"), ("from", "from"), ("status", "status")])
def test_history_filters_on_numbers_and_status(sandbox: Sandbox, name: str, field: str) -> None:
    value = listed(history(sandbox))[40][field]

    calls = listed(history(sandbox, **{name: value}))

    assert len(calls) >= 2
    assert {c[field] for c in calls} == {value}


@pytest.mark.parametrize("status", ["voicemail", "silence", "canceled"])
def test_history_filters_on_statuses_beyond_the_documented_eight(
    sandbox: Sandbox, status: str
) -> None:
    assert {c["status"] for c in listed(history(sandbox, status=status))} == {status}


def test_a_plus_sign_must_arrive_encoded(sandbox: Sandbox) -> None:
    number = listed(history(sandbox))[40]["to"]
    raw = web.post(
        f"{sandbox.url}/call/get-call-history?to={number}",
        json={"projectId": PROJECT},
        headers=KEY,
    )

    assert raw.status_code == 404  # "+" in a query string is a space


def test_start_time_is_one_whole_utc_day(sandbox: Sandbox) -> None:
    every = listed(history(sandbox))
    day = day_of(every[50])

    calls = listed(history(sandbox, startTime=day.isoformat()))

    assert {day_of(c) for c in calls} == {day}
    assert len(calls) == sum(day_of(c) == day for c in every)


def test_before_and_after_include_the_named_day(sandbox: Sandbox) -> None:
    every = listed(history(sandbox))
    day = day_of(every[50])

    before = listed(history(sandbox, startTimeBefore=day.isoformat()))
    after = listed(history(sandbox, startTimeAfter=day.isoformat()))

    assert len(before) == sum(day_of(c) <= day for c in every)
    assert len(after) == sum(day_of(c) >= day for c in every)
    assert any(day_of(c) == day for c in before)
    assert any(day_of(c) == day for c in after)


def test_end_filters_only_match_calls_that_have_ended(sandbox: Sandbox) -> None:
    today = dt.datetime.now(dt.UTC).date()
    start = (today - dt.timedelta(days=90)).isoformat()

    ended = listed(history(sandbox, endTimeAfter=start))
    started = listed(history(sandbox, startTimeAfter=start))

    assert {c["status"] for c in ended} == set(talkstack_data.FINAL)
    assert len(ended) == sum(c["status"] in talkstack_data.FINAL for c in started)
    assert history(sandbox, endTimeBefore="2024-01-30").json()["data"][0]["callSid"] == EXAMPLE
    assert listed(history(sandbox, endTime="2024-01-30"))[0]["callSid"] == EXAMPLE


@pytest.mark.parametrize("value", ["2024-1-30", "20240130", "yesterday", "2024-02-30"])
def test_a_date_that_does_not_parse_is_a_400(sandbox: Sandbox, value: str) -> None:
    response = history(sandbox, startTimeAfter=value)

    assert response.status_code == 400
    assert "startTimeAfter" in response.json()["message"]


@pytest.mark.parametrize(
    ("envelope", "where"),
    [("object", "data"), ("calls", "calls"), ("list", None)],
)
def test_the_history_envelope_follows_the_option(
    sandbox: Sandbox, envelope: str, where: str | None
) -> None:
    sandbox.options["talkstack_envelope"] = envelope

    body = history(sandbox, 5).json()

    calls = body if where is None else body[where]
    assert [c["callSid"] for c in calls] == [
        c.sid for c in talkstack_data.calls_now(sandbox, PROJECT)[:5]
    ]


def test_the_bad_envelope_holds_no_list(sandbox: Sandbox) -> None:
    sandbox.options["talkstack_envelope"] = "bad"

    body = history(sandbox, 5).json()

    assert isinstance(body, dict)
    assert not any(isinstance(v, list) for v in body.values())


# Twilio media


def media_url(sandbox: Sandbox, suffix: str = ".wav") -> tuple[str, bytes]:
    call = post(sandbox, "/call", {"sid": EXAMPLE, "projectId": PROJECT}).json()
    url = call["recordingUrls"][0]
    sid = url.rsplit("/", 1)[1].split(".")[0]
    return url.removesuffix(".wav") + suffix, wav_for(sid, 23)


def test_media_needs_the_twilio_account_s_basic_auth(sandbox: Sandbox) -> None:
    url, _ = media_url(sandbox)

    assert web.get(url).status_code == 401
    assert web.get(url, auth=(TWILIO[0], "wrong")).status_code == 401
    assert web.get(url, auth=("AC" + "9" * 32, TWILIO[1])).status_code == 401
    assert web.get(url, auth=TWILIO).status_code == 200


def test_media_is_public_when_auth_is_not_enforced(sandbox: Sandbox) -> None:
    sandbox.options["twilio_enforce_auth"] = False
    url, audio = media_url(sandbox)

    response = web.get(url)

    assert response.status_code == 200
    assert response.content == audio


@pytest.mark.parametrize("suffix", [".wav", ""])
def test_media_is_wav_with_or_without_suffix(sandbox: Sandbox, suffix: str) -> None:
    url, audio = media_url(sandbox, suffix)

    response = web.get(url, auth=TWILIO)

    assert response.headers["content-type"] == "audio/x-wav"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.content == audio
    assert audio.startswith(b"RIFF")


def test_mp3_and_unknown_recordings_are_404(sandbox: Sandbox) -> None:
    url, _ = media_url(sandbox, ".mp3")
    unknown = re.sub(r"RE[0-9a-f]{32}", "RE" + "0" * 32, url)

    assert web.get(url, auth=TWILIO).status_code == 404
    assert web.get(unknown.replace(".mp3", ".wav"), auth=TWILIO).status_code == 404


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-", 0, None), ("bytes=100-199", 100, 199), ("bytes=-500", -500, None)],
)
def test_media_answers_ranges(sandbox: Sandbox, header: str, start: int, end: int | None) -> None:
    url, audio = media_url(sandbox)

    response = web.get(url, auth=TWILIO, headers={"Range": header})

    expected = audio[start : None if end is None else end + 1]
    first = start if start >= 0 else len(audio) + start
    assert response.status_code == 206
    assert response.content == expected
    assert response.headers["content-range"] == (
        f"bytes {first}-{first + len(expected) - 1}/{len(audio)}"
    )


def test_a_range_past_the_end_is_416(sandbox: Sandbox) -> None:
    url, audio = media_url(sandbox)

    response = web.get(url, auth=TWILIO, headers={"Range": f"bytes={len(audio)}-"})

    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(audio)}"


def test_media_can_ignore_ranges(sandbox: Sandbox) -> None:
    sandbox.faults.ignore_range = True
    url, audio = media_url(sandbox)

    response = web.get(url, auth=TWILIO, headers={"Range": "bytes=0-9"})

    assert response.status_code == 200
    assert response.content == audio


def test_media_can_redirect_elsewhere(sandbox: Sandbox) -> None:
    sandbox.options["twilio_redirect_to"] = "https://elsewhere.example.com/media.wav"
    url, _ = media_url(sandbox)

    response = web.get(url, auth=TWILIO)

    assert response.status_code == 302
    assert response.headers["location"] == "https://elsewhere.example.com/media.wav"
    assert web.get(url).status_code == 401  # still only after auth
