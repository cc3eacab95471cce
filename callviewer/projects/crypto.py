"""Encryption of provider secrets at rest: Fernet with key rotation (MultiFernet).

Keys come from settings.CREDENTIAL_KEYS (env CREDENTIAL_KEYS), never from SECRET_KEY.
The first key encrypts; every listed key decrypts, so a new key can be put first and
`manage.py rotate_credentials` re-encrypts all stored secrets with it.
"""

from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class UndecryptableSecret(Exception):
    """Stored secrets cannot be read with any configured key."""


def _fernet() -> MultiFernet:
    keys = list(settings.CREDENTIAL_KEYS)
    if not keys:
        raise ImproperlyConfigured("CREDENTIAL_KEYS is empty.")
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "CREDENTIAL_KEYS must hold Fernet keys (32 url-safe base64 bytes each); "
            "make one with `python manage.py generate_credential_key`."
        ) from exc


def encrypt_secrets(secrets: dict[str, str]) -> str:
    if not secrets:
        return ""
    return _fernet().encrypt(json.dumps(secrets, sort_keys=True).encode()).decode()


def decrypt_secrets(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        data = json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise UndecryptableSecret("no configured credential key opens these secrets") from exc
    return {str(k): str(v) for k, v in data.items()}


def rotate_token(token: str) -> str:
    """Re-encrypt a token with the first key."""
    if not token:
        return ""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise UndecryptableSecret("no configured credential key opens these secrets") from exc


def generate_key() -> str:
    return Fernet.generate_key().decode()
