"""The guide (/navod) and the accessibility statement (/pristupnost), in-process on both stores: both languages,
the guide's links, its quotes and facts checked against the talk it follows, and the links that lead to
the curators' proposal form checked against the real answer."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from catalogue.answer import answer_problem
from web.pages.guide import (
    ACCESSIBILITY_FEEDBACK,
    EXAMPLE_PROBLEM,
    NO_MATCH_PROBLEM,
    PROPOSAL_FORM,
    SOURCE,
    STEPS,
    TERMS,
    answer_url,
)

PAGES = {
    "/navod": ("Návod: jak s katalogem sestavit projekt", "Guide: how to build a project with the catalogue"),
    "/pristupnost": ("Prohlášení o přístupnosti", "Accessibility statement"),
}
SITE_PAGES = ("/", "/koncepce", "/financovani", "/dobra-praxe", "/projekt")
"""The pages the guide's brief asks it to send its readers to."""
TALKS_GUIDE_POINTS = [
    "Jak vytvořit projekt",
    "Co hledat v katalogu služeb",
    "Jak hledat jednotlivé komponenty (služby)",
    "Co dělat, pokud nenajdu odpověď na svůj požadavek",
]
"""What the talk says a guide to the catalogue must cover (its slide "Návod")."""
FACTS_FROM_THE_TALK = (
    "2.8 Regenerace území se starou stavební zátěží (brownfieldů)",
    "3,3 mld. Kč",
    "Lokální ekonomika",
    "Prostředí pro život",
    "Lidé a komunity",
)
"""Facts of seed 004 the guide's own sentences state."""


def _flat(text: str) -> str:
    """Text with the PDF's line breaks and runs of spaces made single spaces, for comparing wording."""
    return re.sub(r"\s+", " ", text).strip()


def _page_text(html: str) -> str:
    return _flat(unescape(re.sub(r"<[^>]+>", " ", html)))


def _hrefs(html: str) -> set[str]:
    return {unescape(href) for href in re.findall(r'href="([^"]*)"', html)}


def _main(html: str) -> str:
    return html.split('<main id="obsah"', 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("path", PAGES)
def test_both_pages_answer_in_czech_and_english(site, path: str) -> None:
    czech_title, english_title = PAGES[path]
    czech = site.get(path, headers={"Accept": "text/html"})
    english = site.get(path, params={"lang": "en"}, headers={"Accept": "text/html"})
    assert czech.status_code == english.status_code == 200
    assert '<html lang="cs">' in czech.text and f"<h1>{czech_title}</h1>" in czech.text
    assert '<html lang="en">' in english.text and f"<h1>{english_title}</h1>" in english.text
    assert "Content-Security-Policy" in czech.headers


def test_the_guide_links_every_page_it_names_and_they_answer(site) -> None:
    html = _main(site.get("/navod").text)
    links = _hrefs(html)
    for path in SITE_PAGES:
        assert path in links, f"the guide does not link {path}"
    step_links = {link.path for step in STEPS for link in step.links}
    assert step_links <= links
    assert answer_url(EXAMPLE_PROBLEM) in links
    assert answer_url(NO_MATCH_PROBLEM, PROPOSAL_FORM) in links
    for path in sorted(step_links):
        response = site.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 200, f"{path} answers {response.status_code}"


def test_the_guide_has_a_step_and_a_contents_entry_for_each_point_of_the_talk(site) -> None:
    html = site.get("/navod").text
    for step in STEPS:
        assert f'<li id="{step.anchor}" class="guide-step">' in html
        assert f'href="#{step.anchor}"' in html
    # The talk's own list of what the guide must say ("Návod"), each a step of its own.
    assert set(TALKS_GUIDE_POINTS) <= {step.title for step in STEPS}


def test_the_guide_quotes_the_talk_it_names_word_for_word(site, seeds: dict[str, str]) -> None:
    assert SOURCE.seed_file in seeds, f"the guide's source {SOURCE.seed_file} is not among the seeds"
    talk = _flat(seeds[SOURCE.seed_file])
    page = _page_text(site.get("/navod").text)
    quoted = [SOURCE.title, SOURCE.author, EXAMPLE_PROBLEM]
    quoted += [text for term in TERMS for text in (term.name, term.quote)]
    quoted += [text for step in STEPS for text in (step.quote, *step.items)]
    quoted += TALKS_GUIDE_POINTS
    for text in quoted:
        assert _flat(text) in talk, f"not in {SOURCE.seed_file}: {text!r}"
        assert _flat(text) in page, f"not on the guide: {text!r}"
    assert f"seed soubor {SOURCE.seed_file}" in page


def test_the_facts_the_guide_states_are_the_talks(site, seeds: dict[str, str]) -> None:
    talk = _flat(seeds[SOURCE.seed_file])
    page = _page_text(site.get("/navod").text)
    for fact in FACTS_FROM_THE_TALK:
        assert fact in talk, f"not in {SOURCE.seed_file}: {fact!r}"
        assert fact in page, f"not on the guide: {fact!r}"
    # The meeting the source line names: the working group's 20th, on 5 August 2021.
    assert "05.08.2021" in talk and "slaví své 20. jednání" in talk
    assert "20. jednání Pracovní skupiny pro Smart Cities při MMR, 5. 8. 2021" in page


@pytest.fixture(params=["whoosh", "tantivy"])
def search(request, catalogue_search):
    return catalogue_search(request.param)


def test_the_links_to_the_proposal_form_describe_problems_the_catalogue_cannot_answer(search) -> None:
    """The form shows only with no good match: a text that starts to match something loses the form."""
    store, index = search
    assert answer_problem(store, index, EXAMPLE_PROBLEM).good_match
    for text in (NO_MATCH_PROBLEM, ACCESSIBILITY_FEEDBACK):
        assert not answer_problem(store, index, text).good_match, f"{text!r} now matches: pick another text"


def test_the_statement_says_what_the_law_asks(site) -> None:
    html = site.get("/pristupnost").text
    page = _page_text(html)
    for required in (
        "zákonem č. 99/2019 Sb., o přístupnosti internetových stránek a mobilních aplikací",
        "vyhlášky č. 515/2020 Sb.",
        "ČSN EN 301 549",
        "WCAG 2.1",
        "na úrovni AA",
        "částečně v souladu",
        "Vlastní posouzení",
        "axe-core",
        "Nu HTML Checker",
        "podnět k nápravě podle § 9",
        "Digitální a informační agentura",
    ):
        assert required in page, f"the statement lacks {required!r}"
    assert '<time datetime="2026-11-23">23. 11. 2026</time>' in html
    english = site.get("/pristupnost", params={"lang": "en"}).text
    assert '<time datetime="2026-11-23">23 November 2026</time>' in english
    assert "WCAG 2.1" in english and "Act No. 99/2019 Coll." in english


def test_the_statements_feedback_goes_to_the_proposal_form(site) -> None:
    html = site.get("/pristupnost").text
    feedback = answer_url(ACCESSIBILITY_FEEDBACK, PROPOSAL_FORM)
    assert feedback in _hrefs(_main(html))
    parts = urlsplit(feedback)
    assert parse_qs(parts.query) == {"problem": [ACCESSIBILITY_FEEDBACK]}
    answer = site.get(parts.path, params={"problem": ACCESSIBILITY_FEEDBACK}).text
    assert 'action="/navrh"' in answer and f'id="{parts.fragment}"' in answer
    assert f">{ACCESSIBILITY_FEEDBACK}</textarea>" in answer
