"""The search index of a store, kept in step with the loaded data: updated by the documents that
changed where it can, rebuilt where it must.

The index remembers the *catalogue version* (:mod:`catalogue.queries.version`) whose documents it holds,
and keeps beside it the digest of every document (:meth:`~catalogue.search.engine.SearchEngine.update`).
:func:`open_index` (a process starting, ``katalog load``) and :func:`follow` (a running server that saw
the version change) bring it to the store's version:

- an index already at that version (another process brought it there) is only opened, or reopened:
  nothing is read from the store, nothing written;
- an index at another version, of the same engine and analysis and with its digests, is *updated*: when
  the change log (:func:`~catalogue.queries.version.changes_since`) names the resources that changed
  since the index's version (published edits), only their documents are read; otherwise (a load, a
  re-derivation) every document of the store is. They are compared by digest, and only the new,
  changed and gone ones are written, in one commit;
- anything else is *rebuilt*: no index, no digests, another engine or analysis, or an index that cannot
  be opened or written (the update's error is logged).

A rebuild writes a new index into a folder beside ``index_path`` and then swaps the folders, so a crash
leaves the old index or none (which the next open rebuilds), never half of one; an update cut short is
finished by the next one. Updates and rebuilds take a lock file beside the index, so of the processes
sharing one index folder (several ``katalog serve``, a ``katalog load``) the first to see a new version
writes the index, and the others, once it is done, find it at that version and only reopen it. Opening
an index that is current takes no lock: any number of readers may open it at once. While the index is
updated, searches of every process keep answering, from the index before the commit or after it.
"""

from __future__ import annotations

import fcntl
import logging
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from catalogue.queries import version as catalogue_version
from catalogue.queries.documents import SearchDocument, search_documents, search_documents_for
from catalogue.search.analysis import Analyzer
from catalogue.search.engine import DATA_FOLDER, META_FILE, IndexMeta, SearchEngine, SearchError, engine_class
from catalogue.settings import Settings
from catalogue.store import CatalogueStore, make_private

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReindexReport:
    documents: int
    seconds: float
    engine: str


def open_index(
    settings: Settings, store: CatalogueStore, version: str | None = None, *, analyzer: Analyzer | None = None
) -> SearchEngine:
    """The search index at ``settings.index_path``, first brought to the catalogue ``version`` (read from
    the store when not given) if it is not there: updated, or built if it is missing or cannot be updated."""
    analyzer = analyzer or Analyzer()
    version = version or catalogue_version.read(store, settings)
    make_private(settings.index_path)  # an index made before it was kept private (755/644)
    return follow(engine_class(settings.search_engine)(settings.index_path, analyzer), settings, store, version)


def follow(engine: SearchEngine, settings: Settings, store: CatalogueStore, version: str) -> SearchEngine:
    """``engine`` (open on ``settings.index_path``), returned once its index is at the catalogue
    ``version`` and it sees that: reopened if another process brought the index there already, else
    after the index was updated from ``store`` by the documents that changed (rebuilt if it cannot be).
    Searches on ``engine`` in other threads keep answering meanwhile."""
    target = settings.index_path
    if not _holds(IndexMeta.read(target), engine, version):
        with _rebuild_lock(target):
            meta = IndexMeta.read(target)  # another process may have brought it there meanwhile
            if not _holds(meta, engine, version):
                _bring_to(engine, meta, settings, store, version)
                make_private(target)  # the search engine writes its files through the umask
    engine.reopen()
    return engine


def reindex(settings: Settings, store: CatalogueStore, *, analyzer: Analyzer | None = None) -> ReindexReport:
    """Rebuild the search index from ``store`` whatever state it is in."""
    analyzer = analyzer or Analyzer()
    started = time.perf_counter()
    with _rebuild_lock(settings.index_path):
        version = catalogue_version.read(store, settings)
        documents = _rebuild(engine_class(settings.search_engine), settings, analyzer, search_documents(store), version)
    return ReindexReport(documents, time.perf_counter() - started, settings.search_engine)


def _holds(meta: IndexMeta | None, engine: SearchEngine, version: str) -> bool:
    """Whether the index of ``meta`` is ``engine``'s kind of index at ``version``."""
    wanted = (engine.name, engine.identity, version)
    return meta is not None and (meta.engine, meta.analysis, meta.version) == wanted


def _bring_to(
    engine: SearchEngine, meta: IndexMeta | None, settings: Settings, store: CatalogueStore, version: str
) -> None:
    """Under the rebuild lock: update the index to ``version``, by the resources the change log names
    where it can, else by every document; or rebuild it where that cannot be done."""
    started = time.perf_counter()
    updatable = meta is not None and (meta.engine, meta.analysis) == (engine.name, engine.identity)
    if meta is not None and updatable and _update_changed(engine, meta.version, settings, store, version):
        return
    documents = list(search_documents(store))  # a store that fails here fails the caller, who tries again
    if updatable:
        try:
            engine.reopen()  # the index may be another build than the one this engine opened
            change = engine.update(documents, version)
        except Exception as error:  # a broken index, digests never kept: a rebuild replaces whatever is there
            log.warning("the search index at %s cannot be updated, so it is rebuilt: %s", settings.index_path, error)
        else:
            log.info(
                "search index updated to version %s in %.2f s: %d documents read, %d written, %d deleted",
                version,
                time.perf_counter() - started,
                len(documents),
                len(change.written),
                len(change.deleted),
            )
            return
    _rebuild(type(engine), settings, engine.analyzer, documents, version)
    log.info("search index rebuilt for version %s in %.2f s", version, time.perf_counter() - started)


def _update_changed(engine: SearchEngine, since: str, settings: Settings, store: CatalogueStore, version: str) -> bool:
    """Under the rebuild lock: update the index from the catalogue version ``since`` to ``version`` by the
    documents of the resources the change log names alone (at 50,000 realisations, milliseconds where
    reading every document takes seconds). False when the log does not name them (a load, a
    re-derivation, a log that does not reach back) or the index cannot be updated so (what an update cut
    short wrote is noted pending, and the full update writes it again)."""
    started = time.perf_counter()
    changed = catalogue_version.changes_since(store, settings, since)  # a store that fails fails the caller
    if changed is None:
        log.info("the change log does not say what changed since version %s: every document is read", since)
        return False
    try:
        engine.reopen()  # the index may be another build than the one this engine opened
        wanted = changed | engine.unsettled()  # and what a writer that died may have left half-written
    except Exception as error:
        log.warning("the search index at %s cannot be updated by resource: %s", settings.index_path, error)
        return False
    documents = search_documents_for(store, wanted)  # a store that fails here fails the caller too
    try:
        change = engine.update_some(documents, sorted(wanted - {document.iri for document in documents}), version)
    except Exception as error:  # no digests, a broken index: the full update repairs it, or a rebuild
        log.warning("the search index at %s cannot be updated by resource: %s", settings.index_path, error)
        return False
    log.info(
        "search index updated from version %s to %s in %.3f s by the change log: %d resources read, "
        "%d documents written, %d deleted",
        since,
        version,
        time.perf_counter() - started,
        len(wanted),
        len(change.written),
        len(change.deleted),
    )
    return True


@contextmanager
def _rebuild_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if the process dies
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _rebuild(
    kind: type[SearchEngine],
    settings: Settings,
    analyzer: Analyzer,
    documents: Iterable[SearchDocument],
    version: str,
) -> int:
    """Build a new index of ``documents`` beside ``index_path`` and swap it in; returns how many
    documents it holds.

    Runs under the rebuild lock, so any leftover building or old folder is from a process that died."""
    target = settings.index_path
    _refuse_foreign_folder(target)
    for leftover in target.parent.glob(f".{target.name}.*-*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
    building = target.parent / f".{target.name}.building-{uuid.uuid4().hex}"
    try:
        building.mkdir(mode=0o700)
        with kind(building, analyzer) as engine:
            count = engine.build(documents, version)
        make_private(building)  # the index quotes the catalogue only, but lives beside the store: kept alike
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
