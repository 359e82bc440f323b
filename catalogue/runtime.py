"""The running catalogue of one process: its settings, the store, the search index, and the catalogue
version that everything it keeps follows.

The app factory builds one :class:`Catalogue` (the API adds its own parts in :class:`api.state.AppState`)
and hands it to every route and resolver, as datasette hands its ``Datasette`` object around; the
CLI builds one for a command. Nothing else holds the store or the index.

Following the version. :meth:`Catalogue.refresh` reads the store's catalogue version
(:mod:`catalogue.queries.version`); when another process (a ``katalog load`` into the Oxigraph server,
another ``katalog serve``) or this one changed the catalogue, it brings the search index up to date
and forgets what was kept for the old version. A server runs it every
:data:`~catalogue.queries.version.POLL_SECONDS` in a thread of its own (:meth:`watch`), so a change shows
within a second; every cache keyed by :attr:`Catalogue.version` follows by itself. The same thread
writes the demand counted meanwhile (:class:`~catalogue.editing.demand.DemandTally`) every
:data:`~catalogue.editing.demand.WRITE_SECONDS`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Self, TypeVar

from catalogue.editing import proposals
from catalogue.editing.demand import WRITE_SECONDS, DemandTally
from catalogue.queries import version as catalogue_version
from catalogue.search.engine import SearchEngine
from catalogue.search.index import follow, open_index
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

log = logging.getLogger(__name__)

PURGE_INTERVAL_SECONDS = 24 * 3600
"""How often a running catalogue deletes the contacts of proposals past their retention period."""

T = TypeVar("T")


class Catalogue:
    """One process's view of the catalogue. Safe to use from many threads: :attr:`version` and
    :attr:`search` are replaced whole when the catalogue changes, never modified in place."""

    def __init__(self, settings: Settings, store: CatalogueStore, search: SearchEngine, version: str) -> None:
        self.settings = settings
        self.store = store
        self.search = search
        self.version = version
        self._kept: dict[tuple[str, str], Any] = {}
        self.demand = DemandTally()
        """The questions asked of this process, written by :meth:`write_demand`."""
        self._refreshing = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    @classmethod
    def open(cls, settings: Settings, *, read_only: bool = False) -> Self:
        """Open the store and the search index (rebuilt first if it is not of the store's version)."""
        store = CatalogueStore.open(settings, read_only=read_only)
        try:
            current = catalogue_version.read(store, settings)
            return cls(settings, store, open_index(settings, store, current), current)
        except BaseException:
            store.close()
            raise

    def refresh(self) -> bool:
        """Follow a change of the catalogue version: the search index is brought up to date (by the
        documents that changed, where it can) and what was kept is forgotten. True if it changed."""
        with self._refreshing:
            current = catalogue_version.read(self.store, self.settings)
            if current == self.version:
                return False
            self.search = follow(self.search, self.settings, self.store, current)
            self.version = current
            return True

    def kept(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()``, kept under ``name`` for the current catalogue version: for what a page reads
        of the whole catalogue (filter choices, counts for its pictures)."""
        key = (self.version, name)
        kept = self._kept
        if key not in kept:
            value = compute()
            # Replaced whole, so a reader in another thread sees the old dictionary or the new one.
            kept = {old: found for old, found in kept.items() if old[0] == self.version} | {key: value}
            self._kept = kept
        return kept[key]  # type: ignore[no-any-return]

    def watch(self) -> None:
        """Follow the version in a background thread until :meth:`close`."""
        if self._watcher is not None:
            return

        def loop() -> None:
            purge_due = time.monotonic()
            demand_due = time.monotonic() + WRITE_SECONDS
            while not self._stop.wait(catalogue_version.POLL_SECONDS):
                try:
                    self.refresh()
                except Exception:  # the store may be briefly unreachable: try again at the next tick
                    log.exception("following the catalogue version failed")
                if time.monotonic() >= demand_due:
                    self.write_demand()
                    demand_due = time.monotonic() + WRITE_SECONDS
                if time.monotonic() >= purge_due:
                    # Contacts are kept only as long as the retention period says, also when nobody
                    # runs `katalog purge`: once at start and then daily.
                    try:
                        proposals.purge(self.store, self.settings)
                        purge_due = time.monotonic() + PURGE_INTERVAL_SECONDS
                    except Exception:
                        log.exception("purging old proposals' contacts failed")

        self._watcher = threading.Thread(target=loop, name="catalogue-version", daemon=True)
        self._watcher.start()

    def write_demand(self) -> None:
        """Write the questions asked so far in one update; a failure is logged and they wait for the next."""
        try:
            self.demand.write(self.store, self.settings)
        except Exception:
            log.exception("recording the demand failed; its questions wait for the next write")

    def close(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
            self._watcher = None
        self.write_demand()
        self.search.close()
        self.store.close()

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
