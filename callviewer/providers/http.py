"""The one HTTP seam to the providers: pooled clients, timeouts always set, bounded retries.

Every request to a provider goes through `send()` (or `stream()` for recording media).
Transient failures (connection errors, 5xx, 429 with a Retry-After under the cap) are
retried a bounded number of times with backoff; other 4xx are never retried. Read
timeouts are not retried either: the agent is waiting, and a second full timeout would
double the wait for an answer that is likely to be just as slow.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from django.conf import settings

from callviewer.database import release_connection

from .types import (
    CredentialsRefused,
    NotFound,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    TimedOut,
    UnexpectedAnswer,
    whole_seconds,
)

log = logging.getLogger(__name__)

_clients: dict[str, httpx.Client] = {}
_lock = threading.Lock()
_transport: httpx.BaseTransport | None = None  # tests may swap in httpx.MockTransport
sleep: Callable[[float], None] = time.sleep  # tests may replace to avoid waiting


def timeouts() -> httpx.Timeout:
    return httpx.Timeout(
        settings.PROVIDER_READ_TIMEOUT,
        connect=settings.PROVIDER_CONNECT_TIMEOUT,
        pool=settings.PROVIDER_CONNECT_TIMEOUT,
    )


def client(origin: str) -> httpx.Client:
    """A pooled client for one origin (scheme://host:port), shared by threads."""
    with _lock:
        existing = _clients.get(origin)
        if existing is None or existing.is_closed:
            existing = httpx.Client(
                timeout=timeouts(),
                # No cap of its own on connections: a cap here (it was 32) made pages queue for
                # a connection, then answer 504, while the process still had room for them.
                # PROVIDER_PAGES_PER_PROCESS bounds the pages, and each page's parallel asks.
                limits=httpx.Limits(max_connections=None, max_keepalive_connections=32),
                follow_redirects=False,  # redirects are provider answers, never followed blindly
                trust_env=False,  # no proxy or netrc from the environment
                transport=_transport,
            )
            _clients[origin] = existing
        return existing


def close_all() -> None:
    with _lock:
        for c in _clients.values():
            c.close()
        _clients.clear()


@contextmanager
def override_transport(transport: httpx.BaseTransport | None) -> Iterator[None]:
    """Route every provider request through `transport` (tests)."""
    global _transport
    close_all()
    previous, _transport = _transport, transport
    try:
        yield
    finally:
        close_all()
        _transport = previous


def parse_url(text: str, base: str | httpx.URL | None = None) -> httpx.URL | None:
    """`text` as a URL (resolved against `base` when given), or None when it cannot be one.

    httpx refuses some URLs with InvalidURL but others with the idna package's errors (a
    UnicodeError, e.g. the invalid punycode of `https://xn--a.com/`, raised only when `.host`
    is read), and accepts ports it cannot connect to: every one of those is "not a URL" here,
    never an exception.
    """
    try:
        url = httpx.URL(base).join(text) if base is not None else httpx.URL(text)
        url.host  # noqa: B018  (decoding the host is what raises for invalid punycode)
        port = url.port
    except (httpx.InvalidURL, UnicodeError, ValueError, TypeError):
        return None
    if port is not None and not 0 < port < 65536:
        return None
    return url


def origin_of(url: str) -> str:
    """scheme://host[:port] of an http(s) URL; "" for anything else, which no origin equals."""
    parsed = parse_url(url)
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        return ""
    return f"{parsed.scheme}://{parsed.netloc.decode('ascii')}"


def _client_for(provider: str, url: str) -> httpx.Client:
    origin = origin_of(url)
    if not origin:
        # A project's base URL or a provider's link that httpx cannot send to: nothing to retry.
        raise ProviderUnavailable(
            provider,
            f"{provider} is set up at an address callviewer cannot use. "
            "An administrator should check the project's settings.",
        )
    return client(origin)


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Retry-After as seconds, from either delta-seconds or an HTTP date."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        # "inf" and "nan" parse as floats but are no wait at all (and inf broke the message).
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, OverflowError):  # e.g. a year of 23 digits
        return None


def _backoff(attempt: int) -> float:
    base: float = getattr(settings, "PROVIDER_RETRY_BACKOFF", 0.25)
    return base * (2**attempt) * (0.5 + random.random() / 2)


def send(
    provider: str, method: str, url: str, *, repeatable: bool = True, **kwargs: Any
) -> httpx.Response:
    """Send a request with bounded retries; return the final response, whatever its status.

    Raises TimedOut or ProviderUnavailable when no response could be had at all.
    `provider` is the provider's label, used in messages an agent reads. A request that is
    not `repeatable` (one that may cost money, like a call analysis) is retried only when the
    provider surely did not act on it: no connection was made, or it answered 429.
    """
    retries: int = settings.PROVIDER_MAX_RETRIES
    cap: float = settings.PROVIDER_RETRY_AFTER_CAP
    release_connection()  # no database connection is held while the provider answers
    http = _client_for(provider, url)
    for attempt in range(retries + 1):
        last = attempt == retries
        try:
            response = http.request(method, url, **kwargs)
        except httpx.ConnectTimeout as exc:
            if last:
                raise TimedOut(
                    provider, f"{provider} did not accept the connection in time."
                ) from exc
        except httpx.TimeoutException as exc:
            raise TimedOut(provider, f"{provider} took too long to answer.") from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            if last or not (repeatable or isinstance(exc, httpx.ConnectError)):
                raise ProviderUnavailable(provider, f"{provider} could not be reached.") from exc
        except (httpx.TransportError, httpx.InvalidURL, UnicodeError) as exc:
            # A malformed request, or a redirect whose Location httpx cannot read (it raises
            # idna's UnicodeError as it is, even when not following): retrying cannot help.
            raise ProviderUnavailable(provider, f"{provider} could not be reached.") from exc
        else:
            if response.status_code == 429:
                wait = retry_after_seconds(response)
                if last or (wait is not None and wait > cap):
                    return response
                sleep(wait if wait is not None else _backoff(attempt))
                continue
            if response.status_code >= 500 and repeatable and not last:
                log.info("%s answered %s; retrying", provider, response.status_code)
            else:
                return response
        sleep(_backoff(attempt))
    raise AssertionError("unreachable")  # pragma: no cover


def raise_for_response(provider: str, response: httpx.Response) -> None:
    """Turn an error status into the app's error vocabulary; do nothing on 2xx."""
    code = response.status_code
    if code < 300:
        return
    if code in (401, 403):
        raise CredentialsRefused(
            provider,
            f"{provider} refused the project's credentials. An administrator should check them.",
            status=code,
        )
    if code == 404:
        raise NotFound(provider, f"{provider} has no such call.", status=code)
    if code == 429:
        wait = retry_after_seconds(response)
        hint = f" Try again in {whole_seconds(wait)} s." if wait else " Try again shortly."
        raise RateLimited(
            provider, f"{provider} is limiting requests.{hint}", status=code, retry_after=wait
        )
    if code >= 500:
        raise ProviderUnavailable(
            provider, f"{provider} is having trouble (HTTP {code}). Try again shortly.", status=code
        )
    raise UnexpectedAnswer(provider, f"{provider} answered HTTP {code} unexpectedly.", status=code)


def json_body(provider: str, response: httpx.Response) -> Any:
    """The response's JSON, or UnexpectedAnswer."""
    try:
        return response.json()
    except ValueError as exc:
        raise UnexpectedAnswer(provider, f"{provider} sent an answer that is not JSON.") from exc


@contextmanager
def stream(
    provider: str, url: str, headers: dict[str, str] | None = None
) -> Iterator[httpx.Response]:
    """Open a streamed GET (recording media). No retries once bytes flow; redirects not followed."""
    release_connection()
    http = _client_for(provider, url)
    try:
        with http.stream("GET", url, headers=headers or {}) as response:
            yield response
    except httpx.TimeoutException as exc:
        raise TimedOut(provider, f"{provider} took too long to send the recording.") from exc
    except (httpx.TransportError, httpx.InvalidURL, UnicodeError) as exc:
        # InvalidURL, UnicodeError: httpx reads a redirect's Location even when it does not
        # follow it, and raises its own or idna's error as it is (e.g. for invalid punycode).
        raise ProviderUnavailable(provider, f"{provider} could not be reached.") from exc


def streamed_body(provider: str, response: httpx.Response) -> Iterator[bytes]:
    """A streamed response's bytes as they arrive, within the stream's limits (settings).

    PROVIDER_READ_TIMEOUT bounds each read, not a stream: a provider sending a byte every few
    seconds would hold the stream (and its thread) for ever. So the body also ends with
    TimedOut once RECORDING_STREAM_DEADLINE seconds have passed, and when the provider sent
    fewer than RECORDING_MIN_RATE bytes a second over a RECORDING_RATE_WINDOW of waiting on
    it (the first window is the grace period). Only time spent waiting on the provider
    counts towards the rate: an agent's browser that reads slowly does not make the provider
    slow. A broken connection, or a body shorter than its Content-Length, ends it with
    ProviderUnavailable. The limits are checked as bytes arrive, so one is noticed at most
    PROVIDER_READ_TIMEOUT late.
    """
    deadline = time.monotonic() + settings.RECORDING_STREAM_DEADLINE
    min_rate: float = settings.RECORDING_MIN_RATE
    window: float = settings.RECORDING_RATE_WINDOW
    waited, received = 0.0, 0  # in the current window
    # No chunk size: httpx would wait for a whole chunk, across many reads, before the limits
    # could be checked.
    chunks = response.iter_raw()
    while True:
        asked = time.monotonic()
        try:
            chunk = next(chunks)
        except StopIteration:
            return
        except httpx.TimeoutException as exc:
            raise TimedOut(provider, f"{provider} stopped sending the recording.") from exc
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(
                provider, f"{provider} broke off sending the recording."
            ) from exc
        now = time.monotonic()
        waited += now - asked
        received += len(chunk)
        if now > deadline:
            raise TimedOut(provider, f"{provider}'s recording took longer than the time allowed.")
        if min_rate > 0 and waited >= window:
            if received < min_rate * waited:
                raise TimedOut(provider, f"{provider} sent the recording too slowly.")
            waited, received = 0.0, 0
        yield chunk


__all__ = [
    "ProviderError",
    "client",
    "close_all",
    "json_body",
    "origin_of",
    "override_transport",
    "parse_url",
    "raise_for_response",
    "send",
    "stream",
    "streamed_body",
]
