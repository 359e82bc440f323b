"""Whole GraphQL answers kept per catalogue version, so that the queries every visitor sends (the
pillar tree, the first page of realisations, a common problem) are answered without running again.

A query's answer about the public catalogue depends only on the query, its variables, the language of
labels and the loaded data; so such an answer is kept under those and the catalogue version, and
everything kept is forgotten as soon as the version changes (:class:`~api.kept.SharedAnswers`). Nothing
else is ever kept: not a mutation (its answer is of one change, and sending it again must change the
catalogue again, or report why not), and not an answer any resolver marked private
(:meth:`Context.private`: drafts, which only their author and reviewers may read, and the editing
history, which follows the account's own work). Since only such public answers are kept, a request's
credentials never decide what it is answered from the kept ones. Only answers
without errors are kept, each counted at the length of its JSON against ``KATALOG_GRAPHQL_CACHE_BYTES``
(an answer over a thirty-second of it is not kept at all). ``KATALOG_GRAPHQL_CACHE_SIZE=0`` turns this off.

The router answers from what was kept (:func:`kept_answer`) before it hands an operation to a worker
thread, which a kept answer does not need; the schema's last extension (:class:`KeepResponses`) keeps
what the operation answered. Answering before parsing and validating is sound: an answer is only ever
kept for a query that passed every limit and rule of the same app, and they depend on nothing else.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Hashable, Mapping
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from api.graphql.context import Context
from api.kept import MISSING


def answer_key(
    context: Context, query: str | None, variables: Mapping[str, Any] | None, operation: str | None
) -> Hashable:
    """What an operation's answer is kept under: all it depends on but the data, whose version
    :class:`~api.kept.SharedAnswers` follows."""
    return (context.lang, query, json.dumps(variables or {}, sort_keys=True, default=str), operation)


def answer_size(result: GraphQLExecutionResult) -> int:
    """About how many bytes ``result`` takes: the length of its data as JSON, which is what the
    answer is sent as and grows with it."""
    return len(json.dumps(result.data, ensure_ascii=False, separators=(",", ":"), default=str))


def kept_answer(
    context: Context, query: str | None, variables: Mapping[str, Any] | None, operation: str | None
) -> ExecutionResult | None:
    """The answer kept for the operation at the request's catalogue version, if any."""
    kept = context.responses
    if kept is None:
        return None
    kept.current(context.version)
    found = kept.get(answer_key(context, query, variables, operation))
    return None if found is MISSING else ExecutionResult(data=found.data, errors=None)


def keepable(context: Context, operation: OperationType, result: object) -> bool:
    """Whether an operation's answer may be kept for everyone: a query of public data only (no resolver
    marked it private), answered without errors."""
    return (
        operation is OperationType.QUERY
        and context.keep
        and isinstance(result, GraphQLExecutionResult)
        and not result.errors
    )


class KeepResponses(SchemaExtension):
    """Keep the answer of every query of public data that ran without errors."""

    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        yield
        execution = self.execution_context
        context: Context = execution.context
        result = execution.result
        if (
            context.responses is not None
            and isinstance(result, GraphQLExecutionResult)
            and keepable(context, execution.operation_type, result)
        ):
            key = answer_key(context, execution.query, execution.variables, execution.operation_name)
            context.responses.put(key, result, version=context.version, nbytes=answer_size(result))
