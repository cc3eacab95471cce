"""Where "More results" goes on: each provider search's place, signed into the URL.

A place is the page holding a search's next unshown call (the provider's own cursor, or None
for the first page) and how many calls of that page were already shown. The places travel
in one signed token, bound to the search they belong to: a token that was changed, cut, or
made for another search is refused in words (a 400), never followed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import signing

MAX_CURSOR = 2000  # characters; SignalWire's next_page_uri is well under this
_SALT = "callviewer.calls.more-results"
_REFUSED = (
    "This “More results” link is damaged or belongs to another search. "
    "Search again to see the calls from the start."
)


class BadCursor(ValueError):
    """A "More results" token that cannot be followed; the message says so in words."""


@dataclass(frozen=True)
class Place:
    """Where one provider search (a project, and a side of the number) goes on."""

    slug: str
    side: str  # "", "to" or "from"
    cursor: str | None  # the provider's cursor of the page holding the next unshown call
    skip: int = 0  # calls of that page already shown


def encode(places: list[Place], scope: str) -> str:
    """The places as one URL-safe token, for the search named by `scope`."""
    data = [[p.slug, p.side, p.cursor, p.skip] for p in places]
    return signing.dumps({"scope": scope, "places": data}, salt=_SALT, compress=True)


def decode(token: str, scope: str) -> list[Place]:
    """The places in a token made by encode() for the same `scope`; raises BadCursor."""
    try:
        data: Any = signing.loads(token, salt=_SALT)
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise BadCursor(_REFUSED) from exc
    if not isinstance(data, dict) or data.get("scope") != scope:
        raise BadCursor(_REFUSED)
    places = []
    for item in data.get("places") or []:
        if not (isinstance(item, list) and len(item) == 4):
            raise BadCursor(_REFUSED)
        slug, side, cursor, skip = item
        if not (
            isinstance(slug, str)
            and side in ("", "to", "from")
            and (cursor is None or (isinstance(cursor, str) and len(cursor) <= MAX_CURSOR))
            and isinstance(skip, int)
            and 0 <= skip <= 10_000
        ):
            raise BadCursor(_REFUSED)
        places.append(Place(slug, side, cursor, skip))
    return places
