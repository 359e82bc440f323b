"""The project builder (/projekt), in-process on both stores: the basket in a cookie and in a shared address, what
the brownfield measures cover together (three pillars, a multidisciplinary project, NPO 2.8), the
cross-cutting area, refused changes that leave the basket as it was, and the CSV and JSON exports
agreeing with the page."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from catalogue.settings import Settings
from tests.conftest import TEST_BASE_URL, app_client, load_extra
from web.basket import BASKET_COOKIE, MAX_ITEMS, decode_basket, encode_basket

BASE = "https://w3id.org/kcs/id/"
BROWNFIELD_MEASURES = (
    BASE + "measure/coworkingova-centra-a-male-brownfieldy",
    BASE + "measure/program-vyuziti-brownfieldu",
    BASE + "measure/dostupne-bydleni-a-brownfieldy",
)
BROWNFIELD_PILLARS = ("Lokální ekonomika", "Prostředí pro život", "Lidé a komunity")
NPO_2_8 = BASE + "programme/npo-2-8"
ZPO_MEASURE = BASE + "measure/zpo3-site-energetickych-manazeru"
PLZEN_5G = BASE + "solution/5g-pro-5-mest-plzen"
HTML = {"Accept": "text/html"}


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _text(html: str) -> str:
    return _flat(unescape(re.sub(r"<[^>]+>", " ", html)))


def _section(html: str, heading_id: str) -> str:
    """The HTML of the page's section headed by ``heading_id``."""
    return html.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


@pytest.fixture
def client(site: httpx.Client) -> Iterator[httpx.Client]:
    """A visitor with an empty cookie jar (the app in-process, on both stores)."""
    site.headers.update(HTML)
    yield site
    for name in HTML:
        del site.headers[name]


def _add(client: httpx.Client, iri: str, back: str = "/projekt") -> httpx.Response:
    return client.post("/projekt/pridat", data={"iri": iri, "zpet": back})


def _basket(client: httpx.Client) -> list[str]:
    value = client.cookies.get(BASKET_COOKIE)
    return decode_basket(value, BASE) if value else []


def test_an_empty_project_explains_itself_and_offers_measures_and_services(client: httpx.Client) -> None:
    page = client.get("/projekt")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Projekt je zatím prázdný" in text
    assert page.headers["cache-control"] == "no-store"
    choices = _section(page.text, "pridat")
    assert all(f'value="{iri}"' in choices for iri in BROWNFIELD_MEASURES)
    assert f'value="{BASE}service/chytra-navigace"' in choices
    assert 'action="/projekt/pridat" method="post"' in choices and 'action="/projekt" method="get"' in choices


def test_items_are_added_removed_and_emptied_in_the_cookie(client: httpx.Client) -> None:
    for iri in BROWNFIELD_MEASURES:
        answer = _add(client, iri)
        assert answer.status_code == 303 and answer.headers["location"] == "/projekt?" + urlencode({"pridano": iri})
    assert _basket(client) == list(BROWNFIELD_MEASURES)
    assert "samesite=lax" in answer.headers["set-cookie"].lower()
    _add(client, BROWNFIELD_MEASURES[0])
    assert _basket(client) == list(BROWNFIELD_MEASURES), "adding an item twice keeps it once"

    items = _section(client.get("/projekt").text, "polozky")
    assert all(f'name="iri" value="{iri}"' in items for iri in BROWNFIELD_MEASURES)

    removed = client.post("/projekt/odebrat", data={"iri": BROWNFIELD_MEASURES[1]})
    assert removed.status_code == 303 and removed.headers["location"] == "/projekt"
    assert _basket(client) == [BROWNFIELD_MEASURES[0], BROWNFIELD_MEASURES[2]]
    assert f'value="{BROWNFIELD_MEASURES[1]}"' not in _section(client.get("/projekt").text, "polozky")

    emptied = client.post("/projekt/vyprazdnit")
    assert emptied.status_code == 303
    assert _basket(client) == []
    assert "Projekt je zatím prázdný" in _text(client.get("/projekt").text)


def test_an_item_added_on_another_page_goes_back_to_its_button_and_says_so(client: httpx.Client) -> None:
    measure = BROWNFIELD_MEASURES[0]
    answer = _add(client, measure, back="/odpoved?problem=brownfieldy#pridat-measure-x")
    added = urlencode({"pridano": measure})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/odpoved?problem=brownfieldy&{added}#pridat-measure-x"
    page = client.get(answer.headers["location"].split("#")[0]).text
    statuses = [_text(text) for text in re.findall(r'role="status">(.*?)</p>', page, re.S) if text.strip()]
    assert len(statuses) == 1, "the one button that added says so"
    assert "Přidáno do projektu" in statuses[0] and "Položek v projektu: 1" in statuses[0]
    assert re.search(r"<span data-project-count>1</span>", page), "the header counts the project's items"


def test_an_addition_claimed_by_a_link_alone_is_not_confirmed(client: httpx.Client) -> None:
    page = client.get("/odpoved?" + urlencode({"problem": "brownfieldy", "pridano": BROWNFIELD_MEASURES[0]})).text
    assert "Přidáno do projektu" not in page
    assert re.search(r"<span data-project-count>0</span>", page)


def test_an_addition_asked_as_json_answers_the_count_and_the_confirmation(client: httpx.Client) -> None:
    for count, measure in enumerate(BROWNFIELD_MEASURES[:2], start=1):
        answer = client.post(
            "/projekt/pridat", data={"iri": measure, "zpet": "/odpoved"}, headers={"Accept": "application/json"}
        )
        assert answer.status_code == 200
        body = answer.json()
        assert body["count"] == count
        assert "Přidáno do projektu" in body["status"] and f"Položek v projektu: {count}" in body["status"]
    assert _basket(client) == list(BROWNFIELD_MEASURES[:2])


@pytest.mark.parametrize("back", ["//evil.example", "https://evil.example/", "/\\evil.example", "", "projekt"])
def test_going_back_leaves_the_site_never(client: httpx.Client, back: str) -> None:
    answer = _add(client, BROWNFIELD_MEASURES[0], back=back)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/projekt?" + urlencode({"pridano": BROWNFIELD_MEASURES[0]})


def test_a_project_is_named_and_a_long_name_is_refused_keeping_what_was_typed(client: httpx.Client) -> None:
    _add(client, BROWNFIELD_MEASURES[0])
    saved = client.post("/projekt/nazev", data={"nazev": "  Brownfieldy\nv Liberci  "})
    assert saved.status_code == 303
    page = client.get(saved.headers["location"].split("#")[0]).text
    assert 'value="Brownfieldy v Liberci"' in page and "Název projektu je uložen." in page
    assert "<title>Brownfieldy v Liberci – Sestavit projekt" in page
    assert client.get("/projekt.json").json()["name"] == "Brownfieldy v Liberci"

    typed = "Ž" * 121
    refused = client.post("/projekt/nazev", data={"nazev": typed})
    assert refused.status_code == 400
    assert "Název projektu může mít nejvýš 120 znaků." in refused.text
    assert f'value="{typed}"' in refused.text and 'aria-invalid="true"' in refused.text
    assert client.get("/projekt.json").json()["name"] == "Brownfieldy v Liberci", "the name stays as it was"

    client.post("/projekt/nazev", data={"nazev": ""})
    assert client.get("/projekt.json").json()["name"] is None


def test_the_brownfield_measures_make_a_multidisciplinary_project_funded_by_npo_2_8(
    client: httpx.Client, seeds: dict[str, str]
) -> None:
    seed = _flat(seeds["004_a5790c3893364729.txt"])
    for iri in BROWNFIELD_MEASURES:
        _add(client, iri)
    page = client.get("/projekt").text
    coverage = _text(_section(page, "pokryti"))
    for pillar in BROWNFIELD_PILLARS:
        assert pillar in seed and pillar in coverage
    assert "Pilíře 3:" in coverage
    assert "Multidisciplinární projekt" in coverage
    assert "Zastřešující průřezovou oblast (ZPO) projekt zatím nepokrývá" in coverage
    assert "Pilíře, které projekt zatím nepokrývá" not in coverage

    funding = _section(page, "financovani")
    rows = funding.split('<li class="card">')[1:]
    npo = next(row for row in rows if 'href="/id/programme/npo-2-8"' in row)
    assert "Regenerace území se starou stavební zátěží (brownfieldů)" in seed
    assert "Regenerace území se starou stavební zátěží (brownfieldů)" in _text(npo)
    assert "3 / 3" in _text(npo), "NPO 2.8 supports all three measures"
    assert all("3 / 3" in _text(row) for row in rows[: rows.index(npo)]), "what covers most comes first"


def test_a_measure_of_the_cross_cutting_area_covers_zpo(client: httpx.Client) -> None:
    _add(client, ZPO_MEASURE)
    coverage = _text(_section(client.get("/projekt").text, "pokryti"))
    assert "Zastřešující průřezová oblast (ZPO) je pokryta: Zastřešující průřezová oblast (ZPO)" in coverage
    assert "Projekt zatím pokrývá nejvýš jeden pilíř" in coverage
    for pillar in BROWNFIELD_PILLARS:
        assert pillar in coverage.split("Pilíře, které projekt zatím nepokrývá", 1)[1]
    assert client.get("/projekt.json").json()["zpo_covered"] is True


def test_a_solution_counts_for_the_goals_it_serves(client: httpx.Client, catalogue) -> None:
    from rdflib import URIRef
    from rdflib.namespace import SKOS

    from catalogue.vocabulary import KCS

    served = {str(catalogue.value(goal, SKOS.notation)) for goal in catalogue.objects(URIRef(PLZEN_5G), KCS.servesGoal)}
    assert served, "5G Plzeň serves goals of component A4"
    _add(client, PLZEN_5G)
    exported = client.get("/projekt.json").json()
    assert [item["iri"] for item in exported["items"]] == [PLZEN_5G]
    assert {goal["code"] for goal in exported["goals"]} == served
    assert [pillar["label"] for pillar in exported["pillars"]] == ["Lidé a komunity"]
    assert "Cíle, které řešení naplňují přímo" in _text(client.get("/projekt").text)


# No programme of the seeds supports component A4 (the AP SRR slide only puts it beside its energy
# measures): a programme that does is added.
A4_PROGRAMME = BASE + "test/program-pro-komponentu-a4"


@pytest.fixture(scope="module")
def funded_a4(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[httpx.Client]:
    folder = tmp_path_factory.mktemp("funded-a4")
    store = folder / "store"
    shutil.copytree(loaded_store_path, store)
    load_extra(
        store,
        "test-a4-programme",
        f'<{A4_PROGRAMME}> a <https://w3id.org/kcs/ontology#FundingProgramme> ; '
        f'<http://www.w3.org/2004/02/skos/core#prefLabel> "Zkušební program pro komponentu A4"@cs ; '
        f"<https://w3id.org/kcs/ontology#supportsComponent> <{BASE}component/a4> .\n",
    )
    with app_client(Settings(store_path=store, index_path=folder / "index"), **HTML) as http:
        yield http


def test_a_solution_serving_goals_finds_the_funding_of_their_component(funded_a4: httpx.Client, catalogue) -> None:
    """5G Plzeň serves goals of component A4 and no measure: a programme supporting A4 fits it."""
    from rdflib import URIRef

    from catalogue.vocabulary import KCS

    component = BASE + "component/a4"
    served = set(catalogue.objects(URIRef(PLZEN_5G), KCS.servesGoal))
    _add(funded_a4, PLZEN_5G)
    exported = funded_a4.get("/projekt.json").json()
    fitting = {fit["iri"]: fit for fit in exported["funding"]}
    assert A4_PROGRAMME in fitting
    assert {goal["component"] for goal in fitting[A4_PROGRAMME]["goals"]} == {component}
    assert {goal["iri"] for goal in fitting[A4_PROGRAMME]["goals"]} == {goal["iri"] for goal in exported["goals"]}
    assert A4_PROGRAMME in exported["items"][0]["funding"]
    page = _text(funded_a4.get("/projekt").text)
    assert f"Cíle, které projekt naplňuje přímo: {len(served)} / {len(served)}" in page


@pytest.mark.parametrize(
    ("iri", "message"),
    [
        ("není to IRI", "není platná IRI"),
        ("https://example.org/a b", "není platná IRI"),
        ("", "Chybí adresa záznamu"),
        (BASE + "measure/takove-opatreni-neni", "Katalog nezná takové typové opatření"),
        (NPO_2_8, "Katalog nezná takové typové opatření"),
    ],
)
def test_a_bad_or_unknown_item_is_refused_in_czech_and_the_basket_stays(
    client: httpx.Client, iri: str, message: str
) -> None:
    _add(client, BROWNFIELD_MEASURES[0])
    refused = _add(client, iri)
    assert refused.status_code == 400
    assert '<html lang="cs">' in refused.text and message in _text(refused.text)
    assert "set-cookie" not in refused.headers
    assert _basket(client) == [BROWNFIELD_MEASURES[0]]


def test_a_change_posted_from_another_site_is_refused(client: httpx.Client) -> None:
    _add(client, BROWNFIELD_MEASURES[0])
    refused = client.post("/projekt/vyprazdnit", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403 and "z jiného webu" in _text(refused.text)
    refused = client.post("/projekt/pridat", data={"iri": ZPO_MEASURE}, headers={"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403
    assert _basket(client) == [BROWNFIELD_MEASURES[0]]


def test_a_shared_address_shows_its_project_and_can_be_saved(client: httpx.Client) -> None:
    _add(client, ZPO_MEASURE)
    shared = "/projekt?" + urlencode([("polozka", iri) for iri in BROWNFIELD_MEASURES])
    page = client.get(shared).text
    assert "Prohlížíte sdílený projekt" in _text(page)
    assert "Multidisciplinární projekt" in _text(_section(page, "pokryti"))
    assert 'id="pridat"' not in page, "a shared project is not changed in place"
    assert f'value="{TEST_BASE_URL}{shared}"'.replace("&", "&amp;") in page, "the page gives its own shareable link"
    assert _basket(client) == [ZPO_MEASURE], "looking at a shared project leaves one's own alone"

    saved = client.post("/projekt/ulozit", data={"polozka": list(BROWNFIELD_MEASURES)})
    assert saved.status_code == 303 and saved.headers["location"] == "/projekt"
    assert _basket(client) == [ZPO_MEASURE, *BROWNFIELD_MEASURES]


def test_a_shared_address_with_a_bad_item_is_refused(client: httpx.Client) -> None:
    answer = client.get("/projekt", params={"polozka": "javascript:alert(1) x"})
    assert answer.status_code == 400 and "není platná IRI" in _text(answer.text)
    unknown = client.get("/projekt", params=[("polozka", BROWNFIELD_MEASURES[0]), ("polozka", BASE + "measure/nic")])
    assert unknown.status_code == 200
    assert "Tyto položky katalog nezná" in _text(unknown.text) and BASE + "measure/nic" in unknown.text


def test_the_exports_agree_with_the_page(client: httpx.Client) -> None:
    for iri in (*BROWNFIELD_MEASURES, PLZEN_5G):
        _add(client, iri)
    page = client.get("/projekt").text
    items_text = _text(_section(page, "polozky"))

    exported = client.get("/projekt.csv")
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert exported.headers["content-disposition"] == 'attachment; filename="projekt.csv"'
    assert exported.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert [row["IRI"] for row in rows] == [*BROWNFIELD_MEASURES, PLZEN_5G]
    assert all(row["Položka"] in items_text for row in rows)
    assert [row["Pilíře"] for row in rows] == [*BROWNFIELD_PILLARS, "Lidé a komunity"]
    assert all("Regenerace území se starou stavební zátěží (brownfieldů)" in row["Financování"] for row in rows[:3])

    document = client.get("/projekt.json")
    assert document.headers["content-disposition"] == 'attachment; filename="projekt.json"'
    data = document.json()
    coverage = _text(_section(page, "pokryti"))
    assert data["multidisciplinary"] is True and data["zpo_covered"] is False
    assert sorted(p["label"] for p in data["pillars"]) == sorted(BROWNFIELD_PILLARS)
    assert all(measure["label"] in coverage for measure in data["measures"])
    assert all(goal["label"] in coverage for goal in data["goals"])
    funding_text = _text(_section(page, "financovani"))
    assert [fit["iri"] for fit in data["funding"]][:1] and all(fit["label"] in funding_text for fit in data["funding"])
    assert NPO_2_8 in {fit["iri"] for fit in data["funding"]}
    indicators = _text(_section(page, "ukazatele"))
    assert all(indicator["label"] in indicators for indicator in data["indicators"])
    assert set(data) >= {"items", "measures", "goals", "pillars", "multidisciplinary", "zpo_covered", "funding",
                         "indicators", "share_url"}


def test_the_exports_of_a_shared_address(client: httpx.Client) -> None:
    query = [("polozka", ZPO_MEASURE)]
    data = client.get("/projekt.json", params=query).json()
    assert [item["iri"] for item in data["items"]] == [ZPO_MEASURE] and data["zpo_covered"] is True
    exported = client.get("/projekt.csv", params=query).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported), delimiter=";"))
    assert len(rows) == 2 and rows[1][1] == ZPO_MEASURE
    assert "/projekt.json?polozka=" in client.get("/projekt", params=query).text


def test_the_page_and_its_csv_speak_english_when_asked(client: httpx.Client) -> None:
    _add(client, BROWNFIELD_MEASURES[0])
    page = client.get("/projekt", params={"lang": "en"}).text
    assert '<html lang="en">' in page and "What the project covers" in page
    header = client.get("/projekt.csv", params={"lang": "en"}).content.decode("utf-8-sig").splitlines()[0]
    assert header == "Item;IRI;Kind;Type measures;Goals;Components;Pillars;Funding"


def test_the_cookie_holds_a_full_basket_and_ignores_what_is_no_iri() -> None:
    iris = [f"{BASE}realisation/liberec-zasobnik-projektu-{number:03d}-a-dost-dlouhy-nazev" for number in range(MAX_ITEMS)]
    value = encode_basket(iris, BASE)
    assert len(value) < 3800
    assert decode_basket(value, BASE) == iris
    assert decode_basket("measure%2Fa|not%20an%20iri|https%3A%2F%2Fexample.org%2Fx", BASE) == [
        BASE + "measure/a",
        "https://example.org/x",
    ]


def test_a_full_project_refuses_one_more_item(client: httpx.Client, catalogue) -> None:
    from rdflib import RDF, URIRef

    solutions = sorted(str(s) for s in catalogue.subjects(RDF.type, URIRef("https://w3id.org/kcs/ontology#SmartSolution")))
    assert len(solutions) > MAX_ITEMS
    for iri in solutions[:MAX_ITEMS]:
        assert _add(client, iri).status_code == 303
    assert len(_basket(client)) == MAX_ITEMS
    assert "Projekt má už 50 položek" in _text(client.get("/projekt").text)
    refused = _add(client, solutions[MAX_ITEMS])
    assert refused.status_code == 400 and "Projekt je plný" in _text(refused.text)
    assert _basket(client) == solutions[:MAX_ITEMS]
