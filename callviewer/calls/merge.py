"""Merging the calls of several projects (and of both sides of a number) into one list."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from callviewer.projects.models import Project
from callviewer.providers.types import Call

from . import links
from .rows import Row


def merge(lists: Iterable[tuple[Project, Sequence[Call]]]) -> list[Row]:
    """Every list of calls merged by start time, newest first, each call once per project.

    A single list is kept in the provider's own order, row for row (SignalWire orders by
    creation, which can differ from the start by a ring); several lists are sorted by start,
    ties keeping the order they came in. Calls without a start go last.
    """
    lists = list(lists)
    items = [(project, call) for project, calls in lists for call in calls]
    if len([calls for _project, calls in lists if calls]) > 1:
        items.sort(key=lambda item: -item[1].start.timestamp() if item[1].start else math.inf)
    rows: list[Row] = []
    known: set[tuple[int, str]] = set()
    for project, call in items:
        if (project.pk, call.sid) in known:
            continue
        known.add((project.pk, call.sid))
        rows.append(Row(project, call, links.call_url(call.sid, project)))
    return rows
