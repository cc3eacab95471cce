"""The audit trail: written with or without a request, read-only in the admin, purged."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from callviewer import after_response
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


# A search is recorded once, when it settles (audit.record_search)


class Clock:
    """timezone.now(), moved by hand: the rule compares times, never the machine's speed."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    made = Clock()
    monkeypatch.setattr(timezone, "now", lambda: made.now)
    return made


@pytest.fixture
def acme(make_project: Any) -> Any:
    return make_project("sinch", "acme")


@pytest.fixture
def globex(make_project: Any) -> Any:
    return make_project("sinch", "globex")


def asked_by(user: User) -> Any:
    request = RequestFactory().get("/calls/")
    request.user = user
    return request


def searched(user: User, project: Any, words: str, *, more: bool = False) -> None:
    scope = f"project {project.slug}" if project else "all 2 projects"
    audit.record_search(asked_by(user), project=project, detail=f"{scope}: {words}", more=more)


def trail() -> list[str]:
    return [e.detail for e in AuditEvent.objects.order_by("when", "pk")]


def test_searches_asked_while_typing_leave_one_record_of_the_last(
    clock: Clock, alice: User, acme: Any
) -> None:
    for typed in ["+1206", "+120655", "+12065550", "+120655501"]:
        searched(alice, acme, f"calls to or from {typed}")
        clock.advance(1.5)
    (event,) = AuditEvent.objects.all()
    assert event.detail == "project acme: calls to or from +120655501"
    assert event.when == clock.now - dt.timedelta(seconds=1.5)  # when the last was asked


def test_a_search_after_a_pause_is_a_new_record(clock: Clock, alice: User, acme: Any) -> None:
    searched(alice, acme, "calls to or from +12065550100")
    clock.advance(audit.SEARCH_SETTLES_SECONDS + 1)
    searched(alice, acme, "calls to or from +12065550199")
    assert trail() == [
        "project acme: calls to or from +12065550100",
        "project acme: calls to or from +12065550199",
    ]


def test_a_search_in_another_scope_or_by_another_agent_is_its_own_record(
    clock: Clock, alice: User, bob: User, acme: Any, globex: Any
) -> None:
    searched(alice, acme, "any call")
    searched(alice, globex, "any call")
    searched(alice, None, "any call")
    searched(bob, None, "any call")
    searched(alice, acme, "any call")  # back: globex and all came after, acme's is kept
    assert trail() == [
        "project acme: any call",
        "project globex: any call",
        "all 2 projects: any call",
        "all 2 projects: any call",
        "project acme: any call",
    ]


def test_a_search_the_agent_acted_on_is_kept(clock: Clock, alice: User, acme: Any) -> None:
    searched(alice, acme, "calls to or from +12065550100")
    clock.advance(2)
    audit.record(asked_by(alice), AuditEvent.Action.VIEW_CALL, project=acme, call_sid="CA1")
    clock.advance(2)
    searched(alice, acme, "calls to or from +12065550199")
    assert [e.action for e in AuditEvent.objects.order_by("when")] == [
        "search",
        "view_call",
        "search",
    ]


def test_a_superseded_keystroke_answered_last_changes_nothing(
    clock: Clock, alice: User, acme: Any, send: Any
) -> None:
    # Two requests in flight: the first asked answers after the second.
    def asks(words: str) -> Any:
        def view(request: Any) -> HttpResponse:
            searched(alice, acme, words)
            return HttpResponse("results")

        return after_response.middleware(view)(asked_by(alice))

    first = asks("calls to or from +1206555")
    clock.advance(0.5)
    second = asks("calls to or from +12065550100")
    clock.advance(3)
    send(second)
    send(first)
    assert trail() == ["project acme: calls to or from +12065550100"]


def test_more_results_are_no_new_search_but_mark_the_one_they_continue(
    clock: Clock, alice: User, acme: Any
) -> None:
    searched(alice, acme, "any call")
    clock.advance(60)
    searched(alice, acme, "any call", more=True)
    searched(alice, acme, "any call", more=True)
    assert trail() == ["project acme: any call; more results shown"]
    clock.advance(2)
    searched(alice, acme, "calls with status busy")  # the one read stays
    assert trail() == [
        "project acme: any call; more results shown",
        "project acme: calls with status busy",
    ]


def test_more_results_of_a_search_not_on_record_are_recorded_as_such(
    clock: Clock, alice: User, acme: Any
) -> None:
    searched(alice, acme, "any call", more=True)
    assert trail() == ["more results: project acme: any call"]


def test_exports_are_their_own_records_not_searches(clock: Clock, alice: User, acme: Any) -> None:
    searched(alice, acme, "any call")
    audit.record(asked_by(alice), AuditEvent.Action.EXPORT, project=acme, detail="3 rows")
    searched(alice, acme, "any call")
    assert [e.action for e in AuditEvent.objects.order_by("when", "pk")] == [
        "search",
        "export",
        "search",
    ]
