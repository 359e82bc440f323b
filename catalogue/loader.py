"""Loading the catalogue's Turtle files into the store, one named graph per file.

Every file is parsed before anything is written, so a malformed file leaves the store exactly as it
was. A file whose content (and instance base) has not changed since its last load is skipped, which
makes ``katalog load`` idempotent and cheap enough to run before every ``katalog serve``.

A file is the origin of its resources until a curator publishes a revision of one: from then on the
published revision is the resource's description, and loading a changed file leaves that resource's
description in the file out, and says so (:attr:`Change.kept_curated`), instead of overwriting it.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from catalogue import rules
from catalogue.editing import drafts
from catalogue.errors import CatalogueError
from catalogue.graphs import ONTOLOGY, derived_graph, graph_iri
from catalogue.queries import version
from catalogue.queries.load_log import entry_update, loaded_fingerprints
from catalogue.settings import DEFAULT_INSTANCE_BASE, Settings
from catalogue.store import CatalogueStore

RULES_FILE = "catalogue/rules.py"
"""How the load log names the source of the derived graph: the rules, which change with the code."""


class LoadError(CatalogueError):
    """A catalogue file cannot be read or parsed; the message names the file and the cause."""

    code = "LOAD_FAILED"
    status = 400


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
    kept_curated: tuple[str, ...] = ()
    """Resources the file describes whose published curated revision was kept instead of the file's."""

    def describe(self) -> str:
        if self.status == "unchanged":
            return f"{self.file}: unchanged"
        if self.status == "removed":
            return f"{self.file}: removed (its file is gone), -{self.removed} triples"
        kept = "".join(
            f"\n  kept the curated revision of {resource} (the file's description of it was not loaded)"
            for resource in self.kept_curated
        )
        return f"{self.file}: {self.status}, +{self.added} -{self.removed} triples{kept}"


def source_for(path: Path, settings: Settings) -> Source:
    """The named graph of a file: the ontology has its own, every data file one named after it."""
    name = ONTOLOGY if path.resolve() == settings.ontology_file.resolve() else path.stem
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
        triples = [quad.triple for quad in ox.parse(path=str(source.path), format=ox.RdfFormat.TURTLE)]
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
    store.drop_leftover_staging()
    known = loaded_fingerprints(store, settings)
    curated = drafts.curated_resources(store, settings)
    pending: list[tuple[Source, str, list[ox.Triple], set[str]]] = []
    changes: list[Change] = []
    for source in sources:
        if not source.path.is_file():
            raise LoadError(f"{source.path}: no such file")
        identifier = fingerprint(source, settings)
        if known.get(source.graph, ("", ""))[0] == identifier:
            changes.append(Change(source.graph, source.path.name, "unchanged"))
        else:
            triples, kept = drafts.without_curated(read_triples(source, settings), curated)
            pending.append((source, identifier, triples, kept))
    for source, identifier, triples, kept in pending:
        if progress is not None:
            progress(source)
        old = store.triples_in(source.graph) if source.graph in known else []
        added, removed = _diff(old, triples)
        entry = entry_update(settings, source.graph, (identifier, source.path.name))
        store.replace_graph(source.graph, triples, f"{entry} ;\n{version.bump(settings)}")
        status = "replaced" if source.graph in known else "added"
        changes.append(Change(source.graph, source.path.name, status, added, removed, tuple(sorted(kept))))
    derived = derived_graph(settings)
    if prune:
        wanted = {source.graph for source in sources} | {derived}
        for graph, (_, file) in sorted(known.items()):
            if graph not in wanted:
                removed = len(store.triples_in(graph))
                store.drop_graph(graph, f"{entry_update(settings, graph, None)} ;\n{version.bump(settings)}")
                changes.append(Change(graph, file, "removed", 0, removed))
    if any(change.status != "unchanged" for change in changes) or known.get(derived, ("", ""))[0] != rules.FINGERPRINT:
        in_hand = {str(source.graph): triples for source, _, triples, _ in pending}
        rederived = rules.rederive(store, settings, in_hand=in_hand)
        store.update(entry_update(settings, derived, (rules.FINGERPRINT, RULES_FILE)))
        if rederived.changed:
            changes.append(Change(derived, RULES_FILE, "replaced", rederived.added, rederived.removed))
    store.flush()
    order = {source.graph: index for index, source in enumerate(sources)}
    return sorted(changes, key=lambda change: order.get(change.graph, len(order)))
