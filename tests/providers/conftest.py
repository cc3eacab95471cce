"""Fixtures shared by the provider client tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import httpx
import pytest

from callviewer.providers import http

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def answer_with() -> Iterator[Callable[[Handler], list[httpx.Request]]]:
    """Serve every provider request from a handler at the HTTP seam; returns the requests seen."""
    seen: list[httpx.Request] = []

    def install(handler: Handler) -> list[httpx.Request]:
        def record(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return handler(request)

        stack.enter_context(http.override_transport(httpx.MockTransport(record)))
        return seen

    with ExitStack() as stack:
        yield install
