"""Only the site's own host names are answered, as a pure ASGI middleware.

Links the site builds from the request (a project's share link, the Atom feed's own address) would
otherwise carry whatever ``Host`` a client sent (``Host: evil.example`` → ``http://evil.example/projekt?…``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from catalogue.errors import error_body
from catalogue.settings import Settings

BAD_HOST = "Neznámá adresa serveru (hlavička Host): tento server odpovídá jen na své vlastní adresy."
TEST_CLIENT_HOST = "testserver"
"""The host name Starlette's in-process test client sends; allowed outside production only."""


def allowed_hosts(settings: Settings) -> tuple[str, ...]:
    """The host names answered: KATALOG_ALLOWED_HOSTS when set, else the public URL's and the loopback's."""
    if settings.allowed_hosts:
        return tuple(host.lower() for host in settings.allowed_hosts)
    public = urlsplit(settings.public_url).hostname
    hosts = [*([public] if public else []), "127.0.0.1", "localhost", "::1"]
    if settings.environment != "production":
        hosts.append(TEST_CLIENT_HOST)
    return tuple(dict.fromkeys(hosts))


def _host_name(header: str) -> str:
    header = header.strip().lower()
    if header.startswith("["):  # an IPv6 address, with or without a port
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def host_allowed(header: str, hosts: Sequence[str]) -> bool:
    name = _host_name(header)
    for pattern in hosts:
        if pattern == "*" or name == pattern:
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]):
            return True
    return False


class AllowedHostsMiddleware:
    """Answer 400 with a Czech message to a request whose ``Host`` is not one of ``hosts``."""

    def __init__(self, app: ASGIApp, *, hosts: Sequence[str]) -> None:
        self.app = app
        self.hosts = tuple(hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
        if host_allowed(header, self.hosts):
            await self.app(scope, receive, send)
            return
        body = json.dumps(error_body("BAD_HOST", BAD_HOST), ensure_ascii=False).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-content-type-options", b"nosniff"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
