"""The rules for a project's standard questions: refused in words, written one a line."""

from __future__ import annotations

import pytest

from callviewer.projects import questions
from callviewer.providers.types import Question

GOOD = "Boolean: Did the caller want to cancel the shift?\nText: Why?\n\nselector: Reason|Sick|Late"


def test_the_admin_s_lines_are_read_in_order_with_their_types_and_options() -> None:
    found, problems = questions.from_text(GOOD)
    assert problems == []
    assert found == [
        Question("Did the caller want to cancel the shift?", "Boolean"),
        Question("Why?", "Text"),
        Question("Reason", "Selector", ("Sick", "Late")),
    ]
    assert questions.from_text(questions.as_text(found)) == (found, [])


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("Text:   ", "The question is empty."),
        ("Text: " + "x" * 301, "longer than 300 characters"),
        ("Selector: Reason", "needs its options"),
        ("Selector: Reason | Sick | ", "An option is empty."),
        ("Selector: Reason | Sick | sick", "Two options are the same."),
        ("Selector: Reason | " + "x" * 101, "option is longer than 100"),
        ("Selector: R" + " | o" * 21, "at most 20 options"),
        ("Text: Why? | because", "Only a Selector question has options."),
        ("Essay: Why?", "start with the answer type"),
        ("Why?", "start with the answer type"),
        ("Text: a\x00b", "cannot be stored"),
    ],
)
def test_a_bad_question_is_refused_in_words_with_its_line(line: str, words: str) -> None:
    _found, problems = questions.from_text(f"Text: Fine?\n{line}")
    assert problems and all(p.startswith("Line 2: ") for p in problems)
    assert words in " ".join(problems)


def test_the_list_is_bounded_and_has_no_repeats() -> None:
    many = "\n".join(f"Text: Question {n}?" for n in range(21))
    assert questions.from_text(many)[1] == ["A project takes at most 20 questions."]
    twice = "Text: Why?\nText:  why? "
    assert questions.from_text(twice)[1] == ["The same question is there twice."]


def test_an_import_entry_s_questions_are_checked_field_by_field() -> None:
    raw = [
        {"question": "Why?", "type": "Text"},
        {"question": "Reason", "type": "Selector"},
        {"question": "Late?", "type": "Boolean", "options": ["a"]},
        {"question": 5, "type": "Text"},
        {"question": "x", "type": "Text", "colour": "red"},
        "Why?",
    ]
    found, problems = questions.from_entries(raw, "entry 1: questions")
    assert found[0] == Question("Why?", "Text")
    assert problems == [
        "entry 1: questions[2]: A Selector question needs its options (the answers to pick from).",
        "entry 1: questions[3]: Only a Selector question has options.",
        "entry 1: questions[4]: question and type must be strings",
        "entry 1: questions[5]: colour: unknown field (known: question, type, options)",
        "entry 1: questions[6]: must be an object with question, type and options",
    ]
    assert questions.from_entries({"q": 1}, "e")[1] == ["e: must be a list of questions"]


def test_the_key_changes_with_any_change_to_the_questions() -> None:
    one = [Question("Why?", "Text"), Question("R", "Selector", ("a", "b"))]
    keys = {
        questions.key_of(one),
        questions.key_of(one[::-1]),
        questions.key_of([one[0]]),
        questions.key_of([one[0], Question("R", "Selector", ("a", "c"))]),
        questions.key_of([Question("Why?", "Number"), one[1]]),
    }
    assert len(keys) == 5
    assert questions.key_of(list(one)) == questions.key_of(one)
