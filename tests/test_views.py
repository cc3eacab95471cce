"""Site-wide views: the health check, sign-in and sign-out, and login required everywhere else."""

from __future__ import annotations

from unittest import mock
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.db.utils import OperationalError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

CALL = "CA" + "ab" * 16
# Only these may be seen without signing in (admin has its own login page).
PUBLIC = {"healthz", "login", "logout"}


class TestHealthz:
    def test_it_answers_ok_without_login(self, client: Client, db: None) -> None:
        response = client.get("/healthz")

        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}
        assert "no-cache" in response["Cache-Control"]

    def test_it_answers_503_when_the_database_fails(self, client: Client, db: None) -> None:
        with mock.patch("callviewer.views.connection") as connection:
            connection.cursor.side_effect = OperationalError("password authentication failed")
            response = client.get("/healthz")

        assert response.status_code == 503
        assert response.json() == {"status": "error", "database": "unreachable"}
        assert b"password" not in response.content


def named_urls() -> list[str]:
    """Every named URL of the site outside admin, with sample values for its parameters."""
    samples = {
        "IntConverter": 1,
        "StringConverter": CALL,
        "SlugConverter": "acme-support",
        "UUIDConverter": "7c2a6e2e-4f6b-4d1e-9a43-0f3c2b1a5d01",
        "PathConverter": "a/b",
    }
    found: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace != "admin":
                    inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                    walk(entry.url_patterns, inner)
            elif entry.name and entry.name not in PUBLIC:
                converters = getattr(entry.pattern, "converters", {})
                kwargs = {name: samples[type(conv).__name__] for name, conv in converters.items()}
                found.append(reverse(namespace + entry.name, kwargs=kwargs))

    walk(get_resolver().url_patterns, "")
    return found


class TestLoginRequired:
    def test_the_walk_finds_the_pages(self) -> None:
        assert {"/", "/projects/", "/calls/", f"/calls/{CALL}/"} <= set(named_urls())

    @pytest.mark.parametrize("path", named_urls())
    def test_every_page_sends_a_stranger_to_sign_in(self, client: Client, db: None, path: str):
        for method in (client.get, client.post):
            response = method(path)

            assert response.status_code == 302, path
            assert response["Location"] == f"/accounts/login/?next={quote(path)}"

    def test_admin_sends_a_stranger_to_its_sign_in(self, client: Client, db: None) -> None:
        response = client.get("/admin/")

        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


class TestSignIn:
    def test_the_page_shows_the_form(self, client: Client, db: None) -> None:
        response = client.get("/accounts/login/")

        assert response.status_code == 200
        assert b'name="username"' in response.content
        assert b'name="csrfmiddlewaretoken"' in response.content

    def test_a_deep_link_survives_sign_in(self, client: Client, alice: User) -> None:
        deep_link = f"/calls/{CALL}/?project=acme-support"

        login_url = client.get(deep_link)["Location"]
        form = client.get(login_url)
        response = client.post(
            login_url,
            {"username": "alice", "password": "alice-password-1", "next": form.context["next"]},
        )

        assert login_url == f"/accounts/login/?next={quote(deep_link)}"
        assert f'name="next" value="{deep_link}"' in form.content.decode()
        assert response.status_code == 302
        assert response["Location"] == deep_link

    def test_next_to_another_site_is_ignored(self, client: Client, alice: User) -> None:
        response = client.post(
            "/accounts/login/",
            {"username": "alice", "password": "alice-password-1", "next": "https://evil.example/"},
        )

        assert response.status_code == 302
        assert response["Location"] == "/"

    def test_a_wrong_password_is_refused_with_a_message(self, client: Client, alice: User):
        response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})

        assert response.status_code == 200
        assert b"did not match" in response.content
        assert "_auth_user_id" not in client.session

    def test_a_signed_in_agent_skips_the_form(self, client: Client, alice: User) -> None:
        client.force_login(alice)

        response = client.get("/accounts/login/")

        assert response.status_code == 302
        assert response["Location"] == "/"


class TestSignOut:
    def test_it_needs_a_post(self, client: Client, alice: User) -> None:
        client.force_login(alice)

        response = client.get("/accounts/logout/")

        assert response.status_code == 405
        assert client.get("/projects/").status_code == 200

    def test_a_post_ends_the_session(self, client: Client, alice: User) -> None:
        client.force_login(alice)

        response = client.post("/accounts/logout/")

        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/"
        assert client.get("/projects/").status_code == 302
