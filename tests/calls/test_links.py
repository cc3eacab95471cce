"""Links to a call's pages from any SID a provider sends: a link that opens it, or none."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from django.test import Client
from django.urls import resolve

from callviewer.calls import links
from callviewer.projects.models import Project
from callviewer.providers import http

pytestmark = pytest.mark.django_db

UUID = "6e6b6fc8-2a8c-4a0c-9d5e-1f5cf1d1b2a7"
TS_SID = "CA" + "ab" * 16
# What a provider may put in a call's SID field (found: a `/` gave a 500 to every member).
HOSTILE_SIDS = [
    "a/b",
    "/",
    f"{UUID}/../x",
    "x?y=1#z",
    "100%",
    "%2F",
    " ",
    "ca\u0301ll \u260e",
    "\u202e" + UUID,
    "A" * 5000,
]


@pytest.mark.parametrize("sid", HOSTILE_SIDS)
def test_a_sid_its_provider_could_not_have_issued_gets_no_link(
    mocked_projects: dict[str, Project], sid: str
) -> None:
    for project in mocked_projects.values():
        assert links.call_url(sid, project) == ""


def test_a_sid_of_its_providers_shape_links_to_its_page_in_its_project(
    mocked_projects: dict[str, Project],
) -> None:
    assert links.call_url(UUID, mocked_projects["signalwire"]) == f"/calls/{UUID}/?project=sw"
    assert links.call_url(TS_SID, mocked_projects["talkstack"], links.STATUS) == (
        f"/calls/{TS_SID}/status/?project=ts"
    )
    assert links.call_url(TS_SID, mocked_projects["talkstack"], links.RECORDING, 2) == (
        f"/calls/{TS_SID}/recordings/2/?project=ts"
    )


@pytest.mark.parametrize("sid", ["x?y=1#z", "100%", "%2F", " ", "ca\u0301ll \u260e"])
def test_an_unpinned_link_encodes_the_sid_and_leads_back_to_it(sid: str) -> None:
    url = links.call_url(sid)

    assert "?" not in url and "#" not in url
    # The WSGI server hands Django the path unquoted.
    assert resolve(unquote(url)).kwargs == {"sid": sid}


@pytest.mark.parametrize("sid", ["", "a/b", "/"])
def test_a_sid_that_cannot_be_in_a_path_has_no_unpinned_link(sid: str) -> None:
    assert links.call_url(sid) == ""


# Through the pages: rows of such SIDs show without links, never a 500


def signalwire_list(sids: list[str]) -> httpx.MockTransport:
    calls = [
        {"sid": sid, "status": "completed", "start_time": "Fri, 14 Mar 2025 09:00:00 +0000"}
        for sid in sids
    ]

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/Calls.json"):
            return httpx.Response(200, json={"calls": calls, "next_page_uri": None})
        return httpx.Response(404, json={"message": "Not Found"})

    return httpx.MockTransport(handle)


@pytest.mark.parametrize("slug", ["sw", "all"])
def test_the_search_leaves_out_rows_of_sids_no_call_page_can_open(
    mocked_projects: dict[str, Project], agent: Client, slug: str
) -> None:
    with http.override_transport(signalwire_list([*HOSTILE_SIDS, UUID])):
        response = agent.get("/calls/", {"project": slug})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-href="/calls/') == 1
    assert f'data-href="/calls/{UUID}/?project=sw"' in page
    # The provider module lists only SIDs of its own shape (the call page asks for no other).
    assert "a/b" not in page


def test_the_export_leaves_out_sids_no_call_page_can_open(
    mocked_projects: dict[str, Project], agent: Client
) -> None:
    with http.override_transport(signalwire_list(["a/b", UUID])):
        response = agent.get("/calls/export.csv", {"project": "all"})
    assert response.status_code == 200
    rows = {r["call_sid"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert "a/b" not in rows
    assert rows[UUID]["call_url"] == f"http://testserver/calls/{UUID}/?project=sw"


def test_a_call_answered_under_another_sid_links_to_the_sid_it_was_opened_with(
    mocked_projects: dict[str, Project], agent: Client
) -> None:
    answer: dict[str, Any] = {"callSid": "a/b", "status": "in-progress"}

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answer)

    with http.override_transport(httpx.MockTransport(handle)):
        page = agent.get(f"/calls/{TS_SID}/?project=ts")
        answer |= {"status": "completed", "recordingUrls": ["https://media.test/r/RE1.wav"]}
        status = agent.get(f"/calls/{TS_SID}/status/?project=ts", headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert f'hx-get="/calls/{TS_SID}/status/?project=ts"' in page.content.decode()
    assert status.status_code == 286
    assert f'src="/calls/{TS_SID}/recordings/1/?project=ts"' in status.content.decode()


def test_a_fragment_opened_as_a_page_goes_to_its_calls_page_pinned_to_its_project() -> None:
    assert links.fragment_page("CA1", "") == "/calls/CA1/"
    assert links.fragment_page("CA1", "acme support") == "/calls/CA1/?project=acme+support"
