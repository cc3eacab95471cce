"""Settings for the test suite: the app's own settings with fixed, throwaway keys.

DATABASE_URL and CACHE_URL still come from the environment, so the same suite runs on
the embedded defaults and on PostgreSQL + Redis (scripts/test does both).
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else")
# Two keys so rotation can be tested: the first encrypts, both decrypt.
os.environ.setdefault(
    "CREDENTIAL_KEYS",
    "dGVzdHMtb25seS1jcmVkZW50aWFsLWtleS1udW1iLTE=,dGVzdHMtb25seS1jcmVkZW50aWFsLWtleS1udW1iLTI=",
)

from callviewer.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
PROVIDER_RETRY_BACKOFF = 0.0
PROVIDER_CONNECT_TIMEOUT = 2.0
PROVIDER_READ_TIMEOUT = 5.0
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Tests open and drop their databases: no connection outlives its request (live_server threads).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
