"""The editor's forms, read from the SHACL shapes: what a form of a class asks is what its shapes say.

A class's form has a field for every property shape of the node shapes that target the class
(``sh:targetClass``) and of those they reuse (``sh:node``, e.g. ``kcsh:Described``), in ``sh:order``
(a shape without one comes last, by its name). A field takes its name and help from ``sh:name`` and
``sh:description``, what it holds from ``sh:datatype`` (text with a language, a plain text, a year, a
number, yes or no, a date), ``sh:in`` (a closed list), ``sh:class`` or ``sh:or`` of them (a link to a
resource of the catalogue), ``sh:nodeKind sh:IRI`` (an address), or ``sh:node`` on the property (a
nested record such as a source reference, with its own fields), and how many values it takes from
``sh:minCount`` and ``sh:maxCount``. So a property added to the shapes appears in the form without code.

The shapes are read with rdflib, as plain triples: no SPARQL. Beside the model, this module turns a
form's values into a resource's triples and a description back into the form's values, and merges
two descriptions field by field (a conflict resolved without retyping).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from catalogue.editing.descriptions import Description, is_own_node, skolemised

RDF_TYPE = str(RDF.type)
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
LANG_STRING = str(RDF.langString)
LANGUAGES = ("cs", "en")
"""The languages a text may be given in: the site's two."""

DATATYPE_KINDS = {
    LANG_STRING: "text",
    str(XSD.string): "string",
    str(XSD.gYear): "year",
    str(XSD.decimal): "decimal",
    str(XSD.integer): "integer",
    str(XSD.boolean): "boolean",
    str(XSD.date): "date",
    str(XSD.anyURI): "iri",
}
"""What a field holds, by the shape's ``sh:datatype``; a datatype not here is a plain text of it."""

PREFIXES = {
    "http://www.w3.org/2004/02/skos/core#": "skos",
    "https://w3id.org/kcs/ontology#": "kcs",
    "http://purl.org/dc/terms/": "dcterms",
    "http://www.w3.org/ns/org#": "org",
    "https://schema.org/": "schema",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs",
}


def field_key(path: str) -> str:
    """A stable name of the field of ``path`` for forms and element ids, e.g. ``kcs-year``."""
    for namespace, prefix in PREFIXES.items():
        if path.startswith(namespace):
            local = path[len(namespace) :]
            if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", local):
                return f"{prefix}-{local}"
    local = re.sub(r"[^A-Za-z0-9]", "", path.rsplit("/", 1)[-1].rsplit("#", 1)[-1]) or "pole"
    return f"p-{local}-{hashlib.sha256(path.encode()).hexdigest()[:6]}"


@dataclass(frozen=True)
class Field:
    """One property of a form."""

    path: str
    name: str
    help: str = ""
    order: float | None = None
    kind: str = "string"
    """text (with a language), string, year, decimal, integer, boolean, date, iri, link, choice, node"""
    datatype: str | None = None
    choices: tuple[str, ...] = ()
    """The ``sh:in`` values (IRIs, or literals' texts)."""
    choices_are_iris: bool = False
    classes: tuple[str, ...] = ()
    """The classes a link may lead to (``sh:class``, or each of an ``sh:or``)."""
    min_count: int = 0
    max_count: int | None = None
    parts: tuple[Field, ...] = ()
    """A nested record's fields (``sh:node`` on the property)."""
    node_class: str | None = None
    """The class of a nested record (its shape's ``sh:targetClass``), stated of each record made."""

    @property
    def key(self) -> str:
        return field_key(self.path)

    @property
    def repeatable(self) -> bool:
        return self.max_count is None or self.max_count > 1

    @property
    def required(self) -> bool:
        return self.min_count >= 1


@dataclass(frozen=True)
class Form:
    cls: str
    fields: tuple[Field, ...]

    @property
    def paths(self) -> frozenset[str]:
        return frozenset(f.path for f in self.fields)

    def field(self, path: str) -> Field | None:
        return next((f for f in self.fields if f.path == path), None)

    def only(self, paths: Iterable[str] | None) -> Form:
        """The form with only the fields of ``paths`` (None: all of them)."""
        if paths is None:
            return self
        allowed = set(paths)
        return Form(self.cls, tuple(f for f in self.fields if f.path in allowed))


# -- reading the shapes ----------------------------------------------------------------------------


def _list(graph: Graph, node: Node | None) -> list[Node]:
    if node is None:
        return []
    return list(Collection(graph, node))  # type: ignore[arg-type]


def _int(graph: Graph, node: Node, predicate: URIRef) -> int | None:
    value = graph.value(node, predicate)  # type: ignore[arg-type]
    return int(value) if isinstance(value, Literal) else None


def _classes(graph: Graph, shape: Node) -> list[str]:
    found = [str(c) for c in graph.objects(shape, SH["class"])]  # type: ignore[arg-type]
    for alternative in _list(graph, graph.value(shape, SH["or"])):  # type: ignore[arg-type]
        found += [str(c) for c in graph.objects(alternative, SH["class"])]  # type: ignore[arg-type]
    return list(dict.fromkeys(found))


def _datatypes(graph: Graph, shape: Node) -> list[str]:
    found = [str(d) for d in graph.objects(shape, SH.datatype)]  # type: ignore[arg-type]
    for alternative in _list(graph, graph.value(shape, SH["or"])):  # type: ignore[arg-type]
        found += [str(d) for d in graph.objects(alternative, SH.datatype)]  # type: ignore[arg-type]
    return found


def _text(graph: Graph, shape: Node, predicate: URIRef) -> str:
    values = list(graph.objects(shape, predicate))  # type: ignore[arg-type]
    czech = [v for v in values if isinstance(v, Literal) and v.language in (None, "cs")]
    return str(czech[0]) if czech else ""


def _property_field(graph: Graph, shape: Node, names: Mapping[str, str], seen: frozenset[Node]) -> Field | None:
    path = graph.value(shape, SH.path)  # type: ignore[arg-type]
    if not isinstance(path, URIRef):
        return None  # a path expression is not something a form can fill
    order = graph.value(shape, SH.order)  # type: ignore[arg-type]
    listed = _list(graph, graph.value(shape, SH["in"]))  # type: ignore[arg-type]
    choices = tuple(str(term) for term in listed)
    classes = tuple(_classes(graph, shape))
    datatypes = _datatypes(graph, shape)
    node = graph.value(shape, SH.node)  # type: ignore[arg-type]
    parts: tuple[Field, ...] = ()
    node_class = None
    if choices:
        kind = "choice"
    elif node is not None and node not in seen:
        kind = "node"
        parts = tuple(_shape_fields(graph, [node], names, seen | {node}))
        targets = list(graph.objects(node, SH.targetClass))
        node_class = str(targets[0]) if len(targets) == 1 else None
    elif classes:
        kind = "link"
    elif len(datatypes) == 1:
        kind = DATATYPE_KINDS.get(datatypes[0], "string")
    elif graph.value(shape, SH.nodeKind) == SH.IRI:  # type: ignore[arg-type]
        kind = "iri"
    else:
        kind = "string"
    name = _text(graph, shape, SH.name) or names.get(str(path)) or field_key(str(path)).split("-", 1)[-1]
    return Field(
        path=str(path),
        name=name,
        help=_text(graph, shape, SH.description),
        order=float(order) if isinstance(order, Literal) else None,
        kind=kind,
        datatype=datatypes[0] if len(datatypes) == 1 else None,
        choices=choices,
        choices_are_iris=bool(listed) and all(isinstance(term, URIRef) for term in listed),
        classes=classes,
        min_count=_int(graph, shape, SH.minCount) or _int(graph, shape, SH.qualifiedMinCount) or 0,
        max_count=_int(graph, shape, SH.maxCount),
        parts=parts,
        node_class=node_class,
    )


def _merged(first: Field, second: Field) -> Field:
    """Two shapes of one property: every constraint of both holds."""
    maxima = [m for m in (first.max_count, second.max_count) if m is not None]
    return Field(
        path=first.path,
        name=first.name if first.order is not None or not second.name else second.name,
        help=first.help or second.help,
        order=first.order if first.order is not None else second.order,
        kind=first.kind if first.kind != "string" else second.kind,
        datatype=first.datatype or second.datatype,
        choices=first.choices or second.choices,
        choices_are_iris=first.choices_are_iris if first.choices else second.choices_are_iris,
        classes=first.classes or second.classes,
        min_count=max(first.min_count, second.min_count),
        max_count=min(maxima) if maxima else None,
        parts=first.parts or second.parts,
        node_class=first.node_class or second.node_class,
    )


def _shape_fields(graph: Graph, shapes: Sequence[Node], names: Mapping[str, str], seen: frozenset[Node]) -> list[Field]:
    by_path: dict[str, Field] = {}
    pending = list(shapes)
    visited: set[Node] = set()
    while pending:
        shape = pending.pop(0)
        if shape in visited:
            continue
        visited.add(shape)
        for prop in graph.objects(shape, SH.property):  # type: ignore[arg-type]
            found = _property_field(graph, prop, names, seen | {shape})
            if found is not None:
                by_path[found.path] = _merged(by_path[found.path], found) if found.path in by_path else found
        pending += list(graph.objects(shape, SH.node))  # type: ignore[arg-type]
    return sorted(by_path.values(), key=lambda f: (f.order is None, f.order or 0.0, f.name, f.path))


def form_of(shapes: Graph, cls: str, names: Mapping[str, str] | None = None) -> Form:
    """The form of the class ``cls`` by the shapes graph; ``names`` names the properties no shape names
    (the ontology's Czech labels)."""
    targeting = sorted(shapes.subjects(SH.targetClass, URIRef(cls)), key=str)
    return Form(cls, tuple(_shape_fields(shapes, targeting, names or {}, frozenset())))


@cache
def _shapes_graph(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


@cache
def _ontology_names(path: Path) -> dict[str, str]:
    from rdflib.namespace import RDFS

    ontology = Graph().parse(path, format="turtle")
    return {
        str(subject): str(label)
        for subject, label in ontology.subject_objects(RDFS.label)
        if isinstance(label, Literal) and label.language == "cs"
    }


def form_for(shapes_file: Path, ontology_file: Path, cls: str) -> Form:
    """The form of ``cls`` by the catalogue's shapes file, with the ontology's names for the rest."""
    return form_of(_shapes_graph(shapes_file), cls, _ontology_names(ontology_file))


def has_form(shapes_file: Path, cls: str) -> bool:
    return (None, SH.targetClass, URIRef(cls)) in _shapes_graph(shapes_file)


# -- the values of a form --------------------------------------------------------------------------


@dataclass
class Entry:
    """One value of a field as the form holds it: the text typed (an IRI for a link), its language for a
    text, and a nested record's values by its fields' keys."""

    value: str = ""
    lang: str = ""
    parts: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.value.strip() and not any(v.strip() for v in self.parts.values())


Values = dict[str, list[Entry]]
"""A form's values: field key → its entries."""


def _entry_of(term: Term) -> Entry:
    if isinstance(term, ox.NamedNode):
        return Entry(term.value)
    if isinstance(term, ox.Literal):
        return Entry(term.value, term.language or "")
    return Entry(str(term))


def values_of(form: Form, description: Description) -> Values:
    """The form's values of an existing description (to prefill it)."""
    values: Values = {}
    root = ox.NamedNode(description.resource)
    for f in form.fields:
        entries = []
        for triple in description.triples:
            if triple.subject != root or triple.predicate.value != f.path:
                continue
            if f.kind == "node":
                node = [t for t in description.triples if t.subject == triple.object]
                parts = {}
                for part in f.parts:
                    found = [t.object for t in node if t.predicate.value == part.path]
                    parts[part.key] = _entry_of(found[0]).value if found else ""
                entries.append(Entry(parts=parts))
            else:
                entries.append(_entry_of(triple.object))
        values[f.key] = sorted(entries, key=lambda e: (e.lang != "cs", e.value, sorted(e.parts.items())))
    return values


def values_from(form: Form, data: Mapping[str, Sequence[str]]) -> Values:
    """The form's values as sent: ``data`` maps each input's name to its values, in the page's order
    (a field's inputs are named by its key, a text's language ``<key>.lang``, a record's part
    ``<key>.<part key>``); blank entries are left out."""
    values: Values = {}
    for f in form.fields:
        if f.kind == "node":
            columns = {part.key: list(data.get(f"{f.key}.{part.key}", [])) for part in f.parts}
            rows = max((len(c) for c in columns.values()), default=0)
            entries = [
                Entry(parts={k: (c[i] if i < len(c) else "").strip() for k, c in columns.items()}) for i in range(rows)
            ]
        else:
            texts = list(data.get(f.key, []))
            langs = list(data.get(f"{f.key}.lang", []))
            entries = [Entry(t.strip(), (langs[i] if i < len(langs) else "").strip()) for i, t in enumerate(texts)]
        values[f.key] = [e for e in entries if not e.empty]
    return values


@dataclass(frozen=True)
class FormError:
    """A value that cannot be a statement at all, at its field (``key``) and entry (``index``)."""

    key: str
    index: int | None
    message: str


_NUMBER_SPACES = re.compile(r"[\s\u00a0\u202f]")


def _typed(f: Field, text: str) -> str:
    """The lexical form of a number as people write it in Czech (groups of digits, a decimal comma)."""
    if f.kind in ("decimal", "integer"):
        cleaned = _NUMBER_SPACES.sub("", text)
        if re.fullmatch(r"[+-]?[0-9]+(,[0-9]+)?", cleaned):
            return cleaned.replace(",", ".")
        return cleaned if re.fullmatch(r"[+-]?[0-9]+(\.[0-9]+)?", cleaned) else text
    if f.kind == "boolean":
        return {"ano": "true", "ne": "false"}.get(text.lower(), text)
    return text


def _iri(text: str) -> ox.NamedNode | None:
    try:
        return ox.NamedNode(text) if re.match(r"^[a-z][a-z0-9+.-]*:\S+$", text) else None
    except ValueError:
        return None


def _term(f: Field, entry: Entry, index: int) -> tuple[Term | None, FormError | None]:
    text = entry.value
    if f.kind == "text":
        lang = entry.lang or "cs"
        if lang not in LANGUAGES:
            return None, FormError(f.key, index, f"Jazyk „{lang}“ katalog nezná: zvolte češtinu, nebo angličtinu.")
        return ox.Literal(text, language=lang), None
    if f.kind == "choice":
        if text not in f.choices:
            message = f"„{text}“ není mezi možnostmi pole {f.name}: vyberte jednu z nabídky."
            return None, FormError(f.key, index, message)
        if f.choices_are_iris:
            return ox.NamedNode(text), None
        return ox.Literal(text, datatype=ox.NamedNode(f.datatype)) if f.datatype else ox.Literal(text), None
    if f.kind in ("link", "iri"):
        iri = _iri(text)
        if iri is None:
            expected = "vyberte záznam z katalogu" if f.kind == "link" else "napište adresu začínající https://"
            return None, FormError(f.key, index, f"„{text}“ není odkaz: {expected}.")
        return iri, None
    if f.datatype and f.datatype != LANG_STRING:
        return ox.Literal(_typed(f, text), datatype=ox.NamedNode(f.datatype)), None
    return ox.Literal(text), None


def triples_from(form: Form, resource: str, values: Values) -> tuple[list[ox.Triple], list[FormError]]:
    """The statements the form's values make of ``resource``, and what could not be one. A value whose
    text is not of its type (a year "dvacet") is still a statement: the checks report it at its field,
    and the draft keeps it."""
    root = ox.NamedNode(resource)
    triples: list[ox.Triple] = []
    errors: list[FormError] = []
    for f in form.fields:
        for index, entry in enumerate(values.get(f.key, [])):
            predicate = ox.NamedNode(f.path)
            if f.kind == "node":
                node = ox.BlankNode()
                triples.append(ox.Triple(root, predicate, node))
                if f.node_class:
                    triples.append(ox.Triple(node, ox.NamedNode(RDF_TYPE), ox.NamedNode(f.node_class)))
                for part in f.parts:
                    text = entry.parts.get(part.key, "").strip()
                    if not text:
                        continue
                    term, error = _term(part, Entry(text), index)
                    if error is not None:
                        errors.append(FormError(f"{f.key}.{part.key}", index, error.message))
                    elif term is not None:
                        triples.append(ox.Triple(node, ox.NamedNode(part.path), term))
                continue
            term, error = _term(f, entry, index)
            if error is not None:
                errors.append(error)
            elif term is not None:
                triples.append(ox.Triple(root, predicate, term))
    return triples, errors


def _node(description: Description, node: object) -> list[ox.Triple]:
    return [triple for triple in description.triples if triple.subject == node]


def _reachable(description: Description, starts: Iterable[Term]) -> list[ox.Triple]:
    """The triples of the nodes ``starts`` (own nodes of the description), at any depth."""
    found: list[ox.Triple] = []
    pending = [t for t in starts if isinstance(t, ox.BlankNode) or is_own_node(description.resource, t)]
    seen: set[Term] = set()
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in _node(description, node):
            found.append(triple)
            pending.append(triple.object)
    return found


def statements_of(description: Description, paths: Iterable[str]) -> list[ox.Triple]:
    """The resource's statements of ``paths`` with their nodes' statements."""
    wanted = set(paths)
    own = [t for t in description.own() if t.predicate.value in wanted]
    return own + _reachable(description, [t.object for t in own])


def kept_statements(form: Form, description: Description) -> list[ox.Triple]:
    """What the form does not show of ``description`` and a save keeps as it was (its class, the facts
    of properties the form has no field for)."""
    others = {t.predicate.value for t in description.own()} - form.paths
    return statements_of(description, others)


def described(resource: str, triples: Iterable[ox.Triple]) -> Description:
    """The triples as a description of ``resource`` (nodes named by their content)."""
    return Description(resource, tuple(skolemised(resource, triples)))


def merged(draft: Description, current: Description, take_current: Iterable[str]) -> Description:
    """``draft`` with the fields of ``take_current`` (paths) as ``current`` has them."""
    chosen = set(take_current)
    mine = [t for t in draft.own() if t.predicate.value not in chosen]
    kept = mine + _reachable(draft, [t.object for t in mine])
    return described(draft.resource, kept + statements_of(current, chosen))


def rebased(base: Description, current: Description, draft: Description) -> tuple[Description, list[str]]:
    """The draft moved onto ``current``: every field the draft left as it was in ``base`` takes what
    ``current`` has (another's change is kept), every field the draft changed keeps the draft's. Also
    the fields both changed differently (where the draft's wins unless the person chooses otherwise)."""
    paths = {t.predicate.value for d in (base, current, draft) for t in d.own()}

    def canonical(description: Description, path: str) -> list[str]:
        # A node's name is a digest of its content (skolemised), so equal names are equal records.
        return sorted(str(t.object) for t in description.own() if t.predicate.value == path)

    untouched = [p for p in paths if canonical(draft, p) == canonical(base, p)]
    both = sorted(
        p
        for p in paths
        if p not in untouched
        and canonical(current, p) != canonical(base, p)
        and canonical(current, p) != canonical(draft, p)
    )
    return merged(draft, current, untouched), both


__all__ = [
    "Entry",
    "Field",
    "FieldDiff",
    "Form",
    "FormError",
    "Shown",
    "described",
    "field_diff",
    "field_key",
    "field_values",
    "form_for",
    "form_of",
    "kept_statements",
    "linked_iris",
    "merged",
    "rebased",
    "statements_of",
    "triples_from",
    "values_from",
    "values_of",
]


# -- showing a description's values ------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A value as a page shows it: a link (``iri``) or a text (``text`` in ``lang``); a nested record
    (a source reference) as its parts, each (property, value)."""

    text: str
    iri: str = ""
    lang: str = ""
    parts: tuple[tuple[str, Shown], ...] = ()


def _shown(description: Description, term: Term, depth: int = 0) -> Shown:
    if isinstance(term, ox.NamedNode) and is_own_node(description.resource, term) and depth < 3:
        parts = tuple(
            (t.predicate.value, _shown(description, t.object, depth + 1))
            for t in sorted(_node(description, term), key=lambda t: (t.predicate.value, str(t.object)))
            if t.predicate.value != RDF_TYPE
        )
        return Shown("", parts=parts)
    if isinstance(term, ox.NamedNode):
        return Shown(term.value, iri=term.value)
    if isinstance(term, ox.Literal):
        return Shown(term.value, lang=term.language or "")
    return Shown(str(term))


def field_values(description: Description) -> dict[str, list[Shown]]:
    """The resource's own values by property, as a page shows them."""
    found: dict[str, list[Shown]] = {}
    for triple in sorted(description.own(), key=lambda t: (t.predicate.value, str(t.object))):
        found.setdefault(triple.predicate.value, []).append(_shown(description, triple.object))
    return found


def linked_iris(shown: Iterable[Shown]) -> set[str]:
    """Every IRI the values link to (for their labels)."""
    found: set[str] = set()
    for value in shown:
        if value.iri:
            found.add(value.iri)
        found |= linked_iris(part for _, part in value.parts)
    return found


@dataclass(frozen=True)
class FieldDiff:
    """One property changed between two descriptions: the values only the first had, and only the second."""

    path: str
    removed: tuple[Shown, ...]
    added: tuple[Shown, ...]


def field_diff(before: Description, after: Description, order: Sequence[str] = ()) -> list[FieldDiff]:
    """The properties in which ``after`` differs from ``before``, each with what left and what came: those
    of ``order`` (a form's paths) first, in its order, the rest by IRI. A new record's class is no change
    anyone reads: its page and form say what it is."""
    old, new = field_values(before), field_values(after)
    rank = {path: index for index, path in enumerate(order)}
    changes = []
    for path in sorted(set(old) | set(new), key=lambda p: (rank.get(p, len(rank)), p)):
        if path == RDF_TYPE and not before.exists:
            continue
        removed = tuple(value for value in old.get(path, []) if value not in new.get(path, []))
        added = tuple(value for value in new.get(path, []) if value not in old.get(path, []))
        if removed or added:
            changes.append(FieldDiff(path, removed, added))
    return changes
