"""Validation of the catalogue: SHACL shapes (pySHACL) and OWL consistency (owlready2 with HermiT).

Both work on the Turtle files, not on the store, so a curator can validate before loading; each
problem names the resource, the rule it breaks and the file that describes the resource.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH

from catalogue.errors import CatalogueError
from catalogue.settings import Settings

KCSH = Namespace("https://w3id.org/kcs/shapes#")


class ValidationError(CatalogueError):
    """Validation could not run at all (a missing file, no Java for the reasoner …)."""

    code = "VALIDATION_NOT_RUN"


@dataclass(frozen=True)
class Problem:
    resource: str
    rule: str
    message: str
    file: str

    def describe(self) -> str:
        return f"{self.file}: {self.resource}: {self.message} [{self.rule}]"


@dataclass
class CatalogueGraph:
    """The catalogue's files merged into one graph, remembering which file describes which resource."""

    graph: Graph
    files_of: dict[URIRef | BNode, set[str]]

    @classmethod
    def read(cls, files: Sequence[Path]) -> CatalogueGraph:
        merged = Graph()
        files_of: dict[URIRef | BNode, set[str]] = {}
        for path in files:
            part = Graph()
            try:
                part.parse(path, format="turtle")
            except FileNotFoundError as error:
                raise ValidationError(f"{path}: no such file") from error
            except Exception as error:  # rdflib's parsers raise several kinds for bad syntax
                raise ValidationError(f"{path}: malformed Turtle: {' '.join(str(error).split())}") from error
            for prefix, namespace in part.namespaces():
                merged.bind(prefix, namespace, override=False)
            for subject in set(part.subjects()):
                files_of.setdefault(subject, set()).add(path.name)  # type: ignore[arg-type]
            merged += part
        return cls(merged, files_of)

    def describe(self, node: URIRef | BNode) -> tuple[str, str]:
        """A readable name for a node and the file(s) describing it; a blank node is named by its owner,
        and a curator's mark, which has none, by the triple it marks."""
        if isinstance(node, BNode):
            marked = [self.graph.value(node, term) for term in (RDF.subject, RDF.predicate, RDF.object)]
            if any(term is not None for term in marked):
                triple = " ".join("?" if term is None else self._name(term) for term in marked)
                return f"curator's inference [{triple}]", ", ".join(sorted(self.files_of.get(node, {"?"})))
            owner = next(self.graph.subjects(None, node), None)
            if owner is not None:
                name, file = self.describe(owner)  # type: ignore[arg-type]
                return f"{name} (source reference)", file
        return self._name(node), ", ".join(sorted(self.files_of.get(node, {"?"})))

    def _name(self, term: object) -> str:
        if isinstance(term, URIRef):
            return self.graph.namespace_manager.normalizeUri(term)
        return repr(str(term)) if isinstance(term, Literal) else str(term)


def _leaf_results(report: Graph) -> list[URIRef | BNode]:
    """Validation results with nested details (sh:node) replaced by the details, which say more."""
    top = [r for r in report.subjects(RDF.type, SH.ValidationResult) if not any(report.subjects(SH.detail, r))]
    leaves: list[URIRef | BNode] = []
    pending = list(top)
    while pending:
        result = pending.pop()
        details = list(report.objects(result, SH.detail))
        if details:
            pending.extend(details)  # type: ignore[arg-type]
        else:
            leaves.append(result)  # type: ignore[arg-type]
    return leaves


def _rule_name(shapes: Graph, shape: object, path: object) -> str:
    """Name a rule by its node shape and path (kcsh:FundingCall kcs:callOf): property shapes are blank."""
    owner = shapes.value(predicate=SH.property, object=shape) if isinstance(shape, BNode) else shape
    names = shapes.namespace_manager
    rule = names.normalizeUri(owner) if isinstance(owner, URIRef) else "kcsh"
    if isinstance(path, URIRef):
        rule += " " + names.normalizeUri(path)
    return rule


def shacl_problems(catalogue: CatalogueGraph, settings: Settings, *, described_only: bool = False) -> list[Problem]:
    """The shapes' violations in ``catalogue``. With ``described_only``, only those of the nodes
    ``catalogue.files_of`` names: the rest of the graph is context (the types and hierarchy of what the
    files link to), as ``katalog load`` checks the files it writes. (pySHACL's own focus nodes would leave
    out the blank nodes the shapes target, the curators' marks.)"""
    shapes = Graph().parse(settings.shapes_file, format="turtle")
    ontology = Graph().parse(settings.ontology_file, format="turtle")
    _, report, _ = shacl_validate(
        catalogue.graph, shacl_graph=shapes, ont_graph=ontology, inference="rdfs", allow_warnings=True
    )
    problems = set()
    for result in _leaf_results(report):
        focus = report.value(result, SH.focusNode)
        if described_only and focus not in catalogue.files_of:
            continue
        resource, file = catalogue.describe(focus)  # type: ignore[arg-type]
        rule = _rule_name(shapes, report.value(result, SH.sourceShape), report.value(result, SH.resultPath))
        message = report.value(result, SH.resultMessage) or Literal("does not conform")
        value = report.value(result, SH.value)
        text = str(message) + (f" (hodnota: {value})" if value is not None and not isinstance(value, BNode) else "")
        problems.add(Problem(resource, rule, text, file))
    return sorted(problems, key=lambda p: (p.file, p.resource, p.rule))


def reasoner_problems(catalogue: CatalogueGraph, settings: Settings) -> list[Problem]:
    """Load the ontology and the data into owlready2 and let HermiT check consistency."""
    import owlready2  # heavy and Java-bound: imported only when the reasoner runs

    if shutil.which(owlready2.JAVA_EXE) is None:
        raise ValidationError(
            "the OWL reasoner needs a Java runtime: `make setup` installs one (apt-get install default-jre-headless)"
        )
    merged = Graph()
    merged += catalogue.graph
    merged.parse(settings.ontology_file, format="turtle")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "catalogue.nt"
        merged.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        ontology = world.get_ontology(path.as_uri()).load(format="ntriples")
        try:
            with ontology:
                # xsd:gYear is outside OWL 2's datatype map; SHACL checks those values instead.
                owlready2.sync_reasoner_hermit(
                    world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True
                )
            unsatisfiable = [cls.iri for cls in world.inconsistent_classes()]
        except owlready2.OwlReadyInconsistentOntologyError:
            return [Problem("(celý katalog)", "owl:consistency", "Ontologie s daty je logicky sporná (HermiT).", "*")]
        finally:
            world.close()
    return [
        Problem(iri, "owl:unsatisfiable", "Třída nemůže mít žádnou instanci (HermiT).", "kcs.ttl")
        for iri in unsatisfiable
    ]


def validate(settings: Settings, files: Sequence[Path], *, reasoner: bool = True) -> list[Problem]:
    catalogue = CatalogueGraph.read(files)
    problems = shacl_problems(catalogue, settings)
    if reasoner:
        problems += reasoner_problems(catalogue, settings)
    return problems
