"""Simulated SignalWire Compatibility (LaML) API. Reference: docs/providers/signalwire.md.

Base path `/api/laml/2010-04-01`, HTTP Basic `project_id:api_token`
(`accounts.SIGNALWIRE_PROJECTS`); the AccountSid in the path must be the authenticated
project. Every `{Sid}` route also answers with a `.json` suffix, as the SDKs send it.

- `GET /Accounts/{AccountSid}(.json)`: the project, as a light request for test_connection.
- `GET /Accounts/{AccountSid}/Calls/{Sid}(.json)`: the full CallResponse of seed 001.
- `GET /Accounts/{AccountSid}/Calls(.json)`: history, newest first, filtered by `To`, `From`,
  `Status`, `ParentCallSid`, `StartTime`, `StartTime<`, `StartTime>`, `EndTime`, `EndTime<`,
  `EndTime>`, paged by `Page` (0-based), `PageSize` (default 50, at most 1000), `PageToken`.
  Twilio-style names: the URL `StartTime>=2024-01-31` is the parameter `StartTime>` with the
  value `2024-01-31`, "on or after"; `StartTime<` is "on or before". Whether SignalWire takes
  `YYYY-MM-DD` or RFC 2822 is unconfirmed, so both are accepted: a date compares with the
  call's UTC date, an RFC 2822 time with the instant (`StartTime=` with a time: its UTC date).
  The envelope's URIs are relative to the host and carry the filters and `PageToken`.
- `GET /Accounts/{AccountSid}/Recordings(.json)?CallSid=` and
  `GET /Accounts/{AccountSid}/Calls/{Sid}/Recordings(.json)`: a call's recordings.
- `GET /Accounts/{AccountSid}/Recordings/{Sid}.json`: a recording's metadata (auth needed).
- `GET /Accounts/{AccountSid}/Recordings/{Sid}` or `.wav`: WAV audio with Range support,
  public unless protected (below). `.mp3` answers 404: MP3 cannot be made by code here.

- `GET /Accounts/{AccountSid}/Recordings/{RecordingSid}/Transcriptions(.json)`: a recording's
  transcriptions, paged like every list (under "transcriptions"); `GET /Accounts/{AccountSid}/
  Transcriptions/{Sid}(.json)`: one. Fields as Twilio's Transcription resource: `sid`,
  `recording_sid`, `status` (in-progress, completed, failed), `transcription_text` (null until
  completed), `duration`, `price`, `price_unit`, `date_created`. Which recording has which is
  derived from its SID (`signalwire_data.transcripts_for`).

Errors take SignalWire's shape `{"code", "message", "more_info", "status"}`: 401 (20003)
for missing or refused credentials, 404 (20404) for an unknown call or recording, 400
(20001, the simulator's choice: SignalWire does not list one) for a filter it cannot read.

Options (`sandbox.options`):
- "signalwire_absolute_next": next_page_uri is absolute, on the simulator's own URL.
- "signalwire_next_host": a scheme://host that next_page_uri points at instead (a client
  must refuse to follow it).
- "signalwire_protect_media" (default False, SignalWire's default): media needs the
  project's Basic auth ("Protect Recording Media URLs").
- "signalwire_transcript_page_size": the page size of transcription lists when the client
  sends none (default 50), so tests can make them span pages.
- "signalwire_call_scoped_uris": listed recordings give their `uri` in the call-scoped form
  `/Accounts/{AccountSid}/Calls/{CallSid}/Recordings/{Sid}.json`, as Twilio's Call Recording
  resource does; a client must still fetch media from the account-level resource.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import email.utils
import hmac
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from . import accounts
from .audio import Wav
from .core import Handler, Sandbox, SimRequest, SimResponse, serve_media
from .signalwire_data import (
    LIVE_CALL_SIDS,
    LIVE_RECORDING_SIDS,
    STATUSES,
    SimCall,
    SimRecording,
    SimTranscript,
    calls,
    find,
    find_recording,
    seeded_call_sids,
    transcripts_for,
)

BASE = "/api/laml/2010-04-01"
API_VERSION = "2010-04-01"
MORE_INFO = "https://developer.signalwire.com/compatibility-api/reference/error-codes"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
_PAGING = frozenset({"Page", "PageSize", "PageToken"})
_TIME_FILTERS = tuple((f, f + op) for f in ("StartTime", "EndTime") for op in ("", "<", ">"))
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SID = r"(?P<sid>[^/]+?)"
_ACCOUNT = BASE + r"/Accounts/(?P<account>[^/.]+)"

T = TypeVar("T")


class BadFilter(Exception):
    """A query parameter the API cannot read (answered 400)."""


def _error(status: int, code: int, message: str) -> SimResponse:
    body = {"code": code, "message": message, "more_info": MORE_INFO, "status": status}
    return SimResponse.json(body, status)


def _unauthorised(message: str = "Authentication Error - invalid username") -> SimResponse:
    response = _error(401, 20003, message)
    response.headers["WWW-Authenticate"] = 'Basic realm="SignalWire"'
    return response


def _not_found() -> SimResponse:
    return _error(404, 20404, "The requested resource was not found")


def _project(request: SimRequest) -> str:
    """The project the request's Basic credentials belong to, or ""."""
    scheme, _, encoded = request.header("authorization").strip().partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        user, _, token = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return ""
    known = accounts.SIGNALWIRE_PROJECTS.get(user, "")
    return user if known and hmac.compare_digest(token.encode(), known.encode()) else ""


def _refusal(request: SimRequest) -> SimResponse | None:
    """The 401 a request deserves, or None when it may read the account in its path."""
    assert request.match is not None
    project = _project(request)
    if not project:
        return _unauthorised()
    if project != request.match["account"]:
        return _unauthorised("The AccountSid in the URL is not the authenticated project")
    return None


# Rendering


def rfc2822(when: float | None) -> str | None:
    if when is None:
        return None
    return email.utils.format_datetime(dt.datetime.fromtimestamp(int(when), dt.UTC))


def formatted(address: str) -> str:
    """A North American number as "(310) 567-8901"; anything else as it is."""
    if re.fullmatch(r"\+1\d{10}", address):
        return f"({address[2:5]}) {address[5:8]}-{address[8:]}"
    return address


def call_json(call: SimCall) -> dict[str, Any]:
    """A call as SignalWire answers it: every required field of seed 001's CallResponse."""
    path = f"{BASE}/Accounts/{call.account_sid}/Calls/{call.sid}"
    rtt = call.rtt or (None, None, None)
    jitter = call.jitter or (None, None, None)
    return {
        "sid": call.sid,
        "account_sid": call.account_sid,
        "date_created": rfc2822(call.created),
        "date_updated": rfc2822(call.end or call.start or call.created),
        "parent_call_sid": call.parent_call_sid,
        "to": call.to,
        "formatted_to": formatted(call.to),
        "to_formatted": formatted(call.to),
        "from": call.from_,
        "formatted_from": formatted(call.from_),
        "from_formatted": formatted(call.from_),
        "phone_number_sid": call.phone_number_sid,
        "status": call.status,
        "start_time": rfc2822(call.start),
        "end_time": rfc2822(call.end),
        "duration": call.duration,
        "price": call.price,
        "price_unit": call.price_unit,
        "direction": call.direction,
        "answered_by": call.answered_by,
        "api_version": API_VERSION,
        "forwarded_from": None,
        "caller_name": None,
        "uri": path + ".json",
        "subresource_uris": {"notifications": None, "recordings": path + "/Recordings.json"},
        "annotation": None,
        "group_sid": None,
        "audio_in_mos": call.mos,
        "sip_result_code": call.sip_result_code,
        "audio_rtt_avg": rtt[0],
        "audio_rtt_min": rtt[1],
        "audio_rtt_max": rtt[2],
        "audio_out_jitter_min": jitter[1],
        "audio_out_jitter_max": jitter[2],
        "audio_out_jitter_avg": jitter[0],
        "audio_out_lost": call.lost,
    }


def recording_json(recording: SimRecording, call_scoped: bool = False) -> dict[str, Any]:
    """A recording as the Recordings resource describes it (`recordings/models/core.tsp`).

    `call_scoped`: its `uri` under its call, as Twilio's Call Recording resource gives it.
    """
    path = f"{BASE}/Accounts/{recording.account_sid}/Recordings/{recording.sid}"
    uri = path
    if call_scoped:
        uri = f"{BASE}/Accounts/{recording.account_sid}/Calls/{recording.call_sid}"
        uri += f"/Recordings/{recording.sid}"
    end = recording.created + recording.duration
    return {
        "account_sid": recording.account_sid,
        "api_version": API_VERSION,
        "call_sid": recording.call_sid,
        "conference_sid": None,
        "channels": str(recording.channels),
        "date_created": rfc2822(recording.created),
        "date_updated": rfc2822(end),
        "start_time": rfc2822(recording.created),
        "end_time": rfc2822(end),
        "price": recording.price,
        "price_unit": "USD",
        "duration": str(recording.duration),
        "sid": recording.sid,
        "source": recording.source,
        "status": "completed",
        "error_code": None,
        "uri": uri + ".json",
        "subresource_uris": {"transcriptions": path + "/Transcriptions.json"},
    }


def transcript_json(transcript: SimTranscript) -> dict[str, Any]:
    """A transcription as Twilio's Transcription resource describes it."""
    path = f"{BASE}/Accounts/{transcript.account_sid}/Transcriptions/{transcript.sid}"
    return {
        "account_sid": transcript.account_sid,
        "api_version": API_VERSION,
        "date_created": rfc2822(transcript.created),
        "date_updated": rfc2822(transcript.created),
        "duration": str(transcript.duration),
        "price": transcript.price,
        "price_unit": "USD",
        "recording_sid": transcript.recording_sid,
        "sid": transcript.sid,
        "status": transcript.status,
        "transcription_text": transcript.text,
        "type": "fast",
        "uri": path + ".json",
    }


# Filters and paging


def _when(name: str, value: str) -> dt.date | dt.datetime:
    """A date filter's value: `YYYY-MM-DD` (a UTC date) or an RFC 2822 time."""
    text = value.strip()
    try:
        if _DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
        # "Sept", as SignalWire's own examples spell it, is not RFC 2822's "Sep".
        when = email.utils.parsedate_to_datetime(re.sub(r"\bSept\b", "Sep", text))
    except (TypeError, ValueError) as exc:
        raise BadFilter(f"{name} must be a date (YYYY-MM-DD) or an RFC 2822 time") from exc
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _time_matches(moment: float | None, op: str, when: dt.date | dt.datetime) -> bool:
    if moment is None:
        return False
    moment = float(int(moment))  # compare what the answers show: whole seconds
    if isinstance(when, dt.datetime):
        instant = when.timestamp()
        if op == ">":
            return moment >= instant
        if op == "<":
            return moment <= instant
        when = when.astimezone(dt.UTC).date()
    day = dt.datetime.fromtimestamp(moment, dt.UTC).date()
    return {"": day == when, ">": day >= when, "<": day <= when}[op]


def filter_calls(items: list[SimCall], request: SimRequest) -> list[SimCall]:
    """The calls that match the request's filters; raises BadFilter."""
    named = (("To", "to"), ("From", "from_"), ("ParentCallSid", "parent_call_sid"))
    equal = {attribute: value for name, attribute in named if (value := request.arg(name))}
    status = request.arg("Status")
    if status and status not in STATUSES:
        raise BadFilter(f"Status must be one of: {', '.join(STATUSES)}")
    times = [  # (SimCall attribute, "" | "<" | ">", the value)
        (field.removesuffix("Time").lower(), name.removeprefix(field), _when(name, value))
        for field, name in _TIME_FILTERS
        if (value := request.arg(name))
    ]

    def keep(call: SimCall) -> bool:
        return (
            all(getattr(call, a) == v for a, v in equal.items())
            and (not status or call.status == status)
            and all(_time_matches(getattr(call, f), op, w) for f, op, w in times)
        )

    return [c for c in items if keep(c)]


def _number(request: SimRequest, name: str, default: int, low: int, high: int) -> int:
    value = request.arg(name, str(default)).strip()
    if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
        raise BadFilter(f"{name} must be a whole number from {low} to {high}")
    return int(value)


def _page(
    request: SimRequest,
    sandbox: Sandbox,
    items: Sequence[T],
    sid_of: Callable[[T], str],
    key: str,
    render: Callable[[T], dict[str, Any]],
) -> SimResponse:
    """One page of `items` in SignalWire's list envelope; raises BadFilter."""
    size = _number(request, "PageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    page = _number(request, "Page", 0, 0, 10**6)
    token = request.arg("PageToken")
    if token:
        # Twilio-style token: "PA" and the SID of the last item of the page before.
        sids = [sid_of(item) for item in items]
        if not token.startswith("PA") or token[2:] not in sids:
            raise BadFilter("PageToken is not valid")
        start = sids.index(token[2:]) + 1
    else:
        start = page * size
    chunk = items[start : start + size]
    filters = [(k, v) for k, vs in request.query.items() if k not in _PAGING for v in vs]

    def uri(number: int, page_token: str = "") -> str:
        params = [*filters, ("PageSize", str(size)), ("Page", str(number))]
        params += [("PageToken", page_token)] if page_token else []
        return f"{request.path}?{urlencode(params)}"

    next_uri = None
    if chunk and start + size < len(items):
        next_uri = uri(page + 1, "PA" + sid_of(chunk[-1]))
        if host := sandbox.options.get("signalwire_next_host"):
            next_uri = str(host).rstrip("/") + next_uri
        elif sandbox.options.get("signalwire_absolute_next"):
            next_uri = sandbox.url + next_uri
    return SimResponse.json(
        {
            "uri": uri(page, token),
            "first_page_uri": uri(0),
            "next_page_uri": next_uri,
            "previous_page_uri": uri(page - 1) if page > 0 else None,
            "page": page,
            "page_size": size,
            key: [render(item) for item in chunk],
        }
    )


def _bad_request(exc: BadFilter) -> SimResponse:
    return _error(400, 20001, str(exc))


# Handlers


def get_account(request: SimRequest, sandbox: Sandbox) -> SimResponse:
    if refused := _refusal(request):
        return refused
    assert request.match is not None
    project = request.match["account"]
    path = f"{BASE}/Accounts/{project}"
    started = rfc2822(sandbox.started - 400 * 86_400)
    return SimResponse.json(
        {
            "sid": project,
            "friendly_name": "Sandbox project",
            "status": "active",
            "type": "Full",
            "date_created": started,
            "date_updated": started,
            "owner_account_sid": project,
            "uri": path + ".json",
            "subresource_uris": {
                "calls": path + "/Calls.json",
                "recordings": path + "/Recordings.json",
            },
        }
    )


def get_call(request: SimRequest, sandbox: Sandbox) -> SimResponse:
    if refused := _refusal(request):
        return refused
    assert request.match is not None
    call = find(sandbox, request.match["sid"])
    if call is None or call.account_sid != request.match["account"]:
        return _not_found()
    return SimResponse.json(call_json(call))


def list_calls(request: SimRequest, sandbox: Sandbox) -> SimResponse:
    if refused := _refusal(request):
        return refused
    assert request.match is not None
    try:
        matching = filter_calls(calls(sandbox, request.match["account"]), request)
        return _page(request, sandbox, matching, lambda c: c.sid, "calls", call_json)
    except BadFilter as exc:
        return _bad_request(exc)


def list_recordings(request: SimRequest, sandbox: Sandbox) -> SimResponse:
    """Recordings of the account, narrowed by `CallSid` (query, or the path's call)."""
    if refused := _refusal(request):
        return refused
    assert request.match is not None
    account = request.match["account"]
    call_sid = request.match.groupdict().get("call") or request.arg("CallSid")
    if call_sid:
        call = find(sandbox, call_sid)
        found = list(call.recordings) if call and call.account_sid == account else []
    else:
        found = [r for c in calls(sandbox, account) for r in c.recordings]
    try:
        if value := request.arg("DateCreated"):
            when = _when("DateCreated", value)
            found = [r for r in found if _time_matches(r.created, "", when)]
        call_scoped = bool(sandbox.options.get("signalwire_call_scoped_uris"))
        return _page(
            request,
            sandbox,
            found,
            lambda r: r.sid,
            "recordings",
            lambda r: recording_json(r, call_scoped),
        )
    except BadFilter as exc:
        return _bad_request(exc)


def get_recording(request: SimRequest, sandbox: Sandbox) -> SimResponse:
    """Metadata (`.json`, authenticated) or media (WAV; public unless protected)."""
    assert request.match is not None
    ext = request.match["ext"]
    protected = ext == ".json" or sandbox.options.get("signalwire_protect_media", False)
    if protected and (refused := _refusal(request)):
        return refused
    recording = find_recording(sandbox, request.match["sid"])
    if recording is None or recording.account_sid != request.match["account"]:
        return _not_found()
    if ext == ".json":
        return SimResponse.json(recording_json(recording))
    if ext == ".mp3":
        return _not_found()  # MP3 cannot be made by code here; documented above
    return serve_media(
        request, sandbox, Wav.lasting(recording.sid, recording.duration), "audio/x-wav"
    )


def list_transcriptions(request: SimRequest, sandbox: Sandbox) -> SimResponse:
    if refused := _refusal(request):
        return refused
    assert request.match is not None
    recording = find_recording(sandbox, request.match["recording"])
    if recording is None or recording.account_sid != request.match["account"]:
        return _not_found()
    size = sandbox.options.get("signalwire_transcript_page_size")
    if size and "PageSize" not in request.query:
        request.query["PageSize"] = [str(size)]
    found = list(transcripts_for(recording))
    try:
        return _page(request, sandbox, found, lambda t: t.sid, "transcriptions", transcript_json)
    except BadFilter as exc:
        return _bad_request(exc)


def get_transcription(request: SimRequest, sandbox: Sandbox) -> SimResponse:
    if refused := _refusal(request):
        return refused
    assert request.match is not None
    account = request.match["account"]
    for call in calls(sandbox, account):
        for recording in call.recordings:
            for transcript in transcripts_for(recording):
                if transcript.sid == request.match["sid"]:
                    return SimResponse.json(transcript_json(transcript))
    return _not_found()


ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", _ACCOUNT + r"(?:\.json)?", get_account),
    ("GET", _ACCOUNT + r"/Calls(?:\.json)?", list_calls),
    ("GET", _ACCOUNT + r"/Calls/(?P<call>[^/]+)/Recordings(?:\.json)?", list_recordings),
    ("GET", _ACCOUNT + r"/Calls/" + _SID + r"(?:\.json)?", get_call),
    ("GET", _ACCOUNT + r"/Recordings(?:\.json)?", list_recordings),
    (
        "GET",
        _ACCOUNT + r"/Recordings/(?P<recording>[^/]+)/Transcriptions(?:\.json)?",
        list_transcriptions,
    ),
    ("GET", _ACCOUNT + r"/Recordings/" + _SID + r"(?P<ext>\.json|\.wav|\.mp3)?", get_recording),
    ("GET", _ACCOUNT + r"/Transcriptions/" + _SID + r"(?:\.json)?", get_transcription),
]

__all__ = [
    "BASE",
    "LIVE_CALL_SIDS",
    "LIVE_RECORDING_SIDS",
    "ROUTES",
    "call_json",
    "recording_json",
    "seeded_call_sids",
    "transcript_json",
]
