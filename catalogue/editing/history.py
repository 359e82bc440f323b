"""The history of published revisions, as public linked data (PROV-O), in ``graph/curation/history``.

Each publication (or revert) of a resource ``R`` is one revision::

    <…/revision/<id>> a kcs:Revision , prov:Entity ;
        prov:specializationOf R ;  prov:wasRevisionOf <the revision before, if any> ;
        prov:generatedAtTime "…" ;  prov:wasAttributedTo <author's agent> ;  kcs:publishedBy <publisher's agent> ;
        kcs:reason "…" ;  kcs:changeSource "…" ;  kcs:baseVersion "…" ;  kcs:resourceVersion "…" ;
        kcs:revertOf <an earlier revision, for a revert> ;
        kcs:snapshot "<the whole description after, as N-Triples>" ;  kcs:baseSnapshot "<before>" ;
        kcs:addedStatement <…#s-1> ;  kcs:removedStatement <…#s-2> .
    <…#s-1> a rdf:Statement ; rdf:subject … ; rdf:predicate … ; rdf:object … .
    <agent> a prov:Agent ; foaf:name "…" .

The statements are reified so that "who asserted this, on what source" is answered per statement
(:func:`statement_footing`). An agent is named only by the name its account gives: the account's e-mail
and role are private (:data:`catalogue.graphs.PRIVATE_GRAPHS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyoxigraph as ox
from rdflib import URIRef

from catalogue.editing.descriptions import Description, parse_ntriples, term_value
from catalogue.graphs import history_graph
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

KCS = "https://w3id.org/kcs/ontology#"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Statement:
    subject: str
    predicate: str
    object: str
    """The object as an N-Triples term (``<iri>`` or a literal with its language or datatype)."""

    @classmethod
    def of(cls, triple: ox.Triple) -> Statement:
        return cls(term_value(triple.subject), triple.predicate.value, str(triple.object))


@dataclass(frozen=True)
class Revision:
    iri: str
    resource: str
    version: str
    base_version: str
    time: datetime
    author_name: str
    publisher_name: str
    reason: str
    source: str
    revert_of: str | None
    snapshot: Description
    base_snapshot: Description
    added: tuple[Statement, ...]
    removed: tuple[Statement, ...]


def revision_iri(settings: Settings, identifier: str) -> str:
    return f"{settings.instance_base}revision/{identifier}"


def _literal(text: str) -> str:
    return str(ox.Literal(text))


def revision_ntriples(
    settings: Settings,
    identifier: str,
    *,
    resource: str,
    previous: str | None,
    base: Description,
    new: Description,
    now: datetime,
    author: tuple[str, str],
    publisher: tuple[str, str],
    reason: str,
    source: str,
    revert_of: str | None,
) -> str:
    """The history triples of one revision (with its agents' public names), as N-Triples."""
    iri = revision_iri(settings, identifier)
    lines = [
        f"<{iri}> <{RDF}type> <{KCS}Revision> .",
        f"<{iri}> <{RDF}type> <{PROV}Entity> .",
        f"<{iri}> <{PROV}specializationOf> <{resource}> .",
        f'<{iri}> <{PROV}generatedAtTime> "{now.isoformat()}"^^<{XSD}dateTime> .',
        f"<{iri}> <{PROV}wasAttributedTo> <{author[0]}> .",
        f"<{iri}> <{KCS}publishedBy> <{publisher[0]}> .",
        f"<{iri}> <{KCS}reason> {_literal(reason)} .",
        f"<{iri}> <{KCS}baseVersion> {_literal(base.version)} .",
        f"<{iri}> <{KCS}resourceVersion> {_literal(new.version)} .",
        f"<{iri}> <{KCS}snapshot> {_literal(new.ntriples())} .",
        f"<{iri}> <{KCS}baseSnapshot> {_literal(base.ntriples())} .",
    ]
    if source:
        lines.append(f"<{iri}> <{KCS}changeSource> {_literal(source)} .")
    if previous:
        lines.append(f"<{iri}> <{PROV}wasRevisionOf> <{previous}> .")
    if revert_of:
        lines.append(f"<{iri}> <{KCS}revertOf> <{revert_of}> .")
    for agent, name in {author, publisher}:
        lines += [f"<{agent}> <{RDF}type> <{PROV}Agent> .", f"<{agent}> <{FOAF}name> {_literal(name)} ."]
    before, after = set(base.triples), set(new.triples)
    for number, (relation, triple) in enumerate(
        [("addedStatement", t) for t in sorted(after - before, key=str)]
        + [("removedStatement", t) for t in sorted(before - after, key=str)]
    ):
        statement = f"<{iri}#s-{number}>"
        obj = triple.object if not isinstance(triple.object, ox.BlankNode) else ox.Literal(str(triple.object))
        lines += [
            f"<{iri}> <{KCS}{relation}> {statement} .",
            f"{statement} <{RDF}type> <{RDF}Statement> .",
            f"{statement} <{RDF}subject> {triple.subject} .",
            f"{statement} <{RDF}predicate> {triple.predicate} .",
            f"{statement} <{RDF}object> {obj} .",
        ]
    return "\n".join(lines) + "\n"


_REVISIONS = f"""PREFIX prov: <{PROV}>
SELECT ?revision ?resource ?version ?base ?time ?authorName ?publisherName ?reason ?source ?revertOf
       ?snapshot ?baseSnapshot WHERE {{
  GRAPH ?history {{
    ?revision a <{KCS}Revision> ; prov:specializationOf ?resource ; <{KCS}resourceVersion> ?version ;
      <{KCS}baseVersion> ?base ; prov:generatedAtTime ?time ; <{KCS}reason> ?reason ;
      <{KCS}snapshot> ?snapshot ; <{KCS}baseSnapshot> ?baseSnapshot ;
      prov:wasAttributedTo ?author ; <{KCS}publishedBy> ?publisher .
    ?author <{FOAF}name> ?authorName . ?publisher <{FOAF}name> ?publisherName .
    OPTIONAL {{ ?revision <{KCS}changeSource> ?source }}
    OPTIONAL {{ ?revision <{KCS}revertOf> ?revertOf }}
  }}
  FILTER_RESOURCE
}} ORDER BY DESC(?time) DESC(?revision) LIMIT_CLAUSE"""

_STATEMENTS = f"""SELECT ?revision ?relation ?subject ?predicate ?object WHERE {{
  VALUES ?relation {{ <{KCS}addedStatement> <{KCS}removedStatement> }}
  GRAPH ?history {{ ?revision ?relation ?statement .
    ?statement <{RDF}subject> ?subject ; <{RDF}predicate> ?predicate ; <{RDF}object> ?object }}
  VALUES_REVISIONS
}}"""


def _revisions(store: CatalogueStore, settings: Settings, resource: str | None, limit: int | None) -> list[Revision]:
    query = _REVISIONS.replace("FILTER_RESOURCE", "" if resource is None else f"FILTER (?resource = <{resource}>)")
    query = query.replace("LIMIT_CLAUSE", "" if limit is None else f"LIMIT {int(limit)}")
    rows = store.values(query, {"history": history_graph(settings)})
    if not rows:
        return []
    statements: dict[str, dict[str, list[Statement]]] = {}
    values = " ".join(f"<{row['revision']}>" for row in rows)
    solutions = store.query(
        _STATEMENTS.replace("VALUES_REVISIONS", f"VALUES ?revision {{ {values} }}"),
        {"history": history_graph(settings)},
    )
    for solution in solutions:
        relation = "added" if solution["relation"].value.endswith("addedStatement") else "removed"
        statement = Statement(solution["subject"].value, solution["predicate"].value, str(solution["object"]))
        statements.setdefault(solution["revision"].value, {}).setdefault(relation, []).append(statement)
    revisions = []
    for row in rows:
        found = statements.get(row["revision"], {})
        revisions.append(
            Revision(
                iri=row["revision"],
                resource=row["resource"],
                version=row["version"],
                base_version=row["base"],
                time=datetime.fromisoformat(row["time"]),
                author_name=row["authorName"],
                publisher_name=row["publisherName"],
                reason=row["reason"],
                source=row.get("source", ""),
                revert_of=row.get("revertOf"),
                snapshot=parse_ntriples(row["resource"], row["snapshot"]),
                base_snapshot=parse_ntriples(row["resource"], row["baseSnapshot"]),
                added=tuple(sorted(found.get("added", []), key=lambda s: (s.predicate, s.object))),
                removed=tuple(sorted(found.get("removed", []), key=lambda s: (s.predicate, s.object))),
            )
        )
    return revisions


def history(store: CatalogueStore, settings: Settings, resource: str) -> list[Revision]:
    """Every published revision of ``resource``, the newest first."""
    return _revisions(store, settings, resource, None)


def recent(store: CatalogueStore, settings: Settings, limit: int = 50) -> list[Revision]:
    """The latest published revisions of the whole catalogue, the newest first (for the Atom feed)."""
    return _revisions(store, settings, None, limit)


def latest_revision(store: CatalogueStore, settings: Settings, resource: str) -> str | None:
    rows = store.values(
        f"""SELECT ?revision WHERE {{ GRAPH ?history {{ ?revision <{PROV}specializationOf> ?resource ;
        <{PROV}generatedAtTime> ?time }} }} ORDER BY DESC(?time) DESC(?revision) LIMIT 1""",
        {"history": history_graph(settings), "resource": URIRef(resource)},
    )
    return rows[0]["revision"] if rows else None


def snapshot_at(revisions: list[Revision], version: str) -> Description | None:
    """The description that had ``version``: after a revision, or before the first one (the seed's)."""
    for revision in revisions:
        if revision.version == version:
            return revision.snapshot
    for revision in revisions:
        if revision.base_version == version:
            return revision.base_snapshot
    return None


@dataclass(frozen=True)
class Assertion:
    """Who stated one statement of a resource, when and on what source (a curator's revision)."""

    revision: str
    author_name: str
    time: datetime
    source: str
    reason: str


def statement_footing(revisions: list[Revision]) -> dict[Statement, Assertion]:
    """For each statement of the resource's current description that a curator added, the revision that
    last added it; a statement not here is the seed's (its footing is the resource's cited source)."""
    if not revisions:
        return {}
    current = {Statement.of(triple) for triple in revisions[0].snapshot.triples}
    footing: dict[Statement, Assertion] = {}
    for revision in revisions:  # newest first: the first revision found to add a statement is the latest
        for statement in revision.added:
            if statement in current and statement not in footing:
                footing[statement] = Assertion(
                    revision.iri, revision.author_name, revision.time, revision.source, revision.reason
                )
    return footing
