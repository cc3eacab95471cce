"""Real audio made by code: a WAV per recording, deterministic from its SID, of any size.

The audio is a sequence of half-second tones chosen by the SID's digest, with short pauses.
It repeats every 32 tones (16 s), so a file of any size, even hundreds of megabytes, is made
on the fly from that one cycle: any range of its bytes can be sent without holding the file.
"""

from __future__ import annotations

import functools
import hashlib
import math
import struct
from collections.abc import Iterator
from dataclasses import dataclass

RATE = 8000
_BYTES_PER_SECOND = RATE * 2  # mono, 16-bit
_HEADER = 44


@functools.lru_cache(maxsize=64)
def _cycle(sid: str) -> bytes:
    """The samples of 32 half-second tones (256,000 bytes), after which the audio repeats."""
    digest = hashlib.sha256(sid.encode()).digest()
    beat = RATE // 2
    frames = bytearray()
    for i in range(len(digest)):
        freq = 300 + digest[i] * 3
        for n in range(beat):
            gap = n > beat * 0.8
            sample = 0 if gap else int(9000 * math.sin(2 * math.pi * freq * n / RATE))
            frames += struct.pack("<h", sample)
    return bytes(frames)


def _header(data_size: int) -> bytes:
    """RIFF/WAVE header of a mono 16-bit 8 kHz PCM file with `data_size` bytes of samples.

    Past 4 GB the sizes stay at their largest value, as recorders write such files.
    """
    data_size = min(data_size, 0xFFFFFFFF - 36)
    fmt = struct.pack("<HHIIHH", 1, 1, RATE, _BYTES_PER_SECOND, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_size)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", data_size)
    )


@dataclass(frozen=True)
class Wav:
    """A recording's WAV file of `size` bytes, made as it is read."""

    sid: str
    size: int

    @classmethod
    def lasting(cls, sid: str, seconds: int) -> Wav:
        """The file of a recording of `seconds` (kept between 1 and 120)."""
        seconds = max(1, min(seconds, 120))
        return cls(sid, _HEADER + seconds * _BYTES_PER_SECOND)

    def read(self, start: int, end: int, chunk: int = 16384) -> Iterator[bytes]:
        """Bytes `start` to `end` (inclusive) in pieces of at most `chunk` bytes."""
        end = min(end, self.size - 1)
        header = _header(max(0, self.size - _HEADER))[: self.size]
        cycle = _cycle(self.sid)
        position = start
        while position <= end:
            want = min(chunk, end - position + 1)
            if position < len(header):
                piece = header[position : position + want]
            else:
                offset = (position - _HEADER) % len(cycle)
                piece = cycle[offset : offset + want]
            yield piece
            position += len(piece)


@functools.lru_cache(maxsize=256)
def wav_for(sid: str, seconds: int = 12) -> bytes:
    """The whole WAV of a short recording (tests compare what the proxy sends with it)."""
    wav = Wav.lasting(sid, seconds)
    return b"".join(wav.read(0, wav.size - 1))
