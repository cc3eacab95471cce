"""A project's standard questions about its calls: what makes one acceptable, in words.

The same rules hold in the admin, in `import_projects` and in the call page's ask box, so a
question TalkStack would refuse (or that would cost money to no purpose) is refused here first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from callviewer.providers.types import ANSWER_TYPES, Question

MAX_QUESTION_LENGTH = 300
MAX_OPTIONS = 20
MAX_OPTION_LENGTH = 100
# Each question is answered on every final call opened: a bound keeps the cost in sight.
MAX_QUESTIONS = 20
TYPE_CHOICES = [
    ("Boolean", "Yes or no"),
    ("Text", "Text"),
    ("Number", "Number"),
    ("Selector", "One of a list"),
]


def problems(text: str, answer_type: str, options: Sequence[str]) -> list[str]:
    """What is wrong with a question, in words; empty when it can be asked."""
    found: list[str] = []
    if not text.strip():
        found.append("The question is empty.")
    elif len(text.strip()) > MAX_QUESTION_LENGTH:
        found.append(f"The question is longer than {MAX_QUESTION_LENGTH} characters.")
    if "\x00" in text or any("\x00" in o for o in options):
        found.append("The question holds a character that cannot be stored (NUL).")
    if answer_type not in ANSWER_TYPES:
        found.append(f"The answer type must be one of: {', '.join(ANSWER_TYPES)}.")
    elif answer_type == "Selector":
        if not options:
            found.append("A Selector question needs its options (the answers to pick from).")
        elif len(options) > MAX_OPTIONS:
            found.append(f"A Selector question takes at most {MAX_OPTIONS} options.")
        if any(not o.strip() for o in options):
            found.append("An option is empty.")
        if any(len(o) > MAX_OPTION_LENGTH for o in options):
            found.append(f"An option is longer than {MAX_OPTION_LENGTH} characters.")
        if len({o.strip().casefold() for o in options}) < len(options):
            found.append("Two options are the same.")
    elif options:
        found.append("Only a Selector question has options.")
    return found


def question_of(text: str, answer_type: str, options: Iterable[str]) -> Question:
    return Question(text.strip(), answer_type, tuple(o.strip() for o in options))


def key_of(questions: Sequence[Question]) -> str:
    """A hash of the questions, in order: answers kept under it are for exactly these."""
    canonical = json.dumps([q.as_dict() for q in questions], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def from_dicts(items: Iterable[Any]) -> list[Question]:
    """Questions stored as `Question.as_dict()` (the kept analyses hold them so)."""
    return [
        Question(str(i["question"]), str(i["type"]), tuple(i.get("options") or ()))
        for i in items
        if isinstance(i, dict)
    ]


def as_dicts(questions: Iterable[Question]) -> list[dict[str, Any]]:
    """Questions as the project keeps them (`Project.questions`)."""
    return [q.as_dict() for q in questions]


def list_problems(questions: Sequence[Question]) -> list[str]:
    """What is wrong with a project's list of questions as a whole."""
    found: list[str] = []
    if len(questions) > MAX_QUESTIONS:
        found.append(f"A project takes at most {MAX_QUESTIONS} questions.")
    texts = [" ".join(q.question.split()).casefold() for q in questions]
    if len(set(texts)) < len(texts):
        found.append("The same question is there twice.")
    return found


# The admin's field: one question a line, "Type: question", a Selector's options after "|".
TEXT_HELP = (
    "One question a line, its answer type first: “Boolean: Did the caller want to cancel the "
    "shift?”, “Text: Why?”, “Number: How many minutes late?”, “Selector: Reason | Sick | "
    "Family | Transport” (a Selector's options after “|”). Asked in this order about each "
    "final call; each analysis may cost money. Empty: no standard questions."
)


def from_text(text: str) -> tuple[list[Question], list[str]]:
    """The questions written in the admin's field, and the problems found, by line."""
    found: list[Question] = []
    errors: list[str] = []
    types = {t.casefold(): t for t in ANSWER_TYPES}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        head, colon, rest = line.partition(":")
        answer_type = types.get(head.strip().casefold(), "")
        if not colon or not answer_type:
            errors.append(
                f"Line {number}: start with the answer type and a colon "
                f"({', '.join(ANSWER_TYPES)}), e.g. “Boolean: Did the caller cancel?”."
            )
            continue
        question, *options = rest.split("|")
        errors += [f"Line {number}: {p}" for p in problems(question, answer_type, options)]
        found.append(question_of(question, answer_type, options))
    if not errors:
        errors = list_problems(found)
    return found, errors


def as_text(questions: Iterable[Question]) -> str:
    lines = []
    for q in questions:
        options = "".join(f" | {o}" for o in q.options)
        lines.append(f"{q.type}: {q.question}{options}")
    return "\n".join(lines)


def from_entries(raw: Any, where: str) -> tuple[list[Question], list[str]]:
    """The questions of an import file's entry (a list of objects), and its problems."""
    if not isinstance(raw, list):
        return [], [f"{where}: must be a list of questions"]
    found: list[Question] = []
    errors: list[str] = []
    for n, item in enumerate(raw, start=1):
        at = f"{where}[{n}]"
        if not isinstance(item, dict):
            errors.append(f"{at}: must be an object with question, type and options")
            continue
        unknown = sorted(set(item) - {"question", "type", "options"})
        errors += [f"{at}: {k}: unknown field (known: question, type, options)" for k in unknown]
        text, answer_type = item.get("question"), item.get("type")
        options = item.get("options") or []
        if not isinstance(text, str) or not isinstance(answer_type, str):
            errors.append(f"{at}: question and type must be strings")
            continue
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            errors.append(f"{at}: options must be a list of strings")
            continue
        errors += [f"{at}: {p}" for p in problems(text, answer_type, options)]
        found.append(question_of(text, answer_type, options))
    if not errors:
        errors = [f"{where}: {p}" for p in list_problems(found)]
    return found, errors
