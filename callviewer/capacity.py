"""Room for the health check and quick pages while providers are slow.

gunicorn's gthread workers (gunicorn.conf.py) serve each request on one of a fixed number of
threads. Pages that wait on a provider could take every thread; /healthz would then queue
behind them and a load balancer would mark the host down exactly when providers are slow.
So at most PROVIDER_PAGES_PER_PROCESS requests that may wait on a provider run at once in a
process, and one more is answered 503 straight away, with Retry-After. Set it below gunicorn's
thread count: the threads left over always serve the health check, sign-in and the admin.
A streamed recording holds its place until its last byte is sent.

Recording streams are capped too, lower (RECORDING_STREAMS_PER_PROCESS): each can hold a
thread for minutes, and without their own cap a few dozen slow downloads would take every
provider page's place. One more is answered 503 with Retry-After, in words the player shows.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from psycopg_pool import PoolTimeout

# The requests that can wait on a provider: everything under /calls/ (search, export, call
# pages, status, recordings) and a project form's Test connection in the admin.
_PROVIDER_PREFIXES = ("/calls/",)
_ADMIN_PROJECTS = "/admin/projects/project/"
RETRY_AFTER = 5


def waits_on_provider(request: HttpRequest) -> bool:
    path = request.path
    return path.startswith(_PROVIDER_PREFIXES) or (
        request.method == "POST" and path.startswith(_ADMIN_PROJECTS)
    )


def busy(what: str = "provider requests") -> HttpResponse:
    response = HttpResponse(
        f"callviewer is answering as many {what} as it can right now. "
        f"Try again in {RETRY_AFTER} seconds.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(RETRY_AFTER)
    return response


class _ReleasedAtEnd:
    """The stream's bytes; its place is given back when it ends or is closed, even unread
    (the server closes every response, and a generator never started would not notice)."""

    def __init__(self, content: Iterable[bytes], release: Callable[[], None]) -> None:
        self._content: Iterator[bytes] = iter(content)
        self._release: Callable[[], None] | None = release

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._content)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


def _answered_holding(
    get_response: Callable[[HttpRequest], HttpResponseBase],
    request: HttpRequest,
    release: Callable[[], None],
) -> HttpResponseBase:
    """The answer, with `release` called once it is done: at once, or after its last byte."""
    try:
        response = get_response(request)
    except BaseException:
        release()
        raise
    if response.streaming:
        response.streaming_content = _ReleasedAtEnd(  # type: ignore[attr-defined]
            response.streaming_content,  # type: ignore[attr-defined]
            release,
        )
    else:
        release()
    return response


def provider_pages(
    get_response: Callable[[HttpRequest], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    limit: int = settings.PROVIDER_PAGES_PER_PROCESS
    slots = threading.BoundedSemaphore(limit) if limit > 0 else None

    def middleware(request: HttpRequest) -> HttpResponseBase:
        if slots is None or not waits_on_provider(request):
            return get_response(request)
        if not slots.acquire(blocking=False):
            return busy()
        return _answered_holding(get_response, request, slots.release)

    return middleware


class Places:
    """At most `setting` holders at once in this process (0: no limit), counted.

    The setting is read at each take, so a test may change it; `in_use` shows a leak.
    """

    def __init__(self, setting: str) -> None:
        self.setting = setting
        self.in_use = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        limit: int = getattr(settings, self.setting)
        with self._lock:
            if 0 < limit <= self.in_use:
                return False
            self.in_use += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self.in_use -= 1


RECORDING_STREAMS = Places("RECORDING_STREAMS_PER_PROCESS")


def recording_stream(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Decorates the recording view: one of RECORDING_STREAMS until its answer is done."""

    @functools.wraps(view)
    def capped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if not RECORDING_STREAMS.take():
            return busy("recordings")
        return _answered_holding(
            lambda r: view(r, *args, **kwargs), request, RECORDING_STREAMS.give_back
        )

    return capped


class DatabaseBusyMiddleware:
    """Every pooled database connection of this process stayed busy past the pool's timeout
    (settings DB_POOL_SIZE): a 503 that says to try again, not a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return busy("requests") if pool_exhausted(exception) else None


def pool_exhausted(exception: BaseException | None) -> bool:
    """Whether this is the pool's timeout. A view's reaches DatabaseBusyMiddleware; one raised
    while a middleware reads the session or the user becomes Django's 500 page, where
    views.server_error (handler500) answers this 503 instead."""
    return isinstance(exception, OperationalError) and isinstance(exception.__cause__, PoolTimeout)
