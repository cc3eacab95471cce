"""The admin's provider-aware project form: settings and secrets fields for each provider.

Secrets are never rendered, not even in part: a secret field starts empty, its help says
when the stored value was set and by whom, and leaving it empty keeps the stored value —
unless the host that secret is sent to changed, which needs the secret entered again.
Switching a project to another provider replaces the old provider's secrets only once the
new provider's configuration is valid, so a failed save never loses a credential.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.html import escape

from callviewer.providers import registry
from callviewer.providers.base import Field, Provider

from . import questions
from .changes import state_of
from .crypto import UndecryptableSecret
from .models import Project
from .secrets import stale_secrets


def setting_key(provider: str, name: str) -> str:
    return f"{provider}__{name}"


def secret_key(provider: str, name: str) -> str:
    return f"{provider}__secret__{name}"


def clear_key(provider: str, name: str) -> str:
    return f"{provider}__clear__{name}"


def secret_status(meta: Any) -> str:
    """When a stored secret was set and by whom, from Project.secrets_meta: never its value."""
    if not isinstance(meta, dict) or not meta.get("set_at"):
        return "stored (when and by whom was not recorded)"
    try:
        when = dt.datetime.fromisoformat(meta["set_at"]).astimezone(dt.UTC)
    except (TypeError, ValueError):
        return "stored (when and by whom was not recorded)"
    # The admin renders help text as HTML: the name is escaped like any stored text.
    by = f" by {escape(meta['set_by'])}" if meta.get("set_by") else ""
    return f"set {when:%Y-%m-%d %H:%M} UTC{by}"


class ProjectAdminForm(forms.ModelForm):
    standard_questions = forms.CharField(
        label="Standard questions",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 90}),
        help_text=questions.TEXT_HELP,
    )

    class Meta:
        model = Project
        fields = ["name", "slug", "provider", "members", "groups"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stored_settings: dict[str, Any] = dict(self.instance.settings)
        self.secret_changes: dict[str, str] = {}
        # Before any change, for the audit trail (ProjectAdmin.save_related).
        self.before = state_of(self.instance) if self.is_bound and self.instance.pk else None
        self.fields["standard_questions"].initial = questions.as_text(
            self.instance.standard_questions()
        )
        self.questions = self.instance.standard_questions()
        self.stored_secrets: dict[str, str] = {}
        self.undecryptable = False
        if self.instance.pk:
            try:
                self.stored_secrets = self.instance.get_secrets()
            except UndecryptableSecret:
                self.undecryptable = True
        for name, cls in registry().items():
            mine = self.instance.pk and self.instance.provider == name
            for f in cls.settings_fields:
                self.fields[setting_key(name, f.name)] = self._setting_field(
                    cls, f, self.instance.settings.get(f.name, "") if mine else ""
                )
            for f in cls.secret_fields:
                stored = bool(mine) and f.name in self.stored_secrets
                self.fields[secret_key(name, f.name)] = self._secret_field(f, stored, bool(mine))
                if not f.required:
                    self.fields[clear_key(name, f.name)] = forms.BooleanField(
                        required=False, label=f"Remove the stored {f.label}"
                    )

    def _setting_field(self, cls: type[Provider], f: Field, initial: str) -> forms.Field:
        parts = [f.help, f"Default: {f.default}." if f.default else ""]
        if guarded := [s.label for s in cls.secret_fields if s.name in f.guards]:
            parts.append(f"Changing the host means entering the {' and '.join(guarded)} again.")
        help_text = " ".join(p for p in parts if p)
        if f.choices:
            return forms.ChoiceField(
                label=f.label,
                required=False,
                initial=initial or f.default,
                choices=[("", "(default)")] + [(c, c) for c in f.choices],
                help_text=help_text,
            )
        widget = forms.TextInput(attrs={"placeholder": f.default, "size": 50})
        return forms.CharField(
            label=f.label, required=False, initial=initial, help_text=help_text, widget=widget
        )

    def _secret_field(self, f: Field, stored: bool, mine: bool) -> forms.Field:
        if self.undecryptable and mine:
            help_text = "Stored, but no configured key can decrypt it: enter it again."
        elif stored:
            help_text = f"{secret_status(self.instance.secrets_meta.get(f.name))}. "
            help_text += "Leave empty to keep it."
        else:
            help_text = "Not set."
        return forms.CharField(
            label=f.label,
            required=False,
            strip=True,
            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
            help_text=help_text,
        )

    def clean_standard_questions(self) -> str:
        text: str = self.cleaned_data.get("standard_questions") or ""
        # A post that leaves the field out keeps the stored questions.
        if self.is_bound and "standard_questions" in self.data:
            self.questions, problems = questions.from_text(text)
            if problems:
                raise forms.ValidationError(problems)
        return text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        provider = cleaned.get("provider")
        if provider not in registry():
            return cleaned
        cls = registry()[provider]
        settings = {
            f.name: str(cleaned.get(setting_key(provider, f.name)) or "").strip()
            for f in cls.settings_fields
        }
        settings = {k: v for k, v in settings.items() if v}
        same_provider = self.instance.pk and self.instance.provider == provider
        secrets = dict(self.stored_secrets) if same_provider else {}
        secrets = {k: v for k, v in secrets.items() if k in {f.name for f in cls.secret_fields}}
        entered: set[str] = set()
        for f in cls.secret_fields:
            if value := cleaned.get(secret_key(provider, f.name)):
                secrets[f.name] = value
                entered.add(f.name)
            elif cleaned.get(clear_key(provider, f.name)):
                secrets.pop(f.name, None)
        kept = set(secrets) - entered
        for name, problem in stale_secrets(cls, self.stored_settings, settings, kept).items():
            self.add_error(secret_key(provider, name), problem)
        for name, problem in cls.validate(settings, secrets).items():
            is_secret = name in {f.name for f in cls.secret_fields}
            key = secret_key(provider, name) if is_secret else setting_key(provider, name)
            self.add_error(key, problem)
        self.provider_settings = settings
        self.provider_secrets = secrets
        return cleaned

    @property
    def testing(self) -> bool:
        """The Test connection button was pressed: check the typed values, save nothing."""
        return self.is_bound and "_test_connection" in self.data

    def is_valid(self) -> bool:
        # Invalid for saving when testing, so the admin shows the form again with what was
        # typed; ProjectAdmin.render_change_form runs the test on a form without errors.
        return super().is_valid() and not self.testing

    @property
    def typed_secret_labels(self) -> list[str]:
        """The secrets typed in this submission, by label (a re-shown form has them empty)."""
        cls = registry()[self.cleaned_data["provider"]]
        return [
            f.label
            for f in cls.secret_fields
            if self.cleaned_data.get(secret_key(cls.name, f.name))
        ]

    def client(self) -> Provider:
        """A provider client with the typed settings and the entered or stored secrets."""
        cls = registry()[self.cleaned_data["provider"]]
        return cls(self.provider_settings, self.provider_secrets)

    def save(self, commit: bool = True, *, by: str = "") -> Project:
        """The project with the typed values; `by` (a username) is noted beside each secret set."""
        project: Project = super().save(commit=False)
        project.settings = self.provider_settings
        project.questions = questions.as_dicts(self.questions)
        self.secret_changes = project.set_secrets(self.provider_secrets, by=by)
        if commit:
            project.save()
            self.save_m2m()
        return project
