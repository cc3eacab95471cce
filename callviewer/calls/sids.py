"""What the SID box accepts: a call SID in any letter case, or a link that holds one.

Agents paste what they have: a SID typed in capitals, a SID with spaces around it, a
callviewer link from a ticket (`https://callviewer.example.com/calls/<sid>/?project=acme`), or
the provider console's page of the call (a SignalWire dashboard URL holding the call's UUID, a
Twilio-style console URL holding `CA…`, sometimes percent-encoded inside another parameter).
Each provider module says what its SIDs look like and how it spells them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from callviewer.providers import registry

_CALLVIEWER_PATH = re.compile(r".*/calls/(?P<sid>[^/]+)(?:/.*)?")
_NOT_SLUG = re.compile(r"[^-\w]")
_TOKEN_SEPARATORS = re.compile(r"[^A-Za-z0-9\-]+")
MAX_PASTE = 2000  # characters: a console URL is long, but not longer


@dataclass(frozen=True)
class Pasted:
    sid: str  # spelled as its provider spells it
    project: str = ""  # the project a pasted callviewer link named, if any


def spelled(text: str) -> str:
    """`text` as the SID of some provider, in that provider's letter case; "" if none's."""
    for provider in registry().values():
        if sid := provider.spell_sid(text):
            return sid
    return ""


def shapes() -> str:
    """What each provider's call SIDs look like, in one sentence for an agent."""
    first, *others = registry().values()
    words = [f"A {first.label} call SID is {first.sid_shape}"]
    words += [f"a {provider.label} one {provider.sid_shape}" for provider in others]
    return ", ".join(words) + "."


def read(text: str) -> Pasted | None:
    """The call SID in what was pasted into the SID box, or None when there is none."""
    value = text.strip()
    if sid := spelled(value):
        return Pasted(sid)
    if not value or len(value) > MAX_PASTE:
        return None
    try:
        parts = urlsplit(value if "://" in value else "//" + value)
    except ValueError:  # e.g. an unclosed "[" read as an IPv6 host: not a link, maybe a SID
        parts = None
    own = _CALLVIEWER_PATH.fullmatch(parts.path) if parts else None
    if parts and own and (sid := spelled(unquote(own["sid"]).strip())):
        project = parse_qs(parts.query).get("project", [""])[0]
        # A slug ends where a pasted link's wrapping begins ("<...?project=acme>", "acme).").
        return Pasted(sid, _NOT_SLUG.split(project, maxsplit=1)[0][:60])
    # A console link: the last thing in it that is a call SID (after the account's ID, if any).
    # Links are often percent-encoded inside another link's parameter, once or twice.
    decoded = unquote(unquote(value))
    for token in reversed(_TOKEN_SEPARATORS.split(decoded)):
        if sid := spelled(token):
            return Pasted(sid)
    return None
