"""Measure what callviewer adds on top of the providers, as ratios taken in one run.

Starts the provider simulator on 127.0.0.1, imports the demo projects into a throwaway test
database, signs a user in with Django's test client, and times the same work done two ways:
through callviewer's views and straight from the provider client (or the simulator). Ratios,
not seconds, are what carry over from one machine to another; each figure is the median of
--rounds runs.

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
import time
from collections.abc import Callable
from typing import Any

import httpx
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
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


def median_seconds(work: Callable[[], Any], rounds: int) -> float:
    """The median wall time of `work()` over `rounds` runs, after one warm-up run."""
    work()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def checked(response: Any, status: int = 200) -> Any:
    """Read a test-client response whole and make sure it is the expected success."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.status_code != status:
        raise RuntimeError(f"expected {status}, got {response.status_code}: {body[:200]!r}")
    return body


Timing = tuple[float, float]  # (through callviewer, straight from the provider), in seconds


def measure(sandbox: Sandbox, rounds: int, delay: float) -> dict[str, Timing]:
    """Every pair of timings, measured against `sandbox` with the demo projects imported."""
    user = User.objects.create_user("bench")  # no password: signed in with force_login
    user.groups.add(Group.objects.get(name=GROUP))  # the demo projects' group
    agent = Client()
    agent.force_login(user)
    hx = {"HX-Request": "true"}
    project = Project.objects.get(slug=PROJECT)
    provider = project.client()

    def page(url: str, **headers: str) -> Callable[[], Any]:
        status = 206 if "Range" in headers else 200
        return lambda: checked(agent.get(url, headers=hx | headers), status)

    def timed(app: Callable[[], Any], base: Callable[[], Any]) -> Timing:
        return median_seconds(app, rounds), median_seconds(base, rounds)

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
    singles = [median_seconds(page(f"/calls/?project={slug}"), rounds) for slug in SEARCHED]
    together = median_seconds(page("/calls/?project=all"), rounds)
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
