"""The rules (catalogue/rules.py): each on a small graph of its own, then how they run in the store: only
the difference is written, the version changes with it, nothing stated is derived again, and a
relation whose source is gone disappears."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue import rules
from catalogue.graphs import derived_graph, graph_iri
from catalogue.loader import Source, load
from catalogue.queries import version
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

PREFIXES = """@prefix kcs: <https://w3id.org/kcs/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix : <urn:x:> .
"""
NAMESPACES = {
    "kcs:": "https://w3id.org/kcs/ontology#",
    "skos:": "http://www.w3.org/2004/02/skos/core#",
    "dcterms:": "http://purl.org/dc/terms/",
    ":": "urn:x:",
}


def derived_from(turtle: str) -> set[tuple[str, str, str]]:
    """What the rules derive from ``turtle``, as (subject, property, object) in prefixed names."""
    asserted = ox.Store()
    asserted.load((PREFIXES + turtle).encode(), format=ox.RdfFormat.TURTLE)
    return {tuple(_short(term.value) for term in triple) for triple in rules.derive(asserted)}  # type: ignore[misc]


def _short(iri: str) -> str:
    for prefix, namespace in sorted(NAMESPACES.items(), key=lambda item: -len(item[1])):
        if iri.startswith(namespace):
            return prefix + iri[len(namespace) :]
    return iri


def triples(text: str) -> set[tuple[str, str, str]]:
    return {tuple(line.split()) for line in text.strip().splitlines()}  # type: ignore[misc]


# Each rule: a small graph, and exactly what the rules derive from it. The graphs are chosen so that
# only the rule named (and the rules it builds on) can conclude anything.
CASES = {
    "broader-from-narrower": (
        ":pillar skos:narrower :component .",
        ":component skos:broader :pillar\n:component skos:broaderTransitive :pillar",
    ),
    "top-concept-of-scheme": (
        ":scheme skos:hasTopConcept :pillar .",
        ":pillar skos:topConceptOf :scheme\n:pillar skos:inScheme :scheme",
    ),
    "in-scheme-of-top-concept": (":pillar skos:topConceptOf :scheme .", ":pillar skos:inScheme :scheme"),
    "broader-transitive": (
        ":measure skos:broader :goal . :goal skos:broader :component . :component skos:broader :pillar .",
        """:measure skos:broaderTransitive :goal
        :measure skos:broaderTransitive :component
        :measure skos:broaderTransitive :pillar
        :goal skos:broaderTransitive :component
        :goal skos:broaderTransitive :pillar
        :component skos:broaderTransitive :pillar""",
    ),
    "fulfils-as-stated": (
        ":service kcs:servesMeasure :measure . :solution kcs:servesGoal :goal . "
        ":regional-goal a kcs:Goal ; kcs:servesGoal :goal .",
        ":service kcs:fulfils :measure\n:solution kcs:fulfils :goal",
    ),
    "fulfils-as-part-of-solution": (
        ":solution kcs:includesService :service ; kcs:servesMeasure :measure .",
        """:solution kcs:fulfils :measure
        :service kcs:fulfils :measure
        :service kcs:fulfilsAsPartOf :measure""",
    ),
    "fulfils-through-realised": (
        ":realisation kcs:realises :solution . :solution kcs:servesMeasure :measure .",
        """:solution kcs:fulfils :measure
        :realisation kcs:fulfils :measure
        :realisation kcs:fulfilsThroughRealised :measure""",
    ),
    "realises-service": (
        ":a kcs:realises :service . :service a kcs:SmartService . "
        ":b kcs:realises :solution . :solution kcs:includesService :other .",
        ":a kcs:realisesService :service\n:b kcs:realisesService :other",
    ),
    "funds-as-stated": (":programme kcs:supportsMeasure :measure .", ":programme kcs:fundsMeasure :measure"),
    "funds-through-component": (
        ":programme kcs:supportsComponent :component . :measure a kcs:TypeMeasure ; skos:broader :goal . "
        ":goal a kcs:Goal ; skos:broader :component .",
        """:programme kcs:fundsMeasure :measure
        :programme kcs:fundsThroughComponent :measure
        :measure skos:broaderTransitive :goal
        :measure skos:broaderTransitive :component
        :goal skos:broaderTransitive :component""",
    ),
    "funds-through-programme": (
        ":call kcs:callOf :programme . :programme kcs:supportsMeasure :measure .",
        """:programme kcs:fundsMeasure :measure
        :call kcs:fundsMeasure :measure
        :call kcs:fundsThroughProgramme :measure""",
    ),
    "open-to": (
        ":programme kcs:eligibleApplicant :towns . :call kcs:callOf :programme . "
        ":own-call kcs:callOf :programme ; kcs:eligibleApplicant :regions .",
        """:programme kcs:openTo :towns
        :call kcs:openTo :towns
        :own-call kcs:openTo :regions""",
    ),
    "provided-by": (
        ":programme kcs:provider :mmr . :call kcs:callOf :programme . :own-call kcs:callOf :programme ; kcs:provider :mpo .",
        """:programme kcs:providedBy :mmr
        :call kcs:providedBy :mmr
        :own-call kcs:providedBy :mpo""",
    ),
    "within-programme": (
        ":npo a kcs:FundingProgramme ; dcterms:hasPart :npo-2-8 . :part dcterms:isPartOf :npo-2-8 . "
        ":npo-2-8 a kcs:FundingProgramme . :call kcs:callOf :part . :part a kcs:FundingProgramme .",
        """:npo-2-8 kcs:withinProgramme :npo
        :part kcs:withinProgramme :npo-2-8
        :part kcs:withinProgramme :npo
        :call kcs:withinProgramme :part
        :call kcs:withinProgramme :npo-2-8
        :call kcs:withinProgramme :npo""",
    ),
    "within": (
        ":liberec a kcs:Place ; dcterms:isPartOf :region . :region a kcs:Place ; dcterms:isPartOf :country .",
        ":liberec kcs:within :region\n:liberec kcs:within :country\n:region kcs:within :country",
    ),
    "located-in": (
        ":realisation kcs:place :liberec . :liberec a kcs:Place ; dcterms:isPartOf :region .",
        """:liberec kcs:within :region
        :realisation kcs:locatedIn :liberec
        :realisation kcs:locatedIn :region""",
    ),
    "proposed-indicator": (
        ":solution kcs:servesMeasure :measure ; kcs:hasIndicator :indicator .",
        ":solution kcs:fulfils :measure\n:measure kcs:proposedIndicator :indicator",
    ),
}


def test_every_rule_has_a_case_a_footing_and_a_name_of_its_own() -> None:
    names = [rule.name for rule in rules.RULES]
    assert len(names) == len(set(names))
    assert set(CASES) == set(names)
    for rule in rules.RULES:
        assert len(rule.footing) > 40, rule.name
        assert any(word in rule.footing for word in ("Seed", "SKOS", "ontology", "regions.ttl")), rule.name


@pytest.mark.parametrize("name", list(CASES))
def test_each_rule_derives_exactly_its_relation(name: str) -> None:
    given, expected = CASES[name]
    assert derived_from(given) == triples(expected)


def test_rules_read_only_stated_links_and_derive_only_their_own_properties() -> None:
    """No rule reads a property another rule derives unless that rule comes before it, and no rule writes
    a property the sources state (the stated and the derived would be the same triple twice)."""
    derived_so_far: set[str] = set()
    for rule in rules.RULES:
        body = rule.construct.split("WHERE", 1)[1]
        used = set(re.findall(r"\b(?:kcs|skos|dcterms):[A-Za-z]+", body)) - set(rules.CLASSES)
        assert used <= set(rules.READS) | derived_so_far, (rule.name, used - set(rules.READS) - derived_so_far)
        derived_so_far |= set(rule.derives)
    stated_and_derived = (derived_so_far - {"skos:broader", "skos:topConceptOf", "skos:inScheme"}) & set(rules.READS)
    assert not stated_and_derived


def test_a_stated_triple_is_never_derived_again() -> None:
    assert derived_from(":pillar skos:narrower :component . :component skos:broader :pillar .") == triples(
        ":component skos:broaderTransitive :pillar"
    )


# -- the rules in the store -----------------------------------------------------------------------


def derived_in(store: CatalogueStore, settings: Settings) -> set[str]:
    return {str(triple) for triple in store.triples_in(derived_graph(settings))}


def test_a_load_derives_writes_only_the_difference_and_gives_a_new_version(tmp_path: Path) -> None:
    settings = Settings(store_path=tmp_path / "store", index_path=tmp_path / "index")
    data = tmp_path / "small.ttl"
    data.write_text(PREFIXES + ":r kcs:realises :s . :s kcs:servesMeasure :m .", encoding="utf-8")
    source = Source(data, graph_iri(settings, "small"))
    with CatalogueStore.open(settings) as store:
        load(store, [source], settings)
        first = version.read(store, settings)
        assert derived_in(store, settings) == {
            "<urn:x:s> <https://w3id.org/kcs/ontology#fulfils> <urn:x:m>",
            "<urn:x:r> <https://w3id.org/kcs/ontology#fulfils> <urn:x:m>",
            "<urn:x:r> <https://w3id.org/kcs/ontology#fulfilsThroughRealised> <urn:x:m>",
        }
        # Nothing changed: nothing is derived again, and the version stays.
        assert not rules.rederive(store, settings).changed
        assert version.read(store, settings) == first

        # The solution no longer serves the measure: what the realisation fulfilled through it is gone.
        data.write_text(PREFIXES + ":r kcs:realises :s . :s kcs:servesMeasure :other .", encoding="utf-8")
        changes = load(store, [source], settings)
        assert [change.describe() for change in changes][-1] == "catalogue/rules.py: replaced, +3 -3 triples"
        assert all("urn:x:m>" not in triple for triple in derived_in(store, settings))
        assert version.read(store, settings) != first


def test_private_graphs_feed_no_rule(tmp_path: Path) -> None:
    from catalogue.graphs import private_graphs

    settings = Settings(store_path=tmp_path / "store", index_path=tmp_path / "index")
    with CatalogueStore.open(settings) as store:
        store.insert(
            private_graphs(settings)[0],
            [ox.Triple(ox.NamedNode("urn:x:r"), ox.NamedNode("https://w3id.org/kcs/ontology#servesMeasure"),
                       ox.NamedNode("urn:x:m"))],
        )
        rules.rederive(store, settings)
        assert derived_in(store, settings) == set()
