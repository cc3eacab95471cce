"""`manage.py sandbox`: the simulator on a port, with the faults its flags ask for."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from callviewer.sandbox.core import Faults, Sandbox


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[Faults]:
    """The faults of each simulator the command starts (which then returns at once)."""
    seen: list[Faults] = []
    monkeypatch.setattr(Sandbox, "serve_forever", lambda self, host, port: seen.append(self.faults))
    return seen


def test_the_media_flags_set_every_recordings_size_and_rate(started: list[Faults]) -> None:
    call_command("sandbox", "--media-size", "100000000", "--media-rate", "2000000", stdout=None)
    (faults,) = started
    assert (faults.media_size, faults.media_rate) == (100_000_000, 2_000_000)


def test_without_media_flags_recordings_are_their_own_length_at_full_speed(
    started: list[Faults],
) -> None:
    call_command("sandbox")
    (faults,) = started
    assert (faults.media_size, faults.media_rate) == (0, 0)


def test_a_negative_media_size_is_refused(started: list[Faults]) -> None:
    with pytest.raises(CommandError):
        call_command("sandbox", "--media-size", "-1")
    assert started == []
