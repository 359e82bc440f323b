"""Editing through GraphQL: drafts, review, publication, revert and the history of a resource.

Every field here is the editing layer's (:mod:`catalogue.editing`): it decides who may do what, checks
the draft and writes it; this module only names the account the request acts for and turns the
layer's answers and expected errors into the schema's result unions, each of its success type and the
failures that implement ``Error`` (``UNAUTHENTICATED``, ``FORBIDDEN``, ``CONFLICT``, ``INVALID``,
``NOT_FOUND``). A failure is an answer, not a GraphQL error, so a client reads it as data.

Who is asking is :func:`web.auth.current_account`'s: an API token (``Authorization: Bearer …``) or the
session cookie. A mutation over the session cookie must also send the session's anti-forgery token in
the ``X-CSRF-Token`` header (``me { csrfToken }`` gives it): a browser sends the cookie with whatever
another site makes it post, but no other site can read the token or set the header.

Nothing here is kept for other requests (:meth:`Context.private`): drafts are their author's and
reviewers', and a mutation's answer is of one change. After a publication or a revert the process's
catalogue follows the new version at once (:meth:`Catalogue.refresh`), so the next request of this
process sees the change, and everything kept for the old version is forgotten.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, TypeVar

import strawberry

from api.graphql.errors import Error, InputError, NotFound, PublicError, iri_argument
from api.graphql.types.base import Info, turtle_of
from catalogue import errors
from catalogue.editing import drafts as editing
from catalogue.editing import history as editing_history
from catalogue.editing.accounts import Account
from catalogue.editing.authorisation import ROLE_LABELS
from catalogue.editing.checks import Problem as CheckProblem
from catalogue.editing.checks import Report, check
from catalogue.editing.descriptions import InvalidDescription, read_description
from catalogue.editing.drafts import EditConflict as ConflictError
from catalogue.editing.drafts import InvalidDraft
from web.auth import CSRF_HEADER, as_actor, bearer_token, check_csrf, csrf_token, current_account

T = TypeVar("T")

CSRF_MISSING = (
    "Změnu přihlášenou cookie relace lze poslat jen s hlavičkou X-CSRF-Token, která nese ochranný kód relace "
    "(dotaz `me { csrfToken }`). Načtěte stránku znovu, nebo se ověřte tokenem API (Authorization: Bearer …)."
)
NOT_LOGGED_IN = "Pro tuto činnost se přihlaste: cookie relace, nebo hlavička Authorization: Bearer s tokenem API."


# -- failures ------------------------------------------------------------------------------------


@strawberry.type(description="The request names no account (or an ended, expired or revoked one): log in first.")
class Unauthenticated(Error):
    message: str
    code: str = strawberry.field(default=errors.Unauthenticated.code, description="`UNAUTHENTICATED`.")


@strawberry.type(description="The account may not do this: the message says why (in Czech).")
class Forbidden(Error):
    message: str
    code: str = strawberry.field(default=errors.Forbidden.code, description="`FORBIDDEN`.")


@strawberry.type(
    description="One problem at a field: `path` is the property's IRI (or an argument's name, e.g. "
    "`turtle`, `reason`, `baseVersion`; empty for the whole record)."
)
class FieldProblem:
    path: str
    message: str = strawberry.field(description="What is wrong and how to put it right (in Czech).")
    severity: str = strawberry.field(
        default="violation", description="`violation` (blocks publication) or `warning` (never blocks)."
    )


@strawberry.type(description="What was sent cannot be used as it is: each problem at its field.")
class Invalid(Error):
    message: str
    problems: list[FieldProblem]
    code: str = strawberry.field(default="INVALID", description="`INVALID`.")


@strawberry.type(
    description="One property of the resource in the base the change was made on, in the catalogue "
    "now, and in the draft (each value as an N-Triples term)."
)
class FieldChange:
    field: str = strawberry.field(description="The property's IRI.")
    base: list[str]
    current: list[str]
    draft: list[str]
    conflicting: bool = strawberry.field(description="Changed both in the catalogue and in the draft, differently.")


@strawberry.type(
    description="The resource changed since the version the draft was based on (or a new resource's IRI is "
    "taken): nothing was published, the draft is kept (`draftId`); compare base, current and draft field by field."
)
class EditConflict(Error):
    message: str
    draft_id: strawberry.ID | None = strawberry.field(description="The kept draft (none for a revert).")
    base_version: str | None = strawberry.field(description="The version the change was based on (none: new).")
    current_version: str = strawberry.field(description='The resource\'s version now (`""`: it does not exist).')
    base: str = strawberry.field(description="The base description, as N-Triples.")
    current: str = strawberry.field(description="The current description, as N-Triples.")
    draft: str = strawberry.field(description="The draft's description, as N-Triples.")
    fields: list[FieldChange] = strawberry.field(description="Every property in which the three differ.")
    code: str = strawberry.field(default=ConflictError.code, description="`CONFLICT`.")

    @classmethod
    def of(cls, error: ConflictError) -> EditConflict:
        draft = error.draft
        return cls(
            message=str(error),
            draft_id=strawberry.ID(draft.id) if draft.id else None,
            base_version=draft.base_version,
            current_version=error.current.version,
            base=draft.base.ntriples(),
            current=error.current.ntriples(),
            draft=draft.description.ntriples(),
            fields=[
                FieldChange(
                    field=change.path,
                    base=list(change.base),
                    current=list(change.current),
                    draft=list(change.draft),
                    conflicting=change.conflicting,
                )
                for change in error.fields
            ],
        )


def _problems(error: errors.InvalidInput) -> list[FieldProblem]:
    found: Sequence[Any] = getattr(error, "problems", ())
    if isinstance(error, InvalidDraft):
        return [FieldProblem(path=p.path, message=p.message, severity=p.severity) for p in error.problems]
    if isinstance(error, InvalidDescription):
        return [FieldProblem(path=path, message=message) for path, message in found]
    return [FieldProblem(path=error.field or "", message=str(error))]


Failure = Unauthenticated | Forbidden | EditConflict | Invalid | NotFound


def failure(error: errors.CatalogueError, asked: str = "") -> Failure:
    """The result union's member for one of the editing layer's expected errors (``asked``: the IRI or
    id the request named, for NotFound)."""
    if isinstance(error, ConflictError):
        return EditConflict.of(error)
    if isinstance(error, errors.Unauthenticated):
        return Unauthenticated(message=NOT_LOGGED_IN)
    if isinstance(error, errors.Forbidden):
        return Forbidden(message=str(error))
    if isinstance(error, errors.NotFound):
        return NotFound(iri=asked, message=str(error))
    if isinstance(error, InputError):
        return Invalid(message=str(error), problems=[FieldProblem(path=error.field, message=str(error))])
    if isinstance(error, errors.InvalidInput):
        return Invalid(message=str(error), problems=_problems(error))
    # Anything else expected (the store is unreachable, the catalogue is busy) is not the client's to
    # put right: a GraphQL error with its code and public message.
    raise PublicError(error.public_message, error.code) from error


# -- the account -----------------------------------------------------------------------------------


def _account(info: Info, *, changing: bool) -> Account:
    """The account the request acts for; :class:`errors.Unauthenticated` for none, and for a change
    over the session cookie without its anti-forgery header :class:`errors.Forbidden`."""
    info.context.private()
    request = info.context.http
    account = current_account(request) if request is not None else None
    if account is None:
        raise errors.Unauthenticated(NOT_LOGGED_IN)
    if changing and request is not None:
        try:
            check_csrf(request, request.headers.get(CSRF_HEADER))
        except errors.Forbidden:
            raise errors.Forbidden(CSRF_MISSING) from None
    return account


# -- drafts ----------------------------------------------------------------------------------------


@strawberry.type(
    description="A draft: a resource as it would be after the change, with its author, reason, the version it was "
    "based on and its state (draft → submitted → published or rejected). Private: only its author reads it, "
    "and once submitted those who review its kind."
)
class Draft:
    id: strawberry.ID
    status: str = strawberry.field(description="`draft`, `submitted`, `published` or `rejected`.")
    status_label: str = strawberry.field(description="The state in Czech.")
    author: str = strawberry.field(description="The author's public name.")
    reason: str = strawberry.field(description="Why the change is made (shown to the reviewer and in the history).")
    source: str = strawberry.field(description="Where the change comes from (a document, a link), if given.")
    base_version: str | None = strawberry.field(description="The version the change was made on; none: a new resource.")
    created: datetime
    modified: datetime
    review_comment: str = strawberry.field(description="The reviewer's comment (on rejection or publication).")
    reviewer: str = strawberry.field(description="The reviewer's public name, once reviewed.")
    published_version: str | None = strawberry.field(description="The resource's version it was published as.")
    iri: str = strawberry.field(description="The resource the draft is of.")
    kind: str = strawberry.field(
        description="The kind of resource (`realisation`, `service`, `solution`, `problem`, `organisation`, `place`, "
        "`indicator`, `concept` …)."
    )
    turtle: str = strawberry.field(description="The resource's description as the draft has it, in Turtle.")
    ntriples: str = strawberry.field(description="The same description as N-Triples (canonical, sorted).")
    is_new: bool = strawberry.field(description="A new resource (no base version).")
    found: strawberry.Private[editing.Draft]
    report: strawberry.Private[Report | None] = None

    @classmethod
    def of(cls, draft: editing.Draft, report: Report | None = None) -> Draft:
        return cls(
            id=strawberry.ID(draft.id),
            status=draft.status,
            status_label=editing.STATUS_LABELS.get(draft.status, draft.status),
            author=draft.author_name,
            reason=draft.reason,
            source=draft.source,
            base_version=draft.base_version,
            created=draft.created,
            modified=draft.modified,
            review_comment=draft.review_comment,
            reviewer=draft.reviewer_name,
            published_version=draft.published_version or None,
            iri=draft.resource,
            kind=draft.kind,
            turtle=turtle_of(draft.description),
            ntriples=draft.description.ntriples(),
            is_new=draft.is_new,
            found=draft,
            report=report,
        )

    def _report(self, info: Info) -> Report:
        if self.report is None:
            self.report = check(info.context.store, info.context.settings, self.found.description)
        return self.report

    @strawberry.field(
        description="The checks' problems of the resource as the draft has it (the SHACL shapes and the rules): "
        "on save every one is shown and nothing is lost; on publication a `violation` blocks."
    )
    def problems(self, info: Info) -> list[FieldProblem]:
        return [_problem(problem) for problem in self._report(info).problems]

    @strawberry.field(description="The measures and goals the resource would fulfil once published (the rules').")
    def fulfils(self, info: Info) -> list[str]:
        return list(self._report(info).fulfils)


def _problem(problem: CheckProblem) -> FieldProblem:
    return FieldProblem(path=problem.path, message=problem.message, severity=problem.severity)


@strawberry.type(description="The drafts the account may read, the latest first.")
class DraftList:
    items: list[Draft]


@strawberry.type(description="A published change: the resource's new version and the revision that records it.")
class Publication:
    iri: str = strawberry.field(description="The resource.")
    version: str = strawberry.field(description="The resource's new version (its ETag from now on).")
    revision: str = strawberry.field(description="The revision's IRI in the public history.")
    catalogue_version: str = strawberry.field(description="The catalogue's version after the change.")
    draft_id: strawberry.ID | None = strawberry.field(description="The draft published (none for a revert).")


DraftResult = Annotated[
    Draft | Unauthenticated | Forbidden | EditConflict | Invalid | NotFound, strawberry.union("DraftResult")
]
PublishResult = Annotated[
    Publication | Unauthenticated | Forbidden | EditConflict | Invalid | NotFound, strawberry.union("PublishResult")
]
DraftsResult = Annotated[DraftList | Unauthenticated | Forbidden | Invalid, strawberry.union("DraftsResult")]


# -- history ---------------------------------------------------------------------------------------


@strawberry.type(description="One statement (triple); `object` is an N-Triples term (`<iri>`, or a literal).")
class Statement:
    subject: str
    predicate: str
    object: str


@strawberry.type(description="One published version of a resource: who, when, why, and what it added and removed.")
class Revision:
    iri: str = strawberry.field(description="The revision's IRI (public, PROV-O).")
    version: str = strawberry.field(description="The resource's version after it.")
    base_version: str = strawberry.field(description='The version it was made on (`""`: the resource was new).')
    author_name: str = strawberry.field(description="Who made the change (their public name).")
    publisher_name: str = strawberry.field(description="Who reviewed and published it.")
    time: datetime
    reason: str
    source: str
    revert_of: str | None = strawberry.field(description="For a revert: the revision whose version it restored.")
    added: list[Statement]
    removed: list[Statement]


@strawberry.type(description="A resource's published versions, the newest first.")
class History:
    iri: str
    version: str = strawberry.field(description='The resource\'s current version (`""`: it no longer exists).')
    versions: list[Revision]


HistoryResult = Annotated[History | Invalid | NotFound, strawberry.union("HistoryResult")]


def _statements(found: Sequence[editing_history.Statement]) -> list[Statement]:
    return [Statement(subject=s.subject, predicate=s.predicate, object=s.object) for s in found]


def _revision(revision: editing_history.Revision) -> Revision:
    return Revision(
        iri=revision.iri,
        version=revision.version,
        base_version=revision.base_version,
        author_name=revision.author_name,
        publisher_name=revision.publisher_name,
        time=revision.time,
        reason=revision.reason,
        source=revision.source,
        revert_of=revision.revert_of,
        added=_statements(revision.added),
        removed=_statements(revision.removed),
    )


# -- the account's own view ----------------------------------------------------------------------------


@strawberry.type(description="The account the request acts for.")
class Me:
    name: str = strawberry.field(description="The public name the history shows.")
    role: str = strawberry.field(description="`curator`, `reviewer`, `ministry` or `admin`.")
    role_label: str = strawberry.field(description="The role in Czech.")
    csrf_token: str = strawberry.field(
        description="The session's anti-forgery token, for the `X-CSRF-Token` header of mutations sent with the "
        'session cookie (`""` with an API token, which needs none).'
    )


MeResult = Annotated[Me | Unauthenticated, strawberry.union("MeResult")]


# -- running the editing layer ---------------------------------------------------------------------------


def attempt(run: Callable[[], T], asked: str = "") -> T | Failure:
    """What ``run()`` gives, or the failure its expected error is."""
    try:
        return run()
    except errors.CatalogueError as error:
        return failure(error, asked)


def _published(info: Info, published: editing.Published, resource: str, draft_id: str | None) -> Publication:
    # The next request of this process must see the change at once, not at the next poll of the version.
    catalogue = info.context.state
    catalogue.refresh()
    return Publication(
        iri=resource,
        version=published.version,
        revision=published.revision,
        catalogue_version=catalogue.version,
        draft_id=strawberry.ID(draft_id) if draft_id else None,
    )


@strawberry.type
class EditingQuery:
    @strawberry.field(
        description="The drafts the account may read (its own; a reviewer's or admin's also the others' once "
        "submitted), the latest first; only those in `status` (`draft`, `submitted`, `published`, `rejected`) if "
        "given."
    )
    def drafts(self, info: Info, status: str | None = None) -> DraftsResult:
        def run() -> DraftList:
            account = _account(info, changing=False)
            found = editing.drafts(info.context.store, info.context.settings, as_actor(account), status)
            return DraftList(items=[Draft.of(draft) for draft in found])

        return attempt(run)  # type: ignore[return-value]

    @strawberry.field(
        description="A resource's published versions, the newest first: who changed it and when, why, and the "
        "statements each version added and removed. Empty for a resource no curator has changed yet."
    )
    def history(self, info: Info, iri: str) -> HistoryResult:
        # Not kept with the public answers: it follows every publication, which a kept answer would
        # learn of only at the next version, and the editors read it right after their own.
        info.context.private()

        def run() -> History:
            resource = iri_argument(iri, "iri")
            store, settings = info.context.store, info.context.settings
            revisions = editing_history.history(store, settings, resource)
            current = read_description(store, settings, resource)
            if not revisions and not current.exists:
                raise errors.NotFound(f"Katalog nezná zdroj s IRI {resource}.")
            return History(iri=resource, version=current.version, versions=[_revision(r) for r in revisions])

        return attempt(run, iri)  # type: ignore[return-value]

    @strawberry.field(description="The account the request acts for (its session cookie or API token).")
    def me(self, info: Info) -> MeResult:
        def run() -> Me:
            account = _account(info, changing=False)
            request = info.context.http
            token = "" if request is None or bearer_token(request) is not None else csrf_token(request)
            return Me(
                name=account.name,
                role=account.role,
                role_label=ROLE_LABELS.get(account.role, account.role),
                csrf_token=token,
            )

        return attempt(run)  # type: ignore[return-value]


@strawberry.type
class EditingMutation:
    @strawberry.mutation(
        description="Save the account's draft of the resource `iri`: its whole description as it should be, in "
        "Turtle (prefixes kcs:, skos:, dcterms:, xsd:, realisation:, place: … need no declaration). `baseVersion` "
        "is the resource's `version` the change was made on; leave it out for a new resource. A second save "
        "updates the same draft. Answers the draft with the checks' problems (warnings now, a violation blocks "
        "publication), or EditConflict when the resource changed since `baseVersion` or a new resource's IRI is "
        "taken (the draft is kept all the same)."
    )
    def save_draft(
        self, info: Info, iri: str, turtle: str, reason: str, base_version: str | None = None
    ) -> DraftResult:
        def run() -> Draft | EditConflict:
            account = _account(info, changing=True)
            resource = iri_argument(iri, "iri")
            saved = editing.save_draft(
                info.context.store, info.context.settings, as_actor(account), resource, turtle, reason, base_version
            )
            if saved.conflict is not None:
                return EditConflict.of(saved.conflict)
            return Draft.of(saved.draft, saved.report)

        return attempt(run, iri)  # type: ignore[return-value]

    @strawberry.mutation(description="Hand the account's own draft over for review.")
    def submit_draft(self, info: Info, id: strawberry.ID) -> DraftResult:
        def run() -> Draft:
            account = _account(info, changing=True)
            store, settings = info.context.store, info.context.settings
            return Draft.of(editing.submit_draft(store, settings, as_actor(account), str(id)))

        return attempt(run, str(id))  # type: ignore[return-value]

    @strawberry.mutation(
        description="Publish a submitted draft of another account (a reviewer's or admin's): the resource's new "
        "description is public at once, with a revision in its history. Refused for one's own draft; INVALID when "
        "the checks find a violation; EditConflict when the resource changed since the draft's base."
    )
    def publish_draft(self, info: Info, id: strawberry.ID, comment: str | None = None) -> PublishResult:
        def run() -> Publication:
            account = _account(info, changing=True)
            store, settings = info.context.store, info.context.settings
            draft = editing.get_draft(store, settings, as_actor(account), str(id))
            published = editing.publish_draft(store, settings, as_actor(account), draft.id, comment or "")
            return _published(info, published, draft.resource, draft.id)

        return attempt(run, str(id))  # type: ignore[return-value]

    @strawberry.mutation(description="Send a submitted draft back to its author, saying why (`comment`).")
    def reject_draft(self, info: Info, id: strawberry.ID, comment: str) -> DraftResult:
        def run() -> Draft:
            account = _account(info, changing=True)
            store, settings = info.context.store, info.context.settings
            return Draft.of(editing.reject_draft(store, settings, as_actor(account), str(id), comment))

        return attempt(run, str(id))  # type: ignore[return-value]

    @strawberry.mutation(
        description="Publish the description the resource had at `toVersion` (one of its `history` versions, or "
        "the one before the first) again, as a new version."
    )
    def revert(self, info: Info, iri: str, to_version: str, reason: str) -> PublishResult:
        def run() -> Publication:
            account = _account(info, changing=True)
            resource = iri_argument(iri, "iri")
            store, settings = info.context.store, info.context.settings
            published = editing.revert(store, settings, as_actor(account), resource, to_version, reason)
            return _published(info, published, resource, None)

        return attempt(run, iri)  # type: ignore[return-value]
