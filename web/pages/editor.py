"""The editor: curators' forms, their drafts, the reviewers' queue, publishing, rejecting and reverting.

Every form here is generated from the SHACL shapes (:mod:`catalogue.editing.forms`) and every action goes
through the editing layer (:mod:`catalogue.editing.drafts`), which authorises, checks, versions and
records; this module only turns posted fields into a description and the layer's answers into pages.

A form works without JavaScript. A link to another resource is a text field in which a curator types a
name: the name is resolved to the one resource it names on save (:func:`catalogue.search.picker.resolve`),
and a name of several gets the candidates listed at the field. ``/static/picker.js`` only offers the
names while typing. A repeatable field shows one empty entry more; "Přidat další" sends the form back
with one more, saving nothing. A refused form is shown again with everything typed, each problem at its
field, and the draft is saved with the checks' findings as warnings: only publication is blocked by them.

A draft whose resource changed since its base shows the conflict: base, current and draft field by
field, with a choice per field that both changed; taking the current values of what the draft left alone
is automatic (:func:`catalogue.editing.forms.rebased`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from catalogue.editing import drafts, forms
from catalogue.editing import history as editing_history
from catalogue.editing.accounts import Account
from catalogue.editing.authorisation import (
    EDIT,
    OTHER_KIND,
    PROPOSAL_KIND,
    PUBLISH,
    REJECT,
    REVERT,
    REVIEW,
    SUBMIT,
    TRIAGE,
    Subject,
    authorise,
    changeable_properties,
    may,
)
from catalogue.editing.checks import Report, check, check_all, field_names
from catalogue.editing.descriptions import (
    CLASSES_BY_KIND,
    KINDS_BY_CLASS,
    PATHS_BY_KIND,
    RDF_TYPE,
    Description,
    InvalidDescription,
    read_description,
    term_value,
)
from catalogue.editing.drafts import Draft, EditConflict
from catalogue.editing.forms import Entry, Field, FieldDiff, Form, FormError, Shown
from catalogue.errors import CatalogueError, Forbidden, InvalidInput, NotFound, Unauthenticated
from catalogue.imports import IDENTIFIER, suggested_identifier
from catalogue.search.analysis import fold
from catalogue.search.picker import candidates, resolve
from web.auth import as_actor, check_csrf, csrf_token, page_guard
from web.errors import error_page
from web.forms import RejectedForm, posted_form
from web.history import changes_between, link_names
from web.links import IriLinks
from web.site import N_, language_of, render, translate
from web.state import SiteCatalogue, site_catalogue

router = APIRouter(include_in_schema=False)

KIND_SLUGS = {
    "realizace": "realisation",
    "sluzba": "service",
    "reseni": "solution",
    "problem": "problem",
    "organizace": "organisation",
    "misto": "place",
    "ukazatel": "indicator",
    "program": "programme",
    "vyzva": "call",
    "priorita": "priority",
}
"""The kinds a new record can be made of, by the Czech word in its address (/upravy/novy/realizace)."""
SLUG_OF_KIND = {kind: slug for slug, kind in KIND_SLUGS.items()}

KIND_NAMES = {
    "realisation": N_("realizace"),
    "service": N_("chytrá služba"),
    "solution": N_("chytré řešení"),
    "problem": N_("problém"),
    "organisation": N_("organizace"),
    "place": N_("místo"),
    "indicator": N_("ukazatel"),
    "concept": N_("pojem koncepce"),
    "programme": N_("program financování"),
    "call": N_("výzva"),
    "priority": N_("priorita"),
    "other": N_("jiný zdroj"),
}
"""The authorisation table's kinds (its KIND_LABELS) as message ids, for the English switch."""
STATUS_NAMES = {
    "draft": N_("rozpracovaný"),
    "submitted": N_("ke schválení"),
    "published": N_("zveřejněný"),
    "rejected": N_("zamítnutý"),
}
"""The drafts' states (drafts.STATUS_LABELS) as message ids."""

TEXTAREA_EXCEPT = frozenset(
    {
        "http://www.w3.org/2004/02/skos/core#prefLabel",
        "http://www.w3.org/2004/02/skos/core#altLabel",
        "http://www.w3.org/2004/02/skos/core#hiddenLabel",
    }
)
"""Texts kept on one line: names and synonyms; every other text with a language may run long."""

ADD_PREFIX = "pridat:"

FIX_FIELDS = N_("Koncept nebyl uložen: opravte prosím označená pole. Vše, co jste napsali, zůstalo ve formuláři.")
SAVED_WITH_PROBLEMS = N_("Koncept je uložen, ale má chyby: dokud je neopravíte, nelze ho zveřejnit.")
DONE = {
    "ulozeno": N_("Koncept je uložen."),
    "odeslano": N_("Návrh je odeslán ke schválení."),
    "zamitnuto": N_("Návrh byl zamítnut; autor uvidí váš komentář."),
    "slouceno": N_("Návrh je převeden na aktuální verzi záznamu."),
}
NO_IDENTIFIER = N_("Identifikátor smí obsahovat jen malá písmena bez diakritiky, číslice a pomlčky (např. "
                   "chytre-parkovani-kolin).")
UNKNOWN_KIND = N_("Takový druh záznamu editor nezná.")
NO_RESOURCE = N_("Takový záznam v katalogu není.")
REJECT_NEEDS_COMMENT = N_("Napište autorovi, proč návrh zamítáte.")
NOTHING_TO_EDIT = N_("Tento druh záznamu se v editoru neupravuje.")
AMBIGUOUS = N_("„{typed}“ odpovídá více záznamům: {names}. Vyberte v nabídce pod polem ten, který myslíte, nebo "
               "napište přesnější název.")
UNKNOWN_LINK = N_("„{typed}“ v katalogu nenacházíme. Napište název záznamu, jak ho katalog uvádí, nebo jeho IRI.")
EDITOR_HOME = "/upravy"
KCS = "https://w3id.org/kcs/ontology#"
CANDIDATES_SHOWN = 8


# -- what a page shows of a form -----------------------------------------------------------------


@dataclass
class EntryView:
    """One value of a field as the form shows it: the text (a link's name), its language, a link's IRI
    and a record's parts."""

    value: str = ""
    lang: str = "cs"
    iri: str = ""
    parts: dict[str, str] = field(default_factory=dict)
    candidates: list[tuple[str, str]] = field(default_factory=list)
    """(IRI, name and kind) of the resources an ambiguous name may mean, to choose from."""

    @property
    def empty(self) -> bool:
        return not self.value.strip() and not any(v.strip() for v in self.parts.values())


@dataclass
class FieldView:
    field: Field
    entries: list[EntryView]
    errors: dict[int | None, list[str]]
    choices: list[tuple[str, str]]
    """(value, name) of a closed list."""
    textarea: bool = False

    @property
    def key(self) -> str:
        return self.field.key

    @property
    def invalid(self) -> bool:
        return any(self.errors.values())

    def described_by(self, index: int) -> str:
        """The ids of the field's help and of the errors shown for the entry ``index`` (edit.html's)."""
        ids = [f"{self.key}-napoveda"] if self.field.help else []
        if self.errors.get(None):
            ids.append(f"{self.key}-chyba")
        if self.errors.get(index):
            ids.append(f"{self.key}-{index}-chyba")
        return " ".join(ids)


def _form(catalogue: SiteCatalogue, account: Account, kind: str, cls: str) -> Form:
    settings = catalogue.settings
    form = forms.form_for(settings.shapes_file, settings.ontology_file, cls)
    return form.only(changeable_properties(as_actor(account), kind))  # type: ignore[arg-type]


def _names(catalogue: SiteCatalogue, iris: Sequence[str], lang: str) -> dict[str, str]:
    return link_names(catalogue.store, iris, lang)


def _entries_of(form: Form, description: Description, names: Mapping[str, str]) -> dict[str, list[EntryView]]:
    shown: dict[str, list[EntryView]] = {}
    for key, entries in forms.values_of(form, description).items():
        link = any(f.key == key and f.kind == "link" for f in form.fields)
        shown[key] = [
            EntryView(names.get(e.value, e.value) if link else e.value, e.lang or "cs", e.value if link else "",
                      dict(e.parts))
            for e in entries
        ]
    return shown


def _posted_entries(form: Form, data: Mapping[str, Sequence[str]]) -> dict[str, list[EntryView]]:
    """What was typed into each field, blank entries left out (as :func:`forms.values_from` leaves them)."""
    shown: dict[str, list[EntryView]] = {}
    for f in form.fields:
        if f.kind == "node":
            columns = {part.key: list(data.get(f"{f.key}.{part.key}", [])) for part in f.parts}
            rows = max((len(c) for c in columns.values()), default=0)
            entries = [EntryView(parts={k: (c[i] if i < len(c) else "").strip() for k, c in columns.items()})
                       for i in range(rows)]
        else:
            texts, langs, iris = (list(data.get(f"{f.key}{suffix}", [])) for suffix in ("", ".lang", ".iri"))
            entries = [
                EntryView(text.strip(), (langs[i] if i < len(langs) else "cs").strip() or "cs",
                          (iris[i] if i < len(iris) else "").strip())
                for i, text in enumerate(texts)
            ]
        shown[f.key] = [entry for entry in entries if not entry.empty]
    return shown


def _resolved(
    catalogue: SiteCatalogue, form: Form, entries: dict[str, list[EntryView]], lang: str
) -> tuple[forms.Values, list[FormError]]:
    """The form's values with every link named by its IRI, and the links that name no one resource."""
    values: forms.Values = {}
    errors: list[FormError] = []
    for f in form.fields:
        kept: list[Entry] = []
        known = _names(catalogue, [entry.iri for entry in entries.get(f.key, []) if entry.iri], lang)
        for index, entry in enumerate(entries.get(f.key, [])):
            if f.kind != "link":
                kept.append(Entry(entry.value, entry.lang, dict(entry.parts)))
                continue
            if re.match(r"^https?://\S+$", entry.value):
                entry.iri = entry.value
            elif not (entry.iri and fold(known.get(entry.iri, "")) == fold(entry.value)):
                found = resolve(catalogue.store, catalogue.search, f.classes, entry.value, lang=lang)
                shown = found.candidates[:CANDIDATES_SHOWN]
                kinds = [translate(lang, _kind_name(c.kind)) for c in shown]
                if found.iri is None:
                    entry.candidates = [(c.iri, f"{c.label} ({kind})") for c, kind in zip(shown, kinds, strict=True)]
                    names = ", ".join(f"„{c.label}“ ({kind})" for c, kind in zip(shown, kinds, strict=True))
                    message = translate(lang, AMBIGUOUS if found.candidates else UNKNOWN_LINK)
                    errors.append(FormError(f.key, index, message.format(typed=entry.value, names=names)))
                    continue
                entry.iri = found.iri
            kept.append(Entry(entry.iri))
        values[f.key] = kept
    return values, errors


def _kind_name(class_name: str) -> str:
    kind = KINDS_BY_CLASS.get(KCS + class_name)
    return KIND_NAMES.get(kind, class_name) if kind else class_name


def _field_views(
    catalogue: SiteCatalogue,
    form: Form,
    entries: dict[str, list[EntryView]],
    problems: Sequence[tuple[str, int | None, str]],
    lang: str,
    more: str = "",
) -> list[FieldView]:
    """Each field with its entries (one empty more for a repeatable or empty field, two where ``more`` is
    its key) and its problems, each (key, entry index or None, message)."""
    choice_iris = [choice for f in form.fields if f.choices_are_iris for choice in f.choices]
    names = _names(catalogue, choice_iris, lang) if choice_iris else {}
    views = []
    for f in form.fields:
        shown = list(entries.get(f.key, []))
        blanks = (1 if f.repeatable or not shown else 0) + (1 if more == f.key and f.repeatable else 0)
        shown += [EntryView() for _ in range(blanks)]
        errors: dict[int | None, list[str]] = {}
        for key, index, message in problems:
            if key == f.key or key.startswith(f.key + "."):
                errors.setdefault(index, []).append(message)
        choices = [(choice, names.get(choice, choice.rsplit("/", 1)[-1])) for choice in f.choices]
        views.append(FieldView(f, shown, errors, choices, f.kind == "text" and f.path not in TEXTAREA_EXCEPT))
    return views


def _report_problems(form: Form, report: Report) -> tuple[list[tuple[str, int | None, str]], list[str]]:
    """The checks' problems at the form's fields, and those of nothing the form shows."""
    at_fields: list[tuple[str, int | None, str]] = []
    elsewhere: list[str] = []
    for problem in report.problems:
        f = form.field(problem.path)
        if f is not None:
            at_fields.append((f.key, None, problem.message))
        else:
            elsewhere.append(problem.message)
    return at_fields, elsewhere


# -- the pages ---------------------------------------------------------------------------------------


def _refused(request: Request, status: int, message: str) -> Response:
    """A refusal: the error page for a browser, the JSON error for a program, in the request's language."""
    return error_page(request, status, translate(language_of(request), message))


@dataclass
class Typed:
    """What a person typed about the change itself, kept when a form is refused."""

    reason: str = ""
    source: str = ""
    identifier: str = ""


@dataclass
class Editing:
    """What the edit form is about: the resource, its kind and class, the version it builds on."""

    resource: str
    kind: str
    cls: str
    base_version: str | None
    label: str = ""
    draft: Draft | None = None

    @property
    def is_new(self) -> bool:
        return self.base_version is None


def _creatable(account: Account) -> list[tuple[str, str]]:
    """(slug, kind name) of every kind the account may make a new record of."""
    return [(slug, KIND_NAMES[kind]) for slug, kind in KIND_SLUGS.items()
            if may(as_actor(account), EDIT, Subject(kind))]


def _edit_page(
    request: Request,
    account: Account,
    editing: Editing,
    entries: dict[str, list[EntryView]],
    *,
    status: int = 200,
    problems: Sequence[tuple[str, int | None, str]] = (),
    general: Sequence[str] = (),
    notice: str | None = None,
    message: str | None = None,
    typed: Typed | None = None,
    more: str = "",
    context: Mapping[str, Any] | None = None,
) -> Response:
    catalogue = site_catalogue(request)
    lang = language_of(request)
    form = _form(catalogue, account, editing.kind, editing.cls)
    views = _field_views(catalogue, form, entries, problems, lang, more)
    typed = typed or Typed()
    return render(request, "editor/edit.html", {
        "editing": editing, "fields": views, "kind_name": KIND_NAMES.get(editing.kind, editing.kind),
        "slug": SLUG_OF_KIND.get(editing.kind, ""), "csrf": csrf_token(request), "reason": typed.reason,
        "source": typed.source, "identifier": typed.identifier, "general": general, "notice": notice,
        "message": message,
        "summary": [(key, index, text) for key, index, text in problems], "only_labels": form.paths != _form_paths(
            catalogue, editing.cls), **(context or {}),
    }, status=status)


def _form_paths(catalogue: SiteCatalogue, cls: str) -> frozenset[str]:
    return forms.form_for(catalogue.settings.shapes_file, catalogue.settings.ontology_file, cls).paths


@router.get("/upravy")
def editor_home(request: Request) -> Response:
    account = page_guard(request)
    if isinstance(account, Response):
        return account
    catalogue = site_catalogue(request)
    mine = [d for d in drafts.drafts(catalogue.store, catalogue.settings, as_actor(account)) if d.author == account.iri]
    reviewer = may(as_actor(account), REVIEW, Subject(OTHER_KIND))
    queue = drafts.review_queue(catalogue.store, catalogue.settings, as_actor(account)) if reviewer else []
    return render(request, "editor/home.html", {
        "account": account, "mine": mine, "queue_count": len(queue), "reviewer": reviewer,
        "triage": may(as_actor(account), TRIAGE, Subject(PROPOSAL_KIND)), "creatable": _creatable(account),
        "status_labels": STATUS_NAMES, "kind_labels": KIND_NAMES,
        "labels": _names(catalogue, [d.resource for d in mine], language_of(request)),
    })


MAX_PREFILL = 1000
"""Characters a prefilled name or synonym (``?nazev=``, ``?synonymum=``) keeps at most."""


@router.get("/upravy/novy/{slug}")
def new_record(request: Request, slug: str) -> Response:
    kind = KIND_SLUGS.get(slug)
    if kind is None:
        return _refused(request, 404, UNKNOWN_KIND)
    account = page_guard(request, EDIT, kind)
    if isinstance(account, Response):
        return account
    editing = Editing("", kind, CLASSES_BY_KIND[kind], None)
    # ?nazev= starts the form with a name (the demand page's "new problem" of an unmatched question).
    named = request.query_params.get("nazev", "").strip()[:MAX_PREFILL]
    return _edit_page(request, account, editing, {"skos-prefLabel": [EntryView(named, "cs")]} if named else {})


def _existing(catalogue: SiteCatalogue, iri: str, lang: str) -> tuple[Description, str, str]:
    current = read_description(catalogue.store, catalogue.settings, iri)
    if not current.exists:
        raise NotFound(NO_RESOURCE)
    classes = [term_value(t.object) for t in current.own() if t.predicate.value == RDF_TYPE]
    cls = next((c for c in classes if c in KINDS_BY_CLASS), None)
    if cls is None or not forms.has_form(catalogue.settings.shapes_file, cls):
        raise InvalidInput(NOTHING_TO_EDIT, field="iri")
    return current, cls, _names(catalogue, [iri], lang).get(iri, iri)


@router.get("/upravy/upravit")
def edit_record(request: Request, iri: str = "") -> Response:
    account = page_guard(request)
    if isinstance(account, Response):
        return account
    catalogue = site_catalogue(request)
    lang = language_of(request)
    try:
        current, cls, label = _existing(catalogue, iri, lang)
    except NotFound:
        return _refused(request, 404, NO_RESOURCE)
    except InvalidInput:
        return _refused(request, 400, NOTHING_TO_EDIT)
    refused = page_guard(request, EDIT, current.kind)
    if isinstance(refused, Response):
        return refused
    try:
        # A ministry is refused another organisation's programme at once, not after typing its change.
        authorise(as_actor(account), EDIT, Subject(current.kind, owners=drafts.owners(
            catalogue.store, catalogue.settings, current)))
    except Forbidden as error:
        return _refused(request, 403, error.message)
    own = next((d for d in drafts.drafts(catalogue.store, catalogue.settings, as_actor(account))
                if d.author == account.iri and d.resource == iri and d.status in drafts.OPEN_STATUSES), None)
    if own is not None:
        return RedirectResponse(f"/upravy/navrh/{own.id}", status_code=303)
    editing = Editing(iri, current.kind, cls, current.version, label)
    form = _form(catalogue, account, current.kind, cls)
    names = _names(catalogue, sorted(forms.linked_iris(v for vs in forms.field_values(current).values() for v in vs)),
                   lang)
    entries = _entries_of(form, current, names)
    # ?synonymum= adds one more hidden label (the demand page's "as a synonym" of an unmatched question).
    synonym = request.query_params.get("synonymum", "").strip()[:MAX_PREFILL]
    if synonym and any(f.key == "skos-hiddenLabel" for f in form.fields):
        entries.setdefault("skos-hiddenLabel", []).append(EntryView(synonym, "cs"))
    return _edit_page(request, account, editing, entries)


def _new_resource(catalogue: SiteCatalogue, kind: str, identifier: str) -> str:
    return f"{catalogue.settings.instance_base}{PATHS_BY_KIND[kind]}{identifier}"


@router.post("/upravy/ulozit")
async def save(request: Request) -> Response:
    try:
        data = await posted_form(request)
    except RejectedForm:
        data = {}
    return await run_in_threadpool(_save, request, data)


def _one(data: Mapping[str, Sequence[str]], name: str) -> str:
    values = data.get(name, [])
    return values[0].strip() if values else ""


def _save(request: Request, data: Mapping[str, Sequence[str]]) -> Response:
    account = page_guard(request)
    if isinstance(account, Response):
        return account
    catalogue = site_catalogue(request)
    lang = language_of(request)
    try:
        check_csrf(request, _one(data, "csrf"))
    except Forbidden as error:
        return _refused(request, 403, error.message)
    resource, slug = _one(data, "iri"), _one(data, "druh")
    reason, source, identifier = _one(data, "duvod"), _one(data, "zdroj"), _one(data, "identifikator")
    base_version = _one(data, "zakladni_verze") or None
    if resource:
        try:
            current, cls, label = _existing(catalogue, resource, lang)
        except NotFound:
            return _refused(request, 404, NO_RESOURCE)
        except InvalidInput:
            return _refused(request, 400, NOTHING_TO_EDIT)
        kind = current.kind
        editing = Editing(resource, kind, cls, base_version, label)
    else:
        kind = KIND_SLUGS.get(slug, "")
        if not kind:
            return _refused(request, 404, UNKNOWN_KIND)
        editing = Editing("", kind, CLASSES_BY_KIND[kind], None)
        current = Description("", ())
    refused = page_guard(request, EDIT, kind)
    if isinstance(refused, Response):
        return refused
    form = _form(catalogue, account, kind, editing.cls)
    entries = _posted_entries(form, data)
    action = _one(data, "akce")
    typed = Typed(reason, source, identifier)
    if action.startswith(ADD_PREFIX):
        return _edit_page(request, account, editing, entries, more=action.removeprefix(ADD_PREFIX), typed=typed)
    problems: list[tuple[str, int | None, str]] = []
    if not resource:
        identifier = identifier or suggested_identifier(_first_label(form, entries))
        typed.identifier = identifier
        if not IDENTIFIER.match(identifier):
            problems.append(("identifikator", None, translate(lang, NO_IDENTIFIER)))
        resource = _new_resource(catalogue, kind, identifier)
    values, link_errors = _resolved(catalogue, form, entries, lang)
    triples, form_errors = forms.triples_from(form, resource, values)
    problems += [(e.key, e.index, e.message) for e in link_errors + form_errors]
    if problems:
        return _edit_page(request, account, editing, entries, status=400, problems=problems,
                          message=FIX_FIELDS, typed=typed)
    own = next((d for d in drafts.drafts(catalogue.store, catalogue.settings, as_actor(account))
                if d.author == account.iri and d.resource == resource and d.status in drafts.OPEN_STATUSES), None)
    before = own.description if own is not None else current
    kept = forms.kept_statements(form, before) if before.exists else [
        ox.Triple(ox.NamedNode(resource), ox.NamedNode(RDF_TYPE), ox.NamedNode(editing.cls))]
    description = forms.described(resource, triples + kept)
    try:
        saved = drafts.save_draft(catalogue.store, catalogue.settings, as_actor(account), resource, description,
                                  reason, base_version, source=source)
    except InvalidDescription as error:
        mapped = [(_problem_key(form, where), None, text) for where, text in error.problems]
        return _edit_page(request, account, editing, entries, status=400, problems=mapped, message=FIX_FIELDS,
                          typed=typed)
    except (Forbidden, Unauthenticated) as error:
        return _refused(request, 403, error.message)
    except NotFound as error:
        return _refused(request, 404, error.message)
    return RedirectResponse(f"/upravy/navrh/{saved.draft.id}?hotovo=ulozeno", status_code=303)


_PROBLEM_KEYS = {"reason": "duvod", "baseVersion": "zakladni_verze", "source": "zdroj"}


def _problem_key(form: Form, where: str) -> str:
    f = form.field(where)
    return f.key if f is not None else _PROBLEM_KEYS.get(where, where)


def _first_label(form: Form, entries: Mapping[str, list[EntryView]]) -> str:
    """What a new record's identifier is made of: its name, or, for a record without one (a priority), what
    its first two fields name (the organisation and the measure)."""
    named = form.field(PREF_LABEL)
    fields = [named] if named is not None else list(form.fields[:2])
    return " ".join(typed[0].value for f in fields if (typed := entries.get(f.key)))


# -- a draft ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """One field of a conflict: its name, base, current and draft values, and whether both changed it."""

    path: str
    name: str
    base: list[Shown]
    current: list[Shown]
    draft: list[Shown]
    conflicting: bool


def _comparison(catalogue: SiteCatalogue, conflict_fields: Sequence[drafts.FieldChange], base: Description,
                current: Description, draft: Description) -> list[Comparison]:
    names = field_names(catalogue.settings.shapes_file, catalogue.settings.ontology_file)
    values = [forms.field_values(d) for d in (base, current, draft)]
    return [
        Comparison(change.path, names.of(change.path), values[0].get(change.path, []),
                   values[1].get(change.path, []), values[2].get(change.path, []), change.conflicting)
        for change in conflict_fields
        if change.path != RDF_TYPE
    ]


def _diff_names(catalogue: SiteCatalogue, changes: Sequence[FieldDiff], lang: str) -> tuple[dict[str, str], Any]:
    """The links' names in ``changes`` and the property names, for showing a diff."""
    shown = [v for change in changes for v in (*change.removed, *change.added)]
    names = field_names(catalogue.settings.shapes_file, catalogue.settings.ontology_file)
    return _names(catalogue, sorted(forms.linked_iris(shown)), lang), names


def _stale(draft: Draft, current: Description) -> bool:
    return current.exists if draft.is_new else current.version != draft.base.version


def _draft_page(
    request: Request, account: Account, draft: Draft, *, status: int = 200, error: str | None = None,
    problems: Sequence[tuple[str, int | None, str]] = (), comment: str = "", more: str = "",
) -> Response:
    catalogue = site_catalogue(request)
    lang = language_of(request)
    current = read_description(catalogue.store, catalogue.settings, draft.resource)
    report = check(catalogue.store, catalogue.settings, draft.description)
    stale = _stale(draft, current)
    imported = _imported_rows(catalogue, draft, lang) if draft.batch else []
    if imported:
        report = _batch_report(catalogue, draft)
        stale = stale or any(row.stale for row in imported)
    comparison = _comparison(catalogue, drafts.field_changes(draft.base, current, draft.description), draft.base,
                             current, draft.description) if stale else []
    changes = changes_between(catalogue.settings, draft.base, draft.description)
    links, names = _diff_names(catalogue, changes, lang)
    if comparison:
        links |= _names(catalogue, sorted(forms.linked_iris(
            v for c in comparison for v in (*c.base, *c.current, *c.draft))), lang)
    actor = as_actor(account)
    subject = drafts.subject_of(catalogue.store, catalogue.settings, draft)
    done = DONE.get(request.query_params.get("hotovo", ""))
    context = {
        "draft": draft, "report": report, "stale": stale, "comparison": comparison, "changes": changes,
        "links": links, "names": names, "status_labels": STATUS_NAMES, "error": error,
        "may_submit": draft.status in ("draft", "rejected") and may(actor, SUBMIT, subject),
        "may_publish": draft.status == "submitted" and may(actor, PUBLISH, subject),
        "may_reject": draft.status == "submitted" and may(actor, REJECT, subject),
        "comment": comment, "kind_name": KIND_NAMES.get(draft.kind, draft.kind), "current": current,
        "label": _label_of(draft.description) or links.get(draft.resource, draft.resource),
        "imported": imported,
    }
    # An import's draft is changed by importing its file again, not field by field.
    editable = draft.author == account.iri and draft.status in ("draft", "rejected") and not draft.batch
    if not editable:
        return render(request, "editor/draft.html", {**context, "csrf": csrf_token(request), "done": done},
                      status=status)
    classes = [term_value(t.object) for t in draft.description.own() if t.predicate.value == RDF_TYPE]
    cls = next((c for c in classes if c in KINDS_BY_CLASS), CLASSES_BY_KIND.get(draft.kind, ""))
    form = _form(catalogue, account, draft.kind, cls)
    at_fields, elsewhere = _report_problems(form, report)
    linked = sorted(forms.linked_iris(v for vs in forms.field_values(draft.description).values() for v in vs))
    entries = _entries_of(form, draft.description, _names(catalogue, linked, lang))
    editing = Editing("" if draft.is_new else draft.resource, draft.kind, cls, draft.base_version,
                      context["label"], draft)
    identifier = draft.resource.rsplit("/", 1)[-1] if draft.is_new else ""
    return _edit_page(
        request, account, editing, entries, status=status, problems=[*at_fields, *problems], general=elsewhere,
        notice=done if not report.violations else SAVED_WITH_PROBLEMS if done else None, message=error,
        typed=Typed(draft.reason, draft.source, identifier), more=more, context=context,
    )


@dataclass(frozen=True)
class ImportedRow:
    """One resource an import's draft changes, as its page lists it."""

    resource: str
    label: str
    is_new: bool
    fields: list[str]
    stale: bool


def _imported_rows(catalogue: SiteCatalogue, draft: Draft, lang: str) -> list[ImportedRow]:
    names = field_names(catalogue.settings.shapes_file, catalogue.settings.ontology_file)
    rows = []
    for change in draft.changes:
        current = read_description(catalogue.store, catalogue.settings, change.resource)
        stale = current.exists if change.base_version is None else current.version != change.base.version
        fields = list(dict.fromkeys(names.of(d.path) for d in forms.field_diff(change.base, change.description)))
        rows.append(ImportedRow(change.resource, _label_of(change.description) or change.resource,
                                change.base_version is None, fields, stale))
    return rows


def _batch_report(catalogue: SiteCatalogue, draft: Draft) -> Report:
    """The checks of every resource of an import's draft, each problem named by its record."""
    reports = check_all(catalogue.store, catalogue.settings, [change.description for change in draft.changes])
    problems = [
        replace(problem, message=f"{_label_of(change.description) or change.resource}: {problem.message}")
        for change in draft.changes
        for problem in reports[change.resource].problems
    ]
    return Report(tuple(problems), reports[draft.resource].fulfils)


PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"


def _label_of(description: Description) -> str:
    labels = [
        t.object for t in description.own() if t.predicate.value == PREF_LABEL and isinstance(t.object, ox.Literal)
    ]
    czech = [label.value for label in labels if label.language == "cs"]
    return (czech or [label.value for label in labels] or [""])[0]


def _reading(request: Request, identifier: str) -> tuple[Account, Draft] | Response:
    account = page_guard(request)
    if isinstance(account, Response):
        return account
    catalogue = site_catalogue(request)
    try:
        return account, drafts.get_draft(catalogue.store, catalogue.settings, as_actor(account), identifier)
    except NotFound as error:
        return _refused(request, 404, error.message)
    except Forbidden as error:
        return _refused(request, 403, error.message)


@router.get("/upravy/navrh/{identifier}")
def draft_page(request: Request, identifier: str) -> Response:
    found = _reading(request, identifier)
    if isinstance(found, Response):
        return found
    return _draft_page(request, *found)


async def _posted(request: Request) -> dict[str, list[str]]:
    try:
        return await posted_form(request)
    except RejectedForm:
        return {}


def _acting(request: Request, identifier: str, data: Mapping[str, Sequence[str]]) -> tuple[Account, Draft] | Response:
    """The account and the draft of a post about a draft, once its anti-forgery token is right."""
    found = _reading(request, identifier)
    if isinstance(found, Response):
        return found
    try:
        check_csrf(request, _one(data, "csrf"))
    except Forbidden as error:
        return _refused(request, 403, error.message)
    return found


DraftAction = Callable[[Request, Account, Draft, Mapping[str, Sequence[str]]], Response]


def _draft_action(action: str) -> Callable[[DraftAction], DraftAction]:
    """Register ``handler`` for posts to ``/upravy/navrh/{id}/<action>``: the form is read, and the handler
    runs in a worker thread with the account and the draft once the anti-forgery token is right."""

    def register(handler: DraftAction) -> DraftAction:
        async def route(request: Request, identifier: str) -> Response:
            data = await _posted(request)

            def run() -> Response:
                found = _acting(request, identifier, data)
                return found if isinstance(found, Response) else handler(request, *found, data)

            return await run_in_threadpool(run)

        router.post(f"/upravy/navrh/{{identifier}}/{action}", name=handler.__name__.strip("_"))(route)
        return handler

    return register


@_draft_action("odeslat")
def _submit(request: Request, account: Account, draft: Draft, data: Mapping[str, Sequence[str]]) -> Response:
    catalogue = site_catalogue(request)
    try:
        drafts.submit_draft(catalogue.store, catalogue.settings, as_actor(account), draft.id)
    except Forbidden as error:
        return _refused(request, 403, error.message)
    except InvalidInput as error:
        return _draft_page(request, account, draft, status=400, error=error.message)
    return RedirectResponse(f"/upravy/navrh/{draft.id}?hotovo=odeslano", status_code=303)


@_draft_action("zverejnit")
def _publish(request: Request, account: Account, draft: Draft, data: Mapping[str, Sequence[str]]) -> Response:
    catalogue = site_catalogue(request)
    comment = _one(data, "komentar")
    try:
        drafts.publish_draft(catalogue.store, catalogue.settings, as_actor(account), draft.id, comment)
    except Forbidden as error:
        return _refused(request, 403, error.message)
    except EditConflict as conflict:
        return _draft_page(request, account, draft, status=409, error=conflict.message, comment=comment)
    except InvalidInput as error:  # a draft in the wrong state, or one whose violations block it (InvalidDraft)
        return _draft_page(request, account, draft, status=400, error=error.message, comment=comment)
    # This process shows the change at once; the others follow the catalogue version.
    catalogue.refresh()
    return RedirectResponse(IriLinks(catalogue.settings).href(draft.resource) + "?zverejneno=1#historie",
                            status_code=303)


@_draft_action("zamitnout")
def _reject(request: Request, account: Account, draft: Draft, data: Mapping[str, Sequence[str]]) -> Response:
    catalogue = site_catalogue(request)
    comment = _one(data, "komentar")
    try:
        authorise(as_actor(account), REJECT, drafts.subject_of(catalogue.store, catalogue.settings, draft))
    except Forbidden as error:
        return _refused(request, 403, error.message)
    if not comment:
        return _draft_page(request, account, draft, status=400, error=REJECT_NEEDS_COMMENT,
                           problems=[("komentar", None, translate(language_of(request), REJECT_NEEDS_COMMENT))])
    try:
        drafts.reject_draft(catalogue.store, catalogue.settings, as_actor(account), draft.id, comment)
    except Forbidden as error:
        return _refused(request, 403, error.message)
    except InvalidInput as error:
        return _draft_page(request, account, draft, status=400, error=error.message, comment=comment)
    return RedirectResponse("/upravy/ke-schvaleni?hotovo=zamitnuto", status_code=303)


@_draft_action("sloucit")
def _rebase(request: Request, account: Account, draft: Draft, data: Mapping[str, Sequence[str]]) -> Response:
    """Move the draft onto the resource's current version: what only another changed is taken, and of
    the fields both changed, those the person chose (``prevzit``)."""
    catalogue = site_catalogue(request)
    try:
        authorise(as_actor(account), EDIT, drafts.subject_of(catalogue.store, catalogue.settings, draft))
    except Forbidden as error:
        return _refused(request, 403, error.message)
    current = read_description(catalogue.store, catalogue.settings, draft.resource)
    if draft.is_new or not current.exists:
        return _draft_page(request, account, draft, status=409,
                           error=N_("Nový záznam nelze převést na cizí záznam se stejnou adresou: zvolte jiný "
                                    "identifikátor."))
    moved, _both = forms.rebased(draft.base, current, draft.description)
    taken = moved if not data.get("prevzit") else forms.merged(moved, current, data.get("prevzit", []))
    try:
        drafts.save_draft(catalogue.store, catalogue.settings, as_actor(account), draft.resource, taken, draft.reason,
                          current.version, source=draft.source)
    except CatalogueError as error:
        return _draft_page(request, account, draft, status=error.status, error=error.message)
    return RedirectResponse(f"/upravy/navrh/{draft.id}?hotovo=slouceno", status_code=303)


# -- the reviewers' queue ------------------------------------------------------------------------------


@router.get("/upravy/ke-schvaleni")
def review_queue(request: Request) -> Response:
    account = page_guard(request, REVIEW, OTHER_KIND)
    if isinstance(account, Response):
        return account
    catalogue = site_catalogue(request)
    lang = language_of(request)
    queue = drafts.review_queue(catalogue.store, catalogue.settings, as_actor(account))
    items = []
    all_links: dict[str, str] = {}
    for draft in queue:
        changes = changes_between(catalogue.settings, draft.base, draft.description)
        all_links |= _diff_names(catalogue, changes, lang)[0]
        items.append((draft, changes, check(catalogue.store, catalogue.settings, draft.description)))
    return render(request, "editor/queue.html", {
        "items": items, "links": all_links, "names": field_names(catalogue.settings.shapes_file,
                                                                  catalogue.settings.ontology_file),
        "kind_labels": KIND_NAMES, "done": DONE.get(request.query_params.get("hotovo", "")),
        "labels": {d.resource: _label_of(d.description) for d in queue},
    })


# -- reverting ---------------------------------------------------------------------------------------------


def _revert_target(catalogue: SiteCatalogue, iri: str, version: str) -> tuple[Description, Description] | None:
    revisions = editing_history.history(catalogue.store, catalogue.settings, iri)
    target = editing_history.snapshot_at(revisions, version)
    if target is None:
        return None
    return read_description(catalogue.store, catalogue.settings, iri), target


def _revert_page(request: Request, iri: str, version: str, *, status: int = 200, reason: str = "",
                 error: str | None = None) -> Response:
    account = page_guard(request)
    if isinstance(account, Response):
        return account
    catalogue = site_catalogue(request)
    lang = language_of(request)
    found = _revert_target(catalogue, iri, version)
    if found is None:
        return _refused(request, 404, N_("Tuto verzi záznamu historie nezná."))
    current, target = found
    refused = page_guard(request, REVERT, current.kind if current.exists else target.kind)
    if isinstance(refused, Response):
        return refused
    changes = changes_between(catalogue.settings, current, target)
    links, names = _diff_names(catalogue, changes, lang)
    return render(request, "editor/revert.html", {
        "iri": iri, "version": version, "changes": changes, "links": links, "names": names, "reason": reason,
        "error": error, "csrf": csrf_token(request), "label": _label_of(current) or _label_of(target) or iri,
    }, status=status)


@router.get("/upravy/vratit")
def revert_page(request: Request, iri: str = "", verze: str = "") -> Response:
    return _revert_page(request, iri, verze)


@router.post("/upravy/vratit")
async def revert(request: Request) -> Response:
    data = await _posted(request)
    return await run_in_threadpool(_revert, request, data)


def _revert(request: Request, data: Mapping[str, Sequence[str]]) -> Response:
    account = page_guard(request)
    if isinstance(account, Response):
        return account
    catalogue = site_catalogue(request)
    iri, version, reason = _one(data, "iri"), _one(data, "verze"), _one(data, "duvod")
    try:
        check_csrf(request, _one(data, "csrf"))
    except Forbidden as error:
        return _refused(request, 403, error.message)
    try:
        drafts.revert(catalogue.store, catalogue.settings, as_actor(account), iri, version, reason)
    except Forbidden as error:
        return _refused(request, 403, error.message)
    except NotFound as error:
        return _refused(request, 404, error.message)
    except InvalidInput as error:
        return _revert_page(request, iri, version, status=400, reason=reason, error=error.message)
    catalogue.refresh()
    return RedirectResponse(IriLinks(catalogue.settings).href(iri) + "?vraceno=1#historie", status_code=303)


# -- the picker -----------------------------------------------------------------------------------------


@router.get("/upravy/vyber")
def pick(request: Request, trida: str = "", q: str = "") -> Response:
    """The resources of the classes ``trida`` (IRIs separated by spaces) whose name matches ``q``, as JSON
    for ``picker.js``; an editor's only."""
    account = page_guard(request)
    if isinstance(account, Response):
        return account
    catalogue = site_catalogue(request)
    classes = [cls for cls in trida.split() if cls.startswith(("http://", "https://"))][:6]
    found = candidates(catalogue.store, catalogue.search, classes, q, lang=language_of(request)) if classes else []
    return JSONResponse([{"iri": r.iri, "label": r.label, "code": r.code} for r in found],
                        headers={"Cache-Control": "private, no-store"})
