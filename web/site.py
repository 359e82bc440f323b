"""What every page of the site shares: its templates, its two languages and how a page is answered.

Czech is the site's language; English is a switch on every page. A page's language comes from
``?lang=`` when a link names it (so an English page can be shared), else from the cookie the switch
sets, else Czech. Templates mark their words with ``_("…")`` / ``{% trans %}`` in Czech, the
message ids; ``web/locale/*.toml`` give the English for each (a test checks that none is missing).
A counted phrase is ``ngettext(one, many, count)`` (or :func:`plural` in Python), with the forms
Czech and English add in the catalogue's plural tables.
Catalogue data keeps its own language: labels the catalogue has only in Czech are marked
``lang="cs"`` on an English page, so that screen readers pronounce them right.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape

from web.basket import visitor_basket
from web.links import IriLinks
from web.state import site_catalogue

T = TypeVar("T")

WEB = Path(__file__).parent
TEMPLATES = WEB / "templates"
STATIC = WEB / "static"
LOCALE = WEB / "locale"

LANGUAGES = {"cs": "Česky", "en": "English"}
DEFAULT_LANGUAGE = "cs"
LANGUAGE_COOKIE = "jazyk"
LANGUAGE_PARAMETER = "lang"


def site_url(request: Request) -> str:
    """The site's own address, without a trailing slash, for links given out (a share link, a feed): the
    configured public URL when KATALOG_PUBLIC_URL is set, else the request's (whose host the app has
    checked against the allowed hosts)."""
    settings = site_catalogue(request).settings
    if "public_url" in settings.model_fields_set:
        return settings.public_url.rstrip("/")
    return str(request.base_url).rstrip("/")


def N_(message: str) -> str:
    """Mark a Czech message kept in Python for translation where a page shows it (``_(value)``)."""
    return message


NAVIGATION = (
    ("/", N_("Hledat řešení")),
    ("/koncepce", N_("Koncepce")),
    ("/financovani", N_("Financování")),
    ("/dobra-praxe", N_("Dobrá praxe")),
    ("/projekt", N_("Sestavit projekt")),
    ("/navod", N_("Návod")),
)
"""The main navigation: path and Czech name (the message id of its English name)."""

SECURITY_HEADERS = {
    # The site's own files only: no inline script or style, so an injected one would not run.
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@dataclass(frozen=True)
class PluralForms:
    """A counted phrase's forms beyond the two that ``ngettext`` is given (the Czech singular and the
    Czech form for zero and five and more): Czech's form for two to four, and English's two forms."""

    few: str
    english: tuple[str, str]


def _messages() -> Iterator[tuple[str, str, str | dict[str, Any]]]:
    for path in sorted(LOCALE.glob("*.toml")):
        with path.open("rb") as file:
            for czech, translation in tomllib.load(file).items():
                yield path.name, czech, translation


@cache
def english() -> Mapping[str, str]:
    """Czech message → English, from every ``web/locale/*.toml`` (one file per part of the site)."""
    messages: dict[str, str] = {}
    for name, czech, translation in _messages():
        if isinstance(translation, dict):
            continue
        if czech in messages and messages[czech] != translation:
            raise ValueError(f"{name}: {czech!r} is translated twice, differently")
        messages[czech] = translation
    return messages


@cache
def plurals() -> Mapping[str, PluralForms]:
    """The plural forms of the message catalogue, by the Czech form for five and more: each
    ``web/locale/*.toml`` ends with its ``[plural."…"]`` tables, ``few`` (2–4) and ``en`` (one, other)."""
    forms: dict[str, PluralForms] = {}
    for name, _, table in _messages():
        if not isinstance(table, dict):
            continue
        for many, entry in table.items():
            if many in forms:
                raise ValueError(f"{name}: the plural {many!r} is given twice")
            one, other = entry["en"]
            forms[many] = PluralForms(few=entry["few"], english=(one, other))
    return forms


def plural(lang: str, one: str, many: str, count: int) -> str:
    """The form of a counted phrase that ``count`` takes in ``lang``, unformatted: Czech has three
    (1 souvislost, 2–4 souvislosti, 0 and 5+ souvislostí), English two. ``one`` and ``many`` are the
    Czech forms; the others come from the message catalogue's plural forms."""
    # A phrase without its table (which a test catches) still reads, if not in the best form.
    forms = plurals().get(many) or PluralForms(few=many, english=(translate(lang, one), translate(lang, many)))
    if lang != DEFAULT_LANGUAGE:
        return forms.english[0 if count == 1 else 1]
    if count == 1:
        return one
    return forms.few if 2 <= count <= 4 else many


def translate(lang: str, message: str) -> str:
    """``message`` (Czech) in ``lang``; Czech stays as it is, and so does a message nobody translated."""
    if lang == DEFAULT_LANGUAGE:
        return message
    return english().get(message, message)


@pass_context
def _gettext(context: Context, message: str) -> str:
    return translate(context.get("lang", DEFAULT_LANGUAGE), message)


@pass_context
def _ngettext(context: Context, singular: str, plural_: str, count: int) -> str:
    return plural(context.get("lang", DEFAULT_LANGUAGE), singular, plural_, count)


templates = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
templates.globals["navigation"] = NAVIGATION
templates.globals["languages"] = LANGUAGES


def number(value: float | int | None, digits: int = 0, lang: str = DEFAULT_LANGUAGE) -> str:
    """A number as the page's language writes it: Czech groups thousands with no-break spaces and
    uses a decimal comma; English uses commas and a decimal point."""
    if value is None:
        return ""
    text = f"{value:,.{digits}f}"
    return text if lang != DEFAULT_LANGUAGE else text.replace(",", "\u00a0").replace(".", ",")


def czk(value: float | int | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """An amount in Czech crowns: "1 500 000 Kč" in Czech, "CZK 1,500,000" in English."""
    if value is None:
        return ""
    amount = number(value, lang=lang)
    return f"{amount}\u00a0Kč" if lang == DEFAULT_LANGUAGE else f"CZK\u00a0{amount}"


_SCALES = ((1e9, "mld.", "billion"), (1e6, "mil.", "million"), (1e3, "tis.", "thousand"))


def czk_short(value: float | int | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """An amount in crowns as people say it: "3,3 mld. Kč", "260 tis. Kč" in Czech, "CZK 3.3 billion"
    in English (at most two decimals, none that are zero); below a thousand as :func:`czk` writes it."""
    if value is None:
        return ""
    for scale, czech, english_word in _SCALES:
        if abs(value) >= scale:
            figure = f"{value / scale:.2f}".rstrip("0").rstrip(".")
            if lang == DEFAULT_LANGUAGE:
                return f"{figure.replace('.', ',')}\u00a0{czech}\u00a0Kč"
            return f"CZK\u00a0{figure}\u00a0{english_word}"
    return czk(value, lang)


@pass_context
def _czk_short_filter(context: Context, value: float | int | None) -> str:
    return czk_short(value, context.get("lang", DEFAULT_LANGUAGE))


@pass_context
def _number_filter(context: Context, value: float | int | None, digits: int = 0) -> str:
    return number(value, digits, context.get("lang", DEFAULT_LANGUAGE))


@pass_context
def _czk_filter(context: Context, value: float | int | None) -> str:
    return czk(value, context.get("lang", DEFAULT_LANGUAGE))


_CZECH_QUOTE = re.compile(r"(„[^“]*“)")


def czech_quotes(text: str) -> Markup:
    """A text in another language with the Czech words it quotes („…“, as the curators quote the seeds)
    marked lang="cs", so that a reader's voice switches language for them."""
    parts = _CZECH_QUOTE.split(text)  # the text between quotes, then a quote, in turn
    quoted = Markup('<span lang="cs">{}</span>')
    return Markup("").join(quoted.format(part) if n % 2 else escape(part) for n, part in enumerate(parts))


templates.filters["number"] = _number_filter
templates.filters["czk"] = _czk_filter
templates.filters["czk_short"] = _czk_short_filter
templates.filters["czech_quotes"] = czech_quotes


def language_of(request: Request) -> str:
    asked = request.query_params.get(LANGUAGE_PARAMETER) or request.cookies.get(LANGUAGE_COOKIE)
    return asked if asked in LANGUAGES else DEFAULT_LANGUAGE


def url_with(request: Request, **changes: str | None) -> str:
    """This page's path and query with some parameters changed (None removes one)."""
    query = [(key, value) for key, value in request.query_params.multi_items() if key not in changes]
    query += [(key, value) for key, value in changes.items() if value is not None]
    return request.url.path + (f"?{urlencode(query)}" if query else "")


def local_path(value: str | None, fallback: str) -> str:
    """``value`` when it is a path on this site, else ``fallback``: where a form goes back to must
    never become an open redirect (``//host``, ``/\\host`` and absolute URLs are refused)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return fallback
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else fallback


def switch_url(request: Request, lang: str) -> str:
    """The link that turns the site to ``lang`` and comes back to this page."""
    return "/jazyk/" + lang + "?" + urlencode({"zpet": url_with(request, **{LANGUAGE_PARAMETER: None})})


def page_context(request: Request) -> dict[str, Any]:
    """What every template may use: the language, links to catalogue IRIs, the language switch and the
    visitor's project (its count in the header, the "Přidat do projektu" buttons)."""
    lang = language_of(request)
    return {
        "request": request,
        "lang": lang,
        "href": IriLinks(site_catalogue(request).settings).href,
        "switch_urls": {other: switch_url(request, other) for other in LANGUAGES if other != lang},
        "current_path": request.url.path,
        "project_basket": visitor_basket(request),
    }


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The page ``template`` in the request's language, with the site's security headers."""
    body = templates.get_template(template).render({**page_context(request), **(context or {})})
    return HTMLResponse(body, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})})
