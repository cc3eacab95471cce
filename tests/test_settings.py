"""Production settings: refuse to start without their keys; the demo's defaults only with DEBUG.

Each case starts a fresh Python, since settings are read once per process. Variables are set
to "" rather than removed so a developer's .env (read with setdefault) cannot fill them in.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SECRET = "a-production-secret-key-that-is-long-enough-for-django-0123456789"
FERNET = "dGVzdHMtb25seS1jcmVkZW50aWFsLWtleS1udW1iLTE="
PRINT = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.SECRET_KEY == {secret!r}, len(s.CREDENTIAL_KEYS))"
)


def start(*, unset: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """Load callviewer.settings in a new process with these variables (and no `unset` one)."""
    drop = {"DATABASE_URL", "CACHE_URL", unset}
    base = {k: v for k, v in os.environ.items() if k not in drop}
    base |= {"DJANGO_SETTINGS_MODULE": "callviewer.settings", "PYTHONPATH": str(ROOT)}
    code = PRINT.format(secret=SECRET)
    if unset:  # keep a developer's .env from setting it after all
        code = "import environ; environ.Env.read_env = lambda *a, **k: None; " + code
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"SECRET_KEY": "", "CREDENTIAL_KEYS": FERNET}, "SECRET_KEY"),
        ({"SECRET_KEY": SECRET, "CREDENTIAL_KEYS": ""}, "CREDENTIAL_KEYS"),
        ({"SECRET_KEY": "", "CREDENTIAL_KEYS": ""}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_its_keys(env: dict[str, str], missing: str) -> None:
    result = start(DEBUG="false", **env)

    assert result.returncode != 0
    assert f"ImproperlyConfigured: {missing} must be set when DEBUG is off" in result.stderr


def test_production_starts_with_both_keys_and_secure_cookies() -> None:
    result = start(DEBUG="false", SECRET_KEY=SECRET, CREDENTIAL_KEYS=f"{FERNET},{FERNET}")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "2"]


def test_debug_runs_on_development_keys() -> None:
    result = start(DEBUG="true", SECRET_KEY="", CREDENTIAL_KEYS="")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "False", "1"]


def test_debug_is_off_unless_asked_for() -> None:
    result = start(unset="DEBUG", SECRET_KEY=SECRET, CREDENTIAL_KEYS=FERNET)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"


def production(**env: str) -> dict[str, str]:
    """The README's documented production settings (SQLite stands in for PostgreSQL)."""
    return {
        "DEBUG": "false",
        "SECRET_KEY": SECRET,
        "CREDENTIAL_KEYS": FERNET,
        "ALLOWED_HOSTS": "callviewer.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://callviewer.example.com",
        "SECURE_PROXY_SSL": "true",
        "TRUSTED_PROXIES": "10.0.0.0/8",
        "DATABASE_URL": "sqlite://:memory:",
    } | env


def check_deploy(**env: str) -> subprocess.CompletedProcess[str]:
    # Not the test run's own: the browser tests allow Django's ORM beside Playwright's loop.
    drop = {"DATABASE_URL", "CACHE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in drop}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=base | {"DJANGO_SETTINGS_MODULE": "callviewer.settings"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_is_silent_with_the_documented_production_settings() -> None:
    result = check_deploy(**production())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_warns_when_https_is_not_set_up() -> None:
    result = check_deploy(**production(SECURE_PROXY_SSL="false"))

    assert result.returncode != 0
    assert "security.W004" in result.stderr  # no HSTS
    assert "security.W008" in result.stderr  # no redirect to HTTPS


@pytest.mark.parametrize("streams", ["112", "200", "0"])
def test_recording_streams_must_leave_pages_a_place(streams: str) -> None:
    result = start(
        DEBUG="true", PROVIDER_PAGES_PER_PROCESS="112", RECORDING_STREAMS_PER_PROCESS=streams
    )

    assert result.returncode != 0
    assert "RECORDING_STREAMS_PER_PROCESS must be below PROVIDER_PAGES_PER_PROCESS" in result.stderr


@pytest.mark.parametrize(("pages", "streams"), [("112", "111"), ("0", "0"), ("0", "32")])
def test_recording_streams_below_the_page_cap_or_no_caps_at_all_start(
    pages: str, streams: str
) -> None:
    result = start(
        DEBUG="true", PROVIDER_PAGES_PER_PROCESS=pages, RECORDING_STREAMS_PER_PROCESS=streams
    )

    assert result.returncode == 0, result.stderr


def test_a_smaller_page_cap_lowers_the_default_recording_cap_below_it() -> None:
    code = (
        "import environ; environ.Env.read_env = lambda *a, **k: None; "
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.RECORDING_STREAMS_PER_PROCESS)"
    )
    env = {k: v for k, v in os.environ.items() if k != "RECORDING_STREAMS_PER_PROCESS"}
    env |= {"DJANGO_SETTINGS_MODULE": "callviewer.settings", "PYTHONPATH": str(ROOT)}
    env |= {"DEBUG": "true", "PROVIDER_PAGES_PER_PROCESS": "10"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["5"], result.stderr
