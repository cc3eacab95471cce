"""The search page and its fragments, end to end against the provider simulator."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
import zoneinfo
from typing import Any

import httpx
import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.test.utils import CaptureQueriesContext

from callviewer.calls.models import AuditEvent, SeenCall
from callviewer.projects.models import AgentPreference, Project
from callviewer.providers import http
from callviewer.providers.talkstack import TalkStack
from callviewer.sandbox import accounts, signalwire_data, talkstack_data
from callviewer.sandbox.core import Sandbox
from callviewer.sandbox.talkstack_data import EXAMPLE_SID

pytestmark = pytest.mark.django_db

MakeProject = Any  # the make_project fixture of tests/conftest.py
EndlessPages = Any  # the endless_signalwire fixture of tests/calls/conftest.py
TS_HISTORY = "/call/get-call-history"
SW_CALLS = "/api/laml/"
SW_PROJECT = next(iter(accounts.SIGNALWIRE_PROJECTS))
HX = {"HX-Request": "true"}


@pytest.fixture
def acme(make_project: MakeProject, alice: User) -> Project:
    return make_project("talkstack", "acme", members=[alice])


@pytest.fixture
def sw(make_project: MakeProject, alice: User) -> Project:
    return make_project("signalwire", "sw", members=[alice])


@pytest.fixture
def umbrella(make_project: MakeProject, alice: User) -> Project:
    return make_project("sinch", "umbrella", members=[alice])


def sids(response: Any) -> list[str]:
    """The call SIDs of the result rows, in order."""
    return re.findall(r'data-href="/calls/([^/"]+)/\?project=', response.content.decode())


def asked(sandbox: Sandbox, prefix: str) -> list[dict[str, str]]:
    """The query parameters of each request the simulator got under `prefix`."""
    return [{k: v[0] for k, v in r.query.items()} for r in sandbox.requests_to(prefix)]


def text(response: Any) -> str:
    """The response's HTML with entities read and whitespace folded."""
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def words(response: Any) -> str:
    """What a person reads: the text without tags."""
    return re.sub(r" +", " ", re.sub(r"<[^>]+>", "", text(response)))


def sw_number(sandbox: Sandbox) -> str:
    """A number that several seeded SignalWire calls were made to."""
    calls = signalwire_data.calls(sandbox, SW_PROJECT)
    return next(c.to for c in calls if c.to.startswith("+"))


class TestPageAndFragment:
    def test_a_direct_load_renders_the_whole_page_with_its_results(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        response = agent.get("/calls/?project=acme&number=(206) 809-1239")
        body = response.content.decode()
        assert response.status_code == 200
        assert "<html" in body and 'id="search-form"' in body and 'id="results"' in body
        assert 'hx-trigger="input changed delay:400ms, change, submit"' in body
        assert 'hx-push-url="true"' in body and 'hx-target="#results"' in body
        assert 'hx-indicator="#searching"' in body and "Searching…" in body
        assert 'value="(206) 809-1239"' in body
        assert 25 <= len(sids(response)) <= 50  # to and from the number, merged
        assert "HX-Request" in response["Vary"]

    def test_an_htmx_request_gets_only_the_results_and_pushes_the_canonical_url(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        page = agent.get("/calls/?project=acme&number=(206) 809-1239&status=&date_from=")
        fragment = agent.get(
            "/calls/?project=acme&number=(206) 809-1239&status=&date_from=", headers=HX
        )
        body = fragment.content.decode()
        assert fragment.status_code == 200
        assert "<html" not in body and 'id="search-form"' not in body
        assert 'id="error-number" data-inputs="id_number" hx-swap-oob="true"' in body
        assert fragment["HX-Push-Url"] == "/calls/?project=acme&number=%28206%29+809-1239"
        assert sids(fragment) == sids(page)
        assert "HX-Request" in fragment["Vary"]

    def test_the_pushed_url_loaded_directly_shows_the_same_search(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        fragment = agent.get(
            "/calls/?project=acme&number=2068091239&match=from&status=completed", headers=HX
        )
        page = agent.get(fragment["HX-Push-Url"])
        assert sids(page) == sids(fragment) and sids(page)
        assert 'value="from" checked' in page.content.decode()
        assert '<option value="completed" selected>' in page.content.decode()

    def test_a_history_restore_gets_the_whole_page(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        response = agent.get(
            "/calls/?project=acme", headers=HX | {"HX-History-Restore-Request": "true"}
        )
        assert "<html" in response.content.decode()

    def test_the_table_is_labelled_and_each_row_opens_its_call(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        response = agent.get("/calls/?project=acme")
        body = response.content.decode()
        headers = re.findall(r'<th scope="col"[^>]*>([^<]+)', body)
        # No Direction column: TalkStack's answers do not say it.
        assert headers == [
            "Started (UTC)", "From", "To", "Status", "Duration", "Cost", "Recordings", "Call SID",
        ]  # fmt: skip
        for control in (
            "id_project",
            "id_number",
            "id_status",
            "id_date_from",
            "id_date_to",
            "id_sid",
        ):
            assert f'<label for="{control}"' in body
        assert "data-search-focus" in body
        first = sids(response)[0]
        assert f'<a href="/calls/{first}/?project=acme"' in body
        assert f'data-copy="{first}"' in body

    def test_rows_show_status_badges_final_or_live_time_in_the_agents_zone_and_money(
        self, sandbox: Sandbox, agent: Client, alice: User, acme: Project
    ) -> None:
        AgentPreference.objects.create(user=alice, time_zone="America/Los_Angeles")
        response = agent.get("/calls/?project=acme&number=+14152148508")
        body = text(response)
        assert "Started (America/Los_Angeles)" in body
        # The example call of seeds/000: Tue, 30 Jan 2024 13:39:53 GMT
        assert "2024-01-30 05:39:53" in words(response)
        assert "PST" not in words(response)  # the zone is named once, in the header
        assert 'title="2024-01-30 13:39:53 UTC"' in body
        assert 'class="badge final status-completed"' in body
        assert "0:00:23" in body and "0.077 USD" in body and "yes (1)" in body
        live = agent.get("/calls/?project=acme&status=ringing")
        assert 'class="badge live status-ringing"' in live.content.decode()

    def test_the_home_page_leads_to_the_search(self, agent: Client) -> None:
        assert agent.get("/")["Location"] == "/calls/"

    def test_an_agent_without_projects_is_told_so(self, agent: Client, sandbox: Sandbox) -> None:
        response = agent.get("/calls/")
        assert response.status_code == 200
        assert "not a member of any project" in text(response)
        assert sandbox.requests == []


class TestFiltersReachTheProviders:
    def test_talkstack_gets_its_own_query_parameters(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        agent.get(
            "/calls/?project=acme&number=(206) 809-1239&match=to&status=busy"
            "&date_from=2025-01-02&date_to=2025-03-04"
        )
        assert asked(sandbox, TS_HISTORY) == [
            {
                "to": "+12068091239",
                "status": "busy",
                # UTC days (the agent's zone is UTC here), a day wider on each side.
                "startTimeAfter": "2025-01-01",
                "startTimeBefore": "2025-03-05",
            }
        ]
        assert sandbox.requests_to(TS_HISTORY)[0].body == (
            b'{"projectId":"ts-proj-acme-0001","pageSize":25}'
        )

    def test_an_either_number_asks_talkstack_for_both_sides(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        agent.get("/calls/?project=acme&number=206.809.1239&match=either")
        assert sorted(asked(sandbox, TS_HISTORY), key=str) == [
            {"from": "+12068091239"},
            {"to": "+12068091239"},
        ]

    def test_signalwire_gets_its_own_query_parameters(
        self, sandbox: Sandbox, agent: Client, sw: Project
    ) -> None:
        agent.get(
            "/calls/?project=sw&number=+1 206 809 1239&match=from&status=no-answer"
            "&date_from=2025-01-02&date_to=2025-03-04"
        )
        assert asked(sandbox, SW_CALLS) == [
            {
                "From": "+12068091239",
                "Status": "no-answer",
                "StartTime>": "2025-01-01",
                "StartTime<": "2025-03-05",
                "PageSize": "50",
            }
        ]
        assert sandbox.requests_to(SW_CALLS)[0].path.endswith(f"/Accounts/{SW_PROJECT}/Calls.json")

    @pytest.mark.parametrize("typed", ["(206) 809-1239", "206.809.1239", "+1 206 809 1239"])
    def test_common_phone_formats_reach_both_providers_as_e164(
        self, sandbox: Sandbox, agent: Client, acme: Project, sw: Project, typed: str
    ) -> None:
        response = agent.get("/calls/", {"project": "all", "number": typed, "match": "to"})
        assert response.status_code == 200
        assert asked(sandbox, TS_HISTORY) == [{"to": "+12068091239"}]
        assert asked(sandbox, SW_CALLS) == [{"To": "+12068091239", "PageSize": "50"}]
        assert "calls to +12068091239" in text(response)


class TestResultsMatchTheProvider:
    def test_talkstack_rows_are_its_answer_row_for_row(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        response = agent.get("/calls/?project=acme&status=completed&date_to=2099-01-01")
        raw = httpx.post(
            sandbox.url + TS_HISTORY,
            params={"status": "completed", "startTimeBefore": "2099-01-01"},
            json={"projectId": "ts-proj-acme-0001", "pageSize": 25},
            headers={"x-api-key": accounts.TALKSTACK_PROJECTS["ts-proj-acme-0001"]},
        ).json()["data"]
        assert sids(response) == [item["callSid"] for item in raw]

    def test_newest_first_is_said_only_over_rows_that_are(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        in_order = agent.get("/calls/?project=acme&status=completed")
        sandbox.options["talkstack_order"] = "oldest_first"
        reversed_ = agent.get("/calls/?project=acme&status=completed")

        assert "newest first" in words(in_order)
        assert "newest first" not in words(reversed_)
        assert "in the order TalkStack AI gave them" in words(reversed_)
        assert sids(reversed_) == sids(in_order)[::-1]  # shown as given, not re-sorted

    def test_signalwire_rows_are_its_answer_row_for_row(
        self, sandbox: Sandbox, agent: Client, sw: Project
    ) -> None:
        number = sw_number(sandbox)
        response = agent.get("/calls/", {"project": "sw", "number": number, "match": "to"})
        raw = httpx.get(
            f"{sandbox.url}/api/laml/2010-04-01/Accounts/{SW_PROJECT}/Calls.json",
            params={"To": number, "PageSize": "50"},
            auth=(SW_PROJECT, accounts.SIGNALWIRE_PROJECTS[SW_PROJECT]),
        ).json()["calls"]
        assert raw and sids(response) == [item["sid"] for item in raw]

    def test_the_calls_shown_join_the_table_of_calls_seen(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        response = agent.get("/calls/?project=acme&number=+14152148508")
        assert set(SeenCall.objects.filter(project=acme).values_list("sid", flat=True)) == set(
            sids(response)
        )
        seen = SeenCall.objects.get(sid=EXAMPLE_SID)
        assert (seen.status, seen.from_number, seen.duration) == ("completed", "+14152148508", 23)


def more_url(response: Any) -> str:
    match = re.search(
        r'<tr class="more-row">\s*<td[^>]*>\s*<button type="button" hx-get="([^"]+)"',
        response.content.decode(),
    )
    assert match, "no More results button"
    return html.unescape(match.group(1))


class TestMoreResults:
    def test_talkstack_asks_again_with_a_larger_page_and_appends_only_new_rows(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        first = agent.get("/calls/?project=acme&status=completed", headers=HX)
        url = more_url(first)
        assert 'hx-target="closest tr"' in first.content.decode()
        second = agent.get(url, headers=HX)

        bodies = [r.body for r in sandbox.requests_to(TS_HISTORY)]
        assert [b'"pageSize":25' in bodies[0], b'"pageSize":50' in bodies[1]] == [True, True]
        assert asked(sandbox, TS_HISTORY)[1] == {"status": "completed"}
        assert second.status_code == 200
        assert "<table" not in second.content.decode() and "HX-Push-Url" not in second
        assert len(sids(second)) == 25 and not set(sids(second)) & set(sids(first))
        assert more_url(second) != url  # the next page after that

    def test_the_talkstack_bound_is_said_with_a_hint_to_narrow_the_dates(
        self, sandbox: Sandbox, agent: Client, acme: Project, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(TalkStack, "MAX_PAGE_SIZE", 50)
        first = agent.get("/calls/?project=acme", headers=HX)
        second = agent.get(more_url(first), headers=HX)
        assert 'class="more-row"' not in second.content.decode()
        assert "the most calls TalkStack AI returns for one search" in text(second)
        assert "narrow the start dates" in text(second)

    def test_signalwire_follows_next_page_uri(
        self, sandbox: Sandbox, agent: Client, sw: Project
    ) -> None:
        first = agent.get("/calls/?project=sw", headers=HX)
        second = agent.get(more_url(first), headers=HX)
        pages = asked(sandbox, SW_CALLS)
        assert pages[0] == {"PageSize": "50"}
        assert pages[1]["Page"] == "1" and pages[1]["PageToken"].startswith("PA")
        assert len(sids(second)) == 50 and not set(sids(second)) & set(sids(first))

    def test_an_either_number_pages_both_sides_as_one_list(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        first = agent.get("/calls/?project=acme&number=2068091239", headers=HX)
        assert "cursor=" not in more_url(first) and "after=" in more_url(first)
        second = agent.get(more_url(first), headers=HX)
        shown = sids(first) + sids(second)
        assert len(shown) == len(set(shown))
        later = asked(sandbox, TS_HISTORY)[2:]
        assert {tuple(q) for q in later} <= {("from",), ("to",)} and later
        times = re.findall(r'<time datetime="([^"]+)"', first.content.decode() + text(second))
        assert times == sorted(times, reverse=True)

    def test_a_cursor_outside_htmx_starts_the_search_over(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        url = more_url(agent.get("/calls/?project=acme", headers=HX))
        sandbox.reset(freeze=True)
        response = agent.get(url)
        assert "<html" in response.content.decode()
        assert b'"pageSize":25' in sandbox.requests_to(TS_HISTORY)[0].body

    @pytest.mark.parametrize("token", ["junk", ":50", "x" * 300])
    def test_a_bad_more_results_token_is_a_400_in_words(
        self, sandbox: Sandbox, agent: Client, acme: Project, token: str
    ) -> None:
        for extra in ({}, HX):
            response = agent.get("/calls/", {"project": "acme", "after": token}, headers=extra)
            assert response.status_code == 400
            assert "This “More results” link is damaged or belongs to another search" in text(
                response
            )
        assert sandbox.requests == []

    def test_a_more_results_token_of_another_search_is_refused(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        url = more_url(agent.get("/calls/?project=acme&status=completed", headers=HX))
        other = url.replace("status=completed", "status=busy")
        response = agent.get(other, headers=HX)
        assert response.status_code == 400 and "belongs to another search" in text(response)

    def test_a_failed_page_offers_to_retry_just_that_page(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        url = more_url(agent.get("/calls/?project=acme", headers=HX))
        sandbox.faults.down = True
        response = agent.get(url, headers=HX)
        assert response.status_code == 502
        assert 'class="error-row"' in response.content.decode()
        assert "TalkStack AI is having trouble (HTTP 503)" in text(response)
        assert html.escape(url) in response.content.decode()  # Retry asks for the same page


class TestPagesThatNeverEnd:
    def test_an_empty_page_that_says_more_offers_no_more_results_and_says_why(
        self, agent: Client, mocked_projects: dict[str, Project], endless_signalwire: EndlessPages
    ) -> None:
        transport, seen = endless_signalwire(0)
        with http.override_transport(transport):
            response = agent.get("/calls/?project=sw", headers=HX)
        assert response.status_code == 200
        assert 'class="more-row"' not in response.content.decode()
        assert "SignalWire sent a page with no new calls while saying more were coming" in text(
            response
        )
        assert len(seen) == 1

    def test_more_results_stop_at_an_empty_page(
        self, agent: Client, mocked_projects: dict[str, Project], endless_signalwire: EndlessPages
    ) -> None:
        transport, _seen = endless_signalwire(1)
        with http.override_transport(transport):
            first = agent.get("/calls/?project=sw", headers=HX)
        empty, _seen = endless_signalwire(0)
        with http.override_transport(empty):
            second = agent.get(more_url(first), headers=HX)
        assert second.status_code == 200
        assert 'class="more-row"' not in second.content.decode()
        assert "stopped there. To see older calls, narrow the start dates." in text(second)

    def test_all_my_projects_says_which_project_stopped(
        self, agent: Client, mocked_projects: dict[str, Project], endless_signalwire: EndlessPages
    ) -> None:
        transport, _seen = endless_signalwire(0)
        with http.override_transport(transport):
            response = agent.get("/calls/?project=all", headers=HX)
        assert "Sw (SignalWire): SignalWire sent a page with no new calls" in text(response)


class TestEmptyAndErrorStates:
    def test_no_match_says_which_filters_were_used(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        query = {"project": "acme", "number": "+1 999 555 0100", "status": "busy"}
        response = agent.get("/calls/", query, headers=HX)
        assert response.status_code == 200
        assert (
            "No calls match: calls to or from +19995550100 (typed “+1 999 555 0100”), status busy."
            in words(response)
        )

    def test_a_provider_that_is_down_is_named_with_a_retry_button(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        sandbox.faults.down = True
        for extra in ({}, HX):
            response = agent.get("/calls/?project=acme&status=busy", headers=extra)
            assert response.status_code == 502
            assert (
                "TalkStack AI (project Acme): TalkStack AI is having trouble (HTTP 503)"
                in words(response)
            )
            retry = 'class="primary" hx-get="/calls/?project=acme&status=busy" hx-target="#results"'
            assert retry in text(response)
            # The page keeps its form: only the results area says what failed.
            assert ('id="search-form"' in text(response)) == (extra == {})

    def test_rate_limiting_says_when_to_retry(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        sandbox.faults.rate_limit_next = 1
        sandbox.faults.retry_after = "30"
        response = agent.get("/calls/?project=acme", headers=HX)
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert "Try again in 30 s." in text(response)

    def test_a_timeout_answers_504(
        self, sandbox: Sandbox, agent: Client, acme: Project, settings: Any
    ) -> None:
        settings.PROVIDER_READ_TIMEOUT = 0.2
        sandbox.faults.timeout_sids = {"ts-proj-acme-0001"}
        sandbox.faults.hang_seconds = 0.6
        response = agent.get("/calls/?project=acme", headers=HX)
        assert response.status_code == 504
        assert "took too long" in text(response)

    def test_refused_credentials_are_a_provider_error_not_a_crash(
        self, sandbox: Sandbox, agent: Client, make_project: MakeProject, alice: User
    ) -> None:
        make_project("signalwire", "bad", members=[alice], secrets={"api_token": "wrong"})
        response = agent.get("/calls/?project=bad")
        assert response.status_code == 502
        assert "refused the project's ID and API token" in text(response)


class TestAllMyProjects:
    def test_every_project_is_asked_and_the_answers_merge_newest_first(
        self, sandbox: Sandbox, agent: Client, acme: Project, sw: Project, umbrella: Project
    ) -> None:
        response = agent.get("/calls/?project=all")
        body = response.content.decode()
        assert response.status_code == 200
        assert sandbox.requests_to(TS_HISTORY) and sandbox.requests_to(SW_CALLS)
        times = re.findall(r'<time datetime="([^"]+)"', body)
        assert times == sorted(times, reverse=True) and len(times) >= 25
        projects = re.findall(r'<td class="project">([^<]+)</td>', body)
        assert set(projects) == {"Acme", "Sw"}
        assert '<th scope="col">Project</th>' in body
        assert "Umbrella (Sinch) not searched" in words(response)
        assert more_url(response)

    def test_interleaving_projects_show_no_gaps_page_after_page(
        self, sandbox: Sandbox, agent: Client, acme: Project, sw: Project
    ) -> None:
        histories: dict[str, list[Any]] = {
            "acme": list(talkstack_data.calls_now(sandbox, "ts-proj-acme-0001")),
            "sw": list(signalwire_data.calls(sandbox, SW_PROJECT)),
        }
        shown: list[str] = []
        response = agent.get("/calls/?project=all", headers=HX)
        for _page in range(4):
            page = sids(response)
            shown += page
            # Every call not shown yet, of either project, is older than every row shown.
            oldest = min(
                (c.start for h in histories.values() for c in h if c.sid in page and c.start),
            )
            for history in histories.values():
                unshown = [c for c in history if c.sid not in shown and c.start is not None]
                assert all(c.start <= oldest for c in unshown)
            response = agent.get(more_url(response), headers=HX)
        assert len(shown) == len(set(shown)) and len(shown) >= 100
        assert {s for s in shown if s.startswith("CA")} and {s for s in shown if "-" in s}

    def test_a_project_whose_order_breaks_is_marked_where_its_calls_stop(
        self, sandbox: Sandbox, agent: Client, acme: Project, sw: Project
    ) -> None:
        sandbox.options["talkstack_order"] = "oldest_first"
        response = agent.get("/calls/?project=all", headers=HX)
        body = text(response)
        assert "Acme may have more calls from here on: TalkStack AI did not list its calls" in body
        assert 'class="gap-row"' in body
        assert "See Acme\u2019s own search" in body and 'href="/calls/?project=acme"' in body

    def test_one_project_failing_shows_a_notice_and_the_others_results(
        self, sandbox: Sandbox, agent: Client, acme: Project, sw: Project
    ) -> None:
        sandbox.faults.fail_sids[SW_PROJECT] = 500
        response = agent.get("/calls/?project=all", headers=HX)
        assert response.status_code == 200
        assert "SignalWire (project Sw) failed: SignalWire is having trouble (HTTP 500)" in words(
            response
        )
        assert len(sids(response)) == 25
        assert set(re.findall(r'<td class="project">([^<]+)</td>', response.content.decode())) == {
            "Acme"
        }

    def test_every_project_failing_is_an_error(
        self, sandbox: Sandbox, agent: Client, acme: Project, sw: Project
    ) -> None:
        sandbox.faults.down = True
        response = agent.get("/calls/?project=all", headers=HX)
        assert response.status_code == 502
        assert "The search failed" in text(response)
        assert "TalkStack AI" in text(response) and "SignalWire" in text(response)


class TestSinch:
    def test_the_page_says_there_is_no_history_and_lists_the_calls_seen(
        self, sandbox: Sandbox, agent: Client, umbrella: Project, make_project: MakeProject
    ) -> None:
        older, newer = "a" * 32, "b" * 32
        SeenCall.objects.create(
            project=umbrella, sid=older, status="completed", start="2025-03-01T10:00:00Z"
        )
        SeenCall.objects.create(
            project=umbrella, sid=newer, status="ringing", start="2025-03-02T10:00:00Z"
        )
        SeenCall.objects.create(project=make_project("sinch", "other"), sid="c" * 32)

        response = agent.get("/calls/?project=umbrella")
        body = text(response)
        assert response.status_code == 200
        assert "Sinch\u2019s API keeps no call history" in body
        assert "open a call by its ID in the box at the top of this page" in body
        assert sids(response) == [newer, older]
        assert sandbox.requests == []

    def test_the_page_offers_only_what_works_one_call_id_box_and_the_number(
        self, sandbox: Sandbox, agent: Client, acme: Project, umbrella: Project
    ) -> None:
        page = agent.get("/calls/?project=umbrella").content.decode()
        assert page.count(">Open call</button>") == 1
        assert 'id="search-form"' in page and "data-no-history>" in page
        assert '<div class="field field-status history-only" hidden>' in page
        assert page.count('<div class="field field-date history-only" hidden>') == 2
        assert 'id="id_number"' in page
        # The picker says which projects have no history, so the page follows a change.
        assert '<option value="umbrella" selected data-no-history>' in page
        assert '<option value="acme">' in page
        other = agent.get("/calls/?project=acme").content.decode()
        assert 'history-only" hidden' not in other
        assert 'hx-history="false" data-no-history>' in page
        assert 'hx-history="false" data-no-history>' not in other
        assert 'src="/static/js/search_scope.js"' in other

    def test_its_calls_seen_follow_the_filters(
        self, sandbox: Sandbox, agent: Client, umbrella: Project
    ) -> None:
        SeenCall.objects.create(
            project=umbrella, sid="a" * 32, status="completed", to_number="+12068091239"
        )
        SeenCall.objects.create(project=umbrella, sid="b" * 32, status="busy")
        response = agent.get("/calls/?project=umbrella&number=(206) 809-1239", headers=HX)
        assert sids(response) == ["a" * 32]
        empty = agent.get("/calls/?project=umbrella&number=(206) 809-1230", headers=HX)
        assert "No calls match: calls to or from +12068091230" in text(empty)

    def test_status_and_dates_the_page_does_not_offer_are_not_applied(
        self, sandbox: Sandbox, agent: Client, umbrella: Project
    ) -> None:
        SeenCall.objects.create(project=umbrella, sid="a" * 32, status="completed")
        SeenCall.objects.create(project=umbrella, sid="b" * 32, status="busy")
        response = agent.get("/calls/?project=umbrella&status=failed&date_from=2020-01-01")
        assert sorted(sids(response)) == ["a" * 32, "b" * 32]

    @pytest.mark.parametrize("dates", ["date_to=9999-12-31", "date_from=0001-01-01"])
    def test_dates_beyond_the_years_searched_are_refused_by_the_form(
        self, sandbox: Sandbox, agent: Client, umbrella: Project, dates: str
    ) -> None:
        response = agent.get(f"/calls/?project=umbrella&{dates}")
        assert response.status_code == 400
        assert "from 1970 to 2100" in text(response)


class TestBadInput:
    def test_an_invalid_number_is_explained_next_to_the_field_and_nobody_is_asked(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        page = agent.get("/calls/?project=acme&number=abc")
        assert page.status_code == 400
        assert re.search(
            r'<p class="field-error" id="error-number"[^>]*>“abc” is not a phone number',
            page.content.decode(),
        )
        fragment = agent.get("/calls/?project=acme&number=206809", headers=HX)
        assert fragment.status_code == 400
        assert re.search(
            r'id="error-number" data-inputs="id_number" hx-swap-oob="true">'
            r"“206809” is not a complete phone number",
            fragment.content.decode(),
        )
        assert "Nothing searched yet" in text(fragment)
        assert sandbox.requests == []

    def test_fixing_the_field_clears_its_message(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        fragment = agent.get("/calls/?project=acme&number=2068091239", headers=HX)
        assert (
            'id="error-number" data-inputs="id_number" hx-swap-oob="true"></p>'
            in fragment.content.decode()
        )

    @pytest.mark.parametrize(
        ("query", "status", "words"),
        [
            ("status=finished", 400, "is not a status callviewer knows"),
            ("status=%00", 400, "NUL character"),  # refused before the form (middleware)
            ("date_from=2025-13-01", 400, "is not a start date"),
            ("date_from=yesterday", 400, "is not a start date"),
            ("date_to=2025-02-29", 400, "is not an end date"),
            ("date_from=2025-03-05&date_to=2025-03-01", 400, "is before the start date"),
            ("date_from=99999-01-01", 400, "is not a start date"),
            ("date_to=9999-12-31", 400, "pick an end date from 1970 to 2100"),
            ("match=both", 400, "callee or either"),
            ("number=%2B%2B%2B", 400, "is not a phone number"),
            ("number=" + "9" * 41, 400, "at most 40 characters"),
            ("number=1'%20OR%201=1--", 400, "is not a phone number"),
            ("number=%E2%80%AE2068091239", 400, "is not a phone number"),
            ("number=<script>alert(1)</script>", 400, "is not a phone number"),
            ("sid=../../admin", 400, "not a call SID, nor a link holding one"),
            ("sid=" + "a" * 2001, 400, "at most 2000 characters"),
            ("project=" + "x" * 200, 404, "among yours"),
            ("project=%00", 400, "NUL character"),
            ("project=../acme", 404, "among yours"),
            ("project=acme&after=to:50", 400, "“More results” link is damaged"),
            ("project=acme&after=%00%00", 400, "NUL character"),
            ("project=acme&number=&match=&status=&date_from=&date_to=&sid=", 200, "latest calls"),
        ],
    )
    def test_malformed_values_never_crash_and_say_what_is_wrong(
        self, sandbox: Sandbox, agent: Client, acme: Project, query: str, status: int, words: str
    ) -> None:
        for extra in ({}, HX):
            response = agent.get("/calls/?" + query, headers=extra)
            assert response.status_code == status
            assert words in text(response)
        if status != 200:
            assert sandbox.requests == []

    def test_the_invalid_input_is_put_back_escaped(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        response = agent.get('/calls/?project=acme&number="><script>x</script>')
        body = response.content.decode()
        assert "<script>x</script>" not in body
        assert 'value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in body


TYPING = HX | {"X-Typing": "true"}


class TestTypingIsNeverPunished:
    @pytest.mark.parametrize("number", ["(206) 8", "206-80", "+1 206", "+", "2068091"])
    def test_a_number_more_typing_can_complete_is_no_error_while_typing(
        self, sandbox: Sandbox, agent: Client, acme: Project, number: str
    ) -> None:
        response = agent.get("/calls/", {"project": "acme", "number": number}, headers=TYPING)
        body = response.content.decode()
        assert response.status_code == 200
        assert response["HX-Reswap"] == "none"  # the results on screen stay
        assert response["HX-Push-Url"] == "false"
        assert 'id="error-number" data-inputs="id_number" hx-swap-oob="true"></p>' in body
        assert "Keep typing: not a whole phone number yet." in words(response)
        assert "Nothing searched yet" not in body
        assert sandbox.requests == []

    @pytest.mark.parametrize(
        ("number", "error"),
        [
            ("abc", "is not a phone number"),
            ("206 809 1239 1234 5678 9", "is not a phone number"),  # too long for any
        ],
    )
    def test_a_number_no_typing_can_complete_is_an_error_at_once(
        self, sandbox: Sandbox, agent: Client, acme: Project, number: str, error: str
    ) -> None:
        response = agent.get("/calls/", {"project": "acme", "number": number}, headers=TYPING)
        assert response.status_code == 400
        assert error in words(response)
        assert "HX-Reswap" not in response

    def test_submitting_a_half_typed_number_says_it_is_incomplete(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        response = agent.get("/calls/", {"project": "acme", "number": "(206) 8"}, headers=HX)
        assert response.status_code == 400
        assert "“(206) 8” is not a complete phone number" in words(response)
        assert "Keep typing" not in words(response)

    def test_a_year_whose_digits_are_still_arriving_waits(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        query = {"project": "acme", "date_from": "0202-03-14"}
        typing = agent.get("/calls/", query, headers=TYPING)
        assert typing.status_code == 200 and typing["HX-Reswap"] == "none"
        assert "outside the years" not in words(typing)
        submitted = agent.get("/calls/", query, headers=HX)
        assert submitted.status_code == 400
        assert "outside the years callviewer searches" in words(submitted)

    def test_a_whole_number_typed_is_searched_and_clears_the_hint(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        response = agent.get(
            "/calls/", {"project": "acme", "number": "(206) 809-1239"}, headers=TYPING
        )
        assert response.status_code == 200 and "HX-Reswap" not in response
        assert (
            '<p class="typing-hint" id="hint-number" aria-live="polite" hx-swap-oob="true"></p>'
            in (response.content.decode())
        )
        assert "calls to or from +12068091239" in words(response)

    def test_the_typing_header_is_ignored_outside_htmx(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        response = agent.get(
            "/calls/", {"project": "acme", "number": "(206) 8"}, headers={"X-Typing": "true"}
        )
        assert response.status_code == 400
        assert "is not a complete phone number" in words(response)


class TestRowsReadLikeTheCallPage:
    def test_numbers_are_national_with_e164_on_hover_and_copy(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        response = agent.get("/calls/?project=acme&number=%2B14152148508&match=from")
        body = text(response)
        assert (
            '<span class="party-text" data-copy-as="+14152148508" title="+14152148508">'
            "(415) 214-8508</span>" in body
        )

    def test_a_number_of_another_region_is_international(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        acme.settings = acme.settings | {"phone_region": "GB"}
        acme.save()
        response = agent.get("/calls/?project=acme&number=%2B14152148508&match=from")
        assert 'data-copy-as="+14152148508" title="+14152148508">+1 415-214-8508<' in text(response)

    def test_badges_carry_the_outcome_family(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        for status, family in [
            ("completed", "answered"),
            ("busy", "not-answered"),
            ("no-answer", "not-answered"),
            ("failed", "failed"),
            ("ringing", "live"),
        ]:
            body = agent.get(f"/calls/?project=acme&status={status}").content.decode()
            badges = re.findall(r'class="badge [^"]*" data-family="([^"]+)"', body)
            assert badges and set(badges) == {family}, status

    def test_a_live_call_costs_a_dash_until_it_ends(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        body = text(agent.get("/calls/?project=acme&status=in-progress"))
        costs = re.findall(r'<td class="num cost" data-label="Cost">(.*?)</td>', body)
        assert costs and all("—" in c and "USD" not in c for c in costs)

    def test_direction_shows_only_for_a_provider_that_gives_it(
        self, sandbox: Sandbox, agent: Client, acme: Project, sw: Project
    ) -> None:
        assert '<th scope="col">Direction</th>' not in text(agent.get("/calls/?project=acme"))
        assert '<th scope="col">Direction</th>' in text(agent.get("/calls/?project=sw"))
        everywhere = text(agent.get("/calls/?project=all"))
        assert '<th scope="col">Direction</th>' in everywhere
        assert 'title="TalkStack AI does not say">—' in everywhere


class TestTheEmptyStateOnlyWidens:
    def test_it_suggests_only_the_filters_that_are_set(
        self, sandbox: Sandbox, agent: Client, acme: Project, sw: Project
    ) -> None:
        query = {"project": "acme", "number": "+1 999 555 0100", "status": "busy"}
        said = words(agent.get("/calls/", query, headers=HX))
        assert "any status, not only “busy”" in said
        assert "“All my projects”" in said
        assert "date range" not in said and "caller or callee" not in said
        assert "Export CSV" not in said

    def test_with_nothing_to_widen_it_says_to_check_the_number(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        query = {"project": "acme", "number": "+1 999 555 0100"}
        said = words(agent.get("/calls/", query, headers=HX))
        assert "any status" not in said and "date range" not in said
        assert "has this number on either side. Check the number." in said
        assert "Export CSV" not in said

    def test_results_offer_the_export(self, sandbox: Sandbox, agent: Client, acme: Project) -> None:
        assert "Export CSV" in words(agent.get("/calls/?project=acme", headers=HX))


class TestAccess:
    def test_another_agents_project_is_a_404_everywhere(
        self, sandbox: Sandbox, agent: Client, acme: Project, bob: User, make_project: MakeProject
    ) -> None:
        make_project("signalwire", "bobs", members=[bob])
        for url, extra in [
            ("/calls/?project=bobs", {}),
            ("/calls/?project=bobs", HX),
            ("/calls/?project=bobs&after=x", HX),
            ("/calls/export.csv?project=bobs", {}),
        ]:
            response = agent.get(url, headers=extra)
            assert response.status_code == 404, url
            assert "Bobs" not in response.content.decode()  # nothing about it, not even its name
        assert sandbox.requests == []
        assert "Bobs" not in agent.get("/calls/").content.decode()  # not in the picker

    def test_a_group_member_sees_the_groups_project(
        self, sandbox: Sandbox, client: Client, bob: User, make_project: MakeProject
    ) -> None:
        group = Group.objects.create(name="Support")
        bob.groups.add(group)
        make_project("talkstack", "shared", groups=[group])
        client.force_login(bob)
        response = client.get("/calls/?project=shared")
        assert response.status_code == 200 and sids(response)
        assert '<option value="shared" selected>' in response.content.decode()

    def test_the_picker_holds_only_the_agents_projects_and_all(
        self,
        sandbox: Sandbox,
        agent: Client,
        acme: Project,
        sw: Project,
        bob: User,
        make_project: MakeProject,
    ) -> None:
        make_project("sinch", "bobs", members=[bob])
        options = re.findall(
            r'<option value="([^"]*)"', agent.get("/calls/?project=acme").content.decode()
        )
        assert options[:3] == ["all", "acme", "sw"]
        assert "bobs" not in options

    def test_signed_out_visitors_go_to_the_login(self, client: Client, db: None) -> None:
        response = client.get("/calls/?project=acme")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


class TestRememberedProject:
    def test_the_last_choice_is_used_when_the_page_is_opened_again(
        self, sandbox: Sandbox, agent: Client, alice: User, acme: Project, sw: Project
    ) -> None:
        agent.get("/calls/?project=sw", headers=HX)
        assert AgentPreference.objects.get(user=alice).last_project == "sw"
        sandbox.reset()
        response = agent.get("/calls/")
        assert '<option value="sw" selected>' in response.content.decode()
        assert sandbox.requests_to(SW_CALLS) and not sandbox.requests_to(TS_HISTORY)
        agent.get("/calls/?project=all")
        assert AgentPreference.objects.get(user=alice).last_project == "all"

    def test_a_remembered_project_the_agent_lost_falls_back_to_all(
        self, sandbox: Sandbox, agent: Client, alice: User, acme: Project, sw: Project
    ) -> None:
        AgentPreference.objects.create(user=alice, last_project="gone")
        assert '<option value="all" selected>' in agent.get("/calls/").content.decode()

    def test_opening_the_page_does_not_write_the_preference_each_time(
        self, sandbox: Sandbox, agent: Client, alice: User, acme: Project
    ) -> None:
        from django.db import connection

        agent.get("/calls/?project=acme")
        with CaptureQueriesContext(connection) as queries:
            agent.get("/calls/?project=acme")
        assert not [
            q for q in queries if "callviewer_preference" in q["sql"] and "UPDATE" in q["sql"]
        ]
        assert not [
            q for q in queries if "projects_agentpreference" in q["sql"] and "UPDATE" in q["sql"]
        ]


class TestSidJump:
    def test_a_sid_opens_the_call_in_whichever_project_holds_it(
        self, sandbox: Sandbox, agent: Client, acme: Project, sw: Project
    ) -> None:
        # Acme's call, pasted while SignalWire's project is picked: found all the same.
        response = agent.get(f"/calls/?project=sw&sid=%20{EXAMPLE_SID}%20", follow=True)
        assert response.redirect_chain == [(f"/calls/{EXAMPLE_SID}/", 302)]
        assert response.status_code == 200
        assert EXAMPLE_SID in text(response) and "Acme" in text(response)

    @pytest.mark.parametrize(
        "typed",
        [
            EXAMPLE_SID.lower(),
            EXAMPLE_SID.upper(),
            f"  {EXAMPLE_SID.upper()}\t",
            f"https://callviewer.example.com/calls/{EXAMPLE_SID.lower()}/",
            f"https://www.twilio.com/console/voice/calls/logs/{EXAMPLE_SID}",
        ],
    )
    def test_any_case_spaces_and_links_lead_to_the_sid_as_its_provider_spells_it(
        self, sandbox: Sandbox, agent: Client, acme: Project, typed: str
    ) -> None:
        response = agent.get("/calls/", {"project": "acme", "sid": typed})
        assert response["Location"] == f"/calls/{EXAMPLE_SID}/"
        assert sandbox.requests == []

    def test_an_uppercase_signalwire_uuid_opens_its_call(
        self, sandbox: Sandbox, agent: Client, acme: Project, sw: Project
    ) -> None:
        sid = signalwire_data.calls(sandbox, SW_PROJECT)[0].sid
        response = agent.get("/calls/", {"project": "acme", "sid": sid.upper()}, follow=True)
        assert response.redirect_chain == [(f"/calls/{sid}/", 302)]
        assert response.status_code == 200 and sid in text(response)

    def test_a_pasted_callviewer_link_keeps_its_project_when_it_is_the_agents(
        self, sandbox: Sandbox, agent: Client, acme: Project, sw: Project
    ) -> None:
        link = f"https://cv.example.com/calls/{EXAMPLE_SID}/?project=acme"
        assert agent.get("/calls/", {"project": "sw", "sid": link})["Location"] == (
            f"/calls/{EXAMPLE_SID}/?project=acme"
        )
        theirs = f"https://cv.example.com/calls/{EXAMPLE_SID}/?project=bobs"
        assert agent.get("/calls/", {"sid": theirs})["Location"] == f"/calls/{EXAMPLE_SID}/"

    def test_what_holds_no_sid_is_explained_by_the_box(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        response = agent.get("/calls/", {"project": "acme", "sid": "CA123"})
        assert response.status_code == 400
        assert "is not a call SID, nor a link holding one" in text(response)
        assert sandbox.requests == []

    def test_an_htmx_request_with_a_sid_redirects_the_browser(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        response = agent.get(f"/calls/?project=acme&sid={EXAMPLE_SID}", headers=HX)
        assert response["HX-Redirect"] == f"/calls/{EXAMPLE_SID}/"

    def test_the_not_found_pages_search_box_lands_here(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        assert agent.get(f"/calls/?sid={EXAMPLE_SID}")["Location"] == f"/calls/{EXAMPLE_SID}/"


class TestAudit:
    def test_a_search_is_recorded_once_and_its_more_results_are_no_new_search(
        self, sandbox: Sandbox, agent: Client, alice: User, acme: Project
    ) -> None:
        agent.get("/calls/?project=acme&number=206809", headers=HX)  # typing...
        first = agent.get("/calls/?project=acme&number=2068091239&status=completed", headers=HX)
        agent.get(more_url(first), headers=HX)
        event = AuditEvent.objects.get()
        assert (event.action, event.user, event.project) == ("search", alice, acme)
        assert event.detail == (
            "project acme: calls to or from +12068091239 (typed “2068091239”), status completed"
            "; more results shown"
        )

    def test_invalid_searches_are_not_recorded(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        agent.get("/calls/?project=acme&number=abc")
        assert not AuditEvent.objects.exists()

    def test_all_projects_is_recorded_without_a_project(
        self, sandbox: Sandbox, agent: Client, acme: Project, sw: Project
    ) -> None:
        agent.get("/calls/?project=all")
        event = AuditEvent.objects.get()
        assert event.project is None and event.detail == "all 2 projects: any call"


class TestDaysInTheAgentsZone:
    @pytest.fixture
    def in_los_angeles(self, alice: User) -> zoneinfo.ZoneInfo:
        AgentPreference.objects.create(user=alice, time_zone="America/Los_Angeles")
        return zoneinfo.ZoneInfo("America/Los_Angeles")

    def test_a_day_means_the_agents_day_evening_included(
        self, sandbox: Sandbox, agent: Client, acme: Project, in_los_angeles: Any
    ) -> None:
        zone = in_los_angeles
        history = talkstack_data.calls_now(sandbox, "ts-proj-acme-0001")
        # A call in a Los Angeles evening: already the next day in UTC.
        evening = next(
            c
            for c in history[5:]
            if dt.datetime.fromtimestamp(c.start, zone).hour >= 17 and c.status == "completed"
        )
        local = dt.datetime.fromtimestamp(evening.start, zone)
        assert dt.datetime.fromtimestamp(evening.start, dt.UTC).date() > local.date()
        day = local.date().isoformat()

        response = agent.get(f"/calls/?project=acme&date_from={day}&date_to={day}", headers=HX)

        assert evening.sid in sids(response)
        start = dt.datetime.combine(local.date(), dt.time(), tzinfo=zone)
        end = start + dt.timedelta(days=1)
        shown = {c.sid: c for c in history if c.sid in sids(response)}
        assert all(start <= dt.datetime.fromtimestamp(c.start, zone) < end for c in shown.values())
        assert f"started on {day} (America/Los_Angeles)" in words(response)
        (params,) = asked(sandbox, TS_HISTORY)
        assert params["startTimeAfter"] < day < params["startTimeBefore"]

    def test_the_zone_is_named_on_the_date_fields_and_once_in_the_table(
        self, sandbox: Sandbox, agent: Client, acme: Project, in_los_angeles: Any
    ) -> None:
        body = text(agent.get("/calls/?project=acme"))
        assert 'Started from <span class="hint">(America/Los_Angeles)</span>' in body
        assert "Started (America/Los_Angeles)</th>" in body
        # Named by the date fields, the quick ranges and the table header; never by a row.
        assert body.count("America/Los_Angeles") == 4 and 'class="tz"' not in body

    @pytest.mark.parametrize(
        ("name", "days_back", "length"),
        [("today", 0, 1), ("yesterday", 1, 1), ("7d", 6, 7), ("30d", 29, 30)],
    )
    def test_a_quick_range_sets_both_dates_in_the_agents_zone(
        self,
        sandbox: Sandbox,
        agent: Client,
        acme: Project,
        in_los_angeles: Any,
        name: str,
        days_back: int,
        length: int,
    ) -> None:
        today = dt.datetime.now(in_los_angeles).date()
        first = today - dt.timedelta(days=days_back)
        last = first + dt.timedelta(days=length - 1)
        response = agent.get(
            "/calls/", {"project": "acme", "date_from": "2020-01-01", "range": name}, headers=HX
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert (
            f'id="id_date_from" value="{first}" aria-describedby="error-dates" hx-swap-oob' in body
        )
        assert f'id="id_date_to" value="{last}" aria-describedby="error-dates" hx-swap-oob' in body
        assert response["HX-Push-Url"] == (f"/calls/?project=acme&date_from={first}&date_to={last}")

    def test_an_unknown_quick_range_is_explained(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        response = agent.get("/calls/?project=acme&range=fortnight")
        assert response.status_code == 400 and "Pick a quick range: Today" in text(response)

    def test_the_page_offers_the_quick_ranges_after_the_search_button(
        self, sandbox: Sandbox, agent: Client, acme: Project
    ) -> None:
        body = agent.get("/calls/?project=acme").content.decode()
        buttons = re.findall(r'<button type="submit"[^>]*>([^<]+)</button>', body)
        assert buttons[-5:] == ["Search", "Today", "Yesterday", "Last 7 days", "Last 30 days"]

    def test_sinch_calls_seen_ignore_dates_the_page_does_not_offer(
        self, sandbox: Sandbox, agent: Client, umbrella: Project, in_los_angeles: Any
    ) -> None:
        """A Sinch page shows no date fields, so dates in its URL filter nothing unseen."""
        late = "a" * 32  # 2025-03-14 05:00 UTC: the evening of 13 March in Los Angeles
        SeenCall.objects.create(project=umbrella, sid=late, start="2025-03-14T05:00:00Z")
        SeenCall.objects.create(project=umbrella, sid="b" * 32, start="2025-03-14T09:00:00Z")
        response = agent.get("/calls/?project=umbrella&date_from=2025-03-13&date_to=2025-03-13")
        assert sids(response) == ["b" * 32, late]

    @pytest.mark.parametrize("provider", ["talkstack", "signalwire"])
    def test_a_dst_change_day_in_los_angeles_is_trimmed_to_its_25_hours(
        self,
        agent: Client,
        mocked_projects: dict[str, Project],
        in_los_angeles: Any,
        provider: str,
    ) -> None:
        # 2026-11-01 in Los Angeles: 07:00 UTC (midnight PDT) to 08:00 UTC on 2 Nov (PST).
        edges = {
            "2026-11-01T06:59:59Z": False,  # 31 Oct, 23:59:59 PDT
            "2026-11-01T07:00:00Z": True,
            "2026-11-02T07:59:59Z": True,  # 1 Nov, 23:59:59 PST
            "2026-11-02T08:00:00Z": False,
        }
        moments = [dt.datetime.fromisoformat(m) for m in edges]
        asked_params: list[dict[str, str]] = []

        def answer(request: httpx.Request) -> httpx.Response:
            asked_params.append(dict(request.url.params))
            newest_first = sorted(moments, reverse=True)
            if provider == "talkstack":
                rfc = [m.strftime("%a, %d %b %Y %H:%M:%S +0000") for m in newest_first]
                calls = [
                    {"callSid": f"CA{n:032x}", "status": "completed", "date": d}
                    for n, d in enumerate(rfc)
                ]
                return httpx.Response(200, json=calls)
            items = [
                {
                    "sid": str(uuid.UUID(int=n)),
                    "status": "completed",
                    "start_time": m.strftime("%a, %d %b %Y %H:%M:%S +0000"),
                }
                for n, m in enumerate(newest_first)
            ]
            return httpx.Response(200, json={"calls": items, "next_page_uri": None})

        slug = {"talkstack": "ts", "signalwire": "sw"}[provider]
        with http.override_transport(httpx.MockTransport(answer)):
            response = agent.get(
                f"/calls/?project={slug}&date_from=2026-11-01&date_to=2026-11-01", headers=HX
            )
        shown = re.findall(r'<time datetime="([^"]+)"', response.content.decode())
        assert [dt.datetime.fromisoformat(s) for s in shown] == [
            m for m in sorted(moments, reverse=True) if edges[m.strftime("%Y-%m-%dT%H:%M:%SZ")]
        ]
        after, before = ("startTimeAfter", "startTimeBefore")
        if provider == "signalwire":
            after, before = ("StartTime>", "StartTime<")
        assert (asked_params[0][after], asked_params[0][before]) == ("2026-10-31", "2026-11-03")
