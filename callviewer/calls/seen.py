"""The table of calls the app has fetched: resolves links by SID and lists Sinch calls."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.db.models import Q

from callviewer import after_response
from callviewer.projects.models import Project
from callviewer.providers.types import STATUSES, Call, Endpoint, Money

from . import links
from .filters import Filters
from .models import SeenCall
from .numbers import normalise_number
from .rows import Row

SEEN_LIMIT = 200

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
# A call written with the same summary this recently is not written again: `last_seen` is
# then up to this old (it only orders the calls seen that started at the same moment).
UNCHANGED_SECONDS = 10 * 60


def remember(project: Project, calls: Iterable[Call]) -> None:
    """Insert or refresh the summary of each call, in one query (an upsert on project + SID).

    What a provider sent is made to fit the columns (PostgreSQL refuses NUL in text and
    values too long or too large for a column): texts lose NUL and are cut to their column,
    numbers out of range are left out. A call whose SID does not fit as it is, NUL included,
    is not remembered at all: a cut SID would name another call, and a link holding NUL is
    refused anyway.

    Calls whose summary was written unchanged in the last UNCHANGED_SECONDS (the cache keeps
    a fingerprint of each) are skipped, and the write is done after the response is sent
    (after_response): a call page seen again costs no write, and no page waits for one.
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
    if not rows:
        return
    prints = {_key(project, sid): (row, _fingerprint(row)) for sid, row in rows.items()}
    written = _written(list(prints))
    changed = {key: pair for key, pair in prints.items() if written.get(key) != pair[1]}
    if changed:
        after_response.later("the calls seen", lambda: _write(changed))


def _written(keys: list[str]) -> dict[str, str]:
    """The fingerprints of the summaries written lately; none when the cache fails (a write
    too many is harmless, a page that fails is not)."""
    try:
        return cache.get_many(keys)
    except Exception:
        return {}


def _write(changed: dict[str, tuple[SeenCall, str]]) -> None:
    SeenCall.objects.bulk_create(
        [row for row, _print in changed.values()],
        update_conflicts=True,
        unique_fields=["project", "sid"],
        update_fields=_SUMMARY,
    )
    cache.set_many({key: print_ for key, (_row, print_) in changed.items()}, UNCHANGED_SECONDS)


def _key(project: Project, sid: str) -> str:
    # Hashed: a SID is the provider's text, and some caches refuse some characters in keys.
    return f"seen:{project.pk}:{hashlib.blake2b(sid.encode(), digest_size=12).hexdigest()}"


def _fingerprint(row: SeenCall) -> str:
    summary = [getattr(row, name) for name in _SUMMARY if name != "last_seen"]
    return hashlib.blake2b(repr(summary).encode(), digest_size=12).hexdigest()


def remember_rows(rows: Iterable[Row]) -> None:
    """Add the calls shown to the table of calls seen (request thread only)."""
    by_project: dict[int, tuple[Project, list[Call]]] = {}
    for row in rows:
        by_project.setdefault(row.project.pk, (row.project, []))[1].append(row.call)
    # No transaction: each project's writes are done after the response (remember).
    for project, calls in by_project.values():
        remember(project, calls)


def seen_calls(project: Project, filters: Filters) -> tuple[list[Row], str]:
    """The calls of `project` already seen in callviewer that match `filters`, newest first.

    For providers without history (Sinch), as they were when last fetched. Returns the rows
    and the number searched for.
    """
    calls = SeenCall.objects.filter(project=project)
    number = normalise_number(filters.number, project.client().region) if filters.number else ""
    if number:
        if filters.match == "to":
            calls = calls.filter(to_number=number)
        elif filters.match == "from":
            calls = calls.filter(from_number=number)
        else:
            calls = calls.filter(Q(to_number=number) | Q(from_number=number))
    if filters.status:
        calls = calls.filter(status=filters.status)
    start, end = filters.bounds()  # days in the agent's time zone
    if start:
        calls = calls.filter(start__gte=start)
    if end:
        calls = calls.filter(start__lt=end)
    found = [_seen_call(project, c) for c in calls.order_by("-start", "-last_seen")[:SEEN_LIMIT]]
    return [Row(project, call, links.call_url(call.sid, project)) for call in found], number


def _seen_call(project: Project, seen_call: SeenCall) -> Call:
    cost = None
    if seen_call.cost is not None:
        cost = Money(seen_call.cost, seen_call.currency or "")
    return Call(
        sid=seen_call.sid,
        provider=project.provider,
        status=seen_call.status if seen_call.status in STATUSES else "unknown",
        raw_status=seen_call.status,
        direction=seen_call.direction,
        from_=Endpoint(seen_call.from_number) if seen_call.from_number else None,
        to=Endpoint(seen_call.to_number) if seen_call.to_number else None,
        start=seen_call.start,
        duration=seen_call.duration,
        cost=cost,
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
