"""The search index of a store: opened as it is while it matches the loaded data, rebuilt when it does not.

The index remembers the *catalogue version* (:mod:`catalogue.queries.version`) whose documents it holds.
:func:`open_index` compares it, with the engine and the analysis, and rebuilds on any difference;
:func:`follow` brings an open index to a new version. So the index never answers from data the store
no longer has.

A rebuild writes a new index into a folder beside ``index_path`` and then swaps the folders, so a crash
leaves the old index or none (which the next open rebuilds), never half of one. Rebuilds take a lock
file beside the index, so two processes starting at once build once. Opening an index that is current
writes nothing and takes no lock: any number of readers may open it at once.
"""

from __future__ import annotations

import fcntl
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from catalogue.queries import version as catalogue_version
from catalogue.queries.documents import search_documents
from catalogue.search.analysis import Analyzer
from catalogue.search.engine import DATA_FOLDER, META_FILE, IndexMeta, SearchEngine, SearchError, engine_class
from catalogue.settings import Settings
from catalogue.store import CatalogueStore


@dataclass(frozen=True)
class ReindexReport:
    documents: int
    seconds: float
    engine: str


def open_index(
    settings: Settings, store: CatalogueStore, version: str | None = None, *, analyzer: Analyzer | None = None
) -> SearchEngine:
    """The search index at ``settings.index_path``, rebuilt first if it is missing or out of step with
    ``store`` (another catalogue ``version`` — read from the store when not given —, engine or analysis)."""
    analyzer = analyzer or Analyzer()
    version = version or catalogue_version.read(store, settings)
    engine = _current(settings, analyzer, version)
    if engine is not None:
        return engine
    with _rebuild_lock(settings.index_path):
        engine = _current(settings, analyzer, version)  # another process may have rebuilt it meanwhile
        if engine is None:
            _rebuild(settings, store, analyzer, version)
            engine = engine_class(settings.search_engine)(settings.index_path, analyzer)
    return engine


def follow(engine: SearchEngine, settings: Settings, store: CatalogueStore, version: str) -> SearchEngine:
    """``engine``'s index brought to the catalogue ``version``: the index as it is if another process
    brought it there already, else rebuilt. The engine to search from now on (``engine`` is closed if
    it is not that one)."""
    current = open_index(settings, store, version, analyzer=engine.analyzer)
    if current is not engine:
        engine.close()
    return current


def reindex(settings: Settings, store: CatalogueStore, *, analyzer: Analyzer | None = None) -> ReindexReport:
    """Rebuild the search index from ``store`` whatever state it is in."""
    analyzer = analyzer or Analyzer()
    started = time.perf_counter()
    with _rebuild_lock(settings.index_path):
        documents = _rebuild(settings, store, analyzer, catalogue_version.read(store, settings))
    return ReindexReport(documents, time.perf_counter() - started, settings.search_engine)


def _current(settings: Settings, analyzer: Analyzer, version: str) -> SearchEngine | None:
    meta = IndexMeta.read(settings.index_path)
    wanted = (settings.search_engine, analyzer.identity, version)
    if meta is None or (meta.engine, meta.analysis, meta.version) != wanted:
        return None
    return engine_class(settings.search_engine)(settings.index_path, analyzer)


@contextmanager
def _rebuild_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if the process dies
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _rebuild(settings: Settings, store: CatalogueStore, analyzer: Analyzer, version: str) -> int:
    """Build a new index beside ``index_path`` and swap it in; returns how many documents it holds.

    Runs under the rebuild lock, so any leftover building or old folder is from a process that died."""
    target = settings.index_path
    _refuse_foreign_folder(target)
    for leftover in target.parent.glob(f".{target.name}.*-*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
    building = target.parent / f".{target.name}.building-{uuid.uuid4().hex}"
    try:
        engine = engine_class(settings.search_engine)(building, analyzer)
        with engine:
            count = engine.build(search_documents(store), version)
        if target.exists():
            old = target.parent / f".{target.name}.old-{uuid.uuid4().hex}"
            target.rename(old)
            building.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            building.rename(target)
    finally:
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)
    return count


def _refuse_foreign_folder(target: Path) -> None:
    """Never replace a folder that is not a search index (a mistyped KATALOG_INDEX_PATH)."""
    if target.is_dir() and any(target.iterdir()):
        if not ((target / META_FILE).exists() or (target / DATA_FOLDER).is_dir()):
            raise SearchError(
                f"{target} is not empty and holds no search index: set KATALOG_INDEX_PATH to a folder of its own"
            )
    elif target.exists() and not target.is_dir():
        raise SearchError(f"{target} is a file, not a folder: set KATALOG_INDEX_PATH to a folder of its own")
