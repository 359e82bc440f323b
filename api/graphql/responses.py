"""Whole GraphQL answers kept per catalogue version, so that the queries every visitor sends (the
pillar tree, the first page of realisations, a common problem) are answered without running again.

An answer depends only on the query, its variables, the language of labels and the loaded data, and
the API only reads; so an answer is kept under those and the catalogue version, and everything
kept is forgotten as soon as the version changes (:class:`~api.graphql.loaders.SharedAnswers`).
Only answers without errors are kept. ``KATALOG_GRAPHQL_CACHE_SIZE=0`` turns this off.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension

from api.kept import MISSING, SharedAnswers


class KeptResponses(SchemaExtension):
    """Answer an operation from the kept answers when it was answered before for the same data."""

    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        execution = self.execution_context
        context = execution.context
        kept: SharedAnswers | None = getattr(context, "responses", None)
        if kept is None:
            yield
            return
        kept.current(context.version)
        key = (
            context.lang,
            execution.query,
            json.dumps(execution.variables or {}, sort_keys=True, default=str),
            execution.operation_name,
        )
        found = kept.get(key)
        if found is not MISSING:
            execution.result = found
        yield
        result = execution.result
        if found is MISSING and isinstance(result, GraphQLExecutionResult) and not result.errors:
            kept.put(key, result)
