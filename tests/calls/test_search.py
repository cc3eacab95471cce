"""Search plumbing: phone numbers, filters in words and URLs, cursors, merging, asking providers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import QueryDict

from callviewer.calls import search
from callviewer.calls.forms import SearchForm
from callviewer.calls.models import SeenCall
from callviewer.projects.models import Project
from callviewer.providers.types import (
    Call,
    CredentialsRefused,
    Money,
    ProviderUnavailable,
    RateLimited,
    TimedOut,
)
from callviewer.sandbox.core import Sandbox

MakeProject = Any  # the make_project fixture of tests/conftest.py
UTC = dt.UTC


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, 14, hour, minute, tzinfo=UTC)


def call(sid: str, start: dt.datetime | None, **kw: Any) -> Call:
    return Call(
        sid=sid, provider="talkstack", status="completed", raw_status="completed", start=start, **kw
    )


class TestNormaliseNumber:
    @pytest.mark.parametrize(
        "typed",
        ["(206) 809-1239", "206.809.1239", "+1 206 809 1239", "206-809-1239", "12068091239",
         " +12068091239 ", "1 (206) 809 1239", "206\u00a0809\u00a01239"],
    )  # fmt: skip
    def test_common_forms_become_e164(self, typed: str) -> None:
        assert search.normalise_number(typed, "US") == "+12068091239"

    def test_the_region_reads_national_numbers(self) -> None:
        assert search.normalise_number("020 7946 0958", "GB") == "+442079460958"
        assert search.normalise_number("+1 206 809 1239", "GB") == "+12068091239"

    @pytest.mark.parametrize(
        "typed",
        ["abc", "206809", "809-1239", "+", "()", "---", "206-809-1239 ext 5", "1-800-FLOWERS",
         "=1+2", "+1206809123999999", "<script>", "206\x00809",
         "\uff12\uff10\uff16\uff18\uff10\uff19\uff11\uff12\uff13\uff19"],  # full-width digits
    )  # fmt: skip
    def test_what_cannot_be_a_number_says_so(self, typed: str) -> None:
        with pytest.raises(search.InvalidNumber, match="phone number"):
            search.normalise_number(typed, "US")


class TestFilters:
    def test_an_either_number_is_two_searches_one_per_side(self) -> None:
        filters = search.Filters(number="206.809.1239")
        assert filters.sides() == ("to", "from")
        assert filters.query("to", "+12068091239").to == "+12068091239"
        assert filters.query("from", "+12068091239").from_ == "+12068091239"
        assert search.Filters(number="1", match="from").sides() == ("from",)
        assert search.Filters().sides() == ("",)

    def test_the_query_carries_status_and_utc_dates(self) -> None:
        filters = search.Filters(
            status="busy", date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 2)
        )
        query = filters.query("", "")
        assert (query.to, query.from_, query.status) == ("", "", "busy")
        assert query.started_on_or_after == dt.date(2025, 3, 1)
        assert query.started_on_or_before == dt.date(2025, 3, 2)

    def test_words_say_what_was_searched(self) -> None:
        filters = search.Filters(
            number="(206) 809-1239",
            status="completed",
            date_from=dt.date(2025, 3, 1),
            date_to=dt.date(2025, 3, 2),
        )
        assert filters.words(["+12068091239"]) == (
            "calls to or from +12068091239 (typed “(206) 809-1239”), status completed, "
            "started 2025-03-01 to 2025-03-02 (UTC)"
        )
        assert search.Filters().words() == "any call"
        assert (
            search.Filters(date_to=dt.date(2025, 3, 2)).words()
            == "calls started on or before 2025-03-02 (UTC)"
        )
        assert search.Filters(number="+12068091239", match="from").words(["+12068091239"]) == (
            "calls from +12068091239"
        )

    def test_params_leave_out_empty_and_default_values(self) -> None:
        assert search.Filters().params() == {}
        assert search.Filters(number="206", match="to", date_from=dt.date(2025, 1, 2)).params() == {
            "number": "206",
            "match": "to",
            "date_from": "2025-01-02",
        }
        assert search.Filters(match="to").params() == {}  # no number: match means nothing


class TestCursors:
    def test_they_round_trip_per_side(self) -> None:
        filters = search.Filters(number="2068091239")
        encoded = search.encode_cursors({"to": "50", "from": "/api/laml/x?Page=1&PageToken=PA1"})
        assert search.decode_cursors(encoded, filters) == {
            "to": "50",
            "from": "/api/laml/x?Page=1&PageToken=PA1",
        }

    def test_sides_the_search_does_not_have_and_junk_are_dropped(self) -> None:
        filters = search.Filters()
        values = [":50", "to:75", "nonsense", "from:", ":" + "x" * 3000]
        assert search.decode_cursors(values, filters) == {"": "50"}


class TestMerge:
    def test_calls_are_newest_first_across_projects_and_sides(
        self, db: None, make_project: MakeProject
    ) -> None:
        a, b = make_project("talkstack", "a"), make_project("signalwire", "b")
        ca1 = "CA" + "1" * 32
        results = [
            search.ProjectResult(
                a,
                "A",
                lists={
                    "to": [call(ca1, at(9)), call("CA3", at(7))],
                    "from": [call(ca1, at(9))],
                },
            ),
            search.ProjectResult(
                b, "B", lists={"": [call("u-4", at(10)), call("u-2", at(8)), call("u-0", None)]}
            ),
        ]
        rows = search.merge(results)
        assert [r.call.sid for r in rows] == ["u-4", ca1, "u-2", "CA3", "u-0"]
        assert rows[1].url == f"/calls/{ca1}/?project=a"

    def test_one_list_keeps_the_providers_order(self, db: None, make_project: MakeProject) -> None:
        a = make_project("talkstack", "a")
        calls = [call("CA2", at(9)), call("CA1", at(9)), call("CA4", at(9, 1)), call("CA5", at(8))]
        result = search.ProjectResult(a, "A", lists={"": calls})
        assert [r.call.sid for r in search.merge([result])] == ["CA2", "CA1", "CA4", "CA5"]

    @pytest.mark.parametrize(
        ("starts", "newest_first"),
        [
            ([at(9), at(9), at(8), None], True),
            ([at(9), at(9, 1)], False),
            ([None, at(9), at(9, 1)], False),
            ([], True),
        ],
    )
    def test_the_rows_say_newest_first_only_when_they_are(
        self, db: None, make_project: MakeProject, starts: list[Any], newest_first: bool
    ) -> None:
        a = make_project("talkstack", "a")
        calls = [call(f"CA{n}", start) for n, start in enumerate(starts)]
        result = search.ProjectResult(a, "A", lists={"": calls})
        outcome = search.Outcome([result], search.merge([result]))
        assert outcome.newest_first is newest_first


class TestRowTexts:
    def test_duration_cost_direction_and_recordings(
        self, db: None, make_project: MakeProject
    ) -> None:
        a = make_project("talkstack", "a")
        row = search.Row(
            a,
            call("CA1", at(9), duration=3725, cost=Money(Decimal("-0.0130"), "USD"),
                 direction="outbound-api", recordings=()),
            "/x",
        )  # fmt: skip
        assert (row.duration, row.cost, row.direction, row.recordings) == (
            "1:02:05",
            "0.013 USD",
            "Outbound (API)",
            "no",
        )
        bare = search.Row(a, call("CA2", None), "/y")
        assert (bare.duration, bare.cost, bare.direction, bare.recordings) == (
            "—",
            "—",
            "—",
            "see call",
        )

    def test_a_provider_without_recordings_shows_a_dash(
        self, db: None, make_project: MakeProject
    ) -> None:
        row = search.Row(make_project("sinch", "s"), call("ab" * 16, at(9)), "/x")
        assert row.recordings == "—"


class TestRun:
    def test_one_failing_project_does_not_hide_the_others(
        self, sandbox: Sandbox, make_project: MakeProject
    ) -> None:
        ts = make_project("talkstack", "ts")
        sw = make_project("signalwire", "sw")
        sinch = make_project("sinch", "sinch")
        sandbox.faults.fail_sids["ts-proj-acme-0001"] = 503  # the TalkStack project's requests

        outcome = search.run([ts, sw, sinch], search.Filters())

        by_slug = {r.project.slug: r for r in outcome.results}
        assert by_slug["ts"].failed and isinstance(by_slug["ts"].errors[0], ProviderUnavailable)
        assert by_slug["sw"].answered and by_slug["sw"].calls
        assert by_slug["sinch"].skipped and not sandbox.requests_to("/calling/")
        assert not outcome.all_failed
        assert {r.project.slug for r in outcome.rows} == {"sw"}

    def test_an_either_number_asks_both_sides_and_shows_each_call_once(
        self, sandbox: Sandbox, make_project: MakeProject
    ) -> None:
        ts = make_project("talkstack", "ts")
        outcome = search.run([ts], search.Filters(number="(206) 809-1239"))
        asked = {tuple(sorted(r.query)) for r in sandbox.requests_to("/call/get-call-history")}
        assert asked == {("to",), ("from",)}
        sids = [r.call.sid for r in outcome.rows]
        assert len(sids) == len(set(sids))
        assert all("+12068091239" in (str(r.call.to), str(r.call.from_)) for r in outcome.rows)
        assert set(outcome.results[0].cursors) == {"to", "from"}

    def test_a_number_not_valid_in_a_projects_region_skips_only_that_project(
        self, sandbox: Sandbox, make_project: MakeProject
    ) -> None:
        us = make_project("talkstack", "us")
        fr = make_project("signalwire", "fr", settings={"phone_region": "FR"})
        filters = search.Filters(number="(206) 809-1239")
        assert search.number_problem([us, fr], filters.number) == ""
        assert "not a complete phone number" in search.number_problem([fr], filters.number)
        outcome = search.run([us, fr], filters)
        assert "region FR" in outcome.results[1].skipped
        assert sandbox.requests_to("/api/laml/") == []

    def test_a_provider_bug_becomes_an_unexpected_answer_not_a_crash(
        self, sandbox: Sandbox, make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from callviewer.providers.talkstack import TalkStack

        def boom(*args: object) -> None:
            raise KeyError("surprise")

        monkeypatch.setattr(TalkStack, "search", boom)
        outcome = search.run([make_project("talkstack", "ts")], search.Filters())
        assert outcome.all_failed
        assert "could not read" in outcome.results[0].errors[0].message


class TestHttpStatus:
    def test_it_picks_the_status_that_says_most(self) -> None:
        down = ProviderUnavailable("X", "down")
        assert search.http_status([down]) == 502
        assert search.http_status([down, TimedOut("X", "slow")]) == 504
        assert search.http_status([RateLimited("X", "slow down", retry_after=2.2)]) == 503
        assert search.http_status([CredentialsRefused("X", "no")]) == 502
        assert search.retry_after([RateLimited("X", "m", retry_after=2.2), down]) == 3
        assert search.retry_after([down]) is None


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
            rows, _number = search.seen_calls(project, search.Filters(**kw))
            return [r.call.sid for r in rows]

        assert sids() == [b, a, c]
        assert sids(number="206 809 1239") == [b, a]
        assert sids(number="206 809 1239", match="from") == [a]
        assert sids(status="completed") == [a, c]
        assert sids(date_from=dt.date(2025, 3, 14)) == [b, a]
        assert sids(date_to=dt.date(2025, 3, 13)) == [c]
        assert sids(date_from=dt.date.min, date_to=dt.date.max) == [b, a, c]


class TestForm:
    def form(self, query: str, projects: list[Project], remembered: str = "") -> SearchForm:
        form = SearchForm(QueryDict(query), projects=projects, remembered=remembered)
        form.is_valid()
        return form

    def test_the_project_defaults_to_the_remembered_one_while_it_is_the_agents(
        self, db: None, make_project: MakeProject, alice: User
    ) -> None:
        a, b = make_project("talkstack", "a"), make_project("signalwire", "b")
        assert self.form("", [a, b], remembered="b").project_slug == "b"
        assert self.form("", [a, b], remembered="gone").project_slug == "all"
        assert self.form("", [a], remembered="gone").project_slug == "a"
        assert self.form("", [a, b], remembered="all").project_slug == "all"
        assert self.form("project=a", [a, b], remembered="b").project_slug == "a"

    @pytest.mark.parametrize(
        ("query", "field", "words"),
        [
            ("status=finished", "status", "not a status callviewer knows"),
            ("date_from=2025-02-30", "date_from", "not a start date"),
            ("date_to=14/03/2025", "date_to", "not an end date"),
            ("date_to=2101-01-01", "date_to", "pick an end date from 1970 to 2100"),
            ("date_from=1969-12-31", "date_from", "pick a start date from 1970 to 2100"),
            ("date_from=\u0662\u0660\u0662\u0665-03-01", "date_from", "not a start date"),
            ("date_from=2025-03-02&date_to=2025-03-01", "date_to", "before the start date"),
            ("match=sideways", "match", "caller, the callee or either"),
            ("sid=CA1/../x", "sid", "letters, digits"),
            ("number=" + "1" * 41, "number", "at most 40"),
        ],
    )
    def test_bad_values_get_a_message_for_their_field(
        self, db: None, make_project: MakeProject, query: str, field: str, words: str
    ) -> None:
        form = self.form(query, [make_project("talkstack", "a")])
        assert words in " ".join(str(e) for e in form.errors[field])
