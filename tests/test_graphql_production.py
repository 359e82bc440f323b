"""The GraphQL API of a real `katalog serve` in production: no introspection, no GraphiQL, internal
errors masked while the client's own mistakes are still explained."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.graphql import NO_IDE
from api.graphql.limits import MASKED_MESSAGE
from tests.conftest import running_server


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("production")
    with running_server(folder, loaded_store_path, env={"KATALOG_ENVIRONMENT": "production"}) as base:
        yield base, folder


def post(base: str, query: str) -> dict:
    response = httpx.post(f"{base}/graphql", json={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_introspection_is_refused(production: tuple[str, Path]) -> None:
    base, _ = production

    for query in ("{ __schema { types { name } } }", '{ __type(name: "TypeMeasure") { fields { name } } }'):
        body = post(base, query)
        assert body["data"] is None
        assert "introspection" in body["errors"][0]["message"].lower()


def test_ordinary_queries_still_work(production: tuple[str, Path]) -> None:
    base, _ = production

    body = post(base, "{ pillars { label components { label } } }")

    assert "errors" not in body and body["data"]["pillars"]


def test_graphiql_is_off(production: tuple[str, Path]) -> None:
    base, _ = production

    response = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"}, timeout=30)

    assert response.status_code == 404
    assert response.text == NO_IDE


def test_the_clients_own_mistakes_are_still_explained(production: tuple[str, Path]) -> None:
    base, _ = production

    problem = post(base, '{ problem(text: "") { goodMatch } }')
    lookup = post(base, '{ resource(iri: "no iri") { ... on InvalidInput { message } } }')
    unknown_field = post(base, "{ pillars { colour } }")

    assert problem["errors"][0]["extensions"]["code"] == "INVALID_PROBLEM"
    assert "prázdný" in problem["errors"][0]["message"]
    assert "není platné IRI" in lookup["data"]["resource"]["message"]
    assert "colour" in unknown_field["errors"][0]["message"]


def test_an_internal_error_is_masked(production: tuple[str, Path]) -> None:
    base, folder = production
    search = '{ search(text: "brownfield") { __typename } }'
    assert "errors" not in post(base, search)  # the server has the index open now
    # The index's files vanishing under the running server is a fault of the server, not of the query.
    shutil.rmtree(folder / "index")

    # Another text: the first answer was kept, and is rightly still given for the same query.
    body = post(base, '{ search(text: "coworking") { __typename } }')

    assert body["data"] is None
    assert body["errors"][0]["message"] == MASKED_MESSAGE
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL_ERROR"}
    assert str(folder) not in str(body) and "Traceback" not in str(body)
