"""Recording who looked at what, and who changed which project (AuditEvent)."""

from __future__ import annotations

from django.http import HttpRequest

from callviewer import client_address
from callviewer.projects.models import Project

from .models import AuditEvent


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
    user = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
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
