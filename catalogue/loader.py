"""Loading the catalogue's Turtle files into the store, one named graph per file.

Every file is parsed before anything is written, so a malformed file leaves the store exactly as it
was. ``katalog load`` also checks what it is about to write (``guard``): a file whose resources break the
SHACL shapes, or whose graph would lose more than half of its triples (a truncated or emptied file that
still parses), is refused and nothing is written; ``--force`` lets a graph shrink on purpose.

A file whose content (and instance base) has not changed since its last load is skipped, which makes
``katalog load`` idempotent and cheap enough to run before every ``katalog serve``.

A file is the origin of its resources until a curator publishes a revision of one: from then on the
published revision is the resource's description, and loading a changed file leaves that resource's
description in the file out, and says so (:attr:`Change.kept_curated`), instead of overwriting it.
"""

from __future__ import annotations

import gc
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef

from catalogue import graphs, rules
from catalogue.editing import drafts
from catalogue.errors import CatalogueError
from catalogue.graphs import ONTOLOGY, derived_graph, graph_iri
from catalogue.queries import load_checks, version
from catalogue.queries.load_log import entry_update, loaded_fingerprints
from catalogue.settings import DEFAULT_INSTANCE_BASE, Settings
from catalogue.store import CatalogueStore, Dataset, ntriples

if TYPE_CHECKING:
    from catalogue.validation import CatalogueGraph

RULES_FILE = "catalogue/rules.py"
"""How the load log names the source of the derived graph: the rules, which change with the code."""


class LoadError(CatalogueError):
    """A catalogue file cannot be read or parsed; the message names the file and the cause."""

    code = "LOAD_FAILED"
    status = 400


class LoadRefused(LoadError):
    """The files parse, but what they would write is refused (it breaks the shapes, or a graph would lose
    most of its triples); nothing was written. ``details`` are the problems, one line each."""

    code = "LOAD_REFUSED"

    def __init__(self, message: str, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.details = tuple(details)


SHRINK_LIMIT = 0.5
"""A reload may leave a graph with no less than this share of its triples unless forced: a file cut short
by a failed copy or an editor still parses, and would otherwise replace its graph silently."""

SHACL_MAX_TRIPLES = 10_000
"""The most triples of changed files the load checks against the shapes. pySHACL needs about 1 s for 1,000
on 2 cores (the seed catalogue's 6,000 triples, all checked on a first load: 5–8 s, and 15–20 s when the
machine is busy), so the load leaves a bigger change (a national-size file) to `katalog validate`, and
says so."""


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
    triples = _parse(source)
    if settings.instance_base != DEFAULT_INSTANCE_BASE:
        triples = [_rebase(triple, DEFAULT_INSTANCE_BASE, settings.instance_base) for triple in triples]
    return triples


def _parse(source: Source) -> list[ox.Triple]:
    if not source.path.is_file():
        raise LoadError(f"{source.path}: no such file")
    try:
        triples = [quad.triple for quad in ox.parse(path=str(source.path), format=ox.RdfFormat.TURTLE)]
    except SyntaxError as error:
        raise LoadError(f"{source.path}: malformed Turtle: {' '.join(str(error).split())}") from error
    except (OSError, ValueError) as error:
        raise LoadError(f"{source.path}: cannot be read: {error}") from error
    return triples


def _rebase(triple: ox.Triple, old: str, new: str) -> ox.Triple:
    def move(term):  # type: ignore[no-untyped-def]
        if isinstance(term, ox.NamedNode) and term.value.startswith(old):
            return ox.NamedNode(new + term.value[len(old) :])
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


@dataclass
class _Pending:
    source: Source
    identifier: str
    triples: list[ox.Triple]
    """What is written: the file's triples at the instance base, without the curated resources."""
    kept: set[str]
    stated: list[ox.Triple]
    """The file's triples as it states them (the shapes name the default base's IRIs)."""


def load(
    store: CatalogueStore,
    sources: Sequence[Source],
    settings: Settings,
    *,
    prune: bool = False,
    progress: Callable[[Source], None] | None = None,
    guard: bool = False,
    force: bool = False,
    warn: Callable[[str], None] | None = None,
) -> list[Change]:
    """Bring the store up to date with ``sources``; with ``prune``, drop graphs whose file is gone.

    Parsing comes first for every changed file, so one bad file means nothing at all is written. With
    ``guard`` (`katalog load`), the changed files are also checked before anything is written: a
    :class:`LoadRefused` if one breaks the shapes or would leave its graph with less than half of its
    triples (the latter unless ``force``); ``warn`` is told when the shapes were not checked.
    """
    store.drop_leftover_staging()
    known = loaded_fingerprints(store, settings)
    curated = drafts.curated_resources(store, settings)
    pending: list[_Pending] = []
    changes: list[Change] = []
    for source in sources:
        if not source.path.is_file():
            raise LoadError(f"{source.path}: no such file")
        identifier = fingerprint(source, settings)
        if known.get(source.graph, ("", ""))[0] == identifier:
            changes.append(Change(source.graph, source.path.name, "unchanged"))
        else:
            stated = _parse(source)
            at_base = stated
            if settings.instance_base != DEFAULT_INSTANCE_BASE:
                at_base = [_rebase(triple, DEFAULT_INSTANCE_BASE, settings.instance_base) for triple in stated]
            triples, kept = drafts.without_curated(at_base, curated)
            pending.append(_Pending(source, identifier, triples, kept, stated if guard else []))
    if guard and pending:
        _refuse_shrinking(store, pending, force)
        try:
            _refuse_shape_violations(store, settings, pending, known, warn)
        finally:
            # pySHACL leaves reference cycles of its frames behind, and they reach this frame and the
            # store: without a collection now, closing the store would not release its lock.
            gc.collect()
    derived = derived_graph(settings)
    if pending:
        # Until the rules have run on what this load writes, the derived graph is not up to date: a load
        # killed in between leaves it unrecorded, so the next load derives again although every file
        # is then unchanged.
        store.update(entry_update(settings, derived, None))
    for item in pending:
        source, triples = item.source, item.triples
        if progress is not None:
            progress(source)
        old = store.triples_in(source.graph) if source.graph in known else []
        added, removed = _diff(old, triples)
        entry = entry_update(settings, source.graph, (item.identifier, source.path.name))
        store.replace_graph(source.graph, triples, f"{entry} ;\n{version.bump(settings)}")
        status = "replaced" if source.graph in known else "added"
        changes.append(Change(source.graph, source.path.name, status, added, removed, tuple(sorted(item.kept))))
    if prune:
        wanted = {source.graph for source in sources} | {derived}
        for graph, (_, file) in sorted(known.items()):
            if graph not in wanted:
                removed = len(store.triples_in(graph))
                store.drop_graph(graph, f"{entry_update(settings, graph, None)} ;\n{version.bump(settings)}")
                changes.append(Change(graph, file, "removed", 0, removed))
    if any(change.status != "unchanged" for change in changes) or known.get(derived, ("", ""))[0] != rules.FINGERPRINT:
        in_hand = {str(item.source.graph): item.triples for item in pending}
        rederived = rules.rederive(store, settings, in_hand=in_hand)
        store.update(entry_update(settings, derived, (rules.FINGERPRINT, RULES_FILE)))
        if rederived.changed:
            changes.append(Change(derived, RULES_FILE, "replaced", rederived.added, rederived.removed))
    store.flush()
    order = {source.graph: index for index, source in enumerate(sources)}
    return sorted(changes, key=lambda change: order.get(change.graph, len(order)))


# -- what `katalog load` refuses ------------------------------------------------------------------

_NOTHING_WRITTEN = "Nic nebylo načteno, úložiště zůstalo, jak bylo."


def _refuse_shrinking(store: CatalogueStore, pending: Sequence[_Pending], force: bool) -> None:
    """Refuse files that would leave their graph empty or with less than half of its triples."""
    before = load_checks.graph_sizes(store, (str(item.source.graph) for item in pending))
    shrunk = []
    for item in pending:
        old, new = before.get(str(item.source.graph), 0), len(set(item.triples))
        if old and new < old * SHRINK_LIMIT:
            shrunk.append(f"soubor {item.source.path} by zmenšil svůj graf {item.source.graph} z {old} na {new} trojic")
    if shrunk and not force:
        raise LoadRefused(
            f"Načtení odmítnuto: {'; '.join(shrunk)}, tedy o víc než polovinu (je soubor celý?). "
            f"{_NOTHING_WRITTEN} Je-li zmenšení záměr, spusťte načtení znovu s volbou --force."
        )


def _refuse_shape_violations(
    store: CatalogueStore,
    settings: Settings,
    pending: Sequence[_Pending],
    known: Mapping[URIRef, tuple[str, str]],
    warn: Callable[[str], None] | None,
) -> None:
    """Refuse files whose resources break the SHACL shapes.

    What is checked is the changed data files as they state their resources, with what they link to
    from the rest of the store as context: the types and the ``skos:broader`` hierarchy of every
    resource they name (what ``sh:class`` and the path to a pillar read), and the resources of other
    files that name a resource a changed file no longer describes (which a dangling link breaks). Not
    the whole catalogue: checking only what changed keeps a reload of one file cheap."""
    ontology = graph_iri(settings, ONTOLOGY)
    data = [item for item in pending if item.source.graph != ontology]
    size = sum(len(item.stated) for item in data)
    if not data:
        return
    if size > SHACL_MAX_TRIPLES:
        if warn is not None:
            warn(
                f"Kontrola tvarů SHACL vynechána: změněné soubory mají {size} trojic (víc než {SHACL_MAX_TRIPLES}); "
                "zkontrolujte je příkazem `katalog validate`."
            )
        return
    base = settings.instance_base
    to_store, from_store = (DEFAULT_INSTANCE_BASE, base), (base, DEFAULT_INSTANCE_BASE)
    written = {str(item.source.graph) for item in pending}
    not_data = (ontology, derived_graph(settings))
    context = [str(graph) for graph in known if str(graph) not in written and graph not in not_data]
    context.append(str(graphs.curated_graph(settings)))
    files = {str(graph): file for graph, (_, file) in known.items()}
    files[str(graphs.curated_graph(settings))] = "kurátorské revize"  # a resource a curator published
    in_context = Dataset(default_graphs=tuple(context), named_graphs=tuple(context))

    def moved(triples: Iterable[ox.Triple], bases: tuple[str, str]) -> list[ox.Triple]:
        return list(triples) if base == DEFAULT_INSTANCE_BASE else [_rebase(t, *bases) for t in triples]

    def iri_at(value: str, bases: tuple[str, str]) -> str:
        return bases[1] + value[len(bases[0]) :] if value.startswith(bases[0]) else value

    # The rest of the store joins the check where it bears on the changed files: what other files state
    # about the resources these describe (they are checked as a whole), and the resources that name one
    # a changed file no longer describes (a dangling link breaks them).
    described = {t.subject.value for item in data for t in item.stated if isinstance(t.subject, ox.NamedNode)}
    gone: dict[str, str] = {}  # resource (at the default base) → the changed file that described it
    for item in data:
        subjects = {iri_at(iri, from_store) for iri in load_checks.subjects_of(store, item.source.graph)}
        gone |= {iri: item.source.path.name for iri in subjects - described}
    if gone:  # a resource another file describes too is still in the catalogue (a file of synonyms)
        for resource, graph in load_checks.graphs_describing(store, (iri_at(i, to_store) for i in gone)):
            if graph in context:
                gone.pop(iri_at(resource, from_store), None)
    joined: dict[str, set[str]] = {}  # resource of another file (at the store's base) → its files
    linked: dict[str, set[str]] = {}  # resource gone → the files that still link to it
    for values, pattern in (("?s", described), ("?o", set(gone))):
        if not pattern:
            continue
        rows = load_checks.statements_naming(store, (iri_at(i, to_store) for i in pattern), as_object=values == "?o")
        # The query reads every graph: only the context's count (a private or staging graph is no file's)
        for row in rows:
            if row["g"] in context:
                joined.setdefault(row["s"], set()).add(files.get(row["g"], "?"))
                if values == "?o":
                    linked.setdefault(iri_at(row["o"], from_store), set()).add(files.get(row["g"], "?"))
    parts: list[tuple[str, list[ox.Triple]]] = [(item.source.path.name, item.stated) for item in data]
    if joined:
        described_elsewhere = load_checks.descriptions(store, joined, in_context)
        elsewhere = moved(described_elsewhere, from_store)
        owners = {t.object: _value(t.subject) for t in elsewhere if isinstance(t.object, ox.BlankNode)}
        by_file: dict[str, list[ox.Triple]] = {}
        for triple in elsewhere:
            subject = triple.subject
            owner = owners.get(subject, "") if isinstance(subject, ox.BlankNode) else _value(subject)
            file = ", ".join(sorted(joined.get(iri_at(owner, to_store), {"?"})))
            by_file.setdefault(file, []).append(triple)
        parts += list(by_file.items())
    named = {t.object.value for _, triples in parts for t in triples if isinstance(t.object, ox.NamedNode)}
    hierarchy = load_checks.hierarchy(store, (iri_at(i, to_store) for i in named), in_context) if named else []
    from catalogue.validation import shacl_problems  # pySHACL: imported only when a load checks

    catalogue = _catalogue_graph(settings, parts, moved(hierarchy, from_store))
    for iri in linked:  # a resource still linked to is checked as the file that lost it
        catalogue.files_of.setdefault(URIRef(iri), set()).add(gone[iri])
    problems = shacl_problems(catalogue, settings, described_only=True)
    if problems:
        lost = [
            f"{gone[iri]} už nepopisuje {iri}, na který dál odkazuje {', '.join(sorted(files_))}"
            for iri, files_ in sorted(linked.items())
            if catalogue.describe(URIRef(iri))[0] in {problem.resource for problem in problems}
        ]
        names = ", ".join(sorted({item.source.path.name for item in data}))
        count = len(problems)
        counted = f"{count} {'problém' if count == 1 else 'problémy' if count < 5 else 'problémů'}"
        raise LoadRefused(
            f"Načtení odmítnuto: {names} neodpovídá tvarům SHACL ({counted}, vypsané výše). "
            f"{_NOTHING_WRITTEN} Opravte data (`katalog validate` je zkontroluje celé) a načtěte je znovu.",
            [problem.describe() for problem in problems] + lost,
        )


def _value(term: object) -> str:
    return term.value if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal) else ""


def _catalogue_graph(
    settings: Settings, parts: Sequence[tuple[str, list[ox.Triple]]], context: list[ox.Triple]
) -> CatalogueGraph:
    """The parts (file, triples) as one rdflib graph that names each part's subjects by their file, and
    the context, whose nodes name no file (so their problems are not reported)."""
    from catalogue.validation import CatalogueGraph

    merged = Graph()
    for prefix, namespace in Graph().parse(settings.shapes_file, format="turtle").namespaces():
        merged.bind(prefix, namespace, override=False)
    files_of: dict[URIRef | BNode, set[str]] = {}
    for file, triples in parts:
        part = Graph().parse(data=ntriples(triples), format="nt")
        for subject in set(part.subjects()):
            files_of.setdefault(subject, set()).add(file)  # type: ignore[arg-type]
        merged += part
    if context:
        merged += Graph().parse(data=ntriples(context), format="nt")
    return CatalogueGraph(merged, files_of)
