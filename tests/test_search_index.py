"""The search index of a store: built when missing, updated when the loaded data changes, rebuilt when
the engine or the analysis does (swapped in whole), and readable by several readers at once. How it
follows a new version is tested in detail in test_follow_version.py."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import catalogue.search.index as search_index
from catalogue.loader import catalogue_sources, load, source_for
from catalogue.queries import version
from catalogue.queries.documents import SearchDocument, search_documents
from catalogue.search.analysis import Analyzer
from catalogue.search.engine import IndexMeta, SearchError
from catalogue.search.index import open_index, reindex
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

ENGINES = ["whoosh", "tantivy"]
PROBLEM = "https://w3id.org/kcs/id/problem/mnoho-brownfieldu"


@pytest.fixture(params=ENGINES)
def settings(request: pytest.FixtureRequest, tmp_path: Path, loaded_store_path: Path) -> Settings:
    """Settings over a copy of the loaded store (so a test may load into it), with an index of its own."""
    store_path = tmp_path / "store"
    shutil.copytree(loaded_store_path, store_path)
    return Settings(store_path=store_path, index_path=tmp_path / "var" / "index", search_engine=request.param)


@pytest.fixture
def store(settings: Settings) -> Iterator[CatalogueStore]:
    with CatalogueStore.open(settings) as store:
        yield store


def build_id(settings: Settings) -> str:
    meta = IndexMeta.read(settings.index_path)
    assert meta is not None, f"no complete index at {settings.index_path}"
    return meta.build_id


def load_changed_problems(store: CatalogueStore, settings: Settings, folder: Path) -> None:
    """Load a copy of problems.ttl with a new hidden label on the brownfield problem, as `katalog load` would."""
    original = settings.data_dir / "problems.ttl"
    changed = folder / "problems.ttl"  # same file name: the same named graph is replaced
    folder.mkdir()
    text = original.read_text(encoding="utf-8")
    anchor = 'skos:prefLabel "Město má na svém území mnoho brownfieldů"@cs ;'
    assert anchor in text
    changed.write_text(text.replace(anchor, anchor + '\n    skos:hiddenLabel "zeleninová zahrádka"@cs ;'), "utf-8")
    (change,) = load(store, [source_for(changed, settings)], settings)
    assert change.status == "replaced"


def test_a_missing_index_is_built_and_then_reused(settings: Settings, store: CatalogueStore) -> None:
    engine = open_index(settings, store)
    assert engine.name == settings.search_engine
    assert engine.version == version.read(store, settings)
    assert PROBLEM in [hit.iri for hit in engine.search("brownfieldy")]
    first = build_id(settings)
    engine.close()
    with open_index(settings, store) as again:
        assert build_id(settings) == first  # not rebuilt
        assert PROBLEM in [hit.iri for hit in again.search("brownfieldy")]


def test_a_load_that_changes_data_makes_the_index_update_with_the_new_words(
    settings: Settings, store: CatalogueStore, tmp_path: Path
) -> None:
    with open_index(settings, store) as engine:
        assert engine.search("zeleninová zahrádka") == []
    before, catalogue_version = build_id(settings), version.read(store, settings)
    load_changed_problems(store, settings, tmp_path / "changed")
    changed = version.read(store, settings)
    assert changed != catalogue_version
    with open_index(settings, store) as engine:
        assert build_id(settings) == before  # updated in place, not rebuilt
        assert engine.version == changed
        hits = engine.search("zeleninova zahradka")
        assert [hit.iri for hit in hits][:1] == [PROBLEM]
        assert hits[0].fields == ("hidden",)


def test_a_load_that_changes_nothing_keeps_the_index(settings: Settings, store: CatalogueStore) -> None:
    open_index(settings, store).close()
    before, catalogue_version = build_id(settings), version.read(store, settings)
    changes = load(store, catalogue_sources(settings), settings, prune=True)
    assert {change.status for change in changes} == {"unchanged"}
    assert version.read(store, settings) == catalogue_version
    open_index(settings, store).close()
    assert build_id(settings) == before


def test_another_engine_or_analysis_rebuilds(settings: Settings, store: CatalogueStore) -> None:
    open_index(settings, store).close()
    first = build_id(settings)
    other = next(name for name in ENGINES if name != settings.search_engine)
    switched = settings.model_copy(update={"search_engine": other})
    with open_index(switched, store) as engine:
        assert engine.name == other and build_id(settings) != first
        assert PROBLEM in [hit.iri for hit in engine.search("brownfieldy")]
    second = build_id(settings)
    lemmatiser = Analyzer("snowball" if Analyzer().inflection == "simplemma" else "simplemma")
    with open_index(switched, store, analyzer=lemmatiser) as engine:
        assert build_id(settings) != second
        assert engine.identity == IndexMeta.read(settings.index_path).analysis  # type: ignore[union-attr]


def test_reindex_always_rebuilds_and_reports(settings: Settings, store: CatalogueStore) -> None:
    open_index(settings, store).close()
    before = build_id(settings)
    report = reindex(settings, store)
    assert build_id(settings) != before
    assert report.engine == settings.search_engine
    assert report.documents == len(list(search_documents(store))) > 100
    assert report.seconds > 0


def test_a_failed_rebuild_leaves_the_old_index_whole(
    settings: Settings, store: CatalogueStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_index(settings, store).close()
    before = build_id(settings)

    def failing(store: CatalogueStore) -> Iterator[SearchDocument]:
        yield from list(search_documents(store))[:5]
        raise OSError("the store went away mid-build")

    monkeypatch.setattr(search_index, "search_documents", failing)
    with pytest.raises(OSError, match="mid-build"):
        reindex(settings, store)
    assert build_id(settings) == before
    assert sorted(path.name for path in settings.index_path.parent.iterdir()) == [".index.lock", "index"]
    with open_index(settings, store) as engine:
        assert PROBLEM in [hit.iri for hit in engine.search("brownfieldy")]


def test_leftovers_of_a_crashed_build_are_cleared_by_the_next(settings: Settings, store: CatalogueStore) -> None:
    for leftover in (".index.building-dead", ".index.old-dead"):
        (settings.index_path.parent / leftover / "data").mkdir(parents=True)
    open_index(settings, store).close()
    assert sorted(path.name for path in settings.index_path.parent.iterdir()) == [".index.lock", "index"]


def test_a_folder_that_is_not_an_index_is_never_replaced(settings: Settings, store: CatalogueStore) -> None:
    settings.index_path.mkdir(parents=True)
    (settings.index_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(SearchError, match="holds no search index: set KATALOG_INDEX_PATH"):
        open_index(settings, store)
    assert (settings.index_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_callers_opening_a_missing_index_at_once_build_it_once(settings: Settings, store: CatalogueStore) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        engines = list(pool.map(lambda _: open_index(settings, store), range(4)))
    builds = {engine.meta.build_id for engine in engines}
    assert builds == {build_id(settings)}
    for engine in engines:
        engine.close()


def test_another_process_reads_the_index_while_this_one_has_it_open(settings: Settings, store: CatalogueStore) -> None:
    engine = open_index(settings, store)
    assert engine.search("brownfieldy")
    reader = (
        "import json, sys; from pathlib import Path; from catalogue.search.engine import engine_class;"
        "engine = engine_class(sys.argv[1])(Path(sys.argv[2]));"
        "print(json.dumps([hit.iri for hit in engine.search('brownfieldy')]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", reader, settings.search_engine, str(settings.index_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [hit.iri for hit in engine.search("brownfieldy")]
    engine.close()
