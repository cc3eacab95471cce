"""Asking several projects' providers at once: bounded threads, no database connection held.

Search and SID lookup both wait on several providers in one request. Each question runs in a
worker thread that holds a provider client, never a model: only the request thread touches
the database, and it gives its connection back before it waits. A provider's error, or a bug
reading its answer, stands in for that one answer and never hides the others'.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from callviewer.database import release_connection
from callviewer.providers.base import Provider
from callviewer.providers.types import ProviderError, UnexpectedAnswer
from callviewer.providers.values import bug_site

log = logging.getLogger(__name__)

MAX_THREADS = 8  # questions in flight at once for one request

T = TypeVar("T")
Question = tuple[Provider, Callable[[Provider], T]]


def ask(questions: Sequence[Question[T]], doing: str) -> list[T | ProviderError]:
    """Each (client, question) answered in parallel, in the order given.

    `doing` names the work for the log line of a bug ("Searching", "Reading a call from").
    """
    release_connection()  # the request waits on the providers without a database connection
    if len(questions) <= 1:
        return [_answer(client, question, doing) for client, question in questions]
    with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(questions))) as pool:
        return list(pool.map(lambda q: _answer(q[0], q[1], doing), questions))


def _answer(client: Provider, question: Callable[[Provider], T], doing: str) -> T | ProviderError:
    """One answer, or the error that stands in its place (runs in a worker thread)."""
    try:
        return question(client)
    except ProviderError as exc:
        return exc
    except Exception as exc:
        # A bug reading one provider must not hide the answers of the others.
        # Where, not what: an exception's text can quote a provider's values (numbers, URLs).
        log.error("%s %s failed: %s", doing, client.label, bug_site(exc))
        return UnexpectedAnswer(
            client.label, f"{client.label} sent an answer callviewer could not read."
        )
