"""The Liberec Region concept and its 9 flagship projects, checked against seed 002.

Seed: 002_46e3fac40e81357b.txt, the annual report 2020 of "Koncepce Chytřejší kraj pro Liberecký
kraj". Data: catalogue/data/liberec-region-concept.ttl and catalogue/data/liberec-flagships.ttl.

The tests read the facts from the seed text itself (the flagship table of section 3, the project
cards, the indicator cards of annex 1 and the funding blocks of annex 3) and compare them with the
graph, so a broken fact in the Turtle, or a fact the seed does not print, makes them fail.
"""

# The expected values below are verbatim sentences of the seed and cannot be wrapped.

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

from tests.conftest import CATALOGUE_DATA

SEED = "002_46e3fac40e81357b.txt"
MY_FILES = ("liberec-region-concept.ttl", "liberec-flagships.ttl")

KCS = Namespace("https://w3id.org/kcs/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
BASE = "https://w3id.org/kcs/id/"
SOL = Namespace(BASE + "solution/")
GOAL = Namespace(BASE + "goal/")
IND = Namespace(BASE + "indicator/")
PROG = Namespace(BASE + "programme/")
PLACE = Namespace(BASE + "place/")
ORGN = Namespace(BASE + "organisation/")
STRATEGY = Namespace(BASE + "strategy/")
REAL = Namespace(BASE + "realisation/")

# --------------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------------

_RUNNING_HEADERS = (
    "mailto:",
    "„Chytřejší kraj“ pro Liberecký kraj /",
    "VÝROČNÍ ZPRÁVA 2020 - PŘÍLOHA ČÍSLO",
)


def clean(text: str, keep_bullets: bool = False) -> str:
    """The seed as running text: page furniture dropped, PDF line breaks mended, spaces collapsed."""
    text = re.sub(r"CHYTŘEJŠÍ LIBERECKÝ KRAJ – PROJEKTOVÁ FIŠE\s+ICT INFRASTRUKTURA", " ", text)
    lines = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith(_RUNNING_HEADERS) or re.fullmatch(r"\d+", stripped):
            continue
        lines.append(line)
    text = " ".join(lines)
    if not keep_bullets:
        text = text.replace("◼", " ").replace("•", " ")
    return re.sub(r"\s+", " ", text).strip()


def ws(text: str) -> str:
    """Whitespace and bullets normalised, for comparing a literal with the cleaned seed."""
    return re.sub(r"\s+", " ", text.replace("•", " ")).strip()


def fold(text: str) -> str:
    return ws(text).casefold()


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def between(text: str, start: str, end: str | None, after: int = 0) -> str:
    i = text.index(start, after)
    j = text.index(end, i + len(start)) if end else len(text)
    return text[i:j]


@pytest.fixture(scope="module")
def raw(seeds: dict[str, str]) -> str:
    return seeds[SEED]


@pytest.fixture(scope="module")
def text(raw: str) -> str:
    return clean(raw)


@pytest.fixture(scope="module")
def body(raw: str) -> str:
    """Section 3 (flagship table and project cards), with the ◼ bullets kept."""
    t = clean(raw, keep_bullets=True)
    end = "4. Monitoring a vyhodnocení akčního plánu 4.1."
    return between(t, "Celkem je v Akčním plánu vymezeno 9", end)


@pytest.fixture(scope="module")
def annex1(text: str) -> str:
    return between(text, "Sběr dopravních dat Instituce", "SMART - zásobníku projektů do roku 2026")


@pytest.fixture(scope="module")
def annex3(text: str) -> str:
    return between(text, "FINANČNÍ PLNĚNÍ VLAJKOVÝCH PROJEKTŮ SBĚR DOPRAVNÍCH DAT", None)


@pytest.fixture(scope="module")
def mine() -> Graph:
    graph = Graph()
    for name in MY_FILES:
        graph.parse(Path(CATALOGUE_DATA) / name, format="turtle")
    return graph


def label(graph: Graph, node: URIRef) -> str:
    labels = [o for o in graph.objects(node, SKOS.prefLabel) if isinstance(o, Literal) and o.language == "cs"]
    assert len(labels) == 1, f"{node} must have exactly one prefLabel@cs, has {labels}"
    return str(labels[0])


def labels(graph: Graph, node: URIRef) -> set[str]:
    return {fold(str(o)) for p in (SKOS.prefLabel, SKOS.altLabel) for o in graph.objects(node, p)}


def strings(graph: Graph, node: URIRef, prop: URIRef) -> set[str]:
    return {ws(str(o)) for o in graph.objects(node, prop)}


# --------------------------------------------------------------------------------------------
# What the seed prints for each flagship (strings exactly as printed, read back from the seed)
# --------------------------------------------------------------------------------------------

# key: (row of the table in section 3 as printed "OBLAST PROJEKT CÍL",
#       project card header in section 3 or None,
#       annex-1 card title, annex-1 guarantor, annex-1 implementer,
#       guarantor as the graph labels it, implementer as the graph labels it, annex-3 heading)
FLAGSHIPS = {
    "lk-sber-dopravnich-dat": (
        ("DOPRAVA", "SBĚR DOPRAVNÍCH DAT", "UŠETŘIT"),
        ("Sběr dopravních dat", "UŠETŘIT", "DOPRAVA", "ODBOR DOPRAVY LK", "KORID LK"),
        ("Sběr dopravních dat", "Odbor dopravy", "KORID LK"),
        "ODBOR DOPRAVY LK",
        "KORID LK",
        "SBĚR DOPRAVNÍCH DAT",
    ),
    "lk-podpora-chytrych-podnikatelskych-reseni": (
        ("EKONOMICKÝ ROZVOJ A CESTOVNÍ RUCH", "PODPORA CHYTRÝCH PODNIKATELSKÝCH ŘEŠENÍ", "ZLEPŠIT"),
        (
            "Podpora chytrých podnikatelských řešení",
            "ZLEPŠIT",
            "EKONOMICKÝ ROZVOJ A CESTOVNÍ RUCH",
            "ODBOR REGIONÁLNÍHO ROZVOJE, EVROPSKÝCH PROJEKTŮ A ÚZEMNÍHO PLÁNOVÁNÍ",
            "ARR s.r.o.",
        ),
        (
            "Podpora chytrých podnikatelských řešení",
            "Odbor regionálního rozvoje, evropských projektů a územního plánování",
            "ARR s.r.o.",
        ),
        "ODBOR REGIONÁLNÍHO ROZVOJE, EVROPSKÝCH PROJEKTŮ A ÚZEMNÍHO PLÁNOVÁNÍ",
        "ARR s.r.o.",
        "PODPORA CHYTRÝCH PODNIKATELSKÝCH ŘEŠENÍ",
    ),
    "lk-evidencni-system-sbirkovych-predmetu": (
        ("EKONOMICKÝ ROZVOJ A CESTOVNÍ RUCH", "EVIDENČNÍ SYSTÉM SBÍRKOVÝCH PŘEDMĚTŮ", "ZLEPŠIT"),
        None,  # no project card in section 3: the project runs outside the action plan
        (
            "Evidenční systém sbírkových předmětů",
            "Odbor kultury, památkové péče a cestovního ruchu",
            "Odbor kultury, památkové péče a cestovního ruchu",
        ),
        "Odbor kultury, památkové péče a cestovního ruchu",
        "Odbor kultury, památkové péče a cestovního ruchu",
        "EVIDENČNÍ SYSTÉM SBÍRKOVÝCH PŘEDMĚTŮ / NEREALIZOVÁNO",
    ),
    "lk-energeticky-management": (
        ("ŽIVOTNÍ PROSTŘEDÍ", "ENERGETICKÝ MANAGEMENT", "UŠETŘIT"),
        (
            "Energetický management",
            "UŠETŘIT",
            "ŽIVOTNÍ PROSTŘEDÍ",
            "ODBOR INVESTIC A SPRÁVY NEMOVITÉHO MAJETKU",
            "ODBOR INVESTIC A SPRÁVY NEMOVITÉHO MAJETKU",
        ),
        (
            "Energetický management",
            "Odbor investic a správy nemovitého majetku",
            "Odbor investic a správy nemovitého majetku",
        ),
        "ODBOR INVESTIC A SPRÁVY NEMOVITÉHO MAJETKU",
        "ODBOR INVESTIC A SPRÁVY NEMOVITÉHO MAJETKU",
        "ENERGETICKÝ MANAGEMENT",
    ),
    "lk-hospodareni-s-vodou": (
        ("ŽIVOTNÍ PROSTŘEDÍ", "HOSPODAŘENÍ S VODOU", "UŠETŘIT"),
        (
            "Hospodaření s vodou",
            "UŠETŘIT",
            "ŽIVOTNÍ PROSTŘEDÍ",
            "ODBOR INVESTIC A SPRÁVY NEMOVITÉHO MAJETKU",
            "ODBOR INVESTIC A SPRÁVY NEMOVITÉHO MAJETKU",
        ),
        (
            "Hospodaření s vodou",
            "Odbor investic a správy nemovitého majetku",
            "Odbor investic a správy nemovitého majetku",
        ),
        "ODBOR INVESTIC A SPRÁVY NEMOVITÉHO MAJETKU",
        "ODBOR INVESTIC A SPRÁVY NEMOVITÉHO MAJETKU",
        "HOSPODAŘENÍ S VODOU",
    ),
    # The card in section 3 misprints the guarantor as "ODBOR ŠKOLTSVÍ, ..."; the graph follows
    # annex 1, which the test checks too.
    "lk-centrum-kyberneticke-bezpecnosti": (
        (
            "VZDĚLÁVÁNÍ",
            "ADAPTACE NA TRH PRÁCE V DIGITÁLNÍ EKONOMICE: ZŘÍZENÍ CENTRA PRO KYBERNETIKOU BEZPEČNOST",
            "ZLEPŠIT",
        ),
        (
            "Adaptace na trh práce v digitální ekonomice",
            "ZLEPŠIT",
            "VZDĚLÁVÁNÍ",
            "ODBOR ŠKOLTSVÍ, MLÁDEŽE, TĚLOVÝCHOVY A SPORTU",
            "STŘEDNÍ PRŮMYSLOVÁ ŠKOLA STROJNÍ A ELEKTROTECHNICKÁ A VYŠŠÍ ODBORNÁ ŠKOLA LIBEREC",
        ),
        (
            "Adaptace na trh práce v digitální ekonomice",
            "Odbor školství, mládeže, tělovýchovy a sportu",
            "Střední průmyslová škola strojní a elektrotechnická a Vyšší odborná škola, Liberec",
        ),
        "Odbor školství, mládeže, tělovýchovy a sportu",
        "Střední průmyslová škola strojní a elektrotechnická a Vyšší odborná škola, Liberec",
        "ADAPTACE NA TRH PRÁCE V DIGITÁLNÍ EKONOMICE",
    ),
    "lk-elektronicka-komunikace-a-kyberbezpecnost": (
        ("VEŘEJNÁ SPRÁVA", "ELEKTRONICKÁ KOMUNIKACE A KYBERBEZPEČNOST", "UŠETŘIT"),
        (
            "Elektronická komunikace a kyberbezpečnost",
            "UŠETŘIT",
            "VEŘEJNÁ SPRÁVA",
            "ODBOR INFORMATIKY",
            "ODBOR INFORMATIKY",
        ),
        ("Elektronická komunikace a kyberbezpečnost", "Odbor informatiky", "Odbor informatiky"),
        "ODBOR INFORMATIKY",
        "ODBOR INFORMATIKY",
        "ELEKTRONICKÁ KOMUNIKACE A KYBERBEZPEČNOST",
    ),
    "lk-informacni-a-datovy-portal": (
        ("VEŘEJNÁ SPRÁVA", "INFORMAČNÍ A DATOVÝ PORTÁL", "ZRYCHLIT"),
        (
            "Informační a datový portál",
            "ZRYCHLIT",
            "VEŘEJNÁ SPRÁVA",
            "ODBOR INFORMATIKY",
            "ODBOR INFORMATIKY",
        ),
        ("Informační a datový portál", "Odbor informatiky", "Odbor informatiky"),
        "ODBOR INFORMATIKY",
        "ODBOR INFORMATIKY",
        "INFORMAČNÍ A DATOVÝ PORTÁL",
    ),
    "lk-ict-infrastruktura": (
        (
            "TECHNICKÁ A DATOVÁ INFRASTRUKTURA A ODOLNOST",
            "ICT INFRASTRUKTURA",
            "ZRYCHLIT / ZLEPŠIT / UŠETŘIT",
        ),
        (
            "ICT Infrastruktura",
            "ZRYCHLIT/ZLEPŠIT/UŠETŘIT",
            "TECHNICKÁ A DATOVÁ INFRASTRUKTURA A ODOLNOST",
            "ODBOR INFORMATIKY",
            "ODBOR INFORMATIKY",
        ),
        ("ICT Infrastruktura", "Odbor informatiky", "Odbor informatiky"),
        "ODBOR INFORMATIKY",
        "ODBOR INFORMATIKY",
        "ICT INFRASTRUKTURA",
    ),
}

ANNEX3_ORDER = [v[5] for v in FLAGSHIPS.values()]


def card(body: str, header: tuple[str, ...]) -> str:
    """One project card of section 3, from its header up to the next card or the section end."""
    title, goal, area, guarantor, implementer = header
    start = f"◼ {title} {goal} {area} GARANT PROJEKTU: {guarantor} NOSITEL PROJEKTU: {implementer} ◼ POPIS PROJEKTU"
    i = body.index(start)
    nxt = re.search(r"◼ [^◼]+? GARANT PROJEKTU:", body[i + len(start) :])
    return body[i : i + len(start) + nxt.start()] if nxt else body[i:]


def bullets(segment: str, start: str, end: str | None) -> list[str]:
    part = segment.split(start, 1)[1]
    if end:
        part = part.split(end, 1)[0]
    return [ws(b) for b in part.split("◼") if ws(b)]


def annex1_card(annex1: str, title: str) -> str:
    i = annex1.index(f"{title} Instituce")
    j = annex1.find("Aktualizace: 11/2020", i)
    return annex1[i:j]


def annex3_block(annex3: str, heading: str) -> str:
    i = annex3.index(f"{heading} Aktivita Popis")
    later = [annex3.find(f"{h} Aktivita Popis", i + 1) for h in ANNEX3_ORDER]
    later = [k for k in later if k > i]
    return annex3[i : min(later)] if later else annex3[i:]


# --------------------------------------------------------------------------------------------
# The flagships
# --------------------------------------------------------------------------------------------


def test_exactly_nine_flagships(catalogue: Graph, body: str) -> None:
    assert "Celkem je v Akčním plánu vymezeno 9 konkrétních vlajkových projektů" in body
    flagships = set(catalogue.subjects(KCS.isFlagship, Literal(True)))
    liberec = {s for s in flagships if str(s).startswith(str(SOL) + "lk-")}
    assert liberec == {SOL[k] for k in FLAGSHIPS}
    for s in liberec:
        assert (s, RDF.type, KCS.SmartSolution) in catalogue
        assert (s, DCTERMS.isPartOf, STRATEGY["chytrejsi-liberecky-kraj-akcni-plan"]) in catalogue


@pytest.mark.parametrize("key", FLAGSHIPS)
def test_flagship_area_and_goal_as_in_the_table(key: str, catalogue: Graph, body: str) -> None:
    (area, project, goal), *_ = FLAGSHIPS[key]
    table = between(body, "OBLAST PROJEKT CÍL", "Pouze projekt")
    assert f"{area} {project} {goal}" in table
    node = SOL[key]
    assert project.casefold().startswith(fold(label(catalogue, node)))
    areas = list(catalogue.objects(node, KCS.area))
    assert len(areas) == 1 and fold(label(catalogue, areas[0])) == area.casefold()
    strategic = {
        fold(label(catalogue, g))
        for g in catalogue.objects(node, KCS.servesGoal)
        if (g, SKOS.topConceptOf, STRATEGY["chytrejsi-liberecky-kraj"]) in catalogue
    }
    assert strategic == {g.strip().casefold() for g in goal.split("/")}


@pytest.mark.parametrize("key", FLAGSHIPS)
def test_flagship_guarantor_and_implementer(key: str, catalogue: Graph, body: str, annex1: str) -> None:
    _, header, (a1_title, a1_guarantor, a1_implementer), guarantor, implementer, _ = FLAGSHIPS[key]
    if header:
        card(body, header)  # raises if the header with guarantor and implementer is not printed
        assert guarantor in header or guarantor == a1_guarantor
        assert implementer in header or implementer == a1_implementer
    a1 = annex1_card(annex1, a1_title)
    assert f"Garant {a1_guarantor} Liberecký kraj" in a1
    assert f"Nositel projektu – realizátor {a1_implementer} " in a1
    node = SOL[key]
    g = list(catalogue.objects(node, KCS.guarantor))
    i = list(catalogue.objects(node, KCS.implementer))
    assert len(g) == 1 and len(i) == 1
    assert fold(guarantor) in labels(catalogue, g[0])
    assert fold(implementer) in labels(catalogue, i[0])
    for org in (g[0], i[0]):
        assert (org, RDF.type, KCS.Organisation) in catalogue
        if label(catalogue, org).startswith("Odbor "):
            assert (org, ORG.subOrganizationOf, ORGN["liberecky-kraj"]) in catalogue


@pytest.mark.parametrize("key", [k for k, v in FLAGSHIPS.items() if v[1]])
def test_flagship_card_texts(key: str, catalogue: Graph, body: str) -> None:
    segment = card(body, FLAGSHIPS[key][1])
    description = " ".join(bullets(segment, "◼ POPIS PROJEKTU", "◼ STAV PŘÍPRAVY"))
    status = bullets(segment, "◼ STAV PŘÍPRAVY", "◼ PLÁNOVANÉ ČINNOSTI PRO ROK 2021")
    planned = bullets(segment, "◼ PLÁNOVANÉ ČINNOSTI PRO ROK 2021", None)
    node = SOL[key]
    assert strings(catalogue, node, DCTERMS.description) == {description}
    assert strings(catalogue, node, KCS.statusNote) == set(status)
    assert strings(catalogue, node, KCS.plannedActivity) == set(planned)
    assert status and planned


def test_every_flagship_has_description_status_and_plans(catalogue: Graph) -> None:
    for key in FLAGSHIPS:
        node = SOL[key]
        assert list(catalogue.objects(node, DCTERMS.description)), key
        assert list(catalogue.objects(node, KCS.statusNote)), key
        if key != "lk-evidencni-system-sbirkovych-predmetu":
            assert list(catalogue.objects(node, KCS.plannedActivity)), key


def test_evidence_system_runs_outside_the_action_plan(catalogue: Graph, text: str, annex1: str) -> None:
    node = SOL["lk-evidencni-system-sbirkovych-predmetu"]
    notes = strings(catalogue, node, KCS.statusNote)
    outside = next(n for n in notes if "mimo Akční plán" in n)
    assert outside in text
    assert "Nerealizováno" in notes and "EVIDENČNÍ SYSTÉM SBÍRKOVÝCH PŘEDMĚTŮ / NEREALIZOVÁNO" in text
    # The report prints no plan for 2021 for it: nothing may be invented.
    assert not list(catalogue.objects(node, KCS.plannedActivity))
    (description,) = strings(catalogue, node, DCTERMS.description)
    assert description in annex1_card(annex1, "Evidenční systém sbírkových předmětů")


# --------------------------------------------------------------------------------------------
# Costs and funding (annex 3)
# --------------------------------------------------------------------------------------------

COST_NOTES = {
    "lk-sber-dopravnich-dat": {
        "Aktivita 1 – náročnost cca 0,5 mil Kč",
        "Dle výsledku pak budou stanoveny finanční náročnosti zvoleného řešení, předpoklad pro LK cca 1 mil Kč vývoj + 1 mil Kč ročně provoz",
    },
    "lk-podpora-chytrych-podnikatelskych-reseni": set(),
    "lk-evidencni-system-sbirkovych-predmetu": {
        "Aktivita 1 – do 0,3 mil Kč",
        "Vlastní řešení – cca 5 -10 mil Kč. Není možno nyní odhadnout přesnější objem finančních prostředků.",
    },
    "lk-energeticky-management": {
        "Aktivita 1 – náročnost cca 0,5 mil Kč ze zdrojů LK",
        "Celkovou finanční náročnost není možné v současné době stanovit.",
        "Mimo nutné stavební úpravy nebo pořízení vytápěcích systémů a rozvodů se odhaduje náklad na pořízení technologie do 1 objektu cca 1-2 mil Kč",
    },
    "lk-hospodareni-s-vodou": {
        "Aktivita 1 – náročnost cca 0,5 mil Kč ze zdrojů LK",
        "Celkovou finanční náročnost není možné v současné době stanovit. Na základě jediné zkušenosti s obchodní akademií v České Lípě, lze průměrně uvažovat o nákladech cca 5 mil Kč na akci, přičemž přibližně polovina činí náklady na technologii a polovina na stavební úpravy).",
    },
    "lk-centrum-kyberneticke-bezpecnosti": {
        "Aktivita 1 – náročnost cca 0,5 mil Kč ze zdrojů LK",
        "Aktivity 2-4: dle zkušeností Smíchovské střední průmyslové školy v Praze by náklady na vybudování centra pro výuku kybernetické bezpečnosti mohly činit ca 3-5 milionů Kč (v závislosti na vybavení učebny, potřebných serverů, software a i na množství požadovaných „pracovišť“). Odhad provozu centra by mohl činit ca 1 milion Kč ročně (včetně nákladů na vyučující, lektory, aktualizace a údržbu software i hardware)",
    },
    "lk-elektronicka-komunikace-a-kyberbezpecnost": {
        "Sledování a zavádění agend elektronizace v řádu stovek tisíc (zveřejnění oběhu dokumentů veřejnosti se odhaduje na cca 0,5 mil Kč).",
        "Kyberbezpečnostní opatření i v řádu milionů Kč v závislosti na míru a spolehlivost řešení pro ochranu a prevenci a rizika spojená se ztrátou dat nebo kyber-útoky.",
    },
    "lk-informacni-a-datovy-portal": {
        "Aktivita 1 – pořízení předpoklad cca do 0,5 mil Kč (pokud budou využity externí subjekty)",
        "Provoz a správa portálu 0,5 mil. Kč / rok (aktualizace, údržba, zabezpečení)",
    },
    "lk-ict-infrastruktura": {
        "Náklady na datového analytika 1 FTE / 800 000 Kč dle expertizy a ambicí posouvat agendu dál (zda-li „jen“ nákup IT expertů nebo i leadership a vytváření týmu s dlouhodobě rozvíjenou kompetencí), pak násobek FTE",
        "Pořízení HW a SW – souvisí s navrženým vlastním řešením (pořízení vlastních prostor nebo sdílených apod.) – vyplyne z aktivity č. 1",
        "provozní náklady (HW + SW) 0,5 mil Kč ročně",
    },
}

FUNDING = {
    "lk-sber-dopravnich-dat": (
        {"irop-ii": "IROP II"},
        {"Liberecký kraj dále dle dalšího programového období (IROP II)"},
    ),
    "lk-podpora-chytrych-podnikatelskych-reseni": (
        {"op-pik": "OP PIK"},
        {
            "Prostředky SALK II na přípravu a designování programu",
            "Liberecký kraj – cca 2 mil. Kč / rok",
            "Zapojení privátních financí (velké firmy, PPP projekty)",
            "OP PIK 2021+ (RIS 3 – Smart Akcelerátor v dalším programovém období)",
        },
    ),
    "lk-evidencni-system-sbirkovych-predmetu": (
        {"irop-ii": "IROP II"},
        {"Liberecký kraj, dále dle dalšího programovacího období (IROP II)"},
    ),
    "lk-energeticky-management": (
        {"opzp": "OPŽP"},
        {
            "Liberecký kraj, případně do konce roku 2020 OPŽP. Předpokládá se v dalším programovém období možnost podpory na tyto typy projektů."
        },
    ),
    "lk-hospodareni-s-vodou": (
        {"opzp": "OPŽP"},
        {
            "Liberecký kraj, případně do konce roku 2020 OPŽP. Předpokládá se v dalším programovém období možnost podpory na tyto typy projektů."
        },
    ),
    "lk-centrum-kyberneticke-bezpecnosti": (
        {"op-jak": "OP JAK", "erasmus-plus": "Erasmus+", "irop-ii": "IROP"},
        {
            "Liberecký kraj, dále dle dalšího programového období – OP JAK, Erasmus+, IROP",
            "Soukromé zdroje zainteresovaných firem",
        },
    ),
    "lk-elektronicka-komunikace-a-kyberbezpecnost": (
        {},
        {"Liberecký kraj", "Dále dle dalšího programovacího období."},
    ),
    "lk-informacni-a-datovy-portal": (
        {"irop-ii": "IROP II"},
        {"Liberecký kraj, případně v dalším programovém období pravděpodobně budoucí IROP II"},
    ),
    "lk-ict-infrastruktura": (
        {},
        {
            "Liberecký kraj",
            "Externí zdroje financování (ESIF, TA ČR), případně dle dalšího programového období.",
        },
    ),
}


@pytest.mark.parametrize("key", FLAGSHIPS)
def test_costs_as_printed(key: str, catalogue: Graph, annex3: str) -> None:
    block = annex3_block(annex3, FLAGSHIPS[key][5])
    # Annex 3 prints only 0,00 Kč as the financial fulfilment for 2020 and no total cost of a flagship.
    fulfilment = block.split("Finanční zdroje", 1)[0]
    assert set(re.findall(r"\d+,\d\d Kč", fulfilment)) == {"0,00 Kč"}
    assert not list(catalogue.objects(SOL[key], KCS.costCZK))
    notes = {n for n in strings(catalogue, SOL[key], SKOS.note)}
    assert notes == COST_NOTES[key]
    sources = block.split("Finanční zdroje", 1)[1]
    for note in notes:
        assert note in sources, note


def test_the_traffic_study_cost_is_printed_on_the_card(catalogue: Graph, body: str) -> None:
    status = strings(catalogue, SOL["lk-sber-dopravnich-dat"], KCS.statusNote)
    note = next(n for n in status if "0,5 mil Kč" in n)
    assert note.endswith("Předpokládaná finanční náročnost studie činí 0,5 mil Kč.")
    assert "Předpokládaná finanční náročnost studie činí 0,5 mil Kč." in body


@pytest.mark.parametrize("key", FLAGSHIPS)
def test_funding_sources_as_printed(key: str, catalogue: Graph, annex3: str) -> None:
    programmes, wording = FUNDING[key]
    sources = annex3_block(annex3, FLAGSHIPS[key][5]).split("Finanční zdroje", 1)[1]
    node = SOL[key]
    assert set(catalogue.objects(node, KCS.fundingSource)) == {PROG[p] for p in programmes}
    for slug, printed in programmes.items():
        assert printed in sources
        assert (PROG[slug], RDF.type, KCS.FundingProgramme) in catalogue
    assert strings(catalogue, node, KCS.fundingSourceNote) == wording
    for w in wording:
        assert w in sources


def test_opzp_sub_programme(catalogue: Graph, text: str) -> None:
    sub = PROG["opzp-sc-1-3-aktivita-1-3-2"]
    assert (sub, DCTERMS.isPartOf, PROG["opzp"]) in catalogue
    assert label(catalogue, sub) in text
    assert "do OPŽP, SC 1.3, aktivita 1.3.2 Hospodaření se srážkovými vodami v intravilánu" in text
    oa = REAL["lk-udrzitelne-hospodareni-s-vodou-v-obchodni-akademii-ceska-lipa"]
    assert (oa, KCS.fundingSource, sub) in catalogue


# --------------------------------------------------------------------------------------------
# Goals and indicators (annex 1)
# --------------------------------------------------------------------------------------------

CARD_RE = re.compile(
    r"Název indikátoru (?P<n>\d) (?P<name>.+?) Strategický cíl / Specifický cíl (?P<goal>.+?) "
    r"Vlajkový projekt (?P<flagship>.+?) Popis indikátoru (?P<description>.+?) Cílový stav (?P<target>.+?) "
    r"Zdroj dat (?P<source>.+?) Metodika sběru dat a vyhodnocení (?P<method>.+?) Aktualizace: (?P<updated>\S+)"
)


@pytest.fixture(scope="module")
def cards(annex1: str) -> dict[int, dict[str, str]]:
    found = {int(m["n"]): m.groupdict() for m in CARD_RE.finditer(annex1 + " Aktualizace: 11/2020")}
    assert sorted(found) == list(range(1, 10))
    return found


def test_strategic_goals(catalogue: Graph) -> None:
    scheme = STRATEGY["chytrejsi-liberecky-kraj"]
    tops = {label(catalogue, g) for g in catalogue.subjects(SKOS.topConceptOf, scheme)}
    assert tops == {"Zrychlit", "Ušetřit", "Zlepšit"}


def test_specific_goals_are_those_of_the_cards(catalogue: Graph, cards: dict[int, dict[str, str]]) -> None:
    printed = {}
    for c in cards.values():
        m = re.fullmatch(r"(\w+) (\d\.\d)\.? (.+)", c["goal"])
        if m:
            printed[m[2]] = (m[1], m[3])
        else:
            assert c["goal"] == "Zrychlit / Zlepšit / Ušetřit Všechny specifické cíle"
    assert sorted(printed) == ["1.4", "1.5", "2.1", "2.2", "3.4", "3.5", "3.6"]
    scheme = STRATEGY["chytrejsi-liberecky-kraj"]
    in_graph = {
        str(n): g
        for g, n in catalogue.subject_objects(SKOS.notation)
        if (g, SKOS.inScheme, scheme) in catalogue and (g, RDF.type, KCS.Goal) in catalogue
    }
    assert set(in_graph) == set(printed)
    for notation, (strategic, name) in printed.items():
        g = in_graph[notation]
        assert g == GOAL["lk-" + notation.replace(".", "-")]
        assert label(catalogue, g) == name
        (broader,) = catalogue.objects(g, SKOS.broader)
        assert label(catalogue, broader) == strategic


def test_indicator_cards(catalogue: Graph, cards: dict[int, dict[str, str]]) -> None:
    for n, c in cards.items():
        ind = IND[f"lk-{n}"]
        assert (ind, RDF.type, KCS.Indicator) in catalogue
        assert label(catalogue, ind) == c["name"]
        # The services grouped from the flagship's projects (services.ttl) carry its indicator too.
        (flagship,) = (s for s in catalogue.subjects(KCS.hasIndicator, ind) if (s, RDF.type, KCS.SmartSolution) in catalogue)
        assert fold(label(catalogue, flagship)) == fold(c["flagship"])
        m = re.fullmatch(r"(\w+) (\d\.\d)\.? (.+)", c["goal"])
        if m:
            g = GOAL["lk-" + m[2].replace(".", "-")]
            assert (flagship, KCS.servesGoal, g) in catalogue
            assert (ind, DCTERMS.subject, g) in catalogue
        for description in strings(catalogue, ind, DCTERMS.description):
            assert description == c["description"]
        for method in strings(catalogue, ind, KCS.method):
            assert method in c["method"]
        for frequency in strings(catalogue, ind, KCS.frequency):
            assert f"Frekvence: doporučená frekvence sběru dat – {frequency}" in c["method"]
        assert strings(catalogue, ind, SKOS.note) >= {f"Zdroj dat: {c['source']}"}
        assert c["updated"] == "11/2020"
        assert str(catalogue.value(ind, DCTERMS.modified)) == "2020-11"


TARGETS = {
    "lk-1": {
        "Počet přístupů uživatelů aplikace B2C 10 tis stažení",
        "Počet zapojených partnerů B2B 10 partnerů",
        "Počet zapojených klíčových aplikací 6 aplikací",
    },
    "lk-1-1": {"10 tis stažení"},
    "lk-1-2": {"10 partnerů"},
    "lk-1-3": {"6 aplikací"},
    "lk-2": {
        "1 podpořená / oceněná myšlenka nebo nápad v rámci nově nastaveného a spuštěného programu podpory chytrých myšlenek"
    },
    "lk-3": {
        "Poměr digitalizovaných sbírkových předmětů – pořízení systému, zapojení institucí a zahájení digitalizace sbírek ve výši 1 %",
        "V horizontu projektu dle analýzy (předpoklad 10-15 let) by měl mít indikátor „Poměr digitalizovaných sbírkových předmětů“ cílovou hodnotu plné digitalizace (100 %).",
    },
    "lk-4": {
        "2 projekčně připravené akce",
        "V časovém horizontu dle analýzy (předpoklad 15 let) – kompletní realizace na vybraných objektech nebo areálech",
    },
    "lk-5": {
        "2 projekčně připravené akce",
        "V časovém horizontu dle analýzy (předpoklad 15 let) – kompletní realizace na vybraných objektech nebo areálech",
    },
    "lk-6": {
        "Vznik juniorního centra kybernetické bezpečnosti, zahájení a odpilotování výukového programu, zapojení odborných subjektů"
    },
    "lk-7": {
        "Nárůst o min 1 % elektronických agend oproti počátečnímu stavu",
        "Předpokladem je ve výsledku podíl elektronických agend ve výši 100 % všech úkonů, u nichž neexistuje legislativní nebo jiná zásadní překážka pro vyřízení online.",
    },
    "lk-8": {
        "Funkční informační a datový portál obsahující min. 5 otevřených datových sad a rozcestník k již realizovaným aplikacím pro otevřená data (geoportál apod.) a v návaznosti na to evidence počtu přístupů a stažení."
    },
    "lk-9": {
        "Naplnění indikátoru – vytvoření a obsazení pozice datového analytika, vytvoření podmínek pro analytickou práci včetně využití multioborového zázemí. Funkční centrální datový sklad."
    },
}
ACTION_PLAN_HORIZON = "V rámci akčního plánu – po 3 letech trvání přípravy a zahájení projektu"
TARGET_DATES = {
    "lk-1": {ACTION_PLAN_HORIZON},
    "lk-1-1": {ACTION_PLAN_HORIZON},
    "lk-1-2": {ACTION_PLAN_HORIZON},
    "lk-1-3": {ACTION_PLAN_HORIZON},
    "lk-2": {ACTION_PLAN_HORIZON},
    "lk-3": {ACTION_PLAN_HORIZON, "V horizontu projektu dle analýzy (předpoklad 10-15 let)"},
    "lk-4": {ACTION_PLAN_HORIZON, "V časovém horizontu dle analýzy (předpoklad 15 let)"},
    "lk-5": {ACTION_PLAN_HORIZON, "V časovém horizontu dle analýzy (předpoklad 15 let)"},
    "lk-6": {ACTION_PLAN_HORIZON},
    "lk-7": {ACTION_PLAN_HORIZON},
    "lk-8": set(),
    "lk-9": set(),
}


@pytest.mark.parametrize("key", TARGETS)
def test_indicator_targets_as_printed(key: str, catalogue: Graph, cards: dict[int, dict[str, str]]) -> None:
    n = int(key.split("-")[1])
    target = cards[n]["target"]
    ind = IND[key]
    assert strings(catalogue, ind, KCS.targetValue) == TARGETS[key]
    assert strings(catalogue, ind, KCS.targetDate) == TARGET_DATES[key]
    for value in TARGETS[key] | TARGET_DATES[key]:
        assert value in target, value
    if key.count("-") == 2:  # a sub-indicator of card 1: its target is printed after its name
        assert (ind, DCTERMS.isPartOf, IND["lk-1"]) in catalogue
        names = labels(catalogue, ind)
        (value,) = TARGETS[key]
        assert any(f"{name} {value}".casefold() in target.casefold() for name in names)
    assert not list(catalogue.objects(ind, KCS.baseline))  # the cards print no baseline


# --------------------------------------------------------------------------------------------
# Concept, action plan, realisations
# --------------------------------------------------------------------------------------------


def test_concept_and_action_plan(catalogue: Graph, text: str) -> None:
    concept = STRATEGY["chytrejsi-liberecky-kraj"]
    plan = STRATEGY["chytrejsi-liberecky-kraj-akcni-plan"]
    assert fold(label(catalogue, concept)) in fold(text)
    (vision,) = strings(catalogue, concept, DCTERMS.description)
    assert vision.startswith("Vize zní: „V roce 2027 bude kraj efektivní organizace")
    assert vision in text
    notes = strings(catalogue, plan, SKOS.note)
    approval = next(n for n in notes if "50/20/ZK" in n)
    assert "5. 2. 2020" in approval and "25. 2. 2020" in approval and approval in text
    assert str(catalogue.value(plan, DCTERMS.dateAccepted)) == "2020-02-25"
    assert any("Chytrá města 2020" in n and "„Vize“" in n and "1 místem" in n for n in notes)
    assert any("celkem 125 záznamů" in n for n in strings(catalogue, concept, SKOS.note))
    assert (plan, DCTERMS.contributor, ORGN["arr"]) in catalogue
    # The seed links no regional goal to a goal of the national concept.
    for goal in catalogue.subjects(SKOS.inScheme, concept):
        assert not list(catalogue.objects(goal, KCS.servesGoal))


def test_areas(catalogue: Graph, text: str) -> None:
    listed = "doprava, ekonomický rozvoj a cestovní ruch, životní prostředí, vzdělávání, veřejná správa, technická a datová infrastruktura a odolnost, ostatní"
    assert listed in text
    scheme = URIRef(BASE + "descriptor/lk-oblasti")
    # Other files may add further areas (the project stack uses its own); the seven of section 1 are here.
    mine_areas = {fold(label(catalogue, d)) for d in catalogue.subjects(SKOS.topConceptOf, scheme)}
    assert set(listed.split(", ")) <= mine_areas


REALISATIONS = {
    "lk-udrzitelne-hospodareni-s-vodou-v-obchodni-akademii-ceska-lipa": (
        "lk-hospodareni-s-vodou",
        "ceska-lipa",
    ),
    "lk-fve-gymnazium-ceska-lipa": ("lk-energeticky-management", "ceska-lipa"),
    "lk-fve-gymnazium-dr-a-randy-jablonec-nad-nisou": ("lk-energeticky-management", "jablonec-nad-nisou"),
    "lk-fve-spsse-a-vos-liberec": ("lk-energeticky-management", "liberec"),
    "lk-sps-ceska-lipa-stavebni-priprava-pro-hospodareni-se-sedou-vodou": (
        "lk-hospodareni-s-vodou",
        "ceska-lipa",
    ),
    "lk-parkovaci-dum-lavka-a-kultivace-okoli-sidla-libereckeho-kraje-etapa-i": (
        "lk-hospodareni-s-vodou",
        "liberecky-kraj",
    ),
    "lk-dalkovy-odecet-energii-v-objektech-lk": ("lk-energeticky-management", "liberecky-kraj"),
    "lk-efektivni-sprava-pridelovani-a-sdileni-sluzebnich-aut": (
        "lk-podpora-chytrych-podnikatelskych-reseni",
        "liberecky-kraj",
    ),
}


@pytest.mark.parametrize("key", REALISATIONS)
def test_realisations(key: str, catalogue: Graph) -> None:
    flagship, place = REALISATIONS[key]
    node = REAL[key]
    assert (node, RDF.type, KCS.Realisation) in catalogue
    assert (node, KCS.realises, SOL[flagship]) in catalogue
    assert (node, KCS.place, PLACE[place]) in catalogue
    assert not list(catalogue.objects(node, KCS.year))  # the report gives no year of realisation


def test_grey_water_at_the_business_academy(catalogue: Graph, text: str) -> None:
    node = REAL["lk-udrzitelne-hospodareni-s-vodou-v-obchodni-akademii-ceska-lipa"]
    assert "projekt využití šedé vody na českolipské obchodní akademii" in text
    assert any("českolipské obchodní akademii" in n for n in strings(catalogue, node, SKOS.note))
    assert "k projektu s názvem: " + label(catalogue, node) in text


# --------------------------------------------------------------------------------------------
# Every literal of the two files as printed; labels, provenance
# --------------------------------------------------------------------------------------------

VERBATIM = (
    DCTERMS.description,
    KCS.statusNote,
    KCS.plannedActivity,
    SKOS.note,
    SKOS.scopeNote,
    KCS.fundingSourceNote,
    KCS.method,
    KCS.frequency,
    KCS.targetValue,
    KCS.targetDate,
    KCS.duration,
    SKOS.notation,
)


def test_every_text_literal_is_printed_in_the_seed(mine: Graph, text: str) -> None:
    folded = fold(text)
    missing = []
    for prop in VERBATIM:
        for s, o in mine.subject_objects(prop):
            value = ws(str(o))
            if value.startswith("Zdroj dat: "):
                value = "Zdroj dat " + value[len("Zdroj dat: ") :]
            for part in value.split(" … "):
                if fold(part) not in folded:
                    missing.append((str(s), str(prop), part))
    assert not missing, missing


def test_labels_and_provenance(mine: Graph, text: str) -> None:
    seed_words = ascii_fold(text)
    subjects = {s for s in mine.subjects(RDF.type, None) if isinstance(s, URIRef)}
    assert len(subjects) > 60
    for s in subjects:
        if (s, RDF.type, KCS.SourceReference) in mine:
            continue
        pref = label(mine, s)
        for alt in [pref] + [str(o) for o in mine.objects(s, SKOS.altLabel)]:
            for word in re.findall(r"\w{4,}", alt):
                assert ascii_fold(word) in seed_words, (str(s), word)
        refs = list(mine.objects(s, DCTERMS.source))
        assert refs, s
        for ref in refs:
            assert (ref, RDF.type, KCS.SourceReference) in mine
            assert str(mine.value(ref, KCS.seedFile)) == SEED
            assert str(mine.value(ref, KCS.section))


def test_concepts_are_in_a_scheme(mine: Graph) -> None:
    for cls in (KCS.Goal, KCS.Descriptor):
        for s in mine.subjects(RDF.type, cls):
            assert list(mine.objects(s, SKOS.inScheme)), s
