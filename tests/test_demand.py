"""Demand (issue 13, part 3) over HTTP: every question asked on /odpoved and through GraphQL is counted in a
private aggregate (folded text, day, filter, match, top measures; nothing of who asked), the demand page and
its CSV show only texts asked at least twice, to logged-in curators, reviewers, ministries and admins, the
private graph stays out of /sparql, and an unmatched problem's links prefill the editor."""

from __future__ import annotations

import csv
import io
import itertools
import re
import shutil
import time
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from catalogue import graphs
from catalogue.editing import accounts, authorisation
from catalogue.editing import demand as recording
from catalogue.settings import Settings
from tests.conftest import app_client, logged_in_client
from tests.conftest import form_values as field_values
from tests.conftest import page_csrf as csrf

PASSWORD = "heslo poptávky 2026"  # noqa: S105 - a test password
HTML = {"Accept": "text/html"}
ID = "https://w3id.org/kcs/id/"
MMR = ID + "organisation/mmr"
LIBEREC = ID + "place/liberec"
NUMBERS = itertools.count(1)
MATCHED = "Máme ve městě hodně brownfieldů"
UNMATCHED = "Holubi   znečišťují  náměstí "
UNMATCHED_FOLDED = "holubi znecistuji namesti"
ASKED_ONCE = "Jediný dotaz o vánočních trzích na náměstí"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("demand")
    shutil.copytree(loaded_store_path, folder / "store")
    settings = Settings(store_path=folder / "store", index_path=folder / "index")
    with app_client(settings) as client:
        yield client


@pytest.fixture(scope="module")
def people(web: TestClient) -> dict[str, accounts.Account]:
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    made = {}
    for role in authorisation.ROLES:
        made[role] = accounts.add_account(
            catalogue.store, catalogue.settings, f"{role}@poptavka.cz", PASSWORD, role,
            organisation=MMR if role == "ministry" else None, name=f"{role.capitalize()} Poptávková",
        )
    return made


@pytest.fixture(scope="module")
def asked(web: TestClient) -> None:
    """The questions every test reads: two of the matched, three of the unmatched (one through GraphQL, one
    with a place filter), one asked once only."""
    visitor = browser(web)
    assert visitor.get("/odpoved", params={"problem": MATCHED}, headers=HTML).status_code == 200
    assert visitor.get("/odpoved", params={"problem": MATCHED.upper()}, headers=HTML).status_code == 200
    assert visitor.get("/odpoved", params={"problem": UNMATCHED}, headers=HTML).status_code == 200
    assert visitor.get("/odpoved", params={"problem": UNMATCHED, "misto": LIBEREC}, headers=HTML).status_code == 200
    assert visitor.get("/odpoved", params={"problem": ASKED_ONCE}, headers=HTML).status_code == 200
    graphql(web, UNMATCHED)


def browser(web: TestClient, who: accounts.Account | None = None) -> TestClient:
    """Another browser on the running app, logged in as ``who``."""
    return logged_in_client(web.app, who.email if who else None, PASSWORD, address=f"10.1.0.{next(NUMBERS)}")


def graphql(web: TestClient, text: str) -> dict:
    response = browser(web).post("/graphql", json={
        "query": "query($t: String!) { problem(text: $t) { goodMatch measures { measure { iri } } } }",
        "variables": {"t": text},
    })
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["problem"]


def demand_triples(web: TestClient) -> list[tuple[str, str, str]]:
    """The demand graph's triples, once what the server was asked so far is written (as its thread would
    within two seconds)."""
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    catalogue.write_demand()
    graph = graphs.private_graph(catalogue.settings, graphs.DEMAND)
    return [(t.subject.value, t.predicate.value, t.object.value) for t in catalogue.store.triples_in(graph)]


def counts(web: TestClient) -> dict[str, int]:
    """Each recorded text's count over its aggregates."""
    found: dict[str, int] = {}
    triples = demand_triples(web)
    texts = {s: o for s, p, o in triples if p == recording.TEXT}
    for s, p, o in triples:
        if p == recording.COUNT:
            found[texts[s]] = found.get(texts[s], 0) + int(o)
    return found


# -- recording ----------------------------------------------------------------------------------------------

def test_the_site_and_graphql_record_the_folded_text_and_nothing_of_who_asked(web: TestClient, asked) -> None:
    found = counts(web)
    assert found["mame ve meste hodne brownfieldu"] == 2, "case, diacritics and white space are folded"
    assert found[UNMATCHED_FOLDED] == 3, "the site's two and GraphQL's one"
    triples = demand_triples(web)
    predicates = {p for _, p, _ in triples}
    assert predicates <= {
        recording.RDF_TYPE, recording.TEXT, recording.DAY, recording.COUNT, recording.MATCHED_WELL,
        recording.TOP_MATCH, recording.PILLAR_FILTER, recording.PLACE_FILTER,
    }
    values = " ".join(o for _, _, o in triples)
    assert "10.1.0." not in values and "testclient" not in values and "@" not in values
    assert "account/" not in values and "session/" not in values
    assert any(p == recording.PLACE_FILTER and o == LIBEREC for _, p, o in triples)
    wells = {o for s, p, o in triples if p == recording.MATCHED_WELL
             and (s, recording.TEXT, UNMATCHED_FOLDED) in triples}
    assert wells == {"false"}
    matched = next(s for s, p, o in triples if p == recording.TEXT and o == "mame ve meste hodne brownfieldu")
    assert (matched, recording.MATCHED_WELL, "true") in triples
    assert any(s == matched and p == recording.TOP_MATCH and o.startswith(ID + "measure/") for s, p, o in triples)


def test_each_graphql_question_counts_even_when_asked_again(web: TestClient, asked) -> None:
    """The second identical operation is answered from the kept answers, with no resolver running."""
    kept = web.app.state.catalogue.graphql_responses  # type: ignore[attr-defined]
    assert kept is not None
    before = counts(web).get("vandalove nici lavicky v parku", 0)
    graphql(web, "Vandalové ničí lavičky v parku")
    held = len(kept)
    graphql(web, "Vandalové ničí lavičky v parku")
    graphql(web, "Vandalové ničí lavičky v parku")
    assert len(kept) == held, "served from the kept answer"
    assert counts(web)["vandalove nici lavicky v parku"] == before + 3


def test_a_failing_store_never_fails_the_answer(web: TestClient, asked, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("the store is full")

    monkeypatch.setattr(recording, "record", broken)
    assert browser(web).get("/odpoved", params={"problem": MATCHED}, headers=HTML).status_code == 200
    assert graphql(web, MATCHED)["goodMatch"] is True


def test_the_demand_graph_is_private_and_absent_from_sparql(web: TestClient, asked) -> None:
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    graph = graphs.private_graph(catalogue.settings, graphs.DEMAND)
    assert graph in graphs.private_graphs(catalogue.settings)
    # The app's own client: the /sparql workers belong to its event loop.
    response = web.get("/sparql", params={
        "query": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{recording.TEXT}> ?o }}"
    }, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "0"
    response = web.get("/sparql", params={
        "query": f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} LIMIT 1"
    }, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200 and response.json()["results"]["bindings"] == []


# -- the page -----------------------------------------------------------------------------------------------

def test_anonymous_is_sent_to_log_in(web: TestClient) -> None:
    response = browser(web).get("/poptavka", headers=HTML)
    assert response.status_code == 303 and response.headers["location"].startswith("/prihlaseni")
    assert browser(web).get("/poptavka.csv", headers=HTML).status_code == 303


@pytest.mark.parametrize("role", authorisation.ROLES)
def test_every_role_reads_the_demand(web: TestClient, people, asked, role: str) -> None:
    page = browser(web, people[role]).get("/poptavka", headers=HTML)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"


def test_a_role_without_the_right_is_refused(web: TestClient, people, monkeypatch: pytest.MonkeyPatch) -> None:
    table = {**authorisation.PERMISSIONS, "ministry": {
        action: kinds for action, kinds in authorisation.PERMISSIONS["ministry"].items()
        if action != authorisation.READ_DEMAND
    }}
    monkeypatch.setattr(authorisation, "PERMISSIONS", table)
    client = browser(web, people["ministry"])
    response = client.get("/poptavka", headers=HTML)
    assert response.status_code == 403
    assert "Poptávku mohou číst jen" in response.text
    assert client.get("/poptavka.csv", headers=HTML).status_code == 403


def test_the_page_shows_its_sections_and_only_texts_asked_twice(web: TestClient, people, asked) -> None:
    page = unescape(browser(web, people["curator"]).get("/poptavka", headers=HTML).text)
    for heading in ("Nejčastější problémy podle pilířů", "Nejčastější problémy podle opatření",
                    "Problémy bez dobré shody", "Vývoj podle měsíců", "Poptávka podle krajů"):
        assert f">{heading}</h2>" in page
    assert page.count("<caption>") >= 4 and 'scope="col"' in page and 'scope="row"' in page
    assert "mame ve meste hodne brownfieldu" in page
    assert UNMATCHED_FOLDED in page
    assert "vanocnich trzich" not in page, "a text asked once is not published"
    unmatched = page[page.index('id="bez-shody"'):page.index('id="podle-mesicu"')]
    assert UNMATCHED_FOLDED in unmatched and "mame ve meste hodne brownfieldu" not in unmatched
    regions = page[page.index('id="podle-kraju"'):]
    assert "Liberecký kraj" in regions, regions[:3000]
    months = page[page.index('id="podle-mesicu"'):page.index('id="podle-kraju"')]
    assert re.search(r"\d{4}-\d{2}", months)
    assert 'href="/poptavka.csv"' in page


def test_the_threshold_is_a_setting(web: TestClient, people, asked, monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    monkeypatch.setattr(catalogue.settings, "demand_min_asked", 1)
    page = unescape(browser(web, people["curator"]).get("/poptavka", headers=HTML).text)
    assert "vanocnich trzich" in page
    monkeypatch.setattr(catalogue.settings, "demand_min_asked", 100)
    page = unescape(browser(web, people["curator"]).get("/poptavka", headers=HTML).text)
    assert UNMATCHED_FOLDED not in page


def test_the_csv_holds_the_shown_texts(web: TestClient, people, asked) -> None:
    response = browser(web, people["ministry"]).get("/poptavka.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Problém", "Kolikrát položen", "Dobrá shoda", "Nejlepší opatření", "První den", "Poslední den"]
    by_text = {row[0]: row for row in rows[1:]}
    assert by_text["mame ve meste hodne brownfieldu"][2] == "ano"
    assert by_text["mame ve meste hodne brownfieldu"][3]
    assert by_text[UNMATCHED_FOLDED][1] == "3" and by_text[UNMATCHED_FOLDED][2] == "ne"
    assert not any("vanocnich" in text for text in by_text)


def test_the_page_speaks_english(web: TestClient, people, asked) -> None:
    client = browser(web, people["admin"])
    client.cookies.set("jazyk", "en")
    page = client.get("/poptavka", headers={**HTML, "Accept-Language": "en"}).text
    if "Demand from municipalities" not in page:  # the site's language switch
        client.get("/jazyk/en", params={"zpet": "/poptavka"})
        page = client.get("/poptavka", headers=HTML).text
    assert "Demand from municipalities" in page and "Problems with no good match" in page


# -- one step from an unmatched problem to the editor ---------------------------------------------------------

def links(page: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', page)]


def test_an_unmatched_problem_starts_a_new_problem_with_its_name(web: TestClient, people, asked) -> None:
    client = browser(web, people["curator"])
    page = client.get("/poptavka", headers=HTML).text
    new = next(link for link in links(page) if link.startswith("/upravy/novy/problem?"))
    assert parse_qs(urlsplit(new).query)["nazev"] == [UNMATCHED_FOLDED]
    form = client.get(new, headers=HTML)
    assert form.status_code == 200
    assert re.search(rf'name="skos-prefLabel"[^>]*value="{UNMATCHED_FOLDED}"|value="{UNMATCHED_FOLDED}"[^>]*'
                     r'name="skos-prefLabel"', form.text)


def test_an_unmatched_problem_adds_a_synonym_to_a_concept(web: TestClient, people) -> None:
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    measure = catalogue.store.values(
        "SELECT ?m WHERE { ?m a <https://w3id.org/kcs/ontology#TypeMeasure> } ORDER BY ?m LIMIT 1"
    )[0]["m"]
    client = browser(web, people["curator"])
    form = client.get("/upravy/upravit", params={"iri": measure, "synonymum": "holubi na namesti"}, headers=HTML)
    assert form.status_code == 200
    hidden = [unescape(value) for value in re.findall(r'name="skos-hiddenLabel"[^>]*value="([^"]*)"', form.text)]
    hidden += [unescape(value) for value in re.findall(r'value="([^"]*)"[^>]*name="skos-hiddenLabel"', form.text)]
    assert "holubi na namesti" in hidden


def test_a_curator_turns_an_unmatched_problem_into_a_synonym_and_the_next_question_matches_well(
    web: TestClient, people, asked
) -> None:
    """The journey of issue 13: a demand row → the concept's form with the synonym → draft → submitted →
    published by a reviewer → the same question now matches well, and the row leaves the unmatched."""
    text = "Holubi kadi na lavky u radnice"
    visitor = browser(web)
    for _ in range(2):
        assert visitor.get("/odpoved", params={"problem": text}, headers=HTML).status_code == 200
    curator = browser(web, people["curator"])
    page = curator.get("/poptavka", headers=HTML).text
    unmatched = unescape(page[page.index('id="bez-shody"'):page.index('id="podle-mesicu"')])
    assert text.lower() in unmatched
    assert well(web, text.lower()) == {"false"}
    measure = ID + "measure/program-vyuziti-brownfieldu"
    form = curator.get("/upravy/upravit", params={"iri": measure, "synonymum": text.lower()}, headers=HTML)
    assert form.status_code == 200
    names = set(re.findall(r'name="([^"]+)"', form.text))
    data = {name: values for name in names if (values := field_values(form.text, name))}
    assert text.lower() in data["skos-hiddenLabel"]
    data["duvod"], data["akce"] = ["Slova, která obce používají (poptávka)"], ["ulozit"]
    saved = curator.post("/upravy/ulozit", data=data, headers=HTML)
    assert saved.status_code == 303, saved.text[:2000]
    identifier = re.match(r"^/upravy/navrh/([0-9a-f]+)", saved.headers["location"]).group(1)  # type: ignore[union-attr]
    draft_page = curator.get(f"/upravy/navrh/{identifier}", headers=HTML).text
    submitted = curator.post(f"/upravy/navrh/{identifier}/odeslat", data={"csrf": csrf(draft_page)}, headers=HTML)
    assert submitted.status_code == 303
    reviewer = browser(web, people["reviewer"])
    review_page = reviewer.get(f"/upravy/navrh/{identifier}", headers=HTML).text
    published = reviewer.post(f"/upravy/navrh/{identifier}/zverejnit",
                              data={"csrf": csrf(review_page), "komentar": "Děkujeme"}, headers=HTML)
    assert published.status_code == 303, published.text[:2000]

    answer = visitor.get("/odpoved", params={"problem": text}, headers=HTML).text
    assert "Program využití brownfieldů" in answer
    assert well(web, text.lower()) == {"true"}, "the same aggregate now holds a good match"
    page = unescape(curator.get("/poptavka", headers=HTML).text)
    assert text.lower() not in page[page.index('id="bez-shody"'):page.index('id="podle-mesicu"')]


def well(web: TestClient, text: str) -> set[str]:
    """Whether the aggregates of ``text`` matched well, as stored."""
    triples = demand_triples(web)
    return {o for s, p, o in triples if p == recording.MATCHED_WELL and (s, recording.TEXT, text) in triples}


def test_recording_and_reading_work_on_the_oxigraph_server_too(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The questions a server was asked go to the Oxigraph server in one SPARQL update, and the page's
    reads work there. Its demand graph is dropped before and after: the answer pages other tests ask on
    that server record their questions too."""
    from catalogue.queries import demand as reading
    from catalogue.store import CatalogueStore
    from tests.conftest import server_settings

    settings = server_settings(request.getfixturevalue("loaded_oxigraph_server"), tmp_path)
    store = CatalogueStore.open(settings)
    graph = graphs.private_graph(settings, graphs.DEMAND)
    store.update(f"DROP SILENT GRAPH <{graph}>")
    updates: list[str] = []
    update = store.update
    store.update = lambda text: (updates.append(text), update(text))[1]  # type: ignore[method-assign]
    try:
        tally = recording.DemandTally()
        for _ in range(3):
            tally.add(recording.Question(" holubi  na namesti ", False, (), None, LIBEREC))
        tally.add(recording.Question("jednou", True, (ID + "measure/program-vyuziti-brownfieldu",)))
        assert updates == []
        assert tally.write(store, settings) == 2 and len(updates) == 1
        found = reading.demand(store, settings)
        assert [(text.text, text.count) for text in found.texts] == [("holubi na namesti", 3)]
        assert found.total == 4 and [t.text for t in found.unmatched] == ["holubi na namesti"]
        assert [(region.label, count) for region, count in found.regions] == [("Liberecký kraj", 3)]
        assert tally.write(store, settings) == 0 and len(updates) == 1
        tally.add(recording.Question("holubi na namesti", True, (), None, LIBEREC))
        tally.write(store, settings)
        assert [(text.text, text.count, text.matched_well) for text in reading.demand(store, settings).texts] == [
            ("holubi na namesti", 4, True)
        ]
    finally:
        store.update(f"DROP SILENT GRAPH <{graph}>")
        store.close()


def test_a_failed_write_keeps_the_questions_for_the_next(tmp_path: Path) -> None:
    """The store refuses a write: nothing asked is lost, what was asked meanwhile is added, and the latest
    answer's match wins."""
    from catalogue.queries import demand as reading
    from catalogue.store import CatalogueStore, StoreError

    settings = Settings(store_path=tmp_path / "store", demand_min_asked=1)
    with CatalogueStore.open(settings) as store:
        tally = recording.DemandTally()
        tally.add(recording.Question("osvetleni", False))
        tally.add(recording.Question("osvetleni", False))
        update = store.update

        def refused(text: str) -> None:
            raise StoreError("disk full")

        store.update = refused  # type: ignore[method-assign]
        with pytest.raises(StoreError):
            tally.write(store, settings)
        tally.add(recording.Question("osvetleni", True))
        store.update = update  # type: ignore[method-assign]
        assert tally.write(store, settings) == 1
        assert [(text.text, text.count, text.matched_well) for text in reading.demand(store, settings).texts] == [
            ("osvetleni", 3, True)
        ]
        # The latest answer's top measures replace the earlier ones.
        tally.add(recording.Question("osvetleni", True, (ID + "measure/a", ID + "measure/b")))
        tally.write(store, settings)
        tally.add(recording.Question("osvetleni", True, (ID + "measure/c",)))
        tally.write(store, settings)
        graph = graphs.private_graph(settings, graphs.DEMAND)
        tops = [t.object.value for t in store.triples_in(graph) if t.predicate.value == recording.TOP_MATCH]
        assert tops == [ID + "measure/c"]
        assert [text.count for text in reading.demand(store, settings).texts] == [5]


def test_a_running_server_writes_what_it_was_asked_every_few_seconds(web: TestClient) -> None:
    """Nobody reads the demand: the server's own thread writes it (catalogue/runtime.py)."""
    text = "Ptáme se na lavičky v parku u řeky"
    web.get("/odpoved", params={"problem": text})
    catalogue = web.app.state.catalogue  # type: ignore[attr-defined]
    graph = graphs.private_graph(catalogue.settings, graphs.DEMAND)
    deadline = time.monotonic() + recording.WRITE_SECONDS + 3
    while not any(t.object.value == "ptame se na lavicky v parku u reky" for t in catalogue.store.triples_in(graph)):
        assert time.monotonic() < deadline, f"the question was not written within {recording.WRITE_SECONDS + 3} s"
        time.sleep(0.1)


def test_a_stopping_server_writes_what_it_was_asked(tmp_path: Path, loaded_store_path: Path) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from catalogue.store import CatalogueStore

    shutil.copytree(loaded_store_path, tmp_path / "store")
    settings = Settings(store_path=tmp_path / "store", index_path=tmp_path / "index")
    with TestClient(create_app(settings, watch=False), base_url="http://127.0.0.1") as client:
        assert client.get("/odpoved", params={"problem": ASKED_ONCE}).status_code == 200
    with CatalogueStore.open(settings, read_only=True) as store:
        texts = [t.object.value for t in store.triples_in(graphs.private_graph(settings, graphs.DEMAND))]
    assert "jediny dotaz o vanocnich trzich na namesti" in texts
