"""Testing a connection to a provider, with a verdict an administrator can act on."""

from __future__ import annotations

import logging

from django.contrib import messages

from callviewer.providers.base import Provider
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


def check_connection(client: Provider) -> tuple[int, str]:
    """(message level, verdict) for one real, light request with this client's configuration."""
    try:
        client.test_connection()
    except CredentialsRefused as exc:
        return messages.ERROR, f"credentials refused. {exc.message}"
    except (ProviderUnavailable, TimedOut) as exc:
        return messages.ERROR, f"not reachable. {exc.message}"
    except UnexpectedAnswer as exc:
        return messages.ERROR, f"unexpected answer. {exc.message}"
    except ProviderError as exc:
        return messages.ERROR, f"unexpected answer. {exc.message}"
    log.info("connection test OK (%s)", client.label)
    return messages.SUCCESS, "OK, the provider accepted the credentials."


def check_project(project: Project) -> tuple[int, str]:
    """check_connection for a saved project, with its stored secrets."""
    try:
        client = project.client()
    except UndecryptableSecret:
        return messages.ERROR, (
            "the stored secrets cannot be decrypted with the configured CREDENTIAL_KEYS; "
            "enter them again."
        )
    return check_connection(client)
