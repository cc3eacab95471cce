"""The audit trail in the admin: read-only, filtered by user, project, action and date."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "when",
        "username",
        "action",
        "project_slug",
        "call_sid",
        "ip_address",
        "detail",
    )
    list_filter = ("action", "user", "project")
    date_hierarchy = "when"
    search_fields = ("call_sid", "username", "project_slug")
    list_select_related = ()
    show_full_result_count = False  # counting a long trail on every page is slow

    # A trail anyone could edit would prove nothing: view only, for everyone.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
