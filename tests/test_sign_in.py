"""Sign-in throttling (django-axes) on both sign-in pages, by user name and client address."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.utils import timezone

from callviewer.calls.models import AuditEvent

LIMIT = 5


def attempt(client: Client, url: str, username: str, password: str, **meta: Any):  # type: ignore[no-untyped-def]
    return client.post(url, {"username": username, "password": password}, **meta)


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_after_the_limit_even_the_right_password_is_refused(
    client: Client, admin_user: User, url: str
) -> None:
    for _ in range(LIMIT - 1):
        assert attempt(client, url, "root", "wrong").status_code == 200
    last_wrong = attempt(client, url, "root", "wrong")

    locked = attempt(client, url, "root", "root-password-1")

    assert last_wrong.status_code == 429
    assert locked.status_code == 429
    assert "Sign-in locked for now" in locked.text
    assert "15 minutes" in locked.text
    assert locked["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_with_the_cool_off(client: Client, alice: User) -> None:
    for _ in range(LIMIT):
        attempt(client, "/accounts/login/", "alice", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))

    response = attempt(client, "/accounts/login/", "alice", "alice-password-1")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_an_administrator_lifts_the_lock_in_the_admin(
    client: Client, alice: User, admin_user: User
) -> None:
    for _ in range(LIMIT):
        attempt(client, "/accounts/login/", "alice", "wrong")
    admin = Client()
    admin.force_login(admin_user)
    (locked,) = AccessAttempt.objects.all()

    page = admin.get("/admin/axes/accessattempt/")
    admin.post(f"/admin/axes/accessattempt/{locked.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200 and "alice" in page.text
    assert attempt(client, "/accounts/login/", "alice", "alice-password-1").status_code == 302


def test_a_lock_is_per_user_name_and_address(client: Client, alice: User, bob: User) -> None:
    for _ in range(LIMIT):
        attempt(client, "/accounts/login/", "alice", "wrong", REMOTE_ADDR="203.0.113.1")

    other_user = attempt(
        client, "/accounts/login/", "bob", "bob-password-1", REMOTE_ADDR="203.0.113.1"
    )
    client.logout()
    other_address = attempt(
        client, "/accounts/login/", "alice", "alice-password-1", REMOTE_ADDR="203.0.113.2"
    )

    assert other_user.status_code == 302
    assert other_address.status_code == 302


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_the_lock_and_the_audit_use_the_real_address(
    client: Client,
    alice: User,
    sandbox,
    make_project,  # type: ignore[no-untyped-def]
) -> None:
    via_proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(LIMIT):
        attempt(
            client,
            "/accounts/login/",
            "alice",
            "wrong",
            HTTP_X_FORWARDED_FOR="198.51.100.7",
            **via_proxy,
        )
    other_agent = attempt(
        client,
        "/accounts/login/",
        "alice",
        "alice-password-1",
        HTTP_X_FORWARDED_FOR="198.51.100.8",
        **via_proxy,
    )
    make_project("talkstack", "acme", members=[alice])
    client.get("/calls/?project=acme", HTTP_X_FORWARDED_FOR="198.51.100.8", REMOTE_ADDR="10.0.0.2")

    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"
    assert other_agent.status_code == 302  # the same proxy, another client: not locked
    assert AuditEvent.objects.get(action="search").ip_address == "198.51.100.8"
