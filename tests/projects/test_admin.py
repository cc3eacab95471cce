"""The project admin: provider-aware form, secrets never shown back, Test connection."""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Iterator

import httpx
import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.utils import timezone

from callviewer.projects.models import Project
from callviewer.providers import http
from callviewer.sandbox import accounts

TS_KEY = accounts.TALKSTACK_PROJECTS["ts-proj-acme-0001"]
TWILIO_SID, TWILIO_TOKEN = next(iter(accounts.TWILIO_ACCOUNTS.items()))
SW_TOKEN = next(iter(accounts.SIGNALWIRE_PROJECTS.values()))
HOSTILE = "https://collector.evil.test"


@pytest.fixture
def admin_client(admin_user: User) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def editor_client(db: None) -> Client:
    """Staff who may add and change projects, but not a superuser."""
    editor = User.objects.create_user("eve", "eve@example.com", "eve-password-1", is_staff=True)
    editor.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="projects",
            codename__in=["view_project", "change_project", "add_project"],
        )
    )
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def outbound() -> Iterator[list[httpx.Request]]:
    """Every provider request, answered 200 by a mock at the HTTP seam; the list of requests."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    with http.override_transport(httpx.MockTransport(answer)):
        yield seen


def carrying(requests: list[httpx.Request], secret: str) -> list[str]:
    """The URLs of the requests that carry `secret` in clear or Basic auth, anywhere."""
    found = []
    for request in requests:
        parts = [str(request.url), request.content.decode("latin-1")]
        for value in request.headers.values():
            parts.append(value)
            if value.lower().startswith("basic "):
                parts.append(base64.b64decode(value[6:]).decode("latin-1"))
        if any(secret in part for part in parts):
            found.append(str(request.url))
    return found


def current(project: Project, **overrides: str) -> dict[str, str]:
    """What the change page posts back when nothing is touched: the project's own values."""
    data = {"name": project.name, "slug": project.slug, "provider": project.provider}
    data |= {f"{project.provider}__{k}": v for k, v in project.settings.items()}
    return data | overrides


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


def runs(secret: str, length: int = 4) -> set[str]:
    return {secret[i : i + length] for i in range(len(secret) - length + 1)}


def test_the_change_page_shows_no_run_of_a_stored_secret(admin_client, make_project):
    # "~" makes every run of four characters unlikely to occur in a page by chance.
    distinct = {
        "api_key": "Zq~Wx~Ec~Rv~Tb~Yn",
        "twilio_account_sid": "AC~Mk~Lp~Oi~Uj",
        "twilio_auth_token": "Tk~Jh~Gf~Ds~Aq",
    }
    project = make_project("talkstack", secrets=distinct)
    page = admin_client.get(f"/admin/projects/project/{project.pk}/change/").content.decode()
    for secret in distinct.values():
        assert [run for run in runs(secret) if run in page] == []
    assert "••••" not in page
    assert 'name="_test_connection"' in page


def test_the_change_page_says_when_and_by_whom_each_secret_was_set(
    editor_client, make_project, monkeypatch
):
    monkeypatch.setattr(
        timezone, "now", lambda: dt.datetime(2026, 11, 20, 14, 3, 30, tzinfo=dt.UTC)
    )
    project = make_project("talkstack", secrets={"twilio_auth_token": ""})
    url = f"/admin/projects/project/{project.pk}/change/"
    page = editor_client.get(url).content.decode()
    assert "set 2026-11-20 14:03 UTC by tests. Leave empty to keep it." in page
    assert "Not set." in page  # the Twilio Auth Token
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 11, 20, 15, 10, tzinfo=dt.UTC))
    data = current(project, talkstack__secret__api_key="new-key-1")
    data["talkstack__clear__twilio_account_sid"] = "on"
    assert change(editor_client, project, data).status_code == 302
    project.refresh_from_db()
    assert project.secrets_meta == {
        "api_key": {"set_at": "2026-11-20T15:10:00+00:00", "set_by": "eve"}
    }
    assert "set 2026-11-20 15:10 UTC by eve." in editor_client.get(url).content.decode()


def test_a_secret_stored_before_its_metadata_says_so(admin_client, make_project):
    project = make_project("sinch")
    Project.objects.filter(pk=project.pk).update(secrets_meta={})
    page = admin_client.get(f"/admin/projects/project/{project.pk}/change/").content.decode()
    assert "stored (when and by whom was not recorded). Leave empty to keep it." in page


def test_an_empty_secret_field_keeps_the_stored_value(admin_client, make_project):
    project = make_project("talkstack")
    data = current(project, name="Renamed")
    response = admin_client.post(f"/admin/projects/project/{project.pk}/change/", data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.name == "Renamed"
    assert project.get_secrets()["api_key"] == TS_KEY


def test_the_clear_box_removes_an_optional_secret(admin_client, make_project):
    project = make_project("talkstack")
    data = current(project)
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


def change(client: Client, project: Project, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(f"/admin/projects/project/{project.pk}/change/", data)


def test_a_new_base_url_without_the_api_key_again_is_refused(editor_client, make_project, outbound):
    project = make_project("talkstack")
    response = change(editor_client, project, current(project, talkstack__base_url=HOSTILE))
    assert response.status_code == 200
    assert (
        "The Base URL changed: enter the API key again, so the stored one is never sent "
        "to a new host." in response.content.decode()
    )
    project.refresh_from_db()
    assert project.settings["base_url"] != HOSTILE
    assert project.get_secrets()["api_key"] == TS_KEY
    assert carrying(outbound, TS_KEY) == []


def test_the_api_key_entered_again_goes_with_the_new_base_url(editor_client, make_project):
    project = make_project("talkstack")
    data = current(project, talkstack__base_url=HOSTILE, talkstack__secret__api_key="new-key-1")
    assert change(editor_client, project, data).status_code == 302
    project.refresh_from_db()
    assert project.settings["base_url"] == HOSTILE
    assert project.get_secrets()["api_key"] == "new-key-1"
    # The Twilio host did not change: its secrets stay.
    assert project.get_secrets()["twilio_auth_token"] == TWILIO_TOKEN


def test_the_same_host_written_differently_keeps_the_stored_secrets(editor_client, make_project):
    project = make_project("talkstack", settings={"base_url": "https://api.talkstackai.com"})
    for written in ["https://API.talkstackai.com/", ""]:  # another spelling; the default
        data = current(project, talkstack__base_url=written)
        assert change(editor_client, project, data).status_code == 302
        project.refresh_from_db()
        assert project.get_secrets()["api_key"] == TS_KEY


def test_a_new_twilio_host_needs_the_twilio_secrets_again_or_their_removal(
    editor_client, make_project
):
    project = make_project("talkstack")
    data = current(project, talkstack__twilio_base_url=HOSTILE)
    page = change(editor_client, project, data).content.decode()
    assert (
        "The Twilio media base URL changed: enter the Twilio Auth Token again or remove it" in page
    )
    assert "enter the Twilio Account SID again or remove it" in page
    assert "enter the API key again" not in page
    data["talkstack__clear__twilio_auth_token"] = "on"
    data["talkstack__secret__twilio_account_sid"] = "AC" + "9" * 32
    assert change(editor_client, project, data).status_code == 302
    project.refresh_from_db()
    assert project.get_secrets() == {"api_key": TS_KEY, "twilio_account_sid": "AC" + "9" * 32}


def test_a_signalwire_space_moved_to_the_same_base_url_keeps_the_token(editor_client, make_project):
    project = make_project(
        "signalwire", settings={"base_url": "", "space": "example.signalwire.com"}
    )
    data = current(
        project, signalwire__space="", signalwire__base_url="https://Example.signalwire.com"
    )
    assert change(editor_client, project, data).status_code == 302
    project.refresh_from_db()
    assert project.get_secrets() == {"api_token": SW_TOKEN}
    data = current(project, signalwire__base_url="https://other.signalwire.com")
    page = change(editor_client, project, data).content.decode()
    assert "The Base URL changed: enter the API token again" in page


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


def press_test_connection(client: Client, url: str, data: dict[str, str]) -> tuple[str, str]:
    """Press the form's Test connection button: (the messages, the page)."""
    response = client.post(url, data | {"_test_connection": "Test connection"})
    assert response.status_code == 200
    return " | ".join(str(m) for m in response.context["messages"]), response.content.decode()


def test_the_test_connection_button_checks_the_typed_values_and_saves_nothing(
    editor_client, make_project, sandbox
):
    project = make_project("sinch", settings={"base_url": "http://127.0.0.1:9"})
    before = (project.settings, project.secrets_encrypted, project.updated)
    typed_secret = accounts.SINCH_APPLICATIONS[project.settings["application_key"]]
    data = current(
        project,
        name="Typed",
        sinch__base_url=sandbox.url,
        sinch__secret__application_secret=typed_secret,
    )
    text, page = press_test_connection(
        editor_client, f"/admin/projects/project/{project.pk}/change/", data
    )
    assert text == (
        "Typed (Sinch): OK, the provider accepted the credentials. "
        "Nothing is saved until you press Save. "
        "Enter the Application secret again before you do."
    )
    assert 'value="Typed"' in page  # the form again, with what was typed
    assert typed_secret not in page
    project.refresh_from_db()
    assert (project.settings, project.secrets_encrypted, project.updated) == before
    assert project.name != "Typed"


def test_the_test_connection_button_uses_the_stored_secret_on_the_same_host(
    editor_client, make_project, sandbox
):
    project = make_project("signalwire")
    text, _ = press_test_connection(
        editor_client, f"/admin/projects/project/{project.pk}/change/", current(project)
    )
    assert "OK, the provider accepted the credentials." in text
    assert sandbox.requests  # asked the provider


def test_the_test_connection_button_never_sends_a_stored_secret_to_a_new_host(
    editor_client, make_project, outbound
):
    project = make_project("talkstack")
    data = current(project, talkstack__base_url=HOSTILE)
    text, page = press_test_connection(
        editor_client, f"/admin/projects/project/{project.pk}/change/", data
    )
    assert text == "Not tested: correct the errors below first."
    assert "The Base URL changed: enter the API key again" in page
    assert outbound == []
    assert carrying(outbound, TS_KEY) == []


def test_the_test_connection_button_reports_a_refused_typed_key(
    editor_client, make_project, sandbox
):
    project = make_project("talkstack")
    data = current(project, talkstack__secret__api_key="00" * 32)
    text, page = press_test_connection(
        editor_client, f"/admin/projects/project/{project.pk}/change/", data
    )
    assert "(TalkStack AI): credentials refused." in text
    assert "00" * 32 not in page
    assert project.get_secrets()["api_key"] == TS_KEY


def test_the_test_connection_button_works_on_the_add_form(editor_client, sandbox):
    data = form_data(talkstack__base_url=sandbox.url)
    text, page = press_test_connection(editor_client, "/admin/projects/project/add/", data)
    assert text == (
        "Acme (TalkStack AI): OK, the provider accepted the credentials. "
        "Nothing is saved until you press Save. Enter the API key again before you do."
    )
    assert TS_KEY not in page
    assert 'value="ts-proj-acme-0001"' in page  # the typed settings come back
    assert sandbox.requests_to("/call/get-call-history")
    assert not Project.objects.exists()


def test_the_test_connection_button_on_the_add_form_reports_a_refused_key(editor_client, sandbox):
    data = form_data(talkstack__base_url=sandbox.url, talkstack__secret__api_key="00" * 32)
    text, page = press_test_connection(editor_client, "/admin/projects/project/add/", data)
    assert text.startswith("Acme (TalkStack AI): credentials refused.")
    assert "00" * 32 not in page
    assert not Project.objects.exists()


def test_the_members_column_counts_each_person_reached_once(admin_client, make_project):
    alice = User.objects.create_user("alice")
    bob = User.objects.create_user("bob")
    carol = User.objects.create_user("carol")
    gone = User.objects.create_user("gone", is_active=False)
    support, night = Group.objects.create(name="Support"), Group.objects.create(name="Night")
    support.user_set.set([alice, bob, gone])
    night.user_set.set([bob, carol])
    make_project("talkstack", "direct", members=[alice, carol])
    make_project("signalwire", "groups", groups=[support, night])
    make_project("sinch", "both", members=[alice], groups=[support])
    make_project("talkstack", "nobody")
    page = admin_client.get("/admin/projects/project/?o=1").content.decode()
    counts = dict(
        re.findall(
            r'<a href="/admin/projects/project/\d+/change/[^"]*">([^<]+)</a>.*?'
            r'<td class="field-member_count">(\d+)</td>',
            page,
            re.S,
        )
    )
    assert counts == {"Direct": "2", "Groups": "3", "Both": "2", "Nobody": "0"}
    assert "People (direct or through a group)" in page
    ordered = admin_client.get("/admin/projects/project/?o=4").content.decode()
    names = re.findall(r'<a href="/admin/projects/project/\d+/change/[^"]*">([^<]+)</a>', ordered)
    assert names[0] == "Nobody" and names[-1] == "Groups"


def test_the_change_page_offers_test_connection_only_to_who_may_change(
    client, make_project, editor_client
):
    project = make_project("sinch")
    url = f"/admin/projects/project/{project.pk}/change/"
    assert 'name="_test_connection"' in editor_client.get(url).content.decode()
    viewer = User.objects.create_user("val", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_project"))
    client.force_login(viewer)
    assert 'name="_test_connection"' not in client.get(url).content.decode()
    assert client.post(url, current(project) | {"_test_connection": "1"}).status_code == 403


def test_undecryptable_secrets_are_reported_not_a_500(admin_client, make_project, settings):
    from cryptography.fernet import Fernet

    project = make_project("talkstack")
    settings.CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    assert "cannot be decrypted" in run_action(admin_client, project)
    page = admin_client.get(f"/admin/projects/project/{project.pk}/change/")
    assert page.status_code == 200
    assert "no configured key can decrypt it" in page.content.decode()


# Standard questions


def test_standard_questions_are_kept_from_the_admin_field_in_order(admin_client):
    text = "Boolean: Did the caller cancel?\nSelector: Reason | Sick | Late"
    response = admin_client.post("/admin/projects/project/add/", form_data(standard_questions=text))
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get(slug="acme")
    assert project.questions == [
        {"question": "Did the caller cancel?", "type": "Boolean"},
        {"question": "Reason", "type": "Selector", "options": ["Sick", "Late"]},
    ]
    page = admin_client.get(f"/admin/projects/project/{project.pk}/change/").content.decode()
    assert "Boolean: Did the caller cancel?\nSelector: Reason | Sick | Late" in page


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Selector: Reason", "A Selector question needs its options"),
        ("Text:  ", "The question is empty."),
        ("Text: " + "y" * 400, "longer than 300 characters"),
        ("Number: How many? | 1 | 2", "Only a Selector question has options."),
    ],
)
def test_a_bad_standard_question_is_refused_in_words_and_nothing_saved(admin_client, text, words):
    response = admin_client.post("/admin/projects/project/add/", form_data(standard_questions=text))
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not Project.objects.filter(slug="acme").exists()


def test_a_post_without_the_questions_field_keeps_them(admin_client, make_project):
    project = make_project("talkstack", "acme")
    project.questions = [{"question": "Why?", "type": "Text"}]
    project.save()
    response = admin_client.post(f"/admin/projects/project/{project.pk}/change/", current(project))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.questions == [{"question": "Why?", "type": "Text"}]
    emptied = current(project, standard_questions="")
    assert (
        admin_client.post(f"/admin/projects/project/{project.pk}/change/", emptied).status_code
        == 302
    )
    project.refresh_from_db()
    assert project.questions == []
