"""The request type of views that read `request.htmx` (set by django-htmx's HtmxMiddleware)."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """An HttpRequest as the views see it, once HtmxMiddleware has run: for type checking only."""

    htmx: HtmxDetails
