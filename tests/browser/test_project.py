"""The project builder in a browser: a project put together on /projekt with JavaScript on and off, what
it covers, the audit of a page with a full basket, and the printout without the site's navigation."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

BROWNFIELD_MEASURES = (
    "Podpora coworkingových center",
    "Program využití brownfieldů",
    "Podpora dostupného bydlení",
)
BROWNFIELD_PILLARS = ("Lokální ekonomika", "Prostředí pro život", "Lidé a komunity")


def _choose(page, beginning: str) -> None:
    """Add the measure whose name begins with ``beginning`` from the page's list of measures and services."""
    select = page.get_by_label("Typové opatření nebo chytrá služba")
    value = select.locator("option", has_text=re.compile("^" + re.escape(beginning))).get_attribute("value")
    select.select_option(value)
    page.get_by_role("button", name="Přidat", exact=True).click()
    page.wait_for_load_state()


def _assert_brownfield_coverage(page) -> None:
    coverage = page.locator("section", has=page.locator("#pokryti"))
    assert "Multidisciplinární projekt" in coverage.inner_text()
    for pillar in BROWNFIELD_PILLARS:
        assert pillar in coverage.locator("dl.facts").inner_text()
    funding = page.locator("section", has=page.locator("#financovani"))
    assert funding.get_by_role("link", name="Regenerace území se starou stavební zátěží (brownfieldů)").is_visible()


def test_a_project_is_put_together_on_its_page(server, page, audit) -> None:
    page.goto(server + "/projekt")
    assert page.locator("h1").inner_text() == "Sestavit projekt"
    assert page.locator("nav a[href='/projekt']").get_attribute("aria-current") == "page"
    for measure in BROWNFIELD_MEASURES:
        _choose(page, measure)
        assert urlsplit(page.url).path == "/projekt"
    items = page.locator(".project-item")
    assert items.count() == 3
    _assert_brownfield_coverage(page)
    audit(page, "project")

    items.first.get_by_role("button", name=re.compile("^Odebrat")).click()
    page.wait_for_load_state()
    assert page.locator(".project-item").count() == 2


def test_search_adds_without_javascript(server, page_without_js) -> None:
    page = page_without_js
    page.goto(server + "/projekt")
    page.get_by_label("Hledat opatření, službu nebo řešení").fill("brownfieldy")
    page.get_by_role("button", name="Hledat", exact=True).click()
    page.wait_for_load_state()
    for measure in BROWNFIELD_MEASURES:
        page.locator(".project-found li", has_text=measure).get_by_role("button", name=f"Přidat do projektu: {measure}").click()
        page.wait_for_load_state()
        assert "hledat=brownfieldy" in page.url, "adding comes back to the search results"
    assert page.locator(".project-item").count() == 3
    _assert_brownfield_coverage(page)
    assert page.locator(".project-found .tag", has_text="v projektu").count() == 2
    assert page.locator(".project-found [role='status']", has_text="Přidáno do projektu").count() == 1, "the last one added"


def test_a_shared_link_opens_the_project_and_saves_it(server, page) -> None:
    page.goto(server + "/projekt")
    _choose(page, BROWNFIELD_MEASURES[0])
    link = page.get_by_label("Odkaz na tento projekt").input_value()
    page.context.clear_cookies()
    page.goto(link)
    assert "Prohlížíte sdílený projekt" in page.locator("main").inner_text()
    page.get_by_role("button", name="Uložit do mého projektu").click()
    page.wait_for_load_state()
    assert page.url == server + "/projekt"
    assert page.locator(".project-item").count() == 1


def test_the_printout_leaves_out_the_navigation_and_the_forms(server, page) -> None:
    page.goto(server + "/projekt")
    for measure in BROWNFIELD_MEASURES:
        _choose(page, measure)
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    printed_from = page.url
    page.get_by_role("link", name="Vytisknout").click()
    assert page.locator("body").get_attribute("data-printed") == "yes"
    assert page.url == printed_from, "with JavaScript the link prints instead of leaving"

    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".main-nav").is_visible()
    assert not page.locator("#pridat").is_visible()
    assert not page.get_by_role("button", name=re.compile("^Odebrat")).first.is_visible()
    assert page.locator("#pokryti").is_visible() and page.locator("#financovani").is_visible()
    _assert_brownfield_coverage(page)
