"""The catalogue's expected errors: one family, each with a machine-readable code and a message for people.

Everything the product expects to go wrong (a bad input, an unreachable store, a refused query) is a
:class:`CatalogueError`. The API turns one into the one JSON error shape (:func:`error_body`), GraphQL
into an error with the same code in ``extensions.code``, the CLI into one line on standard error and
exit code 2. Anything else is a bug: logged with its traceback.
"""

from __future__ import annotations

from typing import Any, ClassVar


class CatalogueError(Exception):
    """An expected error. ``code`` names its kind for programs; the message says what went wrong and what
    to do, in one line; ``status`` is the HTTP status an API answers it with."""

    code = "CATALOGUE_ERROR"
    status = 500
    generic_message: ClassVar[str | None] = None
    """What an API tells its client instead of the message, for kinds whose message is meant for the
    operator (it may name a path on disk, a host or an engine's own English words); None: the message
    itself is for the client."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(" ".join(message.split()))
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)

    @property
    def public_message(self) -> str:
        """The message an API may show anyone (in Czech)."""
        return self.generic_message or self.message


class StoreError(CatalogueError):
    """The store cannot be opened, reached or used; the message names the cause in one line."""

    code = "STORE_UNAVAILABLE"
    status = 503
    generic_message = "Úložiště katalogu je teď nedostupné; zkuste to prosím za chvíli znovu."


class QueryError(CatalogueError):
    """A SPARQL query was refused or is not valid; the message says why in one line."""

    code = "INVALID_QUERY"
    status = 400


class InvalidInput(CatalogueError):
    """A value someone gave cannot be used as given; ``field`` names it where there is one."""

    code = "INVALID_INPUT"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


class NotFound(CatalogueError):
    code = "NOT_FOUND"
    status = 404


class Unauthenticated(CatalogueError):
    """The action needs an account, and the request names none (or an expired or revoked one)."""

    code = "UNAUTHENTICATED"
    status = 401


class Forbidden(CatalogueError):
    """The account may not do this; the message says why in Czech."""

    code = "FORBIDDEN"
    status = 403


class TooManyAttempts(CatalogueError):
    """Too many attempts in a short time (log-ins); ``retry_after`` is the seconds until the next is allowed."""

    code = "TOO_MANY_ATTEMPTS"
    status = 429

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after + 0.999))


class NotAcceptable(CatalogueError):
    """The client accepts none of the formats the answer can be given in; the message names them."""

    code = "NOT_ACCEPTABLE"
    status = 406


class Unavailable(CatalogueError):
    """A service cannot answer now (it is starting, busy, or stopped a request past its limits); the
    message says whether and how to try again."""

    code = "UNAVAILABLE"
    status = 503


INTERNAL_ERROR = "INTERNAL_ERROR"
"""The code of an answer to a bug: no :class:`CatalogueError`, and nothing the client can put right."""


def error_body(code: str, message: str, **details: Any) -> dict[str, Any]:
    """The one JSON shape of an error, for every API: ``{"error": {"code": …, "message": …}}``."""
    return {"error": {"code": code, "message": message, **details}}
