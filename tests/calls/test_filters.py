"""The filters of a search: the provider queries they make, in words and as URL parameters."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from callviewer.calls import filters as search

UTC = dt.UTC
LA = zoneinfo.ZoneInfo("America/Los_Angeles")


class TestFilters:
    def test_an_either_number_is_two_searches_one_per_side(self) -> None:
        filters = search.Filters(number="206.809.1239")
        assert filters.sides() == ("to", "from")
        assert filters.query("to", "+12068091239").to == "+12068091239"
        assert filters.query("from", "+12068091239").from_ == "+12068091239"
        assert search.Filters(number="1", match="from").sides() == ("from",)
        assert search.Filters().sides() == ("",)

    def test_the_query_carries_status_and_the_days_bounds(self) -> None:
        filters = search.Filters(
            status="busy", date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 2)
        )
        query = filters.query("", "")
        assert (query.to, query.from_, query.status) == ("", "", "busy")
        assert query.started_from == dt.datetime(2025, 3, 1, tzinfo=UTC)
        assert query.started_before == dt.datetime(2025, 3, 3, tzinfo=UTC)


class TestDaysInTheAgentsZone:
    @pytest.mark.parametrize(
        ("day", "start", "end", "hours"),
        [
            # An ordinary day: 08:00 UTC to 08:00 UTC (PST, UTC-8).
            (dt.date(2026, 11, 22), (2026, 11, 22, 8), (2026, 11, 23, 8), 24),
            # Daylight saving time starts: 23 hours, midnight PST to midnight PDT.
            (dt.date(2026, 3, 8), (2026, 3, 8, 8), (2026, 3, 9, 7), 23),
            # Daylight saving time ends: 25 hours, midnight PDT to midnight PST.
            (dt.date(2026, 11, 1), (2026, 11, 1, 7), (2026, 11, 2, 8), 25),
        ],
    )
    def test_a_day_in_los_angeles_is_its_own_midnight_to_midnight(
        self,
        day: dt.date,
        start: tuple[int, int, int, int],
        end: tuple[int, int, int, int],
        hours: int,
    ) -> None:
        filters = search.Filters(date_from=day, date_to=day, zone=LA)
        first, last = filters.bounds()
        assert first == dt.datetime(*start, tzinfo=UTC)
        assert last == dt.datetime(*end, tzinfo=UTC)
        assert last - first == dt.timedelta(hours=hours)

    def test_the_providers_whole_utc_days_are_widened_around_the_local_day(self) -> None:
        query = search.Filters(
            date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 1), zone=LA
        ).query("", "")
        # 07:00 UTC on 1 Nov to 08:00 UTC on 2 Nov, a day wider on each side.
        assert query.utc_days() == (dt.date(2026, 10, 31), dt.date(2026, 11, 3))

    def test_a_zone_whose_midnight_does_not_exist_starts_the_day_at_the_jump(self) -> None:
        # Santiago moved its clocks from 00:00 to 01:00 on 2024-09-08.
        zone = zoneinfo.ZoneInfo("America/Santiago")
        first, last = search.Filters(date_from=dt.date(2024, 9, 8), zone=zone).bounds()
        assert first == dt.datetime(2024, 9, 8, 4, tzinfo=UTC) and last is None

    def test_words_name_the_zone(self) -> None:
        filters = search.Filters(date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 1))
        assert filters.words() == "calls started on 2026-11-01 (UTC)"
        la = search.Filters(date_from=dt.date(2026, 11, 1), zone=LA)
        assert la.words() == "calls started on or after 2026-11-01 (America/Los_Angeles)"

    @pytest.mark.parametrize(
        ("name", "first", "last"),
        [
            ("today", dt.date(2026, 3, 8), dt.date(2026, 3, 8)),
            ("yesterday", dt.date(2026, 3, 7), dt.date(2026, 3, 7)),
            ("7d", dt.date(2026, 3, 2), dt.date(2026, 3, 8)),
            ("30d", dt.date(2026, 2, 7), dt.date(2026, 3, 8)),
        ],
    )
    def test_quick_ranges_end_today(self, name: str, first: dt.date, last: dt.date) -> None:
        assert search.quick_range(name, dt.date(2026, 3, 8)) == (first, last)

    def test_words_say_what_was_searched(self) -> None:
        filters = search.Filters(
            number="(206) 809-1239",
            status="completed",
            date_from=dt.date(2025, 3, 1),
            date_to=dt.date(2025, 3, 2),
        )
        assert filters.words(["+12068091239"]) == (
            "calls to or from +12068091239 (typed “(206) 809-1239”), status completed, "
            "started 2025-03-01 to 2025-03-02 (UTC)"
        )
        assert search.Filters().words() == "any call"
        assert (
            search.Filters(date_to=dt.date(2025, 3, 2)).words()
            == "calls started on or before 2025-03-02 (UTC)"
        )
        assert search.Filters(number="+12068091239", match="from").words(["+12068091239"]) == (
            "calls from +12068091239"
        )

    def test_params_leave_out_empty_and_default_values(self) -> None:
        assert search.Filters().params() == {}
        assert search.Filters(number="206", match="to", date_from=dt.date(2025, 1, 2)).params() == {
            "number": "206",
            "match": "to",
            "date_from": "2025-01-02",
        }
        assert search.Filters(match="to").params() == {}  # no number: match means nothing
