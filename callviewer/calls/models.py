"""Calls the app has seen (to resolve links and list Sinch calls) and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from callviewer.projects.models import Project


class SeenCall(models.Model):
    """A call callviewer fetched once: where it lives, and its summary at that time."""

    sid = models.CharField(max_length=80, db_index=True)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="seen_calls")
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)
    status = models.CharField(max_length=20, blank=True, default="")
    direction = models.CharField(max_length=20, blank=True, default="")
    from_number = models.CharField(max_length=200, blank=True, default="")
    to_number = models.CharField(max_length=200, blank=True, default="")
    start = models.DateTimeField(null=True, blank=True)
    duration = models.IntegerField(null=True, blank=True)
    cost = models.DecimalField(max_digits=14, decimal_places=6, null=True, blank=True)
    currency = models.CharField(max_length=8, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "sid"], name="seen_call_unique_per_project")
        ]
        ordering = ["-start", "-last_seen"]

    def __str__(self) -> str:
        return f"{self.sid} ({self.project.slug})"


class AuditEvent(models.Model):
    """Who looked at what, and who changed which project. Read-only in the admin.

    Looked at: call pages, recordings, searches, exports. Changed: a project's settings, its
    secrets (the fact, never a value) and who may see it.
    """

    class Action(models.TextChoices):
        VIEW_CALL = "view_call", "Viewed call"
        PLAY_RECORDING = "play_recording", "Played recording"
        DOWNLOAD_RECORDING = "download_recording", "Downloaded recording"
        SEARCH = "search", "Searched"
        EXPORT = "export", "Exported search"
        CREATE_PROJECT = "create_project", "Created project"
        CHANGE_PROJECT = "change_project", "Changed project settings"
        CHANGE_SECRETS = "change_secrets", "Changed project secrets"
        CHANGE_MEMBERS = "change_members", "Changed project members"
        DELETE_PROJECT = "delete_project", "Deleted project"

    when = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True, default="")
    action = models.CharField(max_length=30, choices=Action.choices)
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    project_slug = models.CharField(max_length=60, blank=True, default="")
    call_sid = models.CharField(max_length=80, blank=True, default="", db_index=True)
    detail = models.CharField(max_length=500, blank=True, default="")
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-when"]

    def __str__(self) -> str:
        return f"{self.when:%Y-%m-%d %H:%M} {self.username} {self.action} {self.call_sid}"
