"""The agent's own pages about projects and preferences."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .models import Project, known_zone, preference_for, time_zones


def project_list(request: HttpRequest) -> HttpResponse:
    projects = Project.objects.for_user(request.user)
    return render(request, "projects/project_list.html", {"projects": projects})


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    pref = preference_for(request.user)
    error = ""
    if request.method == "POST":
        tz = str(request.POST.get("time_zone", "")).strip()
        if not known_zone(tz):
            error = f"“{tz[:64]}” is not a time zone this server knows. Pick one from the list."
        else:
            pref.time_zone = tz
            pref.save(update_fields=["time_zone"])
            request.session["tz"] = tz
            messages.success(request, f"Times are now shown in {tz}.")
            return redirect("preferences")
    current = pref.time_zone or settings.TIME_ZONE
    zones = time_zones()
    context = {
        "pref": pref,
        "current": current,
        "zones": zones if current in zones else [current, *zones],
        "error": error,
    }
    return render(request, "projects/preferences.html", context, status=400 if error else 200)
