"""`/sparql`: a read-only SPARQL 1.1 Protocol endpoint over the catalogue's store.

GET ``?query=``, POST ``application/x-www-form-urlencoded`` (``query=``) and POST
``application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri`` may name the store's own graphs
only. Without a dataset, the default graph is the union of all named graphs, as in every query of the
catalogue. Updates, ``SERVICE`` and graphs outside the store are refused (:mod:`catalogue.queries.sparql_guard`).

Answers by ``Accept`` (or the ``format`` parameter): SELECT and ASK as SPARQL JSON (default), XML, CSV or
TSV; CONSTRUCT and DESCRIBE as Turtle (default), JSON-LD, N-Triples or RDF/XML. At most
``sparql_endpoint_row_limit`` rows or triples, with ``X-Result-Truncated: true`` when cut, and at most
``sparql_max_answer_bytes`` bytes: a longer answer is refused with 413 (the row cap alone does not bound
bytes: long literals made a 470-byte query answer 42 MB). A query that runs past ``sparql_endpoint_timeout``,
or past the workers' memory cap, is stopped by killing its worker process (:mod:`api.sparql_pool`) and
answered with 503. Each client (its address) may have ``sparql_client_concurrency`` queries running,
waiting or being sent, and use ``sparql_client_seconds_per_minute`` of query time a minute; past either,
429. Errors are the API's one JSON shape (``{"error": {"code": …, "message": …}}``) with the message in
Czech, in one line.

A GET without ``query`` from a browser (``Accept`` naming ``text/html``) gets a short page about the
endpoint with an example query that runs (:func:`help_page`); a program asking so still gets the 400.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send

from api.body_limit import readable_size
from api.sparql_pool import (
    ClientBusy,
    ClientOverBudget,
    ClientSlot,
    MemoryExceeded,
    PoolUnavailable,
    QueryPool,
    QueryTimeout,
    WorkerFailed,
)
from api.sparql_worker import GRAPH_FORMS, QueryRequest
from api.state import AppState, app_state
from catalogue import graphs
from catalogue.errors import INTERNAL_ERROR, CatalogueError, InvalidInput, NotAcceptable, StoreError, Unavailable
from catalogue.queries.common import InvalidIRI, checked_iri
from catalogue.queries.examples import ENDPOINT_EXAMPLE
from catalogue.queries.sparql_guard import READ_ONLY, InvalidQuery, RefusedQuery
from catalogue.settings import Settings
from web.clients import client_address
from web.errors import error_response, json_error
from web.site import render

log = logging.getLogger(__name__)

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
# What a worker's answer says went wrong (api.sparql_worker.answer_request), as the error to answer.
WORKER_ERRORS: dict[str, type[CatalogueError]] = {"invalid": InvalidQuery, "refused": RefusedQuery, "store": StoreError}
FAILED = (
    "Dotaz se nepodařilo provést kvůli chybě serveru. Zkuste to prosím znovu; pokud potíže trvají, dejte nám vědět."
)
RETRY = {"Retry-After": "1"}


class _UnsupportedMediaType(InvalidInput):
    code = "UNSUPPORTED_MEDIA_TYPE"
    status = 415


class AnswerTooLarge(CatalogueError):
    code = "ANSWER_TOO_LARGE"
    status = 413


class TooManyQueries(CatalogueError):
    code = "TOO_MANY_QUERIES"
    status = 429


def too_large_message(limit: int) -> str:
    size = readable_size(limit, unit=1000)
    return (
        f"Odpověď na dotaz by byla delší než povolených {size} ({limit} bajtů), proto nebyla odeslána. "
        "Zeptejte se na méně řádků (LIMIT), vyberte méně nebo kratší hodnoty, nebo se ptejte po částech "
        "(LIMIT a OFFSET)."
    )


SEND_CHUNK = 64 * 1024


class _AnswerResponse(Response):
    """An answer that holds its client's place (:class:`ClientSlot`) until it has been sent.

    The body is in memory until the client has read it, so a client that does not read holds it. The
    worker caps it at ``sparql_max_answer_bytes``; and it is sent in chunks, each only once the connection
    has taken the last (uvicorn waits for its buffer to drain before a write), so the place stays taken
    while the client does not read, and a client cannot pile up unread answers on new connections: what
    this process holds for one client is at most ``sparql_client_concurrency`` answers of the cap (8 MB
    by default), whatever its queries could make. (Sent in one piece, the whole body went into the
    connection's buffer at once, and the place was free again at once.)"""

    def __init__(self, body: bytes, *, media_type: str, headers: dict[str, str], slot: ClientSlot) -> None:
        self._slot = slot  # first: __del__ needs it even if the rest fails
        super().__init__(body, media_type=media_type, headers=headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            body = memoryview(self.body)
            for start in range(0, max(len(body), 1), SEND_CHUNK):
                end = start + SEND_CHUNK
                await send({"type": "http.response.body", "body": bytes(body[start:end]), "more_body": end < len(body)})
        finally:  # sent, or the client went away
            self._slot.leave()

    def __del__(self) -> None:
        # Never sent (a middleware answered instead): the place must not stay taken for good.
        self._slot.leave()


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
    parameters = request.query_params.multi_items()
    if not any(name == "query" for name, _ in parameters) and _wants_html(request.headers.get("accept", "")):
        return help_page(request)
    return await _answer(request, parameters)


def _wants_html(accept: str) -> bool:
    """Whether ``accept`` names HTML itself (a browser does; ``*/*`` alone is a program's)."""
    ranges = _accept_ranges(accept)
    return any(media in ("text/html", "application/xhtml+xml") and quality > 0 for media, quality in ranges)


def help_page(request: Request) -> HTMLResponse:
    """What the endpoint is, for a person who followed the footer's link, with an example that runs."""
    settings = app_state(request).settings
    run_url = "/sparql?" + urlencode({"query": ENDPOINT_EXAMPLE, "format": "json"})
    context = {
        "example": ENDPOINT_EXAMPLE,
        "run_url": run_url,
        "row_limit": settings.sparql_endpoint_row_limit,
        "timeout": settings.sparql_endpoint_timeout,
        "answer_megabytes": settings.sparql_max_answer_bytes / 1_000_000,
        "concurrency": settings.sparql_client_concurrency,
        "seconds_per_minute": settings.sparql_client_seconds_per_minute,
    }
    return render(request, "sparql.html", context, headers={"Vary": "Accept"})


@router.post("/sparql", summary="SPARQL 1.1 query endpoint (read-only), query in the body")
async def sparql_post(request: Request) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    parameters = request.query_params.multi_items()
    try:
        body = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        return error_response(InvalidInput("Tělo požadavku není platné UTF-8."))
    if content_type == "application/x-www-form-urlencoded":
        return await _answer(request, [*parse_qsl(body, keep_blank_values=True), *parameters])
    if content_type == "application/sparql-query":
        return await _answer(request, [("query", body), *parameters])
    if content_type == "application/sparql-update":
        return error_response(RefusedQuery(READ_ONLY))
    return error_response(
        _UnsupportedMediaType(
            f"Nepodporovaný typ obsahu {content_type or '(žádný)'!r}: pošlete dotaz jako "
            "application/sparql-query nebo jako formulář application/x-www-form-urlencoded s parametrem query."
        )
    )


async def _answer(request: Request, parameters: Sequence[tuple[str, str]]) -> Response:
    state = app_state(request)
    settings = state.settings
    try:
        query_request = _query_request(parameters, request.headers.get("accept", ""), settings)
    except CatalogueError as error:
        return error_response(error)
    pool = state.sparql_pool
    if pool is None:
        return error_response(Unavailable("Endpoint SPARQL se teprve spouští; zkuste to za chvíli znovu."), RETRY)
    try:
        slot = pool.clients.admit(client_address(request, settings))
    except ClientBusy as crowded:
        running = "dotaz" if crowded.limit == 1 else f"{crowded.limit} {'dotazy' if crowded.limit < 5 else 'dotazů'}"
        return error_response(
            TooManyQueries(
                f"Z vaší adresy už běží {running} na endpoint SPARQL, víc najednou nelze. "
                "Počkejte na odpověď a pošlete další dotaz až potom."
            )
        )
    except ClientOverBudget as spent:
        wait = max(1, math.ceil(spent.retry_after))
        return error_response(
            TooManyQueries(
                f"Vaše dotazy za poslední minutu zabraly víc než {spent.budget:g} s práce endpointu SPARQL. "
                f"Zkuste to znovu za {wait} s; pomohou užší dotazy (konkrétnější vzory, LIMIT).",
                code="QUERY_TIME_BUDGET",
            ),
            {"Retry-After": str(wait)},
        )
    try:
        response = await _run(pool, query_request, slot, request.headers.get("accept", ""), settings)
    except BaseException:
        slot.leave()
        raise
    if not isinstance(response, _AnswerResponse):
        slot.leave()  # an error answer is small: the place is free at once
    return response


async def _run(
    pool: QueryPool, query_request: QueryRequest, slot: ClientSlot, accept: str, settings: Settings
) -> Response:
    """The answer to an admitted query: the worker's, or the error to answer instead."""
    try:
        reply = await pool.run(query_request, slot)
    except QueryTimeout:
        return error_response(
            Unavailable(
                f"Dotaz překročil časový limit {settings.sparql_endpoint_timeout:g} s a byl zastaven. "
                "Zužte jej (konkrétnější vzory, LIMIT) nebo se zeptejte po částech.",
                code="QUERY_TIMEOUT",
            )
        )
    except MemoryExceeded:
        return error_response(
            Unavailable(
                f"Dotaz potřeboval víc paměti, než smí použít ({pool.memory_limit / 2**30:g} GiB), a byl zastaven. "
                "Zužte jej (konkrétnější vzory, LIMIT) nebo se zeptejte po částech.",
                code="QUERY_TOO_LARGE",
            )
        )
    except PoolUnavailable as error:
        log.warning("/sparql refused a query: %s", error)  # the cause may name a path: for the log only
        busy = Unavailable(
            "Endpoint SPARQL teď dotaz nepřijme: všechny pracovní procesy jsou zaneprázdněné "
            "nebo se spouštějí. Zkuste to za chvíli znovu."
        )
        return error_response(busy, RETRY)
    except WorkerFailed as error:
        log.error("a /sparql worker failed: %s", error)
        return json_error(500, INTERNAL_ERROR, FAILED)
    header = reply.header
    if header.get("error") == "too_large":
        return error_response(AnswerTooLarge(too_large_message(settings.sparql_max_answer_bytes)))
    if "error" in header:
        return _worker_error(header, accept)
    headers = {"Vary": "Accept"}
    if header["form"] != "ASK":
        headers["X-Result-Truncated"] = "true" if header["truncated"] else "false"
        if header["truncated"]:
            headers["X-Result-Row-Limit"] = str(settings.sparql_endpoint_row_limit)
    return _AnswerResponse(reply.body, media_type=MEDIA_TYPES[header["format"]], headers=headers, slot=slot)


def _worker_error(header: dict[str, str], accept: str) -> Response:
    """The answer to a query its worker could not answer; the cause of a failure goes to the log."""
    kind = header["error"]
    if kind == "not_acceptable":
        offers = GRAPH_OFFERS if header["form"] in GRAPH_FORMS else RESULTS_OFFERS
        return error_response(NotAcceptable(f"Dotaz {header['form']}: " + _unsupported(accept, list(offers))))
    error = WORKER_ERRORS.get(kind)
    if error is None:
        log.error("a /sparql worker failed: %s", header["message"])
        return json_error(500, INTERNAL_ERROR, FAILED)
    if error is StoreError:
        log.error("a /sparql worker could not read the store: %s", header["message"])
    return error_response(error(header["message"]))


def _query_request(parameters: Sequence[tuple[str, str]], accept: str, settings: Settings) -> QueryRequest:
    """The request's parameters checked; raises the :class:`CatalogueError` to answer for a bad one."""
    values: dict[str, list[str]] = {}
    for name, value in parameters:
        values.setdefault(name, []).append(value)
    if "update" in values:
        raise RefusedQuery(READ_ONLY)
    queries = values.get("query", [])
    if len(queries) != 1 or not queries[0].strip():
        raise InvalidInput(
            "Parametr query smí být jen jeden."
            if len(queries) > 1
            else "Chybí dotaz: pošlete dotaz SPARQL "
            "v parametru query (GET ?query=… nebo formulář POST) nebo v těle POST jako application/sparql-query.",
            field="query",
        )
    results_format, graph_format = _formats(values.get("format", []), accept)
    if results_format is None and graph_format is None:
        raise NotAcceptable(_unsupported(accept, list(dict.fromkeys([*RESULTS_OFFERS, *GRAPH_OFFERS]))))
    return QueryRequest(
        query=queries[0],
        results_format=results_format,
        graph_format=graph_format,
        row_limit=settings.sparql_endpoint_row_limit,
        byte_limit=settings.sparql_max_answer_bytes,
        default_graphs=_graph_iris(values, "default-graph-uri", settings),
        named_graphs=_graph_iris(values, "named-graph-uri", settings),
        private_graphs=tuple(str(graph) for graph in graphs.private_graphs(settings)),
    )


def _graph_iris(values: dict[str, list[str]], name: str, settings: Settings) -> tuple[str, ...] | None:
    if name not in values:
        return None
    iris = []
    for value in values[name]:
        try:
            iris.append(str(checked_iri(value)))
        except InvalidIRI:
            example = graphs.graph_iri(settings, graphs.ONTOLOGY)
            message = f"Parametr {name}: {value!r} není absolutní IRI grafu (např. {example})."
            raise InvalidIRI(message, field=name) from None
    return tuple(iris)


def _formats(format_parameter: list[str], accept: str) -> tuple[str | None, str | None]:
    if format_parameter:
        name = format_parameter[-1].strip().lower()
        if name not in FORMAT_PARAMETER:
            allowed = ", ".join(FORMAT_PARAMETER)
            raise InvalidInput(f"Neznámý formát {name!r}; možné hodnoty: {allowed}.", field="format")
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
