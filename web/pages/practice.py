"""Dobrá praxe: the realisations and solutions of the catalogue by place, year and measure or goal, a
page at a time, sorted and searched within, with two pictures: realisations by year (a bar chart) and
the listed kind by region (a tile map of Czechia).

The filters, the search and the order travel in the URL (a GET form), so a list can be shared and
works without JavaScript. A value the page cannot use is shown back in the form with a Czech message
and a 400, the other filters kept; the pictures still show the whole catalogue. Every choice of a
filter says how many of the listed kind the whole catalogue has for it ("Liberecký kraj (8)"): those
counts are read once per catalogue version, like the pictures. The list itself is counted (it is read
whole, see :func:`practice.practice_page`), so its pages are numbered.

The catalogue has no population of its places (neither the seeds nor the registers it cites give one),
so there is no filter by the size of a municipality: it would need the size of each town first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from catalogue.queries import practice
from catalogue.queries.browse import ProjectFilter, ProjectKind
from catalogue.queries.common import InvalidIRI, checked_iri
from catalogue.queries.concept import Resource
from catalogue.queries.practice import ConceptGroup, Places, PracticePage, SortEntry, SortOrder, YearCounts
from catalogue.store import CatalogueStore
from web.paging import page_count, pager
from web.regions_map import TileMap, tile_map
from web.site import N_, language_of, render, translate, url_with
from web.state import site_catalogue

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100
LONGEST_SEARCH = 200

KINDS: dict[str, tuple[ProjectKind, str]] = {
    "realizace": ("Realisation", N_("Realizace")),
    "reseni": ("SmartSolution", N_("Chytrá řešení")),
}
DEFAULT_KIND = "realizace"

ORDERS: dict[str, tuple[SortOrder, str]] = {
    "nazev": ("name", N_("podle názvu (A–Z)")),
    "rok": ("year", N_("podle roku (nejnovější první)")),
    "naklady": ("cost", N_("podle nákladů (nejvyšší první)")),
}

UNKNOWN_REGION = N_("Kraj vyberte z nabídky: takový kraj katalog nezná.")
UNKNOWN_PLACE = N_("Místo vyberte z nabídky: takové místo katalog nezná.")
UNKNOWN_MEASURE = N_("Typové opatření nebo cíl vyberte z nabídky: takové katalog nezná.")
NOT_A_YEAR = N_("Rok musí být celé číslo mezi 1990 a 2100, například 2021.")
UNKNOWN_KIND = N_("Druh vyberte z nabídky: realizace, nebo chytrá řešení.")
UNKNOWN_ORDER = N_("Řazení vyberte z nabídky: podle názvu, roku, nebo nákladů.")
TOO_LONG = N_("Hledaný text může mít nejvýš 200 znaků.")
NOT_A_PAGE = N_("Číslo stránky musí být celé kladné číslo.")


@dataclass
class FilterInput:
    """The filter as the visitor gave it (to show back in the form), what it means, and what is wrong."""

    raw: dict[str, str]
    kind: ProjectKind = "Realisation"
    filters: ProjectFilter = field(default_factory=ProjectFilter)
    order: SortOrder | None = None
    text: str = ""
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)


def _known_iri(value: str, known: set[str]) -> str | None:
    """``value`` when it is an IRI among ``known``, else None."""
    try:
        iri = str(checked_iri(value))
    except InvalidIRI:
        return None
    return iri if iri in known else None


def read_filters(request: Request, places: Places, concepts: set[str]) -> FilterInput:
    """The filters of the request. A place is ``misto`` (a region, a town or a place abroad); ``kraj``,
    which older links carry, is a region."""
    lang = language_of(request)
    names = ("misto", "kraj", "rok", "opatreni", "druh", "razeni", "hledat", "strana")
    given = FilterInput({name: request.query_params.get(name, "").strip() for name in names})
    chosen: dict[str, str | int] = {}
    if given.raw["misto"]:
        place = _known_iri(given.raw["misto"], places.all())
        if place is None:
            given.errors["misto"] = translate(lang, UNKNOWN_PLACE)
        else:
            chosen["region"] = place  # kcs:locatedIn: the place itself and every place in it
    elif given.raw["kraj"]:
        region = _known_iri(given.raw["kraj"], {region.iri for region in places.regions})
        if region is None:
            given.errors["misto"] = translate(lang, UNKNOWN_REGION)
        else:
            chosen["region"] = region
            given.raw["misto"] = region
    if given.raw["opatreni"]:
        concept = _known_iri(given.raw["opatreni"], concepts)
        if concept is None:
            given.errors["opatreni"] = translate(lang, UNKNOWN_MEASURE)
        else:
            chosen["concept"] = concept
    if given.raw["rok"]:
        year = given.raw["rok"]
        if year.isascii() and year.isdigit() and EARLIEST_YEAR <= int(year) <= LATEST_YEAR:
            chosen["year"] = int(year)
        else:
            given.errors["rok"] = translate(lang, NOT_A_YEAR)
    kind = given.raw["druh"] or DEFAULT_KIND
    if kind in KINDS:
        given.kind = KINDS[kind][0]
    else:
        given.errors["druh"] = translate(lang, UNKNOWN_KIND)
    if given.raw["razeni"]:
        if given.raw["razeni"] in ORDERS:
            given.order = ORDERS[given.raw["razeni"]][0]
        else:
            given.errors["razeni"] = translate(lang, UNKNOWN_ORDER)
    if len(given.raw["hledat"]) > LONGEST_SEARCH:
        given.errors["hledat"] = translate(lang, TOO_LONG)
    else:
        given.text = given.raw["hledat"]
    if given.raw["strana"]:
        page = given.raw["strana"]
        if page.isascii() and page.isdigit() and int(page) >= 1:
            given.page = int(page)
        else:
            given.errors["strana"] = translate(lang, NOT_A_PAGE)
    given.filters = ProjectFilter(**chosen)  # type: ignore[arg-type]
    return given


@dataclass(frozen=True)
class YearBar:
    year: int
    count: int
    x: int
    y: int
    height: int


@dataclass(frozen=True)
class YearChart:
    """The bar chart of realisations by year, in the SVG's own units."""

    bars: tuple[YearBar, ...]
    ticks: tuple[tuple[int, int], ...]  # (count, y) of the value axis
    width: int
    height: int
    left: int
    bottom: int
    bar_width: int


def year_chart(counts: YearCounts) -> YearChart | None:
    """Bars from the first year to the last, a year without realisations as a gap; None with no years."""
    if not counts.by_year:
        return None
    per_year = dict(counts.by_year)
    years = range(counts.by_year[0][0], counts.by_year[-1][0] + 1)
    left, top, bottom, slot, bar_width = 56, 16, 200, 44, 30
    highest = max(per_year.values())
    plot_height = bottom - top
    bars = []
    for index, year in enumerate(years):
        count = per_year.get(year, 0)
        height = round(plot_height * count / highest)
        bars.append(YearBar(year, count, left + index * slot + (slot - bar_width) // 2, bottom - height, height))
    tick_values = sorted({0, highest // 2, highest})
    ticks = tuple((value, bottom - round(plot_height * value / highest)) for value in tick_values)
    width = left + len(years) * slot + 8
    return YearChart(tuple(bars), ticks, width, bottom + 48, left, bottom, bar_width)


@dataclass(frozen=True)
class Pictures:
    years: YearCounts
    chart: YearChart | None
    regions: TileMap
    region_rows: tuple[tuple[Resource, int], ...]  # every region in label order, for the table
    in_regions: int


@dataclass(frozen=True)
class Catalogue:
    """What the page shows of the whole catalogue for one kind, whatever the filters: the places and
    the measures and goals to choose from, how many items each has, and the pictures (at 50,000
    realisations their counts take a second or two, once per catalogue version)."""

    places: Places
    concepts: tuple[ConceptGroup, ...]
    place_counts: dict[str, int]
    concept_counts: dict[str, int]
    year_counts: YearCounts
    pictures: Pictures

    def known_concepts(self) -> set[str]:
        return {concept.iri for group in self.concepts for concept in group.concepts}


def _whole_catalogue(store: CatalogueStore, kind: ProjectKind, lang: str) -> Catalogue:
    places = practice.places(store, lang)
    per_place = practice.by_place(store, kind)
    per_concept = practice.by_concept(store, kind)
    years = practice.realisations_by_year(store)
    regions = list(places.regions)
    per_region = {region.iri: per_place.get(region.iri, 0) for region in regions}
    pictures = Pictures(
        years,
        year_chart(years),
        tile_map(regions, per_region),
        tuple((region, per_region[region.iri]) for region in regions),
        sum(per_region.values()),
    )
    kind_years = years if kind == "Realisation" else practice.realisations_by_year(store, kind)
    return Catalogue(
        places, practice.concept_groups(store, per_concept, lang), per_place, per_concept, kind_years, pictures
    )


def _label(resource: Resource, count: int) -> str:
    name = f"{resource.code} {resource.label}" if resource.code and resource.kind != "Place" else resource.label
    return f"{name} ({count})"


@router.get("/dobra-praxe")
def good_practice(request: Request) -> HTMLResponse:
    catalogue = site_catalogue(request)
    store = catalogue.store
    lang = language_of(request)
    asked_kind = KINDS.get(request.query_params.get("druh", "").strip() or DEFAULT_KIND, KINDS[DEFAULT_KIND])[0]
    whole = catalogue.kept(f"good-practice-{asked_kind}-{lang}", lambda: _whole_catalogue(store, asked_kind, lang))
    given = read_filters(request, whole.places, whole.known_concepts())

    def table() -> dict[str, SortEntry]:
        return catalogue.kept(
            f"good-practice-sorting-{given.kind}-{lang}", lambda: practice.sort_entries(store, given.kind, lang=lang)
        )

    page: PracticePage | None = None
    if not given.errors:
        page = practice.practice_page(
            store,
            given.kind,
            given.filters,
            offset=(given.page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
            lang=lang,
            order=given.order,
            text=given.text,
            table=table,
        )
    pages = page_count(page.total, PAGE_SIZE) if page else 1
    years = [year for year, _ in whole.year_counts.by_year]
    if given.filters.year is not None and given.filters.year not in years:
        years = sorted([*years, given.filters.year])
    year_counts = dict(whole.year_counts.by_year)
    counts = whole.place_counts
    context = {
        "given": given,
        "page": page,
        "pages": pages,
        "pager": pager(request, given.page, pages) if page else None,
        "first_url": url_with(request, strana=None),
        "places": whole.places,
        "place_label": lambda place: _label(place, counts.get(place.iri, 0)),
        "concept_groups": whole.concepts,
        "concept_label": lambda concept: _label(concept, whole.concept_counts.get(concept.iri, 0)),
        "year_options": [(str(year), f"{year} ({year_counts.get(year, 0)})") for year in years],
        "kind_options": [(name, translate(lang, label)) for name, (_, label) in KINDS.items()],
        "kind_name": next(name for name, (kind, _) in KINDS.items() if kind == given.kind),
        "order_options": [(name, translate(lang, label)) for name, (_, label) in ORDERS.items()],
        "order_name": next((name for name, (order, _) in ORDERS.items() if page and order == page.order), ""),
        "pictures": whole.pictures,
        "region_url": lambda iri: url_with(request, misto=iri, kraj=None, strana=None),
        "year_url": lambda year: url_with(request, rok=str(year), strana=None),
    }
    return render(request, "practice.html", context, status=400 if given.errors else 200)
