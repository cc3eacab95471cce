"""Recording who looked at what, and who changed which project (AuditEvent)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone

from callviewer import after_response, client_address
from callviewer.projects.models import Project

from .models import AuditEvent

# Searches asked this close together are one search, settling (record_search).
SEARCH_SETTLES_SECONDS = 10
# "More results" continues a search on record this recent (an agent reads, then asks more).
MORE_RESULTS_SECONDS = 12 * 3600
_MORE_SHOWN = "; more results shown"


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, behind the proxies named in TRUSTED_PROXIES (client_address)."""
    return client_address.client_ip(request)


def record(
    request: HttpRequest,
    action: str,
    *,
    project: Project | None = None,
    call_sid: str = "",
    detail: str = "",
) -> AuditEvent:
    """Write the record now, in the request's own transaction (the admin's changes)."""
    event = _event(request, action, project=project, call_sid=call_sid, detail=detail)
    event.save()
    return event


def record_after_response(
    request: HttpRequest, action: str, *, project: Project | None = None, call_sid: str = ""
) -> None:
    """Write the record once the page is sent (after_response: why that is safe)."""
    event = _event(request, action, project=project, call_sid=call_sid)
    after_response.later("an audit record", event.save)


def record_search(
    request: HttpRequest, *, project: Project | None, detail: str, more: bool = False
) -> None:
    """Record a search once, when its results settle, not once per keystroke.

    A search page asks as the agent types, so "(206) 555-01" is a dozen searches. The rule:
    a search replaces the words and time of the agent's last audit record when that record
    is a search in the same scope (a project, or all of them), asked at most
    SEARCH_SETTLES_SECONDS earlier, and nothing came after it: no call opened, no export, no
    search elsewhere, no "More results". So typing, correcting and adjusting the filters
    leave one record, of the search that settled, and a search the agent acted on is kept.
    A search asked before the one on record (a superseded keystroke answered last) changes
    nothing. "More results" is no new search: it marks the search it continues ("more
    results shown"), or is recorded as such when that search is not on record. Exports are
    their own action (record()). Written after the response, like a call page's record.
    """
    event = _event(request, AuditEvent.Action.SEARCH, project=project, detail=detail)
    asked = timezone.now()
    settle = _more_results if more else _settle
    after_response.later("an audit record", lambda: settle(event, asked))


def _settle(event: AuditEvent, asked: dt.datetime) -> None:
    window = asked - dt.timedelta(seconds=SEARCH_SETTLES_SECONDS)
    last = AuditEvent.objects.filter(user=event.user, when__gte=window).order_by("-when", "-pk")
    settling = last.first()
    if settling is None or not _same_search(settling, event):
        event.save()
        # Saving sets `when`; a search's is when it was asked, which later keystrokes compare.
        AuditEvent.objects.filter(pk=event.pk).update(when=asked)
    elif settling.when < asked:
        AuditEvent.objects.filter(pk=settling.pk).update(detail=event.detail, when=asked)
    # Otherwise a later keystroke's search is on record already.


def _same_search(last: AuditEvent, event: AuditEvent) -> bool:
    """Whether the agent's last record is a search in the scope of `event`, still settling."""
    in_scope = (last.action, last.project_slug) == (event.action, event.project_slug)
    return in_scope and not last.detail.endswith(_MORE_SHOWN)


def _more_results(event: AuditEvent, asked: dt.datetime) -> None:
    shown = _fit(event.detail + _MORE_SHOWN, 500)
    searches = AuditEvent.objects.filter(
        user=event.user,
        action=event.action,
        project_slug=event.project_slug,
        when__gte=asked - dt.timedelta(seconds=MORE_RESULTS_SECONDS),
    )
    search = searches.filter(detail__in=[event.detail, shown]).order_by("-when").first()
    if search is None:
        event.detail = _fit("more results: " + event.detail, 500)
        event.save()
    elif search.detail != shown:
        AuditEvent.objects.filter(pk=search.pk).update(detail=shown)


def _event(
    request: HttpRequest,
    action: str,
    *,
    project: Project | None = None,
    call_sid: str = "",
    detail: str = "",
) -> AuditEvent:
    user = request.user if request.user.is_authenticated else None
    return AuditEvent(
        user=user,
        username=_fit(user.get_username() if user else "", 150),
        action=action,
        project=project,
        project_slug=_fit(project.slug if project else "", 60),
        call_sid=_fit(call_sid, 80),
        detail=_fit(detail, 500),
        ip_address=client_ip(request),
    )


def record_as(
    username: str,
    action: str,
    *,
    project: Project | None = None,
    detail: str = "",
) -> AuditEvent:
    """record() for work done without a request (a management command): a name, no address."""
    return AuditEvent.objects.create(
        user=None,
        username=_fit(username, 150),
        action=action,
        project=project,
        project_slug=project.slug if project else "",
        detail=_fit(detail, 500),
        ip_address=None,
    )


def _fit(text: str, length: int) -> str:
    """`text` as its column takes it: without NUL (PostgreSQL refuses it), cut to `length`.

    A record is written whatever was asked for; SIDs and searches come from agents and
    providers.
    """
    return text.replace("\x00", "")[:length]
