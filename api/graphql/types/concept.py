"""The concept: strategies and their SKOS hierarchy pillar → component → goal → type measure, and what
hangs on a measure (funding, services, realisations, indicators, problems, synergies)."""

from __future__ import annotations

from functools import partial
from typing import Any

import strawberry

from api.graphql.types.base import (
    MAX_LINKED,
    Indicator,
    Info,
    Node,
    as_node,
    first,
    incoming_nodes,
    linked_nodes,
    many_loaded,
    node_type,
    of_type,
    when_loaded,
    with_loaded,
)
from api.graphql.types.funding import Funding
from api.graphql.types.projects import Project, SmartService, checked_first
from catalogue.queries import browse, concept
from catalogue.queries.concept import Resource as ResourceRow


def _all(found: list[ResourceRow]) -> list[Node]:
    return [as_node(resource) for resource in found]


@strawberry.interface(description="A concept of a strategy's hierarchy (SKOS), with its neighbours in it.")
class Concept(Node):
    @strawberry.field(description="The concepts right above this one.")
    def broader(self, info: Info) -> list[Node]:
        return with_loaded(info, "broader", self.iri, _all)

    @strawberry.field(description="The concepts right below this one.")
    def narrower(self, info: Info) -> list[Node]:
        return with_loaded(info, "narrower", self.iri, _all)


@node_type("Strategy")
@strawberry.type(description="A strategy: the national Smart Cities concept, a regional or a town concept.")
class Strategy(Node):
    @strawberry.field(description="The strategy's pillars and cross-cutting areas (the national concept has them).")
    def pillars(self, info: Info) -> list[Pillar]:
        return with_loaded(info, "narrower", self.iri, lambda found: of_type(found, Pillar))

    @strawberry.field(
        description="The top concepts of the strategy, whatever their class (a regional concept's are goals)."
    )
    def top_concepts(self, info: Info) -> list[Node]:
        return with_loaded(info, "narrower", self.iri, _all)


@node_type("Pillar", "CrossCuttingArea")
@strawberry.type(
    description="A pillar of a strategy, or its cross-cutting area (`kind` tells which), with its components."
)
class Pillar(Concept):
    @strawberry.field
    def components(self, info: Info) -> list[Component]:
        return with_loaded(info, "narrower", self.iri, lambda found: of_type(found, Component))


@node_type("Component")
@strawberry.type(description="A component of a pillar (or of the cross-cutting area), grouping goals.")
class Component(Concept):
    @strawberry.field(description="The pillar or cross-cutting area the component belongs to.")
    def pillar(self, info: Info) -> Pillar | None:
        return first(with_loaded(info, "broader", self.iri, lambda found: of_type(found, Pillar)))

    @strawberry.field
    def goals(self, info: Info) -> list[Goal]:
        return with_loaded(info, "narrower", self.iri, lambda found: of_type(found, Goal))

    @strawberry.field(description="Measures filed directly under the component, where the sources name no goal.")
    def measures(self, info: Info) -> list[TypeMeasure]:
        return with_loaded(info, "narrower", self.iri, lambda found: of_type(found, TypeMeasure))


@node_type("Goal")
@strawberry.type(description="A goal: of a component in the national concept, or of a regional concept.")
class Goal(Concept):
    @strawberry.field(description="The component the goal belongs to (none for a regional concept's goals).")
    def component(self, info: Info) -> Component | None:
        return first(with_loaded(info, "broader", self.iri, lambda found: of_type(found, Component)))

    @strawberry.field
    def measures(self, info: Info) -> list[TypeMeasure]:
        return with_loaded(info, "narrower", self.iri, lambda found: of_type(found, TypeMeasure))


@strawberry.type(
    description="Why a curator asserts a link that no source states (a kcs:CuratorInference marks it in the data)."
)
class CuratorInference:
    reasoning: str = strawberry.field(description="The curator's reasoning, in the asked language where it exists.")
    lang: str = strawberry.field(description="The language of `reasoning` (`cs` where none is in the asked one).")


@strawberry.type(description="A programme or call supporting a measure, and how.")
class FundingLink:
    funding: Funding
    via: str = strawberry.field(
        description="`supportsMeasure` (directly), `callOf` (through the call's programme) or "
        "`supportsComponent` (by supporting the measure's component)."
    )
    inferred: CuratorInference | None = strawberry.field(
        description="Set when no source states the link (`via` `supportsMeasure`): the curator's reasoning for "
        "asserting it. Null when a source states it; the ways derived from other links leave it null."
    )


@strawberry.type(description="Another measure often combined with this one, and how many links say so.")
class Synergy:
    measure: TypeMeasure
    links: int = strawberry.field(description="Stated synergies, and problems, programmes and solutions shared.")


def _funding_links(links: list[concept.FundingLink]) -> list[FundingLink]:
    return [
        FundingLink(
            funding=node,
            via=link.via,
            inferred=None
            if link.inferred is None
            else CuratorInference(reasoning=link.inferred.text, lang=link.inferred.lang),
        )
        for link in links
        if isinstance(node := as_node(link.funding), Funding)
    ]


@node_type("TypeMeasure")
@strawberry.type(
    description="A type measure: defined by the concept and agreed with the ministries; funding is tied to it."
)
class TypeMeasure(Concept):
    @strawberry.field(description="The goals the measure serves (none where it is filed under a component directly).")
    def goals(self, info: Info) -> list[Goal]:
        return with_loaded(info, "broader", self.iri, lambda found: of_type(found, Goal))

    @strawberry.field(description="The components the measure belongs to: its goals' or, without a goal, its own.")
    def components(self, info: Info) -> list[Component]:
        def under(above: list[ResourceRow]) -> Any:
            own = of_type(above, Component)
            goals = [resource.iri for resource in above if resource.kind == "Goal"]
            return many_loaded(
                info,
                "broader",
                goals,
                lambda parents: own + [c for found in parents for c in of_type(found, Component) if c not in own],
            )

        return with_loaded(info, "broader", self.iri, under)

    @strawberry.field(description="The pillars (or cross-cutting area) the measure belongs to, however many levels up.")
    def pillars(self, info: Info) -> list[Pillar]:
        return with_loaded(info, "pillars", self.iri, lambda found: of_type(found, Pillar))

    @strawberry.field(description="Programmes and calls supporting the measure, the most direct first.")
    def funding(self, info: Info) -> list[Funding]:
        return with_loaded(info, "funding", self.iri, lambda links: [link.funding for link in _funding_links(links)])

    @strawberry.field(description="The same funding, each with how it supports the measure.")
    def funding_links(self, info: Info) -> list[FundingLink]:
        return with_loaded(info, "funding", self.iri, _funding_links)

    @strawberry.field(description="Smart services realising the measure, directly or as part of a solution.")
    def services(self, info: Info) -> list[SmartService]:
        return with_loaded(info, "services", self.iri, lambda found: of_type(found, SmartService))

    @strawberry.field(
        description="Solutions and realisations serving the measure (a realisation also through the solution "
        "it realises), in label order, at most `first` (1–100)."
    )
    def realisations(self, info: Info, first: int = 10) -> list[Project]:
        loaders = info.context.loaders
        limit = checked_first(first, MAX_LINKED)  # `first` here is the argument
        return when_loaded(
            loaders.ready(("realisations", limit), self.iri),
            lambda: loaders.realisations(limit).load(self.iri),
            lambda found: of_type(found, Project),
        )

    @strawberry.field(description="Indicators of the measure and of the solutions serving it.")
    def indicators(self, info: Info) -> list[Indicator]:
        return with_loaded(
            info,
            "indicators",
            self.iri,
            lambda found: [Indicator(iri=item.iri, label=item.label, kind="Indicator", code=None) for item in found],
        )

    @strawberry.field(description="The municipal problems the measure addresses.")
    def problems(self, info: Info) -> list[Problem]:
        return incoming_nodes(info, self.iri, "addressedBy", MAX_LINKED, Problem)

    @strawberry.field(description="Other measures often combined with this one, most links first.")
    def synergies(self, info: Info) -> list[Synergy]:
        return with_loaded(
            info,
            "synergies",
            self.iri,
            lambda found: [
                Synergy(measure=node, links=links)
                for other, links in found
                if isinstance(node := as_node(other), TypeMeasure)
            ],
        )


@node_type("Problem")
@strawberry.type(description="A problem or need of municipalities, linked to the measures that address it.")
class Problem(Concept):
    @strawberry.field(description="The type measures that address the problem.")
    def measures(self, info: Info) -> list[TypeMeasure]:
        return linked_nodes(info, self.iri, "addressedBy", TypeMeasure)


@strawberry.type
class ConceptQuery:
    @strawberry.field(description="Every strategy: the national concept, regional and town concepts, in label order.")
    async def strategies(self, info: Info) -> list[Strategy]:
        return of_type(await _strategies(info), Strategy)

    @strawberry.field(
        description="The pillar → component → goal → measure tree: the pillars and cross-cutting areas of every "
        "strategy."
    )
    async def pillars(self, info: Info) -> list[Pillar]:
        strategies = await _strategies(info)
        tops = await info.context.loaders.narrower.load_many([strategy.iri for strategy in strategies])
        return of_type((resource for top in tops for resource in top), Pillar)

    @strawberry.field(description="Every type measure, in code then label order.")
    async def measures(self, info: Info) -> list[TypeMeasure]:
        store, lang = info.context.store, info.context.lang
        found = await info.context.loaders.shared(
            ("all", "TypeMeasure"), partial(browse.all_of_kind, store, "TypeMeasure", lang)
        )
        return of_type(found, TypeMeasure)


async def _strategies(info: Info) -> list[ResourceRow]:
    store, lang = info.context.store, info.context.lang
    return await info.context.loaders.shared(("strategies",), partial(concept.strategies, store, lang))
