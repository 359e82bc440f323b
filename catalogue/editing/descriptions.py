"""A resource's description: what a draft replaces, a revision records and a version names.

A resource is described by the triples whose subject it is, and by those of its own nodes: the source
references it cites (``dcterms:source [ … ]``), which the seed files write as blank nodes. Such a node
belongs to one resource only, so it is part of that resource's description (a concise bounded
description). Curated descriptions hold no blank nodes: each node is named ``<resource>#n-<digest of
its content>`` (skolemised), so that a node with the same content keeps the same name in every revision
and a diff compares like with like, and so that every statement of a curated description can be named
in the history (blank nodes cannot).

A description's version is a digest of its canonical form (nodes written out in place of their names),
so an unchanged resource keeps its version whatever its nodes are called, and the version of a seed
resource needs no bookkeeping: it changes exactly when its description does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import URIRef

from catalogue import graphs
from catalogue.errors import InvalidInput
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

KCS = "https://w3id.org/kcs/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
NODE_MARK = "#n-"

KINDS_BY_CLASS = {
    KCS + "Realisation": "realisation",
    KCS + "SmartService": "service",
    KCS + "SmartSolution": "solution",
    KCS + "Problem": "problem",
    KCS + "Organisation": "organisation",
    KCS + "Place": "place",
    KCS + "Indicator": "indicator",
    KCS + "Pillar": "concept",
    KCS + "CrossCuttingArea": "concept",
    KCS + "Component": "concept",
    KCS + "Goal": "concept",
    KCS + "TypeMeasure": "concept",
    KCS + "FundingProgramme": "programme",
    KCS + "FundingCall": "call",
    KCS + "MeasurePriority": "priority",
}
"""The kind of resource (:mod:`catalogue.editing.authorisation`) each class of the ontology makes."""

CLASSES_BY_KIND = {
    "realisation": KCS + "Realisation",
    "service": KCS + "SmartService",
    "solution": KCS + "SmartSolution",
    "problem": KCS + "Problem",
    "organisation": KCS + "Organisation",
    "place": KCS + "Place",
    "indicator": KCS + "Indicator",
    "programme": KCS + "FundingProgramme",
    "call": KCS + "FundingCall",
    "priority": KCS + "MeasurePriority",
}
"""The class a new resource of a kind is made of, where a kind is one class."""

PATHS_BY_KIND = {
    "realisation": "realisation/",
    "service": "service/",
    "solution": "solution/",
    "problem": "problem/",
    "organisation": "organisation/",
    "place": "place/",
    "indicator": "indicator/",
    "programme": "programme/",
    "call": "call/",
    "priority": "priority/",
}
"""Where the IRIs of a kind live under the instance base (as the seed files name them)."""

TURTLE_PREFIXES = {
    "kcs": KCS,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
}
"""Prefixes a draft's Turtle may use without declaring them (those of the seed files, and one per kind
of resource, e.g. ``realisation:``, ``measure:``)."""

_INSTANCE_PREFIXES = (
    "realisation",
    "service",
    "solution",
    "problem",
    "organisation",
    "place",
    "indicator",
    "measure",
    "goal",
    "component",
    "pillar",
    "strategy",
    "programme",
    "call",
    "priority",
    "descriptor",
    "event",
    "post",
    "document",
)


class InvalidDescription(InvalidInput):
    """A description that cannot be a draft at all; ``problems`` lists (field, Czech message)."""

    code = "INVALID"

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        super().__init__(" ".join(message for _, message in problems), field=problems[0][0] if problems else None)
        self.problems = list(problems)


@dataclass(frozen=True)
class Description:
    """The triples describing ``resource`` (its own and its nodes'), skolemised."""

    resource: str
    triples: tuple[ox.Triple, ...]

    @property
    def exists(self) -> bool:
        return bool(self.triples)

    @property
    def version(self) -> str:
        return version_of(self.resource, self.triples)

    @property
    def kind(self) -> str:
        return kind_of(self.resource, self.triples)

    def ntriples(self) -> str:
        return "".join(f"{triple} .\n" for triple in sorted(self.triples, key=str))

    def own(self) -> list[ox.Triple]:
        """The triples whose subject is the resource itself."""
        root = ox.NamedNode(self.resource)
        return [triple for triple in self.triples if triple.subject == root]


def term_value(term: object) -> str:
    """An IRI's or literal's value, a blank node's name (an RDF-star triple, which drafts never hold, as text)."""
    return term.value if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal) else str(term)


def is_own_node(resource: str, term: object) -> bool:
    return isinstance(term, ox.NamedNode) and term.value.startswith(resource + NODE_MARK)


def kind_of(resource: str, triples: Iterable[ox.Triple]) -> str:
    """The kind of the resource by its classes: the first the table knows, else "other"."""
    for triple in triples:
        if triple.subject == ox.NamedNode(resource) and triple.predicate.value == RDF_TYPE:
            kind = KINDS_BY_CLASS.get(term_value(triple.object))
            if kind is not None:
                return kind
    return "other"


def _node_content(subject: object, by_subject: dict[object, list[ox.Triple]], seen: frozenset[object]) -> str:
    lines = []
    for triple in by_subject.get(subject, ()):
        obj = triple.object
        if obj in by_subject and obj not in seen and obj != subject:
            value = "[" + _node_content(obj, by_subject, seen | {obj}) + "]"
        else:
            value = str(obj)
        lines.append(f"{triple.predicate} {value}")
    return " ; ".join(sorted(lines))


def canonical_lines(resource: str, triples: Iterable[ox.Triple]) -> list[str]:
    """The resource's own statements with each node written out in place: equal for equal content,
    whatever the nodes are called."""
    by_subject: dict[object, list[ox.Triple]] = {}
    for triple in triples:
        by_subject.setdefault(triple.subject, []).append(triple)
    root = ox.NamedNode(resource)
    lines = []
    for triple in by_subject.get(root, ()):
        obj = triple.object
        value = "[" + _node_content(obj, by_subject, frozenset({root, obj})) + "]" if obj in by_subject else str(obj)
        lines.append(f"{triple.predicate} {value}")
    return sorted(lines)


def version_of(resource: str, triples: Iterable[ox.Triple]) -> str:
    """The version of a description: ``""`` for none (the resource does not exist)."""
    lines = canonical_lines(resource, triples)
    if not lines:
        return ""
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def skolemised(resource: str, triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """``triples`` with every blank node (and every node already named) renamed by its content."""
    triples = list(triples)
    by_subject: dict[object, list[ox.Triple]] = {}
    for triple in triples:
        by_subject.setdefault(triple.subject, []).append(triple)
    root = ox.NamedNode(resource)
    names: dict[object, ox.NamedNode] = {}
    for subject in by_subject:
        if subject != root:
            content = _node_content(subject, by_subject, frozenset({root, subject}))
            names[subject] = ox.NamedNode(f"{resource}{NODE_MARK}{hashlib.sha256(content.encode()).hexdigest()[:12]}")

    def renamed(term):  # type: ignore[no-untyped-def]
        return names.get(term, term)

    return sorted({ox.Triple(renamed(t.subject), t.predicate, renamed(t.object)) for t in triples}, key=str)


def prefix_block(settings: Settings) -> str:
    prefixes = dict(TURTLE_PREFIXES)
    prefixes.update({name: f"{settings.instance_base}{name}/" for name in _INSTANCE_PREFIXES})
    return "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in prefixes.items())


def parse_description(settings: Settings, resource: str, turtle: str) -> Description:
    """The Turtle of a draft as a description of ``resource``, or :class:`InvalidDescription`: it must
    parse, and state nothing but the resource and its own nodes (blank nodes it points to)."""
    try:
        quads = list(ox.parse(prefix_block(settings) + turtle, format=ox.RdfFormat.TURTLE, base_iri=resource))
    except SyntaxError as error:
        raise InvalidDescription([("turtle", f"Popis není platný Turtle: {' '.join(str(error).split())}")]) from error
    triples = [quad.triple for quad in quads]
    root = ox.NamedNode(resource)
    reachable: set[object] = {root}
    changed = True
    while changed:  # the nodes the resource points to, at any depth
        changed = False
        for triple in triples:
            if triple.subject in reachable and isinstance(triple.object, ox.BlankNode | ox.NamedNode):
                obj = triple.object
                if obj not in reachable and (isinstance(obj, ox.BlankNode) or is_own_node(resource, obj)):
                    reachable.add(obj)
                    changed = True
    strangers = sorted({str(t.subject) for t in triples if t.subject not in reachable})
    if strangers:
        raise InvalidDescription(
            [
                (
                    "turtle",
                    f"Popis smí uvádět jen záznam <{resource}> a jeho vlastní uzly, ne {', '.join(strangers[:3])}.",
                )
            ]
        )
    if not any(triple.subject == root for triple in triples):
        raise InvalidDescription([("turtle", f"Popis neuvádí o záznamu <{resource}> nic.")])
    return Description(resource, tuple(skolemised(resource, triples)))


# -- reading the store --------------------------------------------------------------------------


def data_graph_filter(settings: Settings, variable: str = "g") -> str:
    """Only the graphs that state the catalogue's data: the files' and the curated graph, not the
    derived, history, system, private or staging graphs."""
    excluded = [
        graphs.derived_graph(settings),
        graphs.history_graph(settings),
        graphs.version_graph(settings),
        graphs.load_log_graph(settings),
        *graphs.private_graphs(settings),
    ]
    listed = ", ".join(f"<{graph}>" for graph in excluded)
    return (
        f'FILTER (?{variable} NOT IN ({listed}) && !STRSTARTS(STR(?{variable}), "{graphs.staging_prefix(settings)}"))'
    )


def _description_query(settings: Settings) -> str:
    return f"""SELECT ?s ?p ?o WHERE {{
  {{ GRAPH ?g {{ ?resource ?p ?o }} BIND (?resource AS ?s) }}
  UNION {{ GRAPH ?g {{ ?resource ?link ?s . ?s ?p ?o }}
          FILTER (isBlank(?s) || STRSTARTS(STR(?s), CONCAT(STR(?resource), "{NODE_MARK}"))) }}
  UNION {{ GRAPH ?g {{ ?resource ?link ?n . ?n ?step ?s . ?s ?p ?o }} FILTER (isBlank(?n) && isBlank(?s)) }}
  {data_graph_filter(settings)}
}}"""


def read_description(store: CatalogueStore, settings: Settings, resource: str) -> Description:
    """The resource's published description as the store holds it now (skolemised)."""
    solutions = store.query(_description_query(settings), {"resource": URIRef(resource)})
    triples = {ox.Triple(row["s"], row["p"], row["o"]) for row in solutions}
    return Description(resource, tuple(skolemised(resource, triples)))


def parse_ntriples(resource: str, text: str) -> Description:
    """A description kept as N-Triples (in a draft or a revision)."""
    triples = [quad.triple for quad in ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES)] if text.strip() else []
    return Description(resource, tuple(triples))


def neighbourhood(store: CatalogueStore, iris: Iterable[str]) -> list[ox.Triple]:
    """What the shapes read of the resources a description links to: their classes (``sh:class``) and
    the concept hierarchy above them with its classes (a measure must reach a pillar through
    ``skos:broader``)."""
    listed = sorted(set(iris))
    if not listed:
        return []
    values = "VALUES ?linked { " + " ".join(f"<{iri}>" for iri in listed) + " }"
    broader = "http://www.w3.org/2004/02/skos/core#broader"
    # VALUES inside each branch: a branch is evaluated on its own before the join, so a VALUES outside
    # the union would not bind ?linked in it, and a branch would read every class of the store (5 s at
    # 50,000 realisations, where this takes milliseconds).
    solutions = store.query(
        f"""SELECT ?s ?p ?o WHERE {{
  {{ {values} BIND (?linked AS ?s) BIND (<{RDF_TYPE}> AS ?p) ?s a ?o }}
  UNION {{ {values} ?linked <{broader}>+ ?s BIND (<{RDF_TYPE}> AS ?p) ?s a ?o }}
  UNION {{ {values} ?linked <{broader}>* ?s BIND (<{broader}> AS ?p) ?s <{broader}> ?o }} }}"""
    )
    return [ox.Triple(row["s"], row["p"], row["o"]) for row in solutions]
