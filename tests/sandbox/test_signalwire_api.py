"""The simulated SignalWire Compatibility API, spoken to over HTTP as SignalWire's clients do."""

from __future__ import annotations

import collections
import datetime as dt
import email.utils
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from callviewer.sandbox import accounts, signalwire_data
from callviewer.sandbox.core import Sandbox
from callviewer.sandbox.signalwire_api import BASE

PROJECT, TOKEN = next(iter(accounts.SIGNALWIRE_PROJECTS.items()))
ACCOUNT = f"{BASE}/Accounts/{PROJECT}"
LIVE_ANSWERED, LIVE_UNANSWERED, LIVE_LONG, LIVE_CANCELED = signalwire_data.LIVE_CALL_SIDS
UNKNOWN = "00000000-0000-4000-8000-000000000000"
RFC_2822 = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000")
# Every field seeds/001 lists as required in CallResponse.
REQUIRED = {
    "sid", "account_sid", "date_created", "date_updated", "parent_call_sid", "to",
    "formatted_to", "to_formatted", "from", "formatted_from", "from_formatted",
    "phone_number_sid", "status", "start_time", "end_time", "duration", "price", "price_unit",
    "direction", "answered_by", "api_version", "forwarded_from", "caller_name", "uri",
    "subresource_uris", "annotation", "group_sid", "audio_in_mos", "sip_result_code",
    "audio_rtt_avg", "audio_rtt_min", "audio_rtt_max", "audio_out_jitter_min",
    "audio_out_jitter_max", "audio_out_jitter_avg", "audio_out_lost",
}  # fmt: skip


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[httpx.Client]:
    # The timeout only matters when something is wrong; a busy machine must not trip it.
    with httpx.Client(
        base_url=sandbox.url, auth=(PROJECT, TOKEN), timeout=30, trust_env=False
    ) as client:
        yield client


@pytest.fixture
def anonymous(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, timeout=30, trust_env=False) as client:
        yield client


def every_call(api: httpx.Client, **params: str) -> list[dict[str, Any]]:
    response = api.get(f"{ACCOUNT}/Calls.json", params={"PageSize": "1000", **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_page_uri"] is None
    calls: list[dict[str, Any]] = body["calls"]
    return calls


def started(call: dict[str, Any]) -> dt.datetime:
    return email.utils.parsedate_to_datetime(call["start_time"])


def with_recordings(sandbox: Sandbox, count: int) -> signalwire_data.SimCall:
    calls = (signalwire_data.find(sandbox, s) for s in signalwire_data.seeded_call_sids(sandbox))
    return next(c for c in calls if c and len(c.recordings) == count)


# Authentication and errors


def test_a_request_without_credentials_is_refused_in_signalwires_shape(
    anonymous: httpx.Client,
) -> None:
    response = anonymous.get(f"{ACCOUNT}/Calls/{LIVE_ANSWERED}.json")

    assert response.status_code == 401
    assert response.json() == {
        "code": 20003,
        "message": "Authentication Error - invalid username",
        "more_info": "https://developer.signalwire.com/compatibility-api/reference/error-codes",
        "status": 401,
    }
    assert response.headers["WWW-Authenticate"].startswith("Basic")


@pytest.mark.parametrize("auth", [(PROJECT, "PTwrong"), (UNKNOWN, TOKEN), (PROJECT, ""), ("", "")])
def test_wrong_credentials_are_refused(anonymous: httpx.Client, auth: tuple[str, str]) -> None:
    response = anonymous.get(f"{ACCOUNT}/Calls.json", auth=auth)

    assert (response.status_code, response.json()["code"]) == (401, 20003)


def test_a_malformed_authorization_header_is_refused(anonymous: httpx.Client) -> None:
    response = anonymous.get(f"{ACCOUNT}.json", headers={"Authorization": "Basic %%%"})

    assert response.status_code == 401


def test_the_account_in_the_path_must_be_the_authenticated_project(api: httpx.Client) -> None:
    response = api.get(f"{BASE}/Accounts/{UNKNOWN}/Calls/{LIVE_ANSWERED}.json")

    assert (response.status_code, response.json()["code"]) == (401, 20003)


def test_an_unknown_call_is_404_in_signalwires_shape(api: httpx.Client) -> None:
    response = api.get(f"{ACCOUNT}/Calls/{UNKNOWN}.json")

    assert response.status_code == 404
    assert response.json()["code"] == 20404
    assert set(response.json()) == {"code", "message", "more_info", "status"}


def test_a_rate_limit_fault_answers_code_20429(sandbox: Sandbox, api: httpx.Client) -> None:
    sandbox.faults.rate_limit_next = 1

    response = api.get(f"{ACCOUNT}/Calls.json")

    assert (response.status_code, response.json()["code"]) == (429, 20429)
    assert api.get(f"{ACCOUNT}/Calls.json").status_code == 200


def test_the_account_answers_as_a_light_request(api: httpx.Client) -> None:
    for path in (f"{ACCOUNT}.json", ACCOUNT):
        body = api.get(path).json()
        assert (body["sid"], body["status"]) == (PROJECT, "active")
        assert body["uri"] == f"{ACCOUNT}.json"


# One call


def test_a_call_has_every_required_field_with_or_without_the_json_suffix(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    sid = signalwire_data.seeded_call_sids(sandbox)[0]

    with_suffix = api.get(f"{ACCOUNT}/Calls/{sid}.json").json()
    without = api.get(f"{ACCOUNT}/Calls/{sid}").json()

    assert with_suffix == without
    assert set(with_suffix) == REQUIRED
    assert with_suffix["uri"] == f"{ACCOUNT}/Calls/{sid}.json"
    assert with_suffix["subresource_uris"]["recordings"] == f"{ACCOUNT}/Calls/{sid}/Recordings.json"
    assert RFC_2822.fullmatch(with_suffix["date_created"])


def test_seeded_calls_vary_the_way_real_answers_do(sandbox: Sandbox, api: httpx.Client) -> None:
    calls = every_call(api)

    assert len(calls) == signalwire_data.CALLS_PER_PROJECT + len(signalwire_data.LIVE_CALL_SIDS)
    assert all(set(c) == REQUIRED for c in calls)
    assert {c["status"] for c in calls} == set(signalwire_data.STATUSES)
    assert {c["direction"] for c in calls} == {
        "inbound",
        "outbound",
        "outbound-api",
        "outbound-dial",
    }
    assert {c["answered_by"] for c in calls} == {None, "human", "machine"}
    assert {c["price_unit"] for c in calls} == {"USD"}
    prices = [c["price"] for c in calls]
    assert {type(p) for p in prices} == {float, str, int, type(None)}
    assert any(isinstance(p, str) and p.startswith("-") for p in prices)
    assert any(isinstance(p, float) and p < 0 for p in prices)
    assert any(isinstance(p, float) and p > 0 for p in prices)
    assert {type(c["audio_in_mos"]) for c in calls} == {float, str, type(None)}
    completed = [c for c in calls if c["status"] == "completed"]
    assert any(c["audio_rtt_avg"] is None for c in completed)
    assert any(c["to"].startswith("sip:") or c["from"].startswith("sip:") for c in calls)
    assert any(c["formatted_to"].startswith("(") for c in calls)
    assert all(c["parent_call_sid"] for c in calls if c["direction"] == "outbound-dial")
    assert all(c["sip_result_code"] in (None, "200") for c in completed)
    assert all(RFC_2822.fullmatch(c["start_time"]) for c in calls if c["start_time"])


def test_numbers_come_from_a_small_pool_so_searches_find_several(api: httpx.Client) -> None:
    calls = every_call(api)
    others = collections.Counter(
        c["from"] if c["direction"] == "inbound" else c["to"] for c in calls
    )

    assert 30 <= len(others) <= 45
    assert sum(1 for n in others.values() if n >= 3) >= 20


def test_seeded_data_is_deterministic() -> None:
    first = signalwire_data._generate(7, 1_700_000_000)
    again = signalwire_data._generate(7, 1_700_000_000)
    other = signalwire_data._generate(8, 1_700_000_000)

    assert first.history == again.history
    assert [c.sid for c in first.history[PROJECT]] != [c.sid for c in other.history[PROJECT]]
    spread = [1_700_000_000 - c.created for c in first.history[PROJECT]]
    assert min(spread) > 0 and max(spread) < signalwire_data.DAYS * 86_400 + 60
    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
    assert all(uuid.fullmatch(sid) for sid in first.by_sid)


def test_a_live_call_advances_with_the_clock(sandbox: Sandbox, api: httpx.Client) -> None:
    def now() -> dict[str, Any]:
        body: dict[str, Any] = api.get(f"{ACCOUNT}/Calls/{LIVE_ANSWERED}.json").json()
        return body

    ringing = now()
    assert (ringing["status"], ringing["end_time"], ringing["price"]) == ("ringing", None, None)
    sandbox.clock_offset = 21
    assert now()["status"] == "in-progress"
    sandbox.clock_offset = 60
    done = now()
    assert (done["status"], done["duration"], done["price"]) == ("completed", 40, "-0.0130")
    assert done["end_time"] is not None


def test_other_live_calls_go_unanswered_or_cancelled(sandbox: Sandbox, api: httpx.Client) -> None:
    def status(sid: str) -> tuple[str, Any]:
        body = api.get(f"{ACCOUNT}/Calls/{sid}.json").json()
        return body["status"], body["start_time"]

    assert status(LIVE_UNANSWERED) == ("queued", None)
    assert status(LIVE_CANCELED)[0] == "ringing"
    assert status(LIVE_LONG)[0] == "in-progress"
    sandbox.clock_offset = 121
    assert status(LIVE_UNANSWERED)[0] == "no-answer"
    assert status(LIVE_CANCELED)[0] == "canceled"
    assert status(LIVE_LONG)[0] == "completed"


# History: filters


def test_history_is_newest_first_in_pages_of_fifty(api: httpx.Client) -> None:
    body = api.get(f"{ACCOUNT}/Calls.json").json()

    assert (body["page"], body["page_size"], len(body["calls"])) == (0, 50, 50)
    created = [email.utils.parsedate_to_datetime(c["date_created"]) for c in body["calls"]]
    assert created == sorted(created, reverse=True)


@pytest.mark.parametrize(("name", "attribute"), [("To", "to"), ("From", "from")])
def test_history_filters_by_address(api: httpx.Client, name: str, attribute: str) -> None:
    address = every_call(api)[20][attribute]

    found = every_call(api, **{name: address})

    assert found and all(c[attribute] == address for c in found)


def test_history_filters_by_status_and_parent(api: httpx.Client) -> None:
    child = next(c for c in every_call(api) if c["parent_call_sid"])

    assert {c["status"] for c in every_call(api, Status="busy")} == {"busy"}
    assert [c["sid"] for c in every_call(api, ParentCallSid=child["parent_call_sid"])] == [
        child["sid"]
    ]


def test_an_unknown_status_is_a_bad_request(api: httpx.Client) -> None:
    response = api.get(f"{ACCOUNT}/Calls.json", params={"Status": "voicemail"})

    assert (response.status_code, response.json()["status"]) == (400, 400)


def test_start_time_bounds_are_inclusive_dates(api: httpx.Client) -> None:
    day = started(every_call(api)[100]).date()

    after = every_call(api, **{"StartTime>": day.isoformat()})
    before = every_call(api, **{"StartTime<": day.isoformat()})
    on = every_call(api, StartTime=day.isoformat())

    assert on and all(started(c).date() == day for c in on)
    assert all(started(c).date() >= day for c in after)
    assert all(started(c).date() <= day for c in before)
    # Each call that started that day is on both sides; none goes missing.
    assert len(after) + len(before) - len(on) == len(
        every_call(api, **{"StartTime>": "2000-01-01"})
    )


def test_the_url_form_start_time_gte_is_the_start_time_after_parameter(
    sandbox: Sandbox, anonymous: httpx.Client
) -> None:
    day = "2000-01-01"

    response = anonymous.get(
        f"{ACCOUNT}/Calls.json?StartTime>={day}&PageSize=1", auth=(PROJECT, TOKEN)
    )

    assert response.status_code == 200
    (request,) = sandbox.requests_to(f"{ACCOUNT}/Calls.json")
    assert request.query["StartTime>"] == [day]


def test_date_filters_accept_rfc_2822_times(api: httpx.Client) -> None:
    call = every_call(api)[100]
    moment = started(call)

    after = every_call(api, **{"StartTime>": email.utils.format_datetime(moment)})
    before = every_call(api, **{"StartTime<": call["start_time"]})
    sept = every_call(api, **{"StartTime<": "Wed, 19 Sept 2018 20:00:00 +0000"})

    assert call["sid"] in {c["sid"] for c in after} & {c["sid"] for c in before}
    assert all(started(c) >= moment for c in after)
    assert sept == []  # SignalWire's own "Sept" spelling is read, and nothing is that old


def test_end_time_filters(api: httpx.Client) -> None:
    call = next(c for c in every_call(api) if c["end_time"])
    day = email.utils.parsedate_to_datetime(call["end_time"]).date().isoformat()

    found = every_call(api, EndTime=day)

    assert call["sid"] in {c["sid"] for c in found}
    assert all(c["end_time"] for c in every_call(api, **{"EndTime>": "2000-01-01"}))


@pytest.mark.parametrize(
    "params",
    [
        {"StartTime>": "yesterday"},
        {"StartTime<": "2024-13-45"},
        {"EndTime": "31/01/2024"},
        {"PageSize": "1001"},
        {"PageSize": "0"},
        {"PageSize": "ten"},
        {"Page": "-1"},
        {"PageToken": "PAnot-a-call"},
    ],
)
def test_a_bad_filter_value_is_a_400_in_signalwires_shape(
    api: httpx.Client, params: dict[str, str]
) -> None:
    response = api.get(f"{ACCOUNT}/Calls.json", params=params)

    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "more_info", "status"}
    assert next(iter(params)) in response.json()["message"]


# History: paging


def test_paging_uris_are_relative_and_carry_the_filters_and_token(api: httpx.Client) -> None:
    body = api.get(
        f"{ACCOUNT}/Calls.json", params={"StartTime>": "2000-01-01", "PageSize": "40"}
    ).json()

    last = body["calls"][-1]["sid"]
    assert body["uri"] == f"{ACCOUNT}/Calls.json?StartTime%3E=2000-01-01&PageSize=40&Page=0"
    assert body["first_page_uri"] == body["uri"]
    assert body["next_page_uri"] == (
        f"{ACCOUNT}/Calls.json?StartTime%3E=2000-01-01&PageSize=40&Page=1&PageToken=PA{last}"
    )
    assert body["previous_page_uri"] is None


def test_following_next_page_uri_walks_every_call_once(api: httpx.Client) -> None:
    everything = [c["sid"] for c in every_call(api)]
    seen: list[str] = []
    uri: str | None = f"{ACCOUNT}/Calls.json?PageSize=120"
    pages = []
    while uri:
        body = api.get(uri).json()
        pages.append(body)
        seen += [c["sid"] for c in body["calls"]]
        uri = body["next_page_uri"]

    assert seen == everything
    assert [p["page"] for p in pages] == [0, 1, 2]
    assert pages[-1]["previous_page_uri"] == f"{ACCOUNT}/Calls.json?PageSize=120&Page=1"
    assert api.get(pages[-1]["previous_page_uri"]).json()["calls"] == pages[1]["calls"]


def test_next_page_uri_can_be_absolute_or_on_another_host(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    sandbox.options["signalwire_absolute_next"] = True
    absolute = api.get(f"{ACCOUNT}/Calls.json").json()["next_page_uri"]
    sandbox.options["signalwire_next_host"] = "http://evil.example"
    elsewhere = api.get(f"{ACCOUNT}/Calls.json").json()["next_page_uri"]

    assert absolute.startswith(f"{sandbox.url}{ACCOUNT}/Calls.json?")
    assert elsewhere.startswith(f"http://evil.example{ACCOUNT}/Calls.json?")


# Recordings


def test_a_calls_recordings_are_listed(sandbox: Sandbox, api: httpx.Client) -> None:
    stored = with_recordings(sandbox, 2)

    body = api.get(f"{ACCOUNT}/Recordings.json", params={"CallSid": stored.sid}).json()
    via_call = api.get(f"{ACCOUNT}/Calls/{stored.sid}/Recordings.json").json()

    assert body["recordings"] == via_call["recordings"]
    first = body["recordings"][0]
    assert [r["sid"] for r in body["recordings"]] == [r.sid for r in stored.recordings]
    assert first["call_sid"] == stored.sid
    assert (first["status"], first["account_sid"]) == ("completed", PROJECT)
    assert first["duration"] == str(stored.recordings[0].duration)
    assert first["channels"] in ("1", "2")
    assert first["uri"] == f"{ACCOUNT}/Recordings/{first['sid']}.json"
    assert body["next_page_uri"] is None


def test_recording_uris_can_be_given_in_the_call_scoped_form(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    sandbox.options["signalwire_call_scoped_uris"] = True
    stored = with_recordings(sandbox, 1)

    (listed,) = api.get(f"{ACCOUNT}/Recordings.json", params={"CallSid": stored.sid}).json()[
        "recordings"
    ]

    sid = stored.recordings[0].sid
    assert listed["uri"] == f"{ACCOUNT}/Calls/{stored.sid}/Recordings/{sid}.json"
    assert listed["subresource_uris"]["transcriptions"] == (
        f"{ACCOUNT}/Recordings/{sid}/Transcriptions.json"
    )


def test_recording_counts_run_from_none_to_two(sandbox: Sandbox) -> None:
    calls = [signalwire_data.find(sandbox, s) for s in signalwire_data.seeded_call_sids(sandbox)]
    counts = {len(c.recordings) for c in calls if c and c.status == "completed"}
    unanswered = {len(c.recordings) for c in calls if c and c.status != "completed"}

    assert counts == {0, 1, 2}
    assert unanswered == {0}


def test_a_live_call_has_a_recording_only_once_it_is_over(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    def listed() -> list[dict[str, Any]]:
        body = api.get(f"{ACCOUNT}/Recordings.json", params={"CallSid": LIVE_ANSWERED}).json()
        recordings: list[dict[str, Any]] = body["recordings"]
        return recordings

    media = f"{ACCOUNT}/Recordings/{signalwire_data.LIVE_RECORDING_SIDS[0]}.wav"
    assert listed() == []
    assert api.get(media).status_code == 404
    sandbox.clock_offset = 61
    assert [r["sid"] for r in listed()] == [signalwire_data.LIVE_RECORDING_SIDS[0]]
    assert api.get(media).status_code == 200


def test_recording_metadata_needs_credentials(
    sandbox: Sandbox, api: httpx.Client, anonymous: httpx.Client
) -> None:
    recording = with_recordings(sandbox, 1).recordings[0]
    path = f"{ACCOUNT}/Recordings/{recording.sid}.json"

    assert api.get(path).json()["sid"] == recording.sid
    assert anonymous.get(path).status_code == 401


@pytest.mark.parametrize("suffix", ["", ".wav"])
def test_recording_media_is_a_public_wav_by_default(
    sandbox: Sandbox, anonymous: httpx.Client, suffix: str
) -> None:
    recording = with_recordings(sandbox, 1).recordings[0]

    response = anonymous.get(f"{ACCOUNT}/Recordings/{recording.sid}{suffix}")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "audio/x-wav"
    assert response.content[:4] == b"RIFF"
    # 8 kHz, 16-bit mono: the file is as long as the recording's duration says.
    assert (len(response.content) - 44) // 16_000 == recording.duration


def test_mp3_media_is_not_available_here(sandbox: Sandbox, anonymous: httpx.Client) -> None:
    recording = with_recordings(sandbox, 1).recordings[0]

    response = anonymous.get(f"{ACCOUNT}/Recordings/{recording.sid}.mp3")

    assert (response.status_code, response.json()["code"]) == (404, 20404)


def test_an_unknown_recording_is_404(anonymous: httpx.Client) -> None:
    assert anonymous.get(f"{ACCOUNT}/Recordings/{UNKNOWN}.wav").status_code == 404


def test_protected_media_needs_the_projects_credentials(
    sandbox: Sandbox, api: httpx.Client, anonymous: httpx.Client
) -> None:
    sandbox.options["signalwire_protect_media"] = True
    path = f"{ACCOUNT}/Recordings/{with_recordings(sandbox, 1).recordings[0].sid}.wav"

    assert anonymous.get(path).status_code == 401
    assert anonymous.get(path, auth=(PROJECT, "PTwrong")).status_code == 401
    assert api.get(path).status_code == 200


@pytest.mark.parametrize(
    ("header", "status", "content_range", "length"),
    [
        ("bytes=0-", 206, "bytes 0-{last}/{size}", "{size}"),
        ("bytes=100-199", 206, "bytes 100-199/{size}", "100"),
        ("bytes=-500", 206, "bytes {tail}-{last}/{size}", "500"),
        ("bytes=99999999-", 416, "bytes */{size}", "0"),
    ],
)
def test_recording_media_answers_range_requests(
    sandbox: Sandbox,
    anonymous: httpx.Client,
    header: str,
    status: int,
    content_range: str,
    length: str,
) -> None:
    recording = with_recordings(sandbox, 1).recordings[0]
    path = f"{ACCOUNT}/Recordings/{recording.sid}.wav"
    whole = anonymous.get(path).content
    size = len(whole)
    values = {"size": size, "last": size - 1, "tail": size - 500}

    response = anonymous.get(path, headers={"Range": header})

    assert response.status_code == status
    assert response.headers["Content-Range"] == content_range.format(**values)
    assert response.headers["Content-Length"] == length.format(**values)
    if header == "bytes=100-199":
        assert response.content == whole[100:200]
    if header == "bytes=-500":
        assert response.content == whole[-500:]


# Transcriptions


def test_recordings_have_transcriptions_of_every_status_and_some_none(sandbox: Sandbox) -> None:
    recordings = list(signalwire_data.dataset(sandbox).recordings.values())
    kinds = {tuple(t.status for t in signalwire_data.transcripts_for(r)) for r in recordings}
    assert {(), ("completed",), ("in-progress",), ("failed",)} <= kinds


def test_a_recording_s_transcriptions_are_listed_in_twilio_s_shape(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    recording = next(
        r
        for r in signalwire_data.dataset(sandbox).recordings.values()
        if [t.status for t in signalwire_data.transcripts_for(r)] == ["completed"]
    )
    response = api.get(f"{ACCOUNT}/Recordings/{recording.sid}/Transcriptions.json")
    assert response.status_code == 200
    (item,) = response.json()["transcriptions"]
    assert item["recording_sid"] == recording.sid
    assert item["status"] == "completed" and item["transcription_text"]
    assert item["price"].startswith("-") and item["price_unit"] == "USD"
    assert RFC_2822.fullmatch(item["date_created"])
    one = api.get(f"{ACCOUNT}/Transcriptions/{item['sid']}.json")
    assert one.json() == item


def test_transcriptions_need_the_project_s_credentials(
    anonymous: httpx.Client, sandbox: Sandbox
) -> None:
    recording = next(iter(signalwire_data.dataset(sandbox).recordings.values()))
    response = anonymous.get(f"{ACCOUNT}/Recordings/{recording.sid}/Transcriptions.json")
    assert response.status_code == 401


def test_an_unknown_recording_has_no_transcriptions(api: httpx.Client) -> None:
    assert api.get(f"{ACCOUNT}/Recordings/{UNKNOWN}/Transcriptions.json").status_code == 404
    assert api.get(f"{ACCOUNT}/Transcriptions/{UNKNOWN}.json").status_code == 404
