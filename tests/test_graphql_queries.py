"""A GraphQL answer costs a number of store queries bounded by the depth of the query, not by the
number of items in it (the dataloaders batch each level); repeated answers cost none.

Counted in-process, on the real store: every query that reaches the embedded store (every call of
`EmbeddedOxigraph.query` and `construct_ntriples`) is counted and then run as usual."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from catalogue.settings import Settings
from catalogue.store import EmbeddedOxigraph
from tests.conftest import load_extra

MEASURE_FIELDS = """iri label code
  goals { iri label component { iri label pillar { iri label } } }
  components { iri } pillars { iri label }
  funding { iri label } fundingLinks { via } services { iri label } realisations { iri label }
  indicators { label } problems { iri label } synergies { links measure { iri } }"""
ONE_MEASURE = "https://w3id.org/kcs/id/measure/program-vyuziti-brownfieldu"
# No measure of the seeds has every field filled: the brownfield one has no service. One is added, so
# that the one measure loads every level the whole list loads.
ONE_MEASURES_SERVICE = f"""
<https://w3id.org/kcs/id/test/service> a <https://w3id.org/kcs/ontology#SmartService> ;
    <http://www.w3.org/2004/02/skos/core#prefLabel> "Zkušební služba"@cs ;
    <https://w3id.org/kcs/ontology#servesMeasure> <{ONE_MEASURE}> .
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("graphql-queries")
    shutil.copytree(loaded_store_path, folder / "store")
    load_extra(folder / "store", "test-service", ONE_MEASURES_SERVICE)
    settings = Settings(store_path=folder / "store", index_path=folder / "index")
    with TestClient(create_app(settings, watch=False)) as client:  # the watcher would be counted too
        yield client


@pytest.fixture
def count(app: TestClient, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``count(query)``: how many store queries answering ``query`` costs, with nothing kept from
    earlier requests (``warm=True``: right after the same request)."""
    calls: list[str] = []

    def counting(name: str) -> Any:
        real = getattr(EmbeddedOxigraph, name)

        def counted(self: EmbeddedOxigraph, sparql: str, **options: Any) -> Any:
            calls.append(sparql)
            return real(self, sparql, **options)

        return counted

    for name in ("query", "construct_ntriples"):
        monkeypatch.setattr(EmbeddedOxigraph, name, counting(name))

    def run(query: str, *, warm: bool = False) -> int:
        if warm:
            ask(app, query)
        else:
            app.app.state.catalogue.graphql_answers.clear()  # type: ignore[attr-defined]
            responses = app.app.state.catalogue.graphql_responses  # type: ignore[attr-defined]
            if responses is not None:
                responses.clear()
        calls.clear()
        ask(app, query)
        return len(calls)

    return run


def ask(app: TestClient, query: str) -> dict[str, Any]:
    response = app.post("/graphql", json={"query": query})
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    return response.json()["data"]


def test_all_measures_with_everything_on_them_cost_what_one_measure_does(app: TestClient, count: Any) -> None:
    every = f"{{ measures {{ {MEASURE_FIELDS} }} }}"
    one = f'{{ resource(iri: "{ONE_MEASURE}") {{ ... on TypeMeasure {{ {MEASURE_FIELDS} }} }} }}'
    assert len(ask(app, every)["measures"]) > 1

    # What the nested fields cost, beyond finding the measures themselves.
    for_all = count(every) - count("{ measures { iri } }")
    for_one = count(one) - count(f'{{ resource(iri: "{ONE_MEASURE}") {{ ... on TypeMeasure {{ iri }} }} }}')

    # Fewer, if anything: what one measure's fields load, the others' may have loaded already.
    assert for_all <= for_one
    # At most two store queries for each loader a level uses (11 here, with the goal → component →
    # pillar path three levels deep): bounded by the query, whatever the catalogue holds.
    assert for_all <= 2 * 11


def test_a_longer_page_costs_no_more_store_queries(count: Any) -> None:
    page = """{{ realisations(first: {first}) {{ ... on RealisationConnection {{
        items {{ iri label year places {{ iri label partOf {{ label }} }} solutions {{ iri label }}
                 measures {{ iri label }} status {{ label }} }}
        pageInfo {{ endCursor }} }} }} }}"""

    assert count(page.format(first=8)) <= count(page.format(first=1))


def test_the_pillar_tree_costs_a_few_queries_per_level(count: Any) -> None:
    tree = "{ pillars { iri components { iri goals { iri measures { iri funding { iri } } } measures { iri } } } }"

    # The strategies (2), then two per level: pillars, components, goals and measures, the measures'
    # funding.
    assert count(tree) <= 2 + 2 * 5


def test_a_repeated_answer_costs_no_store_query(count: Any) -> None:
    tree = f"{{ measures {{ {MEASURE_FIELDS} }} }}"

    assert count(tree, warm=True) == 0
