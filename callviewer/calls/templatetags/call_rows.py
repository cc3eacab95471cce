"""Template filters that let a list of calls read like the call page."""

from __future__ import annotations

from django import template

from callviewer.calls.presentation import Party, party, phone_region
from callviewer.projects.models import Project
from callviewer.providers.types import Endpoint

register = template.Library()


@register.filter
def party_in(endpoint: Endpoint | None, project: Project) -> Party | None:
    """One side of a call as its page shows it: national in the project's region, else
    international; `copy` holds the E.164 form (None when the provider gave nothing)."""
    return party(endpoint, phone_region(project))
