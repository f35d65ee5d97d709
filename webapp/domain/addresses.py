"""Which addresses a phone on the same network can open, for what is printed (join cards)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def reachable_by_phones(url: str) -> bool:
    """False for this computer's own names (127.0.0.1, localhost, 0.0.0.0): a phone that
    opens them reaches itself. Any other name is taken as given: a .local name, a LAN
    address or a domain may all work, and only the network knows."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if not host or host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    return not (address.is_loopback or address.is_unspecified)
