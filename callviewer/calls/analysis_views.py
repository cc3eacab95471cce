"""What was said on a call: the analysis card, the ask box and the recordings' transcripts.

Each is an HTMX fragment the call page loads after it has been shown, so nothing on the page
waits for them. Access is the call page's: the call is found among the agent's projects
(lookup.resolve), and one outside them answers 404 like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from callviewer.htmx import HtmxHttpRequest
from callviewer.projects.models import Project
from callviewer.providers.types import ProviderError, Question, worst_error

from . import analysis, audit, links, lookup, recordings
from .forms import AskForm
from .models import AuditEvent
from .presentation import money_text

Kind = analysis.Kind


@vary_on_headers("HX-Request")
@require_safe
def call_analysis(request: HtmxHttpRequest, sid: str) -> HttpResponse:
    """The "What was said" card: the answers to the project's standard questions."""
    found = _found(request, sid, "calls/_analysis.html")
    if isinstance(found, HttpResponse):
        return found
    project, call = found.project, found.call
    context = _ask_context(request, found, sid, AskForm())
    questions = project.standard_questions()
    if not (call.is_final and project.offers_analysis and questions):
        return render(request, "calls/_analysis.html", context | {"no_questions": True})
    row, mine = analysis.claim(project, sid, Kind.STANDARD, questions, request.user)
    if mine:
        try:
            analysis.ask(project, row)
        except ProviderError as exc:
            _audit(request, AuditEvent.Action.ANALYSE_CALL, project, sid, f"failed: {exc.kind}")
            context |= {"error": exc.message, "retry_url": request.get_full_path()}
            return render(request, "calls/_analysis.html", context, status=exc.http_status)
        detail = f"{len(questions)} standard questions: answered"
        _audit(request, AuditEvent.Action.ANALYSE_CALL, project, sid, detail)
    if not row.answered:  # another page load is asking: look again in a moment
        context["preparing_url"] = request.get_full_path()
    else:
        context["analysis"] = analysis.restored(row)
    return render(request, "calls/_analysis.html", context)


@require_POST
def ask_question(request: HtmxHttpRequest, sid: str) -> HttpResponse:
    """The ask box's answer: the question put to the provider (or its kept answer)."""
    found = _found(request, sid, "calls/_ask.html")
    if isinstance(found, HttpResponse):
        return found
    form = AskForm(request.POST)
    if not found.project.offers_analysis:
        return _ask_box(request, found, sid, form, {}, status=400)
    if not found.call.is_final:  # nothing is asked about a live call
        return _ask_box(request, found, sid, form, {}, status=409)
    if not form.is_valid():
        return _ask_box(request, found, sid, form, {}, status=400)
    question = form.asked
    try:
        outcome = analysis.put(found.project, sid, question, request.user)
    except analysis.OverLimit as over:
        _audit_ask(request, found.project, sid, question, f"refused: {over.scope} limit")
        response = _ask_box(request, found, sid, form, {"error": over.message}, status=429)
        response["Retry-After"] = str(over.wait)
        return response
    except ProviderError as exc:
        _audit_ask(request, found.project, sid, question, f"failed: {exc.kind}")
        context = {"error": exc.message}
        return _ask_box(request, found, sid, form, context, status=exc.http_status)
    _audit_ask(request, found.project, sid, question, outcome)
    return _ask_box(request, found, sid, AskForm(), {"outcome": outcome})


@vary_on_headers("HX-Request")
@require_safe
def transcripts(request: HtmxHttpRequest, sid: str, n: int) -> HttpResponse:
    """The transcripts of recording `n` (1-based) of the call, beside its player."""
    slug = request.GET.get("project", "")
    project = Project.objects.for_user(request.user).filter(slug=slug).first() if slug else None
    listed = recordings.remembered(project, sid) if project else None
    context: dict[str, Any] = {"n": n}
    try:
        if project is None or listed is None:
            found = _found(request, sid, "calls/_transcripts.html")
            if isinstance(found, HttpResponse):
                return found
            project = found.project
            listed = project.client().list_recordings(found.call) if found.call.is_final else []
        if not project.provider_class.supports_transcripts:
            context["error"] = f"{project.provider_label}'s API offers no transcripts."
            return render(request, "calls/_transcripts.html", context, status=404)
        if not 1 <= n <= len(listed):
            context["error"] = f"Call {sid} has no recording {n}."
            return render(request, "calls/_transcripts.html", context, status=404)
        found_transcripts = project.client().list_transcripts(listed[n - 1])
        context["transcripts"] = [{"t": t, "cost": money_text(t.cost)} for t in found_transcripts]
    except ProviderError as exc:
        context |= {"error": exc.message, "retry_url": request.get_full_path()}
        return render(request, "calls/_transcripts.html", context, status=exc.http_status)
    return render(request, "calls/_transcripts.html", context)


def _found(request: HtmxHttpRequest, sid: str, template: str) -> lookup.Found | HttpResponse:
    """The call among the agent's projects, or `template` saying why not (404, 502, ...)."""
    slug = request.GET.get("project", "")
    if not request.htmx and request.method == "GET":
        return redirect(links.fragment_page(sid, slug))  # a fragment is no page: the call's is
    resolution = lookup.resolve(request.user, sid, slug)
    if resolution.single is not None:
        return resolution.single
    if resolution.failures:
        error = worst_error(f.error for f in resolution.failures)
        context = {"error": error.message, "retry_url": request.get_full_path()}
        return render(request, template, context, status=error.http_status)
    return render(request, template, {"error": f"No call {sid} in your projects."}, status=404)


def _ask_context(
    request: HtmxHttpRequest, found: lookup.Found, sid: str, form: AskForm
) -> dict[str, Any]:
    project, call = found.project, found.call
    return {
        "project": project,
        "call": call,
        "sid": sid,
        "form": form,
        "ask_url": links.call_url(sid, project, links.ASK),
        "asked": [
            {"row": row, "analysis": analysis.restored(row)}
            for row in analysis.asked_about(project, sid)
        ],
    }


def _ask_box(
    request: HtmxHttpRequest,
    found: lookup.Found,
    sid: str,
    form: AskForm,
    extra: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    context = _ask_context(request, found, sid, form) | extra
    return render(request, "calls/_ask.html", context, status=status)


def _audit_ask(
    request: HtmxHttpRequest, project: Project, sid: str, question: Question, outcome: str
) -> None:
    # The question's type and length, never its text: an agent may type a caller's name or
    # number into it, and the trail is kept for a year and read by administrators. The text
    # is kept with its answer on the call (CallAnalysis), where only the project's agents see it.
    detail = f"{question.type} question of {len(question.question)} characters: {outcome}"
    _audit(request, AuditEvent.Action.ASK_QUESTION, project, sid, detail)


def _audit(request: HtmxHttpRequest, action: str, project: Project, sid: str, detail: str) -> None:
    audit.record(request, action, project=project, call_sid=sid, detail=detail)
