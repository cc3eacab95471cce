"""CSV export of a search: every page up to a cap, in cells a spreadsheet never runs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence

from django.utils import timezone

from callviewer.projects.models import Project

from .filters import Filters
from .presentation import EMPTY, duration_text
from .rows import Row, recordings_text
from .search import Outcome, run

EXPORT_MAX_ROWS = 1000
# Pages an export asks each project for, at most: a provider that always says "more" ends
# somewhere. TalkStack's whole bound (25 to 500 calls, 20 asks) and EXPORT_MAX_ROWS of
# SignalWire (50 a page) fit in it.
EXPORT_MAX_PAGES = 20

CSV_COLUMNS = (
    "project",
    "provider",
    "call_sid",
    "start",
    "start_utc",
    "direction",
    "from",
    "to",
    "status",
    "provider_status",
    "final",
    "duration_seconds",
    "duration",
    "cost",
    "currency",
    "recordings",
    "call_url",
)
_SAFE_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_FORMULA_START = tuple("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs: a leading apostrophe defuses formulas.

    Plain numbers (E.164 phone numbers such as +14155550100, amounts) are left as they are:
    they cannot run anything, and agents paste them elsewhere.
    """
    text = "" if value is None else str(value)
    if _SAFE_NUMBER.fullmatch(text):
        return text
    if text.lstrip(" ").startswith(_FORMULA_START):
        return "'" + text
    return text


def export_all(projects: Sequence[Project], filters: Filters) -> tuple[list[Row], Outcome, bool]:
    """Every page of the search, up to EXPORT_MAX_ROWS rows: (rows, outcome, truncated).

    Each provider search is asked for EXPORT_MAX_PAGES pages at most; a project that has
    more after that says so in its `stopped`.
    """
    limit = EXPORT_MAX_ROWS
    outcome = run(projects, filters, want=limit + 1, rounds=EXPORT_MAX_PAGES)
    if outcome.rounds >= EXPORT_MAX_PAGES:
        going = {place.slug for place in outcome.places}
        for result in outcome.results:
            if result.project.slug in going and not result.stopped:
                result.stopped = f"callviewer stopped after {EXPORT_MAX_PAGES} pages"
    rows = outcome.rows
    truncated = len(rows) > limit or bool(outcome.places or outcome.bound_reached)
    return rows[:limit], outcome, truncated


def csv_text(rows: Iterable[Row], base_url: str, notes: Iterable[str] = ()) -> str:
    """The rows as CSV, in the agent's time zone; `notes` become final "#" rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        call = row.call
        start = timezone.localtime(call.start).isoformat() if call.start else ""
        start_utc = call.start.astimezone(dt.UTC).isoformat() if call.start else ""
        recordings = recordings_text(call, row.project.provider_class)
        cells = (
            row.project.slug,
            row.project.provider_label,
            call.sid,
            start,
            start_utc,
            call.direction,
            str(call.from_ or ""),
            str(call.to or ""),
            call.status,
            call.raw_status,
            "yes" if call.is_final else "no",
            "" if call.duration is None else call.duration,
            duration_text(call.duration) if call.duration is not None else "",
            f"{abs(call.cost.amount)}" if call.cost else "",
            call.cost.currency if call.cost else "",
            {EMPTY: "", "see call": "unknown"}.get(recordings, recordings),
            base_url + row.url if row.url else "",
        )
        writer.writerow([safe_cell(c) for c in cells])
    for note in notes:
        writer.writerow([safe_cell("# " + note)])
    return out.getvalue()
