"""Readers for the loose values in provider payloads, shared by the three provider modules.

Providers send numbers as numbers or numeric strings, times in RFC 2822 or ISO 8601, and null
where a value is not known yet. Each reader turns what it is given into the value or None and
never raises: an odd field becomes an empty one on the page, not an error.

A provider's answer is hostile input: NUL characters (which PostgreSQL refuses), lone
surrogates (which cannot be written as UTF-8), numbers too large for anything, years no
calendar holds and nesting deep enough to exhaust the stack all come out here, at the edge,
before the rest of the app sees the value. Log lines name the provider, project, call and
field, never a value from the payload: those can be phone numbers or worse.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
import traceback
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from . import http
from .types import STATUSES, UnexpectedAnswer

log = logging.getLogger(__name__)

_STATUS_ALIASES = {"cancelled": "canceled", "noanswer": "no-answer", "inprogress": "in-progress"}
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Deeper than any provider answer goes; deeper values are dropped rather than recursed into.
MAX_DEPTH = 32
# A number in a payload is a price, a duration or a count: none needs more characters than
# this, or a magnitude beyond 10**15; longer or larger ones are garbage, not values.
_MAX_NUMBER_TEXT = 64
_MAX_MAGNITUDE = 15
_MIN_MAGNITUDE = -20
_MAX_TIME_TEXT = 64  # RFC 2822 and ISO 8601 times take about half of it
# Counts (seconds, packets) beyond this are garbage; it also keeps start + duration in range.
MAX_COUNT = 10**9
# Times a call can have happened at; outside them a year is garbage (0, 99999, ...).
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Source:
    """Where a payload came from, as a log line may name it: no payload value in it.

    `sid` must be one the provider's SID pattern accepted (the parser checks), `project` the
    provider-side project the client is configured for (a setting, not part of the answer).
    """

    provider: str
    project: str = ""
    sid: str = ""

    def unreadable(self, field: str) -> None:
        log.warning(
            "%s project %s call %s: field %s is not a value callviewer can read",
            self.provider,
            self.project or "-",
            self.sid or "-",
            field,
        )


def clean(value: str) -> str:
    """Text without NUL characters, with lone surrogates replaced (both break storage)."""
    return _LONE_SURROGATE.sub("\ufffd", value.replace("\x00", ""))


def plain(value: Any, depth: int = 0) -> Any:
    """A JSON value with every string (keys too) cleaned and nesting cut at MAX_DEPTH.

    What lies deeper becomes None: no provider nests that far, and the page that shows a
    call's raw answer must be able to render it.
    """
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        if depth >= MAX_DEPTH:
            return None
        return {clean(str(k)): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return None if depth >= MAX_DEPTH else [plain(v, depth + 1) for v in value]
    return value


def answer(provider: str, response: httpx.Response) -> Any:
    """The response's JSON as plain() data, or UnexpectedAnswer (http.json_body, and more)."""
    try:
        body = http.json_body(provider, response)
    except RecursionError as exc:  # json.loads recurses once per level of nesting
        raise UnexpectedAnswer(
            provider, f"{provider} sent an answer nested too deeply to read."
        ) from exc
    return plain(body)


def error_body(response: httpx.Response) -> dict[str, Any]:
    """An error answer's JSON object as plain() data, or {} when it is anything else."""
    try:
        body = response.json()
    except (ValueError, RecursionError):
        return {}
    return plain(body) if isinstance(body, dict) else {}


def url(value: Any) -> httpx.URL | None:
    """A URL as httpx reads it, or None when it cannot be read (bad IDNA, bad port, ...)."""
    if not isinstance(value, str | httpx.URL):
        return None
    try:
        parsed = httpx.URL(value)
        parsed.host  # noqa: B018 (httpx decodes the host lazily: bad IDNA raises only here)
    except (httpx.InvalidURL, UnicodeError, ValueError, TypeError):
        return None
    return parsed


def text(value: Any) -> str:
    """A scalar as clean text; null, objects and lists as ""."""
    if value is None or isinstance(value, dict | list):
        return ""
    try:
        return clean(str(value))
    except ValueError:  # an int too long to write out (Python's 4300-digit limit)
        return ""


def decimal(value: Any) -> Decimal | None:
    """A number or a numeric string; None for null, garbage, non-finite and absurd values."""
    if value is None or isinstance(value, bool | dict | list):
        return None
    raw = text(value).strip()
    if not raw or len(raw) > _MAX_NUMBER_TEXT:
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if number.is_zero():
        return Decimal(0)
    return number if _MIN_MAGNITUDE <= number.adjusted() <= _MAX_MAGNITUDE else None


def whole(value: Any) -> int | None:
    """A count (seconds, packets) as an int from 0 to MAX_COUNT, or None.

    A negative count is garbage, not zero: it reads as unknown.
    """
    number = decimal(value)
    if number is None or number < 0:
        return None
    count = int(number)
    return count if count <= MAX_COUNT else None


def moment(value: Any) -> dt.datetime | None:
    """An aware datetime from RFC 2822 (SignalWire's "Sept" included) or ISO 8601, or None.

    Naive times are UTC. Times before 1970 or after 2199 are None: no call happened then, and
    arithmetic on them (an end time, a time zone) could leave the calendar.
    """
    raw = text(value).strip()
    if not raw or len(raw) > _MAX_TIME_TEXT:
        return None
    try:
        when = email.utils.parsedate_to_datetime(re.sub(r"\bSept\b", "Sep", raw))
    except (TypeError, ValueError, OverflowError, IndexError):
        try:
            when = dt.datetime.fromisoformat(raw)
        except (ValueError, OverflowError):
            return None
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    try:
        in_range = EARLIEST <= when.astimezone(dt.UTC) < LATEST
    except OverflowError:
        return None
    return when if in_range else None


def time_field(obj: Any, field: str, source: Source) -> dt.datetime | None:
    """`obj[field]` as moment(); when it is there but unreadable, says so in the log."""
    value = obj.get(field) if isinstance(obj, dict) else None
    when = moment(value)
    if when is None and text(value).strip():
        source.unreadable(field)
    return when


def status(raw: str) -> str:
    """A Twilio-style status ("in-progress", "No Answer", "cancelled") in our vocabulary."""
    value = re.sub(r"[\s_]+", "-", raw.lower())
    value = _STATUS_ALIASES.get(value.replace("-", ""), value)
    return value if value in STATUSES else "unknown"


def bug_site(exc: BaseException) -> str:
    """An unexpected exception as its type and where it was raised (file:line), for a log line
    that holds no value from a provider's answer (its message might)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return type(exc).__name__ + where
