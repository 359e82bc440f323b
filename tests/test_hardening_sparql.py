"""Issue 14, the /sparql rows: S17 (a few slow clients starved everyone) and S18 (the row cap did not cap
the bytes of an answer).

The S17 tests run the real app under uvicorn on 127.0.0.1 with its real worker processes, and send each
client's requests from an address of its own on the loopback network (127.0.0.2, 127.0.0.3, …): the
per-client limits key on the peer's address, so distinct addresses are distinct clients."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
import pytest
import uvicorn

from api import server
from api.app import create_app
from api.sparql_pool import QueryPool
from api.sparql_worker import AnswerTooLarge, _serialize_solutions, _serialize_triples, _Solutions
from catalogue.settings import Settings
from tests.conftest import app_client, free_port

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # runs until it is killed
ASK = "ASK { ?s ?p ?o }"
# Each row's ?big is its object's text 64 times over: a 470-byte query of this kind answered 42 MB.
BIG = """SELECT ?big WHERE {
  ?s ?p ?o BIND (STR(?o) AS ?a) BIND (CONCAT(?a, ?a, ?a, ?a, ?a, ?a, ?a, ?a) AS ?b)
  BIND (CONCAT(?b, ?b, ?b, ?b, ?b, ?b, ?b, ?b) AS ?big) }"""
BIG_GRAPH = """CONSTRUCT { ?s <urn:test:big> ?big } WHERE {
  ?s ?p ?o BIND (STR(?o) AS ?a) BIND (CONCAT(?a, ?a, ?a, ?a, ?a, ?a, ?a, ?a) AS ?b)
  BIND (CONCAT(?b, ?b, ?b, ?b, ?b, ?b, ?b, ?b) AS ?big) }"""
CAP = 200_000
TIMEOUT = 5.0  # the endpoint's time limit in the S17 server: how long a runaway holds a worker
BUDGET = 4.0  # seconds of query time a client may use a minute in the S17 server


def _error(answer: httpx.Response, code: str) -> str:
    assert answer.headers["content-type"] == "application/json", answer.text
    body = answer.json()
    assert body["error"]["code"] == code, body
    return body["error"]["message"]


# -- S18: the bytes of one answer are capped ---------------------------------------------------------


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[Any]:
    """The app in-process with real workers and an answer cap of CAP bytes."""
    folder = tmp_path_factory.mktemp("s18")
    shutil.copytree(loaded_store_path, folder / "store")
    settings = Settings(store_path=folder / "store", index_path=folder / "index", sparql_max_answer_bytes=CAP)
    with app_client(settings) as site:
        yield site


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (BIG, "application/sparql-results+json"),
        (BIG, "application/sparql-results+xml"),
        (BIG, "text/csv"),
        (BIG, "text/tab-separated-values"),
        (BIG_GRAPH, "text/turtle"),
        (BIG_GRAPH, "application/n-triples"),
        (BIG_GRAPH, "application/ld+json"),
        (BIG_GRAPH, "application/rdf+xml"),
    ],
)
def test_s18_an_answer_past_the_byte_cap_is_refused_with_413_and_one_under_it_is_answered(
    capped: Any, query: str, accept: str
) -> None:
    over = capped.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert over.status_code == 413, over.text[:300]
    message = _error(over, "ANSWER_TOO_LARGE")
    assert "200 kB" in message and f"{CAP} bajtů" in message, message
    assert "méně řádků" in message and "LIMIT" in message
    assert len(over.content) < 1000

    under = capped.get("/sparql", params={"query": query + " LIMIT 3"}, headers={"Accept": accept})
    assert under.status_code == 200, under.text[:300]
    assert under.headers["content-type"].startswith(accept)
    assert 0 < len(under.content) <= CAP


def test_s18_the_cap_is_the_settings_and_the_row_cap_still_cuts_first(capped: Any) -> None:
    """Under the byte cap, the row cap works as before: the same query of few rows is answered whole."""
    rows = capped.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 50"})
    assert rows.status_code == 200 and len(rows.json()["results"]["bindings"]) == 50
    assert rows.headers["x-result-truncated"] == "false"


@pytest.fixture(scope="module")
def big_store() -> ox.Store:
    """10,000 triples of 4,000-character literals: 40 MB of text, as the 42 MB answer of the report."""
    store = ox.Store()
    predicate = ox.NamedNode("urn:test:p")
    store.extend(
        ox.Quad(ox.NamedNode(f"urn:test:s{i}"), predicate, ox.Literal(f"{i:06d}" + "x" * 3994)) for i in range(10_000)
    )
    return store


class _Counted:
    """The rows of a real query result, counting how many the serializer read."""

    def __init__(self, rows: Any) -> None:
        self._rows = iter(rows)
        self.read = 0

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> Any:
        row = next(self._rows)
        self.read += 1
        return row


@pytest.mark.parametrize("format_name", ["json", "xml", "csv", "tsv"])
def test_s18_the_worker_stops_reading_rows_at_the_cap_instead_of_building_the_whole_answer(
    big_store: ox.Store, format_name: str
) -> None:
    results = big_store.query("SELECT ?o WHERE { ?s ?p ?o }")
    assert isinstance(results, ox.QuerySolutions)
    rows = _Counted(results)
    with pytest.raises(AnswerTooLarge):
        _serialize_solutions(_Solutions(["o"], rows), format_name, 10_000, CAP)
    # 4,000 characters a row: the cap is passed after about 50 rows of the 10,000.
    assert rows.read <= CAP // 4000 + 2, rows.read


@pytest.mark.parametrize("format_name", ["turtle", "ntriples", "jsonld", "rdfxml"])
def test_s18_the_worker_stops_reading_triples_at_the_cap(big_store: ox.Store, format_name: str) -> None:
    triples = _Counted(big_store.query("CONSTRUCT WHERE { ?s ?p ?o }"))
    with pytest.raises(AnswerTooLarge):
        _serialize_triples(triples, format_name, 10_000, CAP, {})
    assert triples.read <= CAP // 4000 + 4, triples.read
    small = big_store.query("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3")
    body, truncated = _serialize_triples(small, format_name, 10_000, CAP, {})
    assert not truncated and body.count(b"x" * 3994) == 3


# -- S17: per-client limits, and no long wait for a worker others hold ------------------------------


@dataclass
class _Site:
    base: str
    app: Any

    @property
    def pool(self) -> QueryPool:
        pool = self.app.state.catalogue and self.app.state.catalogue.sparql_pool
        assert pool is not None, "the app has not started (or has stopped)"
        return pool

    def client(self, address: str) -> httpx.Client:
        """A client whose connections come from ``address`` (on the loopback network)."""
        return httpx.Client(base_url=self.base, transport=httpx.HTTPTransport(local_address=address), timeout=30)

    def wait_for_idle_workers(self, count: int = 2, within: float = 30.0) -> None:
        """Until ``count`` workers are ready and idle: a killed one's replacement takes a moment to start."""
        deadline = time.monotonic() + within
        while len(self.pool._idle) < count:
            assert time.monotonic() < deadline, "the /sparql workers did not come back"
            time.sleep(0.05)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[_Site]:
    """The real app under uvicorn on 127.0.0.1 (as `katalog serve` runs it), with two real workers, a
    TIMEOUT-second time limit, one query at a time per client and BUDGET seconds a minute per client."""
    folder = tmp_path_factory.mktemp("s17")
    shutil.copytree(loaded_store_path, folder / "store")
    settings = Settings(
        store_path=folder / "store",
        index_path=folder / "index",
        sparql_endpoint_timeout=TIMEOUT,
        sparql_client_concurrency=1,
        sparql_client_seconds_per_minute=BUDGET,
        sparql_max_answer_bytes=16_000_000,
    )
    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        http=server.protocol(settings.header_timeout),
        proxy_headers=False,
        log_level="warning",
    )
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not uvicorn_server.started or app.state.catalogue is None:
            assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
            time.sleep(0.05)
        running = _Site(f"http://127.0.0.1:{port}", app)
        running.wait_for_idle_workers(within=60)
        yield running
    finally:
        uvicorn_server.should_exit = True
        thread.join(timeout=30)


def _started(pool: ThreadPoolExecutor, client: httpx.Client, query: str) -> Any:
    return pool.submit(client.get, "/sparql", params={"query": query})


def test_s17_a_clients_second_query_is_refused_at_once_while_another_client_is_answered(site: _Site) -> None:
    site.wait_for_idle_workers()
    with (
        site.client("127.0.0.2") as attacker,
        site.client("127.0.0.5") as other,
        ThreadPoolExecutor(max_workers=1) as background,
    ):
        runaway = _started(background, attacker, RUNAWAY)
        time.sleep(0.5)  # it holds a worker now
        sent = time.monotonic()
        second = attacker.get("/sparql", params={"query": ASK})
        refused_in = time.monotonic() - sent
        sent = time.monotonic()
        answered = other.get("/sparql", params={"query": ASK})
        answered_in = time.monotonic() - sent
        still_running = not runaway.done()
        first = runaway.result(timeout=30)
    assert second.status_code == 429 and refused_in < 1.0, (second.status_code, refused_in)
    message = _error(second, "TOO_MANY_QUERIES")
    assert "Z vaší adresy už běží dotaz" in message and "Počkejte" in message
    assert answered.status_code == 200 and answered.json()["boolean"] is True
    assert answered_in < 2.0 and still_running, (answered_in, still_running)
    assert first.status_code == 503  # the runaway met the time limit


def test_s17_a_client_past_its_time_budget_gets_429_with_retry_after(site: _Site) -> None:
    site.wait_for_idle_workers()
    with site.client("127.0.0.7") as spender:
        assert spender.get("/sparql", params={"query": ASK}).status_code == 200, "under the budget: answered"
        stopped = spender.get("/sparql", params={"query": RUNAWAY})  # holds a worker for TIMEOUT s > BUDGET
        assert stopped.status_code == 503
        sent = time.monotonic()
        refused = spender.get("/sparql", params={"query": ASK})
        refused_in = time.monotonic() - sent
    assert refused.status_code == 429 and refused_in < 1.0
    message = _error(refused, "QUERY_TIME_BUDGET")
    assert f"víc než {BUDGET:g} s" in message and "Zkuste to znovu za" in message
    wait = int(refused.headers["retry-after"])
    assert 50 <= wait <= 60, wait  # the runaway's time counts for a minute after it ended
    assert f"za {wait} s" in message
    with site.client("127.0.0.8") as someone_else:
        assert someone_else.get("/sparql", params={"query": ASK}).status_code == 200, "the budget is per client"


def test_s17_with_every_worker_held_by_others_a_query_gets_503_soon_not_after_the_time_limit(site: _Site) -> None:
    """Two clients' runaways hold both workers for TIMEOUT s: a third client is told within a few seconds
    to come back (503 with Retry-After), instead of waiting up to the time limit and 10 s more."""
    site.wait_for_idle_workers()
    with (
        site.client("127.0.0.3") as first,
        site.client("127.0.0.4") as second,
        site.client("127.0.0.6") as third,
        ThreadPoolExecutor(max_workers=2) as background,
    ):
        runaways = [_started(background, first, RUNAWAY), _started(background, second, RUNAWAY)]
        time.sleep(0.7)  # both hold a worker now
        sent = time.monotonic()
        waited = third.get("/sparql", params={"query": ASK})
        waited_in = time.monotonic() - sent
        held = not any(runaway.done() for runaway in runaways)
        ended = [runaway.result(timeout=30) for runaway in runaways]
    assert waited.status_code == 503 and waited_in < TIMEOUT - 1.5, (waited.status_code, waited_in)
    assert "zaneprázdněné" in _error(waited, "UNAVAILABLE")
    assert waited.headers["retry-after"] == "1"
    assert held, "both runaways must still hold their workers for this test to mean anything"
    assert [answer.status_code for answer in ended] == [503, 503]


# About 10 MB of SPARQL JSON from the catalogue: under the S17 server's cap, and well over the 4 MB a
# connection's kernel buffers may take, so the server is left holding the rest.
MIDDLING = """SELECT ?s ?p ?o ?b WHERE { ?s ?p ?o BIND (STR(?o) AS ?a) BIND (CONCAT(?a, ?a, ?a, ?a, ?a) AS ?a5)
  BIND (CONCAT(?a5, ?a5, ?a5, ?a5) AS ?b) }"""


def test_s17_an_answer_the_client_does_not_read_holds_its_place_until_it_is_sent(site: _Site) -> None:
    """A client that does not read its answers cannot pile them up in the server's memory on new
    connections (8 clients that did not read took the process from 211 to 1,032 MB): the answer keeps
    its client's place until it has been sent, or the client went away."""
    site.wait_for_idle_workers()
    address = "127.0.0.11"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as stalled:
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window, never read
        stalled.bind((address, 0))
        stalled.connect(("127.0.0.1", int(site.base.rsplit(":", 1)[1])))
        target = "/sparql?" + urlencode({"query": MIDDLING, "format": "json"})
        stalled.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        with site.client(address) as same:
            deadline = time.monotonic() + 15
            while not site.pool.clients._used.get(address):  # charged once its query has run
                assert time.monotonic() < deadline, "the stalled client's query did not run"
                time.sleep(0.05)
            time.sleep(0.5)  # its answer is being sent, and the connection's buffers are full
            refused = same.get("/sparql", params={"query": ASK})
            assert refused.status_code == 429, refused.text
            assert "Z vaší adresy už běží dotaz" in _error(refused, "TOO_MANY_QUERIES")
            stalled.close()  # the client goes away: its answer is dropped and its place freed
            deadline = time.monotonic() + 10
            while (again := same.get("/sparql", params={"query": ASK})).status_code == 429:
                assert time.monotonic() < deadline, again.text
                time.sleep(0.2)
    assert again.status_code == 200 and again.json()["boolean"] is True
