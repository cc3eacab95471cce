"""Searching call history: asking one project or all at once, and what each answered.

A search names one project or "all" of the agent's projects. Each project's provider is asked
in parallel (fanout.py). A phone number that may be either party is two provider searches
(to, then from) whose answers are merged by start time and de-duplicated by SID (merge.py).
"More results" carries each side's cursor in the URL (cursors.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from callviewer.projects.models import Project
from callviewer.providers.base import Provider
from callviewer.providers.types import (
    Call,
    ProviderError,
    RateLimited,
    SearchPage,
    SearchQuery,
    TimedOut,
    in_newest_first_order,
)

from . import fanout
from .filters import Filters
from .merge import merge
from .numbers import InvalidNumber, normalise_number
from .rows import Row


@dataclass
class ProjectResult:
    """What one project answered (or why it was not asked)."""

    project: Project
    label: str  # the provider's name, for people
    # The calls of each side ("", "to", "from"), in the order the provider gave them.
    lists: dict[str, list[Call]] = field(default_factory=dict)
    cursors: dict[str, str] = field(default_factory=dict)  # side -> next cursor
    bound_reached: bool = False
    errors: list[ProviderError] = field(default_factory=list)
    answered: bool = False  # at least one provider search succeeded
    numbers: tuple[str, ...] = ()  # the E.164 numbers searched for
    skipped: str = ""  # why this project was not searched, in words
    retry: dict[str, str] = field(default_factory=dict)  # side -> cursor of a failed ask
    stopped: str = ""  # why paging stopped before the provider said it was done, in words

    @property
    def failed(self) -> bool:
        return bool(self.errors) and not self.answered

    @property
    def calls(self) -> list[Call]:
        return [call for calls in self.lists.values() for call in calls]


@dataclass
class Outcome:
    """A whole search: per-project results and the merged rows."""

    results: list[ProjectResult]
    rows: list[Row]

    @property
    def searched(self) -> list[ProjectResult]:
        return [r for r in self.results if not r.skipped]

    @property
    def failures(self) -> list[ProjectResult]:
        return [r for r in self.results if r.errors]

    @property
    def all_failed(self) -> bool:
        searched = self.searched
        return bool(searched) and all(r.failed for r in searched)

    @property
    def more(self) -> list[ProjectResult]:
        return [r for r in self.results if r.cursors]

    @property
    def bound_reached(self) -> list[ProjectResult]:
        return [r for r in self.results if r.bound_reached]

    @property
    def stopped(self) -> list[ProjectResult]:
        return [r for r in self.results if r.stopped]

    @property
    def errors(self) -> list[ProviderError]:
        return [e for r in self.results for e in r.errors]

    @property
    def numbers(self) -> list[str]:
        return sorted({n for r in self.results for n in r.numbers})

    @property
    def newest_first(self) -> bool:
        """Whether the rows really are newest first: a provider's own order is not always so
        (TalkStack does not document its history's order), and a page must not claim it."""
        return in_newest_first_order(row.call.start for row in self.rows)


def run(
    projects: Sequence[Project],
    filters: Filters,
    cursors: dict[str, dict[str, str]] | None = None,
) -> Outcome:
    """Ask each project's provider (in parallel), merge the answers newest first.

    With `cursors` (project slug -> side -> cursor), only the sides they name are asked,
    from where they point: "More results".
    """
    results: list[ProjectResult] = []
    asks: list[tuple[ProjectResult, Provider, str, SearchQuery, str | None]] = []
    for project in projects:
        client = project.client()
        result = ProjectResult(project, client.label)
        results.append(result)
        if not client.supports_search:
            result.skipped = f"{client.label} keeps no call history that callviewer can search"
            continue
        try:
            number = normalise_number(filters.number, client.region) if filters.number else ""
        except InvalidNumber as exc:
            result.skipped = str(exc)
            continue
        result.numbers = (number,) if number else ()
        pages = cursors.get(project.slug, {}) if cursors is not None else None
        for side in filters.sides() if pages is None else list(pages):
            cursor = pages.get(side) if pages else None
            asks.append((result, client, side, filters.query(side, number), cursor))
    answers = fanout.ask(
        [(client, _searcher(query, cursor)) for _r, client, _s, query, cursor in asks],
        "Searching",
    )
    for (result, _client, side, _query, cursor), answer in zip(asks, answers, strict=True):
        if isinstance(answer, ProviderError):
            result.errors.append(answer)
            result.retry[side] = cursor or ""
            continue
        result.answered = True
        result.lists.setdefault(side, []).extend(answer.calls)
        result.bound_reached |= answer.bound_reached
        if answer.next_cursor and answer.calls:
            result.cursors[side] = answer.next_cursor
        elif answer.next_cursor:
            # Following such a page could go on forever (it did, for an export of SignalWire
            # answering {"calls": [], "next_page_uri": ...}), and it shows nothing anyway.
            result.stopped = (
                f"{result.label} sent a page with no new calls while saying more were coming, "
                "so callviewer stopped there"
            )
    return Outcome(results, merged(results))


def _searcher(query: SearchQuery, cursor: str | None) -> Callable[[Provider], SearchPage]:
    return lambda client: client.search(query, cursor)


def merged(results: Iterable[ProjectResult]) -> list[Row]:
    """The rows of every project's lists, merged (merge.merge)."""
    return merge((r.project, calls) for r in results for calls in r.lists.values())


def http_status(errors: Iterable[ProviderError]) -> int:
    """The status a search answers when nothing could be shown (never 500)."""
    errors = list(errors)
    if any(isinstance(e, TimedOut) for e in errors):
        return 504
    if any(isinstance(e, RateLimited) for e in errors):
        return 503
    return 502


def retry_after(errors: Iterable[ProviderError]) -> int | None:
    waits = [e.retry_after for e in errors if isinstance(e, RateLimited) and e.retry_after]
    return int(max(waits) + 0.999) if waits else None
