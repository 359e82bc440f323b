"""Seed 004 (MMR working group, 5 Aug 2021) against the catalogue: the national concept's
brownfield chain and component A4, the NPO allocations, the 5G pro 5 měst town packages, and the
AP SRR / EFEKT links. Numbers and labels are read from the seed text by the tests' own parsing,
so a fact broken in the Turtle (or a seed that says otherwise) fails here.

The links the seed does not state (which programme supports which measure, which town package serves
which goal, where A4 and B2 sit) are checked as curators' inferences: each is stated, marked with a
kcs:CuratorInference beside it, and its reasoning quotes the seed word for word (catalogue/data/README.md,
"Footing"). What only the register Databáze strategií gives (ZPO, component ZPO1) is checked against
the words of its pages, quoted here."""

from __future__ import annotations

import os
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

REPO = Path(__file__).resolve().parent.parent
CATALOGUE_DATA = REPO / "catalogue" / "data"


def seeds_dir() -> Path:
    """Same rule as conftest.seeds_dir (not imported: conftest is not an importable module)."""
    return Path(os.environ.get("KATALOG_SEEDS_DIR", REPO.parent / "shared" / "seeds"))


SEED = "004_a5790c3893364729.txt"
KCS = Namespace("https://w3id.org/kcs/ontology#")
BASE = "https://w3id.org/kcs/id/"
OWN_FILES = [
    "national-concept.ttl",
    "funding.ttl",
    "5g-for-5-cities.ttl",
    "working-group-2021.ttl",
    "databaze-strategii.ttl",
]


def iri(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(f"{BASE}{prefix}/{local}")


def norm(text: str) -> str:
    """Collapse PDF line breaks and gaps; drop the blank the PDF leaves before punctuation."""
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r" ([,.;:)])", r"\1", text)
    return text.strip()


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


def label(graph, node) -> str:
    labels = [o for o in graph.objects(node, SKOS.prefLabel) if o.language == "cs"]
    assert len(labels) == 1, f"{node} must have exactly one prefLabel@cs, has {labels}"
    return str(labels[0])


def czk(amount: str, unit: str) -> Decimal:
    """'3,3' + 'mld.' -> 3300000000; '15,68' + 'mil.' -> 15680000."""
    factor = {"mld.": Decimal(10) ** 9, "mil.": Decimal(10) ** 6}[unit]
    return Decimal(amount.replace(",", ".")) * factor


@pytest.fixture(scope="module")
def seed(seeds) -> str:
    return seeds[SEED]


@pytest.fixture(scope="module")
def nseed(seed) -> str:
    return norm(seed)


# ------------------------------------------------------------------------------------------
# Curators' inferences: a stated link, its mark beside it, the reasoning quoting the seed
# ------------------------------------------------------------------------------------------


def marks_of(graph: Graph, subject, predicate, obj) -> list:
    return [
        mark
        for mark in graph.subjects(RDF.subject, subject)
        if (mark, RDF.type, KCS.CuratorInference) in graph
        and (mark, RDF.predicate, predicate) in graph
        and (mark, RDF.object, obj) in graph
    ]


def reasoning(graph: Graph, mark, lang: str = "cs") -> str:
    texts = [str(text) for text in graph.objects(mark, KCS.reasoning) if text.language == lang]
    assert len(texts) == 1, f"{mark}: expected one reasoning @{lang}, got {texts}"
    return texts[0]


def assert_inferred(graph: Graph, nseed: str, subject, predicate, obj, *, file: str) -> str:
    """The link is stated in ``file``, a mark beside it in the same file names it, and the mark's
    reasoning (Czech and English) quotes only words the seed prints; the Czech reasoning is returned."""
    assert (subject, predicate, obj) in graph, f"the inferred link {subject} {predicate} {obj} is not stated"
    own = Graph().parse(CATALOGUE_DATA / file, format="turtle")
    assert (subject, predicate, obj) in own, f"the link is not stated in {file}"
    (mark,) = marks_of(own, subject, predicate, obj)
    czech = reasoning(own, mark)
    assert len(czech) > 80, "the reasoning says why, in sentences"
    for text in (czech, reasoning(own, mark, "en")):
        quoted = re.findall(r"„([^“]+)“", text)
        assert quoted, f"the reasoning quotes no seed words: {text}"
        for words in quoted:
            assert norm(words) in nseed, f"quoted, but not in the seed: {words!r}"
    cited = [own.value(source, KCS.seedFile) for source in own.objects(mark, DCTERMS.source)]
    assert Literal(SEED) in cited, "the mark cites the seed its reasoning reads"
    return czech


def test_a_stated_link_without_a_mark_is_not_an_inference(catalogue):
    """The brownfield chain is stated by the seed's slides: nothing marks it."""
    measure = iri("measure:coworkingova-centra-a-male-brownfieldy")
    goal = iri("goal:infrastruktura-a-zazemi-pro-podnikani")
    assert (measure, SKOS.broader, goal) in catalogue
    assert marks_of(catalogue, measure, SKOS.broader, goal) == []


# ------------------------------------------------------------------------------------------
# Brownfield chain
# ------------------------------------------------------------------------------------------

BROWNFIELD_MEASURES = [
    "measure:coworkingova-centra-a-male-brownfieldy",
    "measure:program-vyuziti-brownfieldu",
    "measure:dostupne-bydleni-a-brownfieldy",
]

# DOMAIN.md's table, row by row: (measure start, goal, component, pillar). Each string is also
# asserted to occur in the seed, so the expectation itself is the seed's wording.
BROWNFIELD_TABLE = [
    (
        "Podpora coworkingových center a využití budov a pozemků ve vlastnictví měst a obcí",
        "V městech a obcích je vytvořena dostatečná infrastruktura a zázemí pro podnikání OSVČ a malých a středních podniků",
        "Podnikání je přirozenou součástí života obce, města a regionu",
        "Lokální ekonomika",
    ),
    (
        "Program využití brownfieldů k hospodářskému využití a přirozené sukcesi",
        "Je dosaženo vysokého stupně ochrany půdy a biodiverzity v konkrétním území",
        "Životní prostředí pro kvalitní život v obcích, městech a regionech",
        "Prostředí pro život",
    ),
    (
        "Podpora dostupného bydlení jako prevence patologických jevů",
        "Města, obce a kraje vytvářejí podmínky pro dobrý život rodin",
        "Společenská odolnost a bezpečnost",
        "Lidé a komunity",
    ),
]

CHAIN_QUERY = """
SELECT ?goal ?component ?pillar WHERE {
    ?measure a kcs:TypeMeasure ; skos:broader ?goal .
    ?goal a kcs:Goal ; skos:broader ?component .
    ?component a kcs:Component ; skos:broader ?pillar .
    ?pillar a kcs:Pillar ; skos:topConceptOf strategy:koncepce-smart-cities .
}
"""


def chain(catalogue, measure):
    rows = list(
        catalogue.query(
            CHAIN_QUERY,
            initNs={"kcs": KCS, "skos": SKOS, "strategy": Namespace(BASE + "strategy/")},
            initBindings={"measure": measure},
        )
    )
    assert len(rows) == 1, f"{measure}: expected exactly one chain measure→goal→component→pillar, got {rows}"
    return rows[0]


@pytest.mark.parametrize("index", range(3))
def test_brownfield_chain_matches_table_and_seed(catalogue, nseed, index):
    measure = iri(BROWNFIELD_MEASURES[index])
    measure_start, goal_text, component_text, pillar_text = BROWNFIELD_TABLE[index]
    goal, component, pillar = chain(catalogue, measure)

    measure_label = label(catalogue, measure)
    assert measure_label.startswith(measure_start)
    assert "brownfield" in measure_label
    assert norm(measure_label) in nseed, "measure label must be the seed's text (mended)"
    for expected, node in ((goal_text, goal), (component_text, component), (pillar_text, pillar)):
        assert expected in nseed, f"expectation not in seed: {expected}"
        assert label(catalogue, node) == expected

    # inverses, scheme, and no invented codes
    assert (goal, SKOS.narrower, measure) in catalogue
    assert (component, SKOS.narrower, goal) in catalogue
    assert (pillar, SKOS.narrower, component) in catalogue
    scheme = iri("strategy:koncepce-smart-cities")
    for node in (measure, goal, component, pillar):
        assert (node, SKOS.inScheme, scheme) in catalogue
    for node in (measure, goal, component):
        assert catalogue.value(node, SKOS.notation) is None


def test_brownfield_chain_matches_domain_brief(catalogue):
    """Parse DOMAIN.md's table itself (where the brief is beside the seeds)."""
    domain = seeds_dir().parent / "DOMAIN.md"
    if not domain.is_file():
        pytest.skip(f"{domain} not present")
    text = domain.read_text(encoding="utf-8")
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("| Podpora") or line.startswith("| Program")
    ]
    assert len(rows) == 3
    graph_rows = []
    for measure in BROWNFIELD_MEASURES:
        goal, component, pillar = chain(catalogue, iri(measure))
        graph_rows.append(
            (
                label(catalogue, iri(measure)),
                label(catalogue, goal),
                label(catalogue, component),
                label(catalogue, pillar),
            )
        )
    for m_short, g_text, c_text, p_text in rows:
        match = [r for r in graph_rows if r[1:] == (g_text, c_text, p_text)]
        assert len(match) == 1, f"no chain for DOMAIN.md row {g_text!r}"
        for fragment in re.split(r"\s*…\s*", m_short):
            fragment = fragment.strip(" –").replace("(Housing First)", "Housing First")
            if fragment:
                assert fragment in match[0][0], f"{fragment!r} not in measure {match[0][0]!r}"


COWORKING, SUCCESSION, HOUSING = BROWNFIELD_MEASURES

# Which measures each part of NPO 2.8 supports, by whether the part's own words fit the measure's: a
# part for business use, one for non-business use, one naming neither (significant brownfields).
NPO_2_8_SUPPORT = {
    "programme:npo-2-8": {COWORKING, SUCCESSION, HOUSING},
    "programme:npo-2-8-1": {SUCCESSION},
    "programme:npo-2-8-2": {SUCCESSION, HOUSING},
    "programme:npo-2-8-3": {COWORKING, SUCCESSION},
}


@pytest.mark.parametrize("programme", NPO_2_8_SUPPORT)
def test_npo_2_8_supports_the_measures_its_words_fit_as_an_inference(catalogue, nseed, programme):
    node = iri(programme)
    assert set(catalogue.objects(node, KCS.supportsMeasure)) == {iri(m) for m in NPO_2_8_SUPPORT[programme]}
    for measure in NPO_2_8_SUPPORT[programme]:
        text = assert_inferred(catalogue, nseed, node, KCS.supportsMeasure, iri(measure), file="funding.ttl")
        assert "nespojuje" in text, "the reasoning says the seed pairs no programme with a measure"


def test_npo_2_8_business_and_non_business_parts_keep_to_their_use(catalogue, nseed):
    """The seed's words of the parts and of the measures that tell them apart."""
    business, non_business = iri("programme:npo-2-8-3"), iri("programme:npo-2-8-2")
    assert label(catalogue, business).endswith("pro podnikatelské využití")
    assert label(catalogue, non_business).endswith("pro nepodnikatelské využití")
    for words in ("k podpoře drobného podnikání", "využití brownfieldů ke kombinované funkci bydlení"):
        assert words in nseed
    assert "k podpoře drobného podnikání" in label(catalogue, iri(COWORKING))
    assert "ke kombinované funkci bydlení" in label(catalogue, iri(HOUSING))
    assert (business, KCS.supportsMeasure, iri(HOUSING)) not in catalogue
    assert (non_business, KCS.supportsMeasure, iri(COWORKING)) not in catalogue


# ------------------------------------------------------------------------------------------
# Component A4, B2, ZPO
# ------------------------------------------------------------------------------------------


def test_a4_and_goals_as_printed(catalogue, nseed):
    a4 = iri("component:a4")
    assert str(catalogue.value(a4, SKOS.notation)) == "A4"
    assert f"komponentou A4. {label(catalogue, a4)}" in nseed
    goals = set(catalogue.objects(a4, SKOS.narrower)) & set(catalogue.subjects(RDF.type, KCS.Goal))
    assert {str(catalogue.value(g, SKOS.notation)) for g in goals} == {"A4.1", "A4.4", "A4.5"}
    for code in ("a4-1", "a4-4", "a4-5"):
        goal = iri(f"goal:{code}")
        notation = str(catalogue.value(goal, SKOS.notation))
        assert notation == code.upper().replace("-", ".")
        assert (goal, SKOS.broader, a4) in catalogue
        # the goal text follows its code in the seed
        assert f"{notation} {label(catalogue, goal)}" in nseed


@pytest.mark.parametrize(("comp", "pillar"), [("a4", "lide-a-komunity"), ("b2", "lokalni-ekonomika")])
def test_a4_and_b2_are_placed_under_pillars_as_an_inference(catalogue, nseed, comp, pillar):
    component, top = iri(f"component:{comp}"), iri(f"pillar:{pillar}")
    for statement in ((component, SKOS.broader, top), (top, SKOS.narrower, component)):
        text = assert_inferred(catalogue, nseed, *statement, file="national-concept.ttl")
        assert "pod žádný pilíř nezařazují" in text
        assert label(catalogue, top) in text
    own = Graph().parse(CATALOGUE_DATA / "national-concept.ttl", format="turtle")
    (mark,) = marks_of(own, component, SKOS.broader, top)
    public = {str(own.value(source, KCS.publicSource)) for source in own.objects(mark, DCTERMS.source)}
    assert {address for address in public if address.startswith("https://")}, "the public pages it rests on"


def test_missing_goals_are_flagged(catalogue):
    for measure, comp in (
        ("measure:a4-pateri-datove-site", "component:a4"),
        ("measure:zpo3-site-energetickych-manazeru", "component:zpo3"),
    ):
        assert list(catalogue.objects(iri(measure), SKOS.broader)) == [iri(comp)]
        assert "Cíl" in str(catalogue.value(iri(measure), SKOS.editorialNote))
    for comp in ("component:zpo1", "component:zpo3"):
        assert (iri(comp), SKOS.broader, iri("pillar:zpo")) in catalogue
    assert (iri("pillar:zpo"), RDF.type, KCS.CrossCuttingArea) in catalogue
    assert str(catalogue.value(iri("pillar:zpo"), SKOS.notation)) == "ZPO"


def test_b2_called_komunitni_energetika_as_an_inference(catalogue, nseed):
    b2 = iri("component:b2")
    name = Literal("komunitní energetika", lang="cs")
    assert "3.5.2 Komunitní energetika" in nseed
    text = assert_inferred(catalogue, nseed, b2, SKOS.altLabel, name, file="national-concept.ttl")
    assert "3.5.2" in text


# What the register Databáze strategií prints on the concept's pages (the stored copies read for the
# catalogue), with its line breaks mended: its heading, the names of the levels, the area, component
# ZPO1 with its descriptors and its first two goals. The pages break off inside ZPO1.3.
REGISTER = "https://databaze-strategie.cz/cz/mmr/strategie/koncepce-smart-cities-odolnost-prostrednictvim-smart-reseni-pro-obce-mesta-a-regiony"
REGISTER_TEXT = norm(
    """Databáze strategií Portál strategických dokumentů v ČR MINISTERSTVO PRO MÍSTNÍ ROZVOJ
    Názvy hierarchických úrovní ZPO. "Zastřešující průřezová oblast / Pilíř" ZPO.1 "Komponenta" ZPO.1.1 "Cíl"
    ZPO. Odolnost prostřednictvím SMART řešení pro obce, města a regiony (Soudržná města, obce a regiony)
    ZPO1 Digitální veřejná správa je služba lidem, komunitám a podnikatelům
    Deskriptory: IV.e transfer znalostí a technologií V.c infrastruktura ICT V.d eSlužby, aplikace a produkty ICT
    V.e interoperabilita XVII.b optimalizace procesů ve veřejné správě XVII.c veřejné služby
    XVII.d digitalizace agend veřejné správy XVII.e kvalifikace ve veřejné správě XVII.f komunální služby a
    občanská vybavenost (např. veřejné osvětlení, pohřebnictví, výstavba a údržba místních sítí, lokální
    zásobování teplem) XVII.h participace občanů na veřejné správě
    ZPO1.1 Veřejná správa je vykonávána efektivně a transparentně, přičemž umožňuje elektronické
    a automatizované řešení všude tam, kde je to z hlediska účelu vhodné, zejména pak s ohledem na plnění práva
    občana na digitální služby (dle zákona č. 12/2020 Sb.), a to včetně služeb samosprávy (zahrnuje vnitřní chod
    úřadu, elektronizaci samosprávy, elektronický výkon státní správy v přenesené působnosti, elektronickou
    komunitní komunikaci, SMART veřejné zakázky mj. v návaznosti na nově platnou legislativu). Ze strany státu je
    nutné najít vhodný model, který zajistí garanci poskytování dat napříč dotčenými subjekty včetně stanovení
    podmínek, na základě kterých budou data poskytována.
    ZPO1.2 Kraje, města a obce mají dostatečné znalosti (data, informace) o území, které spravují, o vazbách na
    svém území, včetně informací o charakteru ohrožení v území, využívají je k optimalizaci řízení a za účasti
    občanů k tvorbě prostředí pro dobrý život jednotlivců i komunity (systematický sběr dat členěný dle pohlaví,
    vyhodnocování dat a informací o území, digitální technická mapa, územní plán ve vektorové formě a v jednotném
    standardu, pořizování informačních modelů staveb).
    ZPO1.3 Veřejná správa na úrovni měst,"""
)


def cites_register(graph: Graph, node) -> bool:
    return any(
        str(graph.value(source, KCS.publicSource) or "").startswith(REGISTER + "?typ=")
        for source in graph.objects(node, DCTERMS.source)
    )


def test_zpo_and_zpo1_cite_the_register_not_the_brief(catalogue):
    assert not {str(f) for f in catalogue.objects(None, KCS.seedFile)} & {"DOMAIN.md"}
    zpo, zpo1 = iri("pillar:zpo"), iri("component:zpo1")
    assert cites_register(catalogue, zpo) and 'ZPO. "Zastřešující průřezová oblast / Pilíř"' in REGISTER_TEXT
    assert label(catalogue, zpo) == "Zastřešující průřezová oblast"
    assert cites_register(catalogue, zpo1)
    assert f"{catalogue.value(zpo1, SKOS.notation)} {label(catalogue, zpo1)} Deskriptory:" in REGISTER_TEXT


def test_zpo1_goals_as_the_register_prints_them(catalogue):
    zpo1 = iri("component:zpo1")
    goals = {str(catalogue.value(goal, SKOS.notation)): goal for goal in catalogue.subjects(SKOS.broader, zpo1)}
    # ZPO1.3 is cut off on the stored pages: its words are unknown, so it is not in the catalogue.
    assert set(goals) == {"ZPO1.1", "ZPO1.2"}
    for code, goal in goals.items():
        assert (goal, RDF.type, KCS.Goal) in catalogue and cites_register(catalogue, goal)
        assert (zpo1, SKOS.narrower, goal) in catalogue
        text = str(catalogue.value(goal, DCTERMS.description) or label(catalogue, goal) + ".")
        assert label(catalogue, goal) in text
        following = f"ZPO1.{int(code[-1]) + 1} "
        assert f"{code} {text} {following}" in REGISTER_TEXT, code


def test_zpo1_descriptors_as_the_register_prints_them(catalogue):
    zpo1 = iri("component:zpo1")
    printed = re.findall(r"\b([IVX]+\.[a-z]) (.+?)(?= [IVX]+\.[a-z] | ZPO1\.1 )", REGISTER_TEXT)
    assert len(printed) == 10
    descriptors = {
        str(catalogue.value(d, SKOS.notation)): label(catalogue, d) for d in catalogue.objects(zpo1, KCS.area)
    }
    assert descriptors == dict(printed)
    scheme = iri("descriptor:databaze-strategii-deskriptory")
    for descriptor in catalogue.objects(zpo1, KCS.area):
        assert (descriptor, RDF.type, KCS.Descriptor) in catalogue
        assert (descriptor, SKOS.inScheme, scheme) in catalogue and cites_register(catalogue, descriptor)


def test_strategy_issued(catalogue, seed):
    strategy = iri("strategy:koncepce-smart-cities")
    assert "Schválena vládou ČR 10. května 2021" in seed
    assert str(catalogue.value(strategy, DCTERMS.issued)) == "2021-05-10"


# ------------------------------------------------------------------------------------------
# NPO allocations
# ------------------------------------------------------------------------------------------

AMOUNT = re.compile(r"(\d+(?:,\d+)?) (mld\.|mil\.) Kč")


@pytest.mark.parametrize(
    "programme", ["programme:npo-1-4-1-6", "programme:npo-1-6", "programme:npo-2-8", "programme:npo-4-1"]
)
def test_npo_allocation_as_printed(catalogue, nseed, programme):
    node = iri(programme)
    notation = str(catalogue.value(node, SKOS.notation))
    first_word = label(catalogue, node).split()[0]
    # the code as the slide prints it ("4.1." has a trailing full stop), then the name
    match = re.search(re.escape(notation) + r"\.? " + re.escape(first_word), nseed)
    assert match, f"{notation} {first_word} not in seed"
    amount = AMOUNT.search(nseed, match.end())
    assert amount, f"no amount after {notation}"
    assert iri("programme:npo") in set(catalogue.transitive_objects(node, DCTERMS.isPartOf))
    assert catalogue.value(node, KCS.allocationCZK).toPython() == czk(*amount.groups())


def test_npo_1_4_1_6_mpo_figures_and_targets(catalogue, nseed):
    node = iri("programme:npo-1-4-1-6")
    match = re.search(r"(\d+(?:,\d+)?) mil\. EUR \((\d+(?:,\d+)?) mld\. Kč\)", nseed)
    assert match
    assert catalogue.value(node, KCS.allocationEUR).toPython() == czk(match.group(1), "mil.")
    assert f"{match.group(2)} mld. Kč" in str(catalogue.value(node, SKOS.editorialNote))
    assert "Realizace v letech 2021–2026" in nseed
    assert str(catalogue.value(node, KCS.periodStart)) == "2021"
    assert str(catalogue.value(node, KCS.periodEnd)) == "2026"
    assert set(catalogue.objects(node, KCS.provider)) == {iri("organisation:mpo"), iri("organisation:mmr")}

    indicators = {str(catalogue.value(i, SKOS.notation)): i for i in catalogue.objects(node, KCS.hasIndicator)}
    assert set(indicators) == {"T1", "T2"}
    # the last "Cíl investice T1/T2" is the slide itself (the first ones are the table of contents)
    t1 = re.compile(
        r"Cíl investice T1 (.+?) (\d+) referenčních aplikací Orientační harmonogram dokončení (\d\. čtvrtletí \d{4})"
    ).match(nseed, nseed.rfind("Cíl investice T1"))
    assert t1
    assert label(catalogue, indicators["T1"]) == t1.group(1)
    assert catalogue.value(indicators["T1"], KCS.targetValue).toPython() == int(t1.group(2))
    assert str(catalogue.value(indicators["T1"], KCS.targetDate)) == t1.group(3)
    t2 = re.compile(
        r"Cíl investice T2 (.+?) (\d+) pro inteligentní města; (\d+) pro průmysl 4\.0 Orientační harmonogram dokončení (\d\. čtvrtletí \d{4})"
    ).match(nseed, nseed.rfind("Cíl investice T2"))
    assert t2
    assert label(catalogue, indicators["T2"]) == t2.group(1)
    assert str(catalogue.value(indicators["T2"], KCS.targetDate)) == t2.group(4)
    parts = {label(catalogue, p): p for p in catalogue.objects(indicators["T2"], DCTERMS.hasPart)}
    assert len(parts) == 2
    (cities,) = [p for name, p in parts.items() if name.endswith("Inteligentní města")]
    (industry,) = [p for name, p in parts.items() if name.endswith("Průmysl 4.0")]
    assert catalogue.value(cities, KCS.targetValue).toPython() == int(t2.group(2))
    assert catalogue.value(industry, KCS.targetValue).toPython() == int(t2.group(3))


def test_npo_2_8_parts(catalogue, nseed):
    providers = {"MMR/SFPI": {"organisation:mmr", "organisation:sfpi"}, "MPO": {"organisation:mpo"}}
    for n, (part, printed, applicants) in enumerate(
        [
            ("programme:npo-2-8-1", "MMR/SFPI", set()),
            ("programme:npo-2-8-2", "MMR/SFPI", {"descriptor:zadatel-obec", "descriptor:zadatel-kraj"}),
            ("programme:npo-2-8-3", "MPO", {"descriptor:zadatel-obec", "descriptor:zadatel-kraj"}),
        ],
        start=1,
    ):
        node = iri(part)
        assert (node, DCTERMS.isPartOf, iri("programme:npo-2-8")) in catalogue
        name = label(catalogue, node)
        # seed: "• 2. Regenerace brownfieldů ve vlastnictví obcí a krajů … (MMR/SFPI)"
        # (the seed doubles a word in part 1: "významných významných"; allow one repeated word)
        pattern = rf"{n}\. " + r" (?:\S+ )?".join(map(re.escape, name.split())) + rf" \({re.escape(printed)}\)"
        assert re.search(pattern, nseed), f"{name} ({printed}) not in seed"
        assert {
            str(p).replace(BASE + "organisation/", "organisation:") for p in catalogue.objects(node, KCS.provider)
        } == providers[printed]
        assert {
            str(a).replace(BASE + "descriptor/", "descriptor:") for a in catalogue.objects(node, KCS.eligibleApplicant)
        } == applicants


# ------------------------------------------------------------------------------------------
# 5G pro 5 měst town packages
# ------------------------------------------------------------------------------------------

PACKAGE = re.compile(
    r"(?P<town>Ústí nad Labem|Plzeň|Karlovy Vary|Jeseník|Bílina) \(RRF\) (?P<count>\d+) projekt\w*(?: záměry)? (?:v )?(?:celkové )?(?:v )?hodnotě "
    r"(?P<amount>\d+(?:,\d+)?) mil\. Kč Zaměření: (?P<focus>.+?) Projektoví partneři: (?P<partners>.+?) Předkládané projekty"
)

# The partner names as the seed lists them for each town, split by the test (one name has a comma).
PARTNERS = {
    "Ústí nad Labem": ["METROPOLNET", "ČVUT", "Ústecký kraj"],
    "Plzeň": [],  # printed only as "Konsorcium partnerů"
    "Karlovy Vary": ["Dopravní podnik Karlovy Vary, a.s."],
    "Jeseník": ["Gymnázium Jeseník", "Střední průmyslová škola Jeseník", "Fenix Group"],
    "Bílina": ["Ústí nad Labem", "Ústecký kraj", "PČR – Krajské ředitelství Ústeckého kraje"],
}


def test_5g_town_packages_as_printed(catalogue, nseed):
    packages = {m.group("town"): m for m in PACKAGE.finditer(nseed)}
    assert set(packages) == set(PARTNERS)
    umbrella = iri("solution:5g-pro-5-mest")
    for town, m in packages.items():
        places = [p for p in catalogue.subjects(RDF.type, KCS.Place) if label(catalogue, p) == town]
        assert len(places) == 1, town
        (package,) = [
            s for s in catalogue.subjects(DCTERMS.isPartOf, umbrella) if (s, KCS.place, places[0]) in catalogue
        ]
        assert catalogue.value(package, KCS.costCZK).toPython() == czk(m.group("amount"), "mil.")
        projects = list(catalogue.subjects(DCTERMS.isPartOf, package))
        assert len(projects) == int(m.group("count")), town
        for project in projects:
            assert (project, RDF.type, KCS.SmartSolution) in catalogue
            assert (project, KCS.place, places[0]) in catalogue
            assert norm(label(catalogue, project)) in nseed
        description = str(catalogue.value(package, DCTERMS.description))
        assert description.startswith(m.group(0).split(" Zaměření:")[0].split("(RRF) ")[1])
        assert str(catalogue.value(package, KCS.focus)) == m.group("focus")
        partner_labels = set()
        for partner in catalogue.objects(package, KCS.partner):
            partner_labels |= {str(o) for o in catalogue.objects(partner, SKOS.prefLabel)}
            partner_labels |= {str(o) for o in catalogue.objects(partner, SKOS.altLabel)}
        assert len(list(catalogue.objects(package, KCS.partner))) == len(PARTNERS[town])
        for name in PARTNERS[town]:
            assert name in m.group("partners"), f"{name} not printed for {town}"
            assert name in partner_labels, f"{name} not a partner of {town}"
        if not PARTNERS[town]:
            assert m.group("partners") == "Konsorcium partnerů"
            assert "Konsorcium partnerů" in description
        assert (package, KCS.fundingSource, iri("programme:npo-1-4-1-6")) in catalogue


# The seed states goals A4.1, A4.4 and A4.5 for the project as a whole and names Ústí, Plzeň and Bílina
# for their camera systems; a package serves a goal where its own focus, projects or partners fit it.
FIVE_G_GOALS = {
    "solution:5g-pro-5-mest-usti-nad-labem": {"goal:a4-1", "goal:a4-4"},
    "solution:5g-pro-5-mest-plzen": {"goal:a4-1", "goal:a4-4"},
    "solution:5g-pro-5-mest-bilina": {"goal:a4-1", "goal:a4-4", "goal:a4-5"},
}


def test_5g_goal_links_only_where_the_seed_says(catalogue, nseed):
    assert "V rámci Ústí nad Labem, Plzně a Bíliny je znatelná role využití MKDS" in nseed
    assert "Průniky s komponentou A4. Rychlá reakce" in nseed
    goals = {iri("goal:a4-1"), iri("goal:a4-4"), iri("goal:a4-5")}
    linked = {s for s in catalogue.subjects(KCS.servesGoal, None) if set(catalogue.objects(s, KCS.servesGoal)) & goals}
    assert linked == {iri(package) for package in FIVE_G_GOALS}
    for package, served in FIVE_G_GOALS.items():
        assert set(catalogue.objects(iri(package), KCS.servesGoal)) == {iri(goal) for goal in served}
        for goal in served:
            text = assert_inferred(
                catalogue, nseed, iri(package), KCS.servesGoal, iri(goal), file="5g-for-5-cities.ttl"
            )
            assert "jako celek" in text and str(catalogue.value(iri(goal), SKOS.notation)) in text


def test_only_bilina_coordinates_with_a_responsible_authority(catalogue, nseed):
    """A4.5 (coordination with the responsible authorities): only Bílina names one, the police."""
    assert "Projektoví partneři: Ústí nad Labem, Ústecký kraj, PČR – Krajské ředitelství Ústeckého kraje" in nseed
    partners = {
        label(catalogue, p) for p in catalogue.objects(iri("solution:5g-pro-5-mest-bilina"), KCS.partner)
    }
    assert "PČR – Krajské ředitelství Ústeckého kraje" in partners
    for package in ("solution:5g-pro-5-mest-usti-nad-labem", "solution:5g-pro-5-mest-plzen"):
        assert (iri(package), KCS.servesGoal, iri("goal:a4-5")) not in catalogue


# ------------------------------------------------------------------------------------------
# Akční plán SRR, EFEKT, call 1/2021/NNO
# ------------------------------------------------------------------------------------------


def test_ap_srr_measures(catalogue, nseed):
    for code, target in (
        ("3.5.2", "Venkovské zázemí regionálních center (bez samotných center)"),
        ("6.5.2", "Regionální centra a jejich venkovské zázemí"),
    ):
        node = iri("programme:ap-srr-" + code.replace(".", "-"))
        assert str(catalogue.value(node, SKOS.notation)) == code
        assert f"{code} {label(catalogue, node)} Územní zacílení - {target}" in nseed
        assert str(catalogue.value(node, KCS.territorialTarget)) == target
        assert (node, DCTERMS.isPartOf, iri("programme:ap-srr-21-22")) in catalogue
    assert "Podpora obcí, krajů i vlastníků domů" in nseed
    assert set(catalogue.objects(iri("programme:ap-srr-3-5-2"), KCS.eligibleApplicant)) == {
        iri("descriptor:zadatel-obec"),
        iri("descriptor:zadatel-kraj"),
        iri("descriptor:zadatel-vlastnik-domu"),
    }


# The slide puts ZPO3, A4 and B2 beside the two measures as examples ("Koncepce Smart Cities, např:"):
# each measure is linked only to what its own words fit, as an inference.
AP_SRR_LINKS = {
    "programme:ap-srr-3-5-2": (KCS.supportsComponent, "component:b2"),
    "programme:ap-srr-6-5-2": (KCS.supportsMeasure, "measure:zpo3-site-energetickych-manazeru"),
}


@pytest.mark.parametrize("programme", AP_SRR_LINKS)
def test_ap_srr_measures_link_to_the_concept_only_where_their_words_fit(catalogue, nseed, programme):
    assert "Koncepce Smart Cities, např: Komponenta ZPO3." in nseed
    node = iri(programme)
    predicate, target = AP_SRR_LINKS[programme]
    links = {
        (p, o) for p in (KCS.supportsComponent, KCS.supportsMeasure) for o in catalogue.objects(node, p)
    }
    assert links == {(predicate, iri(target))}
    text = assert_inferred(catalogue, nseed, node, predicate, iri(target), file="funding.ttl")
    assert "jen vedle" in text and label(catalogue, node) in text
    assert not {iri("component:a4"), iri("measure:a4-pateri-datove-site")} & {o for _, o in links}


def test_efekt_call_linked_to_6_5_2(catalogue, nseed):
    call = iri("call:efekt-8-2021")
    programme = iri("programme:efekt")
    match = re.search(r"Programu (EFEKT) \(VÝZVA č\. (\d+/\d{4}) (.+?)\)", nseed)
    assert match
    assert (call, RDF.type, KCS.FundingCall) in catalogue
    assert (call, KCS.callOf, programme) in catalogue
    assert match.group(1) in label(catalogue, programme)
    assert label(catalogue, call) == f"Výzva č. {match.group(2)} – {match.group(3)}"
    assert (iri("programme:ap-srr-6-5-2"), DCTERMS.relation, call) in catalogue


def test_cscc_project_call(catalogue, nseed):
    call = iri("call:mmr-1-2021-nno")
    assert "financován z výzvy č. 1/2021/NNO Ministerstva pro místní rozvoj" in nseed
    assert str(catalogue.value(call, SKOS.notation)) == "1/2021/NNO"
    assert (call, KCS.provider, iri("organisation:mmr")) in catalogue
    project = iri("solution:jednotna-informacni-a-datova-platforma-konceptu-smart")
    assert (project, DCTERMS.relation, call) in catalogue
    assert (project, KCS.implementer, iri("organisation:cscc")) in catalogue
    assert (iri("solution:inspiromat"), DCTERMS.isPartOf, project) in catalogue


# ------------------------------------------------------------------------------------------
# Provenance and labels of every resource in these files
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("file_name", OWN_FILES)
def test_every_resource_has_label_and_source(seeds, file_name):
    graph = Graph().parse(CATALOGUE_DATA / file_name, format="turtle")
    texts = dict(seeds)
    texts[REGISTER] = REGISTER_TEXT
    subjects = {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}
    assert subjects
    for s in subjects:
        name = label(graph, s)
        sources = list(graph.objects(s, DCTERMS.source))
        assert sources, f"{s} has no dcterms:source"
        for source in sources:
            assert (source, RDF.type, KCS.SourceReference) in graph
            assert graph.value(source, KCS.section), f"{s}: source without section"
            if graph.value(source, KCS.publicSource) is not None:
                assert str(graph.value(source, KCS.publicSource)).startswith(REGISTER), f"{s}: which register?"
                continue
            seed_file = str(graph.value(source, KCS.seedFile))
            assert seed_file in texts, f"{s}: unknown seed {seed_file}"
        # key words of the label occur in the cited files
        cited = " ".join(
            fold(texts[str(graph.value(b, KCS.seedFile) or graph.value(b, KCS.publicSource)).split("?")[0]])
            for b in sources
        )
        for word in re.findall(r"\w+", name):
            if len(word) >= 4:
                assert fold(word) in cited, f"{s}: '{word}' not in its cited source"
