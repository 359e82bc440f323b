"""Import by the file: a table of realisations, programmes, calls or a whole strategy, checked row by row
and applied as one draft for review (:func:`catalogue.editing.drafts.save_import`).

The columns of a realisation, programme or call are the fields of its editor's form, so the SHACL shapes
generate both: one column per field (named by its key, e.g. ``kcs-year``, or by its Czech name), a nested
record's parts as ``key.part`` (``dcterms-source.kcs-publicSource``), and several values of a repeatable
field in one cell separated by ``|`` (CSVW's ``separator``). A link is written as the IRI or the name or
code of what it leads to, resolved as the editor's picker resolves a typed name. A column the file leaves
out keeps the record's current values; an empty cell of a column it has removes them.

A strategy is a hierarchy, one concept a row: code, level, name, parent code, description and source;
the row of level ``strategie`` is the strategy itself.

A file is read whole (UTF-8 CSV separated by ``;`` or ``,``, or XLSX) and planned: each row is created,
changed (which fields), unchanged, or an error at its row and column, the shapes checked for all rows in
one run. Applying saves the plan as one draft only when no row failed; otherwise nothing is written.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from catalogue.editing import checks, drafts, forms
from catalogue.editing.authorisation import Actor
from catalogue.editing.descriptions import CLASSES_BY_KIND, PATHS_BY_KIND, Description, read_description
from catalogue.errors import CatalogueError, InvalidInput
from catalogue.queries.browse import descriptors
from catalogue.search.analysis import fold
from catalogue.search.engine import SearchEngine
from catalogue.search.picker import resolve
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

KCS = "https://w3id.org/kcs/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

KINDS = ("realisation", "programme", "call", "strategy")
KIND_SLUGS = {"realizace": "realisation", "program": "programme", "vyzva": "call", "strategie": "strategy"}
"""The kinds a file can bring, by the Czech word of their template's address."""
SLUG_OF_KIND = {kind: slug for slug, kind in KIND_SLUGS.items()}
KIND_NAMES = {"realisation": "realizace", "programme": "programy financování", "call": "výzvy",
              "strategy": "strategie s hierarchií"}

SEPARATOR = "|"
IDENTIFIER_COLUMN = "identifikator"
MAX_ROWS = 20_000
MAX_CELL = 20_000
IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")

CREATED, CHANGED, UNCHANGED, ERROR = "created", "changed", "unchanged", "error"
STATUS_NAMES = {CREATED: "nový", CHANGED: "změněný", UNCHANGED: "beze změny", ERROR: "chyba"}


def suggested_identifier(label: str) -> str:
    """An identifier made of a name, as the editor and the importer make it: folded, words joined by
    hyphens (``Chytré parkování`` → ``chytre-parkovani``)."""
    return re.sub(r"[^a-z0-9]+", "-", fold(label)).strip("-")[:80].strip("-")


class UnreadableFile(CatalogueError):
    """The file is no table this importer reads: not UTF-8 CSV or XLSX, or without a header."""

    code = "UNREADABLE"
    status = 400


# -- columns --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a kind's template: ``key`` is its header, ``title`` its Czech name."""

    key: str
    title: str
    help: str = ""
    required: bool = False
    repeatable: bool = False
    datatype: str = "string"


@dataclass(frozen=True)
class _Level:
    cls: str
    path: str
    """Where the concepts of the level live under the instance base."""


STRATEGY_LEVELS = {
    "strategie": _Level(KCS + "Strategy", "strategy/"),
    "pilir": _Level(KCS + "Pillar", "pillar/"),
    "prurezova oblast": _Level(KCS + "CrossCuttingArea", "pillar/"),
    "zpo": _Level(KCS + "CrossCuttingArea", "pillar/"),
    "komponenta": _Level(KCS + "Component", "component/"),
    "cil": _Level(KCS + "Goal", "goal/"),
    "strategicky cil": _Level(KCS + "Goal", "goal/"),
    "specificky cil": _Level(KCS + "Goal", "goal/"),
    "opatreni": _Level(KCS + "TypeMeasure", "measure/"),
    "typove opatreni": _Level(KCS + "TypeMeasure", "measure/"),
}
"""The levels a strategy's row may name (folded), and what each makes."""

STRATEGY_COLUMNS = (
    Column("kod", "kód", "Kód pojmu, jak ho strategie uvádí (např. A1.2); u řádku strategie její zkratka.",
           required=True),
    Column("uroven", "úroveň", "strategie, pilíř, průřezová oblast, komponenta, cíl, nebo opatření.", required=True),
    Column("nazev", "název", "Český název pojmu, jak ho strategie uvádí.", required=True),
    Column("nadrazeny-kod", "nadřazený kód", "Kód nadřazeného pojmu; prázdné u nejvyšších pojmů strategie."),
    Column("popis", "popis", "Popis pojmu (nepovinný)."),
    Column("zdroj", "zdroj", "Adresa https:// dokumentu strategie; prázdné převezme zdroj řádku strategie."),
)


def _form(settings: Settings, kind: str) -> forms.Form:
    return forms.form_for(settings.shapes_file, settings.ontology_file, CLASSES_BY_KIND[kind])


def columns(settings: Settings, kind: str) -> list[Column]:
    """The template's columns of ``kind``, in their order."""
    if kind == "strategy":
        return list(STRATEGY_COLUMNS)
    found = [Column(IDENTIFIER_COLUMN, "identifikátor",
                    "Poslední část adresy záznamu (např. chytre-parkovani-kolin); prázdné: vytvoří se z názvu.")]
    for f in _form(settings, kind).fields:
        if f.kind == "node":
            found += [
                Column(f"{f.key}.{part.key}", f"{f.name}: {part.name}", part.help, repeatable=f.repeatable,
                       datatype=part.kind)
                for part in f.parts
            ]
        else:
            found.append(Column(f.key, f.name, f.help, f.required, f.repeatable, f.kind))
    return found


def template_csv(settings: Settings, kind: str) -> str:
    """The empty template: the header row, separated by ``;`` as Czech spreadsheets write it."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow([c.key for c in columns(settings, kind)])
    return buffer.getvalue()


_CSVW_DATATYPES = {"year": "gYear", "decimal": "decimal", "integer": "integer", "date": "date", "boolean": "boolean",
                   "iri": "anyURI", "link": "anyURI"}


def csvw_metadata(settings: Settings, kind: str, url: str) -> dict[str, Any]:
    """The template's columns as CSV on the Web metadata (W3C tabular data) for the file at ``url``."""
    described = []
    for column in columns(settings, kind):
        entry: dict[str, Any] = {
            "name": re.sub(r"[^A-Za-z0-9_]", "_", column.key),
            "titles": [column.key, column.title],
            "dc:description": column.help,
            "datatype": _CSVW_DATATYPES.get(column.datatype, "string"),
            "required": column.required,
        }
        if column.repeatable:
            entry["separator"] = SEPARATOR
        described.append(entry)
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "cs"}],
        "url": url,
        "dc:title": f"Katalog chytrých služeb – šablona importu: {KIND_NAMES[kind]}",
        "dialect": {"delimiter": ";", "encoding": "utf-8", "header": True},
        "tableSchema": {"columns": described},
    }


# -- reading a file -------------------------------------------------------------------------------


def read_table(name: str, data: bytes) -> list[list[str]]:
    """The rows of the file (header first), cells as text; UnreadableFile when it is none."""
    if data[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm")):
        rows = _xlsx_rows(data)
    else:
        rows = _csv_rows(data)
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise UnreadableFile("Soubor je prázdný: čekáme tabulku se záhlavím sloupců v prvním řádku.")
    if len(rows) > MAX_ROWS + 1:
        raise UnreadableFile(f"Soubor má {len(rows) - 1} řádků; najednou lze importovat nejvýše {MAX_ROWS}.")
    return rows


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            f"Soubor není v kódování UTF-8 (bajt {error.start + 1}): uložte ho jako „CSV UTF-8“, nebo jako XLSX."
        ) from error
    if "\x00" in text:
        raise UnreadableFile("Soubor není textová tabulka CSV: uložte ho jako „CSV UTF-8“, nebo jako XLSX.")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") >= header.count(",") else ","
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)]
    except csv.Error as error:
        raise UnreadableFile(f"Soubor CSV nelze přečíst: {error}.") from error


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # only an XLSX import pays for loading it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise UnreadableFile("Soubor XLSX nelze otevřít: uložte ho znovu z tabulkového editoru.") from error
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]  # a date cell: the day, as the forms write dates
    return str(value)


# -- planning -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    """The row's number in the file, the header being row 1 (as a spreadsheet numbers it)."""
    column: str
    """The column's header, or "" for the whole row."""
    message: str


@dataclass(frozen=True)
class Row:
    row: int
    resource: str
    label: str
    status: str
    fields: tuple[str, ...] = ()
    """The names of the fields a changed row changes."""
    errors: tuple[RowError, ...] = ()


@dataclass(frozen=True)
class Plan:
    kind: str
    file_name: str
    rows: tuple[Row, ...]
    problems: tuple[RowError, ...] = ()
    """What is wrong with the file as a whole (its header)."""
    changes: tuple[tuple[str, Description, str | None], ...] = field(default=(), repr=False)
    """Each created or changed resource's new description and the version it was compared with."""

    @property
    def valid(self) -> bool:
        return not self.problems and bool(self.rows) and all(row.status != ERROR for row in self.rows)

    @property
    def errors(self) -> list[RowError]:
        return [*self.problems, *(error for row in self.rows for error in row.errors)]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)


@dataclass
class _Planned:
    """A row on its way: the description it makes, and what is already wrong with it."""

    row: int
    resource: str
    label: str
    description: Description
    errors: list[RowError]
    column_of: dict[str, str]
    """A property's column, to put the shapes' problems at."""
    current: Description
    """The resource as the catalogue has it now (nothing for a new one)."""


def plan(
    store: CatalogueStore, settings: Settings, search: SearchEngine, kind: str, file_name: str, data: bytes
) -> Plan:
    """What importing the file would do, row by row; nothing is written. UnreadableFile when it is no
    table, InvalidInput for a kind the importer does not know."""
    if kind not in KINDS:
        raise InvalidInput(f"Neznámý druh importu „{kind}“: čekáme {', '.join(KINDS)}.", field="kind")
    table = read_table(file_name, data)
    header, body = table[0], table[1:]
    if kind == "strategy":
        planned, problems = _strategy_rows(store, settings, header, body)
    else:
        planned, problems = _form_rows(store, settings, search, kind, header, body)
    if problems:
        return Plan(kind, file_name, (), tuple(problems))
    duplicates = _duplicates(planned)
    # The shapes check each resource once: a row describing a resource again is only that error.
    reports = checks.check_all(store, settings, [p.description for p in planned if p.row not in duplicates])
    rows: list[Row] = []
    changes: list[tuple[str, Description, str | None]] = []
    names = checks.field_names(settings.shapes_file, settings.ontology_file)
    for item in planned:
        # A cell already refused (a link to nothing) is left out of the description: the shapes would
        # only repeat that it is missing.
        refused = {error.column.split(".", 1)[0] for error in item.errors}
        item.errors += [
            RowError(item.row, column, problem.message)
            for problem in (reports[item.resource].violations if item.row not in duplicates else [])
            if (column := item.column_of.get(problem.path, "")) not in refused or not column
        ]
        if item.errors:
            rows.append(Row(item.row, item.resource, item.label, ERROR, errors=tuple(item.errors)))
            continue
        current = item.current
        if not current.exists:
            rows.append(Row(item.row, item.resource, item.label, CREATED))
            changes.append((item.resource, item.description, None))
        elif current.version == item.description.version:
            rows.append(Row(item.row, item.resource, item.label, UNCHANGED))
        else:
            changed = tuple(dict.fromkeys(names.of(d.path) for d in forms.field_diff(current, item.description)))
            rows.append(Row(item.row, item.resource, item.label, CHANGED, changed))
            changes.append((item.resource, item.description, current.version))
    return Plan(kind, file_name, tuple(rows), (), tuple(changes))


def _duplicates(planned: list[_Planned]) -> set[int]:
    """The rows that describe a resource an earlier row describes, each given that error."""
    first: dict[str, int] = {}
    again = set()
    for item in planned:
        if item.resource in first:
            again.add(item.row)
            item.errors.append(RowError(item.row, "", f"Záznam <{item.resource}> už popisuje řádek "
                                                      f"{first[item.resource]}: každý záznam uveďte jen jednou."))
        else:
            first[item.resource] = item.row
    return again


def _header_keys(header: Sequence[str], known: Sequence[Column]) -> tuple[list[str | None], list[RowError]]:
    """Each header cell's column key (None for an empty one), and the headers no column has."""
    by_name: dict[str, str] = {}
    for column in known:
        by_name[fold(column.key).strip()] = column.key
        by_name.setdefault(fold(column.title).strip(), column.key)
    keys: list[str | None] = []
    problems: list[RowError] = []
    seen: set[str] = set()
    for text in header:
        cleaned = text.strip()
        if not cleaned:
            keys.append(None)
            continue
        key = by_name.get(fold(cleaned))
        if key is None:
            problems.append(RowError(1, cleaned, f"Sloupec „{cleaned}“ šablona nezná: přejmenujte ho podle šablony, "
                                                 "nebo ho odstraňte."))
        elif key in seen:
            problems.append(RowError(1, cleaned, f"Sloupec „{cleaned}“ je v záhlaví dvakrát."))
        else:
            seen.add(key)
        keys.append(key)
    return keys, problems


def _cells(keys: Sequence[str | None], row: Sequence[str]) -> dict[str, str]:
    return {key: (row[i] if i < len(row) else "").strip() for i, key in enumerate(keys) if key is not None}


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(SEPARATOR) if part.strip()]


def _form_rows(
    store: CatalogueStore, settings: Settings, search: SearchEngine, kind: str, header: Sequence[str],
    body: Sequence[Sequence[str]],
) -> tuple[list[_Planned], list[RowError]]:
    form = _form(settings, kind)
    keys, problems = _header_keys(header, columns(settings, kind))
    if problems:
        return [], problems
    present = {key.split(".", 1)[0] for key in keys if key is not None}
    in_file = form.only(f.path for f in form.fields if f.key in present)
    column_of = {f.path: f.key for f in form.fields}
    choices = _choice_names(store, form)
    resolved: dict[tuple[tuple[str, ...], str], str | RowError] = {}
    planned = []
    for number, row in enumerate(body, start=2):
        cells = _cells(keys, row)
        errors = [RowError(number, key, f"Buňka je delší než {MAX_CELL} znaků.")
                  for key, text in cells.items() if len(text) > MAX_CELL]
        values = _values(in_file, cells, number, errors, lambda f, text, n=number: _link(
            store, search, resolved, f, text, n), choices)
        label = next(iter(_split(cells.get("skos-prefLabel", ""))), "")
        identifier = cells.get(IDENTIFIER_COLUMN, "")
        resource = _resource(settings, kind, identifier, label, number, errors)
        triples, form_errors = forms.triples_from(in_file, resource, values)
        errors += [RowError(number, e.key, e.message) for e in form_errors]
        current = read_description(store, settings, resource)
        kept = forms.kept_statements(in_file, current) if current.exists else [
            ox.Triple(ox.NamedNode(resource), ox.NamedNode(RDF_TYPE), ox.NamedNode(form.cls))]
        planned.append(_Planned(number, resource, label, forms.described(resource, triples + kept), errors, column_of,
                                current))
    return planned, []


def _resource(settings: Settings, kind: str, identifier: str, label: str, row: int, errors: list[RowError]) -> str:
    base = settings.instance_base + PATHS_BY_KIND[kind]
    identifier = identifier.removeprefix(base)
    if not identifier:
        identifier = suggested_identifier(label)
        if not identifier:
            errors.append(RowError(row, "skos-prefLabel", "Vyplňte název (nebo identifikátor) záznamu."))
            return base + f"radek-{row}"
    if not IDENTIFIER.match(identifier):
        errors.append(RowError(row, IDENTIFIER_COLUMN, f"„{identifier}“ není identifikátor: jen malá písmena bez "
                                                      "diakritiky, číslice a pomlčky, nebo celá adresa záznamu."))
        return base + f"radek-{row}"
    return base + identifier


def _choice_names(store: CatalogueStore, form: forms.Form) -> dict[str, dict[str, str]]:
    """Of each choice field among IRIs, its choices by their folded names (and IRIs)."""
    found: dict[str, dict[str, str]] = {}
    for f in form.fields:
        if f.kind == "choice" and f.choices_are_iris:
            named = descriptors(store, f.choices, "cs")
            found[f.key] = {fold(named[c].label) if c in named else c: c for c in f.choices} | {c: c for c in f.choices}
    return found


def _values(
    form: forms.Form, cells: dict[str, str], row: int, errors: list[RowError], link: Any,
    choices: dict[str, dict[str, str]],
) -> forms.Values:
    values: forms.Values = {}
    for f in form.fields:
        if f.kind == "node":
            parts = {part.key: _split(cells.get(f"{f.key}.{part.key}", "")) for part in f.parts}
            count = max((len(p) for p in parts.values()), default=0)
            values[f.key] = [forms.Entry(parts={k: (p[i] if i < len(p) else "") for k, p in parts.items()})
                             for i in range(count)]
            continue
        entries = []
        for text in _split(cells.get(f.key, "")):
            if f.kind == "link":
                found = link(f, text)
                if isinstance(found, RowError):
                    errors.append(found)
                    continue
                text = found
            elif f.key in choices:
                text = choices[f.key].get(fold(text), choices[f.key].get(text, text))
            entries.append(forms.Entry(text, "cs" if f.kind == "text" else ""))
        values[f.key] = entries
    return values


def _link(
    store: CatalogueStore, search: SearchEngine, resolved: dict[tuple[tuple[str, ...], str], str | RowError],
    f: forms.Field, text: str, row: int,
) -> str | RowError:
    """The IRI a link cell names (an IRI, or the name or code of one record), or the error saying why not."""
    if re.match(r"^https?://\S+$", text):
        return text
    key = (f.classes, fold(text))
    if key not in resolved:
        found = resolve(store, search, f.classes, text)
        if found.iri is not None:
            resolved[key] = found.iri
        elif found.candidates:
            names = ", ".join(f"„{c.label}“" for c in found.candidates[:5])
            resolved[key] = RowError(row, f.key, f"„{text}“ v poli {f.name} odpovídá více záznamům ({names}): "
                                                 "napište celý název, nebo adresu záznamu.")
        else:
            resolved[key] = RowError(row, f.key, f"„{text}“ v poli {f.name} katalog nezná: napište název, kód, "
                                                 "nebo adresu existujícího záznamu.")
    found_iri = resolved[key]
    return RowError(row, f.key, found_iri.message) if isinstance(found_iri, RowError) else found_iri


# -- a strategy -----------------------------------------------------------------------------------


def _strategy_rows(
    store: CatalogueStore, settings: Settings, header: Sequence[str], body: Sequence[Sequence[str]]
) -> tuple[list[_Planned], list[RowError]]:
    keys, problems = _header_keys(header, STRATEGY_COLUMNS)
    missing = [c.title for c in STRATEGY_COLUMNS if c.required and c.key not in keys]
    if missing:
        problems.append(RowError(1, "", f"Chybí sloupce {', '.join(missing)}: strategie má sloupce "
                                        f"{', '.join(c.title for c in STRATEGY_COLUMNS)}."))
    rows = [(number, _cells(keys, row)) for number, row in enumerate(body, start=2)]
    tops = [(number, cells) for number, cells in rows if fold(cells.get("uroven", "")) == "strategie"]
    if not problems and len(tops) != 1:
        problems.append(RowError(1, "uroven", f"Soubor má {len(tops)} řádků úrovně „strategie“: čekáme právě jeden, "
                                              "který popisuje strategii samotnou."))
    if problems:
        return [], problems
    top = tops[0][1]
    slug = suggested_identifier(top.get("kod") or top.get("nazev", ""))
    strategy = settings.instance_base + "strategy/" + slug
    default_source = top.get("zdroj", "")
    iris: dict[str, str] = {}
    row_of_code: dict[str, int] = {}
    for number, cells in rows:
        level = STRATEGY_LEVELS.get(fold(cells.get("uroven", "")))
        code = cells.get("kod", "")
        if level is not None and level.cls != KCS + "Strategy" and code and code not in iris:
            iris[code] = f"{settings.instance_base}{level.path}{slug}-{suggested_identifier(code)}"
            row_of_code[code] = number
    column_of = {SKOS + "notation": "kod", SKOS + "prefLabel": "nazev", SKOS + "broader": "nadrazeny-kod",
                 DCTERMS + "description": "popis", DCTERMS + "source": "zdroj", RDF_TYPE: "uroven"}
    planned = []
    for number, cells in rows:
        errors: list[RowError] = []
        level = STRATEGY_LEVELS.get(fold(cells.get("uroven", "")))
        code, label = cells.get("kod", ""), cells.get("nazev", "")
        if level is None:
            errors.append(RowError(number, "uroven", f"Úroveň „{cells.get('uroven', '')}“ neznáme: čekáme strategie, "
                                                     "pilíř, průřezová oblast, komponenta, cíl, nebo opatření."))
            level = STRATEGY_LEVELS["cil"]
        is_strategy = level.cls == KCS + "Strategy"
        resource = strategy
        if not is_strategy:
            resource = iris[code] if row_of_code.get(code) == number else (
                f"{settings.instance_base}{level.path}{slug}-radek-{number}")
        if not code and not is_strategy:
            errors.append(RowError(number, "kod", "Vyplňte kód pojmu: podle něj na pojem odkazují nižší úrovně."))
        elif not is_strategy and row_of_code.get(code) != number:
            errors.append(RowError(number, "kod", f"Kód „{code}“ má už řádek {row_of_code.get(code)}: každý kód "
                                                  "uveďte jen jednou."))
        triples = _strategy_triples(resource, level, strategy, cells, iris, number, errors,
                                    cells.get("zdroj") or default_source, is_strategy)
        planned.append(_Planned(number, resource, label, forms.described(resource, triples), errors, column_of,
                                read_description(store, settings, resource)))
    return planned, []


def _strategy_triples(
    resource: str, level: _Level, strategy: str, cells: dict[str, str], iris: dict[str, str], row: int,
    errors: list[RowError], source: str, is_strategy: bool,
) -> list[ox.Triple]:
    node = ox.NamedNode(resource)

    def stated(path: str, value: ox.NamedNode | ox.Literal | ox.BlankNode, subject: Any = node) -> ox.Triple:
        return ox.Triple(subject, ox.NamedNode(path), value)

    triples = [stated(RDF_TYPE, ox.NamedNode(level.cls))]
    if cells.get("nazev"):
        triples.append(stated(SKOS + "prefLabel", ox.Literal(cells["nazev"], language="cs")))
    if cells.get("popis"):
        triples.append(stated(DCTERMS + "description", ox.Literal(cells["popis"], language="cs")))
    reference = ox.BlankNode()
    triples += [stated(DCTERMS + "source", reference),
                stated(RDF_TYPE, ox.NamedNode(KCS + "SourceReference"), reference),
                stated(KCS + "section", ox.Literal(f"Struktura strategie: {cells.get('kod') or cells.get('nazev')}"),
                       reference)]
    if source:
        if re.match(r"^https://\S+$", source):
            triples.append(stated(KCS + "publicSource", ox.NamedNode(source), reference))
        else:
            errors.append(RowError(row, "zdroj", f"„{source}“ není adresa https:// dokumentu strategie."))
    if is_strategy:
        return triples
    triples += [stated(SKOS + "inScheme", ox.NamedNode(strategy))]
    if cells.get("kod"):
        triples.append(stated(SKOS + "notation", ox.Literal(cells["kod"])))
    parent = cells.get("nadrazeny-kod", "")
    if not parent:
        triples.append(stated(SKOS + "topConceptOf", ox.NamedNode(strategy)))
    elif parent in iris:
        triples.append(stated(SKOS + "broader", ox.NamedNode(iris[parent])))
    else:
        errors.append(RowError(row, "nadrazeny-kod", f"Nadřazený kód „{parent}“ žádný řádek souboru nemá."))
    return triples


# -- applying -------------------------------------------------------------------------------------


def apply(store: CatalogueStore, settings: Settings, actor: Actor | None, planned: Plan, reason: str) -> drafts.Draft:
    """Save the plan as one draft of ``actor`` for review. InvalidInput, with nothing written, when any
    row failed or nothing would change; refused by the authorisation table as any draft is."""
    if not planned.valid:
        raise InvalidInput(f"Import má {len(planned.errors)} chyb: nic nebylo zapsáno. Opravte soubor a nahrajte ho "
                           "znovu.", field="file")
    if not planned.changes:
        raise InvalidInput("Soubor nic nemění: všechny jeho záznamy už katalog má takto.", field="file")
    return drafts.save_import(store, settings, actor, planned.changes, reason, source=f"import: {planned.file_name}")
