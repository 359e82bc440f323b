"""What the schema runs on every operation: limits on the size of a query, the parser and validation
caches, and, when the settings say production, no introspection and masked internal errors.

The extensions are created per operation (strawberry's factory form), and the production-only ones
read the environment from the request's context, so one schema serves development and production apps
in the same process (as the tests run them)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from graphql import GraphQLError
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

from api.graphql.context import Context
from api.graphql.errors import PublicError
from api.graphql.responses import KeptResponses

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


class MaskInternalErrorsInProduction(MaskErrors):
    """In production, replace the message of every internal error by :data:`MASKED_MESSAGE`."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=self._should_mask, error_message=MASKED_MESSAGE)

    def _should_mask(self, error: GraphQLError) -> bool:
        return _in_production(self) and is_internal(error)


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
        # Last: it answers from what was kept only what passed every limit and rule above.
        KeptResponses,
    ]
