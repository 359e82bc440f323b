"""Every statement's footing, from the query layer to the pages: a link no source states is found with
its curator's reasoning (in the asked language, else Czech) in a fixed number of store queries, and the
site says „odvozeno“ wherever such a link is shown, in words and in a disclosure that needs no script;
GraphQL and linked data carry the same marks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from catalogue.queries import footing, measures
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from catalogue.vocabulary import KCS

ID = "https://w3id.org/kcs/id/"
COWORKING = ID + "measure/coworkingova-centra-a-male-brownfieldy"
SUCCESSION = ID + "measure/program-vyuziti-brownfieldu"
NETWORKS = ID + "measure/a4-pateri-datove-site"
NPO_2_8 = ID + "programme/npo-2-8"
NPO_2_8_3 = ID + "programme/npo-2-8-3"
A4, B2 = ID + "component/a4", ID + "component/b2"
PEOPLE = ID + "pillar/lide-a-komunity"
BROWSER = {"Accept": "text/html"}
DISCLOSURE = '<details class="inferred"><summary>odvozeno</summary>'


def reasoning(graph: Graph, subject: str, predicate: URIRef, obj: URIRef, lang: str = "cs") -> str:
    """The reasoning of the curator's mark on a link, read from the Turtle."""
    (mark,) = [
        mark
        for mark in graph.subjects(RDF.subject, URIRef(subject))
        if (mark, RDF.predicate, predicate) in graph and (mark, RDF.object, obj) in graph
    ]
    return next(str(text) for text in graph.objects(mark, KCS.reasoning) if text.language == lang)


def escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- the query layer --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(loaded_store_path: Path) -> Iterator[CatalogueStore]:
    with CatalogueStore.open(Settings(store_path=loaded_store_path), read_only=True) as opened:
        yield opened


@pytest.fixture
def queries(store: CatalogueStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The store queries run while the test runs."""
    calls: list[str] = []
    real = store.dialect.query

    def counted(sparql: str, **options: Any) -> Any:
        calls.append(sparql)
        return real(sparql, **options)

    monkeypatch.setattr(store.dialect, "query", counted)
    return calls


def test_of_links_answers_for_inferred_links_only_in_one_query(store, queries, catalogue) -> None:
    inferred = footing.supports_measure(NPO_2_8_3, COWORKING)
    stated = footing.Link(COWORKING, str(SKOS.broader), ID + "goal/infrastruktura-a-zazemi-pro-podnikani")
    links = [
        inferred,
        stated,
        *footing.broader_links(A4, PEOPLE),
        footing.Link(B2, str(SKOS.altLabel), "komunitní energetika"),
    ]
    found = footing.of_links(store, links)
    assert len(queries) == 1
    assert set(found) == {inferred, *footing.broader_links(A4, PEOPLE), links[-1]}
    assert found[inferred] == footing.Reasoning(
        reasoning(catalogue, NPO_2_8_3, KCS.supportsMeasure, URIRef(COWORKING)), "cs"
    )


def test_of_links_costs_one_query_however_many_links(store, queries) -> None:
    programmes = [ID + f"programme/npo-2-8{part}" for part in ("", "-1", "-2", "-3")]
    many = [footing.supports_measure(programme, COWORKING) for programme in programmes] * 50
    footing.of_links(store, many)
    footing.of_links(store, many[:1])
    assert len(queries) == 2


def test_the_reasoning_comes_in_the_asked_language_else_in_czech(store, catalogue) -> None:
    link = footing.supports_measure(NPO_2_8_3, COWORKING)
    english = footing.of_links(store, [link], "en")[link]
    assert english == footing.Reasoning(
        reasoning(catalogue, NPO_2_8_3, KCS.supportsMeasure, URIRef(COWORKING), "en"), "en"
    )
    assert footing.of_links(store, [link], "de")[link].lang == "cs"


def test_no_links_cost_no_query(store, queries) -> None:
    assert footing.of_links(store, []) == {}
    assert queries == []


def test_a_measure_carries_the_footing_of_its_funding_and_its_path(store, catalogue) -> None:
    details = measures.measure_details(store, [COWORKING, NETWORKS])
    funding = {link.funding.iri: link for link in details[COWORKING].funding}
    assert funding[NPO_2_8].inferred is not None
    assert funding[NPO_2_8].inferred.text == reasoning(catalogue, NPO_2_8, KCS.supportsMeasure, URIRef(COWORKING))
    assert all(not path.inferred for path in details[COWORKING].paths), "the seed states the brownfield chain"
    (path,) = details[NETWORKS].paths
    assert path.pillar is not None and path.pillar.iri == PEOPLE
    assert set(path.inferred) == {PEOPLE}
    assert path.inferred[PEOPLE].text == reasoning(catalogue, A4, SKOS.broader, URIRef(PEOPLE))


# -- the pages --------------------------------------------------------------------------------------


def section(page: str, anchor: str) -> str:
    found = re.search(rf'<section aria-labelledby="{anchor}">(.*?)</section>', page, re.S)
    assert found, f"no section {anchor!r}"
    return found.group(1)


def item_of(html: str, href: str) -> str:
    """The list item holding the link to ``href``."""
    found = re.search(rf'<li\b[^>]*>((?:(?!</li>).)*href="{re.escape(href)}"(?:(?!</li>).)*)</li>', html, re.S)
    assert found, f"no item links {href}"
    return found.group(1)


def marked(html: str, href: str) -> bool:
    """Whether the link to ``href`` is followed by the „odvozeno“ disclosure (the page in Czech)."""
    return re.search(rf'href="{re.escape(href)}">(?:(?!</a>).)*</a>\s*{DISCLOSURE}', html, re.S) is not None


def test_the_brownfield_measure_page_says_its_funding_is_inferred(site: httpx.Client, catalogue) -> None:
    page = site.get("/id/measure/coworkingova-centra-a-male-brownfieldy", headers=BROWSER).text
    funding = section(page, "financovani")
    for programme in (NPO_2_8, NPO_2_8_3):
        item = item_of(funding, "/id/programme/" + programme.rsplit("/", 1)[1])
        assert DISCLOSURE in item
        assert escaped(reasoning(catalogue, programme, KCS.supportsMeasure, URIRef(COWORKING))) in item
    assert "odvozeno" not in section(page, "v-koncepci"), "the seed states where the measure sits"


def test_the_english_page_says_inferred_with_the_english_reasoning(site: httpx.Client, catalogue) -> None:
    page = site.get("/id/measure/coworkingova-centra-a-male-brownfieldy?lang=en", headers=BROWSER).text
    item = item_of(section(page, "financovani"), "/id/programme/npo-2-8")
    assert '<details class="inferred"><summary>inferred</summary>' in item
    english = reasoning(catalogue, NPO_2_8, KCS.supportsMeasure, URIRef(COWORKING), "en")
    assert escaped(english) in re.sub(r"<[^>]+>", "", item)
    quoted = re.findall(r"„[^“]*“", english)
    assert quoted and all(f'<span lang="cs">{escaped(words)}</span>' in item for words in quoted), "Czech in English"


def test_a_placing_no_source_states_is_inferred_on_the_measure_page(site: httpx.Client, catalogue) -> None:
    path = section(site.get("/id/measure/a4-pateri-datove-site", headers=BROWSER).text, "v-koncepci")
    pillar = item_of(path, "/id/pillar/lide-a-komunity")
    assert DISCLOSURE in pillar and escaped(reasoning(catalogue, A4, SKOS.broader, URIRef(PEOPLE))) in pillar
    assert DISCLOSURE not in item_of(path, "/id/component/a4"), "the seed files the measure under A4"


def test_the_list_of_every_fact_marks_inferred_links_both_ways(site: httpx.Client) -> None:
    part = site.get("/id/programme/npo-2-8-3", headers=BROWSER).text
    assert marked(section(part, "udaje"), "/id/measure/coworkingova-centra-a-male-brownfieldy")
    assert DISCLOSURE in item_of(section(part, "podporuje"), "/id/measure/program-vyuziti-brownfieldu")
    measure = site.get("/id/measure/coworkingova-centra-a-male-brownfieldy", headers=BROWSER).text
    assert marked(section(measure, "odkazy"), "/id/programme/npo-2-8-3")
    assert not marked(section(measure, "udaje"), "/id/goal/infrastruktura-a-zazemi-pro-podnikani")
    component = site.get("/id/component/b2", headers=BROWSER).text
    assert re.search(rf"komunitní energetika\s*{DISCLOSURE}", section(component, "udaje")), "B2's other name"
    assert marked(section(component, "udaje"), "/id/pillar/lokalni-ekonomika")


def test_a_5g_package_says_which_goals_it_serves_by_inference(site: httpx.Client, catalogue) -> None:
    overview = section(site.get("/id/solution/5g-pro-5-mest-plzen", headers=BROWSER).text, "prehled")
    goals = list(catalogue.objects(URIRef(ID + "solution/5g-pro-5-mest-plzen"), KCS.servesGoal))
    assert goals and all(marked(overview, "/id/goal/" + str(goal).rsplit("/", 1)[1]) for goal in goals)


def card_of(page: str, measure: str) -> str:
    """The answer's card of ``measure``."""
    cards = page.split('<li class="card measure">')[1:]
    (card,) = [card for card in cards if f'<h3><a href="/id/measure/{measure}">' in card]
    return card


def test_the_answer_says_which_funding_and_placing_are_inferred(site: httpx.Client) -> None:
    brownfields = site.get("/odpoved", params={"problem": "Město má mnoho brownfieldů a chce řešit jejich využití"})
    card = card_of(brownfields.text, "coworkingova-centra-a-male-brownfieldy")
    funding = card.split('<ul class="funding">', 1)[1].split("</ul>", 1)[0]
    assert DISCLOSURE in item_of(funding, "/id/programme/npo-2-8")
    assert "odvozeno" not in card.split('<ul class="path"', 1)[1].split("</ul>", 1)[0]
    networks = site.get("/odpoved", params={"problem": "páteřní datová síť pro krizovou komunikaci"})
    path = card_of(networks.text, "a4-pateri-datove-site").split('<ul class="path"', 1)[1].split("</ul>", 1)[0]
    assert DISCLOSURE in item_of(path, "/id/pillar/lide-a-komunity")


def test_the_concept_tree_says_which_placings_are_inferred(site: httpx.Client) -> None:
    tree = site.get("/koncepce", headers=BROWSER).text
    assert marked(tree, "/id/component/a4") and marked(tree, "/id/component/b2")
    assert not marked(tree, "/id/component/spolecenska-odolnost-a-bezpecnost"), "the seed places it"


def test_the_funding_page_says_which_support_is_inferred(site: httpx.Client) -> None:
    page = site.get("/financovani", headers=BROWSER).text
    card = page.split('<h3><a href="/id/programme/ap-srr-3-5-2">', 1)[1].split('<li class="card funding-item">', 1)[0]
    assert DISCLOSURE in item_of(card.split('<ul class="supported">', 1)[1], "/id/component/b2")


# -- the API and linked data ------------------------------------------------------------------------


def test_graphql_gives_the_reasoning_of_an_inferred_funding_link(site: httpx.Client, catalogue) -> None:
    query = """query ($iri: String!) { resource(iri: $iri) { ... on TypeMeasure {
      fundingLinks { funding { iri } via inferred { reasoning lang } } } } }"""
    body = site.post("/graphql", json={"query": query, "variables": {"iri": COWORKING}}).json()
    links = {link["funding"]["iri"]: link for link in body["data"]["resource"]["fundingLinks"]}
    assert links[NPO_2_8]["inferred"] == {
        "reasoning": reasoning(catalogue, NPO_2_8, KCS.supportsMeasure, URIRef(COWORKING)),
        "lang": "cs",
    }


def test_a_stated_funding_link_has_no_inference_in_graphql(extended_site: httpx.Client) -> None:
    query = """query ($iri: String!) { resource(iri: $iri) { ... on TypeMeasure {
      fundingLinks { funding { iri } inferred { reasoning } } } } }"""
    body = extended_site.post("/graphql", json={"query": query, "variables": {"iri": SUCCESSION}}).json()
    links = {link["funding"]["iri"]: link for link in body["data"]["resource"]["fundingLinks"]}
    assert links[STATED]["inferred"] is None and links[NPO_2_8]["inferred"] is not None


def test_the_turtle_of_a_measure_carries_the_marks_of_its_links(site: httpx.Client, catalogue) -> None:
    turtle = site.get("/id/measure/coworkingova-centra-a-male-brownfieldy.ttl")
    assert turtle.status_code == 200
    graph = Graph().parse(data=turtle.text, format="turtle")
    for programme in (NPO_2_8, NPO_2_8_3):
        assert (URIRef(programme), KCS.supportsMeasure, URIRef(COWORKING)) in graph
        text = reasoning(graph, programme, KCS.supportsMeasure, URIRef(COWORKING))
        assert text == reasoning(catalogue, programme, KCS.supportsMeasure, URIRef(COWORKING))
    marks = set(graph.subjects(RDF.type, KCS.CuratorInference))
    assert marks and all(graph.value(mark, KCS.reasoning) for mark in marks)
    assert all(
        (mark, RDF.object, URIRef(COWORKING)) in graph or (mark, RDF.subject, URIRef(COWORKING)) in graph
        for mark in marks
    )


STATED = ID + "test/program-se-zdrojem"


@pytest.fixture(scope="module")
def extended_site(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[httpx.Client]:
    """The catalogue plus a programme whose support of a measure carries no mark, as if a source stated it."""
    import shutil

    from tests.conftest import app_client, load_extra

    folder = tmp_path_factory.mktemp("footing")
    store_path = folder / "store"
    shutil.copytree(loaded_store_path, store_path)
    load_extra(
        store_path,
        "stated",
        f'<{STATED}> a <{KCS.FundingProgramme}> ; <{SKOS.prefLabel}> "Zkušební program"@cs ; '
        f"<{KCS.supportsMeasure}> <{SUCCESSION}> .\n",
    )
    with app_client(Settings(store_path=store_path, index_path=folder / "index")) as client:
        yield client
