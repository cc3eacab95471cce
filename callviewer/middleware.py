"""Middleware of the whole site: requests holding a NUL character are refused at the door,
and the load balancer's health check is answered right behind it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse

from callviewer import views

NUL = "\x00"
PLAIN = "text/plain; charset=utf-8"
MESSAGE = (
    "This address or form holds a NUL character (%00), which no page of callviewer accepts. "
    "Remove it and try again."
)


def refuse_nul_characters(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """400 for a NUL, raw or %00-encoded, in the path, query string, form fields or cookies.

    PostgreSQL refuses NUL in text (a DataError, so a 500, wherever such a value reaches a
    query: a SID, a project slug, a login name, a session key), and no value of this app ever
    holds one: refusing the whole request once here beats guarding every query.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if holds_nul(request):
            return HttpResponse(MESSAGE + "\n", status=400, content_type=PLAIN)
        return get_response(request)

    return middleware


def answer_health_checks(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """GET /healthz answered here, before the session, sign-in, CSRF, messages, HTMX, time zone
    and axes middleware below: the check a load balancer makes several times a second costs
    its one database query and little else, even when the threads around it are busy with
    pages. The security, permissions and CSP headers above still apply."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTH_CHECK and request.method in ("GET", "HEAD"):
            return views.healthz(request)
        return get_response(request)

    return middleware


HEALTH_CHECK = "/healthz"


def holds_nul(request: HttpRequest) -> bool:
    # The path arrives decoded; the query string raw (so %00 is looked for once decoded).
    if NUL in request.path_info or NUL in unquote(request.META.get("QUERY_STRING", "")):
        return True
    if _any_nul(request.COOKIES.items()):
        return True
    # Reading the form here is what the CSRF check does next anyway; a body Django refuses
    # (too big, too many fields, broken multipart) raises its own 400.
    return request.method == "POST" and _any_nul(request.POST.lists())


def _any_nul(pairs: Iterable[tuple[str, str | list[str]]]) -> bool:
    for name, value in pairs:
        values = value if isinstance(value, list) else [value]
        if NUL in name or any(NUL in str(v) for v in values):
            return True
    return False
