"""The normalised call types: every status has a family and words for it."""

from __future__ import annotations

import pytest

from callviewer.providers.types import (
    FAMILY_WORDS,
    STATUS_FAMILIES,
    STATUSES,
    Call,
    CredentialsRefused,
    ProviderUnavailable,
    RateLimited,
    TimedOut,
    retry_after,
    worst_status,
)


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


class TestHttpStatus:
    def test_it_picks_the_status_that_says_most(self) -> None:
        down = ProviderUnavailable("X", "down")
        assert worst_status([down]) == 502
        assert worst_status([down, TimedOut("X", "slow")]) == 504
        assert worst_status([RateLimited("X", "slow down", retry_after=2.2)]) == 503
        assert worst_status([CredentialsRefused("X", "no")]) == 502
        assert retry_after([RateLimited("X", "m", retry_after=2.2), down]) == 3
        assert retry_after([down]) is None
