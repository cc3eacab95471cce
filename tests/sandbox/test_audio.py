"""The simulator's audio: real WAV files of any size, made as they are read."""

from __future__ import annotations

import io
import tracemalloc
import wave

import pytest

from callviewer.sandbox.audio import Wav, wav_for


@pytest.mark.parametrize("seconds", [1, 23, 120])
def test_a_recordings_wav_is_a_real_wav_of_its_duration(seconds: int) -> None:
    with wave.open(io.BytesIO(wav_for("RE1", seconds))) as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (1, 2, 8000)
        assert audio.getnframes() == seconds * 8000


def test_the_audio_depends_on_the_sid() -> None:
    assert wav_for("RE1", 5) != wav_for("RE2", 5)
    assert wav_for("RE1", 5) == wav_for("RE1", 5)


def test_a_large_wav_says_its_own_length_and_plays_on_past_the_tones_cycle() -> None:
    wav = Wav("RE1", 44 + 40 * 16000)  # 40 s: the 16 s cycle of tones repeats
    data = b"".join(wav.read(0, wav.size - 1))
    with wave.open(io.BytesIO(data)) as audio:
        assert audio.getnframes() == 40 * 8000
    assert data[44 : 44 + 16000] == data[44 + 16 * 16000 : 44 + 17 * 16000]


@pytest.mark.parametrize(
    ("start", "end"), [(0, 0), (0, 43), (40, 50), (255_990, 256_100), (1, 999_999)]
)
def test_any_range_of_a_wav_is_the_same_bytes_as_the_whole_files(start: int, end: int) -> None:
    wav = Wav("RE1", 1_000_000)
    whole = b"".join(wav.read(0, wav.size - 1, chunk=65536))
    assert b"".join(wav.read(start, end, chunk=777)) == whole[start : end + 1]


def test_a_hundred_megabyte_wav_is_never_held_in_memory() -> None:
    wav = Wav("RE-big", 100_000_000)
    total = 0
    tracemalloc.start()
    try:
        for piece in wav.read(0, wav.size - 1, chunk=65536):
            total += len(piece)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == 100_000_000
    assert peak < 2 * 1024 * 1024, f"peak {peak} bytes"


def test_a_wav_past_four_gigabytes_can_still_be_read() -> None:
    wav = Wav("RE-huge", 5_000_000_000)
    assert len(b"".join(wav.read(0, 43))) == 44
    assert len(b"".join(wav.read(4_999_999_000, 4_999_999_999))) == 1000
