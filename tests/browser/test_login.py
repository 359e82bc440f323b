"""Logging in and out as a person does it, by keyboard alone, in chromium against a real server; the log-in
page and the admin's accounts page pass axe (no serious or critical violation) and the HTML checker."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalogue.editing import accounts
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from tests.conftest import running_server

EMAIL = "spravkyne@obec.cz"
PASSWORD = "heslo správkyně 2026"  # noqa: S105 - a test password
NAME = "Alena Správková"


@pytest.fixture(scope="module")
def server_with_admin(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("login")
    shutil.copytree(loaded_store_path, folder / "with-admin")
    settings = Settings(store_path=folder / "with-admin", index_path=folder / "with-admin-index")
    with CatalogueStore.open(settings) as store:
        accounts.add_account(store, settings, EMAIL, PASSWORD, "admin", name=NAME)
        accounts.add_account(store, settings, "kurator@obec.cz", PASSWORD, "curator", name="Karel Kurátor")
    with running_server(folder / "server", folder / "with-admin") as base:
        yield base


def _tab_to(page, selector: str, *, most: int = 40) -> None:
    """Press Tab until ``selector`` has the focus, as a keyboard user moves through the page."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def test_log_in_by_keyboard_see_the_account_and_log_out(server_with_admin: str, page, audit) -> None:
    page.goto(server_with_admin + "/")
    _tab_to(page, ".account-link a")
    page.keyboard.press("Enter")
    page.wait_for_url("**/prihlaseni?zpet=/")
    audit(page, "login")

    _tab_to(page, "#prihlaseni-email")
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type("špatné heslo, ale dlouhé")
    page.keyboard.press("Enter")
    page.get_by_role("alert").get_by_text("E-mail nebo heslo nejsou správné.").wait_for()
    assert page.locator("#prihlaseni-email").input_value() == EMAIL, "the e-mail stays"
    assert page.locator("#prihlaseni-heslo").input_value() == "", "the password does not"

    _tab_to(page, "#prihlaseni-heslo")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(server_with_admin + "/")
    assert page.locator(".account-link a").inner_text().startswith(NAME), "the header names the account"

    _tab_to(page, ".account-link a")
    page.keyboard.press("Enter")
    page.wait_for_url("**/ucet")
    assert page.locator("[data-account-name]").inner_text() == NAME
    assert "správce" in page.locator("dl.facts").inner_text()

    _tab_to(page, "form[action='/odhlaseni'] button")
    page.keyboard.press("Enter")
    page.wait_for_url(server_with_admin + "/")
    assert page.locator(".account-link a").inner_text() == "Přihlásit se"
    page.goto(server_with_admin + "/ucet")
    assert "/prihlaseni?zpet=" in page.url, "logged out on the server: the account page asks to log in"


def test_the_admins_accounts_page_passes_the_audit(server_with_admin: str, page, audit) -> None:
    page.goto(server_with_admin + "/sprava/ucty")
    assert "/prihlaseni" in page.url
    page.locator("#prihlaseni-email").fill(EMAIL)
    page.locator("#prihlaseni-heslo").fill(PASSWORD)
    page.locator("#prihlaseni-heslo").press("Enter")
    page.wait_for_url("**/sprava/ucty")
    assert page.get_by_role("heading", name="Správa účtů", level=1).is_visible()
    assert page.get_by_role("rowheader", name="kurator@obec.cz").is_visible()
    audit(page, "accounts")

    # A refused form keeps what was typed and is announced, and passes the audit too.
    page.locator("#novy-email").fill("novy@obec.cz")
    page.locator("#nove-heslo").fill("krátké")
    page.get_by_role("button", name="Založit účet").click()
    page.get_by_role("alert").first.wait_for()
    assert page.locator("#novy-email").input_value() == "novy@obec.cz"
    assert page.locator("#nove-heslo").get_attribute("aria-invalid") == "true"
    page.goto(server_with_admin + "/sprava/zaznam")
    assert page.get_by_role("heading", name="Záznam činností").is_visible()
    audit(page, "audit-log")
    page.goto(server_with_admin + "/sprava/posta")
    assert page.get_by_role("heading", name="Odeslaná pošta", level=1).is_visible()
    audit(page, "outbox")
