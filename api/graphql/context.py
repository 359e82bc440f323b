"""What every resolver of one request sees: the app's state (store, search index, settings), the
catalogue version, the language of labels and the request's own dataloaders."""

from __future__ import annotations

from fastapi import Request
from strawberry.fastapi import BaseContext

from api.graphql.errors import SEARCH_UNAVAILABLE, PublicError
from api.graphql.loaders import Loaders
from api.state import AppState, app_state
from catalogue.search.engine import SearchEngine

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
    """One GraphQL request: the app's state, the language of labels and the request's loaders, all at
    the catalogue version the request began with."""

    def __init__(self, state: AppState, lang: str, request: Request | None = None) -> None:
        super().__init__()
        self.http = request
        """The HTTP request (strawberry sets ``request`` too, typed as a request or a web socket)."""
        self.state = state
        self.store = state.store
        self.settings = state.settings
        self.lang = lang
        self.version = state.version
        self._search = state.search
        self.responses = state.graphql_responses
        self.loaders = Loaders(state.store, self.version, lang, state.graphql_answers, state.settings)
        self.keep = True
        """Whether the operation's answer may be kept for anyone who sends it again (:mod:`responses`):
        a resolver of private or per-account data (drafts, an account's own view, a mutation's outcome)
        sets it False."""

    def private(self) -> None:
        """Mark the answer as one not to keep: it holds private data, or it is of a change."""
        self.keep = False

    @property
    def production(self) -> bool:
        return self.settings.environment == "production"

    @property
    def search(self) -> SearchEngine:
        """The app's search index, or :class:`PublicError` while there is none."""
        if self._search is None:
            raise PublicError(SEARCH_UNAVAILABLE, "SEARCH_UNAVAILABLE")
        return self._search


async def get_context(request: Request) -> Context:
    """The context of one GraphQL request, from the app's state."""
    return Context(app_state(request), label_language(request.headers.get("accept-language", "")), request)
