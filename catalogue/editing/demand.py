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

A server counts the questions in a :class:`DemandTally` and writes them together, one SPARQL update
every :data:`WRITE_SECONDS`; the callers never let a failure of it fail the answer.
The aggregates are read by :mod:`catalogue.queries.demand`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pyoxigraph as ox

from catalogue.graphs import DEMAND, private_base, private_graph
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

log = logging.getLogger(__name__)

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

WRITE_SECONDS = 2.0
"""How often a server writes its :class:`DemandTally`. Each write costs about the same whatever it holds
(one row per distinct question; the seeds' 146 statements under load: 30 to 100 ms on the embedded store
and more on the Oxigraph server), so the interval, not the load, sets what the demand costs."""
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


@dataclass(frozen=True)
class Tally:
    """``count`` askings of ``question`` (the latest one's match and top measures) on ``day``."""

    question: Question
    day: date
    count: int = 1


def tally_of(question: Question, *, now: datetime | None = None, count: int = 1) -> Tally | None:
    """``question`` as counted: its text normalised, its top measures cut to :data:`TOP_MATCHES`, on the
    UTC day of ``now``; None for a text that is empty once normalised."""
    text = normalised(question.text)
    if not text:
        return None
    question = Question(text, question.matched_well, tuple(question.top[:TOP_MATCHES]), question.pillar,
                        question.place)
    return Tally(question, (now or datetime.now(UTC)).astimezone(UTC).date(), count)


TOP_VARIABLES = tuple(f"?top{number}" for number in range(1, TOP_MATCHES + 1))


def _row(settings: Settings, tally: Tally) -> str:
    """``tally`` as a row of :func:`record_all`'s VALUES (UNDEF where it has no such top measure or filter)."""
    question, day = tally.question, tally.day
    top = [_string(iri) for iri in question.top] + ["UNDEF"] * (TOP_MATCHES - len(question.top))
    return " ".join((
        f"<{aggregate_iri(settings, question, day)}>",
        _string(question.text),
        f'"{day.isoformat()}"^^<{XSD}date>',
        str(int(tally.count)),
        f'"{str(question.matched_well).lower()}"^^<{XSD}boolean>',
        *top,
        _string(question.pillar) if question.pillar else "UNDEF",
        _string(question.place) if question.place else "UNDEF",
    ))


def record_all(store: CatalogueStore, settings: Settings, tallies: Iterable[Tally]) -> None:
    """Add every tally to its aggregate (whose match and top measures become the tally's), all in one
    SPARQL update, one transaction. Raises what the store raises.

    Each operation matches one row per aggregate: one operation that deleted ``?node ?p ?o`` and inserted
    the whole aggregate instantiated its template once per triple it deleted, 130 ms for 120 questions on
    the embedded store (now about 28 ms)."""
    tallies = list(tallies)
    if not tallies:
        return
    graph = f"<{private_graph(settings, DEMAND)}>"
    rows = "\n".join(f"({_row(settings, tally)})" for tally in tallies)
    counts = " ".join(f"(<{aggregate_iri(settings, tally.question, tally.day)}> {int(tally.count)})"
                      for tally in tallies)
    variables = f"?node ?text ?day ?add ?matched {' '.join(TOP_VARIABLES)} ?pillar ?place"
    tops = " ".join(f"?node <{TOP_MATCH}> {top} ." for top in TOP_VARIABLES)
    kept_top = " && ".join(f'!sameTerm(?was, COALESCE({top}, ""))' for top in TOP_VARIABLES)
    described = (
        f"?node <{RDF_TYPE}> <{AGGREGATE}> ; <{TEXT}> ?text ; <{DAY}> ?day ; <{MATCHED_WELL}> ?matched . {tops}"
        f" ?node <{PILLAR_FILTER}> ?pillar . ?node <{PLACE_FILTER}> ?place"
    )
    store.update(
        # The aggregates asked before: their counts raised, and their match and top measures where the
        # latest answer's differ.
        f"DELETE {{ GRAPH {graph} {{ ?node <{COUNT}> ?old }} }}\n"
        f"INSERT {{ GRAPH {graph} {{ ?node <{COUNT}> ?new }} }}\n"
        f"WHERE {{ VALUES (?node ?add) {{ {counts} }} GRAPH {graph} {{ ?node <{COUNT}> ?old }}"
        " BIND(?old + ?add AS ?new) } ;\n"
        # Only what differs is deleted: an unchanged triple deleted and inserted again is two writes for
        # nothing, where inserting a triple that is there already writes nothing.
        f"DELETE {{ GRAPH {graph} {{ ?node <{MATCHED_WELL}> ?was }} }}\n"
        f"WHERE {{ VALUES ({variables}) {{\n{rows}\n}} GRAPH {graph} {{ ?node <{MATCHED_WELL}> ?was }}"
        " FILTER(!sameTerm(?was, ?matched)) } ;\n"
        f"DELETE {{ GRAPH {graph} {{ ?node <{TOP_MATCH}> ?was }} }}\n"
        f"WHERE {{ VALUES ({variables}) {{\n{rows}\n}} GRAPH {graph} {{ ?node <{TOP_MATCH}> ?was }}"
        f" FILTER({kept_top}) }} ;\n"
        # Every aggregate described (inserting what is there already writes nothing), then the counts of
        # the new ones.
        f"INSERT {{ GRAPH {graph} {{ {described} }} }}\n"
        f"WHERE {{ VALUES ({variables}) {{\n{rows}\n}} }} ;\n"
        f"INSERT {{ GRAPH {graph} {{ ?node <{COUNT}> ?add }} }}\n"
        f"WHERE {{ VALUES (?node ?add) {{ {counts} }}"
        f" FILTER NOT EXISTS {{ GRAPH {graph} {{ ?node <{COUNT}> ?old }} }} }}"
    )


def record(store: CatalogueStore, settings: Settings, question: Question, *, now: datetime | None = None) -> None:
    """Count ``question`` in its aggregate at once (a server counts through :class:`DemandTally`)."""
    tally = tally_of(question, now=now)
    if tally is not None:
        record_all(store, settings, [tally])


class DemandTally:
    """The questions one process was asked and has not written yet, merged per aggregate.

    Writing each question as it is asked cost one update per answer, and on the Oxigraph server a round
    trip too: half of what a kept answer page cost to send (issue 14's load). A server adds every
    question here (:meth:`add`, which never touches the store) and writes them all in one update
    (:meth:`write`) every :data:`WRITE_SECONDS`, before demand is read, and when it stops. A process
    killed in between loses the questions of its last two seconds at most: demand is counts
    of what was asked, not anyone's record.

    Should the store refuse the write, the questions are kept for the next one, at most
    :data:`MAX_PENDING` aggregates of them (the rest is dropped and logged: the store has been failing
    for long, and the answers must go on)."""

    MAX_PENDING = 10_000

    def __init__(self) -> None:
        self._pending: dict[tuple[str, date, str | None, str | None], Tally] = {}
        self._lock = threading.Lock()

    def add(self, question: Question, *, now: datetime | None = None) -> None:
        tally = tally_of(question, now=now)
        if tally is not None:
            with self._lock:
                self._merge([tally])

    def _merge(self, tallies: Iterable[Tally]) -> None:
        """Merge under the lock; a later tally's match and top measures win, as a later asking's would."""
        for tally in tallies:
            question = tally.question
            key = (question.text, tally.day, question.pillar, question.place)
            earlier = self._pending.pop(key, None)
            if earlier is None and len(self._pending) >= self.MAX_PENDING:
                log.error("demand not recorded: %s questions are waiting for the store already", self.MAX_PENDING)
                continue
            self._pending[key] = Tally(question, tally.day, tally.count + (earlier.count if earlier else 0))

    def write(self, store: CatalogueStore, settings: Settings) -> int:
        """Write what is pending in one update; how many aggregates it changed. Raises what the store
        raises, the questions kept for the next write."""
        with self._lock:
            tallies, self._pending = list(self._pending.values()), {}
        if not tallies:
            return 0
        try:
            record_all(store, settings, tallies)
        except BaseException:
            with self._lock:
                # Kept before what was asked meanwhile, which is later and so has the latest answer.
                later = list(self._pending.values())
                self._pending = {}
                self._merge(tallies)
                self._merge(later)
            raise
        return len(tallies)
