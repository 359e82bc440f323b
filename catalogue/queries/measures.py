"""Everything the catalogue shows about a type measure, for a batch of measures at once: where it sits in
the concept (goal → component → pillar), the funding that supports it, the services that realise it,
the solutions and realisations that did it and the indicators proposed for it.

The problem answer, the measure's page and the project builder all show a measure this way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

from catalogue.queries import concept, footing
from catalogue.queries.concept import Resource
from catalogue.store import CatalogueStore


@dataclass(frozen=True)
class GoalPath:
    """Where a measure sits: its goal (None when the sources file it under a component directly),
    the goal's component, and the component's pillar. ``inferred`` holds, by the IRI of a step, the
    curator's reasoning when no source places the step below it there (component A4 under its pillar)."""

    goal: Resource | None
    component: Resource | None
    pillar: Resource | None
    inferred: Mapping[str, footing.Reasoning] = field(default_factory=dict)


@dataclass(frozen=True)
class MeasureDetail:
    measure: Resource
    paths: tuple[GoalPath, ...]
    funding: tuple[concept.FundingLink, ...]
    services: tuple[Resource, ...]
    realisations: tuple[Resource, ...]
    indicators: tuple[concept.Indicator, ...]


def measure_details(
    store: CatalogueStore, iris: Sequence[str], *, realisations: int = 5, lang: str = "cs"
) -> dict[str, MeasureDetail]:
    """Everything the answer shows about each measure, with a fixed number of store queries."""
    if not iris:
        return {}
    names = concept.resources(store, iris, lang)
    parents = concept.broader(store, iris, lang)
    goals = [parent.iri for found in parents.values() for parent in found if parent.kind == "Goal"]
    components_of_goals = concept.broader(store, goals, lang)
    components = [parent.iri for found in [*parents.values(), *components_of_goals.values()] for parent in found]
    pillars_of_components = concept.broader(store, components, lang)
    funding = concept.funding_of_measures(store, iris, lang)
    services = concept.services_of_measures(store, iris, lang)
    done = concept.realisations_of_measures(store, iris, realisations, lang)
    indicators = concept.indicators_of(store, iris, lang)

    def paths(measure: str) -> list[GoalPath]:
        found: list[GoalPath] = []
        for parent in parents.get(measure, []):
            goal = parent if parent.kind == "Goal" else None
            for component in components_of_goals.get(parent.iri, []) if goal else [parent]:
                pillars: list[Resource | None] = [*pillars_of_components.get(component.iri, [])] or [None]
                found.extend(GoalPath(goal, component, pillar) for pillar in pillars)
        return found

    ways_up = {iri: paths(iri) for iri in iris}
    statements = [
        link
        for iri, found in ways_up.items()
        for path in found
        for step in _steps(iri, path)
        for link in footing.broader_links(*step)
    ]
    inferred = footing.of_links(store, statements, lang)

    def with_footing(measure: str, path: GoalPath) -> GoalPath:
        reasons = {}
        for child, parent in _steps(measure, path):
            # The broader and the narrower statement of one step are marked with the same reasoning.
            found = next((inferred[link] for link in footing.broader_links(child, parent) if link in inferred), None)
            if found is not None:
                reasons[parent] = found
        return replace(path, inferred=reasons)

    return {
        iri: MeasureDetail(
            measure=names[iri],
            paths=tuple(with_footing(iri, path) for path in ways_up[iri]),
            funding=tuple(funding.get(iri, ())),
            services=tuple(services.get(iri, ())),
            realisations=tuple(done.get(iri, ())),
            indicators=tuple(indicators.get(iri, ())),
        )
        for iri in iris
        if iri in names
    }


def _steps(measure: str, path: GoalPath) -> list[tuple[str, str]]:
    """The path's steps up the hierarchy as (child, parent) IRIs, from the measure to the pillar."""
    chain = [measure, *(step.iri for step in (path.goal, path.component, path.pillar) if step is not None)]
    return list(pairwise(chain))
