"""The client's address behind trusted proxies: believed hops only, REMOTE_ADDR otherwise."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from callviewer.client_address import client_ip, parse_address


def ip(remote: str, forwarded: str | None = None) -> str | None:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))  # type: ignore[arg-type]


def test_without_trusted_proxies_it_is_remote_addr_whatever_the_header_says() -> None:
    assert ip("203.0.113.9", "198.51.100.1") == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_it_is_the_hop_the_proxy_added() -> None:
    assert ip("10.1.2.3", "198.51.100.7") == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8", "192.0.2.10"])
def test_a_client_cannot_choose_its_address_by_writing_the_header_itself() -> None:
    # The client wrote "1.1.1.1"; the load balancer (192.0.2.10) appended the real address,
    # then the internal proxy (10.0.0.5) appended the balancer's.
    assert ip("10.0.0.5", "1.1.1.1, 198.51.100.7, 192.0.2.10") == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_request_not_from_a_trusted_proxy_is_not_believed() -> None:
    assert ip("203.0.113.9", "198.51.100.7") == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("", "10.1.2.3"),  # no header: the proxy itself
        ("not-an-address", "10.1.2.3"),
        ("198.51.100.7, garbage", "10.1.2.3"),  # nothing believable after garbage
        ("198.51.100.7:51234", "198.51.100.7"),
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("10.9.9.9, 10.8.8.8", "10.9.9.9"),  # every hop trusted: the leftmost
    ],
)
def test_odd_headers_never_fail_and_never_invent_an_address(forwarded: str, expected: str) -> None:
    assert ip("10.1.2.3", forwarded) == expected


def test_a_remote_addr_that_is_not_an_address_gives_none() -> None:
    assert ip("") is None
    assert parse_address("unix:/run/gunicorn.sock") is None
