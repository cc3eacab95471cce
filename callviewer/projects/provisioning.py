"""Provisioning projects from a JSON file (`manage.py import_projects FILE.json`).

The file is a JSON list of entries:

    {"slug": "acme-support", "name": "Acme Support", "provider": "talkstack",
     "settings": {...}, "secrets": {...}, "members": ["alice"], "groups": ["Support"],
     "questions": [{"question": "Why?", "type": "Text"}, ...]}

The whole file is validated before anything is written; one bad entry means nothing changes.
Projects are matched by slug: new slugs are created, known ones updated. On update, the
secrets named in the file replace the stored ones, a secret given as null is removed, and
secrets left out are kept, so a file kept without secrets can still re-apply settings and
membership — unless it changes the host a kept secret is sent to: then that secret must be
given again (or removed), so a stored secret never goes to a host it was not entered for.
`questions` (the standard questions, projects/questions.py) replace the stored ones when
given (`[]` removes them all) and are kept when left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from callviewer.providers import registry
from callviewer.providers.types import Question

from . import questions as rules
from .changes import record_changes, state_of
from .crypto import UndecryptableSecret
from .models import Project
from .secrets import stale_secrets

# Who changed what, in the secrets' metadata and the audit trail, when the import did.
IMPORTER = "import_projects"
ENTRY_KEYS = ("slug", "name", "provider", "settings", "secrets", "members", "groups", "questions")
REQUIRED_KEYS = ("slug", "name", "provider")


class InvalidFile(Exception):
    """The file cannot be imported; `errors` name the entry and the field of each problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class Entry:
    slug: str
    name: str
    provider: str
    settings: dict[str, str]
    secrets: dict[str, str]
    members: list[Any] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    questions: list[Question] | None = None  # None: left out of the file, kept as they are


@dataclass
class Summary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"created {len(self.created)}, updated {len(self.updated)}, "
            f"unchanged {len(self.unchanged)}"
        )


def parse(text: str) -> list[Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidFile(
            [f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"]
        ) from exc
    if not isinstance(data, list):
        raise InvalidFile(["the file must hold a JSON list of projects"])
    return data


def _strings(raw: Any, where: str, errors: list[str]) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.append(f"{where}: must be an object")
        return {}
    out: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(value, bool) or (
            not isinstance(value, str | int | float) and value is not None
        ):
            errors.append(f"{where}.{key}: must be a string")
        elif value is not None and str(value).strip():
            out[str(key)] = str(value).strip()
    return out


def _nulls(raw: Any) -> set[str]:
    """The keys given as null: for secrets, "remove the stored value"."""
    return {str(k) for k, v in raw.items() if v is None} if isinstance(raw, dict) else set()


def _names(raw: Any, where: str, errors: list[str]) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(n, str) for n in raw):
        errors.append(f"{where}: must be a list of names")
        return []
    return list(raw)


def _validate_entry(
    index: int, raw: Any, existing: dict[str, Project]
) -> tuple[Entry | None, list[str]]:
    label = f"entry {index}"
    if not isinstance(raw, dict):
        return None, [f"{label}: must be an object"]
    if isinstance(raw.get("slug"), str):
        label = f'entry {index} ("{raw["slug"]}")'
    errors: list[str] = []
    for key in raw:
        if key not in ENTRY_KEYS:
            errors.append(f"{label}: {key}: unknown field (known: {', '.join(ENTRY_KEYS)})")
    for key in REQUIRED_KEYS:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            errors.append(f"{label}: {key}: is required (a non-empty string)")
    slug = str(raw.get("slug") or "").strip()
    if slug:
        try:
            validate_slug(slug)
        except ValidationError:
            errors.append(f"{label}: slug: only letters, numbers, hyphens and underscores")
    provider = str(raw.get("provider") or "").strip()
    providers = registry()
    if provider and provider not in providers:
        errors.append(
            f"{label}: provider: unknown provider {provider!r} (known: {', '.join(providers)})"
        )
    settings = _strings(raw.get("settings"), f"{label}: settings", errors)
    secrets = _strings(raw.get("secrets"), f"{label}: secrets", errors)
    removed = _nulls(raw.get("secrets"))
    asked: list[Question] | None = None
    if "questions" in raw:
        asked, problems = rules.from_entries(raw["questions"], f"{label}: questions")
        errors += problems
    member_names = _names(raw.get("members"), f"{label}: members", errors)
    group_names = _names(raw.get("groups"), f"{label}: groups", errors)
    if provider in providers:
        cls = providers[provider]
        known_settings = {f.name for f in cls.settings_fields}
        known_secrets = {f.name for f in cls.secret_fields}
        for key in settings.keys() - known_settings:
            errors.append(
                f"{label}: settings.{key}: not a {cls.label} setting "
                f"({', '.join(sorted(known_settings))})"
            )
        for key in (secrets.keys() | removed) - known_secrets:
            errors.append(
                f"{label}: secrets.{key}: not a {cls.label} secret "
                f"({', '.join(sorted(known_secrets))})"
            )
        stored: dict[str, str] = {}
        current = existing.get(slug)
        if current is not None and current.provider == provider:
            try:
                stored = current.get_secrets()
            except UndecryptableSecret:
                if not secrets:
                    errors.append(
                        f"{label}: secrets: the stored secrets cannot be decrypted; give them again"
                    )
            kept = stored.keys() - secrets.keys() - removed
            for name, problem in stale_secrets(cls, current.settings, settings, kept).items():
                errors.append(f"{label}: secrets.{name}: {problem}")
        kept_stored = {k: v for k, v in stored.items() if k not in removed}
        merged = {k: v for k, v in (kept_stored | secrets).items() if k in known_secrets}
        for name, problem in cls.validate(settings, merged).items():
            where = "secrets" if name in known_secrets else "settings"
            errors.append(f"{label}: {where}.{name}: {problem}")
        secrets = merged
    users = {
        u.get_username(): u for u in get_user_model().objects.filter(username__in=member_names)
    }
    for name in member_names:
        if name not in users:
            errors.append(f"{label}: members: no user named {name!r}")
    groups = {g.name: g for g in Group.objects.filter(name__in=group_names)}
    for name in group_names:
        if name not in groups:
            errors.append(f"{label}: groups: no group named {name!r}")
    if errors:
        return None, errors
    entry = Entry(
        slug=slug,
        name=str(raw["name"]).strip(),
        provider=provider,
        settings=settings,
        secrets=secrets,
        members=[users[n] for n in member_names],
        groups=[groups[n] for n in group_names],
        questions=asked,
    )
    return entry, []


def validate(data: list[Any]) -> list[Entry]:
    """Every entry checked; InvalidFile with all the problems found, or the entries."""
    existing = {p.slug: p for p in Project.objects.all()}
    entries: list[Entry] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(data, start=1):
        entry, problems = _validate_entry(index, raw, existing)
        errors += problems
        if entry:
            if entry.slug in seen:
                errors.append(
                    f'entry {index} ("{entry.slug}"): slug: also used by entry {seen[entry.slug]}'
                )
            seen[entry.slug] = index
            entries.append(entry)
    if errors:
        raise InvalidFile(errors)
    return entries


def _same(project: Project, entry: Entry) -> bool:
    try:
        stored = project.get_secrets()
    except UndecryptableSecret:
        return False
    return (
        project.name == entry.name
        and project.provider == entry.provider
        and project.settings == entry.settings
        and stored == entry.secrets
        and {u.pk for u in project.members.all()} == {u.pk for u in entry.members}
        and {g.pk for g in project.groups.all()} == {g.pk for g in entry.groups}
        and (entry.questions is None or project.standard_questions() == entry.questions)
    )


def apply(entries: list[Entry]) -> Summary:
    """Create or update the projects, all in one transaction."""
    summary = Summary()
    with transaction.atomic():
        for entry in entries:
            project = Project.objects.filter(slug=entry.slug).first()
            if project is not None and _same(project, entry):
                summary.unchanged.append(entry.slug)
                continue
            if project is None:
                before = None
                project = Project(slug=entry.slug)
                summary.created.append(entry.slug)
            else:
                before = state_of(project)
                summary.updated.append(entry.slug)
            project.name = entry.name
            project.provider = entry.provider
            project.settings = entry.settings
            if entry.questions is not None:
                project.questions = rules.as_dicts(entry.questions)
            secret_changes = project.set_secrets(entry.secrets, by=IMPORTER)
            project.save()
            project.members.set(entry.members)
            project.groups.set(entry.groups)
            record_changes(before, project, secret_changes, by=IMPORTER)
    return summary


def import_text(text: str, *, dry_run: bool = False) -> Summary:
    entries = validate(parse(text))
    if dry_run:
        summary = Summary()
        known = set(
            Project.objects.filter(slug__in=[e.slug for e in entries]).values_list(
                "slug", flat=True
            )
        )
        for e in entries:
            (summary.updated if e.slug in known else summary.created).append(e.slug)
        return summary
    return apply(entries)
