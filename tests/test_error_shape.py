"""Every API answers an error in one shape, ``{"error": {"code": …, "message": …}}``, with the message in
Czech; GraphQL carries the same codes in ``extensions.code``. One app in-process over the loaded store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from catalogue.answer import InvalidProblem
from catalogue.graphs import graph_iri
from catalogue.queries.common import InvalidIRI
from catalogue.settings import Settings

MEASURE = "/id/measure/program-vyuziti-brownfieldu"
PROPOSALS = str(graph_iri(Settings(), "web/proposals"))
TURTLE = {"Accept": "text/turtle"}
JSON = {"Accept": "application/json"}
SPARQL_UPDATE = {"Content-Type": "application/sparql-update"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("error-shape")
    shutil.copytree(loaded_store_path, folder / "store")
    with TestClient(create_app(Settings(store_path=folder / "store", index_path=folder / "index"))) as http:
        yield http


# (method, path, request options, status, code, a Czech part of the message)
CASES = {
    "sparql-no-query": ("GET", "/sparql", {}, 400, "INVALID_INPUT", "Chybí dotaz"),
    "sparql-two-queries": ("GET", "/sparql?query=ASK{}&query=ASK{}", {}, 400, "INVALID_INPUT", "jen jeden"),
    "sparql-syntax": ("GET", "/sparql", {"params": {"query": "SELECT"}}, 400, "INVALID_QUERY", "Chyba syntaxe"),
    "sparql-update-parameter": (
        "GET", "/sparql", {"params": {"update": "CLEAR ALL"}}, 403, "REFUSED_QUERY", "jen pro čtení",
    ),
    "sparql-update-body": (
        "POST", "/sparql", {"content": b"CLEAR ALL", "headers": SPARQL_UPDATE}, 403, "REFUSED_QUERY", "jen pro čtení",
    ),
    "sparql-service": (
        "GET", "/sparql", {"params": {"query": "ASK { SERVICE <http://example.org/s> { ?s ?p ?o } }"}},
        403, "REFUSED_QUERY", "není povolena",
    ),
    "sparql-private-graph": (
        "GET", "/sparql", {"params": {"query": f"SELECT * FROM <{PROPOSALS}> WHERE {{ ?s ?p ?o }}"}},
        403, "REFUSED_QUERY", "neveřejný",
    ),
    "sparql-graph-not-an-iri": (
        "GET", "/sparql", {"params": {"query": "ASK {}", "default-graph-uri": "graf"}},
        400, "INVALID_IRI", "není absolutní IRI",
    ),
    "sparql-unknown-format": (
        "GET", "/sparql", {"params": {"query": "ASK {}", "format": "yaml"}}, 400, "INVALID_INPUT", "Neznámý formát",
    ),
    "sparql-not-acceptable": (
        "GET", "/sparql", {"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}},
        406, "NOT_ACCEPTABLE", "Podporované typy",
    ),
    "sparql-construct-not-acceptable": (
        "GET", "/sparql", {"params": {"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, "headers": {"Accept": "text/csv"}},
        406, "NOT_ACCEPTABLE", "Dotaz CONSTRUCT",
    ),
    "sparql-media-type": (
        "POST", "/sparql", {"content": b"ASK {}", "headers": {"Content-Type": "text/plain"}},
        415, "UNSUPPORTED_MEDIA_TYPE", "Nepodporovaný typ obsahu",
    ),
    "sparql-not-utf-8": (
        "POST", "/sparql", {"content": b"\xff", "headers": {"Content-Type": "application/sparql-query"}},
        400, "INVALID_INPUT", "není platné UTF-8",
    ),
    "linked-data-unknown": ("GET", "/id/measure/neni", {"headers": TURTLE}, 404, "NOT_FOUND", "Katalog nezná zdroj"),
    "linked-data-private": ("GET", "/id/proposal/x", {"headers": TURTLE}, 404, "NOT_FOUND", "Katalog nezná zdroj"),
    "linked-data-bad-iri": ("GET", "/id/measure/a%3Cb%3E", {"headers": TURTLE}, 400, "INVALID_IRI", "nepřipouští"),
    "linked-data-not-acceptable": (
        "GET", MEASURE, {"headers": {"Accept": "image/png"}}, 406, "NOT_ACCEPTABLE", "k dispozici",
    ),
    "linked-data-unknown-format": (
        "GET", MEASURE, {"params": {"format": "xml"}, "headers": TURTLE}, 400, "INVALID_INPUT", "Neznámý formát",
    ),
    "ontology-unknown-form": ("GET", "/ontology.xml", {"headers": TURTLE}, 404, "NOT_FOUND", "Katalog nezná zdroj"),
    "site-unknown-page": ("GET", "/tahle-stranka-neni", {"headers": JSON}, 404, "NOT_FOUND", "Na této adrese nic není"),
    "site-wrong-method": ("POST", "/koncepce", {"headers": JSON}, 405, "METHOD_NOT_ALLOWED", "nelze poslat"),
    "project-json-bad-item": (
        "GET", "/projekt.json", {"params": {"polozka": "a b"}, "headers": JSON}, 400, "INVALID_INPUT", "není platná IRI",
    ),
}


@pytest.mark.parametrize(("method", "path", "options", "status", "code", "says"), CASES.values(), ids=CASES.keys())
def test_an_api_error_has_the_one_shape(
    client: TestClient, method: str, path: str, options: dict, status: int, code: str, says: str
) -> None:
    answer = client.request(method, path, **options)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["x-content-type-options"] == "nosniff"
    body = answer.json()
    assert list(body) == ["error"] and list(body["error"]) == ["code", "message"], body
    assert body["error"]["code"] == code
    message = body["error"]["message"]
    assert says in message and message == " ".join(message.split()), "one line of Czech"


PROBLEM = "query($text: String!, $filter: ProblemFilter) { problem(text: $text, filter: $filter) { text } }"


@pytest.mark.parametrize(
    ("variables", "code", "says"),
    [
        ({"text": "   "}, InvalidProblem.code, "prázdný"),
        ({"text": "brownfieldy", "filter": {"place": "Liberec"}}, InvalidIRI.code, "není platné IRI"),
    ],
    ids=["empty-problem", "place-not-an-iri"],
)
def test_graphql_errors_carry_the_same_codes(client: TestClient, variables: dict, code: str, says: str) -> None:
    body = client.post("/graphql", json={"query": PROBLEM, "variables": variables}).json()
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code and says in error["message"]
