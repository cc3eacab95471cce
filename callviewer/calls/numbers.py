"""Phone numbers as agents type them, read in a project's region and turned into E.164."""

from __future__ import annotations

import re
from collections.abc import Sequence

import phonenumbers

from callviewer.projects.models import Project

_PHONE_CHARS = re.compile(r"[0-9+().\-/ \t\u00a0]+")
# What a phone number looks like while it is being typed: digits and the usual separators.
_TYPED_NUMBER = re.compile(r"\+?[0-9().\-/ \t\u00a0]*")
_TOO_SHORT_YET = {
    phonenumbers.NumberParseException.NOT_A_NUMBER,
    phonenumbers.NumberParseException.TOO_SHORT_NSN,
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD,
}
_GROWS_VALID = {
    phonenumbers.ValidationResult.TOO_SHORT,
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
    phonenumbers.ValidationResult.INVALID_LENGTH,
}


class InvalidNumber(ValueError):
    """What the agent typed cannot be a phone number; the message says why."""


def normalise_number(text: str, region: str) -> str:
    """A phone number typed in any common form, as E.164 read in `region` (e.g. "US")."""
    value = text.strip()
    example = "Type it as e.g. (206) 809-1239 or +1 206 809 1239."
    if not _PHONE_CHARS.fullmatch(value) or not any(c.isdigit() for c in value):
        raise InvalidNumber(f"“{value[:40]}” is not a phone number. {example}")
    try:
        number = phonenumbers.parse(value, region or "US")
    except phonenumbers.NumberParseException as exc:
        raise InvalidNumber(f"“{value[:40]}” is not a phone number. {example}") from exc
    # Only a whole number: a local-only one ("809-1239") matches nothing a provider stores.
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise InvalidNumber(
            f"“{value[:40]}” is not a complete phone number (read in region {region}). {example}"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def number_problem(projects: Sequence[Project], number: str) -> str:
    """Why `number` cannot be searched in any of `projects` (each reads it in its region)."""
    if not number:
        return ""
    problems = []
    for project in projects:
        try:
            normalise_number(number, project.client().region)
        except InvalidNumber as exc:
            problems.append(str(exc))
        else:
            return ""
    return problems[0] if problems else ""


def may_become_number(text: str, regions: list[str]) -> bool:
    """Whether typing more digits can still make `text` a whole phone number in one of
    `regions`: "(206) 8" can, "abc" and a number already too long cannot."""
    value = text.strip()
    if not value or not _TYPED_NUMBER.fullmatch(value):
        return False
    if not any(c.isdigit() for c in value):
        return set(value) <= set("+( ")  # the number has only begun
    for region in regions:
        try:
            number = phonenumbers.parse(value, region or "US")
        except phonenumbers.NumberParseException as exc:
            if exc.error_type in _TOO_SHORT_YET:
                return True
            continue
        if phonenumbers.is_possible_number_with_reason(number) in _GROWS_VALID:
            return True
    return False
