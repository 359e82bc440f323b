"""Whole pages kept per catalogue version: the public pages every anonymous visitor reads alike (the
answer page, the listings, the concept and the resources' own pages) are rendered once per catalogue
version and sent again, within the settings' budget (``KATALOG_PAGE_CACHE_SIZE`` pages,
``KATALOG_PAGE_CACHE_BYTES`` bytes).

A page is the same for two visitors only when all it shows of the visitor is the same, so what a page
is kept under holds all of that: its path and query, the host and scheme it was asked on (share links
carry them), what it was asked as (``Accept``: a resource's page or its data), the visitor's language
(:func:`web.site.language_of`) and project (the basket cookie, which the header and the "Přidat do
projektu" buttons show). A request with a session cookie or a token is never answered from what is kept,
nor kept: a logged-in person's page names them and holds their forms' anti-forgery token. Nor is a page
that sets a cookie (but the form cookie, below), says ``Cache-Control: no-store`` or is not a 200.

The one personal part a kept page may have is the answer page's proposal form (a weak answer, or none,
offers to send the problem to the curators): its token is bound to the visitor's form cookie. That page
is kept without its token, and each visitor it is sent to gets a token of their own and, if they have
none yet, a form cookie (:mod:`web.form_cookie`), as the page itself would give them.

Everything kept is forgotten as soon as the catalogue version changes (:class:`~api.kept.SharedAnswers`,
:attr:`catalogue.runtime.Catalogue.version`), so the next visitor after a published edit gets a fresh
page. The answer page counts every question in the demand (:mod:`web.pages.demand`) also when it is
sent from here: the questions a page recorded are kept with it and counted again each time it is sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.kept import MISSING, SharedAnswers
from api.linked_data import etag_matches
from catalogue.editing.demand import Question
from catalogue.settings import Settings
from web.auth import CSRF_FIELD, SESSION_COOKIE
from web.basket import BASKET_COOKIE
from web.form_cookie import form_token, set_form_cookie
from web.forms import FORM_COOKIE
from web.links import IriLinks
from web.pages.demand import noting_questions, record_question
from web.site import language_of
from web.state import SiteCatalogue

KEPT_PATHS = frozenset({"/", "/odpoved", "/koncepce", "/dobra-praxe", "/financovani", "/navod", "/pristupnost"})
"""The site's public pages that may be kept, beside the catalogue resources' own pages."""
PROPOSAL_PAGE = "/odpoved"
"""The one page kept with a form token: the proposal form's, given to each visitor anew."""
TOKEN_FIELD = b'name="token" value="'
"""Where the proposal form's token begins (answer.html)."""
CSRF = f'name="{CSRF_FIELD}"'.encode()
"""A logged-in person's forms' field: never in an anonymous page, and never kept."""
DROPPED_HEADERS = (b"content-length", b"set-cookie")
"""Set anew for each visitor a kept page is sent to."""


@dataclass(frozen=True)
class KeptPage:
    headers: list[tuple[bytes, bytes]]
    """The page's headers but :data:`DROPPED_HEADERS`."""
    parts: tuple[bytes, ...]
    """The page, or (with the proposal form) the page before its token and after it."""
    questions: tuple[Question, ...]
    """What rendering the page counted in the demand, counted again each time it is sent."""


class KeptPagesMiddleware:
    """Answers a kept page's request from what was kept for the current catalogue version, and keeps
    what a request for a page that may be kept was answered with (see the module)."""

    def __init__(self, app: ASGIApp, *, settings: Settings):
        self.app = app
        # With the instance base at the server's root every path would look like a resource's page, the
        # visitor's own (/projekt, /ucet) too: only the site's public pages are kept then.
        instance_path = IriLinks(settings).instance_path
        self.instance_path = instance_path if instance_path != "/" else None
        self.pages = SharedAnswers(settings.page_cache_size, settings.page_cache_bytes)

    def keeps(self, path: str) -> bool:
        return path in KEPT_PATHS or (self.instance_path is not None and path.startswith(self.instance_path))

    def key(self, request: Request) -> tuple[str, ...] | None:
        """What the request's page is kept under, or None when it is not one to keep."""
        path = request.url.path
        if request.method != "GET" or not self.keeps(path):
            return None
        if "authorization" in request.headers or SESSION_COOKIE in request.cookies:
            return None
        return (
            path,
            request.url.query,
            request.url.scheme,
            request.headers.get("host", ""),
            request.headers.get("accept", ""),
            language_of(request),
            request.cookies.get(BASKET_COOKIE, ""),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        catalogue: SiteCatalogue | None = scope["app"].state.catalogue
        request = Request(scope)
        key = self.key(request) if catalogue is not None else None
        if catalogue is None or key is None:
            await self.app(scope, receive, send)
            return
        version = catalogue.version
        self.pages.current(version)
        kept = self.pages.get(key)
        if kept is not MISSING:
            for question in kept.questions:
                record_question(catalogue, question)
            await self.send_kept(kept, request, catalogue, send)
            return

        start: Message = {}
        body: list[bytes] = []

        async def sent(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))
            await send(message)

        with noting_questions() as questions:
            await self.app(scope, receive, sent)
        page = self.keepable(request, start, b"".join(body))
        if page is not None:
            headers, parts = page
            size = sum(map(len, parts)) + sum(len(name) + len(value) for name, value in headers)
            self.pages.put(key, KeptPage(headers, parts, tuple(questions)), version=version, nbytes=size)

    @staticmethod
    def keepable(
        request: Request, start: Message, page: bytes
    ) -> tuple[list[tuple[bytes, bytes]], tuple[bytes, ...]] | None:
        """The headers and parts to keep of an answer that began with ``start``; None if it is not one to keep."""
        headers = [(name.lower(), value) for name, value in start.get("headers", [])]
        cookies = [value for name, value in headers if name == b"set-cookie"]
        cache_control = b",".join(value for name, value in headers if name == b"cache-control")
        if start.get("status") != 200 or b"no-store" in cache_control or CSRF in page:
            return None
        kept_headers = [(name, value) for name, value in headers if name not in DROPPED_HEADERS]
        if TOKEN_FIELD not in page:
            return (kept_headers, (page,)) if not cookies else None
        if request.url.path != PROPOSAL_PAGE or page.count(TOKEN_FIELD) > 1:
            return None
        if any(not cookie.startswith(FORM_COOKIE.encode() + b"=") for cookie in cookies):
            return None
        before, _, rest = page.partition(TOKEN_FIELD)
        _, quote, after = rest.partition(b'"')
        return kept_headers, (before + TOKEN_FIELD, quote + after)

    @staticmethod
    async def send_kept(kept: KeptPage, request: Request, catalogue: SiteCatalogue, send: Send) -> None:
        headers = list(kept.headers)
        if _not_modified(headers, request):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        parts = kept.parts
        if len(parts) == 2:
            token, cookie = form_token(request, catalogue.proposal_signer)
            parts = (parts[0], token.encode(), parts[1])
            if cookie is not None:
                response = Response()
                set_form_cookie(response, request, cookie)
                headers += [(name, value) for name, value in response.raw_headers if name == b"set-cookie"]
        body = b"".join(parts)
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _not_modified(headers: list[tuple[bytes, bytes]], request: Request) -> bool:
    """Whether the visitor already holds the kept page: its ETag (a resource's version) is one that
    ``If-None-Match`` names, as the page itself would have answered 304."""
    etag = next((value for name, value in headers if name == b"etag"), None)
    return etag is not None and etag_matches(request.headers.get("if-none-match"), etag.decode())
