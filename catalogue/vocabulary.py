"""Vocabulary terms as code: the ontology's namespace, so a mistyped term fails at import.

`KCS` lists every class and property of `ontology/kcs.ttl`; `python -m catalogue.vocabulary` prints the
term list from the ontology, and a test fails when this module and the ontology drift apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, DefinedNamespace

ONTOLOGY_IRI = "https://w3id.org/kcs/ontology#"


class KCS(DefinedNamespace):
    """Katalog chytrých služeb ontology."""

    _NS = Namespace(ONTOLOGY_IRI)
    _fail = True

    # classes
    Strategy: URIRef
    Pillar: URIRef
    CrossCuttingArea: URIRef
    Component: URIRef
    Goal: URIRef
    TypeMeasure: URIRef
    SmartSolution: URIRef
    SmartService: URIRef
    Realisation: URIRef
    Indicator: URIRef
    FundingProgramme: URIRef
    FundingCall: URIRef
    Organisation: URIRef
    Place: URIRef
    Problem: URIRef
    Proposal: URIRef
    MeasurePriority: URIRef
    CuratorInference: URIRef
    ProjectActivity: URIRef
    Event: URIRef
    Descriptor: URIRef
    SourceReference: URIRef
    # curation: revisions, drafts and the catalogue's change log
    CatalogueChange: URIRef
    Draft: URIRef
    Revision: URIRef
    addedStatement: URIRef
    baseSnapshot: URIRef
    baseVersion: URIRef
    changeFrom: URIRef
    changeNumber: URIRef
    changeSource: URIRef
    changeTo: URIRef
    changedEverything: URIRef
    changedResource: URIRef
    publishedBy: URIRef
    reason: URIRef
    removedStatement: URIRef
    resourceVersion: URIRef
    revertOf: URIRef
    snapshot: URIRef
    # properties
    priorityOf: URIRef
    priorityMeasure: URIRef
    priorityLevel: URIRef
    priorityReason: URIRef
    opensOn: URIRef
    closesOn: URIRef
    activityOf: URIRef
    addressedBy: URIRef
    addresses: URIRef
    allocationCZK: URIRef
    allocationEUR: URIRef
    aim: URIRef
    area: URIRef
    baseline: URIRef
    callOf: URIRef
    catalogueVersion: URIRef
    costCZK: URIRef
    deviation: URIRef
    duration: URIRef
    eligibleApplicant: URIRef
    focus: URIRef
    frequency: URIRef
    fulfils: URIRef
    fulfilsAsPartOf: URIRef
    fulfilsThroughRealised: URIRef
    fundsMeasure: URIRef
    fundsThroughComponent: URIRef
    fundsThroughProgramme: URIRef
    fundingSource: URIRef
    fundingSourceNote: URIRef
    guarantor: URIRef
    hasIndicator: URIRef
    implementer: URIRef
    includesService: URIRef
    isFlagship: URIRef
    locatedIn: URIRef
    method: URIRef
    obstacle: URIRef
    ongoingActivity: URIRef
    openTo: URIRef
    partOfFlagship: URIRef
    partner: URIRef
    periodEnd: URIRef
    periodStart: URIRef
    place: URIRef
    plannedActivity: URIRef
    proposedIndicator: URIRef
    provider: URIRef
    providedBy: URIRef
    publicSource: URIRef
    realises: URIRef
    reasoning: URIRef
    realisesService: URIRef
    section: URIRef
    seedFile: URIRef
    servesGoal: URIRef
    servesMeasure: URIRef
    spentCZK: URIRef
    spentYear: URIRef
    stackNumber: URIRef
    status: URIRef
    statusNote: URIRef
    supportsComponent: URIRef
    supportsMeasure: URIRef
    synergyWith: URIRef
    targetDate: URIRef
    targetGroup: URIRef
    targetValue: URIRef
    territorialTarget: URIRef
    unit: URIRef
    within: URIRef
    withinProgramme: URIRef
    year: URIRef


def ontology_terms(ontology: Path) -> set[str]:
    """Local names of every class and property the ontology declares."""
    graph = Graph().parse(ontology, format="turtle")
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.SymmetricProperty)
    return {
        str(term)[len(ONTOLOGY_IRI) :]
        for kind in kinds
        for term in graph.subjects(RDF.type, kind)
        if str(term).startswith(ONTOLOGY_IRI)
    }


def code_terms() -> set[str]:
    return set(KCS.__annotations__)


if __name__ == "__main__":
    from catalogue.settings import get_settings

    for name in sorted(ontology_terms(get_settings().ontology_file)):
        print(f"    {name}: URIRef")
    sys.exit(0)
