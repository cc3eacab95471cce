"""Which of the agent's projects holds a call SID: a pinned project, the calls seen, or asking.

Links pasted into tickets are `/calls/<sid>/`, often without `?project=`. The calls the app
has already fetched (SeenCall) answer most of them in one query; otherwise every project of
the agent whose provider could have issued such a SID is asked at once, in threads. Only the
request thread touches the database: the threads hold provider clients, never models.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef

from callviewer.database import release_connection
from callviewer.projects.models import Project
from callviewer.providers.base import Provider
from callviewer.providers.types import Call, NotFound, ProviderError, UnexpectedAnswer
from callviewer.providers.values import bug_site

from . import seen
from .models import SeenCall

log = logging.getLogger(__name__)

MAX_THREADS = 8


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
    release_connection()  # the request waits on the providers without a database connection
    if len(asked) == 1:
        answers = [_get_call(asked[0][1], sid)]
    else:
        with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(asked) or 1)) as pool:
            answers = list(pool.map(lambda pc: _get_call(pc[1], sid), asked))
    for (project, _client), answer in zip(asked, answers, strict=True):
        if isinstance(answer, Call):
            resolution.found.append(Found(project, answer))
            seen.remember(project, [answer])
        elif not isinstance(answer, NotFound):
            resolution.failures.append(Failure(project, answer))


def _get_call(client: Provider, sid: str) -> Call | ProviderError:
    """The call, or the error that stands in its place (runs in a worker thread)."""
    try:
        return client.get_call(sid)
    except ProviderError as exc:
        return exc
    except Exception as exc:
        # A bug reading one provider must not hide the answers of the others.
        # Where, not what: an exception's text can quote a provider's values (numbers, URLs).
        log.error("Reading call from %s failed: %s", client.label, bug_site(exc))
        return UnexpectedAnswer(
            client.label, f"{client.label} sent an answer callviewer could not read."
        )
