"""Settings for tests/calls/served_recordings.py under gunicorn: the test settings, one view."""

from tests.settings import *  # noqa: F403

ROOT_URLCONF = "tests.calls.served_recordings"
MIDDLEWARE = ["callviewer.capacity.provider_pages"]
