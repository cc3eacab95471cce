"""Delete audit records older than the retention period (settings.AUDIT_RETENTION_DAYS)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from callviewer.calls.models import AuditEvent


class Command(BaseCommand):
    help = "Delete audit records older than AUDIT_RETENTION_DAYS (or --days)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help="Keep this many days instead of the setting."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say how many records would be deleted."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else settings.AUDIT_RETENTION_DAYS
        if days < 1:
            raise CommandError("--days must be at least 1 (0 would delete the whole trail).")
        cutoff = timezone.now() - dt.timedelta(days=days)
        old = AuditEvent.objects.filter(when__lt=cutoff)
        if options["dry_run"]:
            self.stdout.write(f"Would delete {old.count()} audit records older than {days} days.")
            return
        deleted, _ = old.delete()
        self.stdout.write(f"Deleted {deleted} audit records older than {days} days.")
