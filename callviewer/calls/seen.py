"""The table of calls the app has fetched: resolves links by SID and lists Sinch calls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from callviewer.projects.models import Project
from callviewer.providers.types import Call

from .models import SeenCall

_SUMMARY = (
    "status",
    "direction",
    "from_number",
    "to_number",
    "start",
    "duration",
    "cost",
    "currency",
    "last_seen",
)
SID_LENGTH = SeenCall._meta.get_field("sid").max_length or 80
_MAX_DURATION = 2**31 - 1  # an IntegerField on every database
_CENT_MILLIONTHS = Decimal("0.000001")  # the cost column's 6 decimal places
_MAX_COST = Decimal(10) ** 8  # its 14 digits, 8 of them before the point


def remember(project: Project, calls: Iterable[Call]) -> None:
    """Insert or refresh the summary of each call, in one query (an upsert on project + SID).

    What a provider sent is made to fit the columns (PostgreSQL refuses NUL in text and
    values too long or too large for a column): texts lose NUL and are cut to their column,
    numbers out of range are left out. A call whose SID does not fit as it is, NUL included,
    is not remembered at all: a cut SID would name another call, and a link holding NUL is
    refused anyway.
    """
    rows = {
        call.sid: SeenCall(
            project=project,
            sid=call.sid,
            status=_text(call.status, 20),
            direction=_text(call.direction, 20),
            from_number=_text(str(call.from_ or ""), 200),
            to_number=_text(str(call.to or ""), 200),
            start=_moment(call.start),
            duration=_count(call.duration),
            cost=_amount(call.cost.amount) if call.cost else None,
            currency=_text(call.cost.currency, 8) if call.cost else "",
        )
        for call in calls
        if storable(call.sid)
    }  # one row per SID: an upsert may not touch the same row twice
    if rows:
        SeenCall.objects.bulk_create(
            rows.values(),
            update_conflicts=True,
            unique_fields=["project", "sid"],
            update_fields=_SUMMARY,
        )


def storable(sid: str) -> bool:
    """Whether `sid` can be kept as it is: not empty, no NUL, within the column."""
    return 0 < len(sid) <= SID_LENGTH and "\x00" not in sid


def _text(value: str, length: int) -> str:
    return value.replace("\x00", "")[:length]


def _moment(value: dt.datetime | None) -> dt.datetime | None:
    """The time, if it exists in UTC too (a time in year 1 with a positive offset does not)."""
    if value is None:
        return None
    try:
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None


def _count(value: int | None) -> int | None:
    return value if value is not None and 0 <= value <= _MAX_DURATION else None


def _amount(value: Decimal) -> Decimal | None:
    try:
        amount = value.quantize(_CENT_MILLIONTHS)
    except InvalidOperation:  # more digits than the decimal context holds
        return None
    return amount if amount.is_finite() and abs(amount) < _MAX_COST else None
