"""Calls made up for tests that need a few, at chosen times on 14 March 2025 (UTC)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from callviewer.providers.types import Call

UTC = dt.UTC


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, 14, hour, minute, tzinfo=UTC)


def call(sid: str, start: dt.datetime | None, **kw: Any) -> Call:
    return Call(
        sid=sid, provider="talkstack", status="completed", raw_status="completed", start=start, **kw
    )
