"""A curator triages a municipality's proposal in chromium against a real server: the proposal sent from
the answer page appears in the inbox with its contact, moves to triaged and is answered with a reply;
the inbox passes axe and the HTML checker."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from catalogue.editing import accounts
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from tests.conftest import running_server
from web.forms import MIN_FILL_SECONDS

PASSWORD = "heslo kurátora 2026"  # noqa: S105 - a test password
CURATOR = "kurator@obec.cz"
PROBLEM = "Potřebujeme poradit s chytrým zavlažováním parků"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("inbox-browser")
    shutil.copytree(loaded_store_path, folder / "store")
    settings = Settings(store_path=folder / "store", index_path=folder / "index")
    with CatalogueStore.open(settings) as store:
        accounts.add_account(store, settings, CURATOR, PASSWORD, "curator", name="Karel Kurátor")
    with running_server(folder / "server", folder / "store") as base:
        yield base


def test_a_curator_triages_and_answers_a_proposal(server: str, browser, audit) -> None:
    municipality = browser.new_context(locale="cs-CZ", viewport={"width": 1280, "height": 900}).new_page()
    municipality.goto(server + "/odpoved?problem=" + quote(PROBLEM))
    municipality.locator("#navrh-kontakt").fill("starostka@obec-lhota.cz")
    municipality.wait_for_timeout(MIN_FILL_SECONDS * 1000)  # a person takes this long at least; a robot does not
    municipality.get_by_role("button", name="Odeslat návrh").click()
    municipality.get_by_role("status").wait_for()
    municipality.context.close()

    curator = browser.new_context(locale="cs-CZ", viewport={"width": 1280, "height": 900}).new_page()
    curator.goto(server + "/prihlaseni?zpet=" + quote("/upravy"))
    curator.locator("#prihlaseni-email").fill(CURATOR)
    curator.locator("#prihlaseni-heslo").fill(PASSWORD)
    curator.locator("#prihlaseni-heslo").press("Enter")
    curator.wait_for_url("**/upravy")
    curator.get_by_role("link", name="Návrhy obcí").click()
    curator.wait_for_url("**/upravy/navrhy-obci")
    row = curator.locator("tbody tr").filter(has_text=PROBLEM)
    assert "starostka@obec-lhota.cz" in row.inner_text() and "nový" in row.inner_text()
    audit(curator, "inbox")
    row.get_by_role("link").click()
    curator.wait_for_url(re.compile(r".*/upravy/navrhy-obci/[0-9a-f-]+$"))
    audit(curator, "inbox-proposal")
    curator.locator("#stav-0").select_option("triaged")
    curator.get_by_role("button", name="Uložit stav").click()
    curator.get_by_role("status").get_by_text("Stav návrhu je uložen.").wait_for()
    assert curator.locator("dd[data-status]").get_attribute("data-status") == "triaged"
    curator.locator("#stav-0").select_option("answered")
    curator.get_by_role("button", name="Uložit stav").click()
    curator.get_by_role("alert").wait_for()
    assert "Napište odpověď" in curator.get_by_role("alert").inner_text()
    curator.locator("#odpoved-0").fill("Podívejte se na opatření o modrozelené infrastruktuře.")
    curator.get_by_role("button", name="Uložit stav").click()
    curator.get_by_role("status").get_by_text("Stav návrhu je uložen.").wait_for()
    assert curator.locator("dd[data-status]").get_attribute("data-status") == "answered"
    assert "modrozelené infrastruktuře" in curator.locator("dl.facts").inner_text()
    curator.context.close()
