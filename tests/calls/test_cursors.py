"""The "More results" token: places round-trip, anything changed or foreign is refused in words."""

from __future__ import annotations

import pytest

from callviewer.calls import cursors
from callviewer.calls.cursors import BadCursor, Place

PLACES = [
    Place("acme", "to", "50", 3),
    Place("sw", "", "/api/laml/2010-04-01/Accounts/x/Calls.json?Page=1&PageToken=PA1", 0),
    Place("globex", "from", None, 7),
]


class TestToken:
    def test_places_round_trip_for_the_same_search(self) -> None:
        token = cursors.encode(PLACES, "/calls/?project=all")
        assert token.isascii()
        assert cursors.decode(token, "/calls/?project=all") == PLACES

    def test_no_places_is_a_token_too(self) -> None:
        assert cursors.decode(cursors.encode([], "s"), "s") == []

    @pytest.mark.parametrize(
        "token",
        ["junk", "", ":50", "to:75", "x" * 3000, "\u00e9t\u00e9", "a:b:c"],
    )
    def test_junk_is_refused_in_words(self, token: str) -> None:
        with pytest.raises(BadCursor, match="damaged or belongs to another search"):
            cursors.decode(token, "/calls/?project=all")

    def test_a_changed_token_is_refused(self) -> None:
        token = cursors.encode(PLACES, "s")
        changed = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        with pytest.raises(BadCursor):
            cursors.decode(changed, "s")

    def test_a_token_of_another_search_is_refused(self) -> None:
        token = cursors.encode(PLACES, "/calls/?project=all&status=busy")
        with pytest.raises(BadCursor):
            cursors.decode(token, "/calls/?project=all&status=completed")
