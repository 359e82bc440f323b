"""Accounts, their passwords, API tokens and log-in sessions, and the throttling of log-ins.

Each lives in a private graph of its own (:data:`catalogue.graphs.PRIVATE_GRAPHS`), so no public way out
of the store shows them and ``katalog backup`` keeps them:

- ACCOUNTS: one resource ``<account/uuid>`` per account: its e-mail (unique, kept in lower case, so
  ``Jana@Obec.cz`` and ``jana@obec.cz`` are one account), display name, role (one of
  :data:`~catalogue.editing.authorisation.ROLES`), organisation (a ministry's), whether it is disabled,
  when it was made, its password's Argon2id hash (argon2-cffi; the parameters travel inside the hash,
  and a hash made with weaker ones than today's is replaced at the next log-in) and the public agent IRI
  ``<agent/uuid>`` that the published history names instead of the account;
- TOKENS: API tokens; the token itself is shown once, only its SHA-256 is kept (a token is 256 random
  bits, so a fast hash is enough: there is nothing to guess);
- SESSIONS: log-in sessions, kept by the SHA-256 of the cookie's secret, ending after
  ``session_idle_hours`` without a request or ``session_max_days`` after the log-in;
- LOGIN_FAILURES: the failed log-ins of the last ``login_failure_window_minutes``, by a hash of the
  e-mail tried and of the client address, so the limits hold across every process of the site
  (:class:`~catalogue.editing.throttles.Throttle`).

Disabling an account, changing its password or its role ends all its sessions; disabling revokes its
tokens too. Every change, log-in and failed log-in goes to the audit log (:mod:`.audit`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import pyoxigraph as ox
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from catalogue.editing import audit
from catalogue.editing.audit import DCTERMS, PRIVATE, RDF_TYPE, Identified
from catalogue.editing.authorisation import ROLE_LABELS, ROLES
from catalogue.editing.throttles import Throttle
from catalogue.errors import InvalidInput, NotFound, TooManyAttempts
from catalogue.graphs import ACCOUNTS, LOGIN_FAILURES, SESSIONS, TOKENS, private_base, private_graph
from catalogue.queries.common import InvalidIRI, checked_iri
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from catalogue.store import bind as _bind

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 200
TOKEN_PREFIX = "kcs_"  # noqa: S105 - a prefix that tells a token for what it is (in a log, a leaked file)
SESSION_TOUCH_SECONDS = 300
"""A session's last request is written at most this often: not a write to the store on every page."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_hasher = PasswordHasher()  # argon2-cffi's defaults: Argon2id with RFC 9106's low-memory parameters


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the e-mail is unknown, so that the answer takes as long as for a
    known one and does not tell which e-mails have accounts."""
    return _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Account:
    """An account as the product uses it (it is an :class:`~catalogue.editing.authorisation.Actor`);
    ``agent`` is the public IRI the published history names."""

    iri: str
    email: str
    name: str
    role: str
    organisation: str | None
    disabled: bool
    agent: str

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


# -- checking what people give ----------------------------------------------------------------------


def normalised_email(email: str) -> str:
    """``email`` as accounts keep it (trimmed, lower case), or :class:`InvalidInput` on field "email"."""
    value = email.strip().lower()
    if not value:
        raise InvalidInput("Vyplňte e-mail.", field="email", code="INVALID_EMAIL")
    if len(value) > MAX_EMAIL_LENGTH or not _EMAIL.match(value):
        raise InvalidInput(f"„{email.strip()}“ není platná e-mailová adresa (např. jmeno@obec.cz).", field="email",
                           code="INVALID_EMAIL")
    return value


def checked_password(password: str, field: str = "password") -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Heslo musí mít alespoň {MIN_PASSWORD_LENGTH} znaků (zadané má {len(password)}).", field=field,
            code="PASSWORD_TOO_SHORT",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Heslo může mít nejvýše {MAX_PASSWORD_LENGTH} znaků.", field=field, code="PASSWORD_TOO_LONG"
        )
    return password


def checked_role(role: str) -> str:
    if role not in ROLES:
        known = ", ".join(f"{name} ({ROLE_LABELS[name]})" for name in ROLES)
        raise InvalidInput(f"Neznámá role „{role}“: zvolte jednu z rolí {known}.", field="role", code="UNKNOWN_ROLE")
    return role


def _checked_name(name: str | None, email: str) -> str:
    cleaned = " ".join((name or "").split())
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInput(f"Jméno může mít nejvýše {MAX_NAME_LENGTH} znaků.", field="name", code="NAME_TOO_LONG")
    return cleaned or email.split("@", 1)[0]


_IS_ORGANISATION = """
PREFIX kcs: <https://w3id.org/kcs/ontology#>
ASK { ?organisation a kcs:Organisation }
"""


def _checked_organisation(store: CatalogueStore, role: str, organisation: str | None) -> str | None:
    """The organisation's IRI, which the catalogue must know as an organisation; a ministry's account
    needs one (it acts only on what its organisation owns)."""
    value = (organisation or "").strip()
    if not value:
        if role == "ministry":
            raise InvalidInput(
                "Účet s rolí ministerstvo potřebuje organizaci: uveďte IRI ministerstva z katalogu.",
                field="organisation",
                code="ORGANISATION_NEEDED",
            )
        return None
    try:
        iri = checked_iri(value)
    except InvalidIRI as error:
        raise InvalidInput(f"„{value}“ není IRI organizace (např. https://w3id.org/kcs/id/organisation/mmr).",
                           field="organisation", code="UNKNOWN_ORGANISATION") from error
    if not store.ask(_IS_ORGANISATION, {"organisation": iri}):
        raise InvalidInput(f"Organizaci {value} katalog nezná: uveďte IRI organizace z katalogu.",
                           field="organisation", code="UNKNOWN_ORGANISATION")
    return str(iri)


# -- terms ----------------------------------------------------------------------------------------


def _now(now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def _time(moment: datetime) -> Literal:
    return Literal(moment.isoformat(), datatype=XSD.dateTime)


def _text(value: str) -> Literal:
    return Literal(value, datatype=XSD.string)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _graph(settings: Settings, name: str) -> URIRef:
    return private_graph(settings, name)


def _ox(term: URIRef | Literal) -> ox.NamedNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))


def _triples(subject: str, pairs: list[tuple[str, URIRef | Literal]]) -> list[ox.Triple]:
    node = ox.NamedNode(subject)
    return [ox.Triple(node, ox.NamedNode(predicate), _ox(value)) for predicate, value in pairs]


# -- accounts ---------------------------------------------------------------------------------------

_PREFIXES = """
PREFIX kcsp: <https://w3id.org/kcs/private#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
"""Said once at the head of a query or update request: Oxigraph takes no prologue after an update's ``;``."""


def _update(store: CatalogueStore, *operations: str) -> None:
    """The update operations as one request, so one transaction, made durable before returning."""
    store.update(_PREFIXES + " ;\n".join(operations))
    store.flush()


def _insert_data(graph: URIRef, triples: list[ox.Triple]) -> str:
    body = "\n".join(f"{triple} ." for triple in triples)
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}"

_ACCOUNT_ROWS = _PREFIXES + """
SELECT ?account ?email ?name ?role ?organisation ?disabled ?agent ?hash WHERE {
  GRAPH ?accounts {
    ?account a kcsp:Account ; schema:email ?email ; schema:name ?name ; kcsp:role ?role ;
      kcsp:disabled ?disabled ; kcsp:agent ?agent ; kcsp:passwordHash ?hash .
    OPTIONAL { ?account schema:memberOf ?organisation }
  }
  FILTER_HERE
}
ORDER BY ?email
"""

_ADD_ACCOUNT = """
INSERT { GRAPH ?accounts {
  ?account a kcsp:Account ; schema:email ?email ; schema:name ?name ; kcsp:role ?role ;
    kcsp:disabled false ; dcterms:created ?created ; kcsp:passwordHash ?hash ; kcsp:agent ?agent .
  ORGANISATION_HERE
} }
WHERE { FILTER NOT EXISTS { GRAPH ?accounts { ?other schema:email ?email } } }
"""

_SET_ROLE = """
DELETE { GRAPH ?accounts { ?account kcsp:role ?oldRole . ?account schema:memberOf ?oldOrganisation } }
INSERT { GRAPH ?accounts { ?account kcsp:role ?role . ORGANISATION_HERE } }
WHERE { GRAPH ?accounts { ?account kcsp:role ?oldRole . OPTIONAL { ?account schema:memberOf ?oldOrganisation } } }
"""

_SET_DISABLED = """
DELETE { GRAPH ?accounts { ?account kcsp:disabled ?old } }
INSERT { GRAPH ?accounts { ?account kcsp:disabled true } }
WHERE { GRAPH ?accounts { ?account kcsp:disabled ?old } }
"""

_SET_HASH = """
DELETE { GRAPH ?accounts { ?account kcsp:passwordHash ?old } }
INSERT { GRAPH ?accounts { ?account kcsp:passwordHash ?hash } }
WHERE { GRAPH ?accounts { ?account kcsp:passwordHash ?old } }
"""

_DROP_OF_ACCOUNT = """
DELETE { GRAPH ?graph { ?item ?p ?o } }
WHERE { GRAPH ?graph { ?item kcsp:account ?account ; ?p ?o } }
"""


@dataclass(frozen=True)
class _Row:
    account: Account
    password_hash: str


def _rows(store: CatalogueStore, settings: Settings, where: str = "", **bindings: URIRef | Literal) -> list[_Row]:
    query = _ACCOUNT_ROWS.replace("FILTER_HERE", where)
    found = store.values(query, {"accounts": _graph(settings, ACCOUNTS), **bindings})
    return [
        _Row(
            Account(
                iri=row["account"],
                email=row["email"],
                name=row["name"],
                role=row["role"],
                organisation=row.get("organisation"),
                disabled=row["disabled"] == "true",
                agent=row["agent"],
            ),
            row["hash"],
        )
        for row in found
    ]


def _row_by_email(store: CatalogueStore, settings: Settings, email: str) -> _Row | None:
    rows = _rows(store, settings, "FILTER (?email = ?wanted)", wanted=_text(email.strip().lower()))
    return rows[0] if rows else None


def accounts(store: CatalogueStore, settings: Settings) -> list[Account]:
    """Every account, by e-mail."""
    return [row.account for row in _rows(store, settings)]


def account_by_email(store: CatalogueStore, settings: Settings, email: str) -> Account | None:
    row = _row_by_email(store, settings, email)
    return row.account if row else None


def account_by_iri(store: CatalogueStore, settings: Settings, iri: str) -> Account | None:
    rows = _rows(store, settings, "FILTER (?account = ?wanted)", wanted=URIRef(iri))
    return rows[0].account if rows else None


def _existing(store: CatalogueStore, settings: Settings, email: str) -> Account:
    found = account_by_email(store, settings, email)
    if found is None:
        raise NotFound(f"Účet s e-mailem {email.strip()} neexistuje.")
    return found


def _with_organisation(template: str, organisation: str | None) -> str:
    return template.replace("ORGANISATION_HERE", "?account schema:memberOf ?organisation ." if organisation else "")


def add_account(
    store: CatalogueStore,
    settings: Settings,
    email: str,
    password: str,
    role: str,
    *,
    organisation: str | None = None,
    name: str | None = None,
    actor: Identified | None = None,
    now: datetime | None = None,
) -> Account:
    """Make an account; :class:`InvalidInput` naming the field for a bad e-mail, one already taken, a
    password under :data:`MIN_PASSWORD_LENGTH` characters, an unknown role or organisation. ``name``
    (by default the e-mail's part before the @) is what the published history shows."""
    address = normalised_email(email)
    checked_password(password)
    checked_role(role)
    member_of = _checked_organisation(store, role, organisation)
    display = _checked_name(name, address)
    if account_by_email(store, settings, address) is not None:
        raise InvalidInput(f"Účet s e-mailem {address} už existuje.", field="email", code="EMAIL_TAKEN")
    iri = f"{private_base(settings, ACCOUNTS)}{uuid.uuid4()}"
    bindings: dict[str, URIRef | Literal] = {
        "accounts": _graph(settings, ACCOUNTS),
        "account": URIRef(iri),
        "email": _text(address),
        "name": _text(display),
        "role": _text(role),
        "created": _time(_now(now)),
        "hash": _text(_hasher.hash(password)),
        "agent": URIRef(f"{settings.instance_base}agent/{uuid.uuid4()}"),
    }
    if member_of:
        bindings["organisation"] = URIRef(member_of)
    # One request that writes only while no account has the e-mail: two made at once cannot both win.
    _update(store, _bind(_with_organisation(_ADD_ACCOUNT, member_of), bindings))
    made = account_by_iri(store, settings, iri)
    if made is None:
        raise InvalidInput(f"Účet s e-mailem {address} už existuje.", field="email", code="EMAIL_TAKEN")
    audit.record(store, settings, audit.ACCOUNT_ADDED, actor=actor, subject=made.iri,
                 detail=f"{made.email}, role {role}" + (f", organizace {member_of}" if member_of else ""))
    return made


def _active_admins(store: CatalogueStore, settings: Settings) -> list[Account]:
    return [account for account in accounts(store, settings) if account.role == "admin" and not account.disabled]


def _refuse_losing_the_last_admin(store: CatalogueStore, settings: Settings, account: Account, field: str) -> None:
    if account.role == "admin" and not account.disabled and len(_active_admins(store, settings)) <= 1:
        raise InvalidInput(
            "Toto je jediný aktivní účet správce: nejprve dejte roli správce jinému účtu, jinak by účty "
            "nemohl nikdo spravovat.",
            field=field,
            code="LAST_ADMIN",
        )


def set_role(
    store: CatalogueStore,
    settings: Settings,
    email: str,
    role: str,
    *,
    organisation: str | None = None,
    actor: Identified | None = None,
) -> Account:
    """Give the account ``role`` (and ``organisation``, which a ministry's needs); ends its sessions, so
    that it acts in its new role only after logging in again."""
    account = _existing(store, settings, email)
    checked_role(role)
    member_of = _checked_organisation(store, role, organisation)
    if role != "admin":
        _refuse_losing_the_last_admin(store, settings, account, "role")
    bindings: dict[str, URIRef | Literal] = {
        "accounts": _graph(settings, ACCOUNTS), "account": URIRef(account.iri), "role": _text(role),
    }
    if member_of:
        bindings["organisation"] = URIRef(member_of)
    change = _bind(_with_organisation(_SET_ROLE, member_of), bindings)
    _update(store, change, _end_sessions_sparql(settings, account))
    detail = f"{account.email}: {account.role} → {role}" + (f", organizace {member_of}" if member_of else "")
    audit.record(store, settings, audit.ROLE_CHANGED, actor=actor, subject=account.iri, detail=detail)
    return _existing(store, settings, account.email)


def disable(store: CatalogueStore, settings: Settings, email: str, *, actor: Identified | None = None) -> Account:
    """Disable the account: it can no longer log in, its sessions end and its tokens are revoked."""
    account = _existing(store, settings, email)
    _refuse_losing_the_last_admin(store, settings, account, "email")
    _update(
        store,
        _bind(_SET_DISABLED, {"accounts": _graph(settings, ACCOUNTS), "account": URIRef(account.iri)}),
        _end_sessions_sparql(settings, account),
        _revoke_tokens_sparql(settings, account),
    )
    audit.record(store, settings, audit.ACCOUNT_DISABLED, actor=actor, subject=account.iri, detail=account.email)
    return _existing(store, settings, account.email)


def set_password(
    store: CatalogueStore, settings: Settings, email: str, password: str, *, actor: Identified | None = None
) -> Account:
    """Give the account a new password; every session of it ends (log in again with the new one)."""
    account = _existing(store, settings, email)
    checked_password(password)
    _write_hash(store, settings, account, _hasher.hash(password), then=_end_sessions_sparql(settings, account))
    audit.record(store, settings, audit.PASSWORD_CHANGED, actor=actor or account, subject=account.iri,
                 detail=account.email)
    return account


def change_own_password(
    store: CatalogueStore, settings: Settings, account: Account, old: str, new: str, repeated: str
) -> Account:
    """An account changes its own password: ``old`` must be right, ``new`` and ``repeated`` the same;
    every session ends (the caller gives the person a new one)."""
    row = _row_by_email(store, settings, account.email)
    if row is None or row.account.disabled or not _verifies(row.password_hash, old):
        raise InvalidInput("Současné heslo není správné.", field="old_password", code="WRONG_PASSWORD")
    checked_password(new, "new_password")
    if new != repeated:
        raise InvalidInput("Nové heslo a jeho zopakování se liší: napište ho prosím dvakrát stejně.",
                           field="repeated_password", code="PASSWORDS_DIFFER")
    return set_password(store, settings, account.email, new, actor=account)


def _write_hash(store: CatalogueStore, settings: Settings, account: Account, hashed: str, *, then: str = "") -> None:
    bindings = {"accounts": _graph(settings, ACCOUNTS), "account": URIRef(account.iri), "hash": _text(hashed)}
    _update(store, _bind(_SET_HASH, bindings), *([then] if then else []))


def _verifies(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


# -- log-in and its throttling ---------------------------------------------------------------------

def _login_failures(settings: Settings) -> Throttle:
    return Throttle(LOGIN_FAILURES, "LoginFailure", timedelta(minutes=settings.login_failure_window_minutes))


def _throttle_keys(email: str, client: str | None) -> list[str]:
    """The counters a log-in counts towards: its account's, and its address's when known (the throttle keeps
    their hashes, so the graph keeps no e-mail or address; the audit log says who tried)."""
    keys = ["account:" + email.strip().lower()]
    if client:
        keys.append("address:" + client)
    return keys


def _retry_after(store: CatalogueStore, settings: Settings, email: str, client: str | None, now: datetime) -> float:
    """Seconds until a log-in with ``email`` from ``client`` may be tried again; 0: it may now."""
    account, *address = _throttle_keys(email, client)
    limits = {account: settings.login_failures_per_account}
    limits.update({key: settings.login_failures_per_address for key in address})
    return _login_failures(settings).retry_after(store, settings, limits, now=now)


def throttled_message(seconds: float) -> str:
    minutes = max(1, -(-int(seconds) // 60))
    return (f"Příliš mnoho neúspěšných pokusů o přihlášení. Zkuste to prosím znovu za {minutes} min.")


def authenticate(
    store: CatalogueStore,
    settings: Settings,
    email: str,
    password: str,
    *,
    client: str | None = None,
    now: datetime | None = None,
) -> Account | None:
    """The account whose e-mail and password these are, or None (wrong either way, or disabled: the answer
    does not say which). Raises :class:`TooManyAttempts` while the e-mail or the ``client`` address has had
    too many failed log-ins in the window; a successful log-in does not count. Records the log-in or its
    failure in the audit log (with the e-mail tried, never the password)."""
    moment = _now(now)
    tried = email.strip().lower()[:MAX_EMAIL_LENGTH]
    where = f"z adresy {client}" if client else ""
    wait = _retry_after(store, settings, tried, client, moment)
    if wait > 0:
        audit.record(store, settings, audit.LOGIN_THROTTLED, subject=tried, detail=where)
        raise TooManyAttempts(throttled_message(wait), retry_after=wait)
    row = _row_by_email(store, settings, tried) if tried else None
    # Verified even for an unknown e-mail, against a hash of nothing, so both take as long.
    right = _verifies(row.password_hash if row else _dummy_hash(), password) and row is not None
    if not right or row is None or row.account.disabled:
        _login_failures(settings).count(store, settings, _throttle_keys(tried, client), now=moment)
        audit.record(store, settings, audit.LOGIN_FAILED, actor=row.account if row else None, subject=tried,
                     detail=where)
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        _write_hash(store, settings, row.account, _hasher.hash(password))
    audit.record(store, settings, audit.LOGIN, actor=row.account, subject=row.account.iri, detail=where)
    return row.account


# -- sessions ---------------------------------------------------------------------------------------

_SESSION = _PREFIXES + """
SELECT ?session ?account ?created ?seen WHERE {
  GRAPH ?sessions { ?session kcsp:secretHash ?hash ; kcsp:account ?account ; dcterms:created ?created ;
    kcsp:lastSeen ?seen }
}
"""

_TOUCH = """
DELETE { GRAPH ?sessions { ?session kcsp:lastSeen ?old } }
INSERT { GRAPH ?sessions { ?session kcsp:lastSeen ?now } }
WHERE { GRAPH ?sessions { ?session kcsp:lastSeen ?old } }
"""

_DROP_ITEM = """
DELETE { GRAPH ?graph { ?item ?p ?o } } WHERE { GRAPH ?graph { ?item ?p ?o } }
"""


def _end_sessions_sparql(settings: Settings, account: Account) -> str:
    return _bind(_DROP_OF_ACCOUNT, {"graph": _graph(settings, SESSIONS), "account": URIRef(account.iri)})


def _revoke_tokens_sparql(settings: Settings, account: Account) -> str:
    return _bind(_DROP_OF_ACCOUNT, {"graph": _graph(settings, TOKENS), "account": URIRef(account.iri)})


def create_session(store: CatalogueStore, settings: Settings, account: Account, *, now: datetime | None = None) -> str:
    """A new session of ``account``; its secret, for the cookie (only its hash is kept)."""
    secret = secrets.token_urlsafe(32)
    moment = _time(_now(now))
    iri = f"{private_base(settings, SESSIONS)}{uuid.uuid4()}"
    store.insert(_graph(settings, SESSIONS), _triples(iri, [
        (RDF_TYPE, URIRef(PRIVATE + "Session")), (PRIVATE + "secretHash", _text(_digest(secret))),
        (PRIVATE + "account", URIRef(account.iri)), (DCTERMS + "created", moment), (PRIVATE + "lastSeen", moment),
    ]))
    store.flush()
    return secret


def _session_row(store: CatalogueStore, settings: Settings, secret: str) -> dict[str, str] | None:
    if not secret:
        return None
    rows = store.values(_SESSION, {"sessions": _graph(settings, SESSIONS), "hash": _text(_digest(secret))})
    return rows[0] if rows else None


def _drop(store: CatalogueStore, settings: Settings, name: str, item: str) -> None:
    _update(store, _bind(_DROP_ITEM, {"graph": _graph(settings, name), "item": URIRef(item)}))


def account_for_session(
    store: CatalogueStore, settings: Settings, secret: str, *, now: datetime | None = None
) -> Account | None:
    """The account of the session whose secret this is; None when there is none, it has ended or expired
    (idle or too old), or its account is disabled."""
    row = _session_row(store, settings, secret)
    if row is None:
        return None
    moment = _now(now)
    created, seen = datetime.fromisoformat(row["created"]), datetime.fromisoformat(row["seen"])
    if (moment - seen > timedelta(hours=settings.session_idle_hours)
            or moment - created > timedelta(days=settings.session_max_days)):
        _drop(store, settings, SESSIONS, row["session"])
        return None
    account = account_by_iri(store, settings, row["account"])
    if account is None or account.disabled:
        return None
    if (moment - seen).total_seconds() > SESSION_TOUCH_SECONDS:
        _update(store, _bind(_TOUCH, {
            "sessions": _graph(settings, SESSIONS), "session": URIRef(row["session"]), "now": _time(moment),
        }))
    return account


def end_session(store: CatalogueStore, settings: Settings, secret: str) -> Account | None:
    """End the session whose secret this is (log-out) and record it; the account it was of, or None."""
    row = _session_row(store, settings, secret)
    if row is None:
        return None
    _drop(store, settings, SESSIONS, row["session"])
    account = account_by_iri(store, settings, row["account"])
    audit.record(store, settings, audit.LOGOUT, actor=row["account"], subject=row["account"],
                 detail=account.email if account else "")
    return account


def session_count(store: CatalogueStore, settings: Settings, account: Account) -> int:
    """How many sessions of ``account`` are open (not yet ended or found expired)."""
    rows = store.values(_PREFIXES + "SELECT ?session WHERE { GRAPH ?sessions { ?session kcsp:account ?account } }",
                        {"sessions": _graph(settings, SESSIONS), "account": URIRef(account.iri)})
    return len(rows)


# -- API tokens ---------------------------------------------------------------------------------------

_TOKEN = _PREFIXES + """
SELECT ?token ?account ?expires WHERE {
  GRAPH ?tokens { ?token kcsp:secretHash ?hash ; kcsp:account ?account . OPTIONAL { ?token kcsp:expires ?expires } }
}
"""


def create_token(
    store: CatalogueStore,
    settings: Settings,
    email: str,
    *,
    expires_days: float | None = None,
    actor: Identified | None = None,
    now: datetime | None = None,
) -> str:
    """A new API token of the account (``Authorization: Bearer …``); shown this once, as only its SHA-256
    is kept. It lasts ``expires_days`` (None: until the account is disabled)."""
    account = _existing(store, settings, email)
    if account.disabled:
        raise InvalidInput(f"Účet {account.email} je zablokovaný: token mu nelze vytvořit.", field="email",
                           code="ACCOUNT_DISABLED")
    if expires_days is not None and not expires_days > 0:
        raise InvalidInput("Platnost tokenu musí být kladný počet dní.", field="expires", code="INVALID_EXPIRY")
    moment = _now(now)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    iri = f"{private_base(settings, TOKENS)}{uuid.uuid4()}"
    pairs: list[tuple[str, URIRef | Literal]] = [
        (RDF_TYPE, URIRef(PRIVATE + "ApiToken")), (PRIVATE + "secretHash", _text(_digest(token))),
        (PRIVATE + "account", URIRef(account.iri)), (DCTERMS + "created", _time(moment)),
    ]
    expires = moment + timedelta(days=expires_days) if expires_days is not None else None
    if expires is not None:
        pairs.append((PRIVATE + "expires", _time(expires)))
    store.insert(_graph(settings, TOKENS), _triples(iri, pairs))
    store.flush()
    audit.record(store, settings, audit.TOKEN_CREATED, actor=actor, subject=account.iri,
                 detail=account.email + (f", platný do {expires:%Y-%m-%d %H:%M} UTC" if expires else ", bez omezení"))
    return token


def account_for_token(
    store: CatalogueStore, settings: Settings, token: str, *, now: datetime | None = None
) -> Account | None:
    """The account of the API token; None when it is unknown, revoked, expired or its account disabled."""
    if not token:
        return None
    rows = store.values(_TOKEN, {"tokens": _graph(settings, TOKENS), "hash": _text(_digest(token))})
    if not rows:
        return None
    expires = rows[0].get("expires")
    if expires is not None and datetime.fromisoformat(expires) <= _now(now):
        return None
    account = account_by_iri(store, settings, rows[0]["account"])
    return None if account is None or account.disabled else account


__all__ = [
    "Account",
    "account_by_email",
    "account_by_iri",
    "account_for_session",
    "account_for_token",
    "accounts",
    "add_account",
    "authenticate",
    "change_own_password",
    "create_session",
    "create_token",
    "disable",
    "end_session",
    "set_password",
    "set_role",
]
