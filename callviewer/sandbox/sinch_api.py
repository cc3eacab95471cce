"""Simulated Sinch Calling API v1: GET /calling/v1/calls/id/{callId} (seeds/003).

Authentication follows Sinch's documentation (developers.sinch.com, voice API reference,
"Authentication"), written here from the doc and independent of the client's signer:

- `Authorization: Basic base64(application_key:application_secret)`, or
- `Authorization: Application {application_key}:{signature}` with an `x-timestamp` header,
  where signature = base64(HMAC-SHA256(base64decode(secret), string_to_sign)) and
  string_to_sign = METHOD, base64(MD5(body)) or "" without a body, the Content-Type header
  as received (or "": see _signature_matches), "x-timestamp:" + the header's value, and the
  path, joined by "\\n".
  The path is the request path without the query string (v1's get-call has no query).

Signatures are compared in constant time. A timestamp more than 15 minutes from the wall
clock is refused; Sinch does not publish its allowed skew (PROVIDERS.md: unconfirmed), and
the simulator's `clock_offset` moves calls, not the server's clock, so it is not used here.

Errors take Sinch's shape `{"errorCode", "message", "reference"}`: 40100 for a refused
credential (401), 40400 for an unknown call (404); a call of another application is unknown.
v1 has no call history and no recordings, so the simulator serves neither.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import time
import uuid
from typing import Any

from . import accounts
from .core import Handler, Sandbox, SimRequest, SimResponse
from .sinch_data import LIVE_CALL_IDS, SimCall, find, seeded_call_ids

MAX_SKEW = dt.timedelta(minutes=15)


def _error(status: int, code: int, message: str) -> SimResponse:
    return SimResponse.json(
        {"errorCode": code, "message": message, "reference": str(uuid.uuid4())}, status
    )


def _refused(message: str) -> SimResponse:
    return _error(401, 40100, message)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _expected_signature(request: SimRequest, secret: str, content_type: str) -> str:
    content_md5 = _b64(hashlib.md5(request.body).digest()) if request.body else ""
    lines = (
        request.method.upper(),
        content_md5,
        content_type,
        "x-timestamp:" + request.header("x-timestamp"),
        request.path,
    )
    key = base64.b64decode(secret)
    return _b64(hmac.new(key, "\n".join(lines).encode("utf-8"), hashlib.sha256).digest())


def _signature_matches(request: SimRequest, secret: str, signature: str) -> bool:
    received = request.header("content-type")
    # wsgiref reports a request sent without Content-Type as "text/plain", so that one
    # value may also have been signed as the empty content type.
    candidates = [received, ""] if received == "text/plain" else [received]
    return any(
        hmac.compare_digest(signature.encode(), _expected_signature(request, secret, c).encode())
        for c in candidates
    )


def _timestamp_problem(value: str) -> str:
    if not value:
        return "Missing x-timestamp header"
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return "x-timestamp is not an ISO 8601 time"
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    if abs(dt.datetime.fromtimestamp(time.time(), dt.UTC) - when) > MAX_SKEW:
        return "x-timestamp is too far from the server's time"
    return ""


def _application(request: SimRequest) -> tuple[str, SimResponse | None]:
    """The application key the request authenticates as, or the 401 it deserves."""
    scheme, _, value = request.header("authorization").strip().partition(" ")
    scheme, value = scheme.lower(), value.strip()
    if scheme == "basic":
        try:
            pair = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return "", _refused("Malformed basic credentials")
        key, _, secret = pair.partition(":")
        known = accounts.SINCH_APPLICATIONS.get(key, "")
        if known and hmac.compare_digest(secret.encode(), known.encode()):
            return key, None
        return "", _refused("Invalid application key or secret")
    if scheme == "application":
        key, _, signature = value.partition(":")
        known = accounts.SINCH_APPLICATIONS.get(key, "")
        if not known or not signature:
            return "", _refused("Invalid application key or signature")
        if problem := _timestamp_problem(request.header("x-timestamp")):
            return "", _refused(problem)
        if _signature_matches(request, known, signature):
            return key, None
        return "", _refused("Invalid signature")
    return "", _refused("Authorization required")


def _timestamp(when: float, style: int) -> str:
    moment = dt.datetime.fromtimestamp(when, dt.UTC)
    if style == 1:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    if style == 2:
        return moment.replace(microsecond=0).isoformat()
    if style == 3:  # .NET's seven-digit fraction
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def call_json(call: SimCall) -> dict[str, Any]:
    """A call as Sinch's get-call answers it (seeds/003), keys in the doc's order."""
    return {
        "from": {"type": call.from_type, "endpoint": call.from_endpoint},
        "to": {"type": call.to_type, "endpoint": call.to_endpoint},
        "domain": "pstn",
        "callId": call.call_id,
        "duration": call.duration,
        "status": call.status,
        "result": call.result,
        "reason": call.reason,
        "timestamp": _timestamp(call.start, call.timestamp_style),
        "custom": call.custom,
        "userRate": {"currencyId": call.currency, "amount": call.rate},
        "debit": {"currencyId": call.currency, "amount": call.debit},
    }


def get_call(request: SimRequest, sandbox: Sandbox) -> SimResponse:
    key, refused = _application(request)
    if refused:
        return refused
    assert request.match is not None
    call = find(sandbox, request.match["call_id"])
    if call is None or call.application_key != key:
        return _error(404, 40400, "Call not found")
    return SimResponse.json(call_json(call))


ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", r"/calling/v1/calls/id/(?P<call_id>[^/]+)", get_call),
]

__all__ = ["LIVE_CALL_IDS", "MAX_SKEW", "ROUTES", "call_json", "get_call", "seeded_call_ids"]
