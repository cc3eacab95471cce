"""SignalWire Compatibility (LaML) API. Reference: docs/providers/signalwire.md.

Everything is read from one origin: the project's space (`https://{space}`) or its Base URL,
either of which may be pasted with the API path the docs print after the host. Paging
follows `next_page_uri`, which SignalWire gives relative to that origin; a cursor that would
lead anywhere else, or to another resource, is refused rather than fetched. Recordings are
fetched only from the project's own account on that origin.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import logging
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from . import http, values
from .base import Field, MediaSource, Provider
from .types import (
    FINAL_STATUSES,
    Call,
    CredentialsRefused,
    Endpoint,
    Fact,
    Money,
    NotFound,
    ProviderError,
    Quality,
    Recording,
    SearchPage,
    SearchQuery,
    Transcript,
    UnexpectedAnswer,
    in_newest_first_order,
)

log = logging.getLogger(__name__)

API_PATH = "/api/laml/2010-04-01"
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# The server as the docs print it (docs/providers/signalwire.md "server"), pasted whole or
# as its host; the path in any case, with or without a trailing slash.
_BASE_URL = re.compile(r"(https?://[A-Za-z0-9.\-\[\]:]+)(?:/api/laml/2010-04-01)?/?", re.I)
_SPACE = re.compile(
    r"(?:https://)?([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)(?:/api/laml/2010-04-01)?/?", re.I
)
# A recording of an account, account-level or under its call, as the metadata (`.json`) or
# the media (`.mp3`, `.wav`, none): the two Twilio-compatible forms of a recording's `uri`.
_RECORDING_PATH = re.compile(
    re.escape(API_PATH)
    + r"/Accounts/(?P<account>[^/]+)(?:/Calls/[A-Za-z0-9\-]+)?"
    + r"/Recordings/(?P<sid>[A-Za-z0-9\-]+)(?P<ext>\.json|\.mp3|\.wav)?"
)
# The statuses SignalWire's call list can filter on (calls/main.tsp, plus no-answer, which
# its calls carry); the app's others (initiated, voicemail, silence, unknown) never occur.
SEARCHABLE_STATUSES = frozenset(
    {"queued", "ringing", "in-progress", "canceled", "completed", "busy", "failed", "no-answer"}
)
_PHONE = re.compile(r"\+?\d{3,15}")
# Reference: RFC 3261 section 21 (SIP response codes and their reason phrases), in the words
# of what happened to the call. `sip_result_code` is the final SIP answer to the call.
SIP_RESULTS = {
    "200": ("OK", "the call was set up normally"),
    "400": ("Bad Request", "the far end could not read the call's request"),
    "401": ("Unauthorized", "the far end asked for credentials"),
    "403": ("Forbidden", "the far end refused the call"),
    "404": ("Not Found", "the number or address does not exist there"),
    "407": ("Proxy Authentication Required", "a proxy on the way asked for credentials"),
    "408": ("Request Timeout", "the far end did not answer in time"),
    "410": ("Gone", "the number is no longer in service"),
    "480": ("Temporarily Unavailable", "the person called could not be reached just then"),
    "484": ("Address Incomplete", "the number dialled was incomplete"),
    "486": ("Busy Here", "the line was busy"),
    "487": ("Request Terminated", "the call was cancelled before it was answered"),
    "488": ("Not Acceptable Here", "the far end could not accept the call's audio settings"),
    "500": ("Server Internal Error", "the far end's server failed"),
    "502": ("Bad Gateway", "a carrier on the way failed"),
    "503": ("Service Unavailable", "the far end's service was unavailable or overloaded"),
    "504": ("Server Time-out", "a carrier on the way did not answer in time"),
    "600": ("Busy Everywhere", "every line of the person called was busy"),
    "603": ("Decline", "the person called declined the call"),
    "604": ("Does Not Exist Anywhere", "the number does not exist"),
    "606": ("Not Acceptable", "the call's audio settings were refused everywhere"),
}
SIP_CLASSES = {
    "1": "the call was still being set up",
    "2": "the call was set up",
    "3": "the call was redirected elsewhere",
    "4": "the far end refused or could not take the call",
    "5": "a server on the way failed",
    "6": "the call was refused everywhere",
}


def space_origin(value: str) -> str:
    """`https://{host}` of a Space host setting, or "" when it is not one."""
    match = _SPACE.fullmatch(value.strip())
    url = values.url(f"https://{match.group(1)}") if match else None
    return http.origin_of(str(url)) if url is not None else ""


def base_url_origin(value: str) -> str:
    """The scheme://host[:port] of a Base URL setting, or "" when it is not one."""
    match = _BASE_URL.fullmatch(value.strip())
    url = values.url(match.group(1)) if match else None
    if url is None or not url.host:  # e.g. a host no DNS can hold (bad IDNA)
        return ""
    return http.origin_of(str(url))


def _space_check(value: str) -> str:
    return "" if space_origin(value) else "must be a host like example.signalwire.com"


def _base_url_check(value: str) -> str:
    if base_url_origin(value):
        return ""
    return (
        "must be a base URL like https://example.signalwire.com, "
        f"with nothing after the host but {API_PATH}"
    )


def _project_check(value: str) -> str:
    return "" if re.fullmatch(_UUID, value) else "must be the project's ID, a UUID"


class SignalWire(Provider):
    name = "signalwire"
    label = "SignalWire"
    # Spelled in lowercase whatever case is typed (Provider.sid_spelling), as the docs' examples.
    sid_pattern = re.compile(_UUID)
    sid_shape = "a UUID"
    settings_fields = (
        Field(
            "space",
            "Space host",
            required=False,
            check=_space_check,
            help="e.g. example.signalwire.com; or set Base URL instead.",
            guards=("api_token",),
            bare_host=True,
        ),
        Field(
            "base_url",
            "Base URL",
            required=False,
            check=_base_url_check,
            guards=("api_token",),
        ),
        Field("project_id", "Project ID", check=_project_check),
        Field("phone_region", "Phone region", required=False, default="US"),
    )
    secret_fields = (Field("api_token", "API token"),)

    supports_transcripts = True
    supports_legs = True

    PAGE_SIZE: ClassVar[int] = 50
    # Child legs listed on a call's page: a call dials a few; more than this is not shown.
    MAX_CHILD_LEGS: ClassVar[int] = 20
    # A call has a recording or two; more pages than this means the answer is not about one call.
    MAX_RECORDING_PAGES: ClassVar[int] = 5
    # A recording has a transcription or two; more pages than this is not one recording's.
    MAX_TRANSCRIPT_PAGES: ClassVar[int] = 5

    @classmethod
    def validate(cls, settings: Mapping[str, Any], secrets: Mapping[str, str]) -> dict[str, str]:
        errors = super().validate(settings, secrets)
        if not any(str(settings.get(k) or "").strip() for k in ("space", "base_url")):
            errors.setdefault("space", "Space host is required (or set Base URL instead).")
        return errors

    @classmethod
    def outcome_facts(cls, call: Call) -> tuple[Fact, ...]:
        """The SIP result code in words, e.g. 486 "the line was busy (Busy Here)"."""
        code = (call.quality.sip_result_code if call.quality else None) or ""
        return (sip_fact(code),) if code else ()

    @classmethod
    def quality_facts(cls, call: Call) -> tuple[Fact, ...]:
        """The quality figures present, in words an agent reads."""
        q = call.quality
        if q is None:
            return ()
        facts = []
        if q.mos is not None:
            facts.append(Fact("Audio quality (MOS)", f"{q.mos} of 5", note=_mos_words(q.mos)))
        if q.jitter_avg is not None or q.jitter_max is not None:
            facts.append(Fact("Jitter", _spread(q.jitter_avg, q.jitter_min, q.jitter_max)))
        if q.rtt_avg is not None or q.rtt_max is not None:
            facts.append(Fact("Round trip", _spread(q.rtt_avg, q.rtt_min, q.rtt_max)))
        if q.packets_lost is not None:
            facts.append(Fact("Packets lost", str(q.packets_lost)))
        return tuple(facts)

    def child_calls(self, call: Call) -> list[Call]:
        """The legs this call dialled: the call list filtered on ParentCallSid, one page."""
        if not self.sid_fits(call.sid):
            return []
        params = {"ParentCallSid": call.sid, "PageSize": str(self.MAX_CHILD_LEGS)}
        response = self._get(f"{self._account_path}/Calls.json", params=params)
        self._raise_for_response(response, self._missing_list_message)
        items, _next = _list_page(self.label, values.answer(self.label, response), "calls")
        return [
            parse_call(item, project=self._project_id)
            for item in items[: self.MAX_CHILD_LEGS]
            if self.sid_fits(values.text(item.get("sid")).strip())
            and values.text(item.get("sid")).strip().lower() != call.sid.lower()
        ]

    def get_call(self, sid: str) -> Call:
        sid = sid.strip()
        # The SID goes into the URL path: anything but SignalWire's own shape is never sent.
        if not self.sid_fits(sid):
            raise NotFound(self.label, f"{sid[:40]!r} is not a SignalWire call SID (a UUID).")
        response = self._get(f"{self._account_path}/Calls/{sid}.json")
        self._raise_for_response(response, f"{self.label} has no call {sid} in this project.")
        body = values.answer(self.label, response)
        if not isinstance(body, dict):
            raise UnexpectedAnswer(self.label, f"{self.label} sent a call answer it cannot read.")
        return parse_call(body, fallback_sid=sid, project=self._project_id)

    def search(self, query: SearchQuery, cursor: str | None = None) -> SearchPage:
        if cursor:
            url = self._follow(cursor, f"{self._account_path}/Calls")
            response = self._get(url)
        else:
            if query.status and query.status not in SEARCHABLE_STATUSES:
                # SignalWire has no call in that status
                return SearchPage(calls=[], sorted_newest_first=True)
            response = self._get(f"{self._account_path}/Calls.json", params=_filters(query))
            if response.status_code in (400, 422) and _has_dates(query):
                # The spec's date examples are RFC 2822, Twilio's API takes YYYY-MM-DD: a
                # server refusing one form is asked once more in the other.
                params = _filters(query, rfc_2822=True)
                response = self._get(f"{self._account_path}/Calls.json", params=params)
        self._raise_for_response(response, self._missing_list_message)
        body = values.answer(self.label, response)
        items, next_uri = _list_page(self.label, body, "calls")
        calls = [
            parse_call(item, project=self._project_id)
            for item in items
            # A SID callviewer cannot open (get_call sends only UUIDs) is nothing to link to.
            if self.sid_fits(values.text(item.get("sid")).strip())
        ]
        # A page whose next page is itself ends the list: "More results" would lead round in
        # circles. An empty page that says more is passed on as it is: the calls app stops
        # there and tells the agent (calls/search.py), as it does for every provider.
        if next_uri and self._is_same_page(next_uri, response):
            next_uri = ""
        ordered = in_newest_first_order(c.start for c in calls)
        # The date filters are sent as whole UTC days, widened (SearchQuery.utc_days: their
        # format and edges are unconfirmed), and trimmed here to the exact bounds asked for.
        calls, passed_over, past_start = query.within(calls, ordered)
        return SearchPage(
            calls=calls,
            next_cursor=None if past_start else next_uri or None,
            sorted_newest_first=ordered,
            passed_over=passed_over,
            bound_reached=not past_start and _full_page_without_next(body, len(items)),
        )

    def list_recordings(self, call: Call) -> list[Recording]:
        if not self.sid_fits(call.sid):
            return []
        path = f"{self._account_path}/Recordings.json"
        response = self._get(path, params={"CallSid": call.sid})
        recordings: list[Recording] = []
        for _page in range(self.MAX_RECORDING_PAGES):
            self._raise_for_response(response, self._missing_list_message)
            body = values.answer(self.label, response)
            items, next_uri = _list_page(self.label, body, "recordings")
            recordings += [self._recording(item) for item in items]
            if not items or not next_uri or self._is_same_page(next_uri, response):
                break
            response = self._get(self._follow(next_uri, f"{self._account_path}/Recordings"))
        return recordings

    def list_transcripts(self, recording: Recording) -> list[Transcript]:
        """GET /Accounts/{AccountSid}/Recordings/{RecordingSid}/Transcriptions.json, paged.

        Reference: docs/providers/signalwire.md ("transcriptions"). Only the project's own
        recordings (a UUID SID) are asked about; next pages only on the project's origin.
        """
        if not self.sid_fits(recording.sid):
            return []
        resource = f"{self._account_path}/Recordings/{recording.sid}/Transcriptions"
        response = self._get(resource + ".json")
        if response.status_code == 404:
            # The recording was just listed: a 404 on its transcriptions is a server saying
            # it has none (or keeps no transcriptions at all), not a missing recording.
            return []
        transcripts: list[Transcript] = []
        for page in range(1, self.MAX_TRANSCRIPT_PAGES + 1):
            self._raise_for_response(
                response, f"{self.label} does not know this recording any more."
            )
            body = values.answer(self.label, response)
            items, next_uri = _list_page(self.label, body, "transcriptions")
            transcripts += [parse_transcript(item) for item in items]
            if not items or not next_uri or self._is_same_page(next_uri, response):
                break
            if page == self.MAX_TRANSCRIPT_PAGES:
                break  # the bound: no page is fetched that would not be read
            response = self._get(self._follow(next_uri, resource))
        return transcripts

    def media_source(self, recording: Recording) -> MediaSource:
        url = self._media_url(recording.url)
        origin = self._origin
        # Media is public unless the project protects it; the project's own credentials go
        # to its own origin either way, so a protected project's recordings play too.
        return MediaSource(
            url=url,
            allowed_origins=frozenset({origin}),
            credential_origin=origin,
            headers=self._auth(),
        )

    def test_connection(self) -> None:
        response = self._get(f"{self._account_path}.json")
        self._raise_for_response(
            response,
            f"{self.label} does not know project {self._project_id} at {self._origin}. "
            "Check the space (or Base URL) and the project ID.",
        )
        body = values.answer(self.label, response)
        if not isinstance(body, dict):
            raise UnexpectedAnswer(
                self.label, f"{self.label} sent a project answer it cannot read."
            )

    # Plumbing

    @property
    def _origin(self) -> str:
        """scheme://host[:port] of the Base URL, else https:// and the space host."""
        base_url = str(self.settings.get("base_url") or "").strip()
        space = str(self.settings.get("space") or "").strip()
        if base_url:
            if origin := base_url_origin(base_url):
                return origin
            raise ProviderError(
                self.label,
                "The project's SignalWire Base URL is not one callviewer can use. "
                "An administrator should correct it.",
            )
        if space:
            if origin := space_origin(space):
                return origin
            raise ProviderError(
                self.label,
                "The project's SignalWire space is not a host callviewer can use. "
                "An administrator should correct it.",
            )
        raise ProviderError(
            self.label, "The project has no SignalWire space set. An administrator should add it."
        )

    @property
    def _project_id(self) -> str:
        return str(self.settings.get("project_id") or "").strip()

    @property
    def _account_path(self) -> str:
        return f"{API_PATH}/Accounts/{quote(self._project_id, safe='')}"

    @property
    def _missing_list_message(self) -> str:
        return (
            f"{self.label} does not know project {self._project_id}. "
            "Check the project's space (or Base URL) and project ID."
        )

    def _auth(self) -> dict[str, str]:
        pair = f"{self._project_id}:{self.secrets.get('api_token', '').strip()}"
        return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode("ascii")}

    def _get(self, path_or_url: str, params: Mapping[str, str] | None = None) -> httpx.Response:
        url = path_or_url if "://" in path_or_url else self._origin + path_or_url
        headers = self._auth() | {"Accept": "application/json"}
        return http.send(self.label, "GET", url, params=params, headers=headers)

    def _same_origin(self, uri: str) -> httpx.URL | None:
        """`uri` (relative or absolute) as a URL on the project's origin, or None if it is not.

        A URI httpx cannot read (bad IDNA, bad port, ...) is not on it either.
        """
        origin = self._origin
        try:
            url = httpx.URL(origin).join(uri.strip())
            same = http.origin_of(str(url)) == origin
        except (httpx.InvalidURL, UnicodeError, TypeError, ValueError):
            return None
        if url.scheme not in ("http", "https") or url.userinfo:
            return None
        return url if same else None

    def _is_same_page(self, next_uri: str, response: httpx.Response) -> bool:
        """Whether `next_uri` leads back to the page `response` answered."""
        url = self._same_origin(next_uri)
        return url is not None and url == response.request.url

    def _follow(self, uri: str, resource: str) -> str:
        """A paging URI to fetch: on the project's origin and the same list, else refused.

        `resource` is the list's path without `.json`; SignalWire's URIs carry the suffix.
        """
        url = self._same_origin(uri)
        if url is None or url.path not in (resource, resource + ".json"):
            raise UnexpectedAnswer(
                self.label,
                f"{self.label} pointed the next page somewhere callviewer does not fetch from. "
                "Start the search again.",
            )
        return str(url)

    def _media_url(self, uri: str) -> str:
        """The media URL of one of the project's recordings, from any form of its URI.

        Accepted: on the project's origin, `/Accounts/{project}/Recordings/{Sid}` or the
        call-scoped `/Accounts/{project}/Calls/{CallSid}/Recordings/{Sid}`, with `.json`,
        `.mp3`, `.wav` or no extension. Anything else is refused. The media is always the
        account-level resource, the one recordings/main.tsp documents media for: WAV, or MP3
        when the URI asked for `.mp3`. It is rebuilt from the checked SID, so what was checked
        is what is fetched.
        """
        url = self._same_origin(uri) if uri.strip() else None
        match = _RECORDING_PATH.fullmatch(url.path) if url is not None else None
        if match is None or match["account"].lower() != self._project_id.lower():
            raise UnexpectedAnswer(
                self.label,
                f"{self.label} gave a recording on a host callviewer does not fetch from.",
            )
        extension = ".mp3" if match["ext"] == ".mp3" else ".wav"
        return f"{self._origin}{self._account_path}/Recordings/{match['sid']}{extension}"

    def _recording(self, item: Mapping[str, Any]) -> Recording:
        """A listed recording, with the URL of its media (see _media_url)."""
        sid = values.text(item.get("sid")).strip()
        uri = values.text(item.get("uri")).strip()
        if not uri and self.sid_fits(sid):
            uri = f"{self._account_path}/Recordings/{sid}.json"
        return Recording(
            url=self._media_url(uri),
            sid=sid,
            duration=values.whole(item.get("duration")),
            channels=values.whole(item.get("channels")),
            status=values.text(item.get("status")),
        )

    def _raise_for_response(self, response: httpx.Response, not_found: str) -> None:
        """http.raise_for_response, in SignalWire's words where its error body says more."""
        code = response.status_code
        if code < 300:
            return
        detail = _error_detail(response)
        said = f" SignalWire said: {detail}." if detail else ""
        if code in (401, 403):
            raise CredentialsRefused(
                self.label,
                f"{self.label} refused the project's ID and API token.{said} An administrator "
                "should check them (the token needs the Voice scope).",
                status=code,
            )
        if code == 404:
            raise NotFound(self.label, not_found, status=code)
        if code in (400, 422):
            raise UnexpectedAnswer(
                self.label, f"{self.label} rejected the request.{said}", status=code
            )
        http.raise_for_response(self.label, response)


def _error_detail(response: httpx.Response) -> str:
    """The message of `{"code", "message", ...}` or of `{"errors": [...]}`, with its code."""
    body = values.error_body(response)
    items: list[Any] = body["errors"] if isinstance(body.get("errors"), list) else [body]
    parts = []
    for item in items[:3]:
        if isinstance(item, str):
            parts.append(values.text(item).strip().rstrip("."))
        elif isinstance(item, dict):
            message = values.text(item.get("message")).strip().rstrip(".")
            code = values.text(item.get("code")).strip()
            parts.append(f"{message} (code {code})" if message and code else message)
    return "; ".join(p for p in parts if p)[:300].rstrip(".")


def _filters(query: SearchQuery, *, rfc_2822: bool = False) -> dict[str, str]:
    """SearchQuery as the call list's query parameters (calls/main.tsp), Twilio-style names.

    Days as YYYY-MM-DD (Twilio's form), or as RFC 2822 midnights UTC (the spec's examples).
    """
    params = {"To": query.to.strip(), "From": query.from_.strip(), "Status": query.status}
    first, last = query.utc_days()
    if first:
        params["StartTime>"] = _day_text(first, rfc_2822)
    if last:
        params["StartTime<"] = _day_text(last, rfc_2822)
    params = {k: v for k, v in params.items() if v}
    params["PageSize"] = str(SignalWire.PAGE_SIZE)
    return params


def _has_dates(query: SearchQuery) -> bool:
    return query.started_from is not None or query.started_before is not None


def _day_text(day: dt.date, rfc_2822: bool) -> str:
    if not rfc_2822:
        return day.isoformat()
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return email.utils.format_datetime(midnight)  # "Sat, 21 Nov 2026 00:00:00 +0000"


def _list_page(provider: str, body: Any, key: str) -> tuple[list[dict[str, Any]], str]:
    """The items and next_page_uri of a list answer (calls/models/responses.tsp)."""
    items = body.get(key) if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise UnexpectedAnswer(provider, f"{provider} sent a list answer with no {key} in it.")
    next_uri = body.get("next_page_uri")
    return [i for i in items if isinstance(i, dict)], next_uri if isinstance(next_uri, str) else ""


def _full_page_without_next(body: dict[str, Any], count: int) -> bool:
    """A full page from a server that leaves `next_page_uri` out (rather than null on the
    last page): there may be more, and nothing says where; the page says so."""
    if "next_page_uri" in body or count == 0:
        return False
    size = values.whole(body.get("page_size")) or SignalWire.PAGE_SIZE
    return count >= min(size, SignalWire.PAGE_SIZE)


# Reference: docs/providers/signalwire.md ("call fields", "real answers").
def parse_call(obj: Mapping[str, Any], fallback_sid: str = "", project: str = "") -> Call:
    """One SignalWire call object as a Call; missing or odd fields become empty, not errors.

    The SID is the answer's when it is a UUID, else the one asked for. `project` (the
    SignalWire project ID) only goes into log lines.
    """
    obj = values.plain(dict(obj))
    # An answer's UUID in capitals is the same call: spelled as links and the SID box spell it.
    given = values.text(obj.get("sid")).strip()
    sid = SignalWire.spell_sid(given) or fallback_sid or given
    source = values.Source(SignalWire.label, project, sid if SignalWire.sid_fits(sid) else "")
    raw_status = values.text(obj.get("status")).strip()
    status = values.status(raw_status)
    final = status in FINAL_STATUSES
    duration = values.whole(obj.get("duration"))
    return Call(
        sid=sid,
        provider=SignalWire.name,
        status=status,
        raw_status=raw_status,
        direction=values.text(obj.get("direction")).strip(),
        from_=_endpoint(obj.get("from")),
        to=_endpoint(obj.get("to")),
        start=values.time_field(obj, "start_time", source),
        end=values.time_field(obj, "end_time", source),
        duration=duration if final else None,  # 0 while a call goes on means "not yet known"
        cost=_cost(obj.get("price"), obj.get("price_unit")),
        recordings=None,  # listed separately: list_recordings()
        answered_by=values.text(obj.get("answered_by")).strip(),
        quality=_quality(obj),
        parent_sid=_parent_sid(obj.get("parent_call_sid"), sid),
        raw=dict(obj),
    )


_TRANSCRIPT_STATUSES = {"in-progress": "in-progress", "completed": "completed", "failed": "failed"}


# Reference: docs/providers/signalwire.md ("transcriptions"): Twilio's Transcription resource.
def parse_transcript(obj: Mapping[str, Any]) -> Transcript:
    """One transcription object; missing or odd fields become empty, not errors."""
    obj = values.plain(dict(obj))
    raw_status = values.text(obj.get("status")).strip()
    status = re.sub(r"[\s_]+", "-", raw_status.lower()).replace("inprogress", "in-progress")
    text = values.text(obj.get("transcription_text")).strip()
    if not raw_status and text:  # no status, but the text is there: it is done
        status = "completed"
    return Transcript(
        sid=values.text(obj.get("sid")).strip()[:80],
        status=_TRANSCRIPT_STATUSES.get(status, "unknown"),
        raw_status=raw_status[:40],
        text=text,
        duration=values.whole(obj.get("duration")),
        cost=_cost(obj.get("price"), obj.get("price_unit")),
        created=values.moment(obj.get("date_created")),
    )


def _endpoint(value: Any) -> Endpoint | None:
    """E.164 number or `sip:user@host` (docs/providers/signalwire.md); `client:` is a username."""
    text = values.text(value).strip()
    if not text:
        return None
    if text.lower().startswith("sip:") or "@" in text:
        return Endpoint(text, "sip")
    if _PHONE.fullmatch(text):
        return Endpoint(text, "number")
    if text.lower().startswith("client:"):
        return Endpoint(text, "username")
    return Endpoint(text, "unknown")


def _cost(price: Any, unit: Any) -> Money | None:
    """The charge, whatever its sign: Twilio-style APIs send what was billed as negative."""
    amount = values.decimal(price)
    if amount is None:
        return None
    return Money(abs(amount), values.text(unit).strip().upper() or "USD")


def _quality(obj: Mapping[str, Any]) -> Quality | None:
    sip = values.text(obj.get("sip_result_code")).strip()
    quality = Quality(
        mos=values.decimal(obj.get("audio_in_mos")),
        jitter_avg=values.whole(obj.get("audio_out_jitter_avg")),
        jitter_min=values.whole(obj.get("audio_out_jitter_min")),
        jitter_max=values.whole(obj.get("audio_out_jitter_max")),
        rtt_avg=values.whole(obj.get("audio_rtt_avg")),
        rtt_min=values.whole(obj.get("audio_rtt_min")),
        rtt_max=values.whole(obj.get("audio_rtt_max")),
        packets_lost=values.whole(obj.get("audio_out_lost")),
        sip_result_code=sip or None,
    )
    return None if quality == Quality() else quality


def _parent_sid(value: Any, sid: str) -> str:
    """The parent call's SID when it is one callviewer can open (a UUID other than `sid`)."""
    parent = SignalWire.spell_sid(values.text(value).strip())
    return "" if parent == sid else parent


def sip_fact(code: str) -> Fact:
    """A SIP result code in words: its meaning, with the code and reason phrase beside it."""
    code = code.strip()[:12]  # a code is three digits: anything longer is not shown whole
    phrase, words = SIP_RESULTS.get(code, ("", ""))
    if not words:
        known = len(code) == 3 and code.isdigit()
        words = SIP_CLASSES.get(code[:1], "") if known else ""
        words = words or "a code callviewer does not know"
    return Fact("SIP result", words[:1].upper() + words[1:], code=f"{code} {phrase}".strip())


def _mos_words(mos: Decimal) -> str:
    if mos >= 4:
        return "good"
    return "fair" if mos >= Decimal("3.5") else "poor"


def _spread(avg: int | None, low: int | None, high: int | None) -> str:
    text = f"{avg} ms average" if avg is not None else ""
    if low is not None and high is not None:
        text += f"{', ' if text else ''}{low} to {high} ms"
    elif high is not None:
        text += f"{', ' if text else ''}up to {high} ms"
    return text
