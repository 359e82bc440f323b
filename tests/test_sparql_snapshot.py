"""Over the embedded store, the /sparql workers read a snapshot the server makes for each catalogue
version, without the private graphs: never the store the server writes (pyoxigraph leaves undefined
what a read-only view of a store written by another process sees)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from catalogue.graphs import graph_iri
from catalogue.loader import Source, load
from catalogue.queries import version
from catalogue.queries.proposals import parsed_contact, store_proposal
from catalogue.settings import Settings
from tests.conftest import app_client

COUNT_TEST = "SELECT (COUNT(*) AS ?n) WHERE { ?s <urn:test:p> ?o }"


def count(site, query: str) -> int:
    answer = site.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def snapshots(settings: Settings) -> list[Path]:
    return sorted((settings.store_path.parent / "sparql-snapshots").iterdir())


def test_the_workers_read_a_snapshot_that_follows_the_catalogue_version(tmp_path: Path, loaded_store_path: Path) -> None:
    shutil.copytree(loaded_store_path, tmp_path / "store")
    settings = Settings(store_path=tmp_path / "store", index_path=tmp_path / "index")
    extra = tmp_path / "extra.ttl"
    with app_client(settings, Accept="application/sparql-results+json") as site:
        state = site.app.state.catalogue
        assert count(site, COUNT_TEST) == 0
        [first] = snapshots(settings)
        assert first.stat().st_mode & 0o077 == 0, "the snapshot is the server's alone"

        # A proposal is private data: no new version, and never in the snapshot.
        store_proposal(state.store, settings, "Holubi na náměstí", parsed_contact("jana@obec.cz"))
        mail = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER (CONTAINS(STR(?o), 'jana@')) }"
        assert count(site, mail) == 0

        extra.write_text("<urn:test:s> <urn:test:p> <urn:test:o> .\n", encoding="utf-8")
        load(state.store, [Source(extra, graph_iri(settings, "extra"))], settings)
        # What the server's watcher does within a second; it may have done it already, while the load ran.
        state.refresh()
        assert state.version == version.read(state.store, settings)
        assert count(site, COUNT_TEST) == 1, "the next query reads a snapshot of the new version"
        assert count(site, mail) == 0
        deadline = time.monotonic() + 10  # the replaced workers are reaped in the background
        while first in snapshots(settings) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert first not in snapshots(settings), "the old snapshot is removed once no worker reads it"
    assert not (settings.store_path.parent / "sparql-snapshots").exists()
