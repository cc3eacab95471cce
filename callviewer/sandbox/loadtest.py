"""The load test behind `manage.py loadtest` (scripts/load): agents signed in through the real
sign-in form load the deployment while a prober times /healthz, and the figures are printed
beside the ideal and the targets (issue 8).

Pages: each agent loops search → call page → status fragment for the run's length, one
request at a time, as a person clicking through would; with every provider answer L seconds
late, the ideal is N / L requests a second and every page in L seconds.

Recordings: simultaneous downloads of a long recording from a slow provider, each checked
for its full length, while a few agents keep loading pages; the pages' times are compared
with their times before the downloads started, and the app processes' memory is sampled.

One asyncio loop drives every agent (an httpx.AsyncClient each, with its own cookies), so the
load itself costs little of a two-core machine. The CPU lines say how many cores each
process used on average, and how many of its threads were ready to run but had no core
("waiting": the machine was busy, with this load or with other work).
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PROJECT = "acme-support"  # a demo project (TalkStack), whose search lists calls to open
_CALL_LINK = re.compile(r"/calls/(CA[0-9a-f]{32})/")
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# Targets (issue 8): shares of the ideal, and absolute bounds.
THROUGHPUT_SHARE = 0.9  # throughput >= 0.9 x N / L
PAGE_P50_SHARE = 1.1  # page p50 <= 1.1 x L
HEALTHZ_P95 = 0.050  # seconds
UNLOADED_SHARE = 1.1  # pages during the downloads: p50 <= 1.1 x their unloaded p50 (+ 50 ms)
UNLOADED_SLACK = 0.050
# Memory stays flat: the downloads together may add this much (bytes) to the app's processes,
# far below one recording's size (a proxy that buffered would add 100 MB for each).
MEMORY_RISE = 64 * 1024 * 1024


def percentile(values: Sequence[float], share: float) -> float:
    """The value below which `share` (0..1) of `values` lie (nearest rank); NaN for none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Tally:
    """What the agents and the prober saw."""

    pages: list[float] = field(default_factory=list)  # seconds, requests finished in time
    by_page: dict[str, list[float]] = field(default_factory=dict)  # the same, by kind of page
    healthz: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)  # "503", "ReadTimeout", ...
    truncated: int = 0  # bodies shorter than they said, or cut by the connection
    in_time: int = 0  # requests finished within the measured window

    def failed(self, what: str) -> None:
        self.errors[what] += 1


@dataclass
class PageFigures:
    agents: int
    latency: float  # the provider's, seconds
    seconds: float  # the run's length
    requests: int  # finished within the run
    page_p50: float
    page_p95: float
    healthz_p50: float
    healthz_p95: float
    errors: dict[str, int]
    truncated: int
    max_connections: int
    serving: str  # e.g. "2 processes x 128 threads"
    by_page: dict[str, float] = field(default_factory=dict)  # p50 by kind of page
    # By process: CPU seconds used in the window, and seconds its threads waited for a core.
    cpu: dict[str, tuple[float, float]] = field(default_factory=dict)
    load_average: float = math.nan  # the machine's, over the last minute of the run
    healthz_idle_p95: float = math.nan  # before the agents signed in: what the machine allows

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def ideal_throughput(self) -> float:
        return self.agents / self.latency if self.latency else math.inf


# name, measured, ideal, target, whether it met the target (None: no target)
Row = tuple[str, str, str, str, bool | None]


def _ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.0f} ms"


def _s(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds:.2f} s"


def _errors_text(errors: dict[str, int]) -> str:
    total = sum(errors.values())
    if not total:
        return "0"
    return f"{total} (" + ", ".join(f"{n} x {what}" for what, n in sorted(errors.items())) + ")"


def page_report(f: PageFigures) -> list[str]:
    """The page run's figures, each beside the ideal and the target, one line each."""
    L = f.latency
    delayed = L > 0  # with no provider latency there is no ideal, only the app's own cost
    best = f.ideal_throughput
    rows: list[Row] = [
        ("throughput", f"{f.throughput:.1f} req/s", f"{best:.1f} req/s" if delayed else "",
         f">= {THROUGHPUT_SHARE * best:.1f} req/s" if delayed else "",
         f.throughput >= THROUGHPUT_SHARE * best if delayed else None),
        ("page p50", _s(f.page_p50), _s(L), f"<= {_s(PAGE_P50_SHARE * L)}" if delayed else "",
         f.page_p50 <= PAGE_P50_SHARE * L if delayed else None),
        ("page p95", _s(f.page_p95), _s(L), "", None),
        *(
            (f"  {kind} p50", _s(p50), _s(L), "", None)
            for kind, p50 in f.by_page.items()
        ),
        ("/healthz p50", _ms(f.healthz_p50), "", "", None),
        ("/healthz p95", _ms(f.healthz_p95), "", f"<= {_ms(HEALTHZ_P95)}",
         f.healthz_p95 <= HEALTHZ_P95),
        ("  before the load", _ms(f.healthz_idle_p95), "", "", None),
        ("errors", _errors_text(f.errors), "0", "0", not f.errors),
        ("truncated streams", str(f.truncated), "0", "0", f.truncated == 0),
        ("database connections", f"{f.max_connections} at most", "", "", None),
        *(
            (f"CPU, {who}", f"{used / f.seconds:.2f} cores, {waited / f.seconds:.2f} waiting",
             "", "", None)
            for who, (used, waited) in f.cpu.items()
        ),
    ]  # fmt: skip
    title = (
        f"callviewer load test: {f.agents} agents, provider latency {L:g} s, {f.seconds:g} s, "
        f"{f.requests} requests\n"
        f"gunicorn.conf.py ({f.serving}), PostgreSQL + Redis; "
        f"machine load average {f.load_average:.1f} on {os.cpu_count()} cores"
    )
    return _table(title, rows)


def _table(title: str, rows: list[Row]) -> list[str]:
    lines = [*title.splitlines(), f"  {'':<22}{'measured':<26}{'ideal':<14}target"]
    for name, measured, ideal, target, ok in rows:
        verdict = "" if ok is None else ("ok" if ok else "MISSED")
        lines.append(f"  {name:<22}{measured:<26}{ideal:<14}{target:<18}{verdict}".rstrip())
    return lines


@dataclass
class RecordingFigures:
    downloads: int
    size: int  # bytes each
    rate: int  # bytes a second, the provider's
    complete: int  # downloads that got every byte with a success status
    slowest: float  # seconds
    rss_before: int  # bytes, the app processes together
    rss_peak: int
    pages_unloaded_p50: float
    pages_loaded_p50: float
    pages_loaded_p95: float
    healthz_p95: float
    errors: dict[str, int]
    truncated: int
    load_average: float = math.nan  # the machine's, over the last minute of the run


def recording_report(f: RecordingFigures) -> list[str]:
    ideal = f.size / f.rate if f.rate else 0.0
    bound = UNLOADED_SHARE * f.pages_unloaded_p50 + UNLOADED_SLACK
    mib = 1024 * 1024
    rows: list[Row] = [
        ("complete downloads", f"{f.complete} of {f.downloads}", str(f.downloads),
         str(f.downloads), f.complete == f.downloads),
        ("slowest download", _s(f.slowest), _s(ideal), "", None),
        ("app memory (RSS)", f"{f.rss_before / mib:.0f} -> {f.rss_peak / mib:.0f} MiB peak",
         "flat", f"<= +{MEMORY_RISE / mib:.0f} MiB", f.rss_peak - f.rss_before <= MEMORY_RISE),
        ("page p50 unloaded", _s(f.pages_unloaded_p50), "", "", None),
        ("page p50 meanwhile", _s(f.pages_loaded_p50), _s(f.pages_unloaded_p50),
         f"<= {_s(bound)}", f.pages_loaded_p50 <= bound),
        ("page p95 meanwhile", _s(f.pages_loaded_p95), "", "", None),
        ("/healthz p95", _ms(f.healthz_p95), "", f"<= {_ms(HEALTHZ_P95)}",
         f.healthz_p95 <= HEALTHZ_P95),
        ("errors", _errors_text(f.errors), "0", "0", not f.errors),
        ("truncated streams", str(f.truncated), "0", "0", f.truncated == 0),
    ]  # fmt: skip
    title = (
        f"callviewer recordings load test: {f.downloads} simultaneous recordings of "
        f"{f.size / 1e6:g} MB from a provider sending {f.rate / 1e6:g} MB/s\n"
        f"machine load average {f.load_average:.1f} on {os.cpu_count()} cores"
    )
    return _table(title, rows)


# The agents


class Agent:
    """One signed-in person: an httpx.AsyncClient with its own cookies."""

    def __init__(self, base_url: str, username: str, timeout: float) -> None:
        self.username = username
        self.client = httpx.AsyncClient(base_url=base_url, timeout=timeout, follow_redirects=False)

    async def sign_in(self, password: str) -> None:
        """Through the real sign-in form, as a browser does it."""
        form = await self.client.get("/accounts/login/")
        token = _CSRF.search(form.text)
        if form.status_code != 200 or token is None:
            raise RuntimeError(f"sign-in form: status {form.status_code}")
        answer = await self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": password,
                  "csrfmiddlewaretoken": token.group(1)},
        )  # fmt: skip
        if answer.status_code != 302:
            raise RuntimeError(f"{self.username} could not sign in: status {answer.status_code}")

    async def close(self) -> None:
        await self.client.aclose()


async def timed_get(
    client: httpx.AsyncClient, url: str, tally: Tally, headers: dict[str, str] | None = None
) -> tuple[float, httpx.Response | None]:
    """GET `url`, read whole; (seconds, response), the response None when it failed."""
    started = time.perf_counter()
    try:
        response = await client.get(url, headers=headers)
    except httpx.RemoteProtocolError:
        tally.truncated += 1
        tally.failed("connection cut")
        return time.perf_counter() - started, None
    except httpx.HTTPError as exc:
        tally.failed(type(exc).__name__)
        return time.perf_counter() - started, None
    seconds = time.perf_counter() - started
    if response.status_code >= 400:
        tally.failed(str(response.status_code))
        return seconds, None
    return seconds, response


@dataclass(frozen=True)
class Window:
    """The measured span, in time.monotonic() seconds: requests that end inside it count."""

    start: float
    end: float

    @classmethod
    def after(cls, ramp: float, seconds: float) -> Window:
        now = time.monotonic()
        return cls(now + ramp, now + ramp + seconds)

    def holds(self, moment: float) -> bool:
        return self.start <= moment <= self.end


async def browse(
    agent: Agent, window: Window, tally: Tally, rng: random.Random, ramp: float = 0.0
) -> None:
    """Search, open a call from the results, ask its status fragment; again until the window
    ends. The agent starts within `ramp` seconds (at random), as people do not click in step."""
    await asyncio.sleep(rng.uniform(0, ramp))
    sids: list[str] = []
    hx = {"HX-Request": "true"}
    while time.monotonic() < window.end:
        seconds, response = await timed_get(agent.client, f"/calls/?project={PROJECT}", tally)
        _count(tally, "search", seconds, window)
        if response is not None:
            sids = _CALL_LINK.findall(response.text) or sids
        if not sids:
            continue
        sid = rng.choice(sids)
        for kind, url, headers in (
            ("call", f"/calls/{sid}/?project={PROJECT}", None),
            ("status", f"/calls/{sid}/status/?project={PROJECT}", hx),
        ):
            if time.monotonic() >= window.end:
                break
            seconds, _ = await timed_get(agent.client, url, tally, headers)
            _count(tally, kind, seconds, window)


def _count(tally: Tally, kind: str, seconds: float, window: Window) -> None:
    if window.holds(time.monotonic()):
        tally.pages.append(seconds)
        tally.by_page.setdefault(kind, []).append(seconds)
        tally.in_time += 1


async def probe(base_url: str, window: Window, tally: Tally, every: float) -> None:
    """/healthz, as a load balancer asks it, every `every` seconds in the window.

    On a thread of its own with a client of its own, so the time measured is the app's and
    not the event loop's while it serves the agents.
    """
    await asyncio.to_thread(_probe, base_url, window, tally, every)


def _probe(base_url: str, window: Window, tally: Tally, every: float) -> None:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        while time.monotonic() < window.end:
            started = time.perf_counter()
            try:
                response = client.get("/healthz")
            except httpx.HTTPError as exc:
                tally.failed(f"/healthz {type(exc).__name__}")
            else:
                seconds = time.perf_counter() - started
                if response.status_code >= 400:
                    tally.failed(f"/healthz {response.status_code}")
                elif window.holds(time.monotonic()):
                    tally.healthz.append(seconds)
            time.sleep(every)  # the prober's interval


async def sample(
    read: Callable[[], Awaitable[int]], window: Window, every: float, found: list[int]
) -> None:
    """`read()` every `every` seconds from the start of the window to its end, into `found`."""
    await asyncio.sleep(max(0.0, window.start - time.monotonic()))
    while time.monotonic() < window.end:
        found.append(await read())
        await asyncio.sleep(every)


async def cpu_used(pids: dict[str, int], window: Window) -> dict[str, tuple[float, float]]:
    """Seconds of CPU each process (with its children) used during the window, and seconds
    its threads spent ready to run but waiting for a core."""

    def now(pid: int) -> tuple[float, float]:
        return cpu_seconds(pid), waiting_seconds(pid)

    await asyncio.sleep(max(0.0, window.start - time.monotonic()))
    before = {who: now(pid) for who, pid in pids.items()}
    await asyncio.sleep(max(0.0, window.end - time.monotonic()))
    after = {who: now(pid) for who, pid in pids.items()}
    return {who: (after[who][0] - before[who][0], after[who][1] - before[who][1]) for who in pids}


async def download(
    client: httpx.AsyncClient, url: str, size: int, tally: Tally
) -> tuple[bool, float]:
    """Stream a recording to the end; (whole and a success, seconds)."""
    started = time.perf_counter()
    received = 0
    try:
        async with client.stream("GET", url) as response:
            async for chunk in response.aiter_raw(256 * 1024):
                received += len(chunk)
            if response.status_code >= 400:
                tally.failed(str(response.status_code))
                return False, time.perf_counter() - started
    except httpx.RemoteProtocolError:
        tally.truncated += 1
        return False, time.perf_counter() - started
    except httpx.HTTPError as exc:
        tally.failed(type(exc).__name__)
        return False, time.perf_counter() - started
    if received != size:
        tally.truncated += 1
        return False, time.perf_counter() - started
    return True, time.perf_counter() - started


def _family(parent: int) -> list[int]:
    """`parent` and its child processes (Linux /proc)."""
    children = Path(f"/proc/{parent}/task/{parent}/children")
    found = children.read_text().split() if children.exists() else []
    return [parent, *(int(p) for p in found)]


def cpu_seconds(parent: int) -> float:
    """CPU time (user + system) used so far by `parent` and its child processes."""
    total = 0
    for pid in _family(parent):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def waiting_seconds(parent: int) -> float:
    """Time the threads of `parent` and its children have spent runnable, waiting for a core
    (/proc/PID/task/TID/schedstat); threads that have ended are not counted."""
    total = 0
    for pid in _family(parent):
        for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
            try:
                total += int(stat.read_text().split()[1])  # nanoseconds on a run queue
            except (OSError, IndexError, ValueError):
                continue
    return total / 1e9


def rss_of_children(parent: int) -> int:
    """Resident memory (bytes) of `parent` and its child processes, from /proc (Linux)."""
    total = 0
    for pid in _family(parent):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        total += int(found.group(1)) * 1024 if found else 0
    return total
