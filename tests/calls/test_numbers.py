"""Phone numbers typed any usual way, read in each project's region."""

from __future__ import annotations

import pytest

from callviewer.calls import numbers
from callviewer.calls.numbers import may_become_number


class TestNormaliseNumber:
    @pytest.mark.parametrize(
        "typed",
        ["(206) 809-1239", "206.809.1239", "+1 206 809 1239", "206-809-1239", "12068091239",
         " +12068091239 ", "1 (206) 809 1239", "206\u00a0809\u00a01239"],
    )  # fmt: skip
    def test_common_forms_become_e164(self, typed: str) -> None:
        assert numbers.normalise_number(typed, "US") == "+12068091239"

    def test_the_region_reads_national_numbers(self) -> None:
        assert numbers.normalise_number("020 7946 0958", "GB") == "+442079460958"
        assert numbers.normalise_number("+1 206 809 1239", "GB") == "+12068091239"

    @pytest.mark.parametrize(
        "typed",
        ["abc", "206809", "809-1239", "+", "()", "---", "206-809-1239 ext 5", "1-800-FLOWERS",
         "=1+2", "+1206809123999999", "<script>", "206\x00809",
         "\uff12\uff10\uff16\uff18\uff10\uff19\uff11\uff12\uff13\uff19"],  # full-width digits
    )  # fmt: skip
    def test_what_cannot_be_a_number_says_so(self, typed: str) -> None:
        with pytest.raises(numbers.InvalidNumber, match="phone number"):
            numbers.normalise_number(typed, "US")


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
