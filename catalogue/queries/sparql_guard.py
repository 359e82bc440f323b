"""The safeguards of the public SPARQL endpoint: what a user's query may do, read from its parse tree.

The endpoint runs the user's own query text (that is its job); this module decides beforehand whether it
may run: only queries (no updates), no ``SERVICE`` (the server must not fetch other endpoints for
anyone), and ``FROM``/``FROM NAMED``/protocol graphs only among the store's own named graphs. The
decisions are made on rdflib's parse of the query, never on its text, so comments, strings and IRIs
that merely contain a keyword do not fool them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.algebra import translatePrologue
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from catalogue.queries.common import InvalidIRI, checked_iri, iri_values
from catalogue.store import CatalogueStore, QueryError

QueryForm = Literal["SELECT", "CONSTRUCT", "DESCRIBE", "ASK"]
READ_ONLY = "Tento endpoint je jen pro čtení: aktualizace (INSERT, DELETE, LOAD, CLEAR, DROP…) nejsou povoleny."


class InvalidQuery(QueryError):
    """The text is not a SPARQL query; the message carries the parser's own, in one line."""


class RefusedQuery(QueryError):
    """The query is valid SPARQL but the endpoint does not run it (an update, SERVICE, a foreign graph)."""

    code = "REFUSED_QUERY"
    status = 403


@dataclass(frozen=True)
class CheckedQuery:
    """What the endpoint needs to know about a query it may run."""

    form: QueryForm
    from_graphs: tuple[str, ...]
    from_named_graphs: tuple[str, ...]
    prefixes: tuple[tuple[str, str], ...]  # the query's PREFIX declarations, for serializing its graph

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named_graphs)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


def check_query(text: str) -> CheckedQuery:
    """Parse ``text`` and return its form and dataset, or raise :class:`InvalidQuery` / :class:`RefusedQuery`."""
    if _nesting_depth(text) > MAX_NESTING:
        raise InvalidQuery(TOO_DEEP)
    try:
        parsed = parseQuery(text)
    except RecursionError as error:  # nesting the scan did not count (it is cheap, not a parser)
        raise InvalidQuery(TOO_DEEP) from error
    except ParseException as error:
        if _is_update(text):
            raise RefusedQuery(READ_ONLY) from error
        raise InvalidQuery(f"Chyba syntaxe dotazu SPARQL: {_one_line(error)}") from error
    prologue, body = parsed[0], parsed[1]
    if _contains_service(body):
        raise RefusedQuery("Klauzule SERVICE (federovaný dotaz na jiný endpoint) zde není povolena.")
    from_graphs: list[str] = []
    from_named: list[str] = []
    if "datasetClause" in body:
        try:
            # rdflib resolves prefixed names and relative IRIs of FROM against the query's prologue.
            resolver = translatePrologue(prologue, None)
            for clause in body["datasetClause"]:
                if "default" in clause:
                    from_graphs.append(str(resolver.absolutize(clause["default"])))
                else:
                    from_named.append(str(resolver.absolutize(clause["named"])))
        except Exception as error:  # rdflib raises a bare Exception for an undeclared prefix
            raise InvalidQuery(f"Chyba v dotazu SPARQL: {_one_line(error)}") from error
    prefixes = tuple(
        (str(decl["prefix"]) if "prefix" in decl else "", str(decl["iri"]))
        for decl in prologue
        if isinstance(decl, CompValue) and decl.name == "PrefixDecl"
    )
    form: QueryForm = body.name.removesuffix("Query").upper()
    return CheckedQuery(form, tuple(from_graphs), tuple(from_named), prefixes)


# rdflib's parser recurses for every group, so a query nested some hundreds deep exhausts Python's stack
# (a RecursionError, once a 500); no real query comes near this depth.
MAX_NESTING = 100
TOO_DEEP = (
    f"Dotaz SPARQL je vnořený příliš hluboko (víc než {MAX_NESTING} úrovní závorek {{ }} nebo ( )); zjednodušte jej."
)


def _nesting_depth(text: str) -> int:
    """The deepest nesting of ``{`` and ``(`` in ``text``, outside strings, IRIs and comments (a cheap scan)."""
    depth = deepest = 0
    quote: str | None = None
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if quote is not None:
            if char == "\\":
                index += 1
            elif text.startswith(quote, index):
                index += len(quote) - 1
                quote = None
        elif char in "\"'":
            quote = char * 3 if text.startswith(char * 3, index) else char
            index += len(quote) - 1
        elif char == "#":
            newline = text.find("\n", index)
            index = length if newline < 0 else newline
        elif char == "<":
            # An IRI has no spaces; "<" followed by anything else is the comparison operator.
            end = index + 1
            while end < length and text[end] not in '<>"{}|^`\\ \t\r\n':
                end += 1
            if end < length and text[end] == ">":
                index = end
        elif char in "{(":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})":
            depth -= 1
        index += 1
    return deepest


def _is_update(text: str) -> bool:
    try:
        update = parseUpdate(text)
    except ParseException:
        return False
    # A prologue alone is a valid (empty) update request; that is not an attempt to write. (CompValue.get
    # answers the key's own name for a missing key, so test membership.)
    return "request" in update


def _contains_service(tree: Any) -> bool:
    """Whether a SERVICE pattern occurs anywhere in the parse tree (subqueries, EXISTS, OPTIONAL…)."""
    stack = [tree]  # an explicit stack: a deeply nested query must not hit Python's recursion limit
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                return True
            stack.extend(node.values())
        elif isinstance(node, list | tuple | ParseResults):
            stack.extend(node)
    return False


MISSING_GRAPHS = """
SELECT ?graph WHERE {{
  {values}
  FILTER NOT EXISTS {{ GRAPH ?graph {{ ?s ?p ?o }} }}
}}
"""


def missing_graphs(store: CatalogueStore, iris: Iterable[str]) -> list[str]:
    """The IRIs among ``iris`` that name no graph of the store (in the order given)."""
    wanted = list(dict.fromkeys(iris))
    valid: list[str] = []
    missing: set[str] = set()
    for iri in wanted:
        try:
            checked_iri(iri)
        except InvalidIRI:
            missing.add(iri)  # not an absolute IRI, so it cannot name a graph of the store
        else:
            valid.append(iri)
    if valid:
        rows = store.select(MISSING_GRAPHS.format(values=iri_values("graph", valid)))
        missing.update(str(row["graph"]) for row in rows)
    return [iri for iri in wanted if iri in missing]
