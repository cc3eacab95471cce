"""The call page, its live status fragment and its recordings, by SID."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseStopPolling, reswap

from callviewer.database import release_connection
from callviewer.projects.models import Project
from callviewer.providers.types import (
    Call,
    ProviderError,
    RateLimited,
    Recording,
    TimedOut,
)

from . import audit, links, lookup, recordings
from .models import AuditEvent
from .presentation import duration_text, present


@vary_on_headers("HX-Request")
@require_safe
def call_detail(request: HttpRequest, sid: str) -> HttpResponse:
    resolution = lookup.resolve(request.user, sid, request.GET.get("project", ""))
    found = resolution.single
    if found is None:
        return unresolved(request, resolution)
    audit.record_after_response(
        request, AuditEvent.Action.VIEW_CALL, project=found.project, call_sid=found.call.sid
    )
    context = call_context(request, found.project, found.call, sid)
    return render(request, "calls/detail.html", context)


@vary_on_headers("HX-Request")
@require_safe
def call_status(request: HttpRequest, sid: str) -> HttpResponse:
    """The status area, polled by HTMX while the call is live; 286 stops the polling."""
    slug = request.GET.get("project", "")
    if not getattr(request, "htmx", False):
        page = links.call_url(sid)
        return redirect(f"{page}?{urlencode({'project': slug})}" if slug else page)
    resolution = lookup.resolve(request.user, sid, slug)
    found = resolution.single
    if found is None:
        if resolution.failures:
            # Keep the last status shown and keep polling: only the note under it changes.
            context = {"refresh_errors": _errors(resolution)}
            return reswap(render(request, "calls/_status.html", context), "none")
        # Not (or no longer) in the agent's projects: a 404, like the page.
        return render(request, "calls/_status.html", {"sid": sid, "gone": True}, status=404)
    context = call_context(request, found.project, found.call, sid)
    if not found.call.is_final:
        return render(request, "calls/_status.html", context)
    # Final now: the status area stops polling and the rest of the page (cost, duration,
    # recordings, extracted data) is swapped in out of band, in the same answer.
    html = render_to_string("calls/_status.html", context | {"details_oob": True}, request)
    return HttpResponseStopPolling(html)


@require_safe
def recording(request: HttpRequest, sid: str, n: int) -> HttpResponseBase:
    """Recording `n` (1-based) of the call, streamed through callviewer; `?download=1` saves it.

    A browser seeking asks many ranges of one recording: the first request asks the provider
    about the call, the next ones (same agent's project, within a few minutes) reuse its list.
    """
    slug = request.GET.get("project", "")
    project = Project.objects.for_user(request.user).filter(slug=slug).first() if slug else None
    listed = recordings.remembered(project, sid) if project else None
    if project is None or listed is None:
        resolution = lookup.resolve(request.user, sid, slug)
        found = resolution.single
        if found is None:
            if resolution.failures:
                first = resolution.failures[0].error
                return recordings.plain(error_status(first), first.message)
            return recordings.plain(404, f"No call {sid} in your projects.")
        project, call = found.project, found.call
        provider = project.client()
        try:
            listed = provider.list_recordings(call) if provider.supports_recordings else []
        except ProviderError as exc:
            return recordings.plain(error_status(exc), exc.message)
        if call.is_final:
            recordings.remember(project, sid, listed)
    response, counts = recordings.serve(request, project.client(), listed, sid, n)
    if counts:
        download = request.GET.get("download") == "1"
        action = (
            AuditEvent.Action.DOWNLOAD_RECORDING if download else AuditEvent.Action.PLAY_RECORDING
        )
        audit.record(request, action, project=project, call_sid=sid, detail=f"recording {n}")
    release_connection()  # a stream may last minutes: not with a database connection
    return response


def call_context(request: HttpRequest, project: Project, call: Call, sid: str) -> dict[str, Any]:
    """Everything the page and its fragments show about one call.

    Their links use `sid`, the SID this page was opened with (and found by): they must lead
    back to the same call, whatever the provider's answer spells its SID as.
    """
    provider = project.client()
    players, recordings_error = [], ""
    if provider.supports_recordings and call.is_final:
        try:
            listed = provider.list_recordings(call)
        except ProviderError as exc:
            recordings_error = exc.message
        else:
            players = [_player(project, sid, n, r) for n, r in enumerate(listed, 1)]
    status_url = links.call_url(sid, project, links.STATUS)
    return {
        "call": call,
        "project": project,
        "sid": call.sid,
        "polling": not call.is_final and bool(status_url),
        "status_url": status_url,
        "page_url": request.build_absolute_uri(links.call_url(sid, project)),
        "supports_recordings": provider.supports_recordings,
        "recordings": players,
        "recordings_error": recordings_error,
        "view": present(call, project),
    }


def _player(project: Project, sid: str, n: int, recording: Recording) -> dict[str, Any]:
    url = links.call_url(sid, project, links.RECORDING, n)
    seconds = recording.duration
    return {
        "n": n,
        "url": url,
        "download_url": url + "&download=1",
        "seconds": seconds,
        "duration": duration_text(seconds) if seconds else "",
        "channels": recording.channels,
    }


def unresolved(request: HttpRequest, resolution: lookup.Resolution) -> HttpResponse:
    """The chooser, the provider-error page or the not-found page for a SID."""
    if len(resolution.found) > 1:
        choices = [
            (f.project, f.call, links.call_url(resolution.sid, f.project)) for f in resolution.found
        ]
        return render(request, "calls/chooser.html", {"sid": resolution.sid, "choices": choices})
    if resolution.failures:
        worst = max((f.error for f in resolution.failures), key=error_status)
        response = render(
            request,
            "calls/provider_error.html",
            {
                "sid": resolution.sid,
                "failures": _errors(resolution),
                "retry_url": request.get_full_path(),
            },
            status=error_status(worst),
        )
        if isinstance(worst, RateLimited) and worst.retry_after:
            response["Retry-After"] = str(int(worst.retry_after + 0.999))
        return response
    context = {
        "sid": resolution.sid,
        "project_count": resolution.project_count,
        "pinned": resolution.pinned,
        "everywhere_url": links.call_url(resolution.sid),
    }
    return render(request, "calls/not_found.html", context, status=404)


def _errors(resolution: lookup.Resolution) -> list[dict[str, Any]]:
    return [
        {
            "project": f.project,
            "provider": f.error.provider,
            "message": f.error.message,
            "kind": f.error.kind,
        }
        for f in resolution.failures
    ]


def error_status(error: ProviderError) -> int:
    """The HTTP status a page answers when the provider failed this way (never 500)."""
    if isinstance(error, TimedOut):
        return 504
    if isinstance(error, RateLimited):
        return 503
    return 502  # unavailable, credentials refused, unexpected answer: a bad gateway
