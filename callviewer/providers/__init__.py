"""Provider clients: one module per voice provider behind `base.Provider`."""

from __future__ import annotations

from .base import Provider

_REGISTRY: dict[str, type[Provider]] = {}


def registry() -> dict[str, type[Provider]]:
    """Provider name -> class. Imported lazily so provider modules can import this package."""
    if not _REGISTRY:
        from .signalwire import SignalWire
        from .sinch import Sinch
        from .talkstack import TalkStack

        _REGISTRY.update({p.name: p for p in (TalkStack, SignalWire, Sinch)})
    return _REGISTRY


def provider_class(name: str) -> type[Provider]:
    return registry()[name]


PROVIDER_CHOICES = [
    ("talkstack", "TalkStack AI"),
    ("signalwire", "SignalWire"),
    ("sinch", "Sinch"),
]
