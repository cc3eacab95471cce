"""The shared HTTP seam: timeouts, pooling, bounded retries and the error vocabulary."""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from callviewer.providers import http
from callviewer.providers.types import (
    CredentialsRefused,
    NotFound,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    TimedOut,
    UnexpectedAnswer,
)
from callviewer.sandbox.core import Sandbox

URL = "https://provider.example/v1/thing"
Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture(autouse=True)
def _seam_settings(settings: Any) -> Iterator[None]:
    settings.PROVIDER_MAX_RETRIES = 2
    settings.PROVIDER_RETRY_AFTER_CAP = 5.0
    settings.PROVIDER_RETRY_BACKOFF = 0.0
    http.close_all()  # clients keep the timeouts they were made with
    yield
    http.close_all()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every wait the seam asks for, instead of waiting."""
    waited: list[float] = []
    monkeypatch.setattr(http, "sleep", waited.append)
    return waited


def in_turn(*outcomes: httpx.Response | Exception) -> Handler:
    """A handler giving these answers (or raising these errors) one after the other."""
    remaining = list(outcomes)

    def handle(request: httpx.Request) -> httpx.Response:
        outcome = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return handle


def response(status: int, **kwargs: Any) -> httpx.Response:
    return httpx.Response(status, request=httpx.Request("GET", URL), **kwargs)


def http_date(seconds_from_now: float) -> str:
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds_from_now)
    return email.utils.format_datetime(when, usegmt=True)


# Clients: timeouts, pooling, redirects


def test_clients_always_have_connect_and_read_timeouts(settings: Any) -> None:
    settings.PROVIDER_CONNECT_TIMEOUT = 1.5
    settings.PROVIDER_READ_TIMEOUT = 7.0

    timeout = http.client("https://provider.example").timeout

    assert (timeout.connect, timeout.read, timeout.pool) == (1.5, 7.0, 1.5)
    assert timeout.write is not None


def test_clients_are_pooled_per_origin() -> None:
    first = http.client(http.origin_of("https://a.example/one"))

    assert http.client(http.origin_of("https://a.example/two?x=1")) is first
    assert http.client(http.origin_of("https://a.example:8443/one")) is not first
    assert http.client(http.origin_of("http://a.example/one")) is not first
    assert http.client(http.origin_of("https://b.example/one")) is not first


def test_a_closed_client_is_replaced() -> None:
    first = http.client("https://a.example")
    http.close_all()

    assert first.is_closed
    assert http.client("https://a.example") is not first


def test_requests_to_one_origin_share_one_client(
    answer_with: Callable[[Handler], list[httpx.Request]],
) -> None:
    answer_with(lambda r: httpx.Response(200))

    http.send("P", "GET", "https://a.example/one")
    pooled = http.client("https://a.example")
    http.send("P", "GET", "https://a.example/two")

    assert http.client("https://a.example") is pooled
    assert not pooled.is_closed


def test_redirects_are_returned_not_followed(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float]
) -> None:
    seen = answer_with(lambda r: httpx.Response(302, headers={"Location": "https://evil.example/"}))

    answer = http.send("P", "GET", URL)

    assert answer.status_code == 302
    assert [str(r.url) for r in seen] == [URL]
    with pytest.raises(UnexpectedAnswer, match="HTTP 302"):
        http.raise_for_response("P", answer)


def test_environment_proxies_are_ignored() -> None:
    assert http.client("https://a.example").trust_env is False


def test_override_transport_routes_requests_and_is_undone() -> None:
    with http.override_transport(httpx.MockTransport(lambda r: httpx.Response(204))):
        assert http.send("P", "GET", URL).status_code == 204
        inside = http.client(http.origin_of(URL))

    assert inside.is_closed
    assert http._transport is None


# URLs: parsed without exceptions, unusable ones refused before any request


@pytest.mark.parametrize(
    "text",
    [
        "https://xn--a.com/x",  # invalid punycode: idna.IDNAError, a UnicodeError
        "https://xn--.com/",
        "https://\u2603.com/",  # not IDNA at all: httpx.InvalidURL
        "https://a\x00b.com/",
        "https://[::1/",
        "https://example.com:99999/",  # a port no socket accepts
        "https://example.com:0/",
    ],
)
def test_parse_url_answers_none_for_what_cannot_be_a_url(text: str) -> None:
    assert http.parse_url(text) is None
    assert http.origin_of(text) == ""


def test_parse_url_resolves_against_a_base() -> None:
    joined = http.parse_url("/next?page=2", "https://a.example/v1/list")

    assert str(joined) == "https://a.example/next?page=2"
    assert http.parse_url("https://xn--a.com/", "https://a.example/") is None


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://a.example/one?x=1", "https://a.example"),
        ("http://a.example:8080/", "http://a.example:8080"),
        ("https://B\u00fccher.example/", "https://xn--bcher-kva.example"),
        ("ftp://a.example/", ""),
        ("/relative/path", ""),
        ("", ""),
    ],
)
def test_origin_of_is_an_http_origin_or_nothing(url: str, origin: str) -> None:
    assert http.origin_of(url) == origin


@pytest.mark.parametrize("url", ["https://xn--a.com/calls", "ftp://a.example/", "/calls"])
def test_a_request_to_an_unusable_url_is_unavailable_without_asking(
    answer_with: Callable[[Handler], list[httpx.Request]], url: str
) -> None:
    seen = answer_with(lambda r: httpx.Response(200))

    with pytest.raises(ProviderUnavailable, match="address callviewer cannot use"):
        http.send("P", "GET", url)
    with pytest.raises(ProviderUnavailable), http.stream("P", url):
        pass
    assert seen == []


@pytest.mark.parametrize("location", ["https://xn--a.com/", "https:x"])
def test_a_redirect_to_what_httpx_cannot_read_is_unavailable_not_its_error(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float], location: str
) -> None:
    # httpx reads the Location of every redirect, followed or not, and lets idna's error (or
    # its own InvalidURL: an absolute URL whose path does not start with /) out.
    answer_with(lambda r: httpx.Response(302, headers={"Location": location}))

    with pytest.raises(ProviderUnavailable):
        http.send("P", "GET", URL)
    with pytest.raises(ProviderUnavailable), http.stream("P", URL):
        pass


# Retries


def test_it_retries_a_connection_error_and_returns_the_answer_that_follows(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float]
) -> None:
    seen = answer_with(in_turn(httpx.ConnectError("refused"), httpx.Response(200, json={})))

    assert http.send("P", "GET", URL).status_code == 200
    assert len(seen) == 2
    assert len(sleeps) == 1


def test_it_gives_up_after_max_retries_on_connection_errors(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float]
) -> None:
    seen = answer_with(in_turn(httpx.ConnectError("refused")))

    with pytest.raises(ProviderUnavailable, match="could not be reached"):
        http.send("Sinch", "GET", URL)

    assert len(seen) == 3  # the first try and PROVIDER_MAX_RETRIES = 2 more
    assert len(sleeps) == 2


@pytest.mark.parametrize("error", [httpx.RemoteProtocolError("reset"), httpx.ReadError("eof")])
def test_it_retries_dropped_connections(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float], error: Exception
) -> None:
    seen = answer_with(in_turn(error, httpx.Response(200)))

    assert http.send("P", "GET", URL).status_code == 200
    assert len(seen) == 2


def test_a_connection_dropped_while_sending_is_retried(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float]
) -> None:
    seen = answer_with(in_turn(httpx.WriteError("broken pipe"), httpx.Response(200)))

    assert http.send("P", "POST", URL, json={}).status_code == 200
    assert len(seen) == 2


@pytest.mark.parametrize(
    "error", [httpx.LocalProtocolError("bad header"), httpx.UnsupportedProtocol("ftp")]
)
def test_other_transport_errors_are_unavailable_not_raw(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float], error: Exception
) -> None:
    seen = answer_with(in_turn(error))

    with pytest.raises(ProviderUnavailable, match="could not be reached"):
        http.send("P", "GET", URL)
    assert len(seen) == 1  # retrying the same request would fail the same way


def test_no_retries_when_max_retries_is_zero(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float], settings: Any
) -> None:
    settings.PROVIDER_MAX_RETRIES = 0
    seen = answer_with(in_turn(httpx.ConnectError("refused")))

    with pytest.raises(ProviderUnavailable):
        http.send("P", "GET", URL)
    assert (len(seen), sleeps) == (1, [])


def test_it_retries_5xx_and_returns_the_last_one(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float]
) -> None:
    seen = answer_with(in_turn(httpx.Response(503)))

    answer = http.send("P", "GET", URL)

    assert answer.status_code == 503
    assert len(seen) == 3
    with pytest.raises(ProviderUnavailable, match="HTTP 503"):
        http.raise_for_response("P", answer)


def test_a_5xx_followed_by_success_is_a_success(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float]
) -> None:
    seen = answer_with(in_turn(httpx.Response(500), httpx.Response(502), httpx.Response(200)))

    assert http.send("P", "GET", URL).status_code == 200
    assert len(seen) == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_it_never_retries_a_permanent_error(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float], status: int
) -> None:
    seen = answer_with(in_turn(httpx.Response(status)))

    assert http.send("P", "GET", URL).status_code == status
    assert (len(seen), sleeps) == (1, [])


def test_a_read_timeout_is_not_retried(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float]
) -> None:
    seen = answer_with(in_turn(httpx.ReadTimeout("slow")))

    with pytest.raises(TimedOut, match="took too long"):
        http.send("Sinch", "GET", URL)
    assert (len(seen), sleeps) == (1, [])


def test_a_connect_timeout_is_retried_then_timed_out(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float]
) -> None:
    seen = answer_with(in_turn(httpx.ConnectTimeout("no answer")))

    with pytest.raises(TimedOut, match="did not accept the connection"):
        http.send("P", "GET", URL)
    assert len(seen) == 3


def test_a_retry_sends_the_same_request(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float]
) -> None:
    seen = answer_with(in_turn(httpx.Response(503), httpx.Response(200)))

    http.send("P", "POST", URL, json={"sid": "CA1"}, headers={"x-api-key": "k"})

    assert [(r.method, r.content, r.headers["x-api-key"]) for r in seen] == [
        ("POST", b'{"sid":"CA1"}', "k")
    ] * 2


# 429 and Retry-After


def test_a_429_with_retry_after_under_the_cap_waits_that_long_and_retries(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float]
) -> None:
    seen = answer_with(
        in_turn(httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200))
    )

    assert http.send("P", "GET", URL).status_code == 200
    assert len(seen) == 2
    assert sleeps == [2.0]


def test_a_429_with_retry_after_over_the_cap_is_returned_at_once(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float]
) -> None:
    seen = answer_with(in_turn(httpx.Response(429, headers={"Retry-After": "30"})))

    answer = http.send("Sinch", "GET", URL)

    assert (answer.status_code, len(seen), sleeps) == (429, 1, [])
    with pytest.raises(RateLimited) as caught:
        http.raise_for_response("Sinch", answer)
    assert caught.value.retry_after == 30.0
    assert caught.value.message == "Sinch is limiting requests. Try again in 30 s."


def test_retry_after_may_be_an_http_date(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float]
) -> None:
    answer_with(
        in_turn(httpx.Response(429, headers={"Retry-After": http_date(3)}), httpx.Response(200))
    )

    assert http.send("P", "GET", URL).status_code == 200
    assert len(sleeps) == 1
    assert 1.0 < sleeps[0] <= 3.0


def test_an_http_date_far_ahead_is_over_the_cap(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float]
) -> None:
    answer_with(in_turn(httpx.Response(429, headers={"Retry-After": http_date(3600)})))

    answer = http.send("P", "GET", URL)

    assert (answer.status_code, sleeps) == (429, [])
    with pytest.raises(RateLimited) as caught:
        http.raise_for_response("P", answer)
    assert caught.value.retry_after == pytest.approx(3600, abs=5)


def test_a_429_without_retry_after_backs_off_then_gives_the_429(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float]
) -> None:
    seen = answer_with(in_turn(httpx.Response(429)))

    answer = http.send("P", "GET", URL)

    assert (answer.status_code, len(seen), len(sleeps)) == (429, 3, 2)
    with pytest.raises(RateLimited, match="Try again shortly") as caught:
        http.raise_for_response("P", answer)
    assert caught.value.retry_after is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2", 2.0),
        ("0.5", 0.5),
        ("-3", 0.0),
        ("", None),
        ("soon", None),
        ("inf", None),
        ("nan", None),
        ("1e400", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past
    ],
)
def test_retry_after_values_are_read_carefully(value: str, expected: float | None) -> None:
    headers = {"Retry-After": value} if value else {}

    assert http.retry_after_seconds(response(429, headers=headers)) == expected


def test_a_nonsense_retry_after_still_gives_a_readable_error(
    answer_with: Callable[[Handler], list[httpx.Request]], sleeps: list[float]
) -> None:
    answer_with(in_turn(httpx.Response(429, headers={"Retry-After": "inf"})))

    with pytest.raises(RateLimited, match="Try again shortly"):
        http.raise_for_response("P", http.send("P", "GET", URL))


# The error vocabulary


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, CredentialsRefused),
        (403, CredentialsRefused),
        (404, NotFound),
        (429, RateLimited),
        (500, ProviderUnavailable),
        (502, ProviderUnavailable),
        (503, ProviderUnavailable),
        (400, UnexpectedAnswer),
        (405, UnexpectedAnswer),
        (418, UnexpectedAnswer),
        (422, UnexpectedAnswer),
    ],
)
def test_raise_for_response_maps_statuses_to_the_vocabulary(
    status: int, error: type[ProviderError]
) -> None:
    with pytest.raises(error) as caught:
        http.raise_for_response("SignalWire", response(status))

    assert caught.value.status == status
    assert caught.value.provider == "SignalWire"
    assert caught.value.message.startswith("SignalWire ")


@pytest.mark.parametrize("status", [200, 201, 204])
def test_raise_for_response_lets_success_through(status: int) -> None:
    http.raise_for_response("P", response(status))


def test_json_body_reads_json() -> None:
    assert http.json_body("P", response(200, json={"a": [1]})) == {"a": [1]}


@pytest.mark.parametrize("text", ["<html>oops</html>", "", "{'a': 1}"])
def test_json_body_on_something_else_is_an_unexpected_answer(text: str) -> None:
    with pytest.raises(UnexpectedAnswer, match="not JSON"):
        http.json_body("P", response(200, text=text))


# Streams (recording media)


def test_a_stream_is_not_redirected(answer_with: Callable[[Handler], list[httpx.Request]]) -> None:
    seen = answer_with(lambda r: httpx.Response(301, headers={"Location": "https://x.example/"}))

    with http.stream("P", URL) as answer:
        assert answer.status_code == 301
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("error", "expected"),
    [(httpx.ReadTimeout("slow"), TimedOut), (httpx.ConnectError("down"), ProviderUnavailable)],
)
def test_stream_failures_use_the_vocabulary(
    answer_with: Callable[[Handler], list[httpx.Request]], error: Exception, expected: type
) -> None:
    answer_with(in_turn(error))

    with pytest.raises(expected), http.stream("P", URL):
        pass


class Clock:
    """Stands in for the `time` module in the seam: moved by hand, never waited on."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Clock:
    settings.RECORDING_STREAM_DEADLINE = 3600.0
    settings.RECORDING_MIN_RATE = 0.0
    settings.RECORDING_RATE_WINDOW = 5.0
    fake = Clock()
    monkeypatch.setattr(http, "time", fake)
    return fake


def arriving(clock: Clock, pieces: list[tuple[float, bytes | Exception]]) -> httpx.Response:
    """A streamed answer whose pieces each arrive that many seconds after being asked for."""

    class Pieces(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            for seconds, piece in pieces:
                clock.now += seconds
                if isinstance(piece, Exception):
                    raise piece
                yield piece

    return httpx.Response(200, stream=Pieces())


def read(body: Iterator[bytes], clock: Clock, reader_seconds: float = 0.0) -> list[bytes]:
    """What a reader got before the body ended or failed; it takes this long over each piece."""
    got: list[bytes] = []
    for piece in body:
        got.append(piece)
        clock.now += reader_seconds
    return got


def test_a_stream_ends_as_a_timeout_at_its_deadline(clock: Clock, settings: Any) -> None:
    settings.RECORDING_STREAM_DEADLINE = 10.0
    received: list[bytes] = []
    body = http.streamed_body("P", arriving(clock, [(3.0, b"x")] * 10))
    with pytest.raises(TimedOut, match="longer than the time allowed"):
        for piece in body:
            received.append(piece)
    assert received == [b"x"] * 3


def test_the_deadline_counts_a_slow_reader_too(clock: Clock, settings: Any) -> None:
    settings.RECORDING_STREAM_DEADLINE = 10.0
    body = http.streamed_body("P", arriving(clock, [(0.0, b"x")] * 10))
    with pytest.raises(TimedOut):
        read(body, clock, reader_seconds=4.0)


def test_a_trickle_below_the_minimum_rate_ends_after_a_window(clock: Clock, settings: Any) -> None:
    settings.RECORDING_MIN_RATE = 1000.0  # over 5 s windows
    received: list[bytes] = []
    body = http.streamed_body("P", arriving(clock, [(1.0, b"x" * 100)] * 50))
    with pytest.raises(TimedOut, match="too slowly"):
        for piece in body:
            received.append(piece)
    assert len(received) == 4  # the first window is the grace period


def test_a_provider_above_the_minimum_rate_sends_everything(clock: Clock, settings: Any) -> None:
    settings.RECORDING_MIN_RATE = 1000.0
    body = http.streamed_body("P", arriving(clock, [(1.0, b"x" * 1500)] * 50))
    assert len(read(body, clock)) == 50


def test_a_slow_reader_does_not_make_the_provider_slow(clock: Clock, settings: Any) -> None:
    settings.RECORDING_MIN_RATE = 1000.0
    body = http.streamed_body("P", arriving(clock, [(0.01, b"x" * 100)] * 50))
    assert len(read(body, clock, reader_seconds=30.0)) == 50


def test_a_minimum_rate_of_zero_lets_any_trickle_through(clock: Clock) -> None:
    body = http.streamed_body("P", arriving(clock, [(9.0, b"x")] * 50))
    assert len(read(body, clock)) == 50


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (httpx.ReadTimeout("slow"), TimedOut),
        (httpx.ReadError("reset"), ProviderUnavailable),
        (httpx.RemoteProtocolError("incomplete body"), ProviderUnavailable),
    ],
)
def test_a_stream_that_breaks_off_uses_the_vocabulary(
    clock: Clock, error: Exception, expected: type
) -> None:
    body = http.streamed_body("P", arriving(clock, [(0.0, b"x"), (0.0, error)]))
    assert next(body) == b"x"
    with pytest.raises(expected):
        next(body)


# Against the simulator over real HTTP


def test_a_provider_that_is_down_is_unavailable_after_the_retries(
    sandbox: Sandbox, sleeps: list[float]
) -> None:
    sandbox.faults.down = True

    answer = http.send("P", "GET", sandbox.url + "/anything")

    assert answer.status_code == 503
    assert len(sandbox.requests_to("/anything")) == 3
    with pytest.raises(ProviderUnavailable):
        http.raise_for_response("P", answer)


def test_the_simulator_rate_limit_is_waited_out_when_short(
    sandbox: Sandbox, sleeps: list[float]
) -> None:
    sandbox.faults.rate_limit_next = 1
    sandbox.faults.retry_after = "1"

    answer = http.send("P", "GET", sandbox.url + "/nothing-here")

    assert answer.status_code == 404  # the second try reached the (unknown) route
    assert sleeps == [1.0]


def test_a_hanging_provider_times_out_once(
    sandbox: Sandbox, sleeps: list[float], settings: Any
) -> None:
    settings.PROVIDER_READ_TIMEOUT = 0.2
    http.close_all()
    sandbox.faults.timeout_sids = {"CAhang"}
    sandbox.faults.hang_seconds = 0.6

    with pytest.raises(TimedOut):
        http.send("P", "GET", sandbox.url + "/call/CAhang")

    assert len(sandbox.requests_to("/call/CAhang")) == 1


def test_a_closed_port_is_unavailable(sleeps: list[float]) -> None:
    with pytest.raises(ProviderUnavailable):
        http.send("P", "GET", "http://127.0.0.1:9/")
    assert len(sleeps) == 2


@pytest.mark.parametrize(
    "value", ["Tue, 30 Jan 99999999999999999999999 13:39:53 +0000", "1e400", "nan", "soon"]
)
def test_a_retry_after_no_clock_can_hold_is_no_wait(value: str) -> None:
    response = httpx.Response(429, headers={"Retry-After": value})
    assert http.retry_after_seconds(response) is None


def test_a_provider_origin_has_no_connection_cap_below_the_pages_a_process_serves(
    settings: Any,
) -> None:
    """PROVIDER_PAGES_PER_PROCESS bounds the pages waiting on providers; a smaller cap on one
    origin's connections made pages queue inside the pool and answer 504 (loadtest, 64 agents)."""
    pool = http.client("https://provider.example")._transport._pool  # type: ignore[attr-defined]

    assert pool._max_connections >= 4 * settings.PROVIDER_PAGES_PER_PROCESS  # none, in fact
