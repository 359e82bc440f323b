"""The catalogue version: one value in the store that changes with every change of the public catalogue.

Every write that changes public data (a load that changed a file, a re-derivation that changed the
derived graph, a restore, and later every published edit) runs :func:`bump` in its own update
request, so the new data and the new version become visible together. Every cache of every process
(kept GraphQL answers, page caches, the search index, cursors) is kept under the version it was made
for and is dropped as soon as the store holds another; a running server reads the version every
:data:`POLL_SECONDS`, so it follows a write of another process within that time.

Private data (proposals and later accounts and sessions) is not the catalogue: writing it leaves the
version as it is, and no cache is dropped for it.

A version reads ``<n>.<8 hex digits>``: the count of changes, for people, and a random part, so that two
stores (or a store restored from an older backup) never share a version for different data.

Beside the version, the version graph keeps a change log: per version, an entry of the version before
it, its count, and which resources' search documents the change may have changed (or that anything may
have: a load, a re-derivation, a restore), written by the same :func:`bump` as the version. A process
whose search index is a few versions behind reads only those resources' documents
(:func:`changes_since`, :func:`catalogue.search.index.follow`): at 50,000 realisations a published edit
of one resource shows in well under a second, where reading every document takes 6 s. The log keeps the
last :data:`KEPT_CHANGES` entries.
"""

from __future__ import annotations

from collections.abc import Iterable

from catalogue.graphs import version_graph
from catalogue.queries.common import checked_iri
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

POLL_SECONDS = 0.5
"""How often a running server reads the version: a change by another process shows within a second."""

UNVERSIONED = "0"
"""The version of a store nothing was ever loaded into."""

_VERSION = "https://w3id.org/kcs/ontology#catalogueVersion"
_MODIFIED = "http://purl.org/dc/terms/modified"
_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

# The change log: an entry per version in the version graph, named ``<catalogue>/change/<version>``. Not a
# blank node: a blank node more would rename those of every graph when a dataset is canonicalised.
_CHANGE = "https://w3id.org/kcs/ontology#CatalogueChange"
_FROM = "https://w3id.org/kcs/ontology#changeFrom"
_TO = "https://w3id.org/kcs/ontology#changeTo"
_NUMBER = "https://w3id.org/kcs/ontology#changeNumber"
"""The count part of the entry's new version, as an integer: what the log is pruned by."""
_CHANGED = "https://w3id.org/kcs/ontology#changedResource"
_EVERYTHING = "https://w3id.org/kcs/ontology#changedEverything"
"""True on an entry after which anything may have changed."""

KEPT_CHANGES = 200
"""How many entries the change log keeps: an index more changes behind is updated by every document."""


def catalogue_iri(settings: Settings) -> str:
    """The catalogue as a resource: what the version is stated of."""
    return f"{settings.instance_base}catalogue"


def read(store: CatalogueStore, settings: Settings) -> str:
    """The store's catalogue version (:data:`UNVERSIONED` before the first load)."""
    graph, catalogue = version_graph(settings), catalogue_iri(settings)
    rows = store.values(f"SELECT ?version WHERE {{ GRAPH <{graph}> {{ <{catalogue}> <{_VERSION}> ?version }} }}")
    return rows[0]["version"] if rows else UNVERSIONED


def _string(value: str) -> str:
    """``value`` as a SPARQL string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def guard(settings: Settings, expected: str) -> str:
    """A group graph pattern that matches only while the catalogue version is ``expected``: put it in the
    WHERE of every operation of a write that must not happen once another write changed the catalogue
    (an optimistic lock: :mod:`catalogue.editing` retries or reports a conflict)."""
    graph, catalogue = version_graph(settings), catalogue_iri(settings)
    literal = _string(expected)
    if expected == UNVERSIONED:
        return f"FILTER NOT EXISTS {{ GRAPH <{graph}> {{ <{catalogue}> <{_VERSION}> ?anyVersion }} }}"
    return f"GRAPH <{graph}> {{ <{catalogue}> <{_VERSION}> {literal} }}"


def bump(settings: Settings, *, expected: str | None = None, changed: Iterable[str] | None = None) -> str:
    """The update that gives the catalogue a new version: add it (after ``;``) to the request that
    changes the data, so both happen in one transaction. With ``expected``, it bumps only while the
    version is still that one (see :func:`guard`); it must then be the request's last operation.

    It also records the change in the change log (see :func:`changes_since`): ``changed`` names the
    resources whose search documents the request may change, so that followers read only those. A
    document holds a resource's own labels, code, description, places and the edges from it (and the
    ``skos:broaderTransitive`` edges to it), each with the kind of the resource at its other end: a
    request that changes a resource's kind changes the documents linking to it too, and must name them.
    ``None`` (a load, a re-derivation, a restore) records that anything may have changed, and followers
    read every document. Raises :class:`~catalogue.queries.common.InvalidIRI` for a changed IRI that
    is not one."""
    graph, catalogue = version_graph(settings), catalogue_iri(settings)
    required = guard(settings, expected) if expected is not None else ""
    if changed is None:
        what = f" ;\n    <{_EVERYTHING}> true"
    else:
        resources = ", ".join(f"<{checked_iri(iri)}>" for iri in sorted(set(changed)))
        what = f" ;\n    <{_CHANGED}> {resources}" if resources else ""
    # Both operations match the guard and count from the same version, so a failed guard leaves the log
    # as it is; the entry takes the new version from the same solution that writes it (STRUUID() is
    # evaluated once per solution, and there is exactly one).
    current = f"""{required}
  OPTIONAL {{ GRAPH <{graph}> {{ <{catalogue}> <{_VERSION}> ?old ; <{_MODIFIED}> ?when }} }}
  BIND (COALESCE(<{_INTEGER}>(STRBEFORE(?old, ".")), 0) + 1 AS ?count)"""
    # Entries numbered at or above the new one are left from a version graph that lost its version: no
    # chain through them can reach the new version.
    prune = f"""DELETE {{ GRAPH <{graph}> {{ ?entry ?property ?value }} }}
WHERE {{
  {current}
  GRAPH <{graph}> {{ ?entry <{_NUMBER}> ?number ; ?property ?value }}
  FILTER (?number <= ?count - {KEPT_CHANGES} || ?number >= ?count)
}}"""
    return f"""{prune} ;
DELETE {{ GRAPH <{graph}> {{ <{catalogue}> <{_VERSION}> ?old ; <{_MODIFIED}> ?when }} }}
INSERT {{ GRAPH <{graph}> {{ <{catalogue}> <{_VERSION}> ?new ;
    <{_MODIFIED}> ?now .
  ?entry a <{_CHANGE}> ; <{_FROM}> ?from ; <{_TO}> ?new ; <{_NUMBER}> ?count{what} }} }}
WHERE {{
  {current}
  BIND (CONCAT(STR(?count), ".", SUBSTR(STRUUID(), 1, 8)) AS ?new)
  BIND (COALESCE(?old, "{UNVERSIONED}") AS ?from)
  BIND (IRI(CONCAT("{catalogue}/change/", ?new)) AS ?entry)
  BIND (NOW() AS ?now)
}}"""


def changes_since(store: CatalogueStore, settings: Settings, version: str) -> set[str] | None:
    """The resources whose search documents may have changed from the catalogue ``version`` to the
    store's current one: the union of what every change on the way named (see :func:`bump`); empty when
    ``version`` is the current one. None when that is unknown, and whoever follows must read everything:
    the log does not reach back to ``version`` (kept for :data:`KEPT_CHANGES` changes, and a restore
    brings the backup's), or a change on the way (a load, a re-derivation) may have changed anything."""
    graph, catalogue = version_graph(settings), catalogue_iri(settings)
    # The current version and the log in one query, so both are of one state of the store.
    rows = store.values(f"""SELECT ?current ?from ?to ?everything WHERE {{ GRAPH <{graph}> {{
  {{ <{catalogue}> <{_VERSION}> ?current }}
  UNION {{ ?entry <{_FROM}> ?from ; <{_TO}> ?to OPTIONAL {{ ?entry <{_EVERYTHING}> ?everything }} }}
}} }}""")
    current = next((row["current"] for row in rows if "current" in row), UNVERSIONED)
    steps: dict[str, tuple[str, bool]] = {}
    forks: set[str] = set()  # two entries from one version: the log is not the store's history
    for row in rows:
        if "from" in row:
            if row["from"] in steps:
                forks.add(row["from"])
            steps[row["from"]] = (row["to"], row.get("everything") == "true")
    chain: list[str] = []
    at = version
    while at != current:
        if at in forks or at not in steps or len(chain) > KEPT_CHANGES:
            return None
        at, everything = steps[at]
        if everything:
            return None
        chain.append(at)
    if not chain:
        return set()
    # An entry pruned since the first query (by many changes meanwhile) must not pass for one that
    # named nothing: each is found again, with its resources.
    rows = store.values(f"""SELECT ?to ?resource WHERE {{ GRAPH <{graph}> {{
  VALUES ?to {{ {" ".join(_string(step) for step in chain)} }}
  ?entry <{_TO}> ?to OPTIONAL {{ ?entry <{_CHANGED}> ?resource }}
}} }}""")
    if {row["to"] for row in rows} != set(chain):
        return None
    return {row["resource"] for row in rows if "resource" in row}
