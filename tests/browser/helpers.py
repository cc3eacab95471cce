"""What browser tests do often: sign in, and keep a screenshot for a person to look at."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

# Gitignored; open the PNGs to see what a test saw.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def sign_in(page: Page, username: str, password: str) -> None:
    """Sign in through the login form (the one already open, or /accounts/login/)."""
    if "/accounts/login/" not in page.url:
        page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as screenshots/<name>.png and return the path."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
