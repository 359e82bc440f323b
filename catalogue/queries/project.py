"""A municipality's project: the measures, services and solutions it combines, and what they cover
together in the concept (goals, components, pillars, the cross-cutting area), the funding that fits
the combination and the indicators to report.

A measure counts for itself. A service, solution or realisation counts for the measures and goals it
fulfils (kcs:fulfils, derived by the rules: its own links, a service's through the solutions that
include it, a realisation's through the solution or service it realises). The concept's hierarchy, the
funding and the indicators of the measures come from :func:`catalogue.queries.measures.measure_details`,
as the problem answer shows them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from catalogue.queries import browse, concept, overview
from catalogue.queries.concept import FUNDING_WAYS, Indicator, Resource, SupportedMeasure
from catalogue.queries.measures import GoalPath, MeasureDetail, measure_details
from catalogue.queries.resources import czech_sort_key
from catalogue.store import CatalogueStore

ITEM_KINDS = frozenset({"TypeMeasure", "SmartService", "SmartSolution", "Realisation"})
"""What a project is put together from."""



@dataclass(frozen=True)
class ProjectMeasure:
    """A measure the project covers: where it sits in the concept and which of the project's items
    bring it (the measure itself, or the services and solutions serving it)."""

    measure: Resource
    paths: tuple[GoalPath, ...]
    items: tuple[Resource, ...]


@dataclass(frozen=True)
class ProjectGoal:
    """A goal an item serves directly (not through a measure), with its component and pillar."""

    goal: Resource
    paths: tuple[GoalPath, ...]
    items: tuple[Resource, ...]


@dataclass(frozen=True)
class SupportedGoal:
    """A goal the project serves directly (not through a measure), reached by a programme that
    supports the goal's component."""

    goal: Resource
    component: Resource


@dataclass(frozen=True)
class FundingFit:
    """A programme or call that supports some of the project's measures or goals: which, and how."""

    funding: Resource
    measures: tuple[SupportedMeasure, ...]
    applicants: tuple[Resource, ...]
    indicators: tuple[Indicator, ...]
    goals: tuple[SupportedGoal, ...] = ()


@dataclass(frozen=True)
class ItemCoverage:
    """What one item of the project brings: its measures, goals, components, pillars and funding."""

    item: Resource
    measures: tuple[Resource, ...]
    goals: tuple[Resource, ...]
    components: tuple[Resource, ...]
    pillars: tuple[Resource, ...]
    funding: tuple[Resource, ...]


@dataclass(frozen=True)
class ReportedIndicator:
    owner: Resource
    indicator: Indicator


@dataclass(frozen=True)
class ProjectCoverage:
    items: tuple[ItemCoverage, ...]
    unknown: tuple[str, ...]
    """IRIs in the basket that the catalogue does not (or no longer) know as a measure, service or solution."""
    measures: tuple[ProjectMeasure, ...]
    goals: tuple[Resource, ...]
    direct_goals: tuple[ProjectGoal, ...]
    components: tuple[Resource, ...]
    pillars: tuple[Resource, ...]
    """Pillars proper (``kcs:Pillar``); the cross-cutting area is in :attr:`cross_cutting`."""
    cross_cutting: tuple[Resource, ...]
    uncovered_pillars: tuple[Resource, ...]
    uncovered_cross_cutting: tuple[Resource, ...]
    funding: tuple[FundingFit, ...]
    indicators: tuple[ReportedIndicator, ...]

    @property
    def multidisciplinary(self) -> bool:
        """Several pillars: the concept's multidisciplinary project, which funding favours."""
        return len(self.pillars) >= 2

    @property
    def zpo_covered(self) -> bool:
        """Whether the project fulfils a measure or goal of the cross-cutting area (ZPO)."""
        return bool(self.cross_cutting)


def basket_items(store: CatalogueStore, iris: Sequence[str], lang: str = "cs") -> dict[str, Resource]:
    """The measures, services, solutions and realisations among ``iris`` (checked IRIs), by IRI."""
    found = concept.resources(store, iris, lang)
    return {iri: resource for iri, resource in found.items() if resource.kind in ITEM_KINDS}


def served_by(store: CatalogueStore, iris: Sequence[str]) -> dict[str, set[str]]:
    """For each service, solution or realisation of ``iris``, the measures and goals it fulfils
    (kcs:fulfils)."""
    return concept.linked_iris(store, "resource", iris, "?resource kcs:fulfils ?item")


def goal_paths(store: CatalogueStore, iris: Sequence[str], lang: str = "cs") -> dict[str, tuple[GoalPath, ...]]:
    """Each goal's component and that component's pillar. A goal of a strategy without pillars
    (the Liberec Region's, say) sits under another goal; it gets no path."""
    components = concept.broader(store, iris, lang)
    pillars = concept.broader(store, [c.iri for found in components.values() for c in found], lang)
    names = concept.resources(store, iris, lang)
    paths: dict[str, tuple[GoalPath, ...]] = {}
    for goal in iris:
        found: list[GoalPath] = []
        for component in components.get(goal, []):
            if component.kind == "Component":
                above: list[Resource | None] = [*pillars.get(component.iri, [])] or [None]
                found.extend(GoalPath(names.get(goal), component, pillar) for pillar in above)
        paths[goal] = tuple(found)
    return paths


def _sorted(resources: dict[str, Resource]) -> tuple[Resource, ...]:
    return tuple(sorted(resources.values(), key=lambda r: (r.code or "", czech_sort_key(r.label), r.iri)))


def _path_parts(paths: Sequence[GoalPath]) -> tuple[dict[str, Resource], dict[str, Resource], dict[str, Resource]]:
    goals: dict[str, Resource] = {}
    components: dict[str, Resource] = {}
    pillars: dict[str, Resource] = {}
    for path in paths:
        for part, into in ((path.goal, goals), (path.component, components), (path.pillar, pillars)):
            if part is not None:
                into[part.iri] = part
    return goals, components, pillars


def coverage(store: CatalogueStore, iris: Sequence[str], lang: str = "cs") -> ProjectCoverage:
    """What the project made of ``iris`` (checked IRIs, in the basket's order) covers."""
    iris = list(dict.fromkeys(iris))
    items = basket_items(store, iris, lang)
    ordered = [items[iri] for iri in iris if iri in items]
    others = [item.iri for item in ordered if item.kind != "TypeMeasure"]
    served = served_by(store, others)
    served_kinds = concept.resources(store, {iri for found in served.values() for iri in found}, lang)

    # item → the measures and the goals it brings (a measure brings itself).
    item_measures: dict[str, list[str]] = {}
    item_goals: dict[str, list[str]] = {}
    for item in ordered:
        if item.kind == "TypeMeasure":
            item_measures[item.iri], item_goals[item.iri] = [item.iri], []
            continue
        targets = [served_kinds[iri] for iri in sorted(served.get(item.iri, ())) if iri in served_kinds]
        item_measures[item.iri] = [target.iri for target in targets if target.kind == "TypeMeasure"]
        item_goals[item.iri] = [target.iri for target in targets if target.kind == "Goal"]

    measure_iris = list(dict.fromkeys(iri for found in item_measures.values() for iri in found))
    details = measure_details(store, measure_iris, realisations=0, lang=lang)
    goal_iris = list(dict.fromkeys(iri for found in item_goals.values() for iri in found))
    direct_paths = goal_paths(store, goal_iris, lang)

    def paths_of(item: str) -> list[GoalPath]:
        paths = [path for measure in item_measures[item] if measure in details for path in details[measure].paths]
        for goal in item_goals[item]:
            paths.extend(direct_paths.get(goal) or [GoalPath(served_kinds[goal], None, None)])
        return paths

    fits = _funding(store, details, _goals_by_component(direct_paths), lang)
    funding_of: dict[str, list[Resource]] = defaultdict(list)  # measure or goal → what funds it
    for fit in fits:
        for supported in fit.measures:
            funding_of[supported.measure.iri].append(fit.funding)
        for reached in fit.goals:
            funding_of[reached.goal.iri].append(fit.funding)

    covered: list[ItemCoverage] = []
    for item in ordered:
        goals, components, pillars = _path_parts(paths_of(item.iri))
        brought = [*item_measures[item.iri], *item_goals[item.iri]]
        funding = {f.iri: f for concept_iri in brought for f in funding_of.get(concept_iri, [])}
        covered.append(
            ItemCoverage(
                item=item,
                measures=_sorted({m: details[m].measure for m in item_measures[item.iri] if m in details}),
                goals=_sorted(goals),
                components=_sorted(components),
                pillars=_sorted(pillars),
                funding=tuple(funding.values()),
            )
        )

    goals, components, pillars = _path_parts([path for item in ordered for path in paths_of(item.iri)])
    by_measure: dict[str, list[Resource]] = defaultdict(list)
    by_goal: dict[str, list[Resource]] = defaultdict(list)
    for item in ordered:
        for measure in item_measures[item.iri]:
            by_measure[measure].append(item)
        for goal in item_goals[item.iri]:
            by_goal[goal].append(item)
    all_pillars, all_cross_cutting = _concept_pillars(store, pillars, lang)
    return ProjectCoverage(
        items=tuple(covered),
        unknown=tuple(iri for iri in iris if iri not in items),
        measures=tuple(
            ProjectMeasure(details[m].measure, details[m].paths, tuple(by_measure[m]))
            for m in measure_iris
            if m in details
        ),
        goals=_sorted(goals),
        direct_goals=tuple(
            ProjectGoal(served_kinds[g], direct_paths.get(g, ()), tuple(by_goal[g])) for g in goal_iris
        ),
        components=_sorted(components),
        pillars=_sorted({iri: p for iri, p in pillars.items() if p.kind == "Pillar"}),
        cross_cutting=_sorted({iri: p for iri, p in pillars.items() if p.kind == "CrossCuttingArea"}),
        uncovered_pillars=tuple(p for p in all_pillars if p.iri not in pillars),
        uncovered_cross_cutting=tuple(p for p in all_cross_cutting if p.iri not in pillars),
        funding=fits,
        indicators=_indicators(store, ordered, details, lang),
    )


def _concept_pillars(
    store: CatalogueStore, covered: dict[str, Resource], lang: str
) -> tuple[list[Resource], list[Resource]]:
    """The pillars and cross-cutting areas a project can cover: those of the strategies its pillars
    belong to, or of every strategy while it covers none."""
    summaries = overview.pillars(store, lang)
    strategies = {summary.strategy for summary in summaries if summary.iri in covered} or {
        summary.strategy for summary in summaries
    }
    chosen = [summary for summary in summaries if summary.strategy in strategies]
    as_resource = [
        Resource(s.iri, s.label, "CrossCuttingArea" if s.cross_cutting else "Pillar", s.code) for s in chosen
    ]
    return (
        [r for r in as_resource if r.kind == "Pillar"],
        [r for r in as_resource if r.kind == "CrossCuttingArea"],
    )


def _goals_by_component(direct_paths: dict[str, tuple[GoalPath, ...]]) -> dict[str, list[SupportedGoal]]:
    """The goals served directly, under the component each belongs to."""
    grouped: dict[str, list[SupportedGoal]] = defaultdict(list)
    for paths in direct_paths.values():
        for path in paths:
            if path.goal is not None and path.component is not None:
                grouped[path.component.iri].append(SupportedGoal(path.goal, path.component))
    return grouped


def _funding(
    store: CatalogueStore,
    details: dict[str, MeasureDetail],
    goals_by_component: dict[str, list[SupportedGoal]],
    lang: str,
) -> tuple[FundingFit, ...]:
    """Programmes and calls supporting the project's measures, or the components of the goals it
    serves directly: those supporting most of them first, then the most directly, then by name."""
    supported: dict[str, dict[str, SupportedMeasure]] = defaultdict(dict)
    reached: dict[str, dict[str, SupportedGoal]] = defaultdict(dict)
    names: dict[str, Resource] = {}
    for detail in details.values():
        for link in detail.funding:
            names[link.funding.iri] = link.funding
            supported[link.funding.iri].setdefault(detail.measure.iri, SupportedMeasure(detail.measure, link.via))
    funding_of_components = concept.linked_iris(
        store, "component", list(goals_by_component), "?item kcs:supportsComponent ?component"
    )
    for component, funding in funding_of_components.items():
        for iri in funding:
            for goal in goals_by_component[component]:
                reached[iri].setdefault(goal.goal.iri, goal)
    names |= concept.resources(store, [iri for iri in reached if iri not in names], lang)
    if not names:
        return ()
    applicants = concept.eligible_applicants(store, list(names))
    applicant_names = browse.descriptors(store, {iri for found in applicants.values() for iri in found}, lang)
    indicators = concept.indicators_of(store, list(names), lang)
    fits = [
        FundingFit(
            funding=names[iri],
            measures=tuple(supported[iri].values()),
            applicants=_sorted({a: applicant_names[a] for a in applicants.get(iri, ()) if a in applicant_names}),
            indicators=tuple(indicators.get(iri, ())),
            goals=tuple(reached[iri].values()),
        )
        for iri in names
    ]
    fits.sort(
        key=lambda fit: (
            -(len(fit.measures) + len(fit.goals)),
            _indirectness(fit),
            czech_sort_key(fit.funding.label),
            fit.funding.iri,
        )
    )
    return tuple(fits)


def _indirectness(fit: FundingFit) -> int:
    """How indirectly ``fit`` supports what it supports: a goal is reached through its component."""
    measures = sum(FUNDING_WAYS.index(supported.via) for supported in fit.measures)
    return measures + FUNDING_WAYS.index("supportsComponent") * len(fit.goals)


def _indicators(
    store: CatalogueStore, items: Sequence[Resource], details: dict[str, MeasureDetail], lang: str
) -> tuple[ReportedIndicator, ...]:
    """The indicators to report: the items' own, then those proposed for their measures (the
    indicators of the solutions serving them), each once."""
    own = concept.indicators_of(store, [item.iri for item in items if item.kind != "TypeMeasure"], lang)
    reported: list[ReportedIndicator] = []
    seen: set[str] = set()
    owners = [(item, own.get(item.iri, [])) for item in items]
    owners += [(detail.measure, list(detail.indicators)) for detail in details.values()]
    for owner, indicators in owners:
        for indicator in indicators:
            if indicator.iri not in seen:
                seen.add(indicator.iri)
                reported.append(ReportedIndicator(owner, indicator))
    return tuple(reported)
