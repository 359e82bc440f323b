"""The home page, the frame every page shares, the English switch and the error pages."""

from __future__ import annotations


def test_home_asks_the_question_and_offers_examples_and_ways_in(server, page, audit) -> None:
    page.goto(server + "/")
    assert page.locator("h1").inner_text() == "Jaký problém vaše obec řeší?"
    assert page.get_by_label("Popis problému").is_visible()
    examples = page.locator(".examples a")
    assert examples.count() >= 3
    for way_in in ("/koncepce", "/financovani", "/dobra-praxe", "/navod"):
        assert page.locator(f"main a[href='{way_in}']").count() >= 1
    audit(page, "home")


def test_the_english_switch_turns_the_page_and_comes_back(server, page) -> None:
    page.goto(server + "/")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.url == server + "/"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "What problem is your municipality facing?"
    page.get_by_role("link", name="Česky").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Jaký problém vaše obec řeší?"


def test_an_unknown_address_gets_the_site_404(server, page, audit) -> None:
    response = page.goto(server + "/tahle-stranka-neni")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Stránka nenalezena"
    assert page.locator("nav a[href='/financovani']").count() == 1
    audit(page, "error-404")
