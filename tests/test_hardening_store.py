"""Issue 14, the store's rows: its files are private (D7), /healthz names no path (W25), a killed load
leaves nothing served (F5)."""

from __future__ import annotations

import shutil
from pathlib import Path

from catalogue.loader import catalogue_sources, load
from catalogue.search.index import open_index
from catalogue.settings import Settings
from catalogue.store import CatalogueStore


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
