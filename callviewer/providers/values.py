"""Readers for the loose values in provider payloads, shared by the three provider modules.

Providers send numbers as numbers or numeric strings, times in RFC 2822 or ISO 8601, and null
where a value is not known yet. Each reader turns what it is given into the value or None and
never raises: an odd field becomes an empty one on the page, not an error.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .types import STATUSES

log = logging.getLogger(__name__)

_STATUS_ALIASES = {"cancelled": "canceled", "noanswer": "no-answer", "inprogress": "in-progress"}


def text(value: Any) -> str:
    """A scalar as text; null, objects and lists as ""."""
    return "" if value is None or isinstance(value, dict | list) else str(value)


def decimal(value: Any) -> Decimal | None:
    """A number or a numeric string; None for null, garbage and non-finite values."""
    if value is None or isinstance(value, bool | dict | list):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def whole(value: Any) -> int | None:
    """A count (seconds, packets) as a non-negative int, or None."""
    number = decimal(value)
    return None if number is None else max(0, int(number))


def moment(value: Any, provider: str) -> dt.datetime | None:
    """An aware datetime from RFC 2822 (SignalWire's "Sept" included) or ISO 8601.

    Naive times are UTC. What cannot be read is logged (first 60 characters) and None.
    """
    raw = text(value).strip()
    if not raw:
        return None
    try:
        when = email.utils.parsedate_to_datetime(re.sub(r"\bSept\b", "Sep", raw))
    except (TypeError, ValueError):
        try:
            when = dt.datetime.fromisoformat(raw)
        except ValueError:
            log.warning("%s call time not understood: %r", provider, raw[:60])
            return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def status(raw: str) -> str:
    """A Twilio-style status ("in-progress", "No Answer", "cancelled") in our vocabulary."""
    value = re.sub(r"[\s_]+", "-", raw.lower())
    value = _STATUS_ALIASES.get(value.replace("-", ""), value)
    return value if value in STATUSES else "unknown"
