"""The preferences page: the time zone is a choice among IANA zones, checked."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from callviewer.projects.models import AgentPreference

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


def test_the_page_offers_every_zone_with_the_current_one_selected(
    agent: Client, alice: User
) -> None:
    AgentPreference.objects.create(user=alice, time_zone="America/Los_Angeles")
    body = agent.get("/preferences/").content.decode()
    assert '<select name="time_zone" id="id_time_zone"' in body
    assert '<option value="America/Los_Angeles" selected>' in body
    assert '<option value="Europe/Berlin">' in body and '<option value="UTC">' in body


def test_an_agent_without_a_zone_sees_the_servers_default_selected(agent: Client) -> None:
    body = agent.get("/preferences/").content.decode()
    assert '<option value="UTC" selected>' in body and "the server\u2019s default" in body


def test_a_chosen_zone_is_saved_and_used_at_once(agent: Client, alice: User) -> None:
    response = agent.post("/preferences/", {"time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    assert AgentPreference.objects.get(user=alice).time_zone == "Asia/Tokyo"
    page = agent.get("/preferences/")
    assert "Times are now shown in Asia/Tokyo." in page.content.decode()
    assert '<option value="Asia/Tokyo" selected>' in page.content.decode()


@pytest.mark.parametrize("zone", ["", "Mars/Base", "<script>", "utc", "x" * 500])
def test_a_zone_the_server_does_not_know_is_refused_in_words(
    agent: Client, alice: User, zone: str
) -> None:
    response = agent.post("/preferences/", {"time_zone": zone})
    assert response.status_code == 400
    assert "is not a time zone this server knows" in response.content.decode()
    assert not AgentPreference.objects.filter(user=alice).exclude(time_zone="").exists()
