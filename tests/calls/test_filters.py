"""The filters of a search: the provider queries they make, in words and as URL parameters."""

from __future__ import annotations

import datetime as dt

from callviewer.calls import filters as search


class TestFilters:
    def test_an_either_number_is_two_searches_one_per_side(self) -> None:
        filters = search.Filters(number="206.809.1239")
        assert filters.sides() == ("to", "from")
        assert filters.query("to", "+12068091239").to == "+12068091239"
        assert filters.query("from", "+12068091239").from_ == "+12068091239"
        assert search.Filters(number="1", match="from").sides() == ("from",)
        assert search.Filters().sides() == ("",)

    def test_the_query_carries_status_and_utc_dates(self) -> None:
        filters = search.Filters(
            status="busy", date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 2)
        )
        query = filters.query("", "")
        assert (query.to, query.from_, query.status) == ("", "", "busy")
        assert query.started_on_or_after == dt.date(2025, 3, 1)
        assert query.started_on_or_before == dt.date(2025, 3, 2)

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
