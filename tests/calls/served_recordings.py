"""The recording proxy alone, as gunicorn serves it, for test_recordings' end-to-end tests.

No database and no sign-in: one view streams the example call's recording from the
simulator at SANDBOX_URL, through recordings.serve and the stream cap, like the real view.
Run by tests/calls/served_recordings_settings.py.
"""

from __future__ import annotations

import os

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import path

from callviewer import capacity
from callviewer.calls import recordings
from callviewer.providers import provider_class
from callviewer.sandbox import accounts
from callviewer.sandbox.talkstack_data import EXAMPLE_SID


@capacity.recording_stream
def recording(request: HttpRequest) -> HttpResponseBase:
    url = os.environ["SANDBOX_URL"]
    ((project_id, key),) = list(accounts.TALKSTACK_PROJECTS.items())[:1]
    ((account, token),) = accounts.TWILIO_ACCOUNTS.items()
    provider = provider_class("talkstack")(
        {"project_id": project_id, "base_url": url, "twilio_base_url": url},
        {"api_key": key, "twilio_account_sid": account, "twilio_auth_token": token},
    )
    listed = provider.list_recordings(provider.get_call(EXAMPLE_SID))
    response, _counts = recordings.serve(request, provider, listed, EXAMPLE_SID, 1)
    return response


urlpatterns = [path("recording/", recording)]
