"""Tables that fit (issue 11, point 7): at 390 and 1280 px no page scrolls sideways; a wide table scrolls in
its own box, a focusable region with a name and the visible hint "Tabulku lze posouvat do strany", and its
first column stays in view. The funding matrix's funding columns are reachable on a phone."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.browser.conftest import WIDTHS
from web.links import server_path

ID = "https://w3id.org/kcs/id/"
HINT = "Tabulku lze posouvat do strany."
PROJECT = "/projekt?" + "&".join(
    "polozka=" + quote(ID + item, safe="")
    for item in ("measure/program-vyuziti-brownfieldu", "solution/lk-sber-dopravnich-dat", "service/datovy-sklad")
)
PAGES = {
    "funding": "/financovani",
    "project-with-items": PROJECT,
    "measure": server_path(ID + "measure/program-vyuziti-brownfieldu"),
    # The indicator tables: a service whose targets are long sentences, a solution, a programme.
    "indicators-service": server_path(ID + "service/datovy-sklad"),
    "indicators-solution": server_path(ID + "solution/lk-podpora-chytrych-podnikatelskych-reseni"),
    "indicators-programme": server_path(ID + "programme/npo-1-4-1-6"),
}


def page_overflow(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS.values())
@pytest.mark.parametrize("name", PAGES)
def test_no_page_scrolls_sideways(server, page, name, width) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(server + PAGES[name])
    assert page_overflow(page) <= 0, f"{name} is wider than a {width} px screen"
    if name != "measure":  # the measure page lists its funding, without a table
        assert page.locator("table").count() > 0
    for box in page.locator(".table-wrap").all():  # every table keeps inside the page's width
        right = box.evaluate("element => element.getBoundingClientRect().right")
        assert right <= width + 0.5


def test_the_matrix_funding_columns_are_reachable_on_a_phone(server, page, audit) -> None:
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 900})
    page.goto(server + "/financovani")
    region = page.get_by_role("region", name="Tabulka opatření × financování")
    assert region.is_visible()
    assert region.evaluate("box => box.scrollWidth > box.clientWidth")  # more columns than the screen shows
    hint = page.locator("#matice-tabulka-posun")
    assert hint.is_visible() and hint.inner_text() == HINT
    assert region.get_attribute("aria-describedby") == "matice-tabulka-posun"
    assert page_overflow(page) <= 0

    # The keyboard scrolls it: focus the region, press the right arrow, the funding columns come in.
    region.focus()
    assert region.evaluate("box => document.activeElement === box")
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    assert region.evaluate("box => box.scrollLeft") > 0
    # The measure column stays in view while the funding columns scroll under it.
    first = page.locator(".matrix tbody th").first
    left = first.evaluate("cell => cell.getBoundingClientRect().left")
    box_left = region.evaluate("box => box.getBoundingClientRect().left")
    assert abs(left - box_left) < 2
    last_column = page.locator(".matrix thead th.funding-column").last
    last_column.scroll_into_view_if_needed()
    assert last_column.is_visible()
    audit(page, "funding-matrix-phone")


def test_the_indicator_table_fits_at_1280_and_scrolls_in_its_box_on_a_phone(server, page, audit) -> None:
    url = server + PAGES["indicators-service"]
    page.goto(url)
    region = page.get_by_role("region", name="Indikátory služby s výchozí a cílovou hodnotou")
    assert region.evaluate("box => box.scrollWidth <= box.clientWidth")  # nothing cut off at 1280 px
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 900})
    assert page_overflow(page) <= 0
    assert page.locator("#tabulka-indikatoru-posun").is_visible()
    assert region.get_attribute("tabindex") == "0"
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
    audit(page, "indicators")


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("funding-line-answer", "/odpoved?problem=" + quote("Máme ve městě hodně brownfieldů")),
        ("funding-line-measure", PAGES["measure"]),
        ("funding-line-project", PROJECT),
    ],
)
def test_the_funding_lines_are_shown_and_accessible(server, page, audit, name, url) -> None:
    page.goto(server + url)
    line = page.locator(".funding-line", has_text="NPO 2.8 · 3,3 mld. Kč · MMR/SFPI, MPO").first
    assert line.is_visible()
    assert page.locator(".funding-call", has_text="Stav, termín a výzvu katalog zatím nezná.").first.is_visible()
    audit(page, name)


def test_the_project_indicator_table_scrolls_in_a_named_box_on_a_phone(server, page) -> None:
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 900})
    page.goto(server + PROJECT)
    region = page.get_by_role("region", name="Ukazatele položek a opatření projektu")
    assert region.locator("tbody tr").count() > 0
    assert region.get_attribute("tabindex") == "0"
    assert page.locator("#tabulka-ukazatelu-posun").inner_text() == HINT
    assert page_overflow(page) <= 0
