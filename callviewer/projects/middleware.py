"""Activate the signed-in agent's time zone for every request."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


def agent_timezone(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        name = ""
        if request.user.is_authenticated:
            name = request.session.get("tz") or ""
            if not name:
                pref = getattr(request.user, "callviewer_preference", None)
                name = pref.time_zone if pref else ""
                request.session["tz"] = name or "-"
        try:
            if name and name != "-":
                timezone.activate(zoneinfo.ZoneInfo(name))
            else:
                timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return get_response(request)

    return middleware
