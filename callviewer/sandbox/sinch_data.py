"""Seeded Sinch calls for the simulator, plus a few live calls that move with time.

Each application in `accounts.SINCH_APPLICATIONS` gets ~300 calls over the 60 days before the
simulator first needs them, drawn from `random.Random(f"{seed}:{application_key}")`, so the
same seed always gives the same call IDs and values. Every `from`/`to` type spelling of
seeds/003 (number, Number, username, Username, sip) and `did` occurs, as does every `result`
and every `reason`; a share of calls is billed in EUR.

`debit` is what the call cost in total (the per-minute `userRate` times the minutes started,
as Sinch bills), so the two are told apart by any test that looks.

Live calls (`LIVE_CALL_IDS`) are ONGOING until `sandbox.elapsed()` passes their end, then
FINAL; tests move them with `sandbox.clock_offset`:

- `LIVE_CALL_IDS[0]`: ONGOING until 60 s, then FINAL/ANSWERED (CALLEEHANGUP), 52 s.
- `LIVE_CALL_IDS[1]`: ONGOING until 30 s, then FINAL/NOANSWER (TIMEOUT), nothing debited.
- `LIVE_CALL_IDS[2]`: started 45 s before the simulator, ONGOING until 180 s, then
  FINAL/ANSWERED (CALLERHANGUP), 225 s.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

from . import accounts
from .core import Sandbox

CALLS_PER_APPLICATION = 300
DAYS = 60
# Every spelling of seeds/003's `type` enums, plus `did` (PROVIDERS.md: case varies).
ENDPOINT_TYPES = ("number", "Number", "username", "Username", "sip", "did")
RESULTS = ("N/A", "ANSWERED", "BUSY", "NOANSWER", "FAILED")
REASONS = (
    "N/A",
    "TIMEOUT",
    "CALLERHANGUP",
    "CALLEEHANGUP",
    "BLOCKED",
    "NOCREDITPARTNER",
    "MANAGERHANGUP",
    "CANCEL",
    "GENERALERROR",
    "INVALIDSVAMLACTION",
)
# (result, reason) pairs a finished call can end with, and how often. The first calls cycle
# through them all so each is always present.
_OUTCOMES = (
    (("ANSWERED", "CALLERHANGUP"), 30),
    (("ANSWERED", "CALLEEHANGUP"), 25),
    (("ANSWERED", "MANAGERHANGUP"), 3),
    (("BUSY", "N/A"), 8),
    (("NOANSWER", "TIMEOUT"), 14),
    (("FAILED", "BLOCKED"), 2),
    (("FAILED", "NOCREDITPARTNER"), 2),
    (("FAILED", "GENERALERROR"), 4),
    (("FAILED", "INVALIDSVAMLACTION"), 2),
    (("N/A", "CANCEL"), 6),
    (("N/A", "CALLERHANGUP"), 2),
)
_AREA_CODES = ("206", "212", "305", "312", "415", "512", "617", "646", "702", "917")
_CUSTOMS = ("", "", "", "ticket=48213", '{"crm":"acme","agent":"a-17"}', "campaign:spring-renewals")


def _live_id(n: int) -> str:
    return f"feed{n:028x}"


LIVE_CALL_IDS: tuple[str, str, str] = (_live_id(1), _live_id(2), _live_id(3))


@dataclass(frozen=True)
class SimCall:
    """One call as the simulator stores it; `sinch_api` turns it into Sinch's JSON."""

    call_id: str
    application_key: str
    start: float  # epoch seconds
    from_type: str
    from_endpoint: str
    to_type: str
    to_endpoint: str
    status: str  # ONGOING | FINAL
    result: str = "N/A"
    reason: str = "N/A"
    duration: int = 0
    currency: str = "USD"
    rate: float = 0.0  # per minute
    debit: float = 0.0  # total
    custom: str = ""
    timestamp_style: int = 0  # 0: "...Z", 1: "....fffZ", 2: "...+00:00", 3: 7-digit fraction


@dataclass(frozen=True)
class LiveCall:
    """A call that is ONGOING until `until` seconds of simulator time, then `final`."""

    final: SimCall  # its `start` is an offset from the simulator's start
    until: float

    def at(self, sandbox: Sandbox) -> SimCall:
        elapsed = sandbox.elapsed()
        # The start hangs off the simulator's fixed start, not off a second clock read: calls
        # that start together have exactly the same start, whenever each is asked for.
        done = replace(self.final, start=sandbox.started + self.final.start)
        if elapsed < self.until:
            return replace(
                done, status="ONGOING", result="N/A", reason="N/A", duration=0, debit=0.0
            )
        return done


@dataclass
class Dataset:
    history: dict[str, list[SimCall]]  # application key -> calls, newest first
    by_id: dict[str, SimCall]
    live: dict[str, LiveCall]


def dataset(sandbox: Sandbox) -> Dataset:
    """The sandbox's Sinch data, made on first use and kept for the sandbox's life."""
    return sandbox.kept(_generate)


def seeded_call_ids(sandbox: Sandbox, application_key: str = "") -> list[str]:
    """The seeded (not live) call IDs of an application (default: the first), newest first."""
    key = application_key or next(iter(accounts.SINCH_APPLICATIONS))
    return [c.call_id for c in dataset(sandbox).history.get(key, [])]


def find(sandbox: Sandbox, call_id: str) -> SimCall | None:
    """A call as it stands now (live calls move with the simulator's clock)."""
    data = dataset(sandbox)
    if call_id in data.live:
        return data.live[call_id].at(sandbox)
    return data.by_id.get(call_id)


def _generate(seed: int, anchor: int) -> Dataset:
    history: dict[str, list[SimCall]] = {}
    live: dict[str, LiveCall] = {}
    for i, key in enumerate(accounts.SINCH_APPLICATIONS):
        rng = random.Random(f"{seed}:{key}")
        history[key] = _history(rng, key, anchor)
        if i == 0:  # live call IDs are fixed, so only one application can hold them
            live = {c.final.call_id: c for c in _live_calls(key)}
    return Dataset(
        history=history,
        by_id={c.call_id: c for calls in history.values() for c in calls},
        live=live,
    )


def _history(rng: random.Random, key: str, anchor: int) -> list[SimCall]:
    # Ten calls in the last day so a demo always has recent ones; the rest spread over 60 days.
    ages = [rng.uniform(120, 86_400) for _ in range(10)]
    ages += [rng.uniform(120, DAYS * 86_400) for _ in range(CALLS_PER_APPLICATION - 10)]
    outcomes = [o for o, _ in _OUTCOMES]
    weights = [w for _, w in _OUTCOMES]
    calls = []
    for i, age in enumerate(ages):
        outcome = outcomes[i] if i < len(outcomes) else rng.choices(outcomes, weights)[0]
        calls.append(_call(rng, key, anchor - int(age), outcome, i))
    calls.sort(key=lambda c: -c.start)
    return calls


def _call(rng: random.Random, key: str, start: int, outcome: tuple[str, str], i: int) -> SimCall:
    result, reason = outcome
    # Cycle the type spellings on both sides so every one shows up early and often.
    from_type = ENDPOINT_TYPES[i % len(ENDPOINT_TYPES)]
    to_type = ENDPOINT_TYPES[(i // len(ENDPOINT_TYPES) + 1) % len(ENDPOINT_TYPES)]
    duration = rng.randint(4, 900) if result == "ANSWERED" else 0
    currency = "EUR" if rng.random() < 0.2 else "USD"
    rate = round(rng.choice((0.0105, 0.0135, 0.0189, 0.024, 0.0455)), 4)
    return SimCall(
        call_id=f"{rng.getrandbits(128):032x}",
        application_key=key,
        start=start,
        from_type=from_type,
        from_endpoint=_endpoint(rng, from_type),
        to_type=to_type,
        to_endpoint=_endpoint(rng, to_type),
        status="FINAL",
        result=result,
        reason=reason,
        duration=duration,
        currency=currency,
        rate=rate,
        debit=_debit(rate, duration),
        custom=rng.choice(_CUSTOMS),
        timestamp_style=i % 4,
    )


def _debit(rate: float, duration: int) -> float:
    """What Sinch charges: the rate for every minute started."""
    return round(rate * math.ceil(duration / 60), 4)


def _number(rng: random.Random) -> str:
    return f"+1{rng.choice(_AREA_CODES)}{rng.randint(2, 9)}{rng.randint(0, 999_999):06d}"


def _endpoint(rng: random.Random, kind: str) -> str:
    lowered = kind.lower()
    if lowered == "username":
        return rng.choice(("agent", "frontdesk", "dispatch", "nurse")) + f"-{rng.randint(1, 99)}"
    if lowered == "sip":
        return f"{_number(rng)}@example.sip.sinch.com"
    return _number(rng)


def _live_calls(key: str) -> list[LiveCall]:
    base = SimCall(
        call_id="", application_key=key, start=0, from_type="username",
        from_endpoint="agent-live", to_type="number", to_endpoint="", status="FINAL",
        rate=0.0135, custom="live",
    )  # fmt: skip
    return [
        LiveCall(
            replace(
                base, call_id=LIVE_CALL_IDS[0], to_endpoint="+14155550101", result="ANSWERED",
                reason="CALLEEHANGUP", duration=52, debit=_debit(0.0135, 52),
            ),
            60,
        ),
        LiveCall(
            replace(
                base, call_id=LIVE_CALL_IDS[1], to_endpoint="+14155550102", result="NOANSWER",
                reason="TIMEOUT",
            ),
            30,
        ),
        LiveCall(
            replace(
                base, call_id=LIVE_CALL_IDS[2], start=-45, to_type="Number",
                to_endpoint="+14155550103", result="ANSWERED", reason="CALLERHANGUP",
                duration=225, currency="EUR", rate=0.0189, debit=_debit(0.0189, 225),
            ),
            180,
        ),
    ]  # fmt: skip
