"""`/sparql` on a real `katalog serve`: the SPARQL 1.1 Protocol, every answer format, the read-only
safeguards, the row cap, the hard time limit that kills a runaway query while the server keeps answering,
and (on the worker pool itself) the memory cap."""

from __future__ import annotations

import asyncio
import csv
import io
import shutil
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import RDF, SKOS, Graph, URIRef
from rdflib import Literal as RdfLiteral

from api.sparql_pool import MemoryExceeded, QueryPool
from api.sparql_worker import QueryRequest
from catalogue.graphs import graph_iri, version_graph
from catalogue.queries import version as catalogue_version
from catalogue.queries.common import PREFIXES
from catalogue.queries.proposals import parsed_contact, store_proposal
from catalogue.queries.version import catalogue_iri
from catalogue.runtime import Catalogue
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from catalogue.vocabulary import KCS
from tests.conftest import katalog, oxigraph_server, running_server, server_settings

PILLARS = (
    PREFIXES
    + """SELECT ?pillar ?label WHERE { ?pillar a kcs:Pillar ; skos:prefLabel ?label . FILTER (lang(?label) = "cs") }
ORDER BY ?pillar"""
)
PILLAR_GRAPH = (
    PREFIXES
    + """CONSTRUCT { ?pillar a kcs:Pillar ; skos:prefLabel ?label }
WHERE { ?pillar a kcs:Pillar ; skos:prefLabel ?label . FILTER (lang(?label) = "cs") }"""
)
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CROSS_PRODUCT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
NATIONAL = str(graph_iri(Settings(), "national-concept"))
SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[tuple[str, Path]]:
    """A server with the default settings, and the folder of its own store (to check it stays unchanged)."""
    folder = tmp_path_factory.mktemp("sparql")
    with running_server(folder, loaded_store_path) as base:
        yield f"{base}/sparql", folder / "store"


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[tuple[str, Path]]:
    """A server whose /sparql stops queries after 2 s and returns at most 25 rows."""
    folder = tmp_path_factory.mktemp("sparql-limited")
    env = {"KATALOG_SPARQL_ENDPOINT_TIMEOUT": "2", "KATALOG_SPARQL_ENDPOINT_ROW_LIMIT": "25"}
    with running_server(folder, loaded_store_path, env=env) as base:
        yield base, folder / "store"


@pytest.fixture(scope="module")
def expected_pillars(catalogue: Graph) -> set[tuple[str, str]]:
    """The pillars and their Czech labels, read from the catalogue's Turtle files without the endpoint."""
    pairs = {
        (str(pillar), str(label))
        for pillar in catalogue.subjects(RDF.type, KCS.Pillar)
        for label in catalogue.objects(pillar, SKOS.prefLabel)
        if isinstance(label, RdfLiteral) and label.language == "cs"
    }
    assert len(pairs) >= 3
    return pairs


def _get(url: str, query: str, accept: str | None = None, **params: str) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.get(url, params={"query": query, **params}, headers=headers, timeout=30)


def _error(answer: httpx.Response, code: str) -> str:
    """The message of an error answer in the API's one JSON shape, checked to carry ``code``."""
    assert answer.headers["content-type"] == "application/json", answer.text
    body = answer.json()
    assert list(body) == ["error"] and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code, body
    return body["error"]["message"]


def _xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - the XML is our own server's answer


def _rows(answer: httpx.Response, kind: str) -> set[tuple[str, str]]:
    """The (pillar, label) rows of a SELECT answer, read with a parser of its format."""
    if kind == "json":
        return {(b["pillar"]["value"], b["label"]["value"]) for b in answer.json()["results"]["bindings"]}
    if kind == "xml":
        rows = set()
        for result in _xml(answer.content).iter(f"{SPARQL_RESULTS}result"):
            values = {b.get("name"): "".join(b.itertext()) for b in result.iter(f"{SPARQL_RESULTS}binding")}
            rows.add((values["pillar"], values["label"]))
        return rows
    if kind == "csv":
        header, *rows = list(csv.reader(io.StringIO(answer.text)))
        assert header == ["pillar", "label"]
        return {(row[0], row[1]) for row in rows}
    solutions = ox.parse_query_results(answer.content, ox.QueryResultsFormat.TSV)
    return {(solution["pillar"].value, solution["label"].value) for solution in solutions}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("accept", "kind", "media_type"),
    [
        (None, "json", "application/sparql-results+json"),
        ("application/sparql-results+json", "json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "xml", "application/sparql-results+xml"),
        ("text/csv", "csv", "text/csv"),
        ("text/tab-separated-values", "tsv", "text/tab-separated-values"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "xml", "application/sparql-results+xml"),
    ],
)
def test_select_answers_parse_in_every_results_format(
    endpoint: tuple[str, Path], expected_pillars: set[tuple[str, str]], accept: str | None, kind: str, media_type: str
) -> None:
    answer = _get(endpoint[0], PILLARS, accept)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(media_type)
    assert answer.headers["vary"] == "Accept" and answer.headers["x-result-truncated"] == "false"
    assert _rows(answer, kind) == expected_pillars


@pytest.mark.parametrize(
    ("accept", "rdflib_format", "media_type"),
    [
        (None, "turtle", "text/turtle"),
        ("text/turtle", "turtle", "text/turtle"),
        ("application/ld+json", "json-ld", "application/ld+json"),
        ("application/n-triples", "nt", "application/n-triples"),
        ("application/rdf+xml", "xml", "application/rdf+xml"),
    ],
)
def test_construct_answers_parse_in_every_graph_format(
    endpoint: tuple[str, Path],
    expected_pillars: set[tuple[str, str]],
    accept: str | None,
    rdflib_format: str,
    media_type: str,
) -> None:
    answer = _get(endpoint[0], PILLAR_GRAPH, accept)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(media_type)
    graph = Graph().parse(data=answer.content, format=rdflib_format)
    expected = {(URIRef(p), RDF.type, KCS.Pillar) for p, _ in expected_pillars} | {
        (URIRef(p), SKOS.prefLabel, RdfLiteral(label, lang="cs")) for p, label in expected_pillars
    }
    assert set(graph) == expected


def test_ask_and_describe_answer_in_their_default_formats(endpoint: tuple[str, Path]) -> None:
    url = endpoint[0]
    assert _get(url, PREFIXES + "ASK { ?x a kcs:Pillar }").json()["boolean"] is True
    xml = _get(url, "ASK { ?x a <urn:example:Nothing> }", "application/sparql-results+xml")
    assert _xml(xml.content).findtext(f"{SPARQL_RESULTS}boolean") == "false"
    described = _get(url, f"DESCRIBE <{NATIONAL}>")  # the load log describes each graph it loaded
    assert described.headers["content-type"].startswith("text/turtle")
    assert len(Graph().parse(data=described.text, format="turtle")) > 0


def test_get_and_both_posts_give_the_same_answer(endpoint: tuple[str, Path]) -> None:
    url = endpoint[0]
    by_get = _get(url, PILLARS)
    by_form = httpx.post(url, data={"query": PILLARS}, timeout=30)
    by_body = httpx.post(
        url, content=PILLARS.encode(), headers={"Content-Type": "application/sparql-query; charset=utf-8"}, timeout=30
    )
    assert by_get.status_code == by_form.status_code == by_body.status_code == 200
    assert by_get.content == by_form.content == by_body.content


def test_format_parameter_overrides_accept_and_unknown_types_get_406(endpoint: tuple[str, Path]) -> None:
    url = endpoint[0]
    as_csv = _get(url, PILLARS, "application/sparql-results+json", format="csv")
    assert as_csv.headers["content-type"].startswith("text/csv")
    graph_only = _get(url, PILLARS, "text/turtle")  # a SELECT cannot be answered as Turtle
    assert graph_only.status_code == 406
    message = _error(graph_only, "NOT_ACCEPTABLE")
    assert "SELECT" in message and "application/sparql-results+json" in message
    unreadable = _get(url, PILLARS, "image/png")
    assert unreadable.status_code == 406 and "image/png" in _error(unreadable, "NOT_ACCEPTABLE")
    unknown = _get(url, PILLARS, format="yaml")
    assert unknown.status_code == 400 and "'yaml'" in _error(unknown, "INVALID_INPUT")


def _quads(store: Path) -> int:
    return len(ox.Store.read_only(str(store)))


@pytest.mark.parametrize(
    "send",
    [
        lambda url: httpx.get(url, params={"update": "CLEAR ALL"}, timeout=30),
        lambda url: httpx.post(url, data={"update": "DROP ALL"}, timeout=30),
        lambda url: httpx.post(
            url, content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}, timeout=30
        ),
        lambda url: httpx.post(url, data={"query": "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }"}, timeout=30),
        lambda url: _get(url, "DELETE WHERE { ?s ?p ?o }"),
    ],
    ids=["update-parameter", "update-form", "sparql-update-body", "insert-as-query", "delete-as-query"],
)
def test_updates_are_refused_and_the_store_is_unchanged(
    endpoint: tuple[str, Path], loaded_store_path: Path, send
) -> None:
    url, store = endpoint
    answer = send(url)
    assert answer.status_code == 403 and "jen pro čtení" in _error(answer, "REFUSED_QUERY")
    assert _quads(store) == _quads(loaded_store_path)
    assert _get(url, "ASK { <urn:x:s> ?p ?o }").json()["boolean"] is False


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://example.org/sparql> { ?s ?q ?r } } }",
        "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } } } }",
        "ASK { ?s ?p ?o FILTER EXISTS { SERVICE <http://example.org/sparql> { ?s ?p ?o } } }",
    ],
    ids=["plain", "optional", "subquery", "exists"],
)
def test_service_is_refused_wherever_it_is(endpoint: tuple[str, Path], query: str) -> None:
    answer = _get(endpoint[0], query)
    assert answer.status_code == 403 and "SERVICE" in _error(answer, "REFUSED_QUERY")


def test_the_word_service_in_a_string_or_comment_is_not_refused(endpoint: tuple[str, Path]) -> None:
    query = 'SELECT ?s WHERE { ?s ?p "SERVICE <http://example.org/sparql> { }" } # SERVICE <http://x> { }\nLIMIT 1'
    assert _get(endpoint[0], query).status_code == 200


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ("SELECT * FROM <http://example.org/elsewhere> WHERE { ?s ?p ?o }", {}),
        ("SELECT * FROM NAMED <http://example.org/elsewhere> WHERE { GRAPH ?g { ?s ?p ?o } }", {}),
        ("PREFIX ex: <http://example.org/> SELECT * FROM ex:elsewhere WHERE { ?s ?p ?o }", {}),
        ("SELECT * WHERE { ?s ?p ?o }", {"default-graph-uri": "http://example.org/elsewhere"}),
        ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", {"named-graph-uri": "http://example.org/elsewhere"}),
    ],
    ids=["from", "from-named", "from-prefixed", "default-graph-uri", "named-graph-uri"],
)
def test_graphs_outside_the_store_are_refused(endpoint: tuple[str, Path], query: str, params: dict[str, str]) -> None:
    answer = _get(endpoint[0], query, **params)
    assert answer.status_code == 403 and "<http://example.org/elsewhere>" in _error(answer, "REFUSED_QUERY")


def test_a_graph_of_the_store_can_be_chosen_by_from_or_by_the_protocol(endpoint: tuple[str, Path]) -> None:
    url = endpoint[0]

    def count(query: str, **params: str) -> int:
        answer = _get(url, query, **params)
        assert answer.status_code == 200, answer.text
        return int(answer.json()["results"]["bindings"][0]["n"]["value"])

    in_graph = count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{NATIONAL}> {{ ?s ?p ?o }} }}")
    everything = count(COUNT_ALL)
    assert 0 < in_graph < everything  # the default graph is the union of all named graphs
    assert count(f"SELECT (COUNT(*) AS ?n) FROM <{NATIONAL}> WHERE {{ ?s ?p ?o }}") == in_graph
    assert count(COUNT_ALL, **{"default-graph-uri": NATIONAL}) == in_graph
    named_only = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{NATIONAL}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert count(named_only) == in_graph


def test_bad_requests_get_clear_one_line_answers(endpoint: tuple[str, Path]) -> None:
    url = endpoint[0]
    syntax = _get(url, "SELECT ?s WHERE { ?s ?p ?o } LIMIT")
    message = _error(syntax, "INVALID_QUERY")
    assert syntax.status_code == 400 and "syntaxe" in message and "line:1" in message
    assert "\n" not in message
    missing = httpx.get(url, timeout=30)
    assert missing.status_code == 400 and "query" in _error(missing, "INVALID_INPUT")
    not_an_iri = _get(url, COUNT_ALL, **{"default-graph-uri": "not an IRI"})
    assert not_an_iri.status_code == 400 and "default-graph-uri" in _error(not_an_iri, "INVALID_IRI")
    wrong_type = httpx.post(url, content=b"ASK {}", headers={"Content-Type": "text/plain"}, timeout=30)
    assert wrong_type.status_code == 415
    assert "application/sparql-query" in _error(wrong_type, "UNSUPPORTED_MEDIA_TYPE")


def test_results_are_cut_to_the_row_cap_and_say_so(limited: tuple[str, Path]) -> None:
    url = f"{limited[0]}/sparql"
    cross = _get(url, CROSS_PRODUCT)  # billions of rows: the cap stops reading them after 25
    assert cross.status_code == 200
    assert cross.headers["x-result-truncated"] == "true" and cross.headers["x-result-row-limit"] == "25"
    assert len(cross.json()["results"]["bindings"]) == 25
    graph = _get(url, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert graph.headers["x-result-truncated"] == "true"
    assert len(Graph().parse(data=graph.text, format="nt")) == 25
    small = _get(url, "SELECT * WHERE { ?s ?p ?o } LIMIT 3")
    assert small.headers["x-result-truncated"] == "false" and len(small.json()["results"]["bindings"]) == 3


def _worker_pids(store: Path) -> set[int]:
    """The live /sparql worker processes of the server on ``store`` (their command line names its path)."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue  # the process ended while we looked
        if "api.sparql_worker" in command and f'"{store}"' in command:
            pids.add(int(entry.name))
    return pids


def _wait_for_workers(store: Path, count: int, other_than: set[int] = frozenset(), timeout: float = 30) -> set[int]:
    deadline = time.monotonic() + timeout
    while True:
        pids = _worker_pids(store)
        if len(pids) == count and pids != other_than:
            return pids
        if time.monotonic() > deadline:
            pytest.fail(f"expected {count} /sparql workers other than {other_than}, found {pids}")
        time.sleep(0.1)


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")  # a zombie is dead, only not yet reaped


def test_a_runaway_query_is_killed_at_the_time_limit_while_the_server_answers(limited: tuple[str, Path]) -> None:
    base, store = limited
    url = f"{base}/sparql"
    assert _get(url, "ASK { ?s ?p ?o }").status_code == 200
    before = _wait_for_workers(store, 2)
    with ThreadPoolExecutor(max_workers=1) as pool:
        started = time.monotonic()
        runaway = pool.submit(_get, url, RUNAWAY)
        time.sleep(0.3)
        health_times = []
        while not runaway.done() and len(health_times) < 20:
            sent = time.monotonic()
            assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
            health_times.append(time.monotonic() - sent)
            time.sleep(0.2)
        during = _get(url, "SELECT * WHERE { ?s ?p ?o } LIMIT 2")  # the other worker still answers
        answer = runaway.result(timeout=30)
        elapsed = time.monotonic() - started
    assert health_times and max(health_times) < 1.0, health_times
    assert during.status_code == 200 and len(during.json()["results"]["bindings"]) == 2
    assert answer.status_code == 503 and "časový limit 2 s" in _error(answer, "QUERY_TIMEOUT")
    assert 2.0 <= elapsed < 10.0
    # The runaway's worker is gone (killed, not abandoned) and a fresh one took its place.
    after = _wait_for_workers(store, 2, other_than=before)
    killed = before - after
    assert len(killed) == 1 and not any(_running(pid) for pid in killed)
    assert _get(url, COUNT_ALL).status_code == 200


def test_the_oxigraph_server_is_queried_through_the_same_endpoint(
    tmp_path_factory: pytest.TempPathFactory,
    loaded_store_path: Path,
    loaded_oxigraph_server: dict[str, str],
    endpoint: tuple[str, Path],
) -> None:
    """With KATALOG_STORE=sparql the workers query Oxigraph's own server: the same rows as the embedded store."""
    embedded = endpoint[0]
    with running_server(tmp_path_factory.mktemp("sparql-remote"), None, env=loaded_oxigraph_server) as base:
        url = f"{base}/sparql"
        local, through = _get(embedded, PILLARS), _get(url, PILLARS)
        assert through.status_code == 200 and through.json() == local.json()
        graph = _get(url, PILLAR_GRAPH, "application/ld+json")
        assert len(Graph().parse(data=graph.content, format="json-ld")) == len(
            Graph().parse(data=_get(embedded, PILLAR_GRAPH).text)
        )
        refused = _get(url, "SELECT * FROM <http://example.org/elsewhere> WHERE { ?s ?p ?o }")
        assert refused.status_code == 403 and "<http://example.org/elsewhere>" in _error(refused, "REFUSED_QUERY")
        national = _get(url, COUNT_ALL, **{"default-graph-uri": NATIONAL})
        assert national.json() == _get(embedded, COUNT_ALL, **{"default-graph-uri": NATIONAL}).json()


def test_the_proposals_stay_private_on_the_oxigraph_server(tmp_path: Path, loaded_store_path: Path) -> None:
    """The server's union default graph holds the proposals too, and it ignores a query's FROM: every
    query /sparql sends it names the public graphs, so no contact is ever read."""
    with oxigraph_server(tmp_path) as environment:
        assert katalog("load", env={**environment, "KATALOG_INDEX_PATH": str(tmp_path / "index")}).returncode == 0
        settings = server_settings(environment, tmp_path)
        with CatalogueStore.open(settings) as store:
            store_proposal(store, settings, "Holubi na náměstí", parsed_contact("jana@obec.cz"))
        with running_server(tmp_path / "site", None, env=environment) as base:
            url = f"{base}/sparql"
            for query in (
                "SELECT ?o WHERE { ?s ?p ?o FILTER (CONTAINS(STR(?o), 'jana@')) }",
                f"SELECT ?o FROM <{NATIONAL}> WHERE {{ ?s ?p ?o FILTER (CONTAINS(STR(?o), 'jana@')) }}",
                "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o FILTER (CONTAINS(STR(?o), 'jana@')) } }",
                "SELECT ?g WHERE { GRAPH ?g { } }",
            ):
                answer = _get(url, query)
                assert answer.status_code == 200, answer.text
                assert "jana@" not in answer.text and "proposals" not in answer.text, query


def test_a_query_past_the_memory_limit_is_stopped_and_its_worker_replaced(loaded_store_path: Path, tmp_path: Path) -> None:
    """The time limit alone does not bound memory (a sort of a cross product grows by ~230 MB/s), so
    each worker has a cap on its address space; here 1 GiB, reached within a few seconds."""
    shutil.copytree(loaded_store_path, tmp_path / "store")
    settings = Settings(store_path=tmp_path / "store", index_path=tmp_path / "index", sparql_endpoint_timeout=30)

    def request(query: str) -> QueryRequest:
        return QueryRequest(query, "json", "turtle", settings.sparql_endpoint_row_limit)

    async def scenario() -> tuple[float, bytes]:
        pool = QueryPool(catalogue, size=1, memory_limit=1 << 30)
        await pool.start()
        try:
            started = time.monotonic()
            with pytest.raises(MemoryExceeded):
                await pool.run(request("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?f ?c"))
            elapsed = time.monotonic() - started
            return elapsed, (await pool.run(request("ASK { ?s ?p ?o }"))).body
        finally:
            await pool.stop()

    with Catalogue.open(settings) as catalogue:
        elapsed, answer = asyncio.run(scenario())
    assert elapsed < 25, "the memory cap, not the time limit, must stop this query"
    assert b'"boolean":true' in answer  # the replacement worker answers


def test_a_worker_starting_while_the_version_moves_on_keeps_its_snapshot_and_never_answers_from_it(
    loaded_store_path: Path, tmp_path: Path
) -> None:
    """A worker still opening the old version's snapshot when a publish makes a new one: the old snapshot
    stays until that worker is gone (one removed under it failed a query with FileNotFoundError), and the
    first query after the publish answers from the new version."""
    shutil.copytree(loaded_store_path, tmp_path / "store")
    settings = Settings(store_path=tmp_path / "store", index_path=tmp_path / "index")
    version_query = QueryRequest(
        f"SELECT ?v WHERE {{ GRAPH <{version_graph(settings)}> {{ <{catalogue_iri(settings)}> ?p ?v }} }}",
        "json",
        "turtle",
        settings.sparql_endpoint_row_limit,
    )

    async def scenario() -> tuple[bool, bool, bytes]:
        pool = QueryPool(catalogue, size=1)
        await pool.start()  # the worker starts in the background, on the first snapshot
        try:
            await asyncio.sleep(0)
            assert pool._starting == 1, "the worker must still be starting for this test to mean anything"
            first = pool._snapshot
            catalogue.store.update(catalogue_version.bump(settings))
            catalogue.refresh()
            await pool._follow_version()
            pool._forget_unused_snapshots()
            kept = first is not None and first.exists()
            still_starting = pool._starting == 1
            return kept, still_starting, (await pool.run(version_query)).body
        finally:
            await pool.stop()

    with Catalogue.open(settings) as catalogue:
        kept, still_starting, answer = asyncio.run(scenario())
        current = catalogue.version
    if still_starting:
        assert kept, "a snapshot a starting worker opens was removed under it"
    assert current.encode() in answer, "the first query after the publish answered from the old version"


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_without_a_query_gets_a_page_about_the_endpoint_with_an_example_that_runs(
    endpoint: tuple[str, Path], catalogue: Graph
) -> None:
    import html
    import re

    url = endpoint[0]
    page = httpx.get(url, headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"], "the site's own headers"
    assert 'lang="cs"' in page.text and "<h1>SPARQL endpoint</h1>" in page.text
    assert "parametru query" in page.text and "site-footer" in page.text, "the site's frame, in Czech"
    assert "nejvýš 8 MB" in page.text and "nejvýš 1 najednou a nejvýš 30 s běhu za minutu" in page.text, "the limits"
    example = re.search(r"<pre[^>]*><code>(.*?)</code></pre>", page.text, re.S)
    assert example and "SELECT" in html.unescape(example.group(1))
    run = re.search(r'<a href="(/sparql\?query=[^"]+)">', page.text)
    assert run, "a link that runs the example"
    answer = httpx.get(endpoint[0].removesuffix("/sparql") + html.unescape(run.group(1)),
                       headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/sparql-results+json")
    measures = {str(m) for m in catalogue.subjects(RDF.type, KCS.TypeMeasure) if catalogue.value(m, SKOS.broader)}
    found = {row["measure"]["value"] for row in answer.json()["results"]["bindings"]}
    assert found & measures, "the example finds type measures of the catalogue"

    english = httpx.get(url, params={"lang": "en"}, headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert english.status_code == 200 and 'lang="en"' in english.text
    assert "How to ask" in english.text and "Jak se ptát" not in english.text


@pytest.mark.parametrize("accept", ["", "*/*", "application/sparql-results+json", "text/html;q=0"])
def test_a_program_without_a_query_still_gets_the_protocols_400(endpoint: tuple[str, Path], accept: str) -> None:
    headers = {"Accept": accept} if accept else {}
    missing = httpx.get(endpoint[0], headers=headers, timeout=30)
    assert missing.status_code == 400 and "query" in _error(missing, "INVALID_INPUT")
    with_html = httpx.get(endpoint[0], params={"query": ""}, headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert with_html.status_code == 400, "an empty query is still an error, for a browser too"
