"""Fixtures shared by the call tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from django.contrib.auth.models import User
from django.test import Client

from callviewer.projects.models import Project
from callviewer.sandbox import accounts

# The call list of the SignalWire project make_project makes.
SW_CALLS = f"/api/laml/2010-04-01/Accounts/{next(iter(accounts.SIGNALWIRE_PROJECTS))}/Calls.json"

# Hosts of the projects made by `mocked_projects`: answered at the HTTP seam (a MockTransport
# given to http.override_transport), never the network.
MOCKED_SETTINGS = {
    "talkstack": {"base_url": "https://talkstack.test", "twilio_base_url": "https://media.test"},
    "signalwire": {"base_url": "https://signalwire.test"},
    "sinch": {"base_url": "https://sinch.test"},
}


@pytest.fixture
def agent(client: Client, alice: User) -> Client:
    """The test client, signed in as alice (an agent)."""
    client.force_login(alice)
    return client


@pytest.fixture
def mocked_projects(make_project: Any, alice: User) -> dict[str, Project]:
    """One project of alice's per provider, slugs "ts", "sw" and "sinch", on MOCKED_SETTINGS."""
    slugs = {"talkstack": "ts", "signalwire": "sw", "sinch": "sinch"}
    return {
        name: make_project(name, slugs[name], members=[alice], settings=settings)
        for name, settings in MOCKED_SETTINGS.items()
    }


@pytest.fixture
def endless_signalwire() -> Callable[[int], tuple[httpx.MockTransport, list[httpx.Request]]]:
    """SignalWire (of `mocked_projects`) always saying there is a next page.

    endless_signalwire(n) is a transport answering each page with n new calls, and the list
    of the requests it gets.
    """

    def pages(calls_per_page: int) -> tuple[httpx.MockTransport, list[httpx.Request]]:
        seen: list[httpx.Request] = []

        def handle(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            n = len(seen)
            calls = [
                {"sid": str(uuid.UUID(int=n * 1000 + i)), "status": "completed"}
                for i in range(calls_per_page)
            ]
            # Each transport's pages are its own: never the page that was asked for.
            following = f"{SW_CALLS}?Page={n}&PageToken=PA{id(seen)}-{n}"
            return httpx.Response(200, json={"calls": calls, "next_page_uri": following})

        return httpx.MockTransport(handle), seen

    return pages
