"""Simulated TalkStack AI API: POST /call and POST /call/get-call-history, plus Twilio media.

Follows docs/providers/talkstack.md (seeds 000 and 004). Where the docs are silent the
simulator picks one reading:

- Auth: `x-api-key: <key>` or `Authorization: Bearer <token>` (accounts.py). Missing or wrong
  credentials -> 401 `{"status": "error", "message": "Unauthorized"}`, checked before anything
  else. A valid credential naming another project's `projectId` -> 403 `Forbidden` (a 404
  would read as "no such call" / "no calls", hiding the misconfiguration).
- History date filters (`YYYY-MM-DD`, UTC): `startTime` is that whole day; `startTimeBefore`
  and `startTimeAfter` include the whole named day ("on or before/after" the date). The end
  filters work the same on start + seconds, and only match calls that have ended. A date
  that does not parse -> 400.
- History answers newest first; 404 when nothing matches (as documented). The envelope is not
  documented: `sandbox.options["talkstack_envelope"]` picks it: "object" (default,
  `{"message", "status", "data": [...]}` like TalkStack's other endpoints), "list" (a bare
  array), "calls" (the list under "calls") or "bad" (an object holding no list). The order is
  not documented either: `sandbox.options["talkstack_order"] = "oldest_first"` reverses it.
- Call analysis (`POST /call/analysis`) and its options: see talkstack_analysis.
- Twilio media options: see talkstack_twilio.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from typing import Any

from . import accounts, talkstack_analysis, talkstack_twilio
from .core import Handler, Sandbox, SimRequest, SimResponse
from .talkstack_data import SimCall, calls_now, find

_KEY_PROJECTS = {key: pid for pid, key in accounts.TALKSTACK_PROJECTS.items()}
_DATE_FILTERS = (
    "startTime",
    "startTimeBefore",
    "startTimeAfter",
    "endTime",
    "endTimeBefore",
    "endTimeAfter",
)


def _error(status: int, message: str) -> SimResponse:
    return SimResponse.json({"status": "error", "message": message}, status)


def _caller_project(request: SimRequest) -> str | None:
    """The project the request's credential belongs to, or None when it is not valid."""
    key = request.header("x-api-key")
    if key:
        return _KEY_PROJECTS.get(key)
    scheme, _, token = request.header("authorization").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return accounts.TALKSTACK_BEARER_TOKENS.get(token.strip())
    return None


def _authorised_body(
    request: SimRequest, *required: str
) -> tuple[dict[str, Any], SimResponse | None]:
    """The JSON body, or the error answer (401, 400 or 403) that the request deserves."""
    caller = _caller_project(request)
    if caller is None:
        return {}, _error(401, "Unauthorized")
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        return {}, _error(400, "Body must be JSON")
    if not isinstance(body, dict):
        return {}, _error(400, "Body must be a JSON object")
    for name in required:
        if not body.get(name):
            return body, _error(400, f"{name} is required")
    if body["projectId"] != caller:
        return body, _error(403, "Forbidden")
    return body, None


def call_json(call: SimCall, sandbox: Sandbox) -> dict[str, Any]:
    """A call as TalkStack's POST /call shows it (seed 000), keys in the doc's order."""
    out: dict[str, Any] = {"seconds": call.seconds}
    if call.cost_shown:
        out["cost"] = call.cost
    account = next(iter(accounts.TWILIO_ACCOUNTS))
    return out | {
        "status": call.status,
        "from": call.from_,
        "to": call.to,
        "date": email.utils.format_datetime(dt.datetime.fromtimestamp(call.start, dt.UTC)),
        "recordingUrls": [
            f"{sandbox.url}/2010-04-01/Accounts/{account}/Recordings/{r}" for r in call.recordings
        ],
        "phoneNumber": call.to,
        "callSid": call.sid,
        "partnerId": call.partner_id,
        "shiftId": call.shift_id,
        "assignmentId": call.assignment_id,
        "data": dict(call.data),
    }


def get_call(request: SimRequest, sandbox: Sandbox) -> SimResponse:
    body, problem = _authorised_body(request, "sid", "projectId")
    if problem:
        return problem
    call = find(sandbox, str(body["sid"]))
    if call is None or call.project_id != body["projectId"]:
        return _error(404, "Call not found")
    return SimResponse.json(call_json(call, sandbox))


def call_analysis(request: SimRequest, sandbox: Sandbox) -> SimResponse:
    project = _caller_project(request)
    if project is None:
        return _error(401, "Unauthorized")
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        return _error(400, "Body must be JSON")
    return talkstack_analysis.analysis(project, body, sandbox)


def _day(value: str) -> dt.date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(value)
    return dt.date.fromisoformat(value)


def _day_of(timestamp: float | None) -> dt.date | None:
    return None if timestamp is None else dt.datetime.fromtimestamp(timestamp, dt.UTC).date()


def _matches(call: SimCall, request: SimRequest, days: dict[str, dt.date]) -> bool:
    for name, attr in (("to", "to"), ("from", "from_"), ("status", "status")):
        wanted = request.arg(name)
        if wanted and getattr(call, attr) != wanted:
            return False
    for prefix, when in (("start", _day_of(call.start)), ("end", _day_of(call.end))):
        for suffix, fits in (
            ("Time", lambda a, b: a == b),
            ("TimeBefore", lambda a, b: a <= b),
            ("TimeAfter", lambda a, b: a >= b),
        ):
            day = days.get(prefix + suffix)
            if day is not None and (when is None or not fits(when, day)):
                return False
    return True


def get_call_history(request: SimRequest, sandbox: Sandbox) -> SimResponse:
    body, problem = _authorised_body(request, "projectId")
    if problem:
        return problem
    size = body.get("pageSize", 20)
    if isinstance(size, str) and size.isdigit():
        size = int(size)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        return _error(400, "pageSize must be a positive integer")
    days: dict[str, dt.date] = {}
    for name in _DATE_FILTERS:
        if value := request.arg(name):
            try:
                days[name] = _day(value)
            except ValueError:
                return _error(400, f"{name} must be a date as YYYY-MM-DD")
    calls = [c for c in calls_now(sandbox, body["projectId"]) if _matches(c, request, days)]
    if not calls:
        return _error(404, "No calls found")
    items = [call_json(c, sandbox) for c in calls[:size]]
    if sandbox.options.get("talkstack_order") == "oldest_first":
        items.reverse()
    return _envelope(items, sandbox.options.get("talkstack_envelope", "object"))


def _envelope(items: list[dict[str, Any]], shape: str) -> SimResponse:
    if shape == "list":
        return SimResponse.json(items)
    if shape == "calls":
        return SimResponse.json({"status": "success", "calls": items})
    if shape == "bad":
        return SimResponse.json(
            {"message": "Call history fetched", "status": "success", "count": len(items)}
        )
    return SimResponse.json({"message": "Call history fetched", "status": "success", "data": items})


ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", r"/call", get_call),
    ("POST", r"/call/get-call-history", get_call_history),
    ("POST", r"/call/analysis", call_analysis),
    *talkstack_twilio.ROUTES,
]
