"""Room for the health check while providers are slow: provider pages are capped per process."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.backends.cached_db import SessionStore
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test import Client, RequestFactory, override_settings

from callviewer import capacity
from callviewer.capacity import Places, provider_pages

factory = RequestFactory()


class SlowPages:
    """A stand-in for the app whose /calls/ pages wait until released, as if on a provider."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Semaphore(0)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path.startswith("/calls/"):
            self.started.release()
            self.release.wait(timeout=10)
        return HttpResponse("ok")


@override_settings(PROVIDER_PAGES_PER_PROCESS=2)
def test_past_the_cap_a_provider_page_is_busy_but_the_health_check_answers() -> None:
    app = SlowPages()
    middleware = provider_pages(app)
    waiting = [
        threading.Thread(target=middleware, args=(factory.get("/calls/"),)) for _ in range(2)
    ]
    for thread in waiting:
        thread.start()
    for _ in waiting:
        assert app.started.acquire(timeout=10)

    refused = middleware(factory.get("/calls/CA1/"))
    health = middleware(factory.get("/healthz"))
    app.release.set()
    for thread in waiting:
        thread.join(timeout=10)
    after = middleware(factory.get("/calls/"))

    assert refused.status_code == 503
    assert refused["Retry-After"] == "5"
    assert health.status_code == 200
    assert after.status_code == 200  # the places were given back


@override_settings(PROVIDER_PAGES_PER_PROCESS=1)
def test_a_stream_holds_its_place_until_it_is_closed_even_unread(db: None) -> None:
    # (Closing a response ends the request: Django then tidies the database connections.)
    def stream(request: HttpRequest) -> HttpResponseBase:
        def body() -> Iterator[bytes]:
            yield b"audio"

        return StreamingHttpResponse(body())

    middleware = provider_pages(stream)
    first = middleware(factory.get("/calls/CA1/recordings/1/"))
    during = middleware(factory.get("/calls/CA1/recordings/1/"))
    first.close()  # the server closes it, here before a byte was read
    after = middleware(factory.get("/calls/CA1/recordings/1/"))

    assert during.status_code == 503
    assert after.status_code == 200
    assert b"".join(after.streaming_content) == b"audio"  # type: ignore[attr-defined]


@override_settings(PROVIDER_PAGES_PER_PROCESS=1)
def test_admin_pages_other_than_a_project_post_are_never_counted() -> None:
    app = SlowPages()
    middleware = provider_pages(app)
    holder = threading.Thread(target=middleware, args=(factory.get("/calls/"),))
    holder.start()
    assert app.started.acquire(timeout=10)

    admin_page = middleware(factory.get("/admin/projects/project/"))
    test_connection = middleware(factory.post("/admin/projects/project/1/change/"))
    app.release.set()
    holder.join(timeout=10)

    assert admin_page.status_code == 200
    assert test_connection.status_code == 503


def test_a_pool_that_stays_busy_is_a_503_not_a_server_error() -> None:
    from django.db import OperationalError
    from psycopg_pool import PoolTimeout

    from callviewer.capacity import DatabaseBusyMiddleware

    middleware = DatabaseBusyMiddleware(lambda request: HttpResponse())
    try:
        raise OperationalError("couldn't get a connection") from PoolTimeout("after 30 s")
    except OperationalError as exc:
        answer = middleware.process_exception(factory.get("/"), exc)
    other = middleware.process_exception(factory.get("/"), OperationalError("other"))

    assert answer is not None and answer.status_code == 503
    assert other is None


@override_settings(RECORDING_STREAMS_PER_PROCESS=1)
def test_a_recording_stream_holds_its_place_until_closed_even_unread(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    places = Places("RECORDING_STREAMS_PER_PROCESS")
    monkeypatch.setattr(capacity, "RECORDING_STREAMS", places)

    @capacity.recording_stream
    def view(request: HttpRequest) -> HttpResponseBase:
        return StreamingHttpResponse(iter([b"audio"]))

    first = view(factory.get("/calls/CA1/recordings/1/"))
    during = view(factory.get("/calls/CA1/recordings/1/"))
    first.close()
    after = view(factory.get("/calls/CA1/recordings/1/"))

    assert during.status_code == 503
    assert during["Retry-After"] == "5"
    assert isinstance(during, HttpResponse)
    assert "as many recordings as it can" in during.content.decode()
    assert after.status_code == 200
    assert b"".join(after.streaming_content) == b"audio"  # type: ignore[attr-defined]
    assert places.in_use == 0


@override_settings(RECORDING_STREAMS_PER_PROCESS=0)
def test_a_cap_of_zero_is_no_limit() -> None:
    places = Places("RECORDING_STREAMS_PER_PROCESS")
    assert all(places.take() for _ in range(1000))


def test_a_view_that_raises_gives_its_place_back(monkeypatch: pytest.MonkeyPatch) -> None:
    places = Places("RECORDING_STREAMS_PER_PROCESS")
    monkeypatch.setattr(capacity, "RECORDING_STREAMS", places)

    @capacity.recording_stream
    def view(request: HttpRequest) -> HttpResponseBase:
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError):
        view(factory.get("/calls/CA1/recordings/1/"))
    assert places.in_use == 0


def pool_timeout(*args: object, **kwargs: object) -> None:
    from django.db import OperationalError
    from psycopg_pool import PoolTimeout

    raise OperationalError("couldn't get a connection") from PoolTimeout("after 30 s")


@pytest.mark.parametrize("reading", ["the user", "the session"])
def test_a_pool_that_stays_busy_while_a_middleware_reads_is_a_503(
    reading: str, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = Client(raise_request_exception=False)
    agent.force_login(alice)
    if reading == "the user":
        monkeypatch.setattr("django.contrib.auth.get_user", pool_timeout)
    else:
        monkeypatch.setattr(SessionStore, "load", pool_timeout)
    answer = agent.get("/calls/")
    assert answer.status_code == 503
    assert answer["Retry-After"] == "5"
    assert "Try again" in answer.content.decode()


def test_any_other_error_in_a_middleware_is_still_the_500_page(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = Client(raise_request_exception=False)
    agent.force_login(alice)
    monkeypatch.setattr("django.contrib.auth.get_user", lambda request: 1 / 0)
    assert agent.get("/calls/").status_code == 500
