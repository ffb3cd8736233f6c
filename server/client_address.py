"""Who is really calling: the client address behind trusted reverse proxies.

Behind Caddy (deploy/) every request arrives from the proxy's address, so per-address rate
limits and the audit log would all name the proxy. ``X-Forwarded-For`` names the client, but
anyone can send that header: it is believed only when the direct peer is a configured trusted
proxy (``FOOTFALL_TRUSTED_PROXIES``), and then only up to the rightmost hop that is not itself
trusted — the entries left of it were written by the client and prove nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Reported when the server cannot tell (no peer at all, e.g. some test transports).
UNKNOWN = "unknown"


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``["172.18.0.0/16", "10.0.0.5"]`` -> networks; a single address means just that host.

    Strict on purpose: a typo here either trusts the whole internet to name its own address
    or trusts nobody, so ``10.0.0.1/8`` (host bits set) or ``10.0.0/8`` is refused.
    """
    networks = []
    for raw in values:
        text = raw.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=True))
        except ValueError as error:
            raise ValueError(
                f"FOOTFALL_TRUSTED_PROXIES: {text!r} is not an address or network in CIDR form "
                f"({error}); write e.g. 172.18.0.0/16 or 10.0.0.7, separated by commas"
            ) from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    # An IPv4 client seen through a dual-stack socket arrives as ::ffff:a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address | None, trusted: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in trusted)


def resolve_client(peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str:
    """The client's address given the direct ``peer`` and the ``X-Forwarded-For`` header values.

    Walks the forwarded chain from the right (the hop our trusted proxy appended) and returns
    the first address not in ``trusted``. An unreadable hop stops the walk at the last trusted
    address seen, since nothing to its left can be attributed.
    """
    if peer is None:
        return UNKNOWN
    peer_address = _address(peer)
    if not _trusted(peer_address, trusted):
        return str(peer_address) if peer_address is not None else peer
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
    nearest = peer_address
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return str(nearest)
        if not _trusted(address, trusted):
            return str(address)
        nearest = address
    return str(nearest)  # every hop is a trusted proxy (e.g. its own health check)


def client_address(request: Request) -> str:
    """The calling client's address for rate limits and the audit log (see module docstring)."""
    trusted = request.app.state.settings.trusted_proxies
    peer = request.client.host if request.client else None
    return resolve_client(peer, request.headers.getlist("x-forwarded-for"), trusted)
