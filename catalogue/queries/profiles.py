"""What a resource's page shows about it beyond its own triples: the links it takes a step or two
through the graph to find, for a batch of resources at once.

- the measures a programme or call supports, however it supports them (the inverse of
  :func:`catalogue.queries.concept.funding_of_measures`);
- the measures and goals a service, solution or realisation serves, directly or through the
  solution it realises or that includes it;
- the places within a region.

Like :mod:`concept`, every function answers for all the given IRIs with two store queries: one
evaluated per IRI (:func:`common.for_each`) finds the linked resources, one fetches their labels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from catalogue.queries.concept import FUNDING_WAYS, Resource, SupportedMeasure, linked_resources, linked_rows, resources
from catalogue.store import CatalogueStore


def measures_supported_by(
    store: CatalogueStore, iris: Sequence[str], lang: str = "cs"
) -> dict[str, list[SupportedMeasure]]:
    """The measures each programme or call supports, the most direct way first, then by code and label.

    The component branch starts from the supported components, which are few, and walks down to
    their measures."""
    if not iris:
        return {}
    rows = linked_rows(
        store,
        "funding",
        iris,
        """{ ?funding kcs:supportsMeasure ?item . BIND ("supportsMeasure" AS ?via) BIND (1 AS ?directness) }
        UNION { ?funding kcs:callOf ?programme . ?programme kcs:supportsMeasure ?item .
                BIND ("callOf" AS ?via) BIND (2 AS ?directness) }
        UNION { ?funding kcs:supportsComponent ?component . ?item skos:broader+ ?component .
                ?item a kcs:TypeMeasure . BIND ("supportsComponent" AS ?via) BIND (3 AS ?directness) }""",
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
    """The measures and goals each service, solution or realisation serves: its own links, those of
    the solutions it realises (a realisation) and those of the solutions that include it (a service)."""
    return linked_resources(
        store,
        "project",
        iris,
        """{ ?project kcs:servesMeasure|kcs:servesGoal ?item }
        UNION { ?project kcs:realises ?solution . ?solution kcs:servesMeasure|kcs:servesGoal ?item }
        UNION { ?solution kcs:includesService ?project . ?solution kcs:servesMeasure|kcs:servesGoal ?item }""",
        lang,
        kinds={"TypeMeasure", "Goal"},
    )


def places_within(store: CatalogueStore, iris: Sequence[str], lang: str = "cs") -> dict[str, list[Resource]]:
    """The places that are part of each place (a region's towns), at any depth."""
    return linked_resources(
        store, "region", iris, "?item dcterms:isPartOf+ ?region . ?item a kcs:Place", lang, kinds={"Place"}
    )
