"""Measure what callviewer adds on top of the providers, as ratios and milliseconds, in one run.

Starts the provider simulator on 127.0.0.1, imports the demo projects into a throwaway test
database, serves callviewer over HTTP from a thread (Django's threaded WSGI server), signs a
user in, and times the same work done two ways: through callviewer's pages, until their last
byte, and straight from the provider client (or the simulator). Ratios,
not seconds, are what carry over from one machine to another; each figure is the median of
--rounds runs, the two sides taken in turns.

    python manage.py benchmark              # DEBUG=true when no SECRET_KEY is set
    python manage.py benchmark --rounds 3 --delay 0.1

What it prints, and the targets this team set for the ratios:
  search page / provider search      the page's own cost around one provider search   <= 1.5
  call page / provider get_call      the same for the call page (call + recordings)   <= 1.5
  all projects / slowest project     "All my projects" asks in parallel, so close to  <= 1.5
                                     the slowest single project, far below the sum
  all projects / sum of projects     the same, against asking one after another      <= 0.67
  recording play / call + media      a first play: the proxy asks about the call,     <= 1.5
                                     then streams the media
  recording seek / direct range      a seek: the call's recordings are remembered,    <= 1.5
                                     so only the range is asked for

Every provider answer comes --delay seconds late, as from a provider across a network; the
ms figures after each ratio are the two medians.

Then, in the same run, with no delay at all, what a page costs on top of the provider's own
answer, in milliseconds (the targets of issue 8, "Less work per page"):
  call page - provider get_call      the call page of a call already seen              <= 10 ms
  search page - provider search      a search of one project                          <= 15 ms

Run it on the embedded defaults: it makes and drops a test database on DATABASE_URL.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.handlers.wsgi import WSGIHandler
from django.core.management.base import BaseCommand, CommandParser
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.signals import request_finished
from django.db import connection, connections
from django.test import Client
from django.test.utils import setup_test_environment, teardown_test_environment

from callviewer.calls import recordings
from callviewer.projects.models import Project
from callviewer.projects.provisioning import import_text
from callviewer.providers import http
from callviewer.providers.types import SearchQuery
from callviewer.sandbox import server
from callviewer.sandbox.core import Sandbox
from callviewer.sandbox.management.commands.demo_setup import GROUP, demo_projects
from callviewer.sandbox.talkstack_data import EXAMPLE_SID

PROJECT = "acme-support"  # TalkStack, holds EXAMPLE_SID and its recording
SEARCHED = ("acme-support", "globex-sales", "initech-helpdesk")  # Sinch has no history to search

TARGETS = {
    "search page / provider search": 1.5,
    "call page / provider get_call": 1.5,
    "all projects / slowest project": 1.5,
    "all projects / sum of projects": 0.67,
    "recording play / call + media": 1.5,
    "recording seek / direct range": 1.5,
}
# Milliseconds a page may add to the provider's own answer when the provider answers at once.
MARGINS = {
    "call page - provider get_call": 10.0,
    "search page - provider search": 15.0,
}


def seconds(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def median_seconds(
    work: Callable[[], Any], rounds: int, settle: Callable[[], None] = lambda: None
) -> float:
    """The median wall time of `work()` over `rounds` runs, after one warm-up run.

    `settle()` runs after each, untimed: what the server still does once the answer is sent.
    """
    return median_pair(work, lambda: None, rounds, settle)[0]


def median_pair(
    app: Callable[[], Any],
    base: Callable[[], Any],
    rounds: int,
    settle: Callable[[], None] = lambda: None,
) -> tuple[float, float]:
    """The median times of `app()` and `base()`, run in turns (after one warm-up each), so
    that both meet the same machine: on shared cores, a busy spell then slows both."""
    app()
    settle()
    base()
    apps, bases = [], []
    for _ in range(rounds):
        apps.append(seconds(app))
        settle()
        bases.append(seconds(base))
    return statistics.median(apps), statistics.median(bases)


class Served:
    """callviewer served over HTTP from a thread, as an agent's browser reaches it.

    What is timed is what the agent waits for: until the answer's last byte. The work the
    server does after it (after_response.py) is not the agent's wait, but it must not run
    into the next round either: settle() waits for each request to end.
    """

    def __init__(self) -> None:
        # An in-memory SQLite database lives in its one connection: the server's threads
        # share it, as Django's live server does (one request at a time, here).
        self.shared = {
            c.alias: c
            for c in connections.all()
            if c.vendor == "sqlite" and c.is_in_memory_db()  # type: ignore[attr-defined]
        }
        for shared in self.shared.values():
            shared.inc_thread_sharing()
        self.httpd = ThreadedWSGIServer(("127.0.0.1", 0), _Quiet, connections_override=self.shared)
        self.httpd.set_app(WSGIHandler())
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.ended = threading.Event()
        request_finished.connect(self._ended, weak=False)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def _ended(self, **kwargs: Any) -> None:
        self.ended.set()

    def get(self, agent: httpx.Client, url: str, headers: dict[str, str]) -> httpx.Response:
        self.ended.clear()
        with agent.stream("GET", url, headers=headers) as response:
            response.read()
        return response

    def settle(self) -> None:
        if not self.ended.wait(timeout=30):
            raise RuntimeError("a request did not end within 30 s")

    def stop(self) -> None:
        request_finished.disconnect(self._ended)
        self.httpd.shutdown()
        self.httpd.server_close()
        for shared in self.shared.values():
            shared.dec_thread_sharing()


class _Quiet(WSGIRequestHandler):
    # Headers and body go out in separate writes: with Nagle's algorithm each answer would
    # wait for the agent's delayed acknowledgement (40 ms on Linux). Servers switch it off.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass


def checked(response: httpx.Response, status: int = 200) -> bytes:
    """A response read whole, made sure to be the expected success."""
    if response.status_code != status:
        raise RuntimeError(
            f"expected {status}, got {response.status_code}: {response.content[:200]!r}"
        )
    return response.content


Timing = tuple[float, float]  # (through callviewer, straight from the provider), in seconds


def measure(sandbox: Sandbox, rounds: int, delay: float) -> dict[str, Timing]:
    """Every pair of timings, measured against `sandbox` with the demo projects imported."""
    served = Served()
    try:
        with httpx.Client(base_url=served.url, cookies=_signed_in(), timeout=30) as agent:
            return _measure(sandbox, rounds, delay, served, agent)
    finally:
        served.stop()


def _signed_in() -> dict[str, str]:
    """The session cookie of a new agent in the demo projects' group."""
    user = User.objects.create_user("bench")  # no password: signed in with force_login
    user.groups.add(Group.objects.get(name=GROUP))
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return {name: client.cookies[name].value}


def _measure(
    sandbox: Sandbox, rounds: int, delay: float, served: Served, agent: httpx.Client
) -> dict[str, Timing]:
    hx = {"HX-Request": "true"}
    project = Project.objects.get(slug=PROJECT)
    provider = project.client()

    def page(url: str, **headers: str) -> Callable[[], Any]:
        status = 206 if "Range" in headers else 200
        return lambda: checked(served.get(agent, url, hx | headers), status)

    def timed(app: Callable[[], Any], base: Callable[[], Any]) -> Timing:
        return median_pair(app, base, rounds, served.settle)

    def call_direct() -> None:
        provider.list_recordings(provider.get_call(EXAMPLE_SID))

    search_page = page(f"/calls/?project={PROJECT}")
    call_page = page(f"/calls/{EXAMPLE_SID}/?project={PROJECT}")
    sandbox.faults.delay = 0.0  # the pages' own cost, with providers that answer at once
    found: dict[str, Timing] = {
        "call page - provider get_call": timed(call_page, call_direct),
        "search page - provider search": timed(search_page, lambda: provider.search(SearchQuery())),
    }
    sandbox.faults.delay = delay  # every provider answer takes this long, as over a network
    found["search page / provider search"] = timed(
        search_page, lambda: provider.search(SearchQuery())
    )
    found["call page / provider get_call"] = timed(call_page, call_direct)
    singles = [
        median_seconds(page(f"/calls/?project={slug}"), rounds, served.settle) for slug in SEARCHED
    ]
    together = median_seconds(page("/calls/?project=all"), rounds, served.settle)
    found["all projects / slowest project"] = (together, max(singles))
    found["all projects / sum of projects"] = (together, sum(singles))

    recording = f"/calls/{EXAMPLE_SID}/recordings/1/?project={PROJECT}"
    media_url = provider.get_call(EXAMPLE_SID).recordings[0].url  # type: ignore[index]
    # The direct side keeps its connection open between rounds, as the proxy's pooled client does.
    with httpx.Client(auth=httpx.BasicAuth(*_twilio_credentials()), timeout=10) as direct:

        def media(**headers: str) -> None:
            with direct.stream("GET", media_url, headers=headers) as response:
                response.raise_for_status()
                for _ in response.iter_raw(64 * 1024):
                    pass

        def first_play() -> None:
            recordings.forget(project, EXAMPLE_SID)
            page(recording)()

        def call_and_media() -> None:
            provider.get_call(EXAMPLE_SID)
            media()

        found["recording play / call + media"] = timed(first_play, call_and_media)
        seek = {"Range": "bytes=100000-"}
        found["recording seek / direct range"] = timed(
            page(recording, **seek), lambda: media(**seek)
        )
    return found


def _twilio_credentials() -> tuple[str, str]:
    secrets = Project.objects.get(slug=PROJECT).get_secrets()
    return secrets["twilio_account_sid"], secrets["twilio_auth_token"]


class Command(BaseCommand):
    help = "Time callviewer against the provider simulator and print ratios (see the module)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rounds", type=int, default=9, help="runs per figure (median)")
        parser.add_argument(
            "--delay",
            type=float,
            default=0.15,
            help="seconds the simulator waits before each answer, as a provider far away does",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rounds = max(1, options["rounds"])
        sandbox = server.start()
        setup_test_environment()
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            Group.objects.create(name=GROUP)
            import_text(json.dumps(demo_projects(sandbox.url)))
            timings = measure(sandbox, rounds, options["delay"])
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()
            http.close_all()
            sandbox.stop()
        self.stdout.write(
            f"callviewer benchmark: median of {rounds} rounds, "
            f"simulator delay {options['delay']:.2f} s per answer"
        )
        for name in [*TARGETS, *MARGINS]:
            self.stdout.write(line(name, *timings[name]))


def line(name: str, app: float, base: float) -> str:
    """One printed figure: a ratio (TARGETS) or a difference in milliseconds (MARGINS)."""
    if name in MARGINS:
        figure, target = (app - base) * 1000, MARGINS[name]
        shown, limit = f"{figure:+5.1f} ms", f"{target:.0f} ms"
        medians = f"({app * 1000:.1f} ms / {base * 1000:.1f} ms, no delay)"
    else:
        figure, target = app / base, TARGETS[name]
        shown, limit = f"{figure:5.2f}   ", f"{target}"
        medians = f"({app * 1000:.0f} ms / {base * 1000:.0f} ms)"
    verdict = "ok" if figure <= target else "OVER TARGET"
    return f"  {name:<33} {shown}  target <= {limit:<5}  {verdict:<11}  {medians}"
