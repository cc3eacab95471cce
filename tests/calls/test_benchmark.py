"""The benchmark command's measurements run end to end (the figures themselves are not judged)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group

from callviewer.calls.management.commands import benchmark
from callviewer.calls.models import AuditEvent
from callviewer.projects.provisioning import import_text
from callviewer.sandbox.core import Sandbox
from callviewer.sandbox.management.commands.demo_setup import GROUP, demo_projects


@pytest.mark.django_db
def test_every_target_is_measured_through_the_views_and_straight_from_the_provider(
    sandbox: Sandbox,
) -> None:
    Group.objects.create(name=GROUP)
    import_text(json.dumps(demo_projects(sandbox.url)))

    timings = benchmark.measure(sandbox, rounds=1, delay=0.0)

    assert timings.keys() == benchmark.TARGETS.keys()
    assert all(app > 0 and base > 0 for app, base in timings.values())
    # The pages really ran (each is audited), for every searched project and the call.
    searched = AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH)
    assert searched.count() >= 2 * len(benchmark.SEARCHED)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PLAY_RECORDING).exists()
