"""The benchmark command's measurements run end to end (the figures themselves are not judged)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group

from callviewer.calls.models import AuditEvent
from callviewer.projects.provisioning import import_text
from callviewer.sandbox.core import Sandbox
from callviewer.sandbox.management.commands import benchmark
from callviewer.sandbox.management.commands.demo_setup import GROUP, demo_projects


@pytest.mark.django_db(transaction=True)  # the server threads read what the test wrote
def test_every_target_is_measured_through_the_views_and_straight_from_the_provider(
    sandbox: Sandbox,
) -> None:
    Group.objects.create(name=GROUP)
    import_text(json.dumps(demo_projects(sandbox.url)))

    timings = benchmark.measure(sandbox, rounds=1, delay=0.0)

    assert timings.keys() == benchmark.TARGETS.keys() | benchmark.MARGINS.keys()
    assert all(app > 0 and base > 0 for app, base in timings.values())
    # The pages really ran (each is audited), for every searched project and the call.
    searched = AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH)
    assert set(benchmark.SEARCHED) <= set(searched.values_list("project_slug", flat=True))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_CALL).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PLAY_RECORDING).exists()


def test_ratios_and_margins_are_printed_beside_their_targets() -> None:
    ratio = benchmark.line("call page / provider get_call", 0.18, 0.15)
    margin = benchmark.line("call page - provider get_call", 0.0151, 0.0040)
    over = benchmark.line("search page - provider search", 0.040, 0.010)

    assert "1.20" in ratio and "target <= 1.5" in ratio and " ok " in ratio
    assert "+11.1 ms" in margin and "target <= 10 ms" in margin and "OVER TARGET" in margin
    assert "(15.1 ms / 4.0 ms, no delay)" in margin
    assert "+30.0 ms" in over and "target <= 15 ms" in over
