"""On an English page every Czech text is the catalogue's own and is marked lang="cs", so that a
screen reader pronounces it right (WCAG 2.1, 3.1.2 Language of Parts); numbers and amounts follow
the page's language."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest

CZECH_LETTERS = re.compile(r"[ěščřžýůťďňĚŠČŘŽÝŮŤĎŇ]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Czech on purpose: names of people and standards, and the sample problems typed in Czech.
INTENDED = ("Walletzký", "ČSN EN 301 549", "Digitální a informační agentura", "máme hodně brownfieldů", "chceme šetřit energií ve školách")
PAGES = [
    "/",
    "/odpoved?problem=brownfieldy",
    "/odpoved?problem=Chceme%20opravit%20kostel",
    "/odpoved?problem=",
    "/koncepce",
    "/financovani",
    "/financovani?castka_od=x",
    "/dobra-praxe",
    "/projekt?polozka=https://w3id.org/kcs/id/measure/program-vyuziti-brownfieldu",
    "/navod",
    "/pristupnost",
    "/tahle-stranka-neni",
    "/id/measure/program-vyuziti-brownfieldu",
    "/id/programme/npo-2-8",
    "/id/place/liberecky-kraj",
]


class UnmarkedCzech(HTMLParser):
    """Collects Czech text in the body that no element marks lang="cs"."""

    def __init__(self) -> None:
        super().__init__()
        self.languages: list[str | None] = []
        self.in_body = False
        self.skipping = 0
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.in_body = True
        if tag in ("script", "style"):
            self.skipping += 1
        if tag not in VOID:
            self.languages.append(dict(attrs).get("lang"))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skipping -= 1
        if tag not in VOID and self.languages:
            self.languages.pop()

    def handle_data(self, data: str) -> None:
        marked = next((lang for lang in reversed(self.languages) if lang), None)
        text = data.strip()
        unmarked = self.in_body and not self.skipping and marked != "cs" and CZECH_LETTERS.search(text)
        if unmarked and not any(intended in text for intended in INTENDED):
            self.found.append(text[:100])


@pytest.mark.parametrize("path", PAGES)
def test_an_english_page_marks_every_czech_text(site: httpx.Client, path: str) -> None:
    answer = site.get(path, params={"lang": "en"}, headers={"Accept": "text/html"})
    assert answer.status_code in (200, 400, 404)
    assert '<html lang="en">' in answer.text
    parser = UnmarkedCzech()
    parser.feed(answer.text)
    assert not parser.found, f"Czech text not marked lang=\"cs\" on {path}:\n" + "\n".join(parser.found)


def test_amounts_and_numbers_follow_the_language(site: httpx.Client) -> None:
    czech = site.get("/id/programme/npo-2-8", headers={"Accept": "text/html"}).text
    english = site.get("/id/programme/npo-2-8?lang=en", headers={"Accept": "text/html"}).text
    assert "3\u00a0300\u00a0000\u00a0000\u00a0Kč" in czech
    assert "CZK\u00a03,300,000,000" in english and "000\u00a0Kč" not in english
