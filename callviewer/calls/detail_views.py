"""The call page, its live status and other-calls fragments and its recordings, by SID."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseStopPolling, reswap, trigger_client_event

from callviewer import capacity
from callviewer.database import release_connection
from callviewer.htmx import HtmxHttpRequest
from callviewer.projects.models import Project
from callviewer.providers.types import (
    Call,
    ProviderError,
    Recording,
    retry_after,
    worst_error,
)

from . import audit, links, liveness, lookup, others, recordings, seen, sids
from .models import AuditEvent, SeenCall
from .presentation import duration_text, present, ticket_text


@vary_on_headers("HX-Request")
@require_safe
def call_detail(request: HtmxHttpRequest, sid: str) -> HttpResponse:
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
def call_status(request: HtmxHttpRequest, sid: str) -> HttpResponse:
    """The status area, polled by HTMX while the call is live; 286 stops the polling."""
    slug = request.GET.get("project", "")
    if not request.htmx:
        return redirect(links.fragment_page(sid, slug))
    resolution = lookup.resolve(request.user, sid, slug)
    found = resolution.single
    if found is None:
        if resolution.failures:
            # Keep the last status shown and keep polling: only the note under it changes.
            context = {"refresh_errors": _errors(resolution)}
            return reswap(render(request, "calls/_status.html", context), "none")
        # Not (or no longer) in the agent's projects: a 404, like the page.
        return render(request, "calls/_status.html", {"sid": sid, "gone": True}, status=404)
    step = liveness.step_from(request.GET.get("stale", ""))
    final = found.call.is_final
    shown = call_context(request, found.project, found.call, sid, details=final, step=step)
    if not final:
        response = render(request, "calls/_status.html", shown)
        # A call stuck at the provider, asked about often enough: no more asks.
        return response if shown["live"].trigger else HttpResponseStopPolling(response.content)
    # Final now: the status area stops polling and the rest of the page (cost, duration,
    # recordings, extracted data) is swapped in out of band, in the same answer; "call-ended"
    # tells the parts waiting for the end (what was said) to load.
    html = render_to_string("calls/_status.html", shown | {"details_oob": True}, request)
    return trigger_client_event(HttpResponseStopPolling(html), "call-ended")


def _party_number(request: HtmxHttpRequest, project: Project, sid: str) -> str | None:
    """The number on the asked side of the call, never from the URL: from the calls seen,
    else (the page's own write of it may still be on its way) from the provider."""
    to_side = request.GET.get("side") == "to"
    known = SeenCall.objects.filter(project=project, sid=sid).first()
    if known is not None:
        return known.to_number if to_side else known.from_number
    found = lookup.resolve(request.user, sid, project.slug).single
    if found is None:
        return None
    party = found.call.to if to_side else found.call.from_
    return str(party) if party else None


@vary_on_headers("HX-Request")
@require_safe
def other_calls(request: HtmxHttpRequest, sid: str) -> HttpResponse:
    """The call page's "Other calls with this number", loaded after the page (HTMX)."""
    slug = request.GET.get("project", "")
    if not request.htmx:
        return redirect(links.fragment_page(sid, slug))
    project = Project.objects.for_user(request.user).filter(slug=slug).first() if slug else None
    number = _party_number(request, project, sid) if project else None
    if project is None or number is None:
        return render(request, "calls/_other_calls.html", {"gone": True}, status=404)
    found = others.other_calls(project, sid, number)
    status = found.errors[0].http_status if found.errors and not found.rows else 200
    context = {"project": project, "others": found, "other_calls_url": request.get_full_path()}
    return render(request, "calls/_other_calls.html", context, status=status)


@require_safe
@capacity.recording_stream
def recording(request: HtmxHttpRequest, sid: str, n: int) -> HttpResponseBase:
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
                return recordings.plain(first.http_status, first.message)
            return recordings.plain(404, f"No call {sid} in your projects.")
        project, call = found.project, found.call
        provider = project.client()
        try:
            listed = provider.list_recordings(call) if provider.supports_recordings else []
        except ProviderError as exc:
            return recordings.plain(exc.http_status, exc.message)
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


def call_context(
    request: HtmxHttpRequest,
    project: Project,
    call: Call,
    sid: str,
    *,
    details: bool = True,
    step: int = 0,
) -> dict[str, Any]:
    """Everything the page and its fragments show about one call.

    Their links use `sid`, the SID this page was opened with (and found by): they must lead
    back to the same call, whatever the provider's answer spells its SID as. `details`:
    the page's details are shown (recordings and legs are asked for); `step`: the slow asks
    already made about a call stuck at the provider (liveness.py).
    """
    provider = project.client()
    players, recordings_error = [], ""
    if details and provider.supports_recordings and call.is_final:
        try:
            listed = provider.list_recordings(call)
        except ProviderError as exc:
            recordings_error = exc.message
        else:
            # Kept a few minutes: the players and their transcripts fragments reuse it.
            recordings.remember(project, sid, listed)
            players = [
                _player(project, sid, n, r, provider.supports_transcripts)
                for n, r in enumerate(listed, 1)
            ]
    status_url = links.call_url(sid, project, links.STATUS)
    live = liveness.liveness(call, timezone.now(), step)
    view = present(call, project)
    page_url = request.build_absolute_uri(links.call_url(sid, project))
    context: dict[str, Any] = {
        "call": call,
        "project": project,
        "sid": call.sid,
        "live": live,
        "polling": bool(live.trigger and status_url),
        "status_url": status_url,
        "next_status_url": f"{status_url}&stale={live.next_step}" if live.next_step else status_url,
        "page_url": page_url,
        "ticket": ticket_text(call, project, view, page_url),
        "supports_recordings": provider.supports_recordings,
        "recordings": players,
        "recordings_error": recordings_error,
        "view": view,
        # The "What was said" card, loaded by HTMX once the page is shown.
        "analysis_url": links.call_url(sid, project, links.ANALYSIS)
        if provider.supports_analysis
        else "",
        "other_calls_url": _other_calls_url(project, call, sid),
    }
    return context | _legs(project, provider, call) if details else context


def _other_calls_url(project: Project, call: Call, sid: str) -> str:
    """Where the "Other calls with this number" card loads from; "" without such a number."""
    party = project.provider_class.other_party(call)
    url = links.call_url(sid, project, links.OTHER_CALLS)
    if party is None or party.kind != "number" or not url:
        return ""
    side = "to" if party is call.to else "from"
    return f"{url}&{urlencode({'side': side})}"


def _legs(project: Project, provider: Any, call: Call) -> dict[str, Any]:
    """The call's parent call and its child legs (SignalWire), as links of the same project."""
    parent_url = links.call_url(call.parent_sid, project) if call.parent_sid else ""
    children, legs_error = [], ""
    if provider.supports_legs:
        try:
            children = provider.child_calls(call)
        except ProviderError as exc:
            legs_error = exc.message
        seen.remember(project, children)
    return {
        "parent_url": parent_url,
        "children": [(child, links.call_url(child.sid, project)) for child in children],
        "legs_error": legs_error,
    }


def _player(
    project: Project, sid: str, n: int, recording: Recording, transcripts: bool
) -> dict[str, Any]:
    url = links.call_url(sid, project, links.RECORDING, n)
    transcripts_url = links.call_url(sid, project, links.TRANSCRIPTS, n) if transcripts else ""
    seconds = recording.duration
    return {
        "n": n,
        "url": url,
        "download_url": url + "&download=1",
        "seconds": seconds,
        "duration": duration_text(seconds) if seconds else "",
        "channels": recording.channels,
        "transcripts_url": transcripts_url,
    }


def unresolved(request: HtmxHttpRequest, resolution: lookup.Resolution) -> HttpResponse:
    """The chooser, the provider-error page or the not-found page for a SID."""
    if len(resolution.found) > 1:
        choices = [
            (f.project, f.call, links.call_url(resolution.sid, f.project)) for f in resolution.found
        ]
        return render(request, "calls/chooser.html", {"sid": resolution.sid, "choices": choices})
    if resolution.failures:
        worst = worst_error(f.error for f in resolution.failures)
        response = render(
            request,
            "calls/provider_error.html",
            {
                "sid": resolution.sid,
                "failures": _errors(resolution),
                "retry_url": request.get_full_path(),
            },
            status=worst.http_status,
        )
        if wait := retry_after([worst]):
            response["Retry-After"] = str(wait)
        return response
    context = {
        "sid": resolution.sid,
        "project_count": resolution.project_count,
        "pinned": resolution.pinned,
        "everywhere_url": links.call_url(resolution.sid),
        "sid_shapes": sids.shapes(),
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
