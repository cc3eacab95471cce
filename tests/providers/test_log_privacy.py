"""What the provider modules log about a hostile answer: fields and SIDs, never its values."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from callviewer.providers.base import Provider
from callviewer.providers.signalwire import SignalWire
from callviewer.providers.sinch import Sinch
from callviewer.providers.talkstack import TalkStack
from callviewer.providers.types import ProviderError, Recording, SearchQuery
from callviewer.sandbox import accounts

PHONE = "+14155550123"
MARKER = "MARKER-7f3a9c"
HOSTILE = f"{PHONE} {MARKER}"
# A time nobody can read, made of the values that must not be logged.
BAD_TIME = f"Tue, 30 Jan {PHONE} {MARKER}"
TS_SID = "CA" + "1" * 32
SW_PROJECT, SW_TOKEN = next(iter(accounts.SIGNALWIRE_PROJECTS.items()))
SW_SID = "6f1d3c2a-8e4b-4c1d-9a77-2b3c4d5e6f70"
SINCH_ID = "ab" * 16


def talkstack_call() -> dict[str, Any]:
    return {
        "callSid": TS_SID,
        "status": HOSTILE,
        "from": HOSTILE,
        "to": HOSTILE,
        "date": BAD_TIME,
        "seconds": HOSTILE,
        "cost": HOSTILE,
        "recordingUrls": [f"https://api.twilio.com/{HOSTILE}"],
        "data": {HOSTILE: HOSTILE},
        "partnerId": HOSTILE,
    }


def signalwire_call() -> dict[str, Any]:
    fields = ("status", "from", "to", "direction", "price", "price_unit", "answered_by")
    return {"sid": SW_SID, "start_time": BAD_TIME, "end_time": BAD_TIME} | dict.fromkeys(
        fields, HOSTILE
    )


def sinch_call() -> dict[str, Any]:
    return {
        "callId": SINCH_ID,
        "status": "FINAL",
        "result": HOSTILE,
        "reason": HOSTILE,
        "timestamp": BAD_TIME,
        "from": {"type": "number", "endpoint": HOSTILE},
        "to": HOSTILE,
        "custom": HOSTILE,
        "debit": {"currencyId": HOSTILE, "amount": HOSTILE},
    }


def asks(client: Provider) -> Iterator[Callable[[], Any]]:
    """Every operation of a provider, each as a call that may raise ProviderError."""
    sid = {TalkStack: TS_SID, SignalWire: SW_SID, Sinch: SINCH_ID}[type(client)]
    yield lambda: client.get_call(sid)
    yield lambda: client.test_connection()
    if client.supports_search:
        yield lambda: client.search(SearchQuery())
        yield lambda: client.list_recordings(client.get_call(sid))
    yield lambda: client.media_source(Recording(url=f"https://api.twilio.com/{HOSTILE}"))


CLIENTS: dict[str, tuple[Callable[[], Provider], Callable[[], dict[str, Any]], str]] = {
    "talkstack": (
        lambda: TalkStack({"project_id": "ts-proj-acme-0001"}, {"api_key": "k"}),
        talkstack_call,
        "date",
    ),
    "signalwire": (
        lambda: SignalWire(
            {"project_id": SW_PROJECT, "space": "example.signalwire.com"}, {"api_token": SW_TOKEN}
        ),
        signalwire_call,
        "start_time",
    ),
    "sinch": (
        lambda: Sinch({"application_key": "app-key-1"}, {"application_secret": "c2VjcmV0"}),
        sinch_call,
        "timestamp",
    ),
}


def answers(call: dict[str, Any]) -> Iterator[httpx.Response]:
    """The call in every shape an answer takes, then error answers that quote the values."""
    listed = {"next_page_uri": f"/{HOSTILE}", "calls": [call], "recordings": [call], "data": [call]}
    yield httpx.Response(200, json=call)
    yield httpx.Response(200, json=listed)
    yield httpx.Response(400, json={"message": HOSTILE, "code": HOSTILE, "errors": [HOSTILE]})
    yield httpx.Response(404, json={"errorCode": HOSTILE, "message": HOSTILE})
    yield httpx.Response(200, content=f'{{"x": "{HOSTILE}"'.encode())  # not JSON


@pytest.mark.parametrize("provider", CLIENTS)
def test_hostile_values_never_reach_the_logs(
    answer_with: Callable[..., list[httpx.Request]],
    caplog: pytest.LogCaptureFixture,
    settings: Any,
    provider: str,
) -> None:
    settings.PROVIDER_MAX_RETRIES = 0
    make, call, time_field = CLIENTS[provider]
    current: list[httpx.Response] = []
    answer_with(lambda request: current[0])

    with caplog.at_level(logging.DEBUG):
        for response in answers(call()):
            current[:] = [response]
            for ask in asks(make()):
                with contextlib.suppress(ProviderError):
                    ask()

    logged = [(r.getMessage(), repr(r.args), r.exc_text or "") for r in caplog.records]
    assert logged, "the unreadable time should have been logged"
    for line in logged:
        assert PHONE not in "".join(line)
        assert MARKER not in "".join(line)
    # What is logged instead: the provider, the project, the call and the field.
    label = make().label
    assert any(
        label in message and f"field {time_field} is not a value" in message
        for message, _args, _exc in logged
    )
