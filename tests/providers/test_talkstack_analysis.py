"""TalkStack's call analysis (POST /call/analysis): every tolerated answer shape, and errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from callviewer.providers.talkstack import TalkStack, read_analysis
from callviewer.providers.types import (
    NotFound,
    ProviderUnavailable,
    Question,
    RateLimited,
    TimedOut,
    UnexpectedAnswer,
)
from callviewer.sandbox import accounts, talkstack_analysis, talkstack_data
from callviewer.sandbox.core import Sandbox

PROJECT = "ts-proj-acme-0001"
QUESTIONS = (
    Question("Did the caller want to cancel the shift?", "Boolean"),
    Question("Why?", "Text"),
    Question("How many minutes late?", "Number"),
    Question("Reason", "Selector", ("Sick", "Family", "Transport")),
)


@pytest.fixture
def talkstack(sandbox: Sandbox) -> TalkStack:
    return TalkStack(
        {"project_id": PROJECT, "base_url": sandbox.url},
        {"api_key": accounts.TALKSTACK_PROJECTS[PROJECT]},
    )


def completed(sandbox: Sandbox) -> talkstack_data.SimCall:
    return next(
        c for c in talkstack_data.dataset(sandbox).history[PROJECT] if c.status == "completed"
    )


def expected(call: talkstack_data.SimCall) -> list[str]:
    return [str(talkstack_analysis.answer(call, q.as_dict())) for q in QUESTIONS]


def test_it_posts_the_documented_body_with_the_project_s_key(
    talkstack: TalkStack, sandbox: Sandbox
) -> None:
    call = completed(sandbox)
    talkstack.analyse(call.sid, QUESTIONS)
    (request,) = sandbox.requests_to("/call/analysis")
    assert request.method == "POST"
    assert request.headers["x-api-key"] == accounts.TALKSTACK_PROJECTS[PROJECT]
    assert json.loads(request.body) == {
        "sid": call.sid,
        "questions": [
            {"question": "Did the caller want to cancel the shift?", "type": "Boolean"},
            {"question": "Why?", "type": "Text"},
            {"question": "How many minutes late?", "type": "Number"},
            {"question": "Reason", "type": "Selector", "options": ["Sick", "Family", "Transport"]},
        ],
    }


@pytest.mark.parametrize(
    "shape", ["envelope", "list", "keyed", "data", "analysis", "answers", "message"]
)
@pytest.mark.parametrize("native", [False, True])
def test_it_reads_the_answers_in_every_tolerated_shape(
    talkstack: TalkStack, sandbox: Sandbox, shape: str, native: bool
) -> None:
    sandbox.options |= {"talkstack_analysis_shape": shape, "talkstack_analysis_native": native}
    call = completed(sandbox)
    analysis = talkstack.analyse(call.sid, QUESTIONS)
    assert analysis.understood
    assert [a.question for a in analysis.answers] == list(QUESTIONS)
    assert [a.value for a in analysis.answers] == expected(call)
    assert analysis.answers[0].value in ("Yes", "No")
    assert analysis.answers[3].value in QUESTIONS[3].options


@pytest.mark.parametrize("shape", ["envelope", "keyed", "answers"])
def test_it_keeps_the_summary_and_the_sentiment_when_the_answer_has_them(
    talkstack: TalkStack, sandbox: Sandbox, shape: str
) -> None:
    sandbox.options["talkstack_analysis_shape"] = shape
    call = completed(sandbox)
    analysis = talkstack.analyse(call.sid, QUESTIONS)
    assert analysis.summary == talkstack_analysis.summary(call)
    assert analysis.sentiment == talkstack_analysis.sentiment(call)


def test_a_missing_answer_is_none_and_the_others_stay(
    talkstack: TalkStack, sandbox: Sandbox
) -> None:
    sandbox.options |= {"talkstack_analysis_shape": "list", "talkstack_analysis_missing": True}
    call = completed(sandbox)
    analysis = talkstack.analyse(call.sid, QUESTIONS)
    assert [a.value for a in analysis.answers] == [*expected(call)[:3], None]


@pytest.mark.parametrize("shape", ["unknown", "text"])
def test_an_answer_of_unknown_shape_is_kept_as_text(
    talkstack: TalkStack, sandbox: Sandbox, shape: str
) -> None:
    sandbox.options["talkstack_analysis_shape"] = shape
    analysis = talkstack.analyse(completed(sandbox).sid, QUESTIONS)
    assert not analysis.understood
    assert analysis.answers == ()
    assert ("count" if shape == "unknown" else "Summary:") in analysis.unknown


@pytest.mark.parametrize(
    ("body", "values"),
    [
        ([True, "because", 12.5, "Sick"], ["Yes", "because", "12.5", "Sick"]),
        (["no", None], ["No", None, None, None]),
        ({"why?": "x", " did the CALLER want to cancel the shift? ": "true"},
         ["Yes", "x", None, None]),
        ({"data": {"answers": [{"question": "Reason", "answer": "Family"}]}},
         [None, None, None, "Family"]),
        ({"results": [{"value": False}, {"response": "r"}]}, ["No", "r", None, None]),
        ({"analysis": {"How many minutes late?": "007"}}, [None, None, "7", None]),
        ({"answers": [["a", "b"], {"answer": {"deep": 1}}]}, ["a, b", None, None, None]),
    ],
)  # fmt: skip
def test_answers_may_be_strings_booleans_numbers_or_missing(
    body: Any, values: list[str | None]
) -> None:
    analysis = read_analysis(body, QUESTIONS)
    assert [a.value for a in analysis.answers] == values


def test_a_sentiment_given_as_an_object_is_read_by_its_label() -> None:
    body = {"summary": "ok", "sentiment": {"label": "negative", "score": 0.91}}
    analysis = read_analysis(body, QUESTIONS)
    assert (analysis.summary, analysis.sentiment) == ("ok", "negative")
    assert [a.value for a in analysis.answers] == [None] * len(QUESTIONS)


@pytest.mark.parametrize("body", [{}, [], "yes", 3, None, {"status": "success", "message": "x"}])
def test_nothing_recognisable_is_an_unknown_shape(body: Any) -> None:
    analysis = read_analysis(body, QUESTIONS)
    assert not analysis.understood
    assert analysis.unknown


def test_a_bare_value_answers_the_only_question() -> None:
    analysis = read_analysis("Yes", QUESTIONS[:1])
    assert [a.value for a in analysis.answers] == ["Yes"]


def test_a_call_of_another_project_is_not_found(talkstack: TalkStack, sandbox: Sandbox) -> None:
    other = talkstack_data.dataset(sandbox).history["ts-proj-globex-0002"][0]
    with pytest.raises(NotFound):
        talkstack.analyse(other.sid, QUESTIONS)


def test_a_live_call_is_refused_in_talkstack_s_words(
    talkstack: TalkStack, sandbox: Sandbox
) -> None:
    live = talkstack_data.LIVE_SIDS[PROJECT][0]
    with pytest.raises(UnexpectedAnswer, match="available after the call ends"):
        talkstack.analyse(live, QUESTIONS)


def test_a_failing_analysis_is_asked_once_never_retried(
    talkstack: TalkStack, sandbox: Sandbox
) -> None:
    call = completed(sandbox)
    sandbox.faults.fail_sids[call.sid] = 503
    with pytest.raises(ProviderUnavailable):
        talkstack.analyse(call.sid, QUESTIONS)
    assert len(sandbox.requests_to("/call/analysis")) == 1


def test_a_rate_limited_analysis_is_retried_as_talkstack_did_not_act_on_it(
    talkstack: TalkStack, sandbox: Sandbox
) -> None:
    sandbox.faults.rate_limit_next = 1
    sandbox.faults.retry_after = "0"
    assert talkstack.analyse(completed(sandbox).sid, QUESTIONS).understood
    sandbox.faults.rate_limit_next, sandbox.faults.retry_after = 5, "60"
    with pytest.raises(RateLimited):
        talkstack.analyse(completed(sandbox).sid, QUESTIONS)


def test_a_slow_analysis_times_out(talkstack: TalkStack, sandbox: Sandbox, settings: Any) -> None:
    settings.PROVIDER_READ_TIMEOUT = 0.2
    call = completed(sandbox)
    sandbox.faults.timeout_sids.add(call.sid)
    sandbox.faults.hang_seconds = 1.0
    with pytest.raises(TimedOut):
        talkstack.analyse(call.sid, QUESTIONS)


def test_a_connection_dropped_after_sending_is_not_retried(
    answer_with: Callable[..., list[httpx.Request]],
) -> None:
    def drop(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("connection reset", request=request)

    seen = answer_with(drop)
    client = TalkStack({"project_id": PROJECT, "base_url": "https://ts.test"}, {"api_key": "k"})
    with pytest.raises(ProviderUnavailable):
        client.analyse("CA" + "1" * 32, QUESTIONS)
    assert len(seen) == 1


# Other readings of the undocumented answer (a server built from the same docs by others)

SID = "CA" + "1" * 32


def client() -> TalkStack:
    return TalkStack({"project_id": PROJECT}, {"api_key": "k"})


@pytest.mark.parametrize(
    "body",
    [
        {"0": "Yes", "1": "late bus", "2": "10", "3": "transport"},
        {"1": True, "2": "late bus", "3": 10, "4": "TRANSPORT"},
        {
            "status": "success",
            "answers": {"0": "true", "1": "late bus", "2": "10.0", "3": "Transport"},
        },
        {
            "data": {
                "questions": [
                    {"question": q.question, "answer": a}
                    for q, a in zip(QUESTIONS, ["YES", "late bus", "10", "transport"], strict=True)
                ]
            }
        },
        {
            "analysis": {
                "customData": [
                    {"q": q.question, "a": a}
                    for q, a in zip(QUESTIONS, ["yes", "late bus", 10, "Transport"], strict=True)
                ]
            }
        },
    ],
)
def test_answers_keyed_by_position_or_other_names_are_read(body: Any) -> None:
    analysis = read_analysis(body, QUESTIONS)

    assert [a.value for a in analysis.answers] == ["Yes", "late bus", "10", "Transport"]


def test_a_selector_answer_in_another_case_reads_as_its_option() -> None:
    analysis = read_analysis(["no", "", "0", "fAMILY"], QUESTIONS)

    assert analysis.answers[3].value == "Family"


def test_a_selector_answer_that_is_no_option_is_shown_as_sent() -> None:
    assert read_analysis(["no", "", "0", "Weather"], QUESTIONS).answers[3].value == "Weather"


@pytest.mark.parametrize(
    "body",
    [
        {"status": "error", "message": "Call is not completed"},
        {"success": False, "message": "Call is not completed"},
    ],
)
def test_a_200_that_says_error_is_an_error_in_talkstacks_words_not_an_answer(
    answer_with: Callable[..., Any], body: Any
) -> None:
    answer_with(lambda r: httpx.Response(200, json=body))

    with pytest.raises(UnexpectedAnswer, match="answered with an error: Call is not completed"):
        client().analyse(SID, QUESTIONS)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (202, {"message": "Analysis started"}),
        (202, None),
        (200, {"status": "processing", "message": "Analysis in progress"}),
        (200, {"status": "pending"}),
    ],
)
def test_an_analysis_not_ready_yet_is_an_error_to_try_again_not_an_answer(
    answer_with: Callable[..., Any], status: int, body: Any
) -> None:
    answer_with(lambda r: httpx.Response(status, json=body))

    with pytest.raises(ProviderUnavailable, match=r"not finished analysing .* yet"):
        client().analyse(SID, QUESTIONS)


def test_an_answer_whose_status_is_the_calls_own_is_still_read(
    answer_with: Callable[..., Any],
) -> None:
    # "status" may be the call's status ("failed" too), beside real answers.
    body = {"status": "failed", "summary": "Nobody answered", "answers": ["No", "", "0", "Sick"]}
    answer_with(lambda r: httpx.Response(200, json=body))

    analysis = client().analyse(SID, QUESTIONS)

    assert analysis.summary == "Nobody answered"
    assert analysis.answers[0].value == "No"


def test_a_live_call_answered_404_is_not_found(answer_with: Callable[..., Any]) -> None:
    answer_with(lambda r: httpx.Response(404, json={"message": "Call not found"}))

    with pytest.raises(NotFound, match="no analysis of call"):
        client().analyse(SID, QUESTIONS)
