"""The answer page: the measures that address a municipality's problem, each with its reasons, and,
when nothing matches well, a plain word saying so, what did match as weaker matches, and the form that
sends the problem to the curators as a proposal.

Filters are query parameters with Czech names (``pilir``, ``misto``, ``zadatel``: IRIs), so an answer
can be shared as a link. The proposal form posts to ``/navrh`` and, once stored, redirects to a
thank-you page (post, redirect, get: reloading that page sends nothing twice). A form's token stores one
proposal: a double submit or a replay gets 409 and the form again. Only stored proposals count against
the limit per client address (:func:`web.clients.client_address`), so refused posts lock nobody out; and
when the store cannot take a proposal, the form comes back with everything typed (503).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from catalogue.answer import AnswerFilters, InvalidProblem, MeasureMatch, answer_problem
from catalogue.editing import notifications
from catalogue.errors import StoreError
from catalogue.queries import browse, concept, options, overview, services
from catalogue.queries.common import InvalidIRI, checked_iri
from catalogue.queries.concept import Resource
from catalogue.queries.measures import MeasureDetail, measure_details
from catalogue.queries.proposals import Contact, InvalidProposal, checked_text, parsed_contact, store_proposal
from catalogue.search.engine import SearchError
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from web.clients import client_address
from web.form_cookie import form_token, set_form_cookie
from web.forms import (
    FORM_COOKIE,
    HONEYPOT_FIELD,
    FormSigner,
    RejectedForm,
    check_honeypot,
    form_fields,
)
from web.pages.demand import record_answer
from web.site import N_, language_of, render
from web.state import PROPOSALS_FROM_ADDRESS, PROPOSALS_PER_WINDOW, SPENT_FORM_TOKENS, site_catalogue

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

REALISATIONS_PER_MEASURE = 5
DONE_PER_SERVICE = 5
"""How many realisations and solutions the answer lists under each service; its page lists them all."""

FILTERS = {"pilir": "pillar", "misto": "place", "zadatel": "applicant_type"}
"""The page's query parameters and the :class:`AnswerFilters` field each fills."""

REJECTED = {
    "token": N_("Formulář se nepodařilo ověřit. Načtěte stránku znovu a odešlete ho ještě jednou; prohlížeč musí "
                "povolit cookies tohoto webu."),
    "expired": N_("Formulář byl otevřený příliš dlouho. Odešlete ho prosím ještě jednou."),
    "too-fast": N_("Formulář byl odeslán příliš rychle. Zkontrolujte text a odešlete ho prosím znovu."),
    "honeypot": N_("Formulář obsahuje vyplněné skryté pole, a proto nebyl odeslán. Odešlete ho prosím znovu."),
    "too-large": N_("Návrh je příliš dlouhý. Zkraťte ho prosím na nejvýše 1000 znaků."),
}
PROPOSAL_ERRORS = {
    "text": N_("Popište problém (nejvýše 1000 znaků)."),
    "contact": N_("Uveďte e-mail (např. jmeno@obec.cz) nebo telefon (9 až 15 číslic)."),
}
INVALID_FILTER = N_("Tato hodnota filtru není platná. Vyberte ji prosím ze seznamu.")
SEARCH_UNAVAILABLE = N_("Vyhledávání je právě nedostupné. Zkuste to prosím za chvíli znovu.")
TOO_MANY = N_("Z vaší adresy přišlo v posledních minutách příliš mnoho návrhů. Zkuste to prosím za {minutes} min.")
ALREADY_SENT = N_("Tento formulář už byl odeslán a návrh z něj jsme přijali, podruhé ho neukládáme. Chcete-li "
                  "poslat další návrh, upravte text a odešlete formulář znovu.")
NOT_STORED = N_("Návrh se teď nepodařilo uložit: úložiště katalogu je dočasně nedostupné. Z formuláře se nic "
                "neztratilo, zkuste ho prosím za chvíli odeslat znovu.")
STORE_RETRY_SECONDS = 30

@dataclass(frozen=True)
class DoneAt:
    """A solution or realisation that did the measure, where, and how near that is to the chosen place
    (0 in it, 1 in the same region, 2 elsewhere or no place chosen)."""

    resource: Resource
    places: tuple[Resource, ...]
    nearness: int


@dataclass(frozen=True)
class MeasureView:
    match: MeasureMatch
    detail: MeasureDetail | None
    done: tuple[DoneAt, ...]


def _signer(request: Request) -> FormSigner:
    """The proposal form's signer, the app's own (each test's app has its own key)."""
    return site_catalogue(request).proposal_signer


def _respond(
    request: Request, context: dict[str, Any], status: int, *, token: str | None = None
) -> HTMLResponse:
    """The page; with the proposal form, its token, and the form cookie when the browser has none yet."""
    cookie = None
    if token is None and context.get("show_proposal"):
        token, cookie = form_token(request, _signer(request))
    headers = {"Retry-After": str(context["retry_after"])} if context.get("retry_after") else None
    context = {**context, "token": token, "honeypot_field": HONEYPOT_FIELD}
    response = render(request, "answer.html", context, status=status, headers=headers)
    if cookie:
        set_form_cookie(response, request, cookie)
    return response


@dataclass(frozen=True)
class Choices:
    """What the filter form offers, and the place each place is stated to be part of (a town's region)."""

    pillars: tuple[tuple[str, str], ...]
    places: tuple[Resource, ...]
    applicant_types: tuple[tuple[str, str, str], ...]
    parents: dict[str, list[str]]

    @property
    def place_options(self) -> list[tuple[str, str]]:
        return [(place.iri, place.label) for place in self.places]


def _choices(request: Request, lang: str) -> Choices:
    """The filter form's choices, read once per catalogue version and language: reading them would
    cost every answer a tenth of its time."""
    store: CatalogueStore = site_catalogue(request).store

    def read() -> Choices:
        pillars = overview.pillars(store)  # labels are Czech only: the English list would be empty
        places = browse.all_of_kind(store, "Place", lang)
        place_facts = browse.facts(store, [place.iri for place in places])
        return Choices(
            pillars=tuple((pillar.iri, f"{pillar.label} ({pillar.strategy})") for pillar in pillars),
            places=tuple(places),
            applicant_types=tuple((kind.iri, kind.label, kind.lang) for kind in options.applicant_types(store, lang)),
            parents={iri: facts.iris("isPartOf") for iri, facts in place_facts.items()},
        )

    return site_catalogue(request).kept(f"answer-choices-{lang}", read)


def _measure_views(
    store: CatalogueStore, matches: tuple[MeasureMatch, ...], choices: Choices, chosen: str | None, lang: str
) -> list[MeasureView]:
    """Each measure with its details and the solutions and realisations that did it, those in the chosen
    place first, then those in its region (the place it is part of), then the rest."""
    iris = [match.measure.iri for match in matches]
    details = measure_details(store, iris, realisations=REALISATIONS_PER_MEASURE, lang=lang)
    parents = choices.parents
    done: dict[str, list[Resource]] = {iri: list(detail.realisations) for iri, detail in details.items()}
    region = None
    if chosen:
        region = next(iter(parents.get(chosen, [])), chosen)
        # The label-ordered few may all be far away: ask for the measure's realisations in the region.
        nearby = {
            iri: browse.projects(
                store, "Realisation", browse.ProjectFilter(region=region, measure=iri), offset=0,
                limit=REALISATIONS_PER_MEASURE,
            )
            for iri in iris
        }
        labels = concept.resources(store, [found for found_iris in nearby.values() for found in found_iris], lang)
        for iri, found_iris in nearby.items():
            known = {resource.iri for resource in done.get(iri, [])}
            done[iri] = [labels[found] for found in found_iris if found in labels and found not in known] + done.get(
                iri, []
            )
    located = browse.facts(store, [resource.iri for resources in done.values() for resource in resources])
    by_iri = {place.iri: place for place in choices.places}

    def nearness(located_in: list[str]) -> int:
        """``located_in``: the places the rules locate a resource in (kcs:locatedIn), its regions too."""
        if chosen is None or region is None:
            return 2
        if chosen in located_in:
            return 0
        return 1 if region in located_in else 2

    views = []
    for match in matches:
        items = []
        for resource in done.get(match.measure.iri, []):
            facts = located.get(resource.iri)
            shown = tuple(by_iri[place] for place in (facts.iris("place") if facts else []) if place in by_iri)
            items.append(DoneAt(resource, shown, nearness(facts.iris("locatedIn") if facts else [])))
        items.sort(key=lambda item: item.nearness)  # stable: label order within each group
        views.append(MeasureView(match, details.get(match.measure.iri), tuple(items[:REALISATIONS_PER_MEASURE])))
    return views


def _programmes_of(store: CatalogueStore, funding: list[Resource], lang: str) -> dict[str, Resource]:
    """The programme each programme or call is part of, by IRI: a code like 2.8 means something only
    beside its programme (Národní plán obnovy)."""
    parents = {iri: facts.iris("isPartOf") for iri, facts in browse.facts(store, [r.iri for r in funding]).items()}
    labels = concept.resources(store, [parent for found in parents.values() for parent in found], lang)
    return {iri: labels[found[0]] for iri, found in parents.items() if found and found[0] in labels}


@router.get("/odpoved")
def answer_page(request: Request) -> Response:
    store: CatalogueStore = site_catalogue(request).store
    lang = language_of(request)
    params = request.query_params
    problem = params.get("problem")
    chosen = {name: params.get(name, "").strip() for name in FILTERS}
    context: dict[str, Any] = {
        "problem": problem or "",
        "chosen": chosen,
        "state": "ask",
        "choices": _choices(request, lang),
    }
    filter_errors = {}
    for name, value in chosen.items():
        if value:
            try:
                checked_iri(value)
            except InvalidIRI:
                filter_errors[name] = INVALID_FILTER
    context["filter_errors"] = filter_errors
    if problem is None:
        return _respond(request, context, 400 if filter_errors else 200)
    if filter_errors:
        return _respond(request, {**context, "state": "error"}, 400)
    filters = AnswerFilters(**{FILTERS[name]: value or None for name, value in chosen.items()})
    try:
        answer = answer_problem(store, site_catalogue(request).search, problem, filters=filters, lang=lang)
    except InvalidProblem as error:
        return _respond(request, {**context, "state": "error", "problem_error": str(error)}, 400)
    except SearchError:
        return _respond(request, {**context, "state": "error", "error": SEARCH_UNAVAILABLE}, 503)
    record_answer(site_catalogue(request), answer, filters)  # demand: never fails the answer
    if not answer.good_match:
        return _respond(request, {**context, "state": "no-match", "show_proposal": True, "proposal": answer.text}, 200)
    # A weak answer (no type measure matches well) says so plainly, lists what matched as weaker matches
    # and offers the proposal form; only a filter really set can be why no measure is listed.
    context = {
        **context, "weak": answer.weak, "filtered": any(chosen.values()), "show_proposal": answer.weak,
        "proposal": answer.text,
    }
    views = _measure_views(store, answer.measures, context["choices"], filters.place, lang)
    funding = [item.resource for item in answer.funding] + [
        link.funding for view in views if view.detail for link in view.detail.funding
    ]
    programmes = _programmes_of(store, funding, lang)
    done = services.instances_of_services(
        store, [item.resource.iri for item in answer.services], per_service=DONE_PER_SERVICE, lang=lang
    )
    return _respond(
        request,
        {**context, "state": "answer", "answer": answer, "measures": views, "programmes": programmes,
         "services_done": done},
        200,
    )


@router.post("/navrh")
async def propose(request: Request) -> Response:
    try:
        fields = await form_fields(request)
    except RejectedForm as rejected:
        context = {"state": "proposal", "show_proposal": True, "proposal_error": REJECTED[rejected.reason]}
        return _respond(request, context, 413)
    return await run_in_threadpool(
        _propose, request, fields.get("problem", ""), fields.get("kontakt", ""), fields.get("token", ""),
        fields.get(HONEYPOT_FIELD, ""),
    )


def _propose(request: Request, problem: str, kontakt: str, token: str, honeypot: str) -> Response:
    context: dict[str, Any] = {"state": "proposal", "show_proposal": True, "proposal": problem, "contact": kontakt}
    store, settings = site_catalogue(request).store, site_catalogue(request).settings
    sender = "address:" + client_address(request, settings)
    try:
        wait = PROPOSALS_FROM_ADDRESS.retry_after(store, settings, {sender: PROPOSALS_PER_WINDOW})
    except StoreError as error:
        return _not_stored(request, context, token, error)
    if wait > 0:
        minutes = max(1, round(wait / 60))
        return _respond(request, {**context, "proposal_error": TOO_MANY, "minutes": minutes,
                                  "retry_after": int(wait) + 1}, 429)
    try:
        _signer(request).check(token, request.cookies.get(FORM_COOKIE))
        check_honeypot(honeypot)
    except RejectedForm as rejected:
        # A token that was valid but sent too soon keeps its time: the next try passes once it is old enough.
        kept = token if rejected.reason == "too-fast" else None
        return _respond(request, {**context, "proposal_error": REJECTED[rejected.reason]},
                        403 if rejected.reason == "token" else 400, token=kept)
    try:
        text, contact = checked_text(problem), parsed_contact(kontakt)
    except InvalidProposal as error:
        return _respond(request, {**context, "field_errors": {error.field: PROPOSAL_ERRORS[error.field]}}, 400,
                        token=token)
    return _store(request, context, token, text, contact, sender)


def _store(request: Request, context: dict[str, Any], token: str, text: str, contact: Contact, sender: str) -> Response:
    """Store the proposal of a form that passed every check, once per token, and count it against the
    sender's address (only a stored proposal counts: refused posts must not lock a town hall out)."""
    store, settings = site_catalogue(request).store, site_catalogue(request).settings
    claim = None
    try:
        # Claimed before storing, in one guarded write, so that of a double submit only one is stored.
        claim = SPENT_FORM_TOKENS.claim(store, settings, _signer(request).spent_key(token))
        if claim is None:
            return _respond(request, {**context, "proposal_error": ALREADY_SENT}, 409)
        proposal = store_proposal(store, settings, text, contact)
    except (InvalidProposal, StoreError) as error:
        if claim is not None:
            _give_up(store, settings, claim)
        kept = _retry_token(request, store, settings, token)
        if isinstance(error, StoreError):
            return _not_stored(request, context, kept, error)
        return _respond(request, {**context, "field_errors": {error.field: PROPOSAL_ERRORS[error.field]}}, 400,
                        token=kept)
    try:
        PROPOSALS_FROM_ADDRESS.count(store, settings, [sender])
    except StoreError:
        # The proposal is stored, which is what the sender is owed an answer about.
        log.exception("proposal %s stored, but not counted against its sender's rate limit", proposal)
    notifications.proposal_received(store, settings, str(proposal), text)
    return RedirectResponse("/navrh/odeslano", status_code=303)


def _give_up(store: CatalogueStore, settings: Settings, claim: str) -> None:
    """Give up a token's claim, as no proposal was stored with it (if this fails too, the form gets another
    token: :func:`_retry_token`)."""
    try:
        SPENT_FORM_TOKENS.release(store, settings, claim)
    except StoreError:
        log.exception("a proposal token's claim could not be given up")


def _retry_token(request: Request, store: CatalogueStore, settings: Settings, token: str) -> str:
    """The token a form comes back with when no proposal was stored: ``token`` itself while no claim holds
    it, else one as old (a claim that landed just before the store failed, or could not be given up, would
    refuse ``token`` as used and tell the visitor a lost proposal was received)."""
    try:
        if not SPENT_FORM_TOKENS.claimed(store, settings, _signer(request).spent_key(token)):
            return token
    except StoreError:
        pass  # the store cannot tell: one as old is sure to be unused
    return _signer(request).renewed(token, request.cookies.get(FORM_COOKIE, ""))


def _not_stored(request: Request, context: dict[str, Any], token: str, error: StoreError) -> Response:
    """The store could not take the proposal now: the form again with everything typed, and ``token``, one
    that works for the retry."""
    log.error("a proposal could not be stored: %s", error)
    return _respond(request, {**context, "proposal_error": NOT_STORED, "retry_after": STORE_RETRY_SECONDS}, 503,
                    token=token)


@router.get("/navrh/odeslano")
def proposal_sent(request: Request) -> Response:
    return render(request, "answer.html", {"state": "thanks"})
