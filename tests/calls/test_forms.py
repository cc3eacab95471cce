"""The search form: what counts as still being typed."""

from __future__ import annotations

import pytest

from callviewer.calls.forms import may_become_number


@pytest.mark.parametrize(
    "text", ["+", "(", "(206) 8", "206-80", "+1 206", "2068091", "+44 20", "  (206) 809-12 "]
)
def test_a_number_more_digits_can_complete_may_become_one(text: str) -> None:
    assert may_become_number(text, ["US"])


@pytest.mark.parametrize(
    "text",
    ["", "abc", "206-abc", "+1 206 809 1239 1234 5678", "-", "+0 12", "206 #", "2068091239x"],
)
def test_letters_or_too_many_digits_cannot(text: str) -> None:
    assert not may_become_number(text, ["US"])


def test_any_region_of_the_projects_searched_is_enough() -> None:
    # "20 7946 09" is a London number missing its last digits only when read in GB.
    assert may_become_number("020 7946 09", ["US", "GB"])
