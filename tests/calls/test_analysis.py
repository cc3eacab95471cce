"""The analysis logic: claims that make a call be analysed once, kept answers, the ask limits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.utils import timezone

from callviewer.calls import analysis
from callviewer.calls.models import CallAnalysis
from callviewer.projects.models import Project
from callviewer.providers.types import Analysis, Answer, Question

pytestmark = pytest.mark.django_db

SID = "CA" + "1" * 32
QUESTIONS = [Question("Why?", "Text"), Question("Reason", "Selector", ("a", "b"))]
STANDARD = analysis.Kind.STANDARD


@pytest.fixture
def project(make_project: Any, alice: User) -> Project:
    made: Project = make_project("talkstack", members=[alice])
    return made


def test_only_the_first_claim_asks(project: Project, alice: User, bob: User) -> None:
    first, mine = analysis.claim(project, SID, STANDARD, QUESTIONS, alice)
    second, also_mine = analysis.claim(project, SID, STANDARD, QUESTIONS, bob)
    assert mine and not also_mine
    assert first.pk == second.pk
    assert (second.asked_by_name, second.answered) == ("alice", False)


def test_other_questions_or_another_kind_are_another_claim(project: Project, alice: User) -> None:
    analysis.claim(project, SID, STANDARD, QUESTIONS, alice)
    assert analysis.claim(project, SID, STANDARD, QUESTIONS[:1], alice)[1]
    assert analysis.claim(project, SID, analysis.Kind.ASKED, QUESTIONS, alice)[1]
    assert CallAnalysis.objects.count() == 3


def test_a_claim_whose_asker_never_finished_is_taken_over(
    project: Project, alice: User, bob: User
) -> None:
    row, _ = analysis.claim(project, SID, STANDARD, QUESTIONS, alice)
    old = timezone.now() - analysis.STALE_CLAIM - dt.timedelta(seconds=1)
    CallAnalysis.objects.filter(pk=row.pk).update(asked_at=old)
    taken, mine = analysis.claim(project, SID, STANDARD, QUESTIONS, bob)
    assert mine and taken.pk == row.pk and taken.asked_by_name == "bob"
    assert not analysis.claim(project, SID, STANDARD, QUESTIONS, alice)[1]


def test_an_answered_analysis_is_never_taken_over(project: Project, alice: User) -> None:
    row, _ = analysis.claim(project, SID, STANDARD, QUESTIONS, alice)
    old = timezone.now() - 2 * analysis.STALE_CLAIM
    CallAnalysis.objects.filter(pk=row.pk).update(answered=True, asked_at=old)
    assert not analysis.claim(project, SID, STANDARD, QUESTIONS, alice)[1]


def test_what_is_kept_comes_back_as_it_was() -> None:
    kept = Analysis(
        answers=(Answer(QUESTIONS[0], "because"), Answer(QUESTIONS[1], None)),
        summary="s",
        sentiment="neutral",
    )
    row = CallAnalysis(questions=[q.as_dict() for q in QUESTIONS], result=analysis.stored(kept))
    assert analysis.restored(row) == kept
    unknown = Analysis(unknown='{"count": 3}')
    row = CallAnalysis(questions=[q.as_dict() for q in QUESTIONS], result=analysis.stored(unknown))
    assert analysis.restored(row) == unknown


def test_the_limits_count_per_agent_and_per_project(
    project: Project, alice: User, bob: User, settings: Any
) -> None:
    settings.ASK_RATE_PER_AGENT, settings.ASK_RATE_PER_PROJECT = 2, 3
    analysis.spend(alice, project)
    analysis.spend(alice, project)
    with pytest.raises(analysis.OverLimit) as caught:
        analysis.spend(alice, project)
    assert caught.value.scope == "agent" and 0 < caught.value.wait <= analysis.RATE_WINDOW
    analysis.spend(bob, project)
    with pytest.raises(analysis.OverLimit) as caught:
        analysis.spend(bob, project)
    assert caught.value.scope == "project"


def test_a_refused_question_counts_against_nothing(
    project: Project, alice: User, bob: User, settings: Any
) -> None:
    settings.ASK_RATE_PER_AGENT, settings.ASK_RATE_PER_PROJECT = 1, 2
    analysis.spend(alice, project)
    for _ in range(5):
        with pytest.raises(analysis.OverLimit):
            analysis.spend(alice, project)
    analysis.spend(bob, project)  # the project's second: alice's refusals were not counted


def test_the_count_survives_an_eviction(project: Project, alice: User, settings: Any) -> None:
    settings.ASK_RATE_PER_AGENT = 5
    analysis.spend(alice, project)
    cache.clear()
    analysis.spend(alice, project)


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_claim_once(make_project: Any, alice: User, bob: User) -> None:
    """Two page loads at the same moment, each on its own connection: one of them asks."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("SQLite's test database is one connection shared by threads")
    project = make_project("talkstack", members=[alice, bob])
    barrier = Barrier(2)

    def load(user: User) -> bool:
        barrier.wait()
        try:
            return analysis.claim(project, SID, STANDARD, QUESTIONS, user)[1]
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        mine = list(pool.map(load, [alice, bob]))
    assert sorted(mine) == [False, True]
    assert CallAnalysis.objects.count() == 1


def test_administrators_see_the_kept_answers_read_only(
    project: Project, alice: User, admin_user: User, client: Any
) -> None:
    analysis.claim(project, SID, STANDARD, QUESTIONS, alice)
    client.force_login(admin_user)
    listing = client.get("/admin/calls/callanalysis/")
    assert listing.status_code == 200 and SID in listing.content.decode()
    assert client.get("/admin/calls/callanalysis/add/").status_code == 403
