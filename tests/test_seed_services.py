"""The smart services grouped from the seeds' solutions and realisations, checked against the seeds.

Data: catalogue/data/services.ttl. Every service there is a curator's classification, so the tests
check what it rests on: that its instances exist, that every realisation of the catalogue reaches a
service, that each link of a service is marked as a curator's inference whose reasoning quotes the
seed (and quotes it about the instance, not about something else), that an indicator is one the
flagship of an instance gives, and that every sentence of a service's description is the seed's own.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS
from rdflib.term import Node

from catalogue.vocabulary import KCS
from tests.conftest import CATALOGUE_DATA

SERVICES_FILE = CATALOGUE_DATA / "services.ttl"
GROUPINGS = (KCS.includesService, KCS.realises)
"""How an instance names its service: a solution includes it, a realisation realises it."""
MARKED = (*GROUPINGS, KCS.hasIndicator, KCS.servesMeasure)
"""Every link of a service is a curator's: none of them is stated by a seed."""


def seed_text(text: str) -> str:
    """A seed as running text for finding a sentence in it: bullets dropped, the PDF's line breaks
    joined, spaces collapsed, case folded."""
    text = re.sub(r"[◼•]", " ", text)
    return re.sub(r"\s+", " ", text).strip().casefold()


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in text if not unicodedata.combining(char))


def key_words(text: str) -> set[str]:
    return {word for word in re.findall(r"\w+", fold(text)) if len(word) >= 4 and not word.isdigit()}


def quotes(text: str) -> list[str]:
    return re.findall(r"„(.+?)“", text)


def sentences(description: str) -> list[str]:
    """The description's sentences, each without its closing full stop. A full stop ends a
    sentence only before a capital letter: "tzv. šedou" and "II. a III. třídy" go on."""
    parts = re.split(r"(?<=\.)\s+(?=[A-ZÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ])", description.strip())
    return [part.removesuffix(".") for part in parts if part]


@pytest.fixture(scope="module")
def mine() -> Graph:
    return Graph().parse(SERVICES_FILE, format="turtle")


@pytest.fixture(scope="module")
def texts(seeds: dict[str, str]) -> dict[str, str]:
    return {name: seed_text(text) for name, text in seeds.items()}


def services(graph: Graph) -> list[URIRef]:
    return sorted(node for node in graph.subjects(RDF.type, KCS.SmartService) if isinstance(node, URIRef))


def instances(graph: Graph, service: Node) -> set[Node]:
    return {subject for link in GROUPINGS for subject in graph.subjects(link, service)}


def cited_seeds(graph: Graph, node: Node) -> set[str]:
    return {str(file) for source in graph.objects(node, DCTERMS.source) for file in graph.objects(source, KCS.seedFile)}


def names(graph: Graph, node: Node) -> set[str]:
    return {str(label) for prop in (SKOS.prefLabel, SKOS.altLabel) for label in graph.objects(node, prop)}


SAID_OF = (DCTERMS.description, KCS.statusNote, SKOS.note, KCS.focus, KCS.plannedActivity)
"""Where the catalogue keeps what a seed says of a resource, beside its names."""


def said_of(graph: Graph, node: Node) -> str:
    return seed_text(" ".join(str(text) for prop in SAID_OF for text in graph.objects(node, prop)))


def names_it(quote: str, graph: Graph, node: Node) -> bool:
    """Whether ``quote`` is about ``node``: it shares a word with one of its names, or is part of
    what the catalogue records the seed saying of it."""
    return bool(key_words(quote) & key_words(" ".join(names(graph, node)))) or seed_text(quote) in said_of(graph, node)


def marks(graph: Graph) -> dict[tuple[Node, Node, Node], list[Node]]:
    found: dict[tuple[Node, Node, Node], list[Node]] = {}
    for mark in graph.subjects(RDF.type, KCS.CuratorInference):
        triple = (
            graph.value(mark, RDF.subject),
            graph.value(mark, RDF.predicate),
            graph.value(mark, RDF.object),
        )
        found.setdefault(triple, []).append(mark)
    return found


def links_of_services(graph: Graph) -> list[tuple[Node, Node, Node]]:
    """Every link of a service the file states: its groupings, indicators and measures."""
    held = set(services(graph))
    return sorted(
        (s, p, o)
        for s, p, o in graph
        if p in MARKED and (o in held if p in GROUPINGS else s in held)
    )


def test_the_seeds_give_at_least_twenty_services(mine: Graph) -> None:
    assert len(services(mine)) >= 20


def test_every_service_has_instances_the_catalogue_holds(mine: Graph, catalogue: Graph) -> None:
    kinds = {KCS.includesService: KCS.SmartSolution, KCS.realises: KCS.Realisation}
    empty, unknown = [], []
    for service in services(mine):
        if not instances(mine, service):
            empty.append(service)
        for link, kind in kinds.items():
            for instance in mine.subjects(link, service):
                if (instance, RDF.type, kind) not in catalogue or not names(catalogue, instance):
                    unknown.append((instance, link, service))
    assert empty == [], "services no solution includes and no realisation realises"
    assert unknown == [], "instances the catalogue does not hold as a labelled solution or realisation"


def test_every_realisation_reaches_a_service(catalogue: Graph) -> None:
    held = set(catalogue.subjects(RDF.type, KCS.SmartService))
    unreached = []
    for realisation in sorted(catalogue.subjects(RDF.type, KCS.Realisation)):
        realised = set(catalogue.objects(realisation, KCS.realises))
        through = {service for solution in realised for service in catalogue.objects(solution, KCS.includesService)}
        if not (realised | through) & held:
            unreached.append(realisation)
    assert unreached == []


def test_every_link_of_a_service_is_marked_once_as_a_curators_inference(mine: Graph) -> None:
    found = marks(mine)
    links = links_of_services(mine)
    assert links, "the file states no link of a service"
    assert [link for link in links if len(found.get(link, [])) != 1] == []
    # A mark of a triple the file does not state would explain a link nobody sees.
    assert [triple for triple in found if triple not in mine] == []


def test_every_reasoning_quotes_what_the_seed_says_of_the_linked_resource(
    mine: Graph, catalogue: Graph, texts: dict[str, str]
) -> None:
    held = set(services(mine))
    problems = []
    for (subject, predicate, obj), found in marks(mine).items():
        other = subject if predicate in GROUPINGS else obj
        assert other not in held and (subject in held or obj in held)
        for mark in found:
            reasoning = [str(r) for r in mine.objects(mark, KCS.reasoning) if isinstance(r, Literal) and r.language == "cs"]
            assert len(reasoning) == 1, f"{subject} {predicate} {obj}: one Czech reasoning"
            cited = cited_seeds(mine, mark)
            quoted = quotes(reasoning[0])
            absent = [q for q in quoted if not any(seed_text(q) in texts[seed] for seed in cited)]
            if not cited or not quoted or absent:
                problems.append((str(other), "quotes not in the cited seed", absent or quoted, sorted(cited)))
            elif not any(names_it(q, catalogue, other) for q in quoted):
                problems.append((str(other), "no quote names it", quoted))
    assert problems == []


def test_every_sentence_of_a_description_is_the_seeds_own(mine: Graph, texts: dict[str, str]) -> None:
    unfound = []
    for service in services(mine):
        cited = cited_seeds(mine, service)
        assert cited, f"{service} cites no seed"
        for description in mine.objects(service, DCTERMS.description):
            assert isinstance(description, Literal) and description.language == "cs"
            for sentence in sentences(str(description)):
                if not any(seed_text(sentence) in texts[seed] for seed in cited):
                    unfound.append((str(service), sentence))
    assert unfound == []


def test_an_indicator_of_a_service_is_one_the_flagship_of_an_instance_gives(mine: Graph, catalogue: Graph) -> None:
    wrong = []
    for service in services(mine):
        flagships = set()
        for instance in instances(mine, service):
            for candidate in {instance, *catalogue.objects(instance, KCS.partOfFlagship),
                              *catalogue.objects(instance, KCS.realises)}:
                if (candidate, KCS.isFlagship, Literal(True)) in catalogue:
                    flagships.add(candidate)
        given = {indicator for flagship in flagships for indicator in catalogue.objects(flagship, KCS.hasIndicator)}
        # A part of a flagship's indicator (Sběr dopravních dat, 1.1–1.3) is the flagship's too.
        given |= {part for whole in given for part in catalogue.subjects(DCTERMS.isPartOf, whole)}
        wrong += [(service, indicator) for indicator in mine.objects(service, KCS.hasIndicator) if indicator not in given]
    assert wrong == []


def test_no_flagship_a_realisation_carries_out_includes_a_service(mine: Graph, catalogue: Graph) -> None:
    """Its realisation would be said to realise every service of the flagship, which none does."""
    carried_out = {solution for solution in catalogue.objects(None, KCS.realises)}
    flagships = {s for s in carried_out if (s, KCS.isFlagship, Literal(True)) in catalogue}
    assert [(s, o) for s, o in mine.subject_objects(KCS.includesService) if s in flagships] == []


def test_the_text_helpers_read_the_seed_as_running_text() -> None:
    assert seed_text("Elektronické zobrazovací zastávkové panely (dále \nELP)") == seed_text(
        "elektronické zobrazovací zastávkové panely (dále ELP)"
    )
    assert sentences("Instalace na silnicích II. a III. třídy. Pořízení tzv. šedé vody.") == [
        "Instalace na silnicích II. a III. třídy",
        "Pořízení tzv. šedé vody",
    ]
    assert quotes("uvádí „FVE Gymnázium Česká Lípa“ a „SPŠ“") == ["FVE Gymnázium Česká Lípa", "SPŠ"]
