"""Seeded SignalWire calls and recordings for the simulator, plus a few live calls.

Each project in `accounts.SIGNALWIRE_PROJECTS` gets ~300 calls over the 60 days before the
simulator first needs them, drawn from `random.Random(f"{seed}:{project_id}")`, so one seed
always gives the same SIDs and values. Addresses come from a pool of 40 (the project's own
4 numbers, 30 other E.164 numbers, 6 SIP addresses), so a search by number finds several
calls. The values vary the way real answers do (PROVIDERS.md): `direction` is inbound,
outbound, outbound-api or outbound-dial (a child leg with `parent_call_sid`); `price` is a
number, a numeric string, a negative string ("-0.0130", Twilio's habit), or null;
`audio_in_mos` a number, a string or null; quality figures sometimes all null.

Live calls (`LIVE_CALL_SIDS`, first project only) move with `sandbox.elapsed()`; tests move
them with `sandbox.clock_offset`:

- `LIVE_CALL_SIDS[0]`: ringing until 20 s, in-progress until 60 s, then completed (40 s),
  priced, with one recording (`LIVE_RECORDING_SIDS[0]`).
- `LIVE_CALL_SIDS[1]`: queued until 10 s, ringing until 40 s, then no-answer.
- `LIVE_CALL_SIDS[2]`: started 30 s before the simulator, in-progress until 120 s, then
  completed (150 s) with a two-channel recording (`LIVE_RECORDING_SIDS[1]`).
- `LIVE_CALL_SIDS[3]`: ringing until 15 s, then canceled.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from . import accounts
from .core import Sandbox

CALLS_PER_PROJECT = 300
DAYS = 60
STATUSES = (
    "queued",
    "ringing",
    "in-progress",
    "canceled",
    "completed",
    "busy",
    "failed",
    "no-answer",
)
FINAL = frozenset({"canceled", "completed", "busy", "failed", "no-answer"})
_DIRECTIONS = (("inbound", 45), ("outbound-api", 35), ("outbound", 20))
_OUTCOMES = (("completed", 62), ("no-answer", 14), ("busy", 8), ("failed", 8), ("canceled", 8))
_SIP_CODES = {
    "completed": ("200",),
    "busy": ("486",),
    "no-answer": ("480", "408"),
    "canceled": ("487",),
    "failed": ("403", "404", "500", "503"),
}
_RATES = (Decimal("0.0065"), Decimal("0.0100"), Decimal("0.0130"), Decimal("0.0250"))
_SOURCES = ("DialVerb", "RecordVerb", "StartCallRecordingApi", "OutBoundApi")
_AREA_CODES = ("206", "212", "305", "310", "312", "415", "512", "617", "702", "917")
_SIP_USERS = ("alice", "bob", "frontdesk", "support-7", "night-shift", "ivr")
_SIP_HOSTS = ("initech.sip.signalwire.com", "pbx.example.net")


def _fixed_uuid(n: int) -> str:
    return str(uuid.UUID(int=(0xFEED << 112) | n))


LIVE_CALL_SIDS: tuple[str, ...] = tuple(_fixed_uuid(n) for n in (1, 2, 3, 4))
LIVE_RECORDING_SIDS: tuple[str, ...] = tuple(_fixed_uuid(n) for n in (101, 102))


@dataclass(frozen=True)
class SimRecording:
    sid: str
    call_sid: str
    account_sid: str
    created: float  # epoch seconds
    duration: int  # seconds; the WAV served is this long (at most 120 s, as audio.py makes)
    channels: int
    source: str
    price: str  # Twilio-style negative string


@dataclass(frozen=True)
class SimTranscript:
    """A recording's transcription, as Twilio's Transcription resource describes one."""

    sid: str
    recording_sid: str
    account_sid: str
    status: str  # in-progress | completed | failed
    text: str | None
    duration: int
    price: str | None  # Twilio-style negative string; None until it is rated
    created: float


# What the simulator's callers say; the last one is markup, for escaping tests.
TRANSCRIPT_TEXTS = (
    "Hi, this is about my shift tomorrow. I can't make it, can we move it to Saturday?",
    "Yes, I confirm the address. I'll be there at eight.",
    "I was calling about the invoice, the amount looks wrong to me.",
    "Could someone call me back after five please? Thanks.",
    "<script>alert(1)</script> & <b>not bold</b>",
)


def transcripts_for(recording: SimRecording) -> tuple[SimTranscript, ...]:
    """A recording's transcriptions, derived from its SID: most have one completed; some are
    in progress, some failed, some have none, a few have two (completed, then failed)."""
    rng = random.Random(f"transcripts:{recording.sid}")
    if recording.sid == LIVE_RECORDING_SIDS[0]:
        kinds: tuple[str, ...] = ("completed",)
    elif recording.sid == LIVE_RECORDING_SIDS[1]:
        kinds = ("in-progress",)
    else:
        choice = rng.choices(("completed", "in-progress", "failed", "", "two"), (60, 10, 10, 15, 5))
        kinds = {"": (), "two": ("completed", "failed")}.get(choice[0], (choice[0],))
    return tuple(
        SimTranscript(
            sid=_uuid(rng),
            recording_sid=recording.sid,
            account_sid=recording.account_sid,
            status=kind,
            text=rng.choice(TRANSCRIPT_TEXTS) if kind == "completed" else None,
            duration=recording.duration,
            price=f"-{Decimal('0.05') * max(1, -(-recording.duration // 60))}"
            if kind == "completed"
            else None,
            created=recording.created + recording.duration + n,
        )
        for n, kind in enumerate(kinds)
    )


@dataclass(frozen=True)
class SimCall:
    """One call as the simulator stores it; `signalwire_api` turns it into SignalWire's JSON."""

    sid: str
    account_sid: str
    created: float  # epoch seconds; the list is ordered by it
    from_: str
    to: str
    direction: str
    status: str
    start: float | None = None
    end: float | None = None
    duration: int = 0
    price: Any = None  # number, numeric string or None: rendered as it is
    price_unit: str = "USD"
    answered_by: str | None = None
    parent_call_sid: str | None = None
    phone_number_sid: str | None = None
    mos: Any = None  # number, numeric string or None
    rtt: tuple[int, int, int] | None = None  # avg, min, max (ms)
    jitter: tuple[int, int, int] | None = None  # avg, min, max (ms)
    lost: int | None = None
    sip_result_code: str | None = None
    recordings: tuple[SimRecording, ...] = ()


@dataclass(frozen=True)
class LiveCall:
    """A call whose status follows the simulator's clock. Times are offsets from its start."""

    final: SimCall  # `created` is an offset (seconds) from the simulator's start
    stages: tuple[tuple[float, str], ...]  # (until elapsed seconds, status) before `final`

    def at(self, sandbox: Sandbox, elapsed: float | None = None) -> SimCall:
        """The call `elapsed` seconds into the simulator's run (default: now)."""
        if elapsed is None:
            elapsed = sandbox.elapsed()
        created = sandbox.started + self.final.created
        done = _shift(self.final, created)
        for until, status in self.stages:
            if elapsed < until:
                return replace(
                    done,
                    status=status,
                    start=None if status == "queued" else done.start,
                    end=None,
                    duration=0,
                    price=None,
                    mos=None,
                    rtt=None,
                    jitter=None,
                    lost=None,
                    sip_result_code=None,
                    recordings=(),
                )
        return done


def _shift(call: SimCall, created: float) -> SimCall:
    """The final call with its offsets turned into times from `created`."""
    start = created + (call.start or 0.0)
    end = created + call.end if call.end is not None else None
    recordings = tuple(replace(r, created=start + r.created) for r in call.recordings)
    return replace(call, created=created, start=start, end=end, recordings=recordings)


@dataclass
class Dataset:
    history: dict[str, list[SimCall]]  # project id -> calls, newest first
    by_sid: dict[str, SimCall]
    recordings: dict[str, SimRecording]  # seeded recordings by SID
    live: dict[str, LiveCall]  # by call SID


def dataset(sandbox: Sandbox) -> Dataset:
    """The sandbox's SignalWire data, made on first use and kept for the sandbox's life."""
    return sandbox.kept(_generate)


def calls(sandbox: Sandbox, project_id: str) -> list[SimCall]:
    """Every call of a project as it stands now, newest first (live calls included)."""
    data = dataset(sandbox)
    elapsed = sandbox.elapsed()  # one clock read for the whole answer
    live = [c.at(sandbox, elapsed) for c in data.live.values()]
    current = [c for c in live if c.account_sid == project_id] + data.history.get(project_id, [])
    return sorted(current, key=lambda c: (-c.created, c.sid))


def find(sandbox: Sandbox, sid: str) -> SimCall | None:
    """A call as it stands now (live calls move with the simulator's clock)."""
    data = dataset(sandbox)
    if sid in data.live:
        return data.live[sid].at(sandbox)
    return data.by_sid.get(sid)


def find_recording(sandbox: Sandbox, sid: str) -> SimRecording | None:
    """A recording, if it exists now (a live call's only once the call has ended)."""
    data = dataset(sandbox)
    if sid in data.recordings:
        return data.recordings[sid]
    elapsed = sandbox.elapsed()
    for live in data.live.values():
        for recording in live.at(sandbox, elapsed).recordings:
            if recording.sid == sid:
                return recording
    return None


def seeded_call_sids(sandbox: Sandbox, project_id: str = "") -> list[str]:
    """The seeded (not live) call SIDs of a project (default: the first), newest first."""
    project_id = project_id or next(iter(accounts.SIGNALWIRE_PROJECTS))
    return [c.sid for c in dataset(sandbox).history.get(project_id, [])]


# Generation


def _generate(seed: int, anchor: int) -> Dataset:
    history: dict[str, list[SimCall]] = {}
    live: dict[str, LiveCall] = {}
    for i, project_id in enumerate(accounts.SIGNALWIRE_PROJECTS):
        rng = random.Random(f"{seed}:{project_id}")
        history[project_id] = _history(rng, project_id, anchor)
        if i == 0:  # live SIDs are fixed, so only one project can hold them
            live = {c.final.sid: c for c in _live_calls(project_id)}
    by_sid = {c.sid: c for project_calls in history.values() for c in project_calls}
    recordings = {r.sid: r for c in by_sid.values() for r in c.recordings}
    return Dataset(history=history, by_sid=by_sid, recordings=recordings, live=live)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _number(rng: random.Random) -> str:
    return f"+1{rng.choice(_AREA_CODES)}555{rng.randint(100, 9999):04d}"


@dataclass(frozen=True)
class _Pool:
    own: tuple[str, ...]  # the project's numbers
    own_sids: dict[str, str]  # number -> phone_number_sid
    others: tuple[str, ...]  # customers: numbers and SIP addresses
    agents: tuple[str, ...]  # where inbound calls are forwarded (child legs)


def _pool(rng: random.Random) -> _Pool:
    own = tuple(_number(rng) for _ in range(4))
    sips = tuple(f"sip:{user}@{rng.choice(_SIP_HOSTS)}" for user in _SIP_USERS)
    others = tuple(_number(rng) for _ in range(30)) + sips
    return _Pool(
        own=own,
        own_sids={n: _uuid(rng) for n in own},
        others=others,
        agents=sips[:3] + others[:2],
    )


def _history(rng: random.Random, project_id: str, anchor: int) -> list[SimCall]:
    pool = _pool(rng)
    directions = [d for d, _ in _DIRECTIONS]
    direction_weights = [w for _, w in _DIRECTIONS]
    outcomes = [o for o, _ in _OUTCOMES]
    outcome_weights = [w for _, w in _OUTCOMES]
    result: list[SimCall] = []
    i = 0
    while len(result) < CALLS_PER_PROJECT:
        # Ten calls in the last day so a demo always has recent ones.
        age = rng.uniform(120, 86_400) if i < 10 else rng.uniform(120, DAYS * 86_400)
        # The first calls cycle through every outcome and direction so each is present.
        outcome = outcomes[i] if i < len(outcomes) else rng.choices(outcomes, outcome_weights)[0]
        direction = (
            directions[i % len(directions)]
            if i < 2 * len(directions)
            else rng.choices(directions, direction_weights)[0]
        )
        call = _call(rng, pool, project_id, anchor - age, direction, outcome, i)
        result.append(call)
        if direction == "inbound" and outcome == "completed" and rng.random() < 0.4:
            result.append(_child_leg(rng, pool, call, i))
        i += 1
    result = result[:CALLS_PER_PROJECT]
    result.sort(key=lambda c: -c.created)
    return result


def _call(
    rng: random.Random,
    pool: _Pool,
    project_id: str,
    created: float,
    direction: str,
    outcome: str,
    i: int,
) -> SimCall:
    own, other = rng.choice(pool.own), rng.choice(pool.others)
    from_, to = (other, own) if direction == "inbound" else (own, other)
    answered = outcome == "completed"
    duration = rng.randint(4, 900) if answered else 0
    ring = {"no-answer": 30, "canceled": rng.randint(3, 15)}.get(outcome, rng.randint(1, 6))
    start = created + rng.uniform(0.2, 1.5)
    end = start + (duration if answered else ring)
    sid = _uuid(rng)
    answered_by = None
    if direction == "outbound-api" and answered and rng.random() < 0.7:
        answered_by = rng.choice(("human", "human", "machine"))
    return SimCall(
        sid=sid,
        account_sid=project_id,
        created=created,
        from_=from_,
        to=to,
        direction=direction,
        status=outcome,
        start=start,
        end=end,
        duration=duration,
        price=_price(rng, duration, i) if answered else rng.choice((None, None, 0, "0.00000")),
        answered_by=answered_by,
        phone_number_sid=pool.own_sids[own],
        **_quality(rng, answered, outcome),
        recordings=_recordings(rng, sid, project_id, start, duration) if answered else (),
    )


def _child_leg(rng: random.Random, pool: _Pool, parent: SimCall, i: int) -> SimCall:
    """The dialled leg of an inbound call forwarded to an agent (direction outbound-dial)."""
    created = (parent.start or parent.created) + rng.uniform(1, 4)
    duration = max(1, parent.duration - int(created - parent.created) - rng.randint(0, 3))
    sid = _uuid(rng)
    return SimCall(
        sid=sid,
        account_sid=parent.account_sid,
        created=created,
        from_=parent.from_,
        to=rng.choice(pool.agents),
        direction="outbound-dial",
        status="completed",
        start=created + 0.5,
        end=created + 0.5 + duration,
        duration=duration,
        price=_price(rng, duration, i + 1),
        parent_call_sid=parent.sid,
        **_quality(rng, True, "completed"),
        recordings=_recordings(rng, sid, parent.account_sid, created + 0.5, duration),
    )


def _price(rng: random.Random, duration: int, i: int) -> Any:
    """The charge in one of the forms seen in the wild, chosen in turn so all occur."""
    minutes = max(1, -(-duration // 60))
    amount = (rng.choice(_RATES) * minutes).quantize(Decimal("0.00001"))
    style = i % 5
    if style == 0:
        return float(amount)  # the spec's form: a number
    if style == 1:
        return f"-{amount}"  # Twilio's form: a negative numeric string
    if style == 2:
        return -float(amount)
    if style == 3:
        return str(amount)
    return None  # not rated yet


def _quality(rng: random.Random, answered: bool, outcome: str) -> dict[str, Any]:
    codes = _SIP_CODES[outcome]
    sip = rng.choice(codes) if rng.random() < 0.9 else None
    if not answered or rng.random() < 0.15:
        return {"sip_result_code": sip}
    mos = round(rng.uniform(2.5, 4.5), 2)
    rtt_min = rng.randint(20, 80)
    jitter_min = rng.randint(0, 5)
    return {
        "mos": rng.choice((mos, str(mos), mos, None)),
        "rtt": (rtt_min + rng.randint(5, 40), rtt_min, rtt_min + rng.randint(40, 200)),
        "jitter": (jitter_min + rng.randint(1, 8), jitter_min, jitter_min + rng.randint(8, 60)),
        "lost": rng.choice((0, 0, 0, rng.randint(1, 300))),
        "sip_result_code": sip,
    }


def _recordings(
    rng: random.Random, call_sid: str, project_id: str, start: float, duration: int
) -> tuple[SimRecording, ...]:
    count = rng.choices((0, 1, 2), (50, 35, 15))[0]
    return tuple(
        SimRecording(
            sid=_uuid(rng),
            call_sid=call_sid,
            account_sid=project_id,
            created=start + n,
            duration=max(1, min(duration, rng.randint(5, 120))),
            channels=rng.choice((1, 1, 2)),
            source=rng.choice(_SOURCES),
            price=f"-{Decimal('0.0025') * (n + 1)}",
        )
        for n in range(count)
    )


def _live_calls(project_id: str) -> list[LiveCall]:
    own, customer, sip = "+13105550100", "+12125550177", "sip:frontdesk@pbx.example.net"

    def recording(sid: str, call_sid: str, offset: float, seconds: int, channels: int) -> Any:
        return SimRecording(
            sid, call_sid, project_id, offset, seconds, channels, "DialVerb", "-0.0025"
        )

    first, second, third, fourth = LIVE_CALL_SIDS
    return [
        LiveCall(
            SimCall(
                sid=first,
                account_sid=project_id,
                created=0.0,
                from_=customer,
                to=own,
                direction="inbound",
                status="completed",
                start=0.0,
                end=60.0,
                duration=40,
                price="-0.0130",
                mos=4.3,
                rtt=(48, 31, 95),
                jitter=(4, 1, 19),
                lost=2,
                sip_result_code="200",
                recordings=(recording(LIVE_RECORDING_SIDS[0], first, 20.0, 40, 1),),
            ),
            stages=((20.0, "ringing"), (60.0, "in-progress")),
        ),
        LiveCall(
            SimCall(
                sid=second,
                account_sid=project_id,
                created=-5.0,
                from_=own,
                to=customer,
                direction="outbound-api",
                status="no-answer",
                start=15.0,
                end=45.0,
                sip_result_code="480",
            ),
            stages=((10.0, "queued"), (40.0, "ringing")),
        ),
        LiveCall(
            SimCall(
                sid=third,
                account_sid=project_id,
                created=-30.0,
                from_=sip,
                to=customer,
                direction="outbound",
                status="completed",
                start=0.0,
                end=150.0,
                duration=150,
                price=0.026,
                mos="4.05",
                rtt=(60, 40, 130),
                jitter=(6, 2, 30),
                lost=0,
                sip_result_code="200",
                recordings=(recording(LIVE_RECORDING_SIDS[1], third, 1.0, 120, 2),),
            ),
            stages=((120.0, "in-progress"),),
        ),
        LiveCall(
            SimCall(
                sid=fourth,
                account_sid=project_id,
                created=-8.0,
                from_=customer,
                to=own,
                direction="inbound",
                status="canceled",
                start=8.0,
                end=23.0,
                sip_result_code="487",
            ),
            stages=((15.0, "ringing"),),
        ),
    ]
