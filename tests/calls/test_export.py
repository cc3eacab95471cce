"""CSV export of a search: same filters and scope, every page up to a cap, cells that cannot run."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
import pytest
from django.contrib.auth.models import User
from django.test import Client

from callviewer.calls import export
from callviewer.calls.models import AuditEvent
from callviewer.projects.models import Project
from callviewer.providers import http
from callviewer.providers.talkstack import TalkStack
from callviewer.sandbox import accounts
from callviewer.sandbox.core import Sandbox

pytestmark = pytest.mark.django_db

MakeProject = Any  # the make_project fixture of tests/conftest.py
EndlessPages = Any  # the endless_signalwire fixture of tests/calls/conftest.py
TS_HISTORY = "/call/get-call-history"
SW_PROJECT = next(iter(accounts.SIGNALWIRE_PROJECTS))


@pytest.fixture
def acme(make_project: MakeProject, alice: User) -> Project:
    return make_project("talkstack", "acme", members=[alice])


def rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


class TestSafeCell:
    @pytest.mark.parametrize(
        ("value", "cell"),
        [
            ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("  =1+1", "'  =1+1"),
            ("\uff1d1+1", "'\uff1d1+1"),  # a full-width equals sign
            ("+14155550100", "+14155550100"),  # an E.164 number stays readable
            ("-0.0130", "-0.0130"),  # a plain amount is not a formula
            ("42", "42"),
            ("sip:alice@example.com", "sip:alice@example.com"),
            ("", ""),
            (None, ""),
        ],
    )
    def test_formulas_are_defused_and_numbers_kept(self, value: str | None, cell: str) -> None:
        assert export.safe_cell(value) == cell


class TestExport:
    def test_it_is_the_same_search_with_every_column(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        page = agent.get("/calls/?project=acme&number=+14152148508&match=from")
        response = agent.get("/calls/export.csv?project=acme&number=%2B14152148508&match=from")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        disposition = response["Content-Disposition"]
        assert disposition.startswith('attachment; filename="calls-acme-') and disposition.endswith(
            '.csv"'
        )
        assert "first-" not in disposition
        lines = rows(response)
        assert list(lines[0]) == list(export.CSV_COLUMNS)
        example = next(r for r in lines if r["call_sid"] == "CA26e39c970fd416515799f5a165718be3")
        assert example == {
            "project": "acme",
            "provider": "TalkStack AI",
            "call_sid": "CA26e39c970fd416515799f5a165718be3",
            "start": "2024-01-30T13:39:53+00:00",
            "start_utc": "2024-01-30T13:39:53+00:00",
            "direction": "",
            "from": "+14152148508",
            "to": "+12068091239",
            "status": "completed",
            "provider_status": "completed",
            "final": "yes",
            "duration_seconds": "23",
            "duration": "0:00:23",
            "cost": "0.077",
            "currency": "USD",
            "recordings": "yes (1)",
            "call_url": "http://testserver/calls/CA26e39c970fd416515799f5a165718be3/?project=acme",
        }
        assert [r["call_sid"] for r in lines] == [
            s
            for s in page.content.decode().split('data-href="/calls/')[1:]
            for s in [s.split("/")[0]]
        ]
        assert {q.query["from"][0] for q in sandbox.requests_to(TS_HISTORY)} == {"+14152148508"}

    def test_start_times_are_in_the_agents_zone(
        self, sandbox: Sandbox, agent: Client, alice: User, acme: Project
    ) -> None:
        from callviewer.projects.models import AgentPreference

        AgentPreference.objects.create(user=alice, time_zone="Europe/Paris")
        response = agent.get("/calls/export.csv?project=acme&number=%2B14152148508&match=from")
        example = next(r for r in rows(response) if r["call_sid"].startswith("CA26e39"))
        assert example["start"] == "2024-01-30T14:39:53+01:00"

    def test_it_follows_talkstack_pages_until_the_history_ends(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        response = agent.get("/calls/export.csv?project=acme")
        lines = rows(response)
        sizes = [json.loads(r.body)["pageSize"] for r in sandbox.requests_to(TS_HISTORY)]
        assert sizes == list(range(25, 25 * len(sizes) + 1, 25))
        assert len(lines) == len({r["call_sid"] for r in lines}) > 300  # seeded + live calls
        assert not any(r["project"].startswith("#") for r in lines)

    def test_it_follows_signalwire_next_page_uri(
        self, sandbox: Sandbox, agent: Client, make_project: MakeProject, alice: User
    ) -> None:
        make_project("signalwire", "sw", members=[alice])
        response = agent.get("/calls/export.csv?project=sw")
        pages = sandbox.requests_to("/api/laml/")
        assert len(pages) >= 6 and all("PageToken" in p.query for p in pages[1:])
        assert len({r["call_sid"] for r in rows(response)}) >= 300

    def test_it_stops_at_the_cap_and_says_so(
        self, sandbox: Sandbox, agent: Client, acme: Project, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(export, "EXPORT_MAX_ROWS", 60)
        response = agent.get("/calls/export.csv?project=acme")
        lines = rows(response)
        assert 'filename="calls-acme-' in response["Content-Disposition"]
        assert response["Content-Disposition"].endswith('-first-60.csv"')
        assert len(lines) == 61
        assert lines[-1]["project"].startswith("# Stopped at 60 rows")

    def test_an_empty_page_that_says_more_ends_the_export_and_is_noted(
        self, agent: Client, mocked_projects: dict[str, Project], endless_signalwire: EndlessPages
    ) -> None:
        # This export asked SignalWire about 20 times a second, forever.
        transport, seen = endless_signalwire(0)
        with http.override_transport(transport):
            response = agent.get("/calls/export.csv?project=sw")
        assert response.status_code == 200
        assert len(seen) == 1
        [note] = [r["project"] for r in rows(response)]
        assert note.startswith("# Sw (SignalWire) is incomplete: SignalWire sent a page with no")

    def test_a_provider_that_always_has_more_is_asked_a_bounded_number_of_pages(
        self, agent: Client, mocked_projects: dict[str, Project], endless_signalwire: EndlessPages
    ) -> None:
        transport, seen = endless_signalwire(2)
        with http.override_transport(transport):
            lines = rows(agent.get("/calls/export.csv?project=sw"))
        assert len(seen) == export.EXPORT_MAX_PAGES
        assert len([r for r in lines if r["project"] == "sw"]) == 2 * export.EXPORT_MAX_PAGES
        notes = [r["project"] for r in lines if r["project"].startswith("#")]
        assert notes == [
            f"# Stopped at {export.EXPORT_MAX_ROWS} rows or the provider's bound: more calls "
            "match. Narrow the dates to export the rest.",
            f"# Sw (SignalWire) is incomplete: callviewer stopped after {export.EXPORT_MAX_PAGES} "
            "pages. Narrow the dates to export the rest.",
        ]

    def test_the_talkstack_bound_is_said_in_the_file(
        self, sandbox: Sandbox, agent: Client, acme: Project, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(TalkStack, "MAX_PAGE_SIZE", 50)
        lines = rows(agent.get("/calls/export.csv?project=acme"))
        assert len(lines) == 51 and "Narrow the dates" in lines[-1]["project"]

    def test_all_projects_merge_and_a_failing_one_is_noted(
        self, sandbox: Sandbox, agent: Client, acme: Project, make_project: MakeProject, alice: User
    ) -> None:
        make_project("signalwire", "sw", members=[alice])
        make_project("sinch", "umbrella", members=[alice])
        sandbox.faults.fail_sids[SW_PROJECT] = 500
        response = agent.get("/calls/export.csv?project=all&status=busy")
        lines = rows(response)
        assert response.status_code == 200
        notes = [r["project"] for r in lines if r["project"].startswith("#")]
        assert notes[0].startswith("# Sw (SignalWire) is missing: SignalWire is having trouble")
        assert notes[1] == "# Umbrella not exported: Sinch keeps no call history."
        calls = [r for r in lines if not r["project"].startswith("#")]
        assert calls and {r["project"] for r in calls} == {"acme"}
        assert {r["status"] for r in calls} == {"busy"}

    def test_cells_from_the_provider_cannot_run_as_formulas(
        self, agent: Client, acme: Project
    ) -> None:
        item = {
            "callSid": "CA" + "1" * 32,
            "from": '=HYPERLINK("http://evil.example","call me")',
            "to": "+14155550100",
            "status": "@completed",
            "date": "Tue, 30 Jan 2024 13:39:53 GMT",
            "seconds": 5,
            "cost": -0.5,
        }

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json={"status": "success", "data": [item]})

        with http.override_transport(httpx.MockTransport(handler)):
            response = agent.get("/calls/export.csv?project=acme")
        (line,) = rows(response)
        assert line["from"] == '\'=HYPERLINK("http://evil.example","call me")'
        assert line["to"] == "+14155550100"
        assert line["provider_status"] == "'@completed"
        assert line["cost"] == "0.5"

    def test_it_is_recorded(
        self, sandbox: Sandbox, agent: Client, alice: User, acme: Project
    ) -> None:
        agent.get("/calls/export.csv?project=acme&status=busy")
        event = AuditEvent.objects.get()
        assert (event.action, event.user, event.project) == ("export", alice, acme)
        assert event.detail.endswith("rows, project acme: calls status busy")


class TestExportRefusals:
    def test_another_agents_project_is_a_404(
        self, sandbox: Sandbox, agent: Client, bob: User, make_project: MakeProject
    ) -> None:
        make_project("talkstack", "bobs", members=[bob])
        response = agent.get("/calls/export.csv?project=bobs")
        assert response.status_code == 404
        assert sandbox.requests == [] and not AuditEvent.objects.exists()

    def test_bad_filters_are_a_400_that_says_why(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        response = agent.get("/calls/export.csv?project=acme&number=abc&date_from=nope")
        assert response.status_code == 400
        body = response.content.decode()
        assert "“abc” is not a phone number" in body and "“nope” is not a start date" in body
        assert sandbox.requests == []

    def test_a_provider_failure_is_a_502_that_says_what_failed(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        sandbox.faults.down = True
        response = agent.get("/calls/export.csv?project=acme")
        assert response.status_code == 502
        assert "TalkStack AI is having trouble (HTTP 503)" in response.content.decode()

    def test_a_sinch_project_has_nothing_to_export(
        self, sandbox: Sandbox, agent: Client, make_project: MakeProject, alice: User
    ) -> None:
        make_project("sinch", "umbrella", members=[alice])
        response = agent.get("/calls/export.csv?project=umbrella")
        assert response.status_code == 400
        assert "keeps no call history" in response.content.decode()
