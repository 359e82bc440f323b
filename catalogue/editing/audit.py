"""The audit log: who did what to which account or record, and when, in the private graph AUDIT.

Append-only: :func:`record` writes one entry with ``INSERT DATA`` and nothing in the product deletes or
changes one (a log someone could edit would prove nothing). Log-ins, failed log-ins (with the e-mail
tried, never the password), log-outs and every change of an account or token are recorded by
:mod:`catalogue.editing.accounts`; the editing layer records drafts, submissions, publications,
rejections and reverts with the same :func:`record` and the action names below.

Admins read it newest first (:func:`entries`) on ``/sprava/zaznam``; ``katalog backup`` keeps it, and no
public way out of the store shows it (:data:`catalogue.graphs.PRIVATE_GRAPHS`).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import pyoxigraph as ox
from rdflib import URIRef

from catalogue.errors import InvalidInput
from catalogue.graphs import ACCOUNTS, AUDIT, private_base, private_graph
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

PRIVATE = "https://w3id.org/kcs/private#"
"""The terms of the private graphs (accounts, sessions, tokens, log-in failures, the audit log): not part
of the public ontology, as nothing outside the product ever reads them."""

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"

LOGIN = "login"
LOGIN_FAILED = "login-failed"
LOGIN_THROTTLED = "login-throttled"
LOGOUT = "logout"
ACCOUNT_ADDED = "account-added"
ROLE_CHANGED = "role-changed"
ACCOUNT_DISABLED = "account-disabled"
PASSWORD_CHANGED = "password-changed"  # noqa: S105 - an action name, not a password
TOKEN_CREATED = "token-created"  # noqa: S105 - an action name, not a token
ACCOUNTS_LISTED = "accounts-listed"
DRAFT_SAVED = "draft-saved"
DRAFT_SUBMITTED = "draft-submitted"
PUBLISHED = "published"
REJECTED = "rejected"
REVERTED = "reverted"


MAX_DETAIL_LENGTH = 2000
_ACTION = re.compile(r"^[a-z][a-z0-9-]{0,63}$")
_ABSOLUTE_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|^`\\]+$')


class Identified(Protocol):
    """Anything with an IRI: an account (:class:`catalogue.editing.accounts.Account`)."""

    @property
    def iri(self) -> str: ...


@dataclass(frozen=True)
class AuditEntry:
    """One entry: ``actor`` is the account's IRI (None: the operator at the console, or nobody logged in),
    ``actor_email`` its e-mail where the account is known; ``subject`` what the action was done to (an IRI,
    or a text such as the e-mail a failed log-in tried)."""

    iri: str
    action: str
    at: datetime
    actor: str | None
    actor_email: str | None
    subject: str | None
    detail: str


def audit_graph(settings: Settings) -> URIRef:
    return private_graph(settings, AUDIT)


def _literal(value: str, datatype: str = XSD + "string") -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(datatype))


def record(
    store: CatalogueStore,
    settings: Settings,
    action: str,
    *,
    actor: Identified | str | None = None,
    subject: str | None = None,
    detail: str = "",
    now: datetime | None = None,
) -> str:
    """Append one entry to the log; its IRI. Only ever ``INSERT DATA``: nothing is deleted or changed."""
    if not _ACTION.match(action):
        raise InvalidInput(f"Neplatný název činnosti pro záznam: {action!r}.", field="action")
    entry = ox.NamedNode(f"{private_base(settings, AUDIT)}{uuid.uuid4()}")
    # Microseconds, so that entries of one second keep their order when read newest first.
    at = (now or datetime.now(UTC)).astimezone(UTC)
    triples = [
        ox.Triple(entry, ox.NamedNode(RDF_TYPE), ox.NamedNode(PROV + "Activity")),
        ox.Triple(entry, ox.NamedNode(PRIVATE + "action"), _literal(action)),
        ox.Triple(entry, ox.NamedNode(PROV + "startedAtTime"), _literal(at.isoformat(), XSD + "dateTime")),
    ]
    actor_iri = actor if isinstance(actor, str) or actor is None else actor.iri
    if actor_iri:
        triples.append(ox.Triple(entry, ox.NamedNode(PROV + "wasAssociatedWith"), ox.NamedNode(actor_iri)))
    if subject:
        # An IRI stays a link to what it names; anything else (the e-mail a failed log-in tried) is text.
        value = ox.NamedNode(subject) if _ABSOLUTE_IRI.match(subject) else _literal(subject)
        triples.append(ox.Triple(entry, ox.NamedNode(PRIVATE + "subject"), value))
    cleaned = " ".join(detail.split())[:MAX_DETAIL_LENGTH]
    if cleaned:
        triples.append(ox.Triple(entry, ox.NamedNode(DCTERMS + "description"), _literal(cleaned)))
    # No flush: the committed transaction is in the store's write-ahead log, which a killed process keeps;
    # a flush (memory to files, ~90 ms) on every draft saved would spend most of the save's time budget.
    store.insert(audit_graph(settings), triples)
    return entry.value


_ENTRIES = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX kcsp: <https://w3id.org/kcs/private#>
SELECT ?entry ?action ?at ?actor ?actorEmail ?subject ?detail WHERE {
  GRAPH ?audit {
    ?entry kcsp:action ?action ; prov:startedAtTime ?at .
    OPTIONAL { ?entry kcsp:subject ?subject }
    OPTIONAL { ?entry dcterms:description ?detail }
  }
  # The actor's e-mail within the actor's own optional part: outside it, an entry without an actor would
  # join every account.
  OPTIONAL {
    GRAPH ?audit { ?entry prov:wasAssociatedWith ?actor }
    OPTIONAL { GRAPH ?accounts { ?actor schema:email ?actorEmail } }
  }
}
ORDER BY DESC(?at) DESC(STR(?entry))
"""

_COUNT = """
PREFIX kcsp: <https://w3id.org/kcs/private#>
SELECT (COUNT(?entry) AS ?count) WHERE { GRAPH ?audit { ?entry kcsp:action ?action } }
"""


def entries(store: CatalogueStore, settings: Settings, *, limit: int, offset: int = 0) -> list[AuditEntry]:
    """``limit`` entries from the ``offset``-th, newest first."""
    # LIMIT and OFFSET take no variables in SPARQL's grammar: they are written as the integers they are.
    query = f"{_ENTRIES}LIMIT {max(0, int(limit))} OFFSET {max(0, int(offset))}"
    rows = store.values(
        query,
        {"audit": audit_graph(settings), "accounts": private_graph(settings, ACCOUNTS)},
    )
    return [
        AuditEntry(
            iri=row["entry"],
            action=row["action"],
            at=datetime.fromisoformat(row["at"]),
            actor=row.get("actor"),
            actor_email=row.get("actorEmail"),
            subject=row.get("subject"),
            detail=row.get("detail", ""),
        )
        for row in rows
    ]


def entry_count(store: CatalogueStore, settings: Settings) -> int:
    rows = store.values(_COUNT, {"audit": audit_graph(settings)})
    return int(rows[0]["count"]) if rows else 0

