"""The project admin in a real browser: Test connection with what was typed, unsaved."""

from __future__ import annotations

import re

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from callviewer.projects.models import Project

from .helpers import screenshot, sign_in


def test_test_connection_checks_the_typed_values_and_keeps_them_unsaved(
    page: Page, admin_user: User, make_project, sandbox
) -> None:
    project = make_project("sinch", "umbrella-voice")
    # A script error or a Content-Security-Policy refusal would show in the console.
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if "Security Policy" in m.text else None)
    sign_in(page, "root", "root-password-1")
    page.goto(f"/admin/projects/project/{project.pk}/change/")

    page.get_by_label("Name:").fill("Umbrella Typed")
    page.get_by_role("button", name="Test connection").click()

    expect(page.locator(".messagelist")).to_have_text(
        re.compile(r"Umbrella Typed \(Sinch\): OK, the provider accepted the credentials\.")
    )
    expect(page.get_by_label("Name:")).to_have_value("Umbrella Typed")
    expect(
        page.get_by_text(re.compile(r"set \d{4}-\d\d-\d\d \d\d:\d\d UTC by tests"))
    ).to_be_visible()
    screenshot(page, "admin-project-test-connection")
    assert Project.objects.get(pk=project.pk).name == "Umbrella Voice"
    assert errors == []


def test_test_connection_on_the_add_form_checks_values_never_saved(
    page: Page, admin_user: User, sandbox
) -> None:
    from callviewer.sandbox import accounts

    key, secret = next(iter(accounts.SINCH_APPLICATIONS.items()))
    sign_in(page, "root", "root-password-1")
    page.goto("/admin/projects/project/add/")
    page.get_by_label("Name:").fill("Umbrella New")
    page.get_by_label("Provider:").select_option("sinch")
    sinch = page.locator("fieldset.provider-sinch")
    sinch.get_by_label("Application key:").fill(key)
    sinch.get_by_label("Base URL:").fill(sandbox.url)
    sinch.get_by_label("Application secret:").fill(secret)
    page.get_by_role("button", name="Test connection").click()

    expect(page.locator(".messagelist")).to_have_text(
        re.compile(
            r"Umbrella New \(Sinch\): OK, the provider accepted the credentials\. "
            r"Nothing is saved until you press Save\. Enter the Application secret again"
        )
    )
    # The typed values come back, but never the secret; the provider's fields stay shown.
    expect(page.get_by_label("Name:")).to_have_value("Umbrella New")
    expect(sinch.get_by_label("Application key:")).to_have_value(key)
    expect(sinch.get_by_label("Application secret:")).to_have_value("")
    expect(sinch.first).to_be_visible()
    assert not Project.objects.exists()
