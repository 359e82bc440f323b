"""The proposals inbox for curators (``/upravy/navrhy-obci``): what municipalities sent from the answer
page, with the sender's contact, which only those who triage proposals see; a proposal moves from new to
triaged and on to answered, duplicate or rejected with the reply recorded, or is converted into a draft
problem that opens in the editor. Every action goes through :mod:`catalogue.editing.proposals`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from catalogue.editing import proposals
from catalogue.editing.accounts import Account
from catalogue.editing.authorisation import PROPOSAL_KIND, TRIAGE
from catalogue.errors import Forbidden, InvalidInput, NotFound
from web.auth import as_actor, check_csrf, csrf_token, page_guard
from web.errors import error_page
from web.forms import RejectedForm, posted_form
from web.site import N_, language_of, render, templates, translate
from web.state import site_catalogue

router = APIRouter(include_in_schema=False)

INBOX = "/upravy/navrhy-obci"
STATUS_NAMES = {
    "new": N_("nový"),
    "triaged": N_("posouzený"),
    "answered": N_("zodpovězený"),
    "converted": N_("převedený na koncept"),
    "duplicate": N_("duplicitní"),
    "rejected": N_("zamítnutý"),
}
"""The proposals' states (proposals.STATUS_LABELS) as message ids."""
DONE = {"zmeneno": N_("Stav návrhu je uložen.")}


def _guard(request: Request) -> Account | Response:
    return page_guard(request, TRIAGE, PROPOSAL_KIND)


@router.get(INBOX)
def inbox_page(request: Request, stav: str = "") -> Response:
    account = _guard(request)
    if isinstance(account, Response):
        return account
    catalogue = site_catalogue(request)
    status = stav if stav in proposals.STATUSES else None
    found = proposals.inbox(catalogue.store, catalogue.settings, as_actor(account), status)
    return render(request, "inbox.html", {
        "view": "list", "proposals": found, "status": status, "statuses": proposals.STATUSES,
        "status_names": STATUS_NAMES,
    })


def _detail(request: Request, account: Account, identifier: str, *, status: int = 200, error: str | None = None,
            typed: Mapping[str, str] | None = None) -> Response:
    catalogue = site_catalogue(request)
    try:
        proposal = proposals.get_proposal(catalogue.store, catalogue.settings, as_actor(account), identifier)
    except NotFound as missing:
        return error_page(request, 404, translate(language_of(request), missing.message))
    context: dict[str, Any] = {
        "view": "detail", "proposal": proposal, "next": proposals.NEXT.get(proposal.status, ()),
        "status_names": STATUS_NAMES, "csrf": csrf_token(request), "error": error, "typed": typed or {},
        "done": DONE.get(request.query_params.get("hotovo", "")),
    }
    return render(request, "inbox.html", context, status=status)


@router.get(INBOX + "/{identifier}")
def proposal_page(request: Request, identifier: str) -> Response:
    account = _guard(request)
    if isinstance(account, Response):
        return account
    return _detail(request, account, identifier)


async def _posted(request: Request) -> dict[str, list[str]]:
    try:
        return await posted_form(request)
    except RejectedForm:
        return {}


def _one(data: Mapping[str, Sequence[str]], name: str) -> str:
    values = data.get(name, [])
    return values[0].strip() if values else ""


@router.post(INBOX + "/{identifier}")
async def triage(request: Request, identifier: str) -> Response:
    data = await _posted(request)
    return await run_in_threadpool(_triage, request, identifier, data)


def _triage(request: Request, identifier: str, data: Mapping[str, Sequence[str]]) -> Response:
    account = _guard(request)
    if isinstance(account, Response):
        return account
    catalogue = site_catalogue(request)
    lang = language_of(request)
    typed = {"stav": _one(data, "stav"), "odpoved": _one(data, "odpoved")}
    try:
        check_csrf(request, _one(data, "csrf"))
        if _one(data, "akce") == "prevest":
            draft = proposals.convert(catalogue.store, catalogue.settings, as_actor(account), identifier)
            return RedirectResponse(f"/upravy/navrh/{draft.id}", status_code=303)
        proposals.triage(catalogue.store, catalogue.settings, as_actor(account), identifier, typed["stav"],
                         typed["odpoved"])
    except Forbidden as error:
        return error_page(request, 403, translate(lang, error.message))
    except NotFound as error:
        return error_page(request, 404, translate(lang, error.message))
    except InvalidInput as error:
        return _detail(request, account, identifier, status=400, error=error.message, typed=typed)
    return RedirectResponse(f"{INBOX}/{identifier}?hotovo=zmeneno", status_code=303)


def _retention_days(request: Request) -> str:
    return f"{site_catalogue(request).settings.proposal_retention_days:g}"


# The proposal form's privacy note (answer.html) states how long contacts are kept.
templates.globals["proposal_retention_days"] = _retention_days
