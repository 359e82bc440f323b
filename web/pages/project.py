"""The project builder: a basket of measures, services and solutions, and what they cover together.

The basket needs no account. It is kept in the cookie ``projekt`` and its name in ``projekt-nazev``
(:mod:`web.basket`), or given whole in the address (``/projekt?polozka=IRI&polozka=IRI&nazev=…``) so
that a project can be shared; whoever opens a shared project may save it into their own. Changes are
POSTed (from this page, or from any page listing measures and services through
``project_macros.html``) and answered with a redirect, so that reloading a page never repeats one; an
addition asked for as JSON (the enhancement in ``site.js``) is answered in place instead. The same
coverage is offered as CSV and as JSON (see :func:`project_json`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from catalogue.queries import browse, concept, project, services
from catalogue.queries.common import InvalidIRI, checked_iri
from catalogue.queries.concept import Resource
from catalogue.queries.project import ProjectCoverage
from catalogue.search.engine import SearchError
from catalogue.store import CatalogueStore
from web.basket import (
    ADDED_PARAMETER,
    BASKET_COOKIE,
    MAX_ITEMS,
    MAX_NAME_LENGTH,
    NAME_COOKIE,
    clean_name,
    cookie_basket,
    cookie_name,
    encode_basket,
    instance_base,
)
from web.errors import error_page
from web.forms import RejectedForm, posted_form
from web.pages.guide import written_date
from web.site import N_, language_of, local_path, page_context, render, site_url, templates, translate
from web.state import site_catalogue

router = APIRouter(include_in_schema=False)

ITEM_PARAMETER = "polozka"
NAME_PARAMETER = "nazev"
SAVED_PARAMETER = "ulozeno"
MAX_COOKIE_LENGTH = 3800
"""Browsers keep a cookie of up to 4096 bytes with its name and attributes; more would be lost."""
MAX_SEARCH_LENGTH = 200
SEARCH_RESULTS = 20
SEARCHED_KINDS = {"TypeMeasure", "SmartService", "SmartSolution"}
DONE_PER_SERVICE = 10
"""How many realisations and solutions each service of the project lists; its page lists them all."""
ONE_YEAR = 365 * 24 * 3600
PRINT_TIME_ZONE = ZoneInfo("Europe/Prague")
"""The printout's date is the day in Czechia, whatever the server's clock is set to."""


class BasketError(Exception):
    """A change of the basket that cannot be made; the message (Czech, a message id) says why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# -- the basket in a cookie or in the address --------------------------------------------------------


def shared_basket(request: Request) -> list[str] | None:
    """The basket given in the address, or None when the address gives none."""
    given = request.query_params.getlist(ITEM_PARAMETER)
    if not given:
        return None
    return _checked_items(given)


def _checked_name(value: str) -> str:
    name = clean_name(value)
    if len(name) > MAX_NAME_LENGTH:
        raise BasketError(N_("Název projektu může mít nejvýš 120 znaků."))
    return name


def _checked_items(given: Sequence[str]) -> list[str]:
    try:
        iris = list(dict.fromkeys(str(checked_iri(value.strip())) for value in given if value.strip()))
    except InvalidIRI as error:
        raise BasketError(N_("Adresa položky projektu není platná IRI.")) from error
    if len(iris) > MAX_ITEMS:
        raise BasketError(N_("Projekt může mít nejvýš 50 položek."))
    return iris


def _saved(response: Response, iris: Sequence[str], base: str) -> Response:
    if not iris:
        response.delete_cookie(BASKET_COOKIE, samesite="lax", httponly=True)
        return response
    value = encode_basket(iris, base)
    if len(iris) > MAX_ITEMS or len(value) > MAX_COOKIE_LENGTH:
        raise BasketError(N_("Projekt je plný: má nejvýš 50 položek. Některé odeberte a pak přidejte další."))
    response.set_cookie(BASKET_COOKIE, value, max_age=ONE_YEAR, samesite="lax", httponly=True)
    return response


def _named(response: Response, name: str) -> Response:
    if name:
        # %-escaped: a cookie's value is ASCII, a Czech name is not.
        response.set_cookie(NAME_COOKIE, quote(name, safe=""), max_age=ONE_YEAR, samesite="lax", httponly=True)
    else:
        response.delete_cookie(NAME_COOKIE, samesite="lax", httponly=True)
    return response


def _known_item(store: CatalogueStore, value: str, lang: str) -> Resource:
    """``value`` as a measure, service, solution or realisation the catalogue knows."""
    iri = _checked_items([value])
    if not iri:
        raise BasketError(N_("Chybí adresa záznamu, který se má do projektu přidat."))
    known = project.basket_items(store, iri, lang)
    if not known:
        raise BasketError(
            N_("Katalog nezná takové typové opatření, chytrou službu ani řešení, proto se do projektu nepřidalo.")
        )
    return known[iri[0]]


# -- changes: POSTed forms -------------------------------------------------------------------------


async def _form(request: Request) -> dict[str, list[str]]:
    """The POSTed form (``application/x-www-form-urlencoded``), checked to come from this site."""
    if request.headers.get("sec-fetch-site") == "cross-site" or _foreign_origin(request):
        raise BasketError(N_("Požadavek přišel z jiného webu, projekt proto zůstal beze změny."), status=403)
    try:
        return await posted_form(request)
    except RejectedForm as error:
        raise BasketError(N_("Formulář je příliš velký.")) from error


def _foreign_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    return origin not in (None, "null") and urlsplit(origin).netloc != request.url.netloc


def _refused(request: Request, error: BasketError) -> Response:
    return error_page(request, error.status, translate(language_of(request), error.message))


def _redirect(request: Request, path: str, iris: Sequence[str]) -> Response:
    return _saved(RedirectResponse(path, status_code=303), iris, instance_base(request))


def _field(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0]


def _back_after_adding(back: str, iri: str) -> str:
    """``back`` (a path on this site) with ``?pridano=`` naming what was added, and its fragment kept,
    which takes the browser back to the button."""
    parts = urlsplit(back)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != ADDED_PARAMETER]
    return urlunsplit(("", "", parts.path, urlencode([*query, (ADDED_PARAMETER, iri)]), parts.fragment))


def _added_in_place(request: Request, added: Resource, basket: Sequence[str]) -> Response:
    """The answer to an addition asked for as JSON: the header's new count and the button's
    confirmation, rendered by the same macro as the page after a redirect shows it."""
    macros = templates.get_template("project_macros.html").make_module(page_context(request))
    confirmation = macros.added(added.label, len(basket))  # type: ignore[attr-defined]  # a template's macro
    body = {"count": len(basket), "status": str(confirmation)}
    answer = JSONResponse(body, headers={"Cache-Control": "no-store"})
    return _saved(answer, basket, instance_base(request))


@router.post("/projekt/pridat")
async def add_item(request: Request) -> Response:
    """Add a measure, service or solution (``iri``) and go back to the page it was added on (``zpet``,
    its fragment naming the button); or, asked for JSON, answer with what that page would say."""
    try:
        form = await _form(request)
        added = _known_item(site_catalogue(request).store, _field(form, "iri"), language_of(request))
        basket = list(dict.fromkeys([*cookie_basket(request), added.iri]))
        if "application/json" in request.headers.get("accept", ""):
            return _added_in_place(request, added, basket)
        back = _back_after_adding(local_path(_field(form, "zpet"), "/projekt"), added.iri)
        return _redirect(request, back, basket)
    except BasketError as error:
        return _refused(request, error)


@router.post("/projekt/nazev")
async def name_project(request: Request) -> Response:
    """Name the visitor's project (an empty name removes it) and go back to the name's field; a name
    refused comes back in its field with the reason, so that nothing typed is lost."""
    try:
        typed = _field(await _form(request), NAME_PARAMETER)
    except BasketError as error:
        return _refused(request, error)
    try:
        name = _checked_name(typed)
    except BasketError as error:
        refusal = translate(language_of(request), error.message)
        return _project_page(request, name_refused=(typed, refusal), status=error.status)
    answer = RedirectResponse(f"/projekt?{SAVED_PARAMETER}={NAME_PARAMETER}#nazev-projektu", status_code=303)
    return _named(answer, name)


@router.post("/projekt/odebrat")
async def remove_item(request: Request) -> Response:
    try:
        form = await _form(request)
        iri = _checked_items(form.get("iri") or [])
        if not iri:
            raise BasketError(N_("Chybí adresa záznamu, který se má z projektu odebrat."))
        return _redirect(request, "/projekt", [item for item in cookie_basket(request) if item != iri[0]])
    except BasketError as error:
        return _refused(request, error)


@router.post("/projekt/vyprazdnit")
async def empty_basket(request: Request) -> Response:
    """Start anew: no items, and no name, which belonged to what was emptied."""
    try:
        await _form(request)
        return _named(_redirect(request, "/projekt", []), "")
    except BasketError as error:
        return _refused(request, error)


@router.post("/projekt/ulozit")
async def adopt_shared(request: Request) -> Response:
    """Save a shared project into the visitor's own, keeping what was there, its name too; a project
    without a name takes the shared one's."""
    try:
        form = await _form(request)
        shared = _checked_items(form.get(ITEM_PARAMETER) or [])
        name = cookie_name(request) or _checked_name(_field(form, NAME_PARAMETER))
        known = project.basket_items(site_catalogue(request).store, shared)
        basket = list(dict.fromkeys([*cookie_basket(request), *(iri for iri in shared if iri in known)]))
        return _named(_redirect(request, "/projekt", basket), name)
    except BasketError as error:
        return _refused(request, error)


# -- the page and its exports ----------------------------------------------------------------------


def _basket(request: Request) -> tuple[list[str], bool]:
    """The basket to show, and whether it is a shared one (given in the address)."""
    shared = shared_basket(request)
    return (shared, True) if shared is not None else (cookie_basket(request), False)


def _name(request: Request, shared: bool) -> str:
    """The name of the project shown: the shared one's from the address, else the visitor's own."""
    return _checked_name(request.query_params.get(NAME_PARAMETER, "")) if shared else cookie_name(request)


def _named_query(iris: Sequence[str], name: str) -> list[tuple[str, str]]:
    return [*((ITEM_PARAMETER, iri) for iri in iris), *([(NAME_PARAMETER, name)] if name else [])]


def share_url(request: Request, coverage: ProjectCoverage, name: str) -> str:
    query = urlencode(_named_query([item.item.iri for item in coverage.items], name)) if coverage.items else ""
    return site_url(request) + "/projekt" + (f"?{query}" if query else "")


def _search(request: Request, text: str) -> tuple[list[Resource], str | None]:
    """Measures, services and solutions matching ``text``, or an error message (a message id)."""
    if len(text) > MAX_SEARCH_LENGTH:
        return [], N_("Hledaný text je příliš dlouhý: zkraťte ho nejvýš na 200 znaků.")
    try:
        hits = site_catalogue(request).search.search(text, kinds=SEARCHED_KINDS, limit=SEARCH_RESULTS)
    except SearchError:
        return [], N_("Hledání teď nefunguje; vyberte ze seznamu níže.")
    return [Resource(hit.iri, hit.label, hit.kind, hit.code) for hit in hits], None


def _added_from_the_list(
    coverage: ProjectCoverage, added: str | None, found: Sequence[Resource], shared: bool
) -> Resource | None:
    """The item just added by the list of the "Přidat do projektu" section, which the section
    confirms; a search result's button confirms its own addition (``project_macros.html``)."""
    if shared or added is None or added in {hit.iri for hit in found}:
        return None
    return next((item.item for item in coverage.items if item.item.iri == added), None)


def _printed_today(lang: str) -> tuple[date, str]:
    today = datetime.now(PRINT_TIME_ZONE).date()
    return today, written_date(today, lang)


@router.get("/projekt")
def project_page(request: Request, hledat: str = "", ulozeno: str = "") -> Response:
    return _project_page(request, searched=hledat.strip(), name_saved=ulozeno == NAME_PARAMETER)


def _project_page(
    request: Request,
    *,
    searched: str = "",
    name_saved: bool = False,
    name_refused: tuple[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The project page; ``name_refused`` is the name typed and why it was refused."""
    store = site_catalogue(request).store
    lang = language_of(request)
    try:
        iris, shared = _basket(request)
        name = _name(request, shared)
    except BasketError as error:
        return _refused(request, error)
    coverage = project.coverage(store, iris, lang)
    found, search_error = _search(request, searched) if searched else ([], None)
    in_basket = {item.item.iri for item in coverage.items}
    today, today_text = _printed_today(lang)
    services_done = services.instances_of_services(
        store,
        [item.item.iri for item in coverage.items if item.item.kind == "SmartService"],
        per_service=DONE_PER_SERVICE,
        lang=lang,
    )
    choices = [
        (kind, [r for r in browse.all_of_kind(store, kind, lang) if r.iri not in in_basket])
        for kind in ("TypeMeasure", "SmartService")
    ]
    context: dict[str, Any] = {
        "coverage": coverage,
        "shared": shared,
        "name": name,
        "name_saved": name_saved and not shared,
        "name_typed": name_refused[0] if name_refused else name,
        "name_error": name_refused[1] if name_refused else None,
        "max_name_length": MAX_NAME_LENGTH,
        "share_url": share_url(request, coverage, name),
        "export_query": urlencode(_named_query(iris, name)) if shared else "",
        "kind_names": concept.class_labels(store, lang),
        "choices": choices,
        "searched": searched,
        "found": found,
        "search_error": search_error,
        "services_done": services_done,
        "full": len(iris) >= MAX_ITEMS,
        "max_items": MAX_ITEMS,
        "added": _added_from_the_list(coverage, request.query_params.get(ADDED_PARAMETER), found, shared),
        "today": today,
        "today_text": today_text,
    }
    return render(request, "project.html", context, status=status, headers={"Cache-Control": "no-store"})


def _names(resources: Sequence[Resource]) -> str:
    return "; ".join(f"{r.code} {r.label}" if r.code else r.label for r in resources)


@router.get("/projekt.csv")
def project_csv(request: Request) -> Response:
    """One row per item of the project: what it is and the measures, goals, pillars and funding it brings.
    By default for Czech Excel (semicolons, a byte order mark); ``?format=standard``: RFC 4180 (commas,
    no byte order mark), for machines, as every CSV of the site (:func:`web.pages.funding.csv_text`)."""
    from web.pages.funding import CSV_FORMAT_PARAMETER, NOT_A_CSV_FORMAT, STANDARD_CSV

    lang = language_of(request)
    variant = request.query_params.get(CSV_FORMAT_PARAMETER, "")
    if variant not in ("", "excel", STANDARD_CSV):
        message = translate(lang, NOT_A_CSV_FORMAT) + "\n"
        return Response(message, status_code=400, media_type="text/plain; charset=utf-8")
    standard = variant == STANDARD_CSV
    try:
        iris, _ = _basket(request)
    except BasketError as error:
        return _refused(request, error)
    store = site_catalogue(request).store
    coverage = project.coverage(store, iris, lang)
    kinds = concept.class_labels(store, lang)
    out = io.StringIO()
    writer = csv.writer(out, delimiter="," if standard else ";", lineterminator="\r\n")
    writer.writerow(
        translate(lang, header)
        for header in (
            N_("Položka"),
            N_("IRI"),
            N_("Druh"),
            N_("Typová opatření"),
            N_("Cíle"),
            N_("Komponenty"),
            N_("Pilíře"),
            N_("Financování"),
        )
    )
    for item in coverage.items:
        writer.writerow(
            [
                item.item.label,
                item.item.iri,
                kinds.get(item.item.kind, item.item.kind),
                _names(item.measures),
                _names(item.goals),
                _names(item.components),
                _names(item.pillars),
                _names(item.funding),
            ]
        )
    filename = "projekt-standard.csv" if standard else "projekt.csv"
    return Response(
        ("" if standard else "\ufeff") + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _resource(resource: Resource) -> dict[str, Any]:
    return {"iri": resource.iri, "label": resource.label, "kind": resource.kind, "code": resource.code}


def _optional(resource: Resource | None) -> dict[str, Any] | None:
    return None if resource is None else _resource(resource)


def project_json(coverage: ProjectCoverage, share: str, name: str) -> dict[str, Any]:
    """The project as JSON. Every resource is ``{"iri", "label", "kind", "code"}`` (label in the asked
    language, else Czech; code may be null). Keys:

    - ``name``: the project's name, or null when it has none;
    - ``items``: the basket in its order, each a resource with the IRIs of the ``measures``, ``goals``,
      ``components``, ``pillars`` and ``funding`` it brings;
    - ``unknown``: IRIs in the basket the catalogue does not know (as a measure, service or solution);
    - ``measures``: each covered measure with its ``paths`` (``{"goal", "component", "pillar"}``, each
      a resource or null) and the ``items`` (IRIs) that bring it;
    - ``goals``, ``components``, ``pillars``: resources covered; ``pillars`` holds pillars proper, the
      cross-cutting area (ZPO) is in ``cross_cutting``; ``uncovered_pillars`` and
      ``uncovered_cross_cutting`` list the concept's others;
    - ``multidisciplinary``: the project covers two pillars or more; ``zpo_covered``: it covers the
      cross-cutting area;
    - ``funding``: programmes and calls supporting the project's measures or the components of the
      goals it serves directly, those supporting most of them first, each a resource with ``measures``
      (``{"iri", "via"}``: ``supportsMeasure``, ``callOf`` or ``supportsComponent``), ``goals``
      (``{"iri", "component"}``), ``applicants`` (resources) and ``indicators``;
    - ``indicators``: to report, each ``{"iri", "label", "unit", "baseline", "target", "owner"}`` (the IRI
      of the item or measure it belongs to);
    - ``share_url``: the address that opens this project.
    """
    return {
        "name": name or None,
        "items": [
            {
                **_resource(item.item),
                "measures": [r.iri for r in item.measures],
                "goals": [r.iri for r in item.goals],
                "components": [r.iri for r in item.components],
                "pillars": [r.iri for r in item.pillars],
                "funding": [r.iri for r in item.funding],
            }
            for item in coverage.items
        ],
        "unknown": list(coverage.unknown),
        "measures": [
            {
                **_resource(measure.measure),
                "paths": [
                    {"goal": _optional(p.goal), "component": _optional(p.component), "pillar": _optional(p.pillar)}
                    for p in measure.paths
                ],
                "items": [item.iri for item in measure.items],
            }
            for measure in coverage.measures
        ],
        "goals": [_resource(r) for r in coverage.goals],
        "components": [_resource(r) for r in coverage.components],
        "pillars": [_resource(r) for r in coverage.pillars],
        "cross_cutting": [_resource(r) for r in coverage.cross_cutting],
        "uncovered_pillars": [_resource(r) for r in coverage.uncovered_pillars],
        "uncovered_cross_cutting": [_resource(r) for r in coverage.uncovered_cross_cutting],
        "multidisciplinary": coverage.multidisciplinary,
        "zpo_covered": coverage.zpo_covered,
        "funding": [
            {
                **_resource(fit.funding),
                "measures": [{"iri": m.measure.iri, "via": m.via} for m in fit.measures],
                "goals": [{"iri": g.goal.iri, "component": g.component.iri} for g in fit.goals],
                "applicants": [_resource(r) for r in fit.applicants],
                "indicators": [asdict(indicator) for indicator in fit.indicators],
            }
            for fit in coverage.funding
        ],
        "indicators": [{**asdict(r.indicator), "owner": r.owner.iri} for r in coverage.indicators],
        "share_url": share,
    }


@router.get("/projekt.json")
def project_json_export(request: Request) -> Response:
    lang = language_of(request)
    try:
        iris, shared = _basket(request)
        name = _name(request, shared)
    except BasketError as error:
        return _refused(request, error)
    coverage = project.coverage(site_catalogue(request).store, iris, lang)
    body = json.dumps(project_json(coverage, share_url(request, coverage, name), name), ensure_ascii=False, indent=2)
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="projekt.json"', "Cache-Control": "no-store"},
    )
