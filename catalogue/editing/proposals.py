"""The proposals inbox: what municipalities send from the answer page (:mod:`catalogue.queries.proposals`
stores it), as curators keep it — read with the sender's contact, moved from new to triaged and then to
answered, converted, duplicate or rejected, with the reply recorded; converting starts a draft problem.

Contacts are personal data kept only as long as needed: :func:`purge` deletes the contacts of proposals
older than the retention period (``proposal_retention_days``, 180 by default), which ``katalog purge``
runs and the server runs daily; :func:`forget` deletes everything one sender sent. Proposals are a
private graph (:data:`catalogue.graphs.PROPOSALS`), never in ``/sparql``, linked data, search or export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rdflib import Literal, URIRef

from catalogue import graphs
from catalogue.editing import audit, authorisation, drafts
from catalogue.editing.authorisation import PROPOSAL_KIND, TRIAGE, Actor, Subject
from catalogue.errors import InvalidInput, NotFound
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

KCS = "https://w3id.org/kcs/ontology#"
KCSP = "https://w3id.org/kcs/private#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"

STATUSES = ("new", "triaged", "answered", "converted", "duplicate", "rejected")
STATUS_LABELS = {
    "new": "nový",
    "triaged": "posouzený",
    "answered": "zodpovězený",
    "converted": "převedený na koncept",
    "duplicate": "duplicitní",
    "rejected": "zamítnutý",
}
NEXT = {
    "new": ("triaged", "answered", "duplicate", "rejected"),
    "triaged": ("answered", "duplicate", "rejected"),
}
"""Where a proposal may go from each state by hand (converting is :func:`convert`); the others are final."""
NEEDS_REPLY = frozenset({"answered", "rejected"})
MAX_REPLY = 4000
MAX_LABEL = 200

PROPOSAL_TRIAGED = "proposal-triaged"
PROPOSAL_CONVERTED = "proposal-converted"
PROPOSALS_PURGED = "proposals-purged"
SENDER_FORGOTTEN = "sender-forgotten"


@dataclass(frozen=True)
class Proposal:
    iri: str
    id: str
    text: str
    created: datetime
    contact_kind: str
    """``email`` or ``telephone``; "" once the contact is purged."""
    contact: str
    status: str
    reply: str
    replied: datetime | None
    converted_into: str
    """The draft the proposal was converted into (its id), or ""."""


def _graph(settings: Settings) -> URIRef:
    return URIRef(graphs.graph_iri(settings, graphs.PROPOSALS))


def _base(settings: Settings) -> str:
    return graphs.private_base(settings, graphs.PROPOSALS)


_READ = f"""SELECT ?proposal ?text ?created ?email ?telephone ?status ?reply ?replied ?converted WHERE {{
  GRAPH ?proposals {{
    ?proposal a <{KCS}Proposal> ; <{DCTERMS}description> ?text ; <{DCTERMS}created> ?created .
    OPTIONAL {{ ?proposal <{SCHEMA}email> ?email }}
    OPTIONAL {{ ?proposal <{SCHEMA}telephone> ?telephone }}
    OPTIONAL {{ ?proposal <{KCSP}status> ?status }}
    OPTIONAL {{ ?proposal <{KCSP}reply> ?reply }}
    OPTIONAL {{ ?proposal <{KCSP}repliedAt> ?replied }}
    OPTIONAL {{ ?proposal <{KCSP}convertedInto> ?converted }}
  }} {{only}}
}} ORDER BY DESC(?created) ?proposal"""


def _proposals(store: CatalogueStore, settings: Settings, only: str = "") -> list[Proposal]:
    rows = store.values(_READ.replace("{only}", only), {"proposals": _graph(settings)})
    base = _base(settings)
    found = []
    for row in rows:
        kind = "email" if row.get("email") else "telephone" if row.get("telephone") else ""
        found.append(Proposal(
            iri=row["proposal"],
            id=row["proposal"].removeprefix(base),
            text=row["text"],
            created=datetime.fromisoformat(row["created"]),
            contact_kind=kind,
            contact=row.get(kind, "") if kind else "",
            status=row.get("status", "new"),
            reply=row.get("reply", ""),
            replied=datetime.fromisoformat(row["replied"]) if row.get("replied") else None,
            converted_into=row.get("converted", ""),
        ))
    return found


def inbox(store: CatalogueStore, settings: Settings, actor: Actor | None, status: str | None = None) -> list[Proposal]:
    """The proposals, the newest first (only those in ``status`` if given), for those who triage them."""
    authorisation.authorise(actor, TRIAGE, Subject(PROPOSAL_KIND))
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"Neznámý stav návrhu „{status}“: čekáme {', '.join(STATUSES)}.", field="status")
    return [p for p in _proposals(store, settings) if status is None or p.status == status]


def get_proposal(store: CatalogueStore, settings: Settings, actor: Actor | None, identifier: str) -> Proposal:
    authorisation.authorise(actor, TRIAGE, Subject(PROPOSAL_KIND))
    identifier = identifier.removeprefix(_base(settings))
    if not identifier.replace("-", "").isalnum():
        raise NotFound("Takový návrh obce v katalogu není.")
    found = _proposals(store, settings, f"VALUES ?proposal {{ <{_base(settings)}{identifier}> }}")
    if not found:
        raise NotFound("Takový návrh obce v katalogu není.")
    return found[0]


def _literal(text: str, datatype: str = XSD + "string") -> str:
    return Literal(text, datatype=URIRef(datatype)).n3()


def _set_state(store: CatalogueStore, settings: Settings, proposal: Proposal, status: str, reply: str,
               converted_into: str = "") -> None:
    graph, iri = _graph(settings), f"<{proposal.iri}>"
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    added = [f"{iri} <{KCSP}status> {_literal(status)} ."]
    if reply:
        added += [f"{iri} <{KCSP}reply> {_literal(reply)} .",
                  f"{iri} <{KCSP}repliedAt> {_literal(now, XSD + 'dateTime')} ."]
    if converted_into:
        added.append(f"{iri} <{KCSP}convertedInto> {_literal(converted_into)} .")
    replaced = [f"<{KCSP}status>"] + ([f"<{KCSP}reply>", f"<{KCSP}repliedAt>"] if reply else [])
    store.update(
        f"DELETE {{ GRAPH <{graph}> {{ {iri} ?p ?o }} }} WHERE {{ GRAPH <{graph}> {{ {iri} ?p ?o "
        f"FILTER (?p IN ({', '.join(replaced)})) }} }} ;\n"
        f"INSERT DATA {{ GRAPH <{graph}> {{ {' '.join(added)} }} }}"
    )


def triage(
    store: CatalogueStore, settings: Settings, actor: Actor | None, identifier: str, status: str, reply: str = ""
) -> Proposal:
    """Move a proposal to ``status`` (see :data:`NEXT`), with the reply sent to its sender where it needs one."""
    proposal = get_proposal(store, settings, actor, identifier)
    reply = reply.strip()
    if status not in NEXT.get(proposal.status, ()):
        raise InvalidInput(
            f"Návrh je {STATUS_LABELS[proposal.status]}: do stavu „{STATUS_LABELS.get(status, status)}“ ho převést "
            "nelze.", field="status")
    if status in NEEDS_REPLY and not reply:
        raise InvalidInput("Napište odpověď, kterou obci pošlete: zapíše se k návrhu.", field="reply")
    if len(reply) > MAX_REPLY:
        raise InvalidInput(f"Odpověď je delší než {MAX_REPLY} znaků; zkraťte ji.", field="reply")
    _set_state(store, settings, proposal, status, reply)
    audit.record(store, settings, PROPOSAL_TRIAGED, actor=actor, subject=proposal.iri, detail=status)
    return get_proposal(store, settings, actor, proposal.id)


def convert(store: CatalogueStore, settings: Settings, actor: Actor | None, identifier: str) -> drafts.Draft:
    """Start a draft problem of the proposal's text (the curator then completes and submits it); the proposal
    is converted and names the draft."""
    proposal = get_proposal(store, settings, actor, identifier)
    if proposal.status not in NEXT:
        raise InvalidInput(f"Návrh je {STATUS_LABELS[proposal.status]}: převést ho už nelze.", field="status")
    label = " ".join(proposal.text.split())[:MAX_LABEL]
    slug = "navrh-" + proposal.id[:8]
    resource = f"{settings.instance_base}problem/{slug}"
    turtle = f"""<{resource}> a kcs:Problem ; skos:prefLabel {Literal(label, lang="cs").n3()} ;
        skos:inScheme <{settings.instance_base}problem/problemy> ."""
    saved = drafts.save_draft(store, settings, actor, resource, turtle, "Z návrhu obce", None)
    _set_state(store, settings, proposal, "converted", "", converted_into=saved.draft.id)
    audit.record(store, settings, PROPOSAL_CONVERTED, actor=actor, subject=proposal.iri, detail=saved.draft.id)
    return saved.draft


def _delete(store: CatalogueStore, settings: Settings, condition: str, what: Sequence[str]) -> None:
    graph = _graph(settings)
    store.update(
        f"DELETE {{ GRAPH <{graph}> {{ ?proposal ?p ?o }} }} WHERE {{ GRAPH <{graph}> {{ ?proposal a <{KCS}Proposal> ; "
        f"?p ?o . {condition} }} {('FILTER (?p IN (' + ', '.join(what) + '))') if what else ''} }}"
    )


_CONTACTS = (f"<{SCHEMA}email>", f"<{SCHEMA}telephone>")


def purge(store: CatalogueStore, settings: Settings, *, now: datetime | None = None) -> int:
    """Delete the contacts of proposals older than the retention period; how many proposals lost theirs."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=settings.proposal_retention_days)
    before = _literal(cutoff.isoformat(), XSD + "dateTime")
    condition = (f"?proposal <{DCTERMS}created> ?created FILTER (?created < {before}) "
                 f"FILTER EXISTS {{ ?proposal <{SCHEMA}email>|<{SCHEMA}telephone> ?contact }}")
    graph = _graph(settings)
    count = store.values(
        f"SELECT (COUNT(DISTINCT ?proposal) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?proposal a <{KCS}Proposal> . "
        f"{condition} }} }}"
    )
    purged = int(count[0]["n"]) if count else 0
    if purged:
        _delete(store, settings, condition, _CONTACTS)
        audit.record(store, settings, PROPOSALS_PURGED, detail=str(purged))
    return purged


def forget(store: CatalogueStore, settings: Settings, email: str) -> int:
    """Delete every proposal the sender with ``email`` sent (text and contact); how many."""
    address = email.strip()
    if not address:
        raise InvalidInput("Uveďte e-mail odesílatele.", field="email")
    graph = _graph(settings)
    condition = f"?proposal <{SCHEMA}email> ?email FILTER (LCASE(STR(?email)) = LCASE({_literal(address)}))"
    count = store.values(
        f"SELECT (COUNT(DISTINCT ?proposal) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?proposal a <{KCS}Proposal> . "
        f"{condition} }} }}"
    )
    forgotten = int(count[0]["n"]) if count else 0
    if forgotten:
        _delete(store, settings, condition, ())
        audit.record(store, settings, SENDER_FORGOTTEN, detail=str(forgotten))
    return forgotten
