"""Who may do what: one table of role × action × kind of resource, which decides every request.

Every editing page, GraphQL mutation, CLI command and admin page asks :func:`authorise` before it acts,
and nothing else decides. Besides the table, three conditions hold for every role:

- a draft is its author's: only the author edits or submits it, and nobody else reads it before it is
  submitted (reviewers and admins then read it in their queue);
- nobody publishes or rejects their own draft (four eyes, as iQvoc's and TopBraid EDG's workflows);
- a ``ministry`` account acts only on the programmes, calls and priorities its own organisation owns
  (:func:`catalogue.editing.drafts.owners`: a programme's or call's providers, a priority's
  organisation), and a ``reviewer`` publishes, rejects or reverts those only for its own organisation.

A refusal is :class:`~catalogue.errors.Unauthenticated` for a request without an account (401, or a
redirect to log-in on pages) and :class:`~catalogue.errors.Forbidden` (403) otherwise, each with a
Czech message saying why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from catalogue.errors import Forbidden, Unauthenticated

ROLES = ("curator", "reviewer", "ministry", "admin")
"""The roles of an account, from the least to the most trusted."""

ROLE_LABELS = {"curator": "kurátor", "reviewer": "recenzent", "ministry": "ministerstvo", "admin": "správce"}

CURATED_KINDS = frozenset(
    {"realisation", "service", "solution", "problem", "organisation", "place", "indicator", "concept"}
)
"""What curators keep: the good practice, the services and solutions, and the labels of any concept."""

MINISTRY_KINDS = frozenset({"programme", "call", "priority"})
"""What a ministry keeps of its own organisation (the next issue)."""

OTHER_KIND = "other"
"""Everything else the catalogue describes (strategies, descriptors, documents …): admins only."""

ALL_KINDS = CURATED_KINDS | MINISTRY_KINDS | {OTHER_KIND}

KIND_LABELS = {
    "realisation": "realizace",
    "service": "chytrá služba",
    "solution": "chytré řešení",
    "problem": "problém",
    "organisation": "organizace",
    "place": "místo",
    "indicator": "ukazatel",
    "concept": "pojem koncepce",
    "programme": "program financování",
    "call": "výzva",
    "priority": "priorita",
    "other": "jiný zdroj",
    "demand": "poptávka",
    "proposal": "návrh obce",
}

# The actions on drafts and resources, and those of administration.
EDIT = "edit"  # create a draft, change one's own draft
SUBMIT = "submit"  # hand one's own draft over for review
REVIEW = "review"  # read the queue of submitted drafts with their diffs and reports
PUBLISH = "publish"
REJECT = "reject"
REVERT = "revert"  # publish an earlier revision again, as a new revision
MANAGE_ACCOUNTS = "manage-accounts"
READ_AUDIT = "read-audit"
READ_DEMAND = "read-demand"  # what municipalities ask (/poptavka)
TRIAGE = "triage"  # the proposals municipalities send, with their contacts: read, answer, convert, purge
READ_OUTBOX = "read-outbox"  # the e-mail notifications sent, or that would have been (/sprava/posta)

ACTIONS = (
    EDIT, SUBMIT, REVIEW, PUBLISH, REJECT, REVERT, MANAGE_ACCOUNTS, READ_AUDIT, READ_DEMAND, TRIAGE, READ_OUTBOX
)

ACCOUNT_KIND = "account"
AUDIT_KIND = "audit"
DEMAND_KIND = "demand"
PROPOSAL_KIND = "proposal"
OUTBOX_KIND = "outbox"

_CURATING = {
    EDIT: CURATED_KINDS,
    SUBMIT: CURATED_KINDS,
    READ_DEMAND: frozenset({DEMAND_KIND}),
    TRIAGE: frozenset({PROPOSAL_KIND}),
}
_REVIEWING = {
    REVIEW: ALL_KINDS,
    PUBLISH: CURATED_KINDS | MINISTRY_KINDS,
    REJECT: CURATED_KINDS | MINISTRY_KINDS,
    REVERT: CURATED_KINDS | MINISTRY_KINDS,
}
ORGANISATION_BOUND = frozenset({"ministry", "reviewer"})
"""The roles that act on the kinds organisations own only for their own organisation (admins for any)."""

PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    "curator": dict(_CURATING),
    "reviewer": _CURATING | _REVIEWING,
    "ministry": {EDIT: MINISTRY_KINDS, SUBMIT: MINISTRY_KINDS, READ_DEMAND: frozenset({DEMAND_KIND})},
    "admin": {
        EDIT: ALL_KINDS,
        SUBMIT: ALL_KINDS,
        REVIEW: ALL_KINDS,
        PUBLISH: ALL_KINDS,
        REJECT: ALL_KINDS,
        REVERT: ALL_KINDS,
        MANAGE_ACCOUNTS: frozenset({ACCOUNT_KIND}),
        READ_AUDIT: frozenset({AUDIT_KIND}),
        READ_DEMAND: frozenset({DEMAND_KIND}),
        TRIAGE: frozenset({PROPOSAL_KIND}),
        READ_OUTBOX: frozenset({OUTBOX_KIND}),
    },
}
"""role → action → the kinds of resource it may be done to. What is not here is refused."""

SKOS = "http://www.w3.org/2004/02/skos/core#"
LABEL_PROPERTIES = frozenset({SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel"})

CHANGEABLE_PROPERTIES: dict[tuple[str, str], frozenset[str]] = {
    ("curator", "concept"): LABEL_PROPERTIES,
    ("reviewer", "concept"): LABEL_PROPERTIES,
}
"""Where a role may change only some properties of a kind: of a concept of the national concept, curators
keep the labels and synonyms, not the hierarchy (that is the concept's own document)."""

AUTHOR_ONLY = frozenset({EDIT, SUBMIT})
NEVER_OWN = frozenset({PUBLISH, REJECT})

_ACTION_PHRASES = {
    EDIT: "upravovat",
    SUBMIT: "odesílat ke schválení",
    REVIEW: "posuzovat návrhy",
    PUBLISH: "zveřejňovat",
    REJECT: "zamítat",
    REVERT: "vracet k dřívější verzi",
    MANAGE_ACCOUNTS: "spravovat účty",
    READ_AUDIT: "číst záznam činností",
    READ_DEMAND: "číst poptávku",
    TRIAGE: "vyřizovat návrhy obcí",
    READ_OUTBOX: "číst odeslanou poštu",
}


class Actor(Protocol):
    """What the table needs to know of an account (:class:`catalogue.editing.accounts.Account` is one),
    and the public agent and name the history shows for it."""

    @property
    def iri(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def organisation(self) -> str | None: ...
    @property
    def disabled(self) -> bool: ...
    @property
    def agent(self) -> str: ...
    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class Subject:
    """What an action is done to: a kind of resource, the draft's author where it is a draft, and the
    organisations that own the resource where it is of a kind organisations own (None: not known, as on a
    page that only shows an empty form; every write names them)."""

    kind: str
    author: str | None = None
    owners: frozenset[str] | None = None


def refusal(actor: Actor | None, action: str, subject: Subject) -> Forbidden | Unauthenticated | None:
    """None when ``actor`` may do ``action`` to ``subject``; else the error that says why."""
    if actor is None or actor.disabled:
        return Unauthenticated("Pro tuto činnost se přihlaste.")
    kinds = PERMISSIONS.get(actor.role, {}).get(action, frozenset())
    role = ROLE_LABELS.get(actor.role, actor.role)
    if subject.kind not in kinds:
        what = KIND_LABELS.get(subject.kind, subject.kind)
        if action in (MANAGE_ACCOUNTS, READ_AUDIT, REVIEW, READ_DEMAND, TRIAGE, READ_OUTBOX):
            return Forbidden(f"Role {role} nemůže {_ACTION_PHRASES[action]}.")
        return Forbidden(f"Role {role} nemůže {_ACTION_PHRASES[action]} tento druh záznamu ({what}).")
    if action in AUTHOR_ONLY and subject.author is not None and subject.author != actor.iri:
        return Forbidden("Tento návrh patří jinému účtu: upravit a odeslat ho může jen jeho autor.")
    if action in NEVER_OWN and subject.author == actor.iri:
        return Forbidden("Vlastní návrh nemůžete sami zveřejnit ani zamítnout: posoudit ho musí někdo jiný.")
    if (
        subject.kind in MINISTRY_KINDS
        and actor.role in ORGANISATION_BOUND
        and subject.owners is not None
        and actor.organisation not in subject.owners
    ):
        return Forbidden(
            "Tento záznam nepatří vaší organizaci: upravovat a posuzovat můžete jen programy, výzvy a priority, "
            "jejichž poskytovatelem či vlastníkem je vaše organizace (a tak to má zůstat i po změně)."
        )
    return None


def may(actor: Actor | None, action: str, subject: Subject) -> bool:
    return refusal(actor, action, subject) is None


def authorise(actor: Actor | None, action: str, subject: Subject) -> None:
    """Nothing when allowed; else raises :class:`Unauthenticated` or :class:`Forbidden`."""
    error = refusal(actor, action, subject)
    if error is not None:
        raise error


def may_read_draft(actor: Actor | None, author: str, status: str) -> bool:
    """A draft is read by its author, and once submitted (or decided) by those who review its kind."""
    if actor is None or actor.disabled:
        return False
    if actor.iri == author:
        return True
    return status != "draft" and REVIEW in PERMISSIONS.get(actor.role, {})


def changeable_properties(actor: Actor, kind: str) -> frozenset[str] | None:
    """The only properties ``actor`` may change on a resource of ``kind``; None: any."""
    return CHANGEABLE_PROPERTIES.get((actor.role, kind))

