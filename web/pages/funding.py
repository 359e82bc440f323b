"""Financování: programmes and calls by filter, and the ministries' view — the matrix of type measures
against funding (also as CSV), the measures nothing funds, and the allocation per pillar and measure.

The filters travel in the URL (a GET form), so a filtered view can be shared and works without
JavaScript; the CSV export takes the same parameters as the page."""

from __future__ import annotations

import csv
import io
import json
import math
import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import pass_context
from jinja2.runtime import Context

from catalogue.queries import funding_overview, priorities
from catalogue.queries.browse import FundingFilter
from catalogue.queries.common import InvalidIRI, checked_iri
from catalogue.queries.concept import Resource
from catalogue.queries.funding_overview import (
    Allocation,
    AmountRange,
    FundingItem,
    FundingSummary,
    MatrixRow,
    Support,
    SupportMatrix,
)
from web.site import DEFAULT_LANGUAGE, N_, SECURITY_HEADERS, language_of, render, templates, translate, url_with
from web.state import site_catalogue

router = APIRouter(include_in_schema=False)


@pass_context
def funding_summary(context: Context, iri: str) -> FundingSummary | None:
    """The one-line summary of a programme or call (the macro ``funding_item`` of macros.html), read
    once per catalogue version and language for all funding."""
    site = site_catalogue(context["request"])
    lang = context.get("lang", DEFAULT_LANGUAGE)
    return site.kept(f"funding-summaries-{lang}", lambda: funding_overview.summaries(site.store, lang)).get(iri)


templates.globals["funding_summary"] = funding_summary

# URL parameter → (FundingFilter field, the field's name in the form, for error messages).
IRI_PARAMETERS = {
    "poskytovatel": ("provider", N_("Poskytovatel")),
    "stav": ("status", N_("Stav")),
    "zadatel": ("applicant_type", N_("Typ příjemce")),
}
AMOUNT_PARAMETERS = {"castka_od": N_("Alokace od (Kč)"), "castka_do": N_("Alokace do (Kč)")}

NOT_AN_IRI = N_("Filtr „{field}“ nemá platnou hodnotu: vyberte ji z nabídky.")
NOT_AN_AMOUNT = N_("„{field}“ musí být nezáporné číslo v korunách, například 1000000.")
RANGE_REVERSED = N_("Alokace od je vyšší než alokace do: zadejte menší dolní mez, nebo větší horní.")

SUPPORT_TEXT = {
    "supportsMeasure": N_("přímo"),
    "callOf": N_("přes program"),
    "supportsComponent": N_("přes komponentu"),
}
INFERRED = N_("odvozeno")
"""Said of a link no source states (the macro ``inferred`` of macros.html, and the CSV)."""
UNFUNDED = N_("nic nefinancuje")
UNFUNDED_AMONG_CHOSEN = N_("nic z vybraného nefinancuje")
FUNDED = N_("ano")


@dataclass
class FilterInput:
    """The filter as the visitor gave it (to show back in the form), what it means, and what is wrong."""

    raw: dict[str, str]
    filters: FundingFilter = field(default_factory=FundingFilter)
    amount: AmountRange = field(default_factory=AmountRange)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def is_set(self) -> bool:
        return any(self.raw.values())


def _amount(text: str) -> float | None:
    """A sum in crowns as people write it ("1 000 000", "2,5"), or None when it is not one."""
    cleaned = "".join(text.split()).replace("\u202f", "").replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def read_filters(request: Request) -> FilterInput:
    lang = language_of(request)
    names = [*IRI_PARAMETERS, *AMOUNT_PARAMETERS]
    given = FilterInput({name: request.query_params.get(name, "").strip() for name in names})
    chosen: dict[str, str] = {}
    for parameter, (filter_field, label) in IRI_PARAMETERS.items():
        value = given.raw[parameter]
        if not value:
            continue
        try:
            chosen[filter_field] = str(checked_iri(value))
        except InvalidIRI:
            given.errors[parameter] = translate(lang, NOT_AN_IRI).format(field=translate(lang, label))
    amounts: dict[str, float | None] = {}
    for parameter, label in AMOUNT_PARAMETERS.items():
        value = given.raw[parameter]
        amounts[parameter] = _amount(value) if value else None
        if value and amounts[parameter] is None:
            given.errors[parameter] = translate(lang, NOT_AN_AMOUNT).format(field=translate(lang, label))
    given.filters = FundingFilter(**chosen)
    if not given.errors:
        try:
            given.amount = AmountRange(amounts["castka_od"], amounts["castka_do"])
        except ValueError:
            given.errors["castka_od"] = translate(lang, RANGE_REVERSED)
    return given


def cell_text(lang: str, support: Support | None) -> str:
    """What a matrix cell says, the same in the page and in the CSV."""
    if support is None:
        return ""
    text = translate(lang, SUPPORT_TEXT[support.via])
    if support.via == "supportsComponent" and support.through is not None:
        text += " " + (support.through.code or support.through.label)
    return text


def csv_cell_text(lang: str, support: Support | None) -> str:
    """A cell of the CSV: the page's cell with its footing, word for word as the page shows it."""
    text = cell_text(lang, support)
    if support is not None and support.inferred is not None:
        text += f" {translate(lang, INFERRED)} {support.inferred.text}"
    return text


def funding_text(lang: str, row: MatrixRow, filtered: bool) -> str:
    if row.funded:
        return translate(lang, FUNDED)
    return translate(lang, UNFUNDED_AMONG_CHOSEN if filtered else UNFUNDED)


def priority_text(listed: Sequence[priorities.Priority]) -> str:
    """A measure's priorities in a cell: each organisation with its level, the highest first."""
    return "; ".join(
        f"{priority.organisation.label} ({priority.level})" if priority.level else priority.organisation.label
        for priority in listed
    )


def _matrix_table(
    lang: str, matrix: SupportMatrix, filtered: bool, by_measure: dict[str, list[priorities.Priority]]
) -> list[list[str]]:
    """The matrix as rows of text, header first: what the CSV holds and the page's table shows."""
    header = [
        translate(lang, N_("Typové opatření")),
        translate(lang, N_("IRI opatření")),
        translate(lang, N_("Pilíř")),
        translate(lang, N_("Priority ministerstev")),
        *(
            column.resource.label + (f" ({column.resource.code})" if column.resource.code else "")
            for column in matrix.columns
        ),
        translate(lang, N_("Financování")),
    ]
    body = [
        [
            row.measure.label,
            row.measure.iri,
            "; ".join(pillar.label for pillar in row.pillars),
            priority_text(by_measure.get(row.measure.iri, [])),
            *(csv_cell_text(lang, cell) for cell in row.cells),
            funding_text(lang, row, filtered),
        ]
        for row in matrix.rows
    ]
    return [header, *body]


@dataclass(frozen=True)
class Bar:
    """One bar of a chart, in the SVG's own units: the label above the bar, the value after it.
    ``shared_width`` is the bar's end drawn lighter: the money of programmes shared with other bars."""

    allocation: Allocation
    label_y: int
    bar_y: int
    width: float
    shared_width: float = 0.0

    @property
    def own_width(self) -> float:
        return round(self.width - self.shared_width, 1)


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    value_x_gap: int = 6


CHART_WIDTH = 400
BAR_SPACE = 250  # the rest of the width holds the value after the longest bar
ROW_HEIGHT = 44
BAR_HEIGHT = 16


def bar_chart(entries: Sequence[Allocation], shared: Collection[str] = ()) -> Chart | None:
    """A horizontal bar chart of ``entries`` (None when no allocation is known: nothing to draw); the
    money of the programmes in ``shared`` (IRIs) is the lighter end of each bar."""
    largest = max((entry.total for entry in entries), default=0.0)
    if largest <= 0:
        return None
    bars = []
    for index, entry in enumerate(entries):
        in_common = sum(item.allocation or 0.0 for item in entry.counted if item.resource.iri in shared)
        width = round(entry.total / largest * BAR_SPACE, 1)
        bars.append(
            Bar(
                entry,
                label_y=index * ROW_HEIGHT + 15,
                bar_y=index * ROW_HEIGHT + 21,
                width=width,
                shared_width=min(width, round(in_common / largest * BAR_SPACE, 1)),
            )
        )
    return Chart(bars, CHART_WIDTH, len(entries) * ROW_HEIGHT)


def choices(resources: Sequence[Resource]) -> list[tuple[str, str, str]]:
    """A select's options: (IRI, label, label's language) of each resource."""
    return [(resource.iri, resource.label, resource.lang) for resource in resources]


SORTS = {"nazev": N_("názvu"), "alokace": N_("alokace (od největší)")}
"""How the list of programmes and calls can be ordered (``?razeni=``), the first the default."""
SEARCH_PARAMETER = "hledat"
SORT_PARAMETER = "razeni"


def _folded(text: str) -> str:
    """``text`` for matching as people type: lower case, without diacritics ("mmr" finds "MMR",
    "brownfieldu" finds "brownfieldů")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass(frozen=True)
class ListView:
    """The list of programmes and calls as the visitor asked for it: searched within and sorted."""

    search: str
    sort: str
    items: list[FundingItem]
    total: int

    @property
    def programmes(self) -> list[FundingItem]:
        return [item for item in self.items if not item.is_call]

    @property
    def calls(self) -> list[FundingItem]:
        return [item for item in self.items if item.is_call]


def _searchable(item: FundingItem, summary: FundingSummary | None) -> str:
    words = [item.resource.label, item.resource.code or "", *(provider.label for provider in item.providers)]
    if item.programme is not None:
        words.append(item.programme.label)
    if summary is not None:
        words += [summary.name or "", *(name for group in summary.providers for name in group)]
    return _folded(" ".join(words))


def list_view(
    request: Request, items: Sequence[FundingItem], summaries: dict[str, FundingSummary]
) -> ListView:
    """``items`` searched for ``?hledat=`` (every word, in the name, code, programme or providers) and
    sorted by ``?razeni=`` (name, or allocation largest first with the unknown ones last)."""
    search = " ".join(request.query_params.get(SEARCH_PARAMETER, "").split())[:200]
    sort = request.query_params.get(SORT_PARAMETER, "")
    sort = sort if sort in SORTS else next(iter(SORTS))
    words = _folded(search).split()
    found = [
        item for item in items if all(word in _searchable(item, summaries.get(item.resource.iri)) for word in words)
    ]
    if sort == "alokace":
        # Stable: equal allocations (and the unknown ones, last) keep the name order.
        found.sort(key=lambda item: (item.allocation is None, -(item.allocation or 0.0)))
    else:
        found.sort(key=lambda item: item.is_call)  # programmes first, each in name order, as before
    return ListView(search, sort, found, len(items))


@router.get("/financovani")
def funding_page(request: Request) -> HTMLResponse:
    site = site_catalogue(request)
    store = site.store
    lang = language_of(request)
    given = read_filters(request)
    options = funding_overview.filter_options(store, lang)
    form = {"given": given, "options": options, "choices": choices, "sorts": SORTS}
    if given.errors:
        return render(request, "funding.html", form, status=400)
    items = funding_overview.funding_items(store, given.filters, given.amount, lang)
    matrix = funding_overview.support_matrix(store, items, lang)
    by_pillar, by_measure = funding_overview.allocations(store, matrix)
    # A provider chosen in the filter is the ministry whose view this is: its funding and its priorities.
    measure_priorities = priorities.priorities(store, lang, given.filters.provider)
    summaries = site.kept(f"funding-summaries-{lang}", lambda: funding_overview.summaries(store, lang))
    listed = list_view(request, items, summaries)
    measure_counts = funding_overview.shared_counts(by_measure)
    exported = (*IRI_PARAMETERS, *AMOUNT_PARAMETERS, "lang")
    export = [(key, value) for key, value in request.query_params.multi_items() if key in exported]
    return render(
        request,
        "funding.html",
        {
            **form,
            "listed": listed,
            "programmes": [item for item in items if not item.is_call],
            "calls": [item for item in items if item.is_call],
            "matrix": matrix,
            "priorities": measure_priorities,
            "priority_text": priority_text,
            "gaps": priorities.gaps(matrix, measure_priorities),
            "gaps_csv_url": "/financovani/mezery.csv" + (f"?{urlencode(export)}" if export else ""),
            "json_url": "/financovani/matice.json" + (f"?{urlencode(export)}" if export else ""),
            "gaps_json_url": "/financovani/mezery.json" + (f"?{urlencode(export)}" if export else ""),
            "cell_text": lambda support: cell_text(lang, support),
            "funding_text": lambda row: funding_text(lang, row, given.is_set),
            "by_pillar": by_pillar,
            "pillar_chart": bar_chart(
                pillar_bars(lang, by_pillar), {entry.item.resource.iri for entry in by_pillar.shared}
            ),
            "by_measure": by_measure,
            "measure_counts": measure_counts,
            "measure_chart": bar_chart(by_measure[:CHART_ROWS], {iri for iri, n in measure_counts.items() if n > 1}),
            "csv_url": "/financovani/matice.csv" + (f"?{urlencode(export)}" if export else ""),
            "standard_csv_url": "/financovani/matice.csv?" + urlencode([*export, (CSV_FORMAT_PARAMETER, STANDARD_CSV)]),
            "clear_search_url": url_with(request, **{SEARCH_PARAMETER: None}) + "#programy",
        },
    )


SHARED_BY_PILLARS = N_("Společně pro více pilířů")


def pillar_bars(lang: str, by_pillar: funding_overview.PillarAllocations) -> list[Allocation]:
    """The pillar chart's bars: each pillar's own allocation, then one bar for the programmes shared
    by several pillars, each counted once."""
    bars = list(by_pillar.entries)
    if by_pillar.shared:
        shared = Resource("", translate(lang, SHARED_BY_PILLARS), "")
        bars.append(Allocation(shared, by_pillar.shared_total, [entry.item for entry in by_pillar.shared]))
    return bars


CHART_ROWS = 20
"""Measures drawn in the chart at most (the largest allocations); the table beside it lists all."""


CSV_FORMAT_PARAMETER = "format"
STANDARD_CSV = "standard"
NOT_A_CSV_FORMAT = N_("Neznámý formát CSV: vynechte parametr format (CSV pro Excel), nebo uveďte format=standard.")


def csv_text(rows: Sequence[Sequence[str]], *, standard: bool = False) -> str:
    """The rows as CSV. By default as Czech Excel opens it: cells separated by semicolons (Excel's
    separator where the decimal separator is a comma) and a byte order mark, without which Excel reads
    UTF-8 as another code page. ``standard``: RFC 4180, commas and no byte order mark, for machines."""
    buffer = io.StringIO()
    if not standard:
        buffer.write("\ufeff")
    csv.writer(buffer, delimiter="," if standard else ";", lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def csv_response(request: Request, rows: Sequence[Sequence[str]], filename: str) -> Response:
    """A CSV download in the variant ``?format=`` asks for (none: for Excel, ``standard``: RFC 4180);
    ``filename`` without its extension. An unknown variant gets a plain-text 400."""
    variant = request.query_params.get(CSV_FORMAT_PARAMETER, "")
    if variant not in ("", "excel", STANDARD_CSV):
        return Response(
            translate(language_of(request), NOT_A_CSV_FORMAT) + "\n",
            status_code=400,
            media_type="text/plain; charset=utf-8",
            headers=SECURITY_HEADERS,
        )
    standard = variant == STANDARD_CSV
    name = f"{filename}-standard.csv" if standard else f"{filename}.csv"
    return Response(
        csv_text(rows, standard=standard),
        media_type="text/csv; charset=utf-8",
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )


def _matrix_rows(request: Request, given: FilterInput, lang: str) -> list[list[str]]:
    store = site_catalogue(request).store
    items = funding_overview.funding_items(store, given.filters, given.amount, lang)
    matrix = funding_overview.support_matrix(store, items, lang)
    return _matrix_table(lang, matrix, given.is_set, priorities.priorities(store, lang, given.filters.provider))


def _gap_rows(request: Request, given: FilterInput, lang: str) -> list[list[str]]:
    """The gaps as rows of text, header first: the kind of gap, the measure, its IRI, its priorities."""
    store = site_catalogue(request).store
    items = funding_overview.funding_items(store, given.filters, given.amount, lang)
    gaps = priorities.gaps(funding_overview.support_matrix(store, items, lang),
                           priorities.priorities(store, lang, given.filters.provider))
    rows = [[translate(lang, N_("Mezera")), translate(lang, N_("Typové opatření")), translate(lang, N_("IRI opatření")),
             translate(lang, N_("Priority ministerstev"))]]
    rows += [[translate(lang, GAP_PRIORITY_UNFUNDED), measure.label, measure.iri, priority_text(listed)]
             for measure, listed in gaps.priorities_unfunded]
    rows += [[translate(lang, GAP_UNFUNDED), measure.label, measure.iri, ""] for measure in gaps.unfunded]
    rows += [[translate(lang, GAP_NO_PRIORITY), measure.label, measure.iri, ""]
             for measure in gaps.funded_without_priority]
    return rows


GAP_PRIORITY_UNFUNDED = N_("prioritu nic nefinancuje")
GAP_UNFUNDED = N_("opatření nic nefinancuje")
GAP_NO_PRIORITY = N_("financované opatření bez priority")


def _records(rows: Sequence[Sequence[str]]) -> list[dict[str, str]]:
    """Rows of text, header first, as records keyed by the header (what the CSV holds, as JSON)."""
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def _download(
    request: Request, rows_of: Callable[[Request, FilterInput, str], list[list[str]]], filename: str, as_json: bool
) -> Response:
    """A table of the page under the page's filter, as CSV (in the variant asked for) or as JSON records; a
    filter that is not one gets a plain-text 400 saying why."""
    given = read_filters(request)
    if given.errors:
        return Response(
            "\n".join(given.errors.values()) + "\n", status_code=400, media_type="text/plain; charset=utf-8",
            headers=SECURITY_HEADERS,
        )
    rows = rows_of(request, given, language_of(request))
    if not as_json:
        return csv_response(request, rows, filename)
    return Response(
        json.dumps(_records(rows), ensure_ascii=False, indent=1), media_type="application/json; charset=utf-8",
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{filename}.json"'},
    )


@router.get("/financovani/matice.csv")
def matrix_csv(request: Request) -> Response:
    return _download(request, _matrix_rows, "financovani-matice", as_json=False)


@router.get("/financovani/matice.json")
def matrix_json(request: Request) -> Response:
    return _download(request, _matrix_rows, "financovani-matice", as_json=True)


@router.get("/financovani/mezery.csv")
def gaps_csv(request: Request) -> Response:
    return _download(request, _gap_rows, "financovani-mezery", as_json=False)


@router.get("/financovani/mezery.json")
def gaps_json(request: Request) -> Response:
    return _download(request, _gap_rows, "financovani-mezery", as_json=True)
