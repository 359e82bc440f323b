"""Every Czech message of the site has its English, and the two languages are switched as promised."""

from __future__ import annotations

import ast
from pathlib import Path

from web.site import TEMPLATES, english, templates

REPO = Path(__file__).resolve().parent.parent
MARKERS = {"N_", "translate"}


def _template_messages() -> set[str]:
    found: set[str] = set()
    for path in TEMPLATES.rglob("*.html"):
        source = path.read_text(encoding="utf-8")
        for _, _, message in templates.extract_translations(source):
            # _(variable) gives None: its messages are marked with N_ where the variable is set.
            parts = [message] if isinstance(message, str) or message is None else message
            found.update(text for text in parts if text)
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
