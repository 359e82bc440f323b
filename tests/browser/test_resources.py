"""The resource pages in a browser: one page of each kind through the audit, and the measure page
of the brownfield journey with JavaScript off."""

from __future__ import annotations

import pytest

ID = "/id/"
PAGES = {
    "measure": "measure/program-vyuziti-brownfieldu",
    "service": "service/chytra-navigace",
    "solution": "solution/lk-zasobnik-48",
    "realisation": "realisation/lk-udrzitelne-hospodareni-s-vodou-v-obchodni-akademii-ceska-lipa",
    "organisation": "organisation/mmr",
    "place": "place/liberecky-kraj",
    "programme": "programme/npo-2-8",
    "call": "call/efekt-8-2021",
}
# The heading of the part each kind has above the list of all facts.
FIRST_PART = {
    "measure": "Místo v koncepci",
    "service": "Obecná část služby",
    "solution": "Přehled",
    "realisation": "Přehled",
    "organisation": "Čeho se organizace účastní",
    "place": "Co tu udělali",
    "programme": "Přehled",
    "call": "Přehled",
}


@pytest.mark.parametrize("kind", PAGES)
def test_each_kind_of_resource_page_passes_the_audit(server, page, audit, kind: str) -> None:
    response = page.goto(server + ID + PAGES[kind])
    assert response is not None and response.status == 200
    assert page.locator("main h2").first.inner_text() == FIRST_PART[kind]
    assert page.get_by_role("heading", name="Data", exact=True).is_visible()
    for form in ("Turtle", "JSON-LD", "N-Triples"):
        assert page.get_by_role("link", name=form, exact=True).count() == 1
    audit(page, f"resource-{kind}")


def test_the_measure_page_works_without_javascript(server, page_without_js) -> None:
    page = page_without_js
    page.goto(server + ID + PAGES["measure"])
    path = page.locator("ol.path").first.locator("li")
    assert path.count() == 3, "goal → component → pillar"
    funding = page.locator("section[aria-labelledby='financovani']")
    assert funding.get_by_text("2.8", exact=True).is_visible()
    npo_2_8 = funding.locator("li").filter(has=page.get_by_text("2.8", exact=True))
    assert npo_2_8.get_by_role("link", name="Regenerace území se starou stavební zátěží (brownfieldů)").is_visible()
    assert npo_2_8.get_by_role("link", name="Národní plán obnovy").is_visible()
    assert page.get_by_role("button", name="Přidat do projektu").first.is_visible()
    funding.get_by_role("link", name="Všechny programy a výzvy v části Financování").click()
    page.wait_for_load_state()
    assert page.url == server + "/financovani"


def test_an_inferred_link_says_so_and_opens_its_reasoning_without_javascript(server, page_without_js) -> None:
    """The seed never pairs NPO 2.8 with the measure: the link says „odvozeno“ in words, and the curator's
    reasoning opens from the keyboard with no script."""
    page = page_without_js
    page.goto(server + ID + PAGES["measure"])
    funding = page.locator("section[aria-labelledby='financovani']")
    npo_2_8 = funding.locator("li").filter(has=page.get_by_text("2.8", exact=True))
    disclosure = npo_2_8.locator("details.inferred")
    summary = disclosure.locator("summary")
    assert summary.inner_text() == "odvozeno" and summary.is_visible()
    reasoning = disclosure.locator("p")
    assert not reasoning.is_visible()
    summary.focus()
    page.keyboard.press("Enter")
    assert reasoning.is_visible() and "Zdroj komponentu 2.8 s typovými opatřeními nespojuje" in reasoning.inner_text()


def test_a_page_with_its_reasonings_open_passes_the_audit(server, page, audit) -> None:
    page.goto(server + ID + "measure/a4-pateri-datove-site")
    for summary in page.locator("details.inferred summary").all():
        summary.click()
    assert page.locator("details.inferred[open]").count() >= 1
    audit(page, "resource-measure-inferred-open")


def test_a_source_reads_as_a_title_with_its_file_as_the_citation(server, page, catalogue) -> None:
    from tests.test_offline_resources import seed_titles

    titles = seed_titles(catalogue)
    page.goto(server + ID + PAGES["measure"])
    sources = page.locator("section[aria-labelledby='zdroj'] li")
    assert sources.count() >= 1
    first = sources.first
    seed = first.get_attribute("data-seed-file")
    assert seed in titles
    assert first.locator("cite").inner_text() == titles[seed]
    assert first.locator("code").inner_text() == seed, "the file name stays, as the citation"
    assert first.inner_text().startswith(titles[seed]), "a person reads the title first"


def test_an_unnamed_component_and_a_name_cut_short_say_so(server, page, audit) -> None:
    page.goto(server + ID + "component/zpo3")
    notice = page.locator("main p.notice").first
    assert notice.is_visible() and "Název komponenty zatím katalog nezná" in notice.inner_text()
    part = page.locator("section[aria-labelledby='komponenta']")
    assert part.get_by_text("ZPO3", exact=True).is_visible(), "its code"
    measures = part.locator("li a")
    assert measures.count() >= 1, "the measures it holds"
    assert part.get_by_text("(Zdroj uvádí název jen zkráceně.)").first.is_visible()
    audit(page, "resource-component-unnamed")
    measures.first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().endswith("…")
    assert "Zdroj uvádí název jen zkráceně." in page.locator("main p.notice").first.inner_text()


def test_the_footers_sparql_link_explains_the_endpoint_and_runs_an_example(server, page, audit) -> None:
    page.goto(server + ID + PAGES["measure"])
    page.locator("footer").get_by_role("link", name="SPARQL endpoint").click()
    page.wait_for_load_state()
    assert page.url == server + "/sparql"
    assert page.locator("h1").inner_text() == "SPARQL endpoint"
    example = page.locator("pre code")
    assert "SELECT" in example.inner_text()
    audit(page, "sparql-endpoint")
    with page.expect_response(lambda response: "/sparql?query=" in response.url) as answer:
        page.get_by_role("link", name="Spustit příklad (výsledek jako SPARQL JSON)").click()
    assert answer.value.status == 200
    assert answer.value.headers["content-type"].startswith("application/sparql-results+json")
    page.wait_for_load_state()
    assert "https://w3id.org/kcs/id/measure/" in page.content(), "the measures it found, shown by the browser"


def test_an_english_resource_page_names_its_kind_and_applicants_in_english(server, page, audit) -> None:
    page.goto(server + ID + "programme/npo-2-8-2?lang=en")
    assert page.locator("p.resource-kind").inner_text() == "Kind of record: Funding programme"
    applicants = page.locator("dt", has_text="Eligible applicants").locator("xpath=following-sibling::dd[1]")
    assert applicants.inner_text() == "Municipality, Region"
    audit(page, "resource-programme-english")
