"""The funding page (Financování) against the catalogue's Turtle: the list and its filters, the matrix
of type measures × funding with the measures nothing funds, its CSV twins (for Czech Excel and standard),
the allocation per pillar (each programme counted once), the list's search and sort, and the one-line
summary of every funding item ("NPO 2.8 · 3,3 mld. Kč · MMR/SFPI, MPO") on the answer, measure and project.

Every expectation is computed here from the Turtle (the ``catalogue`` fixture) by the ontology's own
rules, not copied from the page; a link in the page is compared through its path on this server. In-process, on both stores."""

from __future__ import annotations

import csv
import html as html_lib
import io
import re
import shutil
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from catalogue.settings import Settings
from tests.conftest import app_client, load_extra
from web.links import server_path

KCS = Namespace("https://w3id.org/kcs/ontology#")
ID = "https://w3id.org/kcs/id/"
NPO_2_8 = ID + "programme/npo-2-8"
MPO = ID + "organisation/mpo"
BROWNFIELD_MEASURES = {
    ID + "measure/coworkingova-centra-a-male-brownfieldy",
    ID + "measure/program-vyuziti-brownfieldu",
    ID + "measure/dostupne-bydleni-a-brownfieldy",
}
FUNDING_CLASSES = (KCS.FundingProgramme, KCS.FundingCall)


# -- what the Turtle says --------------------------------------------------------------------------


def funding_of(graph: Graph) -> set[str]:
    return {str(item) for cls in FUNDING_CLASSES for item in graph.subjects(RDF.type, cls)}


def measures_of(graph: Graph) -> set[str]:
    return {str(measure) for measure in graph.subjects(RDF.type, KCS.TypeMeasure)}


def support_pairs(graph: Graph) -> set[tuple[str, str]]:
    """(measure, funding) for every way the ontology lets funding support a measure: directly, as a
    call of a programme supporting it, or by supporting a component above it."""
    rows = graph.query(
        """SELECT ?measure ?funding WHERE {
          ?measure a kcs:TypeMeasure .
          { ?funding kcs:supportsMeasure ?measure }
          UNION { ?funding kcs:callOf ?programme . ?programme kcs:supportsMeasure ?measure }
          UNION { ?measure skos:broader+ ?component . ?component a kcs:Component .
                  ?funding kcs:supportsComponent ?component }
          { ?funding a kcs:FundingProgramme } UNION { ?funding a kcs:FundingCall }
        }""",
        initNs={"kcs": KCS, "skos": SKOS},
    )
    return {(str(row[0]), str(row[1])) for row in rows}  # type: ignore[index]


def allocation(graph: Graph, funding: str) -> float | None:
    value = graph.value(URIRef(funding), KCS.allocationCZK)
    return None if value is None else float(str(value))


def path(iri: str) -> str:
    return server_path(iri)


# -- reading the page ------------------------------------------------------------------------------


class Tables(HTMLParser):
    """Each <table> of a page: its class and rows; a row is its class and cells, each cell its text
    and the hrefs of the links in it."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._cell: dict | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table":
            self.tables.append({"class": attributes.get("class") or "", "caption": "", "rows": []})
        elif tag == "caption" and self.tables:
            self._in_caption = True
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append({"class": attributes.get("class") or "", "cells": []})
        elif tag in ("td", "th") and self.tables:
            self._cell = {"tag": tag, "text": "", "hrefs": [], "class": attributes.get("class") or ""}
            self.tables[-1]["rows"][-1]["cells"].append(self._cell)
        elif tag == "a" and self._cell is not None:
            self._cell["hrefs"].append(attributes.get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._cell = None
        elif tag == "caption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell["text"] += data
        elif self._in_caption:
            self.tables[-1]["caption"] += data


def tables_of(html: str) -> list[dict]:
    parser = Tables()
    parser.feed(html)
    for table in parser.tables:
        for row in table["rows"]:
            for cell in row["cells"]:
                cell["text"] = " ".join(cell["text"].split())
    return parser.tables


def table(html: str, css_class: str) -> dict:
    found = [table for table in tables_of(html) if css_class in table["class"].split()]
    assert len(found) == 1, f"expected one table.{css_class}, found {len(found)}"
    return found[0]


def listed_funding(html: str) -> set[str]:
    """The paths the list of programmes and calls links to (each item's heading)."""
    return set(re.findall(r'<li class="card funding-item">\s*<h3><a href="([^"]+)"', html))


def get(site: httpx.Client, url: str, **params: str) -> httpx.Response:
    # An empty params would drop a query already in ``url``.
    return site.get(url, params=params or None, headers={"Accept": "text/html"})


# -- the list and its filters ----------------------------------------------------------------------


def test_the_list_holds_every_programme_and_call(site, catalogue) -> None:
    page = get(site, "/financovani")
    assert page.status_code == 200
    assert listed_funding(page.text) == {path(iri) for iri in funding_of(catalogue)}
    assert "částka neuvedena" in page.text  # programmes without an allocation stay, marked so
    assert "3\u00a0300\u00a0000\u00a0000\u00a0Kč" in page.text  # NPO 2.8, in the Czech number format


def test_a_provider_filter_keeps_that_providers_funding_and_calls_of_its_programmes(site, catalogue) -> None:
    provided = {str(item) for item in catalogue.subjects(KCS.provider, URIRef(MPO))}
    calls = {str(call) for call, programme in catalogue.subject_objects(KCS.callOf) if str(programme) in provided}
    expected = {path(iri) for iri in (provided | calls) & funding_of(catalogue)}
    assert expected, "the catalogue names funding MPO provides"

    page = get(site, "/financovani", poskytovatel=MPO)
    assert page.status_code == 200
    assert listed_funding(page.text) == expected
    assert f'<option value="{MPO}" selected>' in page.text  # the form shows the filter it applied


def test_an_amount_filter_keeps_the_allocations_in_range_only(site, catalogue) -> None:
    low, high = 2_000_000_000, 3_000_000_000
    expected = {
        path(iri)
        for iri in funding_of(catalogue)
        if (amount := allocation(catalogue, iri)) is not None and low <= amount <= high
    }
    assert expected
    page = get(site, "/financovani", castka_od=str(low), castka_do="3 000 000 000")
    assert page.status_code == 200
    assert listed_funding(page.text) == expected
    assert "částka neuvedena" not in page.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"poskytovatel": "MMR a MPO"}, "Filtr „Poskytovatel“ nemá platnou hodnotu"),
        ({"zadatel": "<obec>"}, "Filtr „Typ příjemce“ nemá platnou hodnotu"),
        ({"castka_od": "hodně"}, "„Alokace od (Kč)“ musí být nezáporné číslo"),
        ({"castka_do": "-5"}, "„Alokace do (Kč)“ musí být nezáporné číslo"),
        ({"castka_od": "5000", "castka_do": "10"}, "Alokace od je vyšší než alokace do"),
    ],
)
def test_bad_filters_get_a_czech_message_not_a_server_error(site, params, message) -> None:
    page = get(site, "/financovani", **params)
    assert page.status_code == 400
    assert message in page.text
    assert "Filtry nelze použít" in page.text
    assert 'class="matrix"' not in page.text
    for name, value in params.items():  # the visitor's own text is kept for correcting
        if name.startswith("castka"):
            assert f'value="{value}"' in page.text

    export = get(site, "/financovani/matice.csv", **params)
    assert export.status_code == 400
    assert export.headers["content-type"].startswith("text/plain")
    assert message in export.text


# -- the matrix ------------------------------------------------------------------------------------


def matrix_pairs(matrix: dict) -> tuple[list[str], dict[str, dict[str, str]]]:
    """The matrix's column paths and, for each row's measure path, the text of each non-empty cell."""
    header, *rows = matrix["rows"]
    columns = [cell["hrefs"][0] for cell in header["cells"][3:-1]]  # after measure, pillar and priorities
    cells: dict[str, dict[str, str]] = {}
    for row in rows:
        measure = row["cells"][0]["hrefs"][0]
        cells[measure] = {
            column: cell["text"] for column, cell in zip(columns, row["cells"][3:-1], strict=True) if cell["text"]
        }
    return columns, cells


def test_the_matrix_holds_every_measure_and_every_funding_that_supports_one(site, catalogue) -> None:
    matrix = table(get(site, "/financovani").text, "matrix")
    assert matrix["caption"]
    columns, cells = matrix_pairs(matrix)
    pairs = support_pairs(catalogue)
    assert set(cells) == {path(measure) for measure in measures_of(catalogue)}
    assert set(columns) == {path(funding) for _, funding in pairs}
    found = {(measure, column) for measure, row in cells.items() for column in row}
    assert found == {(path(measure), path(funding)) for measure, funding in pairs}
    header = matrix["rows"][0]["cells"]
    assert all(cell["tag"] == "th" for cell in header)
    assert all(row["cells"][0]["tag"] == "th" for row in matrix["rows"][1:])


def reasoning_of(graph: Graph, subject: str, predicate: URIRef, obj: str) -> str:
    """The Czech reasoning of the curator's mark on a link."""
    (mark,) = [
        mark
        for mark in graph.subjects(RDF.subject, URIRef(subject))
        if (mark, RDF.predicate, predicate) in graph and (mark, RDF.object, URIRef(obj)) in graph
    ]
    return next(str(text) for text in graph.objects(mark, KCS.reasoning) if text.language == "cs")


def test_npo_2_8_supports_the_three_brownfield_measures_directly_as_an_inference(site, catalogue) -> None:
    """The seed never pairs NPO 2.8 with a measure: each cell says the link is inferred, and why."""
    _, cells = matrix_pairs(table(get(site, "/financovani").text, "matrix"))
    supported = {measure for measure, row in cells.items() if path(NPO_2_8) in row}
    assert supported == {path(measure) for measure in BROWNFIELD_MEASURES}
    for measure in BROWNFIELD_MEASURES:
        why = " ".join(reasoning_of(catalogue, NPO_2_8, KCS.supportsMeasure, measure).split())
        assert cells[path(measure)][path(NPO_2_8)] == f"přímo odvozeno {why}"


def test_a_stated_link_is_not_said_to_be_inferred(server_with_a_stated_link) -> None:
    _, cells = matrix_pairs(table(get(server_with_a_stated_link, "/financovani").text, "matrix"))
    assert cells[path(STATED_MEASURE)][path(STATED_PROGRAMME)] == "přímo"


def test_unfunded_measures_are_flagged_and_summed_up(site, catalogue) -> None:
    html = get(site, "/financovani").text
    unfunded = measures_of(catalogue) - {measure for measure, _ in support_pairs(catalogue)}
    rows = table(html, "matrix")["rows"][1:]
    flagged = {row["cells"][0]["hrefs"][0] for row in rows if "unfunded" in row["class"].split()}
    assert flagged == {path(measure) for measure in unfunded}
    for row in rows:
        state = row["cells"][-1]["text"]
        assert state == ("nic nefinancuje" if row["cells"][0]["hrefs"][0] in flagged else "ano")
    if not unfunded:
        assert "Každé typové opatření podporuje aspoň jeden program nebo výzva." in html


def excel_records(content: bytes) -> list[list[str]]:
    """A CSV for Czech Excel read as Excel reads it: a BOM, then cells separated by semicolons."""
    assert content.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the BOM
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_export_is_the_matrix(site) -> None:
    html = get(site, "/financovani").text
    assert 'href="/financovani/matice.csv"' in html
    assert re.search(r'<a [^>]*href="/financovani/matice\.csv"[^>]*>CSV pro Excel</a>', html)
    export = get(site, "/financovani/matice.csv")
    assert export.status_code == 200
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    assert export.headers["content-disposition"].startswith("attachment;")
    first_line = export.content.decode("utf-8-sig").split("\r\n", 1)[0]
    assert first_line.startswith("Typové opatření;IRI opatření;Pilíř;")  # one column per cell in Czech Excel

    records = excel_records(export.content)
    shown = [[cell["text"] for cell in row["cells"]] for row in table(html, "matrix")["rows"]]
    header, *body = records
    assert len(body) == len(shown) - 1
    # The CSV adds the measure's IRI as its second column; the rest is the page's table, cell for cell.
    assert [header[0], *header[2:]] == shown[0]
    assert [[row[0], *row[2:]] for row in body] == shown[1:]
    assert [path(row[1]) for row in body] == [row["cells"][0]["hrefs"][0] for row in table(html, "matrix")["rows"][1:]]


def test_the_standard_csv_is_rfc_4180_with_the_same_cells(site) -> None:
    html = get(site, "/financovani").text
    link = html_lib.unescape(re.findall(r'<a [^>]*href="([^"]+)"[^>]*>CSV \(standardní, s čárkami\)</a>', html)[0])
    assert link == "/financovani/matice.csv?format=standard"
    standard = get(site, link)
    assert standard.status_code == 200
    assert standard.headers["content-type"] == "text/csv; charset=utf-8"
    assert "standard" in standard.headers["content-disposition"]
    assert not standard.content.startswith("\ufeff".encode())  # no BOM for machines
    text = standard.content.decode("utf-8")
    assert text.startswith("Typové opatření,IRI opatření,Pilíř,") and text.endswith("\r\n")
    records = list(csv.reader(io.StringIO(text)))
    assert records == excel_records(get(site, "/financovani/matice.csv").content)
    assert all(len(record) == len(records[0]) for record in records)

    refused = get(site, "/financovani/matice.csv", format="xlsx")
    assert refused.status_code == 400
    assert "format=standard" in refused.text


def test_the_csv_export_applies_the_pages_filters(site) -> None:
    page = get(site, "/financovani", poskytovatel=MPO).text
    link = html_lib.unescape(re.findall(r'href="(/financovani/matice\.csv[^"]*)"', page)[0])
    assert MPO in unquote(link)
    records = excel_records(get(site, link).content)
    shown = [[cell["text"] for cell in row["cells"]] for row in table(page, "matrix")["rows"]]
    assert [[record[0], *record[2:]] for record in records] == shown
    unfiltered = excel_records(get(site, "/financovani/matice.csv").content)
    assert len(records[0]) < len(unfiltered[0])  # fewer funding columns


# -- allocation per pillar and measure -------------------------------------------------------------


def programmes_above(graph: Graph, funding: str) -> set[str]:
    """The programmes ``funding`` is a part or a call of, at any depth."""
    rows = graph.query(
        "SELECT ?whole WHERE { ?funding (dcterms:isPartOf|^dcterms:hasPart|kcs:callOf)+ ?whole }",
        initNs={"kcs": KCS, "dcterms": DCTERMS},
        initBindings={"funding": URIRef(funding)},
    )
    return {str(row[0]) for row in rows}  # type: ignore[index]


def pillars_of(graph: Graph, measure: str) -> set[str]:
    return {
        str(pillar)
        for pillar in graph.transitive_objects(URIRef(measure), SKOS.broader)
        if (pillar, RDF.type, KCS.Pillar) in graph or (pillar, RDF.type, KCS.CrossCuttingArea) in graph
    }


def expected_allocations(graph: Graph) -> tuple[dict[str, float], dict[str, set[str]], float]:
    """Each funding with an allocation counted once (a part or call left out when a programme above it with
    one supports some measure too): per pillar what supports that pillar alone; by the funding, the pillars
    of the funding supporting several (its own and its parts' and calls'); and the total."""
    pairs = support_pairs(graph)
    supporting = {funding for _, funding in pairs}
    with_amount = {item for item in supporting if allocation(graph, item) is not None}
    counted = {item for item in with_amount if not programmes_above(graph, item) & with_amount}
    reached: dict[str, set[str]] = defaultdict(set)
    for measure, funding in pairs:
        for whole in {funding} | programmes_above(graph, funding):
            reached[whole] |= pillars_of(graph, measure)
    every_pillar = {pillar for measure in measures_of(graph) for pillar in pillars_of(graph, measure)}
    alone = {path(pillar): 0.0 for pillar in every_pillar}
    shared = {}
    for item in counted:
        if len(reached[item]) == 1:
            alone[path(next(iter(reached[item])))] += allocation(graph, item) or 0.0
        else:
            shared[path(item)] = {path(pillar) for pillar in reached[item]}
    return alone, shared, sum(allocation(graph, item) or 0.0 for item in counted)


def amount(text: str) -> float:
    return float(text.replace(" ", "").replace("\u00a0", ""))


def test_allocation_per_pillar_counts_every_programme_once(site, catalogue) -> None:
    html = get(site, "/financovani").text
    pillars = table(html, "pillar-allocations")
    assert "pilířů" in pillars["caption"]
    alone, shared, total = expected_allocations(catalogue)
    rows = pillars["rows"][1:]
    own = {
        row["cells"][0]["hrefs"][0]: amount(row["cells"][1]["text"]) for row in rows if row["class"] not in ("shared", "total")
    }
    assert own == alone
    shown_shared = {
        row["cells"][0]["hrefs"][0]: set(row["cells"][2]["hrefs"]) for row in rows if row["class"] == "shared"
    }
    assert shown_shared == shared
    (total_row,) = [row for row in rows if row["class"] == "total"]
    assert amount(total_row["cells"][1]["text"]) == total
    assert total == sum(alone.values()) + sum(allocation(catalogue, ID + p.removeprefix("/id/")) or 0 for p in shared)

    # NPO 2.8 supports measures of three pillars: its 3.3 bn are counted once, as shared, not three times.
    assert len(shared[path(NPO_2_8)]) == 3
    assert total < 2 * allocation(catalogue, NPO_2_8)  # type: ignore[operator]
    assert re.search(r'<svg class="bar-chart" role="img" aria-labelledby="graf-pilire-nazev"', html)
    assert '<title id="graf-pilire-nazev">Alokace podle pilířů (Kč)</title>' in html
    chart = html.split('id="graf-pilire-nazev"', 1)[1].split("</svg>", 1)[0]
    assert chart.count("3\u00a0300\u00a0000\u00a0000\u00a0Kč</text>") == 1  # one bar, the shared one
    assert "Společně pro více pilířů</text>" in chart
    assert chart.count('fill="#4a7fb5"') == 1  # drawn lighter, as the legend says
    assert "programy společné pro více pilířů, každý započtený jednou" in html
    assert "Každý program se počítá jednou." in html


def test_allocation_per_measure_lists_the_brownfield_measures(site) -> None:
    html = get(site, "/financovani").text
    measures = [t for t in tables_of(html) if "opatření v číslech" in t["caption"]]
    assert len(measures) == 1
    listed = {row["cells"][0]["hrefs"][0]: row["cells"][2]["text"] for row in measures[0]["rows"][1:]}
    assert {path(measure) for measure in BROWNFIELD_MEASURES} <= set(listed)
    for measure in BROWNFIELD_MEASURES:  # NPO 2.8's whole allocation at each, marked as shared by the three
        assert "(společně pro 3 opatření)" in listed[path(measure)]
    chart = html.split('id="graf-opatreni-nazev"', 1)[1].split("</svg>", 1)[0]
    assert chart.count('fill="#4a7fb5"') >= len(BROWNFIELD_MEASURES)  # their bars are shared money


def test_the_page_speaks_english_when_asked(site) -> None:
    page = get(site, "/financovani", lang="en")
    assert page.status_code == 200
    assert "<h1>Funding</h1>" in page.text
    assert 'directly <details class="inferred"><summary>inferred</summary>' in page.text
    assert 'lang="cs"' in page.text  # catalogue labels stay Czech, marked so


# -- a link a source states -------------------------------------------------------------------------

STATED_PROGRAMME = ID + "test/program-se-zdrojem"
STATED_MEASURE = ID + "measure/program-vyuziti-brownfieldu"


@pytest.fixture(scope="module")
def server_with_a_stated_link(tmp_path_factory, loaded_store_path: Path):
    """The catalogue plus a programme whose support of a measure carries no mark: as if a source stated it."""
    folder = tmp_path_factory.mktemp("stated")
    store_copy = folder / "source"
    shutil.copytree(loaded_store_path, store_copy)
    load_extra(
        store_copy,
        "stated",
        f'<{STATED_PROGRAMME}> a <{KCS.FundingProgramme}> ; <{SKOS.prefLabel}> "Zkušební program"@cs ;'
        f" <{KCS.supportsMeasure}> <{STATED_MEASURE}> .\n",
    )
    with app_client(Settings(store_path=store_copy, index_path=folder / "index")) as client:
        yield client


# -- a measure nothing funds -----------------------------------------------------------------------

ORPHAN = ID + "measure/test-opatreni-bez-financovani"


@pytest.fixture(scope="module")
def server_with_an_unfunded_measure(tmp_path_factory, loaded_store_path: Path):
    """A server over the catalogue plus one type measure, under an existing goal, that nothing funds."""
    folder = tmp_path_factory.mktemp("unfunded")
    store_copy = folder / "source"
    shutil.copytree(loaded_store_path, store_copy)
    load_extra(
        store_copy,
        "unfunded",
        f'<{ORPHAN}> a <{KCS.TypeMeasure}> ; <{SKOS.prefLabel}> "Testovací opatření, které nic nefinancuje"@cs ;'
        f' <{SKOS.broader}> <{ID}goal/ochrana-pudy-a-biodiverzity> .\n',
    )
    with app_client(Settings(store_path=store_copy, index_path=folder / "index")) as client:
        yield client


def test_a_measure_nothing_funds_is_highlighted_and_listed(server_with_an_unfunded_measure) -> None:
    html = get(server_with_an_unfunded_measure, "/financovani").text
    rows = table(html, "matrix")["rows"][1:]
    orphan = [row for row in rows if row["cells"][0]["hrefs"][0] == path(ORPHAN)]
    assert len(orphan) == 1
    assert "unfunded" in orphan[0]["class"].split()
    assert orphan[0]["cells"][-1]["text"] == "nic nefinancuje"
    assert all(cell["text"] == "" for cell in orphan[0]["cells"][2:-1])
    summary = html.split('id="bez-financovani"', 1)[1].split("</section>", 1)[0]
    assert f'href="{path(ORPHAN)}"' in summary
    assert "Každé typové opatření podporuje" not in summary

    export = get(server_with_an_unfunded_measure, "/financovani/matice.csv").content
    row = next(record for record in excel_records(export) if record[1] == ORPHAN)
    assert row[-1] == "nic nefinancuje"

    filtered = get(server_with_an_unfunded_measure, "/financovani", poskytovatel=MPO).text
    # Under a filter the flag says what it means: none of the chosen funding supports the measure.
    assert "nic z vybraného nefinancuje" in filtered


def test_a_bad_select_value_is_tied_to_its_field_for_assistive_tech(site) -> None:
    page = get(site, "/financovani", poskytovatel="MMR a MPO")
    assert page.status_code == 400
    assert re.search(r'<select id="filtr-poskytovatel" name="poskytovatel" aria-invalid="true" aria-describedby="chyba-poskytovatel">', page.text)
    assert re.search(r'<p class="error-message" id="chyba-poskytovatel">Filtr „Poskytovatel“ nemá platnou hodnotu', page.text)


# -- one line per funding item: allocation, providers, and what is known of the call -----------------


def short_name(graph: Graph, iri: str) -> str:
    """The shortest name of ``iri`` (its abbreviation, "MMR"), from the Turtle."""
    names = [str(name) for prop in (SKOS.altLabel, SKOS.prefLabel) for name in graph.objects(URIRef(iri), prop)]
    return min(names, key=lambda name: (len(name), name))


def npo_2_8_line(graph: Graph) -> str:
    """NPO 2.8's line as the Turtle gives it: the NPO's abbreviation and 2.8's code, its allocation in
    billions, and the providers of its parts, those of one part joined by a slash."""
    root = next(graph.objects(URIRef(NPO_2_8), DCTERMS.isPartOf))
    code = graph.value(URIRef(NPO_2_8), SKOS.notation)
    parts = {*graph.objects(URIRef(NPO_2_8), DCTERMS.hasPart), *graph.subjects(DCTERMS.isPartOf, URIRef(NPO_2_8))}
    groups = sorted({"/".join(sorted(short_name(graph, str(p)) for p in graph.objects(part, KCS.provider))) for part in parts})
    billions = f"{allocation(graph, NPO_2_8) / 1e9:.2f}".rstrip("0").rstrip(".").replace(".", ",")  # type: ignore[operator]
    return f"{short_name(graph, str(root))} {code} · {billions}\u00a0mld.\u00a0Kč · {', '.join(groups)}"


def funding_lines(html: str) -> list[str]:
    return [html_lib.unescape(line) for line in re.findall(r'<small class="funding-line">(.*?)</small>', html, re.S)]


def test_npo_2_8_is_one_line_with_allocation_and_providers(catalogue) -> None:
    assert npo_2_8_line(catalogue) == "NPO 2.8 · 3,3\u00a0mld.\u00a0Kč · MMR/SFPI, MPO"


def test_every_funding_item_shows_allocation_and_provider_in_the_answer(site, catalogue) -> None:
    page = get(site, "/odpoved", problem="Máme ve městě hodně brownfieldů")
    assert page.status_code == 200
    lines = funding_lines(page.text)
    assert npo_2_8_line(catalogue) in lines
    # Every funding item of the answer has its line, and the line after it says what is not known yet.
    assert page.text.count('class="funding-line"') == page.text.count('class="funding-call"') > 0
    assert "Stav, termín a výzvu katalog zatím nezná." in page.text
    # A part of NPO 2.8 names no allocation of its own: the line says so, and what the whole programme has.
    assert any(line.startswith("alokace neuvedena (celý program NPO 2.8: 3,3\u00a0mld.\u00a0Kč)") for line in lines)


def test_the_measure_page_and_the_project_show_the_funding_line(site, catalogue) -> None:
    measure = ID + "measure/program-vyuziti-brownfieldu"
    assert npo_2_8_line(catalogue) in funding_lines(get(site, path(measure)).text)
    project = get(site, "/projekt", polozka=measure)
    assert project.status_code == 200
    assert npo_2_8_line(catalogue) in funding_lines(project.text)
    assert "Stav, termín a výzvu katalog zatím nezná." in project.text


def test_the_funding_line_is_in_english_on_english_pages(site) -> None:
    page = get(site, path(ID + "measure/program-vyuziti-brownfieldu"), lang="en")
    assert "CZK\u00a03.3\u00a0billion" in page.text
    assert "The catalogue does not know the status, deadline or call yet." in page.text


KNOWN_CALL = ID + "test/vyzva-se-stavem"
OPEN = ID + "descriptor/test-stav-otevrena"


@pytest.fixture(scope="module")
def server_with_a_known_call(tmp_path_factory, loaded_store_path: Path):
    """The catalogue plus a call of NPO 2.8 whose status (a code and in words), deadline and official page
    the catalogue knows."""
    folder = tmp_path_factory.mktemp("known-call")
    store_copy = folder / "source"
    shutil.copytree(loaded_store_path, store_copy)
    load_extra(
        store_copy,
        "known-call",
        f'<{OPEN}> a <{KCS.Descriptor}> ; <{SKOS.prefLabel}> "Otevřená"@cs .\n'
        f'<{KCS_CALL}> a <{KCS.FundingCall}> ; <{SKOS.prefLabel}> "Zkušební výzva brownfieldy"@cs ;'
        f' <{SKOS.notation}> "99/2026" ; <{KCS.callOf}> <{NPO_2_8}> ; <{KCS.allocationCZK}> 260000.0 ;'
        f' <{KCS.status}> <{OPEN}> ; <{KCS.statusNote}> "Příjem žádostí probíhá."@cs ;'
        f' <https://schema.org/applicationDeadline> "2026-12-31" ;'
        f' <https://schema.org/url> <https://example.org/vyzva-99> .\n'.replace("KCS_CALL", KNOWN_CALL),
    )
    with app_client(Settings(store_path=store_copy, index_path=folder / "index")) as client:
        yield client


KCS_CALL = KNOWN_CALL


def test_a_call_the_catalogue_knows_shows_status_deadline_and_link(server_with_a_known_call) -> None:
    page = get(server_with_a_known_call, path(ID + "measure/program-vyuziti-brownfieldu"))
    assert "NPO 99/2026 · 260\u00a0tis.\u00a0Kč · MMR/SFPI, MPO" in funding_lines(page.text)
    call = page.text.split("NPO 99/2026 · 260", 1)[1].split("</small>", 2)[1]
    assert "Stav: Otevřená; Příjem žádostí probíhá." in call
    assert "Termín: 2026-12-31." in call
    assert '<a href="https://example.org/vyzva-99" rel="external">Oficiální výzva</a>' in call


# -- the list: search within and sort ---------------------------------------------------------------


def listed_in_order(html: str) -> list[str]:
    return re.findall(r'<li class="card funding-item">\s*<h3><a href="([^"]+)"', html)


def test_the_list_sorts_by_allocation_largest_first(site, catalogue) -> None:
    page = get(site, "/financovani", razeni="alokace")
    assert page.status_code == 200
    order = listed_in_order(page.text)
    assert set(order) == {path(iri) for iri in funding_of(catalogue)}
    amounts = {path(iri): allocation(catalogue, iri) for iri in funding_of(catalogue)}
    known = [value for item in order if (value := amounts[item]) is not None]
    assert known == sorted(known, reverse=True) and known
    assert order[: len(known)] == [item for item in order if amounts[item] is not None]  # unknown ones last
    assert '<option value="alokace" selected>' in page.text
    assert f"Zobrazeno {len(order)} programů a výzev, seřazeno podle alokace (od největší)." in page.text


def test_the_list_is_searched_within_without_diacritics(site, catalogue) -> None:
    page = get(site, "/financovani", hledat="brownfieldu")
    found = listed_in_order(page.text)
    expected = {
        path(iri)
        for iri in funding_of(catalogue)
        if "brownfield" in str(catalogue.value(URIRef(iri), SKOS.prefLabel)).lower()
    }
    assert set(found) == expected and expected
    total = len(funding_of(catalogue))
    assert f"Hledání „brownfieldu“ najde {len(found)} programů nebo výzev z {total}." in page.text or (
        f"Hledání „brownfieldu“ najde {len(found)} programy nebo výzvy z {total}." in page.text
    )
    # The matrix and the charts are the whole filtered funding, not the search.
    assert table(page.text, "matrix") == table(get(site, "/financovani").text, "matrix")
    by_provider = listed_in_order(get(site, "/financovani", hledat="sfpi").text)
    assert path(NPO_2_8 + "-1") in by_provider and path(NPO_2_8 + "-3") not in by_provider
    nothing = get(site, "/financovani", hledat="žádný takový program").text
    assert listed_in_order(nothing) == []
    assert "Hledanému textu neodpovídá žádný program ani výzva v seznamu." in nothing


# -- the project's CSV ------------------------------------------------------------------------------


def test_the_project_csv_is_for_excel_and_standard_on_request(site) -> None:
    measure = ID + "measure/program-vyuziti-brownfieldu"
    page = get(site, "/projekt", polozka=measure).text
    assert re.search(r'<a href="/projekt\.csv[^"]*"[^>]*>CSV pro Excel</a>', page)
    assert re.search(r'<a href="/projekt\.csv\?[^"]*format=standard"[^>]*>CSV \(standardní, s čárkami\)</a>', page)
    excel = get(site, "/projekt.csv", polozka=measure)
    assert excel.headers["content-type"] == "text/csv; charset=utf-8"
    records = excel_records(excel.content)
    assert records[0][:2] == ["Položka", "IRI"] and records[1][1] == measure
    standard = get(site, "/projekt.csv", polozka=measure, format="standard")
    assert not standard.content.startswith("\ufeff".encode())
    assert list(csv.reader(io.StringIO(standard.content.decode("utf-8")))) == records
    assert get(site, "/projekt.csv", polozka=measure, format="ods").status_code == 400


def _status_shown(html: str, funding: str) -> str:
    """The text of the "Stav" line after the list's item ``funding``."""
    item = html.split(f'href="{path(funding)}"', 1)[1]
    return html_lib.unescape(re.sub(r"<[^>]+>", "", item.split('<small class="funding-call">', 1)[1].split("</small>", 1)[0]))


@pytest.mark.parametrize("lang", ["cs", "en"])
def test_the_state_the_seeds_give_is_on_the_funding_line_in_the_page_language(site, catalogue, lang) -> None:
    """The seeds say how two items stood (EFEKT's call, URBACT IV): the line shows it in the page's
    language, marked as Czech only where it is."""
    for funding in (ID + "call/efekt-8-2021", ID + "programme/urbact-iv"):
        notes = {note.language: str(note) for note in catalogue.objects(URIRef(funding), KCS.statusNote)}
        page = get(site, "/financovani", lang=lang)
        shown = _status_shown(page.text, funding)
        assert notes[lang].rstrip(".") in shown
        call_line = page.text.split(f'href="{path(funding)}"', 1)[1].split('<small class="funding-call">', 1)[1]
        assert 'lang="cs"' not in call_line.split("</small>", 1)[0], "the state is in the page's language"
