"""Secrets are encrypted at rest with CREDENTIAL_KEYS, and keys can be rotated."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from callviewer.projects.crypto import UndecryptableSecret, decrypt_secrets, encrypt_secrets
from callviewer.projects.models import Project

SECRET = "very-secret-api-key-0123456789"


def make(slug: str = "p") -> Project:
    project = Project(slug=slug, name=slug, provider="talkstack", settings={"project_id": "x"})
    project.set_secrets({"api_key": SECRET}, by="tests")
    project.save()
    return project


def raw_column(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets_encrypted FROM projects_project WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_the_database_holds_ciphertext_only(db):
    project = make()
    stored = raw_column(project.pk)
    assert SECRET not in stored
    assert stored.startswith("gAAAA")  # a Fernet token
    assert Project.objects.get(pk=project.pk).get_secrets() == {"api_key": SECRET}


def test_round_trip_and_empty():
    assert decrypt_secrets(encrypt_secrets({"a": "b"})) == {"a": "b"}
    assert encrypt_secrets({}) == ""
    assert decrypt_secrets("") == {}


def test_an_unknown_key_cannot_decrypt(settings):
    token = encrypt_secrets({"a": "b"})
    settings.CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(UndecryptableSecret):
        decrypt_secrets(token)


def test_rotation_re_encrypts_with_the_first_key(db, settings):
    old, new = settings.CREDENTIAL_KEYS[1], Fernet.generate_key().decode()
    settings.CREDENTIAL_KEYS = [old]
    project = make()
    settings.CREDENTIAL_KEYS = [new, old]
    out = StringIO()
    call_command("rotate_credentials", stdout=out)
    assert "1 project(s)" in out.getvalue()
    settings.CREDENTIAL_KEYS = [new]
    assert Project.objects.get(pk=project.pk).get_secrets() == {"api_key": SECRET}
    assert SECRET not in raw_column(project.pk)


def test_rotation_changes_nothing_when_a_project_cannot_be_opened(db, settings):
    first = make("first")
    settings.CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    make("second")
    before = raw_column(first.pk)
    settings.CREDENTIAL_KEYS = [Fernet.generate_key().decode(), settings.CREDENTIAL_KEYS[0]]
    with pytest.raises(CommandError, match="'first'"):
        call_command("rotate_credentials", stdout=StringIO())
    assert raw_column(first.pk) == before


def test_generate_credential_key_prints_a_fernet_key():
    out = StringIO()
    call_command("generate_credential_key", stdout=out)
    Fernet(out.getvalue().strip().encode())
