"""Fixtures shared by the call tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from callviewer.projects.models import Project

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
