"""Rows of issue 14 (the server under abuse), each tested by name."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from starlette.requests import ClientDisconnect
from starlette.types import Message, Receive, Scope, Send

from api.body_limit import BodyLimitMiddleware
from api.hosts import allowed_hosts, host_allowed
from catalogue.queries.sparql_guard import InvalidQuery, check_query
from catalogue.settings import Settings
from tests.conftest import app_client
from tests.test_web_project import ZPO_MEASURE


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


PUBLIC_URL = "https://katalog.example.cz"
SHARED = "/projekt?" + urlencode([("polozka", ZPO_MEASURE)])


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[TestClient]:
    """The app in-process, in production, over a copy of the loaded catalogue."""
    folder = tmp_path_factory.mktemp("hardening")
    shutil.copytree(loaded_store_path, folder / "store")
    settings = Settings(
        store_path=folder / "store",
        index_path=folder / "index",
        environment="production",
        public_url=PUBLIC_URL,
        allowed_hosts=["katalog.example.cz", "testserver"],
    )
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


def test_s15_declared_body_over_the_limit_is_refused_unread(production: TestClient) -> None:
    """A Content-Length over KATALOG_MAX_BODY_BYTES is refused with 413 in Czech, on /sparql and /graphql."""
    body = b"query=" + b"x" * (2**20 + 1)
    for path, content_type in (("/sparql", "application/x-www-form-urlencoded"), ("/graphql", "application/json")):
        response = production.post(path, content=body, headers={"content-type": content_type})
        assert response.status_code == 413, path
        assert "Tělo požadavku je příliš velké" in response.json()["error"]["message"]


def test_s15_uploads_have_a_larger_limit_of_their_own(production: TestClient) -> None:
    """A multipart body may pass the body limit (an import's file), up to KATALOG_MAX_UPLOAD_BYTES."""
    small = {"soubor": ("a.csv", b"x" * (2 * 2**20), "text/csv")}
    assert production.post("/upravy/import", files=small).status_code != 413
    big = {"soubor": ("a.csv", b"x" * (11 * 2**20), "text/csv")}
    response = production.post("/upravy/import", files=big)
    assert response.status_code == 413
    assert "10 MB" in response.json()["error"]["message"]


def test_s15_streamed_body_is_cut_off_at_the_limit() -> None:
    """A chunked body (no Content-Length) is counted as it arrives: the refusal comes at the first chunk past
    the limit, and the rest is never read."""
    read: list[int] = []

    async def reading_app(scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read it all"})

    async def receive() -> Message:
        read.append(1)
        return {"type": "http.request", "body": b"x" * 65536, "more_body": len(read) < 1000}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    middleware = BodyLimitMiddleware(reading_app, max_body=2**20, max_upload=10 * 2**20)
    scope = {"type": "http", "method": "POST", "path": "/sparql", "headers": [(b"content-type", b"text/plain")]}
    asyncio.run(middleware(scope, receive, send))
    assert len(read) == 17  # 16 chunks are exactly 1 MB
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [413]
    assert b"read it all" not in b"".join(m.get("body", b"") for m in sent)


def test_w13_a_host_not_allowed_is_refused_in_czech(production: TestClient) -> None:
    for path in (SHARED, "/zmeny.atom", "/healthz"):
        response = production.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400, path
        assert "hlavička Host" in response.json()["error"]["message"]
    assert production.get(SHARED, headers={"Host": "katalog.example.cz:443"}).status_code == 200


def test_w13_share_links_are_built_from_the_public_url(production: TestClient) -> None:
    page = production.get(SHARED).text
    assert f'value="{PUBLIC_URL}{SHARED}"'.replace("&", "&amp;") in page
    assert "http://testserver/projekt" not in page
    feed = production.get("/zmeny.atom").text
    assert f'href="{PUBLIC_URL}/zmeny.atom"' in feed


def test_w13_default_hosts_are_the_public_urls_and_the_loopback() -> None:
    production = Settings(environment="production", public_url="https://katalog.example.cz")
    assert allowed_hosts(production) == ("katalog.example.cz", "127.0.0.1", "localhost", "::1")
    assert host_allowed("[::1]:8000", allowed_hosts(production))
    assert not host_allowed("evil.example", allowed_hosts(production))
    assert host_allowed("a.example.cz", ["*.example.cz"]) and not host_allowed("example.cz.evil", ["*.example.cz"])
