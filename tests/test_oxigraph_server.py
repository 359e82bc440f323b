"""The catalogue on Oxigraph's own server (`oxigraph serve --union-default-graph`, loaded by `katalog load`)
gives what it gives on the embedded store: the same rows for bound parameters, the same search
documents, the same brownfield answer and concept page."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal

from catalogue.answer import answer_problem
from catalogue.queries import concept, overview
from catalogue.queries.documents import search_documents
from catalogue.store import CatalogueStore, bind
from tests.conftest import app_client, store_settings

BROWNFIELDS = "Město má na svém území mnoho brownfieldů a chce řešit jejich využití"


@pytest.fixture(scope="module")
def both(loaded_store_path: Path, loaded_oxigraph_server: dict[str, str], tmp_path_factory, request):
    """The embedded store and the Oxigraph server, both holding the loaded catalogue, opened read-only."""
    folder = tmp_path_factory.mktemp("both")
    embedded = CatalogueStore.open(store_settings("embedded", request, folder / "e", loaded_store_path), read_only=True)
    server = CatalogueStore.open(store_settings("oxigraph-server", request, folder / "s", loaded_store_path))
    yield embedded, server
    embedded.close()
    server.close()


def test_a_bound_language_filter_gives_the_same_rows_on_both_stores(both) -> None:
    """What broke: rdflib sent bound parameters to a remote store as a trailing VALUES, which a FILTER
    inside the pattern never sees; every row was dropped (0 pillars, an empty search index)."""
    embedded, server = both
    pillars = overview.pillars(embedded)
    assert len(pillars) >= 4
    assert overview.pillars(server) == pillars
    iris = [pillar.iri for pillar in pillars]
    assert concept.resources(server, iris, "cs") == concept.resources(embedded, iris, "cs")


def test_the_search_documents_are_the_same_on_both_stores(both) -> None:
    embedded, server = both
    documents = sorted(search_documents(embedded), key=lambda document: document.iri)
    assert len(documents) > 150
    assert sorted(search_documents(server), key=lambda document: document.iri) == documents


def test_the_brownfield_answer_is_the_same_on_both_stores(catalogue_search) -> None:
    on_embedded = answer_problem(*catalogue_search("tantivy", "embedded"), BROWNFIELDS)
    on_server = answer_problem(*catalogue_search("tantivy", "oxigraph-server"), BROWNFIELDS)
    assert on_embedded.good_match and len(on_embedded.measures) >= 3
    assert on_server == on_embedded


def test_the_concept_page_and_the_answer_page_are_the_same_on_both_stores(
    loaded_store_path: Path, tmp_path_factory, request
) -> None:
    pages = {}
    for kind in ("embedded", "oxigraph-server"):
        settings = store_settings(kind, request, tmp_path_factory.mktemp(kind), loaded_store_path)
        with app_client(settings, Accept="text/html") as site:
            pages[kind] = [site.get(path).text for path in ("/koncepce", "/odpoved?problem=brownfieldy", "/")]
    assert "Prostředí pro život" in pages["embedded"][0]
    assert pages["oxigraph-server"] == pages["embedded"]


def test_parameters_are_written_as_terms_nothing_can_break_out_of() -> None:
    sneaky = Literal('cs") } } ; DROP ALL ; SELECT * { ?s ?p ?o FILTER ("')
    bound = bind('SELECT ?s WHERE { ?s ?p ?o FILTER (lang(?o) = ?lang) }', {"lang": sneaky})
    assert bound == 'SELECT ?s WHERE { ?s ?p ?o FILTER (lang(?o) = "cs\\") } } ; DROP ALL ; SELECT * { ?s ?p ?o FILTER (\\"") }'
    assert list(ox.Store().query(bound)) == []  # one query, that reads: the value stayed a string
