"""The recording proxy: Range answers, upstreams that ignore Range, hosts, credentials, memory."""

from __future__ import annotations

import base64
import logging
import os
import re
import subprocess
import sys
import threading
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.contrib.auth.models import User
from django.core.cache.backends.base import memcache_key_warnings
from django.http import StreamingHttpResponse
from django.test import Client

from callviewer import capacity
from callviewer.calls import recordings
from callviewer.calls.models import AuditEvent
from callviewer.calls.recordings import ByteRange, Unsatisfiable, parse_range
from callviewer.projects.models import Project
from callviewer.providers import http
from callviewer.providers.base import MediaSource
from callviewer.sandbox import accounts, signalwire_data, sinch_data, talkstack_data
from callviewer.sandbox.audio import wav_for
from callviewer.sandbox.core import Sandbox
from callviewer.sandbox.talkstack_data import EXAMPLE_SID

pytestmark = pytest.mark.django_db

ACCOUNT, TOKEN = next(iter(accounts.TWILIO_ACCOUNTS.items()))
EXAMPLE_RECORDING = "RE26e39c970fd416515799f5a165718be3"
AUDIO = wav_for(EXAMPLE_RECORDING, 23)
SIZE = len(AUDIO)
URL = f"/calls/{EXAMPLE_SID}/recordings/1/?project=talkstack-demo"
MOCKED_URL = f"/calls/{EXAMPLE_SID}/recordings/1/?project=mocked"
TWILIO_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE1.wav"
MakeProject = Any  # the make_project fixture of tests/conftest.py


@pytest.fixture
def project(make_project: MakeProject, alice: User) -> Project:
    return make_project("talkstack", members=[alice])


def body(response: Any) -> bytes:
    # The test client closes a response itself (a streamed one once its content is read). Closing
    # it again here would send request_finished, which closes the database connection in the
    # middle of the test's transaction on PostgreSQL.
    return b"".join(response.streaming_content) if response.streaming else response.content


def media_requests(sandbox: Sandbox) -> list[Any]:
    return sandbox.requests_to("/2010-04-01/Accounts/")


class OtherHost:
    """A second HTTP server on 127.0.0.1 (another origin) that logs what reaches it."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host.requests.append({k.lower(): v for k, v in self.headers.items()})
                self.send_response(200)
                self.send_header("Content-Type", "audio/x-wav")
                self.send_header("Content-Length", str(SIZE))
                self.end_headers()
                self.wfile.write(AUDIO)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def other_host() -> Iterator[OtherHost]:
    server = OtherHost()
    yield server
    server.stop()


# Parsing Range


@pytest.mark.parametrize(
    ("header", "parsed"),
    [
        (None, None),
        ("", None),
        ("bytes=0-", ByteRange(first=0)),
        ("bytes=100-199", ByteRange(first=100, last=199)),
        ("bytes=-500", ByteRange(suffix=500)),
        ("Bytes = 5 - 9", ByteRange(first=5, last=9)),
        ("bytes=0-1,5-6", None),  # several ranges: the whole file
        ("items=0-5", None),  # another unit: ignored
        ("bytes=abc", None),
        ("bytes=-", None),
        ("bytes=" + "9" * 5000 + "-", None),  # more digits than int() reads: garbage
        ("bytes=\u0663-", None),  # an Arabic-Indic 3 is a digit to Python, not to HTTP
    ],
)
def test_it_parses_range_headers(header: str | None, parsed: ByteRange | None) -> None:
    assert parse_range(header) == parsed


@pytest.mark.parametrize("header", ["bytes=200-100", "bytes=-0"])
def test_a_range_that_cannot_be_satisfied_is_refused_whatever_the_file(header: str) -> None:
    with pytest.raises(Unsatisfiable):
        parse_range(header)


@pytest.mark.parametrize(
    ("byte_range", "size", "positions"),
    [
        (ByteRange(first=0), 1000, (0, 999)),
        (ByteRange(first=100, last=199), 1000, (100, 199)),
        (ByteRange(first=900, last=5000), 1000, (900, 999)),
        (ByteRange(suffix=500), 1000, (500, 999)),
        (ByteRange(suffix=5000), 1000, (0, 999)),
    ],
)
def test_it_places_a_range_in_a_file(
    byte_range: ByteRange, size: int, positions: tuple[int, int]
) -> None:
    assert byte_range.within(size) == positions


@pytest.mark.parametrize("byte_range", [ByteRange(first=1000), ByteRange(suffix=3)])
def test_a_range_past_the_end_does_not_fit(byte_range: ByteRange) -> None:
    with pytest.raises(Unsatisfiable):
        byte_range.within(1000 if byte_range.first else 0)


@pytest.mark.parametrize(
    ("upstream", "url", "content_type"),
    [
        ("audio/mpeg", "https://h/r.wav", "audio/mpeg"),
        ("audio/x-wav; charset=binary", "https://h/r", "audio/x-wav"),
        ("application/octet-stream", "https://h/RE1.mp3", "audio/mpeg"),
        ("", "https://h/RE1.wav", "audio/x-wav"),
        ("", "https://h/RE1", "audio/x-wav"),
        ("text/html", "https://h/RE1.exe", "application/octet-stream"),
        ("audio/mp3", "https://h/RE1", "audio/mpeg"),
        ('Audio/MPEG ; codecs="mp3"', "https://h/RE1", "audio/mpeg"),
        ("audio/x,text/html", "https://h/RE1.mp3", "audio/mpeg"),
        ("text/html", "https://xn--a.com/RE1.mp3", "application/octet-stream"),
    ],
)
def test_it_names_the_audio_type(upstream: str, url: str, content_type: str) -> None:
    assert recordings.content_type_for(upstream, url) == content_type


# What Chromium renders as a page when served as it came (found on a recording host's answers).
HOSTILE_TYPES = [
    "audio/x,text/html",
    "audio/mpeg, text/html",
    "audio/x,image/svg+xml",
    "audio/mpeg;,text/html",
    "audio/mpeg text/html",
    "audio/mpeg\ttext/html",
    "audio/mpeg; x=<svg onload=alert(1)>",
    "audio/mpeg;charset=utf-8, text/html",
    "text/html",
    "image/svg+xml",
    "application/xhtml+xml",
    "audio/html",
    "multipart/x-mixed-replace; boundary=x",
    "",
]


@pytest.mark.parametrize("header", HOSTILE_TYPES)
def test_anything_but_exactly_one_allowed_audio_type_is_not_taken(header: str) -> None:
    assert recordings.audio_type(header) is None


@pytest.mark.parametrize(
    ("header", "audio"),
    [
        ("audio/mpeg", "audio/mpeg"),
        ("audio/mp3", "audio/mpeg"),
        ("audio/vnd.wave", "audio/wav"),
        ("AUDIO/X-WAV;charset=binary", "audio/x-wav"),
        (" audio/ogg ", "audio/ogg"),
    ],
)
def test_one_allowed_audio_type_is_taken_without_its_parameters(header: str, audio: str) -> None:
    assert recordings.audio_type(header) == audio


# Through the view, against the simulator


def test_it_streams_the_whole_recording_without_range(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    response = agent.get(URL)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "audio/x-wav"
    assert response["Content-Length"] == str(SIZE)
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Disposition"] == f'inline; filename="{EXAMPLE_SID}-1.wav"'
    assert body(response) == AUDIO


def test_a_download_is_an_attachment_named_after_the_call(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    response = agent.get(URL + "&download=1")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{EXAMPLE_SID}-1.wav"'
    assert body(response) == AUDIO


@pytest.mark.parametrize(
    "ignore_range", [False, True], ids=["upstream-ranges", "upstream-ignores-range"]
)
@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-", 0, SIZE - 1),
        ("bytes=100-199", 100, 199),
        ("bytes=-500", SIZE - 500, SIZE - 1),
        (f"bytes={SIZE - 10}-{SIZE + 1000}", SIZE - 10, SIZE - 1),
        ("bytes=70000-", 70000, SIZE - 1),  # starts a few chunks in
    ],
)
def test_ranges_get_a_correct_206(
    sandbox: Sandbox,
    project: Project,
    agent: Client,
    ignore_range: bool,
    header: str,
    start: int,
    end: int,
) -> None:
    sandbox.faults.ignore_range = ignore_range
    response = agent.get(URL, HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{SIZE}"
    assert response["Content-Length"] == str(end - start + 1)
    assert response["Accept-Ranges"] == "bytes"
    assert body(response) == AUDIO[start : end + 1]


def test_the_range_is_forwarded_upstream(sandbox: Sandbox, project: Project, agent: Client) -> None:
    body(agent.get(URL, HTTP_RANGE="bytes=100-199"))
    assert media_requests(sandbox)[-1].headers["range"] == "bytes=100-199"


@pytest.mark.parametrize(
    "ignore_range", [False, True], ids=["upstream-ranges", "upstream-ignores-range"]
)
@pytest.mark.parametrize(
    "header", [f"bytes={SIZE}-", f"bytes={SIZE + 5}-{SIZE + 10}", "bytes=200-100", "bytes=-0"]
)
def test_a_range_past_the_end_gets_416_with_the_size(
    sandbox: Sandbox, project: Project, agent: Client, ignore_range: bool, header: str
) -> None:
    sandbox.faults.ignore_range = ignore_range
    response = agent.get(URL, HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-5", "bytes=abc"])
def test_ranges_it_does_not_serve_get_the_whole_file(
    sandbox: Sandbox, project: Project, agent: Client, header: str
) -> None:
    response = agent.get(URL, HTTP_RANGE=header)
    assert response.status_code == 200
    assert body(response) == AUDIO


def test_the_twilio_credentials_go_to_the_twilio_host(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    body(agent.get(URL))
    pair = base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    assert media_requests(sandbox)[-1].headers["authorization"] == f"Basic {pair}"


def test_media_refused_by_the_host_is_a_502_that_says_so(
    sandbox: Sandbox, make_project: MakeProject, alice: User, agent: Client
) -> None:
    make_project("talkstack", members=[alice], secrets={"twilio_auth_token": "wrong"})
    response = agent.get(URL)
    assert response.status_code == 502
    assert "refused" in response.content.decode()
    assert "wrong" not in response.content.decode()


def test_a_redirect_to_another_host_is_refused_and_logged(
    sandbox: Sandbox,
    project: Project,
    agent: Client,
    other_host: OtherHost,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sandbox.options["twilio_redirect_to"] = (
        f"{other_host.url}/storage/{EXAMPLE_RECORDING}.wav?Signature=s3cr3t"
    )
    with caplog.at_level(logging.WARNING, logger="callviewer.calls.recordings"):
        response = agent.get(URL)
    assert response.status_code == 502
    assert "host callviewer does not fetch from" in response.content.decode()
    assert other_host.requests == []
    [record] = [r for r in caplog.records if r.name == "callviewer.calls.recordings"]
    assert "not an allowed host" in record.getMessage()
    assert other_host.url not in record.getMessage()  # the provider chose it: not logged
    assert "s3cr3t" not in caplog.text and TOKEN not in caplog.text


def test_redirects_within_the_allowed_host_are_followed_a_bounded_number_of_times(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    other = talkstack_data.dataset(sandbox).history["ts-proj-acme-0001"]
    target = next(c for c in other if c.recordings).recordings[0]
    sandbox.options["twilio_redirect_to"] = (
        f"{sandbox.url}/2010-04-01/Accounts/{ACCOUNT}/Recordings/{target}"
    )
    # The simulator redirects every media request; the proxy gives up after a few hops.
    response = agent.get(URL)
    assert response.status_code == 502
    assert "too many times" in response.content.decode()
    hops = media_requests(sandbox)
    assert len(hops) == recordings.MAX_REDIRECTS + 1
    assert all(h.headers.get("authorization") for h in hops)


def test_a_recording_on_another_host_is_refused_before_any_request(
    sandbox: Sandbox, make_project: MakeProject, alice: User, agent: Client, other_host: OtherHost
) -> None:
    # The project fetches media only from other_host; the simulator's recording URLs are
    # elsewhere, so the provider's answer points at a host the project does not allow.
    make_project("talkstack", members=[alice], settings={"twilio_base_url": other_host.url})
    response = agent.get(URL)
    assert response.status_code == 502
    assert other_host.requests == [] and media_requests(sandbox) == []


def test_credentials_go_only_to_their_origin_across_redirects(
    sandbox: Sandbox, other_host: OtherHost
) -> None:
    sandbox.options["twilio_redirect_to"] = f"{other_host.url}/storage/x.wav"
    secret = {"Authorization": "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()}
    source = MediaSource(
        url=f"{sandbox.url}/2010-04-01/Accounts/{ACCOUNT}/Recordings/{EXAMPLE_RECORDING}.wav",
        allowed_origins=frozenset({sandbox.url, other_host.url}),
        credential_origin=sandbox.url,
        headers=secret,
    )
    response, stack = recordings.open_media("TalkStack AI", source, {})
    with stack:
        assert response.status_code == 200
        assert response.read() == AUDIO
    assert media_requests(sandbox)[-1].headers["authorization"] == secret["Authorization"]
    assert len(other_host.requests) == 1
    assert "authorization" not in other_host.requests[0]


def test_a_media_source_without_a_credential_origin_sends_no_credentials(
    other_host: OtherHost,
) -> None:
    source = MediaSource(
        url=f"{other_host.url}/r.wav",
        allowed_origins=frozenset({other_host.url}),
        headers={"Authorization": "Basic c2VjcmV0"},
    )
    _response, stack = recordings.open_media("SignalWire", source, {})
    stack.close()
    assert "authorization" not in other_host.requests[0]


def test_an_upstream_that_times_out_gets_504(
    sandbox: Sandbox, project: Project, agent: Client, settings: Any
) -> None:
    settings.PROVIDER_READ_TIMEOUT = 0.3
    sandbox.faults.timeout_sids = {EXAMPLE_RECORDING}
    sandbox.faults.hang_seconds = 1.0
    response = agent.get(URL)
    assert response.status_code == 504
    assert "took too long" in response.content.decode()


def test_a_recording_the_provider_no_longer_has_is_a_404(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    sandbox.faults.fail_sids = {EXAMPLE_RECORDING: 404}
    response = agent.get(URL)
    assert response.status_code == 404
    assert "no longer has this recording" in response.content.decode()


def test_a_recording_number_the_call_does_not_have_is_a_404(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    response = agent.get(URL.replace("/recordings/1/", "/recordings/2/"))
    assert response.status_code == 404
    response = agent.get(URL.replace("/recordings/1/", "/recordings/0/"))
    assert response.status_code == 404


def test_sinch_calls_have_no_recordings(
    sandbox: Sandbox, make_project: MakeProject, alice: User, agent: Client
) -> None:
    make_project("sinch", members=[alice])
    sid = sinch_data.seeded_call_ids(sandbox)[0]
    response = agent.get(f"/calls/{sid}/recordings/1/?project=sinch-demo")
    assert response.status_code == 404
    assert response.content.decode().strip() == "Sinch's API offers no recordings."


def test_another_projects_recording_is_a_404(
    sandbox: Sandbox, project: Project, bob: User, client: Client, make_project: MakeProject
) -> None:
    # Bob's project is another TalkStack project: it does not hold the call.
    make_project(
        "talkstack",
        "bobs",
        members=[bob],
        settings={"project_id": "ts-proj-globex-0002"},
        secrets={"api_key": accounts.TALKSTACK_PROJECTS["ts-proj-globex-0002"]},
    )
    client.force_login(bob)
    assert client.get(URL).status_code == 404
    assert client.get(f"/calls/{EXAMPLE_SID}/recordings/1/").status_code == 404
    assert media_requests(sandbox) == []


# Seeking: one question about the call, then only media


def call_requests(sandbox: Sandbox) -> list[Any]:
    return [r for r in sandbox.requests if r.path == "/call"]


def test_seeking_asks_the_provider_about_the_call_once(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    for header in ("bytes=0-", "bytes=100000-", "bytes=200000-300000"):
        assert agent.get(URL, HTTP_RANGE=header).status_code == 206
    assert len(call_requests(sandbox)) == 1
    assert len(media_requests(sandbox)) == 3


def test_a_remembered_recording_is_still_no_one_elses(
    sandbox: Sandbox, project: Project, agent: Client, bob: User, client: Client
) -> None:
    body(agent.get(URL))
    other = Client()
    other.force_login(bob)
    response = other.get(URL, HTTP_RANGE="bytes=0-")
    assert response.status_code == 404
    assert len(media_requests(sandbox)) == 1


def test_the_recordings_of_a_live_call_are_asked_for_each_time(
    make_project: MakeProject, alice: User, agent: Client
) -> None:
    asked: list[str] = []
    call = {"callSid": EXAMPLE_SID, "status": "in-progress", "recordingUrls": [TWILIO_URL]}

    def handle(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.host)
        if request.url.host == "talkstack.test":
            return httpx.Response(200, json=call)
        return httpx.Response(200, headers={"Content-Type": "audio/x-wav"}, content=iter([b"RIFF"]))

    make_project(
        "talkstack",
        "mocked",
        members=[alice],
        settings={
            "base_url": "https://talkstack.test",
            "twilio_base_url": "https://api.twilio.com",
        },
    )
    with http.override_transport(httpx.MockTransport(handle)):
        for _ in range(2):
            assert body(agent.get(f"/calls/{EXAMPLE_SID}/recordings/1/?project=mocked")) == b"RIFF"
    assert asked == ["talkstack.test", "api.twilio.com"] * 2


def test_a_change_to_the_projects_hosts_forgets_the_remembered_recordings(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    body(agent.get(URL))
    project.settings = project.settings | {"currency": "EUR"}
    project.save()
    body(agent.get(URL))
    assert len(call_requests(sandbox)) == 2


def test_the_remembered_recordings_key_suits_every_cache_whatever_the_sid(
    project: Project,
) -> None:
    for sid in ["a b\x01\t", "\u260e" * 10, "C" * 500]:
        key = recordings._remembered_key(project, sid)
        assert list(memcache_key_warnings(key)) == []
    assert recordings._remembered_key(project, "x") != recordings._remembered_key(project, "y")


# Audit


def audit_actions() -> list[tuple[str, str, str]]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", "call_sid", "detail"))


def test_a_play_is_audited_once_however_many_ranges_it_takes(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    body(agent.get(URL, HTTP_RANGE="bytes=0-"))
    body(agent.get(URL, HTTP_RANGE="bytes=100000-"))
    body(agent.get(URL, HTTP_RANGE="bytes=-500"))
    assert audit_actions() == [("play_recording", EXAMPLE_SID, "recording 1")]


def test_a_download_is_audited_as_a_download(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    body(agent.get(URL + "&download=1"))
    assert audit_actions() == [("download_recording", EXAMPLE_SID, "recording 1")]


def test_a_failed_fetch_is_not_audited_as_a_play(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    sandbox.faults.fail_sids = {EXAMPLE_RECORDING: 404}
    agent.get(URL)
    assert audit_actions() == []


# Streaming, with an upstream at the HTTP seam


def big_upstream(size: int, *, ranges: bool) -> httpx.MockTransport:
    """TalkStack answering the example call, and a Twilio host serving `size` bytes."""
    call = {
        "callSid": EXAMPLE_SID,
        "status": "completed",
        "seconds": 5,
        "recordingUrls": [
            f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE1.wav"
        ],
    }

    def chunks(start: int, end: int) -> Iterator[bytes]:
        block = b"\x01" * 65536
        position = start
        while position <= end:
            n = min(len(block), end - position + 1)
            yield block[:n]
            position += n

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "talkstack.test":
            return httpx.Response(200, json=call)
        assert request.url.host == "api.twilio.com"
        asked = parse_range(request.headers.get("range"))
        if ranges and asked is not None:
            start, end = asked.within(size)
            headers = {
                "Content-Range": f"bytes {start}-{end}/{size}",
                "Content-Length": str(end - start + 1),
            }
            return httpx.Response(
                206, headers=headers | {"Content-Type": "audio/x-wav"}, content=chunks(start, end)
            )
        headers = {"Content-Length": str(size), "Content-Type": "audio/x-wav"}
        return httpx.Response(200, headers=headers, content=chunks(0, size - 1))

    return httpx.MockTransport(handle)


@pytest.fixture
def mocked_project(make_project: MakeProject, alice: User) -> Project:
    return make_project(
        "talkstack",
        "mocked",
        members=[alice],
        settings={
            "base_url": "https://talkstack.test",
            "twilio_base_url": "https://api.twilio.com",
        },
    )


@pytest.mark.parametrize("ranges", [True, False], ids=["upstream-ranges", "upstream-ignores-range"])
@pytest.mark.parametrize("header", [None, "bytes=0-", "bytes=40000000-"])
def test_memory_does_not_grow_with_the_file(
    mocked_project: Project, agent: Client, ranges: bool, header: str | None
) -> None:
    size = 64 * 1024 * 1024
    with http.override_transport(big_upstream(size, ranges=ranges)):
        extra: dict[str, Any] = {"HTTP_RANGE": header} if header else {}
        response: Any = agent.get(f"/calls/{EXAMPLE_SID}/recordings/1/?project=mocked", **extra)
        assert response.status_code == (206 if header else 200)
        total = 0
        tracemalloc.start()
        try:
            for chunk in response.streaming_content:
                total += len(chunk)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert total == int(response["Content-Length"])
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes while streaming {total}"


def test_an_upstream_206_of_the_wrong_part_is_refused(
    mocked_project: Project, agent: Client
) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "talkstack.test":
            return httpx.Response(
                200,
                json={"callSid": EXAMPLE_SID, "status": "completed", "recordingUrls": [TWILIO_URL]},
            )
        return httpx.Response(206, headers={"Content-Range": "bytes 0-9/1000"}, content=b"x" * 10)

    with http.override_transport(httpx.MockTransport(handle)):
        response = agent.get(
            f"/calls/{EXAMPLE_SID}/recordings/1/?project=mocked", HTTP_RANGE="bytes=500-"
        )
    assert response.status_code == 502
    assert "not asked for" in response.content.decode()


@pytest.mark.parametrize(
    "location", ["https://xn--a.com/r.wav", "https://[::1/r.wav", "http://a:99999/"]
)
def test_a_redirect_to_what_is_not_a_url_is_refused(
    mocked_project: Project, agent: Client, location: str
) -> None:
    call = {"callSid": EXAMPLE_SID, "status": "completed", "recordingUrls": [TWILIO_URL]}

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "talkstack.test":
            return httpx.Response(200, json=call)
        return httpx.Response(302, headers={"Location": location})

    with http.override_transport(httpx.MockTransport(handle)):
        response = agent.get(MOCKED_URL)
    assert response.status_code == 502


# Only ever audio, whatever the recording host says


def hostile_upstream(
    content_type: str | list[str], recording_url: str = TWILIO_URL
) -> httpx.MockTransport:
    """TalkStack answering the example call, and a recording host sending a page instead."""
    call = {"callSid": EXAMPLE_SID, "status": "completed", "recordingUrls": [recording_url]}
    page = b"<html><script>alert(document.cookie)</script></html>"

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "talkstack.test":
            return httpx.Response(200, json=call)
        types = content_type if isinstance(content_type, list) else [content_type]
        headers = [("Content-Type", t) for t in types] + [("Content-Length", str(len(page)))]
        if request.headers.get("range") == "bytes=0-9":
            part = [("Content-Range", f"bytes 0-9/{len(page)}"), ("Content-Length", "10")]
            return httpx.Response(206, headers=headers[:-1] + part, content=iter([page[:10]]))
        return httpx.Response(200, headers=headers, content=iter([page]))

    return httpx.MockTransport(handle)


def assert_protected(response: Any) -> None:
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


@pytest.mark.parametrize("content_type", [*HOSTILE_TYPES, ["audio/mpeg", "text/html"]])
@pytest.mark.parametrize("header", [None, "bytes=0-9"], ids=["whole", "range"])
def test_a_page_from_the_recording_host_is_served_as_audio_of_the_urls_type(
    mocked_project: Project, agent: Client, content_type: str | list[str], header: str | None
) -> None:
    extra: dict[str, Any] = {"HTTP_RANGE": header} if header else {}
    with http.override_transport(hostile_upstream(content_type)):
        response = agent.get(MOCKED_URL, **extra)
        body(response)
    assert response.status_code == (206 if header else 200)
    assert response["Content-Type"] == "audio/x-wav"  # from RE1.wav
    assert response["Content-Disposition"].startswith("inline;")
    assert_protected(response)


def test_a_recording_url_that_is_not_audio_is_refused_as_plain_protected_text(
    mocked_project: Project, agent: Client
) -> None:
    # TalkStack's module fetches only Twilio recording media (.mp3, .wav or no extension).
    url = TWILIO_URL.replace("RE1.wav", "RE1.html")
    with http.override_transport(hostile_upstream("text/html", url)):
        response = agent.get(MOCKED_URL)
        body(response)
    assert response.status_code == 502
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert_protected(response)


def test_bytes_of_no_known_audio_type_are_only_ever_downloaded() -> None:
    assert recordings.content_type_for("text/html", "https://media.example/r/RE1.html") == (
        "application/octet-stream"
    )
    assert recordings.filename_for("CA1", 1, "application/octet-stream") == "CA1-1.bin"


def test_errors_and_416_answers_carry_the_same_protections(
    sandbox: Sandbox, project: Project, agent: Client
) -> None:
    assert_protected(agent.get(URL, HTTP_RANGE=f"bytes={SIZE}-"))  # 416
    assert_protected(agent.get(URL.replace("/recordings/1/", "/recordings/9/")))  # 404
    sandbox.faults.fail_sids = {EXAMPLE_RECORDING: 500}
    assert_protected(agent.get(URL))  # 502
    served = agent.get(URL.replace("?", "?download=1&"))
    assert_protected(served)


# SignalWire media, on the project's own space host


@pytest.fixture
def signalwire_recording(
    sandbox: Sandbox, make_project: MakeProject, alice: User
) -> tuple[str, signalwire_data.SimRecording]:
    make_project("signalwire", members=[alice])
    project_id = next(iter(accounts.SIGNALWIRE_PROJECTS))
    live = set(signalwire_data.LIVE_CALL_SIDS)
    call = next(
        c for c in signalwire_data.calls(sandbox, project_id) if c.recordings and c.sid not in live
    )
    return call.sid, call.recordings[0]


@pytest.mark.parametrize("protected", [False, True], ids=["public-media", "protected-media"])
def test_signalwire_recordings_stream_with_ranges(
    sandbox: Sandbox,
    agent: Client,
    signalwire_recording: tuple[str, signalwire_data.SimRecording],
    protected: bool,
) -> None:
    sandbox.options["signalwire_protect_media"] = protected
    sid, recording = signalwire_recording
    audio = wav_for(recording.sid, recording.duration)
    response = agent.get(
        f"/calls/{sid}/recordings/1/?project=signalwire-demo", HTTP_RANGE="bytes=-500"
    )
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {len(audio) - 500}-{len(audio) - 1}/{len(audio)}"
    assert response["Content-Disposition"] == f'inline; filename="{sid}-1.wav"'
    assert body(response) == audio[-500:]
    [fetched] = sandbox.requests_to(
        f"/api/laml/2010-04-01/Accounts/{next(iter(accounts.SIGNALWIRE_PROJECTS))}/Recordings/{recording.sid}"
    )
    assert fetched.headers["authorization"].startswith("Basic ")  # only to the space host


def test_a_signalwire_recording_redirected_off_the_space_host_is_refused(
    sandbox: Sandbox,
    agent: Client,
    signalwire_recording: tuple[str, signalwire_data.SimRecording],
    other_host: OtherHost,
) -> None:
    sid, _ = signalwire_recording
    simulator = httpx.Client(trust_env=False)

    def handle(request: httpx.Request) -> httpx.Response:
        """The simulator's answers, except that media redirects to another host."""
        path = request.url.path
        if "/Recordings/" in path and not path.endswith(".json"):
            return httpx.Response(302, headers={"Location": f"{other_host.url}/media.wav"})
        answer = simulator.send(httpx.Request(request.method, request.url, headers=request.headers))
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    with http.override_transport(httpx.MockTransport(handle)):
        response = agent.get(f"/calls/{sid}/recordings/1/?project=signalwire-demo")
    simulator.close()
    assert response.status_code == 502
    assert "host callviewer does not fetch from" in response.content.decode()
    assert sandbox.requests_to("/api/laml/")  # the call and its recordings were read
    assert other_host.requests == []


# Streams that break, trickle or last too long; the cap on streams at once


@pytest.fixture
def stream_limits(settings: Any) -> Any:
    """Limits only a test's own trickle or deadline can reach (each test sets one)."""
    settings.RECORDING_STREAM_DEADLINE = 3600.0
    settings.RECORDING_MIN_RATE = 0.0
    settings.RECORDING_RATE_WINDOW = 0.1
    return settings


def test_a_stream_past_its_deadline_fails_instead_of_ending_short(
    sandbox: Sandbox, project: Project, agent: Client, stream_limits: Any
) -> None:
    stream_limits.RECORDING_STREAM_DEADLINE = 0.2
    sandbox.faults.media_rate = 50_000  # the 368 KB recording would take 7 s
    response = agent.get(URL)
    assert response.status_code == 200
    assert response["Content-Length"] == str(SIZE)
    with pytest.raises(recordings.StreamBroken, match="longer than the time allowed"):
        body(response)


def test_a_trickling_provider_is_cut_off_by_the_minimum_rate(
    sandbox: Sandbox, project: Project, agent: Client, stream_limits: Any
) -> None:
    stream_limits.RECORDING_MIN_RATE = 1_000_000  # over 0.1 s windows
    sandbox.faults.media_rate = 20_000
    response = agent.get(URL, HTTP_RANGE="bytes=0-")
    assert response.status_code == 206
    with pytest.raises(recordings.StreamBroken, match="too slowly"):
        body(response)


def test_a_provider_well_above_the_minimum_rate_is_streamed_whole(
    sandbox: Sandbox, project: Project, agent: Client, stream_limits: Any
) -> None:
    stream_limits.RECORDING_MIN_RATE = 100  # bytes a second; the simulator sends megabytes
    assert body(agent.get(URL)) == AUDIO


@pytest.mark.parametrize(
    ("header", "ignore_range", "status"),
    [(None, False, 200), ("bytes=0-", False, 206), ("bytes=1000-", True, 206)],
    ids=["whole-file", "upstream-range", "range-cut-from-a-200"],
)
def test_an_upstream_that_breaks_off_fails_the_answer_and_is_logged_without_its_host(
    sandbox: Sandbox,
    project: Project,
    agent: Client,
    caplog: pytest.LogCaptureFixture,
    header: str | None,
    ignore_range: bool,
    status: int,
) -> None:
    sandbox.faults.media_break_after = 100_000  # of 368 KB, despite the Content-Length
    sandbox.faults.ignore_range = ignore_range
    extra: dict[str, Any] = {"HTTP_RANGE": header} if header else {}
    response = agent.get(URL, **extra)
    assert response.status_code == status
    with caplog.at_level(logging.WARNING), pytest.raises(recordings.StreamBroken):
        body(response)
    assert "Recording stream ended early: TalkStack" in caplog.text
    assert sandbox.url.removeprefix("http://") not in caplog.text


def test_an_upstream_without_a_length_that_breaks_off_fails_the_answer(
    mocked_project: Project, agent: Client
) -> None:
    def pieces() -> Iterator[bytes]:
        yield b"\x01" * 1000
        raise httpx.ReadError("connection reset by peer")

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "talkstack.test":
            call = {"callSid": EXAMPLE_SID, "status": "completed", "recordingUrls": [TWILIO_URL]}
            return httpx.Response(200, json=call)
        return httpx.Response(200, headers={"Content-Type": "audio/x-wav"}, content=pieces())

    with http.override_transport(httpx.MockTransport(handle)):
        response = agent.get(MOCKED_URL)
        assert response.status_code == 200
        assert not response.has_header("Content-Length")
        with pytest.raises(recordings.StreamBroken, match="broke off"):
            body(response)


@pytest.fixture
def one_stream(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[capacity.Places]:
    """Room for one stream, counted afresh: other tests leave streams unread and unclosed
    (a server always closes an answer; the test client only once it is read)."""
    settings.RECORDING_STREAMS_PER_PROCESS = 1
    places = capacity.Places("RECORDING_STREAMS_PER_PROCESS")
    monkeypatch.setattr(capacity, "RECORDING_STREAMS", places)
    yield places
    assert places.in_use == 0, "a recording stream kept its place"


def test_past_the_cap_a_recording_is_a_503_in_words_that_asks_no_provider(
    sandbox: Sandbox, project: Project, agent: Client, one_stream: capacity.Places
) -> None:
    playing = agent.get(URL)
    asked = len(sandbox.requests)
    refused = agent.get(URL, HTTP_RANGE="bytes=1-1")
    assert refused.status_code == 503
    assert refused["Retry-After"] == "5"
    assert refused["Content-Type"].startswith("text/plain")
    assert "as many recordings as it can" in refused.content.decode()
    assert len(sandbox.requests) == asked
    assert body(playing) == AUDIO  # its end gives the place back
    again = agent.get(URL, HTTP_RANGE="bytes=0-9")
    assert again.status_code == 206
    assert body(again) == AUDIO[:10]


def test_a_stream_that_fails_gives_its_place_back(
    sandbox: Sandbox, project: Project, agent: Client, one_stream: capacity.Places
) -> None:
    sandbox.faults.media_break_after = 1000
    with pytest.raises(recordings.StreamBroken):
        body(agent.get(URL))
    sandbox.faults.media_break_after = None
    assert body(agent.get(URL)) == AUDIO


def test_answers_that_are_not_streams_give_their_place_back_at_once(
    sandbox: Sandbox, project: Project, agent: Client, one_stream: capacity.Places
) -> None:
    assert agent.get(URL.replace("/recordings/1/", "/recordings/9/")).status_code == 404
    sandbox.faults.fail_sids = {EXAMPLE_RECORDING: 500}
    assert agent.get(URL).status_code == 502
    assert one_stream.in_use == 0


# End to end: the proxy under gunicorn (gunicorn.conf.py), read by an HTTP client


class Served:
    """gunicorn serving tests/calls/served_recordings.py, and what it logged."""

    def __init__(self, sandbox: Sandbox) -> None:
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "tests.calls.served_recordings_settings",
            "SANDBOX_URL": sandbox.url,
            "BIND": "127.0.0.1:0",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "4",
            # A second's window: a healthy stream on a busy machine is never judged on one
            # stalled read (the whole recording usually arrives in less waiting than that).
            "RECORDING_MIN_RATE": "5000",
            "RECORDING_RATE_WINDOW": "1",
            "DATABASE_URL": "sqlite://:memory:",
        }
        env.pop("CACHE_URL", None)
        self.process = subprocess.Popen(
            # No control socket: its default path is shared by every gunicorn of this user.
            [sys.executable, "-m", "gunicorn", "--no-control-socket", "callviewer.wsgi"],
            cwd=Path(__file__).resolve().parents[2],  # where gunicorn.conf.py is
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.log: list[str] = []
        self.url = ""
        self._listening = threading.Event()
        self._reader = threading.Thread(target=self._read_log, daemon=True)
        self._reader.start()

    def _read_log(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)
            if match := re.search(r"Listening at: (http://\S+)", line):
                self.url = match.group(1)
                self._listening.set()
        self._listening.set()

    def wait_until_listening(self) -> None:
        self._listening.wait(timeout=60)
        assert self.url, "gunicorn did not start:\n" + "".join(self.log)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self._reader.join(timeout=30)


@pytest.fixture(scope="module")
def gunicorn(sandbox_server: Sandbox) -> Iterator[Served]:
    served = Served(sandbox_server)
    try:
        served.wait_until_listening()
        yield served
    finally:
        served.stop()
    log = "".join(served.log)
    # Dropped connections are logged by gunicorn, in callviewer's words only.
    assert sandbox_server.url.removeprefix("http://") not in log


def read_served(url: str) -> tuple[httpx.Response, bytes, Exception | None]:
    """The answer, the bytes that came, and the error that ended them, if any."""
    received = b""
    with httpx.stream("GET", url, timeout=30) as response:
        try:
            for chunk in response.iter_raw():
                received += chunk
        except httpx.HTTPError as exc:
            return response, received, exc
    return response, received, None


def test_behind_gunicorn_a_whole_recording_arrives_whole(
    sandbox: Sandbox, gunicorn: Served
) -> None:
    response, received, error = read_served(gunicorn.url + "/recording/")
    assert (response.status_code, error) == (200, None)
    assert received == AUDIO


def test_behind_gunicorn_a_broken_upstream_is_an_incomplete_answer_never_a_short_200(
    sandbox: Sandbox, gunicorn: Served
) -> None:
    sandbox.faults.media_break_after = 100_000
    response, received, error = read_served(gunicorn.url + "/recording/")
    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(SIZE)
    assert isinstance(error, httpx.RemoteProtocolError)  # fewer bytes than announced
    assert len(received) < SIZE


def test_behind_gunicorn_a_trickle_without_a_length_ends_as_an_incomplete_chunked_answer(
    sandbox: Sandbox, gunicorn: Served
) -> None:
    sandbox.faults.media_without_length = True
    sandbox.faults.media_rate = 200  # bytes a second, under the served minimum of 5000
    response, received, error = read_served(gunicorn.url + "/recording/")
    assert response.status_code == 200
    assert response.headers["Transfer-Encoding"] == "chunked"
    assert isinstance(error, httpx.RemoteProtocolError)  # no last chunk
    assert len(received) < SIZE
