"""The simulator's core: its clock (running for the demo, frozen for tests) and its media."""

from __future__ import annotations

import httpx
import pytest

from callviewer.sandbox import accounts, core, talkstack_data
from callviewer.sandbox.audio import Wav, wav_for
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


# Recording media: size, rate and breaks (the recording proxy's tests and the load benchmark)

ACCOUNT, TOKEN = next(iter(accounts.TWILIO_ACCOUNTS.items()))
RECORDING = "RE26e39c970fd416515799f5a165718be3"  # the example call's, 23 s


def media(sandbox: Sandbox, headers: dict[str, str] | None = None) -> httpx.Response:
    url = f"{sandbox.url}/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING}.wav"
    return httpx.get(url, auth=(ACCOUNT, TOKEN), headers=headers or {}, timeout=10)


def test_recordings_can_be_made_any_size(sandbox: Sandbox) -> None:
    sandbox.faults.media_size = 100_000_000
    end = media(sandbox, {"Range": "bytes=99999990-"})
    assert end.status_code == 206
    assert end.headers["Content-Range"] == "bytes 99999990-99999999/100000000"
    assert end.content == b"".join(Wav(RECORDING, 100_000_000).read(99_999_990, 99_999_999))


def test_without_a_size_a_recording_lasts_as_long_as_the_provider_says(sandbox: Sandbox) -> None:
    assert media(sandbox).content == wav_for(RECORDING, 23)


def test_a_broken_media_connection_closes_short_of_its_content_length(sandbox: Sandbox) -> None:
    sandbox.faults.media_break_after = 1000
    url = f"{sandbox.url}/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING}.wav"
    received = b""
    with httpx.stream("GET", url, auth=(ACCOUNT, TOKEN), timeout=10) as response:
        assert int(response.headers["Content-Length"]) == len(wav_for(RECORDING, 23))
        with pytest.raises(httpx.RemoteProtocolError):
            for chunk in response.iter_raw():
                received += chunk
    assert received == wav_for(RECORDING, 23)[:1000]


def test_media_can_be_sent_without_a_content_length(sandbox: Sandbox) -> None:
    sandbox.faults.media_without_length = True
    response = media(sandbox, {"Range": "bytes=100-199"})
    assert response.status_code == 206
    assert "Content-Length" not in response.headers
    assert response.content == wav_for(RECORDING, 23)[100:200]


class FakeTime:
    """Stands in for the `time` module in core while media is sent: sleeping moves the clock."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_media_is_sent_no_faster_than_its_rate_in_small_pieces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FakeTime()
    monkeypatch.setattr(core, "time", clock)
    faults = core.Faults(media_rate=5000)
    sent = core._media(faults, 200, Wav(RECORDING, 10_044), 0, 10_043, {})
    assert not isinstance(sent.body, bytes)
    pieces = list(sent.body)
    assert sum(map(len, pieces)) == 10_044
    assert max(map(len, pieces)) == 100  # a piece every 20 ms
    assert clock.now == pytest.approx(10_044 / 5000)
