"""The site's routes: the home page, the language switch and every module of ``web.pages``.

Each page reads the graph through the query layer (``catalogue.queries``, ``catalogue.answer``) only."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from catalogue.queries import overview
from web import pages
from web.site import LANGUAGE_COOKIE, LANGUAGES, local_path, render
from web.state import site_catalogue

router = APIRouter(include_in_schema=False)

EXAMPLE_PROBLEMS = (
    "Máme ve městě hodně brownfieldů",
    "Chceme šetřit energií ve školách",
    "Město nemá portál otevřených dat",
    "Lidé nevědí, že autobus má zpoždění",
    "Potřebujeme koncepci Smart City",
)
"""Problems as municipalities put them, in Czech (the catalogue's language) on every page."""

ONE_YEAR = 365 * 24 * 3600


@router.get("/")
def home(request: Request) -> HTMLResponse:
    pillars = overview.pillars(site_catalogue(request).store)
    return render(request, "home.html", {"pillars": pillars, "examples": EXAMPLE_PROBLEMS})


@router.get("/jazyk/{lang}")
def switch_language(request: Request, lang: str, zpet: str = "/") -> RedirectResponse:
    """Remember the language in a cookie and go back to the page the switch was on."""
    if lang not in LANGUAGES:
        lang = "cs"
    response = RedirectResponse(local_path(zpet, "/"), status_code=303)
    response.set_cookie(LANGUAGE_COOKIE, lang, max_age=ONE_YEAR, samesite="lax", httponly=True)
    return response


def _page_modules() -> list[str]:
    return sorted(module.name for module in pkgutil.iter_modules(pages.__path__))


for _name in _page_modules():
    router.include_router(importlib.import_module(f"{pages.__name__}.{_name}").router)

