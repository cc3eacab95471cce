"""Project: secrets kept encrypted, with when and by whom each was set."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import User

from callviewer.projects.models import AgentPreference, Project, preference_for

pytestmark = pytest.mark.django_db


def test_set_secrets_says_what_changed_and_notes_who_never_the_values():
    project = Project(slug="p", name="P", provider="talkstack")
    assert project.set_secrets({"api_key": "k1", "twilio_auth_token": ""}, by="alice") == {
        "api_key": "set"
    }
    assert project.secrets_meta["api_key"]["set_by"] == "alice"
    assert "k1" not in str(project.secrets_meta)
    changes = project.set_secrets({"api_key": "k2", "twilio_auth_token": "t"}, by="bob")
    assert changes == {"api_key": "replaced", "twilio_auth_token": "set"}
    assert project.set_secrets({"api_key": "k2", "twilio_auth_token": "t"}, by="carol") == {}
    assert {m["set_by"] for m in project.secrets_meta.values()} == {"bob"}
    assert project.set_secrets({"api_key": "k2"}, by="dan") == {"twilio_auth_token": "removed"}
    assert set(project.secrets_meta) == {"api_key"}


def test_unreadable_secrets_count_as_replaced_and_removed_by_their_names(settings):
    project = Project(slug="p", name="P", provider="talkstack")
    project.set_secrets({"api_key": "k1", "twilio_auth_token": "t"}, by="alice")
    settings.CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    changes = project.set_secrets({"api_key": "k1"}, by="bob")
    assert changes == {"api_key": "replaced", "twilio_auth_token": "removed"}
    assert project.get_secrets() == {"api_key": "k1"}


def test_the_zones_offered_are_iana_regions_and_utc_and_aliases_are_known() -> None:
    from callviewer.projects.models import known_zone, time_zones

    zones = time_zones()
    assert "America/Los_Angeles" in zones and "UTC" in zones and zones == sorted(zones)
    assert "EST" not in zones  # not offered, but a server-known name all the same
    assert known_zone("EST") and known_zone("Asia/Calcutta")  # an alias browsers still send
    for bad in ("", "Mars/Olympus_Mons", "../etc/passwd", "utc ", "America/Los_Angeles\x00"):
        assert not known_zone(bad)


def test_the_browsers_zone_is_taken_only_while_the_agent_has_none(alice) -> None:  # type: ignore[no-untyped-def]
    from callviewer.projects.models import AgentPreference, adopt_browser_zone

    assert adopt_browser_zone(alice, " America/Los_Angeles ") == "America/Los_Angeles"
    assert AgentPreference.objects.get(user=alice).time_zone == "America/Los_Angeles"
    assert adopt_browser_zone(alice, "Europe/Berlin") == ""  # chosen already: kept
    assert AgentPreference.objects.get(user=alice).time_zone == "America/Los_Angeles"


def test_a_zone_the_server_does_not_know_is_not_taken(alice) -> None:  # type: ignore[no-untyped-def]
    from callviewer.projects.models import AgentPreference, adopt_browser_zone

    assert adopt_browser_zone(alice, "Not/AZone") == ""
    assert not AgentPreference.objects.filter(user=alice).exclude(time_zone="").exists()


def test_an_agents_preferences_are_read_once_per_user_object(
    alice: User, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    first = preference_for(alice)  # made on first use
    first.last_project = "acme"
    first.save()
    agent = User.objects.get(pk=alice.pk)  # as a request loads its user

    with django_assert_num_queries(1):
        assert preference_for(agent).last_project == "acme"
        assert preference_for(agent) is preference_for(agent)
    assert AgentPreference.objects.filter(user=alice).count() == 1
