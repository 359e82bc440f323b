"""What seed 004 (MMR working group for Smart Cities, 5 Aug 2021) holds beyond the hierarchy and the
money: the aims and next steps of the national concept, the working group of ministries and
associations, the obstacles, deviations and communication of 5G pro 5 měst, the Czech Smart City
Cluster's target groups and activities; and Svaz měst a obcí ČR under one IRI for seeds 003 and 004.

Every expected item is cut from the seed's slide by this file's own parsing (bullets, or the
leading blank the PDF leaves where a slide had a bullet glyph), so a fact missing, added or changed
in the Turtle fails here.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

SEED = "004_a5790c3893364729.txt"
WORKING_GROUP_15 = "003_36a124587dff8c3a.txt"
KCS = Namespace("https://w3id.org/kcs/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
BASE = "https://w3id.org/kcs/id/"


def iri(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(f"{BASE}{prefix}/{local}")


def norm(text: str) -> str:
    """PDF line breaks and gaps collapsed; no blank before punctuation."""
    return re.sub(r" ([,.;:)])", r"\1", re.sub(r"\s+", " ", text)).strip()


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


def label(graph: Graph, node) -> str:
    labels = [o for o in graph.objects(node, SKOS.prefLabel) if o.language == "cs"]
    assert len(labels) == 1, f"{node} must have exactly one prefLabel@cs, has {labels}"
    return str(labels[0])


def texts(graph: Graph, node, prop) -> list[str]:
    values = list(graph.objects(node, prop))
    assert all(isinstance(v, Literal) and v.language == "cs" for v in values), (node, prop)
    return sorted(norm(str(v)) for v in values)


def between(text: str, start: str, end: str, after: int = 0) -> str:
    i = text.index(start, after) + len(start)
    return text[i : text.index(end, i)]


def bulleted(block: str, bullet: str) -> list[str]:
    return [norm(item) for item in block.split(bullet)[1:] if norm(item)]


def indented(block: str) -> list[str]:
    """Items of a slide whose bullet glyph the extraction lost: an item starts on a line with a leading
    blank, a line without one continues it, except an address, which stands on its own."""
    items: list[str] = []
    for line in block.split("\n"):
        if not line.strip():
            continue
        if line.startswith((" ", "http")) or not items:
            items.append(line)
        else:
            items[-1] += " " + line
    return [norm(item) for item in items]


@pytest.fixture(scope="module")
def seed(seeds: dict[str, str]) -> str:
    return seeds[SEED]


# ------------------------------------------------------------------------------------------
# The national concept: its aims and the next steps of its implementation
# ------------------------------------------------------------------------------------------

CONCEPT = iri("strategy:koncepce-smart-cities")


def test_the_three_aims_of_the_concept(catalogue, seed):
    aims = bulleted(between(seed, "Cíle Koncepce SC", "Koncepce Smart"), "•")
    assert len(aims) == 3
    assert texts(catalogue, CONCEPT, KCS.aim) == sorted(aims)
    # the aims stand beside the hierarchy: no goal of the concept carries them
    for aim in aims:
        assert not list(catalogue.subjects(SKOS.prefLabel, Literal(aim, lang="cs")))


def test_the_next_steps_of_the_implementation(catalogue, seed):
    steps = bulleted(between(seed, "Implementace – další postup", "Pracovní skupina gestorů"), "•")
    assert len(steps) == 4 and steps[0].startswith("Nastavení nulté fáze implementace")
    assert texts(catalogue, CONCEPT, KCS.plannedActivity) == sorted(steps)
    sections = {str(catalogue.value(ref, KCS.section)) for ref in catalogue.objects(CONCEPT, DCTERMS.source)}
    assert any("Implementace – další postup" in s for s in sections)


# ------------------------------------------------------------------------------------------
# The working group of ministries and associations ("Pracovní skupina gestorů")
# ------------------------------------------------------------------------------------------

GESTORS = iri("organisation:pracovni-skupina-gestoru")


@pytest.fixture(scope="module")
def gestors_list(seed) -> str:
    return norm(between(seed, "Pracovní skupina gestorů", "Pracovní skupina pro Smart"))


def names(printed: str) -> list[str]:
    """The printed list cut into names: commas, "dále také", the closing "atd.", and one missing
    comma between two names that each end in "ČR"."""
    assert printed.endswith(", atd.")
    listed = printed.removesuffix(", atd.").replace("dále také ", "")
    return [name for piece in listed.split(",") for name in re.split(r"(?<=ČR) (?=\S)", piece.strip())]


def test_the_working_group_of_gestors_has_the_13_printed_members(catalogue, gestors_list):
    printed = names(gestors_list)
    assert len(printed) == 13 and printed[:2] == ["MMR", "MV"] and "SMO ČR" in printed
    assert (GESTORS, RDF.type, KCS.Organisation) in catalogue
    assert label(catalogue, GESTORS) == "Pracovní skupina gestorů"
    members = set(catalogue.objects(GESTORS, ORG.hasMember))
    assert len(members) == len(printed)
    by_name = {}
    for member in members:
        assert (member, RDF.type, KCS.Organisation) in catalogue
        for prop in (SKOS.prefLabel, SKOS.altLabel):
            for name in catalogue.objects(member, prop):
                by_name.setdefault(str(name), set()).add(member)
    assert {m for name in printed for m in by_name.get(name, set())} == members
    for name in printed:
        assert len(by_name.get(name, set())) == 1, name
    # the list goes on ("atd."): the note keeps it as printed
    assert texts(catalogue, GESTORS, SKOS.note) == [gestors_list]


def test_a_member_printed_only_as_an_abbreviation_keeps_it(catalogue, seed, gestors_list):
    for member in catalogue.objects(GESTORS, ORG.hasMember):
        name = label(catalogue, member)
        if name in names(gestors_list):
            assert not list(catalogue.objects(member, SKOS.altLabel)), f"{name}: a name the seeds do not print"
        cited = {str(catalogue.value(ref, KCS.seedFile)) for ref in catalogue.objects(member, DCTERMS.source)}
        assert SEED in cited, member


# ------------------------------------------------------------------------------------------
# 5G pro 5 měst: obstacles, deviations, communication
# ------------------------------------------------------------------------------------------

PROJECT = iri("solution:5g-pro-5-mest")


def test_5g_obstacles_as_printed(catalogue, seed):
    slide = between(seed, "\nAktuální průběh", "\nOdchylky od plánovaných záměrů")
    obstacles = indented(
        between(slide, "Aktuální překážky úspěšné realizace dle původních záměrů napříč městy:", " Kvalitativní posun")
    )
    assert len(obstacles) == 5 and obstacles[0].startswith("Nedostupnost odpovídajícího 5G HW vybavení")
    assert texts(catalogue, PROJECT, KCS.obstacle) == sorted(obstacles)
    outlook = norm("Kvalitativní posun" + slide.split(" Kvalitativní posun", 1)[1].split("\n", 1)[0])
    assert outlook in texts(catalogue, PROJECT, SKOS.note)


def test_5g_deviations_as_printed(catalogue, seed):
    deviations = indented(
        between(seed, "\nOdchylky od plánovaných záměrů", "\nVýsledky analýz možností implementace 5G sítí")
    )
    assert len(deviations) == 4
    assert texts(catalogue, PROJECT, KCS.deviation) == sorted(deviations)


@pytest.fixture(scope="module")
def communication(seed) -> list[str]:
    return indented(between(seed, "\nKomunikační a propagační aktivity", "\nDodatečné informace"))


def event_with_label(catalogue, name: str) -> URIRef:
    found = [
        e for e in catalogue.subjects(SKOS.prefLabel, Literal(name, lang="cs")) if (e, RDF.type, KCS.Event) in catalogue
    ]
    assert len(found) == 1, name
    return found[0]


def test_the_debate_of_7_june_2021(catalogue, communication):
    (item,) = (i for i in communication if "proběhla odborná debata" in i)
    said = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4}) proběhla odborná debata (.+?) o využití .+", item)
    assert said
    debate = event_with_label(catalogue, said.group(4))
    day, month, year = (int(said.group(i)) for i in (1, 2, 3))
    (date,) = catalogue.objects(debate, DCTERMS.date)
    assert date.datatype == URIRef("http://www.w3.org/2001/XMLSchema#date")
    assert str(date) == f"{year:04d}-{month:02d}-{day:02d}"
    assert texts(catalogue, debate, DCTERMS.description) == [item]
    recording = communication[communication.index(item) + 1]
    assert recording.startswith("https://")
    assert list(catalogue.objects(debate, SCHEMA.url)) == [URIRef(recording)]
    assert list(catalogue.objects(debate, DCTERMS.relation)) == [PROJECT]


def test_the_ar_challenge(catalogue, communication):
    (item,) = (i for i in communication if "Challenge" in i)
    said = re.fullmatch(r"Odstartovala soutěž (.+?) pro studenty \((.+?)\)", item)
    assert said
    challenge = event_with_label(catalogue, said.group(1))
    towns = said.group(2).split(", ")
    assert len(towns) == 3
    assert sorted(label(catalogue, p) for p in catalogue.objects(challenge, KCS.place)) == sorted(towns)
    assert texts(catalogue, challenge, DCTERMS.description) == [item]
    assert not list(catalogue.objects(challenge, DCTERMS.date))  # the seed gives no date
    assert list(catalogue.objects(challenge, DCTERMS.relation)) == [PROJECT]


def test_the_best_practice_document(catalogue, communication):
    (item,) = (i for i in communication if "dokumentu" in i)
    said = re.fullmatch(r"Průběžně probíhá zpracování dokumentu (.+?)\.", item)
    assert said
    (document,) = catalogue.subjects(DCTERMS.subject, PROJECT)
    assert (document, RDF.type, DCTERMS.BibliographicResource) in catalogue
    assert label(catalogue, document) == said.group(1)
    assert texts(catalogue, document, KCS.statusNote) == [item]


def test_every_item_of_the_communication_slide_is_recorded(catalogue, communication):
    smo = iri("organisation:svaz-mest-a-obci-cr")
    (cooperation,) = (i for i in communication if i.startswith("Spolupráce se SMOČR"))
    assert texts(catalogue, PROJECT, KCS.ongoingActivity) == [cooperation]
    assert (PROJECT, DCTERMS.contributor, smo) in catalogue
    assert Literal("SMOČR", lang="cs") in set(catalogue.objects(smo, SKOS.hiddenLabel))
    recorded = [
        *texts(catalogue, PROJECT, KCS.plannedActivity),
        *texts(catalogue, PROJECT, KCS.ongoingActivity),
        *(
            norm(str(d))
            for e in catalogue.subjects(DCTERMS.relation, PROJECT)
            for d in catalogue.objects(e, DCTERMS.description)
        ),
        *(str(u) for e in catalogue.subjects(DCTERMS.relation, PROJECT) for u in catalogue.objects(e, SCHEMA.url)),
        *(
            norm(str(n))
            for d in catalogue.subjects(DCTERMS.subject, PROJECT)
            for n in catalogue.objects(d, KCS.statusNote)
        ),
    ]
    assert len(communication) == 8  # the recording's address is printed twice
    for item in communication:
        assert any(item in r for r in recorded), item


# ------------------------------------------------------------------------------------------
# Czech Smart City Cluster: target groups and activities
# ------------------------------------------------------------------------------------------

CSCC = iri("organisation:cscc")


def test_cscc_target_groups(catalogue, seed):
    slide = between(seed, "CÍLOVÉ SKUPINY", "Projekt “JEDNOTNÁ")
    groups = [norm(line) for line in slide.split("uzavření memoranda o spolupráci.", 1)[1].split("\n") if norm(line)]
    assert len(groups) == 6 and groups[0] == "Města, obce"
    assert texts(catalogue, CSCC, KCS.targetGroup) == sorted(groups)


def test_cscc_activities(catalogue, seed):
    activities = bulleted(between(seed, "AKTIVITY KLASTRU", "Projekt “JEDNOTNÁ"), "●")
    assert len(activities) == 5 and activities[0].startswith("CSCC vytváří efektivní podmínky")
    assert texts(catalogue, CSCC, KCS.ongoingActivity) == sorted(activities)


# ------------------------------------------------------------------------------------------
# Svaz měst a obcí ČR: one IRI for seeds 003 and 004
# ------------------------------------------------------------------------------------------

SMO_NAMES = {"smo cr", "smocr", "svaz mest a obci cr"}


def test_smo_cr_has_one_iri(catalogue, seeds):
    assert "SMO ČR" in seeds[WORKING_GROUP_15] and "Svazem měst a obcí ČR" in seeds[SEED] and "SMOČR" in seeds[SEED]
    named = {
        s
        for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
        for s, o in catalogue.subject_objects(p)
        if fold(str(o)) in SMO_NAMES
    }
    smo = iri("organisation:svaz-mest-a-obci-cr")
    assert named == {smo}
    cited = {str(catalogue.value(ref, KCS.seedFile)) for ref in catalogue.objects(smo, DCTERMS.source)}
    assert {SEED, WORKING_GROUP_15} <= cited
    # the other IRI is gone, and every link reaches the one that stays
    gone = iri("organisation:smo-cr")
    assert not list(catalogue.triples((gone, None, None))) and not list(catalogue.triples((None, None, gone)))
    for subject, predicate in (
        (iri("problem:nutno-sladit-smart-cities-s-dalsimi-iniciativami"), DCTERMS.relation),
        (iri("solution:projekt-srsp"), KCS.partner),
        (GESTORS, ORG.hasMember),
        (PROJECT, DCTERMS.contributor),
    ):
        assert (subject, predicate, smo) in catalogue, (subject, predicate)
    assert [label(catalogue, smo)] == ["Svaz měst a obcí ČR"]


# ------------------------------------------------------------------------------------------
# The state of two funding items, in the seed's words and dated by the meeting (shown on every
# funding line: issue 11)
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("funding", "slide_start", "slide_end", "said"),
    [
        ("call:efekt-8-2021", "Podpora aktuálně probíhá", ")", ["Podpora aktuálně probíhá"]),
        ("programme:urbact-iv", "URBACT IV přímo navazuje", "Otevřenou otázkou", [
            "První výzvy jsou plánovány na červen 2022",
            "Nyní je schvalován rozpočet programu",
        ]),
    ],
)
def test_the_state_of_a_funding_item_is_the_seeds_and_dated(catalogue, seed, funding, slide_start, slide_end, said):
    slide = norm(slide_start + between(seed, slide_start, slide_end))
    meeting = re.search(r"(\d\d)\.(\d\d)\.(\d{4})", seed[:2000])
    assert meeting, "the seed's first page dates the meeting"
    day, month, year = (int(part) for part in meeting.groups())
    [note] = [norm(str(n)) for n in catalogue.objects(iri(funding), KCS.statusNote) if n.language == "cs"]
    assert {n.language for n in catalogue.objects(iri(funding), KCS.statusNote)} == {"cs", "en"}
    assert note.endswith(f"(podle jednání pracovní skupiny {day}. {month}. {year}).")
    for sentence in said:
        assert sentence in slide, "the expectation is the seed's"
        assert fold(sentence) in fold(note)
