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
"""

from __future__ import annotations

from catalogue.graphs import version_graph
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

POLL_SECONDS = 0.5
"""How often a running server reads the version: a change by another process shows within a second."""

UNVERSIONED = "0"
"""The version of a store nothing was ever loaded into."""

_VERSION = "https://w3id.org/kcs/ontology#catalogueVersion"
_MODIFIED = "http://purl.org/dc/terms/modified"


def catalogue_iri(settings: Settings) -> str:
    """The catalogue as a resource: what the version is stated of."""
    return f"{settings.instance_base}catalogue"


def read(store: CatalogueStore, settings: Settings) -> str:
    """The store's catalogue version (:data:`UNVERSIONED` before the first load)."""
    graph, catalogue = version_graph(settings), catalogue_iri(settings)
    rows = store.values(f"SELECT ?version WHERE {{ GRAPH <{graph}> {{ <{catalogue}> <{_VERSION}> ?version }} }}")
    return rows[0]["version"] if rows else UNVERSIONED


def guard(settings: Settings, expected: str) -> str:
    """A group graph pattern that matches only while the catalogue version is ``expected``: put it in the
    WHERE of every operation of a write that must not happen once another write changed the catalogue
    (an optimistic lock: :mod:`catalogue.editing` retries or reports a conflict)."""
    graph, catalogue = version_graph(settings), catalogue_iri(settings)
    literal = '"' + expected.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if expected == UNVERSIONED:
        return f"FILTER NOT EXISTS {{ GRAPH <{graph}> {{ <{catalogue}> <{_VERSION}> ?anyVersion }} }}"
    return f"GRAPH <{graph}> {{ <{catalogue}> <{_VERSION}> {literal} }}"


def bump(settings: Settings, *, expected: str | None = None) -> str:
    """The update that gives the catalogue a new version: add it (after ``;``) to the request that
    changes the data, so both happen in one transaction. With ``expected``, it bumps only while the
    version is still that one (see :func:`guard`); it must then be the request's last operation."""
    graph, catalogue = version_graph(settings), catalogue_iri(settings)
    required = guard(settings, expected) if expected is not None else ""
    return f"""DELETE {{ GRAPH <{graph}> {{ <{catalogue}> <{_VERSION}> ?old ; <{_MODIFIED}> ?when }} }}
INSERT {{ GRAPH <{graph}> {{ <{catalogue}> <{_VERSION}> ?new ;
    <{_MODIFIED}> ?now }} }}
WHERE {{
  {required}
  OPTIONAL {{ GRAPH <{graph}> {{ <{catalogue}> <{_VERSION}> ?old ; <{_MODIFIED}> ?when }} }}
  BIND (COALESCE(xsd:integer(STRBEFORE(?old, ".")), 0) + 1 AS ?count)
  BIND (CONCAT(STR(?count), ".", SUBSTR(STRUUID(), 1, 8)) AS ?new)
  BIND (NOW() AS ?now)
}}""".replace("xsd:integer", "<http://www.w3.org/2001/XMLSchema#integer>")
