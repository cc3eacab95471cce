"""Searching call history: filters in words, phone numbers, asking one project or all at once.

A search names one project or "all" of the agent's projects. Each project's provider is asked
in a worker thread; only the request thread touches the database (the threads are handed
provider clients, never models). A phone number that may be
either party is two provider searches (to, then from) whose answers are merged by start time
and de-duplicated by SID. "More results" carries each side's cursor in the URL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode

import phonenumbers
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from callviewer.database import release_connection
from callviewer.projects.models import Project
from callviewer.providers.base import Provider
from callviewer.providers.types import (
    STATUSES,
    Call,
    Endpoint,
    Money,
    ProviderError,
    RateLimited,
    SearchPage,
    SearchQuery,
    TimedOut,
    UnexpectedAnswer,
    in_newest_first_order,
)
from callviewer.providers.values import bug_site

from . import links, seen
from .models import SeenCall
from .presentation import EMPTY, duration_text, money_text

log = logging.getLogger(__name__)

ALL = "all"
MATCHES = {"either": "to or from", "to": "to", "from": "from"}
MAX_THREADS = 8
MAX_CURSOR = 2000  # characters; SignalWire's next_page_uri is well under this
SEEN_LIMIT = 200
EXPORT_MAX_ROWS = 1000
# Pages an export asks each project for, at most: a provider that always says "more" ends
# somewhere. TalkStack's whole bound (25 to 500 calls, 20 asks) and EXPORT_MAX_ROWS of
# SignalWire (50 a page) fit in it.
EXPORT_MAX_PAGES = 20

_PHONE_CHARS = re.compile(r"[0-9+().\-/ \t\u00a0]+")


class InvalidNumber(ValueError):
    """What the agent typed cannot be a phone number; the message says why."""


def normalise_number(text: str, region: str) -> str:
    """A phone number typed in any common form, as E.164 read in `region` (e.g. "US")."""
    value = text.strip()
    example = "Type it as e.g. (206) 809-1239 or +1 206 809 1239."
    if not _PHONE_CHARS.fullmatch(value) or not any(c.isdigit() for c in value):
        raise InvalidNumber(f"“{value[:40]}” is not a phone number. {example}")
    try:
        number = phonenumbers.parse(value, region or "US")
    except phonenumbers.NumberParseException as exc:
        raise InvalidNumber(f"“{value[:40]}” is not a phone number. {example}") from exc
    # Only a whole number: a local-only one ("809-1239") matches nothing a provider stores.
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise InvalidNumber(
            f"“{value[:40]}” is not a complete phone number (read in region {region}). {example}"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class Filters:
    """The checked filters of a search. `number` is as typed; each project reads it itself."""

    number: str = ""
    match: str = "either"  # either | to | from
    status: str = ""
    date_from: dt.date | None = None  # UTC date
    date_to: dt.date | None = None  # UTC date

    def sides(self) -> tuple[str, ...]:
        """The provider searches one project needs: "" (no number), or "to" and/or "from"."""
        if not self.number:
            return ("",)
        return ("to", "from") if self.match == "either" else (self.match,)

    def query(self, side: str, number: str) -> SearchQuery:
        return SearchQuery(
            to=number if side == "to" else "",
            from_=number if side == "from" else "",
            status=self.status,
            started_on_or_after=self.date_from,
            started_on_or_before=self.date_to,
        )

    def words(self, numbers: Iterable[str] = ()) -> str:
        """The filters in words, e.g. "calls to or from +12068091239, status completed"."""
        parts = []
        if self.number:
            shown = ", ".join(sorted(set(numbers))) or self.number
            typed = f" (typed “{self.number}”)" if shown != self.number else ""
            parts.append(f"{MATCHES[self.match]} {shown}{typed}")
        if self.status:
            parts.append(f"status {self.status}")
        if self.date_from and self.date_to:
            if self.date_from == self.date_to:
                parts.append(f"started on {self.date_from} (UTC)")
            else:
                parts.append(f"started {self.date_from} to {self.date_to} (UTC)")
        elif self.date_from:
            parts.append(f"started on or after {self.date_from} (UTC)")
        elif self.date_to:
            parts.append(f"started on or before {self.date_to} (UTC)")
        return "calls " + ", ".join(parts) if parts else "any call"

    def params(self) -> dict[str, str]:
        """The filters as URL parameters (empty ones left out)."""
        values = {
            "number": self.number,
            "match": self.match if self.number and self.match != "either" else "",
            "status": self.status,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in values.items() if v}


def search_url(name: str, slug: str, filters: Filters, **extra: str | list[str]) -> str:
    """The canonical URL of a search (`calls:search` or `calls:export`), project first."""
    params: dict[str, str | list[str]] = {"project": slug, **filters.params(), **extra}
    return reverse(name) + "?" + urlencode(params, doseq=True)


def pick_projects(slug: str, projects: Sequence[Project]) -> list[Project] | None:
    """The projects a search covers: all the agent's, or the one named; None if not theirs."""
    if slug == ALL:
        return list(projects)
    match = [p for p in projects if p.slug == slug]
    return match or None


# Cursors travel in the URL as "side:token" (side "" when there is no number filter).


def encode_cursors(cursors: dict[str, str]) -> list[str]:
    return [f"{side}:{token}" for side, token in cursors.items()]


def decode_cursors(values: Iterable[str], filters: Filters) -> dict[str, str]:
    """Cursors from the URL for the sides this search has; anything else is dropped."""
    out = {}
    for value in values:
        side, sep, token = value.partition(":")
        if sep and side in filters.sides() and token and len(token) <= MAX_CURSOR:
            out[side] = token
    return out


@dataclass
class ProjectResult:
    """What one project answered (or why it was not asked)."""

    project: Project
    label: str  # the provider's name, for people
    # The calls of each side ("", "to", "from"), in the order the provider gave them.
    lists: dict[str, list[Call]] = field(default_factory=dict)
    cursors: dict[str, str] = field(default_factory=dict)  # side -> next cursor
    bound_reached: bool = False
    errors: list[ProviderError] = field(default_factory=list)
    answered: bool = False  # at least one provider search succeeded
    numbers: tuple[str, ...] = ()  # the E.164 numbers searched for
    skipped: str = ""  # why this project was not searched, in words
    retry: dict[str, str] = field(default_factory=dict)  # side -> cursor of a failed ask
    stopped: str = ""  # why paging stopped before the provider said it was done, in words

    @property
    def failed(self) -> bool:
        return bool(self.errors) and not self.answered

    @property
    def calls(self) -> list[Call]:
        return [call for calls in self.lists.values() for call in calls]


DIRECTIONS = {
    "inbound": "Inbound",
    "outbound": "Outbound",
    "outbound-api": "Outbound (API)",
    "outbound-dial": "Outbound (dial)",
}


@dataclass(frozen=True)
class Row:
    """One call as a row of results, with the texts its cells show."""

    project: Project
    call: Call
    url: str  # the call's page; "" when its SID cannot lead there (links.call_url)

    @property
    def direction(self) -> str:
        value = self.call.direction
        return DIRECTIONS.get(value, value) or EMPTY

    @property
    def duration(self) -> str:
        return duration_text(self.call.duration)

    @property
    def cost(self) -> str:
        return money_text(self.call.cost) or EMPTY

    @property
    def recordings(self) -> str:
        return recordings_text(self.call, self.project.provider_class)


@dataclass
class Outcome:
    """A whole search: per-project results and the merged rows."""

    results: list[ProjectResult]
    rows: list[Row]

    @property
    def searched(self) -> list[ProjectResult]:
        return [r for r in self.results if not r.skipped]

    @property
    def failures(self) -> list[ProjectResult]:
        return [r for r in self.results if r.errors]

    @property
    def all_failed(self) -> bool:
        searched = self.searched
        return bool(searched) and all(r.failed for r in searched)

    @property
    def more(self) -> list[ProjectResult]:
        return [r for r in self.results if r.cursors]

    @property
    def bound_reached(self) -> list[ProjectResult]:
        return [r for r in self.results if r.bound_reached]

    @property
    def stopped(self) -> list[ProjectResult]:
        return [r for r in self.results if r.stopped]

    @property
    def errors(self) -> list[ProviderError]:
        return [e for r in self.results for e in r.errors]

    @property
    def numbers(self) -> list[str]:
        return sorted({n for r in self.results for n in r.numbers})

    @property
    def newest_first(self) -> bool:
        """Whether the rows really are newest first: a provider's own order is not always so
        (TalkStack does not document its history's order), and a page must not claim it."""
        return in_newest_first_order(row.call.start for row in self.rows)


def number_problem(projects: Sequence[Project], number: str) -> str:
    """Why `number` cannot be searched in any of `projects` (each reads it in its region)."""
    if not number:
        return ""
    problems = []
    for project in projects:
        try:
            normalise_number(number, project.client().region)
        except InvalidNumber as exc:
            problems.append(str(exc))
        else:
            return ""
    return problems[0] if problems else ""


def run(
    projects: Sequence[Project],
    filters: Filters,
    cursors: dict[str, dict[str, str]] | None = None,
) -> Outcome:
    """Ask each project's provider (in parallel), merge the answers newest first.

    With `cursors` (project slug -> side -> cursor), only the sides they name are asked,
    from where they point: "More results".
    """
    results: list[ProjectResult] = []
    asks: list[tuple[ProjectResult, Provider, str, SearchQuery, str | None]] = []
    for project in projects:
        client = project.client()
        result = ProjectResult(project, client.label)
        results.append(result)
        if not client.supports_search:
            result.skipped = f"{client.label} keeps no call history that callviewer can search"
            continue
        try:
            number = normalise_number(filters.number, client.region) if filters.number else ""
        except InvalidNumber as exc:
            result.skipped = str(exc)
            continue
        result.numbers = (number,) if number else ()
        pages = cursors.get(project.slug, {}) if cursors is not None else None
        for side in filters.sides() if pages is None else list(pages):
            cursor = pages.get(side) if pages else None
            asks.append((result, client, side, filters.query(side, number), cursor))
    answers = _ask_all([(client, query, cursor) for _r, client, _s, query, cursor in asks])
    for (result, _client, side, _query, cursor), answer in zip(asks, answers, strict=True):
        if isinstance(answer, ProviderError):
            result.errors.append(answer)
            result.retry[side] = cursor or ""
            continue
        result.answered = True
        result.lists.setdefault(side, []).extend(answer.calls)
        result.bound_reached |= answer.bound_reached
        if answer.next_cursor and answer.calls:
            result.cursors[side] = answer.next_cursor
        elif answer.next_cursor:
            # Following such a page could go on forever (it did, for an export of SignalWire
            # answering {"calls": [], "next_page_uri": ...}), and it shows nothing anyway.
            result.stopped = (
                f"{result.label} sent a page with no new calls while saying more were coming, "
                "so callviewer stopped there"
            )
    return Outcome(results, merge(results))


def _ask_all(
    asks: list[tuple[Provider, SearchQuery, str | None]],
) -> list[SearchPage | ProviderError]:
    release_connection()  # the request waits on the providers without a database connection
    if len(asks) <= 1:
        return [_ask(*a) for a in asks]
    with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(asks))) as pool:
        return list(pool.map(lambda a: _ask(*a), asks))


def _ask(client: Provider, query: SearchQuery, cursor: str | None) -> SearchPage | ProviderError:
    """One provider search, or the error that stands in its place (runs in a worker thread)."""
    try:
        return client.search(query, cursor)
    except ProviderError as exc:
        return exc
    except Exception as exc:
        # A bug reading one provider must not hide the answers of the others.
        # Where, not what: an exception's text can quote a provider's values (numbers, URLs).
        log.error("Searching %s failed: %s", client.label, bug_site(exc))
        return UnexpectedAnswer(
            client.label, f"{client.label} sent an answer callviewer could not read."
        )


def merge(results: Iterable[ProjectResult]) -> list[Row]:
    """Every list of calls merged by start time, newest first, each call once per project.

    A single list is kept in the provider's own order, row for row (SignalWire orders by
    creation, which can differ from the start by a ring); several lists are sorted by start,
    ties keeping the order they came in. Calls without a start go last.
    """
    lists = [(result.project, calls) for result in results for calls in result.lists.values()]
    items = [(project, call) for project, calls in lists for call in calls]
    if len([calls for _project, calls in lists if calls]) > 1:
        items.sort(key=lambda item: -item[1].start.timestamp() if item[1].start else math.inf)
    rows: list[Row] = []
    known: set[tuple[int, str]] = set()
    for project, call in items:
        if (project.pk, call.sid) in known:
            continue
        known.add((project.pk, call.sid))
        rows.append(Row(project, call, links.call_url(call.sid, project)))
    return rows


def remember(rows: Iterable[Row]) -> None:
    """Add the calls shown to the table of calls seen (request thread only)."""
    by_project: dict[int, tuple[Project, list[Call]]] = {}
    for row in rows:
        by_project.setdefault(row.project.pk, (row.project, []))[1].append(row.call)
    with transaction.atomic():
        for project, calls in by_project.values():
            seen.remember(project, calls)


def seen_calls(project: Project, filters: Filters) -> tuple[list[Row], str]:
    """The calls of `project` already seen in callviewer that match `filters`, newest first.

    For providers without history (Sinch), as they were when last fetched. Returns the rows
    and the number searched for.
    """
    calls = SeenCall.objects.filter(project=project)
    number = normalise_number(filters.number, project.client().region) if filters.number else ""
    if number:
        if filters.match == "to":
            calls = calls.filter(to_number=number)
        elif filters.match == "from":
            calls = calls.filter(from_number=number)
        else:
            calls = calls.filter(Q(to_number=number) | Q(from_number=number))
    if filters.status:
        calls = calls.filter(status=filters.status)
    # The filters are UTC dates, like the providers' own.
    if filters.date_from:
        calls = calls.filter(start__gte=_utc_midnight(filters.date_from))
    if filters.date_to:
        calls = calls.filter(start__lt=_utc_midnight(_day_after(filters.date_to)))
    found = [_seen_call(project, c) for c in calls.order_by("-start", "-last_seen")[:SEEN_LIMIT]]
    return merge([ProjectResult(project, project.provider_label, lists={"": found})]), number


def _seen_call(project: Project, seen_call: SeenCall) -> Call:
    cost = None
    if seen_call.cost is not None:
        cost = Money(seen_call.cost, seen_call.currency or "")
    return Call(
        sid=seen_call.sid,
        provider=project.provider,
        status=seen_call.status if seen_call.status in STATUSES else "unknown",
        raw_status=seen_call.status,
        direction=seen_call.direction,
        from_=Endpoint(seen_call.from_number) if seen_call.from_number else None,
        to=Endpoint(seen_call.to_number) if seen_call.to_number else None,
        start=seen_call.start,
        duration=seen_call.duration,
        cost=cost,
    )


def _utc_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _day_after(day: dt.date) -> dt.date:
    """The next day; the calendar's last day has none, and stands for itself (the form stops
    far earlier: this only keeps the arithmetic from overflowing)."""
    return day if day == dt.date.max else day + dt.timedelta(days=1)


def http_status(errors: Iterable[ProviderError]) -> int:
    """The status a search answers when nothing could be shown (never 500)."""
    errors = list(errors)
    if any(isinstance(e, TimedOut) for e in errors):
        return 504
    if any(isinstance(e, RateLimited) for e in errors):
        return 503
    return 502


def retry_after(errors: Iterable[ProviderError]) -> int | None:
    waits = [e.retry_after for e in errors if isinstance(e, RateLimited) and e.retry_after]
    return int(max(waits) + 0.999) if waits else None


# What a row shows, as text.


def recordings_text(call: Call, provider: type[Provider]) -> str:
    """Whether a call has recordings: "yes (2)", "no", or "see call" when the answer does not say.

    SignalWire lists recordings separately; asking for each row would cost one request per
    call, so the call page answers instead.
    """
    if not provider.supports_recordings:
        return EMPTY
    if call.recordings is None:
        return "see call"
    return f"yes ({len(call.recordings)})" if call.recordings else "no"


# CSV export

CSV_COLUMNS = (
    "project",
    "provider",
    "call_sid",
    "start",
    "start_utc",
    "direction",
    "from",
    "to",
    "status",
    "provider_status",
    "final",
    "duration_seconds",
    "duration",
    "cost",
    "currency",
    "recordings",
    "call_url",
)
_SAFE_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_FORMULA_START = tuple("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs: a leading apostrophe defuses formulas.

    Plain numbers (E.164 phone numbers such as +14155550100, amounts) are left as they are:
    they cannot run anything, and agents paste them elsewhere.
    """
    text = "" if value is None else str(value)
    if _SAFE_NUMBER.fullmatch(text):
        return text
    if text.lstrip(" ").startswith(_FORMULA_START):
        return "'" + text
    return text


def export_all(projects: Sequence[Project], filters: Filters) -> tuple[list[Row], Outcome, bool]:
    """Every page of the search, up to EXPORT_MAX_ROWS rows: (rows, outcome, truncated).

    Each project is asked for EXPORT_MAX_PAGES pages at most; one that has more after that
    says so in its `stopped`.
    """
    limit = EXPORT_MAX_ROWS
    results = {r.project.slug: r for r in run(projects, filters).results}
    for _page in range(1, EXPORT_MAX_PAGES):
        pending = [r for r in results.values() if r.cursors]
        if not pending or sum(len(r.calls) for r in results.values()) >= limit:
            break
        cursors = {r.project.slug: r.cursors for r in pending}
        for page in run([r.project for r in pending], filters, cursors=cursors).results:
            owner = results[page.project.slug]
            for side, calls in page.lists.items():
                owner.lists.setdefault(side, []).extend(calls)
            owner.errors.extend(page.errors)
            owner.bound_reached |= page.bound_reached
            owner.stopped = owner.stopped or page.stopped
            owner.cursors = page.cursors
    else:
        for result in results.values():
            if result.cursors:
                result.stopped = f"callviewer stopped after {EXPORT_MAX_PAGES} pages"
    everything = Outcome(list(results.values()), merge(results.values()))
    truncated = len(everything.rows) > limit or bool(everything.more or everything.bound_reached)
    return everything.rows[:limit], everything, truncated


def csv_text(rows: Iterable[Row], base_url: str, notes: Iterable[str] = ()) -> str:
    """The rows as CSV, in the agent's time zone; `notes` become final "#" rows."""
    from django.utils import timezone

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        call = row.call
        start = timezone.localtime(call.start).isoformat() if call.start else ""
        start_utc = call.start.astimezone(dt.UTC).isoformat() if call.start else ""
        recordings = recordings_text(call, row.project.provider_class)
        cells = (
            row.project.slug,
            row.project.provider_label,
            call.sid,
            start,
            start_utc,
            call.direction,
            str(call.from_ or ""),
            str(call.to or ""),
            call.status,
            call.raw_status,
            "yes" if call.is_final else "no",
            "" if call.duration is None else call.duration,
            duration_text(call.duration) if call.duration is not None else "",
            f"{abs(call.cost.amount)}" if call.cost else "",
            call.cost.currency if call.cost else "",
            {EMPTY: "", "see call": "unknown"}.get(recordings, recordings),
            base_url + row.url if row.url else "",
        )
        writer.writerow([safe_cell(c) for c in cells])
    for note in notes:
        writer.writerow([safe_cell("# " + note)])
    return out.getvalue()
