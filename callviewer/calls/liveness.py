"""How long a live call has gone on, whether it looks stuck at the provider, and when its page
asks again.

A live call's status area asks every 3 s. A call still live after
`settings.LIVE_CALL_STALE_HOURS` is almost always one the provider never closed (a call "in
progress" since September), not a long conversation: its page says since when, asks again
after 30 s, 1, 2 and 5 minutes, then stops and offers a Refresh button. The status URL
carries how many of those slow asks were made (`?stale=n`), so no state is kept anywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from callviewer.providers.types import Call

LIVE_POLL_SECONDS = 3
STALE_POLL_SECONDS = (30, 60, 120, 300)


@dataclass(frozen=True)
class Liveness:
    """What the status area says about a call that is not over, and when it asks again."""

    elapsed: str = ""  # how long since the call started, in words; "" when not known
    stale_since: dt.datetime | None = None  # the start of a call that looks stuck
    poll_seconds: int | None = None  # seconds until the next ask; None: no more asks
    next_step: int = 0  # the `stale` value of the next ask's URL (0: not stale)

    @property
    def stale(self) -> bool:
        return self.stale_since is not None

    @property
    def trigger(self) -> str:
        """The status area's hx-trigger, or "" when it stops asking."""
        return f"every {self.poll_seconds}s" if self.poll_seconds else ""


def liveness(call: Call, now: dt.datetime, step: int = 0) -> Liveness:
    """`call` seen at `now`, after `step` slow asks (the status URL's `stale`)."""
    if call.is_final:
        return Liveness()
    if call.start is None:  # nothing says how old it is: it asks like any live call
        return Liveness(poll_seconds=LIVE_POLL_SECONDS)
    age = now - call.start
    elapsed = age_text(age)
    if age < dt.timedelta(hours=settings.LIVE_CALL_STALE_HOURS):
        return Liveness(elapsed, poll_seconds=LIVE_POLL_SECONDS)
    step = max(0, step)
    poll = STALE_POLL_SECONDS[step] if step < len(STALE_POLL_SECONDS) else None
    return Liveness(elapsed, call.start, poll, step + 1 if poll else 0)


def age_text(age: dt.timedelta) -> str:
    """An age as h:mm:ss under a day ("0:02:13"), else in days and hours ("91 days 4 h")."""
    seconds = max(0, int(age.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def step_from(value: str) -> int:
    """The `stale` parameter as a step; anything but a small count is 0 (start again)."""
    if value.isascii() and value.isdigit() and len(value) <= 2:
        return int(value)
    return 0
