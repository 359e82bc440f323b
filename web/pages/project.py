"""The project builder: a basket of measures, services and solutions, and what they cover together.

The basket needs no account. It is kept in the cookie ``projekt``, or given whole in the address
(``/projekt?polozka=IRI&polozka=IRI``) so that a project can be shared; whoever opens a shared project
may save it into their own. Changes are POSTed (from this page, or from any page listing measures and
services through ``project_macros.html``) and answered with a redirect, so that reloading a page never
repeats one. The same coverage is offered as CSV and as JSON (see :func:`project_json`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from catalogue.queries import browse, concept, project, services
from catalogue.queries.common import InvalidIRI, checked_iri
from catalogue.queries.concept import Resource
from catalogue.queries.project import ProjectCoverage
from catalogue.search.engine import SearchError
from catalogue.store import CatalogueStore
from web.errors import error_page
from web.forms import RejectedForm, posted_form
from web.site import N_, language_of, local_path, render, translate
from web.state import site_catalogue

router = APIRouter(include_in_schema=False)

BASKET_COOKIE = "projekt"
ITEM_PARAMETER = "polozka"
MAX_ITEMS = 50
MAX_COOKIE_LENGTH = 3800
"""Browsers keep a cookie of up to 4096 bytes with its name and attributes; more would be lost."""
MAX_SEARCH_LENGTH = 200
SEARCH_RESULTS = 20
SEARCHED_KINDS = {"TypeMeasure", "SmartService", "SmartSolution"}
DONE_PER_SERVICE = 10
"""How many realisations and solutions each service of the project lists; its page lists them all."""
ONE_YEAR = 365 * 24 * 3600



class BasketError(Exception):
    """A change of the basket that cannot be made; the message (Czech, a message id) says why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# -- the basket in a cookie or in the address --------------------------------------------------------


def _instance_base(request: Request) -> str:
    return str(site_catalogue(request).settings.instance_base)


def encode_basket(iris: Sequence[str], instance_base: str) -> str:
    """The cookie's value: the IRIs %-escaped and joined by ``|``; the catalogue's own IRIs without
    their common base, so that fifty of them fit into a cookie."""
    tokens = []
    for iri in iris:
        local = iri[len(instance_base) :] if iri.startswith(instance_base) else None
        tokens.append(quote(local if local and ":" not in local else iri, safe=""))
    return "|".join(tokens)


def decode_basket(value: str, instance_base: str) -> list[str]:
    """The IRIs of a cookie's value; anything that is no IRI (a cookie edited by hand) is left out."""
    iris: list[str] = []
    for token in value.split("|"):
        text = unquote(token)
        iri = text if ":" in text else instance_base + text
        try:
            iris.append(str(checked_iri(iri)))
        except InvalidIRI:
            continue
    return list(dict.fromkeys(iris))[:MAX_ITEMS]


def cookie_basket(request: Request) -> list[str]:
    value = request.cookies.get(BASKET_COOKIE)
    return decode_basket(value, _instance_base(request)) if value else []


def shared_basket(request: Request) -> list[str] | None:
    """The basket given in the address, or None when the address gives none."""
    given = request.query_params.getlist(ITEM_PARAMETER)
    if not given:
        return None
    return _checked_items(given)


def _checked_items(given: Sequence[str]) -> list[str]:
    try:
        iris = list(dict.fromkeys(str(checked_iri(value.strip())) for value in given if value.strip()))
    except InvalidIRI as error:
        raise BasketError(N_("Adresa položky projektu není platná IRI.")) from error
    if len(iris) > MAX_ITEMS:
        raise BasketError(N_("Projekt může mít nejvýš 50 položek."))
    return iris


def _saved(response: Response, iris: Sequence[str], instance_base: str) -> Response:
    if not iris:
        response.delete_cookie(BASKET_COOKIE, samesite="lax", httponly=True)
        return response
    value = encode_basket(iris, instance_base)
    if len(iris) > MAX_ITEMS or len(value) > MAX_COOKIE_LENGTH:
        raise BasketError(N_("Projekt je plný: má nejvýš 50 položek. Některé odeberte a pak přidejte další."))
    response.set_cookie(BASKET_COOKIE, value, max_age=ONE_YEAR, samesite="lax", httponly=True)
    return response


def _known_item(store: CatalogueStore, value: str) -> str:
    """``value`` as the IRI of a measure, service, solution or realisation the catalogue knows."""
    iri = _checked_items([value])
    if not iri:
        raise BasketError(N_("Chybí adresa záznamu, který se má do projektu přidat."))
    if not project.basket_items(store, iri):
        raise BasketError(
            N_("Katalog nezná takové typové opatření, chytrou službu ani řešení, proto se do projektu nepřidalo.")
        )
    return iri[0]


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
    return _saved(RedirectResponse(path, status_code=303), iris, _instance_base(request))


@router.post("/projekt/pridat")
async def add_item(request: Request) -> Response:
    """Add a measure, service or solution (``iri``) and go back to the page it was added on (``zpet``)."""
    try:
        form = await _form(request)
        iri = _known_item(site_catalogue(request).store, (form.get("iri") or [""])[0])
        basket = list(dict.fromkeys([*cookie_basket(request), iri]))
        return _redirect(request, local_path((form.get("zpet") or [""])[0], "/projekt"), basket)
    except BasketError as error:
        return _refused(request, error)


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
    try:
        await _form(request)
        return _redirect(request, "/projekt", [])
    except BasketError as error:
        return _refused(request, error)


@router.post("/projekt/ulozit")
async def adopt_shared(request: Request) -> Response:
    """Save a shared project into the visitor's own, keeping what was there."""
    try:
        form = await _form(request)
        shared = _checked_items(form.get(ITEM_PARAMETER) or [])
        known = project.basket_items(site_catalogue(request).store, shared)
        basket = list(dict.fromkeys([*cookie_basket(request), *(iri for iri in shared if iri in known)]))
        return _redirect(request, "/projekt", basket)
    except BasketError as error:
        return _refused(request, error)


# -- the page and its exports ----------------------------------------------------------------------


def _basket(request: Request) -> tuple[list[str], bool]:
    """The basket to show, and whether it is a shared one (given in the address)."""
    shared = shared_basket(request)
    return (shared, True) if shared is not None else (cookie_basket(request), False)


def share_url(request: Request, coverage: ProjectCoverage) -> str:
    query = urlencode([(ITEM_PARAMETER, item.item.iri) for item in coverage.items])
    return str(request.base_url).rstrip("/") + "/projekt" + (f"?{query}" if query else "")


def _search(request: Request, text: str) -> tuple[list[Resource], str | None]:
    """Measures, services and solutions matching ``text``, or an error message (a message id)."""
    if len(text) > MAX_SEARCH_LENGTH:
        return [], N_("Hledaný text je příliš dlouhý: zkraťte ho nejvýš na 200 znaků.")
    try:
        hits = site_catalogue(request).search.search(text, kinds=SEARCHED_KINDS, limit=SEARCH_RESULTS)
    except SearchError:
        return [], N_("Hledání teď nefunguje; vyberte ze seznamu níže.")
    return [Resource(hit.iri, hit.label, hit.kind, hit.code) for hit in hits], None


@router.get("/projekt")
def project_page(request: Request, hledat: str = "") -> Response:
    store = site_catalogue(request).store
    lang = language_of(request)
    try:
        iris, shared = _basket(request)
    except BasketError as error:
        return _refused(request, error)
    coverage = project.coverage(store, iris, lang)
    searched = hledat.strip()
    found, search_error = _search(request, searched) if searched else ([], None)
    in_basket = {item.item.iri for item in coverage.items}
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
        "share_url": share_url(request, coverage),
        "export_query": urlencode([(ITEM_PARAMETER, iri) for iri in iris]) if shared else "",
        "kind_names": concept.class_labels(store, lang),
        "choices": choices,
        "searched": searched,
        "found": found,
        "search_error": search_error,
        "in_basket": in_basket,
        "services_done": services_done,
        "full": len(iris) >= MAX_ITEMS,
        "max_items": MAX_ITEMS,
    }
    return render(request, "project.html", context, headers={"Cache-Control": "no-store"})


def _names(resources: Sequence[Resource]) -> str:
    return "; ".join(f"{r.code} {r.label}" if r.code else r.label for r in resources)


@router.get("/projekt.csv")
def project_csv(request: Request) -> Response:
    """One row per item of the project: what it is and the measures, goals, pillars and funding it brings."""
    lang = language_of(request)
    try:
        iris, _ = _basket(request)
    except BasketError as error:
        return _refused(request, error)
    store = site_catalogue(request).store
    coverage = project.coverage(store, iris, lang)
    kinds = concept.class_labels(store, lang)
    out = io.StringIO()
    writer = csv.writer(out)
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
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="projekt.csv"', "Cache-Control": "no-store"},
    )


def _resource(resource: Resource) -> dict[str, Any]:
    return {"iri": resource.iri, "label": resource.label, "kind": resource.kind, "code": resource.code}


def _optional(resource: Resource | None) -> dict[str, Any] | None:
    return None if resource is None else _resource(resource)


def project_json(coverage: ProjectCoverage, share: str) -> dict[str, Any]:
    """The project as JSON. Every resource is ``{"iri", "label", "kind", "code"}`` (label in the asked
    language, else Czech; code may be null). Keys:

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
        iris, _ = _basket(request)
    except BasketError as error:
        return _refused(request, error)
    coverage = project.coverage(site_catalogue(request).store, iris, lang)
    body = json.dumps(project_json(coverage, share_url(request, coverage)), ensure_ascii=False, indent=2)
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="projekt.json"', "Cache-Control": "no-store"},
    )
