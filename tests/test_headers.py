"""Security headers on every answer: CSP, Permissions-Policy, HSTS, and no-store for call data."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from callviewer.sandbox.core import Sandbox

CSP = {
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
}


def policy(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {part.strip() for part in response["Content-Security-Policy"].split(";")}


@pytest.fixture
def agent(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


@pytest.mark.parametrize("url", ["/accounts/login/", "/healthz"])
def test_public_pages_carry_the_strict_policy(client: Client, db: None, url: str) -> None:
    response = client.get(url)

    assert policy(response) == CSP
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]


def test_pages_that_show_calls_are_never_stored(
    agent: Client, sandbox: Sandbox, make_project, alice: User
) -> None:  # type: ignore[no-untyped-def]
    make_project("talkstack", "acme", members=[alice])
    pages = [
        "/calls/?project=acme",
        "/calls/export.csv?project=acme",
        "/projects/",
        "/preferences/",
    ]
    for url in pages:
        response = agent.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url
        assert policy(response) == CSP, url
    fragment = agent.get("/calls/?project=acme", HTTP_HX_REQUEST="true")
    assert fragment["Cache-Control"] == "private, no-store"


def test_a_view_that_sets_its_own_cache_control_keeps_it(client: Client, db: None) -> None:
    assert "no-cache" in client.get("/healthz")["Cache-Control"]


@override_settings(
    CONTENT_SECURITY_POLICY={"DIRECTIVES": {"frame-ancestors": ["https://t.example"]}}
)
def test_who_may_frame_the_pages_is_a_setting(client: Client, db: None) -> None:
    assert (
        "frame-ancestors https://t.example"
        in client.get("/accounts/login/")["Content-Security-Policy"]
    )


@override_settings(
    SECURE_HSTS_SECONDS=31536000,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_SSL_REDIRECT=True,
    SECURE_REDIRECT_EXEMPT=[r"^healthz$"],
)
def test_behind_the_tls_proxy_https_is_remembered_and_plain_http_redirected(
    client: Client, db: None
) -> None:
    secure = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    plain = client.get("/accounts/login/")
    health = client.get("/healthz")

    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    assert health.status_code == 200  # the load balancer's check is never redirected
