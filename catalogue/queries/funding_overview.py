"""The funding overview the ministries ask for: programmes and calls with their facts, filtered also by
amount; the matrix of every type measure against the funding that supports it; and the allocation
that reaches each pillar and each measure.

The lists reuse :func:`browse.funding` and the links of :func:`concept.funding_of_measures` (directly,
through a call's programme, or through a component above the measure: the relations the rules
derive), so the overview says what the rest of the catalogue says. Funding is small
(hundreds of programmes at national size), so the amount filter and the sums are done here, in Python,
over facts fetched in a few batch queries.

The sources never say how a programme divides its money, so an allocation is never split. Per pillar,
a programme supporting the measures of one pillar only counts there; one supporting several pillars is
counted once, apart, as shared by those pillars (NPO 2.8 serves three: its 3.3 bn are counted once, not
three times), and the total over the pillars counts every programme once. Per measure, the allocation is
what can reach the measure: a programme's whole allocation, marked as shared where it supports several
measures, so the measures' figures are never to be summed. A part of a programme (or a call) is left out
when a programme it belongs to is counted with an allocation already, which includes the part's.

:func:`summaries` gives each programme and call as one line wherever funding is listed (the answer, the
measure page, the project): a short name, the allocation, the providers, and the status, the deadline
and the official call where the catalogue knows them.
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


# -- one line per programme or call ----------------------------------------------------------------

SCHEMA = "https://schema.org/"


@dataclass(frozen=True)
class FundingSummary:
    """A programme or call in one line: "NPO 2.8 · 3,3 mld. Kč · MMR/SFPI, MPO".

    ``name`` is the short name (the abbreviation of the programme at the top and the code, "NPO 2.8"),
    or None when there is none shorter than the label. ``providers`` are groups of the providers'
    short names, those of a group running it together ("MMR/SFPI"); a programme naming no provider has
    those of its parts (``providers_from_parts``). ``whole`` is the programme above with an allocation
    when this one states none itself (its allocation includes this one's). ``statuses`` (the status
    code's label, then a status in words, kcs:statusNote, in the asked language else Czech; each with
    the language it is in), ``deadline``
    (schema:applicationDeadline) and ``call_url`` (schema:url, the official call) are what the
    catalogue knows of an open call, ``period`` the years it runs (kcs:periodStart, kcs:periodEnd)."""

    iri: str
    name: str | None
    allocation: float | None
    providers: list[list[str]]
    providers_from_parts: bool = False
    whole: FundingSummary | None = None
    statuses: list[tuple[str, str]] = field(default_factory=list)
    deadline: str | None = None
    call_url: str | None = None
    period: tuple[int | None, int | None] = (None, None)

    @property
    def knows_call(self) -> bool:
        """Whether the catalogue knows the status, the deadline or the official call."""
        return bool(self.statuses or self.deadline or self.call_url)


_SUMMARY_FACTS = f"""SELECT ?funding ?fact ?value WHERE {{
  VALUES ?class {{ kcs:FundingProgramme kcs:FundingCall }}
  ?funding a ?class .
  {{ ?funding skos:altLabel ?value BIND ("short" AS ?fact) }}
  UNION {{ ?funding skos:prefLabel ?value BIND ("short" AS ?fact) }}
  UNION {{ ?funding skos:notation ?value BIND ("code" AS ?fact) }}
  UNION {{ ?funding kcs:allocationCZK ?value BIND ("allocation" AS ?fact) }}
  UNION {{ ?funding kcs:providedBy ?value BIND ("provider" AS ?fact) }}
  UNION {{ ?funding dcterms:isPartOf|kcs:callOf ?value BIND ("parent" AS ?fact) }}
  UNION {{ ?funding ^dcterms:isPartOf|dcterms:hasPart ?value BIND ("part" AS ?fact) }}
  UNION {{ ?funding kcs:callOf ?value BIND ("callOf" AS ?fact) }}
  UNION {{ ?funding kcs:status ?value BIND ("status" AS ?fact) }}
  UNION {{ ?funding kcs:statusNote ?value BIND (CONCAT("statusNote@", lang(?value)) AS ?fact) }}
  UNION {{ ?funding <{SCHEMA}applicationDeadline> ?value BIND ("deadline" AS ?fact) }}
  UNION {{ ?funding <{SCHEMA}url> ?value BIND ("url" AS ?fact) }}
  UNION {{ ?funding kcs:periodStart ?value BIND ("start" AS ?fact) }}
  UNION {{ ?funding kcs:periodEnd ?value BIND ("end" AS ?fact) }}
}}"""

_ORGANISATION_NAMES = """SELECT ?organisation ?name ?kind WHERE {
  ?organisation a kcs:Organisation .
  { ?organisation skos:altLabel ?name BIND ("short" AS ?kind) }
  UNION { ?organisation skos:prefLabel ?name BIND ("label" AS ?kind) }
}"""


def _short_names(store: CatalogueStore) -> dict[str, str]:
    """Each organisation's shortest alternative label ("MMR"), else its label ("SFPI")."""
    short: dict[str, list[str]] = defaultdict(list)
    label: dict[str, list[str]] = defaultdict(list)
    for row in store.values(PREFIXES + _ORGANISATION_NAMES):
        (short if row["kind"] == "short" else label)[row["organisation"]].append(row["name"])
    return {
        iri: min(short.get(iri) or label[iri], key=lambda name: (len(name), name)) for iri in {*short, *label}
    }


def summaries(store: CatalogueStore, lang: str = "cs") -> dict[str, FundingSummary]:
    """Every programme and call of the catalogue as one line, by IRI (two store queries in all)."""
    facts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in store.values(PREFIXES + _SUMMARY_FACTS):
        facts[row["funding"]][row["fact"]].append(row["value"])
    organisations = _short_names(store)
    status_iris = {iri for found in facts.values() for iri in found.get("status", ())}
    status_names = browse.descriptors(store, status_iris, lang)

    def first(iri: str, fact: str) -> str | None:
        values = sorted(facts[iri].get(fact, ()))
        return values[0] if values else None

    def status_notes(iri: str) -> list[tuple[str, str]]:
        """The status in words in ``lang``, else in Czech (or with no language, taken as Czech)."""
        for note_lang in dict.fromkeys((lang, "cs", "")):
            notes = sorted(facts[iri].get(f"statusNote@{note_lang}", ()))
            if notes:
                return [(note, note_lang or "cs") for note in notes]
        return []

    def top(iri: str) -> str:
        seen = {iri}
        while (parent := first(iri, "parent")) is not None and parent not in seen:
            seen.add(parent)
            iri = parent
        return iri

    def shortest(iri: str) -> str | None:
        return min(facts[iri].get("short", ()), key=lambda name: (len(name), name), default=None)

    def short_name(iri: str) -> str | None:
        code = first(iri, "code")
        if code is None:
            name = shortest(iri)
            return name if name and len(facts[iri].get("short", ())) > 1 else None
        root = top(iri)
        prefix = shortest(root)
        return f"{prefix} {code}" if prefix and root != iri else code

    def providers(iri: str) -> list[str]:
        return sorted({organisations[org] for org in facts[iri].get("provider", ()) if org in organisations})

    def from_parts(iri: str, seen: frozenset[str] = frozenset()) -> list[list[str]]:
        """The providers of the parts, a part naming none by its own parts': a group contained in
        another is left out ("MMR/SFPI, MPO", not "MMR/SFPI, MMR, MPO")."""
        groups: list[tuple[str, ...]] = []
        for part in sorted(facts[iri].get("part", ())):
            if part in seen:
                continue
            own = providers(part)
            groups += [tuple(own)] if own else [tuple(group) for group in from_parts(part, seen | {iri})]
        unique = list(dict.fromkeys(group for group in groups if group))
        kept = [group for group in unique if not any(set(group) < set(other) for other in unique)]
        return [list(group) for group in kept]

    def number(iri: str) -> float | None:
        value = first(iri, "allocation")
        try:
            return None if value is None else float(value)
        except ValueError:
            return None

    def year(iri: str, fact: str) -> int | None:
        value = first(iri, fact)
        return int(value[:4]) if value and value[:4].isdigit() else None

    found: dict[str, FundingSummary] = {}

    def summary(iri: str, seen: frozenset[str] = frozenset()) -> FundingSummary:
        if iri in found:
            return found[iri]
        own = providers(iri)
        groups = [own] if own else from_parts(iri)
        allocation = number(iri)
        whole = None
        parent = first(iri, "parent")
        above = summary(parent, seen | {iri}) if parent is not None and parent not in seen and parent in facts else None
        if allocation is None and above is not None:
            whole = above if above.allocation is not None else above.whole
        programme = first(iri, "callOf")
        if not groups and above is not None and programme == parent:
            groups = above.providers  # a call naming no provider is run by its programme's (kcs:providedBy)
        found[iri] = FundingSummary(
            iri=iri,
            name=short_name(iri),
            allocation=allocation,
            providers=groups,
            providers_from_parts=not own and bool(groups) and programme is None,
            whole=whole,
            statuses=[
                *sorted(
                    (status_names[code].label, status_names[code].lang)
                    for code in facts[iri].get("status", ())
                    if code in status_names
                ),
                *status_notes(iri),
            ],
            deadline=first(iri, "deadline"),
            call_url=next((url for url in sorted(facts[iri].get("url", ())) if url.startswith("https://")), None),
            period=(year(iri, "start"), year(iri, "end")),
        )
        return found[iri]

    for iri in list(facts):
        summary(iri)
    return found


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


@dataclass(frozen=True)
class Shared:
    """A programme counted once although it supports several pillars (or measures): ``subjects``."""

    item: FundingItem
    subjects: list[Resource]

    @property
    def allocation(self) -> float:
        return self.item.allocation or 0.0


@dataclass(frozen=True)
class PillarAllocations:
    """The allocation per pillar, each programme counted once: ``entries`` hold what supports one
    pillar only (zero included), ``shared`` the programmes supporting several, and ``total`` the sum of
    both, the money the funding in the matrix holds."""

    entries: list[Allocation]
    shared: list[Shared]

    @property
    def total(self) -> float:
        return sum(entry.total for entry in self.entries) + sum(shared.allocation for shared in self.shared)

    @property
    def shared_total(self) -> float:
        return sum(shared.allocation for shared in self.shared)

    def shared_with(self, subject: Resource) -> list[Shared]:
        """The shared programmes that support ``subject`` among others."""
        return [shared for shared in self.shared if any(s.iri == subject.iri for s in shared.subjects)]


def _counted(supporting: Iterable[FundingItem], ancestors: Mapping[str, set[str]]) -> list[FundingItem]:
    """Those of ``supporting`` with an allocation that no programme above them with one includes."""
    unique = {item.resource.iri: item for item in supporting}
    with_amount = {iri for iri, item in unique.items() if item.allocation is not None}
    return [
        item for iri, item in unique.items() if iri in with_amount and not (ancestors.get(iri, set()) & with_amount)
    ]


def _attributed(subject: Resource, supporting: Iterable[FundingItem], ancestors: Mapping[str, set[str]]) -> Allocation:
    counted = _counted(supporting, ancestors)
    return Allocation(subject, sum(item.allocation or 0.0 for item in counted), counted)


def allocations(store: CatalogueStore, matrix: SupportMatrix) -> tuple[PillarAllocations, list[Allocation]]:
    """The allocation reaching the pillars (every pillar a measure of the matrix is under, in the
    matrix's order, zero included; a programme supporting several is shared, counted once) and each
    measure (only those with some, largest first; a programme's whole allocation in each it supports)."""
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
    by_measure = sorted((entry for entry in per_measure if entry.total > 0), key=lambda entry: -entry.total)
    return _pillar_allocations(pillars, per_pillar, ancestors), by_measure


def _pillar_allocations(
    pillars: Mapping[str, Resource], per_pillar: Mapping[str, list[FundingItem]], ancestors: Mapping[str, set[str]]
) -> PillarAllocations:
    """Each programme counted once over all pillars: a programme's pillars are those it supports and
    those its parts and calls support, whose money is part of its own."""
    everything = [item for items in per_pillar.values() for item in items]
    counted = _counted(everything, ancestors)
    reached: dict[str, set[str]] = defaultdict(set)
    for pillar, items in per_pillar.items():
        for item in items:
            for whole in {item.resource.iri} | ancestors.get(item.resource.iri, set()):
                reached[whole].add(pillar)
    exclusive: dict[str, list[FundingItem]] = defaultdict(list)
    shared = []
    for item in counted:
        served = [iri for iri in pillars if iri in reached[item.resource.iri]]
        if len(served) == 1:
            exclusive[served[0]].append(item)
        else:
            shared.append(Shared(item, [pillars[iri] for iri in served]))
    entries = [
        Allocation(pillar, sum(item.allocation or 0.0 for item in exclusive[iri]), exclusive[iri])
        for iri, pillar in pillars.items()
    ]
    shared.sort(key=lambda entry: (-entry.allocation, czech_sort_key(entry.item.resource.label)))
    return PillarAllocations(entries, shared)


def shared_counts(by_measure: Sequence[Allocation]) -> dict[str, int]:
    """For each programme counted in ``by_measure``, the number of measures it is counted in."""
    counts: dict[str, int] = defaultdict(int)
    for entry in by_measure:
        for item in entry.counted:
            counts[item.resource.iri] += 1
    return dict(counts)
