"""The filters of a search, in words and as a URL, and the projects a search covers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from callviewer.projects.models import Project
from callviewer.providers.types import SearchQuery

ALL = "all"
MATCHES = {"either": "to or from", "to": "to", "from": "from"}


# The quick date ranges, in the agent's own days: name -> (words, days back from today).
RANGES = {
    "today": ("Today", 0),
    "yesterday": ("Yesterday", 1),
    "7d": ("Last 7 days", 6),
    "30d": ("Last 30 days", 29),
}


def quick_range(name: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of a quick range (RANGES) ending `today`."""
    _words, back = RANGES[name]
    first = today - dt.timedelta(days=back)
    return first, first if name == "yesterday" else today


@dataclass(frozen=True)
class Filters:
    """The checked filters of a search. `number` is as typed; each project reads it itself.

    The dates are days in the agent's time zone, `zone`: a day runs from its local midnight to
    the next (23 or 25 hours on a change to or from daylight saving time).
    """

    number: str = ""
    match: str = "either"  # either | to | from
    status: str = ""
    date_from: dt.date | None = None  # a day in `zone`
    date_to: dt.date | None = None  # a day in `zone`
    zone: dt.tzinfo = dt.UTC

    def sides(self) -> tuple[str, ...]:
        """The provider searches one project needs: "" (no number), or "to" and/or "from"."""
        if not self.number:
            return ("",)
        return ("to", "from") if self.match == "either" else (self.match,)

    def bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The dates as UTC instants: the start of `date_from`, the end of `date_to` (None
        past the ends of the calendar: the form stops far earlier)."""
        start = _midnight(self.date_from, self.zone) if self.date_from else None
        end = None
        if self.date_to and self.date_to < dt.date.max:
            end = _midnight(self.date_to + dt.timedelta(days=1), self.zone)
        return start, end

    def query(self, side: str, number: str) -> SearchQuery:
        start, end = self.bounds()
        return SearchQuery(
            to=number if side == "to" else "",
            from_=number if side == "from" else "",
            status=self.status,
            started_from=start,
            started_before=end,
        )

    def words(self, numbers: Iterable[str] = ()) -> str:
        """The filters in words, e.g. "calls to or from +12068091239, status completed"."""
        parts = []
        if self.number:
            shown = ", ".join(sorted(set(numbers))) or self.number
            typed = f" (typed “{self.number}”)" if shown != self.number else ""
            parts.append(f"{MATCHES[self.match]} {shown}{typed}")
        if self.status:
            parts.append(f"status {self.status}")
        zone = f"({self.zone})"
        if self.date_from and self.date_to:
            if self.date_from == self.date_to:
                parts.append(f"started on {self.date_from} {zone}")
            else:
                parts.append(f"started {self.date_from} to {self.date_to} {zone}")
        elif self.date_from:
            parts.append(f"started on or after {self.date_from} {zone}")
        elif self.date_to:
            parts.append(f"started on or before {self.date_to} {zone}")
        return "calls " + ", ".join(parts) if parts else "any call"

    def params(self) -> dict[str, str]:
        """The filters as URL parameters (empty ones left out)."""
        values = {
            "number": self.number,
            "match": self.match if self.number and self.match != "either" else "",
            "status": self.status,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in values.items() if v}


def search_url(name: str, slug: str, filters: Filters, **extra: str | list[str]) -> str:
    """The canonical URL of a search (`calls:search` or `calls:export`), project first."""
    params: dict[str, str | list[str]] = {"project": slug, **filters.params(), **extra}
    return reverse(name) + "?" + urlencode(params, doseq=True)


def pick_projects(slug: str, projects: Sequence[Project]) -> list[Project] | None:
    """The projects a search covers: all the agent's, or the one named; None if not theirs."""
    if slug == ALL:
        return list(projects)
    match = [p for p in projects if p.slug == slug]
    return match or None


def _midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime | None:
    """The first instant of `day` in `zone`, in UTC. Where midnight does not exist (clocks
    jump from 00:00) fold=0 gives the instant of the jump; where it happens twice, the first."""
    try:
        return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)
    except OverflowError:  # the calendar's first day, east of UTC
        return None
