"""Assemble the simulator from each provider's simulated API."""

from __future__ import annotations

from . import signalwire_api, sinch_api, talkstack_api
from .core import Sandbox


def build(seed: int = 7) -> Sandbox:
    """A simulator serving all three providers (and Twilio media) on one port."""
    return Sandbox(talkstack_api.ROUTES + signalwire_api.ROUTES + sinch_api.ROUTES, seed=seed)


def start(host: str = "127.0.0.1", port: int = 0, seed: int = 7) -> Sandbox:
    """Start a simulator in a background thread; `.url` says where."""
    return build(seed).start(host, port)
