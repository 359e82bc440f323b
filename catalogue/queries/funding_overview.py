"""The funding overview the ministries ask for: programmes and calls with their facts, filtered also by
amount; the matrix of every type measure against the funding that supports it; and the allocation
that reaches each pillar and each measure.

The lists reuse :func:`browse.funding` and the links of :func:`concept.funding_of_measures` (directly,
through a call's programme, or through a component above the measure: the relations the rules
derive), so the overview says what the rest of the catalogue says. Funding is small
(hundreds of programmes at national size), so the amount filter and the sums are done here, in Python,
over facts fetched in a few batch queries.

Allocation is attributed in full: a programme supporting measures of two pillars counts with its whole
allocation in each, because the sources never say how a programme divides its money. Within one pillar
or measure a programme counts once, and a part of a programme (or a call) is left out when a programme
it belongs to is counted with an allocation already, which includes the part's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from catalogue.queries import browse, concept, footing
from catalogue.queries.browse import FundingFilter
from catalogue.queries.common import PREFIXES
from catalogue.queries.concept import Resource
from catalogue.queries.resources import czech_sort_key
from catalogue.store import CatalogueStore

FILTER_PROPERTIES = {
    "https://w3id.org/kcs/ontology#provider": "provider",
    "https://w3id.org/kcs/ontology#status": "status",
    "https://w3id.org/kcs/ontology#eligibleApplicant": "applicant",
}


@dataclass(frozen=True)
class FilterOptions:
    """The values funding in the catalogue has, to choose from: providers, statuses, applicant types."""

    providers: list[Resource]
    statuses: list[Resource]
    applicants: list[Resource]


@dataclass(frozen=True)
class AmountRange:
    """Allocations from ``minimum`` to ``maximum`` CZK (both included); None leaves that end open.
    Funding without a stated allocation matches only an open range on both ends."""

    minimum: float | None = None
    maximum: float | None = None

    def __post_init__(self) -> None:
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"the minimum {self.minimum} is above the maximum {self.maximum}")

    @property
    def is_open(self) -> bool:
        return self.minimum is None and self.maximum is None

    def holds(self, allocation: float | None) -> bool:
        if self.is_open:
            return True
        if allocation is None:
            return False
        return (self.minimum is None or allocation >= self.minimum) and (
            self.maximum is None or allocation <= self.maximum
        )


NAMED_MEASURES = "{ ?funding kcs:supportsMeasure ?item } UNION { ?funding kcs:fundsThroughProgramme ?item }"
"""The measures a programme or call is stated to support, and those a call's programme funds: what the
overview lists beside it; support through a component of the item's own is shown in the matrix."""


@dataclass(frozen=True)
class FundingItem:
    """A programme or call as the overview shows it. ``programme`` is a call's programme or the
    programme a part belongs to; a call that names no providers or applicants itself has its
    programme's (kcs:providedBy, kcs:openTo), and lists the measures its programme funds."""

    resource: Resource
    programme: Resource | None
    providers: list[Resource]
    statuses: list[Resource]
    applicants: list[Resource]
    allocation: float | None
    measures: list[Resource]
    components: list[Resource]
    inferred: Mapping[str, footing.Reasoning] = field(default_factory=dict)
    """By the IRI of a measure or component it is stated to support: the curator's reasoning where no
    source states that link (:mod:`catalogue.queries.footing`)."""

    @property
    def is_call(self) -> bool:
        return self.resource.kind == "FundingCall"


@dataclass(frozen=True)
class Support:
    """How a column's funding supports a row's measure: ``via`` is the link of
    :class:`concept.FundingLink`; ``through`` the component (``supportsComponent``) or the call's
    programme (``callOf``) the support goes through; ``inferred`` the curator's reasoning when the
    stated link the cell shows (to the measure, or to the component it names) is one no source states."""

    via: str
    through: Resource | None = None
    inferred: footing.Reasoning | None = None


@dataclass(frozen=True)
class MatrixRow:
    measure: Resource
    pillars: list[Resource]
    cells: list[Support | None]

    @property
    def funded(self) -> bool:
        return any(cell is not None for cell in self.cells)


@dataclass(frozen=True)
class SupportMatrix:
    """Every type measure (rows) against the funding supporting at least one of them (columns)."""

    columns: list[FundingItem]
    rows: list[MatrixRow]

    @property
    def unfunded(self) -> list[Resource]:
        return [row.measure for row in self.rows if not row.funded]


@dataclass(frozen=True)
class Allocation:
    """The allocation attributed to a pillar or measure, and the funding it is the sum of."""

    subject: Resource
    total: float
    counted: list[FundingItem]


# -- the filter's choices ---------------------------------------------------------------------------

_FILTER_VALUES = """SELECT DISTINCT ?property ?value WHERE {
  VALUES ?class { kcs:FundingProgramme kcs:FundingCall }
  ?item a ?class ; ?property ?value .
  FILTER (?property IN (kcs:provider, kcs:status, kcs:eligibleApplicant) && isIRI(?value))
}"""


def filter_options(store: CatalogueStore, lang: str = "cs") -> FilterOptions:
    """The providers, statuses and applicant types that some programme or call names."""
    found: dict[str, set[str]] = defaultdict(set)
    for row in store.values(PREFIXES + _FILTER_VALUES):
        found[FILTER_PROPERTIES[row["property"]]].add(row["value"])
    organisations = concept.resources(store, found["provider"], lang)
    codes = browse.descriptors(store, found["status"] | found["applicant"], lang)
    return FilterOptions(
        providers=_sorted(organisations.values()),
        statuses=_sorted(codes[iri] for iri in found["status"] if iri in codes),
        applicants=_sorted(codes[iri] for iri in found["applicant"] if iri in codes),
    )


def _sorted(resources: Iterable[Resource]) -> list[Resource]:
    return sorted(resources, key=lambda resource: (czech_sort_key(resource.label), resource.iri))


# -- programmes and calls ---------------------------------------------------------------------------


def funding_items(
    store: CatalogueStore, filters: FundingFilter, amount: AmountRange = AmountRange(), lang: str = "cs"
) -> list[FundingItem]:
    """The programmes, then the calls, that match ``filters`` and ``amount``, each in label order."""
    found = [
        *browse.funding(store, "FundingProgramme", filters, lang),
        *browse.funding(store, "FundingCall", filters, lang),
    ]
    iris = [resource.iri for resource in found]
    facts = browse.facts(store, iris)
    parents = {iri: _parent(facts.get(iri)) for iri in iris}
    applicants = concept.eligible_applicants(store, iris)

    def own(iri: str, name: str) -> list[str]:
        return facts[iri].iris(name) if iri in facts else []

    providers = {iri: own(iri, "providedBy") for iri in iris}
    statuses = {iri: own(iri, "status") for iri in iris}
    measures = concept.linked_iris(store, "funding", iris, NAMED_MEASURES)
    components = {iri: own(iri, "supportsComponent") for iri in iris}
    stated = [
        *(footing.supports_measure(iri, measure) for iri, found in measures.items() for measure in found),
        *(footing.supports_component(iri, component) for iri, found in components.items() for component in found),
    ]
    inferred = footing.of_links(store, stated, lang)
    labelled = concept.resources(
        store,
        _flatten(providers, measures, components, {iri: [parent] for iri, parent in parents.items() if parent}),
        lang,
    )
    codes = browse.descriptors(store, _flatten(statuses, applicants), lang)

    def named(table: dict[str, Resource], chosen: Iterable[str]) -> list[Resource]:
        return _sorted(table[iri] for iri in chosen if iri in table)

    items = []
    for resource in found:
        iri = resource.iri
        allocation = facts[iri].number("allocationCZK") if iri in facts else None
        if not amount.holds(allocation):
            continue
        parent = parents[iri]
        items.append(
            FundingItem(
                resource=resource,
                programme=labelled.get(parent) if parent else None,
                providers=named(labelled, providers[iri]),
                statuses=named(codes, statuses[iri]),
                applicants=named(codes, applicants.get(iri, ())),
                allocation=allocation,
                measures=named(labelled, measures.get(iri, ())),
                components=named(labelled, components[iri]),
                inferred={link.object: reasoning for link, reasoning in inferred.items() if link.subject == iri},
            )
        )
    return items


def _parent(facts: browse.Facts | None) -> str | None:
    """A call's programme, or the programme a part belongs to (the shapes allow one of each)."""
    if facts is None:
        return None
    parents = facts.iris("callOf") or facts.iris("isPartOf")
    return parents[0] if parents else None


def _flatten(*tables: Mapping[str, Iterable[str]]) -> list[str]:
    return list(dict.fromkeys(iri for table in tables for iris in table.values() for iri in iris))


# -- the matrix of measures against funding ---------------------------------------------------------

_COMPONENTS_ABOVE = "?measure skos:broaderTransitive ?item . ?item a kcs:Component"


def support_matrix(store: CatalogueStore, items: Sequence[FundingItem], lang: str = "cs") -> SupportMatrix:
    """Every type measure of every strategy against those of ``items`` that support one, rows in
    pillar then code order. A measure no item supports has only empty cells."""
    measures = browse.all_of_kind(store, "TypeMeasure", lang)
    iris = [measure.iri for measure in measures]
    links = concept.funding_of_measures(store, iris, lang)
    pillars = concept.pillars_of_measures(store, iris, lang)
    components_above = concept.linked_iris(store, "measure", iris, _COMPONENTS_ABOVE)
    by_iri = {item.resource.iri: item for item in items}

    supports: dict[str, dict[str, Support]] = defaultdict(dict)
    for measure in iris:
        for link in links.get(measure, ()):
            item = by_iri.get(link.funding.iri)
            if item is None:
                continue
            through = None
            inferred = link.inferred
            if link.via == "callOf":
                through = item.programme
            elif link.via == "supportsComponent":
                # The nearest is unknown here; the component listed first in code order stands for it.
                through = next((c for c in item.components if c.iri in components_above.get(measure, ())), None)
                inferred = item.inferred.get(through.iri) if through else None
            supports[measure][item.resource.iri] = Support(link.via, through, inferred)

    columns = [item for item in items if any(item.resource.iri in cells for cells in supports.values())]
    rows = [
        MatrixRow(
            measure=measure,
            pillars=pillars.get(measure.iri, []),
            cells=[supports[measure.iri].get(column.resource.iri) for column in columns],
        )
        for measure in measures
    ]
    rows.sort(key=lambda row: _pillar_key(row.pillars))  # stable: code order within a pillar
    return SupportMatrix(columns, rows)


def _pillar_key(pillars: Sequence[Resource]) -> tuple:
    if not pillars:
        return (1, ())
    first = pillars[0]
    return (0, (first.code or "", czech_sort_key(first.label), first.iri))


# -- allocation per pillar and per measure ----------------------------------------------------------

_ANCESTORS = "?funding kcs:withinProgramme ?item"
"""The programmes a programme or call is a part or a call of, at any depth (derived by the rules)."""


def _attributed(subject: Resource, supporting: Iterable[FundingItem], ancestors: dict[str, set[str]]) -> Allocation:
    unique = {item.resource.iri: item for item in supporting}
    with_amount = {iri for iri, item in unique.items() if item.allocation is not None}
    counted = [
        item
        for iri, item in unique.items()
        if item.allocation is not None and not (ancestors.get(iri, set()) & with_amount)
    ]
    return Allocation(subject, sum(item.allocation or 0.0 for item in counted), counted)


def allocations(store: CatalogueStore, matrix: SupportMatrix) -> tuple[list[Allocation], list[Allocation]]:
    """The allocation reaching each pillar (every pillar a measure of the matrix is under, in the
    matrix's order, zero included) and each measure (only those with some, largest first)."""
    ancestors = concept.linked_iris(store, "funding", [column.resource.iri for column in matrix.columns], _ANCESTORS)
    pillars: dict[str, Resource] = {}
    per_pillar: dict[str, list[FundingItem]] = defaultdict(list)
    per_measure = []
    for row in matrix.rows:
        supporting = [column for column, cell in zip(matrix.columns, row.cells, strict=True) if cell is not None]
        per_measure.append(_attributed(row.measure, supporting, ancestors))
        for pillar in row.pillars:
            pillars.setdefault(pillar.iri, pillar)
            per_pillar[pillar.iri].extend(supporting)
    by_pillar = [_attributed(pillar, per_pillar[iri], ancestors) for iri, pillar in pillars.items()]
    by_measure = sorted((entry for entry in per_measure if entry.total > 0), key=lambda entry: -entry.total)
    return by_pillar, by_measure
