"""The first sign-in takes the browser's time zone (sent by the sign-in form)."""

from __future__ import annotations

import html

import pytest
from django.contrib.auth.models import User
from django.test import Client

from callviewer.projects.models import AgentPreference

pytestmark = pytest.mark.django_db


def sign_in(client: Client, **extra: str):  # type: ignore[no-untyped-def]
    data = {"username": "alice", "password": "alice-password-1", **extra}
    return client.post("/accounts/login/", data, follow=True)


def test_the_sign_in_form_carries_a_field_for_the_browsers_zone(client: Client) -> None:
    body = client.get("/accounts/login/").content.decode()
    assert '<input type="hidden" name="time_zone" id="id_browser_time_zone" value="">' in body
    assert "/static/js/time_zone.js" in body and "<script>" not in body


def test_the_first_sign_in_takes_the_browsers_zone_and_says_so(client: Client, alice: User) -> None:
    response = sign_in(client, time_zone="America/Los_Angeles")
    assert AgentPreference.objects.get(user=alice).time_zone == "America/Los_Angeles"
    shown = html.unescape(response.text)
    assert "Times are shown in America/Los_Angeles, your browser's time zone" in shown
    assert client.session["tz"] == "America/Los_Angeles"


def test_a_zone_already_chosen_is_kept(client: Client, alice: User) -> None:
    AgentPreference.objects.create(user=alice, time_zone="Europe/Paris")
    response = sign_in(client, time_zone="America/Los_Angeles")
    assert AgentPreference.objects.get(user=alice).time_zone == "Europe/Paris"
    assert "your browser's time zone" not in html.unescape(response.text)


@pytest.mark.parametrize("zone", ["", "Not/AZone", "<b>x</b>"])
def test_no_zone_or_an_unknown_one_leaves_the_default(
    client: Client, alice: User, zone: str
) -> None:
    response = sign_in(client, time_zone=zone)
    assert response.status_code == 200 and "_auth_user_id" in client.session
    assert not AgentPreference.objects.filter(user=alice).exclude(time_zone="").exists()
