"""Project changes in the audit trail: settings, secrets by name only, members; who and where."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.test import Client

from callviewer.calls.models import AuditEvent
from callviewer.projects.models import Project
from callviewer.sandbox import accounts

TS_KEY = accounts.TALKSTACK_PROJECTS["ts-proj-acme-0001"]
TWILIO_SID, TWILIO_TOKEN = next(iter(accounts.TWILIO_ACCOUNTS.items()))


@pytest.fixture
def editor(db: None) -> User:
    """Staff who may add, change and delete projects, but not a superuser."""
    user = User.objects.create_user("eve", "eve@example.com", "eve-password-1", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="projects", codename__endswith="project")
    )
    return user


@pytest.fixture
def editor_client(editor: User) -> Client:
    client = Client()
    client.force_login(editor)
    return client


def trail() -> list[tuple[str, str]]:
    return [(e.action, e.detail) for e in AuditEvent.objects.order_by("pk")]


def assert_no_secret_in_the_trail(*secrets: str) -> None:
    for event in AuditEvent.objects.all():
        for secret in secrets:
            assert secret not in event.detail
            assert secret[-4:] not in event.detail


def posted(project: Project, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {"name": project.name, "slug": project.slug}
    data |= {"provider": project.provider}
    data |= {f"{project.provider}__{k}": v for k, v in project.settings.items()}
    data["members"] = [u.pk for u in project.members.all()]
    data["groups"] = [g.pk for g in project.groups.all()]
    return data | overrides


def test_creating_a_project_in_the_admin_records_settings_secrets_and_members(
    editor_client, editor, alice
):
    data = {
        "name": "Acme",
        "slug": "acme",
        "provider": "talkstack",
        "talkstack__project_id": "ts-proj-acme-0001",
        "talkstack__base_url": "https://api.talkstackai.com",
        "talkstack__secret__api_key": TS_KEY,
        "members": [alice.pk],
    }
    assert editor_client.post("/admin/projects/project/add/", data).status_code == 302
    project = Project.objects.get(slug="acme")
    assert trail() == [
        (
            "create_project",
            "name: Acme; slug: acme; provider: talkstack; project_id: ts-proj-acme-0001; "
            "base_url: https://api.talkstackai.com",
        ),
        ("change_secrets", "api_key set"),
        ("change_members", "members added: alice"),
    ]
    for event in AuditEvent.objects.all():
        assert (event.user, event.username, event.ip_address) == (editor, "eve", "127.0.0.1")
        assert (event.project, event.project_slug) == (project, "acme")
    assert_no_secret_in_the_trail(TS_KEY)


def test_changing_a_project_in_the_admin_records_each_kind_of_change(
    editor_client, make_project, alice, bob, support_group
):
    project = make_project("talkstack", members=[alice])
    data = posted(
        project,
        talkstack__base_url="https://new.example.com",
        talkstack__currency="EUR",
        talkstack__secret__api_key="new-key-1",
        talkstack__clear__twilio_auth_token="on",
        members=[bob.pk],
        groups=[support_group.pk],
    )
    response = editor_client.post(f"/admin/projects/project/{project.pk}/change/", data)
    assert response.status_code == 302
    old_url = project.settings["base_url"]
    assert trail() == [
        (
            "change_project",
            f"base_url: {old_url} → https://new.example.com; currency: (empty) → EUR",
        ),
        ("change_secrets", "api_key replaced; twilio_auth_token removed"),
        ("change_members", "members added: bob; members removed: alice; groups added: Support"),
    ]
    assert {e.username for e in AuditEvent.objects.all()} == {"eve"}
    assert_no_secret_in_the_trail(TS_KEY, TWILIO_TOKEN, "new-key-1")


def test_a_save_that_changes_nothing_records_nothing(editor_client, make_project, alice):
    project = make_project("sinch", members=[alice])
    response = editor_client.post(f"/admin/projects/project/{project.pk}/change/", posted(project))
    assert response.status_code == 302
    assert trail() == []


def test_a_refused_save_or_a_test_connection_records_nothing(editor_client, make_project):
    project = make_project("talkstack")
    url = f"/admin/projects/project/{project.pk}/change/"
    refused = posted(project, talkstack__base_url="https://evil.test", name="Renamed")
    assert editor_client.post(url, refused).status_code == 200
    tested = posted(project, name="Renamed", _test_connection="Test connection")
    assert editor_client.post(url, tested).status_code == 200
    assert trail() == []


def test_switching_provider_records_the_secrets_removed_and_set(editor_client, make_project):
    project = make_project("talkstack")
    data = {
        "name": project.name,
        "slug": project.slug,
        "provider": "signalwire",
        "signalwire__project_id": "7c2a6e2e-4f6b-4d1e-9a43-0f3c2b1a5d01",
        "signalwire__space": "example.signalwire.com",
        "signalwire__secret__api_token": "new-token-123456",
    }
    response = editor_client.post(f"/admin/projects/project/{project.pk}/change/", data)
    assert response.status_code == 302
    secrets = dict(trail())["change_secrets"]
    assert secrets == (
        "api_key removed; api_token set; twilio_account_sid removed; twilio_auth_token removed"
    )
    assert "provider: talkstack → signalwire" in dict(trail())["change_project"]


def test_deleting_a_project_is_recorded_and_keeps_its_slug(editor_client, make_project):
    project = make_project("sinch", "gone")
    url = f"/admin/projects/project/{project.pk}/delete/"
    assert editor_client.post(url, {"post": "yes"}).status_code == 302
    event = AuditEvent.objects.get(action="delete_project")
    assert (event.project, event.project_slug, event.username) == (None, "gone", "eve")
    assert event.detail == "name: Gone; provider: sinch"


def import_file(tmp_path: Path, entries: list[dict[str, object]]) -> None:
    path = tmp_path / "projects.json"
    path.write_text(json.dumps(entries))
    call_command("import_projects", str(path), stdout=StringIO())


def test_import_records_changes_as_import_projects_without_an_address(tmp_path, alice):
    Group.objects.create(name="Support")
    entry: dict[str, object] = {
        "slug": "acme",
        "name": "Acme",
        "provider": "sinch",
        "settings": {"application_key": "key-1"},
        "secrets": {"application_secret": "s3cr3t-value-1"},
        "members": ["alice"],
    }
    import_file(tmp_path, [entry])
    assert [action for action, _ in trail()] == [
        "create_project",
        "change_secrets",
        "change_members",
    ]
    AuditEvent.objects.all().delete()
    import_file(tmp_path, [entry])  # the same again: nothing changes, nothing recorded
    assert trail() == []
    entry |= {"secrets": {}, "members": [], "groups": ["Support"], "name": "Acme Care"}
    import_file(tmp_path, [entry])
    assert trail() == [
        ("change_project", "name: Acme → Acme Care"),
        ("change_members", "members removed: alice; groups added: Support"),
    ]
    for event in AuditEvent.objects.all():
        assert (event.user, event.username, event.ip_address) == (None, "import_projects", None)
    assert_no_secret_in_the_trail("s3cr3t-value-1")


def test_a_save_that_fails_while_recording_changes_nothing(
    editor_client, make_project, monkeypatch
):
    project = make_project("talkstack")
    before = (project.settings, project.secrets_encrypted, project.secrets_meta)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the trail is down")

    monkeypatch.setattr("callviewer.calls.audit.record", broken)
    data = posted(project, name="Renamed", talkstack__secret__api_key="new-key-1")
    with pytest.raises(RuntimeError):
        editor_client.post(f"/admin/projects/project/{project.pk}/change/", data)
    project.refresh_from_db()
    assert project.name != "Renamed"
    assert (project.settings, project.secrets_encrypted, project.secrets_meta) == before
    assert project.get_secrets()["api_key"] == TS_KEY


def test_an_import_that_fails_while_recording_changes_nothing(db, tmp_path, monkeypatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the trail is down")

    monkeypatch.setattr("callviewer.calls.audit.record_as", broken)
    entry: dict[str, object] = {"slug": "acme", "name": "Acme", "provider": "sinch"}
    entry |= {"settings": {"application_key": "k"}, "secrets": {"application_secret": "s"}}
    with pytest.raises(RuntimeError):
        import_file(tmp_path, [entry])
    assert not Project.objects.exists()
