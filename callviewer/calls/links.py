"""The URLs of a call's page, its fragments and its recordings: one place, never a 500.

SIDs come from providers' answers and may hold anything: `/`, `?`, `#`, `%`, spaces, any
script, thousands of characters. reverse() raises NoReverseMatch for a `/` (the `<str:sid>`
converter stops there) or an empty SID, and percent-encodes the rest. A SID that a project's
provider could not have issued (`Provider.sid_fits`) gets no link at all rather than an
encoded one: the call page asks a project's provider only about SIDs of its own shape, so such
a link would always end on "No call", and the row shows the SID as text instead.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from callviewer.projects.models import Project

DETAIL = "calls:detail"
STATUS = "calls:status"
RECORDING = "calls:recording"
ANALYSIS = "calls:analysis"
ASK = "calls:ask"
TRANSCRIPTS = "calls:transcripts"
OTHER_CALLS = "calls:other_calls"


def call_url(sid: str, project: Project | None = None, view: str = DETAIL, *args: int) -> str:
    """The URL of `view` (the call's page by default) for `sid`, pinned to `project` if given.

    "" when there is no such URL: the SID cannot be put in the path, or `project`'s provider
    could not have issued it.
    """
    if project is not None and not project.provider_class.sid_fits(sid):
        return ""
    try:
        path = reverse(view, args=[sid, *args])
    except NoReverseMatch:
        return ""
    return f"{path}?{urlencode({'project': project.slug})}" if project is not None else path


def fragment_page(sid: str, slug: str) -> str:
    """Where a call's fragment opened as a page (not by HTMX) sends the browser: the call's
    page, pinned to the project `slug` names, if any."""
    page = call_url(sid) or "/calls/"
    return f"{page}?{urlencode({'project': slug})}" if slug else page
