from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from pytest_django import DjangoAssertNumQueries

from callviewer.calls import seen
from callviewer.calls.filters import Filters
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


# What a provider sends is made to fit the columns (PostgreSQL refuses NUL and overflows)


def test_nul_is_taken_out_of_every_text_a_provider_sent(project: Project) -> None:
    odd = Call(
        sid="CA1",
        provider="talkstack",
        status="completed",
        raw_status="completed",
        direction="in\x00bound",
        from_=Endpoint("+1415\x002148508", "number"),
        to=Endpoint("\x00sip:a@b", "sip"),
        cost=Money(Decimal("0.5"), "U\x00SD"),
    )
    seen.remember(project, [odd])
    row = SeenCall.objects.get()
    assert (row.direction, row.from_number, row.to_number, row.currency) == (
        "inbound",
        "+14152148508",
        "sip:a@b",
        "USD",
    )


@pytest.mark.parametrize("sid", ["", "CA\x001", "C" * (seen.SID_LENGTH + 1)])
def test_a_call_whose_sid_does_not_fit_as_it_is_is_not_remembered(
    project: Project, sid: str
) -> None:
    seen.remember(project, [call(sid), call("CA2")])
    assert list(SeenCall.objects.values_list("sid", flat=True)) == ["CA2"]


def test_a_sid_of_the_columns_length_is_remembered(project: Project) -> None:
    sid = "C" * seen.SID_LENGTH
    seen.remember(project, [call(sid)])
    assert SeenCall.objects.get().sid == sid


def test_texts_longer_than_their_column_are_cut(project: Project) -> None:
    long = Call(
        sid="CA1",
        provider="talkstack",
        status="completed",
        raw_status="completed",
        direction="d" * 300,
        from_=Endpoint("1" * 300),
        cost=Money(Decimal(1), "EURO-DOLLARS"),
    )
    seen.remember(project, [long])
    row = SeenCall.objects.get()
    assert (len(row.direction), len(row.from_number), row.currency) == (20, 200, "EURO-DOL")


@pytest.mark.parametrize(
    ("duration", "cost", "kept"),
    [
        (2**31, "100000000", (None, None)),
        (-1, "-100000000.5", (None, None)),
        (10**30, "1E+30", (None, None)),
        (2**31 - 1, "99999999.999999", (2**31 - 1, Decimal("99999999.999999"))),
        (0, "0.0000004", (0, Decimal("0"))),
        (5, "-0.077", (5, Decimal("-0.077"))),
    ],
)
def test_numbers_out_of_their_columns_range_are_left_out(
    project: Project, duration: int, cost: str, kept: tuple[int | None, Decimal | None]
) -> None:
    big = Call(
        sid="CA1",
        provider="talkstack",
        status="completed",
        raw_status="completed",
        duration=duration,
        cost=Money(Decimal(cost), "USD"),
    )
    seen.remember(project, [big])
    row = SeenCall.objects.get()
    assert (row.duration, row.cost) == kept


def test_a_start_that_does_not_exist_in_utc_is_left_out(project: Project) -> None:
    ahead = dt.timezone(dt.timedelta(hours=5))
    early = Call(
        sid="CA1",
        provider="talkstack",
        status="completed",
        raw_status="completed",
        start=dt.datetime(1, 1, 1, 1, 0, tzinfo=ahead),
    )
    seen.remember(project, [early, call("CA2")])
    assert dict(SeenCall.objects.values_list("sid", "start")) == {"CA1": None, "CA2": START}


def test_a_call_seen_again_unchanged_is_not_written_again(
    project: Project, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    seen.remember(project, [call("CA1"), call("CA2")])
    with django_assert_num_queries(0):
        seen.remember(project, [call("CA1"), call("CA2")])


def test_only_the_calls_that_changed_are_written(
    project: Project, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    seen.remember(project, [call("CA1", status="ringing"), call("CA2")])
    SeenCall.objects.filter(sid="CA2").update(status="edited")  # a write would undo this
    with django_assert_num_queries(1):
        seen.remember(project, [call("CA1"), call("CA2")])
    assert dict(SeenCall.objects.values_list("sid", "status")) == {
        "CA1": "completed",
        "CA2": "edited",
    }


def test_once_the_cache_forgets_a_call_seen_again_is_written_again(project: Project) -> None:
    seen.remember(project, [call("CA1")])
    SeenCall.objects.filter(sid="CA1").update(status="edited")
    cache.clear()  # as after UNCHANGED_SECONDS: last_seen is refreshed this often
    seen.remember(project, [call("CA1")])
    assert SeenCall.objects.get(sid="CA1").status == "completed"


def test_a_failing_cache_means_writing_not_failing(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*args: object) -> None:
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", down)
    seen.remember(project, [call("CA1")])
    assert SeenCall.objects.filter(sid="CA1").exists()


MakeProject = Any  # the make_project fixture of tests/conftest.py


def at(hour: int) -> dt.datetime:
    return dt.datetime(2025, 3, 14, hour, tzinfo=dt.UTC)


class TestSeenCalls:
    def test_they_are_filtered_and_newest_first(self, db: None, make_project: MakeProject) -> None:
        project = make_project("sinch", "s")
        other = make_project("sinch", "other")
        a, b, c = "a" * 32, "b" * 32, "c" * 32
        SeenCall.objects.create(project=project, sid=a, status="completed",
                                from_number="+12068091239", to_number="+4670123",
                                start=at(9))  # fmt: skip
        SeenCall.objects.create(project=project, sid=b, status="busy", from_number="+4670123",
                                to_number="+12068091239", start=at(11))  # fmt: skip
        SeenCall.objects.create(
            project=project, sid=c, status="completed", start=at(10) - dt.timedelta(days=2)
        )
        SeenCall.objects.create(project=other, sid="d" * 32, status="completed", start=at(12))

        def sids(**kw: Any) -> list[str]:
            rows, _number = seen.seen_calls(project, Filters(**kw))
            return [r.call.sid for r in rows]

        assert sids() == [b, a, c]
        assert sids(number="206 809 1239") == [b, a]
        assert sids(number="206 809 1239", match="from") == [a]
        assert sids(status="completed") == [a, c]
        assert sids(date_from=dt.date(2025, 3, 14)) == [b, a]
        assert sids(date_to=dt.date(2025, 3, 13)) == [c]
        assert sids(date_from=dt.date.min, date_to=dt.date.max) == [b, a, c]
