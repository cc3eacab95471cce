"""TalkStack AI. Reference: docs/providers/talkstack.md (POST /call, get-call-history, media).

TalkStack documents neither its history's envelope, nor its order, nor any paging beyond
`pageSize`: the module reads every envelope it can make sense of, keeps the provider's order
and says whether it was newest first (`SearchPage.sorted_newest_first`), and pages by
asking again for more.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar

import httpx

from . import http, values
from .base import Field, MediaSource, Provider, url_check
from .types import (
    FINAL_STATUSES,
    Analysis,
    Answer,
    Call,
    Endpoint,
    Fact,
    Money,
    NotFound,
    ProviderError,
    ProviderUnavailable,
    Question,
    Recording,
    SearchPage,
    SearchQuery,
    UnexpectedAnswer,
    in_newest_first_order,
)

log = logging.getLogger(__name__)

_E164 = re.compile(r"\+[1-9]\d{6,14}")
_RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")
# Twilio's recording media, account-level or under its call (twilio.com/docs/voice/api/recording):
# the only resources the project's Twilio credentials are sent to. The seed's own example
# has placeholders ("xxxxxx") for the SIDs, so any letters and digits are accepted there.
_TWILIO_MEDIA_PATH = re.compile(
    r"/2010-04-01/Accounts/[A-Za-z0-9]+(?:/Calls/[A-Za-z0-9]+)?/Recordings/[A-Za-z0-9]+"
    r"(?:\.mp3|\.wav)?"
)
# Keys that mark an object as a call rather than an envelope around one.
_CALL_KEYS = frozenset({"callSid", "sid", "recordingUrls", "seconds", "date", "from", "to"})
# Where a call's SID and start may be: the seed's `callSid` and `date` first, then the names
# another reading of the undocumented history could give them (its filters say `startTime`).
_SID_KEYS = ("callSid", "sid", "call_sid", "CallSid")
_START_KEYS = ("date", "startTime", "start_time", "dateCreated", "createdAt", "created_at")
# Keys under which an envelope may say "no calls" with null instead of a list.
_EMPTY_LIST_KEYS = ("data", "calls", "history", "result", "results", "items", "records")


def _currency_check(value: str) -> str:
    return "" if re.fullmatch(r"[A-Z]{3}", value) else "must be a 3-letter code like USD"


def _link_template_check(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s{}]+(\{[A-Za-z]+\}[^\s{}]*)*", value):
        return "must be an http(s) URL, with the ID as {partnerId}, {shiftId} or {assignmentId}"
    return ""


def _region_check(value: str) -> str:
    return "" if re.fullmatch(r"[A-Z]{2}", value) else "must be a 2-letter country code like US"


# Reference: docs/providers/talkstack.md ("statuses"): TalkStack calls some statuses temporary
# (the call is not done) and others permanent (how it ended), each with its own gloss.
STATUS_KINDS = {
    "queued": ("temporary", "TalkStack's systems have not placed the call yet"),
    "ringing": ("temporary", "the phone is ringing"),
    "in-progress": ("temporary", "the call is connected"),
    "voicemail": ("permanent", "the call reached voicemail"),
    "busy": ("permanent", "the line was busy"),
    "silence": (
        "permanent",
        "TalkStack closed the call after more than 6 seconds of silence, during the call "
        "or on voicemail",
    ),
    "completed": ("final", "the call ended normally"),
}


class TalkStack(Provider):
    name = "talkstack"
    label = "TalkStack AI"
    sid_pattern = re.compile(r"CA[0-9a-fA-F]{32}")
    sid_shape = "CA and 32 hexadecimal characters (CA26e39c970fd416515799f5a165718be3)"
    gives_direction = False  # no direction field in its call answer
    settings_fields = (
        Field("project_id", "Project ID"),
        Field(
            "auth_header",
            "Auth header",
            required=False,
            default="x-api-key",
            choices=("x-api-key", "bearer"),
            help="How the API key is sent.",
        ),
        Field(
            "base_url",
            "Base URL",
            required=False,
            default="https://api.talkstackai.com",
            check=url_check,
            guards=("api_key",),
        ),
        Field("currency", "Currency", required=False, default="USD", check=_currency_check),
        Field("phone_region", "Phone region", required=False, default="US", check=_region_check),
        Field(
            "twilio_base_url",
            "Twilio media base URL",
            required=False,
            default="https://api.twilio.com",
            check=url_check,
            help="The only host recordings are fetched from.",
            guards=("twilio_account_sid", "twilio_auth_token"),
        ),
        # Optional links from the call page to the team's own admin, e.g.
        # https://admin.example.com/shifts/{shiftId}.
        Field(
            "partner_url_template",
            "Partner link",
            required=False,
            check=_link_template_check,
            help="e.g. https://admin.example.com/partners/{partnerId}",
        ),
        Field(
            "shift_url_template",
            "Shift link",
            required=False,
            check=_link_template_check,
            help="e.g. https://admin.example.com/shifts/{shiftId}",
        ),
        Field(
            "assignment_url_template",
            "Assignment link",
            required=False,
            check=_link_template_check,
            help="e.g. https://admin.example.com/assignments/{assignmentId}",
        ),
    )
    secret_fields = (
        Field("api_key", "API key"),
        Field("twilio_account_sid", "Twilio Account SID", required=False),
        Field("twilio_auth_token", "Twilio Auth Token", required=False),
    )

    @classmethod
    def sid_spelling(cls, sid: str) -> str:
        # Twilio's form (seed 000: "CA26e39c970fd416515799f5a165718be3"): CA, lowercase hex.
        return "CA" + sid[2:].lower()

    # History has no page or cursor parameter, only pageSize (docs/providers/talkstack.md):
    # "More results" asks again for more and shows what lies beyond the calls already shown,
    # up to this bound.
    supports_analysis = True

    PAGE_SIZE: ClassVar[int] = 25
    MAX_PAGE_SIZE: ClassVar[int] = 500
    # "pageSize(optional) [...] defaults to 20" (seed 004): exactly 20 calls for a larger
    # pageSize reads as a server that ignored it, with more calls it will not list.
    DEFAULT_PAGE_SIZE: ClassVar[int] = 20

    @classmethod
    def outcome_facts(cls, call: Call) -> tuple[Fact, ...]:
        """TalkStack's own word on the status: temporary, permanent or final, and why."""
        kind, words = STATUS_KINDS.get(call.raw_status.strip().lower(), ("", ""))
        if not kind:
            return ()
        return (Fact(f"{cls.label} status", f"{kind.capitalize()}: {words}", code=call.raw_status),)

    @classmethod
    def other_party(cls, call: Call) -> Endpoint | None:
        # Seed 000 lists `phoneNumber` without saying what it is; read as the voice agent's
        # own number, the other side is whichever party it is not (the caller by default).
        own = _text(call.raw.get("phoneNumber")).strip()
        if own and call.from_ and call.from_.value == own:
            return call.to
        return call.from_ or call.to

    def get_call(self, sid: str) -> Call:
        response = self._post("/call", {"sid": sid, "projectId": self._project_id})
        _raise_for_response(self.label, response)
        body = values.answer(self.label, response)
        return parse_call(
            _call_object(self.label, body),
            self.currency,
            fallback_sid=sid,
            project=self._project_id,
        )

    def search(self, query: SearchQuery, cursor: str | None = None) -> SearchPage:
        size = self._page_size(cursor)
        response = self._post(
            "/call/get-call-history",
            {"projectId": self._project_id, "pageSize": size},
            params=_filters(query),
        )
        if _no_calls(response):
            return SearchPage(calls=[], sorted_newest_first=True)
        _raise_for_response(self.label, response)
        items = call_list(self.label, values.answer(self.label, response))[:size]
        shown = {_item_sid(item) for item in items[: size - self.PAGE_SIZE]}
        calls: list[Call] = []
        for item in items[size - self.PAGE_SIZE :]:
            sid = _item_sid(item)
            # A SID callviewer cannot open is nothing to link to; repeats are already shown.
            if not self.sid_fits(sid) or sid in shown:
                continue
            shown.add(sid)
            calls.append(parse_call(item, self.currency, project=self._project_id))
        if query.status == "unknown":  # TalkStack cannot filter on it: narrow this page here
            calls = [c for c in calls if c.status == "unknown"]
        # The order is not documented: it is only called newest first when every call this
        # answer listed up to here (earlier pages included) was, so pages shown one after
        # another stay in that order.
        ordered = in_newest_first_order(_start(item) for item in items)
        # Its date filters are whole UTC days (widened: SearchQuery.utc_days): trimmed here to
        # the exact bounds asked for, e.g. a day in the agent's own time zone.
        calls, passed_over, past_start = query.within(calls, ordered)
        page = SearchPage(calls=calls, sorted_newest_first=ordered, passed_over=passed_over)
        if past_start:
            return page
        if len(items) < size:
            ignored = len(items) == self.DEFAULT_PAGE_SIZE
            return replace(page, bound_reached=True) if ignored else page
        if size >= self.MAX_PAGE_SIZE:
            return replace(page, bound_reached=True)
        return replace(page, next_cursor=str(min(size + self.PAGE_SIZE, self.MAX_PAGE_SIZE)))

    def list_recordings(self, call: Call) -> list[Recording]:
        if call.recordings is None:
            call = self.get_call(call.sid)
        return list(call.recordings or ())

    def media_source(self, recording: Recording) -> MediaSource:
        allowed = self._setting_url("twilio_base_url", "Twilio media base URL")
        origin = http.origin_of(str(allowed))
        refused = UnexpectedAnswer(
            self.label,
            f"{self.label} gave a recording that is on a host callviewer does not fetch from.",
        )
        url = values.url(recording.url)
        if url is None:  # not a URL at all, or a host no DNS can hold (bad IDNA)
            raise refused
        # Twilio redirects http media to https; go straight there rather than follow it.
        same_host = url.host == allowed.host and url.port is None and allowed.port is None
        if same_host and (url.scheme, allowed.scheme) == ("http", "https"):
            url = url.copy_with(scheme="https")
        if (
            url.scheme not in ("http", "https")
            or url.userinfo
            or http.origin_of(str(url)) != origin
            # The credentials are for recordings: any other Twilio resource is not fetched.
            or not _TWILIO_MEDIA_PATH.fullmatch(url.path)
        ):
            raise refused
        headers = self._twilio_auth()
        return MediaSource(
            # What was checked is what is fetched: the decoded path, no query or fragment.
            url=origin + url.path,
            allowed_origins=frozenset({origin}),
            credential_origin=origin if headers else "",
            headers=headers,
        )

    def analyse(self, sid: str, questions: Sequence[Question]) -> Analysis:
        """POST /call/analysis (docs/providers/talkstack.md "call analysis").

        Sent once: each analysis may cost money, so it is never repeated after the request
        may have reached TalkStack (http.send `repeatable=False`).
        """
        body = {"sid": sid, "questions": [q.as_dict() for q in questions]}
        response = self._post("/call/analysis", body, repeatable=False)
        if response.status_code == 404:
            raise NotFound(
                self.label, f"{self.label} has no analysis of call {sid} (yet).", status=404
            )
        _raise_for_response(self.label, response)
        if response.status_code == 202:  # accepted, not done: nothing to keep yet
            raise _not_ready(self.label, sid)
        analysis = parse_analysis(response, questions)
        if not analysis.understood:
            # Nothing readable: an answer saying it failed, or is not done, is not kept as
            # the call's analysis (calls/analysis.py keeps what this returns for good).
            body = values.error_body(response)
            _raise_for_error_envelope(self.label, body)
            if values.text(body.get("status")).strip().lower() in _NOT_READY_STATUSES:
                raise _not_ready(self.label, sid)
        return analysis

    def test_connection(self) -> None:
        response = self._post(
            "/call/get-call-history", {"projectId": self._project_id, "pageSize": 1}
        )
        if _no_calls(response):  # a project with no calls yet is still a working one
            return
        _raise_for_response(self.label, response)
        call_list(self.label, values.answer(self.label, response))

    # Plumbing

    @property
    def _project_id(self) -> str:
        return str(self.settings.get("project_id", ""))

    def _post(
        self,
        path: str,
        body: dict[str, Any],
        params: Mapping[str, str] | None = None,
        *,
        repeatable: bool = True,
    ) -> httpx.Response:
        key = self.secrets.get("api_key", "")
        # Either header carries the same kind of credential; a bearer token from /auth/login
        # lasts two hours, so projects normally hold an API key sent as x-api-key.
        if self.settings.get("auth_header") == "bearer":
            auth = {"Authorization": f"Bearer {key}"}
        else:
            auth = {"x-api-key": key}
        base = self._setting_url("base_url", "Base URL")
        url = http.origin_of(str(base)) + path
        return http.send(
            self.label,
            "POST",
            url,
            json=body,
            params=params or {},
            headers=auth,
            repeatable=repeatable,
        )

    def _setting_url(self, name: str, label: str) -> httpx.URL:
        """A URL setting as httpx reads it; one it cannot read is the project's to fix."""
        url = values.url(str(self.settings.get(name) or ""))
        if url is None or url.scheme not in ("http", "https") or not url.host:
            raise ProviderError(
                self.label,
                f"The project's {label} is not a URL callviewer can use. "
                "An administrator should correct it.",
            )
        return url

    def _page_size(self, cursor: str | None) -> int:
        """The pageSize a cursor asks for; anything not made by search() starts over."""
        if cursor and cursor.isascii() and cursor.isdigit():
            size = int(cursor)
            if self.PAGE_SIZE < size <= self.MAX_PAGE_SIZE:
                return size
        return self.PAGE_SIZE

    def _twilio_auth(self) -> dict[str, str] | None:
        account = self.secrets.get("twilio_account_sid", "")
        token = self.secrets.get("twilio_auth_token", "")
        if not (account and token):
            return None  # the Twilio account does not enforce auth on media URLs
        pair = base64.b64encode(f"{account}:{token}".encode()).decode("ascii")
        return {"Authorization": f"Basic {pair}"}


def _no_calls(response: httpx.Response) -> bool:
    """A history answer that means no call matches: 404 (documented), or a 2xx with nothing
    in it (204, or an empty body) from a server that says "none" that way."""
    if response.status_code == 404:
        return True
    return response.is_success and (response.status_code == 204 or not response.content.strip())


def _raise_for_response(provider: str, response: httpx.Response) -> None:
    """http.raise_for_response, with TalkStack's own words for a 400 (a missing field)."""
    if response.status_code == 400:
        message = values.text(values.error_body(response).get("message")).strip()[:200]
        detail = f": {message}" if message else "."
        raise UnexpectedAnswer(
            provider, f"{provider} rejected the request as incomplete{detail}", status=400
        )
    http.raise_for_response(provider, response)


def _filters(query: SearchQuery) -> dict[str, str]:
    """SearchQuery as TalkStack's history query parameters (docs/providers/talkstack.md)."""
    params = {"to": query.to, "from": query.from_}
    # The doc lists eight status values; the app's other ones (canceled, voicemail, silence)
    # are TalkStack's own call statuses too (seed 000), so they are sent as they are.
    if query.status and query.status != "unknown":
        params["status"] = query.status
    first, last = query.utc_days()
    if first:
        params["startTimeAfter"] = first.isoformat()
    if last:
        params["startTimeBefore"] = last.isoformat()
    return {k: v for k, v in params.items() if v}


def call_list(provider: str, body: Any) -> list[dict[str, Any]]:
    """The call objects of a history answer, whose envelope TalkStack does not document.

    Accepts a bare list, or an object holding the list under one key (at most one level
    down, e.g. {"data": {"calls": [...]}}); anything else is UnexpectedAnswer.
    """
    candidates = _lists_of_objects(body)
    if isinstance(body, dict) and not candidates:
        for value in body.values():
            candidates += _lists_of_objects(value) if isinstance(value, dict) else []
    if isinstance(body, dict) and not candidates:
        _raise_for_error_envelope(provider, body)
        if any(k in body and body[k] is None for k in _EMPTY_LIST_KEYS):
            return []  # e.g. {"message": "No calls found", "data": null}
    if len(candidates) > 1:  # several lists: only one may hold anything
        candidates = [c for c in candidates if c]
    if len(candidates) == 1:
        return candidates[0]
    shape = "several lists" if candidates else "no list of calls"
    raise UnexpectedAnswer(provider, f"{provider} sent a call history answer with {shape} in it.")


_NOT_READY_STATUSES = frozenset(
    {"pending", "processing", "in-progress", "in_progress", "queued", "running", "accepted"}
)


def _not_ready(provider: str, sid: str) -> ProviderUnavailable:
    return ProviderUnavailable(
        provider,
        f"{provider} has not finished analysing call {sid} yet. Try again in a minute.",
        status=503,
    )


def _raise_for_error_envelope(provider: str, body: dict[str, Any]) -> None:
    """A 2xx answer that says it failed ({"status": "error", "message": ...}, the envelope of
    TalkStack's other endpoints) is a provider error in its own words, not a shape error."""
    status = values.text(body.get("status")).strip().lower()
    if status in ("error", "failed", "failure", "fail") or body.get("success") is False:
        message = values.text(body.get("message")).strip()[:200]
        detail = f": {message}" if message else "."
        raise UnexpectedAnswer(provider, f"{provider} answered with an error{detail}")


def _lists_of_objects(value: Any) -> list[list[dict[str, Any]]]:
    values = [value] if isinstance(value, list) else []
    if isinstance(value, dict):
        values = [v for v in value.values() if isinstance(v, list)]
    return [v for v in values if all(isinstance(item, dict) for item in v)]


def _call_object(provider: str, body: Any) -> dict[str, Any]:
    """The call in a POST /call answer: the object itself (as documented) or one level inside."""
    if isinstance(body, dict):
        if _CALL_KEYS & body.keys():
            return body
        inner = [v for v in body.values() if isinstance(v, dict) and _CALL_KEYS & v.keys()]
        if len(inner) == 1:
            return inner[0]
    raise UnexpectedAnswer(provider, f"{provider} sent a call answer callviewer cannot read.")


def _item_sid(item: Mapping[str, Any]) -> str:
    return next((t for k in _SID_KEYS if (t := values.text(item.get(k)).strip())), "")


def _start(obj: Mapping[str, Any], source: values.Source | None = None) -> dt.datetime | None:
    """When the call started: RFC 2822 or ISO 8601 text (values.moment), or a Unix time in
    seconds or milliseconds, under the first of _START_KEYS the item has. An unreadable one
    is logged when a `source` is given (parse_call's, once per call)."""
    key = next((k for k in _START_KEYS if obj.get(k) not in (None, "")), "date")
    value = obj.get(key)
    when = values.moment(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        when = _unix_time(value)
    if when is None and source is not None and values.text(value).strip():
        source.unreadable(key)
    return when


def _unix_time(value: float) -> dt.datetime | None:
    """Seconds (10 digits) or milliseconds (13 digits) since 1970, from 2001 on; small
    numbers (a duration, a count) and absurd ones are not times."""
    if value != value or not 10**9 <= abs(value) < 10**14:  # NaN, or not a call's time
        return None
    seconds = value / 1000 if value >= 10**11 else value
    try:
        when = dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return when if values.EARLIEST <= when < values.LATEST else None


# Reference: docs/providers/talkstack.md ("call answer", "history items").
def parse_call(
    obj: Mapping[str, Any], currency: str, fallback_sid: str = "", project: str = ""
) -> Call:
    """One TalkStack call object as a Call; missing or odd fields become empty, not errors.

    The SID is the answer's when it has TalkStack's shape, else the one asked for.
    `project` (the TalkStack project ID) only goes into log lines.
    """
    obj = values.plain(dict(obj))
    sid = _item_sid(obj)
    # Twilio's SID in another letter case is the same call: spelled as the SID box spells it.
    sid = TalkStack.spell_sid(sid) or (fallback_sid or sid)
    source = values.Source(TalkStack.label, project, sid if TalkStack.sid_fits(sid) else "")
    raw_status = _text(obj.get("status")).strip()
    status = values.status(raw_status)
    start = _start(obj, source)
    seconds = values.whole(obj.get("seconds"))
    final = status in FINAL_STATUSES
    end = None
    if start is not None and final and seconds is not None:
        end = start + dt.timedelta(seconds=seconds)
    data = obj.get("data")
    return Call(
        sid=sid,
        provider=TalkStack.name,
        status=status,
        raw_status=raw_status,
        from_=_endpoint(obj.get("from")),
        to=_endpoint(obj.get("to")),
        start=start,
        end=end,
        duration=seconds if final else None,  # 0 while a call is going on means "not yet known"
        cost=_money(obj.get("cost"), currency),
        recordings=_recordings(obj.get("recordingUrls")),
        data=tuple((k, _text(v)) for k, v in data.items()) if isinstance(data, dict) else (),
        partner_id=_text(obj.get("partnerId")),
        shift_id=_text(obj.get("shiftId")),
        assignment_id=_text(obj.get("assignmentId")),
        raw=dict(obj),
    )


def _text(value: Any) -> str:
    """A data value as clean text: documented as strings, but numbers, booleans or null come.

    Objects and lists are shown as JSON (plain() has bounded their depth and cleaned them).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        try:
            return values.clean(json.dumps(values.plain(value), ensure_ascii=False))
        except (ValueError, RecursionError):  # an int past Python's 4300-digit limit
            return ""
    return values.text(value)


def _endpoint(value: Any) -> Endpoint | None:
    text = _text(value).strip()
    if not text:
        return None
    if text.lower().startswith("sip:"):
        return Endpoint(text, "sip")
    return Endpoint(text, "number" if _E164.fullmatch(text) else "username")


def _money(value: Any, currency: str) -> Money | None:
    amount = values.decimal(value)
    return None if amount is None else Money(amount, currency)


def _recordings(value: Any) -> tuple[Recording, ...] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return None  # not in this answer: list_recordings() asks for the call
    urls = [values.clean(u).strip() for u in value if isinstance(u, str) and u.strip()]
    return tuple(Recording(url=u, sid=_recording_sid(u)) for u in urls)


def _recording_sid(url: str) -> str:
    name = url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    match = _RECORDING_SID.match(name)
    return match.group(0) if match else ""


# Call analysis: its answer's shape is not documented, so every reasonable one is read, and
# anything else is kept and shown as it was sent.

# Keys an envelope may hold the analysis under, and keys of one answer object.
_ANALYSIS_KEYS = (
    "data",
    "analysis",
    "answers",
    "result",
    "results",
    "questions",
    "customData",
    "custom_data",
)
_ANSWER_KEYS = ("answer", "value", "response", "result", "a")
_QUESTION_KEYS = ("question", "q", "prompt")
_SUMMARY_KEYS = ("summary", "callSummary", "call_summary")
_SENTIMENT_KEYS = ("sentiment", "callSentiment", "call_sentiment", "overallSentiment")
# The envelope's own words, never an answer or a summary.
_ENVELOPE_KEYS = frozenset({"message", "status", "success", "sid", "callSid", "code"})
MAX_ANSWER_TEXT = 5000
MAX_UNKNOWN_TEXT = 20000


# Reference: docs/providers/talkstack.md ("call analysis", "The call analysis's answer").
def parse_analysis(response: httpx.Response, questions: Sequence[Question]) -> Analysis:
    """The analysis in a 2xx answer, whatever its shape; an unreadable one as `unknown`."""
    try:
        body = values.answer(TalkStack.label, response)
    except UnexpectedAnswer:
        # Not JSON (or nested past reading): shown as the provider sent it.
        return Analysis(unknown=_bounded(values.clean(response.text)) or "(an empty answer)")
    return read_analysis(body, questions)


def read_analysis(body: Any, questions: Sequence[Question]) -> Analysis:
    """Answers in question order from a list, an object keyed by question, or an envelope
    around either; with the summary and sentiment found beside them."""
    summary, sentiment = "", ""
    core = body
    for _level in range(3):  # {"message", "status", "data": {"analysis": {...}}} at most
        if not isinstance(core, dict):
            break
        summary = summary or _first_text(core, _SUMMARY_KEYS)
        sentiment = sentiment or _first_text(core, _SENTIMENT_KEYS)
        inner = [core[k] for k in _ANALYSIS_KEYS if isinstance(core.get(k), dict | list)]
        if not inner or _keyed_answers(core, questions):
            break
        core = inner[0]
    answers = _answers(core, questions)
    if len(questions) == 1 and not isinstance(body, dict | list):
        answers = [_answer_text(body, questions[0])]  # a bare answer to the one question
    if not any(a is not None for a in answers) and not summary and not sentiment:
        return Analysis(unknown=_shown(body))
    return Analysis(
        answers=tuple(Answer(q, a) for q, a in zip(questions, answers, strict=True)),
        summary=summary,
        sentiment=sentiment,
    )


def _answers(core: Any, questions: Sequence[Question]) -> list[str | None]:
    """One value (or None) per question, from a list in order or an object keyed by question."""
    if isinstance(core, dict):
        keyed = _keyed_answers(core, questions)
        if not keyed and (by_index := _indexed(core, len(questions))) is not None:
            return [_answer_text(v, q) for v, q in zip(by_index, questions, strict=True)]
        return [keyed.get(_norm(q.question)) for q in questions]
    if not isinstance(core, list):
        return [None] * len(questions)
    items = core
    # Objects naming their question are matched by it; the others go by position.
    named = {
        _norm(_question_of(item)): item
        for item in items
        if isinstance(item, dict) and _question_of(item).strip()
    }
    if named:
        return [_answer_text(named.get(_norm(q.question)), q) for q in questions]
    padded = items[: len(questions)] + [None] * (len(questions) - len(items))
    return [_answer_text(item, q) for item, q in zip(padded, questions, strict=True)]


def _question_of(item: dict[str, Any]) -> str:
    return next((t for k in _QUESTION_KEYS if (t := values.text(item.get(k)))), "")


def _indexed(core: dict[str, Any], count: int) -> list[Any] | None:
    """The values of an object keyed by question position ("0", "1", ... or "1", "2", ...),
    in question order; None when its keys are not positions."""
    if not core or not all(k.strip().isascii() and k.strip().isdigit() for k in core):
        return None
    by_number = {int(k): v for k, v in core.items()}
    first = 0 if 0 in by_number else 1
    return [by_number.get(first + i) for i in range(count)]


def _keyed_answers(core: dict[str, Any], questions: Sequence[Question]) -> dict[str, str | None]:
    """Answers of an object whose keys are the questions (compared without case or spaces)."""
    wanted = {_norm(q.question): q for q in questions}
    return {
        _norm(k): _answer_text(v, wanted[_norm(k)])
        for k, v in core.items()
        if _norm(k) in wanted and k not in _ENVELOPE_KEYS
    }


def _answer_text(value: Any, question: Question) -> str | None:
    """An answer as text to show: Yes/No for booleans, numbers as written, None when absent."""
    if isinstance(value, dict):
        value = next((value[k] for k in _ANSWER_KEYS if k in value), None)
    if value is None or isinstance(value, dict):
        return None
    if isinstance(value, list):
        parts = [t for v in value if (t := _answer_text(v, question))]
        return _bounded(", ".join(parts)) if parts else None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = values.text(value).strip()
    if question.type == "Boolean" and text.lower() in ("true", "false", "yes", "no"):
        return "Yes" if text.lower() in ("true", "yes") else "No"
    if question.type == "Number" and (number := values.decimal(text)) is not None:
        return _number_text(number)
    if question.type == "Selector":  # "SICK" for the option "Sick": shown as the option reads
        text = next((o for o in question.options if _norm(o) == _norm(text)), text)
    return _bounded(text) if text else None


def _number_text(number: Any) -> str:
    text = format(number.normalize(), "f")
    return text if len(text) <= 64 else format(number, "e")


def _first_text(obj: dict[str, Any], keys: Sequence[str]) -> str:
    for key in keys:
        value = obj.get(key)
        if isinstance(value, dict):  # e.g. {"label": "positive", "score": 0.9}
            value = next((value[k] for k in ("label", "value", "text", key) if k in value), None)
        text = values.text(value).strip() if not isinstance(value, bool) else ""
        if text:
            return _bounded(text)
    return ""


def _norm(text: str) -> str:
    return " ".join(values.text(text).split()).casefold()


def _bounded(text: str) -> str:
    return text if len(text) <= MAX_ANSWER_TEXT else text[: MAX_ANSWER_TEXT - 1] + "…"


def _shown(body: Any) -> str:
    """The provider's whole answer as indented JSON text, bounded, for the page to show."""
    try:
        text = json.dumps(body, ensure_ascii=False, indent=2)
    except (ValueError, RecursionError):  # an int past Python's digit limit
        text = values.text(body) or "(an answer callviewer cannot show)"
    text = values.clean(text)
    return text if len(text) <= MAX_UNKNOWN_TEXT else text[:MAX_UNKNOWN_TEXT] + "\n…"
