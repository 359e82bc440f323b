"""Browsing what :mod:`concept` does not cover: funding programmes and calls by filter, realisations and
solutions by filter a page at a time, and, for a batch of resources at once, their own facts, the
resources linking to them and the code-list values (descriptors) they name.

Lists of projects are paged in the store's own order with an offset. Sorting them would cost seconds
at 50,000 realisations (Oxigraph's ORDER BY over all of them: 8 s measured) and a keyset needs an
order; without ORDER BY the same query over the same data returns the same order, so an offset is
stable for as long as the data is (the API's cursors carry the catalogue version for that reason).

Filter values are IRIs written into the query as ``VALUES`` blocks (each checked by
:func:`common.checked_iri`) and years as integers, never as text: a ``VALUES`` block or a constant lets
Oxigraph start from the filter (12 ms against 310 ms when the value is substituted after the pattern is
evaluated, at 50,000 realisations). Filters match through the relations the rules derive.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal as TypingLiteral

from rdflib import Literal

from catalogue.queries.common import PREFIXES, for_each, iri_values, label_language, text
from catalogue.queries.concept import Resource, resources
from catalogue.queries.resources import czech_sort_key
from catalogue.store import CatalogueStore

FundingKind = TypingLiteral["FundingProgramme", "FundingCall"]
ProjectKind = TypingLiteral["Realisation", "SmartSolution"]

_KCS = "https://w3id.org/kcs/ontology#"
_DCTERMS = "http://purl.org/dc/terms/"

# The properties :func:`facts` reads, by the name the API uses for them.
FACT_PROPERTIES: dict[str, str] = {
    "description": _DCTERMS + "description",
    "isPartOf": _DCTERMS + "isPartOf",
    **{
        name: _KCS + name
        for name in (
            "place",
            "year",
            "status",
            "statusNote",
            "costCZK",
            "realises",
            "servesMeasure",
            "servesGoal",
            "fulfils",
            "realisesService",
            "locatedIn",
            "within",
            "providedBy",
            "openTo",
            "includesService",
            "hasIndicator",
            "partOfFlagship",
            "isFlagship",
            "stackNumber",
            "duration",
            "guarantor",
            "implementer",
            "partner",
            "fundingSource",
            "provider",
            "eligibleApplicant",
            "callOf",
            "supportsMeasure",
            "supportsComponent",
            "periodStart",
            "periodEnd",
            "allocationCZK",
            "allocationEUR",
            "territorialTarget",
            "addressedBy",
            "unit",
            "baseline",
            "targetValue",
            "targetDate",
            "method",
            "frequency",
        )
    },
}
_PROPERTY_NAMES = {iri: name for name, iri in FACT_PROPERTIES.items()}

# Incoming links the API follows backwards, by name.
INCOMING_PROPERTIES: dict[str, str] = {
    "realises": _KCS + "realises",
    "realisesService": _KCS + "realisesService",
    "callOf": _KCS + "callOf",
    "includesService": _KCS + "includesService",
    "isPartOf": _DCTERMS + "isPartOf",
    "addressedBy": _KCS + "addressedBy",
}


# -- facts of a batch of resources ----------------------------------------------------------------


@dataclass(frozen=True)
class FactValue:
    """One value of a property: an IRI, or a literal's lexical form and language."""

    value: str
    is_iri: bool
    lang: str | None = None


@dataclass(frozen=True)
class Facts:
    """A resource's values of :data:`FACT_PROPERTIES`, by property name."""

    values: Mapping[str, tuple[FactValue, ...]] = field(default_factory=dict)

    def iris(self, name: str) -> list[str]:
        return sorted(value.value for value in self.values.get(name, ()) if value.is_iri)

    def literal(self, name: str, lang: str = "cs") -> str | None:
        """The property's literal in ``lang``, else in Czech, else any one (the same one every time)."""
        literals = sorted((value for value in self.values.get(name, ()) if not value.is_iri), key=lambda v: v.value)
        for wanted in (lang, "cs", None):
            for value in literals:
                if value.lang == wanted or wanted is None:
                    return value.value
        return None

    def number(self, name: str) -> float | None:
        value = self.literal(name)
        try:
            return None if value is None else float(value)
        except ValueError:
            return None

    def year(self, name: str) -> int | None:
        """A ``xsd:gYear`` (or integer) value as a year; None when absent or not a year."""
        value = self.literal(name)
        if value is None:
            return None
        digits = value.lstrip("-")[:4]
        return int(digits) if digits.isdigit() else None


def facts(store: CatalogueStore, iris: Sequence[str]) -> dict[str, Facts]:
    """The facts of each of ``iris`` that has any, in one store query however many there are."""
    iris = list(dict.fromkeys(iris))
    if not iris:
        return {}
    properties = ", ".join(f"<{iri}>" for iri in FACT_PROPERTIES.values())
    variables = "?item ?property ?value ?isIRI ?language"
    # Blank nodes (a cited source) are nothing the API can show.
    per_item = f"""SELECT {variables} WHERE {{
      ?item ?property ?value FILTER (?property IN ({properties}) && !isBlank(?value))
      BIND (isIRI(?value) AS ?isIRI) BIND (IF(isIRI(?value), "", lang(?value)) AS ?language) }}"""
    query = PREFIXES + f"SELECT {variables} WHERE {{ {for_each('item', iris, per_item)} }}"
    found: dict[str, dict[str, list[FactValue]]] = defaultdict(lambda: defaultdict(list))
    for row in store.values(query):
        is_iri = row["isIRI"] == "true"
        fact = FactValue(row["value"], is_iri, None if is_iri else row.get("language") or None)
        found[row["item"]][_PROPERTY_NAMES[row["property"]]].append(fact)
    return {
        iri: Facts({name: tuple(values) for name, values in properties_of.items()})
        for iri, properties_of in found.items()
    }


def linked_from(store: CatalogueStore, iris: Sequence[str], prop: str, *, limit: int) -> dict[str, list[str]]:
    """For each of ``iris``, up to ``limit`` resources that link to it by the property named ``prop``
    (a key of :data:`INCOMING_PROPERTIES`), in one store query; each IRI gets its own LIMIT."""
    iris = list(dict.fromkeys(iris))
    if not iris:
        return {}
    per_item = (
        f"SELECT ?target ?item WHERE {{ ?item <{INCOMING_PROPERTIES[prop]}> ?target FILTER (isIRI(?item)) }} "
        f"LIMIT {int(limit)}"
    )
    query = PREFIXES + f"SELECT ?target ?item WHERE {{ {for_each('target', iris, per_item)} }}"
    found: dict[str, list[str]] = defaultdict(list)
    for row in store.values(query):
        found[row["target"]].append(row["item"])
    return dict(found)


_DESCRIPTOR = """SELECT ?item ?label ?labelLang ?code ?lang WHERE {
    ?item a kcs:Descriptor .
    OPTIONAL { ?item skos:prefLabel ?asked FILTER (lang(?asked) = ?lang) }
    OPTIONAL { ?item skos:prefLabel ?czech FILTER (lang(?czech) = "cs") }
    BIND (COALESCE(?asked, ?czech) AS ?label)
    BIND (lang(?label) AS ?labelLang)
    OPTIONAL { ?item skos:notation ?code }
  }"""


def descriptors(store: CatalogueStore, iris: Iterable[str], lang: str = "cs") -> dict[str, Resource]:
    """The code-list values (``kcs:Descriptor``: a status, an applicant type, an area) among ``iris``,
    by IRI, as resources of kind ``Descriptor``."""
    iris = list(dict.fromkeys(iris))
    if not iris:
        return {}
    query = PREFIXES + f"SELECT ?item ?label ?labelLang ?code WHERE {{ {for_each('item', iris, _DESCRIPTOR)} }}"
    found: dict[str, Resource] = {}
    for row in store.values(query, {"lang": Literal(lang)}):
        iri = row["item"]
        label = text(row, "label") or iri.rstrip("/").rsplit("/", 1)[-1]
        found.setdefault(iri, Resource(iri, label, "Descriptor", text(row, "code"), label_language(row)))
    return found


_LABELLED_OF_CLASSES = """SELECT ?item ?class ?label ?labelLang ?code WHERE {{
  {classes}
  ?item a ?class .
  OPTIONAL {{ ?item skos:prefLabel ?asked FILTER (lang(?asked) = ?lang) }}
  OPTIONAL {{ ?item skos:prefLabel ?czech FILTER (lang(?czech) = "cs") }}
  OPTIONAL {{ ?item skos:notation ?code }}
  BIND (COALESCE(?asked, ?czech) AS ?label)
  BIND (lang(?label) AS ?labelLang)
  FILTER (BOUND(?label))
}}"""


def labelled(store: CatalogueStore, classes: Sequence[str], lang: str = "cs") -> list[Resource]:
    """Every named resource of ``classes`` (IRIs of small classes: code lists, registers), each once, as a
    resource of the first of its classes found; what the editor's picker matches typed names against."""
    query = PREFIXES + _LABELLED_OF_CLASSES.format(classes=iri_values("class", classes))
    found: dict[str, Resource] = {}
    for row in store.values(query, {"lang": Literal(lang)}):
        kind = row["class"].rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        found.setdefault(row["item"], Resource(row["item"], text(row, "label") or "", kind, text(row, "code"),
                                               label_language(row)))
    return list(found.values())


# -- every resource of a small class ---------------------------------------------------------------

LISTABLE_KINDS = frozenset({"TypeMeasure", "SmartService", "Problem", "Organisation", "Place", "Indicator"})
"""Classes small enough to list whole (hundreds of members at national size, not tens of thousands)."""


def all_of_kind(store: CatalogueStore, kind: str, lang: str = "cs") -> list[Resource]:
    """Every resource of the class ``kind`` (one of :data:`LISTABLE_KINDS`), in code then label order."""
    if kind not in LISTABLE_KINDS:
        raise ValueError(f"cannot list every {kind}: choose from {', '.join(sorted(LISTABLE_KINDS))}")
    rows = store.values(PREFIXES + f"SELECT ?item WHERE {{ ?item a kcs:{kind} }}")
    found = resources(store, (row["item"] for row in rows), lang)
    return sorted(
        (resource for resource in found.values() if resource.kind == kind),
        key=lambda resource: (resource.code or "", czech_sort_key(resource.label), resource.iri),
    )


# -- funding by filter ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundingFilter:
    """Funding that matches every given value (IRIs). A call matches through its programme where the
    rules say so: the provider and applicant types its programme names when it names none
    (kcs:providedBy, kcs:openTo), the measures its programme funds (kcs:fundsMeasure)."""

    provider: str | None = None
    applicant_type: str | None = None
    status: str | None = None
    measure: str | None = None
    component: str | None = None


def _funding_conditions(filters: FundingFilter) -> list[str]:
    """A pattern about ``?item`` for each filter given."""
    conditions = []
    if filters.provider:
        conditions.append(f"{iri_values('provider', [filters.provider])} ?item kcs:providedBy ?provider .")
    if filters.applicant_type:
        conditions.append(f"{iri_values('applicant', [filters.applicant_type])} ?item kcs:openTo ?applicant .")
    if filters.status:
        conditions.append(f"{iri_values('status', [filters.status])} ?item kcs:status ?status .")
    if filters.measure:
        conditions.append(f"{iri_values('measure', [filters.measure])} ?item kcs:fundsMeasure ?measure .")
    if filters.component:
        # Tied to the component itself, or funding a measure under it.
        conditions.append(
            f"{iri_values('component', [filters.component])} {{ ?item kcs:supportsComponent ?component }} "
            "UNION { ?componentMeasure skos:broaderTransitive ?component . ?item kcs:fundsMeasure ?componentMeasure }"
        )
    return conditions


def funding(store: CatalogueStore, kind: FundingKind, filters: FundingFilter, lang: str = "cs") -> list[Resource]:
    """The funding programmes or calls matching ``filters``, in label order."""
    where = "\n  ".join([f"?item a kcs:{kind} .", *_funding_conditions(filters)])
    rows = store.values(PREFIXES + f"SELECT DISTINCT ?item WHERE {{\n  {where}\n}}")
    found = resources(store, (row["item"] for row in rows), lang)
    return sorted(
        (resource for resource in found.values() if resource.kind == kind),
        key=lambda resource: (czech_sort_key(resource.label), resource.iri),
    )


# -- realisations and solutions by filter, a page at a time ---------------------------------------


@dataclass(frozen=True)
class ProjectFilter:
    """Realisations or solutions that match every given value.

    ``place``, ``region``, ``measure``, ``service`` and ``status`` are IRIs, matched through the
    relations the rules derive: a region matches its own place and every place in it
    (kcs:locatedIn); a measure, what fulfils it (kcs:fulfils); a service, the realisations that
    realise it (kcs:realisesService) and the solutions that include it."""

    place: str | None = None
    region: str | None = None
    year: int | None = None
    measure: str | None = None
    service: str | None = None
    status: str | None = None
    concept: str | None = None
    """A measure or goal (IRI): what fulfils it or a concept under it (kcs:fulfils, skos:broaderTransitive),
    and what realises or includes a service stated to serve it (kcs:realisesService, kcs:includesService;
    seed 004: a solution combines services so that it serves what they serve)."""

    def key(self) -> str:
        """The filter as a stable text, for telling cursors of different lists apart."""
        return "|".join("" if value is None else str(value) for value in self.__dict__.values())


FULFILS_CONCEPT = """{ ?item kcs:fulfils ?concept }
    UNION { ?narrower skos:broaderTransitive ?concept . ?item kcs:fulfils ?narrower }
    UNION { ?service kcs:servesMeasure|kcs:servesGoal ?concept .
            ?item kcs:realisesService|kcs:includesService ?service }
    UNION { ?narrower skos:broaderTransitive ?concept . ?service kcs:servesMeasure|kcs:servesGoal ?narrower .
            ?item kcs:realisesService|kcs:includesService ?service }"""
"""``?item`` fulfils ``?concept`` (ProjectFilter.concept) or a concept under it, by the links the rules
derive or through a service it realises or includes. Each branch starts from the concept: at 50,000
realisations 0.15 s for a measure, where a property path (``kcs:fulfils/skos:broaderTransitive?``) takes 1.5 s."""


def _conditions(filters: ProjectFilter, kind: ProjectKind) -> list[str]:
    """A pattern about ``?item`` for each filter given, the one best fit to start a listing first.

    The order guesses selectivity: a place is a small share of everything, a region a large one."""
    conditions: list[str] = []
    if filters.place:
        conditions.append(f"{iri_values('place', [filters.place])} ?item kcs:place ?place .")
    if filters.service:
        # A realisation realises a service directly or through its solution (kcs:realisesService); a
        # solution includes it.
        included = "kcs:realisesService" if kind == "Realisation" else "kcs:includesService"
        conditions.append(f"{iri_values('service', [filters.service])} ?item {included} ?service .")
    if filters.year is not None:
        conditions.append(f'VALUES ?year {{ "{int(filters.year):04d}"^^xsd:gYear }} ?item kcs:year ?year .')
    if filters.measure:
        conditions.append(f"{iri_values('measure', [filters.measure])} ?item kcs:fulfils ?measure .")
    if filters.status:
        conditions.append(f"{iri_values('status', [filters.status])} ?item kcs:status ?status .")
    if filters.concept:
        conditions.append(f"{iri_values('concept', [filters.concept])} {FULFILS_CONCEPT}")
    if filters.region:
        conditions.append(f"{iri_values('region', [filters.region])} ?item kcs:locatedIn ?region .")
    return conditions


def _check(pattern: str) -> str:
    """``pattern`` as a test of the bound ``?item``: evaluated once per item, stopping at the first match.

    Without the per-item LIMIT, Oxigraph joins the whole set the pattern matches (every realisation
    of a year, say) before looking at the first item."""
    return f"LATERAL {{ SELECT ?item WHERE {{ {pattern} }} LIMIT 1 }}"


def _where(kind: ProjectKind, filters: ProjectFilter, *, nested: bool) -> str:
    """The listing's pattern: from the first condition's items (realisations) or from every item of
    ``kind`` (solutions, which are few, or when no filter is given), then the other conditions, each
    as a per-item test when ``nested``, else as a plain join."""
    conditions = _conditions(filters, kind)
    if kind == "Realisation" and conditions:
        first, *rest = conditions
        start = f"{{ SELECT DISTINCT ?item WHERE {{ {first} }} }}"
        parts = [start, _check(f"?item a kcs:{kind} .") if nested else f"?item a kcs:{kind} ."]
    else:
        parts, rest = [f"?item a kcs:{kind} ."], conditions
    parts += [_check(condition) if nested else f"{{ {condition} }}" for condition in rest]
    return "\n  ".join(parts)


MAX_OFFSET = 10**12
"""Far beyond any catalogue: an offset past it (a page number typed by hand) lists nothing."""


def projects(store: CatalogueStore, kind: ProjectKind, filters: ProjectFilter, *, offset: int, limit: int) -> list[str]:
    """IRIs of up to ``limit`` realisations or solutions matching ``filters``, skipping the first
    ``offset``, in the store's order (the same for the same data).

    The listing starts from one condition's items and tests each against the others, so a page costs
    about as much as the items it skips and tests, not as much as every item each condition matches
    (which is what a plain join of the conditions costs: seconds for a region at 50,000 realisations)."""
    if not 0 <= offset <= MAX_OFFSET or limit < 0:
        # Past any catalogue there is nothing to list; and Oxigraph refuses an OFFSET beyond 64 bits.
        return []
    where = _where(kind, filters, nested=True)
    query = PREFIXES + f"SELECT DISTINCT ?item WHERE {{\n  {where}\n}} LIMIT {int(limit)} OFFSET {int(offset)}"
    return [row["item"] for row in store.values(query)]


def matching_projects(store: CatalogueStore, kind: ProjectKind, filters: ProjectFilter) -> list[str]:
    """IRIs of every realisation or solution matching ``filters``, in the store's order: about what
    :func:`count_projects` costs (at 50,000 realisations 0.15 s for all, 0.5 s for a large region),
    for a list that is sorted or searched outside the store."""
    where = _where(kind, filters, nested=False)
    return [row["item"] for row in store.values(PREFIXES + f"SELECT DISTINCT ?item WHERE {{\n  {where}\n}}")]


def count_projects(store: CatalogueStore, kind: ProjectKind, filters: ProjectFilter) -> int:
    """How many realisations or solutions match ``filters``.

    Counting realisations visits every one the first condition finds, so there the other conditions
    are plain joins, cheaper than a test per item; solutions are few, and tested one by one."""
    where = _where(kind, filters, nested=kind == "SmartSolution")
    rows = store.values(PREFIXES + f"SELECT (COUNT(DISTINCT ?item) AS ?count) WHERE {{\n  {where}\n}}")
    return int(rows[0]["count"]) if rows else 0
