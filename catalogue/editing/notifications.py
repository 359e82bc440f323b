"""Notifications by e-mail: reviewers hear of a submitted draft, its author of its publication or rejection,
curators of a proposal a municipality sent.

Every message goes into the outbox, the private graph ``graph/private/outbox`` (:data:`catalogue.graphs.OUTBOX`),
with its state, which admins read at ``/sprava/posta``:

- ``unsent``: no SMTP server is set (``KATALOG_SMTP_HOST``), so the outbox only lists what would have been sent;
- ``queued``: written, and being sent by the mail thread;
- ``sent``: the SMTP server took it;
- ``failed``: sending failed; the error is kept beside it and logged.

Sending never makes the action fail and never holds it up: the action is written first, the message is then
recorded (one ``INSERT DATA``, like an audit entry), and the SMTP conversation runs in one background thread
(:func:`wait_for_mail` waits for it, for tests and for a clean shutdown). Any error of the notification itself
is logged and swallowed. A proposal's mail carries its text but never the sender's contact, so that the
retention of contacts is the proposals graph's alone.

Messages are in Czech (subject and body), plain text in UTF-8, with links that start with ``KATALOG_PUBLIC_URL``.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import URIRef

from catalogue.editing import accounts, authorisation
from catalogue.editing.authorisation import KIND_LABELS, Subject
from catalogue.graphs import OUTBOX, private_base, private_graph
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

if TYPE_CHECKING:
    from catalogue.editing.drafts import Draft

LOG = logging.getLogger(__name__)

PRIVATE = "https://w3id.org/kcs/private#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCTERMS = "http://purl.org/dc/terms/"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"

UNSENT = "unsent"
QUEUED = "queued"
SENT = "sent"
FAILED = "failed"
STATES = (UNSENT, QUEUED, SENT, FAILED)

SUBMITTED = "draft-submitted"
PUBLISHED = "draft-published"
REJECTED = "draft-rejected"
PROPOSAL = "proposal-received"
REASONS = (SUBMITTED, PUBLISHED, REJECTED, PROPOSAL)

PROPOSAL_PAGE = "/upravy/navrhy-obci/"
"""The curators' page of one proposal (the proposals inbox), followed by the proposal's identifier."""

MAX_ERROR_LENGTH = 500
SUBJECT_TEXT_LENGTH = 60

_FOOTER = "\n\n-- \nKatalog chytrých služeb\n{url}\n"


@dataclass(frozen=True)
class Mail:
    """One message as written to one recipient."""

    to: str
    subject: str
    body: str
    reason: str


@dataclass(frozen=True)
class OutboxEntry:
    iri: str
    to: str
    subject: str
    body: str
    reason: str
    created: datetime
    state: str
    error: str = ""
    sent: datetime | None = None


# -- the outbox -------------------------------------------------------------------------------------------


def outbox_graph(settings: Settings) -> URIRef:
    return private_graph(settings, OUTBOX)


def _literal(value: str, datatype: str = XSD + "string") -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(datatype))


def _now() -> datetime:
    return datetime.now(UTC)


def _record(store: CatalogueStore, settings: Settings, mail: Mail, state: str) -> str:
    entry = ox.NamedNode(f"{private_base(settings, OUTBOX)}{uuid.uuid4()}")
    triples = [
        ox.Triple(entry, ox.NamedNode(RDF_TYPE), ox.NamedNode(PRIVATE + "Message")),
        ox.Triple(entry, ox.NamedNode(PRIVATE + "to"), _literal(mail.to)),
        ox.Triple(entry, ox.NamedNode(DCTERMS + "title"), _literal(mail.subject)),
        ox.Triple(entry, ox.NamedNode(PRIVATE + "body"), _literal(mail.body)),
        ox.Triple(entry, ox.NamedNode(PRIVATE + "reason"), _literal(mail.reason)),
        ox.Triple(entry, ox.NamedNode(DCTERMS + "created"), _literal(_now().isoformat(), XSD + "dateTime")),
        ox.Triple(entry, ox.NamedNode(PRIVATE + "state"), _literal(state)),
    ]
    store.insert(outbox_graph(settings), triples)
    return entry.value


def _set_state(store: CatalogueStore, settings: Settings, entry: str, state: str, error: str = "") -> None:
    graph = outbox_graph(settings)
    extra = f'; <{PRIVATE}error> {_literal(error[:MAX_ERROR_LENGTH])}' if error else ""
    if state == SENT:
        extra += f"; <{PRIVATE}sentAt> {_literal(_now().isoformat(), XSD + 'dateTime')}"
    store.update(
        f"DELETE {{ GRAPH <{graph}> {{ <{entry}> <{PRIVATE}state> ?old }} }}\n"
        f"INSERT {{ GRAPH <{graph}> {{ <{entry}> <{PRIVATE}state> {_literal(state)} {extra} }} }}\n"
        f"WHERE {{ GRAPH <{graph}> {{ <{entry}> <{PRIVATE}state> ?old }} }}"
    )


_ENTRIES = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX kcsp: <https://w3id.org/kcs/private#>
SELECT ?entry ?to ?subject ?body ?reason ?created ?state ?error ?sent WHERE {
  GRAPH ?outbox {
    ?entry a kcsp:Message ; kcsp:to ?to ; dcterms:title ?subject ; kcsp:body ?body ; kcsp:reason ?reason ;
      dcterms:created ?created ; kcsp:state ?state .
    OPTIONAL { ?entry kcsp:error ?error }
    OPTIONAL { ?entry kcsp:sentAt ?sent }
  }
}
ORDER BY DESC(?created) DESC(STR(?entry))
"""

_COUNT = """
PREFIX kcsp: <https://w3id.org/kcs/private#>
SELECT (COUNT(?entry) AS ?count) WHERE { GRAPH ?outbox { ?entry a kcsp:Message } }
"""


def outbox(store: CatalogueStore, settings: Settings, *, limit: int = 50, offset: int = 0) -> list[OutboxEntry]:
    """``limit`` messages from the ``offset``-th, newest first."""
    query = f"{_ENTRIES}LIMIT {max(0, int(limit))} OFFSET {max(0, int(offset))}"
    rows = store.values(query, {"outbox": outbox_graph(settings)})
    return [
        OutboxEntry(
            iri=row["entry"],
            to=row["to"],
            subject=row["subject"],
            body=row["body"],
            reason=row["reason"],
            created=datetime.fromisoformat(row["created"]),
            state=row["state"],
            error=row.get("error", ""),
            sent=datetime.fromisoformat(row["sent"]) if "sent" in row else None,
        )
        for row in rows
    ]


def outbox_count(store: CatalogueStore, settings: Settings) -> int:
    rows = store.values(_COUNT, {"outbox": outbox_graph(settings)})
    return int(rows[0]["count"]) if rows else 0


# -- sending ----------------------------------------------------------------------------------------------

_executor: ThreadPoolExecutor | None = None
_pending: set[Future[None]] = set()
_lock = threading.RLock()


def _mail_thread() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="katalog-mail")
        return _executor


def wait_for_mail(timeout: float = 30.0) -> bool:
    """Wait until every message handed to the mail thread so far is sent or has failed; False if some
    are still on their way after ``timeout`` seconds."""
    with _lock:
        pending = set(_pending)
    _, not_done = wait_futures(pending, timeout=timeout)
    return not not_done


def email_message(settings: Settings, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(_now())
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rsplit("@", 1)[-1].strip("> ") or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body)
    return message


def _smtp_send(settings: Settings, message: EmailMessage) -> None:
    assert settings.smtp_host is not None
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            smtp.login(settings.smtp_user, password)
        smtp.send_message(message)


def _deliver(store: CatalogueStore, settings: Settings, entry: str, mail: Mail) -> None:
    """In the mail thread: send one message and record how it went. Never raises."""
    try:
        _smtp_send(settings, email_message(settings, mail))
    except Exception as error:
        LOG.warning("notification %s to %s could not be sent: %s", entry, mail.to, error, exc_info=True)
        state, detail = FAILED, f"{type(error).__name__}: {error}"
    else:
        state, detail = SENT, ""
    try:
        _set_state(store, settings, entry, state, detail)
    except Exception:
        LOG.exception("the outbox could not record the state of notification %s", entry)


def _finished(future: Future[None]) -> None:
    with _lock:
        _pending.discard(future)


def send(store: CatalogueStore, settings: Settings, mails: Iterable[Mail]) -> list[str]:
    """Record each message in the outbox and, when SMTP is set, hand it to the mail thread; the outbox
    entries. Never raises: a failure is logged (and recorded where the outbox can be written)."""
    entries = []
    for mail in mails:
        try:
            state = QUEUED if settings.smtp_host else UNSENT
            entry = _record(store, settings, mail, state)
        except Exception:
            LOG.exception("the notification to %s could not be recorded in the outbox", mail.to)
            continue
        entries.append(entry)
        if state == QUEUED:
            with _lock:
                future = _mail_thread().submit(_deliver, store, settings, entry, mail)
                _pending.add(future)
            future.add_done_callback(_finished)
    return entries


# -- the messages -----------------------------------------------------------------------------------------


def _active(found: Iterable[accounts.Account]) -> list[accounts.Account]:
    return [account for account in found if not account.disabled]


def reviewers_of(store: CatalogueStore, settings: Settings, subject: Subject) -> list[accounts.Account]:
    """The active accounts that may publish a draft of ``subject`` (never its author): by the table."""
    return [
        account
        for account in _active(accounts.accounts(store, settings))
        if account.iri != subject.author and authorisation.may(account, authorisation.PUBLISH, subject)
    ]


def curators(store: CatalogueStore, settings: Settings) -> list[accounts.Account]:
    """The active accounts that may triage the proposals municipalities send: by the table."""
    subject = Subject(authorisation.PROPOSAL_KIND)
    return [
        account
        for account in _active(accounts.accounts(store, settings))
        if authorisation.may(account, authorisation.TRIAGE, subject)
    ]


def _label(draft: Draft) -> str:
    labels = [
        triple.object
        for triple in draft.description.own() + draft.base.own()
        if triple.predicate.value == SKOS_PREF_LABEL and isinstance(triple.object, ox.Literal)
    ]
    czech = [label.value for label in labels if label.language == "cs"]
    return (czech or [label.value for label in labels] or [draft.resource])[0]


def _url(settings: Settings, path: str) -> str:
    return settings.public_url.rstrip("/") + path


def _draft_url(settings: Settings, draft: Draft) -> str:
    return _url(settings, f"/upravy/navrh/{draft.id}")


def _resource_url(settings: Settings, resource: str) -> str:
    if resource.startswith(settings.instance_base):
        return _url(settings, "/id/" + resource.removeprefix(settings.instance_base))
    return resource


def _what(draft: Draft) -> str:
    return f"„{_label(draft)}“ ({KIND_LABELS.get(draft.kind, draft.kind)})"


def _footer(settings: Settings) -> str:
    return _FOOTER.format(url=_url(settings, "/"))


def submitted_mails(settings: Settings, draft: Draft, to: Sequence[accounts.Account]) -> list[Mail]:
    new = "nový záznam" if draft.is_new else "změna záznamu"
    body = (
        f"Dobrý den,\n\nke schválení čeká {new} {_what(draft)}.\n\n"
        f"Autor: {draft.author_name}\n"
        f"Důvod změny: {draft.reason or '—'}\n"
        + (f"Zdroj: {draft.source}\n" if draft.source else "")
        + f"\nNávrh s rozdílem a výsledkem kontrol:\n{_draft_url(settings, draft)}\n\n"
        f"Všechny návrhy ke schválení:\n{_url(settings, '/upravy/ke-schvaleni')}\n\n"
        "Tuto zprávu dostáváte, protože v katalogu posuzujete návrhy."
        + _footer(settings)
    )
    subject = f"Ke schválení: {_label(draft)}"
    return [Mail(account.email, subject, body, SUBMITTED) for account in to]


def decided_mail(settings: Settings, draft: Draft, author: accounts.Account, *, published: bool) -> Mail:
    comment = draft.review_comment or "(bez komentáře)"
    if published:
        subject = f"Zveřejněno: {_label(draft)}"
        body = (
            f"Dobrý den,\n\nváš návrh {_what(draft)} byl zveřejněn.\n\n"
            f"Posoudil(a): {draft.reviewer_name or '—'}\n"
            f"Komentář recenzenta: {comment}\n\n"
            f"Záznam v katalogu:\n{_resource_url(settings, draft.resource)}\n\n"
            f"Návrh:\n{_draft_url(settings, draft)}"
        )
    else:
        subject = f"Zamítnuto: {_label(draft)}"
        body = (
            f"Dobrý den,\n\nváš návrh {_what(draft)} byl zamítnut.\n\n"
            f"Posoudil(a): {draft.reviewer_name or '—'}\n"
            f"Komentář recenzenta: {comment}\n\n"
            "Návrh zůstává uložený: upravte ho podle komentáře a odešlete ke schválení znovu.\n"
            f"{_draft_url(settings, draft)}"
        )
    return Mail(author.email, subject, body + _footer(settings), PUBLISHED if published else REJECTED)


def proposal_mails(settings: Settings, proposal: str, text: str, to: Sequence[accounts.Account]) -> list[Mail]:
    short = text if len(text) <= SUBJECT_TEXT_LENGTH else text[: SUBJECT_TEXT_LENGTH - 1].rstrip() + "…"
    identifier = proposal.rsplit("/", 1)[-1]
    body = (
        "Dobrý den,\n\nobec poslala podnět: problém, na který katalog nenašel dobrou odpověď.\n\n"
        f"„{text}“\n\n"
        "Podnět s kontaktem na odesílatele (ten se e-mailem neposílá), jeho roztřídění a odpověď:\n"
        f"{_url(settings, PROPOSAL_PAGE + identifier)}\n\n"
        f"Všechny návrhy obcí:\n{_url(settings, PROPOSAL_PAGE.rstrip('/'))}\n\n"
        "Tuto zprávu dostáváte, protože v katalogu třídíte návrhy obcí."
        + _footer(settings)
    )
    return [Mail(account.email, f"Nový podnět: {short}", body, PROPOSAL) for account in to]


# -- what the actions call --------------------------------------------------------------------------------


def draft_submitted(store: CatalogueStore, settings: Settings, draft: Draft, subject: Subject) -> None:
    """After a submission is written: each reviewer of the draft's kind gets a message. Never raises."""
    try:
        send(store, settings, submitted_mails(settings, draft, reviewers_of(store, settings, subject)))
    except Exception:
        LOG.exception("the reviewers of draft %s could not be notified", draft.id)


def draft_decided(store: CatalogueStore, settings: Settings, draft: Draft, *, published: bool) -> None:
    """After a publication or rejection is written: the draft's author gets a message. Never raises."""
    try:
        author = accounts.account_by_iri(store, settings, draft.author)
        if author is None or author.disabled:
            return
        send(store, settings, [decided_mail(settings, draft, author, published=published)])
    except Exception:
        LOG.exception("the author of draft %s could not be notified", draft.id)


def proposal_received(store: CatalogueStore, settings: Settings, proposal: str, text: str) -> None:
    """After a proposal is stored: each curator gets a message with its text (never its contact). Never
    raises."""
    try:
        send(store, settings, proposal_mails(settings, proposal, text, curators(store, settings)))
    except Exception:
        LOG.exception("the curators could not be notified of proposal %s", proposal)
