"""Checking a draft: the SHACL shapes and the rules, on the resource as it would be published.

Only what the change touches is checked: the draft's own description, with the classes of the resources
it links to (which ``sh:class`` needs) and the ontology's class hierarchy, validated alone (or, for an
import, all its rows in one run). At 50,000 realisations that takes the same 20 ms as for
the seeds; the whole graph would take minutes. On save every problem is a warning, so nothing typed is
lost; on publish a violation blocks.

pySHACL compares a literal's datatype but not whether its text is of that type ("dvacet"^^xsd:gYear
passes ``sh:datatype xsd:gYear``), so the lexical forms of the XSD types the shapes name are checked
here too, with the same field and a Czech message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS, XSD

from catalogue.editing.descriptions import NODE_MARK, Description, neighbourhood
from catalogue.settings import Settings
from catalogue.store import CatalogueStore, from_ox

# rdflib logs a traceback for every literal whose text is not of its datatype; here that is an expected
# input, reported to the curator at its field.
logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)

KCS = "https://w3id.org/kcs/ontology#"
KCSH = "https://w3id.org/kcs/shapes#"

_LEXICAL = {
    str(XSD.gYear): (re.compile(r"^-?[0-9]{4}$"), "rok zapsaný čtyřmi číslicemi, např. 2021"),
    str(XSD.decimal): (re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"), "číslo, např. 250000 nebo 12.5"),
    str(XSD.integer): (re.compile(r"^[+-]?[0-9]+$"), "celé číslo, např. 3"),
    str(XSD.boolean): (re.compile(r"^(true|false|1|0)$"), "ano, nebo ne"),
    str(XSD.date): (re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), "datum, např. 2021-08-05"),
    str(XSD.anyURI): (re.compile(r"^https?://\S+$"), "adresa začínající https://"),
}


@dataclass(frozen=True)
class Problem:
    """One problem of a draft: ``path`` is the property (field) at fault, ``""`` for the whole record."""

    path: str
    message: str
    severity: str = "violation"  # or "warning": the rules' findings never block


@dataclass(frozen=True)
class Report:
    problems: tuple[Problem, ...]
    fulfils: tuple[str, ...]
    """What the resource would fulfil once published (the rules' kcs:fulfils), for the reviewer."""

    @property
    def violations(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "violation"]

    def at(self, path: str) -> list[Problem]:
        return [problem for problem in self.problems if problem.path == path]


@cache
def _shapes(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


@cache
def _shapes_for(path: Path, classes: frozenset[str]) -> Graph:
    """The part of the shapes that can apply to a resource of ``classes``: the shapes targeting them or
    any labelled resource, and every shape, list and prefix declaration they reach. pySHACL gathers
    every shape of the graph it is given on each run, which for all the shapes takes longer than the
    whole check of one resource."""
    shapes = _shapes(path)
    roots = {
        shape
        for shape in shapes.subjects(SH.targetClass, None)
        if {str(c) for c in shapes.objects(shape, SH.targetClass)} & classes
    }
    roots |= set(shapes.subjects(SH.targetSubjectsOf, None))
    part = Graph()
    for prefix, namespace in shapes.namespaces():
        part.bind(prefix, namespace)
    seen: set[object] = set()
    pending = list(roots)
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for predicate, obj in shapes.predicate_objects(node):
            part.add((node, predicate, obj))  # type: ignore[arg-type]
            if isinstance(obj, BNode) or (isinstance(obj, URIRef) and str(obj).startswith(str(KCSH))):
                pending.append(obj)
    return part


@cache
def _class_hierarchy(path: Path) -> Graph:
    ontology = Graph().parse(path, format="turtle")
    hierarchy = Graph()
    for triple in ontology.triples((None, RDFS.subClassOf, None)):
        hierarchy.add(triple)
    return hierarchy


@dataclass(frozen=True)
class FieldNames:
    names: dict[str, str]

    def of(self, path: str) -> str:
        return self.names.get(path) or path.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


@cache
def field_names(shapes_file: Path, ontology_file: Path) -> FieldNames:
    """Each property's name for people: the shapes' ``sh:name``, else the ontology's Czech label."""
    names: dict[str, str] = {}
    ontology = Graph().parse(ontology_file, format="turtle")
    for subject, label in ontology.subject_objects(RDFS.label):
        if isinstance(label, Literal) and label.language == "cs":
            names.setdefault(str(subject), str(label))
    shapes = _shapes(shapes_file)
    for shape, path in shapes.subject_objects(SH.path):
        name = shapes.value(shape, SH.name)
        if isinstance(path, URIRef) and name is not None:
            names[str(path)] = str(name)
    names.setdefault(str(SKOS.prefLabel), "název")
    return FieldNames(names)


def _to_rdflib(triples: Iterable[ox.Triple]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))  # type: ignore[arg-type]
    return graph


def _lexical_problems(description: Description, names: FieldNames) -> list[Problem]:
    problems = []
    for triple in description.triples:
        obj = triple.object
        if isinstance(obj, ox.Literal) and obj.datatype.value in _LEXICAL:
            pattern, expected = _LEXICAL[obj.datatype.value]
            if not pattern.match(obj.value):
                field = names.of(triple.predicate.value)
                problems.append(
                    Problem(
                        triple.predicate.value, f"„{obj.value}“ není platná hodnota pole {field}: čekáme {expected}."
                    )
                )
    return problems


def _message(report: Graph, result: BNode | URIRef, names: FieldNames, shapes: Graph) -> tuple[str, str]:
    path = report.value(result, SH.resultPath)
    field = str(path) if isinstance(path, URIRef) else ""
    # The message is the constraint's own (a SPARQL constraint) or its property shape's.
    own = next(
        (
            shapes.value(node, SH.message)
            for node in (report.value(result, SH.sourceConstraint), report.value(result, SH.sourceShape))
            if node is not None and shapes.value(node, SH.message) is not None
        ),
        None,
    )
    if own is not None:
        return field, str(own)
    name = f"„{names.of(field)}“" if field else "celého záznamu"
    component = str(report.value(result, SH.sourceConstraintComponent) or "").rsplit("#", 1)[-1]
    value = report.value(result, SH.value)
    shown = f"„{value}“" if value is not None else "hodnota"
    templates = {
        "MinCountConstraintComponent": f"Vyplňte pole {name}: je povinné.",
        "MaxCountConstraintComponent": f"Pole {name} má příliš mnoho hodnot.",
        "DatatypeConstraintComponent": f"{shown} není v poli {name} hodnota správného typu.",
        "ClassConstraintComponent": f"{shown} v poli {name} nevede na záznam správného druhu.",
        "PatternConstraintComponent": f"{shown} nemá v poli {name} správný tvar.",
        "MinInclusiveConstraintComponent": f"{shown} je v poli {name} příliš malá hodnota.",
        "MinLengthConstraintComponent": f"{shown} je v poli {name} příliš krátké.",
        "UniqueLangConstraintComponent": f"Pole {name} má v jednom jazyce nejvýše jednu hodnotu.",
        "LanguageInConstraintComponent": f"Pole {name} má hodnotu v jazyce, který se tu nečeká.",
        "NodeKindConstraintComponent": f"{shown} v poli {name} má být odkaz (IRI).",
    }
    return field, templates.get(component, f"Pole {name} nesplňuje pravidlo tvaru ({component}).")


def _owner(focus: str, resources: Iterable[str]) -> str | None:
    """The resource of the batch a validation result is about: the focus itself, or the owner of a node."""
    owner = focus.split(NODE_MARK, 1)[0]
    return owner if owner in resources else None


def shape_problems_of(
    store: CatalogueStore, settings: Settings, descriptions: Sequence[Description]
) -> dict[str, list[Problem]]:
    """Each description's problems by the shapes, checked in one run of pySHACL: an import of a thousand
    rows takes seconds this way, where a run per row would take a minute. The descriptions see each
    other (a goal of an imported strategy is narrower than another row), as the store would see them
    once published together."""
    names = field_names(settings.shapes_file, settings.ontology_file)
    problems = {description.resource: _lexical_problems(description, names) for description in descriptions}
    if not descriptions:
        return problems
    triples = [triple for description in descriptions for triple in description.triples]
    described = {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
    linked = {t.object.value for t in triples if isinstance(t.object, ox.NamedNode)} - described
    data = _to_rdflib([*triples, *neighbourhood(store, linked)])
    data += _class_hierarchy(settings.ontology_file)
    classes = frozenset(
        t.object.value
        for description in descriptions
        for t in description.own()
        if t.predicate.value == str(RDF.type) and isinstance(t.object, ox.NamedNode)
    )
    shapes = _shapes_for(settings.shapes_file, classes)
    # No focus nodes: pySHACL matches each shape's targets against a list of them (a thousand rows made
    # fourteen million comparisons); the data holds little besides the descriptions, and results about
    # the rest (the linked resources, of which it holds only classes) are left out below.
    conforms, report, _ = shacl_validate(data, shacl_graph=shapes)
    if conforms:
        return problems
    assert isinstance(report, Graph)
    seen: dict[str, set[tuple[str, str]]] = {r: {(p.path, p.message) for p in found} for r, found in problems.items()}
    for outer in report.subjects(RDF.type, SH.ValidationResult):
        owner = _owner(str(report.value(outer, SH.focusNode)), problems)  # type: ignore[arg-type]
        if owner is None:
            continue
        for result in _detailed(report, outer, shapes):  # type: ignore[arg-type]
            field, message = _message(report, result, names, shapes)
            value = report.value(result, SH.value)
            found = problems[owner]
            if isinstance(value, Literal) and any(p.path == field and f"„{value}“" in p.message for p in found):
                continue  # the lexical check said it better
            if (field, message) not in seen[owner]:
                seen[owner].add((field, message))
                found.append(Problem(field, message))
    return problems


def _detailed(report: Graph, result: BNode | URIRef, shapes: Graph) -> list[BNode | URIRef]:
    """The results that say what is wrong: a nested shape's failure (``sh:node`` without a message of
    its own) by the results it is made of, which pySHACL gives as its ``sh:detail``."""
    details = list(report.objects(result, SH.detail))
    own = any(shapes.value(node, SH.message) is not None
              for node in (report.value(result, SH.sourceConstraint), report.value(result, SH.sourceShape))
              if node is not None)
    if not details or own:
        return [result]
    return [found for detail in details for found in _detailed(report, detail, shapes)]  # type: ignore[arg-type]


_PROJECT_KINDS = ("realisation", "service", "solution")


def _fulfilled(store: CatalogueStore, description: Description) -> list[str]:
    """What the resource would fulfil by the rules once published: the measures and goals it serves, and
    for a realisation those of what it realises (kcs:fulfils, as the rules derive it)."""
    links = [(t.predicate.value, t.object.value) for t in description.own() if isinstance(t.object, ox.NamedNode)]
    served = {target for predicate, target in links if predicate in (KCS + "servesMeasure", KCS + "servesGoal")}
    realised = sorted({target for predicate, target in links if predicate == KCS + "realises"})
    if realised:
        values = " ".join(f"<{iri}>" for iri in realised)
        rows = store.values(
            f"SELECT DISTINCT ?concept WHERE {{ VALUES ?realised {{ {values} }} ?realised <{KCS}fulfils> ?concept }}"
        )
        served |= {row["concept"] for row in rows}
    return sorted(served)


def check(store: CatalogueStore, settings: Settings, description: Description) -> Report:
    """Every problem of the draft ``description`` by the shapes and the rules."""
    return check_all(store, settings, [description])[description.resource]


def check_all(store: CatalogueStore, settings: Settings, descriptions: Sequence[Description]) -> dict[str, Report]:
    """Every problem of each description by the shapes (one run for all) and the rules, by resource."""
    shaped = shape_problems_of(store, settings, descriptions)
    return {d.resource: _report(store, d, shaped[d.resource]) for d in descriptions}


def _report(store: CatalogueStore, description: Description, problems: list[Problem]) -> Report:
    fulfils: list[str] = []
    if description.kind in _PROJECT_KINDS:
        fulfils = _fulfilled(store, description)
        if not fulfils:
            problems.append(
                Problem(
                    "",
                    "Po zveřejnění záznam nenaplní žádné typové opatření ani cíl koncepce, takže ho odpovědi "
                    "na problémy nenajdou: uveďte opatření, které naplňuje, nebo službu či řešení, které realizuje.",
                    "warning",
                )
            )
    return Report(tuple(problems), tuple(fulfils))
