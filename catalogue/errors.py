"""The catalogue's expected errors: one family, each with a machine-readable code and a message for people.

Everything the product expects to go wrong (a bad input, an unreachable store, a refused query) is a
:class:`CatalogueError`. The API turns one into the one JSON error shape (:func:`error_body`), the CLI
into one line on standard error and exit code 2. Anything else is a bug: logged with its traceback.
"""

from __future__ import annotations

from typing import Any


class CatalogueError(Exception):
    """An expected error. ``code`` names its kind for programs; the message says what went wrong and what
    to do, in one line; ``status`` is the HTTP status an API answers it with."""

    code = "CATALOGUE_ERROR"
    status = 500

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(" ".join(message.split()))
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)


class StoreError(CatalogueError):
    """The store cannot be opened, reached or used; the message names the cause in one line."""

    code = "STORE_UNAVAILABLE"
    status = 503


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


def error_body(code: str, message: str, **details: Any) -> dict[str, Any]:
    """The one JSON shape of an error, for every API: ``{"error": {"code": …, "message": …}}``."""
    return {"error": {"code": code, "message": message, **details}}
