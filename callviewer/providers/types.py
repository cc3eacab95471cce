"""The normalised call, recording, search and error types that every provider module returns,
and the one mapping from those errors to the HTTP status a page answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# One status vocabulary for the whole app; each provider maps its own values onto it.
STATUSES: tuple[str, ...] = (
    "queued",
    "initiated",
    "ringing",
    "in-progress",
    "completed",
    "busy",
    "failed",
    "no-answer",
    "canceled",
    "voicemail",
    "silence",
    "unknown",
)
FINAL_STATUSES = frozenset(
    {"completed", "busy", "failed", "no-answer", "canceled", "voicemail", "silence"}
)
STATUS_MEANINGS: dict[str, str] = {
    "queued": "the call is waiting to be placed",
    "initiated": "the call is being placed",
    "ringing": "the phone is ringing",
    "in-progress": "the call is connected and still going",
    "completed": "the call was answered and has ended normally",
    "busy": "the line was busy",
    "failed": "the call could not be placed",
    "no-answer": "nobody answered",
    "canceled": "the call was cancelled before it was answered",
    "voicemail": "the call reached voicemail",
    "silence": "the call was closed after more than 6 seconds of silence",
    "unknown": "the provider reported a status callviewer does not know",
}

# How each status ended, at a glance: the family gives a badge its colour (the status word is
# always shown beside it). "silence" is TalkStack's call closed after 6 s with nobody
# speaking: no conversation took place, so it reads as not answered.
STATUS_FAMILIES: dict[str, str] = {
    "queued": "live",
    "initiated": "live",
    "ringing": "live",
    "in-progress": "live",
    "completed": "answered",
    "busy": "not-answered",
    "no-answer": "not-answered",
    "canceled": "not-answered",
    "voicemail": "not-answered",
    "silence": "not-answered",
    "failed": "failed",
    "unknown": "unknown",
}
FAMILY_WORDS: dict[str, str] = {
    "answered": "answered",
    "not-answered": "not answered",
    "failed": "failed",
    "live": "still going",
    "unknown": "status not known",
}


@dataclass(frozen=True)
class Endpoint:
    """One side of a call as the provider gave it: a phone number, a SIP address or a username."""

    value: str
    kind: str = "number"  # number | sip | username | unknown

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Recording:
    """A recording as the provider describes it. `url` always comes from the provider's answer."""

    url: str
    sid: str = ""
    duration: int | None = None  # seconds
    channels: int | None = None
    status: str = ""


@dataclass(frozen=True)
class Quality:
    """SignalWire's call quality figures; any of them may be missing."""

    mos: Decimal | None = None
    jitter_avg: int | None = None
    jitter_min: int | None = None
    jitter_max: int | None = None
    rtt_avg: int | None = None
    rtt_min: int | None = None
    rtt_max: int | None = None
    packets_lost: int | None = None
    sip_result_code: str | None = None


@dataclass(frozen=True)
class Fact:
    """One thing a provider says about a call, in words an agent reads.

    `code` is the provider's own value that `value` explains ("CALLEEHANGUP", "486"), shown
    beside it; `note` is a short judgement shown after it ("good"); `link` is where it leads.
    """

    label: str
    value: str
    code: str = ""
    note: str = ""
    link: str = ""


@dataclass(frozen=True)
class Call:
    sid: str
    provider: str
    status: str  # one of STATUSES
    raw_status: str
    direction: str = ""  # inbound | outbound | outbound-api | outbound-dial | ... as given
    from_: Endpoint | None = None
    to: Endpoint | None = None
    start: dt.datetime | None = None  # aware
    end: dt.datetime | None = None  # aware
    duration: int | None = None  # seconds
    cost: Money | None = None  # total charged for the call
    rate: Money | None = None  # per-minute rate (Sinch userRate)
    # None: the provider's call answer does not list recordings (ask list_recordings()).
    recordings: tuple[Recording, ...] | None = None
    data: tuple[tuple[str, str], ...] = ()  # TalkStack's extracted data, in the provider's order
    partner_id: str = ""
    shift_id: str = ""
    assignment_id: str = ""
    answered_by: str = ""
    quality: Quality | None = None
    result: str = ""  # Sinch result
    reason: str = ""  # Sinch reason
    parent_sid: str = ""  # the call this one is a leg of (SignalWire's parent_call_sid)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def meaning(self) -> str:
        return STATUS_MEANINGS.get(self.status, STATUS_MEANINGS["unknown"])

    @property
    def family(self) -> str:
        """answered | not-answered | failed | live | unknown: how the call went, at a glance."""
        return STATUS_FAMILIES.get(self.status, "unknown")

    @property
    def family_words(self) -> str:
        return FAMILY_WORDS[self.family]


@dataclass(frozen=True)
class SearchQuery:
    """Filters for a history search; each provider turns them into its own query parameters."""

    to: str = ""  # E.164 number (or address) the call was made to
    from_: str = ""  # E.164 number (or address) the call came from
    status: str = ""  # one of STATUSES, or "" for any
    started_from: dt.datetime | None = None  # aware: calls that started at or after it
    started_before: dt.datetime | None = None  # aware: calls that started before it

    def utc_days(self) -> tuple[dt.date | None, dt.date | None]:
        """The first and last whole UTC day to ask a provider that filters by day, widened by
        a day on each side: whether a provider's "after"/"before" day includes that day is
        not documented, and the widening holds either way (the calls are trimmed: within())."""
        first = last = None
        if self.started_from is not None:
            first = _day(self.started_from.astimezone(dt.UTC).date(), -1)
        if self.started_before is not None:
            last_moment = self.started_before - dt.timedelta(microseconds=1)
            last = _day(last_moment.astimezone(dt.UTC).date(), 1)
        return first, last

    def within(self, calls: Iterable[Call], newest_first: bool) -> tuple[list[Call], int, bool]:
        """The calls that started within the exact bounds, how many were not, and whether the
        list has gone past the start (listed newest first, nothing after can be within)."""
        kept, passed_over, past_start = [], 0, False
        for call in calls:
            start = call.start
            if start is not None and self.started_from and start < self.started_from:
                passed_over += 1
                past_start = newest_first
            elif start is not None and self.started_before and start >= self.started_before:
                passed_over += 1
            else:
                kept.append(call)  # a call with no start is the provider's to place: kept
        return kept, passed_over, past_start


def _day(day: dt.date, days: int) -> dt.date:
    """`day` moved by `days`, staying within the calendar."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return day


@dataclass(frozen=True)
class SearchPage:
    calls: list[Call]
    # Opaque token for "More results"; None when there is nothing more to fetch.
    next_cursor: str | None = None
    # True when more may exist but the provider's paging bound was reached (TalkStack).
    bound_reached: bool = False
    # True only when the provider module checked that `calls` are newest first by start
    # (in_newest_first_order); False means the provider's own order, which nothing promises,
    # so a page must not call it "newest first". TalkStack checks everything its answer listed
    # up to this page, so its pages stay in order one after another; SignalWire checks one
    # page, so whoever shows several pages in a row checks where they meet.
    sorted_newest_first: bool = False
    # Calls the provider listed on this page that the module left out because they fall
    # outside the query's exact bounds (a provider filtering by whole UTC days): a page can
    # be empty and still lead on.
    passed_over: int = 0


def in_newest_first_order(starts: Iterable[dt.datetime | None]) -> bool:
    """Whether the known start times never increase (equal ones may follow each other).

    Unknown starts (None) say nothing about the order and are passed over.
    """
    previous: dt.datetime | None = None
    for start in starts:
        if start is None:
            continue
        if previous is not None and start > previous:
            return False
        previous = start
    return True


# The answer types a question about a call may have (TalkStack's call analysis words).
ANSWER_TYPES: tuple[str, ...] = ("Boolean", "Text", "Number", "Selector")


@dataclass(frozen=True)
class Question:
    """A question about what was said on a call; `options` only for a Selector."""

    question: str
    type: str  # one of ANSWER_TYPES
    options: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"question": self.question, "type": self.type}
        return out | ({"options": list(self.options)} if self.type == "Selector" else {})


@dataclass(frozen=True)
class Answer:
    """The provider's answer to one question, as text to show; None when it gave none."""

    question: Question
    value: str | None


@dataclass(frozen=True)
class Analysis:
    """What the provider said about a call: answers in question order, summary, sentiment.

    `unknown` holds the provider's whole answer as text when its shape could not be read:
    the page shows it as it is (escaped) rather than guessing.
    """

    answers: tuple[Answer, ...] = ()
    summary: str = ""
    sentiment: str = ""
    unknown: str = ""

    @property
    def understood(self) -> bool:
        return not self.unknown


TRANSCRIPT_STATUSES: dict[str, str] = {
    "in-progress": "being transcribed",
    "completed": "transcribed",
    "failed": "the transcription failed",
    "unknown": "the provider gave a status callviewer does not know",
}


@dataclass(frozen=True)
class Transcript:
    """A recording's transcription; `status` is a key of TRANSCRIPT_STATUSES."""

    sid: str
    status: str
    raw_status: str = ""
    text: str = ""
    duration: int | None = None  # seconds
    cost: Money | None = None
    created: dt.datetime | None = None

    @property
    def meaning(self) -> str:
        return TRANSCRIPT_STATUSES.get(self.status, TRANSCRIPT_STATUSES["unknown"])


# Provider errors, and the one mapping from them to HTTP: the status a page (or the
# recording proxy) answers when an error is all it has to show, never a 500.


class ProviderError(Exception):
    """A provider call failed; `message` is written for a support agent."""

    kind = "error"
    # Unavailable, credentials refused, an unexpected answer: a bad gateway.
    http_status = 502

    def __init__(self, provider: str, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.provider = provider
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return f"{self.provider}: {self.message}"


class NotFound(ProviderError):
    kind = "not_found"


class CredentialsRefused(ProviderError):
    kind = "credentials_refused"


class RateLimited(ProviderError):
    kind = "rate_limited"
    http_status = 503  # with Retry-After when the provider said how long

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        status: int | None = 429,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(provider, message, status=status)
        self.retry_after = retry_after


class ProviderUnavailable(ProviderError):
    kind = "unavailable"


class TimedOut(ProviderError):
    kind = "timed_out"
    http_status = 504


class UnexpectedAnswer(ProviderError):
    kind = "unexpected"


class NotSupported(ProviderError):
    """The provider's API has no such operation (e.g. Sinch v1 has no call history)."""

    kind = "not_supported"


def worst_error(errors: Iterable[ProviderError]) -> ProviderError:
    """The error whose status says most (a timeout, then a rate limit, then the rest)."""
    return max(errors, key=lambda error: error.http_status)


def worst_status(errors: Iterable[ProviderError]) -> int:
    """The status an answer with nothing to show gives for these errors (502 for none)."""
    return max((error.http_status for error in errors), default=ProviderError.http_status)


def whole_seconds(wait: float) -> int:
    """A wait rounded up to whole seconds, as Retry-After and the messages give it."""
    return int(wait + 0.999)


def retry_after(errors: Iterable[ProviderError]) -> int | None:
    """The Retry-After for these errors: the longest wait a rate limit named, if any."""
    waits = [e.retry_after for e in errors if isinstance(e, RateLimited) and e.retry_after]
    return whole_seconds(max(waits)) if waits else None
