"""The 37 activities of the Liberec flagships (annex 3) and the steering group (section 4.2),
checked against seed 002.

Seed: 002_46e3fac40e81357b.txt, the annual report 2020 of "Koncepce Chytřejší kraj pro Liberecký
kraj". Data: catalogue/data/liberec-flagship-activities.ttl and the steering group in
catalogue/data/liberec-region-concept.ttl.

Annex 3 is a table (Aktivita | Popis | Výstupy | Finanční plnění za rok 2020) flattened into runs of
lines, with cells broken across the other columns and pages. The tests cut each flagship's block
into its activities at the printed "Aktivita N", then account for every word of an activity's text:
what is left after taking out the outputs (kcs:statusNote), the further notes of the money column
(skos:note), the time required ("Časová náročnost: …", kcs:duration) and the amounts spent must be
the description, word for word. So an activity the seed does not print, or a text it does not hold,
fails here.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

from tests.test_seed_liberec_flagships import FLAGSHIPS, annex3_block, between, clean, ws

SEED = "002_46e3fac40e81357b.txt"
KCS = Namespace("https://w3id.org/kcs/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
BASE = "https://w3id.org/kcs/id/"
SOL = Namespace(BASE + "solution/")
ORGN = Namespace(BASE + "organisation/")
STRATEGY = Namespace(BASE + "strategy/")
ANNEX3_SECTION = "Příloha 3 – Finanční plnění vlajkových projektů"
AMOUNT = re.compile(r"(\d+),(\d\d) Kč")
# The months in the genitive, as a date is written in words ("na počátku prosince 2020").
CZECH_MONTHS_GENITIVE = [
    "ledna",
    "února",
    "března",
    "dubna",
    "května",
    "června",
    "července",
    "srpna",
    "září",
    "října",
    "listopadu",
    "prosince",
]


def label(graph: Graph, node: URIRef) -> str:
    labels = [o for o in graph.objects(node, SKOS.prefLabel) if isinstance(o, Literal) and o.language == "cs"]
    assert len(labels) == 1, f"{node} must have exactly one prefLabel@cs, has {labels}"
    return str(labels[0])


@pytest.fixture(scope="module")
def text(seeds: dict[str, str]) -> str:
    return clean(seeds[SEED])


@pytest.fixture(scope="module")
def annex3(text: str) -> str:
    return between(text, "FINANČNÍ PLNĚNÍ VLAJKOVÝCH PROJEKTŮ SBĚR DOPRAVNÍCH DAT", None)


@pytest.fixture(scope="module")
def printed(annex3: str) -> dict[str, tuple[str, dict[int, str]]]:
    """Per flagship: the year of the money column and each activity's text, as numbered in the seed."""
    out = {}
    for key, spec in FLAGSHIPS.items():
        block = annex3_block(annex3, spec[5])
        year = re.search(r"Aktivita Popis Výstupy Finanční plnění za rok (\d{4})", block)
        assert year, key
        rows = block.split("Finanční zdroje", 1)[0]
        parts = re.split(r"Aktivita (\d) ", rows[year.end() :])
        assert ws(parts[0]) == "", f"{key}: text before the first activity: {parts[0]!r}"
        numbered = {int(parts[i]): parts[i + 1] for i in range(1, len(parts), 2)}
        assert sorted(numbered) == list(range(1, len(numbered) + 1)), key
        out[key] = (year.group(1), numbered)
    return out


def activities_of(catalogue: Graph, flagship: URIRef) -> dict[int, URIRef]:
    found = {}
    for activity in catalogue.subjects(KCS.activityOf, flagship):
        (number,) = catalogue.objects(activity, SKOS.notation)
        assert int(str(number)) not in found, f"two activities numbered {number} of {flagship}"
        found[int(str(number))] = activity
    return found


def test_the_flagships_have_37_activities(catalogue: Graph, printed) -> None:
    counts = {key: len(numbered) for key, (_, numbered) in printed.items()}
    assert sum(counts.values()) == 37
    assert counts["lk-elektronicka-komunikace-a-kyberbezpecnost"] == 5
    assert set(counts.values()) == {4, 5}
    everything = set(catalogue.subjects(RDF.type, KCS.ProjectActivity))
    assert len(everything) == 37
    for key, count in counts.items():
        mine = activities_of(catalogue, SOL[key])
        assert sorted(mine) == list(range(1, count + 1)), key
        assert set(mine.values()) <= everything


@pytest.mark.parametrize("key", FLAGSHIPS)
def test_each_activity_is_its_printed_row_word_for_word(key: str, catalogue: Graph, printed) -> None:
    year, numbered = printed[key]
    mine = activities_of(catalogue, SOL[key])
    for number, row in numbered.items():
        activity = mine[number]
        left = ws(row)
        for prop in (KCS.statusNote, SKOS.note):
            for value in catalogue.objects(activity, prop):
                assert ws(str(value)) in left, (activity, prop, str(value))
                left = left.replace(ws(str(value)), " ", 1)
        # the money column: every amount of the row is the financial fulfilment of the year
        amounts = AMOUNT.findall(left)
        assert amounts, f"{activity}: no amount spent printed"
        spent = sum(Decimal(f"{whole}.{cents}") for whole, cents in amounts)
        assert [v.toPython() for v in catalogue.objects(activity, KCS.spentCZK)] == [spent]
        assert [str(v) for v in catalogue.objects(activity, KCS.spentYear)] == [year]
        left = AMOUNT.sub(" ", left)
        (duration,) = (str(d) for d in catalogue.objects(activity, KCS.duration))
        assert f"Časová náročnost: {duration} " in left + " ", (activity, duration)
        left = left.replace(f"Časová náročnost: {duration}", " ")
        assert "Časová náročnost" not in left, f"{activity}: a second time required is printed"
        (description,) = catalogue.objects(activity, DCTERMS.description)
        assert description.language == "cs"
        assert ws(str(description)) == ws(left), activity


def test_the_money_column_prints_only_zero_for_2020(catalogue: Graph, printed) -> None:
    assert {year for year, _ in printed.values()} == {"2020"}
    for activity in catalogue.subjects(RDF.type, KCS.ProjectActivity):
        (spent,) = catalogue.objects(activity, KCS.spentCZK)
        assert spent.toPython() == Decimal(0)
        assert spent.datatype == URIRef("http://www.w3.org/2001/XMLSchema#decimal")


def test_the_unnumbered_row_is_the_second_part_of_activity_1(catalogue: Graph, printed) -> None:
    key = "lk-elektronicka-komunikace-a-kyberbezpecnost"
    _, numbered = printed[key]
    assert "AD1/" in numbered[1] and "AD2/" in numbered[1]
    assert "řešení AD1/ a AD2/" in ws(numbered[2])
    first = activities_of(catalogue, SOL[key])[1]
    description = str(catalogue.value(first, DCTERMS.description))
    assert description.index("AD1/") < description.index("AD2/")


def test_labels_and_sources(catalogue: Graph, printed) -> None:
    for key in printed:
        flagship = SOL[key]
        for number, activity in activities_of(catalogue, flagship).items():
            assert (activity, RDF.type, KCS.ProjectActivity) in catalogue
            assert label(catalogue, activity) == f"{label(catalogue, flagship)} – aktivita {number}"
            refs = list(catalogue.objects(activity, DCTERMS.source))
            assert len(refs) == 1
            assert str(catalogue.value(refs[0], KCS.seedFile)) == SEED
            section = str(catalogue.value(refs[0], KCS.section))
            assert section.startswith(ANNEX3_SECTION + ": ") and section.endswith(f", Aktivita {number}")


# --------------------------------------------------------------------------------------------
# The steering group (section 4.2 "Vyhodnocení dosavadních kroků")
# --------------------------------------------------------------------------------------------

GROUP = ORGN["lk-ridici-skupina"]


@pytest.fixture(scope="module")
def evaluation(text: str) -> str:
    return between(text, "4.2. Vyhodnocení dosavadních kroků", "5. Aktualizace zásobníku projektů")


@pytest.fixture(scope="module")
def members(seeds: dict[str, str]) -> list[str]:
    """The member list as printed: one "- " line (or two) per member, without the commas between them
    and the full stop that ends the list."""
    raw = seeds[SEED]
    listed = between(raw, "Řídící skupina pracuje ve složení:", "Skupina se sešla prvně")
    items = [ws(item).rstrip(" ,") for item in re.split(r"^\s*- ", listed, flags=re.M)[1:]]
    assert items and items[-1].endswith(".")
    return [*items[:-1], items[-1][:-1]]


def test_the_steering_group_and_its_aim(catalogue: Graph, evaluation: str) -> None:
    assert (GROUP, RDF.type, KCS.Organisation) in catalogue
    assert label(catalogue, GROUP) == "Řídící skupina"
    assert "Hlavním řídícím orgánem prací je dle koncepce Řídící skupina." in evaluation
    aim = re.search(r"Hlavním řídícím orgánem .+?nutných změn\.", evaluation)
    assert aim
    assert [ws(str(d)) for d in catalogue.objects(GROUP, DCTERMS.description)] == [aim.group(0)]
    assert "koordinaci naplňování akčního plánu" in aim.group(0)
    assert (GROUP, DCTERMS.relation, STRATEGY["chytrejsi-liberecky-kraj-akcni-plan"]) in catalogue
    refs = list(catalogue.objects(GROUP, DCTERMS.source))
    assert [str(catalogue.value(r, KCS.section)) for r in refs] == ["4.2. Vyhodnocení dosavadních kroků"]


def test_the_steering_group_has_the_seven_members_printed(catalogue: Graph, members: list[str]) -> None:
    assert len(members) == 7
    assert members[4] == "jednatel ARR s.r.o." and members[-1].startswith("prorektor pro vědu")
    posts = set(catalogue.subjects(ORG.postIn, GROUP))
    assert len(posts) == len(members)
    assert sorted(label(catalogue, post) for post in posts) == sorted(members)
    for post in posts:
        assert (post, RDF.type, ORG.Post) in catalogue
        assert [str(catalogue.value(r, KCS.section)) for r in catalogue.objects(post, DCTERMS.source)] == [
            "4.2. Vyhodnocení dosavadních kroků"
        ]
        # a post is linked to an organisation only where the post names it
        for organisation in catalogue.objects(post, DCTERMS.relation):
            names = [str(o) for p in (SKOS.prefLabel, SKOS.altLabel) for o in catalogue.objects(organisation, p)]
            assert any(name in label(catalogue, post) for name in names), (post, organisation)
    (arr,) = (p for p in posts if label(catalogue, p) == "jednatel ARR s.r.o.")
    assert list(catalogue.objects(arr, DCTERMS.relation)) == [ORGN["arr"]]


def test_the_first_meeting(catalogue: Graph, evaluation: str) -> None:
    said = re.search(r"Skupina se sešla prvně na počátku (\w+) (\d{4})\.", evaluation)
    assert said
    month = CZECH_MONTHS_GENITIVE.index(said.group(1)) + 1
    (meeting,) = catalogue.subjects(SCHEMA.organizer, GROUP)
    assert (meeting, RDF.type, KCS.Event) in catalogue
    (date,) = catalogue.objects(meeting, DCTERMS.date)
    assert date.datatype == URIRef("http://www.w3.org/2001/XMLSchema#gYearMonth")
    assert str(date) == f"{said.group(2)}-{month:02d}"
    assert [ws(str(d)) for d in catalogue.objects(meeting, DCTERMS.description)] == [said.group(0)]


def test_reporting_and_meetings_every_quarter(catalogue: Graph, evaluation: str) -> None:
    quarterly = [s for s in re.findall(r"[A-ZŘ][^.]+?\.", evaluation) if "čtvrtletně" in s]
    assert len(quarterly) == 2 and quarterly[0].startswith("Reportování o postupu prací")
    assert sorted(ws(str(p)) for p in catalogue.objects(GROUP, KCS.plannedActivity)) == sorted(quarterly)


def test_the_groups_findings(catalogue: Graph, evaluation: str) -> None:
    notes = [ws(str(n)) for n in catalogue.objects(GROUP, SKOS.note)]
    assert len(notes) == 3
    for note in notes:
        assert note in evaluation, note
    assert any("nebyly projednávány ani doporučovány žádné změny" in n for n in notes)
