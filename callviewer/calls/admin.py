"""The audit trail in the admin: read-only, filtered by user, project, action and date; and
the answers kept about calls (call analysis), to look at or remove."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html

from .models import AuditEvent, CallAnalysis


class DateSafeChangeList(ChangeList):
    """A changelist whose date filter treats a date the calendar cannot hold as a bad filter.

    Django checks that ?when__year=, __month= and __day= make a date, but not the ends of the
    calendar: year 9999 (or its last month or day) overflows computing the day after, and
    year 1 in a time zone ahead of UTC overflows on SQLite, which queries in UTC; each was a
    500. As a bad filter, the admin redirects to ?e=1 like for any other one.
    """

    def get_filters(self, request: HttpRequest) -> Any:
        try:
            filters = super().get_filters(request)
            for values in filters[2].values():  # the lookups, the date range's bounds included
                for value in values if isinstance(values, list) else [values]:
                    if isinstance(value, dt.datetime) and value.tzinfo is not None:
                        value.astimezone(dt.UTC)
        except (ValueError, OverflowError) as exc:
            raise IncorrectLookupParameters(exc) from exc
        return filters


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    # Short columns first, the free text last where it may wrap (css/admin_audit.css): the
    # project and call share a column, the time is one short line.
    list_display = ("moment", "username", "action", "project_and_call", "ip_address", "detail")
    list_filter = ("action", "user", "project")
    date_hierarchy = "when"
    search_fields = ("call_sid", "username", "project_slug")
    list_select_related = ()
    show_full_result_count = False  # counting a long trail on every page is slow

    class Media:
        css = {"all": ["css/admin_audit.css"]}

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return DateSafeChangeList

    @admin.display(description="When", ordering="when")
    def moment(self, obj: AuditEvent) -> str:
        return timezone.localtime(obj.when).strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description="Project and call", ordering="project_slug")
    def project_and_call(self, obj: AuditEvent) -> str:
        if not obj.call_sid:
            return obj.project_slug or "—"
        return format_html(
            '{}<br><span class="sid">{}</span>', obj.project_slug or "—", obj.call_sid
        )

    # A trail anyone could edit would prove nothing: view only, for everyone.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


@admin.register(CallAnalysis)
class CallAnalysisAdmin(admin.ModelAdmin):
    """What providers answered about calls. Removing one makes the next page load ask (and
    perhaps pay) again; nothing here can be written by hand."""

    list_display = ("sid", "project", "kind", "asked_by_name", "asked_at", "answered")
    list_filter = ("kind", "answered", "project")
    search_fields = ("sid",)
    readonly_fields = [f.name for f in CallAnalysis._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
