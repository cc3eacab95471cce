"""Merging the calls of several projects and sides into one list, newest first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from callviewer.calls import merge
from callviewer.providers.types import Call

MakeProject = Any  # the make_project fixture of tests/conftest.py
UTC = dt.UTC


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, 14, hour, minute, tzinfo=UTC)


def call(sid: str, start: dt.datetime | None) -> Call:
    return Call(
        sid=sid, provider="talkstack", status="completed", raw_status="completed", start=start
    )


class TestMerge:
    def test_calls_are_newest_first_across_projects_and_sides(
        self, db: None, make_project: MakeProject
    ) -> None:
        a, b = make_project("talkstack", "a"), make_project("signalwire", "b")
        ca1 = "CA" + "1" * 32
        lists = [
            (a, [call(ca1, at(9)), call("CA3", at(7))]),
            (a, [call(ca1, at(9))]),
            (b, [call("u-4", at(10)), call("u-2", at(8)), call("u-0", None)]),
        ]
        rows = merge.merge(lists)
        assert [r.call.sid for r in rows] == ["u-4", ca1, "u-2", "CA3", "u-0"]
        assert rows[1].url == f"/calls/{ca1}/?project=a"

    def test_one_list_keeps_the_providers_order(self, db: None, make_project: MakeProject) -> None:
        a = make_project("talkstack", "a")
        calls = [call("CA2", at(9)), call("CA1", at(9)), call("CA4", at(9, 1)), call("CA5", at(8))]
        assert [r.call.sid for r in merge.merge([(a, calls)])] == ["CA2", "CA1", "CA4", "CA5"]
