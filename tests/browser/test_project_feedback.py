"""Adding to the project as a person on a phone sees it: the page stays where it was (with JavaScript)
or comes back to the button (without), the addition is confirmed in a live region, and the header
counts the project's items. A named project prints its name and the day."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from tests.browser.conftest import WIDTHS

PROBLEM = "Máme ve městě hodně brownfieldů"
ADD = re.compile("^Přidat do projektu: ")


def _answer(server: str) -> str:
    return server + "/odpoved?" + urlencode({"problem": PROBLEM})


def _header_count(page) -> int:
    return int(page.locator(".main-nav [data-project-count]").inner_text())


def _last_button(page):
    buttons = page.get_by_role("button", name=ADD)
    assert buttons.count() >= 3, "the brownfield answer offers several things to add"
    return buttons.last


def test_adding_with_javascript_keeps_the_place_and_confirms_it(server, page, audit) -> None:
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 800})
    page.goto(_answer(server))
    assert _header_count(page) == 0
    button = _last_button(page)
    label = (button.get_attribute("aria-label") or "").split(": ", 1)[1]
    button.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    assert before > 800, "the button is far down the page on a phone"
    status = button.locator("xpath=ancestor::form").get_by_role("status")
    button.click()
    status.get_by_text("Přidáno do projektu").wait_for()
    assert label in status.inner_text()
    assert "Položek v projektu: 1" in status.inner_text()
    assert page.evaluate("window.scrollY") == before, "the page did not reload to its top"
    assert _header_count(page) == 1
    audit(page, "answer-added")

    page.reload()
    assert _header_count(page) == 1, "the count is the basket's, kept in its cookie"
    assert page.locator(".tag", has_text="v projektu").count() >= 1


def test_adding_without_javascript_comes_back_to_the_button(server, page_without_js) -> None:
    page = page_without_js
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 800})
    page.goto(_answer(server))
    button = _last_button(page)
    label = (button.get_attribute("aria-label") or "").split(": ", 1)[1]
    anchor = button.locator("xpath=ancestor::form").get_attribute("id")
    button.click()
    page.wait_for_load_state()
    assert page.url.endswith("#" + anchor)
    assert "pridano=" in page.url
    assert page.evaluate("window.scrollY") > 800, "the browser came back down to the button"
    confirmation = page.locator(f"#{anchor} [role='status']")
    assert confirmation.is_visible()
    assert label in confirmation.inner_text() and "Přidáno do projektu" in confirmation.inner_text()
    box = confirmation.bounding_box()
    assert box is not None and 0 <= box["y"] <= 800, "the confirmation is in view"
    assert _header_count(page) == 1


def test_a_named_project_prints_its_name_and_the_day(server, page) -> None:
    page.goto(_answer(server))
    _last_button(page).click()
    page.locator("form.add-to-project [role='status']", has_text="Přidáno do projektu").wait_for()
    page.goto(server + "/projekt")
    name = "Revitalizace areálu Textilany – Liberec"
    page.get_by_label("Název projektu").fill(name)
    page.get_by_role("button", name="Uložit název").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text="Název projektu je uložen.").is_visible()
    assert page.get_by_label("Název projektu").input_value() == name
    assert page.title().startswith(name)

    page.emulate_media(media="print")
    heading = page.locator(".print-heading")
    assert heading.is_visible()
    assert name in heading.inner_text()
    today = datetime.now(ZoneInfo("Europe/Prague")).date()
    assert heading.locator("time").get_attribute("datetime") == today.isoformat()
    assert f"{today.day}. " in heading.locator("time").inner_text()
    assert not page.get_by_label("Název projektu").is_visible(), "the form is not printed"

    page.emulate_media(media="screen")
    shared = page.get_by_label("Odkaz na tento projekt").input_value()
    assert "nazev=" in shared
    page.context.clear_cookies()
    page.goto(shared)
    assert page.locator("main .notice").filter(has_text="Prohlížíte sdílený projekt").get_by_text(name).is_visible()
