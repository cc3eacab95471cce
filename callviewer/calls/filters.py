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


@dataclass(frozen=True)
class Filters:
    """The checked filters of a search. `number` is as typed; each project reads it itself."""

    number: str = ""
    match: str = "either"  # either | to | from
    status: str = ""
    date_from: dt.date | None = None  # UTC date
    date_to: dt.date | None = None  # UTC date

    def sides(self) -> tuple[str, ...]:
        """The provider searches one project needs: "" (no number), or "to" and/or "from"."""
        if not self.number:
            return ("",)
        return ("to", "from") if self.match == "either" else (self.match,)

    def query(self, side: str, number: str) -> SearchQuery:
        return SearchQuery(
            to=number if side == "to" else "",
            from_=number if side == "from" else "",
            status=self.status,
            started_on_or_after=self.date_from,
            started_on_or_before=self.date_to,
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
        if self.date_from and self.date_to:
            if self.date_from == self.date_to:
                parts.append(f"started on {self.date_from} (UTC)")
            else:
                parts.append(f"started {self.date_from} to {self.date_to} (UTC)")
        elif self.date_from:
            parts.append(f"started on or after {self.date_from} (UTC)")
        elif self.date_to:
            parts.append(f"started on or before {self.date_to} (UTC)")
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
