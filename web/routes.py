"""Pages of the site. Each reads the graph through the query layer (`catalogue.queries`) only."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from catalogue.queries import overview

router = APIRouter()
templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


@router.get("/", response_class=HTMLResponse, summary="Home page: the concept's pillars")
def home(request: Request) -> HTMLResponse:
    pillars = overview.pillars(request.app.state.store, lang="cs")
    page = templates.get_template("home.html").render(pillars=pillars)
    return HTMLResponse(page)
