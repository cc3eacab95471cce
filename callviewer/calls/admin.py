"""The audit trail in the admin: read-only, filtered by user, project, action and date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest

from .models import AuditEvent


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

    class Media:
        css = {"all": ["css/admin_audit.css"]}

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return DateSafeChangeList

    # A trail anyone could edit would prove nothing: view only, for everyone.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
