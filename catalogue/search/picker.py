"""What a link of the editor may point to: the catalogue's resources of the link's classes whose name
matches what a curator typed.

Classes a municipality searches for (measures, services, solutions …) are found by the search index,
inflection and typos included; the small code lists and registers beside them (places, organisations,
indicators, code-list values, concept schemes) are read whole and matched word by word on folded text,
which at national size is a few thousand labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from catalogue.queries import browse
from catalogue.queries.concept import Resource
from catalogue.queries.documents import SEARCHABLE_KINDS
from catalogue.search.analysis import fold
from catalogue.search.engine import SearchEngine
from catalogue.store import CatalogueStore

KCS = "https://w3id.org/kcs/ontology#"
MAX_TEXT = 200




@dataclass(frozen=True)
class Resolved:
    """What a typed link names: the one resource (``iri``), or the candidates to choose from."""

    iri: str | None
    candidates: tuple[Resource, ...] = ()


def _local(cls: str) -> str:
    return cls.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _listed(store: CatalogueStore, classes: Sequence[str], words: list[str], lang: str, limit: int) -> list[Resource]:
    found = [
        resource for resource in browse.labelled(store, classes, lang)
        if all(word in fold(f"{resource.label} {resource.code or ''}") for word in words)
    ]
    return sorted(found, key=lambda r: (len(r.label), r.label))[:limit]


def candidates(
    store: CatalogueStore, search: SearchEngine, classes: Sequence[str], typed: str, *, lang: str = "cs",
    limit: int = 10,
) -> list[Resource]:
    """The resources of ``classes`` whose name matches ``typed``, the best first."""
    typed = " ".join(typed.split())[:MAX_TEXT]
    words = fold(typed).split()
    if not words:
        return []
    searched = {_local(cls) for cls in classes if cls.startswith(KCS) and _local(cls) in SEARCHABLE_KINDS}
    listed = [cls for cls in classes if not (cls.startswith(KCS) and _local(cls) in searched)]
    found: list[Resource] = []
    if searched:
        found += [Resource(hit.iri, hit.label, hit.kind, hit.code) for hit in search.search(typed, kinds=searched,
                                                                                            limit=limit)]
    if listed:
        found += _listed(store, listed, words, lang, limit)
    return found[:limit]


def resolve(
    store: CatalogueStore, search: SearchEngine, classes: Sequence[str], typed: str, *, lang: str = "cs"
) -> Resolved:
    """The resource a curator means by ``typed`` (a name, as a form without JavaScript sends it): the one
    whose name it is, or the only match; else the candidates (none, or several)."""
    found = candidates(store, search, classes, typed, lang=lang)
    exact = [resource for resource in found if fold(resource.label) == fold(typed) or resource.code == typed.strip()]
    if len(exact) == 1:
        return Resolved(exact[0].iri)
    if len(found) == 1:
        return Resolved(found[0].iri)
    return Resolved(None, tuple(exact or found))
