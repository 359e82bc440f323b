"""`katalog serve` as a real server on 127.0.0.1: health check and the Czech page of pillars."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx

from catalogue.settings import Settings
from tests.conftest import app_client


def test_healthz_answers_once_the_store_is_open(server: str) -> None:
    answer = httpx.get(f"{server}/healthz", timeout=5)
    assert answer.status_code == 200 and answer.json()["status"] == "ok"


def test_healthz_names_the_catalogue_version_and_no_path_on_disk(tmp_path: Path, loaded_store_path: Path) -> None:
    """What broke: /healthz showed the store's folder."""
    from catalogue.queries import version
    from catalogue.store import CatalogueStore

    shutil.copytree(loaded_store_path, tmp_path / "store")
    settings = Settings(store_path=tmp_path / "store", index_path=tmp_path / "index")
    with CatalogueStore.open(settings, read_only=True) as store:
        current = version.read(store, settings)
    with app_client(settings) as site:
        answer = site.get("/healthz")
    assert answer.json() == {"status": "ok", "catalogueVersion": current}
    assert str(tmp_path) not in answer.text


def test_home_page_lists_the_pillars_in_czech(server: str) -> None:
    page = httpx.get(f"{server}/", timeout=5)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="cs">' in page.text
    for pillar in ("Lokální ekonomika", "Prostředí pro život", "Lidé a komunity", "Zastřešující průřezová oblast"):
        assert pillar in page.text


def test_app_reports_unavailable_until_started(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    app = create_app(Settings(store_path=tmp_path / "store", index_path=tmp_path / "index"))
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
    assert TestClient(app).get("/healthz").status_code == 503
