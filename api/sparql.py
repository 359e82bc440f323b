"""`/sparql`: a read-only SPARQL 1.1 Protocol endpoint over the catalogue's store.

GET ``?query=``, POST ``application/x-www-form-urlencoded`` (``query=``) and POST
``application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri`` may name the store's own graphs
only. Without a dataset, the default graph is the union of all named graphs, as in every query of the
catalogue. Updates, ``SERVICE`` and graphs outside the store are refused (:mod:`catalogue.queries.sparql_guard`).

Answers by ``Accept`` (or the ``format`` parameter): SELECT and ASK as SPARQL JSON (default), XML, CSV or
TSV; CONSTRUCT and DESCRIBE as Turtle (default), JSON-LD, N-Triples or RDF/XML. At most
``sparql_endpoint_row_limit`` rows or triples, with ``X-Result-Truncated: true`` when cut. A query that
runs past ``sparql_endpoint_timeout``, or past the workers' memory cap, is stopped by killing its worker
process (:mod:`api.sparql_pool`) and answered with 503. Errors are one line of Czech in text/plain.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from api.sparql_pool import MemoryExceeded, PoolUnavailable, QueryPool, QueryTimeout, WorkerFailed
from api.sparql_worker import GRAPH_FORMS, QueryRequest
from api.state import AppState, app_state
from catalogue import graphs
from catalogue.queries.common import InvalidIRI, checked_iri
from catalogue.queries.sparql_guard import READ_ONLY
from catalogue.settings import Settings

router = APIRouter()

# Media types offered for each kind of answer, the default first; several may name one format.
RESULTS_OFFERS = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_OFFERS = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/n-triples": "ntriples",
    "application/rdf+xml": "rdfxml",
}
MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "jsonld": "application/ld+json",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
}
# The `format` parameter: (format for SELECT/ASK, format for CONSTRUCT/DESCRIBE).
FORMAT_PARAMETER = {
    "json": ("json", "jsonld"),
    "xml": ("xml", "rdfxml"),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "turtle"),
    "ttl": (None, "turtle"),
    "jsonld": (None, "jsonld"),
    "json-ld": (None, "jsonld"),
    "ntriples": (None, "ntriples"),
    "nt": (None, "ntriples"),
    "rdfxml": (None, "rdfxml"),
}
WORKER_ERRORS = {"invalid": 400, "refused": 403, "not_acceptable": 406, "store": 500, "failed": 500}


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


@asynccontextmanager
async def query_pool(state: AppState) -> AsyncIterator[None]:
    """The worker processes of /sparql, for the app's lifespan."""
    pool = QueryPool(state)
    await pool.start()
    state.sparql_pool = pool
    try:
        yield
    finally:
        state.sparql_pool = None
        await pool.stop()


@router.get("/sparql", summary="SPARQL 1.1 query endpoint (read-only)")
async def sparql_get(request: Request) -> Response:
    return await _answer(request, request.query_params.multi_items())


@router.post("/sparql", summary="SPARQL 1.1 query endpoint (read-only), query in the body")
async def sparql_post(request: Request) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    parameters = request.query_params.multi_items()
    try:
        body = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        return _error(400, "Tělo požadavku není platné UTF-8.")
    if content_type == "application/x-www-form-urlencoded":
        return await _answer(request, [*parse_qsl(body, keep_blank_values=True), *parameters])
    if content_type == "application/sparql-query":
        return await _answer(request, [("query", body), *parameters])
    if content_type == "application/sparql-update":
        return _error(403, READ_ONLY)
    return _error(
        415,
        f"Nepodporovaný typ obsahu {content_type or '(žádný)'!r}: pošlete dotaz jako "
        "application/sparql-query nebo jako formulář application/x-www-form-urlencoded s parametrem query.",
    )


async def _answer(request: Request, parameters: Sequence[tuple[str, str]]) -> Response:
    state = app_state(request)
    settings = state.settings
    try:
        query_request = _query_request(parameters, request.headers.get("accept", ""), settings)
    except _BadRequest as error:
        return _error(error.status, str(error))
    pool = state.sparql_pool
    if pool is None:
        return _error(503, "Endpoint SPARQL se teprve spouští; zkuste to za chvíli znovu.", {"Retry-After": "1"})
    try:
        reply = await pool.run(query_request)
    except QueryTimeout:
        return _error(
            503,
            f"Dotaz překročil časový limit {settings.sparql_endpoint_timeout:g} s a byl zastaven. "
            "Zužte jej (konkrétnější vzory, LIMIT) nebo se zeptejte po částech.",
        )
    except MemoryExceeded:
        return _error(
            503,
            f"Dotaz potřeboval víc paměti, než smí použít ({pool.memory_limit / 2**30:g} GiB), a byl zastaven. "
            "Zužte jej (konkrétnější vzory, LIMIT) nebo se zeptejte po částech.",
        )
    except PoolUnavailable as error:
        return _error(
            503, f"Endpoint SPARQL teď dotaz nepřijme: {error}. Zkuste to za chvíli znovu.", {"Retry-After": "1"}
        )
    except WorkerFailed as error:
        return _error(500, f"Dotaz se nepodařilo provést: {error}.")
    header = reply.header
    if "error" in header:
        status = WORKER_ERRORS.get(header["error"], 500)
        if status == 406:
            return _not_acceptable(header["form"], request.headers.get("accept", ""))
        return _error(status, header["message"])
    headers = {"Vary": "Accept"}
    if header["form"] != "ASK":
        headers["X-Result-Truncated"] = "true" if header["truncated"] else "false"
        if header["truncated"]:
            headers["X-Result-Row-Limit"] = str(settings.sparql_endpoint_row_limit)
    return Response(reply.body, media_type=MEDIA_TYPES[header["format"]], headers=headers)


def _query_request(parameters: Sequence[tuple[str, str]], accept: str, settings: Settings) -> QueryRequest:
    """The request's parameters checked; raises :class:`_BadRequest` with the answer for a bad one."""
    values: dict[str, list[str]] = {}
    for name, value in parameters:
        values.setdefault(name, []).append(value)
    if "update" in values:
        raise _BadRequest(403, READ_ONLY)
    queries = values.get("query", [])
    if len(queries) != 1 or not queries[0].strip():
        raise _BadRequest(
            400,
            "Parametr query smí být jen jeden."
            if len(queries) > 1
            else "Chybí dotaz: pošlete dotaz SPARQL "
            "v parametru query (GET ?query=… nebo formulář POST) nebo v těle POST jako application/sparql-query.",
        )
    results_format, graph_format = _formats(values.get("format", []), accept)
    if results_format is None and graph_format is None:
        raise _BadRequest(406, _unsupported(accept, list(dict.fromkeys([*RESULTS_OFFERS, *GRAPH_OFFERS]))))
    return QueryRequest(
        query=queries[0],
        results_format=results_format,
        graph_format=graph_format,
        row_limit=settings.sparql_endpoint_row_limit,
        default_graphs=_graph_iris(values, "default-graph-uri"),
        named_graphs=_graph_iris(values, "named-graph-uri"),
        private_graphs=tuple(str(graph) for graph in graphs.private_graphs(settings)),
    )


def _graph_iris(values: dict[str, list[str]], name: str) -> tuple[str, ...] | None:
    if name not in values:
        return None
    try:
        return tuple(str(checked_iri(value)) for value in values[name])
    except InvalidIRI as error:
        raise _BadRequest(400, f"Parametr {name}: {error}") from error


def _formats(format_parameter: list[str], accept: str) -> tuple[str | None, str | None]:
    if format_parameter:
        name = format_parameter[-1].strip().lower()
        if name not in FORMAT_PARAMETER:
            raise _BadRequest(400, f"Neznámý formát {name!r}; možné hodnoty: {', '.join(FORMAT_PARAMETER)}.")
        return FORMAT_PARAMETER[name]
    ranges = _accept_ranges(accept)
    return _negotiate(ranges, RESULTS_OFFERS), _negotiate(ranges, GRAPH_OFFERS)


def _accept_ranges(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their quality, in the client's order."""
    ranges = []
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        if not media:
            continue
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0  # an unreadable weight is no preference we can honour
        ranges.append((media.lower(), quality))
    return ranges


def _negotiate(ranges: list[tuple[str, float]], offers: dict[str, str]) -> str | None:
    """The best offered format for ``ranges`` (RFC 9110: the most specific range sets each offer's
    quality; ties go to the client's order, then to ours); the default when there is no Accept header."""
    if not ranges:
        return next(iter(offers.values()))
    best: tuple[float, int, int] | None = None
    chosen = None
    for order, (media, format_name) in enumerate(offers.items()):
        kind = media.split("/")[0]
        matches = [
            (specificity, quality, -position)
            for position, (accepted, quality) in enumerate(ranges)
            for specificity, pattern in ((2, media), (1, f"{kind}/*"), (0, "*/*"))
            if accepted == pattern
        ]
        if not matches:
            continue
        _, quality, client_order = max(matches)
        if quality <= 0:
            continue
        key = (quality, client_order, -order)
        if best is None or key > best:
            best, chosen = key, format_name
    return chosen


def _unsupported(accept: str, offers: Sequence[str]) -> str:
    return (
        f"Žádný z požadovaných formátů (Accept: {accept}) nelze vrátit. Podporované typy: {', '.join(offers)}; "
        f"nebo použijte parametr format ({', '.join(FORMAT_PARAMETER)})."
    )


def _not_acceptable(form: str, accept: str) -> Response:
    offers = GRAPH_OFFERS if form in GRAPH_FORMS else RESULTS_OFFERS
    return _error(406, f"Dotaz {form}: " + _unsupported(accept, list(offers)))
