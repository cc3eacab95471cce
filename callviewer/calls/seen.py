"""The table of calls the app has fetched: resolves links by SID and lists Sinch calls."""

from __future__ import annotations

from collections.abc import Iterable

from callviewer.projects.models import Project
from callviewer.providers.types import Call

from .models import SeenCall


def remember(project: Project, calls: Iterable[Call]) -> None:
    """Insert or refresh the summary of each call (one query per call; pages are small)."""
    for call in calls:
        SeenCall.objects.update_or_create(
            project=project,
            sid=call.sid,
            defaults={
                "status": call.status,
                "direction": call.direction[:20],
                "from_number": str(call.from_ or "")[:200],
                "to_number": str(call.to or "")[:200],
                "start": call.start,
                "duration": call.duration,
                "cost": call.cost.amount if call.cost else None,
                "currency": call.cost.currency if call.cost else "",
            },
        )
