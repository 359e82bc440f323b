"""Drafts, review and publication: the one way a curator's change reaches the catalogue.

A draft is a whole resource as it should be after the change (:mod:`.descriptions`), with its author,
times, reason, source and the version it was based on (and that base's content, so that a conflict can
be shown field by field). It goes draft → submitted → published or rejected. Drafts are private
(``graph/private/drafts``); one account has at most one open draft per resource, which saving updates.

Publishing is one SPARQL update request, so one transaction: the resource's old description leaves the
graphs it was in (a seed file's, or the curated graph), the new one goes into the curated graph, the
rules' derived difference (:func:`catalogue.rules.rederive_resource`), the revision (:mod:`.history`),
the draft's new state and the catalogue's new version are written together. Every operation of it is
guarded on the catalogue version read before (an optimistic lock, which Oxigraph's transactions make a
compare-and-swap): if anything changed the catalogue meanwhile, nothing is written and the publication
is tried again from the start, where a change of the resource itself is a conflict. A conflict writes
nothing and keeps the draft, so nothing typed is lost.

``katalog load`` keeps what was published: a resource in the curated graph is left out of its seed
file's graph when that file is loaded again (:func:`curated_resources`), and the load reports it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pyoxigraph as ox
from rdflib import URIRef

from catalogue import graphs, rules
from catalogue.editing import accounts, audit, authorisation, history, notifications
from catalogue.editing.authorisation import Actor, Subject
from catalogue.editing.checks import Problem, Report, check, check_all
from catalogue.editing.descriptions import (
    NODE_MARK,
    Description,
    InvalidDescription,
    canonical_lines,
    data_graph_filter,
    parse_description,
    parse_ntriples,
    read_description,
    term_value,
)
from catalogue.errors import CatalogueError, Forbidden, InvalidInput, NotFound, Unauthenticated, Unavailable
from catalogue.queries import version as catalogue_version
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

KCS = "https://w3id.org/kcs/ontology#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"

STATUSES = ("draft", "submitted", "published", "rejected")
STATUS_LABELS = {
    "draft": "rozpracovaný",
    "submitted": "ke schválení",
    "published": "zveřejněný",
    "rejected": "zamítnutý",
}
OPEN_STATUSES = ("draft", "submitted", "rejected")
MAX_REASON_LENGTH = 2000
PUBLISH_ATTEMPTS = 5


@dataclass(frozen=True)
class ResourceChange:
    """One resource a draft changes: its new description, and the base it was made on (None: new)."""

    resource: str
    description: Description
    base: Description
    base_version: str | None


@dataclass(frozen=True)
class Draft:
    id: str
    resource: str
    kind: str
    status: str
    author: str
    """The author's account IRI (private); :attr:`author_name` is what others see."""
    author_name: str
    reason: str
    source: str
    base_version: str | None
    """None for a new resource."""
    created: datetime
    modified: datetime
    description: Description
    base: Description
    review_comment: str = ""
    reviewer_name: str = ""
    published_version: str = ""
    batch: tuple[ResourceChange, ...] = ()
    """The further resources an import's draft changes together with its own, published in one step."""

    @property
    def is_new(self) -> bool:
        return self.base_version is None

    @property
    def changes(self) -> tuple[ResourceChange, ...]:
        """Every resource the draft changes, its own first."""
        return (ResourceChange(self.resource, self.description, self.base, self.base_version), *self.batch)


@dataclass(frozen=True)
class FieldChange:
    """One property of a resource in the base, the current and the draft description (canonical terms)."""

    path: str
    base: tuple[str, ...]
    current: tuple[str, ...]
    draft: tuple[str, ...]

    @property
    def conflicting(self) -> bool:
        """Changed both since the base, and differently: what the conflict view marks."""
        return self.current != self.base and self.draft != self.base and self.current != self.draft


class EditConflict(CatalogueError):
    """The resource changed since the draft's base (or a new resource's IRI is taken): nothing was
    written, and the draft is kept. ``fields`` compares base, current and draft field by field."""

    code = "CONFLICT"
    status = 409

    def __init__(self, message: str, *, draft: Draft, current: Description) -> None:
        super().__init__(message)
        self.draft = draft
        self.current = current
        self.fields = field_changes(draft.base, current, draft.description)


class InvalidDraft(InvalidInput):
    """The draft cannot be published as it is: ``problems`` lists each violation at its field."""

    code = "INVALID"

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(
            "Návrh nelze zveřejnit, dokud nejsou opraveny chyby: " + " ".join(p.message for p in problems),
            field=problems[0].path if problems else None,
        )
        self.problems = list(problems)


@dataclass(frozen=True)
class Saved:
    """A saved draft, with the checks' report (shown as warnings) and a conflict when its base is no
    longer the resource's current version."""

    draft: Draft
    report: Report
    conflict: EditConflict | None = None


@dataclass(frozen=True)
class Published:
    revision: str
    version: str
    derived: rules.DerivedChange = field(repr=False)


def _fields(description: Description) -> dict[str, tuple[str, ...]]:
    fields: dict[str, list[str]] = {}
    for line in canonical_lines(description.resource, description.triples):
        predicate, _, value = line.partition(" ")
        fields.setdefault(predicate.strip("<>"), []).append(value)
    return {path: tuple(sorted(values)) for path, values in fields.items()}


def field_changes(base: Description, current: Description, draft: Description) -> list[FieldChange]:
    """Every property in which base, current and draft differ, in the order of the property's IRI."""
    by = [_fields(base), _fields(current), _fields(draft)]
    paths = sorted(set().union(*by))
    changes = [FieldChange(path, *(fields.get(path, ()) for fields in by)) for path in paths]
    return [change for change in changes if not (change.base == change.current == change.draft)]


# -- reading drafts ------------------------------------------------------------------------------


def _draft_iri(settings: Settings, identifier: str) -> str:
    return graphs.private_base(settings, graphs.DRAFTS) + identifier


def _drafts_graph(settings: Settings) -> ox.NamedNode:
    return ox.NamedNode(str(graphs.private_graph(settings, graphs.DRAFTS)))


_PROPERTIES = {
    "resource": KCS + "draftOf",
    "kind": KCS + "resourceKind",
    "status": KCS + "draftStatus",
    "author": DCTERMS + "creator",
    "authorName": KCS + "authorName",
    "reason": KCS + "reason",
    "source": KCS + "changeSource",
    "baseVersion": KCS + "baseVersion",
    "created": DCTERMS + "created",
    "modified": DCTERMS + "modified",
    "description": KCS + "snapshot",
    "base": KCS + "baseSnapshot",
    "reviewComment": KCS + "reviewComment",
    "reviewerName": KCS + "reviewerName",
    "publishedVersion": KCS + "resourceVersion",
}
_BATCH = KCS + "batchChange"
"""A draft's further resource (:attr:`Draft.batch`): a node ``<draft>#change-N`` with draftOf, snapshot,
baseSnapshot and baseVersion."""


def _read_drafts(
    store: CatalogueStore, settings: Settings, condition: str = "", bindings: dict[str, URIRef] | None = None
) -> list[Draft]:
    solutions = store.query(
        f"""SELECT ?draft ?p ?o WHERE {{ GRAPH ?drafts {{ ?draft a <{KCS}Draft> ; ?p ?o {condition} }} }}""",
        {"drafts": URIRef(_drafts_graph(settings).value), **(bindings or {})},
    )
    found: dict[str, dict[str, str]] = {}
    names = {iri: name for name, iri in _PROPERTIES.items()}
    for row in solutions:
        name = names.get(row["p"].value)
        if name is not None:
            found.setdefault(row["draft"].value, {})[name] = row["o"].value
    base = graphs.private_base(settings, graphs.DRAFTS)
    drafts = []
    for iri, values in found.items():
        resource = values["resource"]
        drafts.append(
            Draft(
                id=iri.removeprefix(base),
                resource=resource,
                kind=values["kind"],
                status=values["status"],
                author=values["author"],
                author_name=values.get("authorName", ""),
                reason=values.get("reason", ""),
                source=values.get("source", ""),
                base_version=values.get("baseVersion"),
                created=datetime.fromisoformat(values["created"]),
                modified=datetime.fromisoformat(values["modified"]),
                description=parse_ntriples(resource, values.get("description", "")),
                base=parse_ntriples(resource, values.get("base", "")),
                review_comment=values.get("reviewComment", ""),
                reviewer_name=values.get("reviewerName", ""),
                published_version=values.get("publishedVersion", ""),
            )
        )
    return sorted(_with_batches(store, settings, drafts), key=lambda draft: draft.modified, reverse=True)


def _with_batches(store: CatalogueStore, settings: Settings, found: list[Draft]) -> list[Draft]:
    if not found:
        return found
    listed = " ".join(f"<{_draft_iri(settings, draft.id)}>" for draft in found)
    rows = store.query(
        f"SELECT ?draft ?change ?p ?o WHERE {{ VALUES ?draft {{ {listed} }} "
        f"GRAPH ?drafts {{ ?draft <{_BATCH}> ?change . ?change ?p ?o }} }}",
        {"drafts": URIRef(_drafts_graph(settings).value)},
    )
    names = {iri: name for name, iri in _PROPERTIES.items()}
    changes: dict[str, dict[str, dict[str, str]]] = {}
    for row in rows:
        name = names.get(row["p"].value)
        if name is not None:
            changes.setdefault(row["draft"].value, {}).setdefault(row["change"].value, {})[name] = row["o"].value
    if not changes:
        return found
    base = graphs.private_base(settings, graphs.DRAFTS)
    with_batches = []
    for draft in found:
        nodes = changes.get(base + draft.id, {})
        batch = tuple(
            ResourceChange(
                (values := nodes[node])["resource"],
                parse_ntriples(values["resource"], values.get("description", "")),
                parse_ntriples(values["resource"], values.get("base", "")),
                values.get("baseVersion"),
            )
            for node in sorted(nodes, key=lambda node: int(node.rsplit("-", 1)[-1]))
        )
        with_batches.append(replace(draft, batch=batch))
    return with_batches


_OWNED_THROUGH = {"programme": KCS + "provider", "call": KCS + "provider", "priority": KCS + "priorityOf"}
"""The property naming the organisations that own a resource of a kind organisations own."""


def owners(store: CatalogueStore, settings: Settings, description: Description) -> frozenset[str] | None:
    """The organisations that own the resource as ``description`` has it: a programme's or call's providers
    (a call naming none, its programme's), a priority's organisation; None for a kind nobody owns."""
    path = _OWNED_THROUGH.get(description.kind)
    if path is None:
        return None
    found = {term_value(t.object) for t in description.own() if t.predicate.value == path}
    programmes = [t.object for t in description.own() if t.predicate.value == KCS + "callOf"]
    if not found and description.kind == "call" and programmes:
        rows = store.values(
            f"SELECT DISTINCT ?owner WHERE {{ GRAPH ?g {{ ?programme <{KCS}provider> ?owner }} "
            f"{data_graph_filter(settings)} }}",
            {"programme": URIRef(term_value(programmes[0]))},
        )
        found = {row["owner"] for row in rows}
    return frozenset(found)


def change_owners(
    store: CatalogueStore, settings: Settings, before: Description, after: Description
) -> frozenset[str] | None:
    """Who owns a change from ``before`` to ``after``: the organisations that own both (a ministry neither
    takes another's programme nor gives its own away unseen); of a new resource, its owners."""
    found = owners(store, settings, after)
    if found is None or not before.exists:
        return found
    earlier = owners(store, settings, before)
    return found if earlier is None else found & earlier


def subject_of(store: CatalogueStore, settings: Settings, draft: Draft) -> Subject:
    """The draft as the authorisation table sees it: its kind, author and owning organisations. An
    import's draft is owned by the organisations that own every one of its changes, and one that changes
    resources of several kinds (a strategy with its concepts) is of the admins' kind."""
    kinds = {draft.kind} | {change.description.kind for change in draft.batch}
    owners = change_owners(store, settings, draft.base, draft.description)
    for change in draft.batch:
        found = change_owners(store, settings, change.base, change.description)
        owners = found if owners is None else owners if found is None else owners & found
    kind = draft.kind if len(kinds) == 1 else authorisation.OTHER_KIND
    return Subject(kind, author=draft.author, owners=owners)


def get_draft(store: CatalogueStore, settings: Settings, actor: Actor | None, identifier: str) -> Draft:
    """The draft with ``identifier`` (its id, or its IRI) if ``actor`` may read it; else NotFound, or
    Forbidden for another account's draft that is not submitted."""
    identifier = identifier.removeprefix(graphs.private_base(settings, graphs.DRAFTS))
    if not identifier.replace("-", "").isalnum():
        raise NotFound("Takový návrh v katalogu není.")
    # A bound variable leaves the projection, so the one draft is named by VALUES (its id is checked above).
    found = _read_drafts(store, settings, f"VALUES ?draft {{ <{_draft_iri(settings, identifier)}> }}")
    if not found:
        raise NotFound("Takový návrh v katalogu není.")
    draft = found[0]
    if actor is None or actor.disabled:
        raise Unauthenticated("Pro tuto činnost se přihlaste.")
    if not authorisation.may_read_draft(actor, draft.author, draft.status):
        if draft.status == "draft":
            raise Forbidden("Tento návrh patří jinému účtu a zatím nebyl odeslán ke schválení.")
        raise Forbidden("Návrhy jiných účtů čtou jen recenzenti a správci katalogu.")
    return draft


def drafts(store: CatalogueStore, settings: Settings, actor: Actor | None, status: str | None = None) -> list[Draft]:
    """The drafts ``actor`` may read (their own; and, for reviewers and admins, the others' once
    submitted), the latest first; with ``status``, only those in it."""
    if actor is None or actor.disabled:
        raise Unauthenticated("Pro tuto činnost se přihlaste.")
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"Neznámý stav návrhu „{status}“: čekáme {', '.join(STATUSES)}.", field="status")
    readable = [d for d in _read_drafts(store, settings) if authorisation.may_read_draft(actor, d.author, d.status)]
    return [d for d in readable if status is None or d.status == status]


def review_queue(store: CatalogueStore, settings: Settings, actor: Actor | None) -> list[Draft]:
    """The submitted drafts ``actor`` may publish or reject (never their own)."""
    authorisation.authorise(actor, authorisation.REVIEW, Subject(authorisation.OTHER_KIND))
    return [
        draft
        for draft in drafts(store, settings, actor, "submitted")
        if authorisation.may(actor, authorisation.PUBLISH, subject_of(store, settings, draft))
    ]


def _own_open_draft(store: CatalogueStore, settings: Settings, actor: Actor, resource: str) -> Draft | None:
    found = _read_drafts(
        store,
        settings,
        f". ?draft <{KCS}draftOf> ?resource ; <{DCTERMS}creator> ?author",
        {"resource": URIRef(resource), "author": URIRef(actor.iri)},
    )
    # An import's draft is changed only by importing again, never by saving one of its resources.
    return next((draft for draft in found if draft.status in OPEN_STATUSES and not draft.batch), None)


def _draft_ntriples(settings: Settings, draft: Draft) -> str:
    iri = f"<{_draft_iri(settings, draft.id)}>"
    values: dict[str, str | None] = {
        "resource": f"<{draft.resource}>",
        "kind": str(ox.Literal(draft.kind)),
        "status": str(ox.Literal(draft.status)),
        "author": f"<{draft.author}>",
        "authorName": str(ox.Literal(draft.author_name)),
        "reason": str(ox.Literal(draft.reason)),
        "source": str(ox.Literal(draft.source)) if draft.source else None,
        "baseVersion": str(ox.Literal(draft.base_version)) if draft.base_version is not None else None,
        "created": f'"{draft.created.isoformat()}"^^<{XSD}dateTime>',
        "modified": f'"{draft.modified.isoformat()}"^^<{XSD}dateTime>',
        "description": str(ox.Literal(draft.description.ntriples())),
        "base": str(ox.Literal(draft.base.ntriples())),
        "reviewComment": str(ox.Literal(draft.review_comment)) if draft.review_comment else None,
        "reviewerName": str(ox.Literal(draft.reviewer_name)) if draft.reviewer_name else None,
        "publishedVersion": str(ox.Literal(draft.published_version)) if draft.published_version else None,
    }
    lines = [f"{iri} <{RDF_TYPE}> <{KCS}Draft> ."]
    lines += [f"{iri} <{_PROPERTIES[name]}> {value} ." for name, value in values.items() if value is not None]
    for number, change in enumerate(draft.batch, start=1):
        node = f"<{_draft_iri(settings, draft.id)}#change-{number}>"
        lines.append(f"{iri} <{_BATCH}> {node} .")
        lines.append(f"{node} <{_PROPERTIES['resource']}> <{change.resource}> .")
        lines.append(f"{node} <{_PROPERTIES['description']}> {ox.Literal(change.description.ntriples())} .")
        lines.append(f"{node} <{_PROPERTIES['base']}> {ox.Literal(change.base.ntriples())} .")
        if change.base_version is not None:
            lines.append(f"{node} <{_PROPERTIES['baseVersion']}> {ox.Literal(change.base_version)} .")
    return "\n".join(lines)


def _replace_draft_update(settings: Settings, draft: Draft, guard: str = "") -> str:
    graph = graphs.private_graph(settings, graphs.DRAFTS)
    iri = _draft_iri(settings, draft.id)
    return (
        f"DELETE {{ GRAPH <{graph}> {{ ?change ?p ?o }} }} WHERE {{ {guard} GRAPH <{graph}> "
        f"{{ <{iri}> <{_BATCH}> ?change . ?change ?p ?o }} }} ;\n"
        f"DELETE {{ GRAPH <{graph}> {{ <{iri}> ?p ?o }} }} WHERE {{ {guard} GRAPH <{graph}> {{ <{iri}> ?p ?o }} }} ;\n"
        f"INSERT {{ GRAPH <{graph}> {{\n{_draft_ntriples(settings, draft)}\n}} }} WHERE {{ {guard} }}"
    )


def _write_draft(store: CatalogueStore, settings: Settings, draft: Draft) -> None:
    store.update(_replace_draft_update(settings, draft))


# -- saving ------------------------------------------------------------------------------------


def _checked_reason(reason: str) -> str:
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise InvalidDescription([("reason", "Uveďte důvod změny: recenzent i historie ho uvidí.")])
    if len(cleaned) > MAX_REASON_LENGTH:
        raise InvalidDescription([("reason", f"Důvod změny je delší než {MAX_REASON_LENGTH} znaků; zkraťte ho.")])
    return cleaned


def _base_for(
    store: CatalogueStore, settings: Settings, resource: str, base_version: str, current: Description
) -> Description:
    if base_version == current.version:
        return current
    found = history.snapshot_at(history.history(store, settings, resource), base_version)
    if found is None:
        raise InvalidDescription([("baseVersion", f"Verzi „{base_version}“ záznamu <{resource}> katalog nezná.")])
    return found


def _check_changeable(actor: Actor, kind: str, base: Description, description: Description) -> None:
    allowed = authorisation.changeable_properties(actor, kind)
    if allowed is None:
        return
    before, after = _fields(base), _fields(description)
    changed = sorted(
        path for path in set(before) | set(after) if before.get(path) != after.get(path) and path not in allowed
    )
    if changed:
        raise Forbidden(
            "U pojmů koncepce můžete měnit jen názvy a synonyma (skos:prefLabel, skos:altLabel, skos:hiddenLabel), "
            f"ne {', '.join(changed)}."
        )


def _authorised_change(
    store: CatalogueStore,
    settings: Settings,
    actor: Actor,
    resource: str,
    description: Description,
    base_version: str | None,
) -> tuple[Description, Description]:
    """The resource's current description and the change's base, once the table allows ``actor`` to
    change the one into ``description``; else Forbidden (or NotFound for a base of nothing)."""
    current = read_description(store, settings, resource)
    if current.exists:
        authorisation.authorise(actor, authorisation.EDIT, Subject(current.kind))
    base = Description(resource, ())
    if base_version is not None:
        if not current.exists and not history.history(store, settings, resource):
            raise NotFound(f"Záznam <{resource}> v katalogu není: nový záznam se ukládá bez základní verze.")
        base = _base_for(store, settings, resource, base_version, current)
    authorisation.authorise(actor, authorisation.EDIT, Subject(description.kind, owners=change_owners(
        store, settings, current if current.exists else base, description)))
    # What a role may change is decided by what the resource is, not by what the draft says it is: a
    # concept's draft that declares itself a realisation still changes a concept.
    _check_changeable(actor, current.kind if current.exists else description.kind, base, description)
    return current, base


def save_import(
    store: CatalogueStore,
    settings: Settings,
    actor: Actor | None,
    changes: Sequence[tuple[str, Description, str | None]],
    reason: str,
    *,
    source: str,
) -> Draft:
    """Save one new draft of ``actor`` that changes every resource of ``changes`` (resource, its whole new
    description, the version it was compared with; None for a new one), as an import applies a file:
    reviewed and published as one. Refused as :func:`save_draft` is, for any of them, with nothing
    written."""
    if not changes:
        raise InvalidInput("Import nemá žádný záznam, který by měnil.", field="file")
    for _, description, _ in changes:
        authorisation.authorise(actor, authorisation.EDIT, Subject(description.kind))
    assert actor is not None
    reason = _checked_reason(reason)
    made = []
    for resource, description, base_version in changes:
        _, base = _authorised_change(store, settings, actor, resource, description, base_version)
        made.append(ResourceChange(resource, description, base, base_version))
    moment = datetime.now(UTC).replace(microsecond=0)
    first = made[0]
    draft = Draft(
        id=uuid.uuid4().hex,
        resource=first.resource,
        kind=first.description.kind,
        status="draft",
        author=actor.iri,
        author_name=actor.name,
        reason=reason,
        source=" ".join(source.split()),
        base_version=first.base_version,
        created=moment,
        modified=moment,
        description=first.description,
        base=first.base,
        batch=tuple(made[1:]),
    )
    _write_draft(store, settings, draft)
    audit.record(store, settings, "draft-saved", actor=actor, subject=first.resource,
                 detail=f"{draft.id}: import, {len(made)} záznamů")
    return draft


def save_draft(
    store: CatalogueStore,
    settings: Settings,
    actor: Actor | None,
    resource: str,
    description: Description | str,
    reason: str,
    base_version: str | None,
    *,
    source: str = "",
    author_name: str = "",
    now: datetime | None = None,
) -> Saved:
    """Save ``actor``'s draft of ``resource`` (its whole new description, as a :class:`Description` or
    Turtle): a new one, or the account's open draft of that resource updated. ``base_version`` is the
    version the change was made on; None for a new resource.

    Refused, with nothing written: Unauthenticated or Forbidden by the authorisation table; a
    description that is not one (:class:`InvalidDescription`, at its field). Saved, with the checks'
    problems as warnings in the report, and with a conflict when the resource changed since its base
    (or a new resource's IRI is taken): the draft keeps everything typed either way."""
    if isinstance(description, str):
        description = parse_description(settings, resource, description)
    kind = description.kind
    authorisation.authorise(actor, authorisation.EDIT, Subject(kind))
    assert actor is not None
    reason = _checked_reason(reason)
    current, base = _authorised_change(store, settings, actor, resource, description, base_version)
    report = check(store, settings, description)
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    existing = _own_open_draft(store, settings, actor, resource)
    draft = Draft(
        id=existing.id if existing else uuid.uuid4().hex,
        resource=resource,
        kind=kind,
        status="draft",
        author=actor.iri,
        author_name=author_name or actor.name,
        reason=reason,
        source=" ".join(source.split()),
        base_version=base_version,
        created=existing.created if existing else moment,
        modified=moment,
        description=description,
        base=base,
    )
    _write_draft(store, settings, draft)
    audit.record(store, settings, "draft-saved", actor=actor, subject=resource, detail=draft.id)
    conflict = _conflict(draft, current)
    return Saved(draft, report, conflict)


def _conflict(draft: Draft, current: Description) -> EditConflict | None:
    if draft.base_version is None:
        if current.exists:
            return EditConflict(
                f"Záznam <{draft.resource}> už v katalogu je: nový záznam ho nemůže nahradit. "
                "Upravte ho, nebo zvolte jiný název.",
                draft=draft,
                current=current,
            )
        return None
    if current.version != draft.base.version:
        return EditConflict(
            "Záznam se mezitím změnil. Váš návrh zůstal uložen; porovnejte ho s aktuální verzí pole po poli "
            "a uložte ho znovu na aktuální verzi.",
            draft=draft,
            current=current,
        )
    return None


def submit_draft(store: CatalogueStore, settings: Settings, actor: Actor | None, identifier: str) -> Draft:
    draft = get_draft(store, settings, actor, identifier)
    authorisation.authorise(actor, authorisation.SUBMIT, subject_of(store, settings, draft))
    if draft.status not in ("draft", "rejected"):
        raise InvalidInput(
            f"Návrh je {STATUS_LABELS[draft.status]}: odeslat lze jen rozpracovaný návrh.", field="status"
        )
    assert actor is not None
    submitted = replace(draft, status="submitted", modified=datetime.now(UTC).replace(microsecond=0))
    _write_draft(store, settings, submitted)
    audit.record(store, settings, "draft-submitted", actor=actor, subject=draft.resource, detail=draft.id)
    notifications.draft_submitted(store, settings, submitted, subject_of(store, settings, submitted))
    return submitted


def reject_draft(
    store: CatalogueStore, settings: Settings, actor: Actor | None, identifier: str, comment: str
) -> Draft:
    draft = get_draft(store, settings, actor, identifier)
    authorisation.authorise(actor, authorisation.REJECT, subject_of(store, settings, draft))
    assert actor is not None
    if draft.status != "submitted":
        raise InvalidInput(
            f"Návrh je {STATUS_LABELS[draft.status]}: zamítnout lze jen návrh ke schválení.", field="status"
        )
    cleaned = " ".join(comment.split())
    if not cleaned:
        raise InvalidInput("Napište autorovi, proč návrh zamítáte.", field="comment")
    rejected = replace(
        draft,
        status="rejected",
        review_comment=cleaned,
        reviewer_name=actor.name,
        modified=datetime.now(UTC).replace(microsecond=0),
    )
    _write_draft(store, settings, rejected)
    audit.record(store, settings, "rejected", actor=actor, subject=draft.resource, detail=f"{draft.id}: {cleaned}")
    notifications.draft_decided(store, settings, rejected, published=False)
    return rejected


# -- publishing ---------------------------------------------------------------------------------


def _delete_description_update(settings: Settings, resource: str, guard: str) -> str:
    """Remove the resource's description from every data graph: its nodes' triples first (found from it),
    then its own."""
    node_test = f'(isBlank(?n) || STRSTARTS(STR(?n), "{resource}{NODE_MARK}"))'
    graph_test = data_graph_filter(settings)
    return (
        f"DELETE {{ GRAPH ?g {{ ?m ?q ?v }} }} WHERE {{ {guard}\n"
        f"  GRAPH ?g {{ <{resource}> ?l ?n . ?n ?step ?m . ?m ?q ?v }}\n"
        f"  FILTER (isBlank(?n) && isBlank(?m)) {graph_test} }} ;\n"
        f"DELETE {{ GRAPH ?g {{ ?n ?q ?v }} }} WHERE {{ {guard}\n"
        f"  GRAPH ?g {{ <{resource}> ?l ?n . ?n ?q ?v }} FILTER {node_test} {graph_test} }} ;\n"
        f"DELETE {{ GRAPH ?g {{ <{resource}> ?p ?o }} }} WHERE {{ {guard}\n"
        f"  GRAPH ?g {{ <{resource}> ?p ?o }} {graph_test} }}"
    )


def _publish(
    store: CatalogueStore,
    settings: Settings,
    *,
    changes: Sequence[ResourceChange],
    author: tuple[str, str],
    publisher: tuple[str, str],
    reason: str,
    source: str,
    revert_of: str | None = None,
    then: Draft | None = None,
    on_conflict: Draft | None = None,
) -> Published:
    """Write each change's description as its resource's published one, all in one request guarded as
    the module says; EditConflict when a resource is no longer its change's base."""
    first = changes[0]
    for _ in range(PUBLISH_ATTEMPTS):
        expected = catalogue_version.read(store, settings)
        for change in changes:
            _refuse_changed(store, settings, change, author, reason, source, on_conflict, batch=len(changes) > 1)
        triples = [triple for change in changes for triple in change.description.triples]
        derived = rules.rederive_resource(store, settings, first.resource, triples)
        moment = datetime.now(UTC)  # to the microsecond: revisions of one second keep their order
        guard = catalogue_version.guard(settings, expected)
        curated, history_graph = graphs.curated_graph(settings), graphs.history_graph(settings)
        operations = [_delete_description_update(settings, change.resource, guard) for change in changes]
        revisions: list[str] = []
        identifiers: list[str] = []
        for change in changes:
            identifiers.append(uuid.uuid4().hex)
            revisions.append(history.revision_ntriples(
                settings,
                identifiers[-1],
                resource=change.resource,
                previous=history.latest_revision(store, settings, change.resource),
                base=change.base,
                new=change.description,
                now=moment,
                author=author,
                publisher=publisher,
                reason=reason,
                source=source,
                revert_of=revert_of,
            ))
        described = "".join(change.description.ntriples() for change in changes)
        operations += [
            f"DELETE {{ GRAPH <{history_graph}> {{ ?agent <{history.FOAF}name> ?name }} }} WHERE {{ {guard} "
            f"GRAPH <{history_graph}> {{ ?agent <{history.FOAF}name> ?name }} "
            f"VALUES ?agent {{ <{author[0]}> <{publisher[0]}> }} }}",
            f"INSERT {{ GRAPH <{curated}> {{\n{described}}}\n GRAPH <{history_graph}> {{\n{''.join(revisions)}}} }} "
            f"WHERE {{ {guard} }}",
        ]
        derived_update = derived.update(settings, guard=guard)
        if derived_update:
            operations.append(derived_update)
        if then is not None:
            published = replace(then, status="published", published_version=first.description.version, modified=moment)
            operations.append(_replace_draft_update(settings, published, guard))
        changed = sorted({*(change.resource for change in changes), *derived.subjects, *_concepts_above(derived)})
        operations.append(catalogue_version.bump(settings, expected=expected, changed=changed))
        store.update(" ;\n".join(operations))
        iri = history.revision_iri(settings, identifiers[0])
        if store.ask(f"ASK {{ GRAPH <{history_graph}> {{ <{iri}> a <{KCS}Revision> }} }}"):
            return Published(iri, first.description.version, derived)
    raise Unavailable("Katalog se právě mění v mnoha krocích najednou; zkuste zveřejnění za chvíli znovu.")


def _refuse_changed(
    store: CatalogueStore,
    settings: Settings,
    change: ResourceChange,
    author: tuple[str, str],
    reason: str,
    source: str,
    on_conflict: Draft | None,
    *,
    batch: bool,
) -> None:
    """EditConflict when ``change``'s resource is no longer its base."""
    current = read_description(store, settings, change.resource)
    if current.version == change.base.version:
        return
    now = datetime.now(UTC)
    draft = replace(
        on_conflict or Draft("", change.resource, change.description.kind, "draft", author[0], author[1], reason,
                             source, None, now, now, change.description, change.base),
        resource=change.resource, description=change.description, base=change.base,
        base_version=change.base.version or None, batch=(),
    )
    conflict = _conflict(draft, current)
    assert conflict is not None
    if batch:
        raise EditConflict(
            f"Záznam <{change.resource}> se od importu změnil, takže import nelze zveřejnit: nic nebylo zapsáno. "
            "Nahrajte soubor znovu a projděte, co se změnilo.",
            draft=draft,
            current=current,
        )
    raise conflict


_BROADER_TRANSITIVE = b"<http://www.w3.org/2004/02/skos/core#broaderTransitive>"


def _concepts_above(derived: rules.DerivedChange) -> set[str]:
    """The concepts a changed hierarchy step leads to: a concept's search document lists the measures
    under it (catalogue.queries.documents), so it changes with their broaderTransitive, not with its own."""
    above = set()
    for line in derived.added | derived.removed:
        _, predicate, rest = line.split(b" ", 2)
        if predicate == _BROADER_TRANSITIVE and rest.startswith(b"<"):
            above.add(rest[1 : rest.index(b">")].decode())
    return above


def _account(store: CatalogueStore, settings: Settings, iri: str) -> accounts.Account:
    account = accounts.account_by_iri(store, settings, iri)
    if account is None:
        raise NotFound("Účet autora návrhu už v katalogu není.")
    return account


def _agent(actor: Actor) -> tuple[str, str]:
    return actor.agent, actor.name


def publish_draft(
    store: CatalogueStore, settings: Settings, actor: Actor | None, identifier: str, comment: str = ""
) -> Published:
    """Publish a submitted draft of another account. Refused: by the table; InvalidDraft when the checks
    find a violation; EditConflict when the resource changed since the draft's base. Nothing is written
    then, and the draft stays as it was."""
    draft = get_draft(store, settings, actor, identifier)
    authorisation.authorise(actor, authorisation.PUBLISH, subject_of(store, settings, draft))
    assert actor is not None
    if draft.status != "submitted":
        raise InvalidInput(
            f"Návrh je {STATUS_LABELS[draft.status]}: zveřejnit lze jen návrh ke schválení.", field="status"
        )
    violations = [
        problem for report in check_all(store, settings, [c.description for c in draft.changes]).values()
        for problem in report.violations
    ]
    if violations:
        raise InvalidDraft(violations)
    author_account = _account(store, settings, draft.author)
    reviewed = replace(draft, review_comment=" ".join(comment.split()), reviewer_name=_agent(actor)[1])
    published = _publish(
        store,
        settings,
        changes=draft.changes,
        author=(author_account.agent, author_account.name),
        publisher=_agent(actor),
        reason=draft.reason,
        source=draft.source,
        then=reviewed,
        on_conflict=draft,
    )
    audit.record(
        store, settings, "published", actor=actor, subject=draft.resource, detail=f"{draft.id} → {published.version}"
    )
    notifications.draft_decided(store, settings, reviewed, published=True)
    return published


def revert(
    store: CatalogueStore, settings: Settings, actor: Actor | None, resource: str, to_version: str, reason: str
) -> Published:
    """Publish the description ``resource`` had at ``to_version`` again, as a new revision."""
    current = read_description(store, settings, resource)
    revisions = history.history(store, settings, resource)
    if not current.exists and not revisions:
        raise NotFound(f"Záznam <{resource}> v katalogu není.")
    authorisation.authorise(
        actor, authorisation.REVERT, Subject(current.kind if current.exists else revisions[0].snapshot.kind)
    )
    assert actor is not None
    reason = _checked_reason(reason)
    target = history.snapshot_at(revisions, to_version)
    if target is None:
        raise NotFound(f"Verzi „{to_version}“ záznamu <{resource}> historie nezná.")
    authorisation.authorise(actor, authorisation.REVERT, Subject(
        current.kind if current.exists else target.kind, owners=change_owners(store, settings, current, target)))
    if target.version == current.version:
        raise InvalidInput("Záznam tuto verzi už má: není co vracet.", field="toVersion")
    reverted_from = next((r.iri for r in revisions if r.version == to_version), None)
    published = _publish(
        store,
        settings,
        changes=[ResourceChange(resource, target, current, current.version)],
        author=_agent(actor),
        publisher=_agent(actor),
        reason=reason,
        source="",
        revert_of=reverted_from,
    )
    audit.record(store, settings, "reverted", actor=actor, subject=resource, detail=f"→ {to_version}")
    return published


# -- what a load must keep -----------------------------------------------------------------------


def curated_resources(store: CatalogueStore, settings: Settings) -> set[str]:
    """The resources whose published description is a curator's (in the curated graph)."""
    rows = store.values(
        f"SELECT DISTINCT ?resource WHERE {{ GRAPH <{graphs.curated_graph(settings)}> {{ ?resource ?p ?o }} "
        f'FILTER (!CONTAINS(STR(?resource), "{NODE_MARK}")) }}'
    )
    return {row["resource"] for row in rows}


def without_curated(triples: Iterable[ox.Triple], curated: set[str]) -> tuple[list[ox.Triple], set[str]]:
    """``triples`` of a seed file without the descriptions of ``curated`` resources (their own triples and
    their blank nodes'); and which of them the file described."""
    triples = list(triples)
    kept_out: set[str] = set()
    owned: set[object] = set()
    for triple in triples:
        if isinstance(triple.subject, ox.NamedNode) and triple.subject.value in curated:
            kept_out.add(triple.subject.value)
            if isinstance(triple.object, ox.BlankNode):
                owned.add(triple.object)
    grown = True
    while grown:
        grown = False
        for triple in triples:
            if triple.subject in owned and isinstance(triple.object, ox.BlankNode) and triple.object not in owned:
                owned.add(triple.object)
                grown = True
    remaining = [
        triple
        for triple in triples
        if not (isinstance(triple.subject, ox.NamedNode) and triple.subject.value in kept_out)
        and triple.subject not in owned
    ]
    return remaining, kept_out
