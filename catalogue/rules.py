"""The rules: every relation the catalogue derives from what its sources state, in one place.

A source says that a realisation realises a solution and that the solution serves a measure; that
the realisation serves the measure too is derived. Such relations are written once, here, as named
rules, and stored in the derived graph (``graph/derived``, :mod:`catalogue.graphs`) with properties of
their own (declared in ``ontology/kcs.ttl``), so that every query, page, answer and resolver reads the
derived relation instead of deriving it again, and all of them say the same.

How the rules run (:func:`derive`). The links they read (:data:`READS`) are copied from every public
graph but the derived one into a store in memory; the rules run there in order, each seeing what the
ones before it derived; what none of the sources states already is the derived graph. So the rules
never read their own earlier output (a relation whose source was removed disappears at once), and no
triple is both stated and derived (the store's union would answer it twice).

When they run (:func:`rederive`): after every ``katalog load`` that changed something, and after every
published edit. Only the difference to the stored derived graph is written, in one transaction that
also gives the catalogue a new version (:mod:`catalogue.queries.version`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import pyoxigraph as ox

from catalogue import graphs
from catalogue.queries import version
from catalogue.settings import Settings
from catalogue.store import NTRIPLES, CatalogueStore, ntriples

PREFIXES = """PREFIX kcs: <https://w3id.org/kcs/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""


@dataclass(frozen=True)
class Rule:
    """One derivation: ``name`` for people and tests, the properties it ``derives``, its ``footing``
    (where the sources or the vocabularies say the relation holds) and the CONSTRUCT that applies it."""

    name: str
    derives: tuple[str, ...]
    footing: str
    construct: str


def _call_takes_its_programmes(name: str, derived: str, stated: str, footing: str) -> Rule:
    """The rule ``derived``: a programme's or call's own values of ``stated``, and for a call that states
    none, its programme's."""
    return Rule(
        name,
        (derived,),
        footing,
        f"""CONSTRUCT {{ ?funding {derived} ?value }} WHERE {{
          {{ ?funding {stated} ?value }}
          UNION {{ ?funding kcs:callOf ?programme . ?programme {stated} ?value
                  FILTER NOT EXISTS {{ ?funding {stated} ?own }} }} }}""",
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "broader-from-narrower",
        ("skos:broader",),
        "SKOS Reference §8.6.1: skos:narrower is the inverse of skos:broader. The sources state a "
        "concept's parent by either (national-concept.ttl and liberec-region-concept.ttl use both).",
        "CONSTRUCT { ?child skos:broader ?parent } WHERE { ?parent skos:narrower ?child }",
    ),
    Rule(
        "top-concept-of-scheme",
        ("skos:topConceptOf",),
        "SKOS Reference §4.6.3: skos:hasTopConcept is the inverse of skos:topConceptOf.",
        "CONSTRUCT { ?concept skos:topConceptOf ?scheme } WHERE { ?scheme skos:hasTopConcept ?concept }",
    ),
    Rule(
        "in-scheme-of-top-concept",
        ("skos:inScheme",),
        "SKOS Reference §4.6.4: skos:topConceptOf is a sub-property of skos:inScheme.",
        "CONSTRUCT { ?concept skos:inScheme ?scheme } WHERE { ?concept skos:topConceptOf ?scheme }",
    ),
    Rule(
        "broader-transitive",
        ("skos:broaderTransitive",),
        "SKOS Reference §8.6.4–5: skos:broader is a sub-property of the transitive skos:broaderTransitive. "
        "The concept's hierarchy (seed 004: pilíř → komponenta → cíl → typové opatření) read at any depth.",
        "CONSTRUCT { ?concept skos:broaderTransitive ?above } WHERE { ?concept skos:broader+ ?above }",
    ),
    Rule(
        "fulfils-as-stated",
        ("kcs:fulfils",),
        "The ontology: kcs:servesMeasure and kcs:servesGoal are ways of kcs:fulfils (seed 004: „Chytrá "
        "služba naplňuje konkrétní typové opatření“).",
        """CONSTRUCT { ?project kcs:fulfils ?concept } WHERE { ?project kcs:servesMeasure|kcs:servesGoal ?concept
        # A goal serving a goal of another strategy is a link between strategies, not a project.
        FILTER NOT EXISTS { ?project a ?level VALUES ?level { kcs:Strategy kcs:Pillar kcs:CrossCuttingArea
                                                              kcs:Component kcs:Goal kcs:TypeMeasure } } }""",
    ),
    Rule(
        "fulfils-as-part-of-solution",
        ("kcs:fulfils", "kcs:fulfilsAsPartOf"),
        "Seed 004: a smart solution combines several services so that it serves several measures; a "
        "service included in a solution (kcs:includesService) fulfils what the solution serves.",
        """CONSTRUCT { ?service kcs:fulfils ?concept ; kcs:fulfilsAsPartOf ?concept }
        WHERE { ?solution kcs:includesService ?service ; kcs:servesMeasure|kcs:servesGoal ?concept }""",
    ),
    Rule(
        "fulfils-through-realised",
        ("kcs:fulfils", "kcs:fulfilsThroughRealised"),
        "Seed 004: a realisation carries out a solution or service in one place („konkrétní realizace“); "
        "it fulfils what the solution or service it realises (kcs:realises) fulfils.",
        """CONSTRUCT { ?realisation kcs:fulfils ?concept ; kcs:fulfilsThroughRealised ?concept }
        WHERE { ?realisation kcs:realises ?realised . ?realised kcs:fulfils ?concept }""",
    ),
    Rule(
        "realises-service",
        ("kcs:realisesService",),
        "The ontology: a realisation realises a service (kcs:realises) directly, or by realising a solution "
        "that includes it (kcs:includesService).",
        """CONSTRUCT { ?realisation kcs:realisesService ?service } WHERE {
          { ?realisation kcs:realises ?service . ?service a kcs:SmartService }
          UNION { ?realisation kcs:realises ?solution . ?solution kcs:includesService ?service } }""",
    ),
    Rule(
        "funds-as-stated",
        ("kcs:fundsMeasure",),
        "The ontology: kcs:supportsMeasure is a way of kcs:fundsMeasure (seed 004: each ministry states its "
        "priority measures „a způsob jejich podpory“).",
        "CONSTRUCT { ?funding kcs:fundsMeasure ?measure } WHERE { ?funding kcs:supportsMeasure ?measure }",
    ),
    Rule(
        "funds-through-component",
        ("kcs:fundsMeasure", "kcs:fundsThroughComponent"),
        "The ontology (kcs:supportsComponent): a programme tied to a concept component without naming a "
        "measure (Akční plán SRR 3.5.2 and component B2, a curator's inference from seed 004) supports the "
        "measures under it.",
        """CONSTRUCT { ?funding kcs:fundsMeasure ?measure ; kcs:fundsThroughComponent ?measure }
        WHERE { ?funding kcs:supportsComponent ?component . ?measure skos:broaderTransitive ?component ;
                a kcs:TypeMeasure }""",
    ),
    Rule(
        "funds-through-programme",
        ("kcs:fundsMeasure", "kcs:fundsThroughProgramme"),
        "The ontology (kcs:callOf): a call is announced within its programme and funds what the programme funds.",
        """CONSTRUCT { ?call kcs:fundsMeasure ?measure ; kcs:fundsThroughProgramme ?measure }
        WHERE { ?call kcs:callOf ?programme . ?programme kcs:fundsMeasure ?measure }""",
    ),
    _call_takes_its_programmes(
        "open-to",
        "kcs:openTo",
        "kcs:eligibleApplicant",
        "The ontology (kcs:callOf, kcs:eligibleApplicant): a call that names no applicant types is open to "
        "those of its programme.",
    ),
    _call_takes_its_programmes(
        "provided-by",
        "kcs:providedBy",
        "kcs:provider",
        "The ontology (kcs:callOf, kcs:provider): a call that names no provider is run by its programme's.",
    ),
    Rule(
        "within-programme",
        ("kcs:withinProgramme",),
        "The ontology (kcs:callOf, dcterms:isPartOf): a part of a programme (NPO 2.8 of the NPO, seed 004) or "
        "a call belongs to every programme above it; its allocation is part of theirs.",
        """CONSTRUCT { ?funding kcs:withinProgramme ?whole } WHERE {
          ?funding (dcterms:isPartOf|^dcterms:hasPart|kcs:callOf)+ ?whole . ?whole a kcs:FundingProgramme }""",
    ),
    Rule(
        "within",
        ("kcs:within",),
        "regions.ttl (ČSÚ, ISO 3166-2:CZ): a town is part of its region (dcterms:isPartOf), read at any depth.",
        "CONSTRUCT { ?place kcs:within ?whole } WHERE { ?place a kcs:Place ; dcterms:isPartOf+ ?whole }",
    ),
    Rule(
        "located-in",
        ("kcs:locatedIn",),
        "The ontology (kcs:place): what happens in a town happens in its region too.",
        """CONSTRUCT { ?thing kcs:locatedIn ?where } WHERE {
          { ?thing kcs:place ?where } UNION { ?thing kcs:place ?place . ?place kcs:within ?where } }""",
    ),
    Rule(
        "proposed-indicator",
        ("kcs:proposedIndicator",),
        "Seed 004: the catalogue offers „indikátory navržené pro jednotlivá typová opatření“: those of the "
        "solutions and services stated to serve the measure.",
        """CONSTRUCT { ?measure kcs:proposedIndicator ?indicator }
        WHERE { ?project kcs:servesMeasure ?measure ; kcs:hasIndicator ?indicator }""",
    ),
)

READS = (
    "skos:broader",
    "skos:narrower",
    "skos:hasTopConcept",
    "skos:topConceptOf",
    "skos:inScheme",
    "kcs:servesMeasure",
    "kcs:servesGoal",
    "kcs:includesService",
    "kcs:realises",
    "kcs:supportsMeasure",
    "kcs:supportsComponent",
    "kcs:callOf",
    "kcs:eligibleApplicant",
    "kcs:provider",
    "kcs:hasIndicator",
    "kcs:place",
    "dcterms:isPartOf",
    "dcterms:hasPart",
)
"""The stated links the rules read: nothing else is copied into the store the rules run in."""

CLASSES = (
    "kcs:Strategy",
    "kcs:Pillar",
    "kcs:CrossCuttingArea",
    "kcs:Component",
    "kcs:Goal",
    "kcs:TypeMeasure",
    "kcs:SmartService",
    "kcs:Place",
    "kcs:FundingProgramme",
)
"""The classes the rules test for, whose members are copied with their type."""

_NAMESPACES = {"kcs:": "https://w3id.org/kcs/ontology#", "skos:": "http://www.w3.org/2004/02/skos/core#",
               "dcterms:": "http://purl.org/dc/terms/"}


def _expanded(name: str) -> str:
    prefix, local = name.split(":")
    return _NAMESPACES[prefix + ":"] + local


_READ_IRIS = frozenset(map(_expanded, READS))
_CLASS_IRIS = frozenset(map(_expanded, CLASSES))
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

FINGERPRINT = "sha256:" + hashlib.sha256(
    repr([(rule.name, rule.construct) for rule in RULES] + [READS, CLASSES]).encode()
).hexdigest()
"""Changes with the rules: ``katalog load`` derives again when the code's rules differ from those that
derived the stored graph, even though no file changed."""

def _asserted_query(settings: Settings, *, skipped: Iterable[str] = ()) -> str:
    """The stated links and types the rules read, from every public graph but the derived one (and but
    those ``skipped``)."""
    excluded = [graphs.derived_graph(settings), *graphs.private_graphs(settings), *skipped]
    unwanted = ", ".join(f"<{graph}>" for graph in excluded)
    return PREFIXES + f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ VALUES ?p {{ {" ".join(READS)} }} GRAPH ?g {{ ?s ?p ?o }} }}
  UNION {{ VALUES ?o {{ {" ".join(CLASSES)} }} GRAPH ?g {{ ?s a ?o }} BIND (rdf:type AS ?p) }}
  FILTER (isIRI(?s) && isIRI(?o) && ?g NOT IN ({unwanted}) && !STRSTARTS(STR(?g), "{graphs.staging_prefix(settings)}"))
}}"""


def _lines(ntriples: bytes) -> set[bytes]:
    """N-Triples as a set of lines: pyoxigraph writes every term one way, so equal triples are equal lines."""
    return {line for line in ntriples.splitlines() if line.strip()}


def derive_ntriples(asserted: bytes) -> set[bytes]:
    """What the rules derive from the stated triples ``asserted`` (N-Triples), as N-Triples lines, less
    what ``asserted`` states already: the rules run in the order of :data:`RULES` in a store in
    memory, each seeing the conclusions of those before it."""
    working = ox.Store()
    working.bulk_load(asserted, format=NTRIPLES)
    concluded: set[bytes] = set()
    for rule in RULES:
        found = ntriples(working.query(PREFIXES + rule.construct))
        working.bulk_load(found, format=NTRIPLES)
        concluded |= _lines(found)
    return concluded - _lines(asserted)


def derive(asserted: ox.Store) -> set[ox.Triple]:
    """What the rules derive from the triples of ``asserted``'s default graph, less what it states."""
    derived = derive_ntriples(cast(bytes, asserted.dump(format=NTRIPLES, from_graph=ox.DefaultGraph())))
    return {quad.triple for quad in ox.parse(b"\n".join(derived), format=NTRIPLES)}


@dataclass(frozen=True)
class Rederivation:
    added: int
    removed: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def _in_hand_ntriples(triples: Iterable[ox.Triple]) -> bytes:
    """Those of ``triples`` the rules read, as N-Triples, as :func:`_asserted_query` would find them."""
    wanted = [
        triple
        for triple in triples
        if isinstance(triple.subject, ox.NamedNode)
        and isinstance(triple.object, ox.NamedNode)
        and (
            triple.predicate.value in _READ_IRIS
            or (triple.predicate.value == _TYPE and triple.object.value in _CLASS_IRIS)
        )
    ]
    return ntriples(wanted)


def _joined(lines: set[bytes]) -> str:
    return "\n".join(sorted(line.decode() for line in lines)) + "\n"


def rederive(
    store: CatalogueStore, settings: Settings, *, in_hand: Mapping[str, Sequence[ox.Triple]] | None = None
) -> Rederivation:
    """Bring the store's derived graph up to date with its stated data, writing only the difference,
    in one transaction that gives the catalogue a new version when it changed.

    ``in_hand`` holds graphs (by IRI) whose content the caller has just written and still holds: they
    are read from there, not from the store (at 50,000 realisations, 2 s less for a first load)."""
    in_hand = in_hand or {}
    asserted = store.construct_ntriples(_asserted_query(settings, skipped=in_hand))
    asserted += b"".join(_in_hand_ntriples(triples) for triples in in_hand.values())
    derived = derive_ntriples(asserted)
    target = str(graphs.derived_graph(settings))
    stored = _lines(store.construct_ntriples(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }}"))
    added, removed = derived - stored, stored - derived
    report = Rederivation(len(added), len(removed))
    if not stored and added:
        store.dialect.write_new_graph(target, _joined(added).encode())
        store.update(version.bump(settings))
    elif report.changed:
        store.update(
            f"DELETE DATA {{ GRAPH <{target}> {{\n{_joined(removed)}\n}} }} ;\n"
            f"INSERT DATA {{ GRAPH <{target}> {{\n{_joined(added)}\n}} }} ;\n{version.bump(settings)}"
        )
    return report


# -- one resource at a time -----------------------------------------------------------------------
#
# A curator publishes one resource's description at a time, and the change must show within 2 s at
# 50,000 realisations, where deriving everything again takes 6 s. :func:`rederive_resource` derives
# again only the facts about the subjects the change can reach (the affected set A) from a sub-graph
# G' of the stated links after the change that holds every link a derivation of a fact about A reads.
#
# Why each piece is there, rule by rule. R is the set of subjects described (the resource and the
# IRIs among its own nodes): only triples with a subject in R change. A derived fact about X reads:
#   broader-from-narrower, top-concept-of-scheme, in-scheme: X's own links and the skos:narrower and
#     skos:hasTopConcept links to X (their subject in R puts X among the objects of R's links);
#   broader-transitive: the links on X's walk up (skos:broader|^skos:narrower)+. The first link on it
#     with a subject in R touches, at its near end, a node in R or an object of R's skos:narrower, and
#     the walk before it is unchanged: X walks up to such a node in the store as it is;
#   fulfils-as-stated, funds-as-stated, open-to, provided-by: X's own links (the negations read only
#     X's own types and values, always in G') and, through kcs:callOf, its programme's;
#   fulfils-as-part-of-solution: the solutions including X, with what they serve (subject in R: X is an
#     object of kcs:includesService);
#   fulfils-through-realised, realises-service: what X realises, with its types, what it serves and
#     includes, and the solutions including it: X realises a node of R or an included service of R;
#   funds-through-component: the measures under X's component, their types and links up to it. Take
#     the last link on a measure's walk up with a subject in R: its far end is in R or an object of R's
#     skos:broader, and the walk after it is unchanged, so the component is an ancestor-or-self of
#     such a node in the store as it is; calls of such a programme (funds-through-programme) too;
#   within-programme, within: X's walk (dcterms:isPartOf|^dcterms:hasPart|kcs:callOf)+ and the types on
#     it: X walks to a node of R or an object of R's dcterms:hasPart;
#   located-in: X's kcs:place and that place's walk up dcterms:isPartOf;
#   proposed-indicator (about the measure): the projects serving X with their indicators; with a
#     subject in R, X is an object of R's kcs:servesMeasure, and it matters only when R states an
#     indicator before or after.
# Every fact about a subject outside A therefore stays as it is. G' is gathered from the store as it
# is, less R's old triples, plus R's new ones; a walk after the change leaves the store's links only
# through a new link of R, which ends at an object of R's links, and every walk also starts from those.

_K = "https://w3id.org/kcs/ontology#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_DCT = "http://purl.org/dc/terms/"
_UP = "(skos:broader|^skos:narrower)"
_PROGRAMME_WALK = "(dcterms:isPartOf|^dcterms:hasPart|kcs:callOf)"


@dataclass(frozen=True)
class DerivedChange:
    """What a change of one resource changes in the derived graph: a plan for the caller's own request.

    ``removed`` and ``added`` are N-Triples lines for ``graph/derived``; ``subjects`` the IRIs whose
    derived facts changed (their search documents may read them)."""

    removed: frozenset[bytes]
    added: frozenset[bytes]
    subjects: frozenset[str]

    @property
    def changed(self) -> bool:
        return bool(self.removed or self.added)

    def update(self, settings: Settings, guard: str = "") -> str:
        """The SPARQL operations that apply the plan to ``graph/derived``, "" when it changes nothing.

        With ``guard`` (a group graph pattern's text), one ``DELETE … INSERT … WHERE { guard }``, which
        changes nothing unless the guard matches: each operation of a guarded request must carry it."""
        if not self.changed:
            return ""
        target = f"<{graphs.derived_graph(settings)}>"
        removed = f"GRAPH {target} {{\n{_joined(set(self.removed))}}}" if self.removed else ""
        added = f"GRAPH {target} {{\n{_joined(set(self.added))}}}" if self.added else ""
        if guard:
            parts = [f"DELETE {{ {removed} }}" if removed else "", f"INSERT {{ {added} }}" if added else ""]
            return "\n".join(part for part in parts if part) + f"\nWHERE {{ {guard} }}"
        operations = [f"DELETE DATA {{ {removed} }}" if removed else "", f"INSERT DATA {{ {added} }}" if added else ""]
        return " ;\n".join(operation for operation in operations if operation)


def _iris(nodes: Iterable[str]) -> str:
    return " ".join(f"<{node}>" for node in sorted(nodes))


def _stated_filter(settings: Settings, graph: str = "?g") -> str:
    """The filter that keeps, of the triples in ``graph``, the stated public links the rules read (as
    :func:`_asserted_query` does)."""
    excluded = [graphs.derived_graph(settings), *graphs.private_graphs(settings)]
    unwanted = ", ".join(f"<{name}>" for name in excluded)
    return (
        f"FILTER (isIRI(?s) && isIRI(?o) && {graph} NOT IN ({unwanted}) "
        f'&& !STRSTARTS(STR({graph}), "{graphs.staging_prefix(settings)}"))'
    )


def _stated_of(store: CatalogueStore, settings: Settings, subjects: Iterable[str]) -> set[bytes]:
    """The stated links and types the rules read whose subject is one of ``subjects``."""
    return _lines(
        store.construct_ntriples(
            PREFIXES
            + f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {_iris(subjects)} }}
  {{ VALUES ?p {{ {" ".join(READS)} }} GRAPH ?g {{ ?s ?p ?o }} }}
  UNION {{ VALUES ?o {{ {" ".join(CLASSES)} }} GRAPH ?g {{ ?s a ?o }} BIND (rdf:type AS ?p) }}
  {_stated_filter(settings)} }}"""
        )
    )


def _subject(line: bytes) -> bytes:
    return line.split(b" ", 1)[0]


def _nodes(store: CatalogueStore, sparql: str) -> set[str]:
    return {row["x"] for row in store.values(PREFIXES + sparql)}


def _affected(store: CatalogueStore, described: set[str], links: Iterable[ox.Triple]) -> set[str]:
    """The subjects whose derived facts a change of the links of ``described`` (``links``: their old
    and new ones) can change; see the comment above :class:`DerivedChange` for why."""
    objects: dict[str, set[str]] = {}
    indicators = False
    for triple in links:
        objects.setdefault(triple.predicate.value, set()).add(cast(ox.NamedNode, triple.object).value)
        indicators |= triple.predicate.value == _K + "hasIndicator"

    def of(*predicates: str) -> set[str]:
        return set().union(*(objects.get(predicate, set()) for predicate in predicates))

    # The rules that derive facts about the object of a link: broader-from-narrower,
    # top-concept-of-scheme, fulfils-as-part-of-solution, within-programme (^dcterms:hasPart).
    affected = set(described) | of(
        _SKOS + "narrower", _SKOS + "hasTopConcept", _K + "includesService", _DCT + "hasPart"
    )
    if indicators:
        affected |= of(_K + "servesMeasure")
    affected |= _nodes(
        store,
        f"""SELECT DISTINCT ?x WHERE {{
  {{ VALUES ?z {{ {_iris(described | of(_SKOS + "narrower"))} }} ?x {_UP}+ ?z }}
  UNION {{ VALUES ?z {{ {_iris(described | of(_DCT + "hasPart"))} }} ?x {_PROGRAMME_WALK}+ ?z }}
  UNION {{ VALUES ?z {{ {_iris(described)} }} ?x kcs:place/dcterms:isPartOf* ?z }}
  UNION {{ VALUES ?z {{ {_iris(described | of(_K + "includesService"))} }} ?x kcs:realises ?z }} }}""",
    )
    # funds-through-component: the programmes over a changed part of the concept, and their calls.
    affected |= _nodes(
        store,
        f"""SELECT DISTINCT ?x WHERE {{
  VALUES ?z {{ {_iris(described | of(_SKOS + "broader"))} }} ?z {_UP}* ?component .
  ?programme kcs:supportsComponent ?component . ?x kcs:callOf? ?programme }}""",
    )
    return affected


def _footing(
    store: CatalogueStore, settings: Settings, affected: set[str], starts: set[str], components: set[str]
) -> set[bytes]:
    """The stated links (in the store as it is) that deriving the facts about ``affected`` reads, for
    every walk started from ``affected`` and from ``starts`` (the nodes described and the objects of
    their old and new links);
    ``components`` are those the new description supports, which the store does not know yet."""
    begin = affected | starts
    reached = _nodes(
        store,
        f"""SELECT DISTINCT ?x WHERE {{ VALUES ?h {{ {_iris(begin)} }}
  ?h (kcs:realises|kcs:callOf|kcs:place)? ?x FILTER isIRI(?x) }}""",
    )
    components = components | _nodes(
        store, f"SELECT DISTINCT ?x WHERE {{ VALUES ?h {{ {_iris(reached)} }} ?h kcs:supportsComponent ?x }}"
    )
    hops = _iris(reached)
    # The measures under a component, for funds-through-component. Those a change moves there are in
    # ``affected`` already (they walk up to a node of R or an object of its skos:narrower), so their
    # types and links come with the other pieces; the walk down here needs only the store's links.
    below = _iris(components) if components else ""
    types = " ".join(CLASSES)
    # The predicates are filtered, not listed in a VALUES: Oxigraph reads a pattern whose only bound
    # term is such a VALUES for every subject in the store before joining it with the piece's nodes.
    pieces = [
        f"""{{ VALUES ?s {{ {hops} }} ?s ?p ?o FILTER (?p IN ({", ".join(READS)})) }}""",
        f"""{{ VALUES ?s {{ {hops} }} VALUES ?o {{ {types} }} ?s a ?o BIND (rdf:type AS ?p) }}""",
        f"""{{ VALUES ?o {{ {hops} }} VALUES ?p {{ kcs:includesService skos:hasTopConcept }} ?s ?p ?o }}""",
        f"""{{ VALUES ?h {{ {hops} }} ?s kcs:includesService ?h ; ?p ?o
             FILTER (?p IN (kcs:servesMeasure, kcs:servesGoal)) }}""",
        f"""{{ VALUES ?o {{ {hops} }} ?s kcs:servesMeasure ?o ; kcs:hasIndicator ?indicator
             BIND (kcs:servesMeasure AS ?p) }}""",
        f"""{{ VALUES ?h {{ {hops} }} ?s kcs:servesMeasure ?h ; kcs:hasIndicator ?o BIND (kcs:hasIndicator AS ?p) }}""",
        f"""{{ VALUES ?h {{ {hops} }} ?h {_UP}* ?n .
             {{ ?n skos:broader ?o BIND (?n AS ?s) BIND (skos:broader AS ?p) }}
             UNION {{ ?s skos:narrower ?n BIND (?n AS ?o) BIND (skos:narrower AS ?p) }} }}""",
        f"""{{ VALUES ?h {{ {hops} }} ?h {_PROGRAMME_WALK}* ?n .
             {{ VALUES ?p {{ dcterms:isPartOf kcs:callOf }} ?n ?p ?o BIND (?n AS ?s) }}
             UNION {{ ?s dcterms:hasPart ?n BIND (?n AS ?o) BIND (dcterms:hasPart AS ?p) }}
             UNION {{ VALUES ?o {{ {types} }} ?n a ?o BIND (?n AS ?s) BIND (rdf:type AS ?p) }} }}""",
    ]
    if below:
        pieces.append(
            f"""{{ VALUES ?c {{ {below} }} ?n {_UP}* ?c .
             {{ ?n skos:broader ?o BIND (?n AS ?s) BIND (skos:broader AS ?p) }}
             UNION {{ ?s skos:narrower ?n BIND (?n AS ?o) BIND (skos:narrower AS ?p) }}
             UNION {{ VALUES ?o {{ {types} }} ?n a ?o BIND (?n AS ?s) BIND (rdf:type AS ?p) }} }}"""
        )
    # The pieces walk the union of all graphs (a link in a graph the rules do not read only adds
    # nodes); the triples kept are those a public, stated graph holds. Each piece is checked against
    # the graphs on its own: Oxigraph joins one check after the whole union with every quad of the
    # store first (4 s at 50,000 realisations, where the pieces take milliseconds).
    stated = f"GRAPH ?g {{ ?s ?p ?o }} {_stated_filter(settings)}"
    sparql = (
        PREFIXES
        + "CONSTRUCT { ?s ?p ?o } WHERE {\n  "
        + "\n  UNION ".join(f"{{ {piece}\n    {stated} }}" for piece in pieces)
        + " }"
    )
    return _lines(store.construct_ntriples(sparql))


def rederive_resource(
    store: CatalogueStore, settings: Settings, resource: str, new_triples: Iterable[ox.Triple]
) -> DerivedChange:
    """What the derived graph loses and gains when ``resource``'s description becomes ``new_triples``
    (its triples and those of its own nodes, as published): a plan the caller writes with the new
    description, in one request. Nothing is written here.

    The old description is what the public graphs state now with the resource, or an IRI node of the
    new description, as subject; the stored derived graph is taken to be up to date with them."""
    new = list(new_triples)
    described = {resource} | {triple.subject.value for triple in new if isinstance(triple.subject, ox.NamedNode)}
    old_lines = _stated_of(store, settings, described)
    new_lines = _lines(_in_hand_ntriples(new))
    if old_lines == new_lines:
        return DerivedChange(frozenset(), frozenset(), frozenset())
    links = [
        quad.triple
        for quad in ox.parse(b"\n".join(old_lines | new_lines), format=NTRIPLES)
        if quad.triple.predicate.value != _TYPE
    ]
    affected = _affected(store, described, links)
    # A walk after the change leaves the store's links at a node of R or at an object of R's links.
    starts = described | {cast(ox.NamedNode, triple.object).value for triple in links}
    mine = {f"<{node}>".encode() for node in described}
    supported = {
        cast(ox.NamedNode, triple.object).value
        for triple in ox.parse(b"\n".join(new_lines), format=NTRIPLES)
        if triple.predicate.value == _K + "supportsComponent"
    }
    footing = {line for line in _footing(store, settings, affected, starts, supported) if _subject(line) not in mine}
    wanted = {f"<{node}>".encode() for node in affected}
    derived = {line for line in derive_ntriples(b"\n".join(footing | new_lines) + b"\n") if _subject(line) in wanted}
    target = graphs.derived_graph(settings)
    stored = _lines(
        store.construct_ntriples(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {_iris(affected)} }} GRAPH <{target}> {{ ?s ?p ?o }} }}"
        )
    )
    removed, added = stored - derived, derived - stored
    subjects = {_subject(line)[1:-1].decode() for line in removed | added}
    return DerivedChange(frozenset(removed), frozenset(added), frozenset(subjects))
