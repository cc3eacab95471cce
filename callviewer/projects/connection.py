"""Testing a project's connection to its provider, with a verdict an administrator can act on."""

from __future__ import annotations

import logging

from django.contrib import messages

from callviewer.providers.types import (
    CredentialsRefused,
    ProviderError,
    ProviderUnavailable,
    TimedOut,
    UnexpectedAnswer,
)

from .crypto import UndecryptableSecret
from .models import Project

log = logging.getLogger(__name__)


def check_connection(project: Project) -> tuple[int, str]:
    """(message level, verdict) for one real, light request to the project's provider."""
    try:
        project.client().test_connection()
    except UndecryptableSecret:
        return messages.ERROR, (
            "the stored secrets cannot be decrypted with the configured CREDENTIAL_KEYS; "
            "enter them again."
        )
    except CredentialsRefused as exc:
        return messages.ERROR, f"credentials refused. {exc.message}"
    except (ProviderUnavailable, TimedOut) as exc:
        return messages.ERROR, f"not reachable. {exc.message}"
    except UnexpectedAnswer as exc:
        return messages.ERROR, f"unexpected answer. {exc.message}"
    except ProviderError as exc:
        return messages.ERROR, f"unexpected answer. {exc.message}"
    log.info("connection test OK for project %s", project.slug)
    return messages.SUCCESS, "OK, the provider accepted the credentials."
