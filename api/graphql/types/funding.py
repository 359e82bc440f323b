"""Funding: programmes and their calls, and the lists of them by filter."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.graphql.errors import InputError, InvalidInput, iri_argument
from api.graphql.types.base import (
    MAX_LINKED,
    NODE_TYPES,
    Descriptor,
    Info,
    Node,
    Organisation,
    descriptors,
    first,
    incoming_nodes,
    linked_nodes,
    literal,
    node_type,
    of_type,
    with_facts,
)
from catalogue.queries import browse
from catalogue.queries.concept import Resource as ResourceRow

if TYPE_CHECKING:
    from api.graphql.types.concept import Component, TypeMeasure

CONCEPT = "api.graphql.types.concept"


@strawberry.interface(description="A funding programme or call.")
class Funding(Node):
    @strawberry.field
    def description(self, info: Info) -> str | None:
        return literal(info, self.iri, "description")

    @strawberry.field(description="Who runs or administers it (a call that names none: its programme's provider).")
    def providers(self, info: Info) -> list[Organisation]:
        return linked_nodes(info, self.iri, "providedBy", Organisation)

    @strawberry.field(
        description="Types of applicant that may apply (obec, kraj, vlastník domu …; a call that names none: its "
        "programme's)."
    )
    def eligible_applicants(self, info: Info) -> list[Descriptor]:
        return with_facts(info, self.iri, lambda facts: descriptors(info, facts.iris("openTo")))

    @strawberry.field(description="The project status code-list value, where the catalogue records one.")
    def status(self, info: Info) -> Descriptor | None:
        return with_facts(info, self.iri, lambda facts: first(descriptors(info, facts.iris("status"))))

    @strawberry.field(description="The type measures it names as supported.")
    def supported_measures(self, info: Info) -> list[Annotated[TypeMeasure, strawberry.lazy(CONCEPT)]]:
        return linked_nodes(info, self.iri, "supportsMeasure", NODE_TYPES["TypeMeasure"])

    @strawberry.field(description="The concept components it is tied to without naming a measure.")
    def supported_components(self, info: Info) -> list[Annotated[Component, strawberry.lazy(CONCEPT)]]:
        return linked_nodes(info, self.iri, "supportsComponent", NODE_TYPES["Component"])


@node_type("FundingProgramme")
@strawberry.type(description="A programme, or a part of one, that funds projects.")
class FundingProgramme(Funding):
    @strawberry.field(description="Its calls for applications.")
    def calls(self, info: Info) -> list[FundingCall]:
        return incoming_nodes(info, self.iri, "callOf", MAX_LINKED, FundingCall)

    @strawberry.field(description="The programmes it is a part of.")
    def part_of(self, info: Info) -> list[FundingProgramme]:
        return linked_nodes(info, self.iri, "isPartOf", FundingProgramme)

    @strawberry.field(description="Its parts (components, investments, measures of the programme).")
    def parts(self, info: Info) -> list[FundingProgramme]:
        return incoming_nodes(info, self.iri, "isPartOf", MAX_LINKED, FundingProgramme)

    @strawberry.field(name="allocationCZK")
    def allocation_czk(self, info: Info) -> float | None:
        return with_facts(info, self.iri, lambda facts: facts.number("allocationCZK"))

    @strawberry.field(name="allocationEUR")
    def allocation_eur(self, info: Info) -> float | None:
        return with_facts(info, self.iri, lambda facts: facts.number("allocationEUR"))

    @strawberry.field(description="The first year of the programme's period.")
    def period_start(self, info: Info) -> int | None:
        return with_facts(info, self.iri, lambda facts: facts.year("periodStart"))

    @strawberry.field(description="The last year of the programme's period.")
    def period_end(self, info: Info) -> int | None:
        return with_facts(info, self.iri, lambda facts: facts.year("periodEnd"))

    @strawberry.field(description="The territory it targets, in the source's words.")
    def territorial_target(self, info: Info) -> str | None:
        return literal(info, self.iri, "territorialTarget")


@node_type("FundingCall")
@strawberry.type(description="A call for applications within a funding programme.")
class FundingCall(Funding):
    @strawberry.field(description="The programme the call belongs to.")
    def programme(self, info: Info) -> FundingProgramme | None:
        return first(linked_nodes(info, self.iri, "callOf", FundingProgramme))


@strawberry.input(
    description="Funding that matches every value given (IRIs). A call matches through its programme too."
)
class FundingFilter:
    provider: str | None = strawberry.field(default=None, description="An organisation's IRI.")
    applicant_type: str | None = strawberry.field(
        default=None, description="A type of applicant (kcs:eligibleApplicant), e.g. …/descriptor/zadatel-obec."
    )
    status: str | None = strawberry.field(default=None, description="A status code-list value.")
    measure: str | None = strawberry.field(
        default=None, description="A type measure it supports, directly or through the measure's component."
    )
    component: str | None = strawberry.field(
        default=None, description="A component it supports, directly or through a measure under it."
    )

    def checked(self) -> browse.FundingFilter:
        def iri(value: str | None, name: str) -> str | None:
            return None if value is None else iri_argument(value, f"filter.{name}")

        return browse.FundingFilter(
            provider=iri(self.provider, "provider"),
            applicant_type=iri(self.applicant_type, "applicantType"),
            status=iri(self.status, "status"),
            measure=iri(self.measure, "measure"),
            component=iri(self.component, "component"),
        )


@strawberry.type(description="Funding programmes matching a filter, in label order.")
class FundingProgrammeList:
    items: list[FundingProgramme]


@strawberry.type(description="Funding calls matching a filter, in label order.")
class FundingCallList:
    items: list[FundingCall]


FundingProgrammesResult = Annotated[FundingProgrammeList | InvalidInput, strawberry.union("FundingProgrammesResult")]
FundingCallsResult = Annotated[FundingCallList | InvalidInput, strawberry.union("FundingCallsResult")]


async def _funding(info: Info, kind: browse.FundingKind, filter: FundingFilter | None) -> list[ResourceRow]:
    filters = filter.checked() if filter is not None else browse.FundingFilter()
    store, lang = info.context.store, info.context.lang
    return await info.context.loaders.shared(
        ("funding", kind, filters), partial(browse.funding, store, kind, filters, lang)
    )


@strawberry.type
class FundingQuery:
    @strawberry.field(description="Funding programmes, all or those matching `filter`.")
    async def funding_programmes(self, info: Info, filter: FundingFilter | None = None) -> FundingProgrammesResult:
        try:
            found = await _funding(info, "FundingProgramme", filter)
        except InputError as error:
            return InvalidInput.of(error)
        return FundingProgrammeList(items=of_type(found, FundingProgramme))

    @strawberry.field(description="Funding calls, all or those matching `filter`.")
    async def funding_calls(self, info: Info, filter: FundingFilter | None = None) -> FundingCallsResult:
        try:
            found = await _funding(info, "FundingCall", filter)
        except InputError as error:
            return InvalidInput.of(error)
        return FundingCallList(items=of_type(found, FundingCall))
