"""The import journey in chromium against a real server: a curator uploads a table with a wrong row and
is refused with the report (nothing written, the reason typed kept), uploads the fixed file, gets one
draft listing every record, submits it, and a reviewer publishes it, after which the records' pages
exist. axe finds nothing serious or critical on the import page, its report and the import's draft."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalogue.editing import accounts
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from tests.browser.conftest import log_in
from tests.conftest import running_server

PASSWORD = "heslo kurátorky 2026"  # noqa: S105 - a test password
CURATOR, REVIEWER = "kuratorka@import.cz", "recenzentka@import.cz"
HEADER = "skos-prefLabel;kcs-place;kcs-realises;kcs-year;dcterms-source.kcs-publicSource;dcterms-source.kcs-section"
ROW = "{label};{place};https://w3id.org/kcs/id/solution/lk-energeticky-management;2025;https://www.liberec.cz/l;Aktuality"


def table(*rows: tuple[str, str]) -> bytes:
    return "\n".join([HEADER, *(ROW.format(label=label, place=place) for label, place in rows)]).encode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("import-browser")
    shutil.copytree(loaded_store_path, folder / "store")
    settings = Settings(store_path=folder / "store", index_path=folder / "index")
    with CatalogueStore.open(settings) as store:
        for email, role, name in ((CURATOR, "curator", "Klára Kurátorová"), (REVIEWER, "reviewer", "Renata")):
            accounts.add_account(store, settings, email, PASSWORD, role, name=name)
    with running_server(folder / "server", folder / "store") as base:
        yield base


def upload(page, name: str, data: bytes) -> None:
    page.locator("#soubor").set_input_files({"name": name, "mimeType": "text/csv", "buffer": data})
    page.get_by_role("button", name="Importovat", exact=True).click()


def test_an_import_is_refused_with_its_report_then_applied_and_published(server: str, browser, audit) -> None:
    curator = browser.new_context(locale="cs-CZ", viewport={"width": 1280, "height": 900}).new_page()
    log_in(curator, server, CURATOR, PASSWORD, "/upravy")
    curator.get_by_role("link", name="Import ze souboru").click()
    curator.wait_for_url("**/upravy/import")
    audit(curator, "import")
    assert curator.get_by_label("Strategie s celou hierarchií").count() == 0, "a curator imports no strategy"

    curator.get_by_label("Realizace (dobrá praxe)").check()
    curator.locator("#duvod").fill("Lavičky z Liberce")
    upload(curator, "lavicky.csv", table(("Chytrá lavička u radnice", "Liberec"), ("Chytrá lavička v parku", "Mordor")))
    curator.get_by_role("alert").get_by_text("Import odmítnut, nic nebylo zapsáno").wait_for()
    assert curator.locator("[data-import-valid]").get_attribute("data-import-valid") == "ne"
    error_row = curator.locator("tr[data-row-status='error']")
    assert error_row.count() == 1 and "„Mordor“ v poli místo katalog nezná" in error_row.inner_text()
    assert "3" in error_row.locator("th").inner_text(), "the row as the spreadsheet numbers it"
    assert curator.locator("#duvod").input_value() == "Lavičky z Liberce", "what was typed is kept"
    audit(curator, "import-refused")

    upload(curator, "lavicky.csv", table(("Chytrá lavička u radnice", "Liberec"), ("Chytrá lavička v parku", "Liberec")))
    curator.wait_for_url("**/upravy/navrh/*")
    curator.get_by_role("heading", name="Záznamy importu (2)").wait_for()
    audit(curator, "import-draft")
    curator.get_by_role("button", name="Odeslat ke schválení").click()
    curator.get_by_text("Návrh je odeslán ke schválení.").wait_for()
    draft_url = curator.url.split("?")[0]
    curator.context.close()

    reviewer = browser.new_context(locale="cs-CZ", viewport={"width": 1280, "height": 900}).new_page()
    log_in(reviewer, server, REVIEWER, PASSWORD, "/upravy")
    reviewer.goto(draft_url)
    reviewer.get_by_role("button", name="Zveřejnit návrh").click()
    reviewer.wait_for_url("**/id/realisation/chytra-lavicka-u-radnice*")
    for slug, label in (("chytra-lavicka-u-radnice", "Chytrá lavička u radnice"),
                        ("chytra-lavicka-v-parku", "Chytrá lavička v parku")):
        response = reviewer.goto(f"{server}/id/realisation/{slug}")
        assert response is not None and response.status == 200
        reviewer.get_by_role("heading", name=label).first.wait_for()
    reviewer.context.close()
