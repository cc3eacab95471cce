"""Set up the local demo: demo accounts, and one project per provider pointed at the simulator.

Run by ./scripts/demo after `migrate`; safe to run again (users and projects are updated in
place). Refuses to run unless DEBUG is on, so it cannot add accounts to a production site.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from callviewer.projects.provisioning import InvalidFile, import_text
from callviewer.providers import provider_class

PROJECTS_FILE = Path(__file__).resolve().parents[2] / "demo_projects.json"
DEFAULT_SANDBOX_URL = "http://127.0.0.1:8001"
GROUP = "Support"
# Settings in the projects file that hold the simulator's address.
URL_SETTINGS = ("base_url", "twilio_base_url")


def demo_projects(sandbox_url: str) -> list[dict[str, Any]]:
    """The demo's projects (import_projects format), pointed at the simulator at sandbox_url."""
    projects: list[dict[str, Any]] = json.loads(PROJECTS_FILE.read_text())
    for project in projects:
        for name in URL_SETTINGS:
            if name in project["settings"]:
                project["settings"][name] = sandbox_url.rstrip("/")
    return projects


def ensure_user(username: str, password: str, *, admin: bool) -> User:
    """Create or update a demo account so the printed password always works."""
    user, _ = User.objects.get_or_create(username=username)
    user.is_staff = user.is_superuser = admin
    user.is_active = True
    user.set_password(password)
    user.save()
    return user


class Command(BaseCommand):
    help = (
        "Create the demo accounts (demo, admin) and import one demo project per provider "
        "pointed at the provider simulator. Local demo only: needs DEBUG on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sandbox-url",
            default=DEFAULT_SANDBOX_URL,
            help=f"where `manage.py sandbox` listens (default {DEFAULT_SANDBOX_URL})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_setup is for the local demo only: set DEBUG=true.")
        # ./scripts/demo keeps both in .env; without them, fresh ones are made and shown.
        agent_password = os.environ.get("DEMO_PASSWORD", "")
        admin_password = os.environ.get("DEMO_ADMIN_PASSWORD", "")
        show_passwords = not (agent_password and admin_password)
        agent_password = agent_password or secrets.token_urlsafe(9)
        admin_password = admin_password or secrets.token_urlsafe(12)
        projects = demo_projects(options["sandbox_url"])
        with transaction.atomic():
            group, _ = Group.objects.get_or_create(name=GROUP)
            ensure_user("demo", agent_password, admin=False).groups.add(group)
            ensure_user("admin", admin_password, admin=True)
            try:  # what `manage.py import_projects` runs, on this run's simulator address
                summary = import_text(json.dumps(projects))
            except InvalidFile as exc:
                raise CommandError("demo projects: " + "; ".join(exc.errors)) from exc
        names = ", ".join(f"{p['name']} ({provider_class(p['provider']).label})" for p in projects)
        self.stdout.write(f"Demo projects ({summary}): {names}")
        if show_passwords:
            self.stdout.write(f"Demo login: demo / {agent_password}   (agent, group {GROUP})")
            self.stdout.write(f"Admin login: admin / {admin_password}   (superuser)")
        else:
            self.stdout.write("Demo accounts: demo (agent), admin (superuser); passwords from .env")
