"""Project: secrets kept encrypted, with when and by whom each was set."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from callviewer.projects.models import Project

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
