"""The API's expected errors: what a client got wrong, said in Czech, with a machine-readable code.

Fields a client may call wrongly answer with a result union (``… | InvalidInput``), as strawberry
recommends; ``problem``, whose type the issue fixes as ``ProblemAnswer!``, raises :class:`PublicError`
instead, which the schema reports as a GraphQL error with its message and code even in production,
where every other error is masked. The codes are the catalogue's (:mod:`catalogue.errors`), which the
other APIs answer in their JSON errors: one code names one kind of error everywhere.
"""

from __future__ import annotations

import strawberry

from catalogue import errors
from catalogue.queries.common import InvalidIRI, checked_iri
from catalogue.search.engine import SearchError

SEARCH_UNAVAILABLE = SearchError.generic_message


class PublicError(errors.CatalogueError):
    """An error whose message is meant for the client: shown as it is, never masked or logged; its
    ``code`` goes into the GraphQL error's ``extensions``."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)
        self.extensions = {"code": self.code}


class InputError(PublicError):
    """A value the client sent is not acceptable; ``field`` names the argument."""

    def __init__(self, message: str, field: str, code: str = errors.InvalidInput.code) -> None:
        super().__init__(message, code)
        self.field = field


@strawberry.interface(
    description="What every failure of a result union shares: a machine-readable `code` (UNAUTHENTICATED, "
    "FORBIDDEN, CONFLICT, INVALID, NOT_FOUND, INVALID_INPUT …) and a `message` in Czech, for showing to a person."
)
class Error:
    code: str
    message: str


@strawberry.type(description="An argument was not acceptable: the answer says which and why.")
class InvalidInput(Error):
    message: str = strawberry.field(description="What is wrong and how to put it right (in Czech).")
    field: str = strawberry.field(description="The argument at fault, e.g. `after` or `filter.place`.")
    code: str = strawberry.field(default=errors.InvalidInput.code, description="`INVALID_INPUT`, or `INVALID_IRI`.")

    @classmethod
    def of(cls, error: InputError) -> InvalidInput:
        return cls(message=str(error), field=error.field, code=error.code)


@strawberry.type(description="The catalogue has no resource (or draft) with this IRI.")
class NotFound(Error):
    iri: str
    message: str = strawberry.field(description="Said in Czech, for showing to a person.")
    code: str = strawberry.field(default=errors.NotFound.code, description="`NOT_FOUND`.")


def iri_argument(value: str, field: str) -> str:
    """``value`` if it is an absolute IRI, else :class:`InputError` for ``field``."""
    try:
        return str(checked_iri(value.strip()))
    except InvalidIRI:
        raise InputError(
            f"„{value}“ není platné IRI: zadejte absolutní IRI zdroje katalogu, např. "
            "https://w3id.org/kcs/id/measure/program-vyuziti-brownfieldu.",
            field,
            InvalidIRI.code,
        ) from None
