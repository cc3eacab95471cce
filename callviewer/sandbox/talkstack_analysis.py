"""Simulated TalkStack call analysis: `POST /call/analysis` (docs/providers/talkstack.md).

Body `{"sid", "questions": [{"question", "type", "options"}]}`, the same credentials as the
other endpoints. The answers are derived from the call's own data, so one call asked the
same question always gets the same answer: Boolean "Yes"/"No", Number a count, Text a
sentence from the call's extracted data, Selector one of the options; with a summary and a
sentiment. Where TalkStack's docs are silent, the simulator picks:

- 400 `{"status": "error", "message"}` for a body it cannot read (no sid, no questions, an
  unknown type, a Selector without options) and for a call that has not ended yet
  ("Call analysis is available after the call ends"); 404 for a call of another project.
- The answer's shape, by `sandbox.options["talkstack_analysis_shape"]`:
  "envelope" (default) `{"message", "status": "success", "data": {"summary", "sentiment",
  "answers": [{"question", "answer"}, ...]}}`; "list" a bare list of answers in question
  order; "keyed" an object keyed by question, with "summary" and "sentiment" beside;
  "data" `{"data": [answers in order]}`; "analysis" `{"analysis": {question: answer}}`;
  "answers" `{"answers": [...], "summary", "sentiment"}`; "message" `{"message",
  "status": "success", "data": {question: answer}}`; "unknown" an object holding none of
  these; "text" plain text, not JSON; "hostile" markup in every answer.
- `sandbox.options["talkstack_analysis_native"]`: Boolean answers as JSON true/false and
  Number answers as JSON numbers instead of strings.
- `sandbox.options["talkstack_analysis_missing"]`: the last question gets no answer.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .core import Sandbox, SimResponse
from .talkstack_data import FINAL, HTML_VALUE, SimCall, find

TYPES = ("Boolean", "Text", "Number", "Selector")
_TEXTS = (
    "The caller asked to move the shift to the weekend.",
    "The caller confirmed the shift and the address.",
    "The caller could not make it because of a family emergency.",
    "The caller wanted to know the parking arrangements.",
)


def _pick(call: SimCall, question: str, n: int) -> int:
    digest = hashlib.sha256(f"{call.sid}:{question}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % n


def answer(call: SimCall, question: dict[str, Any], native: bool = False) -> Any:
    """The simulator's answer to one question about `call`."""
    text, kind = str(question["question"]), question["type"]
    if kind == "Boolean":
        yes = _pick(call, text, 2) == 0
        return yes if native else ("Yes" if yes else "No")
    if kind == "Number":
        number = call.seconds // 60 + _pick(call, text, 5)
        return number if native else str(number)
    if kind == "Selector":
        options = [str(o) for o in question["options"]]
        return options[_pick(call, text, len(options))]
    return call.data.get("reasonOfCancellation") or _TEXTS[_pick(call, text, len(_TEXTS))]


def summary(call: SimCall) -> str:
    return call.data.get("summary") or _TEXTS[_pick(call, "summary", len(_TEXTS))]


def sentiment(call: SimCall) -> str:
    return (
        call.data.get("sentiment")
        or ("positive", "neutral", "negative")[_pick(call, "sentiment", 3)]
    )


def _problem(body: dict[str, Any]) -> str:
    questions = body.get("questions")
    if not isinstance(questions, list) or not questions:
        return "questions is required"
    for q in questions:
        if not isinstance(q, dict) or not str(q.get("question") or "").strip():
            return "each question needs a question"
        if q.get("type") not in TYPES:
            return f"type must be one of {', '.join(TYPES)}"
        if q["type"] == "Selector" and not (isinstance(q.get("options"), list) and q["options"]):
            return "a Selector question needs options"
    return ""


def _error(status: int, message: str) -> SimResponse:
    return SimResponse.json({"status": "error", "message": message}, status)


def analysis(project: str, body: Any, sandbox: Sandbox) -> SimResponse:
    """The answer to an authenticated request of `project` (talkstack_api checks the key)."""
    if not isinstance(body, dict) or not body.get("sid"):
        return _error(400, "sid is required")
    if problem := _problem(body):
        return _error(400, problem)
    call = find(sandbox, str(body["sid"]))
    if call is None or call.project_id != project:
        return _error(404, "Call not found")
    if call.status not in FINAL:
        return _error(400, "Call analysis is available after the call ends")
    return _shaped(call, body["questions"], sandbox)


def _shaped(call: SimCall, questions: list[dict[str, Any]], sandbox: Sandbox) -> SimResponse:
    shape = sandbox.options.get("talkstack_analysis_shape", "envelope")
    native = bool(sandbox.options.get("talkstack_analysis_native"))
    answers = [answer(call, q, native) for q in questions]
    if shape == "hostile":
        answers = [f"{HTML_VALUE} {a}" for a in answers]
    pairs = list(zip([str(q["question"]) for q in questions], answers, strict=True))
    if sandbox.options.get("talkstack_analysis_missing"):
        pairs, answers = pairs[:-1], answers[:-1]
    about = {"summary": summary(call), "sentiment": sentiment(call)}
    if shape == "hostile":
        about = {k: f"{HTML_VALUE} {v}" for k, v in about.items()}
    keyed = dict(pairs)
    bodies: dict[str, Any] = {
        "list": answers,
        "keyed": keyed | about,
        "data": {"data": answers},
        "analysis": {"analysis": keyed},
        "answers": {"answers": answers} | about,
        "message": {"message": "Call analysis fetched", "status": "success", "data": keyed},
        "unknown": {"message": "Call analysis fetched", "status": "success", "count": 3},
    }
    if shape == "text":
        text = f"Summary: {about['summary']}".encode()
        return SimResponse(200, text, {"Content-Type": "text/plain"})
    if shape in bodies:
        return SimResponse.json(bodies[shape])
    listed = [{"question": q, "answer": a} for q, a in pairs]
    data = about | {"status": call.status, "answers": listed}
    return SimResponse.json({"message": "Call analysis fetched", "status": "success", "data": data})
