"""The visitor's project as every page sees it: the cookies it is kept in, its count in the header, and
where an "Přidat do projektu" button comes back to.

The project builder itself (what a project covers, its changes and exports) is
:mod:`web.pages.project`; this module is what the site's header and every page listing measures and
services need of it, without the builder's queries.

Adding posts a form and is answered with a redirect. Without JavaScript that reloads the page, so each
button's form carries its own element id (an *anchor*) as the fragment of its back address: the
browser scrolls back to the button, and the redirect adds ``?pridano=IRI`` so that the page says what
was added, beside the button that added it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlencode

from fastapi import Request

from catalogue.queries.common import InvalidIRI, checked_iri
from web.state import site_catalogue

BASKET_COOKIE = "projekt"
NAME_COOKIE = "projekt-nazev"
ADDED_PARAMETER = "pridano"
MAX_ITEMS = 50
MAX_NAME_LENGTH = 120
_NOT_IN_AN_ID = re.compile(r"[^A-Za-z0-9_-]+")
_SPACES = re.compile(r"\s+")


def instance_base(request: Request) -> str:
    return str(site_catalogue(request).settings.instance_base)


def encode_basket(iris: Sequence[str], base: str) -> str:
    """The cookie's value: the IRIs %-escaped and joined by ``|``; the catalogue's own IRIs without
    their common base, so that fifty of them fit into a cookie."""
    tokens = []
    for iri in iris:
        local = iri[len(base) :] if iri.startswith(base) else None
        tokens.append(quote(local if local and ":" not in local else iri, safe=""))
    return "|".join(tokens)


def decode_basket(value: str, base: str) -> list[str]:
    """The IRIs of a cookie's value; anything that is no IRI (a cookie edited by hand) is left out."""
    iris: list[str] = []
    for token in value.split("|"):
        text = unquote(token)
        iri = text if ":" in text else base + text
        try:
            iris.append(str(checked_iri(iri)))
        except InvalidIRI:
            continue
    return list(dict.fromkeys(iris))[:MAX_ITEMS]


def cookie_basket(request: Request) -> list[str]:
    value = request.cookies.get(BASKET_COOKIE)
    return decode_basket(value, instance_base(request)) if value else []


def clean_name(value: str) -> str:
    """A project's name as it is kept: on one line (a name typed or pasted with line breaks or tabs
    would break the printout's heading), without spaces around it."""
    return _SPACES.sub(" ", "".join(" " if not char.isprintable() else char for char in value)).strip()


def cookie_name(request: Request) -> str:
    """The name of the visitor's own project ("" when it has none); a cookie edited by hand is cut to
    the longest name the form accepts."""
    return clean_name(unquote(request.cookies.get(NAME_COOKIE, "")))[:MAX_NAME_LENGTH]


@dataclass
class VisitorBasket:
    """What a page shows of the visitor's own project: how many items it has (in the header), whether
    an item is among them, and the item just added (``?pridano=``, believed only while it is in the
    basket, so that a link cannot claim an addition that did not happen)."""

    items: frozenset[str]
    count: int
    added: str | None
    here: str
    """This page's path and query without ``pridano``: where its buttons come back to."""
    base: str
    _anchors: Counter[str] = field(default_factory=Counter)

    def __contains__(self, iri: object) -> bool:
        return iri in self.items

    def anchor(self, iri: str) -> str:
        """A new element id for a button that adds ``iri``: the same on every rendering of the page,
        and different for each of its buttons, as a page may list one service under several measures."""
        local = iri[len(self.base) :] if iri.startswith(self.base) else iri
        slug = "pridat-" + _NOT_IN_AN_ID.sub("-", local).strip("-")
        self._anchors[slug] += 1
        return slug if self._anchors[slug] == 1 else f"{slug}-{self._anchors[slug]}"

    def back(self, anchor: str) -> str:
        return f"{self.here}#{anchor}"


def visitor_basket(request: Request) -> VisitorBasket:
    base = instance_base(request)
    value = request.cookies.get(BASKET_COOKIE)
    items = decode_basket(value, base) if value else []
    added = request.query_params.get(ADDED_PARAMETER)
    query = [(key, value) for key, value in request.query_params.multi_items() if key != ADDED_PARAMETER]
    return VisitorBasket(
        items=frozenset(items),
        count=len(items),
        added=added if added in items else None,
        here=request.url.path + (f"?{urlencode(query)}" if query else ""),
        base=base,
    )
