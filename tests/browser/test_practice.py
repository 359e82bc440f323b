"""Dobrá praxe in a browser: accessible and valid, and its filters and map work without JavaScript."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

LIBERECKY_KRAJ = "https://w3id.org/kcs/id/place/liberecky-kraj"


def test_good_practice_shows_the_list_the_chart_table_and_the_map(server, page, audit) -> None:
    page.goto(server + "/dobra-praxe")
    assert page.locator("h1").inner_text() == "Dobrá praxe"
    assert page.locator(".practice-list > li").count() >= 1
    assert page.locator("svg.region-map a.tile").count() == 14
    assert page.get_by_role("table", name="Počet realizací podle krajů").locator("tbody tr").count() == 14
    audit(page, "good-practice")


def test_the_filters_work_without_javascript(server, page_without_js) -> None:
    page = page_without_js
    page.goto(server + "/dobra-praxe")
    page.get_by_label("Druh").select_option("reseni")
    page.get_by_label("Místo", exact=True).select_option(LIBERECKY_KRAJ)
    page.get_by_role("button", name="Použít filtry").click()
    page.wait_for_load_state()
    query = parse_qs(urlsplit(page.url).query)
    assert query["misto"] == [LIBERECKY_KRAJ] and query["druh"] == ["reseni"]
    assert page.get_by_label("Místo", exact=True).input_value() == LIBERECKY_KRAJ
    assert page.locator("h2#seznam").inner_text() == "Chytrá řešení"
    in_region = int(re.sub(r"\D", "", page.locator(".result-count").inner_text()))
    assert in_region >= 1


def test_a_map_tile_filters_the_list_by_its_region(server, page_without_js) -> None:
    page = page_without_js
    page.goto(server + "/dobra-praxe?druh=reseni")
    everything = int(re.sub(r"\D", "", page.locator(".result-count").inner_text()))
    page.locator("svg.region-map a.tile", has_text="Ústecký").click()
    page.wait_for_load_state()
    assert parse_qs(urlsplit(page.url).query)["misto"] == ["https://w3id.org/kcs/id/place/ustecky-kraj"]
    in_usti = int(re.sub(r"\D", "", page.locator(".result-count").inner_text()))
    assert 0 < in_usti < everything
