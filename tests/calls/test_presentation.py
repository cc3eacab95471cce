"""How a call reads on its page: labels, values, durations, phone formats, money, links."""

from __future__ import annotations

from decimal import Decimal

import pytest

from callviewer.calls import presentation as p
from callviewer.projects.models import Project
from callviewer.providers.types import Call, Endpoint, Money, Quality


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
        p.Fact("Partner ID", "ptn-1", ""),
        p.Fact("Shift ID", "shf 2", "https://admin.example.com/shifts/shf%202"),
    ]


def test_it_lists_only_the_quality_figures_that_are_present() -> None:
    assert p.quality_facts(None) == []
    facts = p.quality_facts(
        Quality(
            mos=Decimal("4.3"), jitter_avg=3, jitter_max=9, packets_lost=2, sip_result_code="200"
        )
    )
    assert [f.label for f in facts] == [
        "Audio quality (MOS)",
        "Jitter",
        "Packets lost",
        "SIP result",
    ]
    assert facts[0].value == "4.3 of 5" and facts[0].title == "good"
    assert facts[1].value == "3 ms average, up to 9 ms"


@pytest.mark.parametrize(
    ("table", "value", "words"),
    [
        (p.SINCH_RESULTS, "NOANSWER", "nobody answered"),
        (p.SINCH_RESULTS, "answered", "answered"),
        (p.SINCH_REASONS, "CALLEEHANGUP", "the person called hung up"),
        (p.SINCH_REASONS, "N/A", "no reason given"),
        (p.SINCH_REASONS, "SOMETHINGNEW", "SOMETHINGNEW"),
        (p.SINCH_REASONS, "", ""),
    ],
)
def test_it_says_sinch_results_and_reasons_in_words(
    table: dict[str, str], value: str, words: str
) -> None:
    assert p.sinch_words(table, value) == words
