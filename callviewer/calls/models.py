"""Calls the app has seen (to resolve links and list Sinch calls), the answers kept about
calls (call analysis), and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

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


class CallAnalysis(models.Model):
    """A provider's answers to questions about one final call, kept and shown again.

    The past does not change and each analysis may cost money, so a call is analysed once
    per set of questions: the row is claimed (unique) before the provider is asked, and
    `questions_key` (a hash of the questions, in order) makes changed questions ask again.
    """

    class Kind(models.TextChoices):
        STANDARD = "standard", "The project's standard questions"
        ASKED = "asked", "Asked by an agent"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    sid = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    questions_key = models.CharField(max_length=64)
    questions = models.JSONField(default=list)  # [Question.as_dict()], as asked
    answered = models.BooleanField(default=False)  # False: claimed, the provider is being asked
    result = models.JSONField(default=dict)  # calls/analysis.py: stored(Analysis)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_by_name = models.CharField(max_length=150, blank=True, default="")
    asked_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "sid", "kind", "questions_key"], name="call_analysed_once"
            )
        ]
        ordering = ["asked_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} analysis of {self.sid} ({self.project.slug})"


class AuditEvent(models.Model):
    """Who looked at what, and who changed which project. Read-only in the admin.

    Looked at: call pages, recordings, searches, exports. Changed: a project's settings, its
    secrets (the fact, never a value) and who may see it. Asked: a call analysed for its
    standard questions, a question asked about a call (its type and length, never its text).
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
        ANALYSE_CALL = "analyse_call", "Had a call analysed"
        ASK_QUESTION = "ask_question", "Asked about a call"

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
