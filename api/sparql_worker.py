"""Running one user query for /sparql, inside a worker process that the server can kill.

Oxigraph cannot cancel a query in-process, so the server (see :mod:`api.sparql_pool`) keeps a few of
these processes warm and kills one whose query outlives the time limit. Each opens the store itself,
read-only: a snapshot of the embedded store that the server made for the current catalogue version
without the private graphs (:meth:`CatalogueStore.public_snapshot`: a consistent view, never written
while the worker reads it), or the Oxigraph server through the same :class:`CatalogueStore`, where the
private graphs are left out of every query's dataset. Killing a worker that waits on the server drops
the connection; what the server does with its query is up to its own limits (``--timeout-s``).

Protocol on the worker's standard input and output: frames of a 4-byte big-endian length and a
payload. The server passes the settings as JSON, its own process id, the memory limit and the
snapshot's folder (empty for the Oxigraph server) in ``argv``;
the worker answers one JSON frame ``{"ready": true}`` or ``{"error": ...}``, then for each request
frame (JSON of :class:`QueryRequest`) one JSON header frame and one body frame.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import struct
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from catalogue import graphs
from catalogue.queries.sparql_guard import CheckedQuery, InvalidQuery, RefusedQuery, check_query, missing_graphs
from catalogue.settings import Settings
from catalogue.store import CatalogueStore, Dataset, QueryError, StoreError

RESULTS_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
DEFAULT_BYTE_LIMIT: int = Settings.model_fields["sparql_max_answer_bytes"].default


@dataclass(frozen=True)
class QueryRequest:
    """One query as the endpoint received it, with the formats the client accepts for each kind of answer."""

    query: str
    results_format: str | None  # for SELECT and ASK; None when the client accepts none of RESULTS_FORMATS
    graph_format: str | None  # for CONSTRUCT and DESCRIBE; None when the client accepts none of GRAPH_FORMATS
    row_limit: int
    default_graphs: tuple[str, ...] | None = None  # the protocol's default-graph-uri; None when not given
    named_graphs: tuple[str, ...] | None = None  # the protocol's named-graph-uri; None when not given
    private_graphs: tuple[str, ...] = ()
    """Graphs no query may read: the proposals people send hold their e-mail addresses and phones."""
    byte_limit: int = DEFAULT_BYTE_LIMIT
    """Most bytes of the answer's body: the row cap alone does not bound them (long literals)."""

    @property
    def protocol_dataset(self) -> bool:
        return self.default_graphs is not None or self.named_graphs is not None


@dataclass(frozen=True)
class Answer:
    form: str
    format: str
    truncated: bool
    body: bytes


class AnswerTooLarge(Exception):
    """The answer would be longer than the request's ``byte_limit``; serializing stopped there."""


class _CappedOutput:
    """Where Oxigraph writes an answer: refuses (raises :class:`AnswerTooLarge` from ``write``) the first
    chunk past ``limit``, which stops Oxigraph's serializer, so no answer is built past the cap."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._chunks: list[bytes] = []
        self._size = 0

    def write(self, chunk: bytes) -> int:
        self._size += len(chunk)
        if self._size > self.limit:
            raise AnswerTooLarge
        self._chunks.append(bytes(chunk))
        return len(chunk)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self._chunks)


class NotAcceptable(QueryError):
    """The client accepts no format this kind of query can be answered in."""

    def __init__(self, form: str) -> None:
        super().__init__(f"no acceptable format for a {form} query")
        self.form = form


@dataclass(frozen=True)
class _Solutions:
    variables: list[str]
    rows: Iterable[Sequence[Any]]  # pyoxigraph terms, None where a variable is unbound


# rdflib's parser costs 1–2 ms for even a trivial query, most of a warm worker's time; clients repeat
# their queries (dashboards, a query edited and re-run), so the verdict on a text is kept.
_check_query = lru_cache(maxsize=512)(check_query)


def execute(store: CatalogueStore, request: QueryRequest) -> Answer:
    """Check ``request`` against the endpoint's rules, run it and serialize at most ``row_limit`` rows."""
    checked = _check_query(request.query)
    format_name = request.graph_format if checked.form in GRAPH_FORMS else request.results_format
    if format_name is None:
        raise NotAcceptable(checked.form)
    named = [
        *checked.from_graphs,
        *checked.from_named_graphs,
        *(request.default_graphs or ()),
        *(request.named_graphs or ()),
    ]
    private = sorted(set(named) & set(request.private_graphs))
    if private:
        raise RefusedQuery(
            f"Graf <{private[0]}> je neveřejný: návrhy obcí obsahují kontakty na lidi, kteří je poslali."
        )
    # A staging graph is a write under way (or one a killed process left): never the catalogue's, so it is
    # as absent as an unknown graph, whether the store lists it or not.
    staging = [iri for iri in dict.fromkeys(named) if graphs.is_staging(store.settings, iri)]
    missing = staging + [iri for iri in missing_graphs(store, named) if iri not in staging]
    if missing:
        listed = ", ".join(f"<{iri}>" for iri in missing)
        raise RefusedQuery(
            (
                f"Graf {listed} v úložišti katalogu není"
                if len(missing) == 1
                else f"Grafy {listed} v úložišti katalogu nejsou"
            )
            + ": dotaz smí číst jen vlastní pojmenované grafy katalogu."
        )
    results = _run(store, request, _dataset(store, request, checked))
    try:
        if isinstance(results, bool):
            return Answer(checked.form, format_name, False, _serialize_boolean(results, format_name))
        if isinstance(results, _Solutions):
            body, truncated = _serialize_solutions(results, format_name, request.row_limit, request.byte_limit)
        else:
            prefixes = dict(checked.prefixes)
            body, truncated = _serialize_triples(results, format_name, request.row_limit, request.byte_limit, prefixes)
    except OSError as error:  # Oxigraph evaluates lazily: reading the store can fail while rows are read
        raise StoreError(f"čtení úložiště selhalo: {_one_line(error)}") from error
    return Answer(checked.form, format_name, truncated, body)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


def _dataset(store: CatalogueStore, request: QueryRequest, checked: CheckedQuery) -> Dataset | None:
    """The graphs the query reads: the protocol's dataset, which replaces the query's FROM clauses
    (SPARQL 1.1 Protocol, 2.1.4); else the query's own FROM and FROM NAMED; else every public graph,
    as the union every query of the catalogue reads (None when the store holds no other)."""
    if request.protocol_dataset:
        return Dataset(tuple(request.default_graphs or ()), tuple(request.named_graphs or ()))
    if checked.has_dataset:
        return Dataset(checked.from_graphs, checked.from_named_graphs)
    present = sorted(str(graph) for graph in store.graph_names())
    public = graphs.public_graphs(store.settings, present)
    if len(public) == len(present):
        return None  # a snapshot of the embedded store holds public graphs only: the union is safe, and faster
    return Dataset(tuple(public), tuple(public))


def _run(store: CatalogueStore, request: QueryRequest, dataset: Dataset | None) -> bool | _Solutions | Iterable[Any]:
    try:
        results = store.query(request.query, dataset=dataset)
    except QueryError as error:
        raise InvalidQuery(f"Chyba syntaxe dotazu SPARQL: {error}") from error
    if isinstance(results, ox.QueryBoolean):
        return bool(results)
    if isinstance(results, ox.QuerySolutions):
        return _Solutions([variable.value for variable in results.variables], results)
    return results


def _term_json(term: Any) -> dict[str, Any]:
    """A term as SPARQL 1.1 Query Results JSON writes it."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        value: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            value["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            value["datatype"] = term.datatype.value
        return value
    # A quoted triple (RDF-star), as Oxigraph returns it and writes it in JSON.
    return {
        "type": "triple",
        "value": {
            "subject": _term_json(term.subject),
            "predicate": _term_json(term.predicate),
            "object": _term_json(term.object),
        },
    }


def _serialize_solutions(
    solutions: _Solutions, format_name: str, row_limit: int, byte_limit: int
) -> tuple[bytes, bool]:
    """Rows as SPARQL results, cut after ``row_limit``; raises :class:`AnswerTooLarge` past ``byte_limit``.

    pyoxigraph serializes only a whole QuerySolutions, and cannot build one from rows; so the kept
    rows are written as SPARQL JSON here, and Oxigraph turns that JSON into XML, CSV or TSV, which keeps
    their escaping rules Oxigraph's.

    Every format writes each term's value at least once, plus a separator, so the characters of the
    values read so far (plus one a term) are a lower bound of the answer's bytes in any format: reading
    stops as soon as they pass the cap, before the rows are held, and the exact size is checked on the
    answer itself (for XML, CSV and TSV as Oxigraph writes it, which it stops doing at the cap)."""
    bindings: list[dict[str, Any]] = []
    truncated = False
    at_least = 0
    for row in solutions.rows:
        if len(bindings) == row_limit:
            truncated = True
            break
        binding = {}
        for name, term in zip(solutions.variables, row, strict=True):
            if term is not None:
                binding[name] = _term_json(term)
                at_least += len(getattr(term, "value", "")) + 1
        if at_least > byte_limit:
            raise AnswerTooLarge
        bindings.append(binding)
    document = {"head": {"vars": solutions.variables}, "results": {"bindings": bindings}}
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    if format_name != "json":
        return _reserialize(body, format_name, byte_limit), truncated
    if len(body) > byte_limit:
        raise AnswerTooLarge
    return body, truncated


def _serialize_boolean(answer: bool, format_name: str) -> bytes:
    body = json.dumps({"head": {}, "boolean": answer}, separators=(",", ":")).encode()
    return body if format_name == "json" else _reserialize(body, format_name, DEFAULT_BYTE_LIMIT)


def _reserialize(json_results: bytes, format_name: str, byte_limit: int) -> bytes:
    parsed = ox.parse_query_results(json_results, ox.QueryResultsFormat.JSON)
    output = _CappedOutput(byte_limit)
    parsed.serialize(output, format=RESULTS_FORMATS[format_name])  # type: ignore[arg-type]
    return output.value()


def _serialize_triples(
    triples: Iterable[Any], format_name: str, row_limit: int, byte_limit: int, prefixes: dict[str, str]
) -> tuple[bytes, bool]:
    """At most ``row_limit`` triples; Oxigraph reads them one by one as it writes, so a graph past
    ``byte_limit`` stops being read (and built) at the cap."""
    source = iter(triples)
    output = _CappedOutput(byte_limit)
    ox.serialize(
        islice(source, row_limit),
        output,  # type: ignore[arg-type]
        format=GRAPH_FORMATS[format_name],
        prefixes=prefixes or None,
    )
    truncated = next(source, None) is not None
    return output.value(), truncated


# -- the worker process ------------------------------------------------------------------------------

FRAME_LENGTH = struct.Struct(">I")  # the length before each frame's payload


def read_frame(stream: IO[bytes]) -> bytes | None:
    """One frame from ``stream``, or None at the end of the stream."""
    head = stream.read(FRAME_LENGTH.size)
    if len(head) < FRAME_LENGTH.size:
        return None
    (length,) = FRAME_LENGTH.unpack(head)
    payload = stream.read(length)
    if len(payload) < length:
        return None
    return payload


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(FRAME_LENGTH.pack(len(payload)))
    stream.write(payload)


def frame(payload: bytes) -> bytes:
    return FRAME_LENGTH.pack(len(payload)) + payload


def answer_request(store: CatalogueStore, payload: bytes) -> tuple[dict[str, Any], bytes]:
    """The header and body answering one request frame; every failure becomes a header naming it."""
    try:
        fields = json.loads(payload)
        for name in ("default_graphs", "named_graphs"):
            if fields.get(name) is not None:
                fields[name] = tuple(fields[name])
        answer = execute(store, QueryRequest(**fields))
    except InvalidQuery as error:
        return {"error": "invalid", "message": str(error)}, b""
    except RefusedQuery as error:
        return {"error": "refused", "message": str(error)}, b""
    except NotAcceptable as error:
        return {"error": "not_acceptable", "message": str(error), "form": error.form}, b""
    except AnswerTooLarge:
        return {"error": "too_large", "message": ""}, b""
    except MemoryError:
        return {"error": "memory", "message": "", "restart": True}, b""
    except StoreError as error:
        # A failing read of a snapshot may mean it is broken (removed under it): the server replaces
        # this worker, and the new one opens the current snapshot.
        return {"error": "store", "message": str(error), "restart": store.embedded is not None}, b""
    except Exception as error:  # anything else must still produce an answer, and a fresh worker
        return {"error": "failed", "message": f"{type(error).__name__}: {_one_line(error)}", "restart": True}, b""
    header = asdict(answer)
    del header["body"]
    return header, answer.body


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when the server dies, even in the middle of a query."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the server died before the line above took effect
        os._exit(1)


def main(argv: list[str]) -> int:
    settings_json, parent, memory_limit, snapshot = argv[0], int(argv[1]), int(argv[2]), argv[3]
    _die_with_parent(parent)
    # Past this much address space an allocation fails: Python raises MemoryError, Oxigraph (Rust) aborts.
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    # The protocol owns the real standard output; anything else printed (by a library, say) goes to stderr.
    output = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    requests = sys.stdin.buffer
    try:
        settings = Settings.model_validate_json(settings_json)
        store = (
            CatalogueStore.open_folder(Path(snapshot), settings)
            if snapshot
            else CatalogueStore.open(settings, read_only=True)
        )
        check_query("SELECT * WHERE { ?s ?p ?o } LIMIT 1")  # builds the parser's caches before the first user
        store.ask("ASK { }")
    except (StoreError, OSError) as error:
        write_frame(output, json.dumps({"error": str(error)}).encode())
        output.flush()
        return 1
    write_frame(output, b'{"ready": true}')
    output.flush()
    while (payload := read_frame(requests)) is not None:
        header, body = answer_request(store, payload)
        output.write(frame(json.dumps(header).encode()) + frame(body))
        output.flush()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
