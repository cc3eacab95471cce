"""How long a live call has gone on, whether it looks stuck, and when its page asks again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from callviewer.calls.liveness import age_text, liveness, step_from
from callviewer.providers.types import Call

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


def live(started_ago: dt.timedelta | None, status: str = "in-progress") -> Call:
    start = NOW - started_ago if started_ago is not None else None
    return Call("CA1", "talkstack", status, status, start=start)


def test_a_live_call_asks_every_3_seconds_and_says_how_long_it_has_gone_on() -> None:
    shown = liveness(live(dt.timedelta(minutes=2, seconds=13)), NOW)
    assert (shown.elapsed, shown.trigger, shown.stale) == ("0:02:13", "every 3s", False)


def test_a_final_call_asks_nothing() -> None:
    shown = liveness(live(dt.timedelta(hours=9), "completed"), NOW)
    assert (shown.trigger, shown.stale, shown.elapsed) == ("", False, "")


def test_a_live_call_without_a_start_asks_like_any_live_call() -> None:
    assert liveness(live(None), NOW).trigger == "every 3s"


def test_past_the_age_a_call_reads_as_stuck_and_asks_less_and_less_often_then_stops() -> None:
    call = live(dt.timedelta(hours=6))
    asks = []
    step = 0
    while True:
        shown = liveness(call, NOW, step)
        assert shown.stale and shown.stale_since == call.start
        asks.append(shown.poll_seconds)
        if not shown.trigger:
            break
        step = shown.next_step
    assert asks == [30, 60, 120, 300, None]


def test_the_age_is_a_setting(settings: Any) -> None:
    settings.LIVE_CALL_STALE_HOURS = 0.5
    assert liveness(live(dt.timedelta(minutes=31)), NOW).stale
    assert not liveness(live(dt.timedelta(minutes=29)), NOW).stale


@pytest.mark.parametrize(
    ("age", "words"),
    [
        (dt.timedelta(seconds=-5), "0:00:00"),  # a provider clock a little ahead
        (dt.timedelta(hours=23, minutes=59, seconds=59), "23:59:59"),
        (dt.timedelta(days=1, hours=2), "1 day 2 h"),
        (dt.timedelta(days=91, hours=4, minutes=30), "91 days 4 h"),
    ],
)
def test_ages_read_as_a_clock_under_a_day_and_in_days_after(age: dt.timedelta, words: str) -> None:
    assert age_text(age) == words


@pytest.mark.parametrize(
    ("value", "step"), [("", 0), ("2", 2), ("-1", 0), ("x", 0), ("999", 0), ("\u0663", 0)]
)
def test_the_stale_parameter_is_a_small_count_or_zero(value: str, step: int) -> None:
    assert step_from(value) == step
