"""Dobrá praxe's lists help (issue 11, point 6): they sort by name, year and cost and are searched within,
every filter choice says how many it has, the pages are numbered, the place filter is grouped (regions,
their towns, abroad) and offers every region, and counted words take the right Czech form. Every
expectation is computed from the Turtle; a long list stays cheap (it is sorted only when asked)."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS
from rdflib.term import Node

from catalogue.queries import practice
from catalogue.queries.browse import ProjectFilter, count_projects
from catalogue.queries.resources import czech_sort_key
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from catalogue.vocabulary import KCS
from tests.test_practice_known import cards, czech, offered, path_of
from tests.test_web_practice import (  # noqa: F401 - the fixtures with_years and generated_client
    expected_by_region,
    found,
    generated_client,
    get,
    region_codes,
    with_years,
)
from web.pages.practice import PAGE_SIZE
from web.site import plural


def label(graph: Graph, item: Node) -> str:
    return czech(graph, item, SKOS.prefLabel)[0]


def listed(html: str) -> list[str]:
    """The IRI paths of the cards, in the order shown."""
    return list(cards(html))


def by_name(graph: Graph, items: set[Node]) -> list[str]:
    return [path_of(i) for i in sorted(items, key=lambda i: (czech_sort_key(label(graph, i)), str(i)))]


# -- sorting and search ------------------------------------------------------------------------------


def test_a_short_list_is_in_name_order(site: httpx.Client, catalogue: Graph) -> None:
    realisations = set(catalogue.subjects(RDF.type, KCS.Realisation))
    assert listed(get(site).text) == by_name(catalogue, realisations)[:PAGE_SIZE]
    solutions = set(catalogue.subjects(RDF.type, KCS.SmartSolution))
    assert listed(get(site, "?druh=reseni&razeni=nazev").text) == by_name(catalogue, solutions)[:PAGE_SIZE]


def test_solutions_sort_by_cost_highest_first_and_those_without_last(site: httpx.Client, catalogue: Graph) -> None:
    solutions = set(catalogue.subjects(RDF.type, KCS.SmartSolution))

    def key(item: Node) -> tuple[object, ...]:
        cost = catalogue.value(item, KCS.costCZK)
        return (cost is None, -float(str(cost or 0)), czech_sort_key(label(catalogue, item)), str(item))

    expected = [path_of(i) for i in sorted(solutions, key=key)]
    with_cost = sum(1 for i in solutions if catalogue.value(i, KCS.costCZK) is not None)
    assert 0 < with_cost < len(solutions)
    pages = -(-len(solutions) // PAGE_SIZE)
    shown = [path for page in range(1, pages + 1) for path in listed(get(site, f"?druh=reseni&razeni=naklady&strana={page}").text)]
    assert shown == expected


def test_realisations_sort_by_year_newest_first(generated_store: tuple[CatalogueStore, Graph]) -> None:
    store, graph = generated_store
    page = practice.practice_page(store, "Realisation", ProjectFilter(), offset=0, limit=10_000, order="year")
    years = [item.year for item in page.items]
    known = [year for year in years if year is not None]
    assert known == sorted(known, reverse=True) and known
    assert years == known + [None] * (len(years) - len(known))  # those without a year last
    assert page.total == len(set(graph.subjects(RDF.type, KCS.Realisation)))


def folded(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def test_the_search_finds_names_without_regard_to_case_or_diacritics(site: httpx.Client, catalogue: Graph) -> None:
    solutions = set(catalogue.subjects(RDF.type, KCS.SmartSolution))
    names = {s: [*czech(catalogue, s, SKOS.prefLabel), *czech(catalogue, s, SKOS.altLabel)] for s in solutions}
    words = Counter(w for s in solutions for w in set(re.findall(r"\w{6,}", label(catalogue, s).casefold())))
    word = next(w for w, n in words.most_common() if folded(w) != w and n > 1)  # a word with a diacritic
    asked = folded(word).upper()
    expected = {path_of(s) for s, texts in names.items() if folded(word) in folded(" ".join(texts))}
    html = get(site, f"?druh=reseni&hledat={quote(asked)}").text
    assert found(html) == len(expected) < len(solutions)
    assert set(listed(html)) <= expected
    assert f'value="{asked}"' in html  # shown back in the form
    # Words are all required; nothing matches a made-up one.
    assert found(get(site, f"?druh=reseni&hledat={quote(asked)}+qqqzzz").text) == 0


# -- the filters and their counts ------------------------------------------------------------------


def groups(html: str, select: str) -> list[tuple[str, list[str]]]:
    """The ``<optgroup>`` labels of a select with the option values in each, in order."""
    start = html.index(f'<select id="{select}"')
    block = html[start : html.index("</select>", start)]
    return [
        (unescape(name), [unescape(v) for v in re.findall(r'<option value="([^"]+)"', body)])
        for name, body in re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', block, re.DOTALL)
    ]


def test_the_place_filter_offers_every_region_then_their_towns_then_abroad(
    site: httpx.Client, catalogue: Graph
) -> None:
    codes = region_codes(catalogue)
    regions = sorted(codes, key=lambda r: czech_sort_key(label(catalogue, URIRef(r))))
    within = {
        str(p): {str(w) for w in catalogue.transitive_objects(p, DCTERMS.isPartOf)} - {str(p)}
        for p in catalogue.subjects(RDF.type, KCS.Place)
    }
    towns = {r: {p for p, ws in within.items() if r in ws and p not in codes} for r in regions}
    abroad = {p for p, ws in within.items() if p not in codes and not ws & set(codes)}
    found_groups = groups(get(site).text, "filtr-misto")
    assert found_groups[0] == ("Kraje", regions)  # all 14, those with nothing done in them too
    expected = [(f"{label(catalogue, URIRef(r))}: obce", towns[r]) for r in regions if towns[r]]
    assert [(name, set(values)) for name, values in found_groups[1:-1]] == expected
    assert found_groups[-1][0] == "Zahraničí" and set(found_groups[-1][1]) == abroad
    for _, values in found_groups[1:]:
        assert values == sorted(values, key=lambda p: czech_sort_key(label(catalogue, URIRef(p))))


def test_each_place_says_how_many_it_has_and_lists_as_many(site: httpx.Client, catalogue: Graph) -> None:
    for kind, name in ((KCS.Realisation, "realizace"), (KCS.SmartSolution, "reseni")):
        counts = offered(get(site, f"?druh={name}").text, "filtr-misto")
        regions = expected_by_region(catalogue, kind)
        for region in region_codes(catalogue):
            assert counts[region] == regions[region], region
        assert any(counts.values()) and 0 in counts.values()
        for place, count in counts.items():
            if count:
                assert found(get(site, f"?druh={name}&misto={quote(place)}").text) == count, place


def test_each_year_says_how_many_it_has(generated_client, with_years: tuple[Path, Graph]) -> None:  # noqa: F811
    _, graph = with_years
    years = Counter(int(str(graph.value(i, KCS.year))[:4]) for i in graph.subjects(RDF.type, KCS.Realisation) if graph.value(i, KCS.year))
    counts = offered(generated_client.get("/dobra-praxe").text, "filtr-rok")
    assert {int(year): count for year, count in counts.items()} == dict(years)


# -- numbered pages ----------------------------------------------------------------------------------


def page_numbers(html: str) -> list[tuple[str, bool]]:
    """The pager's numbered links: their text and whether each is the current page; "…" for a gap."""
    if '<ol class="page-numbers">' not in html:
        return []
    block = html[html.index('<ol class="page-numbers">') : html.index("</ol>", html.index('<ol class="page-numbers">'))]
    found_links = []
    for item in re.findall(r"<li[^>]*>(.*?)</li>", block, re.DOTALL):
        text = re.sub(r"<span class=\"visually-hidden\">[^<]*</span>", "", item)
        found_links.append((re.sub(r"<[^>]+>", "", text).strip(), 'aria-current="page"' in item))
    return found_links


def test_the_pages_are_numbered_and_together_list_everything_once(site: httpx.Client, catalogue: Graph) -> None:
    solutions = {path_of(s) for s in catalogue.subjects(RDF.type, KCS.SmartSolution)}
    pages = -(-len(solutions) // PAGE_SIZE)
    assert pages >= 3, "the seed catalogue's solutions no longer fill three pages"
    seen: list[str] = []
    for number in range(1, pages + 1):
        html = get(site, f"?druh=reseni&strana={number}").text
        links = page_numbers(html)
        assert (str(number), True) in links and ("1", number == 1) in links and (str(pages), number == pages) in links
        assert [text for text, _ in links if text != "…"] == sorted({text for text, _ in links if text != "…"}, key=int)
        seen += listed(html)
    assert len(seen) == len(set(seen)) == len(solutions) and set(seen) == solutions
    # A list of one page has no pager.
    if len(set(catalogue.subjects(RDF.type, KCS.Realisation))) <= PAGE_SIZE:
        assert page_numbers(get(site).text) == []


def test_the_page_links_leave_gaps_far_from_the_current_page() -> None:
    from starlette.requests import Request

    from web.paging import page_links

    request = Request({"type": "http", "path": "/dobra-praxe", "query_string": b"druh=reseni&strana=6", "headers": []})
    shown = [(link.number, link.current) for link in page_links(request, 6, 12)]
    assert shown == [(1, False), (None, False), (4, False), (5, False), (6, True), (7, False), (8, False),
                     (None, False), (12, False)]
    first = page_links(request, 1, 12)[0]
    assert first.url == "/dobra-praxe?druh=reseni"  # page 1 is the list's own address


# -- counted words --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "realisations", "solutions"),
    [(1, "realizace", "chytré řešení"), (2, "realizace", "chytrá řešení"), (4, "realizace", "chytrá řešení"),
     (5, "realizací", "chytrých řešení"), (0, "realizací", "chytrých řešení"), (12, "realizací", "chytrých řešení")],
)
def test_the_counted_words_take_the_czech_form(count: int, realisations: str, solutions: str) -> None:
    assert plural("cs", "realizace", "realizací", count) == realisations
    assert plural("cs", "chytré řešení", "chytrých řešení", count) == solutions
    assert plural("en", "realizace", "realizací", count) == ("realisation" if count == 1 else "realisations")


def test_the_result_count_says_realizace_or_realizaci(site: httpx.Client, catalogue: Graph) -> None:
    places = Counter(str(p) for i in catalogue.subjects(RDF.type, KCS.Realisation) for p in catalogue.objects(i, KCS.place))
    single = next(place for place, n in places.items() if n == 1)
    assert re.search(r"Nalezeno: 1\s+realizace\b", get(site, f"?misto={quote(single)}").text)
    total = len(set(catalogue.subjects(RDF.type, KCS.Realisation)))
    assert re.search(rf"Nalezeno: {total}\s+{plural('cs', 'realizace', 'realizací', total)}\b", get(site).text)


# -- municipality size -------------------------------------------------------------------------------


def test_no_size_filter_while_no_place_has_a_population(site: httpx.Client, catalogue: Graph) -> None:
    """The seeds and the registers the catalogue cites give no population of a town: a filter by size
    would offer choices that match nothing, so there is none until the data has it."""
    predicates = {str(p).casefold() for p in catalogue.predicates()}
    assert not any("population" in p or "obyvatel" in p for p in predicates)
    assert 'name="velikost"' not in get(site).text


# -- a long list stays cheap -------------------------------------------------------------------------


@pytest.fixture
def generated_store(with_years: tuple[Path, Graph]):  # noqa: F811
    path, graph = with_years
    with CatalogueStore.open(Settings(store_path=path), read_only=True) as store:
        yield store, graph


def test_a_long_list_is_sorted_only_when_asked_and_then_from_the_kept_table(
    generated_store: tuple[CatalogueStore, Graph], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = generated_store
    monkeypatch.setattr(practice, "SORTED_BY_DEFAULT_UP_TO", 10)
    asked: list[int] = []
    table = practice.sort_entries(store, "Realisation")

    def kept() -> dict[str, practice.SortEntry]:
        asked.append(1)
        return table

    total = count_projects(store, "Realisation", ProjectFilter())
    plain = practice.practice_page(store, "Realisation", ProjectFilter(), offset=0, limit=20, table=kept)
    assert plain.order is None and plain.total == total and not asked  # the store's order, no table read
    by_cost = practice.practice_page(store, "Realisation", ProjectFilter(), offset=0, limit=20, order="cost", table=kept)
    assert by_cost.order == "cost" and asked == [1] and by_cost.total == total
    costs = [item.cost_czk for item in by_cost.items]
    assert costs == sorted(costs, reverse=True)  # type: ignore[type-var]
    assert max(entry.cost or 0 for entry in table.values()) == costs[0]
