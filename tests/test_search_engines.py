"""Both search engines, through the one interface, on a small set of documents and on the real catalogue."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import catalogue.search.engine as search_engine
from catalogue.queries.documents import Link, SearchDocument, search_documents
from catalogue.search.analysis import Analyzer, fold
from catalogue.search.engine import DIGESTS_FILE, Hit, IndexUpdate, SearchEngine, SearchError, engine_class
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

ENGINES = ["whoosh", "tantivy"]
ID = "https://example.org/id/"

DOCUMENTS = [
    SearchDocument(
        iri=f"{ID}measure/brownfieldy",
        kind="TypeMeasure",
        label="Program využití brownfieldů",
        alt_labels=["regenerace brownfieldů"],
        hidden_labels=["opuštěný areál"],
        description="Obce využijí opuštěné průmyslové areály.",
    ),
    SearchDocument(
        iri=f"{ID}problem/brownfieldy",
        kind="Problem",
        label="Město má mnoho brownfieldů",
        links=[Link(f"{ID}measure/brownfieldy", "TypeMeasure", "addressedBy")],
    ),
    SearchDocument(
        iri=f"{ID}realisation/skola",
        kind="Realisation",
        label="Základní škola Liberec – nová učebna",
        places=[f"{ID}place/liberec", f"{ID}place/liberecky-kraj"],
        links=[Link(f"{ID}measure/vzdelavani", "TypeMeasure", "servesMeasure")],
    ),
    SearchDocument(
        iri=f"{ID}solution/kancelar",
        kind="SmartSolution",
        label="Sdílená kancelář",
        description="Coworking pro začínající podnikatele v budově bývalé školy.",
    ),
    SearchDocument(iri=f"{ID}solution/parkovaci-dum", kind="SmartSolution", label="Parkovací dům u nádraží"),
    SearchDocument(iri=f"{ID}service/parkovani", kind="SmartService", label="Chytré parkování"),
    SearchDocument(
        iri=f"{ID}goal/a4-1",
        kind="Goal",
        label="Rozvíjí se koncept integrované bezpečnosti",
        code="A4.1",
        hidden_labels=["kamerový systém"],
    ),
    SearchDocument(iri=f"{ID}goal/a4-4", kind="Goal", label="Sdílení dat mezi úřady", code="A4.4"),
]


def iris(hits: list[Hit]) -> list[str]:
    return [hit.iri for hit in hits]


def by_iri(hits: list[Hit]) -> dict[str, Hit]:
    return {hit.iri: hit for hit in hits}


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchEngine]:
    engine = engine_class(request.param)(tmp_path / "index")
    engine.build(DOCUMENTS, "sha256:test")
    yield engine
    engine.close()


@pytest.mark.parametrize("query", ["brownfieldy", "brownfieldů", "brownfield", "Brownfieldu", "BROWNFIELD"])
def test_every_form_of_brownfield_finds_the_measure_and_the_problem(engine: SearchEngine, query: str) -> None:
    assert set(iris(engine.search(query))) == {f"{ID}measure/brownfieldy", f"{ID}problem/brownfieldy"}


@pytest.mark.parametrize("query", ["skola", "škola", "školách", "skoly"])
def test_school_with_or_without_diacritics_finds_the_label_first(engine: SearchEngine, query: str) -> None:
    hits = engine.search(query)
    assert iris(hits)[:2] == [f"{ID}realisation/skola", f"{ID}solution/kancelar"]
    assert hits[0].fields == ("label",) and hits[1].fields == ("description",)
    assert hits[0].score > hits[1].score


@pytest.mark.parametrize(
    ("query", "exact"), [("parkování", "service/parkovani"), ("parkovací", "solution/parkovaci-dum")]
)
def test_parkovani_and_parkovaci_find_each_other_exact_form_first(engine: SearchEngine, query: str, exact: str) -> None:
    hits = engine.search(query)
    assert set(iris(hits)) == {f"{ID}service/parkovani", f"{ID}solution/parkovaci-dum"}
    assert hits[0].iri == f"{ID}{exact}"
    assert hits[0].score > hits[1].score


@pytest.mark.parametrize("query", ["brownfildy", "brownfeld", "bronwfieldy"])
def test_typos_find_the_word_below_exact_matches(engine: SearchEngine, query: str) -> None:
    hits = engine.search(query)
    assert f"{ID}measure/brownfieldy" in iris(hits)
    exact = by_iri(engine.search("brownfieldy"))[f"{ID}measure/brownfieldy"]
    assert by_iri(hits)[f"{ID}measure/brownfieldy"].score < exact.score


def test_a_hit_says_which_typed_words_matched_in_which_fields(engine: SearchEngine) -> None:
    hits = by_iri(engine.search("Opuštěné BROWNFIELDY a kamery"))
    measure = hits[f"{ID}measure/brownfieldy"]
    assert measure.matched == ("Opuštěné", "BROWNFIELDY")
    assert measure.fields == ("label", "alt", "hidden", "description")
    assert measure.kind == "TypeMeasure" and measure.label == "Program využití brownfieldů"
    goal = hits[f"{ID}goal/a4-1"]
    assert goal.matched == ("kamery",) and goal.fields == ("hidden",)


@pytest.mark.parametrize("name", ENGINES)
def test_label_outweighs_alt_hidden_and_description(name: str, tmp_path: Path) -> None:
    """One word, one document per field it appears in: the order follows the field weights."""
    documents = [
        SearchDocument(iri=f"{ID}{field}", kind="Goal", label="jiný cíl", **values)  # type: ignore[arg-type]
        for field, values in [
            ("alt", {"alt_labels": ["osvětlení"]}),
            ("hidden", {"hidden_labels": ["osvětlení"]}),
            ("description", {"description": "osvětlení"}),
        ]
    ] + [SearchDocument(iri=f"{ID}label", kind="Goal", label="osvětlení")]
    with engine_class(name)(tmp_path / "index") as engine:
        engine.build(documents, "sha256:test")
        assert iris(engine.search("osvětlení")) == [
            f"{ID}{field}" for field in ("label", "alt", "hidden", "description")
        ]


def test_a_code_finds_its_goal_first_and_its_siblings_by_prefix(engine: SearchEngine) -> None:
    assert iris(engine.search("A4.1"))[0] == f"{ID}goal/a4-1"
    assert set(iris(engine.search("A4"))) == {f"{ID}goal/a4-1", f"{ID}goal/a4-4"}


def test_links_and_places_come_back_with_the_hit(engine: SearchEngine) -> None:
    (problem,) = [hit for hit in engine.search("mnoho brownfieldů") if hit.kind == "Problem"]
    assert problem.links == (Link(f"{ID}measure/brownfieldy", "TypeMeasure", "addressedBy"),)
    (school,) = engine.search("učebna")
    assert school.places == (f"{ID}place/liberec", f"{ID}place/liberecky-kraj")


def test_kinds_filter_keeps_scores_as_they_were(engine: SearchEngine) -> None:
    everything = by_iri(engine.search("brownfieldy"))
    (problem,) = engine.search("brownfieldy", kinds={"Problem"})
    assert problem.iri == f"{ID}problem/brownfieldy"
    assert problem.score == pytest.approx(everything[problem.iri].score)
    assert engine.search("brownfieldy", kinds={"Pillar"}) == []
    assert len(engine.search("brownfieldy", kinds={"Problem", "TypeMeasure"})) == 2


def test_limit_cuts_the_ranked_list(engine: SearchEngine) -> None:
    assert iris(engine.search("parkování", limit=1)) == [f"{ID}service/parkovani"]


@pytest.mark.parametrize("query", ["", "   ", "a v na se", "xyzzyqq"])
def test_nothing_to_match_gives_no_hits(engine: SearchEngine, query: str) -> None:
    assert engine.search(query) == []


def test_bad_arguments_are_refused_clearly(engine: SearchEngine) -> None:
    with pytest.raises(ValueError, match=r"unknown kind.*Measure.*choose from"):
        engine.search("škola", kinds={"Measure"})
    with pytest.raises(ValueError, match="limit must be at least 1"):
        engine.search("škola", limit=0)


def test_delete_and_add_change_what_is_found(engine: SearchEngine) -> None:
    engine.delete([f"{ID}measure/brownfieldy"])
    assert iris(engine.search("brownfieldy")) == [f"{ID}problem/brownfieldy"]
    renamed = SearchDocument(iri=f"{ID}problem/brownfieldy", kind="Problem", label="Chátrající továrna u řeky")
    assert engine.add([renamed]) == 1
    assert engine.search("brownfieldy") == []
    assert iris(engine.search("továrny")) == [f"{ID}problem/brownfieldy"]
    assert engine.add([DOCUMENTS[0], DOCUMENTS[0]]) == 1  # the same IRI twice is one document
    assert iris(engine.search("brownfieldy")) == [f"{ID}measure/brownfieldy"]


GARDENS = SearchDocument(iri=f"{ID}service/zahradky", kind="SmartService", label="Komunitní zahrádky")


def test_update_writes_only_the_new_changed_and_gone_documents(engine: SearchEngine) -> None:
    school = dataclasses.replace(DOCUMENTS[2], label="Základní škola Liberec – nová tělocvična")
    office = DOCUMENTS[3]
    documents = [*DOCUMENTS[:2], school, *DOCUMENTS[4:], GARDENS]
    assert engine.update(documents, "sha256:next") == IndexUpdate(
        written=(school.iri, GARDENS.iri), deleted=(office.iri,)
    )
    assert engine.version == "sha256:next"
    assert iris(engine.search("tělocvična")) == [school.iri]
    assert engine.search("učebna") == []
    assert iris(engine.search("zahrádky")) == [GARDENS.iri]
    assert engine.search("coworking") == []
    assert set(iris(engine.search("brownfieldy"))) == {f"{ID}measure/brownfieldy", f"{ID}problem/brownfieldy"}
    assert engine.update(documents, "sha256:again") == IndexUpdate(written=(), deleted=())
    assert engine.version == "sha256:again"


def test_an_index_without_digests_refuses_to_update(engine: SearchEngine) -> None:
    (engine.path / DIGESTS_FILE).unlink()
    with pytest.raises(SearchError, match="keeps no digests"):
        engine.update([*DOCUMENTS, GARDENS], "sha256:next")
    assert engine.version == "sha256:test"
    assert engine.search("zahrádky") == []


def test_an_update_cut_short_after_its_commit_is_put_right_by_the_next(
    engine: SearchEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    write = search_engine._write_atomically

    def dying(target: Path, text: str) -> None:
        if target.name == DIGESTS_FILE:
            raise OSError("the process died")
        write(target, text)

    monkeypatch.setattr(search_engine, "_write_atomically", dying)
    with pytest.raises(OSError, match="died"):
        engine.update([*DOCUMENTS, GARDENS], "sha256:cut")
    monkeypatch.undo()
    assert iris(engine.search("zahrádky")) == [GARDENS.iri]  # committed, but the digests never said so
    assert engine.version == "sha256:test"
    assert engine.update(DOCUMENTS, "sha256:next") == IndexUpdate(written=(), deleted=(GARDENS.iri,))
    assert engine.search("zahrádky") == []


def test_documents_added_or_deleted_by_hand_are_put_right_by_the_next_update(engine: SearchEngine) -> None:
    engine.add([GARDENS])
    engine.delete([DOCUMENTS[0].iri])
    assert engine.update(DOCUMENTS, "sha256:next") == IndexUpdate(written=(DOCUMENTS[0].iri,), deleted=(GARDENS.iri,))
    assert engine.search("zahrádky") == []
    assert f"{ID}measure/brownfieldy" in iris(engine.search("brownfieldy"))


def test_reopen_shows_what_another_object_wrote_to_the_folder(engine: SearchEngine) -> None:
    parking = f"{ID}service/parkovani"
    with type(engine)(engine.path) as other:
        assert parking in iris(other.search("parkování"))
        engine.update([document for document in DOCUMENTS if document.iri != parking], "sha256:next")
        other.reopen()
        assert other.version == "sha256:next"
        assert parking not in iris(other.search("parkování"))


def test_a_second_writer_is_refused_clearly(engine: SearchEngine) -> None:
    folder = str(engine.path / "data")
    if engine.name == "whoosh":
        import whoosh.index

        other = whoosh.index.open_dir(folder).writer()
        release = other.cancel
    else:
        import tantivy

        other = tantivy.Index.open(folder).writer()
        release = other.wait_merging_threads
    with pytest.raises(SearchError, match="being written by another process"):
        engine.add(DOCUMENTS[:1])
    release()
    assert engine.add(DOCUMENTS[:1]) == 1


def test_the_index_knows_its_version_and_reopens_from_disk(engine: SearchEngine) -> None:
    assert engine.version == "sha256:test"
    engine.close()
    with type(engine)(engine.path) as reopened:
        assert reopened.version == "sha256:test"
        assert f"{ID}measure/brownfieldy" in iris(reopened.search("brownfieldy"))


def test_several_readers_search_one_index_at_once(engine: SearchEngine) -> None:
    engine.close()
    readers = [type(engine)(engine.path) for _ in range(3)]
    queries = ["brownfieldy", "skola", "parkování", "A4.1", "kamery", "brownfildy"] * 20
    expected = [iris(readers[0].search(query)) for query in queries]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda n: iris(readers[n % 3].search(queries[n])), range(len(queries))))
    assert results == expected
    for reader in readers:
        reader.close()


def test_no_index_or_another_engines_index_is_a_clear_error(engine: SearchEngine, tmp_path: Path) -> None:
    with pytest.raises(SearchError, match=r"no search index at .*katalog reindex"):
        type(engine)(tmp_path / "nothing").search("škola")
    other = engine_class(next(name for name in ENGINES if name != engine.name))
    with pytest.raises(SearchError, match=f"built by {engine.name}"):
        other(engine.path).search("škola")
    with pytest.raises(SearchError, match="analysis"):
        type(engine)(
            engine.path, Analyzer("simplemma" if engine.analyzer.inflection == "snowball" else "snowball")
        ).search("škola")


# -- what a hit says about the query's words ------------------------------------------------------

FILLERS = [
    SearchDocument(iri=f"{ID}solution/projekt-{number}", kind="SmartSolution", label=f"Projekt města {number}")
    for number in range(20)
]
"""Twenty documents sharing ``projekt`` and ``město``: beside them those words are generic."""


@pytest.fixture(params=ENGINES)
def catalogue_like(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchEngine]:
    """An index of the documents above among twenty others, as a catalogue has many of one kind."""
    engine = engine_class(request.param)(tmp_path / "index")
    engine.build([*DOCUMENTS, *FILLERS], "sha256:test")
    yield engine
    engine.close()


def test_a_word_weighs_its_specificity_over_the_indexed_documents(catalogue_like: SearchEngine) -> None:
    """``brownfieldy`` is in 2 of 28 documents, ``xqzvw`` in none (it weighs as a word of one)."""
    hit = by_iri(catalogue_like.search("brownfieldy xqzvw"))[f"{ID}measure/brownfieldy"]
    assert hit.share == pytest.approx(math.log(28 / 2) / (math.log(28 / 2) + math.log(28)))
    assert catalogue_like.find("brownfieldy xqzvw").unmatched == ("xqzvw",)


def test_specificity_follows_the_documents_added(catalogue_like: SearchEngine) -> None:
    more = [dataclasses.replace(DOCUMENTS[1], iri=f"{ID}problem/brownfieldy-{number}") for number in range(5)]
    catalogue_like.add(more)
    hit = by_iri(catalogue_like.search("brownfieldy xqzvw"))[f"{ID}measure/brownfieldy"]
    assert hit.share == pytest.approx(math.log(33 / 7) / (math.log(33 / 7) + math.log(33)))


def test_a_generic_word_alone_is_not_specific(catalogue_like: SearchEngine) -> None:
    hits = by_iri(catalogue_like.search("projekt brownfieldy"))
    assert hits[f"{ID}solution/projekt-3"].specific == ()
    assert hits[f"{ID}measure/brownfieldy"].specific == ("brownfieldy",)


def test_a_query_names_a_document_by_most_of_one_of_its_names(catalogue_like: SearchEngine) -> None:
    """``parkování`` (a prefix relative of ``parkovací``) and ``nádraží`` hold most of ``Parkovací dům u
    nádraží``; ``parkování`` alone holds half of ``Chytré parkování``, which does not name it."""
    hits = by_iri(catalogue_like.search("parkování u nádraží"))
    assert hits[f"{ID}solution/parkovaci-dum"].namings == (frozenset({"parkování", "nádraží"}),)
    assert hits[f"{ID}service/parkovani"].namings == ()
    assert [word for word, _ in hits[f"{ID}service/parkovani"].in_names] == ["parkování"]


def test_a_czech_word_is_never_taken_for_a_typo_of_another(tmp_path: Path) -> None:
    """What broke: ``svítí`` (shines), one letter from ``sítí``, found the measure on data networks."""
    networks = SearchDocument(iri=f"{ID}measure/site", kind="TypeMeasure", label="Páteřní datové sítí")
    for name in ENGINES:
        with engine_class(name)(tmp_path / name) as engine:
            engine.build([networks, *FILLERS], "sha256:test")
            assert engine.search("svítí") == []
            assert iris(engine.search("sítíx")) == [networks.iri]  # no Czech word: a typo


def test_unknown_engine_names_the_choices() -> None:
    with pytest.raises(SearchError, match="'whoosh' or 'tantivy'"):
        engine_class("lucene")


# -- the real catalogue ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue_documents(loaded_store_path: Path) -> list[SearchDocument]:
    with CatalogueStore.open(Settings(store_path=loaded_store_path), read_only=True) as store:
        return list(search_documents(store))


@pytest.fixture(scope="module", params=ENGINES)
def catalogue_engine(
    request: pytest.FixtureRequest, catalogue_documents: list[SearchDocument], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SearchEngine]:
    engine = engine_class(request.param)(tmp_path_factory.mktemp("catalogue") / "index")
    assert engine.build(catalogue_documents, "sha256:catalogue") == len(catalogue_documents)
    yield engine
    engine.close()


KCS_ID = "https://w3id.org/kcs/id/"
BROWNFIELD_MEASURES = {
    f"{KCS_ID}measure/program-vyuziti-brownfieldu",
    f"{KCS_ID}measure/dostupne-bydleni-a-brownfieldy",
    f"{KCS_ID}measure/coworkingova-centra-a-male-brownfieldy",
}


@pytest.mark.parametrize("query", ["brownfieldy", "brownfildy", "brownfieldů"])
def test_catalogue_brownfields_find_the_three_measures_and_the_problem(
    catalogue_engine: SearchEngine, query: str
) -> None:
    found = set(iris(catalogue_engine.search(query, limit=20)))
    assert BROWNFIELD_MEASURES | {f"{KCS_ID}problem/mnoho-brownfieldu"} <= found


def test_catalogue_measures_only(catalogue_engine: SearchEngine) -> None:
    hits = catalogue_engine.search("brownfieldy", kinds={"TypeMeasure"})
    assert set(iris(hits)) == BROWNFIELD_MEASURES


def test_catalogue_skola_finds_texts_about_schools(
    catalogue_engine: SearchEngine, catalogue_documents: list[SearchDocument]
) -> None:
    documents = {document.iri: document for document in catalogue_documents}
    hits = catalogue_engine.search("skola", limit=10)
    assert hits
    for hit in hits:
        document = documents[hit.iri]
        texts = [document.label, *document.alt_labels, *document.hidden_labels, document.description or ""]
        assert any("skol" in fold(text) for text in texts), hit


def test_catalogue_parking_finds_the_parking_house(catalogue_engine: SearchEngine) -> None:
    labels = [hit.label for hit in catalogue_engine.search("parkování", limit=5)]
    assert any(label.startswith("Parkovací dům") for label in labels), labels


def test_catalogue_problem_statement_lends_its_links(catalogue_engine: SearchEngine) -> None:
    hits = by_iri(catalogue_engine.search("město má mnoho opuštěných brownfieldů"))
    problem = hits[f"{KCS_ID}problem/mnoho-brownfieldu"]
    assert {link.target for link in problem.links} == BROWNFIELD_MEASURES
    assert {"opuštěných", "brownfieldů"} <= set(problem.matched)
