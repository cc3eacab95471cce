"""Cursors of "More results" in the URL."""

from __future__ import annotations

from callviewer.calls import cursors, filters


class TestCursors:
    def test_they_round_trip_per_side(self) -> None:
        wanted = filters.Filters(number="2068091239")
        encoded = cursors.encode_cursors({"to": "50", "from": "/api/laml/x?Page=1&PageToken=PA1"})
        assert cursors.decode_cursors(encoded, wanted) == {
            "to": "50",
            "from": "/api/laml/x?Page=1&PageToken=PA1",
        }

    def test_sides_the_search_does_not_have_and_junk_are_dropped(self) -> None:
        wanted = filters.Filters()
        values = [":50", "to:75", "nonsense", "from:", ":" + "x" * 3000]
        assert cursors.decode_cursors(values, wanted) == {"": "50"}
