"""The search form: defaults, a message in words for each bad value, and what counts as
still being typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import QueryDict

from callviewer.calls.forms import SearchForm
from callviewer.projects.models import Project

MakeProject = Any  # the make_project fixture of tests/conftest.py


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
            ("sid=CA1/../x", "sid", "not a call SID, nor a link holding one"),
            ("number=" + "1" * 41, "number", "at most 40"),
        ],
    )
    def test_bad_values_get_a_message_for_their_field(
        self, db: None, make_project: MakeProject, query: str, field: str, words: str
    ) -> None:
        form = self.form(query, [make_project("talkstack", "a")])
        assert words in " ".join(str(e) for e in form.errors[field])
