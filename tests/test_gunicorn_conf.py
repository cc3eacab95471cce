"""The committed gunicorn settings: an access log without query strings or referrers."""

from __future__ import annotations

import datetime as dt
import runpy
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger

CONF = Path(__file__).resolve().parents[1] / "gunicorn.conf.py"


def access_line(environ: dict[str, str]) -> str:
    """One access-log line for `environ`, formatted as the committed settings say."""
    config = Config()
    for name, value in runpy.run_path(str(CONF)).items():
        if name in config.settings:
            config.set(name, value)
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[], response_length=1234)
    request = SimpleNamespace(headers=[])
    atoms = Logger(config).atoms(response, request, environ, dt.timedelta(milliseconds=42))
    return str(config.access_log_format) % atoms


def test_the_access_log_has_the_path_but_never_the_query_string_or_referrer() -> None:
    line = access_line(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/calls/",
            "QUERY_STRING": "project=acme&number=%2B12065550100",
            "RAW_URI": "/calls/?project=acme&number=%2B12065550100",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "10.0.0.2",
            "HTTP_REFERER": "https://cv.example/calls/?number=%2B12065550199",
            "HTTP_USER_AGENT": "Mozilla/5.0",
        }
    )

    assert '"GET /calls/ HTTP/1.1" 200 1234 42ms' in line
    assert "12065550" not in line
    assert "number" not in line


def test_the_serving_model_is_threads_with_room_beyond_the_provider_pages() -> None:
    from django.conf import settings

    conf = runpy.run_path(str(CONF))

    assert conf["worker_class"] == "gthread"
    assert conf["threads"] > settings.PROVIDER_PAGES_PER_PROCESS


def test_no_control_socket_is_opened() -> None:
    """Two gunicorns of one user (two app processes on one host, tests) never share a socket."""
    assert runpy.run_path(str(CONF))["control_socket_disable"] is True
