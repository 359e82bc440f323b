"""What every resolver of one request sees: the store, the search index, the settings, the language of
labels and the request's own dataloaders."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from strawberry.fastapi import BaseContext

from api.graphql.errors import SEARCH_UNAVAILABLE, PublicError
from api.graphql.loaders import Loaders, SharedAnswers
from api.graphql.responses import kept_responses
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

LANGUAGES = ("cs", "en")
"""Languages the catalogue labels; any other asked for gets Czech, which every resource has."""


def label_language(accept_language: str) -> str:
    """The first of :data:`LANGUAGES` named by an ``Accept-Language`` header, by its order, else Czech."""
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower().split("-")[0]
        if tag in LANGUAGES:
            return tag
    return "cs"


class Context(BaseContext):
    def __init__(
        self,
        store: CatalogueStore,
        settings: Settings,
        search: Any,
        lang: str,
        shared: SharedAnswers,
        responses: SharedAnswers | None = None,
    ) -> None:
        super().__init__()
        self.responses = responses
        self.store = store
        self.settings = settings
        self._search = search
        self.lang = lang
        self.loaders = Loaders(store, settings, lang, shared)

    @property
    def production(self) -> bool:
        return self.settings.environment == "production"

    @property
    def search(self) -> Any:
        """The app's search index (``app.state.search``), or :class:`PublicError` while there is none."""
        if self._search is None:
            raise PublicError(SEARCH_UNAVAILABLE, "SEARCH_UNAVAILABLE")
        return self._search

    async def catalogue_fingerprint(self) -> str:
        """The fingerprint of the loaded catalogue: the answers shared between requests are kept under
        it, and cursors carry it, so a cursor issued before the data changed is refused instead of
        skipping or repeating items."""
        return await self.loaders.fingerprint()


def shared_answers(state: Any) -> SharedAnswers:
    """The app's answers shared between its GraphQL requests, made on first use."""
    shared = getattr(state, "graphql_answers", None)
    if shared is None:
        shared = state.graphql_answers = SharedAnswers()
    return shared


async def get_context(request: Request) -> Context:
    """The context of one GraphQL request, from the app's state."""
    state = request.app.state
    return Context(
        store=state.store,
        settings=state.settings,
        search=getattr(state, "search", None),
        lang=label_language(request.headers.get("accept-language", "")),
        shared=shared_answers(state),
        responses=kept_responses(state),
    )
