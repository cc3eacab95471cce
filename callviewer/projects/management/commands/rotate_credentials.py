"""python manage.py rotate_credentials — re-encrypt every project's secrets with the first key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from callviewer.projects.crypto import UndecryptableSecret, rotate_token
from callviewer.projects.models import Project


class Command(BaseCommand):
    help = "Re-encrypt all stored provider secrets with the first key in CREDENTIAL_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        with transaction.atomic():
            for project in Project.objects.select_for_update().order_by("pk"):
                try:
                    token = rotate_token(project.secrets_encrypted)
                except UndecryptableSecret as exc:
                    raise CommandError(
                        f"project {project.slug!r}: no key in CREDENTIAL_KEYS opens its secrets; "
                        "nothing was changed. Add the old key to CREDENTIAL_KEYS and run again."
                    ) from exc
                if token != project.secrets_encrypted:
                    Project.objects.filter(pk=project.pk).update(secrets_encrypted=token)
                    count += 1
        self.stdout.write(f"Re-encrypted the secrets of {count} project(s) with the first key.")
