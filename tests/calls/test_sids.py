"""The SID box's tolerance: any letter case, spaces around, callviewer links, console links."""

from __future__ import annotations

import pytest

from callviewer.calls import sids
from callviewer.calls.sids import Pasted

TS = "CA26e39c970fd416515799f5a165718be3"  # TalkStack (Twilio's form), seed 000
SW = "ce076794-5bf3-4937-aad5-c473dbbcf1e3"  # SignalWire: a UUID
SINCH = "4398599d1ba84ef3bde0a82dfb61abed"  # Sinch, seed 003


class TestRead:
    @pytest.mark.parametrize(
        ("typed", "sid"),
        [
            (TS, TS),
            (TS.lower(), TS),  # "ca26e39c…"
            (TS.upper(), TS),
            ("Ca26E39C970FD416515799F5A165718BE3", TS),
            (SW, SW),
            (SW.upper(), SW),
            (SINCH, SINCH),
            (SINCH.upper(), SINCH),
            (f"  {TS}\n", TS),
            (f"\t{SW.upper()} ", SW),
            ("\u00a0" + SINCH + "\u00a0", SINCH),
        ],
    )
    def test_a_sid_in_any_case_with_spaces_around_is_spelled_as_its_provider_does(
        self, typed: str, sid: str
    ) -> None:
        assert sids.read(typed) == Pasted(sid)

    @pytest.mark.parametrize(
        ("link", "pasted"),
        [
            (f"https://callviewer.example.com/calls/{TS}/?project=acme", Pasted(TS, "acme")),
            (f"http://127.0.0.1:8000/calls/{SW}/", Pasted(SW)),
            (f"/calls/{SINCH}/?project=umbrella", Pasted(SINCH, "umbrella")),
            (f"https://cv.example.com/calls/{TS.lower()}/recordings/1/?project=a", Pasted(TS, "a")),
            (f" https://cv.example.com/calls/{SW}/status/ ", Pasted(SW)),
            (f"https://[2001:db8::1]:8000/calls/{TS}/", Pasted(TS)),
            (f"[{TS}]", Pasted(TS)),  # in brackets, read as a host: still a SID
            # Wrapped as mail and chat tools wrap links: the slug ends where the wrapping starts.
            (f"<https://cv.example.com/calls/{SW.upper()}/?project=globex>", Pasted(SW, "globex")),
            (f"(https://cv.example.com/calls/{TS}/?project=acme).", Pasted(TS, "acme")),
            (f"cv.example.com/calls/{SW}/?project=acme-2&tab=x", Pasted(SW, "acme-2")),
        ],
    )
    def test_a_pasted_callviewer_link_opens_its_call_and_keeps_its_project(
        self, link: str, pasted: Pasted
    ) -> None:
        assert sids.read(link) == pasted

    @pytest.mark.parametrize(
        ("link", "sid"),
        [
            (f"https://example.signalwire.com/logs/calls/{SW}", SW),
            (f"https://example.signalwire.com/logs/calls/{SW.upper()}?tab=details", SW),
            # The account's (project's) UUID comes first; the call's is the last one.
            (
                "https://example.signalwire.com/api/laml/2010-04-01/Accounts/"
                f"0d4a7d3c-1111-4c2e-9e4b-2d0c3a1b9f00/Calls/{SW}.json",
                SW,
            ),
            (f"https://www.twilio.com/console/voice/calls/logs/{TS}", TS),
            (
                "https://console.twilio.com/us1/monitor/logs/calls?frameUrl="
                f"%2Fconsole%2Fvoice%2Fcalls%2Flogs%2F{TS}%3Fx-target-region%3Dus1",
                TS,
            ),
            (f"https://dashboard.sinch.com/voice/calls/{SINCH.upper()}", SINCH),
            (f"https://example.signalwire.com/dashboard/calls/{SW.upper()}/", SW),
            (f"https://example.signalwire.com/logs/voice?call_id={SW}", SW),
            (f"https://console.twilio.com/us1/monitor/logs/calls/{TS.upper()}", TS),
            (f"https://app.talkstackai.com/dashboard/calls/{TS}", TS),
            (f"https://app.talkstackai.com/projects/p123/calls?sid={TS}&tab=data", TS),
            (f'sid: "{TS}".', TS),
        ],
    )
    def test_a_provider_console_link_that_holds_a_sid_opens_that_call(
        self, link: str, sid: str
    ) -> None:
        assert sids.read(link) == Pasted(sid)

    @pytest.mark.parametrize(
        "typed",
        [
            "",
            "   ",
            "CA123",
            "../../admin",
            "https://example.com/calls/export.csv",
            "https://console.twilio.com/us1/account/AC26e39c970fd416515799f5a165718be3",
            TS + "0",
            "x" * 3000 + TS,
            "[",
            "https://[::1/calls/x/",
        ],
    )
    def test_what_holds_no_sid_is_none(self, typed: str) -> None:
        assert sids.read(typed) is None


def test_the_sid_shapes_name_every_provider_in_words() -> None:
    shapes = sids.shapes()
    assert shapes.startswith("A TalkStack AI call SID is CA and 32 hexadecimal characters")
    assert "a SignalWire one a UUID" in shapes and "a Sinch one 32 hexadecimal" in shapes
