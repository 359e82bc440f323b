"""The Liberec project stack, its status legend, the towns surveyed and the new healthcare ideas
(seed 002, annual report 2020 of "Chytřejší kraj" pro Liberecký kraj) against the seed text.

The stack (annex 2) is a table flattened into runs of lines. The test cuts it into rows itself (a row
starts with its number followed by a printed area), then reads the numbers from the end of each row:
after removing the printed guarantor, flagship and note (embedded below, asserted to end the row in
the seed), the trailing run of numbers is "Stav [Finance] [Doba]". Where only one number follows the
status it is the duration: the test proves that reading by summing the costs of rows 1-44 to the
printed "CELKEM … mil. Kč". A word printed where the duration stands (row 39: "Realizováno") is no
number of years but the row's status in words.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from decimal import Decimal

import pytest
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

SEED = "002_46e3fac40e81357b.txt"
KCS = Namespace("https://w3id.org/kcs/ontology#")
ID = "https://w3id.org/kcs/id/"
SOLUTION = Namespace(ID + "solution/")
DESCRIPTOR = Namespace(ID + "descriptor/")
ORGANISATION = Namespace(ID + "organisation/")
PLACE = Namespace(ID + "place/")

# Areas as printed in the column "Oblast" -> descriptor.
AREAS = {
    "Doparava": DESCRIPTOR["lk-doprava"],
    "ER + CR": DESCRIPTOR["lk-ekonomicky-rozvoj-a-cestovni-ruch"],
    "Životní prostředí": DESCRIPTOR["lk-zivotni-prostredi"],
    "Vzdělávání": DESCRIPTOR["lk-vzdelavani"],
    "Veřejná správa": DESCRIPTOR["lk-verejna-sprava"],
    "Zdravotnictví": DESCRIPTOR["lk-zdravotnictvi"],
    "Sociální": DESCRIPTOR["lk-socialni"],
    "Energetický management": DESCRIPTOR["lk-energeticky-management"],
    "Chytrá řešení": DESCRIPTOR["lk-chytra-reseni"],
    "Hospodaření s vodou": DESCRIPTOR["lk-hospodareni-s-vodou"],
}
# Areas the concept does not list, so the stack file defines them with the printed label.
NEW_AREAS = ["Zdravotnictví", "Sociální", "Energetický management", "Chytrá řešení", "Hospodaření s vodou"]

# Flagships as printed in the column "Fishe" -> flagship solution.
FLAGSHIPS = {
    "SBĚR DOPRAVNÍCH DAT": SOLUTION["lk-sber-dopravnich-dat"],
    "PODPORA CHYTRÝCH PODNIKATELSKÝCH ŘEŠENÍ": SOLUTION["lk-podpora-chytrych-podnikatelskych-reseni"],
    "EVIDENČNÍ SYSTÉM SBÍRKOVÝCH PŘEDMĚTŮ": SOLUTION["lk-evidencni-system-sbirkovych-predmetu"],
    "INFORMAČNÍ A DATOVÝ PORTÁL": SOLUTION["lk-informacni-a-datovy-portal"],
    "ICT INFRASTRUKTURA": SOLUTION["lk-ict-infrastruktura"],
    "ELEKTRONICKÁ KOMUNIKACE A KYBERBEZPEČNOST": SOLUTION["lk-elektronicka-komunikace-a-kyberbezpecnost"],
    "HOSPODAŘENÍ S VODOU": SOLUTION["lk-hospodareni-s-vodou"],
    "ENERGETICKÝ MANAGEMENT": SOLUTION["lk-energeticky-management"],
}

# Guarantors as printed in the column "Garant" -> organisation.
GUARANTORS = {
    "Odbor dopravy": ORGANISATION["odbor-dopravy"],
    "Odbor kultury, památkové péče a cestovního ruchu": ORGANISATION["odbor-kultury-pamatkove-pece-a-cestovniho-ruchu"],
    "Odbor regionální rozvoje, evropských projektů a územního plánování": ORGANISATION[
        "odbor-regionalniho-rozvoje-evropskych-projektu-a-uzemniho-planovani"
    ],
    "Odbor informatiky": ORGANISATION["odbor-informatiky"],
    "Rezort ekonomiky, správy majetku a informatiky": ORGANISATION["rezort-ekonomiky-spravy-majetku-a-informatiky"],
    "Odbor zdravotnictví": ORGANISATION["odbor-zdravotnictvi"],
    "Odbor životního prostředí a zemědělství": ORGANISATION["odbor-zivotniho-prostredi-a-zemedelstvi"],
    "Odbor investic a správy nemovitého majetku": ORGANISATION["odbor-investic-a-spravy-nemoviteho-majetku"],
}

SBER, PODPORA, EVID = (
    "SBĚR DOPRAVNÍCH DAT",
    "PODPORA CHYTRÝCH PODNIKATELSKÝCH ŘEŠENÍ",
    "EVIDENČNÍ SYSTÉM SBÍRKOVÝCH PŘEDMĚTŮ",
)
PORTAL, ICT, VODA, ENERG = (
    "INFORMAČNÍ A DATOVÝ PORTÁL",
    "ICT INFRASTRUKTURA",
    "HOSPODAŘENÍ S VODOU",
    "ENERGETICKÝ MANAGEMENT",
)
KYBER = "ELEKTRONICKÁ KOMUNIKACE A KYBERBEZPEČNOST"
DOP, KUL, RR, INF = (
    "Odbor dopravy",
    "Odbor kultury, památkové péče a cestovního ruchu",
    "Odbor regionální rozvoje, evropských projektů a územního plánování",
    "Odbor informatiky",
)
REZ, ZDR, ZP, INV = (
    "Rezort ekonomiky, správy majetku a informatiky",
    "Odbor zdravotnictví",
    "Odbor životního prostředí a zemědělství",
    "Odbor investic a správy nemovitého majetku",
)

# What ends each row in the seed after its numbers: (area, guarantor, flagship, note) as printed.
ROW_TAILS = {
    1: ("Doparava", DOP, SBER, "cca 1,5 mil. Kč - 1 meteohláška"),
    2: ("Doparava", DOP, SBER, "0,3mil.Kč - 1 zastávkový informační systém"),
    3: ("Doparava", DOP, SBER, "20mil.Kč realizace - 5mil. provoz"),
    4: ("Doparava", DOP, SBER, None),
    5: ("Doparava", DOP, SBER, None),
    6: ("Doparava", DOP, SBER, "3 roky realizace + 3 roky provoz"),
    7: ("ER + CR", KUL, EVID, "3 roky realizace + 10-15let digitalizace sbírek"),
    8: ("ER + CR", KUL, PODPORA, None),
    9: ("ER + CR", RR, PODPORA, None),
    10: ("ER + CR", INF, PORTAL, None),
    11: ("ER + CR", REZ, ICT, None),
    12: ("ER + CR", KUL, PODPORA, None),
    13: ("ER + CR", KUL, PODPORA, None),
    14: ("ER + CR", KUL, ICT, None),
    15: ("ER + CR", KUL, PODPORA, None),
    16: ("ER + CR", RR, PODPORA, None),
    17: ("Zdravotnictví", None, None, None),
    18: ("Zdravotnictví", INF, KYBER, None),
    19: ("Zdravotnictví", ZDR, None, None),
    20: ("Zdravotnictví", ZDR, None, None),
    21: ("Zdravotnictví", ZDR, PODPORA, None),
    22: ("Zdravotnictví", ZDR, PODPORA, None),
    23: ("Životní prostředí", ZP, PORTAL, None),
    24: ("Životní prostředí", ZP, PORTAL, None),
    25: ("Životní prostředí", ZP, PORTAL, None),
    26: ("Životní prostředí", ZP, PORTAL, None),
    27: ("Životní prostředí", ZP, PORTAL, None),
    28: ("Životní prostředí", None, None, "Okolí KÚ"),
    29: ("Životní prostředí", ZP, PODPORA, None),
    30: ("Životní prostředí", ZP, VODA, None),
    31: ("Životní prostředí", None, None, None),
    32: ("Životní prostředí", None, None, None),
    33: ("Vzdělávání", None, None, "25mil.Kč / 1 projekt"),
    34: ("Vzdělávání", None, None, "10tis.Kč/1rok"),
    35: ("Vzdělávání", None, None, None),
    36: ("Vzdělávání", None, None, None),
    37: ("Vzdělávání", None, None, None),
    38: ("Veřejná správa", None, None, None),
    39: ("Veřejná správa", None, None, "Budova D"),
    40: ("Veřejná správa", None, None, None),
    41: ("Veřejná správa", None, None, None),
    42: ("Veřejná správa", None, None, None),
    43: ("Sociální", None, None, None),
    44: ("Sociální", None, None, None),
    45: ("Energetický management", INV, ENERG, None),
    46: ("Energetický management", INV, ENERG, None),
    47: ("Chytrá řešení", None, PODPORA, None),
    48: ("Hospodaření s vodou", INV, VODA, None),
    49: ("Životní prostředí", None, PODPORA, None),
    50: ("Zdravotnictví", ZDR, PODPORA, None),
    51: ("Energetický management", INV, ENERG, None),
    52: ("Hospodaření s vodou", INV, VODA, None),
    53: ("Hospodaření s vodou", INV, VODA, None),
}

NUMBER = re.compile(r"^\d+(,\d+)?$")


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def nospace(text: str) -> str:
    return re.sub(r"\s+", "", text)


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))


def strip_suffix_ignoring_spaces(body: str, suffix: str) -> str:
    """Remove `suffix` from the end of `body`, comparing without whitespace; fail if it is not there."""
    target = nospace(suffix)
    assert nospace(body).endswith(target), f"row does not end with {suffix!r}: …{body[-120:]!r}"
    count, index = 0, len(body)
    while count < len(target):
        index -= 1
        if not body[index].isspace():
            count += 1
    return body[:index].rstrip()


def mil_to_czk(printed: str) -> Decimal:
    return Decimal(printed.replace(",", ".")) * 1_000_000


@pytest.fixture(scope="module")
def seed(seeds) -> str:
    return seeds[SEED]


@pytest.fixture(scope="module")
def stack_text(seed) -> str:
    start = seed.index("SMART - zásobníku projektů do roku 2026")
    end = seed.index("FINANČNÍ PLNĚNÍ VLAJKOVÝCH PROJEKTŮ", start)
    return seed[start:end]


@pytest.fixture(scope="module")
def legend(stack_text) -> dict[int, str]:
    found = re.findall(r"^([1-4]) - (.+?)\s*$", stack_text, re.M)
    return {int(code): meaning for code, meaning in found}


@pytest.fixture(scope="module")
def rows(stack_text) -> dict[int, str]:
    """Row number -> the row's text (whitespace squashed, number and area included)."""
    lines = [line.strip() for line in stack_text.splitlines() if line.strip()]
    skip = re.compile(
        r"^([1-4] - |„Chytřejší kraj“ pro Liberecký kraj / |P\.č\.:|SMART - zásobníku|CELKEM |Nové projekty$)"
    )
    lines = [line for line in lines if not skip.match(line)]
    areas = sorted(AREAS, key=len, reverse=True)

    def starts_row(i: int, n: int) -> bool:
        line = lines[i]
        if line == str(n):
            return i + 1 < len(lines) and any(lines[i + 1].startswith(a + " ") for a in areas)
        return any(line.startswith(f"{n} {a} ") for a in areas)

    starts, i, n = [], 0, 1
    while True:
        while i < len(lines) and not starts_row(i, n):
            i += 1
        if i == len(lines):
            break
        starts.append((n, i))
        i, n = i + 1, n + 1
    bounds = [*starts, (None, len(lines))]
    return {num: squash(" ".join(lines[a:b])) for (num, a), (_, b) in itertools.pairwise(bounds)}


@pytest.fixture(scope="module")
def parsed(rows) -> dict[int, dict]:
    """Values read from the seed row by row: area, status, cost, duration, guarantor, flagship, note."""
    out = {}
    for n, text in rows.items():
        area, guarantor, flagship, note = ROW_TAILS[n]
        prefix = f"{n} {area} "
        assert text.startswith(prefix), f"row {n} does not start with {prefix!r}: {text[:80]!r}"
        body = text[len(prefix) :]
        tail = " ".join(part for part in (guarantor, flagship, note) if part)
        body = strip_suffix_ignoring_spaces(body, tail) if tail else body
        tokens = body.split()
        run = []
        # A word right after the numbers stands in the last column, "Doba realizace (roky)".
        word = tokens.pop() if len(tokens) > 1 and not NUMBER.match(tokens[-1]) and NUMBER.match(tokens[-2]) else None
        while tokens and NUMBER.match(tokens[-1]):
            run.insert(0, tokens.pop())
        assert 1 <= len(run) <= 3 and run[0] in {"1", "2", "3", "4"}, f"row {n}: numbers {run!r} in {body!r}"
        status, rest = run[0], run[1:]
        if word is not None:
            # a word is no number of years: the row's status in words, and the row has no duration
            assert len(rest) <= 1, f"row {n}: a word after a duration: {body!r}"
            cost, duration, status_word = (rest[0] if rest else None), None, word
        else:
            cost, duration = ([*rest, None, None])[:2] if len(rest) == 2 else (None, rest[0] if rest else None)
            status_word = None
        out[n] = dict(
            area=area,
            status=int(status),
            cost=cost,
            duration=duration,
            status_word=status_word,
            guarantor=guarantor,
            flagship=flagship,
            note=note,
            text=" ".join(tokens),
        )
    return out


def entry(n: int) -> URIRef:
    return SOLUTION[f"lk-zasobnik-{n:02d}"]


def test_the_stack_has_53_entries_as_the_report_says(seed, rows, catalogue):
    stated = int(re.search(r"Zásobník projektů nyní čítá na (\d+) záznamů", seed).group(1))
    assert stated == 53
    assert sorted(rows) == list(range(1, stated + 1))
    in_graph = {
        s for s in catalogue.subjects(RDF.type, KCS.SmartSolution) if str(s).startswith(str(SOLUTION["lk-zasobnik-"]))
    }
    assert in_graph == {entry(n) for n in range(1, stated + 1)}


def test_status_legend_is_the_printed_one(legend, catalogue):
    assert sorted(legend) == [1, 2, 3, 4]
    scheme = DESCRIPTOR["stav-projektu"]
    assert (scheme, RDF.type, SKOS.ConceptScheme) in catalogue
    for code, meaning in legend.items():
        concept = DESCRIPTOR[f"stav-projektu-{code}"]
        assert (concept, RDF.type, KCS.Descriptor) in catalogue
        assert set(catalogue.objects(concept, SKOS.notation)) == {Literal(str(code))}
        assert set(catalogue.objects(concept, SKOS.prefLabel)) >= {Literal(meaning, lang="cs")}
        assert [l for l in catalogue.objects(concept, SKOS.prefLabel) if l.language == "cs"] == [
            Literal(meaning, lang="cs")
        ]
        assert (concept, SKOS.inScheme, scheme) in catalogue


def test_costs_of_rows_1_to_44_sum_to_the_printed_total(stack_text, parsed, catalogue):
    total = Decimal(re.search(r"CELKEM ([\d,]+) mil\. Kč", stack_text).group(1).replace(",", "."))
    from_seed = sum(Decimal(parsed[n]["cost"].replace(",", ".")) for n in range(1, 45) if parsed[n]["cost"])
    assert from_seed == total
    from_graph = sum(Decimal(str(catalogue.value(entry(n), KCS.costCZK) or 0)) for n in range(1, 45))
    assert from_graph == total * 1_000_000


@pytest.mark.parametrize("n", range(1, 54))
def test_stack_row_matches_the_seed(n, parsed, catalogue):
    row, s = parsed[n], entry(n)
    assert (s, RDF.type, KCS.SmartSolution) in catalogue
    assert list(catalogue.objects(s, KCS.stackNumber)) == [Literal(n)]
    assert list(catalogue.objects(s, KCS.area)) == [AREAS[row["area"]]]
    assert list(catalogue.objects(s, KCS.status)) == [DESCRIPTOR[f"stav-projektu-{row['status']}"]]
    costs = [c.toPython() for c in catalogue.objects(s, KCS.costCZK)]
    assert costs == ([mil_to_czk(row["cost"])] if row["cost"] else []), f"row {n} cost"
    assert all(
        c.datatype == URIRef("http://www.w3.org/2001/XMLSchema#decimal") for c in catalogue.objects(s, KCS.costCZK)
    )
    durations = [str(d) for d in catalogue.objects(s, KCS.duration)]
    assert durations == ([row["duration"]] if row["duration"] else []), f"row {n} duration"
    if row["status_word"]:
        assert Literal(row["status_word"], lang="cs") in set(catalogue.objects(s, KCS.statusNote)), f"row {n} status"
    guarantors = set(catalogue.objects(s, KCS.guarantor))
    assert guarantors == ({GUARANTORS[row["guarantor"]]} if row["guarantor"] else set())
    flagships = set(catalogue.objects(s, KCS.partOfFlagship))
    assert flagships == ({FLAGSHIPS[row["flagship"]]} if row["flagship"] else set())
    notes = {str(x) for x in catalogue.objects(s, SKOS.note)}
    if row["note"]:
        assert row["note"] in notes
    assert (s, KCS.place, PLACE["liberecky-kraj"]) in catalogue
    # the description is text of this very row (compared without whitespace: PDF line breaks mended)
    descriptions = list(catalogue.objects(s, DCTERMS.description))
    assert len(descriptions) == 1 and descriptions[0].language == "cs"
    assert nospace(str(descriptions[0])) in nospace(row["text"]), f"row {n} description not in the row"
    labels = [l for l in catalogue.objects(s, SKOS.prefLabel) if l.language == "cs"]
    assert len(labels) == 1


@pytest.mark.parametrize("n", range(1, 54))
def test_stack_label_is_printed_in_the_seed(n, seed, catalogue):
    label = str(catalogue.value(entry(n), SKOS.prefLabel))
    assert nospace(label) in nospace(seed)


def test_guarantors_carry_the_printed_name(catalogue):
    for printed, org in GUARANTORS.items():
        assert (org, RDF.type, KCS.Organisation) in catalogue
        names = {str(x) for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel) for x in catalogue.objects(org, p)}
        assert printed in names


def test_new_areas_are_labelled_as_printed(catalogue):
    for printed in NEW_AREAS:
        concept = AREAS[printed]
        assert (concept, RDF.type, KCS.Descriptor) in catalogue
        assert catalogue.value(concept, SKOS.prefLabel) == Literal(printed, lang="cs")


def test_the_ten_towns_surveyed(seed, catalogue):
    start = seed.index("2.2. Projekty SMART v regionu")
    section = seed[start : seed.index("2.3. Náměty na nové SMART projekty", start)]
    count = int(re.search(r"Celkem bylo osloveno (\d+) měst", section).group(1))
    towns = re.findall(r"^• Město (.+?)\s*$", section, re.M)
    assert count == 10 and len(towns) == count
    region = PLACE["liberecky-kraj"]
    assert "Statutární město Liberec" not in section  # so the council is organisation:mesto-liberec
    for town in towns:
        slug = fold(town).replace(" ", "-")
        org, place = ORGANISATION[f"mesto-{slug}"], PLACE[slug]
        assert (org, RDF.type, KCS.Organisation) in catalogue, town
        assert [l for l in catalogue.objects(org, SKOS.prefLabel) if l.language == "cs"] == [
            Literal(f"Město {town}", lang="cs")
        ]
        assert list(catalogue.objects(org, KCS.place)) == [place]
        assert (place, RDF.type, KCS.Place) in catalogue
        assert [l for l in catalogue.objects(place, SKOS.prefLabel) if l.language == "cs"] == [Literal(town, lang="cs")]
        assert (place, DCTERMS.isPartOf, region) in catalogue
        assert any("srpna" in str(n) for n in catalogue.objects(org, SKOS.note)), town


def test_the_two_new_healthcare_ideas(seed, catalogue):
    start = seed.index("2.3. Náměty na nové SMART projekty")
    section = seed[start : seed.index("3. Koordinace jednotlivých vlajkových projektů", start)]
    ideas = re.findall(r"^• (.+?) – ", section, re.M)
    assert len(ideas) == 2 and "dva nové náměty" in section
    for name in ideas:
        found = [
            s
            for s in catalogue.subjects(SKOS.prefLabel, Literal(name, lang="cs"))
            if (s, RDF.type, KCS.SmartSolution) in catalogue
        ]
        assert len(found) == 1, name
        idea = found[0]
        assert (idea, KCS.place, PLACE["liberecky-kraj"]) in catalogue
        assert catalogue.value(idea, KCS.status) is None
        description = str(catalogue.value(idea, DCTERMS.description))
        assert squash(description) in squash(section)
        assert any("2021" in str(x) for p in (SKOS.note, KCS.plannedActivity) for x in catalogue.objects(idea, p))
    # KNL is never expanded in the seed, so it keeps its printed label
    assert "Krajská nemocnice Liberec (KNL)" not in seed
    assert catalogue.value(ORGANISATION["knl"], SKOS.prefLabel) == Literal("KNL", lang="cs")


def test_every_resource_in_these_files_cites_seed_002(catalogue):
    subjects = {entry(n) for n in range(1, 54)} | set(GUARANTORS.values()) | {AREAS[a] for a in NEW_AREAS}
    subjects |= {DESCRIPTOR[f"stav-projektu-{c}"] for c in range(1, 5)} | {DESCRIPTOR["stav-projektu"]}
    for s in subjects:
        files = {str(catalogue.value(ref, KCS.seedFile)) for ref in catalogue.objects(s, DCTERMS.source)}
        assert SEED in files, s
