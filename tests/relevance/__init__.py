"""The relevance set: problem statements as municipal officers type them, each with the catalogue
resources a search MUST find for it (`statements.toml` beside this module), or, for a problem the
catalogue does not hold, none: such a statement is tagged "out of scope" and must be answered
"no good match".

The set is data for the search tests and the benchmark; `tests/test_relevance_set.py` checks the set
itself (size, existing IRIs, no copied labels, no duplicates, every target reachable by its words).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

STATEMENTS = Path(__file__).resolve().parent / "statements.toml"

# The answer's input limit (issue 3, section 3): a statement the product would refuse is no test.
MAX_TEXT_LENGTH = 1000
# Only the resources an expert would insist on: more would turn hit@10 into a recall test.
MAX_EXPECTED = 3
OUT_OF_SCOPE = "out of scope"
"""The note tag of a statement about something the catalogue does not hold: it expects nothing."""
_KEYS = {"text", "expected", "note"}


def style_tags(note: str) -> list[str]:
    """The comma-separated tags before the note's first ';'."""
    head = note.split(";", 1)[0]
    return [tag.strip() for tag in head.split(",") if tag.strip()]


@dataclass(frozen=True)
class Statement:
    """One problem statement and the IRIs it must find (none when it is out of scope)."""

    text: str
    expected: list[str]
    note: str

    @property
    def out_of_scope(self) -> bool:
        return not self.expected


class RelevanceSetError(ValueError):
    """The statements file is malformed; the message names the file, the entry and the fault."""


def load_statements(path: Path = STATEMENTS) -> list[Statement]:
    """Every `[[statement]]` of the TOML file, in file order, checked for shape."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RelevanceSetError(f"{path}: the relevance set is missing") from None
    except tomllib.TOMLDecodeError as error:
        raise RelevanceSetError(f"{path}: not valid TOML: {error}") from None
    extra = set(data) - {"statement"}
    if extra:
        raise RelevanceSetError(
            f"{path}: unknown top-level keys {sorted(extra)}; only [[statement]] tables belong here"
        )
    entries = data.get("statement")
    if not isinstance(entries, list) or not entries:
        raise RelevanceSetError(f"{path}: no [[statement]] tables")
    return [_statement(path, number, entry) for number, entry in enumerate(entries, start=1)]


def _statement(path: Path, number: int, entry: dict[str, object]) -> Statement:
    where = f"{path}, statement {number}"
    missing = _KEYS - set(entry)
    unknown = set(entry) - _KEYS
    if missing or unknown:
        raise RelevanceSetError(
            f"{where}: needs exactly the keys {sorted(_KEYS)}; missing {sorted(missing)}, unknown {sorted(unknown)}"
        )
    text, expected, note = entry["text"], entry["expected"], entry["note"]
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT_LENGTH:
        raise RelevanceSetError(f"{where}: text must be a non-blank string of at most {MAX_TEXT_LENGTH} characters")
    if text != text.strip():
        raise RelevanceSetError(f"{where}: text {text!r} has leading or trailing spaces")
    if not isinstance(note, str) or not note.strip():
        raise RelevanceSetError(f"{where} ({text!r}): note must say what makes the statement realistic")
    if not isinstance(expected, list) or not all(isinstance(iri, str) and iri.startswith("https://") for iri in expected):
        raise RelevanceSetError(f"{where} ({text!r}): expected must be a list of https IRIs")
    out_of_scope = OUT_OF_SCOPE in style_tags(note)
    if out_of_scope and expected:
        raise RelevanceSetError(f"{where} ({text!r}): a statement tagged {OUT_OF_SCOPE!r} expects nothing")
    if not out_of_scope and not 1 <= len(expected) <= MAX_EXPECTED:
        raise RelevanceSetError(
            f"{where} ({text!r}): expected must be a list of 1 to {MAX_EXPECTED} https IRIs, "
            f"or empty with the note tagged {OUT_OF_SCOPE!r}"
        )
    if len(set(expected)) != len(expected):
        raise RelevanceSetError(f"{where} ({text!r}): expected lists an IRI twice")
    return Statement(text=text, expected=list(expected), note=note)
