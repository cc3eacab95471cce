"""Recording who looked at what (AuditEvent)."""

from __future__ import annotations

from django.http import HttpRequest

from callviewer.projects.models import Project

from .models import AuditEvent


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind a proxy, REMOTE_ADDR is set by the WSGI server's config."""
    return request.META.get("REMOTE_ADDR") or None


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


def _fit(text: str, length: int) -> str:
    """`text` as its column takes it: without NUL (PostgreSQL refuses it), cut to `length`.

    A record is written whatever was asked for; SIDs and searches come from agents and
    providers.
    """
    return text.replace("\x00", "")[:length]
