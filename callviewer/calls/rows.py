"""One call as a row of search results, with the texts its cells show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from callviewer.projects.models import Project
from callviewer.providers.base import Provider
from callviewer.providers.types import Call

from .presentation import EMPTY, duration_text, money_text

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

    # The start cell's three texts, as the `date` filter wrote them ('c', "Y-m-d H:i:s" in the
    # agent's zone, and the same in UTC) at a fifth of its cost: 75 of them a page.
    @property
    def start_iso(self) -> str:
        return _local(self.call.start).isoformat() if self.call.start else ""

    @property
    def start_local(self) -> str:
        return _seconds(_local(self.call.start)) if self.call.start else ""

    @property
    def start_utc(self) -> str:
        return _seconds(_aware(self.call.start).astimezone(dt.UTC)) if self.call.start else ""

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


def _aware(moment: dt.datetime) -> dt.datetime:
    # Providers' times are aware; a naive one is read in the default zone, as templates do.
    if timezone.is_naive(moment):
        return timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _seconds(moment: dt.datetime) -> str:
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )
