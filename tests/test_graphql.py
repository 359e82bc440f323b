"""The GraphQL API on a real `katalog serve`: the shape the issue fixes (the pillar tree, the problem
answer), one resource of every class by IRI, funding and realisations by filter with cursor paging,
search, the size limits, GraphiQL, and the committed schema.graphql.

Expected answers are computed here from the catalogue's Turtle files (the `catalogue` fixture), not
copied from the API, so a wrong join or a lost filter fails."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from api.graphql.export import SCHEMA_FILE
from api.graphql.limits import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS
from api.graphql.schema import schema_text
from catalogue.queries.resources import czech_sort_key

KCS = Namespace("https://w3id.org/kcs/ontology#")
ID = "https://w3id.org/kcs/id/"
BROWNFIELD_MEASURE = ID + "measure/program-vyuziti-brownfieldu"
LIBERECKY_KRAJ = ID + "place/liberecky-kraj"

# The required shape of issue #3, section 4, word for word.
PROBLEM_QUERY = """
query ($text: String!) {
  problem(text: $text, limit: 5) {
    measures { score why measure { iri label code
      goals { iri label component { iri label pillar { iri label } } }
      funding { iri label } services { iri label } realisations { iri label } indicators { label } } }
    services { iri label }
    realisations { iri label }
    funding { iri label }
  }
}"""
PILLAR_QUERY = "{ pillars { iri label components { iri label goals { iri label measures { iri label } } } } }"


@pytest.fixture
def client(site: httpx.Client) -> httpx.Client:
    """The app in-process, on each store (tests.conftest.site)."""
    return site


def post(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    return response.json()


def data(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = post(client, query, variables)
    assert "errors" not in body, body["errors"]
    return body["data"]


def of_class(graph: Graph, kind: str) -> set[str]:
    return {str(subject) for subject in graph.subjects(RDF.type, KCS[kind]) if isinstance(subject, URIRef)}


def below(graph: Graph, parent: str, kind: str) -> set[str]:
    return {str(child) for child in graph.subjects(SKOS.broader, URIRef(parent))} & of_class(graph, kind)


def czech_label(graph: Graph, iri: str) -> str:
    return next(str(label) for label in graph.objects(URIRef(iri), SKOS.prefLabel) if label.language == "cs")


# -- the shape the issue fixes ------------------------------------------------------------------


def test_the_pillar_tree_is_the_concept_hierarchy_of_the_catalogue(client: httpx.Client, catalogue: Graph) -> None:
    pillars = data(client, PILLAR_QUERY)["pillars"]

    assert {pillar["iri"] for pillar in pillars} == of_class(catalogue, "Pillar") | of_class(
        catalogue, "CrossCuttingArea"
    )
    for pillar in pillars:
        assert pillar["label"] == czech_label(catalogue, pillar["iri"])
        assert {component["iri"] for component in pillar["components"]} == below(catalogue, pillar["iri"], "Component")
        for component in pillar["components"]:
            assert {goal["iri"] for goal in component["goals"]} == below(catalogue, component["iri"], "Goal")
            for goal in component["goals"]:
                assert {measure["iri"] for measure in goal["measures"]} == below(catalogue, goal["iri"], "TypeMeasure")


def test_a_problem_gets_measures_with_their_path_funding_and_reasons(client: httpx.Client, catalogue: Graph) -> None:
    answer = data(client, PROBLEM_QUERY, {"text": "ve městě máme hodně opuštěných brownfieldů"})["problem"]

    matches = {match["measure"]["iri"]: match for match in answer["measures"]}
    assert BROWNFIELD_MEASURE in matches
    for match in answer["measures"]:
        assert match["score"] > 0 and match["why"] and all(reason.strip() for reason in match["why"])
    brownfields = matches[BROWNFIELD_MEASURE]["measure"]
    assert brownfields["label"] == czech_label(catalogue, BROWNFIELD_MEASURE)
    for goal in brownfields["goals"]:
        assert (URIRef(BROWNFIELD_MEASURE), SKOS.broader, URIRef(goal["iri"])) in catalogue
        component = goal["component"]
        assert (URIRef(goal["iri"]), SKOS.broader, URIRef(component["iri"])) in catalogue
        assert (URIRef(component["iri"]), SKOS.broader, URIRef(component["pillar"]["iri"])) in catalogue
    supporting = {str(programme) for programme in catalogue.subjects(KCS.supportsMeasure, URIRef(BROWNFIELD_MEASURE))}
    assert supporting and supporting <= {funding["iri"] for funding in brownfields["funding"]}
    for listed in ("services", "realisations", "funding"):
        assert all(item["iri"].startswith(ID) and item["label"] for item in answer[listed])


@pytest.mark.parametrize(
    ("text", "says"),
    [("   ", "prázdný"), ("brownfield " * 100, "příliš dlouhý")],
    ids=["empty", "over 1000 characters"],
)
def test_a_problem_text_that_cannot_be_answered_is_refused_clearly(client: httpx.Client, text: str, says: str) -> None:
    body = post(client, PROBLEM_QUERY, {"text": text})

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "INVALID_PROBLEM"
    assert says in body["errors"][0]["message"]


# -- one resource by IRI ------------------------------------------------------------------------

CLASSES = [
    "Strategy",
    "Pillar",
    "CrossCuttingArea",
    "Component",
    "Goal",
    "TypeMeasure",
    "Problem",
    "SmartService",
    "SmartSolution",
    "Realisation",
    "FundingProgramme",
    "FundingCall",
    "Indicator",
    "Organisation",
    "Place",
    "Descriptor",
]


@pytest.mark.parametrize("kind", CLASSES)
def test_a_resource_of_every_class_is_found_by_its_iri(client: httpx.Client, catalogue: Graph, kind: str) -> None:
    iri = min(of_class(catalogue, kind))

    found = data(
        client,
        "query ($iri: String!) { resource(iri: $iri) { __typename ... on Resource { iri label kind } } }",
        {"iri": iri},
    )["resource"]

    assert found == {
        "__typename": "Pillar" if kind == "CrossCuttingArea" else kind,
        "iri": iri,
        "label": czech_label(catalogue, iri),
        "kind": kind,
    }


def test_an_unknown_or_malformed_iri_is_an_answer_not_an_error(client: httpx.Client) -> None:
    found = data(
        client,
        """{ unknown: resource(iri: "https://w3id.org/kcs/id/measure/no-such-measure") {
               __typename ... on NotFound { iri message } }
             malformed: resource(iri: "not an iri") { __typename ... on InvalidInput { field message } }
             badEscape: resource(iri: "https://w3id.org/kcs/id/%zz") { __typename ... on InvalidInput { field } } }""",
    )

    assert found["unknown"]["__typename"] == "NotFound" and "nezná" in found["unknown"]["message"]
    assert found["malformed"]["__typename"] == "InvalidInput" and found["malformed"]["field"] == "iri"
    assert "není platné IRI" in found["malformed"]["message"]
    # Looks like an IRI to SPARQL's grammar but not to Oxigraph's parser: refused, not a failed query.
    assert found["badEscape"] == {"__typename": "InvalidInput", "field": "iri"}


def test_a_measure_filed_under_a_component_has_no_goal_but_its_component_and_pillar(
    client: httpx.Client, catalogue: Graph
) -> None:
    # The national concept files the measure on backbone data networks directly under component A4.
    iri = ID + "measure/a4-pateri-datove-site"
    component = next(iter(catalogue.objects(URIRef(iri), SKOS.broader)))
    assert (component, RDF.type, KCS.Component) in catalogue

    measure = data(
        client,
        """query ($iri: String!) { resource(iri: $iri) { ... on TypeMeasure {
             goals { iri } components { iri pillar { iri } } pillars { iri } } } }""",
        {"iri": iri},
    )["resource"]

    pillar = str(next(iter(catalogue.objects(component, SKOS.broader))))
    assert measure == {
        "goals": [],
        "components": [{"iri": str(component), "pillar": {"iri": pillar}}],
        "pillars": [{"iri": pillar}],
    }


# -- funding by filter --------------------------------------------------------------------------


def _supports(graph: Graph, holder: URIRef, measure: str | None, component: str | None) -> bool:
    """Whether ``holder`` supports the measure (directly or through a component above it) and the
    component (directly or through a measure under it), as the API's filter means it."""

    def above(node: URIRef) -> set[URIRef]:
        return set(graph.transitive_objects(node, SKOS.broader)) - {node}

    measures = set(graph.objects(holder, KCS.supportsMeasure))
    components = set(graph.objects(holder, KCS.supportsComponent))
    if measure and URIRef(measure) not in measures and not components & above(URIRef(measure)):
        return False
    return not component or URIRef(component) in components or any(URIRef(component) in above(m) for m in measures)


def expected_funding(graph: Graph, kind: str, filters: dict[str, str]) -> set[str]:
    found = set()
    for item in graph.subjects(RDF.type, KCS[kind]):
        holders = [item, *graph.objects(item, KCS.callOf)] if kind == "FundingCall" else [item]

        def holds(test: Any, holders: list[Any] = holders) -> bool:
            return any(test(holder) for holder in holders)

        checks = [
            ("provider", lambda h: (h, KCS.provider, URIRef(filters["provider"])) in graph),
            ("applicantType", lambda h: (h, KCS.eligibleApplicant, URIRef(filters["applicantType"])) in graph),
            ("measure", lambda h: _supports(graph, h, filters["measure"], None)),
            ("component", lambda h: _supports(graph, h, None, filters["component"])),
        ]
        if all(holds(test) for name, test in checks if name in filters):
            found.add(str(item))
    return found


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"provider": ID + "organisation/mmr"},
        {"applicantType": ID + "descriptor/zadatel-obec"},
        {"measure": BROWNFIELD_MEASURE},
        {"component": ID + "component/a4"},
        {"provider": ID + "organisation/mmr", "applicantType": ID + "descriptor/zadatel-kraj"},
    ],
    ids=["all", "provider", "applicant type", "measure", "component", "provider and applicant type"],
)
def test_funding_programmes_and_calls_by_filter(
    client: httpx.Client, catalogue: Graph, filters: dict[str, str]
) -> None:
    found = data(
        client,
        """query ($filter: FundingFilter) {
             fundingProgrammes(filter: $filter) { ... on FundingProgrammeList { items { iri label providers { iri } } } }
             fundingCalls(filter: $filter) { ... on FundingCallList { items { iri programme { iri } } } } }""",
        {"filter": filters},
    )

    programmes = found["fundingProgrammes"]["items"]
    assert {item["iri"] for item in programmes} == expected_funding(catalogue, "FundingProgramme", filters)
    assert {item["iri"] for item in found["fundingCalls"]["items"]} == expected_funding(
        catalogue, "FundingCall", filters
    )
    assert [item["label"] for item in programmes] == sorted((item["label"] for item in programmes), key=czech_sort_key)


def test_a_funding_filter_with_a_malformed_iri_names_the_field(client: httpx.Client) -> None:
    found = data(client, '{ fundingCalls(filter: {provider: "MMR"}) { ... on InvalidInput { field message } } }')

    assert found["fundingCalls"]["field"] == "filter.provider"


# -- realisations and solutions by filter, a page at a time -------------------------------------

PAGE = """query ($filter: ProjectFilter, $first: Int!, $after: String) {
  %s(filter: $filter, first: $first, after: $after) {
    __typename
    ... on %s { totalCount items { iri label places { iri } } pageInfo { hasNextPage endCursor } }
    ... on InvalidInput { field message }
  }
}"""


def walk(client: httpx.Client, field: str, filters: dict[str, Any], first: int) -> tuple[list[str], int]:
    """Every item of a filtered list, page by page along the cursors, and the list's total count."""
    connection = "RealisationConnection" if field == "realisations" else "SmartSolutionConnection"
    items: list[str] = []
    after = None
    for _ in range(200):
        page = data(client, PAGE % (field, connection), {"filter": filters, "first": first, "after": after})[field]
        assert page["__typename"] == connection, page
        assert len(page["items"]) <= first
        items += [item["iri"] for item in page["items"]]
        if not page["pageInfo"]["hasNextPage"]:
            return items, page["totalCount"]
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("the cursors never reached the end of the list")


def in_region(graph: Graph, region: str) -> set[URIRef]:
    return {place for place in graph.transitive_subjects(DCTERMS.isPartOf, URIRef(region))}


def expected_projects(graph: Graph, kind: str, filters: dict[str, Any]) -> set[str]:
    found = set()
    for item in graph.subjects(RDF.type, KCS[kind]):
        places = set(graph.objects(item, KCS.place))
        if "place" in filters and URIRef(filters["place"]) not in places:
            continue
        if "region" in filters and not places & in_region(graph, filters["region"]):
            continue
        if "status" in filters and (item, KCS.status, URIRef(filters["status"])) not in graph:
            continue
        if "year" in filters and not any(
            int(str(year)[:4]) == filters["year"] for year in graph.objects(item, KCS.year)
        ):
            continue
        # A realisation serves a measure, and realises a service, also through the solution it realises.
        through = list(graph.objects(item, KCS.realises)) if kind == "Realisation" else []
        if "measure" in filters and not any(
            (holder, KCS.servesMeasure, URIRef(filters["measure"])) in graph for holder in [item, *through]
        ):
            continue
        services = set(graph.objects(item, KCS.includesService)) | set(through)
        services |= {service for solution in through for service in graph.objects(solution, KCS.includesService)}
        if "service" in filters and URIRef(filters["service"]) not in services:
            continue
        found.add(str(item))
    return found


@pytest.mark.parametrize(
    ("field", "kind", "filters", "first"),
    [
        ("realisations", "Realisation", {}, 3),
        ("realisations", "Realisation", {"region": LIBERECKY_KRAJ}, 3),
        ("realisations", "Realisation", {"place": ID + "place/liberec"}, 2),
        ("solutions", "SmartSolution", {"region": LIBERECKY_KRAJ}, 20),
        ("solutions", "SmartSolution", {"status": ID + "descriptor/stav-projektu-3"}, 4),
        ("solutions", "SmartSolution", {"region": LIBERECKY_KRAJ, "status": ID + "descriptor/stav-projektu-2"}, 7),
        ("solutions", "SmartSolution", {"year": 2020}, 5),
        ("realisations", "Realisation", {"measure": BROWNFIELD_MEASURE}, 5),
        ("solutions", "SmartSolution", {"measure": BROWNFIELD_MEASURE}, 5),
        ("realisations", "Realisation", {"service": ID + "service/chytra-navigace"}, 5),
        ("solutions", "SmartSolution", {"service": ID + "service/chytra-navigace"}, 5),
    ],
    ids=[
        "realisations, all",
        "realisations in a region",
        "realisations in a town",
        "solutions in a region",
        "solutions by status",
        "solutions in a region by status",
        "solutions by year",
        "realisations by measure",
        "solutions by measure",
        "realisations by service",
        "solutions by service",
    ],
)
def test_the_cursor_walks_every_item_of_a_filtered_list_once(
    client: httpx.Client, catalogue: Graph, field: str, kind: str, filters: dict[str, Any], first: int
) -> None:
    items, total = walk(client, field, filters, first)

    assert len(items) == len(set(items)), "an item came twice"
    assert set(items) == expected_projects(catalogue, kind, filters)
    assert total == len(items)


def test_a_realisation_page_shows_its_year_place_solution_and_measure(client: httpx.Client, catalogue: Graph) -> None:
    page = data(
        client,
        """{ realisations(first: 20) { ... on RealisationConnection { items {
             iri year places { iri label partOf { iri } } solutions { iri } measures { iri } } } } }""",
    )["realisations"]

    for item in page["items"]:
        iri = URIRef(item["iri"])
        assert {place["iri"] for place in item["places"]} == {str(p) for p in catalogue.objects(iri, KCS.place)}
        # A realisation may realise a service directly: that is no solution.
        solutions = [s for s in catalogue.objects(iri, KCS.realises) if (s, RDF.type, KCS.SmartSolution) in catalogue]
        assert {s["iri"] for s in item["solutions"]} == {str(s) for s in solutions}
        served = set(catalogue.objects(iri, KCS.servesMeasure)) | {
            measure for solution in solutions for measure in catalogue.objects(solution, KCS.servesMeasure)
        }
        assert {m["iri"] for m in item["measures"]} == {str(m) for m in served}
        years = [int(str(year)[:4]) for year in catalogue.objects(iri, KCS.year)]
        assert item["year"] == (years[0] if years else None)


def test_a_cursor_is_refused_with_another_filter_or_when_it_is_not_one(client: httpx.Client) -> None:
    first_page = data(
        client,
        PAGE % ("solutions", "SmartSolutionConnection"),
        {"filter": {"region": LIBERECKY_KRAJ}, "first": 2},
    )["solutions"]
    cursor = first_page["pageInfo"]["endCursor"]

    other = data(client, PAGE % ("solutions", "SmartSolutionConnection"), {"first": 2, "after": cursor})["solutions"]
    garbage = data(client, PAGE % ("solutions", "SmartSolutionConnection"), {"first": 2, "after": "abc"})["solutions"]
    too_many = data(client, PAGE % ("realisations", "RealisationConnection"), {"first": 1000})["realisations"]

    assert other["__typename"] == "InvalidInput" and other["field"] == "after" and "filtr" in other["message"]
    assert garbage["__typename"] == "InvalidInput" and "endCursor" in garbage["message"]
    assert too_many == {"__typename": "InvalidInput", "field": "first", "message": too_many["message"]}
    assert "1000" in too_many["message"]


# -- search -------------------------------------------------------------------------------------


def test_search_finds_a_measure_by_an_inflected_word_without_diacritics(client: httpx.Client) -> None:
    found = data(
        client,
        """{ search(text: "brownfieldy", kinds: [TypeMeasure], limit: 5) {
             ... on SearchHits { hits { score matched resource { iri kind } } } } }""",
    )["search"]["hits"]

    assert BROWNFIELD_MEASURE in [hit["resource"]["iri"] for hit in found]
    assert {hit["resource"]["kind"] for hit in found} == {"TypeMeasure"}
    assert all(hit["score"] > 0 and hit["matched"] for hit in found)


def test_an_empty_search_is_refused_clearly(client: httpx.Client) -> None:
    found = data(client, '{ search(text: "  ") { ... on InvalidInput { field message } } }')["search"]

    assert found["field"] == "text" and "prázdný" in found["message"]


# -- limits, GraphiQL, the exported schema ------------------------------------------------------


def nested(depth: int) -> str:
    """A valid query nesting ``depth`` levels of fields below its root field (as the depth limit
    counts): the tree, then back up from a measure, and down again."""
    steps = ["pillars", "components", "goals", "measures", "goals", "component", "pillar", "components"]
    steps += ["goals", "measures", "pillars", "components"]
    assert depth <= len(steps)
    return "{ " + " { ".join(steps[:depth]) + " { iri" + " }" * depth + " }"


def test_a_query_deeper_than_the_limit_is_refused(client: httpx.Client) -> None:
    assert "errors" not in post(client, nested(MAX_DEPTH))

    body = post(client, nested(MAX_DEPTH + 1))

    assert body["data"] is None
    assert f"exceeds maximum operation depth of {MAX_DEPTH}" in body["errors"][0]["message"]


def test_a_query_with_more_aliases_than_the_limit_is_refused(client: httpx.Client) -> None:
    query = "{ " + " ".join(f"a{n}: strategies {{ iri }}" for n in range(MAX_ALIASES + 1)) + " }"

    body = post(client, query)

    assert body["data"] is None
    assert f"{MAX_ALIASES + 1} aliases found. Allowed: {MAX_ALIASES}" in body["errors"][0]["message"]


def test_a_query_with_more_tokens_than_the_limit_is_refused(client: httpx.Client) -> None:
    body = post(client, "{ strategies { " + "iri " * MAX_TOKENS + "} }")

    assert body["data"] is None
    assert f"more than {MAX_TOKENS} tokens" in body["errors"][0]["message"]


def test_graphiql_answers_a_browser_in_development(client: httpx.Client) -> None:
    response = client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_introspection_works_in_development(client: httpx.Client) -> None:
    types = data(client, "{ __schema { types { name } } }")["__schema"]["types"]

    assert {"ProblemAnswer", "TypeMeasure", "Pillar", "Funding"} <= {kind["name"] for kind in types}


def test_the_committed_schema_is_the_schema() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""

    assert committed == schema_text(), (
        f"{SCHEMA_FILE.name} differs from the GraphQL schema: run `python -m api.graphql.export` and commit it"
    )


def test_the_schema_has_the_shape_the_issue_fixes() -> None:
    text = schema_text()

    for line in (
        "problem(text: String!, limit: Int",
        "): ProblemAnswer!",
        "measures: [MeasureMatch!]!",
        "services: [SmartService!]!",
        "realisations: [Realisation!]!",
        "funding: [Funding!]!",
        "score: Float!",
        "why: [String!]!",
        "measure: TypeMeasure!",
        "goodMatch: Boolean!",
        "weak: Boolean!",
    ):
        assert line in text, line


def test_the_problem_answers_its_reasons_in_the_request_language(client: httpx.Client) -> None:
    query = '{ problem(text: "máme hodně opuštěných továren", limit: 1) { measures { why } } }'
    english = client.post("/graphql", json={"query": query}, headers={"Accept-Language": "en"}).json()
    czech = client.post("/graphql", json={"query": query}, headers={"Accept-Language": "cs"}).json()
    [why_en] = [" | ".join(measure["why"]) for measure in english["data"]["problem"]["measures"]]
    [why_cs] = [" | ".join(measure["why"]) for measure in czech["data"]["problem"]["measures"]]
    assert "Addresses a similar problem “" in why_en and "Řeší podobný problém" not in why_en
    assert "Řeší podobný problém „" in why_cs


WEAK_QUERY = """query ($text: String!) {
  problem(text: $text) { goodMatch weak measures { weak measure { iri } } ranked { weak why resource { iri } }
    synergies { weak } }
}"""


@pytest.mark.parametrize("text", ["záplavy", "otevřená data", "solární panely"])
def test_a_problem_no_measure_answers_marks_every_result_weak(client: httpx.Client, text: str) -> None:
    """Issue 11, point 1: a weak match is marked weak wherever it appears, the API too."""
    answer = post(client, WEAK_QUERY, {"text": text})["data"]["problem"]
    assert answer["goodMatch"] and answer["weak"]
    assert answer["ranked"], "what did match is listed"
    assert all(item["weak"] for key in ("measures", "ranked", "synergies") for item in answer[key])


def test_a_good_answer_is_not_weak(client: httpx.Client) -> None:
    answer = post(client, WEAK_QUERY, {"text": "brownfieldy"})["data"]["problem"]
    assert not answer["weak"] and answer["measures"] and not [m for m in answer["measures"] if m["weak"]]


def test_labels_fall_back_to_czech_for_a_language_the_catalogue_lacks(client: httpx.Client, catalogue: Graph) -> None:
    response = client.post(
        "/graphql", json={"query": "{ strategies { iri label } }"}, headers={"Accept-Language": "en-GB,en;q=0.9"}
    )

    strategies = response.json()["data"]["strategies"]
    assert strategies
    for strategy in strategies:
        labels = {label.language: str(label) for label in catalogue.objects(URIRef(strategy["iri"]), SKOS.prefLabel)}
        assert strategy["label"] == labels.get("en", labels["cs"])
