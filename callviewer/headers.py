"""Response headers the app adds beyond Django's SecurityMiddleware, django-csp and
django-permissions-policy."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control


def no_store(
    get_response: Callable[[HttpRequest], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    """Every answer of the app (pages, fragments, exports, recordings) stays off shared caches
    and the agent's disk: they show callers' numbers and voices. Static files are served
    before this runs (WhiteNoise) and keep their long lifetime.

    A view that set its own Cache-Control keeps it.
    """

    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        if "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware
