"""The texts a row of results shows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from callviewer.calls.rows import Row
from callviewer.providers.types import Money
from tests.calls.sample_calls import at, call

MakeProject = Any  # the make_project fixture of tests/conftest.py


class TestRowTexts:
    def test_duration_cost_direction_and_recordings(
        self, db: None, make_project: MakeProject
    ) -> None:
        a = make_project("talkstack", "a")
        row = Row(
            a,
            call("CA1", at(9), duration=3725, cost=Money(Decimal("-0.0130"), "USD"),
                 direction="outbound-api", recordings=()),
            "/x",
        )  # fmt: skip
        assert (row.duration, row.cost, row.direction, row.recordings) == (
            "1:02:05",
            "0.013 USD",
            "Outbound (API)",
            "no",
        )
        bare = Row(a, call("CA2", None), "/y")
        assert (bare.duration, bare.cost, bare.direction, bare.recordings) == (
            "—",
            "—",
            "—",
            "see call",
        )

    def test_a_provider_without_recordings_shows_a_dash(
        self, db: None, make_project: MakeProject
    ) -> None:
        row = Row(make_project("sinch", "s"), call("ab" * 16, at(9)), "/x")
        assert row.recordings == "—"
