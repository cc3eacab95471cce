"""Asking several providers at once: answers in order, errors in place, bounded, no connection."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from callviewer.calls import fanout
from callviewer.providers.base import Provider
from callviewer.providers.talkstack import TalkStack
from callviewer.providers.types import NotFound, UnexpectedAnswer


def client() -> Provider:
    return TalkStack({"project_id": "p"}, {"api_key": "k"})


class TestAsk:
    def test_answers_come_back_in_the_order_asked(self) -> None:
        questions = [(client(), lambda c, n=n: n * 10) for n in range(12)]
        assert fanout.ask(questions, "Testing") == [n * 10 for n in range(12)]

    def test_a_provider_error_or_a_bug_stands_in_for_its_answer_only(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        def missing(c: Provider) -> Any:
            raise NotFound(c.label, "no such call")

        def bug(c: Provider) -> Any:
            raise KeyError("+12068091239")  # a bug quoting a provider's value

        answers = fanout.ask(
            [(client(), missing), (client(), lambda c: "ok"), (client(), bug)], "Searching"
        )
        assert isinstance(answers[0], NotFound) and answers[1] == "ok"
        assert isinstance(answers[2], UnexpectedAnswer)
        assert answers[2].message == "TalkStack AI sent an answer callviewer could not read."
        assert "Searching TalkStack AI failed: KeyError at" in caplog.text
        assert "+12068091239" not in caplog.text

    def test_no_more_than_max_threads_wait_at_once(self) -> None:
        lock, running, most = threading.Lock(), [0], [0]
        barrier = threading.Barrier(fanout.MAX_THREADS, timeout=10)

        def wait(c: Provider) -> int:
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            barrier.wait()  # the first MAX_THREADS meet here: all of them are running
            with lock:
                running[0] -= 1
            return 1

        questions = [(client(), wait) for _ in range(fanout.MAX_THREADS * 2)]
        assert fanout.ask(questions, "Testing") == [1] * (fanout.MAX_THREADS * 2)
        assert most[0] == fanout.MAX_THREADS

    def test_the_request_gives_its_database_connection_back_before_waiting(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        events: list[str] = []
        monkeypatch.setattr(fanout, "release_connection", lambda: events.append("released"))
        fanout.ask([(client(), lambda c: events.append("asked"))] * 2, "Testing")
        assert events == ["released", "asked", "asked"]
