"""Error answers in one place: a person gets a page in the site's look to go on from, a program the one
JSON shape of every API's errors (:func:`catalogue.errors.error_body`) with a code and a Czech message."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException

from catalogue.errors import INTERNAL_ERROR, CatalogueError, InvalidInput, NotAcceptable, NotFound, error_body
from web.site import N_, language_of, render, translate

log = logging.getLogger(__name__)

TITLES = {
    400: N_("Neplatný požadavek"),
    403: N_("Požadavek odmítnut"),
    404: N_("Stránka nenalezena"),
    405: N_("Tuto akci stránka nepodporuje"),
    500: N_("Chyba serveru"),
}
MESSAGES = {
    404: N_("Na této adrese nic není. Zkontrolujte ji, nebo začněte hledáním řešení na úvodní stránce."),
    405: N_("Na tuto adresu nelze poslat tento druh požadavku."),
    500: N_(
        "Něco se na naší straně pokazilo a stránku se nepodařilo sestavit. Zkuste to prosím za chvíli znovu; "
        "pokud chyba trvá, dejte nám vědět."
    ),
}
CODES = {
    400: InvalidInput.code,
    403: "FORBIDDEN",
    404: NotFound.code,
    405: "METHOD_NOT_ALLOWED",
    406: NotAcceptable.code,
    500: INTERNAL_ERROR,
}
"""The codes of the HTTP errors no :class:`CatalogueError` names (a path nothing serves, a wrong method)."""

# A program may quote the request in an error's message: never let a browser read it as anything else.
NOSNIFF = {"X-Content-Type-Options": "nosniff"}


def _code_for(status: int) -> str:
    """The code of an HTTP error: its own, or else whether the client or the server is at fault."""
    if status in CODES:
        return CODES[status]
    return INTERNAL_ERROR if status >= 500 else InvalidInput.code


def json_error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The one JSON error shape of every API, ``{"error": {"code": …, "message": …}}``."""
    return JSONResponse(error_body(code, message), status_code=status, headers={**NOSNIFF, **(headers or {})})


def error_response(error: CatalogueError, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """``error`` in the one JSON error shape, with its status, its code and what anyone may be told."""
    return json_error(error.status, error.code, error.public_message, headers)


def html_error(
    request: Request,
    status: int,
    *,
    title: str | None = None,
    detail: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The error page in the site's look: ``title`` (a message id; by default the status's), the status's
    explanation, and ``detail`` (said as it is: it may quote the request)."""
    context = {
        "status": status,
        "title": title or TITLES.get(status, N_("Chyba")),
        "message": MESSAGES.get(status) if title is None else None,
        "detail": detail,
    }
    return render(request, "error.html", context, status=status, headers=headers)


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def error_page(request: Request, status: int, detail: str | None = None, *, code: str | None = None) -> Response:
    """The page for a browser, the JSON error for a program; ``detail`` says what went wrong, in the
    request's language, where the status alone does not."""
    if _wants_html(request):
        return html_error(request, status, detail=detail)
    message = detail or translate(language_of(request), MESSAGES.get(status) or TITLES.get(status, N_("Chyba")))
    return json_error(status, code or _code_for(status), message)


def install(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        detail = None if error.detail in (None, "Not Found", "Method Not Allowed") else str(error.detail)
        response = error_page(request, error.status_code, detail)
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(CatalogueError)
    async def expected_error(request: Request, error: CatalogueError) -> Response:
        if error.generic_message is not None:
            # The cause (a path, a host) is for the operator; the client is told the generic message.
            log.error("%s %s: %s", request.method, request.url.path, error)
        return error_page(request, error.status, error.public_message, code=error.code)

    @app.exception_handler(Exception)
    async def server_error(request: Request, error: Exception) -> Response:
        log.exception("unhandled error answering %s %s", request.method, request.url.path, exc_info=error)
        return error_page(request, 500)
