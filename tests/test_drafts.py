"""The editing layer's core (catalogue/editing/drafts.py): drafts, review, guarded publication, conflicts,
history with per-statement footing, revert, and `katalog load` keeping what curators published."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue import graphs, rules
from catalogue.editing import accounts, drafts, history
from catalogue.editing.descriptions import InvalidDescription, read_description
from catalogue.errors import Forbidden, NotFound, Unauthenticated
from catalogue.loader import catalogue_sources, load
from catalogue.queries import version
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

BASE = "https://w3id.org/kcs/id/"
FVE = BASE + "realisation/lk-fve-gymnazium-ceska-lipa"
SOLUTION = BASE + "solution/lk-energeticky-management"
PASSWORD = "správné heslo 123"  # noqa: S105 - the test accounts' password

NEW = f"""<{BASE}realisation/nova-realizace> a kcs:Realisation ;
    skos:prefLabel "Chytré veřejné osvětlení v Mimoni"@cs ;
    dcterms:description "Obec vyměnila svítidla za chytrá."@cs ;
    kcs:realises <{SOLUTION}> ;
    kcs:place place:ceska-lipa ;
    kcs:year "2023"^^xsd:gYear ;
    dcterms:source [ a kcs:SourceReference ; kcs:publicSource <https://www.mimon.cz/osvetleni> ;
                     kcs:section "Aktuality, 3. 3. 2023" ] ."""


@pytest.fixture
def store(settings: Settings, loaded_store_path: Path) -> CatalogueStore:
    shutil.copytree(loaded_store_path, settings.store_path)
    with CatalogueStore.open(settings) as opened:
        yield opened


@pytest.fixture
def people(store: CatalogueStore, settings: Settings) -> dict[str, accounts.Account]:
    return {
        role: accounts.add_account(store, settings, f"{role}@example.cz", PASSWORD, role, name=f"Jméno {role}")
        for role in ("curator", "reviewer", "admin")
    } | {"curator2": accounts.add_account(store, settings, "druhy@example.cz", PASSWORD, "curator", name="Druhý")}


def edited_fve(store: CatalogueStore, settings: Settings, label: str) -> str:
    """The FVE realisation's description as Turtle with another Czech label."""
    current = read_description(store, settings, FVE)
    old = next(t for t in current.own() if t.predicate.value.endswith("prefLabel"))
    lines = [f"{t} ." for t in current.triples if t != old]
    lines.append(f'<{FVE}> <http://www.w3.org/2004/02/skos/core#prefLabel> "{label}"@cs .')
    return "\n".join(lines)


def published(store, settings, people, iri, turtle, base_version, reason="Oprava názvu"):
    saved = drafts.save_draft(store, settings, people["curator"], iri, turtle, reason, base_version)
    drafts.submit_draft(store, settings, people["curator"], saved.draft.id)
    return drafts.publish_draft(store, settings, people["reviewer"], saved.draft.id, "Schváleno")


def test_a_new_realisation_goes_from_draft_to_published_and_the_rules_follow(store, settings, people) -> None:
    iri = BASE + "realisation/nova-realizace"
    saved = drafts.save_draft(
        store, settings, people["curator"], iri, NEW, "Nová dobrá praxe", None, source="https://www.mimon.cz"
    )
    assert saved.draft.status == "draft" and saved.conflict is None
    assert not read_description(store, settings, iri).exists, "a draft is not published"
    assert saved.report.fulfils, "the rules' preview names what the realisation would fulfil"
    drafts.submit_draft(store, settings, people["curator"], saved.draft.id)
    before = version.read(store, settings)
    result = drafts.publish_draft(store, settings, people["reviewer"], saved.draft.id, "Schváleno")
    assert version.read(store, settings) != before
    assert read_description(store, settings, iri).version == result.version
    fulfils = {
        row["c"] for row in store.values(f"SELECT ?c WHERE {{ <{iri}> <https://w3id.org/kcs/ontology#fulfils> ?c }}")
    }
    assert fulfils == set(saved.report.fulfils)
    assert drafts.get_draft(store, settings, people["curator"], saved.draft.id).status == "published"
    # The derived graph equals what a full re-derivation gives.
    assert not rules.rederive(store, settings).changed


def test_history_records_who_why_and_each_statement_and_a_revert_is_a_new_revision(store, settings, people) -> None:
    base = read_description(store, settings, FVE)
    first = published(
        store, settings, people, FVE, edited_fve(store, settings, "FVE na gymnáziu v České Lípě"), base.version
    )
    revisions = history.history(store, settings, FVE)
    assert [r.version for r in revisions] == [first.version]
    revision = revisions[0]
    assert (revision.author_name, revision.publisher_name, revision.reason) == (
        "Jméno curator",
        "Jméno reviewer",
        "Oprava názvu",
    )
    assert revision.base_version == base.version
    assert any(s.object == '"FVE na gymnáziu v České Lípě"@cs' for s in revision.added)
    assert any(s.object == '"FVE Gymnázium Česká Lípa"@cs' for s in revision.removed)
    footing = history.statement_footing(revisions)
    assert {s.object for s in footing} == {'"FVE na gymnáziu v České Lípě"@cs'}, "only what the curator added is theirs"
    reverted = drafts.revert(store, settings, people["reviewer"], FVE, base.version, "Původní název byl správný")
    assert reverted.version == base.version
    assert read_description(store, settings, FVE).version == base.version
    newest = history.history(store, settings, FVE)
    assert len(newest) == 2 and newest[0].revert_of is None and newest[0].reason == "Původní název byl správný"
    # History is public: the history graph is not private, and names agents by name only.
    assert graphs.history_graph(settings) not in graphs.private_graphs(settings)
    dump = store.construct_ntriples(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graphs.history_graph(settings)}> {{ ?s ?p ?o }} }}"
    )
    assert b"curator@example.cz" not in dump
    assert "Jméno curator" in dump.decode("unicode_escape") or "Jméno curator" in dump.decode()


def test_a_stale_base_is_a_conflict_that_writes_nothing_and_keeps_the_draft(store, settings, people) -> None:
    base = read_description(store, settings, FVE).version
    late = drafts.save_draft(
        store, settings, people["curator2"], FVE, edited_fve(store, settings, "Druhý název"), "Jiná oprava", base
    )
    published(store, settings, people, FVE, edited_fve(store, settings, "První název"), base)
    current_version = version.read(store, settings)
    drafts.submit_draft(store, settings, people["curator2"], late.draft.id)
    with pytest.raises(drafts.EditConflict) as conflict:
        drafts.publish_draft(store, settings, people["reviewer"], late.draft.id)
    assert version.read(store, settings) == current_version, "nothing was written"
    label = next(c for c in conflict.value.fields if c.path.endswith("prefLabel"))
    assert label.base == ('"FVE Gymnázium Česká Lípa"@cs',)
    assert label.current == ('"První název"@cs',) and label.draft == ('"Druhý název"@cs',) and label.conflicting
    kept = drafts.get_draft(store, settings, people["curator2"], late.draft.id)
    assert kept.status == "submitted" and "Druhý název" in kept.description.ntriples()
    # Saving again on the current version shows no conflict.
    again = drafts.save_draft(
        store,
        settings,
        people["curator2"],
        FVE,
        edited_fve(store, settings, "Druhý název"),
        "Jiná oprava",
        read_description(store, settings, FVE).version,
    )
    assert again.conflict is None and again.draft.id == late.draft.id


def test_a_new_resource_over_an_existing_iri_is_a_conflict(store, settings, people) -> None:
    saved = drafts.save_draft(
        store, settings, people["curator"], FVE, edited_fve(store, settings, "Nový"), "Nový záznam", None
    )
    assert saved.conflict is not None and saved.conflict.code == "CONFLICT"
    drafts.submit_draft(store, settings, people["curator"], saved.draft.id)
    with pytest.raises(drafts.EditConflict):
        drafts.publish_draft(store, settings, people["reviewer"], saved.draft.id)


def test_concurrent_publications_of_one_resource_have_one_winner(store, settings, people) -> None:
    base = read_description(store, settings, FVE).version
    ids = []
    for number, who in enumerate(("curator", "curator2")):
        saved = drafts.save_draft(
            store, settings, people[who], FVE, edited_fve(store, settings, f"Souběžný {number}"), "Souběh", base
        )
        drafts.submit_draft(store, settings, people[who], saved.draft.id)
        ids.append(saved.draft.id)
    outcomes: list[str] = []

    def publish(identifier: str) -> None:
        try:
            drafts.publish_draft(store, settings, people["reviewer"], identifier)
            outcomes.append("published")
        except drafts.EditConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=publish, args=(identifier,)) for identifier in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "published"]
    assert len(history.history(store, settings, FVE)) == 1


def test_the_checks_warn_on_save_and_block_on_publish(store, settings, people) -> None:
    iri = BASE + "realisation/rok-slovy"
    turtle = NEW.replace(f"<{BASE}realisation/nova-realizace>", f"<{iri}>").replace(
        '"2023"^^xsd:gYear', '"dvacet"^^xsd:gYear'
    )
    saved = drafts.save_draft(store, settings, people["curator"], iri, turtle, "Nová", None)
    year = [p for p in saved.report.problems if p.path.endswith("#year")]
    assert year and "dvacet" in year[0].message and year[0].severity == "violation"
    assert "dvacet" in saved.draft.description.ntriples(), "what was typed is kept"
    drafts.submit_draft(store, settings, people["curator"], saved.draft.id)
    with pytest.raises(drafts.InvalidDraft) as invalid:
        drafts.publish_draft(store, settings, people["reviewer"], saved.draft.id)
    assert invalid.value.problems[0].path.endswith("#year")
    assert not read_description(store, settings, iri).exists


def test_a_description_of_something_else_or_no_turtle_is_refused(store, settings, people) -> None:
    with pytest.raises(InvalidDescription) as strangers:
        drafts.save_draft(store, settings, people["curator"], FVE, f"<{SOLUTION}> a kcs:SmartSolution .", "x", None)
    assert strangers.value.problems[0][0] == "turtle"
    with pytest.raises(InvalidDescription):
        drafts.save_draft(store, settings, people["curator"], FVE, "this is not turtle", "x", None)
    with pytest.raises(InvalidDescription) as no_reason:
        drafts.save_draft(store, settings, people["curator"], BASE + "realisation/nova-realizace", NEW, "  ", None)
    assert no_reason.value.problems[0][0] == "reason"


def test_drafts_are_their_authors_until_submitted_and_nobody_publishes_their_own(store, settings, people) -> None:
    saved = drafts.save_draft(
        store, settings, people["curator"], BASE + "realisation/nova-realizace", NEW, "Nová", None
    )
    for reader in ("curator2", "reviewer"):
        with pytest.raises(Forbidden):
            drafts.get_draft(store, settings, people[reader], saved.draft.id)
    with pytest.raises(Unauthenticated):
        drafts.get_draft(store, settings, None, saved.draft.id)
    with pytest.raises(Forbidden):
        drafts.submit_draft(store, settings, people["curator2"], saved.draft.id)
    drafts.submit_draft(store, settings, people["curator"], saved.draft.id)
    assert drafts.get_draft(store, settings, people["reviewer"], saved.draft.id).status == "submitted"
    with pytest.raises(Forbidden):
        drafts.publish_draft(store, settings, people["curator"], saved.draft.id)
    own = drafts.save_draft(
        store,
        settings,
        people["reviewer"],
        BASE + "realisation/vlastni",
        NEW.replace("nova-realizace", "vlastni"),
        "Vlastní",
        None,
    )
    drafts.submit_draft(store, settings, people["reviewer"], own.draft.id)
    with pytest.raises(Forbidden):
        drafts.publish_draft(store, settings, people["reviewer"], own.draft.id)
    with pytest.raises(NotFound):
        drafts.get_draft(store, settings, people["reviewer"], "0" * 32)
    assert [d.id for d in drafts.review_queue(store, settings, people["reviewer"])] == [saved.draft.id]


def test_curators_change_only_the_labels_of_a_concept(store, settings, people) -> None:
    measure = next(iter(store.values("SELECT ?m WHERE { ?m a <https://w3id.org/kcs/ontology#TypeMeasure> } LIMIT 1")))[
        "m"
    ]
    current = read_description(store, settings, measure)
    synonym = f'<{measure}> <http://www.w3.org/2004/02/skos/core#altLabel> "nový synonym"@cs .'
    turtle = "\n".join([*(f"{t} ." for t in current.triples), synonym])
    saved = drafts.save_draft(store, settings, people["curator"], measure, turtle, "Synonymum", current.version)
    assert saved.draft.kind == "concept"
    hierarchy = "\n".join(
        f"{t} ." for t in current.triples if "broader" not in t.predicate.value and "narrower" not in t.predicate.value
    )
    if hierarchy.count("\n") + 1 < len(current.triples):
        with pytest.raises(Forbidden):
            drafts.save_draft(store, settings, people["curator"], measure, hierarchy, "Hierarchie", current.version)


def test_load_of_a_changed_seed_file_keeps_the_published_revision_and_says_so(
    store, settings: Settings, people, tmp_path: Path
) -> None:
    published(
        store,
        settings,
        people,
        FVE,
        edited_fve(store, settings, "Kurátorský název"),
        read_description(store, settings, FVE).version,
    )
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data)
    seed = data / "liberec-flagships.ttl"
    seed.write_text(
        seed.read_text(encoding="utf-8").replace("FVE Gymnázium Česká Lípa", "Jiný název ze zdroje"), encoding="utf-8"
    )
    moved = settings.model_copy(update={"data_dir": data})
    changes = load(store, catalogue_sources(moved), moved)
    flagships = next(change for change in changes if change.file == "liberec-flagships.ttl")
    assert flagships.status == "replaced" and flagships.kept_curated == (FVE,)
    assert "kept the curated revision of " + FVE in flagships.describe()
    labels = {
        row["l"]
        for row in store.values(f"SELECT ?l WHERE {{ <{FVE}> <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }}")
    }
    assert labels == {"Kurátorský název"}
    assert not rules.rederive(store, settings).changed


def test_private_drafts_never_reach_the_public_graphs(store, settings, people) -> None:
    drafts.save_draft(
        store,
        settings,
        people["curator"],
        BASE + "realisation/tajny",
        NEW.replace("nova-realizace", "tajny").replace("Chytré veřejné osvětlení v Mimoni", "Tajný rozpracovaný návrh"),
        "Nový",
        None,
    )
    public = graphs.public_graphs(settings, (str(g) for g in store.graph_names()))
    assert str(graphs.private_graph(settings, graphs.DRAFTS)) not in public
    for graph in public:
        assert "Tajný rozpracovaný návrh" not in b"".join(str(t).encode() for t in store.triples_in(graph)).decode()


def test_a_guarded_write_does_nothing_once_the_version_moved(store, settings) -> None:
    stale = version.read(store, settings)
    store.update(version.bump(settings))
    marker = ox.NamedNode("urn:x:marker")
    store.update(
        f"INSERT {{ GRAPH <urn:x:g> {{ {marker} {marker} {marker} }} }} WHERE {{ {version.guard(settings, stale)} }}"
    )
    assert not store.ask("ASK { GRAPH <urn:x:g> { ?s ?p ?o } }")


def test_moving_a_measure_names_the_goals_whose_search_documents_change(store, settings, people) -> None:
    admin = accounts.add_account(store, settings, "spravce@example.cz", PASSWORD, "admin", name="Správce")
    row = store.values(
        "SELECT ?m ?old ?new WHERE { ?m a <https://w3id.org/kcs/ontology#TypeMeasure> ;"
        " <http://www.w3.org/2004/02/skos/core#broader> ?old . ?new a <https://w3id.org/kcs/ontology#Goal> ;"
        " <http://www.w3.org/2004/02/skos/core#broader>+ ?pillar . ?pillar a <https://w3id.org/kcs/ontology#Pillar>"
        " FILTER (?new != ?old) } LIMIT 1"
    )[0]
    current = read_description(store, settings, row["m"])
    broader = "http://www.w3.org/2004/02/skos/core#broader"
    lines = [f"{t} ." for t in current.triples if t.predicate.value != broader]
    lines.append(f"<{row['m']}> <{broader}> <{row['new']}> .")
    saved = drafts.save_draft(store, settings, admin, row["m"], "\n".join(lines), "Přesun", current.version)
    drafts.submit_draft(store, settings, admin, saved.draft.id)
    before = version.read(store, settings)
    drafts.publish_draft(store, settings, people["reviewer"], saved.draft.id)
    changed = version.changes_since(store, settings, before)
    assert changed is not None and {row["m"], row["new"]} <= changed


def test_a_resource_of_another_kind_names_what_links_to_it_in_the_change_log(store, settings, people) -> None:
    current = read_description(store, settings, SOLUTION)
    kcs = "https://w3id.org/kcs/ontology#"
    lines = [f"{t} ." for t in current.triples if str(t.object) != f"<{kcs}SmartSolution>"]
    lines.append(f"<{SOLUTION}> a <{kcs}SmartService> .")
    before = version.read(store, settings)
    saved = drafts.save_draft(store, settings, people["admin"], SOLUTION, "\n".join(lines), "Je to služba",
                              current.version)
    drafts.submit_draft(store, settings, people["admin"], saved.draft.id)
    drafts.publish_draft(store, settings, people["reviewer"], saved.draft.id)
    changed = version.changes_since(store, settings, before)
    assert changed is not None and SOLUTION in changed
    # A search document names the kind of each resource it links to: the realisation of it follows.
    assert FVE in changed


def test_a_label_change_names_only_the_resource_in_the_change_log(store, settings, people) -> None:
    before = version.read(store, settings)
    published(store, settings, people, FVE, edited_fve(store, settings, "Jiný název"),
              read_description(store, settings, FVE).version)
    changed = version.changes_since(store, settings, before)
    assert changed is not None and FVE in changed
    assert not any(iri.startswith(BASE + "realisation/") and iri != FVE for iri in changed)
