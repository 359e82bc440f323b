"""The concept page (/koncepce), in-process on both stores: every strategy's tree with its counts, the
links between goals of different strategies, and a bad strategy IRI refused in Czech.

Every expectation is computed here from the Turtle (the ``catalogue`` fixture) with rdflib, by the
ontology's own rules, never copied from the page's code."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

from catalogue.settings import Settings
from tests.conftest import app_client, load_extra
from web.links import server_path
from web.pages.concept import figures

KCS = Namespace("https://w3id.org/kcs/ontology#")
ID = "https://w3id.org/kcs/id/"
NATIONAL = ID + "strategy/koncepce-smart-cities"
LIBEREC_REGION = ID + "strategy/chytrejsi-liberecky-kraj"
LEVELS = ("Pillar", "CrossCuttingArea", "Component", "Goal", "TypeMeasure")


# -- what the Turtle says --------------------------------------------------------------------------


def kind_of(graph: Graph, iri: URIRef) -> str | None:
    kinds = [str(cls).rsplit("#", 1)[-1] for cls in graph.objects(iri, RDF.type)]
    return next((kind for kind in kinds if kind in LEVELS), None)


def concepts_of(graph: Graph, strategy: str) -> dict[URIRef, str]:
    """The strategy's concepts (by skos:inScheme or as top concepts) with their kinds."""
    scheme = URIRef(strategy)
    members = (
        set(graph.subjects(SKOS.inScheme, scheme))
        | set(graph.subjects(SKOS.topConceptOf, scheme))
        | set(graph.objects(scheme, SKOS.hasTopConcept))
    )
    return {iri: kind for iri in members if (kind := kind_of(graph, iri)) is not None}  # type: ignore[arg-type]


def children_in(graph: Graph, concepts: dict[URIRef, str]) -> dict[URIRef, set[URIRef]]:
    """Each concept's children in the same strategy, by skos:broader or skos:narrower."""
    children: dict[URIRef, set[URIRef]] = {iri: set() for iri in concepts}
    for child, parent in graph.subject_objects(SKOS.broader):
        if child in concepts and parent in concepts:
            children[parent].add(child)  # type: ignore[index]
    for parent, child in graph.subject_objects(SKOS.narrower):
        if child in concepts and parent in concepts:
            children[parent].add(child)  # type: ignore[index,arg-type]
    return children


def below(iri: URIRef, children: dict[URIRef, set[URIRef]]) -> set[URIRef]:
    found: set[URIRef] = set()
    todo = list(children[iri])
    while todo:
        item = todo.pop()
        if item not in found:
            found.add(item)
            todo.extend(children[item])
    return found


def served(graph: Graph, concept: URIRef) -> dict[str, int]:
    """Projects and services fulfilling a measure or goal, as the ontology defines kcs:fulfils: serving
    it, being part of a solution that serves it (a service), or realising what fulfils it (a realisation)."""
    is_a = lambda thing, cls: (thing, RDF.type, cls) in graph  # noqa: E731
    stated = {s for p in (KCS.servesMeasure, KCS.servesGoal) for s in graph.subjects(p, concept)}
    stated = {s for s in stated if not is_a(s, KCS.Goal) and not is_a(s, KCS.TypeMeasure)}
    as_part = {service for solution in stated for service in graph.objects(solution, KCS.includesService)}
    fulfilling = stated | as_part
    fulfilling |= {realisation for done in set(fulfilling) for realisation in graph.subjects(KCS.realises, done)}
    services = {s for s in fulfilling if is_a(s, KCS.SmartService)}
    return {"projects": len(fulfilling - services), "services": len(services)}


# -- what the page shows ---------------------------------------------------------------------------


class ConceptPage(HTMLParser):
    """The strategy trees (each node: its link, the summary of what is below it, the figures of what
    serves it, its children, whether its placing is inferred) and the rows of the links table (each
    cell: text and hrefs)."""

    def __init__(self) -> None:
        super().__init__()
        self.trees: list[dict[str, Any]] = []
        self.links: list[list[dict[str, Any]]] = []
        self._stack: list[dict[str, Any] | None] = []
        self._capture: tuple[dict[str, Any], str, str] | None = None
        self._in_heading = False
        self._in_links = False
        self._in_inferred = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        node = self._stack[-1] if self._stack else None
        if tag == "section" and "strategy" in classes:
            self.trees.append({"href": None, "totals": "", "roots": []})
        elif tag == "h2" and self.trees and self.trees[-1]["href"] is None:
            self._in_heading = True
        elif tag == "p" and "totals" in classes:
            self._capture = (self.trees[-1], "totals", "p")
        elif tag == "li":
            if "node" in classes:
                new = {"href": None, "summary": "", "served": "", "children": [], "inferred": False}
                (node["children"] if node else self.trees[-1]["roots"]).append(new)
                self._stack.append(new)
            else:
                self._stack.append(None)
        elif tag == "a":
            if self._in_heading:
                self.trees[-1]["href"] = attributes["href"]
            elif node is not None and node["href"] is None:
                node["href"] = attributes["href"]
            elif self._in_links and self.links and self.links[-1]:
                self.links[-1][-1]["hrefs"].append(attributes["href"])
        elif tag == "details" and "inferred" in classes and node is not None:
            node["inferred"] = True
            self._in_inferred = True
        elif tag == "summary" and node is not None and not self._in_inferred:
            self._capture = (node, "summary", "summary")
        elif tag == "span" and "served" in classes and node is not None:
            self._capture = (node, "served", "span")
        elif tag == "table" and "links" in classes:
            self._in_links = True
        elif tag == "tr" and self._in_links:
            self.links.append([])
        elif tag == "td" and self._in_links:
            self.links[-1].append({"text": "", "hrefs": []})

    def handle_endtag(self, tag: str) -> None:
        if self._capture and self._capture[2] == tag:
            self._capture = None
        if tag == "li" and self._stack:
            self._stack.pop()
        elif tag == "h2":
            self._in_heading = False
        elif tag == "table":
            self._in_links = False
        elif tag == "details":
            self._in_inferred = False

    def handle_data(self, data: str) -> None:
        if self._capture:
            target, key, _ = self._capture
            target[key] = " ".join((target[key] + " " + data).split())
        elif self._in_links and self.links and self.links[-1]:
            cell = self.links[-1][-1]
            cell["text"] = " ".join((cell["text"] + " " + data).split())


def squash(text: str) -> str:
    """Text as the parser keeps it: any run of white space (no-break spaces too) as one space."""
    return " ".join(text.split())


def page(site: httpx.Client, **params: str) -> ConceptPage:
    response = site.get("/koncepce", params=params)
    assert response.status_code == 200, response.text
    parsed = ConceptPage()
    parsed.feed(response.text)
    return parsed


def nodes(tree: dict[str, Any]) -> Iterator[dict[str, Any]]:
    todo = list(tree["roots"])
    while todo:
        node = todo.pop()
        yield node
        todo.extend(node["children"])


def tree_of(parsed: ConceptPage, strategy: str) -> dict[str, Any]:
    [tree] = [tree for tree in parsed.trees if tree["href"] == server_path(strategy)]
    return tree


def check_tree(graph: Graph, tree: dict[str, Any], strategy: str) -> None:
    """The page's tree of ``strategy`` holds each of its concepts under each of its parents, with
    the counts of what is below it and of what serves it."""
    concepts = concepts_of(graph, strategy)
    children = children_in(graph, concepts)
    by_path = {server_path(str(iri)): iri for iri in concepts}
    shown = list(nodes(tree))
    assert {node["href"] for node in shown} == set(by_path)
    roots = {iri for iri in concepts if not any(iri in kids for kids in children.values())}
    assert {node["href"] for node in tree["roots"]} == {server_path(str(iri)) for iri in roots}
    for node in shown:
        iri = by_path[node["href"]]
        assert {child["href"] for child in node["children"]} == {server_path(str(c)) for c in children[iri]}
        counts = Counter(concepts[item] for item in below(iri, children))
        assert node["summary"] == squash(figures("cs", counts)), node["href"]
        figures_served = served(graph, iri)
        if concepts[iri] == "TypeMeasure":
            assert node["served"] == squash("(" + figures("cs", figures_served, zeros=True) + ")")
        elif any(figures_served.values()):
            assert node["served"] == squash("(" + figures("cs", figures_served) + ")")
        else:
            assert node["served"] == ""
    assert tree["totals"] == squash(figures("cs", Counter(concepts.values())))
    # A concept no source places under its parent says so („odvozeno“): a curator's mark on the step.
    marked = {
        graph.value(mark, RDF.subject) if graph.value(mark, RDF.predicate) == SKOS.broader else graph.value(mark, RDF.object)
        for mark in graph.subjects(RDF.type, KCS.CuratorInference)
        if graph.value(mark, RDF.predicate) in (SKOS.broader, SKOS.narrower)
    }
    assert {node["href"] for node in shown if node["inferred"]} == {server_path(str(iri)) for iri in marked & set(concepts)}


# -- the tests -------------------------------------------------------------------------------------


def test_counts_read_as_czech_and_english() -> None:
    assert figures("cs", {"Component": 2, "Goal": 5, "TypeMeasure": 1}) == (
        "2\u00a0komponenty, 5\u00a0cílů, 1\u00a0typové opatření"
    )
    assert figures("en", {"Component": 1, "Goal": 3}) == "1\u00a0component, 3\u00a0goals"
    assert figures("cs", {"projects": 0, "services": 0}) == ""
    assert figures("cs", {"projects": 0, "services": 2}, zeros=True) == "0\u00a0projektů, 2\u00a0služby"


def test_the_national_tree_holds_every_concept_with_its_counts(site, catalogue) -> None:
    parsed = page(site)
    check_tree(catalogue, tree_of(parsed, NATIONAL), NATIONAL)
    assert len(concepts_of(catalogue, NATIONAL)) > 10  # the check above had a whole concept to check


def test_the_cross_cutting_area_is_shown_as_such(site, catalogue) -> None:
    html = site.get("/koncepce").text
    areas = [str(iri) for iri in catalogue.subjects(RDF.type, KCS.CrossCuttingArea)]
    assert areas
    for area in areas:
        assert '<li class="node node-CrossCuttingArea">' in html
        assert f'href="{server_path(area)}"' in html
    assert '<span class="tag kind">Zastřešující průřezová oblast</span>' in html


def test_the_liberec_region_stands_beside_the_national_concept(site, catalogue) -> None:
    parsed = page(site)
    hrefs = [tree["href"] for tree in parsed.trees]
    assert hrefs[:2] == [server_path(NATIONAL), server_path(LIBEREC_REGION)]
    check_tree(catalogue, tree_of(parsed, LIBEREC_REGION), LIBEREC_REGION)


def test_one_strategy_can_be_shown_alone(site, catalogue) -> None:
    parsed = page(site, strategie=LIBEREC_REGION)
    assert [tree["href"] for tree in parsed.trees] == [server_path(LIBEREC_REGION)]
    check_tree(catalogue, parsed.trees[0], LIBEREC_REGION)


def stated_links(graph: Graph) -> set[tuple[str, str]]:
    """Pairs of concepts of different strategies that the Turtle links (kcs:servesGoal, SKOS
    mapping properties, or a project serving a goal of one and a goal or measure of the other)."""
    scheme = {s: o for s, o in graph.subject_objects(SKOS.inScheme) if (o, RDF.type, KCS.Strategy) in graph}
    pairs: set[tuple[str, str]] = set()
    mappings = (KCS.servesGoal, SKOS.relatedMatch, SKOS.closeMatch, SKOS.exactMatch, SKOS.broadMatch, SKOS.narrowMatch)
    for prop in mappings:
        pairs |= {(str(s), str(o)) for s, o in graph.subject_objects(prop)}
    projects = {s for cls in (KCS.SmartSolution, KCS.Realisation, KCS.SmartService) for s in graph.subjects(RDF.type, cls)}
    for project, goal in graph.subject_objects(KCS.servesGoal):
        if project not in projects:
            continue
        for prop in (KCS.servesGoal, KCS.servesMeasure):
            pairs |= {(str(goal), str(other)) for other in graph.objects(project, prop)}
    return {
        tuple(sorted(pair))  # type: ignore[misc]
        for pair in pairs
        if URIRef(pair[0]) in scheme and URIRef(pair[1]) in scheme
        and scheme[URIRef(pair[0])] != scheme[URIRef(pair[1])]
    }


def shown_links(parsed: ConceptPage) -> set[tuple[str, str]]:
    return {tuple(sorted((row[0]["hrefs"][0], row[1]["hrefs"][0]))) for row in parsed.links if row}  # type: ignore[misc]


def test_the_goal_links_are_those_the_catalogue_states(site, catalogue) -> None:
    expected = {tuple(sorted(server_path(iri) for iri in pair)) for pair in stated_links(catalogue)}
    assert shown_links(page(site)) == expected


@pytest.mark.parametrize("bad", ["nic", "https://example.org/a b", "javascript:alert(1)<x>"])
def test_a_bad_strategy_iri_gets_a_czech_400(site, bad: str) -> None:
    response = site.get("/koncepce", params={"strategie": bad})
    assert response.status_code == 400
    assert "Neplatná adresa strategie" in response.text
    assert "musí být úplná adresa (IRI) strategie" in response.text


def test_an_iri_that_is_no_strategy_gets_a_czech_404(site) -> None:
    response = site.get("/koncepce", params={"strategie": ID + "goal/a4-1"})
    assert response.status_code == 404
    assert "Strategie nenalezena" in response.text


def test_the_page_speaks_english_when_asked(site) -> None:
    html = site.get("/koncepce", params={"lang": "en"}).text
    assert "The concept: strategies, pillars, goals and measures" in html
    assert "3\u00a0pillars, 1\u00a0cross-cutting area" in html
    assert '<span lang="cs">Lidé a komunity</span>' in html


# -- links and counts with data the seeds lack -----------------------------------------------------

TEST_SOLUTION = ID + "solution/test-koncepce-spolecny-projekt"
TEST_SERVICE = ID + "service/test-koncepce-sluzba"
TEST_REALISATIONS = [ID + f"realisation/test-koncepce-{number}" for number in range(3)]
COWORKING = ID + "measure/coworkingova-centra-a-male-brownfieldy"
EXTRA = f"""
@prefix kcs: <https://w3id.org/kcs/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{ID}goal/lk-2-1> kcs:servesGoal <{ID}goal/a4-4> .
<{TEST_SOLUTION}> a kcs:SmartSolution ; skos:prefLabel "Testovací společný projekt"@cs ;
    kcs:servesGoal <{ID}goal/lk-3-5> ; kcs:servesMeasure <{COWORKING}> ; kcs:includesService <{TEST_SERVICE}> .
<{TEST_SERVICE}> a kcs:SmartService ; skos:prefLabel "Testovací služba"@cs .
<{TEST_REALISATIONS[0]}> a kcs:Realisation ; skos:prefLabel "Testovací realizace 0"@cs ; kcs:realises <{TEST_SOLUTION}> .
<{TEST_REALISATIONS[1]}> a kcs:Realisation ; skos:prefLabel "Testovací realizace 1"@cs ; kcs:realises <{TEST_SOLUTION}> ;
    kcs:servesMeasure <{COWORKING}> .
<{TEST_REALISATIONS[2]}> a kcs:Realisation ; skos:prefLabel "Testovací realizace 2"@cs ; kcs:servesMeasure <{COWORKING}> .
"""


@pytest.fixture(scope="module")
def linked(tmp_path_factory, loaded_store_path: Path, catalogue: Graph) -> Iterator[tuple[str, Graph]]:
    """A server over the catalogue plus a stated link from a Liberec goal to a national one, and a
    project serving a Liberec goal and a national measure with realisations and a service; and the
    same data as an rdflib graph."""
    folder = tmp_path_factory.mktemp("linked")
    store_copy = folder / "source"
    shutil.copytree(loaded_store_path, store_copy)
    load_extra(store_copy, "concept-links", EXTRA)
    graph = Graph()
    graph += catalogue
    graph.parse(data=EXTRA, format="turtle")
    with app_client(Settings(store_path=store_copy, index_path=folder / "index")) as client:
        yield client, graph


def test_stated_and_shared_project_links_are_listed_with_links_to_both(linked) -> None:
    base, graph = linked
    parsed = page(base)
    expected = {tuple(sorted(server_path(iri) for iri in pair)) for pair in stated_links(graph)}
    assert shown_links(parsed) == expected
    rows = {(row[0]["hrefs"][0], row[1]["hrefs"][0]): row for row in parsed.links if row}
    stated = rows[(server_path(ID + "goal/lk-2-1"), server_path(ID + "goal/a4-4"))]
    assert stated[0]["hrefs"][1] == server_path(LIBEREC_REGION)
    assert stated[1]["hrefs"][1] == server_path(NATIONAL)
    assert stated[2]["text"] == "uvedena ve zdroji"
    shared = rows[(server_path(ID + "goal/lk-3-5"), server_path(COWORKING))]
    assert shared[2]["hrefs"] == [server_path(TEST_SOLUTION)]


def test_projects_and_services_are_counted_on_measures_and_goals(linked) -> None:
    base, graph = linked
    parsed = page(base)
    check_tree(graph, tree_of(parsed, NATIONAL), NATIONAL)
    check_tree(graph, tree_of(parsed, LIBEREC_REGION), LIBEREC_REGION)
    [coworking] = [node for node in nodes(tree_of(parsed, NATIONAL)) if node["href"] == server_path(COWORKING)]
    # The solution and its three realisations (one serving the measure both ways counts once).
    assert coworking["served"] == "(4 projekty, 1 služba)"


@pytest.mark.parametrize("strategy", [NATIONAL, LIBEREC_REGION])
def test_links_of_one_strategy_stay_when_it_is_shown_alone(linked, strategy: str) -> None:
    base, _ = linked
    parsed = page(base, strategie=strategy)
    assert [tree["href"] for tree in parsed.trees] == [server_path(strategy)]
    # The regional goal stays on the left whichever side is shown.
    pairs = {(row[0]["hrefs"][0], row[1]["hrefs"][0]) for row in parsed.links if row}
    assert (server_path(ID + "goal/lk-2-1"), server_path(ID + "goal/a4-4")) in pairs
