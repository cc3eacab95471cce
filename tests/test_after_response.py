"""Writes done once the response is sent: never before, never lost to a closed tab."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test import RequestFactory

from callviewer import after_response

factory = RequestFactory()
Send = Callable[[HttpResponseBase], None]  # the `send` fixture


def app_that_writes(done: list[str], *, stream: bool = False):  # type: ignore[no-untyped-def]
    """A view asking for one write after its response, wrapped in the middleware."""

    def view(request: HttpRequest) -> HttpResponseBase:
        after_response.later("a test write", lambda: done.append("written"))
        if stream:

            def body() -> Iterator[bytes]:
                done.append("streamed")
                yield b"audio"

            return StreamingHttpResponse(body())
        return HttpResponse("page")

    return after_response.middleware(view)


def test_the_write_waits_until_the_response_is_closed(send: Send) -> None:
    done: list[str] = []
    response = app_that_writes(done)(factory.get("/calls/CA1/"))
    assert done == []  # the page goes out first
    send(response)  # the server closes it once sent
    assert done == ["written"]


def test_a_response_closed_unread_still_writes(send: Send) -> None:
    # The agent closed the tab: the server stops sending, and closes the response all the same.
    done: list[str] = []
    response = app_that_writes(done)(factory.get("/calls/CA1/"))
    send(response)
    assert done == ["written"]


def test_a_stream_writes_before_its_first_byte() -> None:
    done: list[str] = []
    response = app_that_writes(done, stream=True)(factory.get("/calls/CA1/recordings/1/"))
    assert done == ["written"]
    assert b"".join(response.streaming_content) == b"audio"  # type: ignore[attr-defined]
    assert done == ["written", "streamed"]


def test_outside_a_request_the_work_is_done_at_once() -> None:
    done: list[str] = []
    after_response.later("a test write", lambda: done.append("written"))
    assert done == ["written"]


def test_a_failing_write_is_logged_and_the_others_still_happen(
    caplog: pytest.LogCaptureFixture, send: Send
) -> None:
    done: list[str] = []

    def fails() -> None:
        raise ValueError("+12068091239 could not be written")

    def view(request: HttpRequest) -> HttpResponse:
        after_response.later("an audit record", fails)
        after_response.later("the calls seen", lambda: done.append("written"))
        return HttpResponse("page")

    send(after_response.middleware(view)(factory.get("/calls/")))

    assert done == ["written"]
    (logged,) = [r for r in caplog.records if r.name == "callviewer.after_response"]
    assert logged.levelname == "ERROR"
    assert "an audit record" in logged.getMessage() and "ValueError" in logged.getMessage()
    assert "+1206" not in logged.getMessage()  # where it failed, never the values


def test_each_request_has_its_own_writes(send: Send) -> None:
    done: list[str] = []
    app = app_that_writes(done)
    first, second = app(factory.get("/a/")), app(factory.get("/b/"))
    send(first)
    assert done == ["written"]
    send(second)
    assert done == ["written", "written"]
