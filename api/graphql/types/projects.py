"""What is done or planned somewhere: smart services, smart solutions (the Liberec project stack …) and
their realisations, and the paged, filtered lists of solutions and realisations."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

import strawberry

from api.graphql.cursors import decode_cursor, encode_cursor
from api.graphql.errors import InputError, InvalidInput, iri_argument
from api.graphql.types.base import (
    MAX_LINKED,
    NODE_TYPES,
    Descriptor,
    Indicator,
    Info,
    Node,
    Organisation,
    Place,
    descriptors,
    first,
    incoming_nodes,
    linked_nodes,
    literal,
    node_type,
    nodes,
    settled,
    with_facts,
)
from catalogue.queries import browse

if TYPE_CHECKING:
    from api.graphql.types.concept import Goal, TypeMeasure
    from api.graphql.types.funding import FundingProgramme

CONCEPT = "api.graphql.types.concept"
FUNDING = "api.graphql.types.funding"

MAX_PAGE = 100
"""Most items one page of a list holds."""


def checked_first(first: int, maximum: int) -> int:
    """``first`` if it is a page size from 1 to ``maximum``, else :class:`InputError`."""
    if not 1 <= first <= maximum:
        raise InputError(f"`first` musí být od 1 do {maximum}, ne {first}.", "first")
    return first


def _measures(info: Info, iris: list[str]) -> Any:
    return nodes(info, iris, NODE_TYPES["TypeMeasure"])


@strawberry.interface(description="A smart solution or one of its realisations: something done or planned somewhere.")
class Project(Node):
    @strawberry.field
    def description(self, info: Info) -> str | None:
        return literal(info, self.iri, "description")

    @strawberry.field(description="Where it is (a realisation's town, a solution's region …).")
    def places(self, info: Info) -> list[Place]:
        return linked_nodes(info, self.iri, "place", Place)

    @strawberry.field(description="Its status, as a value of the status code list.")
    def status(self, info: Info) -> Descriptor | None:
        return with_facts(info, self.iri, lambda facts: first(descriptors(info, facts.iris("status"))))

    @strawberry.field(description="The state of preparation in the source's words.")
    def status_note(self, info: Info) -> str | None:
        return literal(info, self.iri, "statusNote")

    @strawberry.field(name="costCZK", description="Its cost in Czech crowns, where the source gives one.")
    def cost_czk(self, info: Info) -> float | None:
        return with_facts(info, self.iri, lambda facts: facts.number("costCZK"))

    @strawberry.field(description="The type measures it fulfils (a realisation also through what it realises).")
    def measures(self, info: Info) -> list[Annotated[TypeMeasure, strawberry.lazy(CONCEPT)]]:
        return with_facts(info, self.iri, lambda facts: _measures(info, facts.iris("fulfils")))

    @strawberry.field(description="The services it includes (a realisation: realises, also through its solutions).")
    def services(self, info: Info) -> list[SmartService]:
        return linked_nodes(info, self.iri, "includesService", SmartService)


@node_type("SmartService")
@strawberry.type(description="A reusable kind of service, part of smart projects; it fulfils type measures.")
class SmartService(Node):
    @strawberry.field
    def description(self, info: Info) -> str | None:
        return literal(info, self.iri, "description")

    @strawberry.field(description="The type measures the service fulfils (also as part of the solutions including it).")
    def measures(self, info: Info) -> list[Annotated[TypeMeasure, strawberry.lazy(CONCEPT)]]:
        return with_facts(info, self.iri, lambda facts: _measures(info, facts.iris("fulfils")))

    @strawberry.field(description="The solutions that include the service.")
    def solutions(self, info: Info) -> list[SmartSolution]:
        return incoming_nodes(info, self.iri, "includesService", MAX_LINKED, SmartSolution)

    @strawberry.field(
        description="Realisations of the service, directly or through the solutions they carry out, at most "
        "`first` (1–100), in label order: where and when it was done."
    )
    def realisations(self, info: Info, first: int = 10) -> list[Realisation]:
        return incoming_nodes(info, self.iri, "realisesService", checked_first(first, MAX_LINKED), Realisation)

    @strawberry.field(description="The service's own indicators of success.")
    def indicators(self, info: Info) -> list[Indicator]:
        return linked_nodes(info, self.iri, "hasIndicator", Indicator)


@node_type("SmartSolution")
@strawberry.type(description="A concrete project a municipality, town or region defines or runs (e.g. Chytrá ulice).")
class SmartSolution(Project):
    @strawberry.field(description="The goals the solution serves (a regional concept's goals).")
    def goals(self, info: Info) -> list[Annotated[Goal, strawberry.lazy(CONCEPT)]]:
        return linked_nodes(info, self.iri, "servesGoal", NODE_TYPES["Goal"])

    @strawberry.field(description="Realisations of the solution, at most `first` (1–100), in the store's order.")
    def realisations(self, info: Info, first: int = 10) -> list[Realisation]:
        return incoming_nodes(info, self.iri, "realises", checked_first(first, MAX_LINKED), Realisation)

    @strawberry.field(description="The flagship project the solution belongs to.")
    def flagship(self, info: Info) -> SmartSolution | None:
        return first(linked_nodes(info, self.iri, "partOfFlagship", SmartSolution))

    @strawberry.field(description="Whether the solution is a flagship project.")
    def is_flagship(self, info: Info) -> bool:
        return with_facts(info, self.iri, lambda facts: facts.literal("isFlagship") in ("true", "1"))

    @strawberry.field(description="Its number in the Liberec region's project stack.")
    def stack_number(self, info: Info) -> int | None:
        return with_facts(info, self.iri, lambda facts: _integer(facts.number("stackNumber")))

    @strawberry.field(description="Its duration as the source gives it.")
    def duration(self, info: Info) -> str | None:
        return literal(info, self.iri, "duration")

    @strawberry.field
    def indicators(self, info: Info) -> list[Indicator]:
        return linked_nodes(info, self.iri, "hasIndicator", Indicator)

    @strawberry.field(description="Who is responsible for it (its guarantor).")
    def guarantors(self, info: Info) -> list[Organisation]:
        return linked_nodes(info, self.iri, "guarantor", Organisation)

    @strawberry.field(description="Who carries it out (its implementer).")
    def implementers(self, info: Info) -> list[Organisation]:
        return linked_nodes(info, self.iri, "implementer", Organisation)

    @strawberry.field(description="Its project partners.")
    def partners(self, info: Info) -> list[Organisation]:
        return linked_nodes(info, self.iri, "partner", Organisation)

    @strawberry.field(description="The programmes it is or is to be funded from.")
    def funding_sources(self, info: Info) -> list[Annotated[FundingProgramme, strawberry.lazy(FUNDING)]]:
        return linked_nodes(info, self.iri, "fundingSource", NODE_TYPES["FundingProgramme"])


def _integer(number: float | None) -> int | None:
    return None if number is None else int(number)


@node_type("Realisation")
@strawberry.type(description="A concrete realisation of a solution or service somewhere: place, year, cost, status.")
class Realisation(Project):
    @strawberry.field(description="The year of the realisation.")
    def year(self, info: Info) -> int | None:
        return with_facts(info, self.iri, lambda facts: facts.year("year"))

    @strawberry.field(description="The solutions it realises.")
    def solutions(self, info: Info) -> list[SmartSolution]:
        return linked_nodes(info, self.iri, "realises", SmartSolution)

    @strawberry.field(description="The services it realises, directly or as part of the solutions it realises.")
    def services(self, info: Info) -> list[SmartService]:
        return linked_nodes(info, self.iri, "realisesService", SmartService)


@strawberry.input(description="Realisations or solutions matching every value given (IRIs, a year).")
class ProjectFilter:
    place: str | None = strawberry.field(default=None, description="A place where it is, e.g. …/place/liberec.")
    region: str | None = strawberry.field(
        default=None,
        description="A region: its own place or any place part of it (dcterms:isPartOf), e.g. …/place/liberecky-kraj.",
    )
    year: int | None = strawberry.field(default=None, description="The year of a realisation (kcs:year).")
    measure: str | None = strawberry.field(
        default=None, description="A type measure served (by a realisation also through its solution)."
    )
    service: str | None = strawberry.field(
        default=None, description="A smart service realised or included (by a realisation also through its solution)."
    )
    status: str | None = strawberry.field(default=None, description="A status code-list value.")

    def checked(self) -> browse.ProjectFilter:
        def iri(value: str | None, name: str) -> str | None:
            return None if value is None else iri_argument(value, f"filter.{name}")

        if self.year is not None and not 1000 <= self.year <= 9999:
            raise InputError(f"`filter.year` musí být čtyřmístný rok, ne {self.year}.", "filter.year")
        return browse.ProjectFilter(
            place=iri(self.place, "place"),
            region=iri(self.region, "region"),
            year=self.year,
            measure=iri(self.measure, "measure"),
            service=iri(self.service, "service"),
            status=iri(self.status, "status"),
        )


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None = strawberry.field(description="Pass it as `after` for the next page.")


P = TypeVar("P", bound=Project)


@strawberry.type(description="One page of a list in the store's order, and how to get the next.")
class Connection(Generic[P]):
    items: list[P]
    page_info: PageInfo
    kind: strawberry.Private[browse.ProjectKind]
    filters: strawberry.Private[browse.ProjectFilter]

    @strawberry.field(
        description="How many items match the filter: costs a pass over all of them, so ask only when shown."
    )
    async def total_count(self, info: Info) -> int:
        count = partial(browse.count_projects, info.context.store, self.kind, self.filters)
        return await info.context.loaders.shared(("count", self.kind, self.filters), count)


RealisationsResult = Annotated[Connection[Realisation] | InvalidInput, strawberry.union("RealisationsResult")]
SolutionsResult = Annotated[Connection[SmartSolution] | InvalidInput, strawberry.union("SolutionsResult")]


async def _page(
    info: Info, kind: browse.ProjectKind, cls: type[P], filter: ProjectFilter | None, first: int, after: str | None
) -> Connection[P]:
    filters = filter.checked() if filter is not None else browse.ProjectFilter()
    limit = checked_first(first, MAX_PAGE)
    version = info.context.version
    offset = 0 if after is None else decode_cursor(after, kind, filters.key(), version)
    # One item more than asked says whether there is a next page.
    listing = partial(browse.projects, info.context.store, kind, filters, offset=offset, limit=limit + 1)
    iris = await info.context.loaders.shared(("projects", kind, filters, offset, limit), listing)
    page = iris[:limit]
    items = await settled(nodes(info, page, cls, sort=False))
    end = encode_cursor(kind, filters.key(), version, offset + len(page)) if page else None
    return Connection(
        items=items,
        page_info=PageInfo(has_next_page=len(iris) > limit, end_cursor=end),
        kind=kind,
        filters=filters,
    )


@strawberry.type
class ProjectsQuery:
    @strawberry.field(
        description="Realisations matching `filter`, `first` (1–100) at a time after the cursor `after`, in the "
        "store's order."
    )
    async def realisations(
        self, info: Info, filter: ProjectFilter | None = None, first: int = 20, after: str | None = None
    ) -> RealisationsResult:
        try:
            return await _page(info, "Realisation", Realisation, filter, first, after)
        except InputError as error:
            return InvalidInput.of(error)

    @strawberry.field(
        description="Smart solutions matching `filter`, `first` (1–100) at a time after the cursor `after`, in the "
        "store's order."
    )
    async def solutions(
        self, info: Info, filter: ProjectFilter | None = None, first: int = 20, after: str | None = None
    ) -> SolutionsResult:
        try:
            return await _page(info, "SmartSolution", SmartSolution, filter, first, after)
        except InputError as error:
            return InvalidInput.of(error)
