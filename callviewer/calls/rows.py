"""One call as a row of search results, with the texts its cells show."""

from __future__ import annotations

from dataclasses import dataclass

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
