"""How a call reads on its page: labels, yes/no, durations, phone formats, money, links."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import phonenumbers
from django.utils import dateformat, timezone

from callviewer.projects.models import Project
from callviewer.providers.types import Call, Endpoint, Fact, Money

EMPTY = "—"

_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")

DIRECTIONS = {
    "inbound": "Inbound",
    "outbound": "Outbound",
    "outbound-api": "Outbound (placed through the API)",
    "outbound-dial": "Outbound (dialled from another call)",
}
ANSWERED_BY = {
    "human": "A person",
    "machine": "A machine (answering machine or voicemail)",
    "unknown": "Not known",
}
# The IDs TalkStack attaches to a call, and the project setting that may link each one.
LINKED_IDS = (
    ("partner_id", "partnerId", "Partner ID", "partner_url_template"),
    ("shift_id", "shiftId", "Shift ID", "shift_url_template"),
    ("assignment_id", "assignmentId", "Assignment ID", "assignment_url_template"),
)


def label(key: str) -> str:
    """A data key as words: "employeeGoToWork" -> "Employee go to work"; acronyms stay."""
    words = _WORDS.findall(key)
    if not words:
        return key
    out = [w if w.isupper() and len(w) > 1 else w.lower() for w in words]
    return " ".join(out)[0].upper() + " ".join(out)[1:]


def value_text(value: str) -> str:
    """An extracted value as shown: "true"/"false" as Yes/No, empty as a dash."""
    plain = value.strip()
    if not plain:
        return EMPTY
    if plain.lower() == "true":
        return "Yes"
    if plain.lower() == "false":
        return "No"
    return value


def duration_text(seconds: int | None) -> str:
    """Seconds as h:mm:ss (0:00:23)."""
    if seconds is None:
        return EMPTY
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def money_text(money: Money | None) -> str:
    """An amount with its currency. Charges are shown as positive whatever the provider's sign."""
    if money is None:
        return ""
    amount = abs(money.amount)
    # Providers bill in fractions of a cent: keep their digits, but at least two.
    exponent = amount.normalize().as_tuple().exponent
    places = max(2, -exponent if isinstance(exponent, int) else 2)
    return f"{amount:.{places}f} {money.currency}".strip()


@dataclass(frozen=True)
class Party:
    """One side of the call, ready to show: the main text, an alternative and what to copy."""

    text: str
    alternative: str = ""  # the international format when the main text is national
    copy: str = ""
    kind: str = "number"


def party(endpoint: Endpoint | None, region: str) -> Party | None:
    """A phone number in national and international format; SIP and usernames as given."""
    if endpoint is None or not endpoint.value:
        return None
    return _formatted(endpoint.value, endpoint.kind, region)


# A page of results shows the same few numbers again and again (the project's own lines), and
# formatting one with phonenumbers is most of a row's cost: each (value, kind, region) is
# formatted once per process. A Party is frozen, so one may be shown on many rows.
@functools.lru_cache(maxsize=4096)
def _formatted(value: str, kind: str, region: str) -> Party:
    if kind in ("sip", "username"):
        return Party(value, copy=value, kind=kind)
    try:
        number = phonenumbers.parse(value, region or "US")
    except phonenumbers.NumberParseException:
        return Party(value, copy=value, kind=kind)
    if not phonenumbers.is_possible_number(number):
        return Party(value, copy=value, kind=kind)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if phonenumbers.region_code_for_number(number) == (region or "US").upper():
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return Party(national, international, e164)
    return Party(international, copy=e164)


def phone_region(project: Project) -> str:
    """The region a project's national numbers are read and shown in ("US" unless set)."""
    return str(project.setting("phone_region", "US") or "US")


def id_link(template: Any, placeholder: str, value: str) -> str:
    """The URL a project's template makes of an ID, or "" when the template is not a safe link.

    Only http(s) templates with a host; the value is URL-quoted, and substituted with
    str.replace (not str.format, which would let a template reach into Python objects).
    """
    if not value or not isinstance(template, str) or not template.strip():
        return ""
    template = template.strip()
    marker = "{" + placeholder + "}"
    if marker not in template:
        marker = "{id}"
        if marker not in template:
            return ""
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.netloc or "{" in parts.netloc:
        return ""
    return template.replace(marker, quote(value, safe=""))


def linked_ids(call: Call, project: Project) -> list[Fact]:
    """TalkStack's partner, shift and assignment IDs, linked when the project says how."""
    facts = []
    for attr, placeholder, name, setting in LINKED_IDS:
        value = getattr(call, attr)
        if value:
            link = id_link(project.setting(setting), placeholder, value)
            facts.append(Fact(name, value, link=link))
    return facts


def raw_json(call: Call) -> str:
    return json.dumps(call.raw, indent=2, ensure_ascii=False, default=str)


def present(call: Call, project: Project) -> dict[str, Any]:
    """Everything the call's page shows, as text; the template only lays it out."""
    region = phone_region(project)
    provider = project.provider_class
    return {
        "from_party": party(call.from_, region),
        "to_party": party(call.to, region),
        "direction": DIRECTIONS.get(call.direction.lower(), call.direction),
        "answered_by": ANSWERED_BY.get(call.answered_by.lower(), call.answered_by),
        "duration": duration_text(call.duration),
        "cost": money_text(call.cost),
        "rate": money_text(call.rate),
        "quality": provider.quality_facts(call),
        "outcome": provider.outcome_facts(call),
        "data": [(label(k), value_text(v), k) for k, v in call.data],
        "ids": linked_ids(call, project),
        "raw": raw_json(call),
    }


def ticket_text(call: Call, project: Project, view: dict[str, Any], page_url: str) -> str:
    """The call summed up for a support ticket: plain text, one fact a line."""
    lines = [
        f"Call {call.sid} ({project.provider_label}, project {project.name})",
        f"Started: {_ticket_time(call.start)}",
        f"From: {_ticket_party(view['from_party'])}",
        f"To: {_ticket_party(view['to_party'])}",
        f"Status: {call.status} ({call.meaning}){'' if call.is_final else ', still in progress'}",
    ]
    lines += [f"{f.label}: {f.value}{f' ({f.code})' if f.code else ''}" for f in view["outcome"]]
    lines.append(f"Duration: {view['duration'] if call.duration is not None else 'not known'}")
    cost = view["cost"] if call.is_final else ""
    lines.append(f"Cost: {cost or ('not given' if call.is_final else 'not known yet')}")
    lines.append(f"Link: {page_url}")
    return "\n".join(lines)


def _ticket_time(moment: Any) -> str:
    if moment is None:
        return "not given"
    local = timezone.localtime(moment)
    zone = timezone.get_current_timezone_name()
    return f"{dateformat.format(local, 'D j M Y, H:i:s T')} ({zone})"


def _ticket_party(shown: Party | None) -> str:
    if shown is None:
        return EMPTY
    if shown.copy and shown.copy != shown.text:
        return f"{shown.text} ({shown.copy})"
    return shown.text
