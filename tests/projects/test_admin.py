"""The project admin: provider-aware form, secrets never shown back, Test connection."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from callviewer.projects.models import Project
from callviewer.sandbox import accounts

TS_KEY = accounts.TALKSTACK_PROJECTS["ts-proj-acme-0001"]


@pytest.fixture
def admin_client(admin_user: User) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Acme",
        "slug": "acme",
        "provider": "talkstack",
        "talkstack__project_id": "ts-proj-acme-0001",
        "talkstack__auth_header": "x-api-key",
        "talkstack__base_url": "",
        "talkstack__secret__api_key": TS_KEY,
    }
    return data | overrides


def test_adding_a_project_encrypts_its_secrets(admin_client):
    response = admin_client.post("/admin/projects/project/add/", form_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get(slug="acme")
    assert project.settings == {"project_id": "ts-proj-acme-0001", "auth_header": "x-api-key"}
    assert project.get_secrets() == {"api_key": TS_KEY}
    assert TS_KEY not in project.secrets_encrypted


def test_the_change_page_never_shows_a_stored_secret(admin_client, make_project):
    project = make_project("talkstack")
    page = admin_client.get(f"/admin/projects/project/{project.pk}/change/").content.decode()
    for secret in project.get_secrets().values():
        assert secret not in page
    assert "••••" + TS_KEY[-4:] in page
    assert "Test connection" in page


def test_an_empty_secret_field_keeps_the_stored_value(admin_client, make_project):
    project = make_project("talkstack")
    data = form_data(
        name="Renamed",
        slug=project.slug,
        talkstack__secret__api_key="",
        **{"talkstack__base_url": project.settings["base_url"]},
    )
    response = admin_client.post(f"/admin/projects/project/{project.pk}/change/", data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.name == "Renamed"
    assert project.get_secrets()["api_key"] == TS_KEY


def test_the_clear_box_removes_an_optional_secret(admin_client, make_project):
    project = make_project("talkstack")
    data = form_data(slug=project.slug, talkstack__secret__api_key="")
    data["talkstack__clear__twilio_auth_token"] = "on"
    assert (
        admin_client.post(f"/admin/projects/project/{project.pk}/change/", data).status_code == 302
    )
    project.refresh_from_db()
    assert "twilio_auth_token" not in project.get_secrets()
    assert project.get_secrets()["api_key"] == TS_KEY


def test_validation_speaks_plain_words_and_saves_nothing(admin_client):
    data = form_data(talkstack__project_id="", talkstack__secret__api_key="")
    data["talkstack__base_url"] = "ftp://x"
    response = admin_client.post("/admin/projects/project/add/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Project ID is required." in page
    assert "API key is required." in page
    assert "must be a base URL like https://host" in page
    assert not Project.objects.exists()


def test_switching_provider_needs_the_new_secrets_and_keeps_the_old_until_then(
    admin_client, make_project
):
    project = make_project("talkstack")
    data = {
        "name": "Acme",
        "slug": project.slug,
        "provider": "signalwire",
        "signalwire__project_id": "7c2a6e2e-4f6b-4d1e-9a43-0f3c2b1a5d01",
        "signalwire__space": "example.signalwire.com",
    }
    response = admin_client.post(f"/admin/projects/project/{project.pk}/change/", data)
    assert response.status_code == 200
    assert "API token is required." in response.content.decode()
    project.refresh_from_db()
    assert project.provider == "talkstack"
    assert project.get_secrets()["api_key"] == TS_KEY
    data["signalwire__secret__api_token"] = "new-token-123456"
    assert (
        admin_client.post(f"/admin/projects/project/{project.pk}/change/", data).status_code == 302
    )
    project.refresh_from_db()
    assert project.provider == "signalwire"
    assert project.get_secrets() == {"api_token": "new-token-123456"}


def test_an_agent_cannot_open_the_admin(client, alice):
    client.force_login(alice)
    assert client.get("/admin/projects/project/").status_code == 302


def run_action(admin_client: Client, *projects: Project) -> str:
    response = admin_client.post(
        "/admin/projects/project/",
        {"action": "test_connection", "_selected_action": [p.pk for p in projects]},
        follow=True,
    )
    assert response.status_code == 200
    return " | ".join(str(m) for m in response.context["messages"])


@pytest.mark.parametrize("provider", ["talkstack", "signalwire", "sinch"])
def test_test_connection_succeeds_against_the_simulator(
    admin_client, make_project, sandbox, provider
):
    project = make_project(provider)
    assert "OK, the provider accepted the credentials." in run_action(admin_client, project)


def test_test_connection_reports_each_failure_in_words(
    admin_client, make_project, sandbox, settings, caplog
):
    settings.PROVIDER_MAX_RETRIES = 0
    refused = make_project("talkstack", "refused", secrets={"api_key": "00" * 32})
    unreachable = make_project(
        "signalwire", "unreachable", settings={"base_url": "http://127.0.0.1:9"}
    )
    ok = make_project("sinch", "fine")
    text = run_action(admin_client, refused, unreachable, ok)
    assert "Refused (TalkStack AI): credentials refused." in text
    assert "Unreachable (SignalWire): not reachable." in text
    assert "Fine (Sinch): OK" in text
    assert "00" * 32 not in caplog.text


def test_test_connection_reports_an_unexpected_answer(admin_client, make_project, sandbox):
    sandbox.options["talkstack_envelope"] = "bad"
    project = make_project("talkstack")
    assert "unexpected answer." in run_action(admin_client, project)


def test_test_connection_button_on_the_change_page(admin_client, make_project, sandbox):
    project = make_project("sinch")
    response = admin_client.post(
        f"/admin/projects/project/{project.pk}/test-connection/", follow=True
    )
    assert "OK, the provider accepted the credentials." in response.content.decode()
    assert (
        admin_client.get(f"/admin/projects/project/{project.pk}/test-connection/").status_code
        == 405
    )


def test_undecryptable_secrets_are_reported_not_a_500(admin_client, make_project, settings):
    from cryptography.fernet import Fernet

    project = make_project("talkstack")
    settings.CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    assert "cannot be decrypted" in run_action(admin_client, project)
    page = admin_client.get(f"/admin/projects/project/{project.pk}/change/")
    assert page.status_code == 200
    assert "no configured key can decrypt it" in page.content.decode()
