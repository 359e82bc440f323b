"""Issue 14, the store's rows: its files are private (D7), /healthz names no path (W25), a killed load
leaves nothing served (F5), and a full disk stops writes only while it is full (F7)."""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from rdflib import URIRef

from api.app import create_app
from catalogue import graphs
from catalogue.loader import Source, catalogue_sources, load, source_for
from catalogue.search.index import open_index
from catalogue.settings import Settings
from catalogue.store import CatalogueStore, StoreError, StoreFull
from tests.conftest import answers, fill, free_port, katalog, oxigraph_server, server_settings


def loose_entries(folder: Path) -> list[str]:
    """The folder itself and whatever in it the group or others may read, write or enter, with its mode."""
    entries = [folder, *folder.rglob("*")]
    return [
        f"{path.relative_to(folder.parent)} {oct(path.stat().st_mode & 0o777)}"
        for path in entries
        if not path.is_symlink() and path.stat().st_mode & 0o077
    ]


def test_d7_a_new_store_and_search_index_are_readable_by_their_owner_alone(tmp_path: Path) -> None:
    settings = Settings(store_path=tmp_path / "store", index_path=tmp_path / "index")
    with CatalogueStore.open(settings) as store:
        load(store, catalogue_sources(settings), settings, prune=True)
        open_index(settings, store).close()
    assert [path.name for path in settings.store_path.iterdir()], "the store wrote files"
    assert loose_entries(settings.store_path) == []
    assert loose_entries(settings.index_path) == []


def test_d7_a_store_and_index_made_with_loose_modes_are_tightened_when_opened(
    tmp_path: Path, loaded_store_path: Path
) -> None:
    settings = Settings(store_path=tmp_path / "store", index_path=tmp_path / "index")
    shutil.copytree(loaded_store_path, settings.store_path)
    with CatalogueStore.open(settings) as store:
        open_index(settings, store).close()
    for folder in (settings.store_path, settings.index_path):  # as an older version left them: 755/644
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    assert loose_entries(settings.store_path)
    with CatalogueStore.open(settings, read_only=True):
        pass  # a reader changes nothing
    with CatalogueStore.open(settings) as store:
        assert loose_entries(settings.store_path) == [], "tightened on opening, before anything is read"
        open_index(settings, store).close()
        assert loose_entries(settings.index_path) == []


# -- F5: what a killed `katalog load` leaves behind -------------------------------------------------

BIG_SIZE = 30_000
"""Triples of the generated file: big enough that swapping it in takes seconds (the window for the kill),
and above what the load checks against the shapes, so the check does not stretch the test."""


def write_big_file(path: Path, tag: str) -> None:
    path.write_text(
        "".join(f'<urn:kcs-test:thing/{i}> <urn:kcs-test:value> "{tag} {i}" .\n' for i in range(BIG_SIZE)),
        encoding="utf-8",
    )


def values_in(settings: Settings, graph: str) -> set[str]:
    with CatalogueStore.open(settings, read_only=True) as store:
        rows = store.values("SELECT DISTINCT ?tag WHERE { GRAPH ?g { ?s <urn:kcs-test:value> ?o } "
                            'BIND (STRBEFORE(?o, " ") AS ?tag) }', {"g": URIRef(graph)})
    return {row["tag"] for row in rows}


def staging_graphs(settings: Settings) -> list[str]:
    with CatalogueStore.open(settings, read_only=True) as store:
        return sorted(str(graph) for graph in store.graph_names() if graphs.is_staging(settings, str(graph)))


def kill_while_swapping_in(env: dict[str, str], store_path: Path) -> None:
    """Start `katalog load` and kill it with SIGKILL while it swaps the staged graph in: the bulk loader's
    file has come and gone (the staging graph is written) and the one update that moves it is running."""
    command = [str(Path(sys.executable).parent / "katalog"), "load"]
    process = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    staged = False
    deadline = time.monotonic() + 240
    try:
        while process.poll() is None and time.monotonic() < deadline:
            bulk = list(store_path.glob("bulk-*.sst"))
            if bulk:
                staged = True
            elif staged:
                time.sleep(0.5)  # into the swap, which takes several seconds at this size
                break
            time.sleep(0.01)
        assert process.poll() is None, f"the load ended before it could be killed: {process.communicate()}"
        process.send_signal(signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    assert process.returncode == -signal.SIGKILL


def test_f5_a_load_killed_while_it_writes_leaves_nothing_that_the_next_load_keeps(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    settings = Settings(store_path=tmp_path / "store", index_path=tmp_path / "index", data_dir=data)
    env = {"KATALOG_STORE_PATH": str(settings.store_path), "KATALOG_INDEX_PATH": str(settings.index_path),
           "KATALOG_DATA_DIR": str(data)}
    big = data / "big.ttl"
    write_big_file(big, "first")
    first = katalog("load", env=env)
    assert first.returncode == 0, first.stderr
    graph = str(graphs.graph_iri(settings, "big"))

    write_big_file(big, "second")
    kill_while_swapping_in(env, settings.store_path)
    leftovers = staging_graphs(settings)
    assert leftovers, "the kill left a staging graph (else this test did not kill the load while it wrote)"
    assert values_in(settings, graph) == {"first"}, "the swap is one transaction: the old graph is whole"

    again = katalog("load", env=env)
    assert again.returncode == 0, again.stderr
    assert f"big.ttl: replaced, +{BIG_SIZE} -{BIG_SIZE} triples" in again.stdout
    assert not again.stdout.splitlines()[-1].startswith("0 of")
    assert staging_graphs(settings) == []
    assert values_in(settings, graph) == {"second"}


def write_staging_graph(store: CatalogueStore, name: str) -> str:
    """A staging graph as a killed load leaves one: triples no file states any more."""
    staging = f"{graphs.staging_prefix(store.settings)}{name}"
    store.dialect.write_new_graph(staging, b'<urn:kcs-test:stale> <urn:kcs-test:value> "stale leftover" .\n')
    return staging


def sparql_json(client, query: str) -> dict:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def assert_no_staging_answer(settings: Settings, staging: str) -> None:
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        listed = sparql_json(client, "SELECT ?g WHERE { GRAPH ?g { } }")
        names = {row["g"]["value"] for row in listed["results"]["bindings"]}
        assert names, "the public graphs are listed"
        assert staging not in names and not any(graphs.is_staging(settings, name) for name in names)
        for query in (
            'SELECT ?s WHERE { ?s ?p "stale leftover" }',
            'SELECT ?s WHERE { GRAPH ?g { ?s ?p "stale leftover" } }',
            "SELECT ?s WHERE { ?s <urn:kcs-test:value> ?o }",
        ):
            assert sparql_json(client, query)["results"]["bindings"] == [], query
        # Named outright, by FROM, FROM NAMED or the protocol's dataset, it is as absent as any unknown graph.
        for parameters in (
            {"query": f"SELECT ?s FROM <{staging}> WHERE {{ ?s ?p ?o }}"},
            {"query": f"SELECT ?s FROM NAMED <{staging}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
            {"query": "SELECT ?s WHERE { ?s ?p ?o }", "default-graph-uri": staging},
        ):
            refused = client.get("/sparql", params=parameters, headers={"Accept": "application/sparql-results+json"})
            assert refused.status_code in (400, 403) and "stale leftover" not in refused.text, parameters


def test_f5_a_staging_graph_in_the_embedded_store_is_never_in_a_sparql_answer(
    tmp_path: Path, loaded_store_path: Path
) -> None:
    settings = Settings(store_path=tmp_path / "store", index_path=tmp_path / "index")
    shutil.copytree(loaded_store_path, settings.store_path)
    with CatalogueStore.open(settings) as store:
        staging = write_staging_graph(store, "killed-load")
        assert URIRef(staging) in store.graph_names()
    assert_no_staging_answer(settings, staging)


def test_f5_a_staging_graph_on_the_oxigraph_server_is_never_in_a_sparql_answer(tmp_path: Path) -> None:
    with oxigraph_server(tmp_path) as environment:
        settings = server_settings(environment, tmp_path)
        with CatalogueStore.open(settings) as store:
            load(store, [catalogue_sources(settings)[0]], settings)  # the ontology: something public to list
            staging = write_staging_graph(store, "killed-load")
            assert URIRef(staging) in store.graph_names()
        assert_no_staging_answer(settings, staging)


def test_f5_a_load_stopped_after_writing_a_file_derives_again_on_the_next_load(tmp_path: Path) -> None:
    """The rules run after the files are written; a load stopped in between (killed, or failing on a later
    file) left the derived graph recorded as up to date, and the next load, finding every file unchanged,
    never derived again."""
    settings = Settings(store_path=tmp_path / "store", index_path=tmp_path / "index")
    narrower, other = tmp_path / "narrower.ttl", tmp_path / "other.ttl"
    sources = [source_for(narrower, settings), source_for(other, settings)]
    skos = "http://www.w3.org/2004/02/skos/core#"
    narrower.write_text(f"<urn:kcs-test:parent> <{skos}narrower> <urn:kcs-test:first> .\n", encoding="utf-8")
    other.write_text("<urn:kcs-test:a> <urn:kcs-test:b> 1 .\n", encoding="utf-8")

    def derived_children(store: CatalogueStore) -> set[str]:
        rows = store.values(f"SELECT ?c WHERE {{ GRAPH ?g {{ ?c <{skos}broader> <urn:kcs-test:parent> }} }}",
                            {"g": graphs.derived_graph(settings)})
        return {row["c"] for row in rows}

    def stop_at_other(source: Source) -> None:
        if source.path == other:
            raise KeyboardInterrupt  # what stops a load from outside, at the moment it reaches that file

    with CatalogueStore.open(settings) as store:
        load(store, sources, settings)
        assert derived_children(store) == {"urn:kcs-test:first"}
        narrower.write_text(f"<urn:kcs-test:parent> <{skos}narrower> <urn:kcs-test:second> .\n", encoding="utf-8")
        other.write_text("<urn:kcs-test:a> <urn:kcs-test:b> 2 .\n", encoding="utf-8")
        with pytest.raises(KeyboardInterrupt):
            load(store, sources, settings, progress=stop_at_other)
        changes = load(store, sources[:1], settings)
        assert [change.status for change in changes if change.file == "narrower.ttl"] == ["unchanged"]
        assert derived_children(store) == {"urn:kcs-test:second"}


# -- F7 and W25: a full disk, and what /healthz says about it ----------------------------------------


def big_write(store: CatalogueStore, name: str) -> None:
    """An update that cannot fit in what RocksDB's log file already holds: 1 MB."""
    text = "x" * 1_000_000
    store.update(f'INSERT DATA {{ GRAPH <urn:kcs-test:disk> {{ <urn:kcs-test:{name}> <urn:kcs-test:text> "{text}" }} }}')


def written(store: CatalogueStore) -> set[str]:
    rows = store.values("SELECT ?s WHERE { GRAPH <urn:kcs-test:disk> { ?s ?p ?o } }")
    return {row["s"].rsplit(":", 1)[-1] for row in rows}


@pytest.fixture
def store_on_small_disk(small_disk: Path, loaded_store_path: Path, tmp_path: Path) -> Settings:
    settings = Settings(store_path=small_disk / "store", index_path=tmp_path / "index")
    shutil.copytree(loaded_store_path, settings.store_path)
    return settings


def test_f7_after_a_full_disk_the_store_writes_again_once_there_is_room_without_a_restart(
    store_on_small_disk: Settings, small_disk: Path
) -> None:
    settings = store_on_small_disk
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        store = client.app.state.catalogue.store  # type: ignore[attr-defined]
        big_write(store, "before")
        assert client.get("/healthz").json()["status"] == "ok"

        filler = fill(small_disk)
        with pytest.raises(StoreFull) as failed:
            big_write(store, "while-full")
        assert "plné" in failed.value.public_message and "nic se neuložilo" in failed.value.public_message
        with pytest.raises(StoreFull):  # RocksDB keeps refusing: remembered, not retried blindly
            store.update('INSERT DATA { GRAPH <urn:kcs-test:disk> { <urn:kcs-test:small> <urn:kcs-test:n> 1 } }')
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json()["status"] == "unavailable" and health.json()["error"]["code"] == "STORE_FULL"
        assert "plné" in health.json()["error"]["message"]

        filler.unlink()
        big_write(store, "after")  # the same process, the same app: no restart
        assert written(store) == {"before", "after"}
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json()["status"] == "ok"


def test_f7_healthz_turns_ok_again_by_itself_once_the_disk_has_room(
    store_on_small_disk: Settings, small_disk: Path
) -> None:
    with TestClient(create_app(settings := store_on_small_disk), base_url="http://127.0.0.1") as client:
        store = client.app.state.catalogue.store  # type: ignore[attr-defined]
        filler = fill(small_disk)
        with pytest.raises(StoreFull):
            big_write(store, "while-full")
        assert client.get("/healthz").status_code == 503
        assert client.get("/healthz").status_code == 503, "still full: still unavailable"
        filler.unlink()
        assert client.get("/healthz").status_code == 200, "no write came, the health check recovered the store"
        big_write(store, "after")
        assert written(store) == {"after"}
    assert settings.store_path.is_dir()


def test_w25_healthz_names_no_path_of_a_failing_store_and_logs_the_cause(
    store_on_small_disk: Settings, small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = store_on_small_disk
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        store = client.app.state.catalogue.store  # type: ignore[attr-defined]
        filler = fill(small_disk)
        try:
            with pytest.raises(StoreError) as failed:
                big_write(store, "while-full")
            assert str(settings.store_path) in failed.value.message, "the cause names the path: it must stay inside"
            with caplog.at_level(logging.ERROR, logger="api.app"):
                health = client.get("/healthz")
        finally:
            filler.unlink()
    assert health.status_code == 503
    assert str(settings.store_path) not in health.text and str(small_disk) not in health.text
    assert not re.search(r"/[\w.-]+/", health.text), health.text
    assert health.json()["error"]["message"] == StoreFull.generic_message
    logged = [record.getMessage() for record in caplog.records if record.name == "api.app"]
    assert any(str(settings.store_path) in line and "No space left on device" in line for line in logged), logged


@contextmanager
def oxigraph_serving(location: Path, port: int, log: Path) -> Iterator[None]:
    """`oxigraph serve` over the store in ``location`` on 127.0.0.1:``port``, stopped afterwards."""
    with open(log, "ab") as output:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "oxigraph"), "serve", "--location", str(location),
             "--bind", f"127.0.0.1:{port}", "--union-default-graph"], stdout=output, stderr=subprocess.STDOUT,
        )
    try:
        up = answers(lambda: httpx.post(f"http://127.0.0.1:{port}/query", data={"query": "ASK {}"}, timeout=1)
                     .is_success, within=30)
        assert up and process.poll() is None, log.read_text()
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_f7_on_the_oxigraph_server_a_full_disk_is_reported_until_the_server_can_write_again(
    small_disk: Path, tmp_path: Path
) -> None:
    """The server keeps refusing writes after its disk was full until it is restarted (RocksDB, as in
    process); the app says so at /healthz meanwhile and is healthy again once it can write, without a
    restart of its own."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {"KATALOG_SPARQL_QUERY_ENDPOINT": f"{base}/query", "KATALOG_SPARQL_UPDATE_ENDPOINT": f"{base}/update"}
    settings = server_settings(environment, tmp_path)
    location, log = small_disk / "oxigraph", tmp_path / "oxigraph.log"
    first_server = oxigraph_serving(location, port, log)
    first_server.__enter__()  # stopped in the middle of the test, while the app runs on
    first_running = True
    try:
        with CatalogueStore.open(settings) as store:
            load(store, [catalogue_sources(settings)[0]], settings)
        with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
            store = client.app.state.catalogue.store  # type: ignore[attr-defined]
            filler = fill(small_disk)
            with pytest.raises(StoreFull):
                big_write(store, "while-full")
            health = client.get("/healthz")
            assert health.status_code == 503 and health.json()["error"]["code"] == "STORE_FULL"
            assert str(small_disk) not in health.text
            filler.unlink()
            assert client.get("/healthz").status_code == 503, "the server refuses writes until it restarts"

            first_server.__exit__(None, None, None)  # what the operator does: restart the Oxigraph server
            first_running = False
            with oxigraph_serving(location, port, log):
                assert client.get("/healthz").status_code == 200
                big_write(store, "after")
                assert written(store) == {"after"}
    finally:
        if first_running:
            first_server.__exit__(None, None, None)
