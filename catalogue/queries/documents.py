"""The search index's documents: every findable resource with its words and its links in the graph.

A document carries, besides its texts, the resources it lends evidence to (a problem to the measures
that address it, a realisation to the measure it serves and the solution it realises, a goal to the
measures under it …), so that ranking needs no store query per hit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import Literal

from catalogue.queries.common import PREFIXES, for_each
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
_KIND_RANK = {kind: rank for rank, kind in enumerate(SEARCHABLE_KINDS)}


@dataclass(frozen=True)
class _Scan:
    """One predicate's rows, for the whole catalogue or for some resources only (:meth:`among`)."""

    variables: str
    pattern: str

    def whole(self) -> str:
        return PREFIXES + f"SELECT {self.variables} WHERE {{ {self.pattern} }}"

    def among(self, variable: str, iris: Iterable[str]) -> str:
        # LATERAL, not a plain VALUES join: Oxigraph may start the join from the predicate's side and
        # scan it whole (see for_each).
        select = f"SELECT {self.variables} WHERE {{ {self.pattern} }}"
        return PREFIXES + f"SELECT {self.variables} WHERE {{ {for_each(variable, iris, select)} }}"


# Whole-catalogue scans, one predicate each, joined in Python. At 50,000 realisations one query joining
# types, labels, descriptions and places runs 8–15 s (Oxigraph's optimiser picks a nested loop over
# every label); the scans take 0.2–0.4 s each. For some resources, the same scans per resource.
TYPES = _Scan("?doc ?class", "?doc a ?class")
PREF_LABELS = _Scan("?doc ?label", "?doc skos:prefLabel ?label FILTER (lang(?label) = ?lang)")
OTHER_LABELS = _Scan(
    "?doc ?property ?label", "VALUES ?property { skos:altLabel skos:hiddenLabel } ?doc ?property ?label"
)
CODES = _Scan("?doc ?code", "?doc skos:notation ?code")
DESCRIPTIONS = _Scan("?doc ?description", "?doc dcterms:description ?description FILTER (lang(?description) = ?lang)")
PLACES = _Scan("?doc ?place", "?doc kcs:locatedIn ?place")
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
_EDGE = "?from ?predicate ?to"
EDGES = _Scan(_EDGE, f"VALUES ?predicate {{ {' '.join(EDGE_RELATIONS)} }} ?from ?predicate ?to")
"""The edges a document holds from its resource (restricted on ``?from``)."""
NARROWER_EDGES = _Scan(_EDGE, f"VALUES ?predicate {{ {NARROWER} }} ?from ?predicate ?to")
"""The edges a document holds to its resource (restricted on ``?to``)."""

_NAMESPACES = {
    "kcs": "https://w3id.org/kcs/ontology#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
}

LINK_TARGET_KINDS = frozenset({"TypeMeasure", "SmartService", "SmartSolution", "Realisation"})

CHUNK = 500
"""Most resources one query of :func:`search_documents_for` names."""


def _expanded(prefixed: str) -> str:
    prefix, local = prefixed.split(":")
    return _NAMESPACES[prefix] + local


def _kinds(rows: Iterable[dict[str, str]]) -> dict[str, str]:
    """The searchable kind of each resource that has one. Of several, the first in
    :data:`SEARCHABLE_KINDS`, so that the answer does not depend on the order the store gives rows in."""
    kinds: dict[str, str] = {}
    for row in rows:
        kind = _KIND_IRIS.get(row["class"])
        if kind is not None and (row["doc"] not in kinds or _KIND_RANK[kind] < _KIND_RANK[kinds[row["doc"]]]):
            kinds[row["doc"]] = kind
    return kinds


def _links(edges: Iterable[dict[str, str]], kinds: dict[str, str]) -> dict[str, set[Link]]:
    """Each resource's links to the measures, services, solutions and realisations it lends evidence to."""
    relations = {_expanded(predicate): relation for predicate, relation in EDGE_RELATIONS.items()}
    narrower = _expanded(NARROWER)
    links: dict[str, set[Link]] = defaultdict(set)
    for row in edges:
        source, target, relation = row["from"], row["to"], relations.get(row["predicate"], "narrower")
        if row["predicate"] == narrower:
            source, target = target, source
        target_kind = kinds.get(target)
        if target_kind in LINK_TARGET_KINDS and source != target:
            links[source].add(Link(target, target_kind, relation))
    return links


def _least(kept: str | None, value: str) -> str:
    return value if kept is None else min(kept, value)


def _documents(store: CatalogueStore, lang: str, among: set[str] | None) -> dict[str, SearchDocument]:
    """The documents of every searchable resource (``among`` None), or of those of ``among``. Where a
    resource has several values of a field that takes one (its label, code, description), the least
    wins, so that a document does not depend on the order the store gives rows in."""

    def rows(
        scan: _Scan, variable: str = "doc", iris: set[str] | None = among, bindings: dict[str, Literal] | None = None
    ) -> list[dict[str, str]]:
        if iris is None:
            return store.values(scan.whole(), bindings)
        ordered, found = sorted(iris), []
        for start in range(0, len(ordered), CHUNK):
            found += store.values(scan.among(variable, ordered[start : start + CHUNK]), bindings)
        return found

    edges = rows(EDGES, "from") + rows(NARROWER_EDGES, "to")
    # A link names its target's kind: for some resources, the kinds of the other ends of their edges too.
    ends = None if among is None else among | {row["from"] for row in edges} | {row["to"] for row in edges}
    kinds = _kinds(rows(TYPES, iris=ends))
    language = {"lang": Literal(lang)}
    documents: dict[str, SearchDocument] = {}
    for row in rows(PREF_LABELS, bindings=language):
        kind, document = kinds.get(row["doc"]), documents.get(row["doc"])
        if document is not None:
            document.label = min(document.label, row["label"])
        elif kind is not None and (among is None or row["doc"] in among):
            documents[row["doc"]] = SearchDocument(iri=row["doc"], kind=kind, label=row["label"])
    for row in rows(OTHER_LABELS):
        document = documents.get(row["doc"])
        if document is not None:
            labels = document.alt_labels if row["property"].endswith("altLabel") else document.hidden_labels
            labels.append(row["label"])
    for row in rows(CODES):
        document = documents.get(row["doc"])
        if document is not None:
            document.code = _least(document.code, row["code"])
    for row in rows(DESCRIPTIONS, bindings=language):
        document = documents.get(row["doc"])
        if document is not None:
            document.description = _least(document.description, row["description"])
    places: dict[str, set[str]] = defaultdict(set)
    for row in rows(PLACES):
        places[row["doc"]].add(row["place"])
    links = _links(edges, kinds)
    for iri, document in documents.items():
        document.places = sorted(places.get(iri, ()))
        document.links = sorted(links.get(iri, ()), key=lambda link: (link.target, link.relation))
        document.alt_labels.sort()
        document.hidden_labels.sort()
    return documents


def search_documents(store: CatalogueStore, lang: str = "cs") -> Iterator[SearchDocument]:
    """Every searchable resource with a label in ``lang``, with its other labels, places and links."""
    yield from _documents(store, lang, None).values()


def search_documents_for(store: CatalogueStore, iris: Iterable[str], lang: str = "cs") -> list[SearchDocument]:
    """The documents :func:`search_documents` gives of the resources ``iris``, the same to the digest,
    read by resource: what following a change of a few resources needs. A resource that is gone or no
    longer searchable (no searchable kind, no label in ``lang``) has none."""
    return list(_documents(store, lang, set(iris)).values())
