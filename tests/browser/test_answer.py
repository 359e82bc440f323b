"""The answer page in a browser: the brownfield answer, its filters without JavaScript, the proposal form
of the no-good-match state, sent once wrong and once right; a problem no measure answers (said plainly,
weaker matches marked, the form offered), and reasons that are short with the rest behind a disclosure."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from web.forms import MIN_FILL_SECONDS
from web.site import plural

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


# -- issue 11: honest empty states, reasons for people ------------------------------------------------

WEAK_PROBLEM = "otevřená data"
"""A problem of the officer of issue 11: the catalogue holds a service and a problem with its words, but no
type measure that addresses it."""


def test_a_problem_no_measure_answers_says_so_shows_weaker_matches_and_offers_the_form(server, page, audit) -> None:
    page.goto(server + "/odpoved?" + urlencode({"problem": WEAK_PROBLEM}))
    assert page.get_by_role("heading", name="Katalog nenašel dobrou shodu").is_visible()
    assert page.get_by_text("Zvoleným filtrům").count() == 0 and page.get_by_text("Zobrazit bez filtrů").count() == 0
    listed = page.locator("ul.ranked > li")
    assert listed.count() >= 1, "what did match is shown lower down"
    for number in range(listed.count()):
        assert listed.nth(number).locator(".tag.weak").inner_text() == "slabší shoda"
    heading = page.get_by_role("heading", name="Katalog nenašel dobrou shodu").bounding_box()
    first = listed.first.bounding_box()
    assert heading and first and heading["y"] < first["y"], "the plain word first, the weaker matches below"
    page.get_by_role("link", name="Pošlete problém kurátorům katalogu").click()
    assert urlsplit(page.url).fragment == "navrh-nadpis"
    assert page.get_by_role("heading", name="Poslat problém kurátorům").is_visible()
    assert page.get_by_label("Váš problém").input_value() == WEAK_PROBLEM
    assert page.get_by_role("button", name="Odeslat návrh").is_visible()
    audit(page, "answer-weak")


def test_a_filter_that_leaves_no_measure_says_so_and_offers_the_way_back(server, page_without_js) -> None:
    page = page_without_js
    page.goto(server + "/odpoved?" + urlencode({"problem": "brownfieldy"}))
    brownfield_pillars = {page.locator(".measure").nth(number).locator(".path li").last.inner_text()
                          for number in range(page.locator(".measure").count())}
    choices = page.locator("#filtr-pilir option").evaluate_all(
        "options => options.map(option => [option.value, option.textContent])")
    other = next(value for value, label in choices if value and label.split(" (")[0] not in brownfield_pillars)
    page.locator("#filtr-pilir").select_option(other)
    page.get_by_role("button", name="Najít řešení").click()
    page.wait_for_load_state()
    assert page.get_by_text("Zvoleným filtrům neodpovídá žádné typové opatření.").is_visible()
    assert page.get_by_role("heading", name="Katalog nenašel dobrou shodu").count() == 0
    page.get_by_role("link", name="Zobrazit bez filtrů").click()
    page.wait_for_load_state()
    assert len(measure_links(page)) >= 3


def test_each_measure_shows_short_reasons_and_the_rest_opens_without_javascript(server, page_without_js) -> None:
    page = page_without_js
    page.goto(server + "/odpoved?" + urlencode({"problem": "Máme ve městě hodně brownfieldů"}))
    card = page.locator(".measure").filter(has=page.locator("details.more-reasons")).first
    shown = card.locator(".why > ul.reasons > li")
    assert 1 <= shown.count() <= 2 and all(shown.nth(n).is_visible() for n in range(shown.count()))
    more = card.locator("details.more-reasons")
    hidden = more.locator("li")
    count = hidden.count()
    assert count >= 1 and not hidden.first.is_visible(), "the rest waits behind the disclosure"
    summary = more.locator("summary")
    assert summary.inner_text() == plural("cs", "%(num)s další důvod", "%(num)s dalších důvodů", count) % {"num": count}
    summary.click()
    assert all(hidden.nth(n).is_visible() for n in range(count)), "the disclosure opens without JavaScript"
    reasons = [text.strip() for text in card.locator(".why li").all_inner_texts()]
    assert len(set(reasons)) == len(reasons), "no reason twice"
    assert not [reason for reason in reasons if " v názvu" in reason or "„městě“" in reason]


def test_the_reasons_read_well_with_the_disclosure_open(server, page, audit) -> None:
    page.goto(server + "/odpoved?" + urlencode({"problem": "Máme ve městě hodně brownfieldů"}))
    summaries = page.locator("details.more-reasons summary")
    assert summaries.count() >= 1
    summaries.first.click()
    assert page.locator("details.more-reasons").first.get_attribute("open") is not None
    audit(page, "answer-reasons-open")
