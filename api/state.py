"""The application's state: one typed object, built by the app factory and handed to every route and
resolver (``request.app.state.catalogue``), as datasette hands its ``Datasette`` object around.

:class:`AppState` is the running catalogue (:class:`catalogue.runtime.Catalogue`) with the site's parts
(:class:`web.state.SiteCatalogue`) and the API's: the ``/sparql`` workers and the GraphQL answers kept
per catalogue version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request

from api.kept import SharedAnswers
from catalogue.search.engine import SearchEngine
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from web.state import SiteCatalogue

if TYPE_CHECKING:
    from api.sparql_pool import QueryPool


class AppState(SiteCatalogue):
    """Everything one app keeps while it runs."""

    def __init__(self, settings: Settings, store: CatalogueStore, search: SearchEngine, version: str) -> None:
        super().__init__(settings, store, search, version)
        self.sparql_pool: QueryPool | None = None
        self.graphql_answers = SharedAnswers()
        """Answers of the query layer shared by the GraphQL requests, per catalogue version."""
        self.graphql_responses = (
            SharedAnswers(size=settings.graphql_cache_size, max_bytes=settings.graphql_cache_bytes)
            if settings.graphql_cache_size > 0 and settings.graphql_cache_bytes > 0
            else None
        )
        """Whole GraphQL answers kept per catalogue version, bounded by count and by bytes (None when the
        settings turn keeping off)."""


def app_state(request: Request) -> AppState:
    """The state of the request's app; :class:`LookupError` before the app has started."""
    state = getattr(request.app.state, "catalogue", None)
    if not isinstance(state, AppState):
        raise LookupError("the app has not started: its catalogue is not open")
    return state
