"""The payload value readers shared by the provider modules: hostile values in, clean ones out."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

import httpx
import pytest

from callviewer.providers import values
from callviewer.providers.types import UnexpectedAnswer

PHONE = "+14155550123"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a\x00b", "ab"),
        ("\x00", ""),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ("\udfff\ud800", "\ufffd\ufffd"),
        ("emoji \U0001f600 stays", "emoji \U0001f600 stays"),
        (12, "12"),
        (1.5, "1.5"),
        (True, "True"),
        (None, ""),
        ({"a": 1}, ""),
        ([1], ""),
    ],
)
def test_text_drops_nul_and_replaces_lone_surrogates(value: Any, expected: str) -> None:
    assert values.text(value) == expected


def test_text_of_an_int_too_long_to_write_is_empty() -> None:
    assert values.text(10**5000) == ""


def test_plain_cleans_every_string_keys_included() -> None:
    body = {"k\x00ey": ["v\x00", {"\ud800": "x\ud800"}], "n": 1.5, "b": None}

    assert values.plain(body) == {"key": ["v", {"\ufffd": "x\ufffd"}], "n": 1.5, "b": None}


def test_plain_cuts_nesting_deeper_than_any_provider_goes() -> None:
    deep: Any = "bottom"
    for _ in range(values.MAX_DEPTH + 10):
        deep = [deep]

    cut = values.plain({"deep": deep})

    depth, node = 0, cut["deep"]
    while isinstance(node, list):
        depth, node = depth + 1, node[0]
    assert node is None
    assert depth == values.MAX_DEPTH - 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.077", Decimal("0.077")),
        (-0.013, Decimal("-0.013")),
        (" 12 ", Decimal("12")),
        ("0E-999999", Decimal("0")),
        (float("inf"), None),
        (float("nan"), None),
        ("NaN", None),
        ("sNaN", None),
        ("1e400", None),
        ("1e16", None),
        ("1e-30", None),
        ("9" * 10**6, None),  # a string of a million digits
        ("1" + "0" * 70, None),
        (10**300, None),
        ("12abc", None),
        (True, None),
        ([1], None),
    ],
)
def test_decimal_refuses_what_no_price_or_count_can_be(value: Any, expected: Any) -> None:
    assert values.decimal(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (23, 23),
        ("41", 41),
        ("12.7", 12),
        (0, 0),
        (-5, None),  # a negative duration is garbage, not zero
        ("-0.5", None),
        (values.MAX_COUNT, values.MAX_COUNT),
        (values.MAX_COUNT + 1, None),
        ("1e15", None),
        ("n/a", None),
    ],
)
def test_whole_reads_counts_and_refuses_negative_or_absurd_ones(value: Any, expected: Any) -> None:
    assert values.whole(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 30 Jan 2024 13:39:53 +0000", dt.datetime(2024, 1, 30, 13, 39, 53, tzinfo=dt.UTC)),
        ("Wed, 19 Sept 2018 20:00:01 +0000", dt.datetime(2018, 9, 19, 20, 0, 1, tzinfo=dt.UTC)),
        ("2024-01-30T13:39:53", dt.datetime(2024, 1, 30, 13, 39, 53, tzinfo=dt.UTC)),
        ("Tue, 30 Jan 99999 13:39:53 +0000", None),
        ("Tue, 30 Jan 99999999999999999999999 13:39:53 +0000", None),  # OverflowError
        ("Tue, 30 Jan 2024 13:39:53 +9999", None),
        ("0000-01-01T00:00:00", None),  # year 0
        ("0001-01-01T00:00:00+05:00", None),  # leaves the calendar in UTC
        ("9999-12-31T23:59:59-05:00", None),
        ("1969-12-31T23:59:59Z", None),
        ("2200-01-01T00:00:00Z", None),
        ("2024-01-30\x00T13:39:53", dt.datetime(2024, 1, 30, 13, 39, 53, tzinfo=dt.UTC)),
        ("2024-01-30T13:39:53" + " " * 100, dt.datetime(2024, 1, 30, 13, 39, 53, tzinfo=dt.UTC)),
        ("2024-01-30T13:39:53" + "0" * 100, None),
        (1706621993, None),
        ("", None),
        (None, None),
    ],
)
def test_moment_reads_times_a_call_can_have_and_nothing_else(value: Any, expected: Any) -> None:
    assert values.moment(value) == expected


def test_an_unreadable_time_is_logged_by_field_never_by_value(
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = values.Source("TalkStack AI", "ts-proj-acme-0001", "CA" + "a" * 32)

    with caplog.at_level(logging.DEBUG):
        assert values.time_field({"date": f"call {PHONE} at noon"}, "date", source) is None
        assert values.time_field({"date": None}, "date", source) is None

    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        f"TalkStack AI project ts-proj-acme-0001 call CA{'a' * 32}: "
        "field date is not a value callviewer can read"
    )
    assert PHONE not in caplog.text


def test_answer_reads_json_cleaned() -> None:
    response = httpx.Response(200, content=b'{"from": "+1415\\u0000555", "x": "\\ud800"}')

    assert values.answer("SignalWire", response) == {"from": "+1415555", "x": "\ufffd"}


@pytest.mark.parametrize(
    "content",
    [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 5000 + b"1" + b"}" * 5000],
    ids=["deep-array", "deep-object"],
)
def test_an_answer_nested_too_deeply_is_unexpected_not_a_crash(content: bytes) -> None:
    with pytest.raises(UnexpectedAnswer, match="nested too deeply"):
        values.answer("SignalWire", httpx.Response(200, content=content))


@pytest.mark.parametrize(
    "content",
    [b"1" * 5000, b"<html>", b"[" * 100_000, b'["a"]', b""],
    ids=["int-past-the-digit-limit", "html", "deep", "list", "empty"],
)
def test_an_error_body_that_is_not_an_object_is_empty(content: bytes) -> None:
    assert values.error_body(httpx.Response(400, content=content)) == {}


@pytest.mark.parametrize(
    "value",
    ["https://xn--a.example/", "https://xn--zz/", "http://[::1/x", "https://\x00/", None, 12],
)
def test_a_url_httpx_cannot_read_is_none(value: Any) -> None:
    assert values.url(value) is None


def test_a_url_httpx_can_read_is_parsed() -> None:
    url = values.url("https://API.twilio.com/2010-04-01")

    assert url is not None
    assert (url.host, url.path) == ("api.twilio.com", "/2010-04-01")


def test_a_bug_is_logged_by_its_type_and_place_never_its_message() -> None:
    try:
        int("+14155550100 is not a number")
    except ValueError as exc:
        site = values.bug_site(exc)
    assert site.startswith("ValueError at ")
    assert "test_values.py:" in site
    assert "4155550100" not in site
