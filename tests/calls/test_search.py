"""Asking the providers of one project or all: failures, both sides of a number, regions."""

from __future__ import annotations

from typing import Any

import pytest

from callviewer.calls import numbers, search
from callviewer.calls.filters import Filters
from callviewer.calls.rows import Row
from callviewer.providers.types import ProviderUnavailable
from callviewer.sandbox.core import Sandbox
from tests.calls.sample_calls import at, call

MakeProject = Any  # the make_project fixture of tests/conftest.py


class TestRun:
    def test_one_failing_project_does_not_hide_the_others(
        self, sandbox: Sandbox, make_project: MakeProject
    ) -> None:
        ts = make_project("talkstack", "ts")
        sw = make_project("signalwire", "sw")
        sinch = make_project("sinch", "sinch")
        sandbox.faults.fail_sids["ts-proj-acme-0001"] = 503  # the TalkStack project's requests

        outcome = search.run([ts, sw, sinch], Filters())

        by_slug = {r.project.slug: r for r in outcome.results}
        assert by_slug["ts"].failed and isinstance(by_slug["ts"].errors[0], ProviderUnavailable)
        assert by_slug["sw"].answered and outcome.rows
        assert by_slug["sinch"].skipped and not sandbox.requests_to("/calling/")
        assert not outcome.all_failed
        assert {r.project.slug for r in outcome.rows} == {"sw"}

    def test_an_either_number_asks_both_sides_and_shows_each_call_once(
        self, sandbox: Sandbox, make_project: MakeProject
    ) -> None:
        ts = make_project("talkstack", "ts")
        outcome = search.run([ts], Filters(number="(206) 809-1239"))
        asked = {tuple(sorted(r.query)) for r in sandbox.requests_to("/call/get-call-history")}
        assert asked == {("to",), ("from",)}
        sids = [r.call.sid for r in outcome.rows]
        assert len(sids) == len(set(sids))
        assert all("+12068091239" in (str(r.call.to), str(r.call.from_)) for r in outcome.rows)
        assert {place.side for place in outcome.places} == {"to", "from"}

    def test_a_number_not_valid_in_a_projects_region_skips_only_that_project(
        self, sandbox: Sandbox, make_project: MakeProject
    ) -> None:
        us = make_project("talkstack", "us")
        fr = make_project("signalwire", "fr", settings={"phone_region": "FR"})
        filters = Filters(number="(206) 809-1239")
        assert numbers.number_problem([us, fr], filters.number) == ""
        assert "not a complete phone number" in numbers.number_problem([fr], filters.number)
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
        outcome = search.run([make_project("talkstack", "ts")], Filters())
        assert outcome.all_failed
        assert "could not read" in outcome.results[0].errors[0].message


class TestOutcome:
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
        rows = [Row(a, c, "") for c in calls]
        outcome = search.Outcome([search.ProjectResult(a, "A")], list(rows))
        assert outcome.newest_first is newest_first
