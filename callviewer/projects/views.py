"""The agent's own pages about projects and preferences."""

from __future__ import annotations

import zoneinfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .models import Project, preference_for


def project_list(request: HttpRequest) -> HttpResponse:
    projects = Project.objects.for_user(request.user)
    return render(request, "projects/project_list.html", {"projects": projects})


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    pref = preference_for(request.user)
    zones = [*sorted(z for z in zoneinfo.available_timezones() if "/" in z), "UTC"]
    error = ""
    if request.method == "POST":
        tz = request.POST.get("time_zone", "").strip()
        if tz and tz not in zones:
            error = f"“{tz}” is not a time zone this server knows. Pick one from the list."
        else:
            pref.time_zone = tz
            pref.save(update_fields=["time_zone"])
            request.session["tz"] = tz or "-"
            messages.success(request, f"Times are now shown in {tz or 'the server default (UTC)'}.")
            return redirect("preferences")
    status = 400 if error else 200
    return render(
        request,
        "projects/preferences.html",
        {"pref": pref, "zones": zones, "error": error},
        status=status,
    )
