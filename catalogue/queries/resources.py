"""One resource at a time: its description as RDF (for dereferencing) and as a page (for the site).

The RDF description is an explicit CONSTRUCT rather than DESCRIBE, whose result differs between
engines: the resource's own triples, the blank-node provenance it cites (``dcterms:source [ a
kcs:SourceReference ; kcs:seedFile … ; kcs:section … ]``), the labels of the resources it links to,
the links that point to it with their subjects' labels, and the curators' marks on the links it takes
part in (``[ a kcs:CuratorInference ; rdf:subject … ; kcs:reasoning … ]``, with the sources they cite).
So one document shows the resource with readable neighbours in both directions and the footing of
every link, without a second request.

Links pointing to a resource are many at national size (10,000 realisations serve one measure in the
generated catalogue of 50,000), so a description carries at most :data:`INCOMING_LIMIT` of each kind
(each property): a measure keeps its goal, programmes and problems beside its first realisations.
The full lists are for /sparql.

The IRI goes into the queries as a ``VALUES`` block (:func:`iri_values`, after :func:`checked_iri`
has checked it), not as an engine substitution: the per-kind limits sit in subqueries, and a remote
store binds parameters with a trailing ``VALUES`` clause, which SPARQL applies after a subquery's
``LIMIT`` (the subquery would pick its links among every resource's). For the same reason no query
here takes a language parameter: they fetch labels in every language and Python picks one.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef

from catalogue.queries import footing
from catalogue.queries.common import PREFIXES, checked_iri, iri_values
from catalogue.store import CatalogueStore

ONTOLOGY_IRI = "https://w3id.org/kcs/ontology"

INCOMING_LIMIT = 100
"""Most links of one kind (one property) pointing to a resource that its description carries."""

_MORE_PREFIXES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

_SKOS = "http://www.w3.org/2004/02/skos/core#"
_DCTERMS = "http://purl.org/dc/terms/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"

PREF_LABEL = _SKOS + "prefLabel"
HIDDEN_LABEL = _SKOS + "hiddenLabel"
DESCRIPTION = _DCTERMS + "description"
SOURCE = _DCTERMS + "source"
TYPE = _RDF + "type"


# -- the queries ------------------------------------------------------------------------------------

# How many subjects link to the resource, by property. Blank subjects are counted too: leaving them
# out makes Oxigraph decode every subject (measured: 80 ms against 9 ms for 10,000 links).
_INCOMING_KINDS = """
SELECT ?incoming (COUNT(DISTINCT ?subject) AS ?links) WHERE {{
  {resource}
  ?subject ?incoming ?resource .
}}
GROUP BY ?incoming
"""


def _incoming(resource: URIRef, kinds: Iterable[str]) -> str:
    """A pattern binding ?subject ?incoming ?resource: up to INCOMING_LIMIT named subjects per kind (a
    blank subject would mean nothing here without its own context).

    The resource and the kind are bound by one VALUES block of the pair, written like
    :func:`iri_values` writes its IRIs: Oxigraph plans two single-variable blocks as a cross product
    joined after a scan of the store (measured: 30–70 ms a kind, against 0.1 ms)."""
    return "\n  UNION\n".join(
        f"""  {{ SELECT ?resource ?incoming ?subject WHERE {{
      VALUES (?resource ?incoming) {{ (<{resource}> <{checked_iri(kind)}>) }}
      ?subject ?incoming ?resource . FILTER (isIRI(?subject))
    }} LIMIT {INCOMING_LIMIT} }}"""
        for kind in kinds
    )


_LABELS = "VALUES ?labelProperty { skos:prefLabel rdfs:label }"


_DESCRIBE = """
CONSTRUCT {{
  ?resource ?property ?value .
  ?value ?detailProperty ?detail .
  ?value ?labelProperty ?valueLabel .
  ?subject ?incoming ?resource .
  ?subject ?labelProperty ?subjectLabel .
  ?mark ?markProperty ?markValue .
  ?markValue ?markDetailProperty ?markDetail .
}}
WHERE {{
  {{ {resource} ?resource ?property ?value }}
  UNION
  # The blank nodes it cites (its provenance), one level deep: nothing in the catalogue nests them.
  {{ {resource} ?resource ?property ?value . FILTER (isBlank(?value)) ?value ?detailProperty ?detail }}
  UNION
  # The marks on its own links, and the sources each mark cites.
  {{ {resource} ?mark rdf:subject ?resource ; a kcs:CuratorInference ; ?markProperty ?markValue .
    OPTIONAL {{ FILTER (isBlank(?markValue)) ?markValue ?markDetailProperty ?markDetail }} }}
  UNION
  # Labels of the resources it links to, so a client can show every link by name. Those resources
  # are found first, in a subquery, and their labels looked up in an OPTIONAL, which Oxigraph
  # evaluates after them: joined the other way round, it reads every label in the store (measured
  # on 50,000 realisations: 194 ms against 0.3 ms).
  {{ {{ SELECT DISTINCT ?value WHERE {{ {resource} ?resource ?anyProperty ?value . FILTER (isIRI(?value)) }} }}
    OPTIONAL {{ {labels} ?value ?labelProperty ?valueLabel }} }}
  {incoming}
}}
"""

# The marks on the links pointing to it are those of the links the description carries: of a
# measure's 10,000 realisations, the marks of the first INCOMING_LIMIT.
_DESCRIBE_INCOMING = """UNION
  {{ {{ {incoming} }}
    OPTIONAL {{ {labels} ?subject ?labelProperty ?subjectLabel }} }}
  UNION
  {{ {{ {incoming} }}
    ?mark rdf:subject ?subject ; rdf:predicate ?incoming ; rdf:object ?resource ; a kcs:CuratorInference ;
      ?markProperty ?markValue .
    OPTIONAL {{ FILTER (isBlank(?markValue)) ?markValue ?markDetailProperty ?markDetail }} }}"""


def _describe_query(resource: URIRef, kinds: Iterable[str]) -> str:
    incoming = _incoming(resource, kinds)
    return _sparql(
        _DESCRIBE,
        resource=iri_values("resource", [resource]),
        labels=_LABELS,
        incoming=_DESCRIBE_INCOMING.format(incoming=incoming, labels=_LABELS) if incoming else "",
    )


# The ontology is published as one document (its terms are hash IRIs of it): the whole named graph
# in which it is declared.
_DESCRIBE_ONTOLOGY = """
CONSTRUCT {{ ?subject ?property ?value }}
WHERE {{ {ontology} GRAPH ?graph {{ ?ontology a owl:Ontology . ?subject ?property ?value }} }}
"""

# The page's queries fetch labels in every language and leave the choice to Python: a language
# bound as a parameter would reach a remote store as a trailing VALUES clause, after the FILTERs that
# compare with it had already dropped every label.
_OUTGOING = """
SELECT ?property ?propertyLabel ?value ?valueLabel ?seedFile ?publicSource ?section WHERE {{
  {resource}
  ?resource ?property ?value .
  OPTIONAL {{ ?property rdfs:label ?propertyLabel }}
  OPTIONAL {{ {labels} ?value ?labelProperty ?valueLabel }}
  OPTIONAL {{ ?value kcs:seedFile ?seedFile }}
  OPTIONAL {{ ?value kcs:publicSource ?publicSource }}
  OPTIONAL {{ ?value kcs:section ?section }}
}}
"""

_INCOMING = """
SELECT ?incoming ?propertyLabel ?subject ?subjectLabel WHERE {{
  {{ {incoming} }}
  OPTIONAL {{ ?incoming rdfs:label ?propertyLabel }}
  OPTIONAL {{ {labels} ?subject ?labelProperty ?subjectLabel }}
}}
"""

_ONTOLOGY_TERMS = """
SELECT ?term ?class ?label ?definition WHERE {{
  {ontology}
  VALUES ?class {{ owl:Class owl:ObjectProperty owl:DatatypeProperty }}
  GRAPH ?graph {{ ?ontology a owl:Ontology . ?term a ?class }}
  FILTER (STRSTARTS(STR(?term), CONCAT(STR(?ontology), "#")))
  OPTIONAL {{ ?term rdfs:label ?label }}
  OPTIONAL {{ ?term skos:definition ?definition }}
}}
"""


def _sparql(template: str, **parts: str) -> str:
    return PREFIXES + _MORE_PREFIXES + template.format(**parts)


def describe(store: CatalogueStore, iri: str) -> Graph:
    """The resource ``iri`` as RDF: empty when the store knows nothing about it.

    Raises :class:`catalogue.queries.common.InvalidIRI` when ``iri`` is not an IRI."""
    resource = checked_iri(iri)
    return store.construct(_describe_query(resource, incoming_kinds(store, resource)))


def describe_ontology(store: CatalogueStore, iri: str = ONTOLOGY_IRI) -> Graph:
    """The whole ontology ``iri`` (its declaration, classes and properties): empty when not loaded."""
    return store.construct(_sparql(_DESCRIBE_ONTOLOGY, ontology=iri_values("ontology", [checked_iri(iri)])))


def incoming_kinds(store: CatalogueStore, resource: URIRef) -> dict[str, int]:
    """The properties that link to ``resource``, each with how many subjects link with it."""
    query = _sparql(_INCOMING_KINDS, resource=iri_values("resource", [resource]))
    return {str(row["incoming"]): int(row["links"]) for row in store.select(query)}


# -- the page ---------------------------------------------------------------------------------------

# Czech names of the terms the catalogue reuses from other vocabularies (the ontology names its own
# terms itself, with rdfs:label), so that a page never shows a bare IRI for a common property.
REUSED_TERMS_CS: dict[str, str] = {
    TYPE: "typ",
    _RDFS + "label": "název",
    _RDFS + "comment": "komentář",
    _RDFS + "subClassOf": "podtřída třídy",
    _RDFS + "subPropertyOf": "podvlastnost vlastnosti",
    _RDFS + "domain": "definiční obor",
    _RDFS + "range": "obor hodnot",
    _OWL + "inverseOf": "inverzní k",
    _OWL + "disjointWith": "disjunktní s",
    _OWL + "versionInfo": "verze",
    _OWL + "Ontology": "Ontologie",
    _OWL + "Class": "Třída",
    _OWL + "ObjectProperty": "Vztah",
    _OWL + "DatatypeProperty": "Datová vlastnost",
    _OWL + "SymmetricProperty": "Symetrický vztah",
    PREF_LABEL: "název",
    _SKOS + "altLabel": "jiný název",
    HIDDEN_LABEL: "skrytý název",
    _SKOS + "notation": "kód",
    _SKOS + "definition": "definice",
    _SKOS + "note": "poznámka",
    _SKOS + "scopeNote": "poznámka k rozsahu",
    _SKOS + "editorialNote": "redakční poznámka",
    _SKOS + "broader": "nadřazený pojem",
    _SKOS + "narrower": "podřazený pojem",
    _SKOS + "related": "související pojem",
    _SKOS + "inScheme": "ve schématu",
    _SKOS + "topConceptOf": "vrcholový pojem schématu",
    _SKOS + "hasTopConcept": "vrcholový pojem",
    _SKOS + "Concept": "Pojem",
    _SKOS + "ConceptScheme": "Schéma pojmů",
    DESCRIPTION: "popis",
    SOURCE: "zdroj",
    _DCTERMS + "isPartOf": "je součástí",
    _DCTERMS + "hasPart": "zahrnuje",
    _DCTERMS + "relation": "souvisí s",
    _DCTERMS + "subject": "téma",
    _DCTERMS + "spatial": "území",
    _DCTERMS + "creator": "autor",
    _DCTERMS + "contributor": "spolupracovník",
    _DCTERMS + "identifier": "identifikátor",
    _DCTERMS + "date": "datum",
    _DCTERMS + "dateAccepted": "datum schválení",
    _DCTERMS + "issued": "datum vydání",
    _DCTERMS + "modified": "datum změny",
    _DCTERMS + "isVersionOf": "je verzí",
    _DCTERMS + "identifier": "identifikátor",
    _DCTERMS + "BibliographicResource": "Dokument",
    "http://www.w3.org/ns/org#subOrganizationOf": "je součástí organizace",
    "http://www.w3.org/ns/org#hasMember": "člen",
    "http://www.w3.org/ns/org#Post": "Funkce",
    "http://www.w3.org/ns/org#postIn": "funkce v organizaci",
    "https://schema.org/organizer": "pořadatel",
    "https://schema.org/url": "adresa",
    "http://purl.org/vocab/vann/preferredNamespacePrefix": "doporučený prefix",
    "http://purl.org/vocab/vann/preferredNamespaceUri": "doporučený jmenný prostor",
}

REUSED_TERMS_EN: dict[str, str] = {
    TYPE: "type",
    _RDFS + "label": "name",
    _RDFS + "comment": "comment",
    _RDFS + "subClassOf": "subclass of",
    _RDFS + "subPropertyOf": "subproperty of",
    _RDFS + "domain": "domain",
    _RDFS + "range": "range",
    _OWL + "inverseOf": "inverse of",
    _OWL + "disjointWith": "disjoint with",
    _OWL + "versionInfo": "version",
    _OWL + "Ontology": "Ontology",
    _OWL + "Class": "Class",
    _OWL + "ObjectProperty": "Relation",
    _OWL + "DatatypeProperty": "Data property",
    _OWL + "SymmetricProperty": "Symmetric relation",
    PREF_LABEL: "name",
    _SKOS + "altLabel": "other name",
    HIDDEN_LABEL: "hidden name",
    _SKOS + "notation": "code",
    _SKOS + "definition": "definition",
    _SKOS + "note": "note",
    _SKOS + "scopeNote": "scope note",
    _SKOS + "editorialNote": "editorial note",
    _SKOS + "broader": "broader concept",
    _SKOS + "narrower": "narrower concept",
    _SKOS + "related": "related concept",
    _SKOS + "inScheme": "in scheme",
    _SKOS + "topConceptOf": "top concept of scheme",
    _SKOS + "hasTopConcept": "top concept",
    _SKOS + "Concept": "Concept",
    _SKOS + "ConceptScheme": "Concept scheme",
    DESCRIPTION: "description",
    SOURCE: "source",
    _DCTERMS + "isPartOf": "is part of",
    _DCTERMS + "hasPart": "has part",
    _DCTERMS + "relation": "related to",
    _DCTERMS + "subject": "subject",
    _DCTERMS + "spatial": "area",
    _DCTERMS + "creator": "creator",
    _DCTERMS + "contributor": "contributor",
    _DCTERMS + "identifier": "identifier",
    _DCTERMS + "date": "date",
    _DCTERMS + "dateAccepted": "date accepted",
    _DCTERMS + "issued": "date issued",
    _DCTERMS + "modified": "date modified",
    _DCTERMS + "isVersionOf": "is version of",
    _DCTERMS + "identifier": "identifier",
    _DCTERMS + "BibliographicResource": "Document",
    "http://www.w3.org/ns/org#subOrganizationOf": "part of organisation",
    "http://www.w3.org/ns/org#hasMember": "member",
    "http://www.w3.org/ns/org#Post": "Post",
    "http://www.w3.org/ns/org#postIn": "post in organisation",
    "https://schema.org/organizer": "organiser",
    "https://schema.org/url": "address",
    "http://purl.org/vocab/vann/preferredNamespacePrefix": "preferred prefix",
    "http://purl.org/vocab/vann/preferredNamespaceUri": "preferred namespace",
}
"""The same names in English, for the English pages (every term of :data:`REUSED_TERMS_CS`)."""
REUSED_TERMS = {"cs": REUSED_TERMS_CS, "en": REUSED_TERMS_EN}

# Shown elsewhere on the page (heading, kind, description, sources), or never shown (hidden labels
# exist for search only, see catalogue/data/README.md).
_NOT_IN_PROPERTY_LIST = {TYPE, DESCRIPTION, SOURCE, HIDDEN_LABEL}


@dataclass(frozen=True)
class Value:
    """One value of a property: a linked resource (``iri`` set, ``text`` its label) or a literal, and
    the language of ``text`` where known; ``inferred`` is the curator's reasoning when no source states
    the link to it."""

    text: str
    iri: str | None = None
    lang: str | None = None
    inferred: footing.Reasoning | None = None


@dataclass(frozen=True)
class PropertyValues:
    iri: str
    label: str
    values: list[Value]
    total: int | None = None
    """How many there are in all, for links pointing here: the page lists at most INCOMING_LIMIT."""


_SEED_TITLES = """SELECT ?file ?title WHERE {
  ?document a dcterms:BibliographicResource ; dcterms:identifier ?file ; skos:prefLabel ?title .
  FILTER (lang(?title) = "cs")
}"""


def seed_titles(store: CatalogueStore) -> dict[str, str]:
    """The title of each seed file that is a document of the catalogue (``dcterms:identifier``), by the
    file's name; the seeds are Czech documents, so the titles are Czech."""
    return {row["file"]: row["title"] for row in store.values(PREFIXES + _SEED_TITLES)}


@dataclass(frozen=True)
class SourceCitation:
    """Where a fact comes from, so a curator can find the sentence: a seed file or a public register's
    address (the shapes allow exactly one of them), and the section. ``title`` is the title of the
    document the seed file is (:func:`seed_titles`), for a reader; None for a public source or a file
    that is no document of the catalogue."""

    seed_file: str | None
    section: str | None
    public_source: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class OntologyTerm:
    iri: str
    name: str
    """The term's local name: its anchor on the ontology's page."""
    kind: str
    label: str
    definition: str | None


@dataclass
class ResourcePage:
    iri: str
    label: str
    kinds: list[Value]
    description: str | None
    properties: list[PropertyValues]
    sources: list[SourceCitation]
    incoming: list[PropertyValues]
    """Resources that link here, grouped by the property they link with."""
    terms: list[OntologyTerm] = field(default_factory=list)
    """For an ontology: its classes and properties."""
    label_lang: str | None = "cs"
    """The language of ``label`` (Czech on an English page where the data has no English label)."""
    description_lang: str | None = "cs"

    @property
    def cut_short(self) -> bool:
        """Whether the name is cut with „…“ where the source cuts it (:func:`cut_short`)."""
        return cut_short(self.label)


def cut_short(label: str) -> bool:
    """Whether ``label`` ends in „…“: the seed prints the official name only so far (the data keeps the
    ellipsis so nobody mistakes it for the full wording)."""
    return label.rstrip().endswith("…")


def local_name(iri: str) -> str:
    """The last part of an IRI (after ``#`` or the last ``/``): a readable stand-in for a missing label."""
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1] or iri


def term_label(iri: str, labels: Iterable[Literal] = (), lang: str = "cs") -> str:
    """The best name for ``iri``: a label in ``lang``, then our name of a reused term in ``lang``, then a
    label without a language, then any label, then the local name."""
    return named_term(iri, labels, lang)[0]


def named_term(iri: str, labels: Iterable[Literal] = (), lang: str = "cs") -> tuple[str, str | None]:
    """:func:`term_label` and the language it is in (None: none is known)."""
    labels = list(labels)
    for candidate in labels:
        if candidate.language == lang:
            return str(candidate), lang
    if iri in REUSED_TERMS.get(lang, {}):
        return REUSED_TERMS[lang][iri], lang
    for candidate in sorted(labels, key=lambda label: (label.language is not None, str(label))):
        return str(candidate), candidate.language
    return local_name(iri), None


def page(store: CatalogueStore, iri: str, lang: str = "cs") -> ResourcePage | None:
    """The resource ``iri`` as a page in ``lang``; None when the store knows nothing about it.

    Raises :class:`catalogue.queries.common.InvalidIRI` when ``iri`` is not an IRI."""
    resource = checked_iri(iri)
    outgoing = store.select(_sparql(_OUTGOING, resource=iri_values("resource", [resource]), labels=_LABELS))
    totals = incoming_kinds(store, resource)
    incoming = store.select(_sparql(_INCOMING, incoming=_incoming(resource, totals), labels=_LABELS)) if totals else []
    if not outgoing and not totals:
        return None

    property_labels: dict[str, list[Literal]] = defaultdict(list)
    value_labels: dict[str, list[Literal]] = defaultdict(list)
    values: dict[str, dict[Any, None]] = defaultdict(dict)  # property → its values, in a stable order
    sources: dict[Any, SourceCitation] = {}
    titles = seed_titles(store)
    for row in outgoing:
        prop, value = str(row["property"]), row["value"]
        _add_label(property_labels[prop], row.get("propertyLabel"))
        values[prop][value] = None
        if isinstance(value, URIRef):
            _add_label(value_labels[str(value)], row.get("valueLabel"))
        if isinstance(value, BNode) and (row.get("seedFile") or row.get("publicSource")) is not None:
            seed_file, public_source, section = (row.get(name) for name in ("seedFile", "publicSource", "section"))
            sources[value] = SourceCitation(
                None if seed_file is None else str(seed_file),
                None if section is None else str(section),
                None if public_source is None else str(public_source),
                titles.get(str(seed_file)),
            )

    subjects: dict[str, dict[str, None]] = defaultdict(dict)
    for row in incoming:
        prop, subject = str(row["incoming"]), str(row["subject"])
        _add_label(property_labels[prop], row.get("propertyLabel"))
        _add_label(value_labels[subject], row.get("subjectLabel"))
        subjects[prop][subject] = None

    shown_links = [
        *(footing.Link(iri, prop, str(value)) for prop, found in values.items() for value in found),
        *(footing.Link(subject, prop, iri) for prop, found in subjects.items() for subject in found),
    ]
    inferred = footing.of_links(store, shown_links, lang)

    def labelled(term: Any, link: footing.Link | None = None) -> Value:
        reasoning = None if link is None else inferred.get(link)
        if isinstance(term, URIRef):
            name, name_lang = named_term(str(term), value_labels[str(term)], lang)
            return Value(name, iri=str(term), lang=name_lang, inferred=reasoning)
        if isinstance(term, Literal):
            return Value(str(term), lang=term.language, inferred=reasoning)
        return Value(str(term))

    heading = _preferred(values.get(PREF_LABEL, {}), lang) or _preferred(values.get(_RDFS + "label", {}), lang)
    description = _preferred(values.get(DESCRIPTION, {}), lang) or _preferred(
        values.get(_SKOS + "definition", {}), lang
    )
    shown_apart = {heading, description}  # the heading and the description are not repeated in the list
    properties = [
        PropertyValues(
            prop,
            term_label(prop, property_labels[prop], lang),
            sorted(
                (
                    labelled(value, footing.Link(iri, prop, str(value)))
                    for value in found
                    if not isinstance(value, BNode) and value not in shown_apart
                ),
                key=_value_order,
            ),
        )
        for prop, found in values.items()
        if prop not in _NOT_IN_PROPERTY_LIST
    ]
    links_here = [
        PropertyValues(
            prop,
            term_label(prop, property_labels[prop], lang),
            sorted(
                (labelled(URIRef(subject), footing.Link(subject, prop, iri)) for subject in found), key=_value_order
            ),
            totals[prop],
        )
        for prop, found in subjects.items()
    ]
    is_ontology = URIRef(_OWL + "Ontology") in values.get(TYPE, {})
    return ResourcePage(
        iri=iri,
        label=local_name(iri) if heading is None else str(heading),
        kinds=sorted((labelled(kind) for kind in values.get(TYPE, {})), key=_value_order),
        description=None if description is None else str(description),
        label_lang=heading.language if heading is not None else None,
        description_lang=description.language if description is not None else None,
        properties=sorted((p for p in properties if p.values), key=lambda p: czech_sort_key(p.label)),
        sources=sorted(sources.values(), key=lambda s: (s.seed_file or "", s.public_source or "", s.section or "")),
        incoming=sorted(links_here, key=lambda p: czech_sort_key(p.label)),
        terms=ontology_terms(store, iri, lang) if is_ontology else [],
    )


_TERM_KINDS = (_OWL + "Class", _OWL + "ObjectProperty", _OWL + "DatatypeProperty")


def ontology_terms(store: CatalogueStore, ontology: str = ONTOLOGY_IRI, lang: str = "cs") -> list[OntologyTerm]:
    """The classes and properties the ontology ``ontology`` declares: classes, relations, data
    properties, each by label."""
    query = _sparql(_ONTOLOGY_TERMS, ontology=iri_values("ontology", [checked_iri(ontology)]))
    ranks: dict[str, int] = {}
    labels: dict[str, list[Literal]] = defaultdict(list)
    definitions: dict[str, list[Literal]] = defaultdict(list)
    for row in store.select(query):
        term, rank = str(row["term"]), _TERM_KINDS.index(str(row["class"]))
        ranks[term] = min(rank, ranks.get(term, rank))  # a term of two kinds is listed under the first
        _add_label(labels[term], row.get("label"))
        _add_label(definitions[term], row.get("definition"))
    terms = [
        (
            rank,
            OntologyTerm(
                iri=term,
                name=local_name(term),
                kind=term_label(_TERM_KINDS[rank], (), lang),
                label=term_label(term, labels[term], lang),
                definition=None if (definition := _preferred(definitions[term], lang)) is None else str(definition),
            ),
        )
        for term, rank in ranks.items()
    ]
    return [term for _, term in sorted(terms, key=lambda item: (item[0], czech_sort_key(item[1].label)))]


# Czech alphabetical order: č, ř, š, ž and "ch" are letters of their own (c < č < d, h < ch < i);
# the other accents only break ties (a = á, e = é = ě …).
_CZECH_LETTERS = {"č": "c", "ř": "r", "š": "s", "ž": "z"}


def czech_sort_key(text: str) -> tuple[tuple[int, ...], str]:
    folded = text.casefold()
    primary: list[int] = []
    position = 0
    while position < len(folded):
        char = folded[position]
        if folded.startswith("ch", position):
            primary.append(ord("h") * 2 + 1)
            position += 2
            continue
        if char in _CZECH_LETTERS:
            primary.append(ord(_CZECH_LETTERS[char]) * 2 + 1)
        else:
            primary.append(ord(unicodedata.normalize("NFD", char)[0]) * 2)
        position += 1
    return tuple(primary), folded


def _add_label(labels: list[Literal], label: object) -> None:
    if isinstance(label, Literal) and label not in labels:
        labels.append(label)


def _preferred(values: Iterable[Any], lang: str) -> Literal | None:
    """The value in ``lang``, else one without a language, else the Czech one (the catalogue's data is
    Czech: an English page shows it, marked as Czech, where no translation is given), else none."""
    literals = [value for value in values if isinstance(value, Literal)]
    for wanted in (lang, None, "cs"):
        for literal in literals:
            if literal.language == wanted:
                return literal
    return None


def _value_order(value: Value) -> tuple[tuple[tuple[int, ...], str], str]:
    return czech_sort_key(value.text), value.iri or ""
