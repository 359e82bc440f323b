"""Dobrá praxe: the regions in the data, the counts by year and region against the Turtle, the filtered
list, refused filter values, and the tile map."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from api.app import create_app
from catalogue.graphs import graph_iri
from catalogue.loader import Source, catalogue_sources, load
from catalogue.queries import practice
from catalogue.queries.browse import ProjectFilter
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from catalogue.vocabulary import KCS
from tests.bench.generate import generate
from web.regions_map import TILE_POSITIONS

PLACE = "https://w3id.org/kcs/id/place/"
LIBERECKY_KRAJ = PLACE + "liberecky-kraj"
USTECKY_KRAJ = PLACE + "ustecky-kraj"

# ISO 3166-2:CZ, the 14 regions (13 kraje and the capital), as the standard lists them.
ISO_REGIONS = {
    "CZ-10": "Hlavní město Praha",
    "CZ-20": "Středočeský kraj",
    "CZ-31": "Jihočeský kraj",
    "CZ-32": "Plzeňský kraj",
    "CZ-41": "Karlovarský kraj",
    "CZ-42": "Ústecký kraj",
    "CZ-51": "Liberecký kraj",
    "CZ-52": "Královéhradecký kraj",
    "CZ-53": "Pardubický kraj",
    "CZ-63": "Kraj Vysočina",
    "CZ-64": "Jihomoravský kraj",
    "CZ-71": "Olomoucký kraj",
    "CZ-72": "Zlínský kraj",
    "CZ-80": "Moravskoslezský kraj",
}


# -- expectations computed from the Turtle with rdflib ---------------------------------------------


def region_codes(graph: Graph) -> dict[str, str]:
    """Region IRI → ISO code: the places whose notation is a region code."""
    return {
        str(place): str(code)
        for place in graph.subjects(RDF.type, KCS.Place)
        for code in graph.objects(place, SKOS.notation)
        if re.fullmatch(r"CZ-[0-9]{2}", str(code))
    }


def expected_by_region(graph: Graph, kind: URIRef = KCS.Realisation) -> Counter[str]:
    """Items of ``kind`` per region: an item counts once for each region its places are or lie in."""
    regions = set(region_codes(graph))
    counts: Counter[str] = Counter()
    for item in set(graph.subjects(RDF.type, kind)):
        reached = set()
        for place in graph.objects(item, KCS.place):
            reached |= {str(p) for p in graph.transitive_objects(place, DCTERMS.isPartOf)} & regions
        counts.update(reached)
    return counts


def expected_by_year(graph: Graph) -> tuple[dict[int, int], int]:
    by_year: Counter[int] = Counter()
    without = 0
    for item in set(graph.subjects(RDF.type, KCS.Realisation)):
        year = graph.value(item, KCS.year)
        if year is None:
            without += 1
        else:
            by_year[int(str(year)[:4])] += 1
    return dict(by_year), without


def realisations_in(graph: Graph, region: str) -> set[str]:
    return {
        str(item)
        for item in graph.subjects(RDF.type, KCS.Realisation)
        if any(
            region in {str(p) for p in graph.transitive_objects(place, DCTERMS.isPartOf)}
            for place in graph.objects(item, KCS.place)
        )
    }


def expected_in(graph: Graph, kind: URIRef, region: str) -> int:
    return expected_by_region(graph, kind)[region]


# -- the data ---------------------------------------------------------------------------------------


def test_the_14_regions_have_their_iso_codes_and_official_names(catalogue: Graph) -> None:
    codes = region_codes(catalogue)
    assert sorted(codes.values()) == sorted(ISO_REGIONS)
    for region, code in codes.items():
        labels = [
            str(label)
            for label in catalogue.objects(URIRef(region), SKOS.prefLabel)
            if isinstance(label, Literal) and label.language == "cs"
        ]
        assert labels == [ISO_REGIONS[code]], region
    # Liberecký kraj keeps the IRI the Liberec files gave it: no second resource for the same region.
    assert codes[LIBERECKY_KRAJ] == "CZ-51"
    named_liberecky = {
        s
        for s in catalogue.subjects(SKOS.prefLabel, None)
        if "Liberecký kraj" in [str(o) for o in catalogue.objects(s, SKOS.prefLabel)]
        and (s, RDF.type, KCS.Place) in catalogue
    }
    assert named_liberecky == {URIRef(LIBERECKY_KRAJ)}


def test_every_czech_town_of_the_catalogue_lies_in_a_region(catalogue: Graph) -> None:
    regions = set(region_codes(catalogue))
    foreign = {PLACE + name for name in ("slovensko", "polsko", "varsava", "wroclav", "rzeszow")}
    towns = {str(p) for p in catalogue.subjects(RDF.type, KCS.Place)} - regions - foreign
    assert towns, "no towns at all"
    outside = sorted(
        town
        for town in towns
        if not {str(p) for p in catalogue.transitive_objects(URIRef(town), DCTERMS.isPartOf)} & regions
    )
    assert outside == []


def test_every_region_has_a_tile_on_the_map(catalogue: Graph) -> None:
    assert set(TILE_POSITIONS) == set(region_codes(catalogue).values())
    assert len(set(TILE_POSITIONS.values())) == len(TILE_POSITIONS), "two regions on one tile"


# -- the aggregates against the Turtle ---------------------------------------------------------------


@pytest.fixture(scope="module")
def with_years(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Graph]:
    """The catalogue and 400 generated realisations (with years, places, measures), in a store and in
    rdflib: the seed catalogue's realisations state no year, so its year chart alone proves little."""
    folder = tmp_path_factory.mktemp("practice")
    settings = Settings(store_path=folder / "store")
    sources = catalogue_sources(settings)
    graph = Graph()
    for source in sources:
        graph.parse(source.path, format="turtle")
    generated = folder / "generated.ttl"
    generate(graph, 400, generated, seed=4)
    graph.parse(generated, format="turtle")
    with CatalogueStore.open(settings) as store:
        load(store, [*sources, Source(generated, graph_iri(settings, "generated"))], settings, prune=True)
    return settings.store_path, graph


@pytest.fixture
def generated_store(with_years: tuple[Path, Graph]) -> Iterator[tuple[CatalogueStore, Graph]]:
    path, graph = with_years
    with CatalogueStore.open(Settings(store_path=path), read_only=True) as store:
        yield store, graph


def test_realisations_by_year_match_the_turtle(generated_store: tuple[CatalogueStore, Graph]) -> None:
    store, graph = generated_store
    counts = practice.realisations_by_year(store)
    by_year, without = expected_by_year(graph)
    assert dict(counts.by_year) == by_year
    assert counts.without_year == without
    assert len(by_year) > 5 and without > 0  # both kinds of realisation are there to count


def test_realisations_by_region_match_the_turtle(generated_store: tuple[CatalogueStore, Graph]) -> None:
    store, graph = generated_store
    assert practice.realisations_by_region(store) == dict(expected_by_region(graph))
    assert len(expected_by_region(graph)) == 14


def test_the_filtered_page_counts_what_the_turtle_has(generated_store: tuple[CatalogueStore, Graph]) -> None:
    store, graph = generated_store
    page = practice.practice_page(
        store, "Realisation", ProjectFilter(region=USTECKY_KRAJ, year=2020), offset=0, limit=500
    )
    expected = {
        item for item in realisations_in(graph, USTECKY_KRAJ) if str(graph.value(URIRef(item), KCS.year)) == "2020"
    }
    assert expected, "the generated data has no realisation in Ústecký kraj in 2020"
    assert page.total == len(expected)
    assert {item.resource.iri for item in page.items} == expected
    assert all(item.year == 2020 and item.cost_czk is not None and item.status is not None for item in page.items)


# -- the page ----------------------------------------------------------------------------------------


def get(site: httpx.Client, query: str = "", **headers: str) -> httpx.Response:
    return site.get(f"/dobra-praxe{query}", headers={"accept": "text/html", **headers})


def found(html: str) -> int:
    match = re.search(r"Nalezeno: ([\d\u00a0]+)", html)
    assert match, "no count of results on the page"
    return int(match.group(1).replace("\u00a0", ""))


def test_the_page_lists_realisations_with_place_year_status_and_cost(site: httpx.Client, catalogue: Graph) -> None:
    response = get(site)
    assert response.status_code == 200
    html = response.text
    realisations = set(catalogue.subjects(RDF.type, KCS.Realisation))
    assert found(html) == len(realisations)
    assert html.count('<li class="card">') == min(len(realisations), 20)
    for heading in ("Místo", "Rok", "Stav", "Náklady"):
        assert f"<dt>{heading}</dt>" in html
    assert 'href="/id/realisation/' in html


def test_the_region_filter_narrows_the_list(site: httpx.Client, catalogue: Graph) -> None:
    everything = found(get(site).text)
    in_liberecky = found(get(site, f"?kraj={quote(LIBERECKY_KRAJ)}").text)
    assert in_liberecky == expected_in(catalogue, KCS.Realisation, LIBERECKY_KRAJ) > 0
    assert found(get(site, f"?kraj={quote(USTECKY_KRAJ)}").text) == 0 < everything
    solutions = found(get(site, "?druh=reseni").text)
    in_usti = found(get(site, f"?druh=reseni&kraj={quote(USTECKY_KRAJ)}").text)
    assert in_usti == expected_in(catalogue, KCS.SmartSolution, USTECKY_KRAJ)
    assert 0 < in_usti < solutions


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?kraj=liberecky", "Kraj vyberte z nabídky: takový kraj katalog nezná."),
        ("?kraj=" + quote(PLACE + "liberec"), "Kraj vyberte z nabídky: takový kraj katalog nezná."),
        ("?misto=" + quote(PLACE + "atlantida"), "Místo vyberte z nabídky: takové místo katalog nezná."),
        ("?opatreni=" + quote("https://example.org/a b"), "Typové opatření nebo cíl vyberte z nabídky: takové katalog nezná."),
        ("?razeni=cena", "Řazení vyberte z nabídky: podle názvu, roku, nebo nákladů."),
        ("?hledat=" + "a" * 201, "Hledaný text může mít nejvýš 200 znaků."),
        ("?rok=dvacet", "Rok musí být celé číslo mezi 1990 a 2100, například 2021."),
        ("?rok=3000", "Rok musí být celé číslo mezi 1990 a 2100, například 2021."),
        ("?druh=vse", "Druh vyberte z nabídky: realizace, nebo chytrá řešení."),
        ("?strana=0", "Číslo stránky musí být celé kladné číslo."),
    ],
)
def test_a_bad_filter_value_gets_a_czech_400_and_keeps_the_other_filters(site: httpx.Client, query: str, message: str) -> None:
    kept = "&kraj=" + quote(LIBERECKY_KRAJ) if "kraj=" not in query and "misto=" not in query else "&rok=2020"
    response = get(site, query + kept)
    assert response.status_code == 400
    html = unescape(response.text)
    assert message in html
    assert "Nalezeno:" not in html
    if "kraj=" in kept:
        assert f'<option value="{LIBERECKY_KRAJ}" selected>' in html
    else:
        assert '<option value="2020" selected>' in html


def test_the_map_has_a_linked_tile_per_region_with_its_count(site: httpx.Client, catalogue: Graph) -> None:
    html = get(site).text
    tiles = re.findall(r'<a class="tile" href="([^"]+)">\s*<title>([^<]+): ([\d\u00a0]+)</title>', html)
    assert len(tiles) == 14
    counts = expected_by_region(catalogue)
    codes = region_codes(catalogue)
    by_name = {ISO_REGIONS[code]: region for region, code in codes.items()}
    for href, name, count in tiles:
        region = by_name[unescape(name)]
        assert unescape(href) == "/dobra-praxe?" + "misto=" + quote(region, safe="")
        assert int(count.replace("\u00a0", "")) == counts[region]
    assert '<svg class="year-chart"' not in html  # the seed catalogue's realisations state no year
    assert "Žádná realizace v katalogu zatím neuvádí rok." in html


def test_the_page_speaks_english_on_the_switch(site: httpx.Client) -> None:
    html = get(site, "?lang=en").text
    assert "<h1>Good practice</h1>" in html
    assert "Realisations by region" in html


@pytest.fixture
def generated_client(with_years: tuple[Path, Graph], tmp_path: Path) -> Iterator[TestClient]:
    path, _ = with_years
    shutil.copytree(path, tmp_path / "store")
    with TestClient(create_app(Settings(store_path=tmp_path / "store", index_path=tmp_path / "index"))) as client:
        client.headers["accept"] = "text/html"
        yield client


def serving_measures(graph: Graph, kind: URIRef = KCS.Realisation) -> dict[str, set[str]]:
    """Measure → the items of ``kind`` that serve it: as stated, through the solution or service a
    realisation realises, or through a service the item (or its solution) includes."""
    serving: dict[str, set[str]] = {}
    for item in set(graph.subjects(RDF.type, kind)):
        realised = set(graph.objects(item, KCS.realises)) | {item}
        services = realised | {s for r in realised for s in graph.objects(r, KCS.includesService)}
        for measure in {m for thing in services for m in graph.objects(thing, KCS.servesMeasure)}:
            if (measure, RDF.type, KCS.TypeMeasure) in graph:
                serving.setdefault(str(measure), set()).add(str(item))
    return serving


def test_the_measure_filter_narrows_the_list(generated_client: TestClient, with_years: tuple[Path, Graph]) -> None:
    _, graph = with_years
    serving = serving_measures(graph)
    measure, items = max(serving.items(), key=lambda entry: len(entry[1]))
    everything = found(generated_client.get("/dobra-praxe").text)
    assert found(generated_client.get("/dobra-praxe", params={"opatreni": measure}).text) == len(items) < everything
    both = generated_client.get("/dobra-praxe", params={"opatreni": measure, "kraj": USTECKY_KRAJ}).text
    in_usti = {item for item in items if item in realisations_in(graph, USTECKY_KRAJ)}
    assert found(both) == len(in_usti)


def test_the_year_chart_and_its_table_show_the_turtle_s_counts(
    generated_client: TestClient, with_years: tuple[Path, Graph]
) -> None:
    _, graph = with_years
    html = generated_client.get("/dobra-praxe").text
    by_year, without = expected_by_year(graph)
    chart = html[html.index('<svg class="year-chart"') : html.index("</svg>", html.index('<svg class="year-chart"'))]
    assert 'role="img"' in chart and "<title" in chart
    assert chart.count("<rect") == max(by_year) - min(by_year) + 1
    rows = dict(
        re.findall(
            r'<th scope="row"><a href="[^"]*rok=(\d{4})[^"]*">\d{4}</a></th><td class="number">([\d\u00a0]+)</td>', html
        )
    )
    assert {int(year): int(count.replace("\u00a0", "")) for year, count in rows.items()} == by_year
    assert re.search(rf'rok neuveden</th><td class="number">{without}</td>', html)


def test_a_page_past_the_end_says_so_however_far(site: httpx.Client) -> None:
    for asked in ("999", "9" * 20):  # the second is past the 64 bits of a store's OFFSET
        answer = get(site, f"?strana={asked}")
        assert answer.status_code == 200
        assert "Tolik stránek výsledky nemají" in answer.text
