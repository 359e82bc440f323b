"""Loading the catalogue's Turtle files into the store, one named graph per file.

Every file is parsed before anything is written, so a malformed file leaves the store exactly as it
was. A file whose content (and instance base) has not changed since its last load is skipped, which
makes ``katalog load`` idempotent and cheap enough to run before every ``katalog serve``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import pyoxigraph as ox
from oxrdflib._converter import to_ox
from rdflib import URIRef

from catalogue.settings import DEFAULT_INSTANCE_BASE, Settings
from catalogue.store import CatalogueStore

DCTERMS = "http://purl.org/dc/terms/"


class LoadError(Exception):
    """A catalogue file cannot be read or parsed; the message names the file and the cause."""


@dataclass(frozen=True)
class Source:
    """One Turtle file and the named graph it is loaded into."""

    path: Path
    graph: URIRef


@dataclass(frozen=True)
class Change:
    graph: URIRef
    file: str
    status: str  # "added", "replaced", "unchanged" or "removed"
    added: int = 0
    removed: int = 0

    def describe(self) -> str:
        if self.status == "unchanged":
            return f"{self.file}: unchanged"
        if self.status == "removed":
            return f"{self.file}: removed (its file is gone), -{self.removed} triples"
        return f"{self.file}: {self.status}, +{self.added} -{self.removed} triples"


def graph_iri(settings: Settings, name: str) -> URIRef:
    return URIRef(f"{settings.instance_base}graph/{name}")


def load_log_graph(settings: Settings) -> URIRef:
    return graph_iri(settings, "load-log")


def source_for(path: Path, settings: Settings) -> Source:
    """The named graph of a file: the ontology has its own, every data file one named after it."""
    name = "ontology" if path.resolve() == settings.ontology_file.resolve() else path.stem
    return Source(path, graph_iri(settings, name))


def catalogue_sources(settings: Settings) -> list[Source]:
    """The whole catalogue: the ontology and every Turtle file of the data folder."""
    files = [settings.ontology_file, *sorted(settings.data_dir.glob("*.ttl"))]
    return [source_for(path, settings) for path in files]


def read_triples(source: Source, settings: Settings) -> list[ox.Triple]:
    """Parse one file, with its resources moved to the configured instance base."""
    if not source.path.is_file():
        raise LoadError(f"{source.path}: no such file")
    try:
        triples = list(ox.parse(path=str(source.path), format=ox.RdfFormat.TURTLE))
    except SyntaxError as error:
        raise LoadError(f"{source.path}: malformed Turtle: {' '.join(str(error).split())}") from error
    except (OSError, ValueError) as error:
        raise LoadError(f"{source.path}: cannot be read: {error}") from error
    if settings.instance_base != DEFAULT_INSTANCE_BASE:
        triples = [_rebase(triple, settings.instance_base) for triple in triples]
    return triples


def _rebase(triple: ox.Triple, base: str) -> ox.Triple:
    def move(term):  # type: ignore[no-untyped-def]
        if isinstance(term, ox.NamedNode) and term.value.startswith(DEFAULT_INSTANCE_BASE):
            return ox.NamedNode(base + term.value[len(DEFAULT_INSTANCE_BASE) :])
        return term

    return ox.Triple(move(triple.subject), move(triple.predicate), move(triple.object))


def fingerprint(source: Source, settings: Settings) -> str:
    digest = hashlib.sha256(source.path.read_bytes())
    digest.update(settings.instance_base.encode())
    return "sha256:" + digest.hexdigest()


def _shape(triple: ox.Triple) -> str:
    """A triple as text with blank nodes anonymised: two parses of one file give equal shapes."""
    return " ".join("_:b" if isinstance(t, ox.BlankNode) else str(t) for t in triple)


def _diff(old: Sequence[ox.Triple], new: Sequence[ox.Triple]) -> tuple[int, int]:
    if not old:
        return len(new), 0
    before, after = Counter(map(_shape, old)), Counter(map(_shape, new))
    return sum((after - before).values()), sum((before - after).values())


def loaded_fingerprints(store: CatalogueStore, settings: Settings) -> dict[URIRef, tuple[str, str]]:
    """What the load log says was loaded: graph → (fingerprint, file name)."""
    rows = store.select(
        f"SELECT ?g ?id ?file ?log WHERE {{ GRAPH ?log {{ ?g <{DCTERMS}identifier> ?id ; <{DCTERMS}source> ?file }} }}",
        {"log": load_log_graph(settings)},
    )
    return {URIRef(str(row["g"])): (str(row["id"]), str(row["file"])) for row in rows}


def _log_update(settings: Settings, graph: URIRef, entry: tuple[str, str] | None) -> str:
    log = load_log_graph(settings)
    update = f"DELETE WHERE {{ GRAPH <{log}> {{ <{graph}> ?p ?o }} }}"
    if entry is not None:
        identifier, file = entry
        now = datetime.now(UTC).isoformat(timespec="seconds")
        update += (
            f" ;\nINSERT DATA {{ GRAPH <{log}> {{ <{graph}> <{DCTERMS}identifier> {ox.Literal(identifier)} ;"
            f" <{DCTERMS}source> {ox.Literal(file)} ;"
            f' <{DCTERMS}modified> "{now}"^^<http://www.w3.org/2001/XMLSchema#dateTime> }} }}'
        )
    return update


def load(
    store: CatalogueStore,
    sources: Sequence[Source],
    settings: Settings,
    *,
    prune: bool = False,
    progress: Callable[[Source], None] | None = None,
) -> list[Change]:
    """Bring the store up to date with ``sources``; with ``prune``, drop graphs whose file is gone.

    Parsing comes first for every changed file, so one bad file means nothing at all is written.
    """
    known = loaded_fingerprints(store, settings)
    pending: list[tuple[Source, str, list[ox.Triple]]] = []
    changes: list[Change] = []
    for source in sources:
        if not source.path.is_file():
            raise LoadError(f"{source.path}: no such file")
        identifier = fingerprint(source, settings)
        if known.get(source.graph, ("", ""))[0] == identifier:
            changes.append(Change(source.graph, source.path.name, "unchanged"))
        else:
            pending.append((source, identifier, read_triples(source, settings)))
    for source, identifier, triples in pending:
        if progress is not None:
            progress(source)
        old = [cast(ox.Triple, to_ox(t)) for t in store.triples_in(source.graph)] if source.graph in known else []
        added, removed = _diff(old, triples)
        store.replace_graph(source.graph, triples, _log_update(settings, source.graph, (identifier, source.path.name)))
        status = "replaced" if source.graph in known else "added"
        changes.append(Change(source.graph, source.path.name, status, added, removed))
    if prune:
        wanted = {source.graph for source in sources}
        for graph, (_, file) in sorted(known.items()):
            if graph not in wanted:
                removed = len(store.triples_in(graph))
                store.drop_graph(graph, _log_update(settings, graph, None))
                changes.append(Change(graph, file, "removed", 0, removed))
    store.flush()
    order = {source.graph: index for index, source in enumerate(sources)}
    return sorted(changes, key=lambda change: order.get(change.graph, len(order)))
