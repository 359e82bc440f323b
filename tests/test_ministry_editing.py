"""Ministries keep their own funding: a ministry account edits only the programmes, calls and priorities
its organisation owns (a programme's or call's providers, a call naming none its programme's, a priority's
organisation), addressed by id or by IRI; a reviewer of the same organisation or an admin publishes its
drafts, a reviewer of another organisation or of none does not; and the editor's forms for a programme,
a call and a priority come from the shapes."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from catalogue.editing import accounts, drafts
from catalogue.editing.descriptions import read_description
from catalogue.errors import Forbidden
from catalogue.queries import funding_overview
from catalogue.queries.browse import FundingFilter
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from tests.conftest import app_client, logged_in_client

PASSWORD = "heslo ministerstva 2026"  # noqa: S105 - a test password
ID = "https://w3id.org/kcs/id/"
KCS = "https://w3id.org/kcs/ontology#"
MMR, MPO = ID + "organisation/mmr", ID + "organisation/mpo"
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("ministry")
    shutil.copytree(loaded_store_path, folder / "store")
    with app_client(Settings(store_path=folder / "store", index_path=folder / "index")) as client:
        yield client


@pytest.fixture(scope="module")
def world(web: TestClient) -> tuple[Settings, CatalogueStore]:
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    return catalogue.settings, catalogue.store


@pytest.fixture(scope="module")
def people(world) -> dict[str, accounts.Account]:
    settings, store = world
    made = {}
    for name, role, organisation in (
        ("mmr", "ministry", MMR), ("mpo", "ministry", MPO), ("recenzent-mmr", "reviewer", MMR),
        ("recenzent-mpo", "reviewer", MPO), ("recenzent", "reviewer", None), ("spravce", "admin", None),
    ):
        made[name] = accounts.add_account(store, settings, f"{name}@gov.cz", PASSWORD, role, name=name,
                                          organisation=organisation)
    return made


def programme_of(store: CatalogueStore, provider: str, other: str | None = None) -> str:
    """A programme that ``provider`` provides (and ``other`` does not)."""
    exclude = f"FILTER NOT EXISTS {{ ?p <{KCS}provider> <{other}> }}" if other else ""
    return store.values(
        f"SELECT ?p WHERE {{ ?p a <{KCS}FundingProgramme> ; <{KCS}provider> <{provider}> {exclude} }} ORDER BY ?p LIMIT 1"
    )[0]["p"]


def with_alt_label(store: CatalogueStore, settings: Settings, iri: str, label: str) -> tuple[str, str]:
    current = read_description(store, settings, iri)
    lines = [f"{t} ." for t in current.triples] + [f'<{iri}> <http://www.w3.org/2004/02/skos/core#altLabel> "{label}"@cs .']
    return "\n".join(lines), current.version


def test_a_ministry_edits_its_own_programme_and_its_reviewer_publishes(world, people) -> None:
    settings, store = world
    programme = programme_of(store, MMR, MPO)
    turtle, version = with_alt_label(store, settings, programme, "program MMR")
    saved = drafts.save_draft(store, settings, people["mmr"], programme, turtle, "Doplnění názvu", version)
    drafts.submit_draft(store, settings, people["mmr"], saved.draft.id)
    with pytest.raises(Forbidden, match="nepatří vaší organizaci"):
        drafts.publish_draft(store, settings, people["recenzent-mpo"], saved.draft.id)
    with pytest.raises(Forbidden, match="nepatří vaší organizaci"):
        drafts.publish_draft(store, settings, people["recenzent"], saved.draft.id)
    queue = drafts.review_queue(store, settings, people["recenzent-mmr"])
    assert saved.draft.id in {d.id for d in queue}
    assert saved.draft.id not in {d.id for d in drafts.review_queue(store, settings, people["recenzent-mpo"])}
    drafts.publish_draft(store, settings, people["recenzent-mmr"], saved.draft.id)
    assert "program MMR" in read_description(store, settings, programme).ntriples()


@pytest.mark.parametrize("addressed", ["id", "iri"])
def test_a_ministry_is_refused_another_organisations_programme(world, people, addressed: str) -> None:
    settings, store = world
    programme = programme_of(store, MPO, MMR)
    turtle, version = with_alt_label(store, settings, programme, "cizí program")
    with pytest.raises(Forbidden, match="nepatří vaší organizaci"):
        drafts.save_draft(store, settings, people["mmr"], programme, turtle, "Pokus", version)
    # MPO's own draft, addressed by MMR by its id or by its IRI, is refused too.
    own = drafts.save_draft(store, settings, people["mpo"], programme, turtle, "Doplnění", version)
    drafts.submit_draft(store, settings, people["mpo"], own.draft.id)
    identifier = own.draft.id if addressed == "id" else f"{ID}draft/{own.draft.id}"
    with pytest.raises(Forbidden):
        drafts.submit_draft(store, settings, people["mmr"], identifier)
    with pytest.raises(Forbidden):
        drafts.publish_draft(store, settings, people["recenzent-mmr"], identifier)
    drafts.reject_draft(store, settings, people["recenzent-mpo"], identifier, "Zatím ne.")


def test_a_ministry_neither_takes_a_programme_nor_gives_its_own_away(world, people) -> None:
    settings, store = world
    programme = programme_of(store, MMR, MPO)
    current = read_description(store, settings, programme)
    provider = f"<{KCS}provider>"
    lines = [f"{t} ." for t in current.triples if str(t.predicate) != provider]
    lines.append(f"<{programme}> {provider} <{MPO}> .")
    with pytest.raises(Forbidden, match="nepatří vaší organizaci"):
        drafts.save_draft(store, settings, people["mmr"], programme, "\n".join(lines), "Předání", current.version)
    with pytest.raises(Forbidden, match="nepatří vaší organizaci"):
        drafts.save_draft(store, settings, people["mpo"], programme, "\n".join(lines), "Převzetí", current.version)


def test_a_call_naming_no_provider_belongs_to_its_programmes(world, people) -> None:
    settings, store = world
    programme = programme_of(store, MMR, MPO)
    call = f"{ID}call/mmr-testovaci-vyzva"
    turtle = f"""<{call}> a kcs:FundingCall ; skos:prefLabel "Testovací výzva MMR"@cs ; kcs:callOf <{programme}> ;
        dcterms:source [ a kcs:SourceReference ; kcs:publicSource <https://www.mmr.cz/vyzvy> ; kcs:section "Výzvy" ] ."""
    assert drafts.save_draft(store, settings, people["mmr"], call, turtle, "Nová výzva", None).report.violations == []
    with pytest.raises(Forbidden, match="nepatří vaší organizaci"):
        drafts.save_draft(store, settings, people["mpo"], call, turtle, "Nová výzva", None)


def test_a_priority_is_its_organisations_and_needs_a_level_and_a_reason(world, people) -> None:
    settings, store = world
    measure = store.values(f"SELECT ?m WHERE {{ ?m a <{KCS}TypeMeasure> }} ORDER BY ?m LIMIT 1")[0]["m"]
    priority = f"{ID}priority/mmr-prvni"
    turtle = f"""<{priority}> a kcs:MeasurePriority ; kcs:priorityOf <{MMR}> ; kcs:priorityMeasure <{measure}> ;
        kcs:priorityLevel 4 ."""
    saved = drafts.save_draft(store, settings, people["mmr"], priority, turtle, "Priorita", None)
    paths = {problem.path for problem in saved.report.violations}
    assert {KCS + "priorityLevel", KCS + "priorityReason"} <= paths
    with pytest.raises(Forbidden, match="nepatří vaší organizaci"):
        drafts.save_draft(store, settings, people["mpo"], priority, turtle, "Priorita", None)


def test_the_editor_offers_a_programme_a_call_and_a_priority_to_a_ministry(web: TestClient, people) -> None:
    client = logged_in_client(web.app, "mmr@gov.cz", PASSWORD)
    home = client.get("/upravy", headers=HTML).text
    for slug in ("program", "vyzva", "priorita"):
        assert f'href="/upravy/novy/{slug}"' in home
    assert 'href="/upravy/novy/realizace"' not in home, "a ministry keeps funding, not good practice"
    form = client.get("/upravy/novy/priorita", headers=HTML).text
    for name in ("organizace", "typové opatření", "úroveň", "zdůvodnění"):
        assert f"<legend>{name}" in form
    level = re.search(r'<select name="kcs-priorityLevel"[^>]*>(.*?)</select>', form, re.S)
    assert level and re.findall(r'<option value="(\d)"', level.group(1)) == ["1", "2", "3"]
    programme = client.get("/upravy/novy/program", headers=HTML).text
    assert "<legend>poskytovatel" in programme and "<legend>alokace (Kč)" in programme


def test_a_calls_dates_amount_and_address_are_checked_at_their_fields(world, people) -> None:
    settings, store = world
    programme = programme_of(store, MMR, MPO)
    call = f"{ID}call/mmr-vyzva-s-terminy"
    turtle = f"""<{call}> a kcs:FundingCall ; skos:prefLabel "Výzva s termíny"@cs ; kcs:callOf <{programme}> ;
        kcs:opensOn "2026-03-01"^^xsd:date ; kcs:closesOn "30. června 2026"^^xsd:date ;
        kcs:allocationCZK "250000000"^^xsd:decimal ; schema:url <https://www.mmr.cz/vyzva-7> ;
        dcterms:source [ a kcs:SourceReference ; kcs:publicSource <https://www.mmr.cz/vyzva-7> ; kcs:section "Výzva 7" ] ."""
    saved = drafts.save_draft(store, settings, people["mmr"], call, turtle, "Nová výzva", None)
    assert [problem.path for problem in saved.report.violations] == [KCS + "closesOn"]
    assert "datum" in saved.report.violations[0].message


def publish_priority(world, people, measure: str, identifier: str, level: int) -> None:
    settings, store = world
    priority = f"{ID}priority/{identifier}"
    turtle = f"""<{priority}> a kcs:MeasurePriority ; kcs:priorityOf <{MMR}> ; kcs:priorityMeasure <{measure}> ;
        kcs:priorityLevel {level} ; kcs:priorityReason "Obce o to žádají."@cs ."""
    saved = drafts.save_draft(store, settings, people["mmr"], priority, turtle, "Priorita MMR", None)
    assert saved.report.violations == []
    drafts.submit_draft(store, settings, people["mmr"], saved.draft.id)
    drafts.publish_draft(store, settings, people["recenzent-mmr"], saved.draft.id)


def test_the_funding_page_shows_priorities_beside_the_funding_and_the_gaps(web: TestClient, world, people) -> None:
    _, store = world
    matrix = funding_overview.support_matrix(
        store, funding_overview.funding_items(store, FundingFilter(), funding_overview.AmountRange()))
    funded = next(row.measure for row in matrix.rows if row.funded)
    unfunded = next(row.measure for row in matrix.rows if not row.funded)
    publish_priority(world, people, funded.iri, "mmr-financovana", 1)
    publish_priority(world, people, unfunded.iri, "mmr-nefinancovana", 2)
    web.app.state.catalogue.refresh()  # type: ignore[attr-defined]

    page = web.get("/financovani", headers=HTML).text
    row = re.search(rf'<th scope="row"><a href="[^"]*{re.escape(funded.iri.rsplit("/", 1)[-1])}">.*?</tr>', page, re.S)
    assert row and '<td class="priorities">Ministerstvo pro místní rozvoj (1)</td>' in row.group(0)
    gaps = page[page.index('id="mezery"'):page.index('id="bez-financovani"')]
    unfunded_gap = gaps[gaps.index('id="priority-bez-financovani"'):gaps.index('id="financovano-bez-priority"')]
    assert unfunded.label in unfunded_gap and "(2)" in unfunded_gap
    without = gaps[gaps.index('id="financovano-bez-priority"'):]
    assert funded.label not in without, "a funded measure with a priority is no gap"

    by_mpo = web.get("/financovani", params={"poskytovatel": MPO}, headers=HTML).text
    assert "Ministerstvo pro místní rozvoj (1)" not in by_mpo, "a ministry's view shows its own priorities"

    export = web.get("/financovani/matice.csv").content.decode("utf-8-sig")
    assert export.split("\r\n", 1)[0].startswith("Typové opatření;IRI opatření;Pilíř;Priority ministerstev;")
    assert f"{funded.iri};" in export and "Ministerstvo pro místní rozvoj (1)" in export
    records = web.get("/financovani/mezery.json").json()
    assert {"Mezera": "prioritu nic nefinancuje", "Typové opatření": unfunded.label, "IRI opatření": unfunded.iri,
            "Priority ministerstev": "Ministerstvo pro místní rozvoj (2)"} in records
    gap_csv = web.get("/financovani/mezery.csv").content.decode("utf-8-sig")
    assert f"prioritu nic nefinancuje;{unfunded.label};{unfunded.iri}" in gap_csv
    matrix_json = web.get("/financovani/matice.json").json()
    assert any(record["IRI opatření"] == funded.iri and record["Priority ministerstev"] for record in matrix_json)
