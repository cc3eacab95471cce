"""The call-history search page, its HTMX fragments, and the CSV export of a search."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, push_url, reswap

from callviewer.htmx import HtmxHttpRequest
from callviewer.projects.models import Project, preference_for
from callviewer.providers.types import retry_after, worst_status

from . import audit, cursors, export, links, numbers, seen
from . import search as history
from .filters import ALL, MATCHES, RANGES, Filters, pick_projects, search_url
from .forms import SearchForm, status_groups
from .models import AuditEvent


@vary_on_headers("HX-Request", "X-Typing")
@require_safe
def search(request: HtmxHttpRequest) -> HttpResponse:
    """The search page; as an HTMX request, only its results (or, with `after`, more rows)."""
    form, picked, context = _parse(request)
    if picked is None:
        return _render(request, context, status=404)
    if form.incomplete:
        return _keep_typing(request, context)
    if form.is_valid() and form.cleaned_data["sid"]:
        return _open_call(request, form)
    if not form.is_valid() or not picked:
        return _render(request, context, status=400 if form.errors else 200)
    _remember_choice(request, form.project_slug)
    filters = form.filters()
    if context["no_history"]:
        return _render(request, context | _seen_context(request, picked[0], filters))
    try:
        places = _places(request, form.project_slug, filters)
    except cursors.BadCursor as exc:
        return _bad_cursor(request, context, form.project_slug, exc)
    more = places is not None
    outcome = history.run(picked, filters, places)
    seen.remember_rows(outcome.rows)
    _record_search(request, form.project_slug, picked, filters, outcome, more)
    after = str(request.GET.get("after", "")) if more else ""
    context |= _results_context(form.project_slug, filters, outcome, after)
    if not outcome.all_failed:
        return _render(request, context, more=more)
    response = _render(request, context, status=worst_status(outcome.errors), more=more)
    if wait := retry_after(outcome.errors):
        response["Retry-After"] = str(wait)
    return response


@require_safe
def export_csv(request: HtmxHttpRequest) -> HttpResponse:
    """The current search as CSV: same filters and scope, every page up to a cap."""
    form, picked, _context = _parse(request)
    if picked is None:
        return _plain(404, "No such project among yours: nothing to export.")
    if not form.is_valid() or not picked:
        problems = [str(e) for errors in form.errors.values() for e in errors]
        return _plain(400, "Cannot export this search. " + " ".join(problems or ["No projects."]))
    filters = form.filters()
    searchable = [p for p in picked if p.provider_class.supports_search]
    if not searchable:
        label = picked[0].provider_label
        return _plain(400, f"{label}'s API keeps no call history, so there is nothing to export.")
    rows, outcome, truncated = export.export_all(searchable, filters)
    if outcome.all_failed:
        messages = " ".join(e.message for e in outcome.errors)
        return _plain(worst_status(outcome.errors), f"Export failed. {messages}")
    notes = _export_notes(outcome, truncated, [p for p in picked if p not in searchable])
    audit.record(
        request,
        AuditEvent.Action.EXPORT,
        project=picked[0] if form.project_slug != ALL else None,
        detail=f"{len(rows)} rows, {_scope_words(form.project_slug, picked)}: "
        + filters.words(outcome.numbers),
    )
    body = export.csv_text(rows, request.build_absolute_uri("/").rstrip("/"), notes)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    suffix = f"-first-{export.EXPORT_MAX_ROWS}" if truncated else ""
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="calls-{form.project_slug}-{stamp}{suffix}.csv"'
    )
    return response


def _parse(request: HtmxHttpRequest) -> tuple[SearchForm, list[Project] | None, dict[str, Any]]:
    """The form, the projects it covers (None: not the agent's) and the page's base context."""
    projects = list(Project.objects.for_user(request.user))
    remembered = preference_for(request.user).last_project
    zone = timezone.get_current_timezone()
    typing = _fragment(request) and request.headers.get("X-Typing") == "true"
    form = SearchForm(
        request.GET, projects=projects, remembered=remembered, zone=zone, typing=typing
    )
    form.is_valid()
    slug = form.project_slug
    picked = pick_projects(slug, projects) if slug else None
    number = form.cleaned_data.get("number", "").strip()
    if picked and (problem := numbers.number_problem(picked, number)):
        form.number_problem(problem, [p.client().region for p in picked])
    context: dict[str, Any] = {
        "form": form,
        "projects": projects,
        "slug": slug if picked is not None else ALL,
        "all_mode": slug == ALL,
        "status_groups": status_groups(),
        "matches": MATCHES,
        "values": {name: form.value(name) for name in form.fields}
        | {"match": form.value("match") or "either"},
        "date_errors": [*form.errors.get("date_from", []), *form.errors.get("date_to", [])],
        "ranges": [(name, words) for name, (words, _back) in RANGES.items()],
        "range_used": form.range_used,
        "no_history": picked is not None and len(picked) == 1 and not picked[0].keeps_history,
    }
    if picked is None:
        context["unknown_project"] = str(request.GET.get("project", ""))[:60]
    return form, picked, context


def _fragment(request: HtmxHttpRequest) -> bool:
    # A history restore after a cache miss needs the whole page, not a fragment.
    return bool(request.htmx) and not request.htmx.history_restore_request


def _render(
    request: HtmxHttpRequest, context: dict[str, Any], *, status: int = 200, more: bool = False
) -> HttpResponse:
    if not _fragment(request):
        return render(request, "calls/search.html", context, status=status)
    template = "calls/_rows.html" if more else "calls/_results.html"
    response = render(request, template, context | {"oob": not more}, status=status)
    if not more and context.get("search_url"):
        response = push_url(response, context["search_url"])
    return response


def _keep_typing(request: HtmxHttpRequest, context: dict[str, Any]) -> HttpResponse:
    """A value still being typed that more typing can make valid: no error, no search, and
    the results on screen stay (only the fields' notes change, out of band)."""
    response = render(request, "calls/_typing.html", context | {"oob": True})
    return push_url(reswap(response, "none"), False)


def _open_call(request: HtmxHttpRequest, form: SearchForm) -> HttpResponse:
    """Open the call in whichever of the agent's projects holds it (lookup.resolve, on its
    page): the project picked here does not narrow it; a pasted callviewer link's does."""
    sid, slug = form.cleaned_data["sid"], form.sid_project
    pinned = next((p for p in form.projects if p.slug == slug), None) if slug else None
    url = (pinned and links.call_url(sid, pinned)) or links.call_url(sid)
    if _fragment(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _remember_choice(request: HtmxHttpRequest, slug: str) -> None:
    if "project" not in request.GET:
        return
    pref = preference_for(request.user)
    if pref.last_project != slug:
        pref.last_project = slug
        pref.save(update_fields=["last_project"])


def _record_search(
    request: HtmxHttpRequest,
    slug: str,
    picked: list[Project],
    filters: Filters,
    outcome: history.Outcome,
    more: bool,
) -> None:
    audit.record_search(
        request,
        project=picked[0] if slug != ALL else None,
        detail=f"{_scope_words(slug, picked)}: {filters.words(outcome.numbers)}",
        more=more,
    )


def _scope_words(slug: str, picked: list[Project]) -> str:
    if slug == ALL:
        return f"all {len(picked)} projects"
    return f"project {picked[0].slug}"


def _places(request: HtmxHttpRequest, slug: str, filters: Filters) -> list[cursors.Place] | None:
    """Where "More results" goes on, from its token; None for the first page. A whole page
    (not a fragment) starts from the top. Raises BadCursor for a token it cannot follow."""
    after = str(request.GET.get("after", ""))
    if not after:
        return None
    places = cursors.decode(after, _scope(slug, filters))
    return places if _fragment(request) else None


def _bad_cursor(
    request: HtmxHttpRequest, context: dict[str, Any], slug: str, exc: cursors.BadCursor
) -> HttpResponse:
    """A "More results" token that cannot be followed: a 400 that says so where rows go."""
    columns = 10 if slug == ALL else 9  # a row of its own across the table: wide enough
    bad = context | {"bad_cursor": str(exc), "rows": [], "lines": [], "columns": columns}
    return _render(request, bad, status=400, more=_fragment(request))


def _scope(slug: str, filters: Filters) -> str:
    """What a "More results" token belongs to: the projects searched, the filters, and the
    time zone whose days the dates are."""
    return f"{search_url('calls:search', slug, filters)}#{filters.zone}"


def _results_context(
    slug: str, filters: Filters, outcome: history.Outcome, after: str
) -> dict[str, Any]:
    """The results' context; `after` is the "More results" token this page continues from."""
    single = outcome.results[0] if slug != ALL and outcome.results else None
    more_url = retry_more_url = ""
    if outcome.places:
        token = cursors.encode(outcome.places, _scope(slug, filters))
        more_url = search_url("calls:search", slug, filters, after=token)
    if after and outcome.all_failed:
        retry_more_url = search_url("calls:search", slug, filters, after=after)
    show_direction = any(r.project.provider_class.gives_direction for r in outcome.results)
    return {
        "filters": filters,
        "outcome": outcome,
        "rows": outcome.rows,
        "lines": outcome.lines,
        "words": filters.words(outcome.numbers),
        "project": single.project if single else None,
        "search_url": search_url("calls:search", slug, filters),
        "export_url": search_url("calls:export", slug, filters),
        "more": bool(after),
        "more_url": more_url,
        "retry_more_url": retry_more_url,
        "show_direction": show_direction,
        "columns": (8 if single else 9) + show_direction,
    }


def _seen_context(request: HtmxHttpRequest, project: Project, filters: Filters) -> dict[str, Any]:
    """A project whose provider keeps no history: the calls already seen in callviewer.

    Only the number narrows them: the page offers no status or dates for such a project, so
    any in the URL are not applied where nobody can see them.
    """
    filters = replace(filters, status="", date_from=None, date_to=None)
    rows, number = seen.seen_calls(project, filters)
    words = filters.words([number] if number else [])
    audit.record_search(
        request, project=project, detail=f"calls seen, project {project.slug}: {words}"
    )
    return {
        "seen_mode": True,
        "filters": filters,
        "project": project,
        "seen": rows,
        "seen_limit": seen.SEEN_LIMIT,
        "words": words,
        "show_direction": project.provider_class.gives_direction,
        "columns": 8 + project.provider_class.gives_direction,
        "search_url": search_url("calls:search", project.slug, filters),
    }


def _export_notes(
    outcome: history.Outcome, truncated: bool, unsearchable: list[Project]
) -> list[str]:
    notes = []
    if truncated:
        notes.append(
            f"Stopped at {export.EXPORT_MAX_ROWS} rows or the provider's bound: "
            "more calls match. Narrow the dates to export the rest."
        )
    notes += [gap.words for gap in outcome.gaps]
    for result in outcome.results:
        if result.stopped:
            notes.append(
                f"{result.project.name} ({result.label}) is incomplete: {result.stopped}. "
                "Narrow the dates to export the rest."
            )
        for error in result.errors:
            notes.append(f"{result.project.name} ({result.label}) is missing: {error.message}")
        if result.skipped:
            notes.append(f"{result.project.name} not exported: {result.skipped}")
    for project in unsearchable:
        notes.append(
            f"{project.name} not exported: {project.provider_label} keeps no call history."
        )
    return notes


def _plain(status: int, message: str) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
