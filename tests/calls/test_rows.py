"""The texts a row of results shows."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import timezone

from callviewer.calls.rows import Row
from callviewer.providers.types import Money
from tests.calls.sample_calls import UTC, at, call

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


class TestStartTexts:
    @pytest.mark.parametrize("zone", ["America/Los_Angeles", "Asia/Kolkata", "UTC"])
    @pytest.mark.parametrize(
        "start",
        [
            dt.datetime(2025, 3, 9, 10, 30, 5, tzinfo=UTC),  # Los Angeles' spring change
            dt.datetime(2025, 11, 2, 8, 59, 59, 123456, tzinfo=UTC),
            dt.datetime(2025, 3, 14, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")),
            dt.datetime(2025, 3, 14, 9, 0),  # naive: read in the default zone
        ],
    )
    def test_they_read_as_the_date_filter_wrote_them(
        self, db: None, make_project: MakeProject, zone: str, start: dt.datetime
    ) -> None:
        row = Row(make_project("talkstack", "a"), call("CA1", start), "/x")
        django = Template(
            "{% load tz %}{{ s|date:'c' }}|"
            "{{ s|utc|date:'Y-m-d H:i:s' }}|{{ s|date:'Y-m-d H:i:s' }}"
        )
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            expected = django.render(Context({"s": start}))
            assert f"{row.start_iso}|{row.start_utc}|{row.start_local}" == expected

    def test_a_call_without_a_start_has_none(self, db: None, make_project: MakeProject) -> None:
        row = Row(make_project("talkstack", "a"), call("CA1", None), "/x")
        assert (row.start_iso, row.start_utc, row.start_local) == ("", "", "")
