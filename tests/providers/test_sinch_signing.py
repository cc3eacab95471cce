"""Sinch request signing, checked against examples worked out by hand (and with openssl)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

import pytest

from callviewer.providers.sinch import basic_auth, sign_request, string_to_sign, utc_timestamp

KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
TIMESTAMP = "2024-01-30T13:39:53.000Z"
CALL_PATH = "/calling/v1/calls/id/4398599d1ba84ef3bde0a82dfb61abed"
BODY = b'{"method":"ttsCallout"}'

# Worked out outside the code under test:
#   printf 'GET\n\napplication/json\nx-timestamp:...\n/calling/...' \
#     | openssl dgst -sha256 -mac HMAC -macopt hexkey:05e22e92a977a53289f1118be73a340c -binary \
#     | base64
GET_SIGNATURE = "78LMnN6PoKggrBfYojS5EdEaW0BzGHL4M6UGWOj6f28="
BODY_MD5 = (
    "SAGXuOpcRj52uAYPmKJT4w=="  # printf '{"method":"ttsCallout"}' | openssl md5 -binary | base64
)
POST_SIGNATURE = "zBo3Yzv3L177Oxj2qC/m4EdYRc/zOnKEdg+aj+9G7Mg="


def test_the_string_to_sign_of_a_get_has_an_empty_md5_line() -> None:
    signed = string_to_sign("get", CALL_PATH, b"", "application/json", TIMESTAMP)

    assert signed == (
        "GET\n"
        "\n"
        "application/json\n"
        "x-timestamp:2024-01-30T13:39:53.000Z\n"
        "/calling/v1/calls/id/4398599d1ba84ef3bde0a82dfb61abed"
    )


def test_it_signs_a_get_as_worked_out_by_hand() -> None:
    headers = sign_request("GET", CALL_PATH, b"", "application/json", TIMESTAMP, KEY, SECRET)

    # The same computation, written out here step by step from Sinch's description.
    message = (
        b"GET\n\napplication/json\nx-timestamp:2024-01-30T13:39:53.000Z\n"
        b"/calling/v1/calls/id/4398599d1ba84ef3bde0a82dfb61abed"
    )
    mac = hmac.new(bytes.fromhex("05e22e92a977a53289f1118be73a340c"), message, hashlib.sha256)
    independent = base64.b64encode(mac.digest()).decode()
    assert independent == GET_SIGNATURE
    assert headers == {
        "Authorization": f"Application {KEY}:{GET_SIGNATURE}",
        "x-timestamp": TIMESTAMP,
    }


def test_it_puts_the_body_md5_and_the_sent_content_type_into_the_signature() -> None:
    content_type = "application/json; charset=utf-8"

    signed = string_to_sign("POST", "/calling/v1/callouts", BODY, content_type, TIMESTAMP)
    headers = sign_request(
        "POST", "/calling/v1/callouts", BODY, content_type, TIMESTAMP, KEY, SECRET
    )

    assert base64.b64encode(hashlib.md5(BODY, usedforsecurity=False).digest()).decode() == BODY_MD5
    assert signed == (
        f"POST\n{BODY_MD5}\napplication/json; charset=utf-8\n"
        "x-timestamp:2024-01-30T13:39:53.000Z\n/calling/v1/callouts"
    )
    assert headers["Authorization"] == f"Application {KEY}:{POST_SIGNATURE}"


def test_a_different_content_type_or_path_changes_the_signature() -> None:
    base = sign_request("GET", CALL_PATH, b"", "application/json", TIMESTAMP, KEY, SECRET)

    no_type = sign_request("GET", CALL_PATH, b"", "", TIMESTAMP, KEY, SECRET)
    other_path = sign_request(
        "GET", CALL_PATH + "0", b"", "application/json", TIMESTAMP, KEY, SECRET
    )

    assert len({base["Authorization"], no_type["Authorization"], other_path["Authorization"]}) == 3


def test_it_refuses_a_secret_that_is_not_base64() -> None:
    with pytest.raises(ValueError, match="not base64"):
        sign_request("GET", CALL_PATH, b"", "application/json", TIMESTAMP, KEY, "not base64!")


def test_basic_auth_carries_key_and_secret_as_they_are() -> None:
    # base64("669E367E-6BBA-48AB-AF15-266871C28135:BeIukql3pTKJ8RGL5zo0DA==")
    expected = (
        "NjY5RTM2N0UtNkJCQS00OEFCLUFGMTUtMjY2ODcxQzI4MTM1OkJlSXVrcWwzcFRLSjhSR0w1em8wREE9PQ=="
    )

    assert basic_auth(KEY, SECRET) == {"Authorization": f"Basic {expected}"}


def test_timestamps_are_utc_iso_8601_with_milliseconds() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))

    stamp = utc_timestamp(dt.datetime(2024, 1, 30, 14, 39, 53, 123456, tzinfo=paris))

    assert stamp == "2024-01-30T13:39:53.123Z"
    assert utc_timestamp().endswith("Z")
