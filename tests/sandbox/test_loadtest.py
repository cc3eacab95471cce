"""The load test's own arithmetic: percentiles, and the report beside the ideal and targets."""

from __future__ import annotations

import math
from dataclasses import replace

from callviewer.sandbox.loadtest import (
    PageFigures,
    RecordingFigures,
    Window,
    page_report,
    percentile,
    recording_report,
)


def figures(**changes: object) -> PageFigures:
    """64 agents, providers 3 s late, 45 s: a run that meets every target."""
    values: dict[str, object] = {
        "agents": 64,
        "latency": 3.0,
        "seconds": 45.0,
        "requests": 900,  # 20 req/s against the ideal 21.3
        "page_p50": 3.1,
        "page_p95": 3.6,
        "healthz_p50": 0.004,
        "healthz_p95": 0.020,
        "errors": {},
        "truncated": 0,
        "max_connections": 12,
        "serving": "2 processes x 128 threads",
    }
    return PageFigures(**(values | changes))  # type: ignore[arg-type]


def line(lines: list[str], name: str) -> str:
    (found,) = [text for text in lines if text.strip().startswith(name)]
    return found


def test_percentiles_are_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]

    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([7.0], 0.95) == 7.0


def test_a_percentile_of_nothing_is_not_a_number() -> None:
    assert math.isnan(percentile([], 0.5))


def test_the_report_sets_each_figure_beside_its_ideal_and_target() -> None:
    lines = page_report(figures())

    assert "64 agents, provider latency 3 s, 45 s" in lines[0]
    assert "2 processes x 128 threads" in lines[1]
    throughput = line(lines, "throughput")
    assert "20.0 req/s" in throughput
    assert "21.3 req/s" in throughput  # ideal: N / L
    assert ">= 19.2 req/s" in throughput  # target: 0.9 x N / L
    assert throughput.endswith("ok")
    p50 = line(lines, "page p50")
    assert "3.10 s" in p50
    assert "3.00 s" in p50  # ideal: L
    assert "<= 3.30 s" in p50  # target: 1.1 x L
    assert p50.endswith("ok")
    assert line(lines, "/healthz p95").endswith("ok")
    assert "12 at most" in line(lines, "database connections")


def test_a_figure_past_its_target_is_marked_missed() -> None:
    lines = page_report(
        figures(requests=600, page_p50=3.4, healthz_p95=0.051, errors={"504": 3}, truncated=1)
    )

    for name in ("throughput", "page p50", "/healthz p95", "errors", "truncated streams"):
        assert line(lines, name).endswith("MISSED"), name


def test_without_provider_latency_there_is_no_ideal_to_miss() -> None:
    lines = page_report(figures(latency=0.0, page_p50=0.03))

    assert not line(lines, "throughput").endswith(("ok", "MISSED"))
    assert not line(lines, "page p50").endswith(("ok", "MISSED"))


def test_errors_are_counted_by_status_or_failure() -> None:
    errors = line(page_report(figures(errors={"503": 2, "ReadTimeout": 1})), "errors")

    assert "3 (2 x 503, 1 x ReadTimeout)" in errors


def test_a_window_holds_only_its_own_span() -> None:
    window = Window(10.0, 55.0)

    assert window.holds(10.0)
    assert window.holds(55.0)
    assert not window.holds(9.9)
    assert not window.holds(55.1)


def test_the_recordings_report_needs_every_download_whole_and_pages_at_their_unloaded_time() -> (
    None
):
    whole = RecordingFigures(
        downloads=16,
        size=100_000_000,
        rate=2_000_000,
        complete=16,
        slowest=52.0,
        rss_before=200 * 1024 * 1024,
        rss_peak=210 * 1024 * 1024,
        pages_unloaded_p50=0.10,
        pages_loaded_p50=0.12,
        pages_loaded_p95=0.2,
        healthz_p95=0.01,
        errors={},
        truncated=0,
    )
    good = recording_report(whole)
    bad = recording_report(
        replace(whole, complete=15, truncated=1, pages_loaded_p50=0.5, rss_peak=500 * 1024**2)
    )

    assert "50.00 s" in line(good, "slowest download")  # ideal: size / rate
    assert "200 -> 210 MiB peak" in line(good, "app memory")
    assert line(good, "app memory").endswith("ok")
    assert line(bad, "app memory").endswith("MISSED")
    assert line(good, "complete downloads").endswith("ok")
    assert line(good, "page p50 meanwhile").endswith("ok")
    assert line(bad, "complete downloads").endswith("MISSED")
    assert line(bad, "page p50 meanwhile").endswith("MISSED")
    assert line(bad, "truncated streams").endswith("MISSED")
