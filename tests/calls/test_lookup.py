"""Resolving a call SID to the agent's project: pinned, from the calls seen, or by asking."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.auth.models import User

from callviewer.calls import lookup
from callviewer.calls.models import SeenCall
from callviewer.projects.models import Project
from callviewer.providers.types import CredentialsRefused, ProviderUnavailable
from callviewer.sandbox import talkstack_data
from callviewer.sandbox.core import Sandbox
from callviewer.sandbox.talkstack_data import EXAMPLE_SID

pytestmark = pytest.mark.django_db

GLOBEX = {"project_id": "ts-proj-globex-0002"}
GLOBEX_KEY = {"api_key": "6b" * 32}
UNKNOWN_SID = "CA" + "0" * 32
MakeProject = Any  # the make_project fixture of tests/conftest.py


@pytest.fixture
def acme(make_project: MakeProject, alice: User) -> Project:
    return make_project("talkstack", "acme", members=[alice])


@pytest.fixture
def globex(make_project: MakeProject, alice: User) -> Project:
    return make_project("talkstack", "globex", members=[alice], settings=GLOBEX, secrets=GLOBEX_KEY)


def globex_sid(sandbox: Sandbox) -> str:
    return talkstack_data.dataset(sandbox).history["ts-proj-globex-0002"][0].sid


def call_lookups(sandbox: Sandbox) -> list[str]:
    """The projectId of every POST /call the simulator received."""
    return [r.body.decode() for r in sandbox.requests if r.path == "/call"]


def test_a_pinned_project_is_the_only_one_asked(sandbox, alice, acme, globex) -> None:
    resolution = lookup.resolve(alice, EXAMPLE_SID, "acme")
    assert resolution.single is not None
    assert resolution.single.project == acme
    assert resolution.single.call.sid == EXAMPLE_SID
    assert len(call_lookups(sandbox)) == 1


def test_a_pinned_project_that_does_not_hold_the_call_finds_nothing(
    sandbox, alice, acme, globex
) -> None:
    resolution = lookup.resolve(alice, EXAMPLE_SID, "globex")
    assert resolution.found == [] and resolution.failures == []
    assert resolution.pinned == globex


def test_a_pinned_project_of_someone_else_finds_nothing_and_asks_nobody(
    sandbox, alice, bob, make_project
) -> None:
    make_project("talkstack", "bobs", members=[bob])
    resolution = lookup.resolve(alice, EXAMPLE_SID, "bobs")
    assert resolution.found == [] and resolution.pinned is None
    assert call_lookups(sandbox) == []


def test_the_calls_seen_are_asked_first(sandbox, alice, acme, globex) -> None:
    sid = globex_sid(sandbox)
    SeenCall.objects.create(project=globex, sid=sid)
    resolution = lookup.resolve(alice, sid)
    assert resolution.single is not None and resolution.single.project == globex
    asked = call_lookups(sandbox)
    assert len(asked) == 1 and "ts-proj-globex-0002" in asked[0]


def test_a_call_seen_before_costs_one_query_the_projects_with_the_calls_seen(
    sandbox, alice, acme, globex, django_assert_num_queries
) -> None:
    sid = globex_sid(sandbox)
    lookup.resolve(alice, sid)  # seen now
    with django_assert_num_queries(1):
        resolution = lookup.resolve(alice, sid)
    assert resolution.single is not None and resolution.single.project == globex
    assert resolution.project_count == 2


def test_a_stale_seen_call_falls_back_to_asking_the_other_projects(
    sandbox, alice, acme, globex
) -> None:
    SeenCall.objects.create(project=globex, sid=EXAMPLE_SID)  # wrong: it is acme's
    resolution = lookup.resolve(alice, EXAMPLE_SID)
    assert resolution.single is not None and resolution.single.project == acme
    assert len(call_lookups(sandbox)) == 2


def test_unseen_calls_are_looked_up_in_every_project_that_fits_and_remembered(
    sandbox, alice, acme, globex, make_project
) -> None:
    make_project("sinch", members=[alice])  # Sinch IDs never start with "CA": not asked
    resolution = lookup.resolve(alice, EXAMPLE_SID)
    assert resolution.single is not None and resolution.single.project == acme
    assert len(call_lookups(sandbox)) == 2
    assert sandbox.requests_to("/calling/") == []
    seen = SeenCall.objects.get(sid=EXAMPLE_SID)
    assert (seen.project, seen.status, seen.to_number) == (acme, "completed", "+12068091239")


def test_projects_are_asked_in_parallel(
    sandbox, alice, acme, globex, make_project, monkeypatch
) -> None:
    from callviewer.providers.talkstack import TalkStack

    make_project("talkstack", "acme-2", members=[alice])
    make_project("talkstack", "acme-3", members=[alice])
    # Each lookup waits until all four are under way. Asked one after the other, the first
    # would wait alone until the barrier breaks: no duration measured, so a busy machine
    # cannot fail it, and the timeout is only ever reached by a sequential lookup.
    together = threading.Barrier(4, timeout=30)
    get_call = TalkStack.get_call

    def get_call_with_the_others(self: TalkStack, sid: str) -> Any:
        together.wait()
        return get_call(self, sid)

    monkeypatch.setattr(TalkStack, "get_call", get_call_with_the_others)
    resolution = lookup.resolve(alice, UNKNOWN_SID)
    assert not together.broken, "the four projects were not asked at the same time"
    assert len(call_lookups(sandbox)) == 4
    assert resolution.found == [] and resolution.failures == []


def test_a_call_in_several_projects_is_offered_in_each(sandbox, alice, acme, make_project) -> None:
    twin = make_project("talkstack", "acme-twin", members=[alice])  # same provider account
    resolution = lookup.resolve(alice, EXAMPLE_SID)
    assert resolution.single is None
    assert {f.project for f in resolution.found} == {acme, twin}


def test_nothing_found_counts_the_agents_projects(
    sandbox, alice, acme, globex, make_project
) -> None:
    make_project("sinch", members=[alice])
    resolution = lookup.resolve(alice, UNKNOWN_SID)
    assert resolution.found == [] and resolution.failures == []
    assert resolution.project_count == 3


def test_a_sid_no_provider_issues_asks_nobody(sandbox, alice, acme, globex) -> None:
    resolution = lookup.resolve(alice, "not-a-call-id")
    assert resolution.found == [] and resolution.failures == []
    assert call_lookups(sandbox) == []


def test_failing_projects_are_reported_when_the_call_is_not_found(
    sandbox, alice, acme, make_project
) -> None:
    broken = make_project("talkstack", "broken", members=[alice], secrets={"api_key": "f" * 64})
    resolution = lookup.resolve(alice, UNKNOWN_SID)
    assert resolution.found == []
    [failure] = resolution.failures
    assert failure.project == broken
    assert isinstance(failure.error, CredentialsRefused)


def test_a_failing_project_does_not_hide_the_call_found_elsewhere(
    sandbox, alice, acme, make_project
) -> None:
    make_project("talkstack", "broken", members=[alice], secrets={"api_key": "f" * 64})
    resolution = lookup.resolve(alice, EXAMPLE_SID)
    assert resolution.single is not None and resolution.single.project == acme


def test_a_provider_down_is_a_failure_not_a_miss(sandbox, alice, acme) -> None:
    sandbox.faults.down = True
    resolution = lookup.resolve(alice, EXAMPLE_SID)
    assert resolution.found == []
    assert isinstance(resolution.failures[0].error, ProviderUnavailable)


def test_a_bug_in_one_provider_module_becomes_a_failure(sandbox, alice, acme, monkeypatch) -> None:
    from callviewer.providers.talkstack import TalkStack

    def broken(self: TalkStack, sid: str) -> None:
        raise KeyError("oops")

    monkeypatch.setattr(TalkStack, "get_call", broken)
    resolution = lookup.resolve(alice, EXAMPLE_SID)
    assert resolution.failures[0].error.kind == "unexpected"
    assert "TalkStack AI" in resolution.failures[0].error.message


def test_members_of_a_projects_group_find_its_calls(
    sandbox, bob, support_group, make_project
) -> None:
    bob.groups.add(support_group)
    project = make_project("talkstack", groups=[support_group])
    resolution = lookup.resolve(bob, EXAMPLE_SID)
    assert resolution.single is not None and resolution.single.project == project


def test_someone_without_the_project_finds_nothing(sandbox, alice, bob, acme) -> None:
    resolution = lookup.resolve(bob, EXAMPLE_SID)
    assert resolution.found == [] and resolution.project_count == 0
    assert call_lookups(sandbox) == []
