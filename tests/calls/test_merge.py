"""The merge: several provider searches as one newest-first list with no gaps, page by page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest

from callviewer.calls.merge import Gap, Stream, merge
from callviewer.calls.rows import Row
from callviewer.projects.models import Project
from callviewer.providers.types import (
    Call,
    ProviderError,
    ProviderUnavailable,
    SearchPage,
    SearchQuery,
)

MakeProject = Any  # the make_project fixture of tests/conftest.py
T0 = dt.datetime(2025, 3, 14, 12, 0, tzinfo=dt.UTC)


def call(n: int, minutes_ago: float | None) -> Call:
    start = None if minutes_ago is None else T0 - dt.timedelta(minutes=minutes_ago)
    sid = f"CA{n:032x}"
    return Call(
        sid=sid, provider="talkstack", status="completed", raw_status="completed", start=start
    )


class Provider:
    """Histories served in pages of `size`, the cursor being the offset; counts the asks."""

    def __init__(self, histories: dict[tuple[str, str], list[Call]], size: int = 3) -> None:
        self.histories, self.size, self.asks = histories, size, 0
        self.failing: set[str] = set()
        self.bound: dict[str, int] = {}  # slug -> offset from which it says bound_reached

    def fetch(self, streams: Sequence[Stream]) -> list[SearchPage | ProviderError]:
        answers: list[SearchPage | ProviderError] = []
        for stream in streams:
            self.asks += 1
            slug = stream.project.slug
            if slug in self.failing:
                answers.append(ProviderUnavailable("X", "X is having trouble (HTTP 503)."))
                continue
            history = self.histories[(slug, stream.side)]
            start = int(stream.cursor or 0)
            calls = history[start : start + self.size]
            more = start + self.size < len(history)
            bound = slug in self.bound and start + self.size >= self.bound[slug]
            next_cursor = str(start + self.size) if more and not bound else None
            answers.append(SearchPage(calls, next_cursor, bound_reached=bound and more))
        return answers


def streams(*projects: Project, side: str = "") -> list[Stream]:
    return [Stream(p, side, SearchQuery()) for p in projects]


def sids(lines: Sequence[Row | Gap]) -> list[str]:
    return [line.call.sid for line in lines if isinstance(line, Row)]


@pytest.fixture
def a(make_project: MakeProject) -> Project:
    return make_project("talkstack", "a")


@pytest.fixture
def b(make_project: MakeProject) -> Project:
    return make_project("talkstack", "b")


def interleaved() -> dict[tuple[str, str], list[Call]]:
    """a's calls at 0, 2, 4 … minutes ago, b's at 1, 3, 5 …; 10 each."""
    return {
        ("a", ""): [call(n, 2 * n) for n in range(10)],
        ("b", ""): [call(100 + n, 2 * n + 1) for n in range(10)],
    }


def newest_first(histories: dict[tuple[str, str], list[Call]]) -> list[Call]:
    calls = [c for history in histories.values() for c in history]
    return sorted(calls, key=lambda c: c.start or T0, reverse=True)


class TestNoGaps:
    def test_interleaving_projects_come_out_in_one_newest_first_list(
        self, a: Project, b: Project
    ) -> None:
        provider = Provider(interleaved())
        group = streams(a, b)
        lines, rounds = merge(group, provider.fetch, want=5, rounds=4, across=True)
        everything = newest_first(interleaved())
        shown = sids(lines)
        assert shown == [c.sid for c in everything[: len(shown)]]
        assert len(shown) >= 5
        # Every row is newer than each project's next unshown call.
        oldest_shown = min(line.call.start or T0 for line in lines if isinstance(line, Row))
        for stream in group:
            nxt = stream.calls[0] if stream.calls else None
            assert nxt is None or nxt.start is None or nxt.start <= oldest_shown
        assert rounds <= 4

    def test_more_results_goes_on_from_the_places_with_nothing_missed_or_repeated(
        self, a: Project, b: Project
    ) -> None:
        provider = Provider(interleaved())
        shown: list[str] = []
        group = streams(a, b)
        for _page in range(20):  # bounded: 20 calls in pages of at least 5 rows
            lines, _rounds = merge(group, provider.fetch, want=5, rounds=4, across=True)
            shown += sids(lines)
            places = [p for s in group if (p := s.place()) is not None]
            if not places:
                break
            by_slug = {"a": a, "b": b}
            group = [
                Stream(by_slug[p.slug], p.side, SearchQuery(), p.cursor, p.skip) for p in places
            ]
        everything = newest_first(interleaved())
        assert shown == [c.sid for c in everything]

    def test_one_project_far_newer_than_another_is_paged_before_the_other_shows(
        self, a: Project, b: Project
    ) -> None:
        histories = {
            ("a", ""): [call(n, n) for n in range(9)],  # the last 9 minutes
            ("b", ""): [call(100 + n, 60 + n) for n in range(9)],  # an hour ago
        }
        provider = Provider(histories)
        lines, rounds = merge(streams(a, b), provider.fetch, want=8, rounds=4, across=True)
        assert sids(lines)[:9] == [c.sid for c in histories[("a", "")]]
        assert rounds == 3  # a's three pages; b's first page was asked with a's first

    def test_the_rounds_bound_every_loop_over_pages(self, a: Project, b: Project) -> None:
        endless = {("a", ""): [call(n, n) for n in range(10_000)], ("b", ""): []}
        provider = Provider(endless, size=1)
        lines, rounds = merge(streams(a, b), provider.fetch, want=10_000, rounds=6, across=True)
        assert rounds == 6 and provider.asks == 7  # b once, a six times
        assert len(sids(lines)) == 6

    def test_a_call_without_a_start_is_shown_as_it_comes(self, a: Project, b: Project) -> None:
        histories = {("a", ""): [call(1, 5), call(2, None), call(3, 9)], ("b", ""): [call(4, 7)]}
        lines, _ = merge(streams(a, b), Provider(histories).fetch, want=9, rounds=2, across=True)
        assert sids(lines) == [call(2, None).sid, call(1, 5).sid, call(4, 7).sid, call(3, 9).sid]


class TestGaps:
    def test_a_project_listing_out_of_order_ends_with_a_marker_offering_its_own_search(
        self, a: Project, b: Project
    ) -> None:
        histories = interleaved()
        # b lists oldest first, ten minutes apart: more than a ring's difference.
        histories[("b", "")] = [call(100 + n, 10 * n + 1) for n in range(10)][::-1]
        lines, _ = merge(
            streams(a, b),
            Provider(histories).fetch,
            want=15,
            rounds=6,
            across=True,
            gap_url=lambda p: f"/calls/?project={p.slug}",
        )
        gaps = [line for line in lines if isinstance(line, Gap)]
        assert len(gaps) == 1 and gaps[0].project == b and gaps[0].url == "/calls/?project=b"
        assert "did not list its calls newest first" in gaps[0].words
        # b's first page, sorted, is merged; its marker follows its last shown call.
        assert lines.index(gaps[0]) == 1 + max(
            i for i, line in enumerate(lines) if isinstance(line, Row) and line.project == b
        )

    def test_a_provider_bound_ends_that_project_with_a_marker(self, a: Project, b: Project) -> None:
        provider = Provider(interleaved())
        provider.bound["b"] = 3
        lines, _ = merge(streams(a, b), provider.fetch, want=12, rounds=4, across=True)
        gap = next(line for line in lines if isinstance(line, Gap))
        assert "B may have more calls from here on" in gap.words
        assert "lists no more calls for one search" in gap.words
        assert len([r for r in lines if isinstance(r, Row) and r.project == b]) == 3

    def test_a_project_failing_after_rows_were_shown_is_marked_where_its_calls_stop(
        self, a: Project, b: Project
    ) -> None:
        provider = Provider(interleaved())
        group = streams(a, b)
        merge(group, provider.fetch, want=1, rounds=1, across=True)
        provider.failing.add("b")
        lines, _ = merge(group, provider.fetch, want=8, rounds=4, across=True)
        gap = next(line for line in lines if isinstance(line, Gap))
        assert gap.words == "B (TalkStack AI) failed: X is having trouble (HTTP 503)."
        assert group[1].place() is None  # More results goes on without it

    def test_one_project_keeps_its_providers_order_and_needs_no_marker(self, a: Project) -> None:
        histories = {("a", ""): [call(n, 10 - n) for n in range(6)]}  # oldest first
        lines, _ = merge(streams(a), Provider(histories).fetch, want=3, rounds=4, across=False)
        assert sids(lines) == [c.sid for c in histories[("a", "")][:3]]
        assert not [line for line in lines if isinstance(line, Gap)]
