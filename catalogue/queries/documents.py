"""The search index's documents: every findable resource with its words and its links in the graph.

A document carries, besides its texts, the resources it lends evidence to (a problem to the measures
that address it, a realisation to the measure it serves and the solution it realises, a goal to the
measures under it …), so that ranking needs no store query per hit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import Literal

from catalogue.queries.common import PREFIXES
from catalogue.store import CatalogueStore

# The kinds a municipality searches for, as the ontology's class names.
SEARCHABLE_KINDS = (
    "Pillar",
    "CrossCuttingArea",
    "Component",
    "Goal",
    "TypeMeasure",
    "SmartService",
    "SmartSolution",
    "Realisation",
    "FundingProgramme",
    "FundingCall",
    "Problem",
)


@dataclass(frozen=True)
class Link:
    """``relation`` (an ontology property's local name, or a path's first step) leads to ``target``."""

    target: str
    target_kind: str
    relation: str


@dataclass
class SearchDocument:
    iri: str
    kind: str
    label: str
    alt_labels: list[str] = field(default_factory=list)
    hidden_labels: list[str] = field(default_factory=list)
    code: str | None = None
    description: str | None = None
    places: list[str] = field(default_factory=list)
    """Places of a realisation or solution, with the regions they are part of (for filters)."""
    links: list[Link] = field(default_factory=list)


_KIND_IRIS = {f"https://w3id.org/kcs/ontology#{kind}": kind for kind in SEARCHABLE_KINDS}

# Whole-catalogue scans, one predicate each, joined in Python. At 50,000 realisations one query joining
# types, labels, descriptions and places runs 8–15 s (Oxigraph's optimiser picks a nested loop over
# every label); the scans take 0.2–0.4 s each.
TYPES = PREFIXES + "SELECT ?doc ?class WHERE { ?doc a ?class }"
PREF_LABELS = PREFIXES + "SELECT ?doc ?label ?lang WHERE { ?doc skos:prefLabel ?label FILTER (lang(?label) = ?lang) }"
OTHER_LABELS = (
    PREFIXES
    + """SELECT ?doc ?property ?label WHERE {
  VALUES ?property { skos:altLabel skos:hiddenLabel } ?doc ?property ?label }"""
)
CODES = PREFIXES + "SELECT ?doc ?code WHERE { ?doc skos:notation ?code }"
DESCRIPTIONS = (
    PREFIXES
    + """SELECT ?doc ?description ?lang WHERE {
  ?doc dcterms:description ?description FILTER (lang(?description) = ?lang) }"""
)
PLACES = PREFIXES + "SELECT ?doc ?place WHERE { ?doc kcs:place ?place }"
PARTS_OF_PLACES = PREFIXES + "SELECT ?place ?whole WHERE { ?place a kcs:Place ; dcterms:isPartOf+ ?whole }"

# The graph's edges that carry evidence, each as (subject, object) pairs of one predicate.
EDGE_PREDICATES = {
    "addressedBy": "kcs:addressedBy",
    "servesMeasure": "kcs:servesMeasure",
    "realises": "kcs:realises",
    "includesService": "kcs:includesService",
    "partOfFlagship": "kcs:partOfFlagship",
    "supportsMeasure": "kcs:supportsMeasure",
    "supportsComponent": "kcs:supportsComponent",
    "callOf": "kcs:callOf",
    "broader": "skos:broader",
    "synergyWith": "kcs:synergyWith",
    "relation": "dcterms:relation",
}
EDGES = (
    PREFIXES
    + f"""SELECT ?from ?predicate ?to WHERE {{
  VALUES ?predicate {{ {" ".join(EDGE_PREDICATES.values())} }} ?from ?predicate ?to }}"""
)

_NAMESPACES = {
    "kcs": "https://w3id.org/kcs/ontology#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
}

LINK_TARGET_KINDS = frozenset({"TypeMeasure", "SmartService", "SmartSolution", "Realisation"})


def _edges(store: CatalogueStore) -> dict[str, dict[str, list[str]]]:
    """relation name → subject → objects."""
    names = {
        f"{namespace}{local}": name
        for name, prefixed in EDGE_PREDICATES.items()
        for prefix, local in [prefixed.split(":")]
        for namespace in [_NAMESPACES[prefix]]
    }
    edges: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in store.values(EDGES):
        edges[names[row["predicate"]]][row["from"]].append(row["to"])
    return edges


def _links(kinds: dict[str, str], edges: dict[str, dict[str, list[str]]]) -> dict[str, set[Link]]:
    """Each resource's links to the measures, services, solutions and realisations it lends evidence
    to, named by the first step of the path (what an explanation tells the user)."""
    links: dict[str, set[Link]] = defaultdict(set)

    def link(source: str, target: str, relation: str) -> None:
        target_kind = kinds.get(target)
        if target_kind in LINK_TARGET_KINDS and source != target:
            links[source].add(Link(target, target_kind, relation))

    serves = edges["servesMeasure"]
    for relation in ("addressedBy", "servesMeasure", "realises", "includesService", "partOfFlagship"):
        for source, targets in edges[relation].items():
            for target in targets:
                link(source, target, relation)
    for source, targets in edges["realises"].items():  # a realisation serves its solution's measures
        for solution in targets:
            for measure in serves.get(solution, ()):
                link(source, measure, "realises")
    for solution, services in edges["includesService"].items():  # a service serves its solution's measures
        for service in services:
            for measure in serves.get(solution, ()):
                link(service, measure, "partOfSolution")
    supports = edges["supportsMeasure"]
    for source, measures in supports.items():
        for measure in measures:
            link(source, measure, "supportsMeasure")
    for call, programmes in edges["callOf"].items():
        for programme in programmes:
            for measure in supports.get(programme, ()):
                link(call, measure, "callOf")
    below: dict[str, list[str]] = defaultdict(list)
    for child, parents in edges["broader"].items():
        for parent in parents:
            below[parent].append(child)

    def descendants(concept: str) -> set[str]:
        found: set[str] = set()
        waiting = list(below.get(concept, ()))
        while waiting:
            child = waiting.pop()
            if child not in found:
                found.add(child)
                waiting.extend(below.get(child, ()))
        return found

    for concept in below:  # a goal, component or pillar lends weight to the measures under it
        for measure in descendants(concept):
            link(concept, measure, "narrower")
    for source, components in edges["supportsComponent"].items():
        for component in components:
            for measure in descendants(component):
                link(source, measure, "supportsComponent")
    for relation in ("synergyWith", "relation"):
        for source, targets in edges[relation].items():
            for target in targets:
                link(source, target, relation)
    return links


def search_documents(store: CatalogueStore, lang: str = "cs") -> Iterator[SearchDocument]:
    """Every searchable resource with a label in ``lang``, with its other labels, places and links."""
    kinds: dict[str, str] = {}  # the searchable kind of a resource wins over its other classes
    for row in store.values(TYPES):
        if row["doc"] not in kinds or row["class"] in _KIND_IRIS:
            kinds[row["doc"]] = row["class"].rsplit("#", 1)[-1]
    language = {"lang": Literal(lang)}
    documents: dict[str, SearchDocument] = {}
    for row in store.values(PREF_LABELS, language):
        kind = kinds.get(row["doc"])
        if kind in SEARCHABLE_KINDS and row["doc"] not in documents:
            documents[row["doc"]] = SearchDocument(iri=row["doc"], kind=kind, label=row["label"])
    for row in store.values(OTHER_LABELS):
        document = documents.get(row["doc"])
        if document is not None:
            labels = document.alt_labels if row["property"].endswith("altLabel") else document.hidden_labels
            labels.append(row["label"])
    for row in store.values(CODES):
        document = documents.get(row["doc"])
        if document is not None and document.code is None:
            document.code = row["code"]
    for row in store.values(DESCRIPTIONS, language):
        document = documents.get(row["doc"])
        if document is not None and document.description is None:
            document.description = row["description"]
    wholes: dict[str, list[str]] = defaultdict(list)
    for row in store.values(PARTS_OF_PLACES):
        wholes[row["place"]].append(row["whole"])
    places: dict[str, set[str]] = defaultdict(set)
    for row in store.values(PLACES):
        places[row["doc"]].update([row["place"], *wholes.get(row["place"], ())])
    links = _links(kinds, _edges(store))
    for iri, document in documents.items():
        document.places = sorted(places.get(iri, ()))
        document.links = sorted(links.get(iri, ()), key=lambda link: (link.target, link.relation))
        document.alt_labels.sort()
        document.hidden_labels.sort()
        yield document
