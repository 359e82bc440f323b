"""What `katalog load` reads of the store to check the files it is about to write
(:mod:`catalogue.loader`): the size of their graphs, the resources they describe, and what the rest of
the catalogue says about and links to those resources."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rdflib import URIRef

from catalogue.store import CatalogueStore, Dataset

SKOS_BROADER = "http://www.w3.org/2004/02/skos/core#broader"


def _iris(values: Iterable[str]) -> str:
    return " ".join(f"<{value}>" for value in sorted(values))


def graph_sizes(store: CatalogueStore, graphs: Iterable[str]) -> dict[str, int]:
    """The triples in each of ``graphs`` that holds any."""
    rows = store.values(
        f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {_iris(graphs)} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
    )
    return {row["g"]: int(row["n"]) for row in rows}


def subjects_of(store: CatalogueStore, graph: URIRef) -> set[str]:
    """The IRIs ``graph`` states something about."""
    rows = store.values("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER isIRI(?s) }", {"g": graph})
    return {row["s"] for row in rows}


def graphs_describing(store: CatalogueStore, resources: Iterable[str]) -> list[tuple[str, str]]:
    """(resource, graph) for every graph that states something about one of ``resources``."""
    rows = store.values(f"SELECT DISTINCT ?s ?g WHERE {{ VALUES ?s {{ {_iris(resources)} }} GRAPH ?g {{ ?s ?p ?o }} }}")
    return [(row["s"], row["g"]) for row in rows]


def statements_naming(store: CatalogueStore, resources: Iterable[str], *, as_object: bool) -> list[dict[str, str]]:
    """Rows (``s``, ``g``, ``o``) of the statements, in every graph, whose subject (or, ``as_object``, whose
    object) is one of ``resources``, with an IRI for a subject."""
    variable = "?o" if as_object else "?s"
    return store.values(
        f"SELECT DISTINCT ?s ?g ?o WHERE {{ VALUES {variable} {{ {_iris(resources)} }} "
        "GRAPH ?g { ?s ?p ?o } FILTER isIRI(?s) }"
    )


def descriptions(store: CatalogueStore, resources: Iterable[str], dataset: Dataset) -> Any:
    """What ``dataset`` states about ``resources``, with their blank nodes' statements (pyoxigraph triples)."""
    return store.query(
        f"CONSTRUCT {{ ?s ?p ?o . ?o ?q ?v }} WHERE {{ VALUES ?s {{ {_iris(resources)} }} ?s ?p ?o "
        "OPTIONAL { FILTER isBlank(?o) ?o ?q ?v } }",
        dataset=dataset,
    )


def hierarchy(store: CatalogueStore, resources: Iterable[str], dataset: Dataset) -> Any:
    """The types and the ``skos:broader`` chains of ``resources`` in ``dataset`` (pyoxigraph triples)."""
    return store.query(
        f"CONSTRUCT {{ ?x a ?type . ?x <{SKOS_BROADER}> ?up }} WHERE {{ VALUES ?named {{ {_iris(resources)} }} "
        f"?named <{SKOS_BROADER}>* ?x . {{ ?x a ?type }} UNION {{ ?x <{SKOS_BROADER}> ?up }} }}",
        dataset=dataset,
    )
