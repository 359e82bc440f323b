"""Everything the catalogue shows about a type measure, for a batch of measures at once: where it sits in
the concept (goal → component → pillar), the funding that supports it, the services that realise it,
the solutions and realisations that did it and the indicators proposed for it.

The problem answer, the measure's page and the project builder all show a measure this way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from catalogue.queries import concept
from catalogue.queries.concept import Resource
from catalogue.store import CatalogueStore


@dataclass(frozen=True)
class GoalPath:
    """Where a measure sits: its goal (None when the sources file it under a component directly),
    the goal's component, and the component's pillar."""

    goal: Resource | None
    component: Resource | None
    pillar: Resource | None


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

    def paths(measure: str) -> tuple[GoalPath, ...]:
        found: list[GoalPath] = []
        for parent in parents.get(measure, []):
            goal = parent if parent.kind == "Goal" else None
            for component in components_of_goals.get(parent.iri, []) if goal else [parent]:
                pillars: list[Resource | None] = [*pillars_of_components.get(component.iri, [])] or [None]
                found.extend(GoalPath(goal, component, pillar) for pillar in pillars)
        return tuple(found)

    return {
        iri: MeasureDetail(
            measure=names[iri],
            paths=paths(iri),
            funding=tuple(funding.get(iri, ())),
            services=tuple(services.get(iri, ())),
            realisations=tuple(done.get(iri, ())),
            indicators=tuple(indicators.get(iri, ())),
        )
        for iri in iris
        if iri in names
    }
