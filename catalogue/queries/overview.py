"""Overview figures: the pillars of every strategy, resources by class, triples by graph."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Literal

from catalogue.queries.common import PREFIXES
from catalogue.store import CatalogueStore
from catalogue.vocabulary import KCS


@dataclass(frozen=True)
class PillarSummary:
    iri: str
    label: str
    code: str | None
    strategy: str
    components: int
    cross_cutting: bool


PILLARS = (
    PREFIXES
    + """
SELECT ?pillar ?label ?code ?strategyLabel ?class ?lang (COUNT(DISTINCT ?component) AS ?components) WHERE {
  VALUES ?class { kcs:Pillar kcs:CrossCuttingArea }
  ?pillar a ?class ; skos:prefLabel ?label ; skos:topConceptOf ?strategy .
  ?strategy skos:prefLabel ?strategyLabel .
  FILTER (lang(?label) = ?lang && lang(?strategyLabel) = ?lang)
  OPTIONAL { ?pillar skos:notation ?code }
  OPTIONAL { ?component skos:broader ?pillar ; a kcs:Component }
}
GROUP BY ?pillar ?label ?code ?strategyLabel ?class ?lang
ORDER BY ?strategyLabel ?class ?label
"""
)


def pillars(store: CatalogueStore, lang: str = "cs") -> list[PillarSummary]:
    """Every pillar and cross-cutting area of every strategy, with its number of components."""
    return [
        PillarSummary(
            iri=str(row["pillar"]),
            label=str(row["label"]),
            code=str(row["code"]) if "code" in row else None,
            strategy=str(row["strategyLabel"]),
            components=int(row["components"]),
            cross_cutting=row["class"] == KCS.CrossCuttingArea,
        )
        for row in store.select(PILLARS, {"lang": Literal(lang)})
    ]


@dataclass(frozen=True)
class ClassCount:
    cls: str
    count: int


CLASS_COUNTS = (
    PREFIXES
    + """
SELECT ?class (COUNT(DISTINCT ?resource) AS ?count) WHERE {
  ?resource a ?class .
  FILTER (STRSTARTS(STR(?class), "https://w3id.org/kcs/ontology#"))
}
GROUP BY ?class ORDER BY DESC(?count) ?class
"""
)


def class_counts(store: CatalogueStore) -> list[ClassCount]:
    return [ClassCount(str(row["class"]).rsplit("#", 1)[-1], int(row["count"])) for row in store.select(CLASS_COUNTS)]


@dataclass(frozen=True)
class GraphSize:
    graph: str
    triples: int


GRAPH_SIZES = """
SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g
"""


def graph_sizes(store: CatalogueStore) -> list[GraphSize]:
    return [GraphSize(str(row["g"]), int(row["triples"])) for row in store.select(GRAPH_SIZES)]


def check_store(store: CatalogueStore) -> None:
    """Raise :class:`~catalogue.store.StoreError` unless the store answers a query and can write: a store
    that answers but refuses every write (its disk was full) loses what visitors send, and is not healthy."""
    store.ask("ASK { }")
    store.check_writable()
