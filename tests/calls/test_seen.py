from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pytest_django import DjangoAssertNumQueries

from callviewer.calls import seen
from callviewer.calls.models import SeenCall
from callviewer.projects.models import Project
from callviewer.providers.types import Call, Endpoint, Money

START = dt.datetime(2024, 1, 30, 13, 39, 53, tzinfo=dt.UTC)


@pytest.fixture
def project(db: None) -> Project:
    project = Project(name="Acme", slug="acme", provider="talkstack")
    project.settings = {"project_id": "p"}
    project.set_secrets({"api_key": "k" * 64}, by="tests")
    project.save()
    return project


def call(sid: str, status: str = "completed", cost: str | None = "0.077") -> Call:
    return Call(
        sid=sid,
        provider="talkstack",
        status=status,
        raw_status=status,
        direction="inbound",
        from_=Endpoint("+14152148508", "number"),
        to=Endpoint("+12068091239", "number"),
        start=START,
        duration=23,
        cost=Money(Decimal(cost), "USD") if cost else None,
    )


def test_a_page_of_calls_is_remembered_in_one_query(
    project: Project, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(1):
        seen.remember(project, [call(f"CA{n}") for n in range(50)])
    row = SeenCall.objects.get(sid="CA7")
    assert (row.status, row.from_number, row.to_number) == (
        "completed",
        "+14152148508",
        "+12068091239",
    )
    assert (row.start, row.duration, row.cost, row.currency) == (START, 23, Decimal("0.077"), "USD")


def test_seeing_a_call_again_refreshes_its_summary_but_not_when_it_was_first_seen(
    project: Project,
) -> None:
    seen.remember(project, [call("CA1", status="ringing", cost=None)])
    first = SeenCall.objects.get()
    seen.remember(project, [call("CA1")])
    again = SeenCall.objects.get()
    assert (again.status, again.cost) == ("completed", Decimal("0.077"))
    assert again.first_seen == first.first_seen
    assert again.last_seen >= first.last_seen


def test_the_same_call_twice_in_one_batch_is_one_row_holding_the_later_summary(
    project: Project,
) -> None:
    seen.remember(project, [call("CA1", status="ringing"), call("CA1", status="busy")])
    assert list(SeenCall.objects.values_list("sid", "status")) == [("CA1", "busy")]


def test_nothing_to_remember_asks_nothing(
    project: Project, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(0):
        seen.remember(project, [])
