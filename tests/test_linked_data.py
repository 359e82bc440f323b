"""Every resource IRI dereferences: HTML for browsers, Turtle, JSON-LD and N-Triples by Accept (or a
suffix, or ?format=), with Vary and Link headers; 404, 406 and 400 as due. The app is tested in-process;
a real `katalog serve` only where a real HTTP client must reach it (rdflib's own fetching)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from api.app import create_app
from api.linked_data import negotiate, server_path
from catalogue.settings import Settings
from catalogue.vocabulary import KCS

ID = "https://w3id.org/kcs/id/"
MEASURE = ID + "measure/program-vyuziti-brownfieldu"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
RDF_FORMS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
}
# One resource of each kind the issue names, as IRIs of the catalogue's files.
RESOURCES = [
    MEASURE,
    ID + "solution/5g-pro-5-mest",
    ID + "realisation/lk-udrzitelne-hospodareni-s-vodou-v-obchodni-akademii-ceska-lipa",
    ID + "programme/npo-1-4",
    ID + "place/usti-nad-labem",
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[TestClient]:
    """The app in-process, over a copy of the loaded store."""
    folder = tmp_path_factory.mktemp("linked-data")
    shutil.copytree(loaded_store_path, folder / "store")
    with TestClient(create_app(Settings(store_path=folder / "store", index_path=folder / "index"))) as http:
        yield http


def error_of(answer: httpx.Response) -> dict[str, str]:
    """The API's one JSON error shape, as linked data answers a program."""
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert list(body) == ["error"] and set(body["error"]) == {"code", "message"}
    return body["error"]


def path_of(iri: str) -> str:
    return "/" + iri.removeprefix("https://w3id.org/kcs/")


def links(answer: httpx.Response) -> dict[str, str]:
    """The Link header as {type or rel: URL}."""
    found: dict[str, str] = {}
    for target, params in re.findall(r"<([^>]*)>((?:\s*;\s*[^,;]+)*)", answer.headers.get("link", "")):
        attributes: dict[str, str] = dict(re.findall(r'(\w+)="([^"]*)"', params))
        found[attributes.get("type", attributes["rel"])] = target
    return found


def expected(catalogue: Graph, iri: str) -> tuple[Literal, set[str]]:
    """The resource's Czech prefLabel and the seed files it cites, as the catalogue's files say."""
    subject = URIRef(iri)
    label = next(
        label
        for label in catalogue.objects(subject, SKOS.prefLabel)
        if isinstance(label, Literal) and label.language == "cs"
    )
    seeds = {
        str(seed)
        for source in catalogue.objects(subject, DCTERMS.source)
        for seed in catalogue.objects(source, KCS.seedFile)
    }
    assert seeds, f"{iri} cites no seed file in the catalogue"
    return label, seeds


def assert_describes(graph: Graph, iri: str, label: Literal, seeds: set[str]) -> None:
    subject = URIRef(iri)
    assert label in set(graph.objects(subject, SKOS.prefLabel))
    sources = list(graph.objects(subject, DCTERMS.source))
    assert sources and all(isinstance(source, BNode) for source in sources)
    assert {str(seed) for source in sources for seed in graph.objects(source, KCS.seedFile)} == seeds
    assert all(graph.value(source, KCS.section) is not None for source in sources)


# -- the forms ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("iri", RESOURCES)
def test_each_rdf_form_parses_and_holds_the_label_and_the_provenance(
    client: TestClient, catalogue: Graph, iri: str
) -> None:
    label, seeds = expected(catalogue, iri)
    for media_type, rdflib_format in RDF_FORMS.items():
        answer = client.get(path_of(iri), headers={"Accept": media_type})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].split(";")[0] == media_type
        assert answer.headers["vary"] == "Accept"
        alternates = links(answer)
        assert alternates["canonical"] == iri
        assert media_type not in alternates, "the Link header names the other forms"
        assert {*RDF_FORMS, "text/html"} - {media_type} <= alternates.keys()
        assert answer.headers["content-location"].startswith(path_of(iri) + ".")
        graph = Graph().parse(data=answer.text, format=rdflib_format)
        assert_describes(graph, iri, label, seeds)


def test_a_description_names_its_neighbours_both_ways(client: TestClient, catalogue: Graph) -> None:
    graph = Graph().parse(data=client.get(path_of(MEASURE) + ".ttl").text, format="turtle")
    measure = URIRef(MEASURE)
    goal = graph.value(measure, SKOS.broader)
    assert goal is not None and graph.value(goal, SKOS.prefLabel) == catalogue.value(goal, SKOS.prefLabel)
    programmes = set(graph.subjects(KCS.supportsMeasure, measure))
    assert programmes == set(catalogue.subjects(KCS.supportsMeasure, measure)) and programmes
    for programme in programmes:
        assert graph.value(programme, SKOS.prefLabel) == catalogue.value(programme, SKOS.prefLabel)
    assert (KCS.TypeMeasure, RDFS.label, Literal("Typové opatření", lang="cs")) in graph


def test_rdflib_dereferences_the_iri_path_as_a_linked_data_client_does(server: str, catalogue: Graph) -> None:
    # rdflib sends the RDF media types it parses (and no */*), follows the answer's Content-Type.
    label, seeds = expected(catalogue, MEASURE)
    assert_describes(Graph().parse(server + path_of(MEASURE)), MEASURE, label, seeds)


def test_turtle_and_json_ld_use_the_catalogues_prefixes(client: TestClient) -> None:
    turtle = client.get(path_of(MEASURE) + ".ttl").text
    for declaration in ("@prefix kcs: <https://w3id.org/kcs/ontology#>", f"@prefix measure: <{ID}measure/>"):
        assert declaration in turtle
    assert "measure:program-vyuziti-brownfieldu a kcs:TypeMeasure" in turtle
    document = client.get(path_of(MEASURE) + ".jsonld").json()
    assert document["@context"]["goal"] == ID + "goal/" and document["@context"]["skos"] == str(SKOS)


def test_a_browser_gets_a_czech_page(client: TestClient, catalogue: Graph) -> None:
    label, seeds = expected(catalogue, MEASURE)
    answer = client.get(path_of(MEASURE), headers={"Accept": BROWSER})
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/html; charset=utf-8"
    assert answer.headers["vary"] == "Accept" and links(answer)["text/turtle"] == path_of(MEASURE) + ".ttl"
    page = answer.text
    assert '<html lang="cs">' in page and f"<h1>{label}</h1>" in page
    assert "Typové opatření" in page and "Zdroj" in page and all(seed in page for seed in seeds)
    goal = catalogue.value(URIRef(MEASURE), SKOS.broader)
    assert f'<a href="{path_of(str(goal))}">{catalogue.value(goal, SKOS.prefLabel)}</a>' in page
    assert "podporuje opatření" in page  # an incoming link, named by the ontology's Czech label
    for suffix in ("ttl", "jsonld", "nt"):
        assert f'href="{path_of(MEASURE)}.{suffix}"' in page
    assert "průmyslová ruina" not in page, "hidden labels are for search only"


def test_the_link_targets_are_stable_urls_of_each_form(client: TestClient) -> None:
    alternates = links(client.get(path_of(MEASURE), headers={"Accept": "text/turtle"}))
    for media_type in ("text/html", "application/ld+json", "application/n-triples"):
        # Whatever the client accepts, the URL of one form answers in that form.
        answer = client.get(alternates[media_type], headers={"Accept": "text/turtle"})
        assert answer.status_code == 200 and answer.headers["content-type"].split(";")[0] == media_type


def test_format_parameter_chooses_the_form(client: TestClient) -> None:
    answer = client.get(path_of(MEASURE), params={"format": "jsonld"}, headers={"Accept": BROWSER})
    assert answer.headers["content-type"] == "application/ld+json"
    Graph().parse(data=answer.text, format="json-ld")
    wrong = client.get(path_of(MEASURE), params={"format": "xml"}, headers={"Accept": "text/turtle"})
    assert wrong.status_code == 400 and wrong.headers["vary"] == "Accept"
    error = error_of(wrong)
    assert error["code"] == "INVALID_INPUT" and "html, ttl, jsonld, nt" in error["message"]
    assert wrong.headers["x-content-type-options"] == "nosniff", "the request quoted in an error is never read as HTML"
    page = client.get(path_of(MEASURE), params={"format": "xml"}, headers={"Accept": BROWSER})
    assert page.status_code == 400 and "<h1>Neplatný požadavek</h1>" in page.text and "html, ttl, jsonld, nt" in page.text


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    answer = client.head(path_of(MEASURE), headers={"Accept": "text/turtle"})
    assert answer.status_code == 200 and answer.content == b""
    assert answer.headers["content-type"].startswith("text/turtle") and 'rel="canonical"' in answer.headers["link"]


# -- negotiation -------------------------------------------------------------------------------------


def test_q_values_and_wildcards_choose_the_form_on_the_server(client: TestClient) -> None:
    cases = {
        "text/html;q=0.5, text/turtle": "text/turtle",
        "application/ld+json;q=0.9, text/turtle;q=0.8": "application/ld+json",
        "text/html;q=0, */*": "text/turtle",
        "*/*": "text/html",
    }
    for accept, media_type in cases.items():
        answer = client.get(path_of(MEASURE), headers={"Accept": accept})
        assert answer.headers["content-type"].split(";")[0] == media_type, accept
    bare = httpx.Request("GET", f"{client.base_url}{path_of(MEASURE)}")
    assert "accept" not in bare.headers  # a request built apart from the client has no default Accept
    assert client.send(bare).headers["content-type"].startswith("text/html"), "no Accept at all gets HTML"


@pytest.mark.parametrize(
    ("accept", "form"),
    [
        (None, "html"),
        ("", "html"),
        ("*/*", "html"),
        ("*/*;q=0.1", "html"),
        (BROWSER, "html"),
        ("text/*", "html"),
        ("text/turtle", "ttl"),
        ("text/turtle; charset=utf-8", "ttl"),
        ("TEXT/TURTLE", "ttl"),
        ("application/*", "jsonld"),
        ("application/json", "jsonld"),
        ("application/n-triples, text/turtle;q=0.9", "nt"),
        ("text/turtle;q=0.2, application/ld+json;q=0.2", "ttl"),
        ("text/html;q=0, text/*", "ttl"),
        ("application/ld+json;q=0, application/*", "nt"),
        ("text/turtle;q=zero, application/ld+json;q=0.1", "jsonld"),
        ("image/png", None),
        ("text/turtle;q=0", None),
        ("application/rdf+xml", None),
        ("garbage", None),
    ],
)
def test_negotiate(accept: str | None, form: str | None) -> None:
    chosen = negotiate(accept)
    assert (chosen.extension if chosen else None) == form


def test_unsupported_accept_is_406_naming_the_forms(client: TestClient) -> None:
    answer = client.get(path_of(MEASURE), headers={"Accept": "image/png"})
    assert answer.status_code == 406 and answer.headers["vary"] == "Accept"
    error = error_of(answer)
    assert error["code"] == "NOT_ACCEPTABLE" and "text/turtle" in error["message"] and "k dispozici" in error["message"]
    assert links(answer)["text/turtle"] == path_of(MEASURE) + ".ttl"


# -- errors ------------------------------------------------------------------------------------------


def test_unknown_iri_is_404_czech_page_for_browsers_json_error_for_rdf_clients(client: TestClient) -> None:
    page = client.get("/id/measure/neexistujici-opatreni", headers={"Accept": BROWSER})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Záznam nenalezen" in page.text and '<html lang="cs">' in page.text
    assert page.headers["vary"] == "Accept"
    answer = client.get("/id/measure/neexistujici-opatreni", headers={"Accept": "text/turtle"})
    assert answer.status_code == 404 and answer.headers["vary"] == "Accept"
    error = error_of(answer)
    assert error["code"] == "NOT_FOUND"
    assert "Katalog nezná zdroj https://w3id.org/kcs/id/measure/neexistujici-opatreni" in error["message"]


def test_a_bad_iri_is_400_with_its_own_code(client: TestClient) -> None:
    answer = client.get("/id/measure/a%3Cb%3E", headers={"Accept": "text/turtle"})
    assert answer.status_code == 400 and error_of(answer)["code"] == "INVALID_IRI"
    page = client.get("/id/measure/a%3Cb%3E", headers={"Accept": BROWSER})
    assert page.status_code == 400 and "<h1>Neplatná adresa</h1>" in page.text
    assert "a<b>" not in page.text, "the address is quoted escaped"


@pytest.mark.parametrize(
    "path",
    ["/id/measure/program-vyuziti-brownfieldu", "/ontology", "/id/measure/neexistujici-opatreni", "/id/measure/a%20b"],
    ids=["measure", "ontology", "unknown", "bad-iri"],
)
def test_linked_data_pages_carry_the_sites_security_headers(client: TestClient, path: str) -> None:
    home = client.get("/", headers={"Accept": BROWSER})
    page = client.get(path, headers={"Accept": BROWSER})
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    for header in ("content-security-policy", "referrer-policy", "x-content-type-options"):
        assert page.headers[header] == home.headers[header], header
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/id/measure/a%3Cb%3E", 400),  # '<' and '>' cannot be in an IRI
        ("/id/measure/a%20b", 400),
        ("/id/measure/a%zz", 400),  # a bad escape, which the store's IRI parser refuses
        ("/id/measure/a%5Bb%5D", 400),
        ("/id/x%23y%23z", 400),
        ("/id/measure/%00", 400),
        ("/id/place/plze%C5%88", 404),  # a good IRI the catalogue does not have
        ("/id/measure/program-vyuziti-brownfieldu.xml", 404),
        ("/id/", 404),
    ],
)
def test_bad_or_unknown_paths_never_fail_the_server(client: TestClient, path: str, status: int) -> None:
    for accept in ("text/turtle", BROWSER):
        answer = client.get(path, headers={"Accept": accept})
        assert answer.status_code == status, (path, accept, answer.text)


def test_a_description_keeps_every_rare_kind_of_link_and_at_most_the_limit_of_a_common_one(settings) -> None:
    import pyoxigraph as ox

    from catalogue.queries import resources
    from catalogue.store import CatalogueStore
    from web.site import templates

    target = ox.NamedNode(ID + "measure/m")
    label = ox.NamedNode(str(SKOS.prefLabel))
    triples = [ox.Triple(target, label, ox.Literal("Opatření", language="cs"))]
    triples += [ox.Triple(ox.NamedNode(ID + "goal/g"), ox.NamedNode(str(SKOS.narrower)), target)]
    for number in range(resources.INCOMING_LIMIT + 5):
        realisation = ox.NamedNode(f"{ID}realisation/r{number}")
        triples += [
            ox.Triple(realisation, ox.NamedNode(str(KCS.servesMeasure)), target),
            ox.Triple(realisation, label, ox.Literal(f"Realizace {number}", language="cs")),
        ]
    with CatalogueStore.open(settings) as store:
        store.replace_graph(URIRef(ID + "graph/test"), triples)
        graph = resources.describe(store, target.value)
        page = resources.page(store, target.value)
    measure = URIRef(target.value)
    assert len(set(graph.subjects(KCS.servesMeasure, measure))) == resources.INCOMING_LIMIT
    assert set(graph.subjects(SKOS.narrower, measure)) == {URIRef(ID + "goal/g")}
    assert all(graph.value(subject, SKOS.prefLabel) for subject in graph.subjects(KCS.servesMeasure, measure))
    assert page is not None
    serving = next(links for links in page.incoming if links.iri == str(KCS.servesMeasure))
    assert len(serving.values) == resources.INCOMING_LIMIT and serving.total == resources.INCOMING_LIMIT + 5
    html = templates.get_template("resource.html").render(page=page, forms=[], href=str, navigation=(), switch_urls={}, lang="cs", current_path="/")
    assert f"(uvedeno {resources.INCOMING_LIMIT} z {resources.INCOMING_LIMIT + 5})" in html


# -- the ontology ------------------------------------------------------------------------------------


def test_the_ontology_dereferences_with_its_terms(client: TestClient) -> None:
    ontology = URIRef("https://w3id.org/kcs/ontology")
    answer = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200 and answer.headers["vary"] == "Accept"
    assert links(answer)["canonical"] == str(ontology) and links(answer)["text/html"] == "/ontology.html"
    graph = Graph().parse(data=answer.text, format="turtle")
    assert (ontology, RDF.type, OWL.Ontology) in graph
    assert (KCS.TypeMeasure, RDFS.label, Literal("Typové opatření", lang="cs")) in graph
    assert (KCS.servesMeasure, RDF.type, OWL.ObjectProperty) in graph
    assert len(Graph().parse(data=client.get("/ontology.jsonld").text, format="json-ld")) == len(graph)
    page = client.get("/ontology", headers={"Accept": BROWSER}).text
    # A browser asks for https://w3id.org/kcs/ontology#TypeMeasure as /ontology and jumps to the anchor.
    assert '<dt id="TypeMeasure">Typové opatření' in page and "<h1>Ontologie Katalogu chytrých služeb</h1>" in page
    measure_page = client.get(path_of(MEASURE), headers={"Accept": BROWSER}).text
    assert '<a href="/ontology#TypeMeasure">Typové opatření</a>' in measure_page


# -- another deployment ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("iri", "path"),
    [
        ("https://w3id.org/kcs/id/", "/id/"),
        ("https://w3id.org/kcs/ontology", "/ontology"),
        ("https://data.example.cz/katalog/id/", "/katalog/id/"),
        ("https://data.example.cz/", "/"),
    ],
)
def test_server_path(iri: str, path: str) -> None:
    assert server_path(iri) == path


def test_a_deployment_with_another_instance_base_serves_its_own_iris(tmp_path: Path) -> None:
    from catalogue.loader import catalogue_sources, load
    from catalogue.store import CatalogueStore

    base = "https://data.example.cz/katalog/id/"
    settings = Settings(store_path=tmp_path / "loaded", index_path=tmp_path / "index", instance_base=base)
    with CatalogueStore.open(settings) as store:
        load(store, catalogue_sources(settings), settings, prune=True)
    with TestClient(create_app(settings)) as client:
        measure = base + "measure/program-vyuziti-brownfieldu"
        answer = client.get("/katalog/id/measure/program-vyuziti-brownfieldu.ttl")
        assert answer.status_code == 200 and links(answer)["canonical"] == measure
        graph = Graph().parse(data=answer.text, format="turtle")
        assert graph.value(URIRef(measure), SKOS.broader) == URIRef(base + "goal/ochrana-pudy-a-biodiverzity")
        page = client.get("/katalog/id/measure/program-vyuziti-brownfieldu").text
        assert 'href="/katalog/id/goal/ochrana-pudy-a-biodiverzity"' in page
        assert client.get("/id/measure/program-vyuziti-brownfieldu").status_code == 404
