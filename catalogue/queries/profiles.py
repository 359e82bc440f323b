"""What a resource's page shows about it beyond its own triples: the links it takes a step or two
through the graph to find, for a batch of resources at once.

- the measures a programme or call supports, however it supports them (the inverse of
  :func:`catalogue.queries.concept.funding_of_measures`);
- the measures and goals a service, solution or realisation fulfils;
- the places within a region.

Each reads the relation the rules derived (:mod:`catalogue.rules`).

Like :mod:`concept`, every function answers for all the given IRIs with two store queries: one
evaluated per IRI (:func:`common.for_each`) finds the linked resources, one fetches their labels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from catalogue.queries.concept import (
    FUNDING_LINKS,
    FUNDING_WAYS,
    Resource,
    SupportedMeasure,
    linked_resources,
    linked_rows,
    resources,
)
from catalogue.store import CatalogueStore


def measures_supported_by(
    store: CatalogueStore, iris: Sequence[str], lang: str = "cs"
) -> dict[str, list[SupportedMeasure]]:
    """The measures each programme or call supports (kcs:fundsMeasure, by the way it holds), the most
    direct way first, then by code and label."""
    if not iris:
        return {}
    rows = linked_rows(
        store,
        "funding",
        iris,
        FUNDING_LINKS.replace("?measure", "?item"),
        extra=("via", "directness"),
    )
    found = resources(store, (str(row["item"]) for row in rows), lang)
    grouped: dict[str, dict[str, SupportedMeasure]] = defaultdict(dict)
    for row in sorted(rows, key=lambda row: int(row["directness"])):
        measure = found.get(str(row["item"]))
        if measure is not None and measure.kind == "TypeMeasure":
            grouped[str(row["funding"])].setdefault(measure.iri, SupportedMeasure(measure, str(row["via"])))
    return {
        funding: sorted(
            supported.values(),
            key=lambda link: (FUNDING_WAYS.index(link.via), link.measure.code or "", link.measure.label),
        )
        for funding, supported in grouped.items()
    }


def served_concepts(store: CatalogueStore, iris: Sequence[str], lang: str = "cs") -> dict[str, list[Resource]]:
    """The measures and goals each service, solution or realisation fulfils (kcs:fulfils: its own links,
    those of what it realises (a realisation) and of the solutions that include it (a service))."""
    return linked_resources(
        store,
        "project",
        iris,
        "?project kcs:fulfils ?item",
        lang,
        kinds={"TypeMeasure", "Goal"},
    )


def places_within(store: CatalogueStore, iris: Sequence[str], lang: str = "cs") -> dict[str, list[Resource]]:
    """The places that are part of each place (a region's towns), at any depth."""
    return linked_resources(
        store, "region", iris, "?item kcs:within ?region", lang, kinds={"Place"}
    )
