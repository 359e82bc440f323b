"""Rows of issue 14 (the server under abuse), each tested by name."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from catalogue.queries.sparql_guard import InvalidQuery, check_query
from catalogue.settings import Settings
from tests.conftest import app_client


def test_s16_deeply_nested_sparql_is_refused_in_czech() -> None:
    """2,000 nested groups once reached rdflib's parser and died as a RecursionError (a 500)."""
    query = "SELECT * WHERE " + "{" * 2000 + " ?s ?p ?o " + "}" * 2000
    with pytest.raises(InvalidQuery) as refused:
        check_query(query)
    assert refused.value.status == 400
    assert "vnořený příliš hluboko" in str(refused.value)


def test_s16_nesting_scan_ignores_strings_iris_and_comments() -> None:
    """Braces in literals, comments and comparisons do not count towards the depth."""
    noise = '"' + "{" * 300 + '" ' + "'''" + "(" * 300 + "''' "
    query = (
        "# " + "{" * 300 + "\n"
        "SELECT ?s WHERE { ?s <http://example.org/p> ?o . "
        f"FILTER (?o < 5 || ?o IN ({noise.strip().replace(' ', ', ')})) }}"
    )
    assert check_query(query).form == "SELECT"


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[TestClient]:
    """The app in-process, in production, over a copy of the loaded catalogue."""
    folder = tmp_path_factory.mktemp("hardening")
    shutil.copytree(loaded_store_path, folder / "store")
    settings = Settings(store_path=folder / "store", index_path=folder / "index", environment="production")
    with app_client(settings) as client:
        yield client


def test_g9_production_graphql_suggests_no_field_names(production: TestClient) -> None:
    """A mistyped field is still refused and named, but the schema's near names are not offered."""
    response = production.post("/graphql", json={"query": "{ measure { label } }"})
    assert response.status_code == 200, response.text
    message = response.json()["errors"][0]["message"]
    assert "measure" in message
    assert "Did you mean" not in message and "measures" not in message


def test_g9_development_graphql_still_suggests(settings: Settings) -> None:
    """Outside production the hint stays: it helps whoever writes a query against the schema."""
    with app_client(settings) as client:
        response = client.post("/graphql", json={"query": "{ measure { label } }"})
    assert "Did you mean" in response.json()["errors"][0]["message"]
    with app_client(settings) as client:
        assert client.get("/docs").status_code == 200


def test_g9_production_serves_no_openapi_schema_nor_explorers(production: TestClient) -> None:
    for path in ("/openapi.json", "/docs", "/redoc"):
        assert production.get(path).status_code == 404, path
