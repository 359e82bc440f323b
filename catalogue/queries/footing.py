"""Every statement's footing: which links of the catalogue no source states, and why a curator asserts
them (catalogue/data/README.md, "Footing").

A link the seeds do not state is still an ordinary triple of the data, so every query uses it; beside it
a mark (``kcs:CuratorInference``, an ``rdf:Statement``) names the triple with ``rdf:subject``,
``rdf:predicate`` and ``rdf:object`` and gives the curator's reasoning (``kcs:reasoning``). A link
without a mark has its footing in the sources its resources cite.

:func:`of_links` answers for a batch of links with one store query, however many there are: the marks
are found from their subjects, one subject at a time (:func:`common.for_each`), and matched to the asked
links here. A query that finds the links itself reads their marks in the same query instead
(:func:`marked`). The reasoning comes in every language and is picked here (:func:`chosen`), the asked
one else Czech, as :mod:`catalogue.queries.resources` picks labels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from catalogue.queries.common import PREFIXES, checked_iri, for_each
from catalogue.store import CatalogueStore

KCS = "https://w3id.org/kcs/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
HIERARCHY = (SKOS + "broader", SKOS + "narrower")
"""The predicates a step of the concept hierarchy is stated by."""


@dataclass(frozen=True)
class Link:
    """One triple of the catalogue: ``object`` is an IRI or, for a literal (a label), its text."""

    subject: str
    predicate: str
    object: str


@dataclass(frozen=True)
class Reasoning:
    """Why a curator asserts a link, and the language it is written in (Czech where the mark has no
    text in the asked language)."""

    text: str
    lang: str


_MARKS = """SELECT ?subject ?predicate ?object ?reasoning ?language WHERE {
    ?mark rdf:subject ?subject ; a kcs:CuratorInference ;
        rdf:predicate ?predicate ; rdf:object ?object ; kcs:reasoning ?reasoning .
    BIND (lang(?reasoning) AS ?language)
  }"""

_MARKS_BY_PREDICATE = """?mark rdf:predicate ?predicate ; a kcs:CuratorInference ;
    rdf:subject ?subject ; rdf:object ?object ; kcs:reasoning ?reasoning .
  BIND (lang(?reasoning) AS ?language)"""


def of_links(store: CatalogueStore, links: Iterable[Link], lang: str = "cs") -> dict[Link, Reasoning]:
    """The curator's reasoning for each of ``links`` that a curator inferred, in ``lang`` where the mark
    has it, else in Czech; links the sources state are left out."""
    wanted = set(links)
    if not wanted:
        return {}
    subjects = sorted({link.subject for link in wanted})
    rows = store.values(PREFIXES + f"SELECT * WHERE {{ {for_each('subject', subjects, _MARKS)} }}")
    return {link: reasoning for link, reasoning in _reasonings(rows, lang).items() if link in wanted}


def of_predicates(store: CatalogueStore, predicates: Iterable[str], lang: str = "cs") -> dict[Link, Reasoning]:
    """Every inferred link of the catalogue made with one of ``predicates`` (IRIs), with its reasoning:
    one query for a whole view built from a few predicates, such as the concept's tree."""
    terms = " ".join(f"<{checked_iri(predicate)}>" for predicate in predicates)
    rows = store.values(PREFIXES + f"SELECT * WHERE {{ VALUES ?predicate {{ {terms} }} {_MARKS_BY_PREDICATE} }}")
    return _reasonings(rows, lang)


def _reasonings(rows: Iterable[Mapping[str, str]], lang: str) -> dict[Link, Reasoning]:
    texts: dict[Link, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        texts[Link(row["subject"], row["predicate"], row["object"])][row.get("language", "")].append(row["reasoning"])
    return {link: chosen(by_language, lang) for link, by_language in texts.items()}


def chosen(by_language: Mapping[str, Sequence[str]], lang: str) -> Reasoning:
    """The reasoning of a link in ``lang``, else in Czech, from its texts by language (of one mark, or of
    several marking the same link)."""
    # The shapes require a Czech reasoning on every mark; one without is shown as it is.
    language = next((wanted for wanted in (lang, "cs") if wanted in by_language), min(by_language))
    return Reasoning(" ".join(sorted(dict.fromkeys(by_language[language]))), language)


def marked(subject: str, predicate: str, obj: str) -> str:
    """A pattern that binds ``?reasoning`` and ``?reasoningLang`` to the reasoning of each mark on the link
    ``subject predicate obj`` (variables or terms of the query it is part of), and leaves them unbound for
    a link no mark names."""
    return f"""OPTIONAL {{ ?mark rdf:subject {subject} ; rdf:predicate {predicate} ; rdf:object {obj} ;
        a kcs:CuratorInference ; kcs:reasoning ?reasoning . BIND (lang(?reasoning) AS ?reasoningLang) }}"""


def broader_links(child: str, parent: str) -> tuple[Link, Link]:
    """The two statements a step up the concept hierarchy may be stated by: the child's skos:broader and
    the parent's skos:narrower (the rules derive either from the other, so a mark on either is the
    step's footing)."""
    up, down = HIERARCHY
    return Link(child, up, parent), Link(parent, down, child)


def supports_measure(funding: str, measure: str) -> Link:
    return Link(funding, KCS + "supportsMeasure", measure)


def supports_component(funding: str, component: str) -> Link:
    return Link(funding, KCS + "supportsComponent", component)
