"""Search across kinds through the search index, and one resource by IRI whatever its class."""

from __future__ import annotations

import asyncio
from enum import Enum
from typing import Annotated

import strawberry

from api.graphql.errors import SEARCH_UNAVAILABLE, InputError, InvalidInput, NotFound, PublicError, iri_argument
from api.graphql.types.base import Descriptor, Indicator, Info, Node, Organisation, Place, as_node
from api.graphql.types.concept import Component, Goal, Pillar, Problem, Strategy, TypeMeasure
from api.graphql.types.funding import FundingCall, FundingProgramme
from api.graphql.types.projects import Realisation, SmartService, SmartSolution
from catalogue.queries.concept import Resource as ResourceRow
from catalogue.search.engine import SearchError

MAX_TEXT = 1000
MAX_HITS = 100


@strawberry.enum(description="A kind of resource the search index holds (an ontology class).")
class SearchKind(Enum):
    Pillar = "Pillar"
    CrossCuttingArea = "CrossCuttingArea"
    Component = "Component"
    Goal = "Goal"
    TypeMeasure = "TypeMeasure"
    SmartService = "SmartService"
    SmartSolution = "SmartSolution"
    Realisation = "Realisation"
    FundingProgramme = "FundingProgramme"
    FundingCall = "FundingCall"
    Problem = "Problem"


@strawberry.type(description="A resource that matches the search, with why.")
class SearchHit:
    score: float
    matched: list[str] = strawberry.field(description="The words of the query (as typed) that matched.")
    fields: list[str] = strawberry.field(description="Where they matched: label, alt, code, hidden, description.")
    resource: Node


@strawberry.type
class SearchHits:
    hits: list[SearchHit]


SearchResult = Annotated[SearchHits | InvalidInput, strawberry.union("SearchResult")]

ResourceResult = Annotated[
    Strategy
    | Pillar
    | Component
    | Goal
    | TypeMeasure
    | Problem
    | SmartService
    | SmartSolution
    | Realisation
    | FundingProgramme
    | FundingCall
    | Indicator
    | Organisation
    | Place
    | Descriptor
    | NotFound
    | InvalidInput,
    strawberry.union("ResourceResult"),
]


def checked_text(text: str, field: str = "text") -> str:
    """``text`` stripped, if it has 1 to :data:`MAX_TEXT` characters, else :class:`InputError`."""
    text = text.strip()
    if not text:
        raise InputError("Zadejte text: prázdný dotaz nelze vyhledat.", field)
    if len(text) > MAX_TEXT:
        raise InputError(f"Text je příliš dlouhý ({len(text)} znaků): zkraťte jej na nejvýše {MAX_TEXT}.", field)
    return text


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="Resources whose labels, codes or descriptions match `text` (Czech, with or without diacritics, "
        "inflected, with typos), best first; only of `kinds` if given; at most `limit` (1–100)."
    )
    async def search(
        self, info: Info, text: str, kinds: list[SearchKind] | None = None, limit: int = 20
    ) -> SearchResult:
        try:
            query = checked_text(text)
            if not 1 <= limit <= MAX_HITS:
                raise InputError(f"`limit` musí být od 1 do {MAX_HITS}, ne {limit}.", "limit")
        except InputError as error:
            return InvalidInput.of(error)
        wanted = {kind.value for kind in kinds} if kinds else None
        try:
            hits = await asyncio.to_thread(info.context.search.search, query, kinds=wanted, limit=limit)
        except SearchError:
            raise PublicError(SEARCH_UNAVAILABLE, "SEARCH_UNAVAILABLE") from None
        found = await info.context.loaders.resource.load_many([hit.iri for hit in hits])
        return SearchHits(
            hits=[
                SearchHit(
                    score=hit.score,
                    matched=list(hit.matched),
                    fields=list(hit.fields),
                    # The store's own labelling (code, asked language) where it still knows the resource.
                    resource=as_node(resource or ResourceRow(hit.iri, hit.label, hit.kind)),
                )
                for hit, resource in zip(hits, found, strict=True)
            ]
        )

    @strawberry.field(
        description="One resource by IRI, whatever its class (ask for the fields of its type with `... on`); "
        "NotFound when the catalogue has no such resource."
    )
    async def resource(self, info: Info, iri: str) -> ResourceResult:
        try:
            wanted = iri_argument(iri, "iri")
        except InputError as error:
            return InvalidInput.of(error)
        found = await info.context.loaders.resource.load(wanted) or await info.context.loaders.descriptor.load(wanted)
        if found is None:
            return NotFound(iri=wanted, message=f"Katalog nezná zdroj s IRI {wanted}.")
        return as_node(found)  # type: ignore[return-value]  # every registered type is a member of the union
