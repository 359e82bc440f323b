"""Deriving again after a change of one resource (catalogue/rules.py, rederive_resource): the plan it
returns, applied with the new description, leaves exactly the derived graph that deriving everything
again gives; for edits of every kind of resource the rules read, on the seed catalogue."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue import rules
from catalogue.graphs import curated_graph, derived_graph, private_graphs
from catalogue.settings import Settings
from catalogue.store import NTRIPLES, CatalogueStore, ntriples

K = "https://w3id.org/kcs/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = SKOS + "prefLabel"
LINKS = [rules._expanded(name) for name in rules.READS]
CLASSES = [rules._expanded(name) for name in rules.CLASSES]
CONCEPT_TYPES = [K + "Pillar", K + "Component", K + "Goal", K + "TypeMeasure", K + "CrossCuttingArea"]

Description = list[ox.Triple]
RANDOM_EDITS = 60
"""Edits of any kind, one after another on one store, in the random test: each kind also has a test of its
own, of 12 edits; 60 in a row reach every kind several times over (150 took 20 s on two cores)."""


@pytest.fixture
def store(settings: Settings, loaded_store_path: Path) -> Iterator[CatalogueStore]:
    """The seed catalogue as `katalog load` leaves it: a copy of the session's loaded store, for this test
    alone (loading it anew for each test took seconds)."""
    shutil.copytree(loaded_store_path, settings.store_path)
    with CatalogueStore.open(settings) as opened:
        yield opened


# -- the store as the editing layer leaves it ------------------------------------------------------


def stated_description(store: CatalogueStore, settings: Settings, resource: str) -> Description:
    """What the public graphs state now with ``resource`` as subject (every property, not only links)."""
    excluded = ", ".join(f"<{graph}>" for graph in (derived_graph(settings), *private_graphs(settings)))
    body = store.construct_ntriples(
        f"CONSTRUCT {{ <{resource}> ?p ?o }} WHERE {{ GRAPH ?g {{ <{resource}> ?p ?o }} "
        f"FILTER (?g NOT IN ({excluded})) }}"
    )
    return sorted({quad.triple for quad in ox.parse(body, format=NTRIPLES)}, key=str)


def stored_derived(store: CatalogueStore, settings: Settings) -> set[bytes]:
    return rules._lines(
        store.construct_ntriples(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{derived_graph(settings)}> {{ ?s ?p ?o }} }}")
    )


def derived_from_scratch(store: CatalogueStore, settings: Settings) -> set[bytes]:
    """The derived graph as :func:`rules.rederive` would compute it from the store's stated data now."""
    return rules.derive_ntriples(store.construct_ntriples(rules._asserted_query(settings)))


def publish(store: CatalogueStore, settings: Settings, resource: str, new: Description, guard: str = "") -> rules.DerivedChange:
    """Plan the change, then write the new description and the plan in one request, as the editing layer
    does: the resource's triples leave every public graph and its new description goes to the published
    graph."""
    plan = rules.rederive_resource(store, settings, resource, new)
    excluded = ", ".join(f"<{graph}>" for graph in (derived_graph(settings), *private_graphs(settings)))
    operations = [
        f"DELETE {{ GRAPH ?g {{ <{resource}> ?p ?o }} }} WHERE {{ GRAPH ?g {{ <{resource}> ?p ?o }} "
        f"FILTER (?g NOT IN ({excluded})) }}"
    ]
    if new:
        operations.append(f"INSERT DATA {{ GRAPH <{curated_graph(settings)}> {{ {ntriples(new).decode()} }} }}")
    if plan.update(settings, guard):
        operations.append(plan.update(settings, guard))
    store.update(" ;\n".join(operations))
    return plan


def assert_exact(store: CatalogueStore, settings: Settings, edit: Callable[[], tuple[str, Description]]) -> rules.DerivedChange:
    """Apply ``edit`` (which names the resource and its new description) and check that the plan is
    exactly the difference a full derivation makes."""
    return _exact(store, settings, edit, None)[0]


def assert_each_exact(store: CatalogueStore, settings: Settings, edits: Iterable[Callable[[], tuple[str, Description]]]) -> int:
    """:func:`assert_exact` for each edit in turn; how many of them changed the derived graph. An edit only
    reads the store, so the full derivation after one edit is the one before the next: it is made once."""
    changed, derived = 0, None
    for edit in edits:
        plan, derived = _exact(store, settings, edit, derived)
        changed += plan.changed
    return changed


def _exact(
    store: CatalogueStore, settings: Settings, edit: Callable[[], tuple[str, Description]], derived: set[bytes] | None
) -> tuple[rules.DerivedChange, set[bytes]]:
    """The plan of ``edit``, checked, and the full derivation of the store after it. ``derived``: a full
    derivation of the store as it is now, made by the previous call (None: make it)."""
    before = stored_derived(store, settings)
    assert before == (derived_from_scratch(store, settings) if derived is None else derived)
    resource, new = edit()
    plan = publish(store, settings, resource, new)
    expected = derived_from_scratch(store, settings)
    assert stored_derived(store, settings) == expected, (resource, sorted(expected ^ stored_derived(store, settings)))
    assert plan.removed == before - expected, resource
    assert plan.added == expected - before, resource
    assert plan.subjects == {line.split(b" ", 1)[0][1:-1].decode() for line in (before ^ expected)}
    return plan, expected


# -- edits -----------------------------------------------------------------------------------------


def triple(subject: str, predicate: str, value: str) -> ox.Triple:
    return ox.Triple(ox.NamedNode(subject), ox.NamedNode(predicate), ox.NamedNode(value))


def with_links(description: Description, resource: str, links: dict[str, list[str]]) -> Description:
    """``description`` with the values of each property in ``links`` replaced by those given."""
    kept = [fact for fact in description if fact.predicate.value not in links]
    return kept + [triple(resource, predicate, value) for predicate, values in links.items() for value in values]


class Edits:
    """Random edits of the loaded seed catalogue, one resource at a time."""

    def __init__(self, store: CatalogueStore, settings: Settings, seed: int) -> None:
        self.store, self.settings, self.random = store, settings, random.Random(seed)
        self.created = 0

    def members(self, *classes: str) -> list[str]:
        values = " ".join(f"<{name}>" for name in classes)
        rows = self.store.values(f"SELECT DISTINCT ?x WHERE {{ VALUES ?c {{ {values} }} ?x a ?c FILTER isIRI(?x) }} ORDER BY ?x")
        return [row["x"] for row in rows]

    def some(self, pool: list[str], most: int, least: int = 0) -> list[str]:
        return self.random.sample(pool, self.random.randint(least, min(most, len(pool))))

    def change(self, classes: tuple[str, ...], links: Callable[[], dict[str, list[str]]]) -> tuple[str, Description]:
        resource = self.random.choice(self.members(*classes))
        return resource, with_links(stated_description(self.store, self.settings, resource), resource, links())

    def realisation(self) -> tuple[str, Description]:
        return self.change((K + "Realisation",), lambda: {
            K + "realises": self.some(self.members(K + "SmartSolution", K + "SmartService"), 2, 1),
            K + "place": self.some(self.members(K + "Place"), 1, 1),
        })

    def service(self) -> tuple[str, Description]:
        return self.change((K + "SmartService",), lambda: {
            K + "servesMeasure": self.some(self.members(K + "TypeMeasure", K + "Goal"), 2),
            K + "hasIndicator": self.some(self.members(K + "Indicator"), 2),
        })

    def solution(self) -> tuple[str, Description]:
        return self.change((K + "SmartSolution",), lambda: {
            K + "includesService": self.some(self.members(K + "SmartService"), 3),
            K + "servesMeasure": self.some(self.members(K + "TypeMeasure", K + "Goal"), 2),
        })

    def concept(self) -> tuple[str, Description]:
        concepts = self.members(*CONCEPT_TYPES)
        return self.change(tuple(CONCEPT_TYPES), lambda: {
            SKOS + "broader": self.some(concepts, 1), SKOS + "narrower": self.some(concepts, 2),
        })

    def programme(self) -> tuple[str, Description]:
        return self.change((K + "FundingProgramme",), lambda: {
            K + "supportsComponent": self.some(self.members(K + "Component", K + "Pillar", K + "Goal"), 1),
            DCT + "hasPart": self.some(self.members(K + "FundingProgramme", K + "FundingCall"), 1),
        })

    def call(self) -> tuple[str, Description]:
        return self.change((K + "FundingCall", K + "FundingProgramme"), lambda: {
            K + "callOf": self.some(self.members(K + "FundingProgramme"), 1, 1),
        })

    def place(self) -> tuple[str, Description]:
        return self.change((K + "Place",), lambda: {DCT + "isPartOf": self.some(self.members(K + "Place"), 1)})

    def new_resource(self) -> tuple[str, Description]:
        """A resource nobody stated before, of a kind the rules read, linked both ways into the catalogue."""
        self.created += 1
        resource = f"urn:x:new-{self.created}"
        kind = self.random.choice([K + "SmartService", K + "TypeMeasure", K + "Place", K + "FundingProgramme"])
        links = {
            TYPE: [kind],
            K + "realises": self.some(self.members(K + "SmartSolution", K + "SmartService"), 1),
            K + "servesMeasure": self.some(self.members(K + "TypeMeasure"), 1),
            K + "hasIndicator": self.some(self.members(K + "Indicator"), 1),
            K + "includesService": self.some(self.members(K + "SmartService"), 1),
            SKOS + "broader": self.some(self.members(*CONCEPT_TYPES), 1),
            SKOS + "narrower": self.some(self.members(K + "TypeMeasure"), 1),
            DCT + "isPartOf": self.some(self.members(K + "Place", K + "FundingProgramme"), 1),
            K + "callOf": self.some(self.members(K + "FundingProgramme"), 1),
            K + "supportsComponent": self.some(self.members(K + "Component"), 1),
        }
        label = ox.Triple(ox.NamedNode(resource), ox.NamedNode(LABEL), ox.Literal("Nový", language="cs"))
        return resource, [label, *with_links([], resource, links)]

    def unlinked(self) -> tuple[str, Description]:
        """Every link and type the rules read removed; the labels stay."""
        resource = self.random.choice(self.members(K + "Realisation", K + "SmartService", K + "SmartSolution",
                                                   K + "FundingProgramme", K + "Place", *CONCEPT_TYPES))
        kept = [
            fact for fact in stated_description(self.store, self.settings, resource)
            if fact.predicate.value not in LINKS and not (fact.predicate.value == TYPE and fact.object.value in CLASSES)
        ]
        return resource, kept

    def anything(self) -> tuple[str, Description]:
        """Any subject with a link the rules read: one link or class added or removed, the object drawn
        from anything linked in the catalogue."""
        subjects = [row["s"] for row in self.store.values(
            "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER (isIRI(?s) && isIRI(?o)) "
            f"VALUES ?p {{ {' '.join(f'<{link}>' for link in LINKS)} }} }} ORDER BY ?s"
        )]
        resource = self.random.choice(subjects)
        description = stated_description(self.store, self.settings, resource)
        linked = [fact for fact in description if fact.predicate.value in LINKS or fact.predicate.value == TYPE]
        if linked and self.random.random() < 0.4:
            dropped = self.random.choice(linked)
            return resource, [fact for fact in description if fact != dropped]
        if self.random.random() < 0.3:
            added = triple(resource, TYPE, self.random.choice(CLASSES))
        else:
            added = triple(resource, self.random.choice(LINKS), self.random.choice(subjects))
        return resource, [*description, added]

    def kinds(self) -> list[Callable[[], tuple[str, Description]]]:
        return [self.realisation, self.service, self.solution, self.concept, self.programme, self.call,
                self.place, self.new_resource, self.unlinked, self.anything]


# -- tests -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["realisation", "service", "solution", "concept", "programme", "call", "place",
                                  "new_resource", "unlinked"])
def test_each_kind_of_edit_gives_what_deriving_everything_gives(store: CatalogueStore, settings: Settings, kind: str) -> None:
    edits = Edits(store, settings, seed=hash(kind) % 1000)
    changed = assert_each_exact(store, settings, (getattr(edits, kind) for _ in range(12)))
    # The edits are meant to change derived facts: a generator that only made no-op edits proves nothing.
    assert changed >= 3, kind


def test_random_edits_of_any_resource_give_what_deriving_everything_gives(store: CatalogueStore, settings: Settings) -> None:
    edits = Edits(store, settings, seed=20261202)
    changed = assert_each_exact(store, settings, (edits.random.choice(edits.kinds()) for _ in range(RANDOM_EDITS)))
    assert changed >= RANDOM_EDITS * 2 // 5


def test_a_realisation_gets_what_its_new_solution_serves(store: CatalogueStore, settings: Settings) -> None:
    edits = Edits(store, settings, seed=1)
    realisation = edits.members(K + "Realisation")[0]
    served = store.values(
        f"SELECT ?solution ?concept WHERE {{ ?solution a <{K}SmartSolution> ; <{K}servesMeasure>|<{K}servesGoal> ?concept "
        f"FILTER NOT EXISTS {{ <{realisation}> <{K}realises> ?solution }} }} ORDER BY ?solution LIMIT 1"
    )[0]
    description = stated_description(store, settings, realisation)
    plan = assert_exact(store, settings, lambda: (realisation, with_links(description, realisation, {
        K + "realises": [served["solution"]],
    })))
    fulfils = f"<{realisation}> <{K}fulfilsThroughRealised> <{served['concept']}> .".encode()
    assert fulfils in plan.added
    assert realisation in plan.subjects


def test_an_edit_of_labels_only_changes_nothing_derived(store: CatalogueStore, settings: Settings) -> None:
    concept = Edits(store, settings, seed=2).members(K + "Goal")[0]
    description = [fact for fact in stated_description(store, settings, concept) if fact.predicate.value != LABEL]
    relabelled = [*description, ox.Triple(ox.NamedNode(concept), ox.NamedNode(LABEL), ox.Literal("Jiný", language="cs"))]
    plan = rules.rederive_resource(store, settings, concept, relabelled)
    assert not plan.changed and plan.subjects == frozenset()
    assert plan.update(settings) == "" and plan.update(settings, guard="FILTER (true)") == ""


def test_a_guarded_plan_applies_only_while_its_guard_holds(store: CatalogueStore, settings: Settings) -> None:
    edits = Edits(store, settings, seed=3)
    resource, new = edits.realisation()
    while not rules.rederive_resource(store, settings, resource, new).changed:
        resource, new = edits.realisation()
    before = stored_derived(store, settings)
    plan = rules.rederive_resource(store, settings, resource, new)
    assert "WHERE { FILTER (false) }" in plan.update(settings, guard="FILTER (false)")
    store.update(plan.update(settings, guard="FILTER (false)"))
    assert stored_derived(store, settings) == before
    publish(store, settings, resource, new, guard=f"GRAPH <{derived_graph(settings)}> {{ ?s ?p ?o }}")
    assert stored_derived(store, settings) == derived_from_scratch(store, settings) == (before - plan.removed) | plan.added


def test_a_concept_moved_under_a_supported_component_brings_its_measures_to_the_programme_and_its_calls(
    store: CatalogueStore, settings: Settings
) -> None:
    """funds-through-component reads the measures under a component: moving a goal there (by its own
    skos:broader, or by the component's skos:narrower) reaches programmes and calls that never linked
    to the goal."""
    found = store.values(
        f"""SELECT ?programme ?component ?goal ?measure WHERE {{
          ?programme <{K}supportsComponent> ?component .
          ?measure a <{K}TypeMeasure> ; <{SKOS}broader> ?goal .
          FILTER NOT EXISTS {{ ?measure <{SKOS}broaderTransitive> ?component }}
          FILTER NOT EXISTS {{ ?goal <{SKOS}broaderTransitive> ?component }} }} ORDER BY ?goal LIMIT 1"""
    )[0]
    programme, component, goal, measure = found["programme"], found["component"], found["goal"], found["measure"]
    call = "urn:x:call"
    assert_exact(store, settings, lambda: (call, [triple(call, K + "callOf", programme)]))

    funds = {f"<{funding}> <{K}fundsThroughComponent> <{measure}> .".encode() for funding in (programme,)}
    through = f"<{call}> <{K}fundsThroughProgramme> <{measure}> .".encode()
    own = stated_description(store, settings, goal)
    moved = assert_exact(store, settings, lambda: (goal, with_links(own, goal, {SKOS + "broader": [component]})))
    assert funds | {through} <= moved.added and {programme, call, measure} <= moved.subjects

    # Back where it was, then under the component by the component's own skos:narrower.
    assert_exact(store, settings, lambda: (goal, own))
    narrower = stated_description(store, settings, component)
    adopted = assert_exact(store, settings, lambda: (component, [*narrower, triple(component, SKOS + "narrower", goal)]))
    assert funds | {through} <= adopted.added

    # The measure is no longer a type measure: neither the programme nor its call funds it.
    untyped = [fact for fact in stated_description(store, settings, measure)
               if not (fact.predicate.value == TYPE and fact.object.value == K + "TypeMeasure")]
    dropped = assert_exact(store, settings, lambda: (measure, untyped))
    assert funds | {through} <= dropped.removed
