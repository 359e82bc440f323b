"""Demand: what municipalities ask the catalogue, kept as aggregates in the private graph DEMAND.

Every problem asked on ``/odpoved`` and through GraphQL's ``problem(text:)`` adds one to the aggregate of
its (text, day, filter): the text folded (lower case, no diacritics) with its white space collapsed, the
UTC day, and the pillar or place filter if one was used. The aggregate also holds whether the latest
answer matched well and its top type measures (their IRIs, as text: a private graph links to nothing).
Nothing of who asked is kept: no address, cookie, session or account.

"Matched well" is the answer's own verdict (:class:`catalogue.answer.ProblemAnswer`): ``good_match``
and not ``weak``, that is, at least one type measure matches the problem well (by a name, by half of
what the problem says, or by several of its words). An answer that is empty, or lists only weaker
matches (the page then offers the proposal form), did not match well.

One SPARQL update per question (:func:`record`); the callers never let a failure of it fail the answer.
The aggregates are read by :mod:`catalogue.queries.demand`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pyoxigraph as ox

from catalogue.graphs import DEMAND, private_base, private_graph
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

PRIVATE = "https://w3id.org/kcs/private#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

AGGREGATE = PRIVATE + "DemandAggregate"
TEXT = PRIVATE + "demandText"
DAY = PRIVATE + "demandDay"
COUNT = PRIVATE + "demandCount"
MATCHED_WELL = PRIVATE + "matchedWell"
TOP_MATCH = PRIVATE + "topMatch"
PILLAR_FILTER = PRIVATE + "pillarFilter"
PLACE_FILTER = PRIVATE + "placeFilter"

TOP_MATCHES = 3
"""How many of the answer's type measures an aggregate keeps."""
MAX_TEXT = 1000


@dataclass(frozen=True)
class Question:
    """One question as it is recorded: ``text`` already folded (see :func:`normalised`)."""

    text: str
    matched_well: bool
    top: tuple[str, ...] = ()
    pillar: str | None = None
    place: str | None = None


def normalised(folded: str) -> str:
    """``folded`` (the caller folds it with :func:`catalogue.search.analysis.fold`, a layer above this
    one) trimmed, its white space collapsed to single spaces, at most 1,000 characters."""
    return re.sub(r"\s+", " ", folded).strip()[:MAX_TEXT]


def aggregate_iri(settings: Settings, question: Question, day: date) -> str:
    key = "\x1f".join((question.text, day.isoformat(), question.pillar or "", question.place or ""))
    return f"{private_base(settings, DEMAND)}{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def _string(value: str) -> str:
    return str(ox.Literal(value))


def record(store: CatalogueStore, settings: Settings, question: Question, *, now: datetime | None = None) -> None:
    """Count ``question`` in its aggregate: one SPARQL update (the count goes up by one, the match and top
    measures become the latest answer's). Raises what the store raises; callers log it."""
    text = normalised(question.text)
    if not text:
        return
    question = Question(text, question.matched_well, tuple(question.top[:TOP_MATCHES]), question.pillar,
                        question.place)
    day = (now or datetime.now(UTC)).astimezone(UTC).date()
    node = f"<{aggregate_iri(settings, question, day)}>"
    graph = f"<{private_graph(settings, DEMAND)}>"
    described = [
        f"{node} <{RDF_TYPE}> <{AGGREGATE}>",
        f"{node} <{TEXT}> {_string(text)}",
        f'{node} <{DAY}> "{day.isoformat()}"^^<{XSD}date>',
        f"{node} <{COUNT}> ?new",
        f'{node} <{MATCHED_WELL}> "{str(question.matched_well).lower()}"^^<{XSD}boolean>',
        *(f"{node} <{TOP_MATCH}> {_string(iri)}" for iri in question.top),
    ]
    if question.pillar:
        described.append(f"{node} <{PILLAR_FILTER}> {_string(question.pillar)}")
    if question.place:
        described.append(f"{node} <{PLACE_FILTER}> {_string(question.place)}")
    store.update(
        f"DELETE {{ GRAPH {graph} {{ {node} ?p ?o }} }}\n"
        f"INSERT {{ GRAPH {graph} {{ {' . '.join(described)} }} }}\n"
        f"WHERE {{ OPTIONAL {{ GRAPH {graph} {{ {node} <{COUNT}> ?old }} }}\n"
        f"  OPTIONAL {{ GRAPH {graph} {{ {node} ?p ?o }} }}\n"
        "  BIND(COALESCE(?old, 0) + 1 AS ?new) }"
    )

