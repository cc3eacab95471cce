"""The normalised call types: every status has a family and words for it."""

from __future__ import annotations

import pytest

from callviewer.providers.types import FAMILY_WORDS, STATUS_FAMILIES, STATUSES, Call


def test_every_status_belongs_to_one_family() -> None:
    assert set(STATUS_FAMILIES) == set(STATUSES)
    assert set(STATUS_FAMILIES.values()) == set(FAMILY_WORDS)


@pytest.mark.parametrize(
    ("status", "family"),
    [
        ("completed", "answered"),
        ("busy", "not-answered"),
        ("no-answer", "not-answered"),
        ("canceled", "not-answered"),
        ("voicemail", "not-answered"),
        ("failed", "failed"),
        ("ringing", "live"),
        ("in-progress", "live"),
        ("unknown", "unknown"),
        ("something-else", "unknown"),
    ],
)
def test_a_call_reads_its_family_from_its_status(status: str, family: str) -> None:
    call = Call(sid="CA1", provider="talkstack", status=status, raw_status=status)
    assert call.family == family
    assert call.family_words == FAMILY_WORDS[family]
