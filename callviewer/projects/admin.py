"""Admin for projects: provider-aware form, members, and Test connection (button and action)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from callviewer.providers import registry

from .changes import record_changes, record_deletion
from .connection import check_connection, check_project
from .forms import ProjectAdminForm, clear_key, secret_key, setting_key
from .models import AgentPreference, Project


def people_reached() -> Coalesce:
    """How many active people may see the project: members, and members of its groups, once."""
    people = (
        get_user_model()
        .objects.filter(
            Q(callviewer_projects=OuterRef("pk")) | Q(groups__callviewer_projects=OuterRef("pk")),
            is_active=True,
        )
        .order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(people, output_field=IntegerField()), 0)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    form = ProjectAdminForm
    list_display = ["name", "slug", "provider", "member_count", "updated"]
    list_filter = ["provider"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ["members", "groups"]
    actions = ["test_connection"]

    class Media:
        css = {"all": ["css/admin_project.css"]}
        js = ["js/admin_project.js"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Project]:
        return super().get_queryset(request).annotate(_members=people_reached())

    @admin.display(description="People (direct or through a group)", ordering="_members")
    def member_count(self, obj: Project) -> int:
        return getattr(obj, "_members", 0)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        # The provider fields are added by the form itself; the model form covers only these.
        kwargs["fields"] = ProjectAdminForm.Meta.fields
        return super().get_form(request, obj, change, **kwargs)

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        # The form notes who set each secret; only the admin knows who that is.
        return form.save(commit=False, by=request.user.get_username())

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Members and groups are saved only now: the difference is complete after this.
        record_changes(form.before, form.instance, form.secret_changes, request=request)

    def delete_model(self, request: HttpRequest, obj: Project) -> None:
        record_deletion(obj, request)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        for project in queryset:
            record_deletion(project, request)
        super().delete_queryset(request, queryset)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets: list[Any] = [(None, {"fields": ["name", "slug", "provider"]})]
        for name, cls in registry().items():
            classes = ["provider-fields", f"provider-{name}"]
            fieldsets.append(
                (
                    f"{cls.label} settings",
                    {
                        "fields": [setting_key(name, f.name) for f in cls.settings_fields],
                        "classes": classes,
                    },
                )
            )
            secret_fields: list[str] = []
            for f in cls.secret_fields:
                secret_fields.append(secret_key(name, f.name))
                if not f.required:
                    secret_fields.append(clear_key(name, f.name))
            fieldsets.append(
                (
                    f"{cls.label} secrets",
                    {
                        "fields": secret_fields,
                        "classes": classes,
                        "description": "Stored encrypted and never shown again. "
                        "Leave a field empty to keep the stored value; after a change of "
                        "host, enter the secrets sent there again.",
                    },
                )
            )
        fieldsets.append(
            (
                "What was said: standard questions",
                {
                    "fields": ["standard_questions"],
                    "classes": ["provider-fields"]
                    + [f"provider-{n}" for n, c in registry().items() if c.supports_analysis],
                    "description": "Answered by the provider's call analysis (TalkStack AI) "
                    "on the page of each final call, and kept.",
                },
            )
        )
        fieldsets.append(("Who may see this project", {"fields": ["members", "groups"]}))
        return fieldsets

    @admin.action(description="Test connection to the provider")
    def test_connection(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        for project in queryset:
            level, text = check_project(project)
            self.message_user(request, f"{project.name} ({project.provider_label}): {text}", level)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        # The form's Test connection button: the typed values are checked here, never saved.
        form = context["adminform"].form
        if isinstance(form, ProjectAdminForm) and form.testing:
            if form.errors:
                self.message_user(
                    request, "Not tested: correct the errors below first.", messages.WARNING
                )
            else:
                client = form.client()
                level, text = check_connection(client)
                name = form.cleaned_data["name"]
                unsaved = "Nothing is saved until you press Save."
                if typed := form.typed_secret_labels:
                    # The page never shows a secret back, so the form comes back without them.
                    unsaved += f" Enter the {' and the '.join(typed)} again before you do."
                self.message_user(request, f"{name} ({client.label}): {text} {unsaved}", level)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(AgentPreference)
class AgentPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "time_zone", "last_project"]
    search_fields = ["user__username"]


__all__ = ["AgentPreferenceAdmin", "ProjectAdmin", "messages"]
