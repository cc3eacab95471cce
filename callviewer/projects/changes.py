"""What changed in a project, written to the audit trail: settings, secrets, members.

A secret appears only by name ("api_key set"), never by value, not even in part.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from callviewer.calls import audit
from callviewer.calls.models import AuditEvent

from . import questions
from .models import Project

Action = AuditEvent.Action


@dataclass(frozen=True)
class ProjectState:
    """A project's settings and who may see it, as compared before and after a change."""

    name: str
    slug: str
    provider: str
    settings: Mapping[str, Any]
    members: frozenset[str]
    groups: frozenset[str]
    questions: tuple[str, ...] = ()  # each as the admin writes it: "Boolean: Did ...?"


def state_of(project: Project) -> ProjectState:
    return ProjectState(
        name=project.name,
        slug=project.slug,
        provider=project.provider,
        settings=dict(project.settings),
        members=frozenset(u.get_username() for u in project.members.all()),
        groups=frozenset(g.name for g in project.groups.all()),
        questions=tuple(questions.as_text([q]) for q in project.standard_questions()),
    )


def _shown(value: Any) -> str:
    text = str(value) if value not in (None, "") else "(empty)"
    return text if len(text) <= 80 else text[:79] + "…"


def settings_detail(before: ProjectState | None, after: ProjectState) -> str:
    """The settings changed, as "base_url: https://a → https://b"; on creation, each one set."""
    values = {"name": after.name, "slug": after.slug, "provider": after.provider} | dict(
        after.settings
    )
    if before is None:
        return "; ".join(f"{k}: {_shown(v)}" for k, v in values.items() if v not in (None, ""))
    old = {"name": before.name, "slug": before.slug, "provider": before.provider} | dict(
        before.settings
    )
    keys = list(values) + [k for k in old if k not in values]
    return "; ".join(
        f"{k}: {_shown(old.get(k))} → {_shown(values.get(k))}"
        for k in keys
        if (old.get(k) or "") != (values.get(k) or "")
    )


def questions_detail(before: ProjectState | None, after: ProjectState) -> str:
    """The standard questions changed, as "questions added: Text: Why?" (or "reordered")."""
    old = before.questions if before else ()
    if old == after.questions:
        return ""
    parts = [f"questions added: {_shown(q)}" for q in after.questions if q not in old]
    parts += [f"questions removed: {_shown(q)}" for q in old if q not in after.questions]
    return "; ".join(parts) or "questions reordered"


def secrets_detail(changes: Mapping[str, str]) -> str:
    """The secrets changed, as "api_key set; twilio_auth_token removed": never a value."""
    return "; ".join(f"{name} {change}" for name, change in sorted(changes.items()))


def members_detail(before: ProjectState | None, after: ProjectState) -> str:
    """Who may see the project, as "members added: alice; groups removed: Support"."""
    parts: list[str] = []
    for kind, old, new in [
        ("members", before.members if before else frozenset(), after.members),
        ("groups", before.groups if before else frozenset(), after.groups),
    ]:
        if added := sorted(new - old):
            parts.append(f"{kind} added: {', '.join(added)}")
        if removed := sorted(old - new):
            parts.append(f"{kind} removed: {', '.join(removed)}")
    return "; ".join(parts)


def record_changes(
    before: ProjectState | None,
    project: Project,
    secret_changes: Mapping[str, str],
    *,
    request: HttpRequest | None = None,
    by: str = "",
) -> None:
    """Write what changed since `before` (None: just created), as `request`'s user or `by`."""
    after = state_of(project)
    events = [
        (
            Action.CREATE_PROJECT if before is None else Action.CHANGE_PROJECT,
            "; ".join(
                d for d in (settings_detail(before, after), questions_detail(before, after)) if d
            ),
        ),
        (Action.CHANGE_SECRETS, secrets_detail(secret_changes)),
        (Action.CHANGE_MEMBERS, members_detail(before, after)),
    ]
    for action, detail in events:
        if not detail:
            continue
        if request is not None:
            audit.record(request, action, project=project, detail=detail)
        else:
            audit.record_as(by, action, project=project, detail=detail)


def record_deletion(project: Project, request: HttpRequest) -> None:
    """Written before the delete: the trail keeps the slug once the project is gone."""
    detail = f"name: {_shown(project.name)}; provider: {project.provider}"
    audit.record(request, Action.DELETE_PROJECT, project=project, detail=detail)
