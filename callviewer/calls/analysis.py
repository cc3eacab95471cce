"""What was said on a call: the provider's answers to questions about it, kept and reused.

Each analysis may cost the customer money, so:

- only a final call is ever analysed (a live one has nothing settled to say);
- a call is analysed once per set of questions: a `CallAnalysis` row is claimed (a unique
  constraint) before the provider is asked, so two page loads at once ask once; the other
  one sees "being prepared" and looks again. A claim whose asker died is taken over after
  `STALE_CLAIM`; one whose provider failed is let go, so the agent may try again;
- the project's standard questions are asked only when it has some (none: nothing is
  asked, and nothing is spent);
- an agent's own questions are rate-limited per agent and per project (`spend`), counted in
  the cache every app process shares.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from callviewer.projects import questions as rules
from callviewer.projects.models import Project
from callviewer.providers.types import Analysis, Answer, ProviderError, Question

from .models import CallAnalysis

Kind = CallAnalysis.Kind
# Longer than any provider request can take (connect + read timeouts, with retries).
STALE_CLAIM = dt.timedelta(seconds=120)
RATE_WINDOW = 3600  # the ask limits are per hour


def stored(analysis: Analysis) -> dict[str, Any]:
    """An Analysis as CallAnalysis.result keeps it (its questions are kept beside it)."""
    return {
        "answers": [a.value for a in analysis.answers],
        "summary": analysis.summary,
        "sentiment": analysis.sentiment,
        "unknown": analysis.unknown,
    }


def restored(row: CallAnalysis) -> Analysis:
    result = row.result if isinstance(row.result, dict) else {}
    if result.get("unknown"):
        return Analysis(unknown=str(result["unknown"]))
    questions = rules.from_dicts(row.questions)
    values = list(result.get("answers") or [])
    values += [None] * (len(questions) - len(values))
    return Analysis(
        answers=tuple(Answer(q, v) for q, v in zip(questions, values, strict=False)),
        summary=str(result.get("summary") or ""),
        sentiment=str(result.get("sentiment") or ""),
    )


def kept(
    project: Project, sid: str, kind: str, questions: Sequence[Question]
) -> CallAnalysis | None:
    """The answered analysis of these questions about this call, if there is one."""
    return CallAnalysis.objects.filter(
        project=project, sid=sid, kind=kind, questions_key=rules.key_of(questions), answered=True
    ).first()


def claim(
    project: Project,
    sid: str,
    kind: str,
    questions: Sequence[Question],
    user: AbstractBaseUser | AnonymousUser,
) -> tuple[CallAnalysis, bool]:
    """The analysis of these questions about this call, and whether the caller must ask.

    True only for the one request that created the row (or took over a stale claim): every
    other request gets the row as it stands, answered or being asked.
    """
    key = rules.key_of(questions)
    who = user if user.is_authenticated else None
    defaults = {
        "questions": rules.as_dicts(questions),
        "asked_by": who,
        "asked_by_name": who.get_username()[:150] if who else "",
    }
    try:
        with transaction.atomic():
            row, created = CallAnalysis.objects.get_or_create(
                project=project, sid=sid, kind=kind, questions_key=key, defaults=defaults
            )
    except IntegrityError:  # created by another request between the get and the create
        row = CallAnalysis.objects.get(project=project, sid=sid, kind=kind, questions_key=key)
        created = False
    if created or row.answered or row.asked_at > timezone.now() - STALE_CLAIM:
        return row, created
    # The request that claimed it never finished: the first to notice asks instead.
    now = timezone.now()
    taken = CallAnalysis.objects.filter(pk=row.pk, answered=False, asked_at=row.asked_at)
    if taken.update(asked_at=now, **defaults) != 1:
        row.refresh_from_db()
        return row, False
    row.refresh_from_db()
    return row, True


def ask(project: Project, row: CallAnalysis) -> Analysis:
    """Ask the provider about a claimed row and keep the answer; ProviderError lets it go."""
    try:
        analysis = project.client().analyse(row.sid, rules.from_dicts(row.questions))
    except ProviderError:
        CallAnalysis.objects.filter(pk=row.pk, answered=False).delete()
        raise
    row.result = stored(analysis)
    row.answered = True
    row.answered_at = timezone.now()
    row.save(update_fields=["result", "answered", "answered_at"])
    return analysis


def asked_about(project: Project, sid: str) -> list[CallAnalysis]:
    """The questions agents asked about this call and got answers to, oldest first."""
    return list(
        CallAnalysis.objects.filter(project=project, sid=sid, kind=Kind.ASKED, answered=True)
    )


class OverLimit(Exception):
    """An hourly allowance of questions is used up: `scope` is "agent" or "project"."""

    def __init__(self, scope: str, limit: int, wait: int) -> None:
        super().__init__(scope)
        self.scope, self.limit, self.wait = scope, limit, wait

    @property
    def message(self) -> str:
        whose = "you" if self.scope == "agent" else "this project's agents together"
        minutes = max(1, -(-self.wait // 60))
        return (
            f"{self.limit} questions an hour is the most {whose} may ask, and that many have "
            f"been asked this hour. Try again in {minutes} min."
        )


def spend(user: AbstractBaseUser | AnonymousUser, project: Project) -> None:
    """Count one question against the agent's and the project's hourly allowance.

    Raises OverLimit (and counts nothing) when either is used up. Fixed hourly windows,
    counted with the cache's atomic increment, so every app process sharing the cache
    (Redis) shares the count.
    """
    now = time.time()
    window = int(now // RATE_WINDOW)
    limits = [
        ("agent", f"ask-rate:agent:{user.pk}:{window}", settings.ASK_RATE_PER_AGENT),
        ("project", f"ask-rate:project:{project.pk}:{window}", settings.ASK_RATE_PER_PROJECT),
    ]
    counted: list[str] = []
    for scope, key, limit in limits:
        counted.append(key)
        if _count(key) > limit:
            for done in counted:
                _uncount(done)
            raise OverLimit(scope, limit, RATE_WINDOW - int(now % RATE_WINDOW))


def put(
    project: Project, sid: str, question: Question, user: AbstractBaseUser | AnonymousUser
) -> str:
    """Ask one question about a final call, or reuse the answer kept for it.

    Returns "kept" (asked before: nothing spent), "answered" or "busy" (another agent's same
    question is being asked right now). Raises OverLimit or ProviderError.
    """
    if kept(project, sid, Kind.ASKED, [question]) is not None:
        return "kept"
    spend(user, project)
    row, mine = claim(project, sid, Kind.ASKED, [question], user)
    if not mine:
        return "kept" if row.answered else "busy"
    ask(project, row)
    return "answered"


def _count(key: str) -> int:
    cache.add(key, 0, timeout=RATE_WINDOW + 60)
    try:
        return int(cache.incr(key))
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW + 60)
        return 1


def _uncount(key: str) -> None:
    with contextlib.suppress(ValueError):  # evicted meanwhile: nothing left to give back
        cache.decr(key)
