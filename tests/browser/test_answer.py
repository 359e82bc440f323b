"""The answer page in a browser: the brownfield answer, its filters without JavaScript, and the
proposal form of the no-good-match state, sent once wrong and once right."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from web.forms import MIN_FILL_SECONDS

ID = "https://w3id.org/kcs/id/"
BROWNFIELD_MEASURES = [
    "/id/measure/coworkingova-centra-a-male-brownfieldy",
    "/id/measure/program-vyuziti-brownfieldu",
    "/id/measure/dostupne-bydleni-a-brownfieldy",
]
NO_MATCH = "xyzzy kvakva plumbus"


def measure_links(page) -> list[str]:
    return page.locator(".measure h3 a").evaluate_all("links => links.map(link => link.getAttribute('href'))")


def test_the_brownfield_answer_shows_three_measures_with_their_pillars_and_npo_2_8(server, page, audit) -> None:
    page.goto(server + "/odpoved?" + urlencode({"problem": "Máme ve městě hodně brownfieldů"}))
    assert page.locator("h1").inner_text() == "Řešení problému"
    assert sorted(measure_links(page)[:3]) == sorted(BROWNFIELD_MEASURES)
    pillars = {page.locator(".measure").nth(number).locator(".path li").last.inner_text() for number in range(3)}
    assert pillars == {"Lokální ekonomika", "Prostředí pro život", "Lidé a komunity"}
    first = page.locator(".measure").first
    assert first.get_by_role("link", name="Národní plán obnovy › 2.8 Regenerace území").count() == 1
    assert first.get_by_role("button", name="Přidat do projektu").is_visible()
    audit(page, "answer")


def test_the_filters_work_without_javascript(server, page_without_js) -> None:
    page = page_without_js
    page.goto(server + "/odpoved?" + urlencode({"problem": "brownfieldy"}))
    assert len(measure_links(page)) >= 3
    page.locator("#filtr-pilir").select_option(f"{ID}pillar/prostredi-pro-zivot")
    page.get_by_role("button", name="Najít řešení").click()
    page.wait_for_load_state()
    query = parse_qs(urlsplit(page.url).query)
    assert query["problem"] == ["brownfieldy"] and query["pilir"] == [f"{ID}pillar/prostredi-pro-zivot"]
    assert measure_links(page) == ["/id/measure/program-vyuziti-brownfieldu"]
    assert page.locator("#filtr-pilir").input_value() == f"{ID}pillar/prostredi-pro-zivot"


def test_no_good_match_offers_the_proposal_form(server, page, audit) -> None:
    page.goto(server + "/odpoved?" + urlencode({"problem": NO_MATCH}))
    assert page.get_by_role("heading", name="Katalog nenašel dobrou shodu").is_visible()
    assert page.get_by_label("Váš problém").input_value() == NO_MATCH
    assert not page.locator(".trap").is_visible(), "the honeypot is hidden"
    audit(page, "answer-no-match")


def test_a_proposal_sent_with_a_bad_contact_then_a_good_one(server, page, audit) -> None:
    page.goto(server + "/odpoved?" + urlencode({"problem": NO_MATCH}))
    page.get_by_label("Váš problém").fill("Holubi znečišťují náměstí a nikdo neví, co s tím")
    page.get_by_label("Kontakt: e-mail nebo telefon").fill("jana.obec.cz")
    page.wait_for_timeout(MIN_FILL_SECONDS * 1000)  # a person takes this long at least; a robot does not
    page.get_by_role("button", name="Odeslat návrh").click()
    page.wait_for_load_state()
    assert page.locator(".error-message").inner_text().startswith("Uveďte e-mail")
    assert page.get_by_label("Váš problém").input_value() == "Holubi znečišťují náměstí a nikdo neví, co s tím"
    assert page.get_by_label("Kontakt: e-mail nebo telefon").get_attribute("aria-invalid") == "true"

    page.get_by_label("Kontakt: e-mail nebo telefon").fill("jana@obec.cz")
    page.get_by_role("button", name="Odeslat návrh").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/navrh/odeslano"
    assert page.locator("h1").inner_text() == "Děkujeme, návrh jsme přijali"
    audit(page, "answer-proposal-sent")
