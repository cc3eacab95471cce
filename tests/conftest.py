"""Shared fixtures: named users, the provider simulator, projects pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import close_old_connections
from django.http.response import HttpResponseBase
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from callviewer.providers import http
from callviewer.sandbox.core import Sandbox
from callviewer.sandbox.server import start

# Property tests must not fail because the machine is busy: Hypothesis's per-example
# deadline (200 ms) and its "too slow" health check both time the machine, not the code.
hypothesis_settings.register_profile(
    "callviewer", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("callviewer")


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache (a Redis one outlives the test database)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fresh_http_clients() -> Iterator[None]:
    """Each test starts with no pooled provider client.

    A client keeps the timeouts it was made with, so one made while a test had set
    PROVIDER_READ_TIMEOUT = 0.2 would otherwise time out whichever test runs next.
    """
    http.close_all()
    yield
    http.close_all()


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[Sandbox]:
    server = start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server: Sandbox) -> Iterator[Sandbox]:
    """The simulator, with faults and the request log cleared for each test.

    Its clock is frozen: live calls move only when the test sets `clock_offset`, never
    because a busy machine took a few seconds to get there.
    """
    sandbox_server.reset(freeze=True)
    yield sandbox_server
    sandbox_server.reset(freeze=False)


@pytest.fixture
def alice(db: None) -> User:
    """A support agent."""
    return User.objects.create_user("alice", "alice@example.com", "alice-password-1")


@pytest.fixture
def bob(db: None) -> User:
    """Another agent, member of other projects."""
    return User.objects.create_user("bob", "bob@example.com", "bob-password-1")


@pytest.fixture
def admin_user(db: None) -> User:
    return User.objects.create_superuser("root", "root@example.com", "root-password-1")


@pytest.fixture
def support_group(db: None) -> Group:
    return Group.objects.create(name="Support")


@pytest.fixture
def make_project(db: None, sandbox: Sandbox):  # type: ignore[no-untyped-def]
    """Create a Project pointed at the simulator: make_project("talkstack", members=[alice]).

    It takes the `sandbox` fixture so a test with projects always starts on a reset, frozen
    simulator, never on the faults, clock or request log another test left behind.
    """
    from callviewer.projects.models import Project
    from callviewer.sandbox import accounts

    def make(provider: str, slug: str = "", *, members=(), groups=(), settings=None, secrets=None):  # type: ignore[no-untyped-def]
        url = sandbox.url
        if provider == "talkstack":
            ((pid, key),) = list(accounts.TALKSTACK_PROJECTS.items())[:1]
            ((ac, token),) = accounts.TWILIO_ACCOUNTS.items()
            base = {"project_id": pid, "base_url": url, "twilio_base_url": url}
            secret = {"api_key": key, "twilio_account_sid": ac, "twilio_auth_token": token}
        elif provider == "signalwire":
            ((pid, token),) = accounts.SIGNALWIRE_PROJECTS.items()
            base, secret = {"project_id": pid, "base_url": url}, {"api_token": token}
        else:
            ((key, app_secret),) = accounts.SINCH_APPLICATIONS.items()
            base, secret = (
                {"application_key": key, "base_url": url},
                {"application_secret": app_secret},
            )
        slug = slug or f"{provider}-demo"
        project = Project(name=slug.replace("-", " ").title(), slug=slug, provider=provider)
        project.settings = base | (settings or {})
        project.set_secrets(secret | (secrets or {}), by="tests")
        project.save()
        project.members.set(members)
        project.groups.set(groups)
        return project

    return make


@pytest.fixture
def send() -> Callable[[HttpResponseBase], None]:
    """send(response): close it as a server does once it is sent, as the test client does,
    keeping the test's database connection (the test's transaction) open."""

    def close(response: HttpResponseBase) -> None:
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)

    return close
