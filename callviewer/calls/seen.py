"""The table of calls the app has fetched: resolves links by SID and lists Sinch calls."""

from __future__ import annotations

from collections.abc import Iterable

from callviewer.projects.models import Project
from callviewer.providers.types import Call

from .models import SeenCall

_SUMMARY = (
    "status",
    "direction",
    "from_number",
    "to_number",
    "start",
    "duration",
    "cost",
    "currency",
    "last_seen",
)


def remember(project: Project, calls: Iterable[Call]) -> None:
    """Insert or refresh the summary of each call, in one query (an upsert on project + SID)."""
    rows = {
        call.sid: SeenCall(
            project=project,
            sid=call.sid,
            status=call.status,
            direction=call.direction[:20],
            from_number=str(call.from_ or "")[:200],
            to_number=str(call.to or "")[:200],
            start=call.start,
            duration=call.duration,
            cost=call.cost.amount if call.cost else None,
            currency=call.cost.currency if call.cost else "",
        )
        for call in calls
    }  # one row per SID: an upsert may not touch the same row twice
    if rows:
        SeenCall.objects.bulk_create(
            rows.values(),
            update_conflicts=True,
            unique_fields=["project", "sid"],
            update_fields=_SUMMARY,
        )
