"""The search index's documents: every findable resource with its words and its links in the graph.

A document carries, besides its texts, the resources it lends evidence to (a problem to the measures
that address it, a realisation to the measure it serves and the solution it realises, a goal to the
measures under it …), so that ranking needs no store query per hit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import Literal

from catalogue.queries.common import PREFIXES, text
from catalogue.store import CatalogueStore

# The kinds a municipality searches for, as the ontology's class names.
SEARCHABLE_KINDS = (
    "Pillar",
    "CrossCuttingArea",
    "Component",
    "Goal",
    "TypeMeasure",
    "SmartService",
    "SmartSolution",
    "Realisation",
    "FundingProgramme",
    "FundingCall",
    "Problem",
)


@dataclass(frozen=True)
class Link:
    """``relation`` (an ontology property's local name, or a path's first step) leads to ``target``."""

    target: str
    target_kind: str
    relation: str


@dataclass
class SearchDocument:
    iri: str
    kind: str
    label: str
    alt_labels: list[str] = field(default_factory=list)
    hidden_labels: list[str] = field(default_factory=list)
    code: str | None = None
    description: str | None = None
    places: list[str] = field(default_factory=list)
    """Places of a realisation or solution, with the regions they are part of (for filters)."""
    links: list[Link] = field(default_factory=list)


_KINDS = "VALUES ?class { " + " ".join(f"kcs:{kind}" for kind in SEARCHABLE_KINDS) + " }"

DOCUMENTS = (
    PREFIXES
    + f"""
SELECT ?doc ?class ?label ?code ?description ?lang WHERE {{
  {_KINDS}
  ?doc a ?class ; skos:prefLabel ?label .
  FILTER (lang(?label) = ?lang)
  OPTIONAL {{ ?doc skos:notation ?code }}
  OPTIONAL {{ ?doc dcterms:description ?description FILTER (lang(?description) = ?lang) }}
}}
"""
)

OTHER_LABELS = (
    PREFIXES
    + f"""
SELECT ?doc ?property ?label WHERE {{
  {_KINDS}
  VALUES ?property {{ skos:altLabel skos:hiddenLabel }}
  ?doc a ?class ; ?property ?label .
}}
"""
)

PLACES = (
    PREFIXES
    + """
SELECT ?doc ?place WHERE {
  VALUES ?class { kcs:Realisation kcs:SmartSolution kcs:Problem }
  ?doc a ?class ; kcs:place/dcterms:isPartOf* ?place .
}
"""
)

# Each branch names the first step of its path, which is what an explanation tells the user.
LINKS = (
    PREFIXES
    + f"""
SELECT ?doc ?target ?targetClass ?relation WHERE {{
  {{
    {{ ?doc kcs:addressedBy ?target . BIND ("addressedBy" AS ?relation) }}
    UNION {{ ?doc kcs:servesMeasure ?target . BIND ("servesMeasure" AS ?relation) }}
    UNION {{ ?doc kcs:realises ?target . BIND ("realises" AS ?relation) }}
    UNION {{ ?doc kcs:realises/kcs:servesMeasure ?target . BIND ("realises" AS ?relation) }}
    UNION {{ ?doc kcs:includesService ?target . BIND ("includesService" AS ?relation) }}
    UNION {{ ?solution kcs:includesService ?doc ; kcs:servesMeasure ?target . BIND ("partOfSolution" AS ?relation) }}
    UNION {{ ?doc kcs:partOfFlagship ?target . BIND ("partOfFlagship" AS ?relation) }}
    UNION {{ ?doc kcs:supportsMeasure ?target . BIND ("supportsMeasure" AS ?relation) }}
    UNION {{ ?doc kcs:callOf/kcs:supportsMeasure ?target . BIND ("callOf" AS ?relation) }}
    UNION {{ ?doc kcs:supportsComponent/^skos:broader+ ?target . BIND ("supportsComponent" AS ?relation) }}
    UNION {{ ?target skos:broader+ ?doc . BIND ("narrower" AS ?relation) }}
    UNION {{ ?doc kcs:synergyWith ?target . BIND ("synergyWith" AS ?relation) }}
    UNION {{ ?doc dcterms:relation ?target . BIND ("relation" AS ?relation) }}
  }}
  VALUES ?targetClass {{ kcs:TypeMeasure kcs:SmartService kcs:SmartSolution kcs:Realisation }}
  ?target a ?targetClass .
  {_KINDS}
  ?doc a ?class .
}}
"""
)


def _local_name(iri: object) -> str:
    return str(iri).rsplit("#", 1)[-1]


def search_documents(store: CatalogueStore, lang: str = "cs") -> Iterator[SearchDocument]:
    """Every searchable resource with a label in ``lang``, with its other labels, places and links."""
    documents: dict[str, SearchDocument] = {}
    for row in store.select(DOCUMENTS, {"lang": Literal(lang)}):
        iri = str(row["doc"])
        if iri in documents:  # a second notation or description adds nothing a search needs
            continue
        documents[iri] = SearchDocument(
            iri=iri,
            kind=_local_name(row["class"]),
            label=str(row["label"]),
            code=text(row, "code"),
            description=text(row, "description"),
        )
    for row in store.select(OTHER_LABELS):
        document = documents.get(str(row["doc"]))
        if document is not None:
            labels = document.alt_labels if str(row["property"]).endswith("altLabel") else document.hidden_labels
            labels.append(str(row["label"]))
    places: dict[str, list[str]] = defaultdict(list)
    for row in store.select(PLACES):
        places[str(row["doc"])].append(str(row["place"]))
    links: dict[str, set[Link]] = defaultdict(set)
    for row in store.select(LINKS):
        links[str(row["doc"])].add(Link(str(row["target"]), _local_name(row["targetClass"]), str(row["relation"])))
    for iri, document in documents.items():
        document.places = sorted(set(places.get(iri, ())))
        document.links = sorted(links.get(iri, ()), key=lambda link: (link.target, link.relation))
        document.alt_labels.sort()
        document.hidden_labels.sort()
        yield document
