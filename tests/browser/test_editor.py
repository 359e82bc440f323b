"""The curators' journeys in chromium against a real server: a realisation created with a year in words,
the error shown at its field, fixed and submitted; a reviewer publishing it; the answer to a problem
showing it; the page's history with its diff and a revert that brings the old text back. Two browsers
editing one realisation, where the second gets the conflict view and keeps its text. The creation once by
keyboard alone. Every new page passes axe (nothing serious or critical) and the HTML checker."""

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
from tests.browser.conftest import log_in
from tests.conftest import running_server

PASSWORD = "heslo kurátorky 2026"  # noqa: S105 - a test password
CURATOR, SECOND, REVIEWER = "kuratorka@obec.cz", "kurator@obec.cz", "recenzentka@obec.cz"
FVE = "https://w3id.org/kcs/id/realisation/lk-fve-gymnazium-ceska-lipa"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("editor-browser")
    shutil.copytree(loaded_store_path, folder / "store")
    settings = Settings(store_path=folder / "store", index_path=folder / "index")
    with CatalogueStore.open(settings) as store:
        for email, role, name in ((CURATOR, "curator", "Klára Kurátorová"), (SECOND, "curator", "Karel Kurátor"),
                                  (REVIEWER, "reviewer", "Renata Recenzentová")):
            accounts.add_account(store, settings, email, PASSWORD, role, name=name)
    with running_server(folder / "server", folder / "store") as base:
        yield base


def _tab_to(page, selector: str, *, most: int = 120) -> None:
    """Press Tab until ``selector`` has the focus, as a keyboard user moves through the page."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def fill_new_realisation(page, label: str, year: str) -> None:
    page.get_by_label("preferovaný název").first.fill(label)
    page.locator("#dcterms-description-0").fill("Lampy se stmívají podle provozu a hlásí poruchy.")
    page.locator("#kcs-place-0").fill("Liberec")
    page.locator("#kcs-realises-0").fill("Portál otevřených dat")
    page.locator("#kcs-year-0").fill(year)
    page.locator("#dcterms-source-0-kcs-publicSource").fill("https://www.liberec.cz/lampy")
    page.locator("#dcterms-source-0-kcs-section").fill("Aktuality")
    page.locator("#duvod-0").fill("Nová dobrá praxe z Liberce")


def test_create_fix_submit_publish_answer_history_and_revert(server: str, browser, audit) -> None:
    curator = browser.new_context(locale="cs-CZ", viewport={"width": 1280, "height": 900}).new_page()
    log_in(curator, server, CURATOR, PASSWORD, "/upravy")
    audit(curator, "editor-home")
    curator.get_by_role("link", name="realizace", exact=True).click()
    curator.wait_for_url("**/upravy/novy/realizace")
    audit(curator, "editor-new")

    # The picker offers names while typing (JavaScript only enhances the field).
    curator.locator("#kcs-place-0").press_sequentially("Česká Lí", delay=30)
    offered = curator.locator("#pole-kcs-place datalist option")
    offered.first.wait_for(state="attached")
    assert "Česká Lípa" in [option.get_attribute("value") for option in offered.all()]

    fill_new_realisation(curator, "Chytré lampy v Liberci", "dvacet")
    curator.get_by_role("button", name="Uložit koncept").last.click()
    curator.wait_for_url("**/upravy/navrh/*")
    year = curator.locator("#kcs-year-0")
    assert year.get_attribute("aria-invalid") == "true"
    error = curator.locator("#kcs-year-chyba")
    assert "čtyřmi číslicemi" in error.inner_text(), "the error is at the year field"
    assert "kcs-year-chyba" in (year.get_attribute("aria-describedby") or "")
    assert year.input_value() == "dvacet", "what was typed stays"
    audit(curator, "editor-draft-with-errors")

    year.fill("2024")
    curator.get_by_role("button", name="Uložit koncept").last.click()
    curator.get_by_role("status").get_by_text("Koncept je uložen.").wait_for()
    assert curator.locator("#kcs-year-chyba").count() == 0
    curator.get_by_role("button", name="Odeslat ke schválení").click()
    curator.get_by_text("Návrh je odeslán ke schválení.").wait_for()
    audit(curator, "editor-submitted")

    reviewer = browser.new_context(locale="cs-CZ", viewport={"width": 1280, "height": 900}).new_page()
    log_in(reviewer, server, REVIEWER, PASSWORD, "/upravy/ke-schvaleni")
    queued = reviewer.get_by_role("article").filter(has_text="Chytré lampy v Liberci")
    assert queued.locator("table.diff").is_visible() and queued.locator("ins").first.is_visible()
    audit(reviewer, "editor-queue")
    queued.get_by_role("link", name="Posoudit návrh").click()
    reviewer.wait_for_url("**/upravy/navrh/*")
    audit(reviewer, "editor-review")
    reviewer.get_by_label("Komentář pro autora (nepovinný)").fill("Děkujeme, zveřejněno.")
    reviewer.get_by_role("button", name="Zveřejnit návrh").click()
    reviewer.wait_for_url("**/id/realisation/chytre-lampy-v-liberci*")
    reviewer.get_by_role("status").get_by_text("Změna je zveřejněna.").wait_for()

    reviewer.goto(server + "/odpoved?problem=" + quote("chytré lampy v Liberci"))
    assert reviewer.get_by_role("link", name="Chytré lampy v Liberci").first.is_visible()

    # A second revision: the curator renames it; the history shows the diff; a revert brings the name back.
    curator.goto(server + "/id/realisation/chytre-lampy-v-liberci")
    curator.get_by_role("link", name="Upravit záznam").click()
    curator.wait_for_url(re.compile(r".*/upravy/upravit\?iri="))
    curator.get_by_label("preferovaný název").first.fill("Chytré lampy Liberec (pilot)")
    curator.locator("#duvod-0").fill("Přesnější název")
    curator.get_by_role("button", name="Uložit koncept").last.click()
    curator.get_by_role("button", name="Odeslat ke schválení").click()
    curator.get_by_text("Návrh je odeslán ke schválení.").wait_for()
    reviewer.goto(server + "/upravy/ke-schvaleni")
    reviewer.get_by_role("article").filter(has_text="Chytré lampy Liberec (pilot)").get_by_role(
        "link", name="Posoudit návrh").click()
    reviewer.get_by_role("button", name="Zveřejnit návrh").click()
    reviewer.wait_for_url("**/id/realisation/chytre-lampy-v-liberci*")
    history = reviewer.locator("#historie")
    newest = history.locator("li.revision").first
    assert newest.locator("del").filter(has_text="Chytré lampy v Liberci").count() == 1
    assert newest.locator("ins").filter(has_text="Chytré lampy Liberec (pilot)").count() == 1
    audit(reviewer, "resource-history")

    newest.get_by_role("link", name="Vrátit na stav před touto změnou").click()
    reviewer.wait_for_url(re.compile(r".*/upravy/vratit\?iri="))
    audit(reviewer, "editor-revert")
    reviewer.get_by_role("button", name="Vrátit k této verzi").click()
    reviewer.get_by_role("alert").wait_for()
    assert reviewer.locator("#duvod-0").get_attribute("aria-invalid") == "true", "a revert needs its reason"
    reviewer.locator("#duvod-0").fill("Název podle zdroje")
    reviewer.get_by_role("button", name="Vrátit k této verzi").click()
    reviewer.wait_for_url("**/id/realisation/chytre-lampy-v-liberci*")
    assert reviewer.get_by_role("heading", level=1).inner_text() == "Chytré lampy v Liberci"
    assert reviewer.locator("#historie li.revision").count() == 3
    curator.context.close()
    reviewer.context.close()


def test_two_browsers_edit_one_realisation_and_the_second_keeps_its_text(server: str, browser, audit) -> None:
    first = browser.new_context(locale="cs-CZ", viewport={"width": 1280, "height": 900}).new_page()
    second = browser.new_context(locale="cs-CZ", viewport={"width": 1280, "height": 900}).new_page()
    reviewer = browser.new_context(locale="cs-CZ", viewport={"width": 1280, "height": 900}).new_page()
    edit = "/upravy/upravit?iri=" + quote(FVE, safe="")
    log_in(first, server, CURATOR, PASSWORD, edit)
    log_in(second, server, SECOND, PASSWORD, edit)
    log_in(reviewer, server, REVIEWER, PASSWORD, "/upravy")

    first.locator("#dcterms-description-0").fill("Elektrárna na střeše gymnázia.")
    first.locator("#duvod-0").fill("Popis")
    first.get_by_role("button", name="Uložit koncept").last.click()
    first.get_by_role("button", name="Odeslat ke schválení").click()
    first.get_by_text("Návrh je odeslán ke schválení.").wait_for()
    reviewer.goto(server + "/upravy/ke-schvaleni")
    reviewer.get_by_role("article").filter(has_text="FVE Gymnázium Česká Lípa").get_by_role(
        "link", name="Posoudit návrh").click()
    reviewer.get_by_role("button", name="Zveřejnit návrh").click()
    reviewer.wait_for_url("**/id/realisation/lk-fve-gymnazium-ceska-lipa*")

    typed = "Fotovoltaika o výkonu 50 kWp na střeše gymnázia Žitavská."
    second.locator("#dcterms-description-0").fill(typed)
    second.locator("#duvod-0").fill("Výkon elektrárny")
    second.get_by_role("button", name="Uložit koncept").last.click()
    second.wait_for_url("**/upravy/navrh/*")
    conflict = second.locator("#konflikt")
    conflict.get_by_role("heading", name="Záznam se mezitím změnil").wait_for()
    row = conflict.locator("tr.conflicting").filter(has_text="popis")
    assert row.get_by_text("Elektrárna na střeše gymnázia.").is_visible()
    assert row.get_by_text(typed).is_visible()
    assert second.locator("#dcterms-description-0").input_value() == typed, "the second keeps its text"
    audit(second, "editor-conflict")

    conflict.get_by_role("button", name="Převést koncept na aktuální verzi").click()
    second.get_by_text("Návrh je převeden na aktuální verzi záznamu.").wait_for()
    assert second.locator("#konflikt").count() == 0
    assert second.locator("#dcterms-description-0").input_value() == typed
    for page in (first, second, reviewer):
        page.context.close()


def test_a_realisation_is_created_and_submitted_by_keyboard_alone(server: str, browser) -> None:
    page = browser.new_context(locale="cs-CZ", viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, server, SECOND, PASSWORD, "/upravy")
    _tab_to(page, "a[href='/upravy/novy/realizace']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/upravy/novy/realizace")
    for selector, text in (
        ("#skos-prefLabel-0", "Sdílená kola Liberec"),
        ("#dcterms-description-0", "Kola k zapůjčení u zastávek."),
        ("#kcs-place-0", "Liberec"),
        ("#kcs-realises-0", "Mobilní aplikace dopravy"),
        ("#kcs-year-0", "2023"),
        ("#dcterms-source-0-kcs-publicSource", "https://www.liberec.cz/kola"),
        ("#dcterms-source-0-kcs-section", "Aktuality"),
        ("#duvod-0", "Dobrá praxe z Liberce"),
    ):
        _tab_to(page, selector)
        page.keyboard.type(text)
        page.keyboard.press("Escape")  # closes the picker's suggestions
    _tab_to(page, "button[value='ulozit']:not(.visually-hidden)")
    page.keyboard.press("Enter")
    page.wait_for_url("**/upravy/navrh/*")
    page.get_by_role("status").get_by_text("Koncept je uložen.").wait_for()
    _tab_to(page, "form[action$='/odeslat'] button")
    page.keyboard.press("Enter")
    page.get_by_text("Návrh je odeslán ke schválení.").wait_for()
    assert page.locator("[data-draft-status]").get_attribute("data-draft-status") == "submitted"
    page.context.close()
