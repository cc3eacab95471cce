"""Hypothesis strategies and settings for the "never a 5xx" property tests.

Two profiles: "hostile" (the default; derandomized, so CI runs the same examples every time in
a known time) and "hostile-explore" (random, ten times the examples, for a search by hand:
`HOSTILE_PROFILE=hostile-explore pytest tests/test_hostile_requests.py
tests/calls/test_hostile_providers.py`). Neither keeps an example database in the checkout.
"""

from __future__ import annotations

import os
import string
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

_COMMON: dict[str, Any] = {
    "deadline": None,
    "database": None,
    # The Django fixtures (database, client, projects) are made once and shared by every
    # example on purpose; each example runs in its own savepoint (`isolated`).
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
}
settings.register_profile("hostile", derandomize=True, **_COMMON)
settings.register_profile("hostile-explore", max_examples=1000, **_COMMON)
PROFILE = os.environ.get("HOSTILE_PROFILE", "hostile")
_SCALE = 10 if PROFILE == "hostile-explore" else 1


def examples(n: int) -> settings:
    """The profile's settings with n examples (times ten when exploring)."""
    return settings(settings.get_profile(PROFILE), max_examples=n * _SCALE)


@contextmanager
def isolated() -> Iterator[None]:
    """One example's database changes, undone after it; an error inside cannot leave the
    test's transaction aborted on PostgreSQL for the examples that follow."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def body_of(response: Any) -> bytes:
    """The whole body, streamed or not. The test client closes a streamed response once its
    content is read: closing it again would close the database connection mid-test."""
    return b"".join(response.streaming_content) if response.streaming else response.content


# Text: anything but surrogates (they cannot be sent in a URL or form), with the characters
# that broke things before made likely.

SPECIAL = [
    "",
    " ",
    "/",
    "?",
    "#",
    "%",
    "%00",
    "\x00",
    "%2F",
    "..",
    "../",
    "\\",
    "&",
    "=",
    ";",
    ",",
    "'",
    '"',
    "<script>alert(1)</script>",
    "\u202e",
    "\ufeff",
    "\u0663",  # an Arabic-Indic digit
    "\uff11",  # a full-width 1
    "\U0001f4de",
    "xn--a",
    "all",
    "-1",
    "0",
    "1e309",
    "NaN",
    "inf",
    "9" * 30,
    "9" * 5000,
    "a" * 300,
    "0001-01-01",
    "9999-12-31",
    "1969-12-31",
    "2100-12-31",
    "2024-02-30",
    "+12068091239",
    "(206) 809-1239",
]

any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
ascii_text = st.text(string.printable, max_size=40)
special = st.sampled_from(SPECIAL)
huge_number = st.integers(min_value=-(10**40), max_value=10**40).map(str)
dates = st.dates().map(lambda d: d.isoformat())


@st.composite
def mixed(draw: st.DrawFn) -> str:
    """A few special pieces and random text joined: "/x%00", "9999-12-31?"..."""
    parts = draw(st.lists(st.one_of(special, any_text), min_size=1, max_size=3))
    return "".join(parts)


hostile_text = st.one_of(special, any_text, ascii_text, huge_number, dates, mixed())


def params(plausible: dict[str, st.SearchStrategy[str]]) -> st.SearchStrategy[dict[str, str]]:
    """Query or form parameters: some of the names, each with a plausible value (so that the
    page gets past its checks) or a hostile one, and now and then a name it does not know."""
    fields = {name: st.one_of(values, values, hostile_text) for name, values in plausible.items()}
    known = st.fixed_dictionaries({}, optional=fields)
    unknown = st.dictionaries(hostile_text, hostile_text, max_size=1)
    return st.builds(lambda extra, named: extra | named, unknown, known)


def names(*names: str) -> st.SearchStrategy[dict[str, str]]:
    """Parameters of these names with hostile values only."""
    return params(dict.fromkeys(names, hostile_text))
