"""Signing in and out in a real browser."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from .helpers import screenshot, sign_in


def test_an_agent_signs_in_and_sees_only_their_projects(
    page: Page, alice: User, bob: User, make_project
) -> None:
    make_project("talkstack", "acme-support", members=[alice])
    make_project("sinch", "umbrella-voice", members=[bob])

    page.goto("/projects/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/projects/$"))
    screenshot(page, "login")
    sign_in(page, "alice", "alice-password-1")

    expect(page).to_have_url(re.compile(r"/projects/$"))
    expect(page.get_by_role("heading", name="My projects")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("Acme Support"))).to_be_visible()
    expect(page.get_by_text("Umbrella Voice")).to_have_count(0)
    screenshot(page, "projects")


def test_a_wrong_password_shows_the_error_and_no_page(page: Page, alice: User) -> None:
    page.goto("/accounts/login/")
    sign_in(page, "alice", "not-her-password")

    expect(page.get_by_role("alert")).to_have_text(re.compile("did not match"))
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_label("Username")).to_have_value("alice")
    screenshot(page, "login-wrong-password")
    page.goto("/projects/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_signing_out_ends_the_session(page: Page, alice: User) -> None:
    sign_in(page, "alice", "alice-password-1")
    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.goto("/projects/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/projects/$"))


@pytest.mark.browser_zone("America/Los_Angeles")
def test_the_first_sign_in_takes_the_browsers_time_zone(
    page: Page, alice: User, make_project: Any
) -> None:
    make_project("talkstack", "acme", members=[alice])
    sign_in(page, "alice", "alice-password-1")

    expect(page.locator(".messages")).to_contain_text(
        "Times are shown in America/Los_Angeles, your browser's time zone"
    )
    page.goto("/calls/?project=acme")
    expect(page.get_by_role("columnheader", name="Started (America/Los_Angeles)")).to_be_visible()
    page.goto("/preferences/")
    expect(page.get_by_label("Show times, and read dates, in")).to_have_value("America/Los_Angeles")


def test_the_browser_finds_the_page_s_icon(page: Page) -> None:
    # Without one, Chromium asks for /favicon.ico and logs the 404 on every first page.
    with page.expect_response(lambda response: "favicon" in response.url) as icon:
        page.goto("/accounts/login/")
    assert icon.value.status == 200


def test_the_browser_knows_every_feature_the_permissions_policy_names(page: Page) -> None:
    warnings: list[str] = []
    page.on(
        "console", lambda m: warnings.append(m.text) if "Permissions-Policy" in m.text else None
    )
    page.goto("/accounts/login/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert warnings == []
