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
