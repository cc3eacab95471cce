"""The merge: one newest-first list from several provider searches, with no gaps.

Each provider search (a project, and one side of a phone number) is a stream of calls read
page by page. A call is shown only when it is at least as new as the next unshown call of
every stream still going: the newest of the streams' next calls is shown, and a stream whose
fetched calls have all been shown is asked for its next page before anything else is. So no
call of any project is passed over between two rows, and "More results" goes on from each
stream's place (cursors.Place). Every loop over pages is bounded: a request asks each stream
for at most `rounds` pages.

Where a stream cannot go on in that order (its provider's bound, a page that breaks the
order, paging that stopped, an error), a Gap says so at the row where its calls stop, and
offers the project's own search.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from callviewer.projects.models import Project
from callviewer.providers.types import Call, ProviderError, SearchPage, SearchQuery

from . import links
from .cursors import Place
from .rows import Row

ENDED = {
    "bound": "lists no more calls for one search",
    "stopped": "sent a page with no new calls while saying more were coming",
    "unordered": "did not list its calls newest first",
}
# How much newer than the call before it a call may be listed and still count as in order:
# a list may be ordered by when calls were created, which is a ring before they started.
ORDER_SLACK = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Gap:
    """Where one project's calls stop in a merged list although it may have more."""

    gap: ClassVar[bool] = True
    project: Project
    words: str  # why, for people
    url: str = ""  # the project's own search with the same filters


@dataclass
class Stream:
    """One provider search being merged: its place, and the calls fetched but not shown."""

    project: Project
    side: str
    query: SearchQuery
    cursor: str | None = None  # the page holding the next unshown call (None: the first)
    skip: int = 0  # calls of that page already shown
    calls: list[Call] = field(default_factory=list)
    next_cursor: str | None = None  # the page after the one fetched
    fetched: bool = False
    finished: bool = False  # the provider has no more
    ended: str = ""  # why it cannot go on although it may have more: a key of ENDED
    error: ProviderError | None = None
    last_start: dt.datetime | None = None  # of the last call shown or fetched

    @property
    def needs_page(self) -> bool:
        return not self.fetched or (not self.calls and not self.finished and not self.ended)

    def take(self, answer: SearchPage | ProviderError, across: bool) -> None:
        """A page (or its error) for this stream's place."""
        self.fetched = True
        if isinstance(answer, ProviderError):
            self.error, self.ended, self.calls = answer, "error", []
            return
        calls = list(answer.calls)
        if across:  # shown among other projects' calls: sorted, and the order checked
            if not _in_order(calls, self.last_start) and answer.next_cursor:
                self.ended = "unordered"
            calls.sort(key=_newest_first)
        self.calls = calls[self.skip :]
        self.next_cursor = answer.next_cursor
        if answer.bound_reached:
            self.ended = "bound"
        elif answer.next_cursor and not answer.calls and not answer.passed_over:
            # Following such a page could go on forever (it did, for an export of SignalWire
            # answering {"calls": [], "next_page_uri": ...}), and it shows nothing anyway.
            self.ended = "stopped"
        elif not answer.next_cursor:
            self.finished = True
        starts = [c.start for c in calls if c.start is not None]
        if starts:
            self.last_start = min(starts)
        self._turn_page()

    def pop(self) -> Call:
        call = self.calls.pop(0)
        self.skip += 1
        self._turn_page()
        return call

    def _turn_page(self) -> None:
        """Once every fetched call is shown, the place is the next page's start."""
        if not self.calls and self.next_cursor and not self.ended:
            self.cursor, self.skip, self.next_cursor = self.next_cursor, 0, None

    def place(self) -> Place | None:
        """Where this stream goes on next time; None when it cannot."""
        if self.error is not None or (not self.calls and (self.finished or self.ended)):
            return None
        return Place(self.project.slug, self.side, self.cursor, self.skip)


Fetch = Callable[[Sequence[Stream]], list[SearchPage | ProviderError]]


def merge(
    streams: Sequence[Stream],
    fetch: Fetch,
    *,
    want: int,
    rounds: int,
    across: bool,
    gap_url: Callable[[Project], str] = lambda project: "",
) -> tuple[list[Row | Gap], int]:
    """The merged lines (rows, and gaps), and the rounds of pages asked.

    `across` several projects, each page is sorted newest first and its order checked; one
    project's lists keep their provider's order.

    Rows are shown while no stream needs a page; a page is asked for (all the streams that
    need one at once) while fewer than `want` rows are shown and `rounds` allow.
    """
    lines: list[Row | Gap] = []
    shown = 0
    known: set[tuple[int, str]] = set()
    asked = 0
    while True:
        needy = [s for s in streams if s.needs_page]
        if needy:
            if asked >= rounds or (asked and shown >= want):
                break
            for stream, answer in zip(needy, fetch(needy), strict=True):
                stream.take(answer, across)
                if _shows_gap(stream, across) and not stream.calls and (lines or asked):
                    lines.append(_gap(stream, gap_url))
            asked += 1
            continue
        heads = [s for s in streams if s.calls]
        if not heads:
            break
        stream = max(heads, key=lambda s: _newest_first_key(s.calls[0]))
        call = stream.pop()
        if (stream.project.pk, call.sid) not in known:
            known.add((stream.project.pk, call.sid))
            lines.append(Row(stream.project, call, links.call_url(call.sid, stream.project)))
            shown += 1
        if _shows_gap(stream, across) and not stream.calls:
            lines.append(_gap(stream, gap_url))
    return lines, asked


def _shows_gap(stream: Stream, across: bool) -> bool:
    """An error always shows where it cut a stream short; the other ends only among several
    projects (one project's own list says them at its end)."""
    return stream.error is not None or (across and bool(stream.ended))


def _gap(stream: Stream, gap_url: Callable[[Project], str]) -> Gap:
    project = stream.project
    label = project.provider_label
    if stream.error is not None:
        words = f"{project.name} ({label}) failed: {stream.error.message}"
    else:
        words = (
            f"{project.name} may have more calls from here on: {label} {ENDED[stream.ended]}, "
            "so callviewer stopped there"
        )
    return Gap(project, words, gap_url(project))


def _newest_first_key(call: Call) -> float:
    """Sorts newest first; a call with no start is shown as soon as it comes (it bounds
    nothing, and holding it back would hold back its stream)."""
    return call.start.timestamp() if call.start else float("inf")


def _newest_first(call: Call) -> float:
    return -_newest_first_key(call)


def _in_order(calls: Sequence[Call], oldest_before: dt.datetime | None) -> bool:
    """Whether no call is listed more than ORDER_SLACK newer than one listed before it."""
    oldest = oldest_before
    for call in calls:
        if call.start is None:
            continue
        if oldest is not None and call.start > oldest + ORDER_SLACK:
            return False
        oldest = call.start if oldest is None else min(oldest, call.start)
    return True
