"""The answer page over HTTP: the brownfield journey, filters in the URL, bad input; and the proposal
form: stored in the graph with its date and valid by its shape, protected against forgery, robots and
floods, and kept when the catalogue is loaded again."""

from __future__ import annotations

import itertools
import re
import shutil
import stat
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from api.app import create_app
from catalogue.graphs import graph_iri
from catalogue.loader import Source, catalogue_sources, load
from catalogue.queries.proposals import parsed_contact, proposals_graph, store_proposal
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from catalogue.validation import CatalogueGraph, shacl_problems
from catalogue.vocabulary import KCS
from tests.conftest import running_server
from web.forms import FORM_COOKIE, MIN_FILL_SECONDS, FormSigner, secret_key
from web.state import PROPOSAL_PURPOSE, PROPOSALS_PER_WINDOW

ID = "https://w3id.org/kcs/id/"
BROWNFIELD_MEASURES = {
    f"{ID}measure/coworkingova-centra-a-male-brownfieldy": f"{ID}pillar/lokalni-ekonomika",
    f"{ID}measure/program-vyuziti-brownfieldu": f"{ID}pillar/prostredi-pro-zivot",
    f"{ID}measure/dostupne-bydleni-a-brownfieldy": f"{ID}pillar/lide-a-komunity",
}
NO_MATCH = "xyzzy kvakva plumbus"
SCHEMA_EMAIL = URIRef("https://schema.org/email")
SCHEMA_TELEPHONE = URIRef("https://schema.org/telephone")
HTML = {"Accept": "text/html"}
ADDRESSES = itertools.count(1)


def answer_url(problem: str, **filters: str) -> str:
    return "/odpoved?" + urlencode({"problem": problem, **filters})


def measure_cards(html: str) -> list[str]:
    return html.split('<li class="card measure">')[1:]


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


@pytest.mark.parametrize("problem", ["Máme ve městě hodně brownfieldů", "máme hodně brownfieldů"])
def test_brownfields_get_three_measures_in_three_pillars_with_npo_2_8(site: httpx.Client, problem: str) -> None:
    response = site.get(answer_url(problem), headers=HTML)
    assert response.status_code == 200
    cards = measure_cards(response.text)
    top = {f"{ID}{href.removeprefix('/id/')}" for card in cards[:3] for href in links(card.split("</h3>")[0])}
    assert top == set(BROWNFIELD_MEASURES)
    for card in cards[:3]:
        measure = f"{ID}{links(card)[0].removeprefix('/id/')}"
        path = card.split('<ul class="path"')[1].split("</ul>")[0]
        assert links(path)[-1] == BROWNFIELD_MEASURES[measure].replace(ID, "/id/"), "goal → component → pillar"
        reasons = card.split('<ul class="reasons">')[1].split("</ul>")[0]
        assert "brownfieldů" in reasons
        funding = card.split('<ul class="funding">')[1].split("</ul>")[0]
        assert '<a href="/id/programme/npo-2-8">Národní plán obnovy › 2.8 ' in funding
        assert f'name="iri" value="{measure}"' in card, "each measure can be added to the project"
    assert "Financování pro tento problém" in response.text
    assert response.text.count('<li class="card measure">') <= 10


def test_filters_are_in_the_url_and_kept_in_the_form(site: httpx.Client) -> None:
    pillar = f"{ID}pillar/prostredi-pro-zivot"
    place = f"{ID}place/liberecky-kraj"
    applicant = f"{ID}descriptor/zadatel-obec"
    response = site.get(
        answer_url("brownfieldy", pilir=pillar, misto=place, zadatel=applicant), headers=HTML
    )
    assert response.status_code == 200
    html = response.text
    cards = measure_cards(html)
    assert [links(card)[0] for card in cards] == ["/id/measure/program-vyuziti-brownfieldu"], "only its pillar"
    for value in (pillar, place, applicant):
        assert f'<option value="{value}" selected>' in html
    assert '<textarea id="problem" name="problem"' in html and ">brownfieldy</textarea>" in html
    # The form is a GET form: submitting it gives the same shareable URL.
    assert '<form class="ask" action="/odpoved" method="get"' in html


REALISATIONS_ELSEWHERE = """
@prefix kcs: <https://w3id.org/kcs/ontology#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix realisation: <https://w3id.org/kcs/id/realisation/> .
@prefix measure: <https://w3id.org/kcs/id/measure/> . @prefix place: <https://w3id.org/kcs/id/place/> .
realisation:test-a a kcs:Realisation ; skos:prefLabel "A: brownfield v Plzni"@cs ;
    kcs:servesMeasure measure:program-vyuziti-brownfieldu ; kcs:place place:plzen .
realisation:test-b a kcs:Realisation ; skos:prefLabel "B: brownfield v České Lípě"@cs ;
    kcs:servesMeasure measure:program-vyuziti-brownfieldu ; kcs:place place:ceska-lipa .
realisation:test-c a kcs:Realisation ; skos:prefLabel "C: brownfield v Liberci"@cs ;
    kcs:servesMeasure measure:program-vyuziti-brownfieldu ; kcs:place place:liberec .
"""


def test_the_chosen_place_and_its_region_come_first(tmp_path: Path, loaded_store_path: Path) -> None:
    """Three realisations of one brownfield measure, in label order Plzeň, Česká Lípa, Liberec: with
    Liberec chosen, Liberec comes first, then Česká Lípa (the same region), then Plzeň."""
    shutil.copytree(loaded_store_path, tmp_path / "store")
    settings = Settings(store_path=tmp_path / "store", index_path=tmp_path / "index")
    data = tmp_path / "test-realisations.ttl"
    data.write_text(REALISATIONS_ELSEWHERE, encoding="utf-8")

    def done(client: TestClient, **filters: str) -> list[str]:
        html = client.get(answer_url("brownfieldy", **filters)).text
        card = next(card for card in measure_cards(html) if "/id/measure/program-vyuziti-brownfieldu" in card)
        items = card.split('<ul class="done">')[1].split("</ul>")[0].split("<li>")[1:]
        return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in items]

    with TestClient(create_app(settings), headers=HTML) as client:
        # Loaded through the app's own store: a store is opened by one process (and handle) at a time.
        state = client.app.state.catalogue
        load(state.store, [Source(data, graph_iri(settings, "test-realisations"))], settings)
        state.refresh()  # what the server's watcher does within a second
        assert done(client) == ["A: brownfield v Plzni – Plzeň", "B: brownfield v České Lípě – Česká Lípa",
                                "C: brownfield v Liberci – Liberec"]
        assert done(client, misto=f"{ID}place/liberec") == [
            "C: brownfield v Liberci – Liberec ve vybraném místě",
            "B: brownfield v České Lípě – Česká Lípa ve stejném kraji",
            "A: brownfield v Plzni – Plzeň",
        ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"problem": "   "}, "Popište problém: text je prázdný."),
        ({"problem": "brownfield " * 120}, "zkraťte ho na nejvýše 1000 znaků"),
        ({"problem": "brownfieldy", "misto": "not an iri"}, "Tato hodnota filtru není platná."),
        ({"problem": "brownfieldy", "pilir": "https://w3id.org/kcs/id/a b"}, "Tato hodnota filtru není platná."),
    ],
)
def test_bad_input_gets_a_czech_error_and_keeps_the_text(site: httpx.Client, query: dict[str, str], message: str) -> None:
    response = site.get("/odpoved?" + urlencode(query), headers=HTML)
    assert response.status_code == 400
    assert message in unescape(response.text)
    assert f">{query['problem']}</textarea>" in unescape(response.text)


def test_without_a_problem_the_page_asks_for_one(site: httpx.Client) -> None:
    response = site.get("/odpoved", headers=HTML)
    assert response.status_code == 200
    assert 'name="problem"' in response.text and "card measure" not in response.text


def test_the_page_speaks_english_when_asked(site: httpx.Client) -> None:
    response = site.get(answer_url("brownfieldy", lang="en"), headers=HTML)
    assert response.status_code == 200
    assert "Type measures that address the problem" in response.text
    assert '<span lang="cs">Prostředí pro život</span>' in response.text


def test_the_english_page_gives_its_reasons_in_english(site: httpx.Client) -> None:
    response = site.get(answer_url("máme hodně opuštěných továren", lang="en"), headers=HTML)
    assert response.status_code == 200
    text = unescape(response.text)
    assert "Addresses a similar problem “" in text and "A synonym matches your words “opuštěných” and “továren”" in text
    assert "Řeší podobný problém" not in text and "Synonymum odpovídá" not in text


# -- issue 11: honest empty states, reasons for people ------------------------------------------------

WEAK_PROBLEMS = ["záplavy", "otevřená data", "solární panely"]
"""What the officer of issue 11 typed: no type measure answers them, though some services, solutions or
descriptions hold their words."""


def ranked_items(html: str) -> list[str]:
    """The items of the page's ranked lists (funding, services, solutions … for the problem)."""
    return [item for block in html.split('<ul class="ranked')[1:] for item in block.split("</ul>\n</section>")[0]
            .split("\n    <li>")[1:]]


def reason_blocks(html: str) -> list[tuple[list[str], str | None, list[str]]]:
    """Each result's reasons: those shown, the disclosure's summary (None without one), those behind it."""
    blocks = []
    for block in html.split('<div class="why">')[1:]:
        block = block.split("</div>")[0]
        shown, _, rest = block.partition('<details class="more-reasons">')
        summary = re.search(r"<summary>(.*?)</summary>", rest)
        blocks.append((re.findall(r"<li>(.*?)</li>", shown), summary.group(1) if summary else None,
                       re.findall(r"<li>(.*?)</li>", rest)))
    return blocks


@pytest.mark.parametrize("problem", WEAK_PROBLEMS)
def test_no_good_match_says_so_lists_weaker_matches_and_offers_the_form(site: httpx.Client, problem: str) -> None:
    """Issue 11, point 1: no filter was set, yet the page said "Zvoleným filtrům neodpovídá …" and offered
    no proposal form."""
    response = site.get(answer_url(problem), headers=HTML)
    assert response.status_code == 200
    html = unescape(response.text)
    assert "Zvoleným filtrům" not in html and "Zobrazit bez filtrů" not in html
    assert "Katalog nenašel dobrou shodu" in html
    assert "Žádné typové opatření, které katalog zná, tento problém dobře neřeší." in html
    items = ranked_items(html)
    assert items, "what did match is listed lower down"
    assert all('<span class="tag weak">slabší shoda</span>' in item for item in items)
    assert html.count('<span class="tag weak">') == len(items) + len(measure_cards(html))
    assert '<form class="proposal card" action="/navrh" method="post"' in html
    assert f">{problem}</textarea>" in html and 'href="#navrh-nadpis"' in html
    assert html.index("Katalog nenašel dobrou shodu") < html.index('<ul class="ranked') < html.index('class="proposal')


def test_the_filter_message_appears_only_when_a_filter_is_set(site: httpx.Client) -> None:
    unfiltered = unescape(site.get(answer_url("brownfieldy"), headers=HTML).text)
    pillars = set(re.findall(r'<option value="([^"]+/pillar/[^"]+)"', unfiltered))
    others = sorted(pillars - set(BROWNFIELD_MEASURES.values()))
    assert others, "the catalogue has pillars beyond the brownfield measures' three"
    filtered = unescape(site.get(answer_url("brownfieldy", pilir=others[0]), headers=HTML).text)
    assert not measure_cards(filtered)
    assert "Zvoleným filtrům neodpovídá žádné typové opatření." in filtered and "Zobrazit bez filtrů" in filtered
    assert "Katalog nenašel dobrou shodu" not in filtered and 'class="proposal' not in filtered
    assert "slabší shoda" not in filtered
    assert "Zvoleným filtrům" not in unfiltered and "Zobrazit bez filtrů" not in unfiltered


def test_each_result_shows_one_or_two_reasons_and_the_rest_behind_a_disclosure(site: httpx.Client) -> None:
    """Issue 11, point 2: no „slovo „městě“ v názvu“, no reason twice, no "a 1 dalších souvislostí" that
    cannot be opened: one or two reasons in words, the rest in a details element, counted in good Czech."""
    from web.site import plural

    html = unescape(site.get(answer_url("Máme ve městě hodně brownfieldů"), headers=HTML).text)
    cards = measure_cards(html)
    assert len(cards) >= 3
    blocks = reason_blocks(html)
    assert blocks and any(summary for _, summary, _ in blocks), "some result has more reasons than it shows"
    for shown, summary, rest in blocks:
        assert 1 <= len(shown) <= 2
        assert len(set(shown + rest)) == len(shown + rest), "no reason twice"
        assert not [reason for reason in shown + rest if " v názvu" in reason or "„městě“" in reason]
        if summary is None:
            assert not rest
        else:
            count = len(rest)
            assert summary == plural("cs", "%(num)s další důvod", "%(num)s dalších důvodů", count) % {"num": count}
    assert "souvislost" not in html


@pytest.mark.parametrize(
    ("lang", "count", "summary"),
    [("cs", 1, "1 další důvod"), ("cs", 3, "3 další důvody"), ("cs", 5, "5 dalších důvodů"),
     ("cs", 0, "0 dalších důvodů"), ("en", 1, "1 more reason"), ("en", 4, "4 more reasons")],
)
def test_the_count_of_further_reasons_takes_the_right_plural(lang: str, count: int, summary: str) -> None:
    from web.site import templates

    rendered = templates.from_string(
        '{{ ngettext("%(num)s další důvod", "%(num)s dalších důvodů", n) }}'
    ).render(lang=lang, n=count)
    assert rendered == summary


# -- the proposal form --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Settings:
    """Settings over a copy of the loaded store, which the app may write to."""
    folder = tmp_path_factory.mktemp("proposals")
    shutil.copytree(loaded_store_path, folder / "store")
    return Settings(
        store_path=folder / "store", index_path=folder / "index", secret_key="test-secret"  # noqa: S106 - a test key
    )


@pytest.fixture(scope="module")
def app(writable: Settings) -> Iterator[FastAPI]:
    """One app over the writable store for the module (the store can be opened once at a time)."""
    application = create_app(writable)
    with TestClient(application):  # runs the app's start, which opens the store and the index
        yield application


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    """A browser of its own: no cookies yet, and an address of its own, so the rate limit starts afresh."""
    return TestClient(app, headers=HTML, client=(f"192.0.2.{next(ADDRESSES)}", 50000))


def open_form(client: TestClient) -> tuple[str, str]:
    """The no-match page's token and the form cookie it set."""
    response = client.get(answer_url(NO_MATCH))
    assert response.status_code == 200
    match = re.search(r'name="token" value="([^"]+)"', response.text)
    assert match and client.cookies.get(FORM_COOKIE)
    return match.group(1), client.cookies[FORM_COOKIE]


def aged_token(settings: Settings, cookie: str, ago: float = 10) -> str:
    """A token for ``cookie`` issued ``ago`` seconds ago, long enough to pass the minimum fill time."""
    return FormSigner(secret_key(settings), PROPOSAL_PURPOSE).token(cookie, now=time.time() - ago)


def send(client: TestClient, token: str, problem: str = "Holubi znečišťují náměstí", contact: str = "jana@obec.cz",
         **extra: str):
    return client.post("/navrh", data={"problem": problem, "kontakt": contact, "token": token, **extra},
                       follow_redirects=False)


def stored(store: CatalogueStore, settings: Settings) -> Graph:
    return store.graph(proposals_graph(settings))


def proposal_with(graph: Graph, text: str) -> URIRef | None:
    return next((s for s, o in graph.subject_objects(DCTERMS.description) if str(o) == text), None)  # type: ignore[misc]


def test_no_good_match_offers_the_proposal_form_with_the_text(client: TestClient) -> None:
    response = client.get(answer_url(NO_MATCH))
    assert "Katalog nenašel dobrou shodu" in response.text
    assert f">{NO_MATCH}</textarea>" in response.text
    assert '<form class="proposal card" action="/navrh" method="post"' in response.text
    assert 'class="trap"' in response.text, "the honeypot"


def test_a_proposal_is_stored_with_its_date_and_passes_its_shape(client: TestClient, writable: Settings) -> None:
    _, cookie = open_form(client)
    before = datetime.now(UTC).replace(microsecond=0)
    response = send(client, aged_token(writable, cookie), problem="  Holubi   znečišťují náměstí ", contact="+420 777 123 456")
    assert response.status_code == 303 and response.headers["location"] == "/navrh/odeslano"
    thanks = client.get("/navrh/odeslano")
    assert "Děkujeme, návrh jsme přijali" in thanks.text

    graph = stored(client.app.state.catalogue.store, writable)
    proposal = proposal_with(graph, "Holubi znečišťují náměstí")
    assert proposal is not None and str(proposal).startswith(f"{ID}proposal/")
    assert (proposal, RDF.type, KCS.Proposal) in graph
    assert str(graph.value(proposal, SCHEMA_TELEPHONE)) == "+420777123456"
    created = graph.value(proposal, DCTERMS.created)
    assert created.datatype == XSD.dateTime  # type: ignore[union-attr]
    assert before <= datetime.fromisoformat(str(created)) <= datetime.now(UTC) + timedelta(seconds=1)
    path = writable.store_path.parent / "proposals.ttl"
    graph.serialize(path, format="turtle")
    assert shacl_problems(CatalogueGraph.read([path]), writable) == []


def test_the_shape_refuses_a_proposal_without_contact(writable: Settings, tmp_path: Path) -> None:
    path = tmp_path / "proposal.ttl"
    path.write_text(
        f'<{ID}proposal/x> a <{KCS.Proposal}> ; <{DCTERMS.description}> "Holubi" ;'
        f' <{DCTERMS.created}> "2025-01-01T10:00:00Z"^^<{XSD.dateTime}> .',
        encoding="utf-8",
    )
    problems = shacl_problems(CatalogueGraph.read([path]), writable)
    assert [problem.message.split(" (hodnota")[0] for problem in problems] == [
        "Návrh uvádí právě jeden kontakt: e-mail, nebo telefon."
    ]


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"token": ""}, 403, "Formulář se nepodařilo ověřit."),
        ({"token": "1700000000.0123abcd"}, 403, "Formulář se nepodařilo ověřit."),
        ({"web": "https://spam.example"}, 400, "vyplněné skryté pole"),
        ({"contact": "jana@"}, 400, "Uveďte e-mail (např. jmeno@obec.cz) nebo telefon (9 až 15 číslic)."),
        ({"contact": "12345"}, 400, "Uveďte e-mail (např. jmeno@obec.cz) nebo telefon (9 až 15 číslic)."),
        ({"problem": "   "}, 400, "Popište problém (nejvýše 1000 znaků)."),
    ],
)
def test_a_rejected_proposal_keeps_what_was_typed(
    client: TestClient, writable: Settings, change: dict[str, str], status: int, message: str
) -> None:
    _, cookie = open_form(client)
    fields = {"token": aged_token(writable, cookie), "problem": "Ztracené psy nikdo nehledá", "contact": "jana@obec.cz"}
    fields.update(change)
    extra = {"web": fields.pop("web")} if "web" in fields else {}
    response = send(client, fields["token"], fields["problem"], fields["contact"], **extra)
    assert response.status_code == status
    assert message in unescape(response.text)
    assert f">{fields['problem']}</textarea>" in response.text
    assert f'value="{fields["contact"]}"' in response.text
    assert re.search(r'name="token" value="[0-9]+\.[0-9a-f]{16}\.[0-9a-f]{64}"', response.text), "a form to try again"
    assert proposal_with(stored(client.app.state.catalogue.store, writable), fields["problem"].strip()) is None


def test_a_token_of_another_browser_or_sent_at_once_is_refused(client: TestClient, writable: Settings) -> None:
    token, cookie = open_form(client)
    response = send(client, token)  # just issued: faster than a person types
    assert response.status_code == 400 and "příliš rychle" in unescape(response.text)
    stolen = aged_token(writable, cookie)
    client.cookies.set(FORM_COOKIE, "another-browser")
    response = send(client, stolen)
    assert response.status_code == 403


def test_too_many_proposals_from_one_address_get_429(client: TestClient, writable: Settings) -> None:
    _, cookie = open_form(client)
    for number in range(PROPOSALS_PER_WINDOW):  # a token is used once: each proposal has its own
        token = aged_token(writable, cookie, 100 + 10 * number)
        assert send(client, token, problem=f"Spam číslo {number}").status_code == 303
    response = send(client, aged_token(writable, cookie), problem="Ještě jeden")
    assert response.status_code == 429
    assert "příliš mnoho návrhů" in unescape(response.text)
    assert int(response.headers["Retry-After"]) > 0
    assert ">Ještě jeden</textarea>" in response.text


def test_proposals_survive_loading_the_catalogue_again(client: TestClient, writable: Settings) -> None:
    _, cookie = open_form(client)
    assert send(client, aged_token(writable, cookie), problem="Bezdomovci na nádraží").status_code == 303
    store = client.app.state.catalogue.store
    changes = load(store, catalogue_sources(writable), writable, prune=True)
    assert {change.status for change in changes} == {"unchanged"}
    # A file gone: pruning removes its graph, and would remove any other graph the load log names.
    changes = load(store, catalogue_sources(writable)[:-1], writable, prune=True)
    assert "removed" in {change.status for change in changes}
    load(store, catalogue_sources(writable), writable, prune=True)
    assert proposal_with(stored(store, writable), "Bezdomovci na nádraží") is not None


# -- the protection on its own ------------------------------------------------------------------------


def test_the_generated_secret_is_made_once_and_kept_private(tmp_path: Path) -> None:
    settings = Settings(store_path=tmp_path / "store")
    first = secret_key(settings)
    assert len(first) == 64 and secret_key(settings) == first
    assert stat.S_IMODE(settings.secret_key_file.stat().st_mode) == 0o600
    given = Settings(store_path=tmp_path / "store", secret_key="given")  # noqa: S106 - a test key
    assert secret_key(given) == b"given"


def test_tokens_expire_and_need_the_minimum_fill_time() -> None:
    signer = FormSigner(b"key", "proposal")
    token = signer.token("cookie", now=1000.0)
    signer.check(token, "cookie", now=1000.0 + MIN_FILL_SECONDS)
    for now, reason in ((1000.0, "too-fast"), (1000.0 + 5 * 3600, "expired")):
        with pytest.raises(ValueError, match=reason):
            signer.check(token, "cookie", now=now)
    with pytest.raises(ValueError, match="token"):
        FormSigner(b"key", "another form").check(token, "cookie", now=1010.0)


def test_each_token_is_one_of_its_own_also_within_a_second() -> None:
    """A token spent once must leave the next page one that is not, however soon that page comes."""
    signer = FormSigner(b"key", "login")
    first, second = (signer.token("cookie", now=1000.0) for _ in range(2))
    assert first != second
    for token in (first, second, signer.renewed(first, "cookie")):
        signer.check(token, "cookie", now=1000.0 + MIN_FILL_SECONDS)
    issued, nonce, signature = first.split(".")
    for forged in (f"{issued}.{nonce[::-1]}.{signature}", f"{issued}.{signature}", f"{issued}..{signature}"):
        with pytest.raises(ValueError, match="token"):
            signer.check(forged, "cookie", now=1010.0)


def test_a_proposal_is_private_to_the_curators(tmp_path: Path, loaded_store_path: Path) -> None:
    """Its contact never leaves the real server through /sparql, linked data, GraphQL or search, however
    asked for."""
    shutil.copytree(loaded_store_path, tmp_path / "with-proposal")
    settings = Settings(store_path=tmp_path / "with-proposal")
    with CatalogueStore.open(settings) as store:
        proposal = store_proposal(store, settings, "Soukromý návrh", parsed_contact("tajna@obec.cz"))
    graph = str(proposals_graph(settings))
    csv = {"Accept": "text/csv"}
    with running_server(tmp_path, tmp_path / "with-proposal") as base:

        def sparql(query: str, **params: str) -> httpx.Response:
            return httpx.get(f"{base}/sparql", params={"query": query, **params}, headers=csv, timeout=30)

        union = sparql("SELECT ?o WHERE { ?s ?p ?o FILTER (isLiteral(?o) && CONTAINS(STR(?o), 'tajna@')) }")
        assert union.status_code == 200 and "tajna@" not in union.text
        graphs = sparql("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert graphs.status_code == 200 and graph not in graphs.text and f"{ID}graph/" in graphs.text
        for refused in (
            sparql(f"SELECT ?o FROM <{graph}> WHERE {{ ?s ?p ?o }}"),
            sparql("SELECT ?o WHERE { ?s ?p ?o }", **{"default-graph-uri": graph}),
            sparql("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": graph}),
        ):
            assert refused.status_code == 403 and "neveřejný" in refused.text
        path = str(proposal).removeprefix("https://w3id.org/kcs")
        for url, accept in ((path, "text/html"), (path, "text/turtle"), (path + ".ttl", "*/*"), (path + ".jsonld", "*/*")):
            answer = httpx.get(base + url, headers={"Accept": accept}, timeout=30)
            assert answer.status_code == 404 and "tajna@" not in answer.text
        # Nor through GraphQL, by its IRI or by searching its words.
        for query in (
            f'{{ resource(iri: "{proposal}") {{ __typename ... on Resource {{ label }} }} }}',
            '{ search(text: "Soukromý návrh") { ... on SearchHits { hits { resource { iri } } } } }',
        ):
            answer = httpx.post(f"{base}/graphql", json={"query": query}, timeout=30)
            assert answer.status_code == 200 and "tajna@" not in answer.text and str(proposal) not in answer.text
            assert "NotFound" in answer.text or "hits" in answer.text, answer.text


def test_the_proposal_form_of_a_weak_answer_can_be_sent(client: TestClient, writable: Settings) -> None:
    """The weak answer's form is the same working form as the no-match page's: token, cookie, stored."""
    response = client.get(answer_url(WEAK_PROBLEMS[0]))
    assert response.status_code == 200 and "Katalog nenašel dobrou shodu" in response.text
    assert re.search(r'name="token" value="[^"]+"', response.text) and client.cookies.get(FORM_COOKIE)
    problem = f"{WEAK_PROBLEMS[0]}: voda nám každé jaro zaplaví sklepy"
    sent = send(client, aged_token(writable, client.cookies[FORM_COOKIE]), problem=problem)
    assert sent.status_code == 303 and sent.headers["location"] == "/navrh/odeslano"
    assert proposal_with(stored(client.app.state.catalogue.store, writable), problem) is not None
