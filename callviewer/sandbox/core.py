"""The provider simulator's core: a small threaded WSGI server, routing, fault injection, Range.

Each provider's simulated API lives in its own module (`talkstack_api`, `signalwire_api`,
`sinch_api`) and exposes `ROUTES`: a list of (method, path regex, handler). Handlers take a
`SimRequest` and the `Sandbox` and return a `SimResponse`. Nothing here imports Django, so
the simulator runs the same standalone (`manage.py sandbox`), in tests and in benchmarks.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from socketserver import ThreadingMixIn
from typing import Any, TypeVar
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .audio import Wav


@dataclass
class SimRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    match: re.Match[str] | None = None

    def arg(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class SimResponse:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(
        cls, data: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> SimResponse:
        return cls(
            status,
            json.dumps(data).encode(),
            {"Content-Type": "application/json"} | (headers or {}),
        )


Handler = Callable[[SimRequest, "Sandbox"], SimResponse]


@dataclass
class Faults:
    """Injected latency and failures. Tests change these; `Sandbox.reset()` clears them."""

    delay: float = 0.0  # seconds added to every request
    error_rate: float = 0.0  # share of requests answered with `error_status`
    error_status: int = 503
    timeout_sids: set[str] = field(default_factory=set)  # requests naming these hang `hang_seconds`
    fail_sids: dict[str, int] = field(default_factory=dict)  # requests naming these get that status
    hang_seconds: float = 30.0
    rate_limit_next: int = 0  # answer this many next requests with 429
    retry_after: str = "1"
    ignore_range: bool = False  # media endpoints answer 200 with the whole file
    down: bool = False  # every request gets 503
    # Recording media (serve_media). Its size and rate shape the load benchmark's recordings
    # (`manage.py sandbox --media-size --media-rate`); a low rate is a trickling provider.
    media_size: int = 0  # bytes of every recording's WAV; 0: as long as the recording lasts
    media_rate: float = 0.0  # bytes per second per answer; 0: as fast as it can
    media_break_after: int | None = None  # the connection closes after this many body bytes
    media_without_length: bool = False  # no Content-Length: the body ends when the connection does


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


T = TypeVar("T")


class Sandbox:
    """A running simulator: its URL, its faults, and the requests it has received."""

    def __init__(self, routes: list[tuple[str, str, Handler]], seed: int = 7) -> None:
        self.routes = [(m, re.compile(p), h) for m, p, h in routes]
        self.faults = Faults()
        self.requests: list[LoggedRequest] = []
        self.seed = seed
        self.started = time.time()
        self.clock_offset = 0.0  # seconds added to "now" (tests move live calls forward)
        # When set, the simulator's clock stands still at this moment (plus `clock_offset`):
        # tests freeze it so a live call cannot change state while a busy machine runs them.
        self.frozen_at: float | None = None
        # Per-provider switches for response shapes and behaviours (each provider module
        # documents its own keys, e.g. "talkstack_envelope"); cleared by reset().
        self.options: dict[str, Any] = {}
        self.url = ""
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._kept: dict[Callable[[int, int], Any], Any] = {}
        self._kept_lock = threading.Lock()

    def _clock(self) -> float:
        frozen = self.frozen_at
        return time.time() if frozen is None else frozen

    def now(self) -> float:
        return self._clock() + self.clock_offset

    def elapsed(self) -> float:
        """Seconds since the simulator started, plus the test clock offset."""
        return self._clock() - self.started + self.clock_offset

    def kept(self, make: Callable[[int, int], T]) -> T:
        """`make(seed, start second)` on first use, then that value for the sandbox's life.

        The providers' generated data sets live here; reset() keeps them.
        """
        with self._kept_lock:
            if make not in self._kept:
                self._kept[make] = make(self.seed, int(self.started))
            value: T = self._kept[make]
            return value

    def reset(self, *, freeze: bool | None = None) -> None:
        """Clear faults, options and the request log, and start the clock again.

        `freeze=True` stops the clock at the new start, `False` lets it run, and the default
        keeps it as it was. A frozen clock moves only with `clock_offset`, so what a test
        sees of a live call does not depend on how long the test took to get there.
        """
        with self._lock:
            frozen = self.frozen_at is not None if freeze is None else freeze
            self.faults = Faults()
            self.options.clear()
            self.requests.clear()
            self.clock_offset = 0.0
            self.started = time.time()
            self.frozen_at = self.started if frozen else None

    def requests_to(self, path_prefix: str) -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.startswith(path_prefix)]

    # WSGI
    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = _request_from_environ(environ)
        with self._lock:
            self.requests.append(
                LoggedRequest(
                    request.method, request.path, request.query, request.headers, request.body
                )
            )
        response = self._dispatch(request)
        reason = (
            HTTPStatus(response.status).phrase
            if response.status in HTTPStatus._value2member_map_
            else ""
        )
        headers = dict(response.headers)
        body = response.body
        if isinstance(body, bytes):
            headers.setdefault("Content-Length", str(len(body)))
            body = [body]
        start_response(f"{response.status} {reason}", list(headers.items()))
        return body

    def _dispatch(self, request: SimRequest) -> SimResponse:
        f = self.faults
        if f.delay:
            time.sleep(f.delay)
        if f.down:
            return SimResponse(503, b"Service Unavailable", {"Content-Type": "text/plain"})
        target = request.path + "?" + "&".join(v for vs in request.query.values() for v in vs)
        target += request.body.decode("utf-8", "replace")
        for sid in f.timeout_sids:
            if sid in target:
                time.sleep(f.hang_seconds)
        for sid, status in f.fail_sids.items():
            if sid in target:
                return SimResponse.json({"error": "injected failure"}, status)
        with self._lock:
            if f.rate_limit_next > 0:
                f.rate_limit_next -= 1
                return SimResponse.json(
                    {"message": "Too Many Requests", "code": 20429, "status": 429},
                    429,
                    {"Retry-After": f.retry_after},
                )
            if f.error_rate and self._rng.random() < f.error_rate:
                return SimResponse.json({"error": "injected failure"}, f.error_status)
        for method, pattern, handler in self.routes:
            m = pattern.fullmatch(request.path)
            if m and method == request.method:
                request.match = m
                return handler(request, self)
        for _method, pattern, _handler in self.routes:
            if pattern.fullmatch(request.path):
                return SimResponse.json({"message": "Method Not Allowed"}, 405)
        return SimResponse.json({"message": "Not Found"}, 404)

    # Running
    def start(self, host: str = "127.0.0.1", port: int = 0) -> Sandbox:
        self._server = make_server(
            host, port, self, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, name="sandbox"
        )
        self._thread.start()
        return self

    def serve_forever(self, host: str, port: int) -> None:
        self._server = make_server(
            host, port, self, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self.url = f"http://{host}:{self._server.server_port}"
        self._server.serve_forever()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog is 5: under load (64 agents, each request waiting out
    # its delay on a thread of its own) connections beyond it were refused for a while and
    # retried by the kernel a second or more later.
    request_queue_size = 256


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _request_from_environ(environ: dict[str, Any]) -> SimRequest:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    headers = {
        k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):
        headers["content-length"] = environ["CONTENT_LENGTH"]
    path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
    return SimRequest(
        method=environ["REQUEST_METHOD"],
        path=path,
        query=parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True),
        headers=headers,
        body=body,
    )


# Media: bytes served with HTTP Range support (RFC 9110 §14), in chunks, at the faults' rate.

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def serve_media(
    request: SimRequest, sandbox: Sandbox, media: Wav, content_type: str
) -> SimResponse:
    f = sandbox.faults
    if f.media_size:
        media = Wav(media.sid, f.media_size)
    size = media.size
    base = {"Content-Type": content_type, "Accept-Ranges": "bytes"}
    header = request.header("range")
    m = _RANGE.fullmatch(header.strip()) if header and not f.ignore_range else None
    if f.ignore_range:
        base.pop("Accept-Ranges")
    if not m or (not m.group(1) and not m.group(2)):
        return _media(f, 200, media, 0, size - 1, base)
    if m.group(1):
        start = int(m.group(1))
        end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
    else:
        start, end = max(0, size - int(m.group(2))), size - 1
    if start >= size or start > end:
        return SimResponse(
            416, b"", base | {"Content-Range": f"bytes */{size}", "Content-Length": "0"}
        )
    return _media(
        f, 206, media, start, end, base | {"Content-Range": f"bytes {start}-{end}/{size}"}
    )


def _media(
    f: Faults, status: int, media: Wav, start: int, end: int, headers: dict[str, str]
) -> SimResponse:
    if not f.media_without_length:
        headers = headers | {"Content-Length": str(end - start + 1)}
    # Small pieces at a low rate, so that a trickle arrives as a trickle (every 20 ms).
    chunk = max(1, min(65536, int(f.media_rate / 50))) if f.media_rate else 16384
    return SimResponse(status, _sent(f, media.read(start, end, chunk)), headers)


def _sent(f: Faults, pieces: Iterator[bytes]) -> Iterator[bytes]:
    """The pieces no faster than `media_rate`, and cut after `media_break_after` bytes.

    The server speaks HTTP/1.0, so a body that stops early closes the connection: a client
    sees fewer bytes than the Content-Length (or, without one, an end it cannot tell apart).
    """
    rate, cut = f.media_rate, f.media_break_after
    started, sent = time.monotonic(), 0
    for piece in pieces:
        if cut is not None and sent + len(piece) >= cut:
            yield piece[: cut - sent]
            return
        if rate:
            wait = started + (sent + len(piece)) / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        yield piece
        sent += len(piece)
