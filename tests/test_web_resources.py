"""The resource pages (/id/…) on a real `katalog serve`: each kind's own part above the generic list.

Expected facts come from the catalogue's Turtle (the ``catalogue`` fixture). What the seeds do not
have yet (a realisation with a year, a cost and indicators, a service that solutions include, a
place with more realisations than one page) is added as a graph of its own to a copy of the store."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from catalogue.settings import Settings
from catalogue.vocabulary import KCS
from tests.conftest import app_client, load_extra

ID = "https://w3id.org/kcs/id/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
MEASURE = ID + "measure/program-vyuziti-brownfieldu"
NPO_2_8 = ID + "programme/npo-2-8"
REGION = ID + "place/liberecky-kraj"
TOWN = ID + "place/ceska-lipa"
REALISATION = ID + "realisation/lk-udrzitelne-hospodareni-s-vodou-v-obchodni-akademii-ceska-lipa"
MMR = ID + "organisation/mmr"
CALL = ID + "call/efekt-8-2021"

# What the seeds lack, in the catalogue's own shape (see catalogue/data/README.md).
ADDED = ID + "test/"
EXTRA = f"""
@prefix kcs: <https://w3id.org/kcs/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{ADDED}service> a kcs:SmartService ; skos:prefLabel "Zkušební chytrá služba"@cs ;
    dcterms:description "Obecný popis zkušební služby."@cs .
<{ADDED}solution> a kcs:SmartSolution ; skos:prefLabel "Zkušební řešení se službou"@cs ;
    kcs:includesService <{ADDED}service> ; kcs:servesMeasure <{MEASURE}> ;
    kcs:hasIndicator <{ADDED}solution-indicator> .
<{ADDED}solution-indicator> a kcs:Indicator ; skos:prefLabel "Počet obnovených areálů"@cs ;
    kcs:unit "areály"@cs ; kcs:baseline 0 ; kcs:targetValue 4 .
<{ADDED}realisation> a kcs:Realisation ; skos:prefLabel "Zkušební realizace v Ústí"@cs ;
    kcs:realises <{ADDED}solution> ; kcs:place <{ID}place/usti-nad-labem> ;
    kcs:year "2021"^^xsd:gYear ; kcs:costCZK 7600000.0 ; kcs:status <{ID}descriptor/stav-projektu-2> ;
    kcs:hasIndicator <{ADDED}indicator> ; kcs:fundingSource <{NPO_2_8}> ;
    kcs:guarantor <{MMR}> ;
    dcterms:source [ a kcs:SourceReference ; kcs:seedFile "test.txt" ; kcs:section "Zkušební oddíl" ] .
<{ADDED}indicator> a kcs:Indicator ; skos:prefLabel "Ušetřená energie"@cs ;
    kcs:unit "MWh"@cs ; kcs:baseline 120 ; kcs:targetValue 80 .
<{ADDED}programme-for-a-component> a kcs:FundingProgramme ; skos:prefLabel "Zkušební program pro komponentu A4"@cs ;
    kcs:supportsComponent <{ID}component/a4> .
""" + "\n".join(
    f'<{ADDED}town-realisation-{number}> a kcs:Realisation ; skos:prefLabel "Realizace v Ústí {number:02d}"@cs ; '
    f"kcs:place <{ID}place/usti-nad-labem> ."
    for number in range(25)
)


def path_of(iri: str) -> str:
    return "/" + iri.removeprefix("https://w3id.org/kcs/")


def label(catalogue: Graph, iri: str | URIRef) -> str:
    return str(catalogue.value(URIRef(iri), SKOS.prefLabel))


def section(page: str, anchor: str) -> str:
    """The HTML of the page's section headed by the heading with id ``anchor``."""
    found = re.search(rf'<section aria-labelledby="{anchor}">(.*?)</section>', page, re.S)
    assert found, f"no section {anchor!r}"
    return found.group(1)


def linked(iri: str | URIRef, text: str) -> str:
    return f'<a href="{path_of(str(iri))}">{html.escape(text, quote=False)}</a>'


@pytest.fixture(scope="module")
def client(site_app: httpx.Client) -> Iterator[httpx.Client]:
    """A browser's requests to the app in-process, on both stores."""
    site_app.headers["Accept"] = BROWSER
    yield site_app
    del site_app.headers["Accept"]


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[httpx.Client]:
    """The app in-process over the catalogue plus :data:`EXTRA`."""
    folder = tmp_path_factory.mktemp("extended")
    store_path = folder / "extended-store"
    shutil.copytree(loaded_store_path, store_path)
    load_extra(store_path, "test-extended", EXTRA)
    with app_client(Settings(store_path=store_path, index_path=folder / "index"), Accept=BROWSER) as http:
        yield http


def test_a_brownfield_measure_shows_its_path_its_funding_and_its_twins(client: httpx.Client, catalogue: Graph) -> None:
    answer = client.get(path_of(MEASURE))
    assert answer.status_code == 200
    page = answer.text
    goal = catalogue.value(URIRef(MEASURE), SKOS.broader)
    component = catalogue.value(goal, SKOS.broader)
    pillar = catalogue.value(component, SKOS.broader)
    path = section(page, "v-koncepci")
    steps = [path.index(linked(iri, label(catalogue, iri))) for iri in (goal, component, pillar)]
    assert steps == sorted(steps), "goal → component → pillar, in that order"

    funding = section(page, "financovani")
    supporting = set(catalogue.subjects(KCS.supportsMeasure, URIRef(MEASURE)))
    assert URIRef(NPO_2_8) in supporting
    for programme in supporting:
        assert linked(programme, label(catalogue, programme)) in funding
    assert f'<span class="tag">{catalogue.value(URIRef(NPO_2_8), SKOS.notation)}</span>' in funding
    npo = catalogue.value(URIRef(NPO_2_8), DCTERMS.isPartOf)
    assert linked(npo, label(catalogue, npo)) in funding, "NPO 2.8 is shown as a part of the NPO"
    assert 'href="/financovani"' in funding

    combined = {o for p in supporting for o in catalogue.objects(p, KCS.supportsMeasure)} - {URIRef(MEASURE)}
    synergies = section(page, "synergie")
    assert combined and all(linked(other, label(catalogue, other)) in synergies for other in combined)

    assert 'action="/projekt/pridat"' in page and f'name="iri" value="{MEASURE}"' in page
    alternates = answer.headers["link"]
    for media_type in ("text/turtle", "application/ld+json", "application/n-triples"):
        assert f'rel="alternate"; type="{media_type}"' in alternates
    data = section(page, "data")
    for suffix in ("ttl", "jsonld", "nt"):
        assert f'href="{path_of(MEASURE)}.{suffix}"' in data
    assert section(page, "udaje"), "every fact is still listed, below"


def test_a_seed_realisation_shows_its_place_funding_and_source(client: httpx.Client, catalogue: Graph) -> None:
    page = client.get(path_of(REALISATION)).text
    overview = section(page, "prehled")
    subject = URIRef(REALISATION)
    place = catalogue.value(subject, KCS.place)
    assert linked(place, label(catalogue, place)) in overview
    programme = catalogue.value(subject, KCS.fundingSource)
    assert linked(programme, label(catalogue, programme)) in overview
    for solution in catalogue.objects(subject, KCS.realises):
        assert linked(solution, label(catalogue, solution)) in overview
    source = section(page, "zdroj")
    for reference in catalogue.objects(subject, DCTERMS.source):
        assert str(catalogue.value(reference, KCS.seedFile)) in source
        assert html.escape(str(catalogue.value(reference, KCS.section)), quote=False) in source


def test_a_realisation_shows_year_cost_status_and_indicators(extended: httpx.Client) -> None:
    page = extended.get(path_of(ADDED + "realisation")).text
    overview = section(page, "prehled")
    assert linked(ID + "place/usti-nad-labem", "Ústí nad Labem") in overview
    assert "<dd>2021</dd>" in overview
    assert "<dd>7\u00a0600\u00a0000\u00a0Kč</dd>" in overview
    assert 'href="/id/descriptor/stav-projektu-2"' in overview
    assert linked(MMR, "Ministerstvo pro místní rozvoj") in overview
    assert linked(ADDED + "solution", "Zkušební řešení se službou") in overview
    assert ">Program využití brownfieldů" in overview, "the measure its solution serves"
    indicators = section(page, "indikatory")
    own = re.search(r"Ušetřená energie</a>.*?</tr>", indicators, re.S)
    assert own and re.findall(r'<td class="number">([^<]*)</td>', own.group(0)) == ["120", "80"]
    inherited = re.search(r"Počet obnovených areálů</a>.*?</tr>", indicators, re.S)
    assert inherited and "Zkušební řešení se službou" in inherited.group(0), "the solution's indicator, named"
    assert "test.txt" in section(page, "zdroj") and "Zkušební oddíl" in section(page, "zdroj")


def test_a_service_shows_its_general_part_and_where_it_is_included(extended: httpx.Client) -> None:
    page = extended.get(path_of(ADDED + "service")).text
    assert "Obecný popis zkušební služby." in page
    general = section(page, "obecne")
    assert 'href="/id/measure/program-vyuziti-brownfieldu"' in general, "served through the solution"
    specific = section(page, "konkretni")
    assert linked(ADDED + "solution", "Zkušební řešení se službou") in specific
    assert linked(ADDED + "realisation", "Zkušební realizace v Ústí") in specific
    assert linked(ID + "place/usti-nad-labem", "Ústí nad Labem") in specific
    assert f'name="iri" value="{ADDED}service"' in page


def test_a_region_shows_what_it_and_its_towns_did(client: httpx.Client, catalogue: Graph) -> None:
    page = client.get(path_of(REGION)).text
    region = URIRef(REGION)
    towns = set(catalogue.subjects(DCTERMS.isPartOf, region)) & set(catalogue.subjects(RDF.type, KCS.Place))
    listed = section(page, "obce")
    assert towns and all(linked(town, label(catalogue, town)) in listed for town in towns)
    done = section(page, "co-udelali")
    there = towns | {region}
    realisations = {
        r for r in catalogue.subjects(RDF.type, KCS.Realisation) if set(catalogue.objects(r, KCS.place)) & there
    }
    assert realisations and all(linked(r, label(catalogue, r)) in done for r in realisations)
    solutions = {
        s for s in catalogue.subjects(RDF.type, KCS.SmartSolution) if set(catalogue.objects(s, KCS.place)) & there
    }
    assert re.search(rf"\((celkem|uvedeno \d+ z) {len(solutions)}\)", done)


def test_a_town_shows_only_what_it_did(client: httpx.Client, catalogue: Graph) -> None:
    done = section(client.get(path_of(TOWN)).text, "co-udelali")
    for realisation in catalogue.subjects(RDF.type, KCS.Realisation):
        shown = linked(realisation, label(catalogue, realisation)) in done
        assert shown == (catalogue.value(realisation, KCS.place) == URIRef(TOWN)), realisation


def test_a_long_list_of_realisations_is_paged(extended: httpx.Client) -> None:
    first = section(extended.get(path_of(ID + "place/usti-nad-labem")).text, "co-udelali")
    rows = '<td><a href="/id/test/'  # the realisations added there: the seeds have none in Ústí
    assert first.count(rows) == 20
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = section(extended.get(path_of(ID + "place/usti-nad-labem") + "?strana=2").text, "co-udelali")
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert second.count(rows) == 26 - 20
    for page in (first, second):  # numbered pages, the shown one marked
        numbers = re.findall(r'<a href="[^"]*"(?: aria-current="page")?><span class="visually-hidden">strana </span>(\d+)</a>', page)
        assert numbers == ["1", "2"]
    assert re.search(r'aria-current="page"><span class="visually-hidden">strana </span>2<', second)
    huge = "9" * 20  # past the 64 bits of a store's OFFSET
    for asked, message in (("abc", "celé kladné číslo"), ("-1", "celé kladné číslo"), ("99", "Tolik stránek"), (huge, "Tolik stránek")):
        answer = extended.get(path_of(ID + "place/usti-nad-labem"), params={"strana": asked})
        assert answer.status_code == 200 and message in section(answer.text, "co-udelali")


def test_a_programme_shows_the_measures_it_supports(client: httpx.Client, catalogue: Graph) -> None:
    page = client.get(path_of(NPO_2_8)).text
    supported = section(page, "podporuje")
    measures = set(catalogue.objects(URIRef(NPO_2_8), KCS.supportsMeasure))
    assert measures and all(linked(m, label(catalogue, m)) in supported for m in measures)
    overview = section(page, "prehled")
    allocation = int(float(catalogue.value(URIRef(NPO_2_8), KCS.allocationCZK)))
    assert f"{allocation:,}".replace(",", "\u00a0") + "\u00a0Kč" in overview
    for part in catalogue.subjects(DCTERMS.isPartOf, URIRef(NPO_2_8)):
        assert linked(part, label(catalogue, part)) in overview


def test_a_programme_supporting_components_reaches_their_measures(extended: httpx.Client, catalogue: Graph) -> None:
    # No programme of the seeds supports a component with measures under it: EXTRA's does.
    programme = ADDED + "programme-for-a-component"
    supported = section(extended.get(path_of(programme)).text, "podporuje")
    components = {URIRef(ID + "component/a4")}
    measures = {
        m
        for m in catalogue.subjects(RDF.type, KCS.TypeMeasure)
        if components & set(catalogue.transitive_objects(m, SKOS.broader))
    }
    assert measures and all(linked(m, label(catalogue, m)) in supported for m in measures)
    assert all(linked(c, label(catalogue, c)) in supported for c in components)


def test_a_programme_open_to_applicants_names_them(client: httpx.Client, catalogue: Graph) -> None:
    programme = URIRef(ID + "programme/npo-2-8-2")
    overview = section(client.get(path_of(str(programme))).text, "prehled")
    applicants = set(catalogue.objects(programme, KCS.eligibleApplicant))
    assert applicants and all(linked(a, label(catalogue, a)) in overview for a in applicants)
    providers = set(catalogue.objects(programme, KCS.provider))
    assert providers and all(linked(p, label(catalogue, p)) in overview for p in providers)


def test_a_call_shows_its_programme(client: httpx.Client, catalogue: Graph) -> None:
    overview = section(client.get(path_of(CALL)).text, "prehled")
    programme = catalogue.value(URIRef(CALL), KCS.callOf)
    assert linked(programme, label(catalogue, programme)) in overview


def test_an_organisation_shows_what_it_takes_part_in(client: httpx.Client, catalogue: Graph) -> None:
    taking_part = section(client.get(path_of(MMR)).text, "ucast")
    provided = set(catalogue.subjects(KCS.provider, URIRef(MMR)))
    guaranteed = set(catalogue.subjects(KCS.guarantor, URIRef(MMR)))
    assert provided and "Poskytuje financování" in taking_part
    assert all(linked(p, label(catalogue, p)) in taking_part for p in provided | guaranteed)


def test_the_english_page_translates_the_frame_and_marks_czech_data(client: httpx.Client) -> None:
    page = client.get(path_of(MEASURE), params={"lang": "en"}).text
    assert '<html lang="en">' in page and "Place in the concept" in page and "All facts" in page
    assert "Místo v koncepci" not in page
    assert '<h1><span lang="cs">Program využití brownfieldů' in page


def test_a_fact_from_a_public_register_cites_its_address(client: httpx.Client, catalogue: Graph) -> None:
    region = URIRef("https://w3id.org/kcs/id/place/jihocesky-kraj")
    cited = {
        str(catalogue.value(reference, KCS.publicSource))
        for reference in catalogue.objects(region, DCTERMS.source)
        if catalogue.value(reference, KCS.publicSource) is not None
    }
    page = html.unescape(client.get("/id/place/jihocesky-kraj").text)
    assert cited, "the region should be cited from a public register"
    for address in cited:
        assert f'href="{address}"' in page
