"""Sinch Calling API v1. Reference: docs/providers/sinch.md (GET /calling/v1/calls/id/{callId}).

v1 reads one call by ID and nothing else: there is no call history and no recording
download, so search, recordings and media raise NotSupported or answer empty.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import logging
import re
from collections.abc import Mapping
from typing import Any

import httpx

from . import http, values
from .base import Field, MediaSource, Provider, url_check
from .types import (
    Call,
    CredentialsRefused,
    Endpoint,
    Fact,
    Money,
    NotFound,
    NotSupported,
    ProviderError,
    Recording,
    SearchPage,
    SearchQuery,
    UnexpectedAnswer,
)

log = logging.getLogger(__name__)

CALL_PATH = "/calling/v1/calls/id/{call_id}"
# test_connection asks for this call: it cannot exist, so a 404 proves the credentials work.
NO_SUCH_CALL = "0" * 32
# The SDKs sign and send this content type on every request, GET included.
CONTENT_TYPE = "application/json"

# FINAL calls by result. N/A (no result) is decided by the reason, in _status().
_FINAL_BY_RESULT = {
    "ANSWERED": "completed",
    "BUSY": "busy",
    "NOANSWER": "no-answer",
    "FAILED": "failed",
}
# Reference: docs/providers/sinch.md ("status": the `result` and `reason` enums).
RESULT_WORDS = {
    "ANSWERED": "answered",
    "BUSY": "the line was busy",
    "NOANSWER": "nobody answered",
    "FAILED": "the call failed",
    "N/A": "not available",
}
REASON_WORDS = {
    "TIMEOUT": "it timed out",
    "CALLERHANGUP": "the caller hung up",
    "CALLEEHANGUP": "the person called hung up",
    "BLOCKED": "the call was blocked",
    "NOCREDITPARTNER": "the account has no credit left",
    "MANAGERHANGUP": "the application ended the call",
    "CANCEL": "the call was cancelled",
    "GENERALERROR": "a general error at Sinch",
    "INVALIDSVAMLACTION": "the application sent Sinch an invalid instruction (SVAML)",
    "N/A": "no reason given",
}
_ENDPOINT_KINDS = {"number": "number", "did": "number", "username": "username", "sip": "sip"}
_PHONE = re.compile(r"\+?\d{3,15}")


def string_to_sign(method: str, path: str, body: bytes, content_type: str, timestamp: str) -> str:
    """Sinch's string to sign for a signed request (docs/providers/sinch.md "signed auth").

    `path` is the request path with its leading slash, without host or query string: the
    client never sends a query to v1's get-call, so whether Sinch signs one does not arise.
    """
    content_md5 = ""
    if body:  # MD5 is what Sinch's scheme names; it only fingerprints the body here
        content_md5 = base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode()
    return "\n".join((method.upper(), content_md5, content_type, f"x-timestamp:{timestamp}", path))


def sign_request(
    method: str, path: str, body: bytes, content_type: str, timestamp: str, key: str, secret: str
) -> dict[str, str]:
    """The Authorization and x-timestamp headers of a request signed with an application key.

    Raises ValueError when `secret` is not base64, which every Sinch application secret is.
    """
    try:
        secret_bytes = base64.b64decode(secret, validate=True)
    except binascii.Error as exc:
        raise ValueError("the application secret is not base64") from exc
    message = string_to_sign(method, path, body, content_type, timestamp).encode("utf-8")
    digest = hmac.new(secret_bytes, message, hashlib.sha256).digest()
    signature = base64.b64encode(digest).decode("ascii")
    return {"Authorization": f"Application {key}:{signature}", "x-timestamp": timestamp}


def basic_auth(key: str, secret: str) -> dict[str, str]:
    """Sinch's Basic alternative: the application key and secret as they are."""
    pair = base64.b64encode(f"{key}:{secret}".encode()).decode("ascii")
    return {"Authorization": f"Basic {pair}"}


def utc_timestamp(now: dt.datetime | None = None) -> str:
    """ISO 8601 UTC with milliseconds, as the SDKs send in x-timestamp."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class Sinch(Provider):
    name = "sinch"
    label = "Sinch"
    supports_search = False
    supports_recordings = False
    gives_direction = False  # no direction field in its call answer (v1)
    # Spelled in lowercase whatever case is typed (Provider.sid_spelling), as the docs' examples.
    sid_pattern = re.compile(
        r"[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    )
    sid_shape = "32 hexadecimal characters"
    settings_fields = (
        Field("application_key", "Application key"),
        Field(
            "auth",
            "Authentication",
            required=False,
            default="signed",
            choices=("signed", "basic"),
        ),
        Field(
            "base_url",
            "Base URL",
            required=False,
            default="https://calling.api.sinch.com",
            check=url_check,
            guards=("application_secret",),
        ),
        Field("phone_region", "Phone region", required=False, default="US"),
    )
    secret_fields = (Field("application_secret", "Application secret"),)

    @classmethod
    def outcome_facts(cls, call: Call) -> tuple[Fact, ...]:
        """Sinch's result and reason, in words, with the value Sinch gave beside each."""
        facts = []
        for label, table, value in (
            ("Result", RESULT_WORDS, call.result),
            ("Reason", REASON_WORDS, call.reason),
        ):
            if value.strip():
                words = table.get(value.strip().upper(), value.strip())
                facts.append(Fact(label, words[:1].upper() + words[1:], code=value))
        return tuple(facts)

    @classmethod
    def other_party(cls, call: Call) -> Endpoint | None:
        # v1 reads calls made from the application to a phone or SIP address: `to` is the
        # person (docs/providers/sinch.md "only some calls").
        return call.to or call.from_

    def get_call(self, sid: str) -> Call:
        sid = sid.strip()
        # The ID goes into the URL path: anything but Sinch's own shape is never sent.
        if not self.sid_fits(sid):
            raise NotFound(
                self.label, f"{sid[:40]!r} is not a Sinch call ID (32 hexadecimal characters)."
            )
        response = self._get(CALL_PATH.format(call_id=sid))
        _raise_for_response(self.label, response, sid)
        body = values.answer(self.label, response)
        if not isinstance(body, dict):
            raise UnexpectedAnswer(self.label, f"{self.label} sent a call answer it cannot read.")
        return parse_call(body, fallback_sid=sid, currency=self.currency, project=self._key)

    def search(self, query: SearchQuery, cursor: str | None = None) -> SearchPage:
        raise NotSupported(
            self.label, "Sinch's Calling API has no call history; search by call ID."
        )

    def list_recordings(self, call: Call) -> list[Recording]:
        return []  # v1 has no recording download endpoint (docs/providers/sinch.md)

    def media_source(self, recording: Recording) -> MediaSource:
        raise NotSupported(self.label, "Sinch's Calling API has no recordings to play.")

    def test_connection(self) -> None:
        # v1 has nothing cheap to read, so ask for a call that cannot exist: Sinch checks the
        # credentials first, so its 404 "Call not found" means they were accepted. A 404 that
        # is not in Sinch's error shape is more likely a wrong base URL, and is said so.
        response = self._get(CALL_PATH.format(call_id=NO_SUCH_CALL))
        if response.status_code == 404:
            if "errorCode" in values.error_body(response):
                return
            raise UnexpectedAnswer(
                self.label,
                f"{self.label} answered 404 without Sinch's error details. "
                "Check the project's base URL.",
                status=404,
            )
        _raise_for_response(self.label, response, NO_SUCH_CALL)

    # Plumbing

    @property
    def _key(self) -> str:
        return str(self.settings.get("application_key", "")).strip()

    def _get(self, path: str) -> httpx.Response:
        key = self._key
        secret = self.secrets.get("application_secret", "").strip()
        if self.settings.get("auth") == "basic":
            auth = basic_auth(key, secret)
        else:
            try:
                auth = sign_request("GET", path, b"", CONTENT_TYPE, utc_timestamp(), key, secret)
            except ValueError as exc:
                raise CredentialsRefused(
                    self.label,
                    "The project's Sinch application secret is not in the form Sinch issues "
                    "(base64). An administrator should copy it again from the Sinch dashboard.",
                ) from exc
        headers = auth | {"Content-Type": CONTENT_TYPE, "Accept": "application/json"}
        return http.send(self.label, "GET", self._origin + path, headers=headers)

    @property
    def _origin(self) -> str:
        """The Base URL's scheme://host[:port]; one httpx cannot read is the project's to fix."""
        url = values.url(str(self.settings.get("base_url") or ""))
        if url is None or url.scheme not in ("http", "https") or not url.host:
            raise ProviderError(
                self.label,
                "The project's Sinch base URL is not a URL callviewer can use. "
                "An administrator should correct it.",
            )
        return http.origin_of(str(url))


def _raise_for_response(provider: str, response: httpx.Response, sid: str) -> None:
    """http.raise_for_response, in Sinch's words where its error body says more."""
    code = response.status_code
    if code < 300:
        return
    # Sinch's {"errorCode", "message", "reference"}, or {} when the answer is not that.
    error = values.error_body(response)
    said = values.text(error.get("message")).strip()[:200]
    reference = values.text(error.get("reference")).strip()[:64]
    detail = (f" Sinch said: {said}." if said else "") + (
        f" (Sinch reference {reference})" if reference else ""
    )
    if code in (401, 403):
        raise CredentialsRefused(
            provider,
            f"{provider} refused the project's application key and secret.{detail} "
            "An administrator should check them and the authentication mode.",
            status=code,
        )
    if code == 404:
        raise NotFound(
            provider,
            f"{provider} has no call {sid} for this application. Sinch only finds calls "
            "made with the project's own application key.",
            status=code,
        )
    if code == 400:
        raise UnexpectedAnswer(provider, f"{provider} rejected the request.{detail}", status=code)
    http.raise_for_response(provider, response)


# Reference: docs/providers/sinch.md ("get call", "status", "money", "callbacks").
def parse_call(
    obj: Mapping[str, Any], fallback_sid: str = "", currency: str = "USD", project: str = ""
) -> Call:
    """One Sinch call object as a Call; missing or odd fields become empty, not errors.

    `currency` stands in when a money object has no currencyId (documented as nullable).
    The ID is the answer's when it has Sinch's shape, else the one asked for. `project`
    (the application key, which is not the secret) only goes into log lines.
    """
    obj = values.plain(dict(obj))
    # The ID under any spelling of its key; in capitals it is the same call, spelled as links
    # and the SID box spell it.
    raw_sid = next((obj[k] for k in _ID_KEYS if values.text(obj.get(k)).strip()), "")
    given = values.text(raw_sid).strip()
    sid = Sinch.spell_sid(given) or fallback_sid or given
    source = values.Source(Sinch.label, project, sid if Sinch.sid_fits(sid) else "")
    status_raw, result, reason = (_upper(obj.get(k)) for k in ("status", "result", "reason"))
    if not status_raw and values.text(obj.get("event")).lower() == "dice":
        status_raw = "FINAL"  # the Disconnected Call Event has no status: it is sent at the end
    status = _status(status_raw, result, reason)
    final = status_raw == "FINAL"
    start = values.time_field(obj, "timestamp", source)
    duration = values.whole(obj.get("duration")) if final else None
    end = start + dt.timedelta(seconds=duration) if start and duration is not None else None
    return Call(
        sid=sid,
        provider=Sinch.name,
        status=status,
        raw_status=f"{status_raw}/{result}" if final and result else status_raw,
        from_=_endpoint(obj.get("from")),
        to=_endpoint(obj.get("to")),
        start=start,
        end=end,
        duration=duration,
        # debit is the total charged, known once the call is over; userRate is per minute.
        cost=_money(obj.get("debit"), currency) if final else None,
        rate=_money(obj.get("userRate"), currency),
        recordings=(),  # v1 has no recordings
        # `custom` (the application's own note) stays in `raw`: `data` is what a voice agent
        # extracted, and a Sinch call has none.
        result=result,
        reason=reason,
        raw=dict(obj),
    )


_ID_KEYS = ("callId", "callid", "callID", "call_id")


def _status(status: str, result: str, reason: str) -> str:
    """Sinch's status, result and reason as one of the app's statuses.

    ONGOING covers both ringing and talking (v1 does not tell them apart), so it reads as
    in-progress. FINAL must read as final whatever else comes: a result that says what
    happened maps directly; with no result (N/A), a CANCEL or a caller hanging up before an
    answer is a cancellation, a TIMEOUT is nobody answering, and anything else (blocked, no
    credit, errors, values v1 does not document) is a call that did not go through: failed.
    """
    if status == "ONGOING":
        return "in-progress"
    if status != "FINAL":
        return "unknown"
    if result in _FINAL_BY_RESULT:
        return _FINAL_BY_RESULT[result]
    if result in ("", "N/A"):
        if reason in ("CANCEL", "CALLERHANGUP"):
            return "canceled"
        if reason == "TIMEOUT":
            return "no-answer"
    return "failed"


def _upper(value: Any) -> str:
    """A Sinch enum value in its documented spelling: "noAnswer", "No Answer", "NO_ANSWER" and
    "no-answer" are all NOANSWER (the enums are single words in capitals)."""
    return re.sub(r"[\s_\-]+", "", values.text(value)).upper()


def _endpoint(value: Any) -> Endpoint | None:
    """`{type, endpoint}` (type in any case), or a bare string as DiCE sends `from`."""
    if isinstance(value, dict):
        text = values.text(value.get("endpoint")).strip()
        kind = _ENDPOINT_KINDS.get(values.text(value.get("type")).strip().lower(), "unknown")
        return Endpoint(text, kind) if text else None
    text = values.text(value).strip()
    if not text:
        return None
    if text.lower().startswith("sip:") or "@" in text:
        return Endpoint(text, "sip")
    return Endpoint(text, "number" if _PHONE.fullmatch(text) else "username")


def _money(value: Any, currency: str) -> Money | None:
    """`{currencyId, amount}` as Money; None when the amount is missing or not a number."""
    if not isinstance(value, dict):
        return None
    amount = values.decimal(value.get("amount"))
    if amount is None:
        return None
    code = values.text(value.get("currencyId")).strip().upper()
    return Money(amount, code or currency)
