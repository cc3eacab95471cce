"""python manage.py generate_credential_key — print a new key for CREDENTIAL_KEYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from callviewer.projects.crypto import generate_key


class Command(BaseCommand):
    help = "Print a new Fernet key. Put it first in CREDENTIAL_KEYS, then run rotate_credentials."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(generate_key())
