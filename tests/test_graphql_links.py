"""Measures and services reached through a solution: the realisation filters and the measure's lists
follow a realisation to the solution it realises.

The seed catalogue links no stack entry to a type measure, so this module serves a copy of it with a
few such links, and a service of its own, added in a graph of their own."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalogue.settings import Settings
from tests.conftest import app_client, load_extra

KCS = "https://w3id.org/kcs/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ID = "https://w3id.org/kcs/id/"
BROWNFIELDS = ID + "measure/program-vyuziti-brownfieldu"
NETWORKS = ID + "measure/a4-pateri-datove-site"
NAVIGATION = ID + "test/service/navigace"
SOLUTION = ID + "solution/lk-zasobnik-45"  # realised by the photovoltaics of the Česká Lípa grammar school
PHOTOVOLTAICS = ID + "service/fotovoltaicka-elektrarna-na-budove-skoly"  # the seeds' service of SOLUTION
THROUGH_SOLUTION = ID + "realisation/lk-fve-gymnazium-ceska-lipa"
DIRECT = ID + "realisation/lk-sps-ceska-lipa-stavebni-priprava-pro-hospodareni-se-sedou-vodou"
LINKS = [
    (SOLUTION, "servesMeasure", BROWNFIELDS),
    (SOLUTION, "includesService", NAVIGATION),
    (DIRECT, "servesMeasure", NETWORKS),
]


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[httpx.Client]:
    """The app in-process over the catalogue plus :data:`LINKS`."""
    folder = tmp_path_factory.mktemp("graphql-links")
    store = folder / "linked-store"
    shutil.copytree(loaded_store_path, store)
    service = f'<{NAVIGATION}> a <{KCS}SmartService> ; <{SKOS}prefLabel> "Zkušební navigace"@cs .\n'
    load_extra(store, "test-links", service + "".join(f"<{s}> <{KCS}{p}> <{o}> .\n" for s, p, o in LINKS))
    with app_client(Settings(store_path=store, index_path=folder / "index")) as client:
        yield client


def data(site: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = site.post("/graphql", json={"query": query, "variables": variables or {}})
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, response.text
    return body["data"]


def listed(linked: httpx.Client, field: str, filters: dict[str, str]) -> set[str]:
    connection = "RealisationConnection" if field == "realisations" else "SmartSolutionConnection"
    found = data(
        linked,
        f"query ($filter: ProjectFilter) {{ {field}(filter: $filter, first: 100) {{ "
        f"... on {connection} {{ items {{ iri }} pageInfo {{ hasNextPage }} }} }} }}",
        {"filter": filters},
    )[field]
    assert not found["pageInfo"]["hasNextPage"]
    return {item["iri"] for item in found["items"]}


@pytest.mark.parametrize(
    ("field", "filters", "expected"),
    [
        ("realisations", {"measure": BROWNFIELDS}, {THROUGH_SOLUTION}),
        ("realisations", {"measure": NETWORKS}, {DIRECT}),
        ("realisations", {"service": NAVIGATION}, {THROUGH_SOLUTION}),
        ("realisations", {"service": NAVIGATION, "region": ID + "place/liberecky-kraj"}, {THROUGH_SOLUTION}),
        ("realisations", {"service": NAVIGATION, "place": ID + "place/liberec"}, set()),
        ("solutions", {"measure": BROWNFIELDS}, {SOLUTION}),
        ("solutions", {"service": NAVIGATION}, {SOLUTION}),
        ("solutions", {"measure": NETWORKS}, set()),
    ],
    ids=[
        "realisation, measure through its solution",
        "realisation, measure of its own",
        "realisation, service through its solution",
        "realisation, service and region",
        "realisation, service and another place",
        "solution by measure",
        "solution by service",
        "solution, a measure only a realisation serves",
    ],
)
def test_filters_follow_a_realisation_to_its_solution(
    linked: httpx.Client, field: str, filters: dict[str, str], expected: set[str]
) -> None:
    assert listed(linked, field, filters) == expected


def test_a_measure_lists_the_solution_its_realisations_and_its_service(linked: httpx.Client) -> None:
    measure = data(
        linked,
        """query ($iri: String!) { resource(iri: $iri) { ... on TypeMeasure {
             realisations(first: 50) { __typename iri } services { iri } } } }""",
        {"iri": BROWNFIELDS},
    )["resource"]

    assert {(item["__typename"], item["iri"]) for item in measure["realisations"]} >= {
        ("SmartSolution", SOLUTION),
        ("Realisation", THROUGH_SOLUTION),
    }
    assert measure["services"] == [{"iri": PHOTOVOLTAICS}, {"iri": NAVIGATION}]


def test_a_realisation_shows_the_measure_and_service_of_its_solution(linked: httpx.Client) -> None:
    realisation = data(
        linked,
        """query ($iri: String!) { resource(iri: $iri) { ... on Realisation {
             measures { iri } services { iri } solutions { iri measures { iri } services { iri } } } } }""",
        {"iri": THROUGH_SOLUTION},
    )["resource"]

    services = [{"iri": PHOTOVOLTAICS}, {"iri": NAVIGATION}]  # in label order
    assert realisation["measures"] == [{"iri": BROWNFIELDS}]
    assert realisation["services"] == services
    solution = next(item for item in realisation["solutions"] if item["iri"] == SOLUTION)
    assert solution == {"iri": SOLUTION, "measures": [{"iri": BROWNFIELDS}], "services": services}
