"""How a call reads on its page: labels, values, durations, phone formats, money, links."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from callviewer.calls import presentation as p
from callviewer.projects.models import Project
from callviewer.providers.types import Call, Endpoint, Fact, Money


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("employeeGoToWork", "Employee go to work"),
        ("reasonOfCancellation", "Reason of cancellation"),
        ("newDate", "New date"),
        ("callbackRequested", "Callback requested"),
        ("agent_notes", "Agent notes"),
        ("customerID", "Customer ID"),
        ("URLPath", "URL path"),
        ("step2Done", "Step 2 done"),
        ("summary", "Summary"),
        ("", ""),
    ],
)
def test_it_turns_data_keys_into_words(key: str, label: str) -> None:
    assert p.label(key) == label


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("true", "Yes"),
        ("false", "No"),
        ("TRUE", "Yes"),
        (" False ", "No"),
        ("", "—"),
        ("   ", "—"),
        ("Sick", "Sick"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # escaped by the template
    ],
)
def test_it_shows_values_in_plain_words(value: str, shown: str) -> None:
    assert p.value_text(value) == shown


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, "—"), (0, "0:00:00"), (23, "0:00:23"), (600, "0:10:00"), (3725, "1:02:05")],
)
def test_it_writes_durations_as_h_mm_ss(seconds: int | None, shown: str) -> None:
    assert p.duration_text(seconds) == shown


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("0.077", "USD", "0.077 USD"),
        ("1", "EUR", "1.00 EUR"),
        ("-0.00350", "USD", "0.0035 USD"),  # SignalWire's charge, negative as Twilio writes it
        ("0", "USD", "0.00 USD"),
        ("12.5", "GBP", "12.50 GBP"),
    ],
)
def test_it_shows_money_with_its_currency(amount: str, currency: str, shown: str) -> None:
    assert p.money_text(Money(Decimal(amount), currency)) == shown


def test_it_shows_no_money_when_there_is_none() -> None:
    assert p.money_text(None) == ""


def test_it_shows_a_number_of_the_projects_region_in_national_and_international_format() -> None:
    party = p.party(Endpoint("+12068091239"), "US")
    assert party == p.Party("(206) 809-1239", "+1 206-809-1239", "+12068091239")


def test_it_shows_a_foreign_number_in_international_format() -> None:
    party = p.party(Endpoint("+442071838750"), "US")
    assert party is not None
    assert party.text == "+44 20 7183 8750"
    assert party.copy == "+442071838750"


def test_it_reads_a_number_without_country_code_in_the_projects_region() -> None:
    party = p.party(Endpoint("020 7183 8750"), "GB")
    assert party is not None
    assert (party.text, party.copy) == ("020 7183 8750", "+442071838750")


@pytest.mark.parametrize(
    "endpoint",
    [
        Endpoint("sip:frontdesk20@ts-proj.sip.twilio.com", "sip"),
        Endpoint("agent-live", "username"),
        Endpoint("+19876543210@example.sip.sinch.com", "sip"),
    ],
)
def test_it_shows_sip_addresses_and_usernames_as_given(endpoint: Endpoint) -> None:
    party = p.party(endpoint, "US")
    assert party is not None
    assert (party.text, party.copy, party.alternative) == (endpoint.value, endpoint.value, "")


def test_a_number_shown_again_is_not_formatted_again() -> None:
    p._formatted.cache_clear()
    with mock.patch.object(p.phonenumbers, "parse", wraps=p.phonenumbers.parse) as parse:
        rows = [p.party(Endpoint("+12068091239"), "US") for _ in range(25)]

    assert parse.call_count == 1
    assert set(rows) == {p.Party("(206) 809-1239", "+1 206-809-1239", "+12068091239")}


def test_the_same_number_reads_apart_in_each_region_and_kind() -> None:
    assert p.party(Endpoint("020 7183 8750"), "GB") != p.party(Endpoint("020 7183 8750"), "US")
    sip = p.party(Endpoint("+12068091239", "sip"), "US")
    assert sip is not None and sip.kind == "sip" and sip.text == "+12068091239"
    assert p.party(Endpoint("+12068091239"), "US") != sip


def test_it_shows_what_is_not_a_number_as_given() -> None:
    party = p.party(Endpoint("anonymous"), "US")
    assert party is not None and party.text == "anonymous"
    assert p.party(None, "US") is None


@pytest.mark.parametrize(
    ("template", "value", "link"),
    [
        (
            "https://admin.example.com/shifts/{shiftId}",
            "shf-1",
            "https://admin.example.com/shifts/shf-1",
        ),
        (
            "https://admin.example.com/shifts/{shiftId}",
            "a b/../c?d",
            "https://admin.example.com/shifts/a%20b%2F..%2Fc%3Fd",
        ),
        ("http://admin.example.com/s?id={id}", "7", "http://admin.example.com/s?id=7"),
        ("javascript:alert({shiftId})", "x", ""),
        ("//admin.example.com/{shiftId}", "x", ""),
        ("https://{shiftId}.example.com/", "x", ""),
        ("https://admin.example.com/shifts/", "x", ""),  # no placeholder
        (
            "https://admin.example.com/{0.__class__}/{shiftId}",
            "x",
            "https://admin.example.com/{0.__class__}/x",
        ),
        ("", "x", ""),
        (None, "x", ""),
        ("https://admin.example.com/shifts/{shiftId}", "", ""),
    ],
)
def test_it_links_ids_only_through_http_templates(template: object, value: str, link: str) -> None:
    assert p.id_link(template, "shiftId", value) == link


def test_it_links_the_ids_its_project_has_templates_for() -> None:
    project = Project(
        slug="x",
        provider="talkstack",
        settings={"shift_url_template": "https://admin.example.com/shifts/{shiftId}"},
    )
    call = Call("CA1", "talkstack", "completed", "completed", partner_id="ptn-1", shift_id="shf 2")
    facts = p.linked_ids(call, project)
    assert facts == [
        Fact("Partner ID", "ptn-1"),
        Fact("Shift ID", "shf 2", link="https://admin.example.com/shifts/shf%202"),
    ]


def test_a_ticket_summary_has_every_fact_an_agent_pastes_in_the_agents_zone() -> None:
    project = Project(slug="acme", name="Acme Support", provider="sinch", settings={})
    call = Call(
        "4398599d1ba84ef3bde0a82dfb61abed",
        "sinch",
        "failed",
        "FINAL/FAILED",
        from_=Endpoint("+12068091239"),
        to=Endpoint("sip:desk@example.com", "sip"),
        start=dt.datetime(2024, 1, 30, 13, 39, 53, tzinfo=dt.UTC),
        duration=0,
        cost=Money(Decimal("0.0100"), "EUR"),
        result="FAILED",
        reason="BLOCKED",
    )
    url = "https://cv.example.com/calls/4398599d1ba84ef3bde0a82dfb61abed/?project=acme"
    with timezone.override("America/Los_Angeles"):
        text = p.ticket_text(call, project, p.present(call, project), url)
    assert text.splitlines() == [
        "Call 4398599d1ba84ef3bde0a82dfb61abed (Sinch, project Acme Support)",
        "Started: Tue 30 Jan 2024, 05:39:53 PST (America/Los_Angeles)",
        "From: (206) 809-1239 (+12068091239)",
        "To: sip:desk@example.com",
        "Status: failed (the call could not be placed)",
        "Result: The call failed (FAILED)",
        "Reason: The call was blocked (BLOCKED)",
        "Duration: 0:00:00",
        "Cost: 0.01 EUR",
        f"Link: {url}",
    ]


def test_a_ticket_summary_of_a_live_call_says_what_is_not_known_yet() -> None:
    project = Project(slug="acme", name="Acme", provider="talkstack", settings={})
    call = Call("CA" + "1" * 32, "talkstack", "ringing", "ringing")
    text = p.ticket_text(call, project, p.present(call, project), "https://cv/x")
    assert "Started: not given" in text and "From: —" in text
    assert "Status: ringing (the phone is ringing), still in progress" in text
    assert "TalkStack AI status: Temporary: the phone is ringing (ringing)" in text
    assert "Duration: not known" in text and "Cost: not known yet" in text
