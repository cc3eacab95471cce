"""Writes a page needs but its agent need not wait for, done once the response is sent.

The audit record of a call page or a search and the calls-seen upsert are written after the
page's last byte has gone, in the same worker thread, when the server closes the response.
Why there, and not in a background executor: a WSGI server closes every response in a
`finally`, whether the agent read it all or closed the tab (gunicorn's workers do, and so
does Django's test client), so a record cannot be lost to a closed tab; there is no queue
that could fill up or be dropped when a process stops; and tests see every write done when
their request returns. Only a write that fails (the database down at that moment) is lost,
and it is logged as an error, never dropped in silence. (Under ASGI, Django drops a response
unclosed when the client leaves before the view has returned, so these writes would go with
it: callviewer is served over WSGI, gunicorn.conf.py.)

Writes that must belong to their change stay where they are: the admin's audit records are
written in the admin's transaction, and a recording's before its first byte (a stream may
last minutes, and a process stopped mid-stream must not lose who played it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from callviewer.database import release_connection
from callviewer.providers.values import bug_site

log = logging.getLogger(__name__)

Task = tuple[str, Callable[[], object]]
_pending: ContextVar[list[Task] | None] = ContextVar("after_response", default=None)


def later(what: str, work: Callable[[], object]) -> None:
    """Do `work` once this request's response is sent; at once outside a request.

    `what` names the work in the log line if it fails (never a value it holds).
    """
    pending = _pending.get()
    if pending is None:
        work()
    else:
        pending.append((what, work))


def middleware(
    get_response: Callable[[HttpRequest], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    def middleware(request: HttpRequest) -> HttpResponseBase:
        pending: list[Task] = []
        token = _pending.set(pending)
        try:
            response = get_response(request)
        finally:
            _pending.reset(token)
        if not pending:
            return response
        if response.streaming:
            # A stream closes when its last byte is sent, maybe minutes from now: its writes
            # are done before it starts, and the connection they took is given back.
            run(pending)
            release_connection()
        else:
            # Closers run when the server closes the response, before request_finished gives
            # the database connection back. Django ignores a closer's exception: run() logs.
            response._resource_closers.append(lambda: run(pending))  # type: ignore[attr-defined]
        return response

    return middleware


def run(pending: list[Task]) -> None:
    """Do each task; one that fails is logged and does not stop the others."""
    for what, work in pending:
        try:
            work()
        except Exception as exc:
            # Where, not what: the exception's text could quote the values being written.
            log.error("Writing %s after the response failed: %s", what, bug_site(exc))
    pending.clear()
