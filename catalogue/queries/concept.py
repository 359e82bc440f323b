"""The concept and what hangs on it: strategies, the SKOS hierarchy pillar → component → goal → measure,
and, for a batch of measures at once, their funding, services, realisations and indicators.

Every function takes many IRIs and answers for all of them with two store queries, however many
there are (the GraphQL dataloaders rely on this): one finds the linked resources, one fetches their
labels. Both evaluate their pattern once per given IRI (:func:`common.for_each`); joining the labels
in the same query, or the IRIs as a plain VALUES block, lets Oxigraph's optimiser start from every
label or realisation in the store: seconds instead of milliseconds at 50,000 realisations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from rdflib import Literal

from catalogue.queries import footing
from catalogue.queries.common import PREFIXES, for_each, label_language, text
from catalogue.store import CatalogueStore

CONCEPT_KINDS = frozenset({"Strategy", "Pillar", "CrossCuttingArea", "Component", "Goal", "TypeMeasure"})
FUNDING_KINDS = frozenset({"FundingProgramme", "FundingCall"})


@dataclass(frozen=True)
class Resource:
    """Any resource of the catalogue as lists show it: its IRI, label, class and code."""

    iri: str
    label: str
    kind: str
    code: str | None = None
    lang: str = "cs"
    """The language of ``label``: the asked one where the catalogue has it, else Czech."""


@dataclass(frozen=True)
class Indicator:
    iri: str
    label: str
    unit: str | None
    baseline: str | None
    target: str | None


@dataclass(frozen=True)
class FundingLink:
    """A programme or call supporting a measure; ``via`` says how (``supportsMeasure``,
    ``callOf`` when the call's programme supports it, ``supportsComponent`` when it supports the
    measure's component). ``inferred`` is the curator's reasoning when the stated link
    (``supportsMeasure``) is one no source states (:mod:`catalogue.queries.footing`); the other ways
    are derived from links of other resources, which carry their own marks."""

    funding: Resource
    via: str
    inferred: footing.Reasoning | None = None


FUNDING_WAYS = ("supportsMeasure", "callOf", "supportsComponent")
"""How a programme or call supports a measure (``via``), the most direct way first: as stated, through
the programme of a call (the rule ``funds-through-programme``), through a component above the measure
(``funds-through-component``)."""

FUNDING_LINKS = f"""{{ ?funding kcs:supportsMeasure ?measure . BIND ("supportsMeasure" AS ?via) BIND (1 AS ?directness)
    {footing.marked("?funding", "kcs:supportsMeasure", "?measure")} }}
  UNION {{ ?funding kcs:fundsThroughProgramme ?measure . BIND ("callOf" AS ?via) BIND (2 AS ?directness) }}
  UNION {{ ?funding kcs:fundsThroughComponent ?measure .
          BIND ("supportsComponent" AS ?via) BIND (3 AS ?directness) }}"""
"""``?funding`` supports ``?measure`` in the way ``?via`` (of :data:`FUNDING_WAYS`): the derived relation
kcs:fundsMeasure by the way it holds; for the stated way, the curator's reasoning (``?reasoning`` in
``?reasoningLang``) where no source states the link."""


@dataclass(frozen=True)
class SupportedMeasure:
    """A measure a programme or call supports; ``via`` says how, as in :class:`FundingLink`."""

    measure: Resource
    via: str


def _kind(iri: object) -> str:
    return str(iri).rsplit("#", 1)[-1]


# The label in the asked language, else the Czech one, which every resource has.
_LABELLED = """SELECT ?item ?class ?label ?labelLang ?code ?lang WHERE {
    ?item a ?class .
    FILTER (?class IN (kcs:Strategy, kcs:Pillar, kcs:CrossCuttingArea, kcs:Component, kcs:Goal, kcs:TypeMeasure,
                       kcs:SmartService, kcs:SmartSolution, kcs:Realisation, kcs:FundingProgramme, kcs:FundingCall,
                       kcs:Indicator, kcs:Problem, kcs:Organisation, kcs:Place))
    OPTIONAL { ?item skos:prefLabel ?asked FILTER (lang(?asked) = ?lang) }
    ?item skos:prefLabel ?czech FILTER (lang(?czech) = "cs")
    BIND (COALESCE(?asked, ?czech) AS ?label)
    BIND (lang(?label) AS ?labelLang)
    OPTIONAL { ?item skos:notation ?code }
  }"""


def resources(store: CatalogueStore, iris: Iterable[str], lang: str = "cs") -> dict[str, Resource]:
    """The catalogue resources among ``iris``, by IRI; IRIs the catalogue does not know are left out."""
    iris = list(dict.fromkeys(iris))
    if not iris:
        return {}
    query = PREFIXES + f"SELECT ?item ?class ?label ?labelLang ?code WHERE {{ {for_each('item', iris, _LABELLED)} }}"
    found: dict[str, Resource] = {}
    for row in store.values(query, {"lang": Literal(lang)}):
        found.setdefault(
            str(row["item"]),
            Resource(str(row["item"]), str(row["label"]), _kind(row["class"]), text(row, "code"), label_language(row)),
        )
    return found


def linked_rows(
    store: CatalogueStore,
    key: str,
    iris: Sequence[str],
    pattern: str,
    *,
    extra: Sequence[str] = (),
    limit: int | None = None,
) -> list[dict[str, str]]:
    """Rows of ``?key`` (each of ``iris`` in turn), the ``?item`` that ``pattern`` links to it, and
    the ``extra`` variables; at most ``limit`` items per IRI."""
    variables = " ".join(f"?{name}" for name in (key, "item", *extra))
    per_iri = f"SELECT {variables} WHERE {{ {pattern} }}" + (f" LIMIT {int(limit)}" if limit is not None else "")
    return store.values(PREFIXES + f"SELECT {variables} WHERE {{ {for_each(key, iris, per_iri)} }}")


def linked_resources(
    store: CatalogueStore,
    key: str,
    iris: Sequence[str],
    pattern: str,
    lang: str,
    *,
    kinds: Collection[str],
    limit: int | None = None,
) -> dict[str, list[Resource]]:
    """For each of ``iris``, the resources of ``kinds`` that ``pattern`` links to it, in label order."""
    if not iris:
        return {}
    rows = linked_rows(store, key, iris, pattern, limit=limit)
    found = resources(store, (str(row["item"]) for row in rows), lang)
    grouped: dict[str, list[Resource]] = defaultdict(list)
    for row in rows:
        resource = found.get(str(row["item"]))
        if resource is not None and resource.kind in kinds and resource not in grouped[str(row[key])]:
            grouped[str(row[key])].append(resource)
    for items in grouped.values():
        items.sort(key=lambda resource: (resource.code or "", resource.label))
    return grouped


def strategies(store: CatalogueStore, lang: str = "cs") -> list[Resource]:
    """Every strategy (national concept, regional and town concepts) in label order."""
    rows = store.values(PREFIXES + "SELECT ?strategy WHERE { ?strategy a kcs:Strategy }")
    return sorted(resources(store, (str(row["strategy"]) for row in rows), lang).values(), key=lambda r: r.label)


def broader(store: CatalogueStore, iris: Sequence[str], lang: str = "cs") -> dict[str, list[Resource]]:
    """The concepts right above each of ``iris`` in the hierarchy (a measure's goal, or its component
    where the sources name no goal; a goal's component; a component's pillar)."""
    return linked_resources(store, "child", iris, "?child skos:broader ?item", lang, kinds=CONCEPT_KINDS)


def narrower(store: CatalogueStore, iris: Sequence[str], lang: str = "cs") -> dict[str, list[Resource]]:
    """The concepts right below each of ``iris``: a strategy's pillars, a pillar's components, a
    component's goals (and measures filed directly under it), a goal's measures."""
    return linked_resources(
        store,
        "parent",
        iris,
        "{ ?item skos:broader ?parent } UNION { ?item skos:topConceptOf ?parent }",
        lang,
        kinds=CONCEPT_KINDS,
    )


def pillars_of_measures(store: CatalogueStore, iris: Sequence[str], lang: str = "cs") -> dict[str, list[Resource]]:
    """The pillars (or cross-cutting areas) each measure reaches, however many levels up."""
    return linked_resources(
        store, "measure", iris, "?measure skos:broaderTransitive ?item", lang, kinds={"Pillar", "CrossCuttingArea"}
    )


def funding_of_measures(store: CatalogueStore, iris: Sequence[str], lang: str = "cs") -> dict[str, list[FundingLink]]:
    """Programmes and calls supporting each measure: directly, through their programme, or by
    supporting the component the measure belongs to; the most direct way first, each with its footing."""
    if not iris:
        return {}
    rows = linked_rows(
        store,
        "measure",
        iris,
        FUNDING_LINKS.replace("?funding", "?item"),
        extra=("via", "directness", "reasoning", "reasoningLang"),
    )
    found = resources(store, (str(row["item"]) for row in rows), lang)
    marks: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if "reasoning" in row:
            marks[(row["measure"], row["item"])][row["reasoningLang"]].append(row["reasoning"])
    grouped: dict[str, list[FundingLink]] = defaultdict(list)
    for row in sorted(rows, key=lambda row: int(row["directness"])):
        funding = found.get(str(row["item"]))
        links = grouped[str(row["measure"])]
        if funding is not None and funding.kind in FUNDING_KINDS and all(link.funding != funding for link in links):
            texts = marks.get((row["measure"], row["item"])) if row["via"] == "supportsMeasure" else None
            links.append(FundingLink(funding, str(row["via"]), footing.chosen(texts, lang) if texts else None))
    return grouped


def services_of_measures(store: CatalogueStore, iris: Sequence[str], lang: str = "cs") -> dict[str, list[Resource]]:
    """Smart services fulfilling each measure (kcs:fulfils: serving it, or part of a solution that serves it).

    The pattern starts from the services, which are few, not from what fulfils the measure, which may be
    thousands of realisations."""
    return linked_resources(
        store,
        "measure",
        iris,
        "?item a kcs:SmartService . FILTER EXISTS { ?item kcs:fulfils ?measure }",
        lang,
        kinds={"SmartService"},
    )


def realisations_of_measures(
    store: CatalogueStore, iris: Sequence[str], per_measure: int, lang: str = "cs"
) -> dict[str, list[Resource]]:
    """Up to ``per_measure`` solutions and realisations fulfilling each measure (kcs:fulfils: directly,
    or a realisation through what it realises), in label order.

    Each measure gets its own LIMIT, so one with ten thousand realisations costs no more than one
    with ten. Choosing the newest would cost a scan of all the measure's realisations (0.1 s at
    10,000), so ranked lists come from the search index instead."""
    return linked_resources(
        store,
        "measure",
        iris,
        "?item kcs:fulfils ?measure . FILTER NOT EXISTS { ?item a kcs:SmartService }",
        lang,
        kinds={"SmartSolution", "Realisation"},
        limit=per_measure,
    )


def indicators_of(store: CatalogueStore, iris: Sequence[str], lang: str = "cs") -> dict[str, list[Indicator]]:
    """Indicators of each resource: its own, and for a measure those proposed for it (kcs:proposedIndicator:
    those of the solutions and services serving it)."""
    if not iris:
        return {}
    rows = linked_rows(
        store,
        "owner",
        iris,
        """{ ?owner kcs:hasIndicator|kcs:proposedIndicator ?item }
        OPTIONAL { ?item kcs:unit ?unit }
        OPTIONAL { ?item kcs:baseline ?baseline }
        OPTIONAL { ?item kcs:targetValue ?target }""",
        extra=("unit", "baseline", "target"),
    )
    found = resources(store, (str(row["item"]) for row in rows), lang)
    grouped: dict[str, list[Indicator]] = defaultdict(list)
    for row in rows:
        resource = found.get(str(row["item"]))
        if resource is None:
            continue
        indicator = Indicator(
            resource.iri, resource.label, text(row, "unit"), text(row, "baseline"), text(row, "target")
        )
        if indicator not in grouped[str(row["owner"])]:
            grouped[str(row["owner"])].append(indicator)
    for indicators in grouped.values():
        indicators.sort(key=lambda indicator: indicator.label)
    return grouped


def measures_combined_with(
    store: CatalogueStore, iris: Sequence[str], lang: str = "cs"
) -> dict[str, list[tuple[Resource, int]]]:
    """Synergies: for each measure, the other measures it is combined with — stated
    (``kcs:synergyWith``) or shared by the same problem, programme or solution — with how many such
    links there are, most first. Realisations are left out: a measure has thousands, and a solution
    already stands for the combination its realisations repeat."""
    if not iris:
        return {}
    rows = linked_rows(
        store,
        "measure",
        iris,
        """{ SELECT ?measure ?item (COUNT(DISTINCT ?shared) AS ?links) WHERE {
          { ?measure kcs:synergyWith ?item . BIND (?item AS ?shared) }
          UNION { ?shared kcs:addressedBy ?measure , ?item }
          UNION { ?shared kcs:supportsMeasure ?measure , ?item }
          UNION { ?shared a kcs:SmartSolution ; kcs:servesMeasure ?item .
                  FILTER EXISTS { ?shared kcs:servesMeasure ?measure } }
          FILTER (?item != ?measure)
        } GROUP BY ?measure ?item }""",
        extra=("links",),
    )
    found = resources(store, (str(row["item"]) for row in rows), lang)
    grouped: dict[str, list[tuple[Resource, int]]] = defaultdict(list)
    for row in sorted(rows, key=lambda row: -int(row["links"])):
        other = found.get(str(row["item"]))
        if other is not None and other.kind == "TypeMeasure":
            grouped[str(row["measure"])].append((other, int(row["links"])))
    return grouped


def linked_iris(store: CatalogueStore, key: str, iris: Sequence[str], pattern: str) -> dict[str, set[str]]:
    """For each of ``iris`` (bound to ``?key`` in turn), the set of ``?item`` that ``pattern`` links to it."""
    if not iris:
        return {}
    grouped: dict[str, set[str]] = defaultdict(set)
    for row in linked_rows(store, key, iris, pattern):
        grouped[str(row[key])].add(str(row["item"]))
    return grouped


def eligible_applicants(store: CatalogueStore, iris: Sequence[str]) -> dict[str, set[str]]:
    """The applicant types (descriptor IRIs) each programme or call is open to (kcs:openTo: a call is open
    to those its programme names when it names none itself)."""
    return linked_iris(store, "funding", iris, "?funding kcs:openTo ?item")


def schemes_of(store: CatalogueStore, iris: Sequence[str]) -> dict[str, set[str]]:
    """The strategies (concept schemes) each concept belongs to."""
    return linked_iris(store, "concept", iris, "?concept skos:inScheme ?item")


def class_labels(store: CatalogueStore, lang: str = "cs") -> dict[str, str]:
    """The ontology's name for each of its classes (``TypeMeasure`` → „Typové opatření“), in ``lang``
    where the ontology has it, else in Czech."""
    rows = store.values(
        PREFIXES
        + """SELECT ?class ?label ?labelLang ?lang WHERE {
          ?class a owl:Class ; rdfs:label ?label .
          BIND (lang(?label) AS ?labelLang)
          FILTER (STRSTARTS(STR(?class), STR(kcs:)) && ?labelLang IN (?lang, "cs"))
        }""",
        {"lang": Literal(lang)},
    )
    names: dict[str, str] = {}
    for row in sorted(rows, key=lambda row: row["labelLang"] != lang):  # the asked language first
        names.setdefault(_kind(row["class"]), row["label"])
    return names
