"""Proposals: problems the catalogue found no good answer for, sent from the web site with a contact,
for the curators to answer (their view of them comes later).

Each proposal is checked against its SHACL shape (``kcsh:Proposal`` in ``ontology/shapes.ttl``) before
it is written, and goes into a named graph of its own, :func:`proposals_graph`. ``katalog load``
replaces and prunes only the graphs its load log names (one per catalogue file, ``graph/<file stem>``),
so this graph, which no file loads and whose name no file stem can take (a stem holds no ``/``),
outlives every reload of the catalogue.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH, XSD

from catalogue.errors import InvalidInput
from catalogue.graphs import PRIVATE_GRAPHS, PROPOSALS, graph_iri
from catalogue.settings import Settings
from catalogue.store import CatalogueStore, to_ox
from catalogue.vocabulary import KCS

SCHEMA = "https://schema.org/"
MAX_TEXT_LENGTH = 1000
MAX_EMAIL_LENGTH = 254

# Deliberately loose: the sender reads the answer in their own mailbox, so a strict pattern would only
# refuse real addresses; the shape holds the same rule.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Spaces, dashes, dots, slashes and brackets are how people group a number; only the digits and a
# leading + are kept.
_PHONE_SEPARATORS = re.compile(r"[\s\-./()]")
_PHONE = re.compile(r"^\+?[0-9]{9,15}$")


class InvalidProposal(InvalidInput, ValueError):
    """A proposal that cannot be stored as given; ``field`` names the part at fault ("text" or
    "contact"), the message says why in Czech."""

    code = "INVALID_PROPOSAL"
    field: str

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


@dataclass(frozen=True)
class Contact:
    kind: TypingLiteral["email", "telephone"]
    value: str


def checked_text(text: str) -> str:
    """The problem text with its whitespace tidied, or :class:`InvalidProposal`."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidProposal("text", "Popište problém: text je prázdný.")
    if len(cleaned) > MAX_TEXT_LENGTH:
        raise InvalidProposal(
            "text", f"Popis problému má {len(cleaned)} znaků; zkraťte ho na nejvýše {MAX_TEXT_LENGTH} znaků."
        )
    return cleaned


def parsed_contact(text: str) -> Contact:
    """An e-mail address or a telephone number as the sender typed it, or :class:`InvalidProposal`."""
    value = text.strip()
    if "@" in value:
        if len(value) <= MAX_EMAIL_LENGTH and _EMAIL.match(value):
            return Contact("email", value)
        raise InvalidProposal("contact", f"„{value}“ není platná e-mailová adresa (např. jmeno@obec.cz).")
    digits = _PHONE_SEPARATORS.sub("", value)
    if _PHONE.match(digits):
        return Contact("telephone", digits)
    raise InvalidProposal("contact", "Uveďte e-mail (např. jmeno@obec.cz) nebo telefon (9 až 15 číslic).")


def proposals_graph(settings: Settings) -> URIRef:
    """The graph of the proposals: private (:data:`catalogue.graphs.PRIVATE_GRAPHS`), as they hold
    contacts, so no public way out of the store serves it (the curators' view will)."""
    return graph_iri(settings, PROPOSALS)


def _proposal_base(settings: Settings) -> str:
    return f"{settings.instance_base}{PRIVATE_GRAPHS[PROPOSALS]}"


@cache
def _shapes(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def _check_shape(proposal: Graph, settings: Settings) -> None:
    """:class:`InvalidProposal` with the shape's messages unless ``proposal`` conforms to it."""
    conforms, report, _ = shacl_validate(proposal, shacl_graph=_shapes(settings.shapes_file))
    if conforms:
        return
    results = list(report.subjects(RDF.type, SH.ValidationResult))  # type: ignore[union-attr]
    paths = {report.value(result, SH.resultPath) for result in results}  # type: ignore[union-attr]
    messages = sorted({str(report.value(result, SH.resultMessage)) for result in results})  # type: ignore[union-attr]
    raise InvalidProposal("text" if DCTERMS.description in paths else "contact", " ".join(messages))


def store_proposal(
    store: CatalogueStore, settings: Settings, text: str, contact: Contact, *, now: datetime | None = None
) -> URIRef:
    """Write the proposal (the checked ``text`` and ``contact``, dated ``now``) to the proposals graph;
    its IRI. A proposal its shape refuses is not written: :class:`InvalidProposal` says why."""
    proposal = URIRef(f"{_proposal_base(settings)}{uuid.uuid4()}")
    created = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    graph = Graph()
    graph.add((proposal, RDF.type, KCS.Proposal))
    graph.add((proposal, DCTERMS.description, Literal(checked_text(text), datatype=XSD.string)))
    graph.add((proposal, DCTERMS.created, Literal(created.isoformat(), datatype=XSD.dateTime)))
    graph.add((proposal, URIRef(SCHEMA + contact.kind), Literal(contact.value, datatype=XSD.string)))
    _check_shape(graph, settings)
    store.insert(proposals_graph(settings), (ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph))
    store.flush()
    return proposal
