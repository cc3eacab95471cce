"""The simulated TalkStack call analysis: deterministic answers, its refusals and shapes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from callviewer.sandbox import accounts, talkstack_analysis, talkstack_data
from callviewer.sandbox.core import Sandbox

PROJECT = "ts-proj-acme-0001"
KEY = {"x-api-key": accounts.TALKSTACK_PROJECTS[PROJECT]}
QUESTIONS: list[dict[str, Any]] = [
    {"question": "Did the caller cancel?", "type": "Boolean"},
    {"question": "Why?", "type": "Text"},
    {"question": "How many?", "type": "Number"},
    {"question": "Reason", "type": "Selector", "options": ["Sick", "Late", "Other"]},
]


@pytest.fixture
def web() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30, trust_env=False) as client:
        yield client


def completed(sandbox: Sandbox) -> talkstack_data.SimCall:
    return next(
        c for c in talkstack_data.dataset(sandbox).history[PROJECT] if c.status == "completed"
    )


def ask(web: httpx.Client, sandbox: Sandbox, body: Any, headers: Any = KEY) -> httpx.Response:
    return web.post(f"{sandbox.url}/call/analysis", json=body, headers=headers)


def test_answers_follow_each_type_and_repeat_for_the_same_call(
    web: httpx.Client, sandbox: Sandbox
) -> None:
    sid = completed(sandbox).sid
    first = ask(web, sandbox, {"sid": sid, "questions": QUESTIONS})
    again = ask(web, sandbox, {"sid": sid, "questions": QUESTIONS})
    assert first.status_code == 200 and first.json() == again.json()
    data = first.json()["data"]
    assert first.json()["status"] == "success"
    answers = [a["answer"] for a in data["answers"]]
    assert answers[0] in ("Yes", "No")
    assert answers[1]
    assert answers[2].isdigit()
    assert answers[3] in ("Sick", "Late", "Other")
    assert data["summary"] and data["sentiment"] in ("positive", "neutral", "negative")


def test_other_calls_get_other_answers(sandbox: Sandbox) -> None:
    calls = [c for c in talkstack_data.dataset(sandbox).history[PROJECT] if c.status == "completed"]
    picked = {talkstack_analysis.answer(c, QUESTIONS[3]) for c in calls[:30]}
    assert picked == {"Sick", "Late", "Other"}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"questions": QUESTIONS}, "sid is required"),
        ({"sid": "x"}, "questions is required"),
        ({"sid": "x", "questions": [{"question": " ", "type": "Text"}]}, "needs a question"),
        ({"sid": "x", "questions": [{"question": "q", "type": "Essay"}]}, "type must be"),
        ({"sid": "x", "questions": [{"question": "q", "type": "Selector"}]}, "needs options"),
    ],
)
def test_a_body_it_cannot_read_is_400(
    web: httpx.Client, sandbox: Sandbox, body: Any, words: str
) -> None:
    response = ask(web, sandbox, body)
    assert response.status_code == 400
    assert words in response.json()["message"]


def test_credentials_are_checked_first(web: httpx.Client, sandbox: Sandbox) -> None:
    response = ask(web, sandbox, {}, headers={"x-api-key": "wrong"})
    assert response.status_code == 401


def test_a_call_of_another_project_is_404_and_a_live_one_400(
    web: httpx.Client, sandbox: Sandbox
) -> None:
    other = talkstack_data.dataset(sandbox).history["ts-proj-globex-0002"][0].sid
    assert ask(web, sandbox, {"sid": other, "questions": QUESTIONS}).status_code == 404
    live = talkstack_data.LIVE_SIDS[PROJECT][0]
    refused = ask(web, sandbox, {"sid": live, "questions": QUESTIONS})
    assert refused.status_code == 400
    assert "after the call ends" in refused.json()["message"]
    sandbox.clock_offset = 61  # the call has ended
    assert ask(web, sandbox, {"sid": live, "questions": QUESTIONS}).status_code == 200


@pytest.mark.parametrize(
    ("shape", "check"),
    [
        ("list", lambda body: isinstance(body, list) and len(body) == 4),
        ("keyed", lambda body: "Why?" in body and "summary" in body),
        ("data", lambda body: isinstance(body["data"], list)),
        ("analysis", lambda body: "Reason" in body["analysis"]),
        ("answers", lambda body: isinstance(body["answers"], list) and "sentiment" in body),
        ("message", lambda body: body["status"] == "success" and "Why?" in body["data"]),
        ("unknown", lambda body: "count" in body),
    ],
)
def test_each_shape_option_answers_in_that_shape(
    web: httpx.Client, sandbox: Sandbox, shape: str, check: Any
) -> None:
    sandbox.options["talkstack_analysis_shape"] = shape
    response = ask(web, sandbox, {"sid": completed(sandbox).sid, "questions": QUESTIONS})
    assert check(response.json())


def test_native_values_are_json_booleans_and_numbers(web: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.options |= {"talkstack_analysis_shape": "list", "talkstack_analysis_native": True}
    body = ask(web, sandbox, {"sid": completed(sandbox).sid, "questions": QUESTIONS}).json()
    assert isinstance(body[0], bool) and isinstance(body[2], int)


def test_text_answers_are_not_json(web: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.options["talkstack_analysis_shape"] = "text"
    response = ask(web, sandbox, {"sid": completed(sandbox).sid, "questions": QUESTIONS})
    assert response.headers["content-type"] == "text/plain"
    assert response.text.startswith("Summary: ")


def test_injected_faults_reach_the_analysis(web: httpx.Client, sandbox: Sandbox) -> None:
    sid = completed(sandbox).sid
    sandbox.faults.fail_sids[sid] = 500
    assert ask(web, sandbox, {"sid": sid, "questions": QUESTIONS}).status_code == 500
