"""The audit trail: written with or without a request, read-only in the admin, purged."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, RequestFactory
from django.utils import timezone

from callviewer.calls import audit
from callviewer.calls.models import AuditEvent
from callviewer.projects.models import preference_for

pytestmark = pytest.mark.django_db


def event(
    days_old: float, username: str = "alice", call_sid: str = "CA1", **fields: Any
) -> AuditEvent:
    made = AuditEvent.objects.create(
        username=username, action="view_call", call_sid=call_sid, project_slug="acme", **fields
    )
    AuditEvent.objects.filter(pk=made.pk).update(when=timezone.now() - dt.timedelta(days=days_old))
    return made


def test_a_record_takes_what_it_is_given_without_nul_and_cut_to_its_columns(
    rf: RequestFactory, alice: User
) -> None:
    request = rf.get("/calls/")
    request.user = alice
    made = audit.record(
        request, AuditEvent.Action.SEARCH, call_sid="CA\x00" + "1" * 100, detail="a\x00" * 600
    )
    made.refresh_from_db()
    assert (made.call_sid, made.detail) == ("CA" + "1" * 78, "a" * 500)


@pytest.fixture
def admin_client(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


def test_administrators_read_the_trail_filtered_and_searched(admin_client: Client) -> None:
    event(1, call_sid="CAaaaa")
    event(2, username="bob", call_sid="CAbbbb")
    response = admin_client.get("/admin/calls/auditevent/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "CAaaaa" in content and "CAbbbb" in content
    changelist = response.context["cl"]
    assert changelist.list_filter == ("action", "user", "project")
    assert changelist.date_hierarchy == "when"
    assert "?action__exact=view_call" in content
    assert "?user__id__exact=" in content
    searched = admin_client.get("/admin/calls/auditevent/", {"q": "CAbbbb"}).content.decode()
    assert "CAbbbb" in searched and "CAaaaa" not in searched
    by_user = admin_client.get("/admin/calls/auditevent/", {"q": "bob"}).content.decode()
    assert "CAbbbb" in by_user and "CAaaaa" not in by_user


@pytest.mark.parametrize("zone", ["", "Asia/Tokyo"])
@pytest.mark.parametrize(
    "dates",
    [
        "when__year=99999",
        "when__year=9999",  # the year after is beyond the calendar
        "when__year=9999&when__month=12",
        "when__year=9999&when__month=12&when__day=31",
        "when__year=2024&when__month=13",
        "when__year=2024&when__month=2&when__day=99",
        "when__year=" + "9" * 5000,
    ],
)
def test_dates_the_calendar_cannot_hold_are_a_bad_filter_not_an_error(
    admin_client: Client, admin_user: User, dates: str, zone: str
) -> None:
    event(1)
    preference = preference_for(admin_user)
    preference.time_zone = zone
    preference.save()
    response = admin_client.get("/admin/calls/auditevent/?" + dates)
    assert response.status_code == 302
    assert response["Location"] == "/admin/calls/auditevent/?e=1"


def test_the_first_year_is_a_bad_filter_in_a_zone_ahead_of_utc(
    admin_client: Client, admin_user: User
) -> None:
    event(1)
    preference = preference_for(admin_user)
    preference.time_zone = "Asia/Tokyo"  # its 0001-01-01 starts before the calendar in UTC
    preference.save()
    response = admin_client.get("/admin/calls/auditevent/?when__year=1")
    assert response.status_code == 302
    assert response["Location"] == "/admin/calls/auditevent/?e=1"


def test_a_date_filter_still_narrows_the_trail(admin_client: Client) -> None:
    event(0, call_sid="CAtoday")
    today = timezone.now()
    response = admin_client.get(
        f"/admin/calls/auditevent/?when__year={today.year}&when__month={today.month}"
    )
    assert response.status_code == 200
    assert "CAtoday" in response.content.decode()
    assert admin_client.get("/admin/calls/auditevent/?when__year=1").status_code == 200  # UTC


def test_the_trail_cannot_be_added_to_changed_or_deleted_in_the_admin(admin_client: Client) -> None:
    record = event(1)
    assert admin_client.get("/admin/calls/auditevent/add/").status_code == 403
    page = admin_client.get(f"/admin/calls/auditevent/{record.pk}/change/")
    assert page.status_code == 200  # viewing is allowed
    assert 'name="_save"' not in page.content.decode()
    changed = admin_client.post(
        f"/admin/calls/auditevent/{record.pk}/change/",
        {"call_sid": "CAforged", "action": "view_call"},
    )
    assert changed.status_code == 403
    assert (
        admin_client.post(
            f"/admin/calls/auditevent/{record.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    bulk = admin_client.post(
        "/admin/calls/auditevent/",
        {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert AuditEvent.objects.get(pk=record.pk).call_sid == "CA1"


def test_a_record_without_a_request_has_a_name_and_no_address(make_project: Any) -> None:
    project = make_project("sinch")
    made = audit.record_as(
        "import_projects", AuditEvent.Action.CHANGE_SECRETS, project=project, detail="x" * 600
    )
    made.refresh_from_db()
    assert (made.user, made.username, made.ip_address) == (None, "import_projects", None)
    assert (made.project, made.project_slug) == (project, project.slug)
    assert made.get_action_display() == "Changed project secrets"
    assert len(made.detail) == 500


def test_a_record_with_a_request_names_the_user_and_the_address(
    rf: Any, admin_user: User, make_project: Any
) -> None:
    request = rf.post("/admin/", REMOTE_ADDR="192.0.2.7")
    request.user = admin_user
    made = audit.record(request, AuditEvent.Action.CHANGE_MEMBERS, project=make_project("sinch"))
    assert (made.user, made.username, made.ip_address) == (admin_user, "root", "192.0.2.7")


def test_agents_cannot_open_the_trail(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert client.get("/admin/calls/auditevent/").status_code == 302  # to the admin's login


def purge(*args: str) -> str:
    out = StringIO()
    call_command("purge_audit", *args, stdout=out)
    return out.getvalue()


def test_purge_deletes_records_older_than_the_retention_setting(settings: Any) -> None:
    settings.AUDIT_RETENTION_DAYS = 30
    old, kept = event(31), event(29)
    assert purge() == "Deleted 1 audit records older than 30 days.\n"
    assert list(AuditEvent.objects.all()) == [kept]
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


def test_purge_days_overrides_the_setting(settings: Any) -> None:
    settings.AUDIT_RETENTION_DAYS = 365
    event(10)
    event(3)
    assert "Deleted 1 " in purge("--days", "7")
    assert AuditEvent.objects.count() == 1


def test_a_dry_run_only_counts(settings: Any) -> None:
    settings.AUDIT_RETENTION_DAYS = 30
    event(40)
    event(50)
    assert purge("--dry-run") == "Would delete 2 audit records older than 30 days.\n"
    assert AuditEvent.objects.count() == 2


def test_purging_everything_by_mistake_is_refused() -> None:
    event(1)
    with pytest.raises(CommandError):
        purge("--days", "0")
    assert AuditEvent.objects.count() == 1
