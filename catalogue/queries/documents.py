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
PLACES = PREFIXES + "SELECT ?doc ?place WHERE { ?doc kcs:locatedIn ?place }"
"""Where each resource is: its place and the regions that place lies in (kcs:locatedIn, derived)."""

# The graph's edges that carry evidence, each as (subject, object) pairs of one predicate, and the
# relation a link made of it is named by (the first step of the path, which an explanation tells the
# user). The derived ways (catalogue.rules) say how an indirect link holds.
EDGE_RELATIONS = {
    "kcs:addressedBy": "addressedBy",
    "kcs:servesMeasure": "servesMeasure",
    "kcs:fulfilsThroughRealised": "realises",
    "kcs:fulfilsAsPartOf": "partOfSolution",
    "kcs:realises": "realises",
    "kcs:includesService": "includesService",
    "kcs:partOfFlagship": "partOfFlagship",
    "kcs:supportsMeasure": "supportsMeasure",
    "kcs:fundsThroughProgramme": "callOf",
    "kcs:fundsThroughComponent": "supportsComponent",
    "kcs:synergyWith": "synergyWith",
    "dcterms:relation": "relation",
    "kcs:realisesService": "realisesService",
}
NARROWER = "skos:broaderTransitive"
"""Read backwards: a goal, component or pillar lends weight to every measure under it."""
EDGES = (
    PREFIXES
    + f"""SELECT ?from ?predicate ?to WHERE {{
  VALUES ?predicate {{ {" ".join([*EDGE_RELATIONS, NARROWER])} }} ?from ?predicate ?to }}"""
)

_NAMESPACES = {
    "kcs": "https://w3id.org/kcs/ontology#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
}

LINK_TARGET_KINDS = frozenset({"TypeMeasure", "SmartService", "SmartSolution", "Realisation"})


def _expanded(prefixed: str) -> str:
    prefix, local = prefixed.split(":")
    return _NAMESPACES[prefix] + local


def _links(store: CatalogueStore, kinds: dict[str, str]) -> dict[str, set[Link]]:
    """Each resource's links to the measures, services, solutions and realisations it lends evidence to."""
    relations = {_expanded(predicate): relation for predicate, relation in EDGE_RELATIONS.items()}
    narrower = _expanded(NARROWER)
    links: dict[str, set[Link]] = defaultdict(set)
    for row in store.values(EDGES):
        source, target, relation = row["from"], row["to"], relations.get(row["predicate"], "narrower")
        if row["predicate"] == narrower:
            source, target = target, source
        target_kind = kinds.get(target)
        if target_kind in LINK_TARGET_KINDS and source != target:
            links[source].add(Link(target, target_kind, relation))
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
    places: dict[str, set[str]] = defaultdict(set)
    for row in store.values(PLACES):
        places[row["doc"]].add(row["place"])
    links = _links(store, kinds)
    for iri, document in documents.items():
        document.places = sorted(places.get(iri, ()))
        document.links = sorted(links.get(iri, ()), key=lambda link: (link.target, link.relation))
        document.alt_labels.sort()
        document.hidden_labels.sort()
        yield document
