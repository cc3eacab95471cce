"""The demo's set-up command: accounts, and projects that really open the simulator."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from callviewer.projects.models import Project
from callviewer.providers.types import SearchQuery
from callviewer.sandbox import accounts, sinch_data
from callviewer.sandbox.core import Sandbox
from callviewer.sandbox.management.commands.demo_setup import PROJECTS_FILE, demo_projects

SLUGS = {"acme-support", "globex-sales", "initech-helpdesk", "umbrella-voice"}


@pytest.fixture
def demo_env(settings, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-1")
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "admin-pass-1")


def setup(url: str = "http://127.0.0.1:8001") -> str:
    out = StringIO()
    call_command("demo_setup", sandbox_url=url, stdout=out)
    return out.getvalue()


def test_the_file_holds_one_project_per_provider_with_the_simulators_credentials() -> None:
    projects = {p["slug"]: p for p in json.loads(PROJECTS_FILE.read_text())}

    assert set(projects) == SLUGS
    assert {p["provider"] for p in projects.values()} == {"talkstack", "signalwire", "sinch"}
    talkstack = {
        p["settings"]["project_id"]: p["secrets"]["api_key"]
        for p in projects.values()
        if p["provider"] == "talkstack"
    }
    assert talkstack == accounts.TALKSTACK_PROJECTS
    signalwire = projects["initech-helpdesk"]
    assert {
        signalwire["settings"]["project_id"]: signalwire["secrets"]["api_token"]
    } == accounts.SIGNALWIRE_PROJECTS
    sinch = projects["umbrella-voice"]
    assert {
        sinch["settings"]["application_key"]: sinch["secrets"]["application_secret"]
    } == accounts.SINCH_APPLICATIONS


def test_it_points_every_simulator_address_at_the_given_url() -> None:
    projects = demo_projects("http://127.0.0.1:9123/")

    urls = {
        value for p in projects for name, value in p["settings"].items() if name.endswith("url")
    }
    assert urls == {"http://127.0.0.1:9123"}


def test_it_refuses_to_run_without_debug(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False

    with pytest.raises(CommandError, match="local demo only"):
        setup()

    assert not User.objects.exists()
    assert not Project.objects.exists()


def test_it_creates_the_accounts_and_gives_the_agent_every_project(
    db: None, demo_env: None
) -> None:
    output = setup()

    demo, admin = User.objects.get(username="demo"), User.objects.get(username="admin")
    assert demo.check_password("demo-pass-1")
    assert not demo.is_staff and not demo.is_superuser
    assert list(demo.groups.values_list("name", flat=True)) == ["Support"]
    assert admin.check_password("admin-pass-1")
    assert admin.is_superuser and admin.is_staff
    assert set(Project.objects.for_user(demo).values_list("slug", flat=True)) == SLUGS
    assert (
        "Demo projects (created 4, updated 0, unchanged 0): Acme Support (TalkStack AI)" in output
    )
    assert "demo-pass-1" not in output  # kept in .env; scripts/demo prints it beside the URL


def test_without_passwords_it_makes_and_shows_them(
    db: None,
    settings,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    settings.DEBUG = True
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)

    output = setup()

    password = output.split("Demo login: demo / ")[1].split()[0]
    assert User.objects.get(username="demo").check_password(password)


def test_running_it_again_adds_nothing_and_follows_the_passwords(
    db: None, demo_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup()
    first = Project.objects.get(slug="acme-support")
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-2")

    setup("http://127.0.0.1:8011")

    assert User.objects.count() == 2
    assert Project.objects.count() == 4
    again = Project.objects.get(slug="acme-support")
    assert again.pk == first.pk
    assert again.settings["base_url"] == "http://127.0.0.1:8011"
    assert User.objects.get(username="demo").check_password("demo-pass-2")


def test_every_demo_project_opens_the_simulator(db: None, demo_env: None, sandbox: Sandbox) -> None:
    setup(sandbox.url)

    # A wrong credential or address raises here (CredentialsRefused, ProviderUnavailable).
    for project in Project.objects.all():
        client = project.client()
        if client.supports_search:
            assert client.search(SearchQuery()).calls, project.slug
        else:
            call_id = sinch_data.seeded_call_ids(sandbox, project.settings["application_key"])[0]
            assert client.get_call(call_id).sid == call_id
