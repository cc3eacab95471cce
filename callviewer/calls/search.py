"""Searching call history: asking one project or all at once, and what each answered.

A search names one project or "all" of the agent's projects. Each project is asked once per
side of the number (a number that may be either party is two provider searches, to and
from), all in parallel (fanout.py), and the answers become one list (merge.py). "More
results" goes on from each search's place (cursors.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from callviewer.projects.models import Project
from callviewer.providers.base import Provider
from callviewer.providers.types import (
    ProviderError,
    SearchPage,
    SearchQuery,
    in_newest_first_order,
)

from . import fanout
from .cursors import Place
from .filters import Filters, search_url
from .merge import ENDED, Gap, Stream, merge
from .numbers import InvalidNumber, normalise_number
from .rows import Row

PAGE_ROWS = 25  # rows one page of results shows at least, when the providers have them
MAX_ROUNDS = 4  # pages one page of results asks of each provider search, at most


@dataclass
class ProjectResult:
    """What one project answered (or why it was not asked)."""

    project: Project
    label: str  # the provider's name, for people
    bound_reached: bool = False
    errors: list[ProviderError] = field(default_factory=list)
    answered: bool = False  # at least one provider search succeeded
    numbers: tuple[str, ...] = ()  # the E.164 numbers searched for
    skipped: str = ""  # why this project was not searched, in words
    stopped: str = ""  # why paging stopped before the provider said it was done, in words

    @property
    def failed(self) -> bool:
        return bool(self.errors) and not self.answered


@dataclass
class Outcome:
    """A whole search: per-project results, the merged lines, and where it goes on."""

    results: list[ProjectResult]
    lines: list[Row | Gap]
    places: list[Place] = field(default_factory=list)  # empty: nothing more to show
    rounds: int = 0  # rounds of provider pages asked

    @property
    def rows(self) -> list[Row]:
        return [line for line in self.lines if isinstance(line, Row)]

    @property
    def gaps(self) -> list[Gap]:
        return [line for line in self.lines if isinstance(line, Gap)]

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
    places: Sequence[Place] | None = None,
    *,
    want: int = PAGE_ROWS,
    rounds: int = MAX_ROUNDS,
) -> Outcome:
    """Ask each project's provider (in parallel) and merge the answers (merge.merge).

    With `places` ("More results"), only the searches they name are asked, from there.
    """
    results: list[ProjectResult] = []
    streams: list[Stream] = []
    clients: dict[int, Provider] = {}
    resume = None if places is None else {(p.slug, p.side): p for p in places}
    for project in projects:
        client = clients[project.pk] = project.client()
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
        for side in filters.sides():
            stream = Stream(project, side, filters.query(side, number))
            if resume is not None:
                if (place := resume.get((project.slug, side))) is None:
                    continue
                stream.cursor, stream.skip = place.cursor, place.skip
            streams.append(stream)

    def fetch(needy: Sequence[Stream]) -> list[SearchPage | ProviderError]:
        questions = [(clients[s.project.pk], _searcher(s.query, s.cursor)) for s in needy]
        return fanout.ask(questions, "Searching")

    lines, asked = merge(
        streams,
        fetch,
        want=want,
        rounds=rounds,
        across=len([r for r in results if not r.skipped]) > 1,
        gap_url=lambda project: search_url("calls:search", project.slug, filters),
    )
    _report(streams, {r.project.pk: r for r in results})
    places_next = [place for s in streams if (place := s.place()) is not None]
    return Outcome(results, lines, places_next, asked)


def _report(streams: Sequence[Stream], results: dict[int, ProjectResult]) -> None:
    """What each project's searches came to, for the page's notices."""
    for stream in streams:
        result = results[stream.project.pk]
        if stream.error is not None:
            result.errors.append(stream.error)
            continue
        result.answered = True
        result.bound_reached |= stream.ended == "bound"
        if stream.ended == "stopped":
            result.stopped = f"{result.label} {ENDED['stopped']}, so callviewer stopped there"


def _searcher(query: SearchQuery, cursor: str | None) -> Callable[[Provider], SearchPage]:
    return lambda client: client.search(query, cursor)
