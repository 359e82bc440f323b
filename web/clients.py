"""Who sent a request: the one place that decides the client's address (rate limits, log-in throttles,
the /sparql per-client limits).

The peer's own address is the client's, unless the peer is a trusted reverse proxy
(``KATALOG_TRUSTED_PROXIES``): then the address the proxies recorded in ``X-Forwarded-For``. The header
is read from the right: each trusted proxy appends the address it received the request from, so the
rightmost address that is not a trusted proxy is the first one no proxy of ours vouches for. Anything to
its left was written by the client and may be made up.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from fastapi import Request

from catalogue.settings import Settings

UNKNOWN = "unknown"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    # A server listening on both IPv6 and IPv4 sees an IPv4 peer as ::ffff:a.b.c.d: the proxy 127.0.0.1 too.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


def client_address(request: Request, settings: Settings) -> str:
    """The address of the client that sent ``request`` (``"unknown"`` when the server was not told)."""
    peer = request.client.host if request.client else UNKNOWN
    networks = _networks(tuple(settings.trusted_proxies))
    if not networks or not _is_trusted(peer, networks):
        return peer
    forwarded = [
        hop.strip() for header in request.headers.getlist("x-forwarded-for") for hop in header.split(",") if hop.strip()
    ]
    for hop in reversed(forwarded):
        if not _is_trusted(hop, networks):
            return hop
    return forwarded[0] if forwarded else peer
