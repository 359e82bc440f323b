"""What the schema runs on every operation: limits on the size of a query and of its answer and on
the time it runs, the parser and validation caches, and, when the settings say production, no
introspection and masked internal errors.

The extensions are created per operation (strawberry's factory form), and the production-only ones
read the environment from the request's context, so one schema serves development and production apps
in the same process (as the tests run them).

The depth, token and alias limits bound the query's text, not its answer: ``measures → funding →
supportedMeasures`` nested five times is 224 bytes and 341,361 objects. So :class:`LimitedExecutor`
counts the answer's objects and list items as it completes them, and watches the clock, and stops the
whole operation as soon as either limit of the settings is passed (``KATALOG_GRAPHQL_MAX_NODES``,
``KATALOG_GRAPHQL_TIMEOUT``)."""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sized
from typing import Any

from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    OperationType,
)
from graphql.pyutils import AwaitableOrValue, Path
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.graphql.context import Context
from api.graphql.errors import PublicError
from api.graphql.responses import KeepResponses
from catalogue.errors import INTERNAL_ERROR

MAX_DEPTH = 10
"""Most levels of fields nested below a query's root field: the pillar tree down to a measure's
funding needs 5, the problem answer's path measure → goal → component → pillar 6."""
MAX_TOKENS = 2000
"""Most tokens in a query document: GraphiQL's introspection query has about 400."""
MAX_ALIASES = 15
"""Most aliases in a query: enough to ask for a few resources at once, not to multiply a costly field."""
CACHE_SIZE = 256
"""Parsed and validated documents kept: the distinct queries of the site and of typical clients."""

MASKED_MESSAGE = "Neočekávaná chyba serveru. Zkuste to prosím znovu; pokud potíže trvají, kontaktujte správce."


def _in_production(extension: SchemaExtension) -> bool:
    context = extension.execution_context.context
    return isinstance(context, Context) and context.production


def is_internal(error: GraphQLError) -> bool:
    """An error the client cannot have caused on purpose: raised by our code, not one of the expected
    ones (:class:`PublicError`) nor a syntax or validation error of the query (which have no original
    error and name only the query's own text)."""
    original = error.original_error
    return original is not None and not isinstance(original, PublicError)


SUGGESTION = re.compile(r"\s*Did you mean .*\?\s*$", re.DOTALL)
"""graphql-core's hint naming the schema's fields, types or arguments close to a mistyped one."""


class MaskInternalErrorsInProduction(MaskErrors):
    """In production, replace the message of every internal error by :data:`MASKED_MESSAGE`, and drop
    the validator's suggestions ("Did you mean 'measures'?"), which would list the schema that
    introspection is refused to give."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=self._should_mask, error_message=MASKED_MESSAGE)

    def _should_mask(self, error: GraphQLError) -> bool:
        return _in_production(self) and (is_internal(error) or SUGGESTION.search(error.message) is not None)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if not is_internal(error):
            return GraphQLError(
                SUGGESTION.sub("", error.message),
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions=error.extensions,
            )
        masked = super().anonymise_error(error)
        masked.extensions = {"code": INTERNAL_ERROR}  # the one error shape: a code beside the message
        return masked


class NoIntrospectionInProduction(AddValidationRules):
    """In production, refuse introspection queries (``__schema``, ``__type``) at validation."""

    def __init__(self) -> None:
        super().__init__([NoSchemaIntrospectionCustomRule])

    def on_operation(self) -> Iterator[None]:
        if _in_production(self):
            yield from super().on_operation()
        else:
            yield


# The limiters' validation rules, made once: each QueryDepthLimiter or MaxAliasesLimiter makes a new rule
# class, and ValidationCache keys its cache by the rules, so rules made per request would never hit it.
SIZE_RULES = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]


def extensions() -> list[Callable[[], SchemaExtension] | type[SchemaExtension]]:
    """The schema's extensions (each made anew for every operation), in the order they must run."""
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: AddValidationRules(SIZE_RULES),
        NoIntrospectionInProduction,
        # After every extension that adds validation rules: it validates with the rules they set.
        lambda: ValidationCache(maxsize=CACHE_SIZE),
        MaskInternalErrorsInProduction,
        # Last: only what passed every limit and rule above is kept, to be answered again without them.
        KeepResponses,
    ]


# -- the answer's size and the operation's time ------------------------------------------------------

NARROW = "Zužte ho: méně vnořených seznamů nebo stránkování (first/after)."


class OperationStopped(PublicError):
    """The operation passed a limit of its answer's size or of its time while it ran: it is stopped as
    a whole, with no partial answer."""


def too_large(limit: int) -> OperationStopped:
    count = f"{limit:,}".replace(",", " ")
    return OperationStopped(
        f"Dotaz by vrátil víc než {count} objektů, což je limit tohoto API (KATALOG_GRAPHQL_MAX_NODES). {NARROW}",
        "QUERY_TOO_LARGE",
    )


def too_slow(seconds: float) -> OperationStopped:
    duration = f"{seconds:g}".replace(".", ",")
    return OperationStopped(
        f"Dotaz běžel déle než {duration} s, což je limit tohoto API (KATALOG_GRAPHQL_TIMEOUT), a byl "
        f"zastaven. {NARROW} Pokud je server právě vytížený, zkuste to za chvíli znovu.",
        "QUERY_TIMEOUT",
    )


class Budget:
    """What one operation may still spend: objects and list items of its answer, and time. Once over
    a limit it stays over, so work the operation left behind when it was stopped (a sibling field, a
    list item still awaiting the store) stops too, at its next object."""

    def __init__(self, nodes: int, seconds: float) -> None:
        self.nodes = nodes
        self.seconds = seconds
        self.left = nodes
        self.deadline = time.monotonic() + seconds

    def spend(self, nodes: int) -> None:
        """Count ``nodes`` more, raising :class:`OperationStopped` when over a limit."""
        self.left -= nodes
        if self.left < 0:
            raise too_large(self.nodes)
        if time.monotonic() > self.deadline:
            raise too_slow(self.seconds)


def _refused(stopped: OperationStopped) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[GraphQLError(str(stopped), original_error=stopped)])


class LimitedExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor (as strawberry sets it up) with a :class:`Budget` from the request's
    settings, spent at every object and list it completes, the one place every kind of answer passes;
    checking the clock there stops resolution that never awaits as well as that which does."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        context: Context = self.context_value
        # A mutation is not stopped by the clock: a publication cut off at its answer would have been
        # written all the same, and its author told it was not. Its answer is small and its size bounded.
        seconds = math.inf if self.operation.operation is OperationType.MUTATION else context.settings.graphql_timeout
        self.budget = Budget(context.settings.graphql_max_nodes, seconds)

    def execute_operation(self, serially: bool | None = None) -> Any:
        try:
            result = super().execute_operation(serially)
        except OperationStopped as stopped:
            return _refused(stopped)
        return self._in_time(result) if self.is_awaitable(result) else result

    async def _in_time(self, result: Awaitable[Any]) -> Any:
        if not math.isfinite(self.budget.seconds):
            try:
                return await result
            except OperationStopped as stopped:
                return _refused(stopped)
        # An await (the store, the search index) cannot spend from the budget while it waits.
        limit = asyncio.timeout(self.budget.deadline - time.monotonic())
        try:
            async with limit:
                return await result
        except OperationStopped as stopped:
            return _refused(stopped)
        except TimeoutError:
            if not limit.expired():
                raise
            return _refused(too_slow(self.budget.seconds))

    def handle_field_error(
        self, raw_error: Exception, return_type: GraphQLOutputType, field_details_list: Any, path: Path
    ) -> None:
        # Not one field's error, to be answered as null beside the others: the whole operation ends.
        if isinstance(raw_error, OperationStopped):
            raise raw_error
        super().handle_field_error(raw_error, return_type, field_details_list, path)

    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: Any,
        info: GraphQLResolveInfo,
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        # Counted before any item is completed, so a list that alone is over the limit costs nothing.
        items = items if isinstance(items, Sized) else list(items)
        self.budget.spend(len(items))
        return super().complete_iterable_value(item_type, field_details_list, info, path, items, position_context)

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: Any,
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        # An object that is a list's item was counted with the list; its time is still checked.
        self.budget.spend(0 if isinstance(path.key, int) else 1)
        return super().complete_object_value(return_type, field_details_list, info, path, result, position_context)
