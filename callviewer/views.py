"""Site-wide views: the health check, the home redirect and the server-error page."""

import sys

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views import defaults
from django.views.decorators.cache import never_cache

from callviewer import capacity


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 when it does not. No details that help an attacker."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def home(request: HttpRequest) -> HttpResponse:
    """Signed-in agents start on the search page (login is required, so they all are)."""
    return redirect("calls:search")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the pool's timeout is a 503 wherever it was raised (capacity.py)."""
    if capacity.pool_exhausted(sys.exc_info()[1]):
        return capacity.busy("requests")
    return defaults.server_error(request)
