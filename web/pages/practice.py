"""Dobrá praxe: the realisations and solutions of the catalogue by region, year and measure, a page at a
time, with two pictures: realisations by year (a bar chart) and by region (a tile map of Czechia).

The filters travel in the URL (a GET form), so a filtered list can be shared and works without
JavaScript. A value the page cannot use is shown back in the form with a Czech message and a 400,
the other filters kept; the pictures still show the whole catalogue."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from catalogue.queries import practice
from catalogue.queries.browse import ProjectFilter, ProjectKind, all_of_kind
from catalogue.queries.common import InvalidIRI, checked_iri
from catalogue.queries.concept import Resource
from catalogue.queries.practice import PracticePage, YearCounts
from catalogue.store import CatalogueStore
from web.regions_map import TileMap, tile_map
from web.site import N_, language_of, render, translate, url_with
from web.state import site_catalogue

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100

KINDS: dict[str, tuple[ProjectKind, str]] = {
    "realizace": ("Realisation", N_("Realizace")),
    "reseni": ("SmartSolution", N_("Chytrá řešení")),
}
DEFAULT_KIND = "realizace"

UNKNOWN_REGION = N_("Kraj vyberte z nabídky: takový kraj katalog nezná.")
UNKNOWN_MEASURE = N_("Typové opatření vyberte z nabídky: takové katalog nezná.")
NOT_A_YEAR = N_("Rok musí být celé číslo mezi 1990 a 2100, například 2021.")
UNKNOWN_KIND = N_("Druh vyberte z nabídky: realizace, nebo chytrá řešení.")
NOT_A_PAGE = N_("Číslo stránky musí být celé kladné číslo.")


@dataclass
class FilterInput:
    """The filter as the visitor gave it (to show back in the form), what it means, and what is wrong."""

    raw: dict[str, str]
    kind: ProjectKind = "Realisation"
    filters: ProjectFilter = field(default_factory=ProjectFilter)
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)


def _known_iri(value: str, known: set[str]) -> str | None:
    """``value`` when it is an IRI among ``known``, else None."""
    try:
        iri = str(checked_iri(value))
    except InvalidIRI:
        return None
    return iri if iri in known else None


def read_filters(request: Request, regions: list[Resource], measures: list[Resource]) -> FilterInput:
    lang = language_of(request)
    names = ("kraj", "rok", "opatreni", "druh", "strana")
    given = FilterInput({name: request.query_params.get(name, "").strip() for name in names})
    chosen: dict[str, str | int] = {}
    if given.raw["kraj"]:
        region = _known_iri(given.raw["kraj"], {region.iri for region in regions})
        if region is None:
            given.errors["kraj"] = translate(lang, UNKNOWN_REGION)
        else:
            chosen["region"] = region
    if given.raw["opatreni"]:
        measure = _known_iri(given.raw["opatreni"], {measure.iri for measure in measures})
        if measure is None:
            given.errors["opatreni"] = translate(lang, UNKNOWN_MEASURE)
        else:
            chosen["measure"] = measure
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


def _pictures(store: CatalogueStore, regions: list[Resource]) -> Pictures:
    years = practice.realisations_by_year(store)
    per_region = practice.realisations_by_region(store)
    return Pictures(
        years,
        year_chart(years),
        tile_map(regions, per_region),
        tuple((region, per_region.get(region.iri, 0)) for region in regions),
        sum(per_region.values()),
    )


def _whole_catalogue(store: CatalogueStore, lang: str) -> tuple[list[Resource], list[Resource], Pictures]:
    """What the page shows of the whole catalogue whatever the filters: the regions, the measures and
    the pictures (at 50,000 realisations their counts take a few hundred milliseconds)."""
    regions = practice.regions(store, lang)
    return regions, all_of_kind(store, "TypeMeasure", lang), _pictures(store, regions)


@router.get("/dobra-praxe")
def good_practice(request: Request) -> HTMLResponse:
    store = site_catalogue(request).store
    lang = language_of(request)
    regions, measures, pictures = site_catalogue(request).kept(
        f"good-practice-{lang}", lambda: _whole_catalogue(store, lang)
    )
    given = read_filters(request, regions, measures)
    page: PracticePage | None = None
    if not given.errors:
        page = practice.practice_page(
            store, given.kind, given.filters, offset=(given.page - 1) * PAGE_SIZE, limit=PAGE_SIZE, lang=lang
        )
    pages = max(1, -(-page.total // PAGE_SIZE)) if page else 1
    years = [year for year, _ in pictures.years.by_year]
    if given.filters.year is not None and given.filters.year not in years:
        years = sorted([*years, given.filters.year])
    context = {
        "given": given,
        "page": page,
        "pages": pages,
        "first_url": url_with(request, strana=None),
        "previous_url": url_with(request, strana=str(given.page - 1)) if page and given.page > 1 else None,
        "next_url": url_with(request, strana=str(given.page + 1)) if page and given.page < pages else None,
        "region_options": [(region.iri, region.label) for region in regions],
        "measure_options": [
            (measure.iri, f"{measure.code} {measure.label}" if measure.code else measure.label) for measure in measures
        ],
        "year_options": [(str(year), str(year)) for year in years],
        "kind_options": [(name, translate(lang, label)) for name, (_, label) in KINDS.items()],
        "kind_name": next(name for name, (kind, _) in KINDS.items() if kind == given.kind),
        "pictures": pictures,
        "region_url": lambda iri: url_with(request, kraj=iri, strana=None),
        "year_url": lambda year: url_with(request, rok=str(year), strana=None),
    }
    return render(request, "practice.html", context, status=400 if given.errors else 200)
