"""The load log: which file each catalogue graph was loaded from, and the content hash it had then.

``katalog load`` reads it to skip unchanged files, and writes an entry in the same transaction as the
graph it describes (:func:`entry_update`), so the log never claims a load that did not happen.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyoxigraph as ox
from rdflib import URIRef

from catalogue.graphs import load_log_graph
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

DCTERMS = "http://purl.org/dc/terms/"


def loaded_fingerprints(store: CatalogueStore, settings: Settings) -> dict[URIRef, tuple[str, str]]:
    """What the load log says was loaded: graph → (fingerprint, file name)."""
    rows = store.values(
        f"SELECT ?g ?id ?file WHERE {{ GRAPH <{load_log_graph(settings)}> "
        f"{{ ?g <{DCTERMS}identifier> ?id ; <{DCTERMS}source> ?file }} }}"
    )
    return {URIRef(row["g"]): (row["id"], row["file"]) for row in rows}


def entry_update(settings: Settings, graph: URIRef, entry: tuple[str, str] | None) -> str:
    """The update that records ``graph`` as loaded from (fingerprint, file), or forgets it (None)."""
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
