"""Every Czech message of the site has its English, and the two languages are switched as promised."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from web.pages.concept import COUNT_WORDS
from web.site import TEMPLATES, english, plural, plurals, templates

REPO = Path(__file__).resolve().parent.parent
MARKERS = {"N_", "translate"}


def _template_calls() -> list[tuple[str, str | tuple[str | None, ...] | None]]:
    return [
        (function, message)
        for path in TEMPLATES.rglob("*.html")
        for _, function, message in templates.extract_translations(path.read_text(encoding="utf-8"))
    ]


def _template_messages() -> set[str]:
    """The messages of ``_()``; ``_(variable)`` gives None: its messages are marked with N_ where the
    variable is set."""
    found: set[str] = set()
    for function, message in _template_calls():
        if function != "ngettext":
            found.update(text for text in ([message] if not isinstance(message, tuple) else message) if text)
    return found


def _template_plurals() -> set[tuple[str, str]]:
    """The Czech forms for one and for five and more of every ``ngettext`` of the templates."""
    found = set()
    for function, message in _template_calls():
        if function == "ngettext" and isinstance(message, tuple) and isinstance(message[0], str):
            one, many = message[0], message[1]
            assert isinstance(many, str)
            found.add((one, many))
    return found


def _python_plurals() -> set[tuple[str, str]]:
    """The literal forms given to ``plural(lang, one, many, count)`` in the site's Python, and the
    counted words of the concept page."""
    found = set(COUNT_WORDS.values())
    for path in (REPO / "web").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "plural":
                forms = [arg.value for arg in node.args[1:3] if isinstance(arg, ast.Constant)]
                if len(forms) == 2:
                    found.add((forms[0], forms[1]))
    return found


def _python_messages() -> set[str]:
    """Literal strings given to ``N_(…)`` or ``translate(lang, …)`` anywhere in the site's Python."""
    found: set[str] = set()
    for path in [*(REPO / "web").rglob("*.py"), REPO / "api" / "linked_data.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in MARKERS:
                found.update(arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str))
    return found


def test_messages_are_found_at_all() -> None:
    assert "Přeskočit na obsah" in _template_messages()
    assert "Stránka nenalezena" in _python_messages()


def test_every_message_has_its_english() -> None:
    missing = sorted((_template_messages() | _python_messages()) - set(english()))
    assert not missing, "no English in web/locale/*.toml for:\n" + "\n".join(missing)


def test_no_translation_is_left_over_or_empty() -> None:
    used = _template_messages() | _python_messages()
    unused = sorted(set(english()) - used)
    assert not unused, "translated but used nowhere:\n" + "\n".join(unused)
    assert all(text.strip() for text in english().values())


def test_every_counted_phrase_has_its_plural_forms() -> None:
    used = _template_plurals() | _python_plurals()
    assert set(COUNT_WORDS.values()) <= used
    missing = sorted(many for _, many in used if many not in plurals())
    assert not missing, "no [plural] table in web/locale/*.toml for:\n" + "\n".join(missing)
    unused = sorted(set(plurals()) - {many for _, many in used})
    assert not unused, "plural forms used nowhere:\n" + "\n".join(unused)


@pytest.mark.parametrize(
    ("count", "czech", "english_form"),
    [(0, "cílů", "goals"), (1, "cíl", "goal"), (2, "cíle", "goals"), (4, "cíle", "goals"), (5, "cílů", "goals"),
     (22, "cílů", "goals"), (101, "cílů", "goals")],
)
def test_a_count_takes_the_form_its_number_needs(count: int, czech: str, english_form: str) -> None:
    assert plural("cs", "cíl", "cílů", count) == czech
    assert plural("en", "cíl", "cílů", count) == english_form
