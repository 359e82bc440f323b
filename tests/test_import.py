"""Import by the file (`katalog import` and /upravy/import): templates generated from the shapes and
published as CSVW, a dry run that reports each row created, changed (which fields), unchanged or an
error at its row and column, exit codes 0/1/2, CSV with either delimiter and XLSX read alike, nothing
written when any row fails, one draft reviewed and published as one, a strategy brought in as a new
hierarchy, and who may import what (every role against every kind)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from catalogue import imports
from catalogue.editing import accounts, drafts, forms, history
from catalogue.editing.descriptions import read_description
from catalogue.errors import Forbidden
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from tests.conftest import app_client, katalog, logged_in_client, page_csrf

PASSWORD = "heslo pro import 2026"  # noqa: S105 - a test password
ID = "https://w3id.org/kcs/id/"
KCS = "https://w3id.org/kcs/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
MMR, MPO = ID + "organisation/mmr", ID + "organisation/mpo"
HTML = {"Accept": "text/html"}
SEED_REALISATION = ID + "realisation/lk-fve-gymnazium-ceska-lipa"
SOURCE = ("dcterms-source.kcs-publicSource", "dcterms-source.kcs-section")


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("import")
    shutil.copytree(loaded_store_path, folder / "store")
    with app_client(Settings(store_path=folder / "store", index_path=folder / "index")) as client:
        yield client


@pytest.fixture(scope="module")
def world(web: TestClient) -> tuple[Settings, CatalogueStore, object]:
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    return catalogue.settings, catalogue.store, catalogue.search


@pytest.fixture(scope="module")
def people(world) -> dict[str, accounts.Account]:
    settings, store, _ = world
    made = {}
    for name, role, organisation in (
        ("kurator", "curator", None), ("recenzent", "reviewer", None), ("mmr", "ministry", MMR),
        ("mpo", "ministry", MPO), ("recenzent-mmr", "reviewer", MMR), ("spravce", "admin", None),
        ("spravce2", "admin", None),
    ):
        made[name] = accounts.add_account(store, settings, f"{name}@import.cz", PASSWORD, role, name=name,
                                          organisation=organisation)
    return made


def table(rows: list[list[str]], delimiter: str = ";") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


def xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def seed_row(store: CatalogueStore, settings: Settings, **changed: str) -> list[str]:
    """The seed realisation as a row of the columns below, with ``changed`` cells."""
    current = read_description(store, settings, SEED_REALISATION)
    own = {t.predicate.value: [] for t in current.own()}
    for t in current.own():
        own[t.predicate.value].append(t.object.value)
    cells = {
        "identifikator": "lk-fve-gymnazium-ceska-lipa",
        "skos-prefLabel": own[SKOS + "prefLabel"][0],
        "kcs-place": "Česká Lípa",
        "kcs-realises": "|".join(sorted(own[KCS + "realises"])),
    }
    return [changed.get(key, value) for key, value in cells.items()]


HEADER = ["identifikator", "skos-prefLabel", "kcs-place", "kcs-realises"]


def new_rows(count: int, start: int = 0, **cells: str) -> list[list[str]]:
    rows = []
    for number in range(start, start + count):
        row = {"identifikator": "", "skos-prefLabel": f"Chytrá lavička {number}", "kcs-place": "Liberec",
               "kcs-realises": ID + "solution/lk-energeticky-management", "kcs-year": "2025",
               SOURCE[0]: "https://www.liberec.cz/lavicky", SOURCE[1]: "Aktuality"} | cells
        rows.append(list(row.values()))
    return rows


NEW_HEADER = [*HEADER, "kcs-year", *SOURCE]


def test_the_templates_columns_are_the_forms_fields_and_are_published_as_csvw(web: TestClient, world) -> None:
    settings = world[0]
    for slug, kind in imports.KIND_SLUGS.items():
        template = web.get(f"/upravy/import/sablona/{slug}.csv")
        assert template.status_code == 200 and template.headers["content-type"].startswith("text/csv")
        header = next(csv.reader(io.StringIO(template.text.lstrip("\ufeff")), delimiter=";"))
        assert header == [column.key for column in imports.columns(settings, kind)]
        metadata = web.get(f"/upravy/import/sablona/{slug}.csv-metadata.json")
        assert metadata.status_code == 200 and metadata.headers["content-type"].startswith("application/csvm+json")
        described = json.loads(metadata.text)
        assert described["url"] == f"{slug}.csv" and "http://www.w3.org/ns/csvw" in described["@context"]
        assert [c["titles"][0] for c in described["tableSchema"]["columns"]] == header
    form = forms.form_for(settings.shapes_file, settings.ontology_file, KCS + "Realisation")
    columns = {c["titles"][0]: c for c in web.get("/upravy/import/sablona/realizace.csv-metadata.json").json()[
        "tableSchema"]["columns"]}
    for f in form.fields:
        if f.kind != "node":
            assert columns[f.key]["titles"][1] == f.name
            assert ("separator" in columns[f.key]) == f.repeatable, f.key
    assert columns["kcs-year"]["datatype"] == "gYear" and columns["skos-prefLabel"]["required"] is True
    assert web.get("/upravy/import/sablona/nic.csv").status_code == 404


def test_a_dry_run_reports_each_row_created_changed_unchanged_or_an_error_at_its_column(world, seeds) -> None:
    settings, store, search = world
    label = read_description(store, settings, SEED_REALISATION)
    name = next(t.object.value for t in label.own() if t.predicate.value == SKOS + "prefLabel")
    assert name in seeds["002_46e3fac40e81357b.txt"], "the realisation is the seed's"
    rows = [
        NEW_HEADER,
        [*seed_row(store, settings, **{"skos-prefLabel": name + " (FVE)"}), "2024", *new_rows(1)[0][-2:]],
        *new_rows(1),
        *new_rows(1, 1, **{"kcs-place": "Atlantida", "kcs-year": "dvacet"}),
        [*seed_row(store, settings), "", "", ""],
    ]
    # A file without the year and source columns keeps the record's (an empty cell of a column removes them).
    unchanged_file = table([HEADER, seed_row(store, settings)])
    planned = imports.plan(store, settings, search, "realisation", "seed.csv", unchanged_file)
    assert [(r.row, r.status) for r in planned.rows] == [(2, "unchanged")] and planned.valid

    planned = imports.plan(store, settings, search, "realisation", "mix.csv", table(rows))
    by_row = {row.row: row for row in planned.rows}
    assert by_row[2].status == "changed", by_row[2].errors
    assert set(by_row[2].fields) == {"preferovaný název", "rok", "zdroje"}
    assert by_row[3].status == "created" and by_row[3].resource == ID + "realisation/chytra-lavicka-0"
    assert by_row[4].status == "error" and not planned.valid
    errors = {(e.row, e.column): e.message for e in by_row[4].errors}
    assert "„Atlantida“ v poli místo katalog nezná" in errors[(4, "kcs-place")]
    assert "„dvacet“ není platná hodnota pole rok" in errors[(4, "kcs-year")], "SHACL's lexical check at its column"
    assert [e.message for e in by_row[5].errors if not e.column] == [
        f"Záznam <{SEED_REALISATION}> už popisuje řádek 2: každý záznam uveďte jen jednou."]
    assert "Vyplňte pole „místo“" not in " ".join(errors.values()), "a refused link is not reported twice"


def test_the_shapes_are_checked_for_every_row(world) -> None:
    settings, store, search = world
    rows = [NEW_HEADER, *new_rows(1, 10, **{SOURCE[0]: "", SOURCE[1]: ""}),
            *new_rows(1, 11, **{SOURCE[0]: "http://nezabezpeceno.cz"})]
    planned = imports.plan(store, settings, search, "realisation", "tvary.csv", table(rows))
    first, second = planned.rows
    assert first.status == second.status == "error"
    assert any(e.column == "dcterms-source" and "Každý zdroj uvádí" in e.message for e in first.errors)
    assert any(e.column == "dcterms-source" for e in second.errors), "a public source is https://"


def test_a_semicolon_a_comma_and_xlsx_read_the_same(world) -> None:
    settings, store, search = world
    rows = [NEW_HEADER, *new_rows(3, 20)]
    plans = [
        imports.plan(store, settings, search, "realisation", name, data)
        for name, data in (("a.csv", table(rows, ";")), ("b.csv", table(rows, ",")), ("c.xlsx", xlsx(rows)),
                           ("d.csv", "\ufeff".encode() + table(rows, ",")))
    ]
    results = [[(r.row, r.status, r.resource) for r in p.rows] for p in plans]
    assert results[0] == results[1] == results[2] == results[3]
    assert [status for _, status, _ in results[0]] == ["created"] * 3
    assert [p.changes[0][1].version for p in plans] == [plans[0].changes[0][1].version] * 4


def test_unknown_and_repeated_columns_are_errors_of_the_header(world) -> None:
    settings, store, search = world
    planned = imports.plan(store, settings, search, "realisation", "h.csv",
                           table([["skos-prefLabel", "barva", "název"], ["A", "B", "C"]]))
    assert not planned.valid and not planned.rows
    assert {(p.row, p.column) for p in planned.problems} == {(1, "barva"), (1, "název")}
    assert "Sloupec „barva“ šablona nezná" in planned.problems[0].message


@pytest.mark.parametrize("data", [b"\xff\xfeNe\x00UTF-8", b"PK\x03\x04 nic", b"", b"\n;\n"],
                         ids=["utf16", "broken-xlsx", "empty", "blank"])
def test_a_file_that_is_no_table_cannot_be_read(world, data: bytes) -> None:
    settings, store, search = world
    with pytest.raises(imports.UnreadableFile):
        imports.plan(store, settings, search, "realisation", "x.csv", data)


@pytest.fixture
def cli_store(tmp_path: Path, loaded_store_path: Path) -> dict[str, str]:
    shutil.copytree(loaded_store_path, tmp_path / "store")
    return {"KATALOG_STORE_PATH": str(tmp_path / "store")}


def test_the_command_exits_0_1_and_2_and_writes_only_a_valid_file(cli_store: dict[str, str], tmp_path: Path) -> None:
    good, bad, unreadable = tmp_path / "dobre.csv", tmp_path / "spatne.csv", tmp_path / "rozbite.csv"
    good.write_bytes(table([NEW_HEADER, *new_rows(2, 30)], ","))
    bad.write_bytes(table([NEW_HEADER, *new_rows(1, 32), *new_rows(1, 33, **{"kcs-year": "rok"})]))
    unreadable.write_bytes("název;místo\nČeská Lípa;x\n".encode("cp1250"))

    dry = katalog("import", str(good), "--kind", "realisation", "--dry-run", env=cli_store)
    assert dry.returncode == 0, dry.stderr
    assert "řádek 2: nový <https://w3id.org/kcs/id/realisation/chytra-lavicka-30>" in dry.stdout
    assert "2 řádků (nový: 2, změněný: 0, beze změny: 0, chyba: 0)" in dry.stdout

    refused = katalog("import", str(bad), "--kind", "realisation", "--dry-run", env=cli_store)
    assert refused.returncode == 1
    assert re.search(r"řádek 3: chyba <[^>]+>, sloupec kcs-year: „rok“ není platná hodnota pole rok", refused.stdout)

    broken = katalog("import", str(unreadable), "--kind", "realisation", "--dry-run", env=cli_store)
    assert broken.returncode == 2 and "není v kódování UTF-8" in broken.stderr

    assert katalog("user", "add", "kurator@obec.cz", "--role", "curator", env=cli_store,
                   stdin=PASSWORD).returncode == 0
    with CatalogueStore.open(Settings(store_path=Path(cli_store["KATALOG_STORE_PATH"]))) as store:
        before = store.values("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]
    not_applied = katalog("import", str(bad), "--kind", "realisation", "--author", "kurator@obec.cz", env=cli_store)
    assert not_applied.returncode == 1 and "Nic nebylo zapsáno" in not_applied.stderr
    settings = Settings(store_path=Path(cli_store["KATALOG_STORE_PATH"]))
    with CatalogueStore.open(settings) as store:
        assert store.values("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"] == before
    applied = katalog("import", str(good), "--kind", "realisation", "--author", "kurator@obec.cz", env=cli_store)
    assert applied.returncode == 0, applied.stderr
    identifier = re.search(r"Návrh ([0-9a-f]{32}) \(2 záznamů\)", applied.stdout)
    assert identifier
    with CatalogueStore.open(settings) as store:
        author = accounts.account_by_email(store, settings, "kurator@obec.cz")
        draft = drafts.get_draft(store, settings, author, identifier.group(1))  # type: ignore[arg-type]
        assert draft.status == "draft" and draft.source == "import: dobre.csv"
        assert [c.resource for c in draft.changes] == [ID + "realisation/chytra-lavicka-30",
                                                       ID + "realisation/chytra-lavicka-31"]
        assert not read_description(store, settings, ID + "realisation/chytra-lavicka-30").exists, "only a draft"
    assert katalog("import", str(good), "--kind", "realisation", env=cli_store).returncode == 2, "an author is needed"


def test_one_draft_is_reviewed_and_published_as_one(world, people) -> None:
    settings, store, search = world
    planned = imports.plan(store, settings, search, "realisation", "lavicky.csv",
                           table([NEW_HEADER, *new_rows(3, 40), [*seed_row(store, settings), "2024", *new_rows(1)[0][-2:]]]))
    assert planned.valid and len(planned.changes) == 4
    draft = imports.apply(store, settings, people["kurator"], planned, "Lavičky z Liberce")
    drafts.submit_draft(store, settings, people["kurator"], draft.id)
    published = drafts.publish_draft(store, settings, people["recenzent"], draft.id)
    for resource, description, _ in planned.changes:
        assert read_description(store, settings, resource).version == description.version
        revisions = history.history(store, settings, resource)
        assert revisions[0].reason == "Lavičky z Liberce" and revisions[0].source == "import: lavicky.csv"
    assert published.version == planned.changes[0][1].version
    again = imports.plan(store, settings, search, "realisation", "lavicky.csv",
                         table([NEW_HEADER, *new_rows(3, 40)]))
    assert [r.status for r in again.rows] == ["unchanged"] * 3
    with pytest.raises(Exception, match="nic nemění"):
        imports.apply(store, settings, people["kurator"], again, "Znovu")


def test_a_resource_changed_after_the_import_stops_its_publication_whole(world, people) -> None:
    settings, store, search = world
    planned = imports.plan(store, settings, search, "realisation", "konflikt.csv",
                           table([NEW_HEADER, *new_rows(2, 50)]))
    draft = imports.apply(store, settings, people["kurator"], planned, "Konflikt")
    drafts.submit_draft(store, settings, people["kurator"], draft.id)
    other = imports.plan(store, settings, search, "realisation", "predbehl.csv",
                         table([NEW_HEADER, *new_rows(1, 51)]))
    first = imports.apply(store, settings, people["spravce"], other, "Předběhl")
    drafts.submit_draft(store, settings, people["spravce"], first.id)
    drafts.publish_draft(store, settings, people["recenzent"], first.id)
    with pytest.raises(drafts.EditConflict, match="Nahrajte soubor znovu"):
        drafts.publish_draft(store, settings, people["recenzent"], draft.id)
    assert not read_description(store, settings, ID + "realisation/chytra-lavicka-50").exists, "nothing written"
    assert drafts.get_draft(store, settings, people["kurator"], draft.id).status == "submitted"


STRATEGY = [
    ["kód", "úroveň", "název", "nadřazený kód", "popis", "zdroj"],
    ["CHHD", "strategie", "Chytrá obec Horní Dolní", "", "Strategie obce 2025–2030.", "https://www.hornidolni.cz/sc"],
    ["1", "cíl", "Úsporná obec", "", "", ""],
    ["1.1", "cíl", "Úspory energie ve školách", "1", "Méně energie v budovách škol.", ""],
    ["2", "cíl", "Otevřený úřad", "", "", ""],
]


def test_a_strategy_comes_in_as_a_new_hierarchy_whose_goals_the_editor_links_to_national_ones(world, people) -> None:
    settings, store, search = world
    planned = imports.plan(store, settings, search, "strategy", "strategie.csv", table(STRATEGY, ","))
    assert planned.valid, planned.errors
    assert [(r.row, r.status, r.resource) for r in planned.rows] == [
        (2, "created", ID + "strategy/chhd"), (3, "created", ID + "goal/chhd-1"),
        (4, "created", ID + "goal/chhd-1-1"), (5, "created", ID + "goal/chhd-2")]
    draft = imports.apply(store, settings, people["spravce"], planned, "Strategie obce")
    drafts.submit_draft(store, settings, people["spravce"], draft.id)
    drafts.publish_draft(store, settings, people["spravce2"], draft.id)
    rows = store.values(
        f"SELECT ?goal ?notation ?broader ?top WHERE {{ ?goal <{SKOS}inScheme> <{ID}strategy/chhd> ; "
        f"<{SKOS}notation> ?notation OPTIONAL {{ ?goal <{SKOS}broader> ?broader }} "
        f"OPTIONAL {{ ?goal <{SKOS}topConceptOf> ?top }} }} ORDER BY ?notation")
    assert [(r["notation"], r.get("broader"), r.get("top")) for r in rows] == [
        ("1", None, ID + "strategy/chhd"), ("1.1", ID + "goal/chhd-1", None), ("2", None, ID + "strategy/chhd")]
    goal_form = forms.form_for(settings.shapes_file, settings.ontology_file, KCS + "Goal")
    assert goal_form.field(KCS + "servesGoal") is not None, "the editor links a goal to a national goal"

    broken = [*STRATEGY[:2], ["1", "cíl", "A", "", "", ""], ["1", "opatření", "B", "9", "", ""],
              ["3", "kapitola", "C", "", "", ""]]
    refused = imports.plan(store, settings, search, "strategy", "spatne.csv", table(broken))
    errors = {(e.row, e.column) for e in refused.errors}
    assert {(4, "kod"), (4, "nadrazeny-kod"), (5, "uroven")} <= errors
    two_tops = imports.plan(store, settings, search, "strategy", "dve.csv", table([*STRATEGY, STRATEGY[1]]))
    assert two_tops.problems and "právě jeden" in two_tops.problems[0].message


def _programme_rows(provider: str, number: int) -> list[list[str]]:
    return [["skos-prefLabel", "kcs-provider", *SOURCE],
            [f"Program obnovy {number}", provider, "https://www.mmr.cz/programy", "Programy"]]


def _call_rows(number: int) -> list[list[str]]:
    return [["skos-prefLabel", "kcs-callOf", "kcs-provider", *SOURCE],
            [f"Výzva obnovy {number}", ID + "programme/npo-1-6", MMR, "https://www.mmr.cz/vyzvy", "Výzvy"]]


ALLOWED = {
    "realisation": {"kurator", "recenzent", "recenzent-mmr", "spravce"},
    "programme": {"mmr", "spravce"},
    "call": {"mmr", "spravce"},
    "strategy": {"spravce"},
}


@pytest.mark.parametrize("kind", imports.KINDS)
@pytest.mark.parametrize("person", ["kurator", "recenzent", "mmr", "mpo", "recenzent-mmr", "spravce"])
def test_who_may_import_what(world, people, kind: str, person: str) -> None:
    settings, store, search = world
    number = abs(hash((kind, person))) % 100_000
    rows = {
        "realisation": [NEW_HEADER, *new_rows(1, 1000 + number)],
        "programme": _programme_rows(MMR, number),
        "call": _call_rows(number),
        "strategy": [STRATEGY[0], ["S" + str(number), "strategie", f"Strategie {number}", "", "",
                                   "https://www.obec.cz/s"], ["1", "cíl", "Cíl", "", "", ""]],
    }[kind]
    planned = imports.plan(store, settings, search, kind, "matice.csv", table(rows))
    assert planned.valid, planned.errors
    if person in ALLOWED[kind]:
        draft = imports.apply(store, settings, people[person], planned, "Matice")
        assert draft.author == people[person].iri
    else:
        with pytest.raises(Forbidden):
            imports.apply(store, settings, people[person], planned, "Matice")


def test_a_ministry_imports_only_its_own_organisations_programmes(world, people) -> None:
    settings, store, search = world
    planned = imports.plan(store, settings, search, "programme", "mpo.csv", table(_programme_rows(MPO, 7)))
    with pytest.raises(Forbidden, match="nepatří vaší organizaci"):
        imports.apply(store, settings, people["mmr"], planned, "Cizí program")
    assert imports.apply(store, settings, people["mpo"], planned, "Vlastní program").author == people["mpo"].iri


def test_the_site_refuses_a_file_with_its_report_then_applies_the_fixed_one(web: TestClient, people) -> None:
    browser = logged_in_client(web.app, "kurator@import.cz", PASSWORD)
    page = browser.get("/upravy/import", headers=HTML)
    assert page.status_code == 200 and "Import ze souboru" in page.text
    assert 'value="realizace"' in page.text and 'value="strategie"' not in page.text, "a curator imports practice"
    token = page_csrf(page.text)
    bad = table([NEW_HEADER, *new_rows(1, 60), *new_rows(1, 61, **{"kcs-place": "Atlantida"})])
    refused = browser.post("/upravy/import", headers=HTML, data={"csrf": token, "druh": "realizace",
                           "akce": "importovat", "duvod": "Lavičky"}, files={"soubor": ("lavicky.csv", bad)})
    assert refused.status_code == 400
    assert "Import odmítnut, nic nebylo zapsáno" in refused.text and "„Atlantida“ v poli místo" in refused.text
    assert 'data-row-status="created"' in refused.text and 'data-row-status="error"' in refused.text
    assert 'value="Lavičky"' in refused.text, "what was typed is kept"

    good = table([NEW_HEADER, *new_rows(2, 60)])
    checked = browser.post("/upravy/import", headers=HTML, data={"csrf": token, "druh": "realizace",
                           "akce": "zkontrolovat"}, files={"soubor": ("lavicky.csv", good)})
    assert checked.status_code == 200 and "Soubor je v pořádku" in checked.text
    applied = browser.post("/upravy/import", headers=HTML, data={"csrf": token, "druh": "realizace",
                           "akce": "importovat", "duvod": "Lavičky"}, files={"soubor": ("lavicky.csv", good)})
    assert applied.status_code == 303
    draft_page = browser.get(applied.headers["location"], headers=HTML)
    assert "Záznamy importu (2)" in draft_page.text and "Chytrá lavička 61" in draft_page.text
    assert "/odeslat" in draft_page.text, "the author submits it from its page"
    draft_path = applied.headers["location"].split("?")[0]
    submitted = browser.post(draft_path + "/odeslat", headers=HTML, data={"csrf": page_csrf(draft_page.text)})
    assert submitted.status_code == 303
    reviewer = logged_in_client(web.app, "recenzent@import.cz", PASSWORD, address="reviewer")
    queue = reviewer.get("/upravy/ke-schvaleni", headers=HTML)
    assert "Import: níže je první z 2 záznamů" in queue.text

    forged = browser.post("/upravy/import", headers=HTML, data={"csrf": "0" * 64, "druh": "realizace",
                          "akce": "importovat"}, files={"soubor": ("lavicky.csv", good)})
    assert forged.status_code == 403
    strategy = browser.post("/upravy/import", headers=HTML, data={"csrf": token, "druh": "strategie",
                            "akce": "zkontrolovat"}, files={"soubor": ("s.csv", table(STRATEGY))})
    assert strategy.status_code == 403 and "Tento druh importu vaše role nemůže." in strategy.text
    huge = browser.post("/upravy/import", headers={**HTML, "Content-Length": str(20_000_000)}, content=b"x" * 10)
    assert huge.status_code == 413
    anonymous = logged_in_client(web.app, None, "")
    assert anonymous.get("/upravy/import", headers=HTML).status_code == 303, "sent to log in"
