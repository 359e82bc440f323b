"""The guide and the accessibility statement in the browser: the audit, the keyboard walk the statement
describes, and the statement's feedback link reaching the curators' proposal form."""

from __future__ import annotations

import pytest

from web.pages.guide import ACCESSIBILITY_FEEDBACK, STEPS


def test_the_guide_walks_through_the_talks_steps(server, page, audit) -> None:
    page.goto(server + "/navod")
    assert page.locator("h1").inner_text() == "Návod: jak s katalogem sestavit projekt"
    assert page.locator(".guide-step").count() == len(STEPS)
    page.locator(".guide-contents a[href='#navrh']").click()
    assert page.locator("#navrh").is_visible()
    assert page.url.endswith("/navod#navrh")
    audit(page, "guide")


def test_the_accessibility_statement(server, page, audit) -> None:
    page.goto(server + "/pristupnost")
    assert page.locator("h1").inner_text() == "Prohlášení o přístupnosti"
    assert page.locator("time").get_attribute("datetime") == "2026-11-23"
    audit(page, "accessibility")


@pytest.mark.parametrize("path", ["/navod", "/pristupnost"])
def test_the_keyboard_walk_the_statement_describes(server, page, path: str) -> None:
    """What the statement says a test checks: Tab first reaches "Přeskočit na obsah", which moves the
    focus to the content, and a focused link is visibly outlined."""
    page.goto(server + path)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Přeskočit na obsah"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "obsah"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null && document.activeElement.tagName") == "A"
    outline = page.evaluate(
        "(() => { const style = getComputedStyle(document.activeElement);"
        " return [style.outlineStyle, parseFloat(style.outlineWidth)]; })()"
    )
    assert outline[0] != "none" and outline[1] >= 2


def test_the_statements_feedback_link_opens_the_proposal_form(server, page_without_js) -> None:
    page_without_js.goto(server + "/pristupnost")
    page_without_js.get_by_role("link", name="Napsat kurátorům připomínku k přístupnosti").click()
    page_without_js.wait_for_load_state()
    assert "/odpoved?" in page_without_js.url
    field = page_without_js.locator("#navrh-problem")
    assert field.is_visible()
    assert field.input_value() == ACCESSIBILITY_FEEDBACK
