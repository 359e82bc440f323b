"""Who is asking: the account of a request, from its session cookie or its API token, and the per-session
anti-forgery token of every form a logged-in person sends.

A browser logs in on ``/prihlaseni`` and gets the session cookie :data:`SESSION_COOKIE`: a random
secret whose hash names the session in the store (:mod:`catalogue.editing.accounts`), HttpOnly (no
script reads it), SameSite=Lax (another site's form posts without it) and Secure over https. A program
sends ``Authorization: Bearer TOKEN`` instead.

A browser sends its cookie with whatever a page of another site makes it post, so every form of a
logged-in person carries :func:`csrf_token` in the hidden field ``csrf`` (GraphQL mutations over a
session cookie send it in the ``X-CSRF-Token`` header): an HMAC of the session's secret with the site's
secret key, which another site can neither read nor make. A request with a Bearer token needs none: no
browser adds that header by itself.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import cast
from urllib.parse import urlencode
from weakref import WeakKeyDictionary

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from catalogue.editing.accounts import Account, account_for_session, account_for_token
from catalogue.editing.authorisation import Actor, Subject, authorise
from catalogue.errors import CatalogueError, Forbidden, Unauthenticated
from web.errors import error_page, html_error
from web.forms import secret_key
from web.site import N_, language_of, templates, translate, url_with
from web.state import SiteCatalogue, site_catalogue

SESSION_COOKIE = "relace"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_REFUSED = N_("Formulář vypršel nebo nepochází z tohoto webu. Načtěte stránku znovu a odešlete ho ještě jednou.")

_UNSET = object()
_keys: WeakKeyDictionary[SiteCatalogue, bytes] = WeakKeyDictionary()


def site_key(request: Request) -> bytes:
    """The site's secret key, read once per running app (each test's app has its own)."""
    catalogue = site_catalogue(request)
    if catalogue not in _keys:
        _keys[catalogue] = secret_key(catalogue.settings)
    return _keys[catalogue]


def bearer_token(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def current_account(request: Request) -> Account | None:
    """The account the request acts for: its API token's, else its session's; None for nobody (or an
    ended, expired or disabled one). Looked up once per request."""
    cached = getattr(request.state, "account", _UNSET)
    if cached is not _UNSET:
        return cast(Account | None, cached)
    catalogue = site_catalogue(request)
    token = bearer_token(request)
    account: Account | None = None
    if token is not None:
        account = account_for_token(catalogue.store, catalogue.settings, token)
    else:
        secret = request.cookies.get(SESSION_COOKIE)
        if secret:
            account = account_for_session(catalogue.store, catalogue.settings, secret)
    request.state.account = account
    return account


def require_account(request: Request) -> Account:
    """The request's account, or :class:`Unauthenticated`."""
    account = current_account(request)
    if account is None:
        raise Unauthenticated("Pro tuto stránku se přihlaste.")
    return account


def as_actor(account: Account | None) -> Actor | None:
    # authorisation.Actor declares settable attributes, which a frozen dataclass's are not; they are
    # only ever read. Until the protocol says so, this is the one place that tells the type checker.
    return cast(Actor | None, account)


def require(request: Request, action: str, kind: str) -> Account:
    """The request's account when it may do ``action`` to ``kind``; else :class:`Unauthenticated` or
    :class:`Forbidden` with a Czech message saying why."""
    account = current_account(request)
    authorise(as_actor(account), action, Subject(kind))
    assert account is not None  # authorise refuses nobody
    return account


def login_url(request: Request) -> str:
    return "/prihlaseni?" + urlencode({"zpet": url_with(request)})


def page_guard(
    request: Request, action: str | None = None, kind: str = "", *, forbidden: str | None = None
) -> Account | Response:
    """The request's account when it may open the page (do ``action`` to ``kind``, or just be logged in);
    else the answer: a browser without an account is sent to log in, a program gets 401, an account
    without the right 403 saying why (``forbidden``, a message id, or the table's own reason)."""
    try:
        return require(request, action, kind) if action else require_account(request)
    except Unauthenticated as error:
        if bearer_token(request) is None and "text/html" in request.headers.get("accept", ""):
            return RedirectResponse(login_url(request), status_code=303)
        return error_page(request, 401, translate(language_of(request), error.message), code=error.code)
    except Forbidden as error:
        return html_error(request, 403, detail=translate(language_of(request), forbidden or error.message))


def csrf_token(request: Request) -> str:
    """The anti-forgery token of the request's session ("" without one)."""
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return ""
    return hmac.new(site_key(request), f"csrf|{secret}".encode(), hashlib.sha256).hexdigest()


def check_csrf(request: Request, token: str | None) -> None:
    """Nothing when ``token`` is the session's anti-forgery token, or the request carries an API token;
    else :class:`Forbidden`."""
    if bearer_token(request) is not None:
        return
    expected = csrf_token(request)
    if not expected or not token or not hmac.compare_digest(expected, token):
        raise Forbidden(CSRF_REFUSED)


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    # A browser session's cookie: it goes when the browser closes; the store ends it sooner when idle.
    response.set_cookie(
        SESSION_COOKIE, secret, httponly=True, samesite="lax", secure=request.url.scheme == "https", path="/"
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="lax", secure=request.url.scheme == "https", path="/"
    )


def _header_account(request: Request | None) -> Account | None:
    """The account the header names; nobody where the store cannot answer (the error page that says so
    must still be shown) or where a template is rendered outside a request (linked data's own pages)."""
    if not isinstance(request, Request):
        return None
    try:
        return current_account(request)
    except (LookupError, CatalogueError):
        return None


# The header of every page names the logged-in account (base.html); site.page_context does not know it.
templates.globals["header_account"] = _header_account
