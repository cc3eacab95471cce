"""The common provider interface: which host each secret may be sent to."""

from __future__ import annotations

import pytest

from callviewer.providers import registry
from callviewer.providers.base import host_origin
from callviewer.providers.signalwire import SignalWire
from callviewer.providers.sinch import Sinch
from callviewer.providers.talkstack import TalkStack


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://api.example.com", "https://api.example.com/"),
        ("https://API.Example.com", "https://api.example.com"),
        ("HTTPS://api.example.com", "https://api.example.com"),
        ("https://api.example.com:443", "https://api.example.com"),
        ("http://127.0.0.1:80", "http://127.0.0.1"),
        ("http://[::1]:8001/", "http://[::1]:8001"),
    ],
)
def test_one_origin_written_two_ways_is_the_same_host(a, b):
    assert host_origin(a) == host_origin(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://api.example.com", "http://api.example.com"),
        ("https://api.example.com", "https://api.example.com:8443"),
        ("https://api.example.com", "https://api.example.com.evil.test"),
        ("https://api.example.com", "https://api.example.com/v2"),
        ("https://api.example.com", "https://user@api.example.com"),
        ("https://api.example.com", "https://api.example.com:bad"),
    ],
)
def test_a_different_or_unusual_origin_is_another_host(a, b):
    assert host_origin(a) != host_origin(b)


def test_a_bare_host_name_is_reached_over_https():
    assert host_origin("Example.SignalWire.com", bare_host=True) == "https://example.signalwire.com"
    assert host_origin("evil.test@example.signalwire.com", bare_host=True) != (
        "https://example.signalwire.com"
    )


@pytest.mark.parametrize("cls", list(registry().values()), ids=list(registry()))
def test_every_secret_is_guarded_by_a_host_setting(cls):
    secrets = {f.name for f in cls.secret_fields}
    guarded = {name for f in cls.settings_fields for name in f.guards}
    assert guarded == secrets


def test_a_changed_base_url_moves_only_the_secrets_it_guards():
    moved = TalkStack.secrets_moved({"base_url": "https://a.test"}, {"base_url": "https://b.test"})
    assert {name: [f.name for f in fields] for name, fields in moved.items()} == {
        "api_key": ["base_url"]
    }
    twilio = TalkStack.secrets_moved({}, {"twilio_base_url": "https://media.test"})
    assert set(twilio) == {"twilio_account_sid", "twilio_auth_token"}


def test_the_default_written_out_is_no_move():
    assert TalkStack.secrets_moved({}, {"base_url": "https://API.talkstackai.com/"}) == {}
    assert Sinch.secrets_moved({"base_url": "https://calling.api.sinch.com"}, {}) == {}
    assert Sinch.secrets_moved({}, {"base_url": "https://calling-euc1.api.sinch.com"}) != {}


def test_other_settings_move_no_secret():
    assert TalkStack.secrets_moved({"project_id": "a"}, {"project_id": "b"}) == {}


def test_a_signalwire_space_written_as_the_same_base_url_is_no_move():
    space = {"space": "example.signalwire.com"}
    assert SignalWire.secrets_moved(space, {"base_url": "https://example.signalwire.com/"}) == {}
    assert (
        SignalWire.secrets_moved(space, space | {"base_url": "https://example.signalwire.com"})
        == {}
    )
    moved = SignalWire.secrets_moved(space, {"base_url": "https://other.signalwire.com"})
    assert [f.name for f in moved["api_token"]] == ["space", "base_url"]


def test_several_hosts_for_one_secret_count_any_difference_as_a_move():
    both = {"space": "a.signalwire.com", "base_url": "https://b.signalwire.com"}
    swapped = {"space": "b.signalwire.com", "base_url": "https://a.signalwire.com"}
    assert set(SignalWire.secrets_moved(both, swapped)) == {"api_token"}
    assert set(SignalWire.secrets_moved(both, {"base_url": "https://b.signalwire.com"})) == {
        "api_token"
    }


@pytest.mark.parametrize(
    ("name", "typed", "spelled"),
    [
        ("talkstack", "ca26E39C970FD416515799F5A165718BE3", "CA26e39c970fd416515799f5a165718be3"),
        ("talkstack", "ce076794-5bf3-4937-aad5-c473dbbcf1e3", ""),
        (
            "signalwire",
            "CE076794-5BF3-4937-AAD5-C473DBBCF1E3",
            "ce076794-5bf3-4937-aad5-c473dbbcf1e3",
        ),
        ("signalwire", "CA26e39c970fd416515799f5a165718be3", ""),
        ("sinch", "4398599D1BA84EF3BDE0A82DFB61ABED", "4398599d1ba84ef3bde0a82dfb61abed"),
        ("sinch", "4398599d1ba84ef3bde0a82dfb61abe", ""),
    ],
)
def test_each_provider_spells_its_sids_in_its_own_letter_case(
    name: str, typed: str, spelled: str
) -> None:
    assert registry()[name].spell_sid(typed) == spelled
