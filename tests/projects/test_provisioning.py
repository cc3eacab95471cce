"""import_projects: create/update by slug, idempotent, and a bad file changes nothing."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command

from callviewer.projects.models import Project

API_KEY = "ab" * 32


def entry(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "slug": "acme-support",
        "name": "Acme Support",
        "provider": "talkstack",
        "settings": {"project_id": "ts-proj-acme-0001", "base_url": "http://127.0.0.1:9"},
        "secrets": {"api_key": API_KEY},
        "members": ["alice"],
        "groups": ["Support"],
    }
    return base | overrides


def run(tmp_path: Path, data: object, *args: str) -> str:
    path = tmp_path / "projects.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    out = StringIO()
    call_command("import_projects", str(path), *args, stdout=out)
    return out.getvalue()


def fails(tmp_path: Path, data: object) -> str:
    with pytest.raises(CommandError) as caught:
        run(tmp_path, data)
    return str(caught.value)


@pytest.fixture
def people(alice: User, support_group: Group) -> None:
    pass


def test_it_creates_projects_with_encrypted_secrets_and_members(tmp_path, people, alice):
    out = run(tmp_path, [entry()])
    assert "created 1, updated 0, unchanged 0" in out
    project = Project.objects.get(slug="acme-support")
    assert project.settings == {"project_id": "ts-proj-acme-0001", "base_url": "http://127.0.0.1:9"}
    assert project.get_secrets() == {"api_key": API_KEY}
    assert API_KEY not in project.secrets_encrypted
    assert list(project.members.all()) == [alice]
    assert [g.name for g in project.groups.all()] == ["Support"]


def test_a_second_identical_run_changes_nothing(tmp_path, people):
    run(tmp_path, [entry()])
    before = Project.objects.get(slug="acme-support")
    out = run(tmp_path, [entry()])
    assert "created 0, updated 0, unchanged 1" in out
    after = Project.objects.get(slug="acme-support")
    assert after.secrets_encrypted == before.secrets_encrypted
    assert after.updated == before.updated


def test_it_updates_by_slug_and_keeps_secrets_left_out(tmp_path, people, bob):
    run(tmp_path, [entry()])
    out = run(tmp_path, [entry(name="Acme Care", secrets={}, members=["bob"])])
    assert "updated 1" in out
    project = Project.objects.get(slug="acme-support")
    assert project.name == "Acme Care"
    assert project.get_secrets() == {"api_key": API_KEY}
    assert [u.username for u in project.members.all()] == ["bob"]


def test_output_never_contains_a_secret(tmp_path, people, caplog):
    out = run(tmp_path, [entry()])
    assert API_KEY not in out
    assert API_KEY not in caplog.text


def test_dry_run_changes_nothing(tmp_path, people):
    out = run(tmp_path, [entry()], "--dry-run")
    assert "would have created 1" in out
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("[{", "not valid JSON"),
        ({"slug": "x"}, "must hold a JSON list"),
        (["text"], "entry 1: must be an object"),
        (
            [entry(provider="twilio")],
            "entry 1 (\"acme-support\"): provider: unknown provider 'twilio'",
        ),
        ([entry(name="")], 'entry 1 ("acme-support"): name: is required'),
        ([entry(slug="bad slug")], "slug: only letters"),
        (
            [entry(settings={"base_url": "http://127.0.0.1:9"})],
            "settings.project_id: Project ID is required.",
        ),
        ([entry(secrets={})], "secrets.api_key: API key is required."),
        (
            [entry(settings={"project_id": "p", "colour": "red"})],
            "settings.colour: not a TalkStack AI setting",
        ),
        (
            [entry(secrets={"api_key": API_KEY, "password": "x"})],
            "secrets.password: not a TalkStack AI secret",
        ),
        (
            [entry(settings={"project_id": "p", "auth_header": "cookie"})],
            "settings.auth_header: Auth header must be one of",
        ),
        ([entry(members=["mallory"])], "members: no user named 'mallory'"),
        ([entry(groups=["Nobody"])], "groups: no group named 'Nobody'"),
        ([entry(settings="x")], "settings: must be an object"),
        ([entry(extra=1)], "extra: unknown field"),
        ([entry(), entry()], 'entry 2 ("acme-support"): slug: also used by entry 1'),
    ],
)
def test_a_bad_file_changes_nothing_and_names_entry_and_field(tmp_path, people, data, expected):
    message = fails(tmp_path, data)
    assert expected in message
    assert "nothing was changed" in message
    assert not Project.objects.exists()
    assert API_KEY not in message


def test_a_good_entry_is_not_created_when_another_is_bad(tmp_path, people):
    message = fails(tmp_path, [entry(slug="fine"), entry(slug="broken", provider="nope")])
    assert 'entry 2 ("broken"): provider' in message
    assert not Project.objects.exists()


def test_a_bad_entry_leaves_existing_projects_untouched(tmp_path, people):
    run(tmp_path, [entry()])
    before = Project.objects.get(slug="acme-support")
    fails(tmp_path, [entry(name="Renamed"), entry(slug="second", provider="nope")])
    after = Project.objects.get(slug="acme-support")
    assert after.name == before.name == "Acme Support"


def test_each_provider_validates_its_own_fields(tmp_path, people):
    message = fails(
        tmp_path,
        [
            entry(slug="sw", provider="signalwire", settings={"project_id": "x"}, secrets={}),
            entry(slug="si", provider="sinch", settings={"auth": "hmac"}, secrets={}),
        ],
    )
    assert 'entry 1 ("sw"): secrets.api_token: API token is required.' in message
    assert 'entry 2 ("si"): settings.application_key: Application key is required.' in message
    assert 'entry 2 ("si"): settings.auth: Authentication must be one of: signed, basic.' in message


def test_a_new_host_without_the_secret_again_is_refused_naming_entry_and_field(tmp_path, people):
    run(tmp_path, [entry()])
    moved = entry(settings={"project_id": "ts-proj-acme-0001", "base_url": "https://evil.test"})
    message = fails(tmp_path, [moved | {"secrets": {}}])
    assert (
        'entry 1 ("acme-support"): secrets.api_key: The Base URL changed: enter the API key '
        "again, so the stored one is never sent to a new host." in message
    )
    project = Project.objects.get(slug="acme-support")
    assert project.settings["base_url"] == "http://127.0.0.1:9"
    assert project.get_secrets() == {"api_key": API_KEY}


def test_the_secret_given_again_goes_with_the_new_host(tmp_path, people):
    run(tmp_path, [entry()])
    settings = {"project_id": "ts-proj-acme-0001", "base_url": "https://new.test"}
    run(tmp_path, [entry(settings=settings, secrets={"api_key": "cd" * 32})])
    project = Project.objects.get(slug="acme-support")
    assert project.settings["base_url"] == "https://new.test"
    assert project.get_secrets() == {"api_key": "cd" * 32}


def test_the_same_host_written_differently_keeps_the_stored_secret(tmp_path, people):
    run(tmp_path, [entry()])
    settings = {"project_id": "ts-proj-acme-0001", "base_url": "http://127.0.0.1:9/"}
    assert "updated 1" in run(tmp_path, [entry(settings=settings, secrets={})])
    assert Project.objects.get(slug="acme-support").get_secrets() == {"api_key": API_KEY}


def test_a_new_twilio_host_needs_its_secrets_again_or_null_to_remove_them(tmp_path, people):
    twilio = {"twilio_account_sid": "AC" + "1" * 32, "twilio_auth_token": "t" * 32}
    run(tmp_path, [entry(secrets={"api_key": API_KEY} | twilio)])
    settings = {
        "project_id": "ts-proj-acme-0001",
        "base_url": "http://127.0.0.1:9",
        "twilio_base_url": "https://media.evil.test",
    }
    message = fails(tmp_path, [entry(settings=settings, secrets={})])
    assert 'entry 1 ("acme-support"): secrets.twilio_auth_token: The Twilio media base URL ' in (
        message
    )
    assert "secrets.twilio_account_sid: " in message
    assert "secrets.api_key" not in message
    removed = {"twilio_account_sid": None, "twilio_auth_token": None}
    run(tmp_path, [entry(settings=settings, secrets=removed)])
    assert Project.objects.get(slug="acme-support").get_secrets() == {"api_key": API_KEY}


def test_a_null_secret_of_another_provider_is_named(tmp_path, people):
    message = fails(tmp_path, [entry(secrets={"api_key": API_KEY, "api_token": None})])
    assert "secrets.api_token: not a TalkStack AI secret" in message


def test_the_import_is_noted_as_who_set_each_secret(tmp_path, people):
    run(tmp_path, [entry()])
    meta = Project.objects.get(slug="acme-support").secrets_meta
    assert set(meta) == {"api_key"}
    assert meta["api_key"]["set_by"] == "import_projects"
    assert API_KEY not in str(meta)


# Standard questions

QUESTIONS = [
    {"question": "Did the caller want to cancel the shift?", "type": "Boolean"},
    {"question": "Why?", "type": "Text"},
    {"question": "Reason", "type": "Selector", "options": ["Sick", "Family"]},
]


def test_questions_are_imported_in_order_and_kept_when_left_out(tmp_path, people):
    run(tmp_path, [entry(questions=QUESTIONS)])
    assert Project.objects.get(slug="acme-support").questions == QUESTIONS
    out = run(tmp_path, [entry()])
    assert "unchanged 1" in out
    assert Project.objects.get(slug="acme-support").questions == QUESTIONS
    assert "updated 1" in run(tmp_path, [entry(questions=QUESTIONS[:1])])
    assert Project.objects.get(slug="acme-support").questions == QUESTIONS[:1]
    run(tmp_path, [entry(questions=[])])
    assert Project.objects.get(slug="acme-support").questions == []


def test_a_bad_question_changes_nothing_in_the_whole_file(tmp_path, people):
    good = entry(slug="globex", name="Globex", questions=QUESTIONS)
    bad = entry(questions=[{"question": "Reason", "type": "Selector"}, {"question": ""}])
    message = fails(tmp_path, [good, bad])
    assert (
        'entry 2 ("acme-support"): questions[1]: A Selector question needs its options' in message
    )
    assert 'entry 2 ("acme-support"): questions[2]: question and type must be strings' in message
    assert not Project.objects.exists()


def test_a_change_of_questions_is_in_the_audit_trail(tmp_path, people):
    from callviewer.calls.models import AuditEvent

    run(tmp_path, [entry(questions=QUESTIONS[:1])])
    run(tmp_path, [entry(questions=QUESTIONS[1:2])])
    change = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE_PROJECT)
    assert change.detail == (
        "questions added: Text: Why?; "
        "questions removed: Boolean: Did the caller want to cancel the shift?"
    )
