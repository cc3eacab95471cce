"""python manage.py import_projects FILE.json — create or update projects by slug."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from callviewer.projects.provisioning import InvalidFile, import_text


class Command(BaseCommand):
    help = (
        "Create or update projects from a JSON file (a list of {slug, name, provider, settings, "
        "secrets, members, groups}). A file with any error changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path to the JSON file, or - for standard input")
        parser.add_argument("--dry-run", action="store_true", help="validate only, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        try:
            summary = import_text(text, dry_run=options["dry_run"])
        except InvalidFile as exc:
            raise CommandError(
                "nothing was changed; fix these problems:\n  " + "\n  ".join(exc.errors)
            ) from exc
        prefix = "Dry run, nothing changed: would have " if options["dry_run"] else ""
        self.stdout.write(f"{prefix}{summary}.")
