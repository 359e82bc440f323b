"""The answer to a problem written in the officer's own words: the measures that address it, each with
its path up the concept, funding, services, realisations and indicators, and the ranked services,
solutions, realisations and funding for the problem as a whole."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import partial
from typing import Any

import strawberry
from strawberry.types.unset import UNSET

from api.graphql import demand
from api.graphql.errors import SEARCH_UNAVAILABLE, PublicError, iri_argument
from api.graphql.types.base import Info, N, Node, as_node
from api.graphql.types.concept import Goal, Problem, TypeMeasure
from api.graphql.types.funding import Funding
from api.graphql.types.projects import Realisation, SmartService, SmartSolution
from catalogue.answer import AnswerFilters, InvalidProblem, answer_problem
from catalogue.queries.concept import Resource as ResourceRow
from catalogue.search.engine import SearchError
from web.pages.demand import record_answer

DEFAULT_LIMIT = 10


@strawberry.type(description="A type measure that addresses the problem, how well and why.")
class MeasureMatch:
    score: float
    why: list[str] = strawberry.field(
        description="Why it fits, in the asked language, the strongest reason first, each once."
    )
    weak: bool = strawberry.field(
        description="A weaker match: no type measure matches the problem well, or only descriptions speak for this one."
    )
    measure: TypeMeasure


@strawberry.type(description="A service, solution, realisation, programme, call or measure ranked for the problem.")
class RankedMatch:
    score: float
    why: list[str]
    weak: bool = strawberry.field(
        description="A weaker match: no type measure matches the problem well, or only descriptions speak for this one."
    )
    resource: Node


@strawberry.input(description="Narrow the answer (IRIs).")
class ProblemFilter:
    strategy: str | None = None
    pillar: str | None = None
    place: str | None = strawberry.field(default=None, description="A place or region where the problem is.")
    applicant_type: str | None = strawberry.field(default=None, description="Who would apply for funding.")


@strawberry.type(description="The connected answer to a problem.")
class ProblemAnswer:
    text: str = strawberry.field(description="The problem as asked.")
    good_match: bool = strawberry.field(
        description="False when nothing matches well: then the lists are empty rather than noise."
    )
    weak: bool = strawberry.field(
        description="True when no type measure matches the problem well, whatever the filter: everything listed is "
        "then a weaker match (`weak` in `measures` and `ranked`), and the problem is one to propose to the curators."
    )
    measures: list[MeasureMatch]
    services: list[SmartService]
    solutions: list[SmartSolution] = strawberry.field(description="Solutions (the Liberec project stack …), ranked.")
    realisations: list[Realisation]
    funding: list[Funding]
    problems: list[Problem] = strawberry.field(description="Problems of the catalogue like the one asked.")
    goals: list[Goal] = strawberry.field(description="Goals of the strategies the problem touches.")
    synergies: list[RankedMatch] = strawberry.field(
        description="Measures and services often combined with the matched measures."
    )
    ranked: list[RankedMatch] = strawberry.field(
        description="Score and reason of every service, solution, realisation, funding, problem and goal above, "
        "best first."
    )


async def to_graphql(info: Info, answer: Any) -> ProblemAnswer:
    """The query layer's answer (:class:`catalogue.answer.ProblemAnswer`) as GraphQL objects.

    Every resource is labelled again through the request's loader (one batched store query), so each
    carries its code and its label in the asked language, as everywhere else in the API."""
    lists = (answer.services, answer.solutions, answer.realisations, answer.funding, answer.problems, answer.goals)
    given = [match.measure for match in answer.measures] + [
        item.resource for items in (*lists, answer.synergies) for item in items
    ]
    found = await info.context.loaders.resource.load_many([resource.iri for resource in given])
    labelled = {resource.iri: resource for resource in given} | {
        resource.iri: resource for resource in found if resource is not None
    }

    def node(resource: ResourceRow) -> Node:
        return as_node(labelled[resource.iri])

    def ranked(items: Iterable[Any]) -> list[RankedMatch]:
        return [
            RankedMatch(score=item.score, why=list(item.why), weak=item.weak, resource=node(item.resource))
            for item in items
        ]

    def listed(items: Iterable[Any], cls: type[N]) -> list[N]:
        return [found for item in items if isinstance(found := node(item.resource), cls)]

    return ProblemAnswer(
        text=answer.text,
        good_match=answer.good_match,
        weak=answer.weak,
        measures=[
            MeasureMatch(score=match.score, why=list(match.why), weak=match.weak, measure=measure)
            for match in answer.measures
            if isinstance(measure := node(match.measure), TypeMeasure)
        ],
        services=listed(answer.services, SmartService),
        solutions=listed(answer.solutions, SmartSolution),
        realisations=listed(answer.realisations, Realisation),
        funding=listed(answer.funding, Funding),
        problems=listed(answer.problems, Problem),
        goals=listed(answer.goals, Goal),
        synergies=ranked(answer.synergies),
        ranked=ranked(sorted((item for items in lists for item in items), key=lambda item: -item.score)),
    )


@strawberry.type
class AnswerQuery:
    @strawberry.field(
        description="The answer to a problem in the officer's own Czech words (1–1000 characters): type measures "
        "ranked with the reason of each, and what realises and funds them; `limit` results per list at most "
        "(1–50, 10 if not given)."
    )
    async def problem(
        self,
        info: Info,
        text: str,
        limit: int | None = strawberry.UNSET,
        filter: ProblemFilter | None = strawberry.UNSET,
    ) -> ProblemAnswer:
        given = filter if isinstance(filter, ProblemFilter) else ProblemFilter()

        def iri(value: str | None, name: str) -> str | None:
            return None if value is None else iri_argument(value, f"filter.{name}")

        filters = AnswerFilters(
            strategy=iri(given.strategy, "strategy"),
            pillar=iri(given.pillar, "pillar"),
            place=iri(given.place, "place"),
            applicant_type=iri(given.applicant_type, "applicantType"),
        )
        context = info.context
        ask = partial(answer_problem, context.store, context.search, text, filters=filters, lang=context.lang)
        try:
            answer = await asyncio.to_thread(ask, limit=DEFAULT_LIMIT if limit is None or limit is UNSET else limit)
        except InvalidProblem as error:
            raise PublicError(str(error), "INVALID_PROBLEM") from None
        except SearchError:
            raise PublicError(SEARCH_UNAVAILABLE, "SEARCH_UNAVAILABLE") from None
        # Demand: every question counts, also when its kept answer is served again (api.graphql.demand).
        demand.asked(context, record_answer(context.state, answer, filters))
        return await to_graphql(info, answer)
