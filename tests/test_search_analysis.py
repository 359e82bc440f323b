"""Czech analysis: folding, stop words, inflection with both libraries, and the rules for prefixes and typos."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from catalogue.search.analysis import INFLECTIONS, STOP_WORDS, Analyzer, fold, words
from catalogue.search.engine import edit_distance, prefix_of, typo_distance


@pytest.fixture(scope="module", params=sorted(INFLECTIONS))
def analyzer(request: pytest.FixtureRequest) -> Analyzer:
    return Analyzer(request.param)


def shared(analyzer: Analyzer, *texts: str) -> set[str]:
    """The terms every one of ``texts`` has."""
    return set.intersection(*(set(analyzer.terms(text)) for text in texts))


def test_fold_lowercases_and_removes_every_czech_diacritic() -> None:
    assert fold("Škola ŽLUŤOUČKÝ kůň úpěl ďábelské ódy") == "skola zlutoucky kun upel dabelske ody"
    assert fold("Ř ě Ň ť") == "r e n t"


def test_stop_words_come_from_the_library_and_are_dropped() -> None:
    assert {"a", "v", "je", "pro", "se", "na"} <= STOP_WORDS
    assert list(words("V obci je škola a pro děti se na ní těší")) == ["obci", "škola", "děti", "těší"]


def test_a_stop_word_is_dropped_in_every_form_but_a_flat_is_no_verb() -> None:
    """The list has ``svůj`` and ``nový`` but not ``svém`` and ``novou``; and ``byt`` only as ``být``
    typed without diacritics, so ``byty`` (flats) must stay."""
    assert list(words("na svém území mnoho nových bytů, potřebujeme novou cisternu")) == [
        "území",
        "bytů",
        "cisternu",
    ]


def test_codes_and_compounds_stay_whole_and_add_their_meaningful_parts() -> None:
    assert list(words("cíl A4.1 a e-mail")) == ["cíl", "a4.1", "a4", "e-mail", "mail"]


@pytest.mark.parametrize(
    "forms",
    [
        ("brownfieldů", "brownfieldy", "brownfield", "brownfieldu"),
        ("škola", "školy", "školách", "škole"),
        ("voda", "vody", "vodou"),
        ("kamery", "kamera"),
    ],
)
def test_inflected_forms_share_a_term(analyzer: Analyzer, forms: tuple[str, ...]) -> None:
    assert shared(analyzer, *forms), f"{analyzer.inflection}: {[analyzer.terms(form) for form in forms]}"


@pytest.mark.parametrize(
    ("typed", "written"), [("skola", "škola"), ("skolach", "školách"), ("brownfieldu", "brownfieldů")]
)
def test_a_word_typed_without_diacritics_meets_the_written_word(analyzer: Analyzer, typed: str, written: str) -> None:
    assert shared(analyzer, typed, written)


def test_every_term_is_folded(analyzer: Analyzer) -> None:
    """Regression: simplemma lemmatises the folded ``lidi`` to ``člověk``, diacritics and all."""
    text = "lidi daty využívání Školách ŘÍZENÍ přírodě lidé měst"
    terms = analyzer.terms(text) + [term for word in analyzer.query_words(text) for term in word.terms]
    assert terms == [fold(term) for term in terms]


def test_parkovani_and_parkovaci_share_the_prefix_of_their_terms(analyzer: Analyzer) -> None:
    """Neither library links them: the query plan's prefix rule does, for any pair of such derivations."""
    for one, other in [("parkování", "parkovací"), ("parkovací", "parkování")]:
        prefixes = {prefix_of(term) for term in analyzer.terms(one)} - {None}
        assert any(term.startswith(prefix) for term in analyzer.terms(other) for prefix in prefixes)  # type: ignore[arg-type]
    assert not shared(analyzer, "parkování", "parkovací")  # so the prefix rule is what links them


def test_a_typo_is_within_the_allowed_distance_of_the_word(analyzer: Analyzer) -> None:
    (typo,) = analyzer.terms("brownfildy")[:1]
    assert any(
        edit_distance(typo, term, typo_distance(typo)) <= typo_distance(typo) for term in analyzer.terms("brownfieldy")
    )


def test_query_words_keep_the_typed_word_and_drop_stop_words_and_repeats(analyzer: Analyzer) -> None:
    found = analyzer.query_words("Obec v kraji má brownfieldy, brownfieldy a A4.1")
    assert [word.text for word in found] == ["Obec", "kraji", "brownfieldy", "A4.1", "A4.1"]
    assert found[3].terms == ("a4.1",) and found[4].terms == ("a4",)
    assert analyzer.query_words("a v na se") == []
    assert analyzer.query_words("") == []


def test_a_query_word_says_whether_it_is_a_czech_word_as_typed(analyzer: Analyzer) -> None:
    """``svítí`` is a word of its own, not a typo of ``sítí``; ``brownfild`` is a typo."""
    found = {word.text: word.is_word for word in analyzer.query_words("lampy svítí brownfild")}
    assert found == {"lampy": True, "svítí": True, "brownfild": False}


def test_unknown_inflection_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="simplemma, snowball"):
        Analyzer("porter")


def test_identity_names_the_inflection() -> None:
    assert Analyzer("snowball").identity != Analyzer("simplemma").identity


def test_analysis_gives_the_same_terms_from_many_threads(analyzer: Analyzer) -> None:
    texts = ["Parkovací dům u nádraží", "Revitalizace brownfieldů v obcích", "Základní školy a školky"] * 50
    expected = [Analyzer(analyzer.inflection).terms(text) for text in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(analyzer.terms, texts)) == expected


@pytest.mark.parametrize(
    ("term", "distance"), [("vod", 0), ("a4.1", 0), ("kamer", 1), ("parkovak", 2), ("brownfild", 2)]
)
def test_typo_distance_grows_with_the_length_of_the_word(term: str, distance: int) -> None:
    assert typo_distance(term) == distance


def test_prefix_of_leaves_short_terms_alone() -> None:
    assert prefix_of("vod") is None
    assert prefix_of("skola") == "skol"
    assert prefix_of("parkovan") == "parkov"


def test_a_term_is_never_its_own_prefix() -> None:
    """What broke: ``stav`` (a state) took ``stavební`` (of building) and ``park`` took ``parkování``
    for relatives, so a fire brigade's old engine "ve špatném stavu" named the brownfield problem."""
    assert prefix_of("stav") is None and prefix_of("park") is None


def test_a_verb_in_ovat_shares_its_stem_with_its_nouns() -> None:
    """``koordinoval`` must meet ``koordinátor`` and ``koordinace``, which the stem less two letters misses."""
    stem = prefix_of("koordinovat")
    assert stem == "koordin" and "koordinator".startswith(stem) and "koordinace".startswith(stem)


def _reference_distance(a: str, b: str) -> int:
    table = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
    return table[-1][-1]


def test_edit_distance_agrees_with_the_full_table_up_to_its_limit() -> None:
    rng = random.Random(3)
    for _ in range(3000):
        a = "".join(rng.choice("abc") for _ in range(rng.randint(0, 7)))
        b = "".join(rng.choice("abc") for _ in range(rng.randint(0, 7)))
        for limit in (1, 2):
            assert edit_distance(a, b, limit) == min(_reference_distance(a, b), limit + 1), (a, b, limit)
    assert edit_distance("brownfild", "brownfield", 2) == 1
    assert edit_distance("parkovani", "parkovain", 1) == 1  # a transposition is one edit
