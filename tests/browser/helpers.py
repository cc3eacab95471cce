"""What browser tests do often: sign in, and keep a screenshot for a person to look at."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

# Gitignored; open the PNGs to see what a test saw.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def sign_in(page: Page, username: str, password: str) -> None:
    """Sign in through the login form (the one already open, or /accounts/login/).

    Returns once the person sees the outcome: a signed-in page (its Sign out or, in the
    admin, Log out button) or the login form's error. Going on earlier would let the next
    page.goto() cancel the sign-in still on its way.
    """
    if "/accounts/login/" not in page.url:
        page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    # Marks this document, so that an error already on screen is not taken for the answer.
    page.evaluate("document.documentElement.dataset.signingIn = 'yes'")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("html[data-signing-in]")).to_have_count(0)
    signed_in = page.get_by_role("button", name=re.compile(r"^(Sign out|Log out)$"))
    expect(signed_in.or_(page.get_by_role("alert")).first).to_be_visible()


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as screenshots/<name>.png and return the path."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # caret="initial": hiding the caret leaves a style="" behind on the page's elements, which
    # htmx then copies onto swapped-in ones, and the page's CSP refuses that.
    page.screenshot(path=str(path), full_page=True, caret="initial")
    return path


# Waits inside the page, for a property of its first <audio>. Playwright's wait_for_function
# evaluates its predicate with eval, which the app's Content-Security-Policy refuses; this
# promise is plain code, resolved by the audio element's own events.
_AUDIO_WAIT = """([name, above, ms]) => new Promise((resolve, reject) => {
  const audio = document.querySelector("audio");
  const events = ["timeupdate", "seeked", "ratechange", "playing", "loadedmetadata"];
  const done = () => audio[name] > above;
  const stop = () => {
    clearTimeout(timer);
    events.forEach((e) => audio.removeEventListener(e, check));
  };
  const check = () => { if (done()) { stop(); resolve(audio[name]); } };
  const timer = setTimeout(() => {
    stop();
    reject(new Error(`audio.${name} stayed at ${audio[name]}, not above ${above}`));
  }, ms);
  events.forEach((e) => audio.addEventListener(e, check));
  check();
})"""


def wait_for_audio(page: Page, name: str, above: float, timeout_ms: int = 10_000) -> float:
    """Wait until the page's audio element's `name` (currentTime, playbackRate) exceeds `above`."""
    return float(page.evaluate(_AUDIO_WAIT, [name, above, timeout_ms]))
