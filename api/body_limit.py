"""A cap on the size of request bodies, as a pure ASGI middleware.

A declared ``Content-Length`` over the cap is refused before the application runs, without reading a
byte of the body; a body sent without one (chunked) is counted as it streams and refused at the first
chunk past the cap, so the application never holds more than the cap in memory. A multipart body (a file
upload, such as an import at ``/upravy/import``) has a larger cap of its own.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalogue.errors import error_body

TOO_LARGE_CODE = "PAYLOAD_TOO_LARGE"


def readable_size(limit: int, *, unit: int = 2**10) -> str:
    """``limit`` bytes for people, in MB, kB or bytes of ``unit`` (1,024, as the body limits' defaults
    are written, or 1,000, as the /sparql answer cap is)."""
    if limit >= unit**2:
        return f"{limit / unit**2:g} MB"
    if limit >= unit:
        return f"{limit / unit:g} kB"
    return f"{limit} B"


def too_large_message(limit: int) -> str:
    size = readable_size(limit)
    return f"Tělo požadavku je příliš velké: smí mít nejvýše {size}. Pošlete menší požadavek nebo soubor."


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_body`` bytes (``max_upload`` for ``multipart/form-data``) with 413."""

    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        limit = self.max_upload if content_type == b"multipart/form-data" else self.max_body
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                length = -1
            if length < 0:
                await _refuse(send, 400, "BAD_REQUEST", "Hlavička Content-Length není platné číslo.")
                return
            if length > limit:
                await _refuse(send, 413, TOO_LARGE_CODE, too_large_message(limit))
                return
        received = 0
        started = refused = False

        async def counted_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Answered here, at once: the application sees the client gone and stops reading, and
                    # whatever it still tries to send is dropped.
                    refused = True
                    if not started:
                        await _refuse(send, 413, TOO_LARGE_CODE, too_large_message(limit))
                    return {"type": "http.disconnect"}
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except Exception:
            if not refused:
                raise


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message), ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-content-type-options", b"nosniff"),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
