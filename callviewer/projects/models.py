"""Projects: a provider account, its settings and encrypted secrets, and who may see it."""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Mapping
from typing import Any

from django.conf import settings as django_settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from callviewer.providers import PROVIDER_CHOICES, provider_class
from callviewer.providers import types as provider_types
from callviewer.providers.base import Provider

from . import questions as rules
from .crypto import UndecryptableSecret, decrypt_secrets, encrypt_secrets


class ProjectQuerySet(models.QuerySet["Project"]):
    def for_user(self, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Project]:
        """The projects a person may see: direct membership or through one of their groups."""
        if not user.is_authenticated:
            return self.none()
        if getattr(user, "is_superuser", False):
            return self.all()
        return self.filter(Q(members=user) | Q(groups__user=user)).distinct()


class Project(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True)
    provider = models.CharField(max_length=20, choices=PROVIDER_CHOICES)
    settings = models.JSONField(default=dict, blank=True, help_text="Non-secret settings.")
    secrets_encrypted = models.TextField(blank=True, default="", editable=False)
    # {name: {"set_at": ISO time, "set_by": username}}: what the admin shows of a secret.
    secrets_meta = models.JSONField(default=dict, blank=True, editable=False)
    # [{"question", "type", "options"}]: asked about each final call (projects/questions.py).
    questions = models.JSONField(default=list, blank=True, editable=False)
    members = models.ManyToManyField(
        django_settings.AUTH_USER_MODEL, blank=True, related_name="callviewer_projects"
    )
    groups = models.ManyToManyField(Group, blank=True, related_name="callviewer_projects")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    # Secrets are only ever held in clear in memory, never on the model's fields.
    def get_secrets(self) -> dict[str, str]:
        return decrypt_secrets(self.secrets_encrypted)

    def set_secrets(self, secrets: Mapping[str, str], *, by: str) -> dict[str, str]:
        """Keep these secrets (empty ones dropped), noting when and by whom each changed.

        Returns what changed, never a value: name -> "set", "replaced" or "removed".
        """
        new = {k: v for k, v in secrets.items() if v}
        old: dict[str, str | None]
        try:
            old = dict(self.get_secrets())
        except UndecryptableSecret:
            # Unreadable: the secrets the metadata names were there, with unknown values.
            old = dict.fromkeys(self.secrets_meta)
        changes: dict[str, str] = {}
        for name in sorted(old.keys() | new.keys()):
            if name not in new:
                changes[name] = "removed"
            elif name not in old:
                changes[name] = "set"
            elif old[name] != new[name]:
                changes[name] = "replaced"
        meta = dict(self.secrets_meta)
        now = timezone.now().isoformat(timespec="seconds")
        for name, change in changes.items():
            if change == "removed":
                meta.pop(name, None)
            else:
                meta[name] = {"set_at": now, "set_by": by}
        self.secrets_encrypted = encrypt_secrets(new)
        self.secrets_meta = meta
        return changes

    @property
    def provider_class(self) -> type[Provider]:
        return provider_class(self.provider)

    @property
    def provider_label(self) -> str:
        return self.provider_class.label

    @property
    def keeps_history(self) -> bool:
        """Whether its provider keeps a call history to search (templates cannot ask the class)."""
        return self.provider_class.supports_search

    def client(self) -> Provider:
        """A provider client configured with this project's settings and secrets."""
        return self.provider_class(self.settings, self.get_secrets())

    def setting(self, name: str, default: Any = "") -> Any:
        return self.settings.get(name) or default

    @property
    def offers_analysis(self) -> bool:
        """Whether its provider can answer questions about a call (the call page's card)."""
        return self.provider_class.supports_analysis

    def standard_questions(self) -> list[provider_types.Question]:
        """The questions asked about each of its final calls, in the administrators' order."""
        return rules.from_dicts(self.questions or [])


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())  # reads the zone files once


def time_zones() -> list[str]:
    """The IANA zones an agent picks from: "Region/City" ones and UTC, in order."""
    return sorted(z for z in _known_zones() if "/" in z or z == "UTC")


def known_zone(name: str) -> bool:
    """Whether `name` is an IANA zone this server knows (aliases such as Asia/Calcutta too)."""
    return name in _known_zones()


class AgentPreference(models.Model):
    """Per-person choices the app remembers: time zone and the last project searched.

    `time_zone` is an IANA zone (known_zone), set from the browser on the first sign-in and
    changed on the preferences page; empty until then (settings.TIME_ZONE applies).
    """

    user = models.OneToOneField(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="callviewer_preference",
    )
    time_zone = models.CharField(max_length=64, blank=True, default="")
    last_project = models.CharField(max_length=60, blank=True, default="")  # slug, or "all"

    def __str__(self) -> str:
        return f"Preferences of {self.user}"


def preference_for(user: Any) -> AgentPreference:
    """The agent's preferences, read once per request: kept on `user` (the reverse one-to-one's
    cache), so a page that asks twice (the search: the remembered project, then the new choice)
    costs one query."""
    try:
        return user.callviewer_preference  # type: ignore[no-any-return]
    except AgentPreference.DoesNotExist:
        pref, _ = AgentPreference.objects.get_or_create(user=user)
        user.callviewer_preference = pref
        return pref


def adopt_browser_zone(user: Any, zone: str) -> str:
    """Take the browser's time zone as the agent's, when they have none yet; the zone taken,
    or "" when theirs stays (already chosen, or `zone` is not one the server knows)."""
    zone = zone.strip()[:64]
    if not known_zone(zone):
        return ""
    updated = AgentPreference.objects.filter(user=user, time_zone="").update(time_zone=zone)
    if not updated and not AgentPreference.objects.filter(user=user).exists():
        AgentPreference.objects.create(user=user, time_zone=zone)
        updated = 1
    return zone if updated else ""
