"""Opaque, stable cursors for paged lists.

A cursor names a position (an offset) in one list: one class, one filter, one state of the catalogue.
The list is in the store's own order, the same for the same data, so the position means the same item
for as long as the data does not change; the cursor carries digests of the filter and of the catalogue
version, and a cursor used with another filter, or after the data changed, is refused with a clear
message instead of silently skipping or repeating items.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from api.graphql.errors import InputError

_FORMAT = "k1"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def encode_cursor(kind: str, filter_key: str, version: str, offset: int) -> str:
    raw = "|".join((_FORMAT, kind, _digest(filter_key), _digest(version), str(offset)))
    return base64.urlsafe_b64encode(raw.encode("ascii")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, kind: str, filter_key: str, version: str) -> int:
    """The offset ``cursor`` stands for in the list of ``kind`` filtered by ``filter_key``, or
    :class:`InputError` saying why it cannot be used."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        cursor_format, cursor_kind, filter_digest, catalogue_digest, offset = raw.split("|")
        position = int(offset)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InputError(
            f"Kurzor „{cursor[:60]}“ není platný: použijte hodnotu pageInfo.endCursor z předchozí stránky.", "after"
        ) from None
    if cursor_format != _FORMAT or position < 0:
        raise InputError("Kurzor není platný: použijte hodnotu pageInfo.endCursor z předchozí stránky.", "after")
    if cursor_kind != kind or filter_digest != _digest(filter_key):
        raise InputError(
            "Kurzor patří k jinému seznamu nebo filtru: při listování filtr neměňte, "
            "nebo začněte od první stránky (bez `after`).",
            "after",
        )
    if catalogue_digest != _digest(version):
        raise InputError(
            "Data katalogu se od vydání kurzoru změnila: začněte znovu od první stránky (bez `after`).", "after"
        )
    return position
