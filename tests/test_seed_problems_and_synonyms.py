"""Problems, the Liberec commission minutes, the 15th MMR working group and the synonym curation,
checked against the seed texts (000/001 Liberec minutes, 003 working group, 004 brownfield example).

Every expected value is read from the seed by this file's own parsing, or asserted to occur in the
seed and in the graph, so a broken fact in the Turtle (or a typo in an IRI) fails a test.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

DATA = Path(__file__).resolve().parent.parent / "catalogue" / "data"
KCS = Namespace("https://w3id.org/kcs/ontology#")
ID = "https://w3id.org/kcs/id/"
PROBLEM = Namespace(ID + "problem/")
MEASURE = Namespace(ID + "measure/")
PLACE = Namespace(ID + "place/")
SOLUTION = Namespace(ID + "solution/")
STRATEGY = Namespace(ID + "strategy/")
DOCUMENT = Namespace(ID + "document/")

MINUTES = "000_3ea2d0c88e9b275f.txt"  # the cleaner extraction, cited
MINUTES_AGAIN = "001_76a7cf1e9e422644.txt"  # the same minutes, extracted again
WORKING_GROUP = "003_36a124587dff8c3a.txt"
KATALOG_TALK = "004_a5790c3893364729.txt"

MY_FILES = ("liberec-city-commission-2024.ttl", "working-group-15.ttl", "problems.ttl")
BROWNFIELD_MEASURES = {
    MEASURE["coworkingova-centra-a-male-brownfieldy"],
    MEASURE["program-vyuziti-brownfieldu"],
    MEASURE["dostupne-bydleni-a-brownfieldy"],
}
# prefLabels whose words are not printed in the cited seed, each for a documented reason.
LABEL_WORD_EXCEPTIONS = {
    PLACE["polsko"],  # the slide prints only "PL" (kept as skos:notation)
}


def ws(text: str) -> str:
    """Collapse the PDF's line breaks and runs of spaces."""
    return re.sub(r"\s+", " ", text).strip()


def fold(text: str) -> str:
    """Lower case without diacritics, for label-word checks."""
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


def parse(name: str) -> Graph:
    return Graph().parse(DATA / name, format="turtle")


def cited_files(graph: Graph, subject) -> list[str]:
    return [str(f) for ref in graph.objects(subject, DCTERMS.source) for f in graph.objects(ref, KCS.seedFile)]


def excerpts(description: str) -> list[str]:
    """The quoted pieces of a description: " … " joins excerpts that are not adjacent in the seed."""
    return [piece for piece in (ws(p).strip(" ;") for p in description.split("…")) if len(piece) >= 3]


# --------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------


def problems(graph: Graph) -> list[URIRef]:
    found = sorted(set(graph.subjects(RDF.type, KCS.Problem)))
    assert found, "no kcs:Problem in problems.ttl"
    return found


def test_problem_scheme_declared():
    graph = parse("problems.ttl")
    scheme = PROBLEM["problemy"]
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    assert graph.value(scheme, SKOS.prefLabel) == Literal("Problémy a potřeby obcí", lang="cs")
    for problem in problems(graph):
        assert (problem, SKOS.inScheme, scheme) in graph, problem


def test_every_problem_quotes_a_seed_it_cites(seeds):
    graph = parse("problems.ttl")
    normalised = {name: ws(text) for name, text in seeds.items()}
    for problem in problems(graph):
        files = cited_files(graph, problem)
        assert files, f"{problem} cites no seed"
        assert all(f in seeds for f in files), f"{problem} cites a missing seed: {files}"
        descriptions = list(graph.objects(problem, DCTERMS.description))
        assert len(descriptions) == 1, problem
        for piece in excerpts(str(descriptions[0])):
            assert any(piece in normalised[f] for f in files), f"{problem}: not in {files}: {piece!r}"


def test_every_problem_label_is_built_from_seed_words(seeds):
    graph = parse("problems.ttl")
    for problem in problems(graph):
        labels = list(graph.objects(problem, SKOS.prefLabel))
        assert len(labels) == 1 and labels[0].language == "cs", problem
        texts = [fold(seeds[f]) for f in cited_files(graph, problem)]
        for word in re.findall(r"\w+", str(labels[0])):
            if len(word) >= 4:
                assert any(fold(word) in t for t in texts), f"{problem}: {word!r} not in the cited seed"


def test_brownfield_problem_is_addressed_by_exactly_the_three_measures(seeds, catalogue):
    problem = PROBLEM["mnoho-brownfieldu"]
    sentence = "Město má na svém území mnoho brownfieldů a chce řešit jejich využití"
    talk = ws(seeds[KATALOG_TALK])
    assert "Problém: " + sentence in talk
    # the slide that follows the problem names the three type measures
    after = talk[talk.index(sentence) :]
    for start in ("Podpora coworkingových center", "Program využití brownfieldů", "Podpora dostupného bydlení"):
        assert start in after, start
    assert str(catalogue.value(problem, DCTERMS.description)) == sentence
    assert set(catalogue.objects(problem, KCS.addressedBy)) == BROWNFIELD_MEASURES
    assert cited_files(catalogue, problem) == [KATALOG_TALK]


def test_only_the_brownfield_problem_carries_measure_links():
    """Other links would have to be curated by hand; none is evident in the seeds."""
    graph = parse("problems.ttl")
    linked = {s for s in graph.subjects(KCS.addressedBy, None)}
    assert linked == {PROBLEM["mnoho-brownfieldu"]}


# --------------------------------------------------------------------------------------------
# Liberec commission minutes
# --------------------------------------------------------------------------------------------


def concept_prices(text: str) -> tuple[str, Decimal, Decimal]:
    """Mělník's price (said by M. Malý) and Liberec's (said by P. Židek), as printed."""
    text = ws(text)
    melnik = re.search(r"Kolik to stálo v (\w+)\? M\. Malý: Koncepce jako taková stála (\d+(?:,\d+)?) milion", text)
    liberec = re.search(r"P\. Židek: To se na mě nezlobte, v Liberci stálo nějakých (\d+(?:,\d+)?) mil\.", text)
    assert melnik and liberec, "price passage not found in the minutes"
    million = Decimal(1_000_000)
    return (
        melnik.group(1),
        Decimal(melnik.group(2).replace(",", ".")) * million,
        Decimal(liberec.group(1).replace(",", ".")) * million,
    )


def test_concept_prices_as_printed(seeds, catalogue):
    town, melnik_price, liberec_price = concept_prices(seeds[MINUTES])
    assert concept_prices(seeds[MINUTES_AGAIN]) == (town, melnik_price, liberec_price)
    assert town == "Mělníku" and melnik_price == Decimal("5500000")
    melnik = STRATEGY["koncepce-smart-city-melnik"]
    liberec = STRATEGY["koncepce-smart-city-liberec"]
    assert (melnik, KCS.place, PLACE["melnik"]) in catalogue
    assert (liberec, KCS.place, PLACE["liberec"]) in catalogue
    (cost,) = catalogue.objects(melnik, KCS.costCZK)
    assert cost.toPython() == melnik_price
    assert cost.datatype == URIRef("http://www.w3.org/2001/XMLSchema#decimal")


def test_liberec_8_million_recorded_as_said_not_as_the_planned_concepts_cost(seeds, catalogue):
    """P. Židek: "v Liberci stálo nějakých 8 mil. Korun" — past and approximate, of something the minutes
    do not name; the city's concept is yet to be commissioned."""
    said = "v Liberci stálo nějakých 8 mil. Korun"
    assert said in ws(seeds[MINUTES]) and said in ws(seeds[MINUTES_AGAIN])
    assert "pravděpodobně zadávací řízení na vytvoření koncepce SC" in ws(seeds[MINUTES])
    liberec = STRATEGY["koncepce-smart-city-liberec"]
    assert list(catalogue.objects(liberec, KCS.costCZK)) == []
    assert any(said in ws(str(note)) for note in catalogue.objects(liberec, SKOS.note))
    caveat = str(catalogue.value(liberec, SKOS.editorialNote))
    assert "minulém čase" in caveat and "přibližně" in caveat and "neuvádí jako náklady koncepce" in caveat


def test_votes_recorded_as_printed(seeds, catalogue):
    header = r"PŘÍTOMNO:\s*PRO:\s*PROTI:\s*ZDRŽEL\s+SE:\s*NEHLASOVAL:\s*VÝSLEDEK:\s*"
    rows = re.findall(header + r"(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\w+)", seeds[MINUTES])
    assert rows == re.findall(header + r"(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\w+)", seeds[MINUTES_AGAIN])
    assert len(rows) == 3
    minutes = DOCUMENT["zapis-komise-smart-city-liberec-2024-02-15"]
    notes = [str(n) for n in catalogue.objects(minutes, SKOS.note)]
    votes = [n for n in notes if "PŘÍTOMNO:" in n]
    assert len(votes) == len(rows)
    for row, note in zip(
        rows, sorted(votes, key=lambda n: ws(seeds[MINUTES]).index(n.split(" PŘÍTOMNO")[0][:40])), strict=True
    ):
        expected = "PŘÍTOMNO: {}, PRO: {}, PROTI: {}, ZDRŽEL SE: {}, NEHLASOVAL: {}, VÝSLEDEK: {}".format(*row)
        assert expected in note, (expected, note)
        assert note.split(" PŘÍTOMNO")[0] in ws(seeds[MINUTES])


def test_minutes_date_and_title(seeds, catalogue):
    title = re.search(r"Zápis z (\d+)\. jednání komise pro Smart City dne (\d+)\.(\d+)\. (\d{4})", seeds[MINUTES])
    assert title
    minutes = DOCUMENT["zapis-komise-smart-city-liberec-2024-02-15"]
    assert str(catalogue.value(minutes, SKOS.prefLabel)) == ws(title.group(0))
    day, month, year = (int(title.group(i)) for i in (2, 3, 4))
    assert str(catalogue.value(minutes, DCTERMS.date)) == f"{year:04d}-{month:02d}-{day:02d}"


@pytest.mark.parametrize(
    "slug, label", [("portal-obcana-liberec", "Portál občana"), ("liberec-v-mobilu", "Liberec v mobilu")]
)
def test_existing_liberec_solutions(seeds, catalogue, slug, label):
    solution = SOLUTION[slug]
    assert label in seeds[MINUTES]
    assert (solution, RDF.type, KCS.SmartSolution) in catalogue
    assert catalogue.value(solution, SKOS.prefLabel) == Literal(label, lang="cs")
    assert (solution, KCS.place, PLACE["liberec"]) in catalogue


def test_labels_of_my_resources_occur_in_their_seed(seeds):
    """Every word of 4+ letters of a prefLabel occurs in one of the seeds the resource cites."""
    for name in MY_FILES:
        graph = parse(name)
        for subject, label in graph.subject_objects(SKOS.prefLabel):
            files = cited_files(graph, subject)
            assert files, f"{name}: {subject} has no dcterms:source"
            if subject in LABEL_WORD_EXCEPTIONS:
                continue
            texts = [fold(seeds[f]) for f in files]
            for word in re.findall(r"\w+", str(label)):
                if len(word) >= 4:
                    assert any(fold(word) in t for t in texts), f"{name}: {subject}: {word!r}"


# --------------------------------------------------------------------------------------------
# Working group, 15th meeting
# --------------------------------------------------------------------------------------------

REGIONS = {
    "Královehradecký": "kralovehradecky-kraj",
    "Moravskoslezský": "moravskoslezsky-kraj",
    "Jihomoravský": "jihomoravsky-kraj",
    "Karlovarský": "karlovarsky-kraj",
    "Plzeňský": "plzensky-kraj",
    "Pardubický": "pardubicky-kraj",
}


def test_regions_named_at_smart_regions_seminar(seeds, catalogue):
    text = ws(seeds[WORKING_GROUP])
    engaged = re.search(r"Nejvíce zapojeny jsou např\. ([^…]+)…", text).group(1).split(", ")
    planning = re.search(r"Ve fázi plánování jsou např\. ([^…]+)…", text).group(1).split(", ")
    assert set(engaged) | set(planning) == set(REGIONS)
    for adjective in engaged + planning:
        place = PLACE[REGIONS[adjective]]
        assert (place, RDF.type, KCS.Place) in catalogue
        notes = " ".join(str(n) for n in catalogue.objects(place, SKOS.note))
        phrase = "Nejvíce zapojeny" if adjective in engaged else "Ve fázi plánování"
        assert phrase in notes and adjective in notes, place


def test_polish_strategy_year_and_cities(seeds, catalogue):
    text = ws(seeds[WORKING_GROUP])
    found = re.search(
        r"PL – od r\. (\d{4}) Strategie zodpovědného rozvoje měst, zapojeno (\d+) větších měst \(([^)]+)\)", text
    )
    assert found
    strategy = STRATEGY["strategie-zodpovedneho-rozvoje-mest"]
    assert str(catalogue.value(strategy, KCS.periodStart)) == found.group(1)
    assert (strategy, KCS.place, PLACE["polsko"]) in catalogue
    cities = {str(catalogue.value(p, SKOS.prefLabel)) for p in catalogue.subjects(DCTERMS.isPartOf, PLACE["polsko"])}
    assert cities == set(found.group(3).split(", "))


def test_slovak_needs_quote_the_slide(seeds, catalogue):
    text = ws(seeds[WORKING_GROUP])
    for slug in (
        "slovensko-nema-narodniho-koordinatora",
        "slovensko-nema-metodiku",
        "slovensko-potrebuje-i-jine-financni-nastroje",
    ):
        problem = PROBLEM[slug]
        assert (problem, KCS.place, PLACE["slovensko"]) in catalogue
        assert str(catalogue.value(problem, DCTERMS.description)) in text


# --------------------------------------------------------------------------------------------
# Synonyms
# --------------------------------------------------------------------------------------------


def synonym_graph() -> Graph:
    return parse("synonyms.ttl")


def test_synonyms_only_add_labels():
    graph = synonym_graph()
    predicates = set(graph.predicates())
    assert predicates <= {SKOS.altLabel, SKOS.hiddenLabel}, predicates - {SKOS.altLabel, SKOS.hiddenLabel}
    for _, _, label in graph:
        assert isinstance(label, Literal) and label.language == "cs", label


def test_each_synonym_is_on_a_resource_with_a_preflabel(catalogue):
    """A typo in an IRI creates a label-less resource: this fails then."""
    for subject in set(synonym_graph().subjects()):
        assert catalogue.value(subject, SKOS.prefLabel) is not None, f"no prefLabel anywhere for {subject}"


def test_no_synonym_repeats_the_preflabel_or_each_other(catalogue):
    graph = synonym_graph()
    for subject in set(graph.subjects()):
        # case-insensitive but diacritics-sensitive: a form without diacritics is a legitimate
        # hidden label ("portal obcana" for "Portál občana")
        preferred = {str(p).lower() for p in catalogue.objects(subject, SKOS.prefLabel)}
        alt = {str(a).lower() for a in graph.objects(subject, SKOS.altLabel)}
        hidden = {str(h).lower() for h in graph.objects(subject, SKOS.hiddenLabel)}
        # exact rule of the brief: no altLabel equals the prefLabel of the same resource
        for a in catalogue.objects(subject, SKOS.altLabel):
            assert all(str(a) != str(p) for p in catalogue.objects(subject, SKOS.prefLabel)), (subject, a)
        assert not alt & preferred, (subject, alt & preferred)
        assert not hidden & preferred, (subject, hidden & preferred)
        assert not alt & hidden, (subject, alt & hidden)


def test_every_synonym_block_has_a_comment():
    lines = (DATA / "synonyms.ttl").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if line and not line[0].isspace() and not line.startswith(("#", "@prefix")):
            previous = next(l for l in reversed(lines[:number]) if l.strip())
            assert previous.startswith("#"), f"line {number + 1}: {line!r} has no comment block"


def test_brownfield_synonyms(seeds):
    graph = synonym_graph()
    problem = PROBLEM["mnoho-brownfieldu"]
    alt = {str(a) for a in graph.objects(problem, SKOS.altLabel)}
    hidden = {str(h) for h in graph.objects(problem, SKOS.hiddenLabel)}
    # the official term, shown, is the one seed 004 prints for NPO 2.8
    assert "stará stavební zátěž" in alt and "se starou stavební zátěží" in ws(seeds[KATALOG_TALK])
    assert {"opuštěný areál", "nevyužívaný areál", "brownfield"} <= alt
    assert {"brownfildy", "brownfieldy"} <= hidden  # the typo is never shown
    for measure in BROWNFIELD_MEASURES:
        assert "brownfield" in {str(h) for h in graph.objects(measure, SKOS.hiddenLabel)}, measure
