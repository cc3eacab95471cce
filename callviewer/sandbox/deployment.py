"""The deployment, run on this machine: gunicorn app processes with the committed
gunicorn.conf.py on a throwaway PostgreSQL database, for the scale-out test and
`manage.py loadtest`.

Every wait has a deadline and every process started here is ended by its PID. Nothing here
reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the system picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def database_url(url: str, name: str) -> str:
    """`url` (postgres://…/something) naming database `name` instead."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _server(url: str) -> psycopg.Connection:  # type: ignore[type-arg]
    """A connection to the server's maintenance database, for CREATE and DROP DATABASE."""
    parts = urlsplit(database_url(url, "postgres"))
    return psycopg.connect(urlunsplit(parts._replace(scheme="postgresql")), autocommit=True)


def drop_database(url: str, name: str) -> None:
    with _server(url) as server:
        server.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextlib.contextmanager
def throwaway_database(url: str, name: str) -> Iterator[str]:
    """A new, empty database `name` on `url`'s PostgreSQL server; its URL; dropped after."""
    drop_database(url, name)  # left over by a run that was killed
    with _server(url) as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield database_url(url, name)
    finally:
        drop_database(url, name)


def manage(env: Mapping[str, str], *args: str, timeout: float = 180) -> str:
    """Run `manage.py ARGS` in a process of its own with `env`; its output, or an error."""
    done = subprocess.run(  # noqa: S603 (this interpreter, this project's manage.py)
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def start(command: Sequence[str], env: Mapping[str, str], log: IO[str]) -> subprocess.Popen[str]:
    """Start `command` in the project folder, output to `log`, in a process group of its own
    (so stop() ends its children too)."""
    return subprocess.Popen(  # noqa: S603 (commands built here, never from input)
        list(command),
        cwd=BASE_DIR,
        env=dict(env),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def gunicorn(env: Mapping[str, str], port: int, log: IO[str]) -> subprocess.Popen[str]:
    """`gunicorn callviewer.wsgi`, reading the committed gunicorn.conf.py, on 127.0.0.1:port."""
    return start(
        [sys.executable, "-m", "gunicorn", "callviewer.wsgi"],
        dict(env) | {"BIND": f"127.0.0.1:{port}"},
        log,
    )


def wait_until_answering(
    url: str,
    processes: Sequence[subprocess.Popen[str]],
    timeout: float,
    headers: Mapping[str, str] | None = None,
    each: float = 5.0,
) -> None:
    """Poll `url` (each request given `each` seconds) until it answers below 500; fail if
    a process exits or `timeout` passes."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    with httpx.Client(timeout=each) as client:
        while time.monotonic() < deadline:
            for process in processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{process.args!r} exited ({process.returncode})")
            try:
                response = client.get(url, headers=dict(headers or {}))
            except httpx.TransportError as exc:
                last = type(exc).__name__
            else:
                if response.status_code < 500:
                    return
                last = f"status {response.status_code}"
            time.sleep(0.1)  # polling interval, not a wait for a state
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s ({last})")


def stop(processes: Sequence[subprocess.Popen[str]], timeout: float = 15) -> None:
    """End each process (and its process group) by its PID: SIGTERM, then SIGKILL."""
    for process in processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
