"""Middleware of the whole site: NUL characters are refused before anything reads them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from callviewer.middleware import MESSAGE

pytestmark = pytest.mark.django_db

CALL = "CA" + "ab" * 16


def refused(response: object) -> bool:
    content = getattr(response, "content", b"").decode()
    return getattr(response, "status_code", 0) == 400 and content.strip() == MESSAGE


@pytest.mark.parametrize(
    "path",
    [
        f"/calls/{CALL}%00/",
        f"/calls/{CALL}\x00/",
        "/calls/?project=acme%00",
        "/calls/?project=acme\x00",
        "/calls/?number%00=1",
        "/calls/export.csv?status=%00",
        f"/calls/{CALL}/recordings/1/?project=%00",
        "/healthz?%00",
        "/admin/calls/auditevent/?q=%00",
    ],
)
def test_a_nul_in_the_path_or_query_is_a_400_that_says_why(
    client: Client, alice: User, path: str
) -> None:
    client.force_login(alice)
    assert refused(client.get(path))


def test_it_is_refused_before_sign_in_is_asked_for(client: Client) -> None:
    assert refused(client.get("/calls/?sid=%00"))


@pytest.mark.parametrize(
    "form",
    [{"username": "alice\x00", "password": "x"}, {"username": "alice", "pass\x00word": "x"}],
)
def test_a_nul_in_a_form_field_is_a_400(client: Client, alice: User, form: dict[str, str]) -> None:
    assert refused(client.post("/accounts/login/", form))


def test_a_nul_in_a_cookie_is_a_400(client: Client) -> None:
    client.cookies["sessionid"] = "\x00" * 32
    assert refused(client.get("/calls/"))


def test_a_percent_sign_followed_by_00_as_text_is_not_a_nul(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.get("/calls/?number=%2500")  # the agent typed "%00"
    assert response.status_code == 200
    assert not refused(response)


def test_requests_without_nul_go_through(client: Client) -> None:
    assert client.get("/healthz").status_code == 200


def test_the_health_check_is_answered_before_the_session_and_sign_in(
    client: Client, alice: User
) -> None:
    client.force_login(alice)  # a signed-in browser's cookie: not even its session is read
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT 1"]
    assert "Cookie" not in response.get("Vary", "")


def test_a_health_check_that_is_not_a_get_goes_the_usual_way(db: None) -> None:
    browser = Client(enforce_csrf_checks=True)
    assert browser.post("/healthz").status_code == 403  # the CSRF check, as before
