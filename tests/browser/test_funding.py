"""The funding page in a browser: accessible and valid, its filters work without JavaScript and travel
in the URL, and a bad filter is explained on the page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

MPO = "https://w3id.org/kcs/id/organisation/mpo"


def test_the_funding_page_shows_list_matrix_and_charts(server, page, audit) -> None:
    page.goto(server + "/financovani")
    assert page.locator("h1").inner_text() == "Financování"
    assert page.locator(".funding-item").count() > 10
    matrix = page.get_by_role("table", name="Typová opatření a programy a výzvy, které je podporují")
    assert matrix.is_visible()
    assert page.get_by_role("img", name="Alokace podle pilířů (Kč)").is_visible()
    assert page.get_by_role("link", name="CSV pro Excel", exact=True).is_visible()
    assert page.get_by_role("link", name="CSV (standardní, s čárkami)").is_visible()
    assert page.get_by_role("link", name="Mezery jako CSV pro Excel").is_visible()
    assert page.get_by_role("heading", name="Mezery mezi prioritami a financováním").is_visible()
    audit(page, "funding")


def test_the_filter_form_works_without_javascript(server, page_without_js) -> None:
    page = page_without_js
    page.goto(server + "/financovani")
    everything = page.locator(".funding-item").count()
    page.get_by_label("Poskytovatel").select_option(label="Ministerstvo průmyslu a obchodu")
    page.get_by_label("Alokace od (Kč)").fill("1000")
    page.get_by_role("button", name="Použít filtry").click()
    page.wait_for_load_state()

    query = parse_qs(urlsplit(page.url).query)
    assert query["poskytovatel"] == [MPO]
    assert query["castka_od"] == ["1000"]
    filtered = page.locator(".funding-item")
    assert 0 < filtered.count() < everything
    assert page.get_by_label("Poskytovatel").input_value() == MPO  # the form keeps what was chosen
    assert page.get_by_label("Alokace od (Kč)").input_value() == "1000"

    page.get_by_role("link", name="Zrušit filtry").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).query == ""
    assert page.locator(".funding-item").count() == everything


def test_a_bad_amount_is_explained_on_the_page(server, page, audit) -> None:
    response = page.goto(server + "/financovani?castka_od=hodn%C4%9B")
    assert response is not None and response.status == 400
    amount = page.get_by_label("Alokace od (Kč)")
    assert amount.get_attribute("aria-invalid") == "true"
    assert amount.input_value() == "hodně"
    assert page.get_by_role("heading", name="Filtry nelze použít").is_visible()
    audit(page, "funding-error")
