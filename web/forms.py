"""What protects the site's forms that write: anti-forgery tokens and spam traps (the limits that hold
across processes, such as a token's single use and the proposals per address, are in the store:
:mod:`catalogue.editing.throttles`).

A form token is ``<issued unix time>.<nonce>.<HMAC-SHA256>`` over the purpose of the form, the time, the
nonce and the browser's form cookie (a random value the site sets). A forged request from another site
cannot read the cookie or the page, so it cannot make a token that fits; the time in the token gives
both an expiry and a minimum fill time: a person needs a few seconds to write a problem and a contact, a
spam robot posts at once. The nonce makes each token one of its own, also two issued in the same second
to one browser, so that a token spent once (a proposal stored with it, a log-in tried with it) leaves
the next page one that is not. A honeypot field, hidden from people and from assistive technology, is
left empty by people and filled in by robots that fill in every field.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

from fastapi import Request

from catalogue.settings import Settings

FORM_COOKIE = "formular"
HONEYPOT_FIELD = "web"
MIN_FILL_SECONDS = 3.0
MAX_TOKEN_AGE_SECONDS = 4 * 3600.0
TOKEN_NONCE_BYTES = 8
MAX_FORM_BYTES = 16_384
"""Far more than a 1,000-character text and a contact, or a basket of 50 IRIs, take, even %-escaped."""


class RejectedForm(ValueError):
    """A submission refused before its content is looked at; ``reason`` names why (for the page's
    message): "token", "expired", "too-fast" or "honeypot"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def posted_form(request: Request) -> dict[str, list[str]]:
    """Every value of every field of a URL-encoded form post, or :class:`RejectedForm` ("too-large")
    for a body no form of this site sends (read no further than that)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise RejectedForm("too-large")
    fields: dict[str, list[str]] = {}
    for key, value in parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True):
        fields.setdefault(key, []).append(value)
    return fields


async def form_fields(request: Request) -> dict[str, str]:
    """The first value of each field of a form post (see :func:`posted_form`)."""
    return {key: values[0] for key, values in (await posted_form(request)).items()}


def secret_key(settings: Settings) -> bytes:
    """The key that signs form tokens: ``KATALOG_SECRET_KEY``, else one generated once and kept in
    :attr:`Settings.secret_key_file`.

    Kept on disk rather than made at each start, because a new key voids every form open in a
    browser, and because every worker process of one server must sign alike. The file is created
    exclusively, so two processes starting at once end up with the one that was written first."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path = settings.secret_key_file
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secrets.token_hex(32))
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    for _ in range(50):  # another process may have created the file and not yet written it
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key.encode()
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty: delete it and start again, or set KATALOG_SECRET_KEY")


def new_form_cookie() -> str:
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class FormSigner:
    """Signs and checks the tokens of one form (``purpose``) with ``key``."""

    key: bytes
    purpose: str

    def _signature(self, issued: int, nonce: str, cookie: str) -> str:
        message = f"{self.purpose}|{issued}|{nonce}|{cookie}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def token(self, cookie: str, *, now: float | None = None) -> str:
        issued, nonce = int(time.time() if now is None else now), secrets.token_hex(TOKEN_NONCE_BYTES)
        return f"{issued}.{nonce}.{self._signature(issued, nonce, cookie)}"

    def renewed(self, token: str, cookie: str) -> str:
        """Another token for ``cookie`` that passes :meth:`check` as ``token`` (one that passed it) does: issued
        when it was. For a form sent back to be sent again when ``token`` may be used up: the visitor already
        took the fill time."""
        return self.token(cookie, now=int(token.partition(".")[0]))

    def spent_key(self, token: str) -> str:
        """What ``token`` is remembered under once spent (:data:`web.state.SPENT_FORM_TOKENS`): the forms
        share one record, so the key names the form."""
        return f"{self.purpose}:{token}"

    def check(self, token: str, cookie: str | None, *, now: float | None = None) -> None:
        """Nothing when ``token`` was signed here for ``cookie``, between the minimum fill time and the
        expiry ago; else :class:`RejectedForm`."""
        parts = token.split(".")
        issued_text, nonce, signature = parts if len(parts) == 3 else ("", "", "")
        if not (cookie and issued_text.isdigit() and nonce and signature):
            raise RejectedForm("token")
        issued = int(issued_text)
        if not hmac.compare_digest(signature, self._signature(issued, nonce, cookie)):
            raise RejectedForm("token")
        age = (time.time() if now is None else now) - issued
        if age > MAX_TOKEN_AGE_SECONDS:
            raise RejectedForm("expired")
        if age < MIN_FILL_SECONDS:
            raise RejectedForm("too-fast")


def check_honeypot(value: str | None) -> None:
    if value:
        raise RejectedForm("honeypot")
