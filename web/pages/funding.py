"""Financování: programmes and calls by filter, and the ministries' view — the matrix of type measures
against funding (also as CSV), the measures nothing funds, and the allocation per pillar and measure.

The filters travel in the URL (a GET form), so a filtered view can be shared and works without
JavaScript; the CSV export takes the same parameters as the page."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from catalogue.queries import funding_overview
from catalogue.queries.browse import FundingFilter
from catalogue.queries.common import InvalidIRI, checked_iri
from catalogue.queries.concept import Resource
from catalogue.queries.funding_overview import Allocation, AmountRange, MatrixRow, Support, SupportMatrix
from web.site import N_, SECURITY_HEADERS, language_of, render, translate
from web.state import site_catalogue

router = APIRouter(include_in_schema=False)

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


def _matrix_table(lang: str, matrix: SupportMatrix, filtered: bool) -> list[list[str]]:
    """The matrix as rows of text, header first: what the CSV holds and the page's table shows."""
    header = [
        translate(lang, N_("Typové opatření")),
        translate(lang, N_("IRI opatření")),
        translate(lang, N_("Pilíř")),
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
            *(csv_cell_text(lang, cell) for cell in row.cells),
            funding_text(lang, row, filtered),
        ]
        for row in matrix.rows
    ]
    return [header, *body]


@dataclass(frozen=True)
class Bar:
    """One bar of a chart, in the SVG's own units: the label above the bar, the value after it."""

    allocation: Allocation
    label_y: int
    bar_y: int
    width: float


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


def bar_chart(entries: Sequence[Allocation]) -> Chart | None:
    """A horizontal bar chart of ``entries`` (None when no allocation is known: nothing to draw)."""
    largest = max((entry.total for entry in entries), default=0.0)
    if largest <= 0:
        return None
    bars = [
        Bar(
            entry,
            label_y=index * ROW_HEIGHT + 15,
            bar_y=index * ROW_HEIGHT + 21,
            width=round(entry.total / largest * BAR_SPACE, 1),
        )
        for index, entry in enumerate(entries)
    ]
    return Chart(bars, CHART_WIDTH, len(entries) * ROW_HEIGHT)


def choices(resources: Sequence[Resource]) -> list[tuple[str, str]]:
    """A select's options: (IRI, label) of each resource."""
    return [(resource.iri, resource.label) for resource in resources]


@router.get("/financovani")
def funding_page(request: Request) -> HTMLResponse:
    store = site_catalogue(request).store
    lang = language_of(request)
    given = read_filters(request)
    options = funding_overview.filter_options(store, lang)
    form = {"given": given, "options": options, "choices": choices}
    if given.errors:
        return render(request, "funding.html", form, status=400)
    items = funding_overview.funding_items(store, given.filters, given.amount, lang)
    matrix = funding_overview.support_matrix(store, items, lang)
    by_pillar, by_measure = funding_overview.allocations(store, matrix)
    return render(
        request,
        "funding.html",
        {
            **form,
            "programmes": [item for item in items if not item.is_call],
            "calls": [item for item in items if item.is_call],
            "matrix": matrix,
            "cell_text": lambda support: cell_text(lang, support),
            "funding_text": lambda row: funding_text(lang, row, given.is_set),
            "by_pillar": by_pillar,
            "pillar_chart": bar_chart(by_pillar),
            "by_measure": by_measure,
            "measure_chart": bar_chart(by_measure[:CHART_ROWS]),
            "csv_url": "/financovani/matice.csv" + (f"?{request.url.query}" if request.url.query else ""),
        },
    )


CHART_ROWS = 20
"""Measures drawn in the chart at most (the largest allocations); the table beside it lists all."""


def csv_text(rows: Sequence[Sequence[str]]) -> str:
    """The rows as CSV with a byte order mark, which Excel needs to read UTF-8 (Czech letters)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


@router.get("/financovani/matice.csv")
def matrix_csv(request: Request) -> Response:
    store = site_catalogue(request).store
    lang = language_of(request)
    given = read_filters(request)
    if given.errors:
        message = "\n".join(given.errors.values())
        return Response(
            message + "\n", status_code=400, media_type="text/plain; charset=utf-8", headers=SECURITY_HEADERS
        )
    items = funding_overview.funding_items(store, given.filters, given.amount, lang)
    matrix = funding_overview.support_matrix(store, items, lang)
    return Response(
        csv_text(_matrix_table(lang, matrix, given.is_set)),
        media_type="text/csv; charset=utf-8",
        headers={**SECURITY_HEADERS, "Content-Disposition": 'attachment; filename="financovani-matice.csv"'},
    )
