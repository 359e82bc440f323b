"""The part of a resource's page that depends on its kind, above the generic list of every fact.

A measure shows where it sits (goal → component → pillar), the money for it, its services, the
places that did it, its indicators and its synergies; a service its measures and indicators, and the
solutions and realisations that include it, where and in what state; a solution or realisation its
place, year, cost, status, indicators and funding; an organisation what it takes part in; a place
what was done there; a programme or call who runs it, for whom, and the measures it supports.

What the generic page already read (:class:`catalogue.queries.resources.ResourcePage`: the
resource's own facts and the links to it) is used as it is; the rest comes from the query layer in
a few batch queries per page, and lists that grow with the catalogue (a region's realisations) are
read a page at a time.

Linked data (:mod:`api.linked_data`) decides when a resource's IRI is answered with its page, and has
it rendered here (:func:`resource_page`) like every page of the site, with the site's security headers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from fastapi import Request
from fastapi.responses import HTMLResponse

from catalogue.editing import forms
from catalogue.editing import history as editing_history
from catalogue.editing.descriptions import KINDS_BY_CLASS
from catalogue.queries import browse, concept, profiles, services
from catalogue.queries.concept import Indicator, Resource
from catalogue.queries.footing import Reasoning
from catalogue.queries.measures import MeasureDetail, measure_details
from catalogue.queries.resources import PropertyValues, ResourcePage, Value, cut_short, czech_sort_key
from catalogue.store import CatalogueStore
from web.history import shown_history
from web.paging import PAGE_PARAMETER, Pager, page_count, pager
from web.site import N_, language_of, render
from web.state import site_catalogue

KCS = "https://w3id.org/kcs/ontology#"
_DCTERMS = "http://purl.org/dc/terms/"
_SKOS = "http://www.w3.org/2004/02/skos/core#"

PROJECTS_PER_PAGE = 20
DONE_ON_MEASURE_PAGE = 10
"""How many solutions and realisations a measure's page lists; the rest are in „Dobrá praxe“."""
SOLUTIONS_LISTED = 50

# A resource of several kinds gets the part of the first of them here.
KINDS = {
    KCS + "TypeMeasure": "measure",
    KCS + "SmartService": "service",
    KCS + "Realisation": "realisation",
    KCS + "SmartSolution": "solution",
    KCS + "FundingCall": "call",
    KCS + "FundingProgramme": "programme",
    KCS + "Place": "place",
    KCS + "Organisation": "organisation",
    KCS + "Component": "component",
}

# The links an organisation's page lists, in the order of responsibility, with their Czech headings.
ORGANISATION_ROLES = (
    (KCS + "guarantor", N_("Garantuje")),
    (KCS + "implementer", N_("Realizuje jako nositel")),
    (KCS + "partner", N_("Je partnerem")),
    (KCS + "provider", N_("Poskytuje financování")),
    (_DCTERMS + "creator", N_("Je autorem")),
    (_DCTERMS + "contributor", N_("Spolupracuje na")),
)


def _property(name: str) -> str:
    return name if ":" in name else KCS + name


class PageFacts:
    """The resource's own facts as the generic page read them, by property."""

    def __init__(self, page: ResourcePage) -> None:
        self._outgoing = {prop.iri: prop for prop in page.properties}
        self._incoming = {prop.iri: prop for prop in page.incoming}

    def values(self, name: str) -> list[Value]:
        """Values of ``kcs:<name>``, or of a full property IRI."""
        prop = self._outgoing.get(_property(name))
        return prop.values if prop else []

    def text(self, name: str) -> str | None:
        found = self.values(name)
        return found[0].text if found else None

    def number(self, name: str) -> float | None:
        value = self.text(name)
        try:
            return None if value is None else float(value)
        except ValueError:
            return None

    def iris(self, name: str) -> list[str]:
        return [value.iri for value in self.values(name) if value.iri]

    def inferred(self, names: Sequence[str], iri: str) -> Reasoning | None:
        """The curator's reasoning for the link to ``iri`` by the first of ``names`` that states it, when
        no source states that link (a derived list, like what a project fulfils, shows it this way)."""
        for name in names:
            for value in self.values(name):
                if value.iri == iri:
                    return value.inferred
        return None

    def linking(self, name: str) -> PropertyValues | None:
        """The resources that link here with ``kcs:<name>``, or with a full property IRI."""
        return self._incoming.get(_property(name))


@dataclass(frozen=True)
class ProjectRow:
    """A solution or realisation in a list: where, when, for how much and in what state."""

    resource: Resource
    place: Resource | None
    year: int | None
    cost: float | None
    status: Resource | None = None


@dataclass(frozen=True)
class Paging:
    """Which page of a long list is shown, its numbered pages (None for a list of one page), and
    ``error`` when the asked page was no page number or beyond the last."""

    number: int
    pager: Pager | None = None
    error: str | None = None


@dataclass(frozen=True)
class ProjectList:
    rows: list[ProjectRow]
    total: int | None = None
    """How many there are in all, where that is known without counting them."""
    paging: Paging | None = None


@dataclass(frozen=True)
class OwnedIndicator:
    """An indicator with, when it is another resource's (the solution a realisation carries out),
    that resource."""

    indicator: Indicator
    owner: Value | None


@dataclass(frozen=True)
class FundingRow:
    """A programme or call for a measure, with the programme it is part of (NPO for NPO 2.8)."""

    link: concept.FundingLink
    part_of: Resource | None


@dataclass
class Profile:
    """The kind-specific part: ``kind`` picks the template's section, the rest is what it shows."""

    kind: str
    facts: PageFacts
    measure: MeasureDetail | None = None
    funding: list[FundingRow] = field(default_factory=list)
    synergies: list[tuple[Resource, int]] = field(default_factory=list)
    served: list[Resource] = field(default_factory=list)
    projects: ProjectList | None = None
    solutions: ProjectList | None = None
    indicators: list[OwnedIndicator] = field(default_factory=list)
    supported: list[concept.SupportedMeasure] = field(default_factory=list)
    applicants: list[Resource] = field(default_factory=list)
    places: list[Resource] = field(default_factory=list)
    roles: list[tuple[str, PropertyValues]] = field(default_factory=list)
    grouped: dict[str, Reasoning] = field(default_factory=dict)
    """Why a curator counts each listed solution or realisation (by IRI) as an instance of the service."""
    code: str | None = None
    """A component's code (skos:notation)."""
    unnamed: bool = False
    """A component whose name no source gives: its label is only its heading, „Komponenta ZPO3“."""
    measures: list[Resource] = field(default_factory=list)
    """The type measures a component holds, at any depth below it."""


def kind_of(page: ResourcePage) -> str | None:
    kinds = {value.iri for value in page.kinds}
    return next((name for iri, name in KINDS.items() if iri in kinds), None)


def profile(request: Request, store: CatalogueStore, page: ResourcePage) -> Profile | None:
    """The kind-specific part of ``page``, or None for a kind that has none (a goal, an indicator …)."""
    kind = kind_of(page)
    if kind is None:
        return None
    builders: dict[str, Callable[[Request, CatalogueStore, ResourcePage, Profile], None]] = {
        "measure": _measure,
        "service": _service,
        "realisation": _project,
        "solution": _project,
        "organisation": _organisation,
        "place": _place,
        "programme": _funding,
        "call": _funding,
        "component": _component,
    }
    found = Profile(kind, PageFacts(page))
    builders[kind](request, store, page, found)
    return found


# -- the kinds ---------------------------------------------------------------------------------------


def _measure(request: Request, store: CatalogueStore, page: ResourcePage, found: Profile) -> None:
    # In the page's language: the curators' reasoning on its funding and its path has English too.
    found.measure = measure_details(
        store, [page.iri], realisations=DONE_ON_MEASURE_PAGE, lang=language_of(request)
    ).get(page.iri)
    found.synergies = concept.measures_combined_with(store, [page.iri]).get(page.iri, [])
    indicators = found.measure.indicators if found.measure else ()
    found.indicators = [OwnedIndicator(indicator, None) for indicator in indicators]
    links = found.measure.funding if found.measure else ()
    funding_facts = browse.facts(store, [link.funding.iri for link in links])
    parents = {
        link.funding.iri: next(iter(funding_facts[link.funding.iri].iris("isPartOf")), None)
        for link in links
        if link.funding.iri in funding_facts
    }
    names = concept.resources(store, [parent for parent in parents.values() if parent])
    rows = [FundingRow(link, names.get(parents.get(link.funding.iri) or "")) for link in links]
    # Most direct first (the order of ``links``), and among equals a programme with a code (NPO 2.8)
    # before its uncoded parts.
    found.funding = sorted(
        rows, key=lambda row: (concept.FUNDING_WAYS.index(row.link.via), row.link.funding.code is None)
    )
    done = found.measure.realisations if found.measure else ()
    (done_rows,) = _project_rows(store, [resource.iri for resource in done])
    found.projects = ProjectList(done_rows)


def _service(request: Request, store: CatalogueStore, page: ResourcePage, found: Profile) -> None:
    found.served = profiles.served_concepts(store, [page.iri]).get(page.iri, [])
    found.indicators = [
        OwnedIndicator(indicator, None) for indicator in concept.indicators_of(store, [page.iri]).get(page.iri, [])
    ]
    found.solutions, found.projects = _solutions_and_realisations(
        request, store, browse.ProjectFilter(service=page.iri)
    )
    # Where the service is done: the places of the listed solutions and realisations, each once.
    rows = [*found.solutions.rows, *found.projects.rows]
    places = {row.place.iri: row.place for row in rows if row.place}
    found.places = sorted(places.values(), key=lambda place: czech_sort_key(place.label))
    grouped = services.why_grouped(store, [(row.resource.iri, page.iri) for row in rows], language_of(request))
    found.grouped = {instance: reason for (instance, _), reason in grouped.items()}


def _project(request: Request, store: CatalogueStore, page: ResourcePage, found: Profile) -> None:
    found.served = profiles.served_concepts(store, [page.iri]).get(page.iri, [])
    realised = {value.iri: value for value in found.facts.values("realises") if value.iri}
    indicators = concept.indicators_of(store, [page.iri, *realised])
    found.indicators = [
        OwnedIndicator(indicator, realised.get(owner))
        for owner in [page.iri, *realised]
        for indicator in indicators.get(owner, [])
    ]
    carried_out = found.facts.linking("realises")
    if carried_out:
        # The first of the realisations the generic page found; a solution may have thousands.
        shown = [value.iri for value in carried_out.values if value.iri][:PROJECTS_PER_PAGE]
        (rows,) = _project_rows(store, shown)
        found.projects = ProjectList(rows, carried_out.total or len(carried_out.values))


def _organisation(request: Request, store: CatalogueStore, page: ResourcePage, found: Profile) -> None:
    for iri, heading in ORGANISATION_ROLES:
        linking = found.facts.linking(iri)
        if linking:
            found.roles.append((heading, linking))


def _place(request: Request, store: CatalogueStore, page: ResourcePage, found: Profile) -> None:
    found.places = profiles.places_within(store, [page.iri]).get(page.iri, [])
    # A region's list takes in its towns; a town's is its own, which the place filter finds faster.
    filters = browse.ProjectFilter(region=page.iri) if found.places else browse.ProjectFilter(place=page.iri)
    found.solutions, found.projects = _solutions_and_realisations(request, store, filters)


def _funding(request: Request, store: CatalogueStore, page: ResourcePage, found: Profile) -> None:
    found.supported = profiles.measures_supported_by(store, [page.iri]).get(page.iri, [])
    applicants = concept.eligible_applicants(store, [page.iri]).get(page.iri, set())
    found.applicants = sorted(
        browse.descriptors(store, applicants, language_of(request)).values(), key=lambda resource: resource.label
    )
    found.indicators = [
        OwnedIndicator(indicator, None) for indicator in concept.indicators_of(store, [page.iri]).get(page.iri, [])
    ]


def _component(request: Request, store: CatalogueStore, page: ResourcePage, found: Profile) -> None:
    found.code = found.facts.text(_SKOS + "notation")
    found.unnamed = is_unnamed_component(store, page.iri, found.code)
    found.measures = concept.linked_resources(
        store, "component", [page.iri], "?item skos:broaderTransitive ?component", language_of(request),
        kinds={"TypeMeasure"},
    ).get(page.iri, [])


def is_unnamed_component(store: CatalogueStore, iri: str, code: str | None) -> bool:
    """Whether no source names the component: its Czech label is only the heading „Komponenta <code>“
    (or the code), as for ZPO3, whose seed prints „Komponenta ZPO3.“ and one measure of it."""
    if code is None:
        return False
    czech = concept.resources(store, [iri]).get(iri)
    return czech is not None and czech.label.strip().rstrip(".") in {code, f"Komponenta {code}"}


# -- lists of solutions and realisations -------------------------------------------------------------


def _project_rows(store: CatalogueStore, *lists: Sequence[str]) -> list[list[ProjectRow]]:
    """Each of ``lists`` (IRIs) with their place, year, cost and status, in the given order: three
    store queries for all the lists together."""
    every = [iri for iris in lists for iri in iris]
    facts = browse.facts(store, every)
    places = {iri: next(iter(facts[iri].iris("place")), None) for iri in every if iri in facts}
    statuses = {iri: next(iter(facts[iri].iris("status")), None) for iri in every if iri in facts}
    names = concept.resources(store, [*every, *(place for place in places.values() if place)])
    status_names = browse.descriptors(store, (status for status in statuses.values() if status))

    def row(iri: str) -> ProjectRow:
        own = facts.get(iri)
        return ProjectRow(
            names[iri],
            names.get(places.get(iri) or ""),
            own.year("year") if own else None,
            own.number("costCZK") if own else None,
            status_names.get(statuses.get(iri) or ""),
        )

    return [[row(iri) for iri in iris if iri in names] for iris in lists]


def _solutions_and_realisations(
    request: Request, store: CatalogueStore, filters: browse.ProjectFilter
) -> tuple[ProjectList, ProjectList]:
    """The solutions matching ``filters`` (few: all of them up to SOLUTIONS_LISTED, and counted) and
    the page of the realisations matching them that the request asks for."""
    total = browse.count_projects(store, "SmartSolution", filters)
    solutions = browse.projects(store, "SmartSolution", filters, offset=0, limit=SOLUTIONS_LISTED) if total else []
    realisations, paging = _realisation_page(request, store, filters)
    solution_rows, realisation_rows = _project_rows(store, solutions, realisations)
    return ProjectList(solution_rows, total), ProjectList(realisation_rows, None, paging)


def _realisation_page(
    request: Request, store: CatalogueStore, filters: browse.ProjectFilter
) -> tuple[list[str], Paging]:
    """IRIs of the page of realisations matching ``filters`` that the request asks for, and the paging.
    The count that numbers the pages is kept per catalogue version: at 50,000 realisations a region's
    costs 80 ms, a page of it 1 ms."""
    asked = request.query_params.get(PAGE_PARAMETER)
    number, error = 1, None
    if asked is not None:
        if asked.isascii() and asked.isdigit() and int(asked) >= 1:
            number = int(asked)
        else:
            error = N_("Číslo stránky musí být celé kladné číslo; zobrazuje se první stránka.")
    total = site_catalogue(request).kept(
        f"realisations-{filters.key()}", lambda: browse.count_projects(store, "Realisation", filters)
    )
    pages = page_count(total, PROJECTS_PER_PAGE)
    if number > pages:
        error = N_("Tolik stránek seznam nemá; zobrazuje se první stránka.")
        number = 1
    offset = (number - 1) * PROJECTS_PER_PAGE
    iris = browse.projects(store, "Realisation", filters, offset=offset, limit=PROJECTS_PER_PAGE)
    return iris, Paging(number, pager(request, number, pages), error)


@dataclass(frozen=True)
class Alternate:
    """The resource in one machine-readable form, which its page links to."""

    name: str
    media_type: str
    url: str


def resource_page(
    request: Request,
    store: CatalogueStore,
    page: ResourcePage,
    alternates: Sequence[Alternate],
    headers: Mapping[str, str],
) -> HTMLResponse:
    """The page of the resource ``page`` describes, with the site's security headers and ``headers``
    (linked data's ``Link``, ``Vary`` and ``Content-Location``), its published history and, for a kind the
    editor keeps, the link to edit it."""
    settings = site_catalogue(request).settings
    revisions = editing_history.history(store, settings, page.iri)
    editable = any(
        kind.iri in KINDS_BY_CLASS and forms.has_form(settings.shapes_file, kind.iri) for kind in page.kinds if kind.iri
    )
    context = {
        "history": shown_history(store, settings, revisions, language_of(request)) if revisions else None,
        "editable": editable,
        "page": page,
        "forms": alternates,
        "profile": profile(request, store, page),
        "dcterms": _DCTERMS,
        "skos": _SKOS,
        "cut_short": cut_short,
    }
    return render(request, "resource.html", context, headers=headers)
