"""A resource's published history as pages show it: each revision with who, when, why and on what source,
and what it changed field by field (:func:`catalogue.editing.forms.field_diff` of its base and its new
description), the links named. The resource page's "Historie změn" and the Atom feed ``/zmeny.atom`` show
the same revisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from catalogue.editing import forms
from catalogue.editing.checks import FieldNames, field_names
from catalogue.editing.descriptions import KINDS_BY_CLASS, RDF_TYPE, Description, term_value
from catalogue.editing.history import Revision
from catalogue.queries.browse import descriptors
from catalogue.queries.concept import resources
from catalogue.settings import Settings
from catalogue.store import CatalogueStore


@dataclass(frozen=True)
class ShownRevision:
    revision: Revision
    changes: list[forms.FieldDiff]


@dataclass(frozen=True)
class ShownHistory:
    revisions: list[ShownRevision]
    links: dict[str, str]
    """The names of the resources the changes link to."""
    names: FieldNames


def link_names(store: CatalogueStore, iris: Sequence[str], lang: str) -> dict[str, str]:
    """The names of resources and code-list values among ``iris``."""
    found = {iri: resource.label for iri, resource in resources(store, iris, lang).items()}
    rest = [iri for iri in iris if iri not in found]
    return found | {iri: resource.label for iri, resource in descriptors(store, rest, lang).items()}


def changes_between(settings: Settings, before: Description, after: Description) -> list[forms.FieldDiff]:
    """What ``after`` changes of ``before``, field by field in the order of its class's form."""
    classes = [term_value(t.object) for d in (after, before) for t in d.own() if t.predicate.value == RDF_TYPE]
    cls = next((c for c in classes if c in KINDS_BY_CLASS and forms.has_form(settings.shapes_file, c)), None)
    order = [f.path for f in forms.form_for(settings.shapes_file, settings.ontology_file, cls).fields] if cls else []
    return forms.field_diff(before, after, order)


def shown_history(store: CatalogueStore, settings: Settings, revisions: Sequence[Revision], lang: str) -> ShownHistory:
    shown = [ShownRevision(r, changes_between(settings, r.base_snapshot, r.snapshot)) for r in revisions]
    linked = forms.linked_iris(v for r in shown for change in r.changes for v in (*change.removed, *change.added))
    return ShownHistory(shown, link_names(store, sorted(linked), lang),
                        field_names(settings.shapes_file, settings.ontology_file))
