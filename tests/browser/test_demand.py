"""Demand in chromium against a real server (issue 13, part 7): a problem nothing matches is asked twice; a
curator finds it on /poptavka (without JavaScript too), turns it into a synonym of a type measure in one
step, a reviewer publishes it, and the next identical question matches well. The demand page passes axe
(nothing serious or critical) and the HTML checker."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from catalogue.editing import accounts
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from tests.browser.conftest import log_in
from tests.conftest import running_server

PASSWORD = "heslo poptávky 2026"  # noqa: S105 - a test password
CURATOR, REVIEWER = "kuratorka@poptavka.cz", "recenzentka@poptavka.cz"
MEASURE = "https://w3id.org/kcs/id/measure/program-vyuziti-brownfieldu"
PROBLEM = "Holubi kadi na lavky u radnice"
FOLDED = PROBLEM.lower()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("demand-browser")
    shutil.copytree(loaded_store_path, folder / "store")
    settings = Settings(store_path=folder / "store", index_path=folder / "index")
    with CatalogueStore.open(settings) as store:
        for email, role, name in ((CURATOR, "curator", "Klára Kurátorová"),
                                  (REVIEWER, "reviewer", "Renata Recenzentová")):
            accounts.add_account(store, settings, email, PASSWORD, role, name=name)
    with running_server(folder / "server", folder / "store") as base:
        yield base


def test_a_curator_turns_a_demand_row_into_a_synonym_and_the_next_question_matches_well(
    server: str, browser, audit
) -> None:
    visitor = browser.new_context(locale="cs-CZ", viewport={"width": 1280, "height": 900}).new_page()
    for _ in range(2):
        visitor.goto(server + "/odpoved?problem=" + quote(PROBLEM))
    assert visitor.locator("#navrh-text, textarea").count() >= 1, "nothing matches: the proposal form is offered"

    # Without JavaScript the page and its one-step form work the same.
    plain = browser.new_context(locale="cs-CZ", java_script_enabled=False,
                                viewport={"width": 1280, "height": 900}).new_page()
    log_in(plain, server, CURATOR, PASSWORD, "/poptavka")
    row = plain.locator("section[aria-labelledby=bez-shody] tbody tr").filter(has_text=FOLDED)
    assert row.count() == 1
    curator = browser.new_context(locale="cs-CZ", viewport={"width": 1280, "height": 900}).new_page()
    log_in(curator, server, CURATOR, PASSWORD, "/poptavka")
    audit(curator, "demand")  # axe runs in the page's JavaScript
    row.get_by_label("Jiný pojem (adresa IRI)").fill(MEASURE)
    row.get_by_role("button", name="Přidat jako synonymum").click()
    plain.wait_for_url(re.compile(r".*/upravy/upravit\?"))
    hidden = [plain.locator("input[name='skos-hiddenLabel']").nth(i).input_value()
              for i in range(plain.locator("input[name='skos-hiddenLabel']").count())]
    assert FOLDED in hidden, "the synonym is in the form already"
    plain.locator("#duvod-0").fill("Slova, která obce používají (poptávka)")
    plain.get_by_role("button", name="Uložit koncept").last.click()
    plain.wait_for_url("**/upravy/navrh/*")
    plain.get_by_role("button", name="Odeslat ke schválení").click()
    plain.get_by_text("Návrh je odeslán ke schválení.").wait_for()

    reviewer = browser.new_context(locale="cs-CZ", viewport={"width": 1280, "height": 900}).new_page()
    log_in(reviewer, server, REVIEWER, PASSWORD, "/upravy/ke-schvaleni")
    reviewer.get_by_role("article").filter(has_text=FOLDED).get_by_role("link", name="Posoudit návrh").click()
    reviewer.wait_for_url("**/upravy/navrh/*")
    reviewer.get_by_role("button", name="Zveřejnit návrh").click()
    reviewer.get_by_role("status").get_by_text("Změna je zveřejněna.").wait_for()

    # The server's index follows the publication within a second or two.
    deadline = time.monotonic() + 10
    while True:
        visitor.goto(server + "/odpoved?problem=" + quote(PROBLEM))
        found = visitor.get_by_role("link", name=re.compile("Program využití brownfieldů")).count()
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert found, "the same question now finds the measure"

    plain.goto(server + "/poptavka")
    assert plain.locator("section[aria-labelledby=bez-shody] tbody tr").filter(has_text=FOLDED).count() == 0, "no longer unmatched"
