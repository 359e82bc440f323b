"""`katalog backup` and `katalog restore` copy everything, the private graphs included, readable by their
owner alone; a restore gives back the store that was backed up, on the embedded store and on a real
Oxigraph server, and gives the catalogue a new version that running servers follow. What else holds
private data on disk (the store folder, the generated secret key) is private too."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from catalogue.graphs import graph_iri, private_graphs, version_graph
from catalogue.queries import version
from catalogue.queries.proposals import parsed_contact, store_proposal
from catalogue.runtime import Catalogue
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from tests.bench.generate import generate
from tests.conftest import CATALOGUE_DATA, katalog, oxigraph_server, server_settings
from web.forms import secret_key

PROPOSAL = "Holubi obsadili lavicky na namesti"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def same_quads(nquads: bytes, settings: Settings) -> list[str]:
    """The quads but those of the version graph (a restore gives a new version), sorted, with blank
    nodes named canonically (RDFC-1.0): stores name them afresh whenever they read them. Only the quads
    with a blank node are canonicalised (a blank node's canonical name depends on those alone), so that
    a national-size store is compared in seconds."""
    skipped = str(version_graph(settings))
    named, blank = [], ox.Dataset()
    for quad in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        if getattr(quad.graph_name, "value", None) == skipped:
            continue
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            blank.add(quad)
        else:
            named.append(str(quad))
    blank.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted([*named, *map(str, blank)])


@pytest.fixture
def embedded(tmp_path: Path, loaded_store_path: Path) -> tuple[Settings, dict[str, str]]:
    """A copy of the loaded store with a proposal in it, its settings and the environment of `katalog`."""
    shutil.copytree(loaded_store_path, tmp_path / "store")
    settings = Settings(store_path=tmp_path / "store", index_path=tmp_path / "index")
    with CatalogueStore.open(settings) as store:
        store_proposal(store, settings, PROPOSAL, parsed_contact("jana@obec.cz"))
    return settings, {"KATALOG_STORE_PATH": str(settings.store_path), "KATALOG_INDEX_PATH": str(settings.index_path)}


def test_a_restore_gives_back_every_quad_of_the_embedded_store(
    embedded: tuple[Settings, dict[str, str]], tmp_path: Path
) -> None:
    settings, env = embedded
    with CatalogueStore.open(settings, read_only=True) as store:
        before, backed_up_version = store.dump(), version.read(store, settings)
    folder = tmp_path / "zaloha"
    made = katalog("backup", str(folder), env=env)
    assert made.returncode == 0, made.stderr
    backup = folder / "katalog.nq.gz"
    assert mode(backup) == 0o600 and mode(folder) == 0o700
    assert b"jana@obec.cz" in gzip.decompress(backup.read_bytes()), "the private graphs are backed up too"
    with CatalogueStore.open(settings) as store:
        store.drop_graph(graph_iri(settings, "national-concept"))  # what went wrong after the backup
    restored = katalog("restore", str(folder), env=env)
    assert restored.returncode == 0, restored.stderr
    with CatalogueStore.open(settings, read_only=True) as store:
        after, restored_version = store.dump(), version.read(store, settings)
    assert same_quads(after, settings) == same_quads(before, settings)
    assert restored_version != backed_up_version


def test_a_restore_on_the_oxigraph_server_gives_back_every_quad_and_running_servers_follow(tmp_path: Path) -> None:
    with oxigraph_server(tmp_path) as environment:
        env = {**environment, "KATALOG_INDEX_PATH": str(tmp_path / "cli-index")}
        assert katalog("load", env=env).returncode == 0
        settings = server_settings(environment, tmp_path)
        with CatalogueStore.open(settings) as store:
            store_proposal(store, settings, PROPOSAL, parsed_contact("+420 777 123 456"))
            before = store.dump()
        folder = tmp_path / "zaloha"
        made = katalog("backup", "--plain", str(folder), env=env)
        assert made.returncode == 0, made.stderr
        backup = folder / "katalog.nq"
        assert mode(backup) == 0o600 and mode(folder) == 0o700
        assert b"+420777123456" in backup.read_bytes()
        with Catalogue.open(settings) as running:
            running.store.drop_graph(graph_iri(settings, "national-concept"))
            assert not running.refresh()
            restored = katalog("restore", str(folder), env=env)
            assert restored.returncode == 0, restored.stderr
            assert running.refresh(), "a running server sees the restore as a change of the catalogue"
            after = running.store.dump()
    assert same_quads(after, settings) == same_quads(before, settings)


def test_a_backup_is_never_overwritten(embedded: tuple[Settings, dict[str, str]], tmp_path: Path) -> None:
    _, env = embedded
    folder = tmp_path / "zaloha"
    assert katalog("backup", "--plain", str(folder), env=env).returncode == 0
    first = (folder / "katalog.nq").read_bytes()
    again = katalog("backup", str(folder), env=env)
    assert again.returncode == 2 and len(again.stderr.splitlines()) == 1
    assert "already exists" in again.stderr and "katalog.nq" in again.stderr
    assert (folder / "katalog.nq").read_bytes() == first and not (folder / "katalog.nq.gz").exists()


GOOD = b"<urn:x:a> <urn:x:b> <urn:x:c> <urn:x:g> .\n" * 200


@pytest.mark.parametrize(
    ("name", "content", "cause"),
    [
        ("katalog.nq.gz", gzip.compress(GOOD)[:-30], "cannot read the backup"),
        ("katalog.nq.gz", GOOD, "cannot read the backup"),
        ("katalog.nq", GOOD + b"<urn:x:a> <urn:x:b> .\n", "is not a backup"),
        ("notes.txt", b"", "holds no backup"),
    ],
    ids=["truncated-gzip", "not-gzip", "bad-n-quads", "no-backup"],
)
def test_a_broken_backup_is_refused_before_the_store_is_touched(
    embedded: tuple[Settings, dict[str, str]], tmp_path: Path, name: str, content: bytes, cause: str
) -> None:
    settings, env = embedded
    with CatalogueStore.open(settings, read_only=True) as store:
        before = store.dump()
    folder = tmp_path / "zaloha"
    folder.mkdir()
    (folder / name).write_bytes(content)
    result = katalog("restore", str(folder), env=env)
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1 and cause in result.stderr
    with CatalogueStore.open(settings, read_only=True) as store:
        assert store.dump() == before


def test_the_store_folder_and_the_generated_secret_key_are_private(tmp_path: Path) -> None:
    settings = Settings(store_path=tmp_path / "var" / "store", index_path=tmp_path / "var" / "index")
    CatalogueStore.open(settings).close()
    assert mode(settings.store_path) == 0o700
    secret_key(settings)
    assert mode(settings.secret_key_file) == 0o600


NATIONAL_SIZE = 50_000


def test_a_backup_and_restore_of_a_national_size_catalogue_gives_back_every_private_graph(
    tmp_path: Path, loaded_store_path: Path
) -> None:
    """Issue 14, part 3: 50,000 realisations and something in every private graph, backed up and restored
    by the real commands onto an emptied store folder."""
    data = tmp_path / "data"
    shutil.copytree(CATALOGUE_DATA, data)
    seed_graph = Graph()
    for path in sorted(data.glob("*.ttl")):
        seed_graph.parse(path, format="turtle")
    generate(seed_graph, NATIONAL_SIZE, data / "generated.ttl")
    settings = Settings(store_path=tmp_path / "store", index_path=tmp_path / "index", data_dir=data)
    # tantivy, the engine for this size: whoosh would take most of the test's time to build the index.
    env = {"KATALOG_STORE_PATH": str(settings.store_path), "KATALOG_INDEX_PATH": str(settings.index_path),
           "KATALOG_DATA_DIR": str(data), "KATALOG_SEARCH_ENGINE": "tantivy"}
    loaded = katalog("load", env=env)
    assert loaded.returncode == 0, loaded.stderr
    with CatalogueStore.open(settings) as store:
        store_proposal(store, settings, PROPOSAL, parsed_contact("jana@obec.cz"))
        # One marked statement in each private graph, whichever code writes it, so that a private graph
        # added later is covered without this test knowing what it holds.
        for graph in private_graphs(settings):
            marker = ox.NamedNode(f"{graph}/zaloha-zkouska")
            store.insert(graph, [ox.Triple(marker, ox.NamedNode(RDFS_LABEL), ox.Literal(f"v {graph}"))])
        store.flush()
        before = store.dump()
    assert before.count(b"\n") > 500_000

    folder = tmp_path / "zaloha"
    made = katalog("backup", str(folder), env=env)
    assert made.returncode == 0, made.stderr
    shutil.rmtree(settings.store_path)  # the disk that held the store is gone
    restored = katalog("restore", str(folder), env=env)
    assert restored.returncode == 0, restored.stderr

    with CatalogueStore.open(settings, read_only=True) as store:
        after = store.dump()
        realisations = store.values("SELECT (COUNT(?r) AS ?n) WHERE { ?r a <https://w3id.org/kcs/ontology#Realisation> }")
        for graph in private_graphs(settings):
            assert store.ask("ASK { GRAPH ?g { ?s ?p ?o } }", {"g": graph}), f"{graph} lost in the round trip"
    assert int(realisations[0]["n"]) >= NATIONAL_SIZE
    assert same_quads(after, settings) == same_quads(before, settings)
