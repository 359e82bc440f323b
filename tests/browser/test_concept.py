"""The concept page in a browser: the trees, their branches opening and closing with and without
JavaScript, and the page's accessibility and HTML."""

from __future__ import annotations

NATIONAL_PATH = "/id/strategy/koncepce-smart-cities"
LIBEREC_REGION_PATH = "/id/strategy/chytrejsi-liberecky-kraj"
PILLAR_PATH = "/id/pillar/lide-a-komunity"
A4_GOAL_PATH = "/id/goal/a4-1"


def test_the_concept_page_shows_both_strategies_and_passes_the_audit(server, page, audit) -> None:
    page.goto(server + "/koncepce")
    assert page.locator("h1").inner_text() == "Koncepce: strategie, pilíře, cíle a opatření"
    headings = page.locator(".strategy h2 a")
    assert [headings.nth(i).get_attribute("href") for i in range(2)] == [NATIONAL_PATH, LIBEREC_REGION_PATH]
    assert page.locator(f".tree a[href='{A4_GOAL_PATH}']").is_visible()
    audit(page, "concept")


def test_the_trees_stand_side_by_side_on_a_wide_screen_and_stacked_on_a_phone(server, page) -> None:
    page.goto(server + "/koncepce")
    national, regional = page.locator(".strategy").nth(0), page.locator(".strategy").nth(1)
    national_box, regional_box = national.bounding_box(), regional.bounding_box()
    assert national_box and regional_box
    assert regional_box["x"] > national_box["x"] + national_box["width"] - 1
    page.set_viewport_size({"width": 390, "height": 800})
    national_box, regional_box = national.bounding_box(), regional.bounding_box()
    assert national_box and regional_box
    assert regional_box["y"] >= national_box["y"] + national_box["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_without_javascript_the_branches_open_and_close(server, page_without_js) -> None:
    page = page_without_js
    page.goto(server + "/koncepce")
    assert page.locator(".tree-tools").is_hidden()  # the buttons need JavaScript
    goal = page.locator(f".tree a[href='{A4_GOAL_PATH}']")
    assert goal.is_visible()
    pillar = page.locator(".node", has=page.locator(f"a[href='{PILLAR_PATH}']")).first
    pillar.locator("> details > summary").click()
    assert goal.is_hidden()
    pillar.locator("> details > summary").click()
    assert goal.is_visible()


def test_with_javascript_every_branch_closes_and_opens_at_once(server, page) -> None:
    page.goto(server + "/koncepce")
    goal = page.locator(f".tree a[href='{A4_GOAL_PATH}']")
    page.get_by_role("button", name="Sbalit vše").click()
    assert goal.is_hidden()
    assert page.locator(".strategy-trees details[open]").count() == 0
    page.get_by_role("button", name="Rozbalit vše").click()
    assert goal.is_visible()
    assert page.locator(".strategy-trees details:not([open])").count() == 0


def test_one_strategy_is_chosen_with_the_form(server, page_without_js) -> None:
    page = page_without_js
    page.goto(server + "/koncepce")
    page.get_by_label("Strategie", exact=True).select_option(label="Koncepce Chytřejší kraj pro Liberecký kraj")
    page.get_by_role("button", name="Zobrazit").click()
    page.wait_for_load_state()
    assert page.locator(".strategy h2 a").count() == 1
    assert page.locator(".strategy h2 a").get_attribute("href") == LIBEREC_REGION_PATH
