"""Error pages in the site's look: a person gets a page to go on from, a program a short answer."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from web.site import N_, render

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


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def error_page(request: Request, status: int, detail: str | None = None) -> Response:
    title = TITLES.get(status, N_("Chyba"))
    message = MESSAGES.get(status)
    if not _wants_html(request):
        return JSONResponse({"detail": detail or title}, status_code=status)
    return render(request, "error.html", {"status": status, "title": title, "message": message, "detail": detail},
                  status=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        detail = None if error.detail in (None, "Not Found", "Method Not Allowed") else str(error.detail)
        response = error_page(request, error.status_code, detail)
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def server_error(request: Request, error: Exception) -> Response:
        log.exception("unhandled error answering %s %s", request.method, request.url.path, exc_info=error)
        return error_page(request, 500)
