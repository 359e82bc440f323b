"""The problem answer (catalogue.answer) on the real catalogue, with both search engines and on both stores:
the brownfield example of the domain brief, Czech word forms, reasons, filters, bad input."""

from __future__ import annotations

import json

import pytest

from catalogue.answer import AnswerFilters, InvalidProblem, answer_problem
from catalogue.queries import concept
from catalogue.queries.measures import measure_details
from tests.conftest import STORE_KINDS, katalog

ID = "https://w3id.org/kcs/id/"
BROWNFIELD_MEASURES = {
    f"{ID}measure/coworkingova-centra-a-male-brownfieldy": f"{ID}pillar/lokalni-ekonomika",
    f"{ID}measure/program-vyuziti-brownfieldu": f"{ID}pillar/prostredi-pro-zivot",
    f"{ID}measure/dostupne-bydleni-a-brownfieldy": f"{ID}pillar/lide-a-komunity",
}
ENGINES = ["whoosh", "tantivy"]


@pytest.fixture(params=[(engine, store) for engine in ENGINES for store in STORE_KINDS], ids="-".join)
def search(request, catalogue_search):
    """(store, index) with each engine, on each store."""
    return catalogue_search(*request.param)


@pytest.mark.parametrize(
    "text",
    [
        "Město má na svém území mnoho brownfieldů a chce řešit jejich využití",
        "brownfieldy",
        "brownfild",  # a typo
        "mame hodne brownfieldu",  # no diacritics
    ],
)
def test_brownfield_problem_gets_the_three_measures_in_three_pillars(search, text: str) -> None:
    store, index = search
    answer = answer_problem(store, index, text)
    assert answer.good_match
    top = [match.measure.iri for match in answer.measures[:3]]
    assert set(top) == set(BROWNFIELD_MEASURES)
    details = measure_details(store, top)
    assert {path.pillar.iri for iri in top for path in details[iri].paths if path.pillar} == set(
        BROWNFIELD_MEASURES.values()
    )
    assert f"{ID}programme/npo-2-8" in {item.resource.iri for item in answer.funding}
    for match in answer.measures[:3]:
        assert match.why and all(reason.strip() for reason in match.why)


BROWNFIELD_PROBLEM = f"{ID}problem/mnoho-brownfieldu"
DEBUGGING = (" v názvu", " v popisu", " v synonymech", " v jiném názvu", "souvislost", "toto opatření", "(„")
"""The wording of the reasons before issue 11: where a word was found, not what it means to the problem."""
PROBLEMS = [
    "Máme ve městě hodně brownfieldů",
    "máme hodně opuštěných továren",
    "komunitní energetika",
    "parkování v centru je peklo",
    "solární panely na střechu střední školy",
    "otevřená data",
]


def listed(answer) -> list:
    return [
        *answer.measures,
        *(item for items in (answer.services, answer.solutions, answer.realisations, answer.funding,
                             answer.problems, answer.goals, answer.synergies) for item in items),
    ]


def test_reasons_say_what_the_result_is_to_the_problem(search) -> None:
    """Issue 11, point 2: „slovo „městě“ v názvu“ became what a person reads: the name matches your word,
    it addresses a similar problem (named as the catalogue names it)."""
    store, index = search
    answer = answer_problem(store, index, "máme hodně opuštěných továren")
    [problem] = concept.resources(store, [BROWNFIELD_PROBLEM]).values()
    first = answer.measures[0].why
    assert f"Řeší podobný problém „{problem.label}“" in first
    assert "Synonymum odpovídá vašim slovům „opuštěných“ a „továren“" in first
    brownfields = answer_problem(store, index, "Máme ve městě hodně brownfieldů")
    reasons = [reason for item in listed(brownfields) for reason in item.why]
    assert "Název odpovídá vašemu slovu „brownfieldů“" in reasons
    assert not [reason for reason in reasons if "„městě“" in reason], "a word every text holds is no reason"


@pytest.mark.parametrize("text", PROBLEMS)
def test_reasons_are_plain_once_each_and_the_strongest_first(search, text: str) -> None:
    store, index = search
    for item in listed(answer_problem(store, index, text)):
        assert item.why, item
        assert len(set(item.why)) == len(item.why), item.why
        assert not [reason for reason in item.why if any(phrase in reason for phrase in DEBUGGING)], item.why
        assert all(reason[0].isupper() for reason in item.why), "each reason is a sentence of its own"
        # A match in a name says more than a word somewhere in a description: it comes first.
        described = [number for number, reason in enumerate(item.why) if reason.startswith("Popis zmiňuje")]
        named = [number for number, reason in enumerate(item.why) if reason.startswith(NAMED)]
        assert not described or not named or max(named) < min(described), item.why


NAMED = ("Název odpovídá", "Jiný název odpovídá", "Synonymum odpovídá", "Kód odpovídá")


def test_linked_resources_of_one_kind_make_one_reason(search) -> None:
    """A programme supporting the three brownfield measures says so once, naming the strongest two and
    counting all, not three times."""
    store, index = search
    answer = answer_problem(store, index, "Máme ve městě hodně brownfieldů")
    measures = {match.measure.iri: match.measure.label for match in answer.measures}
    for item in answer.funding:
        supports = [reason for reason in item.why if reason.startswith("Podporuje opatření")]
        assert len(supports) <= 1, item.why
    supported = concept.funding_of_measures(store, list(measures))
    by_funding: dict[str, set[str]] = {}
    for measure, links in supported.items():
        for link in links:
            by_funding.setdefault(link.funding.iri, set()).add(measure)
    widest = max((item for item in answer.funding), key=lambda item: len(by_funding.get(item.resource.iri, ())))
    count = len(by_funding[widest.resource.iri])
    assert count >= 3, "the seeds' NPO 2.8 parts support all three measures"
    [reason] = [reason for reason in widest.why if reason.startswith("Podporuje opatření")]
    assert reason.endswith(f"a další (celkem {count})"), reason


def test_measure_details_follow_goal_component_pillar(search) -> None:
    store, _ = search
    details = measure_details(store, [f"{ID}measure/program-vyuziti-brownfieldu", f"{ID}measure/a4-pateri-datove-site"])
    brownfield = details[f"{ID}measure/program-vyuziti-brownfieldu"]
    [path] = brownfield.paths
    assert path.goal and path.goal.iri == f"{ID}goal/ochrana-pudy-a-biodiverzity"
    assert path.pillar and path.pillar.iri == f"{ID}pillar/prostredi-pro-zivot"
    assert f"{ID}programme/npo-2-8" in {link.funding.iri for link in brownfield.funding}
    # A measure the sources file under a component directly still reaches its pillar.
    [direct] = details[f"{ID}measure/a4-pateri-datove-site"].paths
    assert direct.goal is None and direct.component and direct.pillar


def test_listed_resources_keep_their_codes(search) -> None:
    store, index = search
    answer = answer_problem(store, index, "komunitní energetika")
    codes = {item.resource.iri: item.resource.code for item in answer.funding}
    assert codes[f"{ID}programme/ap-srr-3-5-2"] == "3.5.2"


def test_nonsense_is_no_good_match_not_noise(search) -> None:
    store, index = search
    answer = answer_problem(store, index, "xqzvw plkjh")
    assert not answer.good_match
    assert answer.measures == () and answer.solutions == () and answer.funding == ()


WEAK_PROBLEMS = ["záplavy", "otevřená data", "solární panely"]
"""Problems the officer of issue 11 typed: the catalogue holds services, solutions or a description with
their words, but no type measure that addresses them."""


@pytest.mark.parametrize("text", WEAK_PROBLEMS)
def test_a_problem_no_measure_answers_is_a_weak_answer_with_its_weaker_matches(search, text: str) -> None:
    """Issue 11, point 1: the page said "no measure matches the chosen filters" with no filter set. The
    answer says it is weak, and lists what did match, each marked weak."""
    store, index = search
    answer = answer_problem(store, index, text)
    assert answer.good_match and answer.weak
    items = listed(answer)
    assert items, "what did match is listed, lower down"
    assert all(item.weak for item in items)
    assert not [match for match in answer.measures if not match.weak]


def test_a_good_answer_is_not_weak_and_a_filter_does_not_make_it_weak(search) -> None:
    store, index = search
    answer = answer_problem(store, index, "brownfieldy")
    assert not answer.weak and answer.measures and not [match for match in answer.measures if match.weak]
    regional = answer_problem(
        store, index, "brownfieldy", filters=AnswerFilters(strategy=f"{ID}strategy/chytrejsi-liberecky-kraj")
    )
    assert regional.measures == () and not regional.weak, "no measure here is the filter's doing"
    nothing = answer_problem(store, index, "xqzvw plkjh")
    assert nothing.weak and not nothing.good_match


@pytest.mark.parametrize("text", PROBLEMS)
def test_a_result_only_descriptions_speak_for_is_marked_weak(search, text: str) -> None:
    """In a good answer, a result is weak exactly when no name (its own, or of what lends it evidence,
    a pillar's aside) holds the problem's words: every reason of a weak one is a description's."""
    store, index = search
    answer = answer_problem(store, index, text)
    for item in listed(answer):
        if answer.weak:
            assert item.weak
        elif item.weak:
            assert not [reason for reason in item.why if reason.startswith(NAMED)], item.why
        elif all(reason.startswith("Popis zmiňuje") for reason in item.why):
            pytest.fail(f"only a description speaks for {item}, yet it is not marked weak")


COWORKING = f"{ID}measure/coworkingova-centra-a-male-brownfieldy"
FVE_SCHOOLS = {
    f"{ID}realisation/lk-fve-gymnazium-ceska-lipa",
    f"{ID}realisation/lk-fve-gymnazium-dr-a-randy-jablonec-nad-nisou",
    f"{ID}realisation/lk-fve-spsse-a-vos-liberec",
}


def test_solar_panels_on_a_secondary_school_find_the_school_plants_not_small_and_medium_firms(search) -> None:
    """What broke: ``střední`` of the goal on "malých a středních podniků" gave the coworking measure;
    ``solární panely`` found nothing, as the catalogue says ``FVE``."""
    store, index = search
    answer = answer_problem(store, index, "solární panely na střechu střední školy")
    assert answer.good_match
    assert COWORKING not in {match.measure.iri for match in answer.measures}
    assert {item.resource.iri for item in answer.realisations} >= FVE_SCHOOLS


def test_christmas_markets_are_no_good_match_not_the_labour_market(search) -> None:
    """What broke: ``trhů`` matched the label "Adaptace pro trh práce", and the answer said it matched well."""
    store, index = search
    answer = answer_problem(store, index, "pořádání vánočních trhů")
    assert not answer.good_match and answer.solutions == ()


def test_the_brownfield_problem_lists_no_city_apps_for_its_common_words(search) -> None:
    """What broke: ``město`` and ``mnoho`` brought the problem of the city's many apps, and with it the
    apps "Liberec v mobilu" and "Portál občana"; ``město`` and ``využití`` brought AI in the city."""
    store, index = search
    answer = answer_problem(store, index, "Město má na svém území mnoho brownfieldů a chce řešit jejich využití")
    assert {match.measure.iri for match in answer.measures[:3]} == set(BROWNFIELD_MEASURES)
    listed = {item.resource.iri for item in (*answer.solutions, *answer.problems, *answer.services)}
    assert not listed & {
        f"{ID}solution/liberec-v-mobilu",
        f"{ID}solution/portal-obcana-liberec",
        f"{ID}problem/roztristenost-aplikaci-pro-komunikaci-s-obcany",
        f"{ID}solution/5g-pro-5-mest-plzen-ai-bezpecnost",
    }


def test_parking_in_the_centre_is_not_the_coworking_centre(search) -> None:
    """What broke: ``centru`` matched "coworkingové centrum", which came first of the measures."""
    store, index = search
    answer = answer_problem(store, index, "parkování v centru je peklo")
    assert answer.good_match
    assert COWORKING not in {match.measure.iri for match in answer.measures}
    assert f"{ID}solution/lk-sber-dopravnich-dat" in {item.resource.iri for item in answer.solutions}


def test_lamps_that_shine_all_night_are_no_typo_of_data_networks(search) -> None:
    """What broke: typo tolerance turned ``svítí`` (shines) into ``sítí`` (networks) and put the measure on
    secure backbone data networks first. Street lighting is not in the catalogue: say so."""
    store, index = search
    answer = answer_problem(store, index, "lampy svítí celou noc zbytečně")
    assert not answer.good_match and answer.measures == ()
    assert not [hit.iri for hit in index.search("lampy svítí celou noc zbytečně") if "svítí" in hit.matched]


def test_reasons_are_worded_in_the_asked_language(search) -> None:
    store, index = search
    czech = answer_problem(store, index, "máme hodně opuštěných továren")
    english = answer_problem(store, index, "máme hodně opuštěných továren", lang="en")
    assert [match.measure.iri for match in english.measures] == [match.measure.iri for match in czech.measures]
    reasons = " | ".join(reason for match in english.measures for reason in match.why)
    [problem] = concept.resources(store, [BROWNFIELD_PROBLEM]).values()
    assert f"Addresses a similar problem “{problem.label}”" in reasons
    assert "A synonym matches your words “opuštěných” and “továren”" in reasons
    czech_words = ("Řeší", "Synonymum", "odpovídá", "slova „", "souvislost", " a další")
    assert not [czech for czech in czech_words if czech in reasons]
    funding = " | ".join(reason for item in english.funding for reason in item.why)
    assert "Supports the measure" in funding and "Podporuje" not in funding


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "prázdný"), ("   ", "prázdný"), ("a" * 1001, "nejvýše 1000 znaků")],
)
def test_bad_text_is_refused_with_a_czech_reason(search, text: str, message: str) -> None:
    store, index = search
    with pytest.raises(InvalidProblem, match=message):
        answer_problem(store, index, text)


def test_a_filter_that_is_no_iri_is_refused(search) -> None:
    store, index = search
    with pytest.raises(InvalidProblem, match="Filtr pillar: „Lidé a komunity“ není platné IRI"):
        answer_problem(store, index, "brownfieldy", filters=AnswerFilters(pillar="Lidé a komunity"))


def test_limit_bounds(search) -> None:
    store, index = search
    assert len(answer_problem(store, index, "brownfieldy", limit=1).measures) == 1
    for limit in (0, 51):
        with pytest.raises(InvalidProblem, match="od 1 do 50"):
            answer_problem(store, index, "brownfieldy", limit=limit)


def test_pillar_filter_keeps_the_measures_of_that_pillar(search) -> None:
    store, index = search
    pillar = f"{ID}pillar/lide-a-komunity"
    answer = answer_problem(store, index, "brownfieldy", filters=AnswerFilters(pillar=pillar))
    assert [match.measure.iri for match in answer.measures] == [f"{ID}measure/dostupne-bydleni-a-brownfieldy"]


def test_strategy_filter(search) -> None:
    store, index = search
    national = answer_problem(
        store, index, "brownfieldy", filters=AnswerFilters(strategy=f"{ID}strategy/koncepce-smart-cities")
    )
    assert {match.measure.iri for match in national.measures} == set(BROWNFIELD_MEASURES)
    regional = answer_problem(
        store, index, "brownfieldy", filters=AnswerFilters(strategy=f"{ID}strategy/chytrejsi-liberecky-kraj")
    )
    assert regional.measures == ()


def test_place_filter_keeps_realisations_in_the_region(search) -> None:
    store, index = search
    text = "FVE na střeše gymnázia"
    everywhere = {item.resource.iri for item in answer_problem(store, index, text).realisations}
    assert {
        f"{ID}realisation/lk-fve-gymnazium-ceska-lipa",
        f"{ID}realisation/lk-fve-gymnazium-dr-a-randy-jablonec-nad-nisou",
    } <= everywhere
    region = answer_problem(store, index, text, filters=AnswerFilters(place=f"{ID}place/liberecky-kraj"))
    assert {item.resource.iri for item in region.realisations} == everywhere  # the region includes its towns
    town = answer_problem(store, index, text, filters=AnswerFilters(place=f"{ID}place/ceska-lipa"))
    assert {item.resource.iri for item in town.realisations} == {f"{ID}realisation/lk-fve-gymnazium-ceska-lipa"}


def test_applicant_filter_keeps_funding_open_to_that_applicant(search) -> None:
    store, index = search
    unfiltered = answer_problem(store, index, "komunitní energetika")
    towns = answer_problem(
        store, index, "komunitní energetika", filters=AnswerFilters(applicant_type=f"{ID}descriptor/zadatel-obec")
    )
    assert towns.funding and len(towns.funding) < len(unfiltered.funding)


def test_synergies_are_measures_combined_with_the_matched_ones(search) -> None:
    store, index = search
    answer = answer_problem(store, index, "coworkingové centrum pro začínající podnikatele", limit=1)
    assert answer.measures[0].measure.iri == f"{ID}measure/coworkingova-centra-a-male-brownfieldy"
    partners = {item.resource.iri for item in answer.synergies}
    assert {f"{ID}measure/program-vyuziti-brownfieldu", f"{ID}measure/dostupne-bydleni-a-brownfieldy"} <= partners
    assert all(item.why for item in answer.synergies)


def test_katalog_ask_prints_the_answer(tmp_path, loaded_store_path) -> None:
    import shutil

    store = tmp_path / "store"
    shutil.copytree(loaded_store_path, store)
    env = {"KATALOG_STORE_PATH": str(store), "KATALOG_INDEX_PATH": str(tmp_path / "index")}
    text = katalog("ask", "máme hodně brownfieldů", env=env)
    assert text.returncode == 0, text.stderr
    assert "Typová opatření" in text.stdout and "cíl → komponenta → pilíř" in text.stdout
    assert "Prostředí pro život" in text.stdout and "Regenerace" in text.stdout
    as_json = katalog("ask", "máme hodně brownfieldů", "--json", env=env)
    payload = json.loads(as_json.stdout)
    assert payload["good_match"] and {m["measure"]["iri"] for m in payload["measures"][:3]} == set(BROWNFIELD_MEASURES)
    assert payload["measures"][0]["detail"]["paths"][0]["pillar"]["label"]
    empty = katalog("ask", "  ", env=env)
    assert empty.returncode == 2 and "prázdný" in empty.stderr and len(empty.stderr.strip().splitlines()) == 1
    nothing = katalog("ask", "xqzvw plkjh", env=env)
    assert nothing.returncode == 0 and "Žádná dobrá shoda" in nothing.stdout
    one_pillar = katalog("ask", "brownfieldy", "--json", "--pillar", f"{ID}pillar/lide-a-komunity", env=env)
    assert [m["measure"]["iri"] for m in json.loads(one_pillar.stdout)["measures"]] == [
        f"{ID}measure/dostupne-bydleni-a-brownfieldy"
    ]
    bad_filter = katalog("ask", "brownfieldy", "--place", "Liberec", env=env)
    assert bad_filter.returncode == 2 and "Filtr place: „Liberec“ není platné IRI." in bad_filter.stderr


def test_index_follows_every_load(tmp_path, loaded_store_path) -> None:
    """`katalog load` of a changed file makes the next answer see the new words, and the old ones go."""
    import shutil

    from catalogue.settings import Settings

    store = tmp_path / "store"
    shutil.copytree(loaded_store_path, store)
    env = {"KATALOG_STORE_PATH": str(store), "KATALOG_INDEX_PATH": str(tmp_path / "index")}
    before = katalog("ask", "zeppelinová flotila", "--json", env=env)
    assert before.returncode == 0, before.stderr
    assert not json.loads(before.stdout)["good_match"]

    data = Settings().data_dir / "problems.ttl"
    changed = tmp_path / "problems.ttl"
    changed.write_text(
        data.read_text(encoding="utf-8").replace(
            "Město má na svém území mnoho brownfieldů", "Město chce provozovat zeppelinovou flotilu"
        ),
        encoding="utf-8",
    )
    loaded = katalog("load", str(changed), env=env)
    assert loaded.returncode == 0, loaded.stderr
    after = json.loads(katalog("ask", "zeppelinová flotila", "--json", env=env).stdout)
    assert after["good_match"]
    assert f"{ID}problem/mnoho-brownfieldu" in {item["resource"]["iri"] for item in after["problems"]}
    reindexed = katalog("reindex", env=env)
    assert reindexed.returncode == 0 and "Indexed" in reindexed.stdout


def test_the_same_catalogue_built_twice_answers_the_same(tmp_path) -> None:
    """What broke: hits of equal score came in the order tantivy happened to store them, which differs
    between two builds, so the reasons of one answer came in another order on the Oxigraph server."""
    from catalogue.loader import catalogue_sources, load
    from catalogue.search.index import open_index
    from catalogue.settings import Settings
    from catalogue.store import CatalogueStore

    answers = []
    for build in range(3):
        settings = Settings(
            store_path=tmp_path / f"store-{build}", index_path=tmp_path / f"index-{build}", search_engine="tantivy"
        )
        with CatalogueStore.open(settings) as store:
            load(store, catalogue_sources(settings), settings, prune=True)
            with open_index(settings, store) as index:
                answers.append(answer_problem(store, index, "Město má na svém území mnoho brownfieldů"))
    assert answers[0].good_match and answers[1] == answers[0] and answers[2] == answers[0]
