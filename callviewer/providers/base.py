"""The interface every provider module implements, and the description of its settings."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from .types import (
    Analysis,
    Call,
    Endpoint,
    Fact,
    NotSupported,
    Question,
    Recording,
    SearchPage,
    SearchQuery,
    Transcript,
)


@dataclass(frozen=True)
class Field:
    """One setting or secret a provider needs; drives the admin form, validation and import."""

    name: str
    label: str
    required: bool = True
    default: str = ""
    help: str = ""
    choices: tuple[str, ...] = ()
    # Returns an error message in plain words, or "" when the value is fine.
    check: Callable[[str], str] | None = None
    # For a setting that names a host: the secrets sent there. A stored secret is never sent
    # to a host other than the one it was entered for (`Provider.secrets_moved`).
    guards: tuple[str, ...] = ()
    # The host setting is a bare host name reached over HTTPS, not a base URL.
    bare_host: bool = False


@dataclass(frozen=True)
class MediaSource:
    """Where a recording's audio may be fetched, and what may be sent there.

    `allowed_origins` are the only scheme://host[:port] the proxy may contact for this
    recording (the first request and any redirect); `headers` (credentials) are sent only to
    `credential_origin`.
    """

    url: str
    allowed_origins: frozenset[str]
    credential_origin: str = ""
    headers: Mapping[str, str] | None = None


def url_check(value: str) -> str:
    if not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+/?", value):
        return "must be a base URL like https://host (no path)"
    return ""


_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_origin(value: str, *, bare_host: bool = False) -> str:
    """A host setting as scheme://host[:port], so one origin written two ways compares equal.

    Only the harmless differences are smoothed (case, a trailing slash, the default port);
    anything unusual (a path, user info, a query) is kept as written, so it counts as a change.
    """
    value = value.strip()
    try:
        parts = urlsplit(f"https://{value}" if bare_host else value)
        port = parts.port
    except ValueError:
        return value
    scheme = parts.scheme.lower()
    if (
        scheme not in _DEFAULT_PORTS
        or not parts.hostname
        or "@" in parts.netloc
        or parts.path.strip("/")
        or parts.query
        or parts.fragment
    ):
        return value
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{scheme}://{host}" + ("" if port in (None, _DEFAULT_PORTS[scheme]) else f":{port}")


class Provider(ABC):
    """A voice provider's API, read through callviewer's HTTP seam."""

    name: ClassVar[str]  # "talkstack" | "signalwire" | "sinch"
    label: ClassVar[str]  # "TalkStack AI", shown to people
    settings_fields: ClassVar[tuple[Field, ...]]
    secret_fields: ClassVar[tuple[Field, ...]]
    # Whether the API keeps a call history to search; without one (Sinch v1) a project offers
    # what works instead: opening a call by its ID, and the calls callviewer has already seen.
    supports_search: ClassVar[bool] = True
    supports_recordings: ClassVar[bool] = True
    # What was said: a post-call analysis that answers questions, and recording transcripts.
    supports_analysis: ClassVar[bool] = False
    supports_transcripts: ClassVar[bool] = False
    # Whether a call may have child legs that `child_calls` lists (SignalWire's dialled legs).
    supports_legs: ClassVar[bool] = False
    # Whether a call's answer says its direction (inbound, outbound…); lists show the column
    # only for providers that do.
    gives_direction: ClassVar[bool] = True
    # Templates read a project's provider_class attributes; without this they would call
    # (instantiate) the class and read nothing.
    do_not_call_in_templates: ClassVar[bool] = True
    sid_pattern: ClassVar[re.Pattern[str]]  # what this provider's call SIDs look like
    sid_shape: ClassVar[str]  # the same in words, for an agent who pasted something else

    def __init__(self, settings: Mapping[str, Any], secrets: Mapping[str, str]) -> None:
        self.settings = {f.name: f.default for f in self.settings_fields} | {
            k: v for k, v in settings.items() if v not in (None, "")
        }
        self.secrets = dict(secrets)

    @classmethod
    def sid_fits(cls, sid: str) -> bool:
        return bool(cls.sid_pattern.fullmatch(sid))

    @classmethod
    def spell_sid(cls, text: str) -> str:
        """`text` as this provider spells its call SIDs, whatever the letter case it was typed
        in; "" when it is not one of this provider's SIDs in any case."""
        if not re.fullmatch(cls.sid_pattern.pattern, text, re.IGNORECASE):
            return ""
        return cls.sid_spelling(text)

    @classmethod
    def sid_spelling(cls, sid: str) -> str:
        """The provider's own letter case for a SID that fits, ignoring case (see spell_sid)."""
        return sid.lower()

    @classmethod
    def validate(cls, settings: Mapping[str, Any], secrets: Mapping[str, str]) -> dict[str, str]:
        """Plain-word problems with a project's configuration, by field name; empty when fine."""
        errors: dict[str, str] = {}
        for f in cls.settings_fields + cls.secret_fields:
            source = secrets if f in cls.secret_fields else settings
            value = str(source.get(f.name) or "").strip()
            if not value:
                if f.required:
                    errors[f.name] = f"{f.label} is required."
                continue
            if f.choices and value not in f.choices:
                errors[f.name] = f"{f.label} must be one of: {', '.join(f.choices)}."
            elif f.check and (problem := f.check(value)):
                errors[f.name] = f"{f.label} {problem}."
        return errors

    @classmethod
    def secrets_moved(
        cls, before: Mapping[str, Any], after: Mapping[str, Any]
    ) -> dict[str, tuple[Field, ...]]:
        """Secrets whose host differs between two settings: name -> the host settings changed.

        A secret's hosts are the origins its guarding settings name (a default counts). The
        same single origin named by another setting (a SignalWire space, then the same host
        as Base URL) is no move; with several origins, any difference is one.
        """
        moved: dict[str, tuple[Field, ...]] = {}
        for secret in cls.secret_fields:
            guards = [f for f in cls.settings_fields if secret.name in f.guards]
            old, new = _hosts(guards, before), _hosts(guards, after)
            if old == new:
                continue
            if len(set(old.values())) == 1 and set(old.values()) == set(new.values()):
                continue
            moved[secret.name] = tuple(f for f in guards if old.get(f.name) != new.get(f.name))
        return moved

    @property
    def currency(self) -> str:
        return str(self.settings.get("currency") or "USD")

    @property
    def region(self) -> str:
        """Region used to read phone numbers typed without a country code."""
        return str(self.settings.get("phone_region") or "US")

    @classmethod
    def outcome_facts(cls, call: Call) -> tuple[Fact, ...]:
        """How the call went in the provider's own terms, explained; shown beside the status."""
        return ()

    @classmethod
    def quality_facts(cls, call: Call) -> tuple[Fact, ...]:
        """The call's quality figures in words; none unless the provider measures them."""
        return ()

    @classmethod
    def other_party(cls, call: Call) -> Endpoint | None:
        """The side of the call that is not the project's own number.

        The caller of an inbound call, the person called of an outbound one; when the
        provider gives no direction, the caller.
        """
        direction = call.direction.strip().lower()
        if direction.startswith("outbound"):
            return call.to
        return call.from_

    def child_calls(self, call: Call) -> list[Call]:
        """The legs this call dialled (a bounded few); none unless `supports_legs`."""
        return []

    @abstractmethod
    def get_call(self, sid: str) -> Call:
        """One call by SID; raises NotFound when the provider does not know it."""

    @abstractmethod
    def search(self, query: SearchQuery, cursor: str | None = None) -> SearchPage:
        """A page of history matching `query`; `cursor` comes from the previous page."""

    @abstractmethod
    def list_recordings(self, call: Call) -> list[Recording]:
        """The call's recordings (empty when there are none or the API offers none)."""

    @abstractmethod
    def media_source(self, recording: Recording) -> MediaSource:
        """How the recording proxy may fetch this recording's audio."""

    @abstractmethod
    def test_connection(self) -> None:
        """A real, light request; raises ProviderError when it does not succeed."""

    def analyse(self, sid: str, questions: Sequence[Question]) -> Analysis:
        """The provider's answers to `questions` about a call that has ended.

        Each call may cost the customer money: whoever calls this keeps the answer.
        """
        raise NotSupported(self.label, f"{self.label}'s API offers no call analysis.")

    def list_transcripts(self, recording: Recording) -> list[Transcript]:
        """The transcriptions of one of a call's recordings (empty when there are none)."""
        raise NotSupported(self.label, f"{self.label}'s API offers no transcripts.")


def _hosts(fields: list[Field], settings: Mapping[str, Any]) -> dict[str, str]:
    """Setting name -> the origin it names, for the host settings that are set (or defaulted)."""
    hosts: dict[str, str] = {}
    for f in fields:
        value = str(settings.get(f.name) or "").strip() or f.default
        if value:
            hosts[f.name] = host_origin(value, bare_host=f.bare_host)
    return hosts
