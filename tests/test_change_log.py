"""The change log in the version graph, and following a change of a few resources by reading only their
documents: every bump records which resources it may have changed, a follower reads the union over the
versions it missed, and a load (which names none) makes it read everything, as before."""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import catalogue.search.index as search_index
from catalogue.loader import load, source_for
from catalogue.queries import version
from catalogue.queries.common import InvalidIRI
from catalogue.queries.documents import SearchDocument, search_documents, search_documents_for
from catalogue.runtime import Catalogue
from catalogue.search.engine import (
    DIGESTS_FILE,
    PENDING_FILE,
    IndexedDocument,
    IndexMeta,
    SearchEngine,
    document_digest,
    engine_class,
)
from catalogue.search.index import follow, open_index
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from tests.conftest import CATALOGUE_DATA

ENGINES = ["whoosh", "tantivy"]
ID = "https://w3id.org/kcs/id/"
REALISATION = f"{ID}realisation/lk-fve-gymnazium-ceska-lipa"
BROWNFIELDS = f"{ID}problem/mnoho-brownfieldu"
PORTAL = f"{ID}problem/mesto-nema-portal-otevrenych-dat"
NEW_LABEL = "Zeleninová zahrádka u gymnázia"
SKOS = "http://www.w3.org/2004/02/skos/core#"


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[tuple[Settings, CatalogueStore]]:
    """A store nothing was loaded into: bumps alone, fast."""
    settings = Settings(store_path=tmp_path / "store", index_path=tmp_path / "index")
    with CatalogueStore.open(settings) as store:
        yield settings, store


@pytest.fixture(params=ENGINES)
def settings(request: pytest.FixtureRequest, tmp_path: Path, loaded_store_path: Path) -> Settings:
    """Settings over a copy of the loaded seed catalogue, with an index of its own."""
    store_path = tmp_path / "store"
    shutil.copytree(loaded_store_path, store_path)
    return Settings(store_path=store_path, index_path=tmp_path / "index", search_engine=request.param)


@pytest.fixture
def store(settings: Settings) -> Iterator[CatalogueStore]:
    with CatalogueStore.open(settings) as store:
        yield store


@dataclass
class Seen:
    """What following did: documents written and deleted, whole reads of the store, partial reads."""

    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    full_reads: int = 0
    partial_reads: list[set[str]] = field(default_factory=list)


@pytest.fixture
def seen(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Seen:
    kind = engine_class(settings.search_engine)
    record = Seen()
    write, documents, documents_for = kind._write, search_index.search_documents, search_index.search_documents_for

    def spied_write(self: SearchEngine, prepared: Iterable[IndexedDocument], deleted: list[str]) -> int:
        listed = list(prepared)
        record.written += [document.iri for document in listed]
        record.deleted += deleted
        return write(self, listed, deleted)

    def spied_documents(store: CatalogueStore) -> Iterator[SearchDocument]:
        record.full_reads += 1
        return documents(store)

    def spied_documents_for(store: CatalogueStore, iris: Iterable[str]) -> list[SearchDocument]:
        wanted = set(iris)
        record.partial_reads.append(wanted)
        return documents_for(store, wanted)

    monkeypatch.setattr(kind, "_write", spied_write)
    monkeypatch.setattr(search_index, "search_documents", spied_documents)
    monkeypatch.setattr(search_index, "search_documents_for", spied_documents_for)
    return record


def relabel(store: CatalogueStore, settings: Settings, iri: str, label: str) -> str:
    """Replace the Czech label of ``iri`` in whatever graph holds it, as a published edit will, naming
    it in the bump; returns the new version."""
    store.update(
        f"""DELETE {{ GRAPH ?g {{ <{iri}> <{SKOS}prefLabel> ?old }} }}
INSERT {{ GRAPH ?g {{ <{iri}> <{SKOS}prefLabel> "{label}"@cs }} }}
WHERE {{ GRAPH ?g {{ <{iri}> <{SKOS}prefLabel> ?old FILTER (lang(?old) = "cs") }} }} ;
{version.bump(settings, changed=[iri])}"""
    )
    return version.read(store, settings)


def digests_match_the_store(settings: Settings, store: CatalogueStore) -> None:
    """The digests beside the index are those a full update from the store would keep."""
    kept = json.loads((settings.index_path / DIGESTS_FILE).read_text(encoding="utf-8"))
    assert kept == {document.iri: document_digest(document) for document in search_documents(store)}


# -- the log --------------------------------------------------------------------------------------


def test_a_bump_records_what_it_changed_and_a_chain_of_them_adds_up(empty: tuple[Settings, CatalogueStore]) -> None:
    settings, store = empty
    store.update(version.bump(settings))
    first = version.read(store, settings)
    assert version.changes_since(store, settings, first) == set()
    store.update(version.bump(settings, changed=[f"{ID}a", f"{ID}b"]))
    second = version.read(store, settings)
    assert version.changes_since(store, settings, first) == {f"{ID}a", f"{ID}b"}
    store.update(version.bump(settings, changed=[f"{ID}b", f"{ID}c"]))
    third = version.read(store, settings)
    assert second.split(".")[0] == "2" and third.split(".")[0] == "3"
    assert version.changes_since(store, settings, first) == {f"{ID}a", f"{ID}b", f"{ID}c"}
    assert version.changes_since(store, settings, second) == {f"{ID}b", f"{ID}c"}
    assert version.changes_since(store, settings, third) == set()
    store.update(version.bump(settings, changed=[]))  # a change no document shows
    assert version.changes_since(store, settings, third) == set()
    # A version the log never saw, and the first load's (after which anything may have changed).
    assert version.changes_since(store, settings, "2.00000000") is None
    assert version.changes_since(store, settings, version.UNVERSIONED) is None


def test_a_load_between_makes_the_changes_unknown(settings: Settings, store: CatalogueStore, tmp_path: Path) -> None:
    before = version.read(store, settings)
    edited = relabel(store, settings, REALISATION, NEW_LABEL)
    assert version.changes_since(store, settings, before) == {REALISATION}
    folder = tmp_path / "changed"
    folder.mkdir()
    text = (CATALOGUE_DATA / "problems.ttl").read_text(encoding="utf-8")
    (folder / "problems.ttl").write_text(text.replace("brownfieldů", "brownfieldů a skládek", 1), encoding="utf-8")
    load(store, [source_for(folder / "problems.ttl", settings)], settings)
    assert version.read(store, settings) != edited
    assert version.changes_since(store, settings, before) is None
    assert version.changes_since(store, settings, edited) is None
    loaded = version.read(store, settings)
    relabel(store, settings, BROWNFIELDS, "Brownfieldy")
    assert version.changes_since(store, settings, loaded) == {BROWNFIELDS}


def test_a_guarded_bump_whose_guard_fails_writes_nothing(empty: tuple[Settings, CatalogueStore]) -> None:
    settings, store = empty
    store.update(version.bump(settings))
    store.update(version.bump(settings, changed=[f"{ID}a"]))
    current = version.read(store, settings)
    before = store.dump()
    stale = f"1.{current.split('.')[1]}"
    data = f'INSERT {{ GRAPH <{ID}graph/x> {{ <{ID}b> <{SKOS}prefLabel> "b"@cs }} }} WHERE {{ {version.guard(settings, stale)} }}'
    store.update(f"{data} ;\n{version.bump(settings, expected=stale, changed=[f'{ID}b'])}")
    assert store.dump() == before
    store.update(f"{data.replace(stale, current)} ;\n{version.bump(settings, expected=current, changed=[f'{ID}b'])}")
    assert version.read(store, settings) != current
    assert version.changes_since(store, settings, current) == {f"{ID}b"}


def test_the_log_keeps_the_last_entries_only(empty: tuple[Settings, CatalogueStore]) -> None:
    settings, store = empty
    store.update(version.bump(settings, changed=[]))
    oldest = version.read(store, settings)
    for number in range(version.KEPT_CHANGES + 4):
        store.update(version.bump(settings, changed=[f"{ID}r{number}"]))
        if number == 10:
            recent = version.read(store, settings)
    numbers = store.values(f"SELECT ?n WHERE {{ GRAPH <{ID}graph/version> {{ ?e <{version._NUMBER}> ?n }} }}")
    assert len(numbers) == version.KEPT_CHANGES
    assert version.changes_since(store, settings, oldest) is None
    assert version.changes_since(store, settings, recent) == {f"{ID}r{n}" for n in range(11, version.KEPT_CHANGES + 4)}


def test_a_changed_iri_that_is_not_one_is_refused(empty: tuple[Settings, CatalogueStore]) -> None:
    settings, _ = empty
    with pytest.raises(InvalidIRI):
        version.bump(settings, changed=["https://x/> } ; DROP ALL ; INSERT DATA { <a:b"])


# -- the documents of some resources ----------------------------------------------------------------


def test_the_documents_of_some_resources_are_those_of_the_whole_catalogue(store: CatalogueStore) -> None:
    everything = {document.iri: repr(document) for document in search_documents(store)}
    assert len(everything) > 100
    assert {document.iri: repr(document) for document in search_documents_for(store, everything)} == everything
    by_kind: dict[str, str] = {}
    for document in search_documents(store):
        by_kind.setdefault(document.kind, document.iri)
    assert len(by_kind) == 11  # a pillar holds links read backwards, a realisation forwards …
    some = {*by_kind.values(), *random.Random(7).sample(sorted(everything), 20)}
    # Neither a resource that is not searchable (a place) nor one the store does not hold has a document.
    asked = some | {f"{ID}place/liberec", f"{ID}realisation/no-such-thing"}
    found = search_documents_for(store, asked)
    assert {document.iri: repr(document) for document in found} == {iri: everything[iri] for iri in some}
    assert search_documents_for(store, []) == []


# -- following ------------------------------------------------------------------------------------


def test_following_an_edit_reads_and_writes_only_the_edited_document(
    settings: Settings, store: CatalogueStore, seen: Seen
) -> None:
    engine = open_index(settings, store)
    built = IndexMeta.read(settings.index_path)
    assert built is not None and seen.full_reads == 1
    assert engine.search("zeleninova zahradka") == []
    edited = relabel(store, settings, REALISATION, NEW_LABEL)
    assert follow(engine, settings, store, edited) is engine
    assert (seen.full_reads, seen.partial_reads, seen.written, seen.deleted) == (1, [{REALISATION}], [REALISATION], [])
    hits = engine.search("zeleninova zahradka")
    assert hits[0].iri == REALISATION and hits[0].label == NEW_LABEL
    meta = IndexMeta.read(settings.index_path)
    assert meta is not None and (meta.build_id, meta.version) == (built.build_id, edited)
    digests_match_the_store(settings, store)
    engine.close()


def test_following_several_edits_at_once_and_a_resource_gone(
    settings: Settings, store: CatalogueStore, seen: Seen
) -> None:
    engine = open_index(settings, store)
    relabel(store, settings, REALISATION, NEW_LABEL)
    store.update(f"DELETE WHERE {{ GRAPH ?g {{ <{PORTAL}> ?p ?o }} }} ;\n{version.bump(settings, changed=[PORTAL])}")
    current = version.read(store, settings)
    follow(engine, settings, store, current)
    assert seen.partial_reads == [{REALISATION, PORTAL}]
    assert (seen.full_reads, seen.written, seen.deleted) == (1, [REALISATION], [PORTAL])
    assert PORTAL not in [hit.iri for hit in engine.search("portál otevřených dat")]
    assert engine.search("zeleninova zahradka")[0].iri == REALISATION
    digests_match_the_store(settings, store)
    engine.close()


def test_following_a_load_reads_every_document(
    settings: Settings, store: CatalogueStore, seen: Seen, tmp_path: Path
) -> None:
    engine = open_index(settings, store)
    relabel(store, settings, REALISATION, NEW_LABEL)
    folder = tmp_path / "changed"
    folder.mkdir()
    text = (CATALOGUE_DATA / "problems.ttl").read_text(encoding="utf-8")
    anchor = 'skos:prefLabel "Město má na svém území mnoho brownfieldů"@cs ;'
    assert anchor in text
    (folder / "problems.ttl").write_text(
        text.replace(anchor, f'{anchor}\n    skos:hiddenLabel "skládka"@cs ;'), "utf-8"
    )
    load(store, [source_for(folder / "problems.ttl", settings)], settings)
    follow(engine, settings, store, version.read(store, settings))
    assert (seen.full_reads, seen.partial_reads) == (2, [])
    assert sorted(seen.written) == sorted([REALISATION, BROWNFIELDS])
    assert engine.search("zeleninova zahradka")[0].iri == REALISATION
    engine.close()


def test_following_an_edit_also_settles_what_a_writer_left_pending(
    settings: Settings, store: CatalogueStore, seen: Seen
) -> None:
    engine = open_index(settings, store)
    (brownfields,) = search_documents_for(store, [BROWNFIELDS])
    brownfields.hidden_labels = ["zeleninová zahrádka"]  # written by a writer that died before settling it
    engine.add([brownfields])
    assert engine.unsettled() == {BROWNFIELDS}
    follow(engine, settings, store, relabel(store, settings, REALISATION, NEW_LABEL))
    assert seen.partial_reads == [{REALISATION, BROWNFIELDS}]
    assert [hit.iri for hit in engine.search("zeleninova zahradka")] == [REALISATION]
    assert not (settings.index_path / PENDING_FILE).exists()
    digests_match_the_store(settings, store)
    engine.close()


def test_an_update_by_resource_cut_short_is_finished_by_a_full_one(
    settings: Settings, store: CatalogueStore, seen: Seen, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = open_index(settings, store)
    kind = engine_class(settings.search_engine)
    spied = kind._write
    failures = [RuntimeError("disk full")]

    def failing_once(self: SearchEngine, prepared: Iterable[IndexedDocument], deleted: list[str]) -> int:
        if failures:
            raise failures.pop()
        return spied(self, prepared, deleted)

    monkeypatch.setattr(kind, "_write", failing_once)
    edited = relabel(store, settings, REALISATION, NEW_LABEL)
    follow(engine, settings, store, edited)
    assert (seen.partial_reads, seen.full_reads, seen.written) == ([{REALISATION}], 2, [REALISATION])
    assert engine.version == edited
    assert engine.search("zeleninova zahradka")[0].iri == REALISATION
    assert not (settings.index_path / PENDING_FILE).exists()
    digests_match_the_store(settings, store)
    engine.close()


def test_an_index_several_edits_behind_reads_their_union(settings: Settings, store: CatalogueStore, seen: Seen) -> None:
    first, second = open_index(settings, store), open_index(settings, store)
    relabel(store, settings, REALISATION, NEW_LABEL)
    current = relabel(store, settings, BROWNFIELDS, "Opuštěné továrny")
    follow(first, settings, store, current)
    assert seen.partial_reads == [{REALISATION, BROWNFIELDS}]
    assert sorted(seen.written) == sorted([REALISATION, BROWNFIELDS])
    follow(second, settings, store, current)  # the shared index is there already: nothing is read
    assert len(seen.partial_reads) == 1
    assert second.search("opustene tovarny")[0].iri == BROWNFIELDS
    assert second.search("zeleninova zahradka")[0].iri == REALISATION
    (settings.index_path / DIGESTS_FILE).unlink()  # nothing to update by: the full update rebuilds
    follow(first, settings, store, relabel(store, settings, PORTAL, "Data města"))
    assert seen.full_reads == 2
    assert first.search("data mesta")[0].iri == PORTAL
    first.close()
    second.close()


def test_a_running_catalogue_follows_a_published_edit_by_its_document_alone(settings: Settings, seen: Seen) -> None:
    with Catalogue.open(settings) as running:
        edited = relabel(running.store, settings, REALISATION, NEW_LABEL)
        assert running.refresh() is True
        assert running.version == edited
        assert seen.full_reads == 1 and seen.partial_reads == [{REALISATION}]
        assert running.search.search("zeleninova zahradka")[0].iri == REALISATION
        assert running.refresh() is False
