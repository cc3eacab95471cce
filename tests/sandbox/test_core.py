"""The simulator's clock: running for the demo, frozen for tests."""

from __future__ import annotations

import pytest

from callviewer.sandbox import core, talkstack_data
from callviewer.sandbox.core import Sandbox
from callviewer.sandbox.server import build

PROJECT = "ts-proj-acme-0001"


class WallClock:
    """Stands in for the `time` module in core: a wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def wall(monkeypatch: pytest.MonkeyPatch) -> WallClock:
    clock = WallClock()
    monkeypatch.setattr(core, "time", clock)
    return clock


def test_a_frozen_clock_moves_only_with_the_offset(wall: WallClock) -> None:
    simulator = build(seed=7)
    simulator.reset(freeze=True)
    wall.now += 30

    assert (simulator.now(), simulator.elapsed()) == (1_700_000_000.0, 0.0)
    simulator.clock_offset = 25
    assert (simulator.now(), simulator.elapsed()) == (1_700_000_025.0, 25.0)


def test_a_running_clock_follows_the_wall_clock(wall: WallClock) -> None:
    simulator = build(seed=7)
    simulator.reset(freeze=False)
    wall.now += 30

    assert (simulator.now(), simulator.elapsed()) == (1_700_000_030.0, 30.0)


def test_reset_keeps_the_clock_frozen_or_running_unless_told(wall: WallClock) -> None:
    simulator = build(seed=7)
    simulator.reset(freeze=True)
    wall.now += 5
    simulator.reset()
    assert simulator.frozen_at == simulator.started == 1_700_000_005.0

    simulator.reset(freeze=False)
    simulator.reset()
    assert simulator.frozen_at is None


def test_the_sandbox_fixture_hands_tests_a_frozen_clock(sandbox: Sandbox) -> None:
    answers = talkstack_data.LIVE_SIDS[PROJECT][0]  # queued for its first 3 seconds

    assert sandbox.frozen_at == sandbox.started
    call = talkstack_data.find(sandbox, answers)
    assert call is not None and call.status == "queued"
