"""Rules about a project's stored secrets that hold wherever they are changed (admin, import)."""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

from callviewer.providers.base import Provider


def stale_secrets(
    cls: type[Provider], before: Mapping[str, Any], after: Mapping[str, Any], kept: Set[str]
) -> dict[str, str]:
    """Kept secrets whose host the new settings change: name -> why it must be entered again.

    Whoever may edit a project could otherwise point it at a host of their own and have the
    stored secret sent there (by Test connection, or by any search).
    """
    problems: dict[str, str] = {}
    labels = {f.name: f.label for f in cls.secret_fields}
    required = {f.name for f in cls.secret_fields if f.required}
    for name, changed in cls.secrets_moved(before, after).items():
        if name not in kept:
            continue
        what = " and ".join(f.label for f in changed)
        again = f"enter the {labels[name]} again" + ("" if name in required else " or remove it")
        problems[name] = (
            f"The {what} changed: {again}, so the stored one is never sent to a new host."
        )
    return problems
