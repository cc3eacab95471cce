"""The other calls with a call's other party in the same project: a card of the call's page.

Searched like the search page would for that number (as caller or callee), or, for a provider
that keeps no history (Sinch), among the calls already seen; the newest few, this call left
out, with a link to the whole search.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from callviewer.projects.models import Project
from callviewer.providers.types import Endpoint, ProviderError

from . import search, seen
from .filters import Filters, search_url
from .numbers import InvalidNumber
from .presentation import party
from .rows import Row

LIMIT = 5


@dataclass
class OtherCalls:
    number: str  # as searched for
    shown: str = ""  # the number as the call page shows it (national in the project's region)
    rows: list[Row] = field(default_factory=list)
    errors: list[ProviderError] = field(default_factory=list)
    skipped: str = ""  # why nothing was searched, in words
    from_seen: bool = False  # listed from the calls seen: the provider keeps no history
    search_url: str = ""  # the whole search for this number


def other_calls(project: Project, sid: str, number: str) -> OtherCalls:
    """The newest calls of `project` to or from `number`, other than `sid`."""
    filters = Filters(number=number)
    shown = party(Endpoint(number), str(project.setting("phone_region", "US")))
    found = OtherCalls(
        number,
        shown.text if shown else number,
        search_url=search_url("calls:search", project.slug, filters),
    )
    if project.provider_class.supports_search:
        outcome = search.run([project], filters)
        seen.remember_rows(outcome.rows)
        rows = outcome.rows
        found.errors = outcome.errors
        found.skipped = next((r.skipped for r in outcome.results if r.skipped), "")
    else:
        found.from_seen = True
        try:
            rows, _number = seen.seen_calls(project, filters)
        except InvalidNumber as exc:
            rows, found.skipped = [], str(exc)
    rows = [r for r in rows if r.call.sid.lower() != sid.lower()]
    rows.sort(key=lambda r: -r.call.start.timestamp() if r.call.start else math.inf)
    found.rows = rows[:LIMIT]
    return found
