"""Who may do what, walked as a whole matrix over HTTP against the real running app (`katalog serve`):
every role (and nobody, and a disabled account) against every GraphQL mutation and editing query, every
account page and every page and form of the editor (web/pages/editor.py), another account's draft addressed
both by its id and by its IRI; the proposals inbox (web/pages/inbox.py), whose refusals never show a
proposal's contact, and the demand (web/pages/demand.py).

A refusal is a GraphQL ``Unauthenticated``/``Forbidden`` result (code ``UNAUTHENTICATED``/``FORBIDDEN``)
with a Czech message; on pages a browser without an account is sent to log in (303 to
``/prihlaseni?zpet=…``), a program gets 401, and an account without the right 403 with a Czech message.
GraphQL is asked both with the session cookie (and its ``X-CSRF-Token``) and with an API token; pages both
as a browser (session cookie, ``Accept: text/html``) and as a program (``Authorization: Bearer``).

The expected outcomes are written out below from the documented rules (README "For curators", the
module docstring of catalogue/editing/authorisation.py), not read from its PERMISSIONS, so a change
that breaks a promise fails a cell. To add a page, add a :class:`Page` to ``PAGES`` and its row to
``EXPECTED_PAGES``; a GraphQL operation likewise to ``OPERATIONS`` and ``EXPECTED_GRAPHQL``.

One server and one set of accounts serve the module; the accounts are hashed with cheap Argon2
parameters (they travel inside the hash), as this is about who may do what. A cell that is expected to
succeed uses up the draft it acts on, so it gets one of its own; the refusals share one (every refusal is
decided before the draft's state is looked at, so sharing cannot change a refusal's answer)."""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlencode, urlsplit

import httpx
import pytest
from argon2 import PasswordHasher

from catalogue import graphs
from catalogue.editing import accounts, drafts
from catalogue.editing.descriptions import read_description
from catalogue.queries.proposals import Contact, store_proposal
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from tests.conftest import running_server
from web.auth import SESSION_COOKIE

ID = "https://w3id.org/kcs/id/"
KCS = "https://w3id.org/kcs/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
MMR = ID + "organisation/mmr"
REVISED = ID + "realisation/lk-fve-gymnazium-ceska-lipa"
PASSWORD = "heslo pro maticí přes HTTP"  # noqa: S105 - test accounts
SOURCE = '[ a kcs:SourceReference ; kcs:seedFile "002_46e3fac40e81357b.txt" ; kcs:section "5. Aktualizace zásobníku projektů" ]'
CZECH = re.compile(r"[áčďéěíňóřšťúůýž]", re.IGNORECASE)
NUMBERS = itertools.count(1)

ROLES = ("anonymous", "curator", "reviewer", "ministry", "admin", "disabled")
ACCOUNT_ROLES = ROLES[1:]
EMAILS = {
    "curator": "kurator@example.cz",
    "reviewer": "recenzentka@example.cz",
    "ministry": "ministerstvo@example.cz",
    "admin": "spravce@example.cz",
    "disabled": "zruseny@example.cz",  # a curator, disabled after it logged in and got a token
}
AUTHOR = "autorka@example.cz"  # the "other account": a curator whose drafts the others address
VICTIM = "obet@example.cz"  # the account the admin forms change

# Outcomes. GraphQL: the error's code, or OK; a listing: whether the addressed draft is in it.
OK, U, F, NF = "ok", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND"
LISTED, HIDDEN = "listed", "hidden"
# Pages: LOGIN is 303 to /prihlaseni?zpet=… for a browser and 401 for a program; F is 403; NF 404.
LOGIN = "log-in"

# Which draft a GraphQL operation addresses.
OTHERS_DRAFT = "another account's draft, not submitted"
OTHERS_SUBMITTED = "another account's submitted draft"
OWN_DRAFT = "the account's own draft"
OWN_SUBMITTED = "the account's own submitted draft"
OWN_EXISTING = "the account's own draft of a published record"
OTHERS_EXISTING = "another account's submitted draft of a published record"
USED_UP = {OTHERS_SUBMITTED, OWN_DRAFT}
"""Targets a successful cell changes for good (published, rejected, submitted): one of its own then."""


# -- the expected table: GraphQL --------------------------------------------------------------------------

EXPECTED_GRAPHQL: dict[str, tuple[str, ...]] = {
    #                                                           anonymous curator reviewer ministry admin disabled
    "saveDraft: a new realisation":                            (U,  OK,     OK,     F,      OK,     U),
    "saveDraft: a concept's labels and synonyms":              (U,  OK,     OK,     F,      OK,     U),
    "saveDraft: a concept's hierarchy":                        (U,  F,      F,      F,      OK,     U),
    "saveDraft: a concept re-typed as a realisation":          (U,  F,      F,      F,      OK,     U),
    "saveDraft: a funding programme":                          (U,  F,      F,      OK,     OK,     U),
    "submitDraft: own draft":                                  (U,  OK,     OK,     OK,     OK,     U),
    "submitDraft: another's draft, by id":                     (U,  F,      F,      F,      F,      U),
    "submitDraft: another's draft, by IRI":                    (U,  F,      F,      F,      F,      U),
    "publishDraft: another's unsubmitted draft, by id":        (U,  F,      F,      F,      F,      U),
    "publishDraft: another's unsubmitted draft, by IRI":       (U,  F,      F,      F,      F,      U),
    "publishDraft: another's submitted draft, by id":          (U,  F,      OK,     F,      OK,     U),
    "publishDraft: another's submitted draft, by IRI":         (U,  F,      OK,     F,      OK,     U),
    "publishDraft: own submitted draft":                       (U,  F,      F,      F,      F,      U),
    "rejectDraft: another's unsubmitted draft, by id":         (U,  F,      F,      F,      F,      U),
    "rejectDraft: another's submitted draft, by id":           (U,  F,      OK,     F,      OK,     U),
    "rejectDraft: another's submitted draft, by IRI":          (U,  F,      OK,     F,      OK,     U),
    "rejectDraft: own submitted draft":                        (U,  F,      F,      F,      F,      U),
    "revert: a realisation to its earlier version":            (U,  F,      OK,     F,      OK,     U),
    "drafts: another's unsubmitted draft":                     (U,  HIDDEN, HIDDEN, HIDDEN, HIDDEN, U),
    "drafts: another's submitted draft":                       (U,  HIDDEN, LISTED, HIDDEN, LISTED, U),
    "drafts(status: submitted): another's submitted draft":    (U,  HIDDEN, LISTED, HIDDEN, LISTED, U),
    "history: a revised realisation":                          (OK, OK,     OK,     OK,     OK,     OK),
    "history: another's draft, by its IRI":                    (NF, NF,     NF,     NF,     NF,     NF),
    "history: the resource of another's unpublished draft":    (NF, NF,     NF,     NF,     NF,     NF),
    "resource: another's draft, by its IRI":                   (NF, NF,     NF,     NF,     NF,     NF),
    "me":                                                      (U,  OK,     OK,     OK,     OK,     U),
}  # fmt: skip


# -- the expected table: pages ------------------------------------------------------------------------------

EXPECTED_PAGES: dict[str, tuple[str, ...]] = {
    #                                    anonymous curator reviewer ministry admin disabled
    "GET /ucet":                         (LOGIN, OK, OK, OK, OK, LOGIN),
    "POST /ucet/heslo":                  (LOGIN, OK, OK, OK, OK, LOGIN),
    "GET /sprava/ucty":                  (LOGIN, F,  F,  F,  OK, LOGIN),
    "POST /sprava/ucty":                 (LOGIN, F,  F,  F,  OK, LOGIN),
    "POST /sprava/ucty/role":            (LOGIN, F,  F,  F,  OK, LOGIN),
    "POST /sprava/ucty/zablokovat":      (LOGIN, F,  F,  F,  OK, LOGIN),
    "GET /sprava/zaznam":                (LOGIN, F,  F,  F,  OK, LOGIN),
    "GET /sprava/posta":                 (LOGIN, F,  F,  F,  OK, LOGIN),
    "GET /id/draft/{draft}":             (NF,    NF, NF, NF, NF, NF),
    # the editor
    "GET /upravy":                                                      (LOGIN, OK, OK, OK, OK, LOGIN),
    "GET /upravy/novy/realizace":                                       (LOGIN, OK, OK, F,  OK, LOGIN),
    "GET /upravy/novy/neznamy":                                         (NF,    NF, NF, NF, NF, NF),
    "GET /upravy/upravit?iri=<a realisation>":                          (LOGIN, OK, OK, F,  OK, LOGIN),
    "GET /upravy/upravit?iri=<a measure>":                              (LOGIN, OK, OK, F,  OK, LOGIN),
    "POST /upravy/ulozit: a new realisation":                           (LOGIN, OK, OK, F,  OK, LOGIN),
    "GET /upravy/navrh/{draft}: another's unsubmitted draft":           (LOGIN, F,  F,  F,  F,  LOGIN),
    "GET /upravy/navrh/{draft}: another's submitted draft":             (LOGIN, F,  OK, F,  OK, LOGIN),
    "GET /upravy/navrh/{draft}: own submitted draft":                   (LOGIN, OK, OK, OK, OK, LOGIN),
    "POST /upravy/navrh/{draft}/odeslat: own draft":                    (LOGIN, OK, OK, OK, OK, LOGIN),
    "POST /upravy/navrh/{draft}/odeslat: another's draft":              (LOGIN, F,  F,  F,  F,  LOGIN),
    "POST /upravy/navrh/{draft}/odeslat: another's submitted draft":    (LOGIN, F,  F,  F,  F,  LOGIN),
    "POST /upravy/navrh/{draft}/zverejnit: another's unsubmitted draft": (LOGIN, F, F,  F,  F,  LOGIN),
    "POST /upravy/navrh/{draft}/zverejnit: another's submitted draft":  (LOGIN, F,  OK, F,  OK, LOGIN),
    "POST /upravy/navrh/{draft}/zverejnit: own submitted draft":        (LOGIN, F,  F,  F,  F,  LOGIN),
    "POST /upravy/navrh/{draft}/zamitnout: another's unsubmitted draft": (LOGIN, F, F,  F,  F,  LOGIN),
    "POST /upravy/navrh/{draft}/zamitnout: another's submitted draft":  (LOGIN, F,  OK, F,  OK, LOGIN),
    "POST /upravy/navrh/{draft}/zamitnout: another's submitted draft, no comment": (LOGIN, F, OK, F, OK, LOGIN),
    "POST /upravy/navrh/{draft}/zamitnout: own submitted draft":        (LOGIN, F,  F,  F,  F,  LOGIN),
    "POST /upravy/navrh/{draft}/sloucit: own draft of a published record": (LOGIN, OK, OK, OK, OK, LOGIN),
    "POST /upravy/navrh/{draft}/sloucit: another's unsubmitted draft":  (LOGIN, F,  F,  F,  F,  LOGIN),
    "POST /upravy/navrh/{draft}/sloucit: another's submitted draft of a published record":
                                                                        (LOGIN, F,  F,  F,  F,  LOGIN),
    "GET /upravy/ke-schvaleni":                                         (LOGIN, F,  OK, F,  OK, LOGIN),
    "GET /upravy/vratit?iri=…&verze=…":                                 (LOGIN, F,  OK, F,  OK, LOGIN),
    "POST /upravy/vratit":                                              (LOGIN, F,  OK, F,  OK, LOGIN),
    "GET /upravy/vyber?trida=…Place&q=lipa":                            (LOGIN, OK, OK, OK, OK, LOGIN),
    # the proposals inbox (web/pages/inbox.py): those who triage (curators, reviewers, admins)
    "GET /upravy/navrhy-obci":                                          (LOGIN, OK, OK, F,  OK, LOGIN),
    "GET /upravy/navrhy-obci/{proposal}":                               (LOGIN, OK, OK, F,  OK, LOGIN),
    "POST /upravy/navrhy-obci/{proposal}: triaged":                     (LOGIN, OK, OK, F,  OK, LOGIN),
    "POST /upravy/navrhy-obci/{proposal}: converted into a draft":      (LOGIN, OK, OK, F,  OK, LOGIN),
    # the demand (web/pages/demand.py): every role that may read it
    "GET /poptavka":                                                    (LOGIN, OK, OK, OK, OK, LOGIN),
    "GET /poptavka.csv":                                                (LOGIN, OK, OK, OK, OK, LOGIN),
}  # fmt: skip


# -- the world: one server, one set of accounts ---------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A draft a cell addresses."""

    id: str
    iri: str
    resource: str
    author: str  # the author's e-mail
    status: str


@dataclass
class Client:
    """One role asking in one way: GraphQL over its session cookie or its token, pages as a browser or a
    program. Its own HTTP client, so no cookie travels from one role to another."""

    role: str
    transport: str
    http: httpx.Client
    csrf: str = ""


@dataclass
class World:
    base: str
    clients: dict[tuple[str, str], Client]
    authors: dict[str, httpx.Client]
    """The author's own API client by e-mail (to read a draft's status after a refusal)."""
    targets: dict[tuple[str, str, str], Target]
    shared: dict[tuple[str, str | None], Target]
    texts: dict[str, Any]
    anonymous: httpx.Client
    """A client without an account, to look at what the public sees."""
    proposals: dict[tuple[str, str, str], str] = field(default_factory=dict)
    """A municipality's proposal of its own (its id) for each cell that uses one up."""
    shared_proposal: str = ""
    """The proposal the other cells address: the refusals and the pages that only read."""
    contacts: dict[str, str] = field(default_factory=dict)
    """Each proposal's contact (an e-mail) by its id."""

    def target(self, row: str, role: str, transport: str) -> Target | None:
        kind = OPERATIONS[row].target if row in OPERATIONS else PAGES[row].target
        if kind is None:
            return None
        return self.targets.get((row, role, transport)) or self.shared.get((kind, role)) or self.shared[(kind, None)]

    def proposal(self, row: str, role: str, transport: str) -> str:
        """The id of the proposal a page's cell addresses ("" for a page without one)."""
        if not PAGES[row].proposal:
            return ""
        return self.proposals.get((row, role, transport)) or self.shared_proposal


def realisation(iri: str, label: str) -> str:
    return (
        f'<{iri}> a kcs:Realisation ; skos:prefLabel "{label}"@cs ; kcs:realises <{ID}solution/lk-energeticky-management> ; '
        f'kcs:place <{ID}place/ceska-lipa> ; kcs:year "2023"^^xsd:gYear ; dcterms:source {SOURCE} .'
    )


def _lines(triples: Any, keep: Callable[[Any], bool] = lambda _: True) -> list[str]:
    return [f"{triple} ." for triple in triples if keep(triple)]


def _concept_texts(store: CatalogueStore, settings: Settings) -> dict[str, Any]:
    """A measure of the national concept and three changes of it, and another measure for the editor's form;
    funding programmes and a change of the first; published realisations for the editor's drafts to change."""
    measure, page_measure = (
        row["m"]
        for row in store.values(
            f"SELECT ?m WHERE {{ ?m a <{KCS}TypeMeasure> ; <{SKOS}broader> ?g }} ORDER BY ?m LIMIT 2"
        )
    )
    current = read_description(store, settings, measure)
    synonym = f'<{measure}> <{SKOS}hiddenLabel> "synonymum z matice přes HTTP"@cs .'
    not_broader = lambda t: t.predicate.value != SKOS + "broader"  # noqa: E731
    # The same statements, but the measure says it is a realisation (and has left the hierarchy).
    retyped = [
        f"<{measure}> a <{KCS}Realisation> ."
        if t.predicate.value == RDF_TYPE and str(t.subject) == f"<{measure}>"
        else f"{t} ."
        for t in current.triples
        if not_broader(t)
    ]
    programmes = [
        # The ministry account's own programmes (MMR provides them): another organisation's are refused.
        row["p"]
        for row in store.values(
            f"SELECT ?p WHERE {{ ?p a <{KCS}FundingProgramme> ; <{KCS}provider> <{MMR}> }} ORDER BY ?p LIMIT 8"
        )
    ]
    realisations = [
        row["r"]
        for row in store.values(f"SELECT ?r WHERE {{ ?r a <{KCS}Realisation> }} ORDER BY ?r LIMIT 6")
        if row["r"] != REVISED
    ]
    return {
        "measure": measure,
        "page_measure": page_measure,  # untouched by the GraphQL cells: no account has a draft of it
        "realisations": realisations,
        "measure_version": current.version,
        "labels": "\n".join([*_lines(current.triples), synonym]),
        "hierarchy": "\n".join([*_lines(current.triples, not_broader), synonym]),
        "retyped": "\n".join([*retyped, synonym]),
        "programmes": programmes,
    }


def _programme_change(store: CatalogueStore, settings: Settings, programme: str) -> tuple[str, str]:
    current = read_description(store, settings, programme)
    extra = f'<{programme}> <{SKOS}altLabel> "program z matice přes HTTP"@cs .'
    return "\n".join([*_lines(current.triples), extra]), current.version


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[World]:
    """The seed catalogue with one account per role (and the other account, whose drafts they address),
    the drafts the cells act on, one published revision to revert, and then `katalog serve` over it."""
    folder = tmp_path_factory.mktemp("authorisation-http")
    prepared = folder / "prepared" / "store"
    shutil.copytree(loaded_store_path, prepared)
    settings = Settings(store_path=prepared, index_path=folder / "prepared-index")
    draft_base = graphs.private_base(settings, graphs.DRAFTS)
    targets: dict[tuple[str, str, str], Target] = {}
    shared: dict[tuple[str, str | None], Target] = {}
    secrets: dict[str, tuple[str, str]] = {}
    # The module's accounts get cheap Argon2 parameters (they travel inside the hash, so the server checks
    # them as cheaply): this is about who may do what, not about the hashing, and it keeps the module fast.
    with pytest.MonkeyPatch.context() as patch, CatalogueStore.open(settings) as store:
        patch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        made = {}
        for role, email in [*EMAILS.items(), ("author", AUTHOR), ("victim", VICTIM)]:
            account_role = {"disabled": "curator", "author": "curator", "victim": "curator"}.get(role, role)
            made[role] = accounts.add_account(
                store,
                settings,
                email,
                PASSWORD,
                account_role,
                name=f"Matice {role}",
                organisation=MMR if role == "ministry" else None,
            )
        texts = _concept_texts(store, settings)
        programmes = iter(texts["programmes"][1:])

        published = iter(texts["realisations"])

        def draft_of(role: str, *, submitted: bool, existing: bool = False) -> Target:
            """A new realisation's draft; ``existing``: a change of a published one. A ministry's is always a
            change of a funding programme (it drafts only funding)."""
            actor = made[role]
            if role == "ministry":
                resource = next(programmes)
                turtle, base = _programme_change(store, settings, resource)
            elif existing:
                resource = next(published)
                current = read_description(store, settings, resource)
                extra = f'<{resource}> <{SKOS}altLabel> "Matice {role}"@cs .'
                turtle, base = "\n".join([*_lines(current.triples), extra]), current.version
            else:
                resource = ID + f"realisation/matice-http-{role}-{next(NUMBERS)}"
                turtle, base = realisation(resource, f"Matice {role}"), None
            saved = drafts.save_draft(store, settings, actor, resource, turtle, "Návrh pro matici", base)
            assert saved.conflict is None and not saved.report.violations, saved.report
            if submitted:
                drafts.submit_draft(store, settings, actor, saved.draft.id)
            status = "submitted" if submitted else "draft"
            return Target(saved.draft.id, draft_base + saved.draft.id, resource, actor.email, status)

        shared[(OTHERS_DRAFT, None)] = draft_of("author", submitted=False)
        shared[(OTHERS_SUBMITTED, None)] = draft_of("author", submitted=True)
        shared[(OWN_SUBMITTED, None)] = shared[(OTHERS_SUBMITTED, None)]  # nobody's own: anonymous
        shared[(OWN_DRAFT, None)] = shared[(OTHERS_DRAFT, None)]
        for role in ACCOUNT_ROLES:
            shared[(OWN_SUBMITTED, role)] = draft_of(role, submitted=True)
        shared[(OWN_DRAFT, "disabled")] = draft_of("disabled", submitted=False)
        for row, expected in EXPECTED_GRAPHQL.items():
            kind = OPERATIONS[row].target
            for role, outcome in zip(ROLES, expected, strict=True):
                if kind in USED_UP and outcome == OK:
                    for transport in GRAPHQL_TRANSPORTS:
                        owner = "author" if kind == OTHERS_SUBMITTED else role
                        targets[(row, role, transport)] = draft_of(owner, submitted=kind == OTHERS_SUBMITTED)
        # The editor's pages: each account's own draft of a published record (to move onto its current
        # version), another account's submitted one, and a draft of its own for each cell that uses one up.
        for role in ("curator", "reviewer", "ministry", "admin"):
            shared[(OWN_EXISTING, role)] = draft_of(role, submitted=False, existing=True)
        shared[(OWN_EXISTING, None)] = shared[(OTHERS_DRAFT, None)]
        shared[(OTHERS_EXISTING, None)] = draft_of("author", submitted=True, existing=True)
        # The proposals inbox: a municipality's proposal the refusals and the reading pages share (it stays
        # new), and one of its own for each cell that triages or converts one.
        proposal_base = graphs.private_base(settings, graphs.PROPOSALS)
        contacts: dict[str, str] = {}

        def proposal() -> str:
            number = next(NUMBERS)
            contact = f"obec-{number}@example.cz"
            text = f"Obec {number} hledá, jak řídit veřejné osvětlení podle provozu."
            identifier = str(store_proposal(store, settings, text, Contact("email", contact)))
            contacts[identifier.removeprefix(proposal_base)] = contact
            return identifier.removeprefix(proposal_base)

        shared_proposal = proposal()
        proposals: dict[tuple[str, str, str], str] = {}
        for row, expected in EXPECTED_PAGES.items():
            page = PAGES[row]
            for role, outcome in zip(ROLES, expected, strict=True):
                if page.proposal and page.uses_up and outcome == OK:
                    for transport in PAGE_TRANSPORTS:
                        proposals[(row, role, transport)] = proposal()
                elif page.uses_up and outcome == OK:
                    for transport in PAGE_TRANSPORTS:
                        owner = "author" if page.target == OTHERS_SUBMITTED else role
                        targets[(row, role, transport)] = draft_of(owner, submitted=page.target == OTHERS_SUBMITTED)

        # One published revision of a seed realisation, to revert (the author drafts it, the admin publishes).
        current = read_description(store, settings, REVISED)
        change = [*_lines(current.triples), f'<{REVISED}> <{SKOS}altLabel> "změna k vrácení"@cs .']
        saved = drafts.save_draft(store, settings, made["author"], REVISED, "\n".join(change), "Změna", current.version)
        drafts.submit_draft(store, settings, made["author"], saved.draft.id)
        drafts.publish_draft(store, settings, made["admin"], saved.draft.id, "v pořádku")

        programme_turtle, programme_version = _programme_change(store, settings, texts["programmes"][0])
        texts.update(
            programme=texts["programmes"][0], programme_turtle=programme_turtle, programme_version=programme_version
        )
        for role, account in made.items():
            if role != "victim":
                secrets[role] = (
                    accounts.create_session(store, settings, account),
                    accounts.create_token(store, settings, account.email),
                )
        accounts.disable(store, settings, EMAILS["disabled"])  # ends its session, revokes its token

    with running_server(folder / "server", prepared) as base:
        clients: dict[tuple[str, str], Client] = {}
        for role in ROLES:
            session, token = secrets.get(role, ("", "kcs_neznamy-token"))
            cookies = {SESSION_COOKIE: session} if session else {}
            bearer = {"Authorization": f"Bearer {token}"}
            plain = {} if role == "anonymous" else bearer  # a program without an account sends nothing
            for transport, cookie_jar, headers in (
                ("session", cookies, {}),
                ("token", {}, bearer),
                ("browser", cookies, {"Accept": "text/html"}),
                ("program", {}, plain),
            ):
                http = httpx.Client(base_url=base, cookies=cookie_jar, headers=headers, timeout=60)
                clients[(role, transport)] = Client(role, transport, http)
            me = graphql(clients[(role, "session")], "{ me { ... on Me { csrfToken } } }")["me"]
            assert bool(me.get("csrfToken")) == (role not in ("anonymous", "disabled")), (role, me)
            for transport in ("session", "browser"):
                clients[(role, transport)].csrf = me.get("csrfToken", "")
            if me.get("csrfToken"):  # the pages' forms carry the same token as GraphQL's header
                account_page = clients[(role, "browser")].http.get("/ucet").text
                assert f'name="csrf" value="{me["csrfToken"]}"' in account_page, account_page
        authors = {AUTHOR: httpx.Client(base_url=base, headers={"Authorization": f"Bearer {secrets['author'][1]}"})}
        for role in ACCOUNT_ROLES:
            authors[EMAILS[role]] = clients[(role, "token")].http
        anonymous = httpx.Client(base_url=base, timeout=60)
        try:
            yield World(
                base,
                clients,
                authors,
                targets,
                shared,
                texts,
                anonymous,
                proposals=proposals,
                shared_proposal=shared_proposal,
                contacts=contacts,
            )
        finally:
            for client in [*clients.values()]:
                client.http.close()
            authors[AUTHOR].close()
            anonymous.close()


def graphql(client: Client | httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The data of one GraphQL operation; a GraphQL error fails the test (every refusal is a result)."""
    http = client.http if isinstance(client, Client) else client
    headers = {"X-CSRF-Token": client.csrf} if isinstance(client, Client) and client.csrf else {}
    response = http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]  # type: ignore[no-any-return]


# -- GraphQL operations ---------------------------------------------------------------------------------------

RESULT = """__typename ... on Error { code message } ... on Draft { id status iri }
  ... on Invalid { problems { path message } } ... on EditConflict { draftId }"""
PUBLISHED = """__typename ... on Error { code message } ... on Publication { iri version }
  ... on Invalid { problems { path message } } ... on EditConflict { draftId }"""
SAVE = f"""mutation ($iri: String!, $turtle: String!, $base: String) {{
  saveDraft(iri: $iri, turtle: $turtle, reason: "matice oprávnění", baseVersion: $base) {{ {RESULT} }} }}"""
SUBMIT = f"mutation ($id: ID!) {{ submitDraft(id: $id) {{ {RESULT} }} }}"
PUBLISH = f'mutation ($id: ID!) {{ publishDraft(id: $id, comment: "v pořádku") {{ {PUBLISHED} }} }}'
REJECT = f'mutation ($id: ID!) {{ rejectDraft(id: $id, comment: "Chybí zdroj.") {{ {RESULT} }} }}'
REVERT = f"""mutation ($iri: String!, $to: String!) {{
  revert(iri: $iri, toVersion: $to, reason: "zpět") {{ {PUBLISHED} }} }}"""
DRAFTS = """query ($status: String) { drafts(status: $status) { __typename ... on Error { code message }
  ... on DraftList { items { id status iri } } } }"""
HISTORY = """query ($iri: String!) { history(iri: $iri) { __typename ... on Error { code message }
  ... on History { iri version versions { version baseVersion } } } }"""
RESOURCE = """query ($iri: String!) { resource(iri: $iri) { __typename ... on Error { code message }
  ... on Resource { iri version turtle } } }"""
ME = "{ me { __typename ... on Error { code message } ... on Me { name role } } }"

Variables = Callable[[World, Client, "Target | None"], dict[str, Any]]


@dataclass(frozen=True)
class Operation:
    """One GraphQL operation: its document, the field it answers in, how its variables are made, which
    draft it addresses, what counts as its success, and the resource a refusal must leave unchanged."""

    query: str
    field: str
    variables: Variables
    succeeded: Callable[[dict[str, Any], Client, Target | None], str | None]
    target: str | None = None
    unchanged: Callable[[World, Target | None], str] | None = None


def _typename(name: str, status: str | None = None) -> Callable[[dict[str, Any], Client, Target | None], str | None]:
    def succeeded(result: dict[str, Any], client: Client, target: Target | None) -> str | None:
        if result["__typename"] != name or (status is not None and result.get("status") != status):
            return None
        return OK

    return succeeded


def _listing(result: dict[str, Any], client: Client, target: Target | None) -> str | None:
    if result["__typename"] != "DraftList":
        return None
    assert target is not None
    found = any(item["id"] == target.id or item["iri"] == target.resource for item in result["items"])
    return LISTED if found else HIDDEN


def _me(result: dict[str, Any], client: Client, target: Target | None) -> str | None:
    if result["__typename"] != "Me":
        return None
    expected = "curator" if client.role == "disabled" else client.role
    assert result["role"] == expected, result
    return OK


def _save(
    iri: Callable[[World, Client], str],
    turtle: Callable[[World, Client, str], str],
    base: Callable[[World], str | None] = lambda w: None,
) -> Variables:
    def variables(w: World, c: Client, t: Target | None) -> dict[str, Any]:
        resource = iri(w, c)
        return {"iri": resource, "turtle": turtle(w, c, resource), "base": base(w)}

    return variables


def _by_id(w: World, c: Client, t: Target | None) -> dict[str, Any]:
    assert t is not None
    return {"id": t.id}


def _by_iri(w: World, c: Client, t: Target | None) -> dict[str, Any]:
    assert t is not None
    return {"id": t.iri}


def _earlier_version(w: World, c: Client, t: Target | None) -> dict[str, Any]:
    """A version of the revised realisation other than its current one (each revert makes a new one)."""
    history = graphql(w.anonymous, HISTORY, {"iri": REVISED})["history"]
    versions = [v["baseVersion"] for v in history["versions"]] + [v["version"] for v in history["versions"]]
    return {"iri": REVISED, "to": next(v for v in versions if v and v != history["version"])}


def _target_resource(w: World, t: Target | None) -> str:
    assert t is not None
    return t.resource


_measure: Callable[[World, Client], str] = lambda w, c: w.texts["measure"]  # noqa: E731
_measure_version: Callable[[World], str | None] = lambda w: w.texts["measure_version"]  # noqa: E731

OPERATIONS: dict[str, Operation] = {
    "saveDraft: a new realisation": Operation(
        SAVE,
        "saveDraft",
        _save(
            lambda w, c: ID + f"realisation/matice-http-nova-{c.role}-{c.transport}",
            lambda w, c, iri: realisation(iri, f"Nová realizace {c.role}"),
        ),
        _typename("Draft", "draft"),
    ),
    "saveDraft: a concept's labels and synonyms": Operation(
        SAVE,
        "saveDraft",
        _save(_measure, lambda w, c, iri: w.texts["labels"], _measure_version),
        _typename("Draft", "draft"),
        unchanged=lambda w, t: w.texts["measure"],
    ),
    "saveDraft: a concept's hierarchy": Operation(
        SAVE,
        "saveDraft",
        _save(_measure, lambda w, c, iri: w.texts["hierarchy"], _measure_version),
        _typename("Draft", "draft"),
        unchanged=lambda w, t: w.texts["measure"],
    ),
    "saveDraft: a concept re-typed as a realisation": Operation(
        SAVE,
        "saveDraft",
        _save(_measure, lambda w, c, iri: w.texts["retyped"], _measure_version),
        _typename("Draft", "draft"),
        unchanged=lambda w, t: w.texts["measure"],
    ),
    "saveDraft: a funding programme": Operation(
        SAVE,
        "saveDraft",
        _save(
            lambda w, c: w.texts["programme"],
            lambda w, c, iri: w.texts["programme_turtle"],
            lambda w: w.texts["programme_version"],
        ),
        _typename("Draft", "draft"),
        unchanged=lambda w, t: w.texts["programme"],
    ),
    "submitDraft: own draft": Operation(SUBMIT, "submitDraft", _by_id, _typename("Draft", "submitted"), OWN_DRAFT),
    "submitDraft: another's draft, by id": Operation(
        SUBMIT, "submitDraft", _by_id, _typename("Draft", "submitted"), OTHERS_DRAFT
    ),
    "submitDraft: another's draft, by IRI": Operation(
        SUBMIT, "submitDraft", _by_iri, _typename("Draft", "submitted"), OTHERS_DRAFT
    ),
    "publishDraft: another's unsubmitted draft, by id": Operation(
        PUBLISH, "publishDraft", _by_id, _typename("Publication"), OTHERS_DRAFT, _target_resource
    ),
    "publishDraft: another's unsubmitted draft, by IRI": Operation(
        PUBLISH, "publishDraft", _by_iri, _typename("Publication"), OTHERS_DRAFT, _target_resource
    ),
    "publishDraft: another's submitted draft, by id": Operation(
        PUBLISH, "publishDraft", _by_id, _typename("Publication"), OTHERS_SUBMITTED, _target_resource
    ),
    "publishDraft: another's submitted draft, by IRI": Operation(
        PUBLISH, "publishDraft", _by_iri, _typename("Publication"), OTHERS_SUBMITTED, _target_resource
    ),
    "publishDraft: own submitted draft": Operation(
        PUBLISH, "publishDraft", _by_id, _typename("Publication"), OWN_SUBMITTED, _target_resource
    ),
    "rejectDraft: another's unsubmitted draft, by id": Operation(
        REJECT, "rejectDraft", _by_id, _typename("Draft", "rejected"), OTHERS_DRAFT
    ),
    "rejectDraft: another's submitted draft, by id": Operation(
        REJECT, "rejectDraft", _by_id, _typename("Draft", "rejected"), OTHERS_SUBMITTED
    ),
    "rejectDraft: another's submitted draft, by IRI": Operation(
        REJECT, "rejectDraft", _by_iri, _typename("Draft", "rejected"), OTHERS_SUBMITTED
    ),
    "rejectDraft: own submitted draft": Operation(
        REJECT, "rejectDraft", _by_id, _typename("Draft", "rejected"), OWN_SUBMITTED
    ),
    "revert: a realisation to its earlier version": Operation(
        REVERT, "revert", _earlier_version, _typename("Publication"), unchanged=lambda w, t: REVISED
    ),
    "drafts: another's unsubmitted draft": Operation(DRAFTS, "drafts", lambda w, c, t: {}, _listing, OTHERS_DRAFT),
    "drafts: another's submitted draft": Operation(DRAFTS, "drafts", lambda w, c, t: {}, _listing, OTHERS_SUBMITTED),
    "drafts(status: submitted): another's submitted draft": Operation(
        DRAFTS, "drafts", lambda w, c, t: {"status": "submitted"}, _listing, OTHERS_SUBMITTED
    ),
    "history: a revised realisation": Operation(
        HISTORY, "history", lambda w, c, t: {"iri": REVISED}, _typename("History")
    ),
    "history: another's draft, by its IRI": Operation(
        HISTORY, "history", lambda w, c, t: {"iri": t.iri if t else ""}, _typename("History"), OTHERS_DRAFT
    ),
    "history: the resource of another's unpublished draft": Operation(
        HISTORY, "history", lambda w, c, t: {"iri": t.resource if t else ""}, _typename("History"), OTHERS_DRAFT
    ),
    "resource: another's draft, by its IRI": Operation(
        RESOURCE, "resource", lambda w, c, t: {"iri": t.iri if t else ""}, lambda r, c, t: None, OTHERS_DRAFT
    ),
    "me": Operation(ME, "me", lambda w, c, t: {}, _me),
}
GRAPHQL_TRANSPORTS = ("session", "token")


def _version(world: World, iri: str) -> str | None:
    result = graphql(world.anonymous, RESOURCE, {"iri": iri})["resource"]
    return result.get("version")


def _status(world: World, target: Target) -> str | None:
    """The target's status as its author reads it (None: the author cannot ask, being disabled)."""
    author = world.authors.get(target.author)
    if author is None or target.author == EMAILS["disabled"]:
        return None
    listed = graphql(author, DRAFTS)["drafts"]["items"]
    return next(item["status"] for item in listed if item["id"] == target.id)


def _cells(expected: dict[str, tuple[str, ...]], transports: tuple[str, ...]) -> list[Any]:
    cells: list[Any] = []
    for row, outcomes in expected.items():
        for role, outcome in zip(ROLES, outcomes, strict=True):
            cells.extend(
                pytest.param(row, role, transport, outcome, id=f"{row} | {role} | {transport}")
                for transport in transports
            )
    return cells


def test_the_tables_name_the_same_rows() -> None:
    assert set(EXPECTED_GRAPHQL) == set(OPERATIONS)
    assert set(EXPECTED_PAGES) == set(PAGES)


@pytest.mark.parametrize(("row", "role", "transport", "expected"), _cells(EXPECTED_GRAPHQL, GRAPHQL_TRANSPORTS))
def test_graphql_by_role(world: World, row: str, role: str, transport: str, expected: str) -> None:
    operation = OPERATIONS[row]
    client = world.clients[(role, transport)]
    target = world.target(row, role, transport)
    watched = operation.unchanged(world, target) if operation.unchanged else None
    before = _version(world, watched) if watched else None

    result = graphql(client, operation.query, operation.variables(world, client, target))[operation.field]

    if result["__typename"] in ("Unauthenticated", "Forbidden", "NotFound"):
        outcome = result["code"]
        assert CZECH.search(result["message"]), f"a Czech message: {result}"
        assert result["__typename"].upper().replace("NOTFOUND", "NOT_FOUND") == outcome
    else:
        outcome = operation.succeeded(result, client, target) or f"unexpected {result}"
    assert outcome == expected, f"{role} via {transport}: {row} → {result}"
    if outcome in (U, F):
        if watched:
            assert _version(world, watched) == before, "a refusal publishes nothing"
        if target is not None:
            status = _status(world, target)
            assert status in (None, target.status), f"a refusal leaves the draft {target.status}, not {status}"


# -- pages -------------------------------------------------------------------------------------------------------

ADMIN_ONLY = "Tuto stránku mohou otevřít jen správci katalogu."
NOT_YET_SUBMITTED = "Tento návrh patří jinému účtu a zatím nebyl odeslán ke schválení."
REVIEWERS_READ = "Návrhy jiných účtů čtou jen recenzenti a správci katalogu."
AUTHORS_ONLY = "Tento návrh patří jinému účtu: upravit a odeslat ho může jen jeho autor."
NEVER_OWN = "Vlastní návrh nemůžete sami zveřejnit ani zamítnout: posoudit ho musí někdo jiný."
ROLE_NAMES = {"curator": "kurátor", "reviewer": "recenzent", "ministry": "ministerstvo", "admin": "správce"}
Form = Callable[[World, Client, "Target | None"], dict[str, str]]


def _role_cannot(doing: str, *roles: str) -> dict[str, str]:
    """The table's refusal of ``roles`` that lack the right: "Role kurátor nemůže ``doing``."."""
    return {role: f"Role {ROLE_NAMES[role]} nemůže {doing}." for role in roles}


@dataclass(frozen=True)
class Page:
    """One page and what it answers an account that may open it: ``allowed`` (its status), for a form that
    goes on the ``done`` location (a regular expression), and ``says`` in its body, ``lacks`` not
    (``{email}``: the account's e-mail, ``{csrf}`` its form token, ``{draft}`` the draft's id); and, for
    some roles only, ``says_for`` and ``lacks_for``. A refusal (403) says ``refused`` (by role, where the
    reason differs). ``{draft}`` in the path is the ``target`` draft's id (another account's unsubmitted
    draft unless it says otherwise), ``{version}`` an earlier version of the revised realisation,
    ``{measure}`` a measure of the national concept; ``uses_up``: a successful cell changes its draft for
    good, so it gets one of its own; ``watched``: a resource a refusal must leave unchanged.

    ``proposal``: the page addresses a municipality's proposal, ``{proposal}`` in the path and in ``done``
    (``{contact}`` in ``says``: its contact, which no refusal shows); a refusal leaves it new, and a
    successful cell leaves it ``becomes`` (with ``uses_up``, on a proposal of its own)."""

    method: str
    path: str
    form: Form | None = None
    allowed: int = 200
    done: str | None = None
    says: tuple[str, ...] = ()
    lacks: tuple[str, ...] = ()
    says_for: Mapping[str, tuple[str, ...]] | None = None
    lacks_for: Mapping[str, tuple[str, ...]] | None = None
    refused: str | Mapping[str, str] = ADMIN_ONLY
    target: str | None = OTHERS_DRAFT
    uses_up: bool = False
    watched: str | None = None
    proposal: bool = False
    becomes: str | None = None


def _new_account(w: World, c: Client, t: Target | None) -> dict[str, str]:
    email = f"nova-{c.role}-{c.transport}-{next(NUMBERS)}@example.cz"
    return {
        "csrf": c.csrf,
        "email": email,
        "jmeno": "Nový účet",
        "role": "curator",
        "organizace": "",
        "heslo": PASSWORD,
    }


def _new_realisation(w: World, c: Client, t: Target | None) -> dict[str, str]:
    """A new realisation's form as the editor sends it (tests/test_web_editor.py ``new_realisation``)."""
    number = next(NUMBERS)
    return {
        "csrf": c.csrf,
        "iri": "",
        "druh": "realizace",
        "zakladni_verze": "",
        "akce": "ulozit",
        "identifikator": f"matice-http-formular-{c.role}-{c.transport}-{number}",
        "skos-prefLabel": f"Formulář matice {c.role} {number}",
        "skos-prefLabel.lang": "cs",
        "dcterms-description": "Lampy se stmívají podle provozu a hlásí poruchy.",
        "dcterms-description.lang": "cs",
        "kcs-place": "Liberec",
        "kcs-place.iri": "",
        "kcs-realises": "Portál otevřených dat",
        "kcs-realises.iri": "",
        "kcs-year": "2024",
        "dcterms-source.kcs-seedFile": "",
        "dcterms-source.kcs-publicSource": "https://www.kolin.cz/lampy",
        "dcterms-source.kcs-section": "",
        "duvod": "Nová dobrá praxe z matice",
        "zdroj": "https://www.kolin.cz/lampy",
    }


def _csrf_only(w: World, c: Client, t: Target | None) -> dict[str, str]:
    return {"csrf": c.csrf}


def _comment(text: str) -> Form:
    return lambda w, c, t: {"csrf": c.csrf, "komentar": text}


def _revert_form(w: World, c: Client, t: Target | None) -> dict[str, str]:
    return {"csrf": c.csrf, "iri": REVISED, "verze": _earlier_version(w, c, t)["to"], "duvod": "zpět z matice"}


def _page_of(resource: str) -> str:
    return "/id/" + resource.removeprefix(ID)


EDIT_FORM = 'name="csrf" value="{csrf}"'  # every form of the editor carries the session's token ("" for a program)
LABELS_ONLY = "U pojmů koncepce můžete měnit jen názvy a synonyma"
PUBLISH_FORM = 'action="/upravy/navrh/{draft}/zverejnit"'
REJECT_FORM = 'action="/upravy/navrh/{draft}/zamitnout"'
REVIEWERS = ("reviewer", "admin")
TRIAGERS = _role_cannot("vyřizovat návrhy obcí", "ministry")  # the table's reason (inbox.py names none)
DEMAND_READERS = "Poptávku mohou číst jen přihlášení kurátoři, recenzenti, ministerstva a správci."
NOT_REVIEWERS = ("curator", "ministry")
_revised = urlencode({"iri": REVISED})

PAGES: dict[str, Page] = {
    "GET /ucet": Page("GET", "/ucet", says=("{email}",)),
    # A wrong current password: the form is reached and answers at its field, and no session of the role ends.
    "POST /ucet/heslo": Page(
        "POST",
        "/ucet/heslo",
        lambda w, c, t: {
            "csrf": c.csrf,
            "stare": "není to moje heslo",
            "nove": PASSWORD + "!",
            "znovu": PASSWORD + "!",
        },
        allowed=400,
        says=("Současné heslo není správné.",),
    ),
    "GET /sprava/ucty": Page("GET", "/sprava/ucty", says=(VICTIM,)),
    "POST /sprava/ucty": Page("POST", "/sprava/ucty", _new_account, allowed=303, done=r"/sprava/ucty\?hotovo=pridan"),
    "POST /sprava/ucty/role": Page(
        "POST",
        "/sprava/ucty/role",
        lambda w, c, t: {"csrf": c.csrf, "email": VICTIM, "role": "reviewer"},
        allowed=303,
        done=r"/sprava/ucty\?hotovo=role",
    ),
    "POST /sprava/ucty/zablokovat": Page(
        "POST",
        "/sprava/ucty/zablokovat",
        lambda w, c, t: {"csrf": c.csrf, "email": VICTIM},
        allowed=303,
        done=r"/sprava/ucty\?hotovo=zablokovan",
    ),
    "GET /sprava/zaznam": Page("GET", "/sprava/zaznam", says=("Záznam činností",)),
    "GET /sprava/posta": Page("GET", "/sprava/posta", says=("Odeslaná pošta",)),
    "GET /id/draft/{draft}": Page("GET", "/id/draft/{draft}"),
    # -- the editor (web/pages/editor.py) --
    "GET /upravy": Page(
        "GET",
        "/upravy",
        says=("Moje koncepty a návrhy",),
        says_for={role: ('href="/upravy/ke-schvaleni"',) for role in REVIEWERS},
        lacks_for={role: ('href="/upravy/ke-schvaleni"',) for role in NOT_REVIEWERS},
    ),
    "GET /upravy/novy/realizace": Page(
        "GET",
        "/upravy/novy/realizace",
        says=(EDIT_FORM, 'name="skos-prefLabel"'),
        refused=_role_cannot("upravovat tento druh záznamu (realizace)", "ministry"),
    ),
    # The kind is looked up before anyone is asked to log in: an unknown one is 404 for everybody.
    "GET /upravy/novy/neznamy": Page("GET", "/upravy/novy/neznamy", target=None),
    "GET /upravy/upravit?iri=<a realisation>": Page(
        "GET",
        f"/upravy/upravit?{_revised}",
        says=(EDIT_FORM, 'name="kcs-place"'),
        refused=_role_cannot("upravovat tento druh záznamu (realizace)", "ministry"),
        target=None,
    ),
    # A concept: curators and reviewers get its labels only, an admin the whole form.
    "GET /upravy/upravit?iri=<a measure>": Page(
        "GET",
        "/upravy/upravit?iri={measure}",
        says=(EDIT_FORM, 'name="skos-prefLabel"'),
        says_for={"curator": (LABELS_ONLY,), "reviewer": (LABELS_ONLY,)},
        lacks_for={"admin": (LABELS_ONLY,)},
        refused=_role_cannot("upravovat tento druh záznamu (pojem koncepce)", "ministry"),
        target=None,
    ),
    "POST /upravy/ulozit: a new realisation": Page(
        "POST",
        "/upravy/ulozit",
        _new_realisation,
        allowed=303,
        done=r"/upravy/navrh/[0-9a-f]+\?hotovo=ulozeno",
        refused=_role_cannot("upravovat tento druh záznamu (realizace)", "ministry"),
        target=None,
    ),
    "GET /upravy/navrh/{draft}: another's unsubmitted draft": Page(
        "GET", "/upravy/navrh/{draft}", refused=NOT_YET_SUBMITTED
    ),
    # NB the refusal of a submitted draft says it was not submitted yet (catalogue/editing/drafts.py get_draft).
    "GET /upravy/navrh/{draft}: another's submitted draft": Page(
        "GET",
        "/upravy/navrh/{draft}",
        says=('data-draft-status="submitted"', EDIT_FORM, PUBLISH_FORM, REJECT_FORM),
        refused=REVIEWERS_READ,
        target=OTHERS_SUBMITTED,
    ),
    "GET /upravy/navrh/{draft}: own submitted draft": Page(
        "GET",
        "/upravy/navrh/{draft}",
        says=('data-draft-status="submitted"',),
        lacks=(PUBLISH_FORM, REJECT_FORM),
        target=OWN_SUBMITTED,
    ),
    "POST /upravy/navrh/{draft}/odeslat: own draft": Page(
        "POST",
        "/upravy/navrh/{draft}/odeslat",
        _csrf_only,
        allowed=303,
        done=r"/upravy/navrh/{draft}\?hotovo=odeslano",
        target=OWN_DRAFT,
        uses_up=True,
    ),
    "POST /upravy/navrh/{draft}/odeslat: another's draft": Page(
        "POST", "/upravy/navrh/{draft}/odeslat", _csrf_only, refused=NOT_YET_SUBMITTED
    ),
    "POST /upravy/navrh/{draft}/odeslat: another's submitted draft": Page(
        "POST",
        "/upravy/navrh/{draft}/odeslat",
        _csrf_only,
        refused={
            "curator": REVIEWERS_READ,
            "ministry": REVIEWERS_READ,
            "reviewer": AUTHORS_ONLY,
            "admin": AUTHORS_ONLY,
        },
        target=OTHERS_SUBMITTED,
    ),
    "POST /upravy/navrh/{draft}/zverejnit: another's unsubmitted draft": Page(
        "POST", "/upravy/navrh/{draft}/zverejnit", _comment("v pořádku"), refused=NOT_YET_SUBMITTED
    ),
    "POST /upravy/navrh/{draft}/zverejnit: another's submitted draft": Page(
        "POST",
        "/upravy/navrh/{draft}/zverejnit",
        _comment("v pořádku"),
        allowed=303,
        done=r"{page}\?zverejneno=1#historie",
        refused=REVIEWERS_READ,
        target=OTHERS_SUBMITTED,
        uses_up=True,
    ),
    "POST /upravy/navrh/{draft}/zverejnit: own submitted draft": Page(
        "POST",
        "/upravy/navrh/{draft}/zverejnit",
        _comment("v pořádku"),
        refused={
            "curator": "Role kurátor nemůže zveřejňovat tento druh záznamu (realizace).",
            "ministry": "Role ministerstvo nemůže zveřejňovat tento druh záznamu (program financování).",
            "reviewer": NEVER_OWN,
            "admin": NEVER_OWN,
        },
        target=OWN_SUBMITTED,
    ),
    "POST /upravy/navrh/{draft}/zamitnout: another's unsubmitted draft": Page(
        "POST", "/upravy/navrh/{draft}/zamitnout", _comment("Chybí zdroj."), refused=NOT_YET_SUBMITTED
    ),
    "POST /upravy/navrh/{draft}/zamitnout: another's submitted draft": Page(
        "POST",
        "/upravy/navrh/{draft}/zamitnout",
        _comment("Chybí zdroj."),
        allowed=303,
        done=r"/upravy/ke-schvaleni\?hotovo=zamitnuto",
        refused=REVIEWERS_READ,
        target=OTHERS_SUBMITTED,
        uses_up=True,
    ),
    # Without the comment a reviewer is answered at its field, and the draft stays submitted.
    "POST /upravy/navrh/{draft}/zamitnout: another's submitted draft, no comment": Page(
        "POST",
        "/upravy/navrh/{draft}/zamitnout",
        _csrf_only,
        allowed=400,
        says=("Napište autorovi, proč návrh zamítáte.",),
        refused=REVIEWERS_READ,
        target=OTHERS_SUBMITTED,
    ),
    "POST /upravy/navrh/{draft}/zamitnout: own submitted draft": Page(
        "POST",
        "/upravy/navrh/{draft}/zamitnout",
        _comment("Chybí zdroj."),
        refused={
            "curator": "Role kurátor nemůže zamítat tento druh záznamu (realizace).",
            "ministry": "Role ministerstvo nemůže zamítat tento druh záznamu (program financování).",
            "reviewer": NEVER_OWN,
            "admin": NEVER_OWN,
        },
        target=OWN_SUBMITTED,
    ),
    "POST /upravy/navrh/{draft}/sloucit: own draft of a published record": Page(
        "POST",
        "/upravy/navrh/{draft}/sloucit",
        _csrf_only,
        allowed=303,
        done=r"/upravy/navrh/{draft}\?hotovo=slouceno",
        target=OWN_EXISTING,
    ),
    "POST /upravy/navrh/{draft}/sloucit: another's unsubmitted draft": Page(
        "POST", "/upravy/navrh/{draft}/sloucit", _csrf_only, refused=NOT_YET_SUBMITTED
    ),
    "POST /upravy/navrh/{draft}/sloucit: another's submitted draft of a published record": Page(
        "POST",
        "/upravy/navrh/{draft}/sloucit",
        _csrf_only,
        refused={
            "curator": REVIEWERS_READ,
            "ministry": REVIEWERS_READ,
            "reviewer": AUTHORS_ONLY,
            "admin": AUTHORS_ONLY,
        },
        target=OTHERS_EXISTING,
    ),
    "GET /upravy/ke-schvaleni": Page(
        "GET",
        "/upravy/ke-schvaleni",
        says=("Návrhy ke schválení",),
        refused=_role_cannot("posuzovat návrhy", *NOT_REVIEWERS),
        target=None,
    ),
    "GET /upravy/vratit?iri=…&verze=…": Page(
        "GET",
        f"/upravy/vratit?{_revised}&verze={{version}}",
        says=(EDIT_FORM, "Vrátit k této verzi"),
        refused=_role_cannot("vracet k dřívější verzi tento druh záznamu (realizace)", *NOT_REVIEWERS),
        target=None,
    ),
    "POST /upravy/vratit": Page(
        "POST",
        "/upravy/vratit",
        _revert_form,
        allowed=303,
        done=re.escape(_page_of(REVISED)) + r"\?vraceno=1#historie",
        refused=_role_cannot("vracet k dřívější verzi tento druh záznamu (realizace)", *NOT_REVIEWERS),
        target=None,
        watched=REVISED,
    ),
    "GET /upravy/vyber?trida=…Place&q=lipa": Page(
        "GET",
        "/upravy/vyber?" + urlencode({"trida": KCS + "Place", "q": "lipa"}),
        says=(f'"iri":"{ID}place/ceska-lipa"',),
        target=None,
    ),
    # -- the proposals inbox (web/pages/inbox.py): the contact is shown only to those who triage --
    "GET /upravy/navrhy-obci": Page(
        "GET",
        "/upravy/navrhy-obci",
        says=("Návrhy obcí, nejnovější první", 'href="/upravy/navrhy-obci/{proposal}"', "{contact}"),
        refused=TRIAGERS,
        target=None,
        proposal=True,
    ),
    "GET /upravy/navrhy-obci/{proposal}": Page(
        "GET",
        "/upravy/navrhy-obci/{proposal}",
        says=('data-status="new"', 'href="mailto:{contact}"', EDIT_FORM, 'action="/upravy/navrhy-obci/{proposal}"'),
        refused=TRIAGERS,
        target=None,
        proposal=True,
    ),
    "POST /upravy/navrhy-obci/{proposal}: triaged": Page(
        "POST",
        "/upravy/navrhy-obci/{proposal}",
        lambda w, c, t: {"csrf": c.csrf, "stav": "triaged", "odpoved": "", "akce": "stav"},
        allowed=303,
        done=r"/upravy/navrhy-obci/{proposal}\?hotovo=zmeneno",
        refused=TRIAGERS,
        target=None,
        uses_up=True,
        proposal=True,
        becomes="triaged",
    ),
    "POST /upravy/navrhy-obci/{proposal}: converted into a draft": Page(
        "POST",
        "/upravy/navrhy-obci/{proposal}",
        lambda w, c, t: {"csrf": c.csrf, "akce": "prevest"},
        allowed=303,
        done=r"/upravy/navrh/[0-9a-f]+",
        refused=TRIAGERS,
        target=None,
        uses_up=True,
        proposal=True,
        becomes="converted",
    ),
    # -- the demand (web/pages/demand.py); no account role lacks the right, so none is refused --
    "GET /poptavka": Page("GET", "/poptavka", says=("Poptávka obcí",), refused=DEMAND_READERS, target=None),
    "GET /poptavka.csv": Page(
        "GET",
        "/poptavka.csv",
        says=("Problém;Kolikrát položen;Dobrá shoda;Nejlepší opatření;První den;Poslední den",),
        refused=DEMAND_READERS,
        target=None,
    ),
}
PAGE_TRANSPORTS = ("browser", "program")


def _path(world: World, page: Page, target: Target | None, proposal: str = "") -> str:
    fields = {
        "draft": target.id if target else "",
        "measure": quote_plus(world.texts["page_measure"]),
        "proposal": proposal,
    }
    if "{version}" in page.path:
        fields["version"] = quote_plus(_earlier_version(world, world.clients[("admin", "token")], None)["to"])
    return page.path.format(**fields)


def _said(
    texts: tuple[str, ...], client: Client, target: Target | None, proposal: str = "", contact: str = ""
) -> list[str]:
    email = EMAILS.get(client.role, "")
    fields = {"email": email, "csrf": client.csrf, "draft": target.id if target else "", "proposal": proposal}
    return [text.format(contact=contact, **fields) for text in texts]


def _proposal_status(world: World, proposal: str) -> str:
    """The proposal's state as an admin sees it in the inbox."""
    shown = world.clients[("admin", "program")].http.get(f"/upravy/navrhy-obci/{proposal}")
    assert shown.status_code == 200, shown.text
    found = re.search(r'data-status="([a-z]+)"', shown.text)
    assert found, shown.text
    return found.group(1)


@pytest.mark.parametrize(("row", "role", "transport", "expected"), _cells(EXPECTED_PAGES, PAGE_TRANSPORTS))
def test_pages_by_role(world: World, row: str, role: str, transport: str, expected: str) -> None:
    page = PAGES[row]
    client = world.clients[(role, transport)]
    target = world.target(row, role, transport)
    proposal = world.proposal(row, role, transport)
    contact = world.contacts.get(proposal, "")
    path = _path(world, page, target, proposal)
    form = page.form(world, client, target) if page.form else None
    before = _version(world, page.watched) if page.watched else None
    response = client.http.request(page.method, path, data=form)
    body = unescape(response.text)

    location = response.headers.get("location", "")
    if response.status_code == 303 and location.startswith("/prihlaseni"):
        outcome = LOGIN
        assert transport == "browser", "only a browser is sent to log in; a program gets 401"
        parts = urlsplit(location)
        assert parts.path == "/prihlaseni" and parse_qs(parts.query) == {"zpet": [path]}
    elif response.status_code == 401:
        outcome = LOGIN
        assert transport == "program", "a browser is sent to log in, not answered 401"
        said = response.json()["error"]["message"] if "json" in response.headers["content-type"] else body
        assert CZECH.search(said) and "přihlaste" in said, said
    elif response.status_code == 403:
        outcome = F
        refused = page.refused if isinstance(page.refused, str) else page.refused.get(role, f"no refusal of {role}")
        assert CZECH.search(refused) and refused in body, body
    elif response.status_code == 404:
        outcome = NF
        shown = world.shared[(OTHERS_DRAFT, None)]
        assert shown.resource not in body and "Matice author" not in body, "nothing of the draft"
    elif response.status_code == page.allowed and (
        page.done is None or re.fullmatch(_done(page.done, target, proposal), location)
    ):
        outcome = OK
        for text in _said(page.says + (page.says_for or {}).get(role, ()), client, target, proposal, contact):
            assert text in body, f"{text!r} in {body}"
        for text in _said(page.lacks + (page.lacks_for or {}).get(role, ()), client, target, proposal, contact):
            assert text not in body, f"{text!r} not in {body}"
    else:
        outcome = f"unexpected {response.status_code} {location}"
    assert outcome == expected, f"{role} as a {transport}: {row} → {response.status_code} {location}"
    if page.proposal:
        if outcome != OK:
            assert contact not in body, "no refusal shows the proposal's contact"
            assert _proposal_status(world, proposal) == "new", "a refusal leaves the proposal new"
        elif page.becomes:
            assert _proposal_status(world, proposal) == page.becomes
    if outcome in (LOGIN, F) and page.method == "POST":
        if page.watched:
            assert _version(world, page.watched) == before, "a refusal publishes nothing"
        if target is not None:
            status = _status(world, target)
            assert status in (None, target.status), f"a refusal leaves the draft {target.status}, not {status}"


def _done(pattern: str, target: Target | None, proposal: str = "") -> str:
    pattern = pattern.replace("{proposal}", re.escape(proposal))
    if target is None:
        return pattern
    return pattern.format(draft=re.escape(target.id), page=re.escape(_page_of(target.resource)))
