"""Dobrá praxe in a browser (issue 11, points 5 and 6): the tile map fits a phone and a desktop, the
cards show the source's notes, and the list is sorted, searched, filtered by a grouped place and paged
by number, all without JavaScript. Facts come from the catalogue's Turtle."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SKOS

from catalogue.vocabulary import KCS
from tests.browser.conftest import WIDTHS


def count(page) -> int:
    match = re.search(r"Nalezeno: ([\d\u00a0 ]+)", page.locator(".result-count").inner_text())
    assert match
    return int(re.sub(r"\D", "", match.group(1)))


@pytest.mark.parametrize("width", sorted(WIDTHS.values()))
def test_the_tile_map_fits_the_screen(server, browser, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="cs-CZ")
    try:
        page = context.new_page()
        page.goto(server + "/dobra-praxe?druh=reseni")
        box = page.locator("svg.region-map").bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # On a phone the tiles name the regions by their abbreviation, large enough to read.
        short = page.locator("svg.region-map .tile-short").first
        name = page.locator("svg.region-map .tile-name").first
        assert short.is_visible() == (width < 640) and name.is_visible() == (width >= 640)
        shown = short if width < 640 else name
        text_box = shown.bounding_box()
        assert text_box is not None and text_box["height"] >= 10
    finally:
        context.close()


def test_the_cards_show_the_source_s_notes(server, page, catalogue: Graph, audit) -> None:
    page.goto(server + "/dobra-praxe")
    noted = [
        str(note)
        for item in catalogue.subjects(RDF.type, KCS.Realisation)
        if catalogue.value(item, KCS.costCZK) is None
        for note in catalogue.objects(item, SKOS.note)
        if isinstance(note, Literal) and re.search(r"\d+ tis\. Kč", str(note))
    ]
    assert noted
    amount = re.search(r"\d+ tis\. Kč[^,;]*", noted[0])
    assert amount
    card = page.locator(".practice-list > li", has_text=amount.group(0).strip())
    assert card.count() >= 1
    assert "(podle zdroje)" in card.first.inner_text()
    # The whole note is behind a disclosure that opens without JavaScript.
    card.first.get_by_text("Poznámka zdroje").click()
    assert card.first.get_by_text(noted[0]).is_visible()
    audit(page, "good-practice-notes")


def test_search_sort_and_the_grouped_place_filter_work_without_javascript(server, page_without_js) -> None:
    page = page_without_js
    page.goto(server + "/dobra-praxe?druh=reseni")
    everything = count(page)
    groups = page.locator("#filtr-misto optgroup")
    assert groups.first.get_attribute("label") == "Kraje"
    assert groups.last.get_attribute("label") == "Zahraničí"
    assert groups.first.locator("option").count() == 14
    liberec_towns = page.locator('#filtr-misto optgroup[label="Liberecký kraj: obce"] option')
    assert liberec_towns.count() >= 1
    town = liberec_towns.first
    value = town.get_attribute("value")
    expected = int(re.sub(r"\D", "", (town.inner_text().rsplit("(", 1)[1])))
    page.get_by_label("Místo", exact=True).select_option(value)
    page.get_by_label("Řadit").select_option("naklady")
    page.get_by_role("button", name="Použít filtry").click()
    page.wait_for_load_state()
    query = parse_qs(urlsplit(page.url).query)
    assert query["misto"] == [value] and query["razeni"] == ["naklady"]
    assert count(page) == expected <= everything
    assert page.get_by_label("Řadit").input_value() == "naklady"

    page.goto(server + "/dobra-praxe?druh=reseni")
    first_name = page.locator(".practice-list > li h3").first.inner_text()
    word = max(first_name.split(), key=len)
    page.get_by_label("Hledat v seznamu").fill(word.upper())
    page.get_by_role("button", name="Použít filtry").click()
    page.wait_for_load_state()
    assert parse_qs(urlsplit(page.url).query)["hledat"] == [word.upper()]
    assert 1 <= count(page) <= everything
    names = page.locator(".practice-list > li h3").all_inner_texts()
    assert first_name in names


def test_the_pages_are_numbered_links(server, page, audit) -> None:
    page.goto(server + "/dobra-praxe?druh=reseni")
    pager = page.get_by_role("navigation", name="Stránkování")
    assert pager.locator('[aria-current="page"]').inner_text().strip().endswith("1")
    first = page.locator(".practice-list > li h3").first.inner_text()
    pager.get_by_role("link", name="strana 2", exact=True).click()
    page.wait_for_load_state()
    assert parse_qs(urlsplit(page.url).query)["strana"] == ["2"]
    pager = page.get_by_role("navigation", name="Stránkování")
    assert pager.locator('[aria-current="page"]').inner_text().strip().endswith("2")
    assert first not in page.locator(".practice-list > li h3").all_inner_texts()
    audit(page, "good-practice-page-2")
