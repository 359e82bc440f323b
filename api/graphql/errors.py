"""The API's expected errors: what a client got wrong, said in Czech, with a machine-readable code.

Fields a client may call wrongly answer with a result union (``… | InvalidInput``), as strawberry
recommends; ``problem``, whose type the issue fixes as ``ProblemAnswer!``, raises :class:`PublicError`
instead, which the schema reports as a GraphQL error with its message and code even in production,
where every other error is masked.
"""

from __future__ import annotations

import strawberry

from catalogue.queries.common import InvalidIRI, checked_iri

SEARCH_UNAVAILABLE = "Vyhledávací index nelze právě použít; správce jej obnoví příkazem `katalog reindex`."


class PublicError(Exception):
    """An error whose message is meant for the client: shown as it is, never masked or logged."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.extensions = {"code": code}


class InputError(PublicError):
    """A value the client sent is not acceptable; ``field`` names the argument."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message, "INVALID_INPUT")
        self.field = field


@strawberry.type(description="An argument was not acceptable: the answer says which and why.")
class InvalidInput:
    message: str = strawberry.field(description="What is wrong and how to put it right (in Czech).")
    field: str = strawberry.field(description="The argument at fault, e.g. `after` or `filter.place`.")

    @classmethod
    def of(cls, error: InputError) -> InvalidInput:
        return cls(message=str(error), field=error.field)


@strawberry.type(description="The catalogue has no resource with this IRI.")
class NotFound:
    iri: str
    message: str = strawberry.field(description="Said in Czech, for showing to a person.")


def iri_argument(value: str, field: str) -> str:
    """``value`` if it is an absolute IRI, else :class:`InputError` for ``field``."""
    try:
        return str(checked_iri(value.strip()))
    except InvalidIRI:
        raise InputError(
            f"„{value}“ není platné IRI: zadejte absolutní IRI zdroje katalogu, např. "
            "https://w3id.org/kcs/id/measure/program-vyuziti-brownfieldu.",
            field,
        ) from None
