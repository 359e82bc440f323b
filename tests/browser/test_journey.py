"""The issue's journey, end to end in a browser: a municipality with brownfields asks on the home
page, gets the three measures in three pillars with NPO 2.8, opens a measure and goes on to the
funding, with JavaScript on and off, and once in English."""

from __future__ import annotations

import pytest

BROWNFIELD_MEASURES = {
    "/id/measure/coworkingova-centra-a-male-brownfieldy": "/id/pillar/lokalni-ekonomika",
    "/id/measure/program-vyuziti-brownfieldu": "/id/pillar/prostredi-pro-zivot",
    "/id/measure/dostupne-bydleni-a-brownfieldy": "/id/pillar/lide-a-komunity",
}
NPO_2_8 = "/id/programme/npo-2-8"
PROBLEM = "Máme ve městě hodně brownfieldů"


@pytest.fixture(params=["javascript", "no-javascript"])
def visitor(request, page, page_without_js):
    return page if request.param == "javascript" else page_without_js


def walk_the_journey(visitor, server: str, find: str) -> None:
    visitor.goto(server + "/")
    visitor.locator("#problem").fill(PROBLEM)
    visitor.get_by_role("button", name=find).click()
    visitor.wait_for_load_state()
    assert "/odpoved?" in visitor.url

    main = visitor.locator("main")
    for measure, pillar in BROWNFIELD_MEASURES.items():
        assert main.locator(f"a[href='{measure}']").count() >= 1, f"{measure} is not in the answer"
        assert main.locator(f"a[href='{pillar}']").count() >= 1, f"{pillar} is not in the answer"
    assert main.locator(f"a[href='{NPO_2_8}']").count() >= 1, "NPO 2.8 is not in the answer"

    measure = "/id/measure/program-vyuziti-brownfieldu"
    main.locator(f"a[href='{measure}']").first.click()
    visitor.wait_for_load_state()
    assert visitor.url == server + measure
    assert visitor.locator(f"main a[href='{NPO_2_8}']").count() >= 1
    assert visitor.locator(f"main a[href='{BROWNFIELD_MEASURES[measure]}']").count() >= 1

    visitor.locator("main a[href^='/financovani']").first.click()
    visitor.wait_for_load_state()
    assert visitor.url.startswith(server + "/financovani")
    assert visitor.locator(f"main a[href='{measure}']").count() >= 1
    assert visitor.locator(f"main a[href='{NPO_2_8}']").count() >= 1


def test_the_brownfield_journey(server, visitor) -> None:
    walk_the_journey(visitor, server, "Najít řešení")


def test_the_brownfield_journey_in_english(server, page) -> None:
    page.goto(server + "/")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    walk_the_journey(page, server, "Find solutions")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("nav[aria-label='Main navigation'] a[aria-current='page']").inner_text() == "Funding"


def tab_to(page, selector: str, presses: int = 80) -> None:
    """Press Tab until the element ``selector`` has the focus, as a keyboard user gets there."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab within {presses} presses")


def test_the_journey_by_keyboard_alone(server, page) -> None:
    page.goto(server + "/")
    tab_to(page, "#problem")
    page.keyboard.type(PROBLEM)
    tab_to(page, "form.ask button[type='submit']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/odpoved?**")
    measure = "/id/measure/program-vyuziti-brownfieldu"
    tab_to(page, f"main a[href='{measure}']", presses=200)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{measure}")
    tab_to(page, "main a[href^='/financovani']", presses=200)
    page.keyboard.press("Enter")
    page.wait_for_url("**/financovani")
