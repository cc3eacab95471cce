"""Seeded TalkStack call history for the simulator, plus a few live calls that move with time.

Each TalkStack project in `accounts.TALKSTACK_PROJECTS` gets ~300 calls over the 60 days
before the simulator first needs them, drawn from `random.Random(f"{seed}:{project_id}")`, so
the same seed always gives the same SIDs, numbers and data. Every TalkStack status occurs.
The first project also holds the example call of seeds/000 (`EXAMPLE_SID`).

Live calls (`LIVE_SIDS`) change status as `sandbox.elapsed()` grows; tests move them with
`sandbox.clock_offset`:

- `LIVE_SIDS[project][0]`: queued until 3 s, ringing until 20 s, in-progress until 60 s,
  then completed (60 s, cost, one recording).
- `LIVE_SIDS[project][1]`: ringing until 30 s, then no-answer.
- `LIVE_SIDS[project][2]`: in-progress (answered 45 s before the start) until 180 s, then
  completed (225 s, cost, two recordings).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from . import accounts
from .core import Sandbox

# TalkStack's own status values: the eight of the history doc (seeds/004) and the three
# permanent ones of the call doc (seeds/000).
STATUSES = (
    "queued",
    "initiated",
    "ringing",
    "in-progress",
    "completed",
    "busy",
    "failed",
    "no-answer",
    "canceled",
    "voicemail",
    "silence",
)
FINAL = frozenset({"completed", "busy", "failed", "no-answer", "canceled", "voicemail", "silence"})
_WEIGHTS = (2, 2, 2, 4, 45, 8, 5, 12, 4, 10, 6)

CALLS_PER_PROJECT = 300
DAYS = 60
EXAMPLE_SID = "CA26e39c970fd416515799f5a165718be3"
HTML_VALUE = "<script>alert(1)</script> & <b>not bold</b>"
LONG_VALUE = (
    "Please keep in mind that canceling your shift within 12 hours of shift start will "
    "negatively impact your ability to see shifts in the future. Are you sure you want to cancel?"
)
# The project's own numbers (the ones TalkStack's agent calls from and is called on).
OWN_NUMBERS = {
    "ts-proj-acme-0001": ("+12068091239", "+13125550148"),
    "ts-proj-globex-0002": ("+16465550110", "+17025550172"),
}
_AREA_CODES = (
    "206", "212", "213", "305", "312", "347", "404", "415", "469", "503",
    "512", "602", "617", "646", "702", "713", "720", "786", "818", "917",
)  # fmt: skip


def _live_sid(n: int) -> str:
    return f"CAfeed{n:028x}"


LIVE_SIDS: dict[str, tuple[str, str, str]] = {
    pid: (_live_sid(3 * i + 1), _live_sid(3 * i + 2), _live_sid(3 * i + 3))
    for i, pid in enumerate(accounts.TALKSTACK_PROJECTS)
}


@dataclass(frozen=True)
class SimCall:
    """One call as the simulator stores it; `talkstack_api` turns it into TalkStack's JSON."""

    sid: str
    project_id: str
    start: float  # epoch seconds
    from_: str
    to: str
    status: str
    seconds: int = 0
    cost: float | None = None
    cost_shown: bool = True  # False: the "cost" key is left out, not null
    recordings: tuple[str, ...] = ()  # recording SIDs, with the URL suffix ("RE...wav")
    partner_id: str = ""
    shift_id: str = ""
    assignment_id: str = ""
    data: dict[str, str] = field(default_factory=dict)

    @property
    def end(self) -> float | None:
        return self.start + self.seconds if self.status in FINAL else None


@dataclass(frozen=True)
class LiveCall:
    """A call whose status follows a timeline of (status, ends at elapsed seconds)."""

    final: SimCall  # the call once it is over; its `start` is an offset from the start
    stages: tuple[tuple[str, float], ...]

    def at(self, sandbox: Sandbox, elapsed: float | None = None) -> SimCall:
        """The call `elapsed` seconds into the simulator's run (default: now)."""
        if elapsed is None:
            elapsed = sandbox.elapsed()
        # The start hangs off the simulator's fixed start, not off a second clock read: two
        # live calls that start together have exactly the same start, whenever they are asked.
        done = replace(self.final, start=sandbox.started + self.final.start)
        for status, until in self.stages:
            if elapsed < until:
                return replace(
                    done, status=status, seconds=0, cost=None, cost_shown=False,
                    recordings=(), data={},
                )  # fmt: skip
        return done


@dataclass
class Dataset:
    history: dict[str, list[SimCall]]  # project id -> calls, newest first
    by_sid: dict[str, SimCall]
    live: dict[str, LiveCall]
    recording_seconds: dict[str, int]  # "RE..." (no suffix) -> audio length


def dataset(sandbox: Sandbox) -> Dataset:
    """The sandbox's TalkStack data, made on first use and kept for the sandbox's life."""
    return sandbox.kept(_generate)


def calls_now(sandbox: Sandbox, project_id: str) -> list[SimCall]:
    """The project's calls as they stand now, newest first (live calls included)."""
    data = dataset(sandbox)
    elapsed = sandbox.elapsed()  # one clock read for the whole answer
    live = [c.at(sandbox, elapsed) for c in data.live.values() if c.final.project_id == project_id]
    # Live calls that started together come in SID order, whatever the clock says.
    return sorted(live, key=lambda c: (-c.start, c.sid)) + data.history.get(project_id, [])


def find(sandbox: Sandbox, sid: str) -> SimCall | None:
    data = dataset(sandbox)
    if sid in data.live:
        return data.live[sid].at(sandbox)
    return data.by_sid.get(sid)


def _generate(seed: int, anchor: int) -> Dataset:
    history: dict[str, list[SimCall]] = {}
    live: dict[str, LiveCall] = {}
    for pid in accounts.TALKSTACK_PROJECTS:
        rng = random.Random(f"{seed}:{pid}")
        pool = _customer_numbers(rng, pid)
        calls = _history(rng, pid, anchor, pool)
        if pid == "ts-proj-acme-0001":
            calls.append(_example_call(pid))
        history[pid] = calls
        live.update({c.final.sid: c for c in _live_calls(rng, pid, pool)})
    every = [c for calls in history.values() for c in calls] + [c.final for c in live.values()]
    return Dataset(
        history=history,
        by_sid={c.sid: c for calls in history.values() for c in calls},
        live=live,
        recording_seconds={r.split(".")[0]: max(c.seconds, 1) for c in every for r in c.recordings},
    )


def _history(rng: random.Random, pid: str, anchor: int, pool: list[str]) -> list[SimCall]:
    # Ten calls in the last day so "today" is never empty; the rest spread over 60 days.
    ages = [rng.uniform(120, 86_400) for _ in range(10)]
    ages += [rng.uniform(120, DAYS * 86_400) for _ in range(CALLS_PER_PROJECT - 10)]
    calls = []
    for i, age in enumerate(ages):
        # The first eleven cycle through every status so each one is always present.
        status = STATUSES[i] if i < len(STATUSES) else rng.choices(STATUSES, _WEIGHTS)[0]
        calls.append(_call(rng, pid, anchor - int(age), status, pool, i))
    calls.sort(key=lambda c: -c.start)
    # Markup in extracted data, on the newest completed call with data, for escaping tests.
    target = next(c for c in calls if c.status == "completed" and c.data)
    calls[calls.index(target)] = replace(target, data=target.data | {"agentNotes": HTML_VALUE})
    return calls


def _call(
    rng: random.Random, pid: str, start: int, status: str, pool: list[str], i: int
) -> SimCall:
    customer = rng.choice(pool)
    own = rng.choice(OWN_NUMBERS[pid])
    from_, to = (own, customer) if rng.random() < 0.8 else (customer, own)
    if i in (20, 21):  # a couple of calls that came in over SIP
        from_, to = f"sip:frontdesk{i}@{pid}.sip.twilio.com", own
    seconds = {"completed": rng.randint(8, 600), "voicemail": rng.randint(15, 60)}.get(status, 0)
    if status == "silence":
        seconds = rng.randint(7, 30)
    if status in FINAL:
        cost: float | None = round(seconds * 0.00335, 4)
        shown = seconds > 0 or rng.random() < 0.7
    else:
        cost, shown = None, rng.random() < 0.5  # null or left out while not final
    n_rec = {"completed": rng.choices((0, 1, 2), (2, 6, 2))[0], "voicemail": 1}.get(status, 0)
    return SimCall(
        sid=_sid(rng, "CA"),
        project_id=pid,
        start=start,
        from_=from_,
        to=to,
        status=status,
        seconds=seconds,
        cost=cost,
        cost_shown=shown,
        recordings=tuple(_recording(rng) for _ in range(n_rec)),
        partner_id=_maybe_id(rng, "ptn"),
        shift_id=_maybe_id(rng, "shf"),
        assignment_id=_maybe_id(rng, "asg"),
        data=_extracted(rng, status),
    )


def _sid(rng: random.Random, prefix: str) -> str:
    return f"{prefix}{rng.getrandbits(128):032x}"


def _recording(rng: random.Random) -> str:
    # Twilio serves a recording with or without a suffix; the simulator's URLs use both.
    return _sid(rng, "RE") + (".wav" if rng.random() < 0.8 else "")


def _maybe_id(rng: random.Random, prefix: str) -> str:
    return f"{prefix}-{rng.getrandbits(32):08x}" if rng.random() < 0.7 else ""


def _customer_numbers(rng: random.Random, pid: str) -> list[str]:
    numbers = {"+14152148508"} if pid == "ts-proj-acme-0001" else set()
    while len(numbers) < 40:
        area = rng.choice(_AREA_CODES)
        numbers.add(
            f"+1{area}{rng.randint(2, 9)}{rng.randint(0, 99):02d}{rng.randint(0, 9999):04d}"
        )
    return sorted(numbers)


_TEXTS = (
    "Asked to be called back after 5pm.",
    "Confirmed the shift and the address.",
    "Wants to swap to the weekend shift.",
    "Did not understand the question; repeated twice.",
    "Running 15 minutes late, parking issue.",
)
_FIELDS: dict[str, Callable[[random.Random], str]] = {
    "employeeGoToWork": lambda r: r.choice(("true", "false")),
    "reasonOfCancellation": lambda r: r.choice(("", LONG_VALUE, "Sick", "Family emergency")),
    "newDate": lambda r: r.choice(("", f"2025-0{r.randint(1, 9)}-{r.randint(10, 28)}")),
    "callbackRequested": lambda r: r.choice(("true", "false")),
    "preferredShift": lambda r: r.choice(("morning", "evening", "night", "")),
    "summary": lambda r: r.choice(_TEXTS),
    "sentiment": lambda r: r.choice(("positive", "neutral", "negative")),
    "languageDetected": lambda r: r.choice(("en-US", "es-US")),
    "transferToHuman": lambda r: r.choice(("true", "false")),
    "confirmedAddress": lambda r: r.choice(("", "221B Baker St, Springfield")),
}


def _extracted(rng: random.Random, status: str) -> dict[str, str]:
    if status == "voicemail":
        return {"voicemailLeft": rng.choice(("true", "false"))}
    if status != "completed":
        return {}
    keys = rng.sample(list(_FIELDS), rng.randint(1, 6))
    return {k: _FIELDS[k](rng) for k in keys}


def _example_call(pid: str) -> SimCall:
    """The call of seeds/000's example, field for field (its recording served here)."""
    return SimCall(
        sid=EXAMPLE_SID,
        project_id=pid,
        start=dt.datetime(2024, 1, 30, 13, 39, 53, tzinfo=dt.UTC).timestamp(),
        from_="+14152148508",
        to="+12068091239",
        status="completed",
        seconds=23,
        cost=0.077,
        recordings=("RE26e39c970fd416515799f5a165718be3.wav",),
        partner_id="partner-id",
        shift_id="shift-id",
        assignment_id="assignment-id",
        data={
            "employeeGoToWork": "false",
            "reasonOfCancellation": LONG_VALUE,
            "newDate": "",
        },
    )


def _live_calls(rng: random.Random, pid: str, customers: list[str]) -> list[LiveCall]:
    answers, unanswered, long = LIVE_SIDS[pid]
    own = OWN_NUMBERS[pid][0]
    base = SimCall(sid="", project_id=pid, start=0, from_=own, to="", status="completed")
    return [
        LiveCall(
            replace(
                base, sid=answers, to=customers[0], seconds=60, cost=round(60 * 0.00335, 4),
                recordings=(_recording(rng),), partner_id="ptn-live0001", shift_id="shf-live0001",
                data={"employeeGoToWork": "true", "summary": "Confirmed the shift."},
            ),
            (("queued", 3), ("ringing", 20), ("in-progress", 60)),
        ),
        LiveCall(
            replace(base, sid=unanswered, to=customers[1], status="no-answer", cost=0.0),
            (("ringing", 30),),
        ),
        LiveCall(
            replace(
                base, sid=long, start=-45, to=customers[2], seconds=225,
                cost=round(225 * 0.00335, 4), recordings=(_recording(rng), _recording(rng)),
                data={"callbackRequested": "false", "summary": "Long call about next week."},
            ),
            (("in-progress", 180),),
        ),
    ]  # fmt: skip
