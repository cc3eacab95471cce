"""Load the deployment as many agents would, and print the figures beside the ideal and targets.

    ./scripts/load                                   # 64 agents, providers 3 s late, 45 s
    ./scripts/load --agents 32 --delay 0.5 --seconds 60
    ./scripts/load --recordings 16                   # 16 simultaneous 100 MB recordings at 2 MB/s

It starts the provider simulator as a process of its own (`manage.py sandbox --delay L`),
makes a throwaway PostgreSQL database beside DATABASE_URL's (named `<name>_load`, dropped
after), migrates it, imports the demo projects and N agents, and runs `gunicorn
callviewer.wsgi` with the committed gunicorn.conf.py (WEB_CONCURRENCY, GUNICORN_THREADS and
the rest from the environment, as in production) on it and on CACHE_URL's Redis (cleared
first). Every agent signs in through the real sign-in form, then the load runs
(callviewer/sandbox/loadtest.py says what each mode does and measures).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import runpy
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from callviewer.projects.provisioning import import_text
from callviewer.sandbox import deployment, loadtest
from callviewer.sandbox.management.commands.demo_setup import GROUP, demo_projects
from callviewer.sandbox.talkstack_data import EXAMPLE_SID

PASSWORD = "load-test-agent-password"  # throwaway accounts in a throwaway database
SIGN_INS_AT_ONCE = 4  # each costs the server a password hash: a few at a time
REQUEST_TIMEOUT = 60.0
IDLE_SECONDS = 10.0  # /healthz timed before the load, for comparison


class Command(BaseCommand):
    help = "Load the deployment (gunicorn.conf.py, PostgreSQL, Redis) as N agents; see the module."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agents", type=int, default=64, help="agents signed in (N)")
        parser.add_argument(
            "--delay", type=float, default=3.0, help="seconds every provider answer takes (L)"
        )
        parser.add_argument("--seconds", type=float, default=45.0, help="length of the run")
        parser.add_argument(
            "--recordings",
            type=int,
            default=0,
            help="instead: this many simultaneous recording downloads, while --agents load pages",
        )
        parser.add_argument("--media-size", type=int, default=100_000_000, help="bytes")
        parser.add_argument(
            "--media-rate", type=int, default=2_000_000, help="bytes a second from the provider"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base_url = os.environ.get("DATABASE_URL", "")
        if (
            connection.vendor != "postgresql"
            or "redis" not in settings.CACHES["default"]["BACKEND"]
        ):
            raise CommandError(
                "loadtest measures the deployment: set DATABASE_URL to PostgreSQL and CACHE_URL "
                "to Redis (./scripts/load does)."
            )
        recordings = options["recordings"]
        simulator = ["sandbox", "--delay", str(options["delay"])]
        if recordings:
            simulator += _media_flags(options["media_size"], options["media_rate"])
        name = f"{deployment.database_name(base_url)}_load"
        cache.clear()
        with _deployment(base_url, name, simulator, options, self.stderr) as running:
            if recordings:
                lines = self._recordings(running, options)
            else:
                lines = self._pages(running, base_url, name, options)
        self.stdout.write("\n".join(lines))

    def _pages(
        self, running: Running, base_url: str, name: str, options: dict[str, Any]
    ) -> list[str]:
        seconds, agents = options["seconds"], options["agents"]
        self.stderr.write(f"Signing {agents} agents in, then {seconds:g} s of load…")
        latency = options["delay"]
        idle, tally, connections, cpu = asyncio.run(
            _page_load(running, base_url, name, latency, seconds)
        )
        figures = loadtest.PageFigures(
            agents=agents,
            latency=latency,
            seconds=seconds,
            requests=tally.in_time,
            page_p50=loadtest.percentile(tally.pages, 0.5),
            page_p95=loadtest.percentile(tally.pages, 0.95),
            healthz_p50=loadtest.percentile(tally.healthz, 0.5),
            healthz_p95=loadtest.percentile(tally.healthz, 0.95),
            errors=dict(tally.errors),
            truncated=tally.truncated,
            max_connections=max(connections, default=0),
            serving=_serving(),
            by_page={k: loadtest.percentile(v, 0.5) for k, v in tally.by_page.items()},
            cpu=cpu,
            load_average=os.getloadavg()[0],
            healthz_idle_p95=loadtest.percentile(idle.healthz, 0.95),
        )
        return loadtest.page_report(figures)

    def _recordings(self, running: Running, options: dict[str, Any]) -> list[str]:
        count, size, rate = options["recordings"], options["media_size"], options["media_rate"]
        self.stderr.write(f"Signing agents in, then {count} downloads of {size} bytes…")
        figures = asyncio.run(_recording_load(running, count, size, rate, options["agents"]))
        return loadtest.recording_report(figures)


@dataclass
class Running:
    app_url: str
    users: list[str]
    pids: dict[str, int]  # "app" (gunicorn's master), "simulator", "load generator"


@contextmanager
def _deployment(
    base_url: str, name: str, simulator: list[str], options: dict[str, Any], stderr: Any
) -> Iterator[Running]:
    """The simulator and gunicorn on throwaway database `name`, with the demo projects and
    the agents; every process ended (by PID) and the database dropped after."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        Path(tmp, "processes.log").open("w+") as log,
        deployment.throwaway_database(base_url, name) as database_url,
    ):
        env = _deployment_env(database_url)
        processes: list[subprocess.Popen[str]] = []
        try:
            sim_port = deployment.free_port()
            sim_url = f"http://127.0.0.1:{sim_port}"
            command = [sys.executable, "manage.py", *simulator, "--port", str(sim_port)]
            processes.append(deployment.start(command, env, log))
            deployment.manage(env, "migrate", "--noinput")
            deployment.manage(env, "collectstatic", "--noinput")
            with _on_database(name):
                users = _populate(sim_url, options["agents"] + options["recordings"])
            deployment.wait_until_answering(f"{sim_url}/", processes, 60, each=options["delay"] + 5)
            app_port = deployment.free_port()
            processes.append(deployment.gunicorn(env, app_port, log))
            app_url = f"http://127.0.0.1:{app_port}"
            deployment.wait_until_answering(f"{app_url}/healthz", processes, 60)
            pids = {"app": processes[1].pid, "simulator": processes[0].pid}
            yield Running(app_url, users, pids | {"load generator": os.getpid()})
        except Exception:
            log.seek(0)
            stderr.write("The processes' last output:\n" + "".join(log.readlines()[-40:]))
            raise
        finally:
            deployment.stop(processes)


def _media_flags(size: int, rate: int) -> list[str]:
    """The simulator's flags for a long, slow recording; a clear error where it has none."""
    usage = deployment.manage(os.environ, "sandbox", "--help", timeout=60)
    if "--media-size" not in usage or "--media-rate" not in usage:
        raise CommandError(
            "The recordings mode needs `manage.py sandbox --media-size BYTES --media-rate "
            "BYTES_PER_SECOND`, which this simulator does not have yet."
        )
    return ["--media-size", str(size), "--media-rate", str(rate)]


def _deployment_env(database_url: str) -> dict[str, str]:
    """The app's environment: production settings (DEBUG off) on the throwaway database.

    Cookies are not marked Secure: the load runs over plain HTTP on 127.0.0.1.
    """
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "callviewer.settings",
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "CREDENTIAL_KEYS": ",".join(settings.CREDENTIAL_KEYS),
        "DATABASE_URL": database_url,
        "SECURE_COOKIES": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
    }


def _serving() -> str:
    conf = runpy.run_path(str(deployment.BASE_DIR / "gunicorn.conf.py"))
    return f"{conf['workers']} processes x {conf['threads']} threads"


@contextmanager
def _on_database(name: str) -> Iterator[None]:
    """This process's connection on database `name` for a while (its pool closed around it)."""
    old = connection.settings_dict["NAME"]
    _close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        _close()
        connection.settings_dict["NAME"] = old


def _close() -> None:
    connection.close()
    if hasattr(connection, "close_pool"):
        connection.close_pool()


def _populate(sim_url: str, count: int) -> list[str]:
    """The demo projects, on the simulator, and `count` agents of their group; their names."""
    group, _ = Group.objects.get_or_create(name=GROUP)
    import_text(json.dumps(demo_projects(sim_url)))
    hashed = make_password(PASSWORD)  # one hash for all: making 64 would take a minute
    names = [f"agent{n:03}" for n in range(1, count + 1)]
    User.objects.bulk_create([User(username=n, password=hashed) for n in names])
    group.user_set.add(*User.objects.filter(username__in=names))
    return names


async def _signed_in(app_url: str, users: list[str]) -> list[loadtest.Agent]:
    agents = [loadtest.Agent(app_url, name, REQUEST_TIMEOUT) for name in users]
    gate = asyncio.Semaphore(SIGN_INS_AT_ONCE)

    async def sign_in(agent: loadtest.Agent) -> None:
        async with gate:
            await agent.sign_in(PASSWORD)

    await asyncio.gather(*(sign_in(a) for a in agents))
    return agents


def _connection_counter(base_url: str, name: str) -> Any:
    """An async reader of how many connections database `name` has (pg_stat_activity)."""
    maintenance = deployment.database_url(base_url, "postgres").replace(
        "postgres://", "postgresql://", 1
    )

    async def read() -> int:
        async with await psycopg.AsyncConnection.connect(maintenance, autocommit=True) as db:
            cursor = await db.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,)
            )
            row = await cursor.fetchone()
            return int(row[0]) if row else 0

    return read


async def _page_load(
    running: Running, base_url: str, name: str, latency: float, seconds: float
) -> tuple[loadtest.Tally, loadtest.Tally, list[int], dict[str, tuple[float, float]]]:
    """Every agent browses; they start within one provider latency of each other, and the
    window measured opens once all have."""
    app_url, pids = running.app_url, running.pids
    idle = loadtest.Tally()  # /healthz with no agent: what this machine allows right now
    await loadtest.probe(app_url, loadtest.Window.after(0, IDLE_SECONDS), idle, every=0.1)
    agents = await _signed_in(app_url, running.users)
    tally, connections = loadtest.Tally(), list[int]()
    window = loadtest.Window.after(latency, seconds)
    try:
        cpu = asyncio.ensure_future(loadtest.cpu_used(pids, window))
        await asyncio.gather(
            *(
                loadtest.browse(a, window, tally, random.Random(n), ramp=latency)
                for n, a in enumerate(agents)
            ),
            loadtest.probe(app_url, window, tally, every=0.25),
            loadtest.sample(_connection_counter(base_url, name), window, 1.0, connections),
        )
        return idle, tally, connections, await cpu
    finally:
        await asyncio.gather(*(a.close() for a in agents))


async def _recording_load(
    running: Running,
    count: int,
    size: int,
    rate: int,
    browsers: int,
) -> loadtest.RecordingFigures:
    app_url = running.app_url
    agents = await _signed_in(app_url, running.users)
    unloaded, loaded = loadtest.Tally(), loadtest.Tally()
    browsing = agents[:browsers]

    async def rss() -> int:
        return loadtest.rss_of_children(running.pids["app"])

    try:
        # Pages alone first: their unloaded time.
        window = loadtest.Window.after(0, 15)
        await asyncio.gather(
            *(
                loadtest.browse(a, window, unloaded, random.Random(n))
                for n, a in enumerate(browsing)
            ),
        )
        rss_before = await rss()
        url = f"/calls/{EXAMPLE_SID}/recordings/1/?project={loadtest.PROJECT}"
        bound = time.monotonic() + 3 * size / rate + 60
        downloaders = agents[browsers : browsers + count]
        downloads = asyncio.gather(
            *(loadtest.download(a.client, url, size, loaded) for a in downloaders)
        )
        memory: list[int] = []
        probe_task = asyncio.ensure_future(
            _while_running(app_url, downloads, browsing, loaded, memory, rss)
        )
        results = await asyncio.wait_for(downloads, max(1.0, bound - time.monotonic()))
        await probe_task
    finally:
        await asyncio.gather(*(a.close() for a in agents))
    return loadtest.RecordingFigures(
        downloads=count,
        size=size,
        rate=rate,
        complete=sum(1 for whole, _ in results if whole),
        slowest=max((seconds for _, seconds in results), default=0.0),
        rss_before=rss_before,
        rss_peak=max(memory, default=rss_before),
        pages_unloaded_p50=loadtest.percentile(unloaded.pages, 0.5),
        pages_loaded_p50=loadtest.percentile(loaded.pages, 0.5),
        pages_loaded_p95=loadtest.percentile(loaded.pages, 0.95),
        healthz_p95=loadtest.percentile(loaded.healthz, 0.95),
        errors=dict(loaded.errors),
        truncated=loaded.truncated,
        load_average=os.getloadavg()[0],
    )


async def _while_running(
    app_url: str,
    downloads: asyncio.Future[Any],
    browsing: list[loadtest.Agent],
    tally: loadtest.Tally,
    memory: list[int],
    rss: Any,
) -> None:
    """Pages, /healthz and memory samples for as long as the downloads run."""
    rng = random.Random(1)
    while not downloads.done():
        window = loadtest.Window.after(0, 5)
        await asyncio.gather(
            *(loadtest.browse(a, window, tally, rng) for a in browsing),
            loadtest.probe(app_url, window, tally, every=0.25),
            loadtest.sample(rss, window, 0.5, memory),
        )
