"""The address of the person making a request, seen through the proxies the site trusts.

Behind a load balancer REMOTE_ADDR is the balancer's. X-Forwarded-For is written by whoever
sent the request, so only its hops added by trusted proxies (settings.TRUSTED_PROXIES:
addresses or networks) are believed: walking it from the right, the first address that is
not a trusted proxy is the client. Without trusted proxies, REMOTE_ADDR is the answer.
The audit trail and the sign-in throttling (django-axes) both ask here.
"""

from __future__ import annotations

import functools
import ipaddress
import re

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# "198.51.100.7:51234" and "[2001:db8::1]:443": some proxies write the client's port too.
_WITH_PORT = re.compile(r"\[([0-9A-Fa-f:.]+)\](?::\d+)?|(\d{1,3}(?:\.\d{1,3}){3}):\d+")


@functools.cache
def _trusted(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def trusted_networks() -> tuple[Network, ...]:
    return _trusted(tuple(settings.TRUSTED_PROXIES))


def parse_address(text: str) -> Address | None:
    """An IP address as a proxy or a WSGI server writes it, or None."""
    text = text.strip()
    if match := _WITH_PORT.fullmatch(text):
        text = match.group(1) or match.group(2)
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as text, or None when even REMOTE_ADDR is not an address."""
    remote = parse_address(str(request.META.get("REMOTE_ADDR") or ""))
    if remote is None:
        return None
    networks = trusted_networks()
    if not any(remote in network for network in networks):
        return str(remote)
    hops = str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            break  # a hop no proxy of ours wrote: believe nothing further left
        remote = address
        if not any(address in network for network in networks):
            break
    return str(remote)
