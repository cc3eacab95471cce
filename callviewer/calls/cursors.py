"""Where "More results" goes on: each side's provider cursor, carried in the URL."""

from __future__ import annotations

from collections.abc import Iterable

from .filters import Filters

MAX_CURSOR = 2000  # characters; SignalWire's next_page_uri is well under this

# Cursors travel in the URL as "side:token" (side "" when there is no number filter).


def encode_cursors(cursors: dict[str, str]) -> list[str]:
    return [f"{side}:{token}" for side, token in cursors.items()]


def decode_cursors(values: Iterable[str], filters: Filters) -> dict[str, str]:
    """Cursors from the URL for the sides this search has; anything else is dropped."""
    out = {}
    for value in values:
        side, sep, token = value.partition(":")
        if sep and side in filters.sides() and token and len(token) <= MAX_CURSOR:
            out[side] = token
    return out
