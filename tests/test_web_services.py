"""Smart services as results of their own, in-process on both stores: the service's page (its
realisations and solutions, where, when and in what state, its measures and indicators), the answer
and the project builder listing a service with the places that did it, GraphQL's services with their
realisations, and the query that reads all this for a batch of services.

Expected facts come from the catalogue's Turtle (the ``catalogue`` fixture), so they follow the data."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from catalogue.queries import services
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from catalogue.vocabulary import KCS

ID = "https://w3id.org/kcs/id/"
FVE = ID + "service/fotovoltaicka-elektrarna-na-budove-skoly"
TRAFFIC_DATA = ID + "service/sber-dopravnich-dat"
PARKING = ID + "service/chytry-parkovaci-system"
CORRIDOR = ID + "service/bezpecnostni-a-datovy-koridor"
HTML = {"Accept": "text/html"}


def path_of(iri: str) -> str:
    return "/" + iri.removeprefix("https://w3id.org/kcs/")


def label(catalogue: Graph, iri: str | URIRef) -> str:
    return str(catalogue.value(URIRef(iri), SKOS.prefLabel))


def linked(catalogue: Graph, iri: str | URIRef) -> str:
    return f'<a href="{path_of(str(iri))}">{html.escape(label(catalogue, iri), quote=False)}</a>'


def section(page: str, anchor: str) -> str:
    found = re.search(rf'<section aria-labelledby="{anchor}">(.*?)</section>', page, re.S)
    assert found, f"no section {anchor!r}"
    return found.group(1)


def grouping_reasoning(catalogue: Graph, instance: URIRef, service: str) -> str:
    """The curator's Czech reasoning for counting ``instance`` (a solution or a realisation) as an instance
    of ``service``: the mark on its own link, or on the link of the solution it carries out."""
    node = URIRef(service)
    for subject in (instance, *catalogue.objects(instance, KCS.realises)):
        for mark in catalogue.subjects(RDF.subject, subject):
            if catalogue.value(mark, RDF.object) == node and catalogue.value(mark, RDF.predicate) in (
                KCS.includesService,
                KCS.realises,
            ):
                return str(catalogue.value(mark, KCS.reasoning))
    raise AssertionError(f"no mark groups {instance} under {service}")


def realisations_of(catalogue: Graph, service: str) -> set[URIRef]:
    """The realisations of ``service`` as the data states them: directly, or through a solution."""
    node = URIRef(service)
    solutions = set(catalogue.subjects(KCS.includesService, node))
    return {
        realisation
        for realisation in catalogue.subjects(RDF.type, KCS.Realisation)
        if set(catalogue.objects(realisation, KCS.realises)) & (solutions | {node})
    }


@pytest.fixture
def client(site: httpx.Client) -> Iterator[httpx.Client]:
    site.headers.update(HTML)
    yield site
    for name in HTML:
        del site.headers[name]


# -- the service's page --------------------------------------------------------------------------


def test_a_service_page_lists_where_when_and_in_what_state_it_is_done(client: httpx.Client, catalogue: Graph) -> None:
    page = client.get(path_of(FVE)).text
    done = section(page, "konkretni")
    solutions = set(catalogue.subjects(KCS.includesService, URIRef(FVE)))
    realisations = realisations_of(catalogue, FVE)
    assert len(solutions) == 3 and len(realisations) == 3
    for project in solutions | realisations:
        assert linked(catalogue, project) in done
        for place in catalogue.objects(project, KCS.place):
            assert linked(catalogue, place) in done
    for project in solutions | realisations:
        row = re.search(rf"{re.escape(linked(catalogue, project))}.*?</tr>", done, re.S)
        assert row, project
        if project in solutions:
            assert linked(catalogue, catalogue.value(project, KCS.status)) in row.group(0), "its status in its row"
        assert 'class="inferred"' in row.group(0), "the grouping is a curator's: „odvozeno“"
        assert html.escape(grouping_reasoning(catalogue, project, FVE), quote=False) in row.group(0)
    places = {place for project in solutions | realisations for place in catalogue.objects(project, KCS.place)}
    where = re.search(r"Kde službu zavádějí:(.*?)</p>", done, re.S)
    assert where and all(linked(catalogue, place) in where.group(1) for place in places)
    indicators = section(page, "indikatory")
    assert all(linked(catalogue, i) in indicators for i in catalogue.objects(URIRef(FVE), KCS.hasIndicator))
    assert f'name="iri" value="{FVE}"' in page, "it can be added to the project"


def test_a_service_page_names_the_measures_and_goals_it_fulfils(client: httpx.Client, catalogue: Graph) -> None:
    general = section(client.get(path_of(CORRIDOR)).text, "obecne")
    for measure in catalogue.objects(URIRef(CORRIDOR), KCS.servesMeasure):
        assert linked(catalogue, measure) in general
    # A service a flagship includes fulfils the flagship's goals (the rule fulfils-as-part-of-solution).
    general = section(client.get(path_of(TRAFFIC_DATA)).text, "obecne")
    flagship = URIRef(ID + "solution/lk-sber-dopravnich-dat")
    goals = set(catalogue.objects(flagship, KCS.servesGoal))
    assert goals and all(linked(catalogue, goal) in general for goal in goals)


def test_a_service_without_a_general_description_says_the_curators_will_write_it(
    client: httpx.Client, catalogue: Graph
) -> None:
    assert (URIRef(PARKING), URIRef("http://purl.org/dc/terms/description"), None) not in catalogue
    general = section(client.get(path_of(PARKING)).text, "obecne")
    assert "Obecný popis služby zdroje neuvádějí" in general
    english = section(client.get(path_of(PARKING), params={"lang": "en"}).text, "obecne")
    assert "The sources give no general description of the service" in english


# -- the answer and the project builder ------------------------------------------------------------


def _service_item(page: str, iri: str) -> str:
    """The answer's item of the service ``iri``: from its link to its button „Přidat do projektu“,
    which closes every item."""
    item = re.search(rf'<a href="{re.escape(path_of(iri))}">.*?</form>', section(page, "sluzby"), re.S)
    assert item, f"{iri} is not among the answer's services"
    return item.group(0)


def test_the_answer_lists_a_service_with_the_places_that_did_it(client: httpx.Client, catalogue: Graph) -> None:
    page = client.get("/odpoved?" + urlencode({"problem": label(catalogue, FVE)})).text
    item = _service_item(page, FVE)
    for realisation in realisations_of(catalogue, FVE):
        assert linked(catalogue, realisation) in item
        for place in catalogue.objects(realisation, KCS.place):
            assert linked(catalogue, place) in item
        assert html.escape(grouping_reasoning(catalogue, realisation, FVE), quote=False) in item
    # A stack entry and the realisation carrying it out are one project: listed once, as the realisation.
    for solution in catalogue.subjects(KCS.includesService, URIRef(FVE)):
        assert linked(catalogue, solution) not in item or solution in realisations_of(catalogue, FVE)
    assert f'name="iri" value="{FVE}"' in item


def test_the_answer_lists_the_solutions_of_a_service_no_realisation_carries_out(
    client: httpx.Client, catalogue: Graph
) -> None:
    page = client.get("/odpoved?" + urlencode({"problem": label(catalogue, TRAFFIC_DATA)})).text
    item = _service_item(page, TRAFFIC_DATA)
    solutions = set(catalogue.subjects(KCS.includesService, URIRef(TRAFFIC_DATA)))
    assert solutions and not realisations_of(catalogue, TRAFFIC_DATA)
    assert all(linked(catalogue, solution) in item for solution in solutions)
    assert "stav:" in item


def test_a_service_in_the_project_shows_its_realisations(client: httpx.Client, catalogue: Graph) -> None:
    added = client.post("/projekt/pridat", data={"iri": FVE, "zpet": "/projekt"})
    assert added.status_code == 303
    page = client.get("/projekt").text
    item = section(page, "polozky")
    assert linked(catalogue, FVE) in item
    for realisation in realisations_of(catalogue, FVE):
        assert linked(catalogue, realisation) in item
        assert all(linked(catalogue, place) in item for place in catalogue.objects(realisation, KCS.place))
    english = client.get("/projekt", params={"lang": "en"}).text
    assert "Where the service is being put in place:" in english


# -- GraphQL ----------------------------------------------------------------------------------------


def graphql(client: httpx.Client, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/graphql", json={"query": query, "variables": variables}, headers={"Accept": "application/json"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "errors" not in body, body
    return body["data"]


def test_graphql_gives_a_service_its_realisations_places_and_indicators(client: httpx.Client, catalogue: Graph) -> None:
    data = graphql(
        client,
        """query ($iri: String!) { resource(iri: $iri) { ... on SmartService {
             realisations { iri places { iri } } indicators { iri } solutions { iri } } } }""",
        {"iri": FVE},
    )["resource"]
    assert {item["iri"] for item in data["realisations"]} == {str(r) for r in realisations_of(catalogue, FVE)}
    for item in data["realisations"]:
        assert {place["iri"] for place in item["places"]} == {
            str(place) for place in catalogue.objects(URIRef(item["iri"]), KCS.place)
        }
    assert {item["iri"] for item in data["indicators"]} == {
        str(i) for i in catalogue.objects(URIRef(FVE), KCS.hasIndicator)
    }
    limited = graphql(
        client,
        "query ($iri: String!) { resource(iri: $iri) { ... on SmartService { realisations(first: 1) { iri } } } }",
        {"iri": FVE},
    )["resource"]
    assert len(limited["realisations"]) == 1


def test_graphql_answers_a_problem_with_services_and_their_realisations(client: httpx.Client, catalogue: Graph) -> None:
    data = graphql(
        client,
        "query ($text: String!) { problem(text: $text) { services { iri realisations { iri } } } }",
        {"text": label(catalogue, FVE)},
    )
    found = {service["iri"]: service for service in data["problem"]["services"]}
    assert FVE in found
    assert {item["iri"] for item in found[FVE]["realisations"]} == {str(r) for r in realisations_of(catalogue, FVE)}


# -- the query layer --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(loaded_store_path: Path) -> Iterator[CatalogueStore]:
    with CatalogueStore.open(Settings(store_path=loaded_store_path), read_only=True) as opened:
        yield opened


def test_a_batch_of_services_gets_its_realisations_and_solutions_with_places_and_status(
    store: CatalogueStore, catalogue: Graph
) -> None:
    found = services.instances_of_services(store, [FVE, TRAFFIC_DATA, ID + "service/chytre-popelnice"], per_service=10)
    assert set(found) == {FVE, TRAFFIC_DATA}, "a service done nowhere is left out"
    fve = found[FVE]
    assert {item.resource.iri for item in fve.realisations} == {str(r) for r in realisations_of(catalogue, FVE)}
    assert fve.other_solutions == (), "each stack entry is carried out by a listed realisation"
    assert all(item.status is not None and item.status.kind == "Descriptor" for item in fve.solutions)
    for item in fve.realisations:
        assert {place.iri for place in item.places} == {str(p) for p in catalogue.objects(URIRef(item.resource.iri), KCS.place)}
    traffic = found[TRAFFIC_DATA]
    assert traffic.realisations == () and traffic.other_solutions == traffic.solutions
    one = services.instances_of_services(store, [FVE], per_service=1)[FVE]
    assert len(one.realisations) == 1 and len(one.solutions) == 1
    assert services.instances_of_services(store, [FVE], per_service=0) == {}
    for item in (*fve.realisations, *fve.solutions):
        assert item.grouped is not None
        assert item.grouped.text == grouping_reasoning(catalogue, URIRef(item.resource.iri), FVE)


def test_a_grouping_a_source_states_has_no_curators_reasoning(store: CatalogueStore) -> None:
    """A realisation realising a flagship (stated by the seed) is no instance of a service through it."""
    realisation = ID + "realisation/lk-dalkovy-odecet-energii-v-objektech-lk"
    flagship = ID + "solution/lk-energeticky-management"
    grouped = services.why_grouped(store, [(realisation, ID + "service/energeticky-management-budov"),
                                           (realisation, flagship)])
    assert set(grouped) == {(realisation, ID + "service/energeticky-management-budov")}
