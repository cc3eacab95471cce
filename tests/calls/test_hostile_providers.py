"""No answer of a provider gets a 5xx from callviewer other than 502 or 504.

Property-based: hypothesis makes up each provider's answers (status, headers, body: call
objects whose every field may be of any JSON type or an odd value, envelopes, paging links,
recording URLs and media answers) and serves them at the HTTP seam. The search page and its
fragments, the export, the call page, its status fragment and the recording proxy may say the
provider failed (502, 503, 504), never answer 500.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from django.test import Client
from hypothesis import event, given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from callviewer.calls.recordings import AUDIO_TYPES, UNKNOWN_TYPE
from callviewer.projects.models import Project
from callviewer.providers import http
from callviewer.sandbox import accounts

from .hostile import body_of, examples, hostile_text, isolated

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("error::django.core.cache.backends.base.CacheKeyWarning"),
    pytest.mark.filterwarnings("error::RuntimeWarning"),
]

TS_SID = "CA" + "ab" * 16
SW_SID = "6e6b6fc8-2a8c-4a0c-9d5e-1f5cf1d1b2a7"
SINCH_SID = "4398599d1ba84ef3bde0a82dfb61abed"
SW_ACCOUNT = f"/api/laml/2010-04-01/Accounts/{next(iter(accounts.SIGNALWIRE_PROJECTS))}"
HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """Retry-After as the provider says, without waiting it out; one retry."""
    monkeypatch.setattr(http, "sleep", lambda seconds: None)
    settings.PROVIDER_MAX_RETRIES = 1


# Values a provider may put in any field

numbers = st.one_of(
    st.integers(-(10**30), 10**30),
    st.floats(),  # NaN and infinities too (Python's json reads them)
    st.sampled_from(["1e400", "-0", "NaN", "Infinity", "0x10", "1_000", "١٢", "", " 5 "]),
    st.integers(-(10**30), 10**30).map(str),
)


# Times near the ends of the calendar, and of 32-bit Unix time.
EDGES = [dt.datetime(1, 1, 1), dt.datetime(1, 1, 2, 12), dt.datetime(9999, 12, 30, 12)]
EDGES += [dt.datetime(9999, 12, 31, 23, 59, 59), dt.datetime(1970, 1, 1), dt.datetime(2038, 1, 19)]


def readable_in_utc(moment: dt.datetime) -> bool:
    """Whether the time, read in UTC, is a day or more away from the calendar's ends.

    Nearer times (0001-01-01T00:00:00+14:00 is before the calendar in UTC) are kept by
    values.moment and break the pages' date formatting: a 500 whose fix belongs in
    callviewer/providers/values.py, left out here and shown by
    test_a_time_at_the_ends_of_the_calendar_is_not_a_500 (xfail).
    """
    try:
        utc = moment.astimezone(dt.UTC).replace(tzinfo=None)
    except (OverflowError, ValueError):
        return False
    return dt.datetime(1, 1, 2) <= utc <= dt.datetime(9999, 12, 30)


@st.composite
def times(draw: st.DrawFn) -> str | int | float:
    """A time in any form a provider might use, at any point of the calendar."""
    moment = draw(st.one_of(st.sampled_from(EDGES), st.datetimes()))
    minutes = draw(st.one_of(st.sampled_from([-840, 840]), st.integers(-1439, 1439)))
    aware = moment.replace(tzinfo=dt.timezone(dt.timedelta(minutes=minutes)))
    forms = []
    if readable_in_utc(aware):
        forms += [aware.isoformat(), email.utils.format_datetime(aware)]
    if readable_in_utc(moment.replace(tzinfo=dt.UTC)):  # a time without offset is UTC
        forms += [moment.isoformat(), moment.isoformat() + "Z"]
    written = st.sampled_from(forms) if forms else st.just("2025-03-14T09:00:00Z")
    others = st.sampled_from(["Fri, 14 Sept 2025 09:00:00 +0000", "2025-03-14", "now"])
    return draw(st.one_of(written, written, written, others, numbers, hostile_text))


scalars = st.one_of(st.none(), st.booleans(), numbers, hostile_text)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(hostile_text, inner, max_size=3)
    ),
    max_leaves=6,
)


def maybe(plausible: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a value of the right kind, sometimes anything at all."""
    return st.one_of(plausible, plausible, json_values)


def an_object(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """The fields (mostly all, else some), plausible or not, and now and then one nobody
    documented."""
    values = {k: maybe(v) for k, v in fields.items()}
    known = st.one_of(
        st.fixed_dictionaries(values),
        st.fixed_dictionaries(values),
        st.fixed_dictionaries({}, optional=values),
    )
    unknown = st.dictionaries(hostile_text, json_values, max_size=1)
    return st.builds(lambda extra, named: extra | named, unknown, known)


def sids(own: str) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.just(own), st.sampled_from(["a/b", "x?y#z", "%2F", "\x00", " ", "A" * 200]), scalars
    )


statuses = st.one_of(
    st.sampled_from(["completed", "FINAL"]),
    st.sampled_from(["in-progress", "ringing", "busy", "no-answer", "queued", "ONGOING"]),
)
parties = st.sampled_from(["+12068091239", "sip:a@b.example", "client:alice", "+1", "\x00"])

# Recording URLs: on the project's media host (mostly), elsewhere, or not URLs at all.
media_urls = st.one_of(
    st.sampled_from(
        [
            "https://media.test/2010-04-01/Accounts/AC1/Recordings/RE1.wav",
            "https://media.test/r/RE1",
            "https://media.test/r/RE1.html",
            "http://media.test/r/RE1.mp3",
        ]
    ),
    st.sampled_from(
        [
            "https://elsewhere.test/r.wav",
            # Not invalid punycode (https://xn--a.com/r.wav): see the xfail test at the end.
            "https://[::1/r.wav",
            "https://media.test:99999/r.wav",
            "javascript:alert(1)",
            "/relative.wav",
        ]
    ),
    st.builds("https://media.test/{}".format, hostile_text),
    hostile_text,
)
sw_uris = st.one_of(
    st.builds(f"{SW_ACCOUNT}/Recordings/{{}}.json".format, st.sampled_from(["RE1", "RE1.wav"])),
    st.sampled_from(
        [
            f"{SW_ACCOUNT}/Recordings/../../x.json",
            "https://elsewhere.test/r.json",
            "https://xn--a.com/r.json",
        ]
    ),
    st.builds(f"{SW_ACCOUNT}/Recordings/{{}}".format, hostile_text),
    hostile_text,
)
next_pages = st.one_of(
    st.none(),
    st.sampled_from(
        [f"{SW_ACCOUNT}/Calls.json?Page=1", "https://xn--a.com/Calls.json", f"{SW_ACCOUNT}/x"]
    ),
    hostile_text,
)

talkstack_call = an_object(
    {
        "callSid": sids(TS_SID),
        "status": statuses,
        "date": times(),
        "seconds": numbers,
        "cost": numbers,
        "from": parties,
        "to": parties,
        "recordingUrls": st.one_of(st.lists(media_urls, max_size=2), media_urls),
        "data": st.dictionaries(hostile_text, json_values, max_size=3),
        "partnerId": hostile_text,
        "shiftId": hostile_text,
    }
)
signalwire_call = an_object(
    {
        "sid": sids(SW_SID),
        "status": statuses,
        "direction": st.sampled_from(["inbound", "outbound-api", "sideways"]),
        "from": parties,
        "to": parties,
        "start_time": times(),
        "end_time": times(),
        "duration": numbers,
        "price": numbers,
        "price_unit": st.one_of(st.sampled_from(["USD", "usd", "EURO-DOLLARS"]), hostile_text),
        "answered_by": hostile_text,
        "audio_in_mos": numbers,
        "audio_rtt_avg": numbers,
        "sip_result_code": numbers,
    }
)
sinch_endpoint = an_object(
    {"type": st.sampled_from(["number", "username", "sip", "did"]), "endpoint": parties}
)
sinch_money = an_object({"currencyId": hostile_text, "amount": numbers})
sinch_call = an_object(
    {
        "callId": sids(SINCH_SID),
        "status": statuses,
        "result": st.sampled_from(["ANSWERED", "BUSY", "N/A", "FAILED"]),
        "reason": st.sampled_from(["CALLERHANGUP", "TIMEOUT", "CANCEL"]),
        "from": sinch_endpoint,
        "to": sinch_endpoint,
        "timestamp": times(),
        "duration": numbers,
        "debit": sinch_money,
        "userRate": sinch_money,
    }
)


@dataclass(frozen=True)
class Answer:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: Any = None  # JSON, or bytes as they are

    def response(self) -> httpx.Response:
        content = self.body if isinstance(self.body, bytes) else _json(self.body)
        # As bytes off the wire: UTF-8 where a server sends it, never CR, LF or NUL (a parser
        # refuses those before callviewer sees the answer).
        raw = [(k.encode(), v.translate(_UNSENDABLE).encode()) for k, v in self.headers]
        return httpx.Response(self.status, headers=raw, content=iter([content]))


_UNSENDABLE = str.maketrans("\r\n\x00", "   ")


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


statuses_http = st.one_of(
    st.sampled_from([200, 200, 200, 200, 204, 302, 400, 401, 404, 410, 416, 422, 429, 500, 503]),
    st.integers(200, 599),
)
header_values = st.one_of(
    hostile_text,
    st.sampled_from(["0", "5", "-1", "1e9", "Wed, 21 Oct 2015 07:28:00 GMT", "bytes */99"]),
)
headers = st.lists(
    st.tuples(
        st.sampled_from(["Retry-After", "Content-Type", "Location", "Content-Range", "X-Any"]),
        header_values,
    ),
    max_size=3,
)


def answers(bodies: st.SearchStrategy[Any]) -> st.SearchStrategy[Answer]:
    """Mostly a 200 with a body of the right shape (so that the pages get to read it)."""
    return st.one_of(
        st.builds(Answer, status=st.just(200), body=bodies),
        st.builds(Answer, status=st.just(200), headers=headers, body=bodies),
        st.builds(
            Answer,
            status=statuses_http,
            headers=headers,
            body=st.one_of(bodies, json_values, st.binary(max_size=20)),
        ),
    )


def envelope(calls: st.SearchStrategy[Any], key: str) -> st.SearchStrategy[Any]:
    items = st.lists(calls, max_size=4)
    return st.one_of(
        st.fixed_dictionaries({key: items, "next_page_uri": next_pages}),
        items,
        st.fixed_dictionaries({"data": st.fixed_dictionaries({key: items})}),
    )


media_types = st.one_of(
    st.sampled_from(["audio/x-wav", "audio/mpeg", "audio/x,text/html", "text/html", ""]),
    header_values,
)
media_lengths = st.one_of(st.integers(0, 100).map(str), header_values)
media_ranges = st.one_of(
    st.builds("bytes {}-{}/{}".format, st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)),
    header_values,
)
locations = st.one_of(media_urls, sw_uris, st.sampled_from(["https://xn--a.com/r.wav", "https:x"]))


@st.composite
def media(draw: st.DrawFn) -> Answer:
    """A recording host's answer: audio (or not), a part, a redirect, an error."""
    status = draw(st.sampled_from([200, 200, 206, 301, 302, 404, 416, 429, 500]))
    chosen = {
        "Content-Type": draw(media_types),
        "Content-Length": draw(media_lengths),
        "Content-Range": draw(media_ranges),
        "Location": draw(locations),
        "Retry-After": draw(header_values),
    }
    kept = draw(st.lists(st.sampled_from(sorted(chosen)), unique=True))
    return Answer(status, [(k, chosen[k]) for k in kept], draw(st.binary(max_size=100)))


NOT_FOUND = Answer(404, [], {"message": "Not Found"})


@dataclass
class World:
    """What every provider answers, by kind of request (made up only for those asked)."""

    ts_call: Answer = NOT_FOUND
    ts_history: Answer = NOT_FOUND
    sw_call: Answer = NOT_FOUND
    sw_history: Answer = NOT_FOUND
    sw_recordings: Answer = NOT_FOUND
    sinch_call: Answer = NOT_FOUND
    media: Answer = NOT_FOUND

    def answer(self, request: httpx.Request) -> httpx.Response:
        host, path = request.url.host, request.url.path
        if host == "talkstack.test":
            chosen = self.ts_history if path.endswith("/get-call-history") else self.ts_call
        elif host == "sinch.test":
            chosen = self.sinch_call
        elif host == "signalwire.test" and path.endswith("/Calls.json"):
            chosen = self.sw_history
        elif host == "signalwire.test" and path.endswith("/Recordings.json"):
            chosen = self.sw_recordings
        elif host == "signalwire.test" and "/Calls/" in path:
            chosen = self.sw_call
        else:
            chosen = self.media
        return chosen.response()


sw_recording = an_object(
    {"sid": hostile_text, "uri": sw_uris, "duration": numbers, "channels": numbers}
)
ts_calls = answers(st.one_of(talkstack_call, st.fixed_dictionaries({"call": talkstack_call})))
ts_histories = answers(envelope(talkstack_call, "calls"))
sw_histories = answers(envelope(signalwire_call, "calls"))

# By project slug: the answers its pages read.
HISTORIES = {
    "ts": st.builds(World, ts_history=ts_histories),
    "sw": st.builds(World, sw_history=sw_histories),
    "sinch": st.just(World()),
    "all": st.builds(World, ts_history=ts_histories, sw_history=sw_histories),
}
CALL_ANSWERS = {
    "ts": st.builds(World, ts_call=ts_calls, media=media()),
    "sw": st.builds(
        World,
        sw_call=answers(signalwire_call),
        sw_recordings=answers(envelope(sw_recording, "recordings")),
        media=media(),
    ),
    "sinch": st.builds(World, sinch_call=answers(sinch_call)),
}


def assert_no_5xx_but_gateway(response: Any) -> None:
    body_of(response)  # a streamed body's errors happen while it is read
    with contextlib.suppress(InvalidArgument):  # outside a property test: no statistics
        event(f"HTTP {response.status_code}")  # pytest --hypothesis-show-statistics
    assert response.status_code < 500 or response.status_code in (502, 503, 504), (
        response.status_code
    )


def serving(world: World) -> Any:
    return http.override_transport(httpx.MockTransport(world.answer))


# The pages, against whatever the providers answer

SEARCHES = ["ts", "sw", "sinch", "all"]
CALLS = [(TS_SID, "ts"), (SW_SID, "sw"), (SINCH_SID, "sinch")]


@examples(60)
@given(data=st.data(), slug=st.sampled_from(SEARCHES), fragment=st.booleans())
def test_the_search_and_its_next_page_survive_any_history_answer(
    mocked_projects: dict[str, Project],
    agent: Client,
    data: st.DataObject,
    slug: str,
    fragment: bool,
) -> None:
    with isolated(), serving(data.draw(HISTORIES[slug])):
        headers = HX if fragment else {}
        assert_no_5xx_but_gateway(agent.get("/calls/", {"project": slug}, headers=headers))
        more = {"project": slug, "cursor": [":50", ":" + f"{SW_ACCOUNT}/Calls.json?Page=1"]}
        assert_no_5xx_but_gateway(agent.get("/calls/", more, headers=HX))


@examples(40)
@given(data=st.data(), slug=st.sampled_from(SEARCHES))
def test_the_export_survives_any_history_answer(
    mocked_projects: dict[str, Project], agent: Client, data: st.DataObject, slug: str
) -> None:
    with isolated(), serving(data.draw(HISTORIES[slug])):
        assert_no_5xx_but_gateway(agent.get("/calls/export.csv", {"project": slug}))


@examples(100)
@given(data=st.data(), call=st.sampled_from(CALLS), pinned=st.booleans())
def test_the_call_page_and_its_status_survive_any_call_answer(
    mocked_projects: dict[str, Project],
    agent: Client,
    data: st.DataObject,
    call: tuple[str, str],
    pinned: bool,
) -> None:
    sid, slug = call
    query = {"project": slug} if pinned else {}
    with isolated(), serving(data.draw(CALL_ANSWERS[slug])):
        assert_no_5xx_but_gateway(agent.get(f"/calls/{sid}/", query))
        assert_no_5xx_but_gateway(agent.get(f"/calls/{sid}/status/", query, headers=HX))


@st.composite
def recording_worlds(draw: st.DrawFn) -> World:
    """Final calls whose recording URLs are made up, and a media host answering anything."""
    urls = draw(st.lists(media_urls, min_size=1, max_size=2))
    listed = draw(st.lists(an_object({"sid": hostile_text, "uri": sw_uris}), min_size=1))
    return World(
        ts_call=Answer(200, [], {"callSid": TS_SID, "status": "completed", "recordingUrls": urls}),
        sw_call=Answer(200, [], {"sid": SW_SID, "status": "completed"}),
        sw_recordings=Answer(200, [], {"recordings": listed, "next_page_uri": None}),
        media=draw(st.one_of(media(), media(), st.builds(Answer, statuses_http, headers))),
    )


@examples(150)
@given(
    data=st.data(),
    call=st.sampled_from(CALLS[:2]),
    range_header=st.sampled_from([None, "bytes=0-", "bytes=10-19", "bytes=-5", "bytes=500-"]),
)
def test_the_recording_proxy_survives_any_answer(
    mocked_projects: dict[str, Project],
    agent: Client,
    data: st.DataObject,
    call: tuple[str, str],
    range_header: str | None,
) -> None:
    sid, slug = call
    headers = {"Range": range_header} if range_header else {}
    world = data.draw(st.one_of(recording_worlds(), recording_worlds(), CALL_ANSWERS[slug]))
    with isolated(), serving(world):
        response = agent.get(f"/calls/{sid}/recordings/1/", {"project": slug}, headers=headers)
        assert_no_5xx_but_gateway(response)
        served = response["Content-Type"].split(";")[0]
        assert served in {"text/plain", UNKNOWN_TYPE, *AUDIO_TYPES.values()}, served
        assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


# Found by these tests, fixed in the provider modules (values.py, talkstack.py)


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-10:00"])
@pytest.mark.parametrize(
    "page", [f"/calls/{TS_SID}/?project=ts", "/calls/?project=ts", "/calls/export.csv?project=ts"]
)
def test_a_time_at_the_ends_of_the_calendar_is_not_a_500(
    mocked_projects: dict[str, Project], agent: Client, when: str, page: str
) -> None:
    call = {"callSid": TS_SID, "status": "in-progress", "date": when}

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[call] if "history" in request.url.path else call)

    with http.override_transport(httpx.MockTransport(handle)):
        assert_no_5xx_but_gateway(agent.get(page))


def test_a_talkstack_recording_url_of_invalid_punycode_is_refused(
    mocked_projects: dict[str, Project], agent: Client
) -> None:
    call = {"callSid": TS_SID, "status": "completed", "recordingUrls": ["https://xn--a.com/r"]}
    with http.override_transport(httpx.MockTransport(lambda r: httpx.Response(200, json=call))):
        response = agent.get(f"/calls/{TS_SID}/recordings/1/?project=ts")
    assert response.status_code == 502
