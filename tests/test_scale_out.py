"""Two app processes behind a real load balancer share everything an agent's visit needs.

On the PostgreSQL + Redis run only (skipped on the embedded defaults): two gunicorn processes
with the committed gunicorn.conf.py, on a throwaway database and the run's Redis, behind
Debian's HAProxy (round robin, health check on /healthz). Without /usr/sbin/haproxy the test
is skipped, except on CI (CI set), where that is a failure: ./scripts/test installs it.

HAProxy names the process that answered in `X-Served-By`, and a request carrying `X-Via: a`
(or `b`) is sent to that process, so each step says which process it goes through.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection

from callviewer.sandbox import deployment
from callviewer.sandbox.core import Sandbox
from callviewer.sandbox.talkstack_data import EXAMPLE_SID

HAPROXY = Path(os.environ.get("HAPROXY_PATH", "/usr/sbin/haproxy"))
PROJECT = "acme-support"  # a demo project (TalkStack) holding EXAMPLE_SID and its recording
PASSWORD = "scale-out-agent-password"
ADMIN_PASSWORD = "scale-out-admin-password"
FAILURE_LIMIT = 3
ASK_LIMIT = 2  # questions an agent may ask an hour ("Ask about this call")
TIMEOUT = 60.0  # seconds for any one thing to start or answer: the machine may be busy

HAPROXY_CONFIG = """\
global
    maxconn 256
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option forwardfor
frontend web
    bind 127.0.0.1:{port}
    default_backend apps
backend apps
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    http-response set-header X-Served-By %s
    use-server a if {{ req.hdr(X-Via) -m str a }}
    use-server b if {{ req.hdr(X-Via) -m str b }}
    server a 127.0.0.1:{a} check inter 500ms fall 2 rise 1
    server b 127.0.0.1:{b} check inter 500ms fall 2 rise 1
"""


def _shared_services() -> None:
    if connection.vendor != "postgresql" or "redis" not in settings.CACHES["default"]["BACKEND"]:
        pytest.skip("runs on the PostgreSQL + Redis run (./scripts/test)")
    if not HAPROXY.exists():
        reason = f"{HAPROXY} is missing: apt-get install haproxy (./scripts/test does it)"
        if os.environ.get("CI"):
            pytest.fail(f"the scale-out test cannot run on CI: {reason}", pytrace=False)
        pytest.skip(reason)


class Site:
    """The load balancer's address; `via(client, "a", ...)` sends one request through a process."""

    def __init__(self, url: str) -> None:
        self.url = url

    def via(
        self, client: httpx.Client, process: str, method: str, path: str, **kwargs: object
    ) -> httpx.Response:
        headers = {"X-Via": process} | dict(kwargs.pop("headers", {}))  # type: ignore[call-overload]
        response = client.request(method, self.url + path, headers=headers, **kwargs)  # type: ignore[arg-type]
        assert response.headers.get("X-Served-By") == process, (method, path, process)
        return response


@pytest.fixture(scope="module")
def site(sandbox_server: Sandbox) -> Iterator[Site]:
    """Two app processes behind HAProxy on a throwaway database, with the demo projects."""
    _shared_services()
    base_url = os.environ["DATABASE_URL"]
    name = f"{deployment.database_name(base_url)}_scaleout"
    with (
        deployment.throwaway_database(base_url, name) as database_url,
        tempfile.TemporaryDirectory() as tmp,
        Path(tmp, "processes.log").open("w") as log,
    ):
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "callviewer.settings",
            "DEBUG": "true",  # demo_setup asks for it; cookies are then sent over plain HTTP
            "DATABASE_URL": database_url,
            "CACHE_URL": os.environ["CACHE_URL"],
            "TRUSTED_PROXIES": "127.0.0.1",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "8",
            "PROVIDER_PAGES_PER_PROCESS": "4",
            "DB_POOL_SIZE": "4",
            "LOGIN_FAILURE_LIMIT": str(FAILURE_LIMIT),
            "ASK_RATE_PER_AGENT": str(ASK_LIMIT),
            "DEMO_PASSWORD": PASSWORD,
            "DEMO_ADMIN_PASSWORD": ADMIN_PASSWORD,
        }
        deployment.manage(env, "migrate", "--noinput")
        deployment.manage(env, "demo_setup", "--sandbox-url", sandbox_server.url)
        ports = {which: deployment.free_port() for which in ("a", "b", "lb")}
        config = Path(tmp, "haproxy.cfg")
        config.write_text(HAPROXY_CONFIG.format(port=ports["lb"], a=ports["a"], b=ports["b"]))
        subprocess.run([HAPROXY, "-c", "-q", "-f", config], check=True, timeout=TIMEOUT)
        processes = []
        try:
            for process in ("a", "b"):
                processes.append(deployment.gunicorn(env, ports[process], log))
            processes.append(deployment.start([str(HAPROXY), "-db", "-f", str(config)], env, log))
            lb = f"http://127.0.0.1:{ports['lb']}"
            try:
                for process in ("a", "b"):
                    deployment.wait_until_answering(
                        f"http://127.0.0.1:{ports[process]}/healthz", processes, TIMEOUT
                    )
                    _wait_until_marked_up(lb, process)
            except RuntimeError as exc:
                log.flush()
                output = Path(tmp, "processes.log").read_text()[-4000:]
                pytest.fail(f"the deployment did not start: {exc}\n{output}", pytrace=False)
            yield Site(lb)
        finally:
            deployment.stop(processes)


def _wait_until_marked_up(lb: str, process: str) -> None:
    """HAProxy sends `X-Via` requests to a process only once its health check has passed."""
    deadline = time.monotonic() + TIMEOUT
    with httpx.Client(timeout=TIMEOUT) as client:
        while time.monotonic() < deadline:
            served = client.get(f"{lb}/healthz", headers={"X-Via": process})
            if served.headers.get("X-Served-By") == process:
                return
            time.sleep(0.1)  # polling interval, not a wait for a state
    pytest.fail(f"HAProxy did not mark process {process} up within {TIMEOUT:.0f} s")


def _csrf_token(response: httpx.Response) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
    assert found, "the sign-in form has a CSRF token"
    return found.group(1)


def sign_in(site: Site, client: httpx.Client, process: str, username: str, password: str) -> int:
    """Fill in the real sign-in form through `process`; the answer's status."""
    form = site.via(client, process, "GET", "/accounts/login/")
    assert form.status_code == 200
    answer = site.via(
        client,
        process,
        "POST",
        "/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": _csrf_token(form),
        },
    )
    return answer.status_code


def calls_asked_about(sandbox: Sandbox) -> int:
    """TalkStack's call lookups (POST /call) the simulator has answered so far."""
    return sum(1 for r in sandbox.requests_to("/call") if r.path == "/call")


def test_requests_round_robin_over_both_processes(site: Site) -> None:
    with httpx.Client(timeout=TIMEOUT) as client:
        served = {client.get(f"{site.url}/healthz").headers["X-Served-By"] for _ in range(4)}

    assert served == {"a", "b"}


def test_an_agent_signed_in_through_one_process_carries_on_through_the_other(
    site: Site, sandbox: Sandbox
) -> None:
    with httpx.Client(timeout=TIMEOUT) as agent:
        assert sign_in(site, agent, "a", "demo", PASSWORD) == 302

        search = site.via(agent, "b", "GET", f"/calls/?project={PROJECT}")
        call = site.via(agent, "a", "GET", f"/calls/{EXAMPLE_SID}/?project={PROJECT}")
        csrf = {"X-CSRFToken": agent.cookies["csrftoken"]}
        signed_out = site.via(agent, "b", "POST", "/accounts/logout/", headers=csrf)
        after = site.via(agent, "a", "GET", f"/calls/?project={PROJECT}")

    assert search.status_code == 200
    assert "Acme Support" in search.text
    assert call.status_code == 200
    assert EXAMPLE_SID in call.text
    assert signed_out.status_code == 302
    # Signed out through b: a no longer knows the session either.
    assert after.status_code == 302
    assert after.headers["Location"].startswith("/accounts/login/")


def test_a_recording_list_one_process_cached_is_used_by_the_other(
    site: Site, sandbox: Sandbox
) -> None:
    recording = f"/calls/{EXAMPLE_SID}/recordings/1/?project={PROJECT}"
    seek = {"Range": "bytes=1000-1999"}
    with httpx.Client(timeout=TIMEOUT) as agent:
        assert sign_in(site, agent, "a", "demo", PASSWORD) == 302
        before = calls_asked_about(sandbox)
        first = site.via(agent, "a", "GET", recording, headers=seek)
        asked_by_a = calls_asked_about(sandbox) - before
        second = site.via(agent, "b", "GET", recording, headers=seek)
        asked_by_b = calls_asked_about(sandbox) - before - asked_by_a

    assert (first.status_code, second.status_code) == (206, 206)
    assert first.content == second.content
    assert len(second.content) == 1000
    assert asked_by_a >= 1  # a asked the provider about the call and cached its recordings
    assert asked_by_b == 0  # b found them in the shared cache


def test_the_ask_limit_counted_through_one_process_holds_on_the_other(site: Site) -> None:
    ask = f"/calls/{EXAMPLE_SID}/ask/?project={PROJECT}"
    with httpx.Client(timeout=TIMEOUT) as agent:
        assert sign_in(site, agent, "a", "demo", PASSWORD) == 302
        headers = {"X-CSRFToken": agent.cookies["csrftoken"], "HX-Request": "true"}
        answers = [
            site.via(
                agent,
                process,
                "POST",
                ask,
                headers=headers,
                data={"question": f"Scale-out question {n}?", "answer_type": "Text"},
            )
            for n, process in enumerate(["a"] * ASK_LIMIT + ["b"])
        ]

    assert [a.status_code for a in answers] == [200] * ASK_LIMIT + [429]
    assert answers[-1].headers["Retry-After"].isdigit()


def test_wrong_passwords_through_one_process_lock_the_sign_in_on_the_other(site: Site) -> None:
    # The administrator's account: the lock lasts beyond this test, and the others sign in
    # as the agent.
    with httpx.Client(timeout=TIMEOUT) as attacker:
        refused = [
            sign_in(site, attacker, "a", "admin", "not-the-password") for _ in range(FAILURE_LIMIT)
        ]
    with httpx.Client(timeout=TIMEOUT) as agent:
        right_password_on_b = sign_in(site, agent, "b", "admin", ADMIN_PASSWORD)

    assert refused[:-1] == [200] * (FAILURE_LIMIT - 1)  # the form again, with its error
    assert refused[-1] == 429  # locked out
    assert right_password_on_b == 429  # b counts a's failures: the pair is locked everywhere
