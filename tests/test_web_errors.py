"""Error pages: a person gets a page in the site's look to go on from, a program a short JSON answer."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from catalogue.errors import StoreError
from catalogue.settings import Settings

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[FastAPI]:
    folder = tmp_path_factory.mktemp("errors")
    shutil.copytree(loaded_store_path, folder / "store")
    application = create_app(Settings(store_path=folder / "store", index_path=folder / "index"))

    @application.get("/selhani")
    def failing_page() -> None:
        raise RuntimeError("a page that fails, as any page might")

    @application.get("/bez-uloziste")
    def page_without_its_store() -> None:
        raise StoreError("cannot open the store at /srv/tajne/store: disk on fire")

    with TestClient(application, raise_server_exceptions=False):
        yield application


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def test_an_unexpected_failure_gets_the_500_page_in_the_sites_look(client: TestClient) -> None:
    page = client.get("/selhani", headers=HTML)
    assert page.status_code == 500
    assert "<h1>Chyba serveru</h1>" in page.text
    assert 'href="/financovani"' in page.text, "the site's navigation, to go on from"
    assert "RuntimeError" not in page.text and "a page that fails" not in page.text, "no internals shown"
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    english = client.get("/selhani?lang=en", headers=HTML)
    assert english.status_code == 500 and "<h1>Server error</h1>" in english.text


def test_a_program_gets_json_errors(client: TestClient) -> None:
    failed = client.get("/selhani", headers={"Accept": "application/json"})
    assert failed.status_code == 500 and failed.json()["error"]["code"] == "INTERNAL_ERROR"
    assert failed.json()["error"]["message"].startswith("Něco se na naší straně pokazilo")
    assert "RuntimeError" not in failed.text and "a page that fails" not in failed.text
    missing = client.get("/tahle-stranka-neni", headers={"Accept": "application/json"})
    assert missing.status_code == 404 and missing.json() == {
        "error": {
            "code": "NOT_FOUND",
            "message": "Na této adrese nic není. Zkontrolujte ji, nebo začněte hledáním řešení na úvodní stránce.",
        }
    }
    wrong_method = client.post("/koncepce", headers={"Accept": "application/json"})
    assert wrong_method.status_code == 405 and wrong_method.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_an_unavailable_store_is_503_with_its_code_and_without_its_cause(client: TestClient) -> None:
    answer = client.get("/bez-uloziste", headers={"Accept": "application/json"})
    assert answer.status_code == 503 and answer.json()["error"] == {
        "code": "STORE_UNAVAILABLE",
        "message": "Úložiště katalogu je teď nedostupné; zkuste to prosím za chvíli znovu.",
    }
    page = client.get("/bez-uloziste", headers=HTML)
    assert page.status_code == 503 and "Úložiště katalogu je teď nedostupné" in page.text
    assert "/srv/tajne" not in page.text and "disk on fire" not in page.text, "the cause is for the log"


def test_a_wrong_method_gets_the_405_page(client: TestClient) -> None:
    page = client.post("/koncepce", headers=HTML)
    assert page.status_code == 405 and "Tuto akci stránka nepodporuje" in page.text
