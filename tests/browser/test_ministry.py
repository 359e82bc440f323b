"""A ministry editor's journey in chromium against a real server: MMR's editor changes one of MMR's calls
and sets a priority measure, is refused another ministry's programme, and a reviewer of MMR publishes
both; the funding page then shows the priority beside the funding. The priority's form passes axe and
the HTML checker."""

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

PASSWORD = "heslo ministerstva 2026"  # noqa: S105 - a test password
EDITOR, REVIEWER = "editorka@mmr.cz", "recenzent@mmr.cz"
ID = "https://w3id.org/kcs/id/"
CALL = ID + "call/mmr-1-2021-nno"
MPO_PROGRAMME = ID + "programme/npo-2-8-3"
MEASURE = ("Podpora coworkingových center a využití budov a pozemků ve vlastnictví měst a obcí k podpoře drobného "
           "podnikání, včetně regenerace malých brownfieldů pro začínající podnikání")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("ministry-browser")
    shutil.copytree(loaded_store_path, folder / "store")
    settings = Settings(store_path=folder / "store", index_path=folder / "index")
    with CatalogueStore.open(settings) as store:
        for email, role, name in ((EDITOR, "ministry", "Eva Editorová"), (REVIEWER, "reviewer", "Radek Recenzent")):
            accounts.add_account(store, settings, email, PASSWORD, role, name=name, organisation=ID + "organisation/mmr")
    with running_server(folder / "server", folder / "store") as base:
        yield base


def test_a_ministry_changes_its_call_sets_a_priority_is_refused_another_and_a_reviewer_publishes(
    server: str, browser, audit
) -> None:
    editor = browser.new_context(locale="cs-CZ", viewport={"width": 1280, "height": 900}).new_page()
    log_in(editor, server, EDITOR, PASSWORD, "/upravy")

    editor.goto(server + "/id/call/mmr-1-2021-nno")
    editor.get_by_role("link", name="Upravit záznam").click()
    editor.wait_for_url(re.compile(r".*/upravy/upravit\?iri="))
    editor.locator("#kcs-allocationCZK-0").fill("120 000 000")
    editor.locator("#kcs-closesOn-0").fill("2026-06-30")
    editor.locator("#duvod-0").fill("Alokace a uzávěrka výzvy")
    editor.get_by_role("button", name="Uložit koncept").last.click()
    editor.get_by_role("status").get_by_text("Koncept je uložen.").wait_for()
    editor.get_by_role("button", name="Odeslat ke schválení").click()
    editor.get_by_text("Návrh je odeslán ke schválení.").wait_for()

    editor.goto(server + "/upravy/novy/priorita")
    audit(editor, "editor-new-priority")
    editor.locator("#kcs-priorityOf-0").fill("Ministerstvo pro místní rozvoj")
    editor.locator("#kcs-priorityMeasure-0").fill(MEASURE)
    editor.locator("#kcs-priorityLevel-0").select_option("1")
    editor.locator("#kcs-priorityReason-0").fill("Obce mají mnoho malých brownfieldů.")
    editor.locator("#duvod-0").fill("Priorita MMR")
    editor.get_by_role("button", name="Uložit koncept").last.click()
    editor.get_by_role("status").get_by_text("Koncept je uložen.").wait_for()
    editor.get_by_role("button", name="Odeslat ke schválení").click()
    editor.get_by_text("Návrh je odeslán ke schválení.").wait_for()

    refused = editor.goto(server + "/upravy/upravit?iri=" + quote(MPO_PROGRAMME, safe=""))
    assert refused is not None and refused.status == 403
    assert editor.get_by_text("Tento záznam nepatří vaší organizaci").is_visible()

    reviewer = browser.new_context(locale="cs-CZ", viewport={"width": 1280, "height": 900}).new_page()
    log_in(reviewer, server, REVIEWER, PASSWORD, "/upravy/ke-schvaleni")
    for label in ("Výzva č. 1/2021/NNO", "priority/"):
        queue = reviewer.get_by_role("article").filter(has_text=label)
        queue.get_by_role("link", name="Posoudit návrh").click()
        reviewer.get_by_role("button", name="Zveřejnit návrh").click()
        reviewer.wait_for_url(re.compile(r".*/id/(call|priority)/.*"))
        reviewer.goto(server + "/upravy/ke-schvaleni")
    assert reviewer.get_by_text("Žádný návrh nečeká na schválení.").is_visible()

    reviewer.goto(server + "/id/call/mmr-1-2021-nno")
    assert reviewer.get_by_text("120000000").count() + reviewer.get_by_text("120 000 000").count() >= 1
    reviewer.goto(server + "/financovani")
    row = reviewer.locator("table.matrix tr").filter(has_text=MEASURE[:60])
    assert "Ministerstvo pro místní rozvoj (1)" in row.locator("td.priorities").inner_text()
    editor.context.close()
    reviewer.context.close()
