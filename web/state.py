"""What the site keeps while it runs, on top of the catalogue: the proposal form's signer; and what
protects the signed forms across every process of the site, kept in the store: the proposals sent per
address and the forms' tokens already used.

:class:`SiteCatalogue` is the :class:`~catalogue.runtime.Catalogue` with the site's own parts; the app
factory builds one (as :class:`api.state.AppState`, which adds the API's parts) and every page reads it
through :func:`site_catalogue`.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request

from catalogue.editing.throttles import OneTimeKeys, Throttle
from catalogue.graphs import PROPOSALS_SENT, USED_FORM_TOKENS
from catalogue.runtime import Catalogue
from catalogue.search.engine import SearchEngine
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from web.forms import MAX_TOKEN_AGE_SECONDS, FormSigner, secret_key

PROPOSAL_PURPOSE = "proposal"
PROPOSALS_PER_WINDOW = 5
PROPOSAL_WINDOW_SECONDS = 600.0

PROPOSALS_FROM_ADDRESS = Throttle(PROPOSALS_SENT, "ProposalSent", timedelta(seconds=PROPOSAL_WINDOW_SECONDS))
"""The proposals stored from each client address: at most :data:`PROPOSALS_PER_WINDOW` in the window."""
SPENT_FORM_TOKENS = OneTimeKeys(USED_FORM_TOKENS, timedelta(seconds=MAX_TOKEN_AGE_SECONDS))
"""The signed forms' tokens already used, each refused after, keyed by form (``proposal:``, ``login:``): a
proposal form's once a proposal was stored with it, a log-in form's at its first try. Forgotten once the
token would be refused as expired anyway."""


class SiteCatalogue(Catalogue):
    """The catalogue as the site serves it."""

    def __init__(self, settings: Settings, store: CatalogueStore, search: SearchEngine, version: str) -> None:
        super().__init__(settings, store, search, version)
        self.proposal_signer = FormSigner(secret_key(settings), PROPOSAL_PURPOSE)


def site_catalogue(request: Request) -> SiteCatalogue:
    """The running catalogue of the request's app; :class:`LookupError` before the app has started."""
    catalogue = getattr(request.app.state, "catalogue", None)
    if catalogue is None:
        raise LookupError("the app has not started: its catalogue is not open")
    return catalogue  # type: ignore[no-any-return]
