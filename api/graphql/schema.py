"""The GraphQL schema: the per-domain query types merged into one, and the editing mutations, with the
limits of :mod:`limits` (its extensions, and its executor, which bounds an answer's size and an
operation's time)."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from api.graphql.limits import LimitedExecutor, extensions, is_internal
from api.graphql.types.answer import AnswerQuery
from api.graphql.types.concept import ConceptQuery
from api.graphql.types.editing import EditingMutation, EditingQuery
from api.graphql.types.funding import FundingQuery
from api.graphql.types.projects import ProjectsQuery
from api.graphql.types.search import SearchQuery

Query = merge_types("Query", (AnswerQuery, ConceptQuery, EditingQuery, FundingQuery, ProjectsQuery, SearchQuery))
Mutation = merge_types("Mutation", (EditingMutation,))


class CatalogueSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # An expected error (bad input, a refused query) is the client's to read, not a server fault to log.
        super().process_errors([error for error in errors if is_internal(error)], execution_context)


schema = CatalogueSchema(
    query=Query, mutation=Mutation, extensions=extensions(), execution_context_class=LimitedExecutor
)


def schema_text() -> str:
    """The schema in SDL, as committed in ``schema.graphql``."""
    return schema.as_str() + "\n"


__all__: list[Any] = ["schema", "schema_text"]
