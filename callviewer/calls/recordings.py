"""The recording proxy: a provider's audio streamed to the browser with correct Range answers.

The recording's URL always comes from the provider's answer about the call (the caller
passes a `Recording` from it) and `Provider.media_source` says which origins may be
contacted and which one may receive the project's credentials. Redirects are followed
here, by hand, only to those origins. Whether the provider honours `Range` is not known
(PROVIDERS.md), so a 200 with the whole file is cut down to the asked range here, in
chunks: memory does not grow with the file.

A stream is bounded by a deadline and a minimum rate (http.streamed_body), and one that ends
early for any reason fails the answer (StreamBroken) rather than ending it as a short file.
How many run at once is capped in callviewer/capacity.py.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import httpx
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from callviewer.projects.models import Project
from callviewer.providers import http
from callviewer.providers.base import MediaSource, Provider
from callviewer.providers.types import (
    CredentialsRefused,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    Recording,
    TimedOut,
    UnexpectedAnswer,
    whole_seconds,
)

log = logging.getLogger(__name__)

MAX_REDIRECTS = 3
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Byte positions: ASCII digits only, and no more of them than any file could need (int() of a
# few thousand digits raises).
_POSITION = r"([0-9]{0,18})"
_RANGE = re.compile(rf"bytes\s*=\s*{_POSITION}\s*-\s*{_POSITION}\s*", re.IGNORECASE | re.ASCII)
_CONTENT_RANGE = re.compile(
    r"bytes\s+([0-9]{1,18})-([0-9]{1,18})/([0-9]{1,18}|\*)", re.IGNORECASE | re.ASCII
)
_UNSATISFIED = re.compile(r"bytes\s+\*/([0-9]{1,18})", re.IGNORECASE | re.ASCII)
_LENGTH = re.compile(r"[0-9]{1,18}", re.ASCII)

# The only types a recording is served as: audio, which a browser plays and never renders.
# The upstream's type is used only when it is exactly one of these (RFC 9110 §8.3.1 syntax,
# token parameters allowed and dropped); anything else, e.g. "audio/x,text/html", which
# Chromium renders as HTML, falls back to the URL's extension.
AUDIO_TYPES = {
    "audio/mpeg": "audio/mpeg",
    "audio/mp3": "audio/mpeg",
    "audio/wav": "audio/wav",
    "audio/x-wav": "audio/x-wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/ogg": "audio/ogg",
    "audio/mp4": "audio/mp4",
    "audio/webm": "audio/webm",
    "audio/aac": "audio/aac",
    "audio/flac": "audio/flac",
}
# RFC 9110 §5.6.2 token characters.
_TCHARS = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_TYPE = re.compile(
    rf"({_TCHARS}/{_TCHARS})(?:[ \t]*;[ \t]*{_TCHARS}=(?:{_TCHARS}|\"[ !#-\[\]-~]*\"))*", re.ASCII
)
# No extension is WAV: Twilio and SignalWire serve a recording's media as WAV by default.
_BY_EXTENSION = {
    "": "audio/x-wav",
    "wav": "audio/x-wav",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "m4a": "audio/mp4",
    "webm": "audio/webm",
    "aac": "audio/aac",
    "flac": "audio/flac",
}
UNKNOWN_TYPE = "application/octet-stream"
_EXTENSIONS = {
    "audio/mpeg": "mp3",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/ogg": "ogg",
    "audio/mp4": "m4a",
    "audio/webm": "webm",
    "audio/aac": "aac",
    "audio/flac": "flac",
}
# On every answer of the proxy, success or error: even a body that is not audio cannot run
# as a page of callviewer's origin, be sniffed into HTML, or be embedded by another site.
PROTECTIONS = {
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class Unsatisfiable(Exception):
    """The Range asks for bytes the file does not have (answered 416)."""


class Refused(Exception):
    """The recording is on (or redirects to) an origin the provider does not allow."""

    def __init__(self, origin: str) -> None:
        super().__init__(origin)
        self.origin = origin


@dataclass(frozen=True)
class ByteRange:
    """One `bytes=` range as asked: first-last, first- or a suffix of the last `suffix` bytes."""

    first: int | None = None
    last: int | None = None
    suffix: int | None = None

    def header(self) -> str:
        if self.suffix is not None:
            return f"bytes=-{self.suffix}"
        return f"bytes={self.first}-{'' if self.last is None else self.last}"

    def within(self, size: int) -> tuple[int, int]:
        """The (start, end) byte positions, end inclusive, in a file of `size` bytes."""
        if self.suffix is not None:
            if self.suffix == 0 or size == 0:
                raise Unsatisfiable
            return max(0, size - self.suffix), size - 1
        assert self.first is not None
        if self.first >= size:
            raise Unsatisfiable
        last = size - 1 if self.last is None else min(self.last, size - 1)
        return self.first, last

    @property
    def from_start(self) -> bool:
        return self.first == 0


def parse_range(header: str | None) -> ByteRange | None:
    """The Range header as one ByteRange; None means "send the whole file".

    Other units, garbage and several ranges are ignored (RFC 9110 §14.2 lets a server answer
    200 with the whole file); a range whose last byte comes before its first, or an empty
    suffix, is unsatisfiable whatever the file.
    """
    if not header or "," in header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if not match or not (match.group(1) or match.group(2)):
        return None
    first, last = match.group(1), match.group(2)
    if not first:
        if int(last) == 0:
            raise Unsatisfiable
        return ByteRange(suffix=int(last))
    if last and int(last) < int(first):
        raise Unsatisfiable
    return ByteRange(first=int(first), last=int(last) if last else None)


def audio_type(header: str) -> str | None:
    """The Content-Type header's audio type when it names exactly one allowed type, else None."""
    match = _MEDIA_TYPE.fullmatch(header.strip(" \t"))
    return AUDIO_TYPES.get(match.group(1).lower()) if match else None


def content_type_for(upstream: str, url: str) -> str:
    """The upstream's audio type, else the URL's extension's (none is WAV), else UNKNOWN_TYPE."""
    if allowed := audio_type(upstream):
        return allowed
    parsed = http.parse_url(url)
    if parsed is None:
        return UNKNOWN_TYPE
    name = parsed.path.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return _BY_EXTENSION.get(extension, UNKNOWN_TYPE)


def filename_for(sid: str, n: int, content_type: str) -> str:
    safe_sid = re.sub(r"[^A-Za-z0-9_-]", "", sid) or "recording"
    return f"{safe_sid}-{n}.{_EXTENSIONS.get(content_type, 'bin')}"


def open_media(
    label: str, source: MediaSource, headers: dict[str, str]
) -> tuple[httpx.Response, ExitStack]:
    """GET the recording, following redirects only to allowed origins.

    Credentials go only to `source.credential_origin`. Raises Refused for any other origin,
    ProviderError when the provider cannot be reached. The caller closes the ExitStack.
    """
    url = source.url
    for _hop in range(MAX_REDIRECTS + 1):
        origin = _origin(url)
        if origin not in source.allowed_origins:
            raise Refused(origin)
        sent = dict(headers)
        if source.headers and source.credential_origin and origin == source.credential_origin:
            sent |= dict(source.headers)
        stack = ExitStack()
        response = stack.enter_context(http.stream(label, url, sent))
        if response.status_code not in _REDIRECTS:
            return response, stack
        location = response.headers.get("location", "")
        stack.close()
        if not location:
            break
        joined = http.parse_url(location, url)
        if joined is None:
            raise Refused(_NOT_A_URL)
        url = str(joined)
    raise UnexpectedAnswer(label, f"{label} redirected the recording too many times.")


_NOT_A_URL = "(an address that is not a URL)"


def _origin(url: str) -> str:
    """The URL's origin, or words for what it is instead (they match no allowed origin)."""
    parsed = http.parse_url(url)
    if parsed is None:
        return _NOT_A_URL
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return f"{parsed.scheme}:"
    return http.origin_of(url)


@dataclass
class Media:
    """What the proxy answers, once the upstream has answered: status, headers and bytes."""

    status: int
    headers: dict[str, str]
    body: Iterator[bytes] | None = None
    message: str = ""


def fetch(provider: Provider, recording: Recording, byte_range: ByteRange | None) -> Media:
    """The recording, or the range of it, streamed; errors become a short plain message."""
    label = provider.label
    source = provider.media_source(recording)
    ask = {"Accept-Encoding": "identity"}
    if byte_range is not None:
        ask["Range"] = byte_range.header()
    response, stack = open_media(label, source, ask)
    try:
        media = _answer(label, response, stack, byte_range, source.url)
    except BaseException:
        stack.close()
        raise
    if media.body is None:
        stack.close()
    return media


def size_of(provider: Provider, recording: Recording) -> int | None:
    """The recording's length in bytes (for a 416 answer), asking without a range."""
    source = provider.media_source(recording)
    response, stack = open_media(provider.label, source, {"Accept-Encoding": "identity"})
    with stack:
        return _length(response) if response.status_code == 200 else None


def _answer(
    label: str,
    response: httpx.Response,
    stack: ExitStack,
    byte_range: ByteRange | None,
    url: str,
) -> Media:
    code = response.status_code
    if code not in (200, 206):
        return _upstream_error(label, response)
    base = {
        "Content-Type": content_type_for(response.headers.get("content-type", ""), url),
        "Accept-Ranges": "bytes",
    }
    encoding = response.headers.get("content-encoding", "")
    if encoding and encoding.lower() != "identity":
        base["Content-Encoding"] = encoding
    size = _length(response) if code == 200 else None
    if code == 206:
        return _passed_through(label, response, stack, byte_range, base)
    if byte_range is None or size is None:
        # Whole file asked, or a range of a file whose size the upstream did not say.
        if size is not None:
            base["Content-Length"] = str(size)
        return Media(200, base, _body(label, response, stack, 0, size))
    try:
        start, end = byte_range.within(size)
    except Unsatisfiable:
        return _unsatisfiable(size)
    # The upstream ignored Range: skip to the start and stop after the end ourselves.
    base |= {"Content-Range": f"bytes {start}-{end}/{size}", "Content-Length": str(end - start + 1)}
    return Media(206, base, _body(label, response, stack, start, end - start + 1))


def _passed_through(
    label: str,
    response: httpx.Response,
    stack: ExitStack,
    byte_range: ByteRange | None,
    base: dict[str, str],
) -> Media:
    """An upstream 206, after checking that it is the part that was asked for."""
    match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", "").strip())
    wrong = UnexpectedAnswer(label, f"{label} sent a part of the recording that was not asked for.")
    if byte_range is None or match is None:
        raise wrong
    start, end = int(match.group(1)), int(match.group(2))
    total = None if match.group(3) == "*" else int(match.group(3))
    if end < start or (total is not None and end >= total):
        raise wrong
    if total is not None:
        want_start, want_end = byte_range.within(total)
        if start != want_start or end > want_end:
            raise wrong
    elif byte_range.first is None or start != byte_range.first:
        raise wrong
    length = end - start + 1
    base |= {
        "Content-Range": f"bytes {start}-{end}/{'*' if total is None else total}",
        "Content-Length": str(length),
    }
    return Media(206, base, _body(label, response, stack, 0, length))


def _unsatisfiable(size: int | None) -> Media:
    headers = {"Content-Range": f"bytes */{size}"} if size is not None else {}
    return Media(416, headers, message="That part of the recording does not exist.")


def _upstream_error(label: str, response: httpx.Response) -> Media:
    code = response.status_code
    if code == 416:
        match = _UNSATISFIED.fullmatch(response.headers.get("content-range", "").strip())
        return _unsatisfiable(int(match.group(1)) if match else None)
    if code in (404, 410):
        return Media(404, {}, message=f"{label} no longer has this recording.")
    if code in (401, 403):
        return Media(
            CredentialsRefused.http_status,
            {},
            message=f"The recording's host refused the {label} project's credentials. "
            "An administrator should check them.",
        )
    if code == 429:
        wait = http.retry_after_seconds(response)
        headers = {"Retry-After": str(whole_seconds(wait))} if wait else {}
        return Media(
            RateLimited.http_status,
            headers,
            message=f"{label} is limiting requests. Try again shortly.",
        )
    if code >= 500:
        return Media(
            ProviderUnavailable.http_status,
            {},
            message=f"{label} could not send the recording (HTTP {code}).",
        )
    return Media(
        UnexpectedAnswer.http_status, {}, message=f"{label} answered HTTP {code} for the recording."
    )


def _length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length", "").strip()
    return int(value) if _LENGTH.fullmatch(value) else None


class StreamBroken(Exception):
    """The recording stopped arriving after its headers were sent: the answer must fail.

    Ending the body normally would hand the browser a short file with a 200 (or 206) it
    takes for the whole recording. Raised from the body, it makes the server drop the
    connection: with a Content-Length the browser sees fewer bytes than announced, without
    one the chunked body lacks its last chunk, and either way the player knows it failed.
    """


def _body(
    label: str, response: httpx.Response, stack: ExitStack, skip: int, limit: int | None
) -> Iterator[bytes]:
    """The upstream's bytes from `skip` on, at most `limit` of them, as they arrive.

    Raises StreamBroken when the upstream breaks off, is too slow or takes too long
    (http.streamed_body); the upstream is closed whatever happens.
    """
    remaining = limit
    try:
        for chunk in http.streamed_body(label, response):
            if skip:
                if len(chunk) <= skip:
                    skip -= len(chunk)
                    continue
                chunk, skip = chunk[skip:], 0
            if remaining is not None:
                chunk = chunk[:remaining]
                remaining -= len(chunk)
            if chunk:
                yield chunk
            if remaining == 0:
                return
    except ProviderError as exc:
        # Our own words, naming only the provider: httpx's cause stays out of the logs (the
        # server logs this exception again as it drops the connection).
        log.warning("Recording stream ended early: %s", exc.message)
        raise StreamBroken(f"{exc.message} The answer to the browser was cut off.") from None
    finally:
        stack.close()


def serve(
    request: HttpRequest, provider: Provider, recordings: list[Recording], sid: str, n: int
) -> tuple[HttpResponseBase, bool]:
    """The proxy's answer for recording `n` (1-based) of a call, and whether it counts as a play.

    A play (or download) is a successful answer to a request without Range or starting at
    byte 0: the browser's later range requests while seeking are the same play.
    """
    label = provider.label
    if not provider.supports_recordings:
        return plain(404, f"{label}'s API offers no recordings."), False
    if not 1 <= n <= len(recordings):
        return plain(404, f"This call has no recording {n}."), False
    recording = recordings[n - 1]
    try:
        byte_range = parse_range(request.headers.get("Range"))
        media = fetch(provider, recording, byte_range)
    except Unsatisfiable:
        byte_range, media = None, _unsatisfiable(_quiet_size(provider, recording))
    except Refused:
        # The host itself came from the provider's answer: not logged.
        log.warning("Refused to fetch a %s recording of call %s: not an allowed host", label, sid)
        return plain(
            502, f"{label} pointed the recording at a host callviewer does not fetch from."
        ), False
    except ProviderError as exc:
        if isinstance(exc, UnexpectedAnswer):
            # The message may quote the provider's own words: only its kind and status.
            log.warning("Recording of %s call %s: %s (HTTP %s)", label, sid, exc.kind, exc.status)
        return plain(504 if isinstance(exc, TimedOut) else 502, exc.message), False
    if media.body is None:
        response = plain(media.status, media.message)
        for name, value in media.headers.items():
            response[name] = value
        return response, False
    streamed = StreamingHttpResponse(media.body, status=media.status)
    for name, value in (media.headers | PROTECTIONS).items():
        streamed[name] = value
    content_type = media.headers["Content-Type"]
    filename = filename_for(sid, n, content_type)
    # Bytes of no known audio type are only ever saved, never shown in the browser.
    saved = request.GET.get("download") == "1" or content_type == UNKNOWN_TYPE
    disposition = "attachment" if saved else "inline"
    streamed["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    # Customers' voices: never kept by a shared cache or on the agent's disk.
    streamed["Cache-Control"] = "private, no-store"
    counts = request.method == "GET" and (byte_range is None or byte_range.from_start)
    return streamed, counts


# How long a final call's list of recordings is reused for the range requests that follow.
REMEMBER_SECONDS = 300


def _remembered_key(project: Project, sid: str) -> str:
    """Per project and call; a change to the project's settings (its hosts) starts afresh.

    The SID is hashed: it comes from the URL as typed, and a key holding spaces, control
    characters or hundreds of characters is refused by memcached.
    """
    settings = hashlib.sha256(json.dumps(project.settings, sort_keys=True).encode()).hexdigest()
    call = hashlib.sha256(sid.encode("utf-8", "surrogatepass")).hexdigest()
    return f"callviewer:recordings:{project.pk}:{settings[:16]}:{call[:32]}"


def remembered(project: Project, sid: str) -> list[Recording] | None:
    """The recordings of a final call of `project` listed in the last few minutes, if any."""
    listed = cache.get(_remembered_key(project, sid))
    return listed if isinstance(listed, list) else None


def remember(project: Project, sid: str, listed: list[Recording]) -> None:
    """Keep a final call's recordings (their URLs came from the provider) for REMEMBER_SECONDS."""
    cache.set(_remembered_key(project, sid), listed, REMEMBER_SECONDS)


def forget(project: Project, sid: str) -> None:
    cache.delete(_remembered_key(project, sid))


def _quiet_size(provider: Provider, recording: Recording) -> int | None:
    try:
        return size_of(provider, recording)
    except (Refused, ProviderError):
        return None


def plain(status: int, message: str, **headers: Any) -> HttpResponse:
    """An error of the proxy, in words, with the same protections as the audio."""
    response = HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
    for name, value in (PROTECTIONS | headers).items():
        response[name] = value
    return response
