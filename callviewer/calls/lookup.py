"""Which of the agent's projects holds a call SID: a pinned project, the calls seen, or asking.

Links pasted into tickets are `/calls/<sid>/`, often without `?project=`. The calls the app
has already fetched (SeenCall) answer most of them in one query; otherwise every project of
the agent whose provider could have issued such a SID is asked at once (fanout.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef

from callviewer.projects.models import Project
from callviewer.providers.types import Call, NotFound, ProviderError

from . import fanout, seen
from .models import SeenCall


@dataclass(frozen=True)
class Found:
    project: Project
    call: Call


@dataclass(frozen=True)
class Failure:
    project: Project
    error: ProviderError


@dataclass
class Resolution:
    """What asking for a SID gave: the call (once or in several projects), or why not."""

    sid: str
    project_count: int  # how many projects the agent may see
    found: list[Found] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    pinned: Project | None = None

    @property
    def single(self) -> Found | None:
        return self.found[0] if len(self.found) == 1 else None


def resolve(user: AbstractBaseUser | AnonymousUser, sid: str, slug: str = "") -> Resolution:
    """Find `sid` among the projects `user` may see; `slug` pins one project."""
    if slug:
        projects = list(Project.objects.for_user(user))
        pinned = next((p for p in projects if p.slug == slug), None)
        resolution = Resolution(sid, len(projects), pinned=pinned)
        if pinned is not None:
            _ask(resolution, [pinned])
        return resolution
    # The agent's projects and which of them has seen the call, in one query.
    seen_here = SeenCall.objects.filter(sid=sid, project=OuterRef("pk"))
    projects = list(Project.objects.for_user(user).annotate(holds_sid=Exists(seen_here)))
    seen_ids = {p.pk for p in projects if p.holds_sid}  # type: ignore[attr-defined]
    resolution = Resolution(sid, len(projects))
    _ask(resolution, [p for p in projects if p.pk in seen_ids])
    if not resolution.found and not resolution.failures:
        # Not seen (or no longer there): ask every other project that could hold it.
        _ask(resolution, [p for p in projects if p.pk not in seen_ids])
    return resolution


def _ask(resolution: Resolution, projects: Iterable[Project]) -> None:
    """Ask each project whose provider's SID format fits; record the answers."""
    sid = resolution.sid
    asked = [(p, p.client()) for p in projects if p.provider_class.sid_fits(sid)]
    answers = fanout.ask(
        [(client, lambda c: c.get_call(sid)) for _p, client in asked], "Reading call from"
    )
    for (project, _client), answer in zip(asked, answers, strict=True):
        if isinstance(answer, Call):
            resolution.found.append(Found(project, answer))
            seen.remember(project, [answer])
        elif not isinstance(answer, NotFound):
            resolution.failures.append(Failure(project, answer))
