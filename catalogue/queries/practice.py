"""Good practice: the Czech regions and the places in them, how many realisations each year and how
many realisations or solutions each place, measure and goal has, and a page of realisations or
solutions with what a list shows of each (place, year, status, cost, and the source's notes on status
and cost where the structured value is missing), sorted and searched if asked.

The regions are the places with an ISO 3166-2:CZ region code (``CZ-10`` … ``CZ-80``) as their
``skos:notation``; a realisation counts for a region when it is located in it (kcs:locatedIn, derived
by the rules: its place is the region or lies in it), as :class:`browse.ProjectFilter` matches a region.

Both aggregates are grouped in the store, one pass over the realisations. The class test
(``?item a kcs:Realisation``) is a sub-select of its own, which Oxigraph joins by hashing the whole
set once instead of looking each item up: at 50,000 realisations about 0.2 s instead of 1.3 s for
the years. The region count starts from the regions, which are few, and follows each to what is
located in it (``LATERAL``), so the optimiser cannot start from every ``kcs:locatedIn`` link in the store.

Sorting and searching happen outside the store, over a table of every item's sort keys and search
text (:func:`sort_table`, read once per catalogue version: Oxigraph's ORDER BY over 50,000
realisations costs seconds) and the IRIs that match the filters (:func:`browse.matching_projects`,
about what counting them costs), so a sorted page costs no more than a counted one.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal as TypingLiteral

from catalogue.queries.browse import (
    FULFILS_CONCEPT,
    ProjectFilter,
    ProjectKind,
    descriptors,
    facts,
    matching_projects,
)
from catalogue.queries.common import PREFIXES, for_each, iri_values
from catalogue.queries.concept import Resource, resources
from catalogue.queries.resources import czech_sort_key
from catalogue.store import CatalogueStore

REGION_CODE_PATTERN = "^CZ-[0-9]{2}$"
"""An ISO 3166-2:CZ region code; districts have three characters after ``CZ-``."""

_REGION = f'?region a kcs:Place ; skos:notation ?code FILTER (REGEX(STR(?code), "{REGION_CODE_PATTERN}"))'


def regions(store: CatalogueStore, lang: str = "cs") -> list[Resource]:
    """The Czech regions (``Resource.code`` is the ISO code), in label order."""
    rows = store.values(PREFIXES + f"SELECT DISTINCT ?region WHERE {{ {_REGION} }}")
    found = resources(store, (row["region"] for row in rows), lang)
    return sorted(found.values(), key=lambda region: (czech_sort_key(region.label), region.iri))


@dataclass(frozen=True)
class YearCounts:
    """Realisations per year (years in order), and how many state no year."""

    by_year: tuple[tuple[int, int], ...]
    without_year: int

    @property
    def total(self) -> int:
        return sum(count for _, count in self.by_year) + self.without_year


_BY_YEAR = """SELECT ?year (COUNT(?item) AS ?count) WHERE {{
  {{ SELECT ?item WHERE {{ ?item a kcs:{kind} }} }}
  OPTIONAL {{ SELECT ?item ?year WHERE {{ ?item kcs:year ?year }} }}
}} GROUP BY ?year"""


def realisations_by_year(store: CatalogueStore, kind: ProjectKind = "Realisation") -> YearCounts:
    """How many realisations (or solutions) each year has (``kcs:year``; an item states at most one)."""
    by_year: dict[int, int] = {}
    without_year = 0
    for row in store.values(PREFIXES + _BY_YEAR.format(kind=kind)):
        count = int(row["count"])
        digits = row.get("year", "")[:4]
        if digits.isdigit():
            by_year[int(digits)] = by_year.get(int(digits), 0) + count
        else:
            without_year += count
    return YearCounts(tuple(sorted(by_year.items())), without_year)


_BY_PLACE = """SELECT ?place (COUNT(DISTINCT ?item) AS ?count) WHERE {{
  {{ SELECT DISTINCT ?place WHERE {{ {places} }} }}
  LATERAL {{ SELECT ?place ?item WHERE {{ ?item kcs:locatedIn ?place }} }}
  {{ SELECT ?item WHERE {{ ?item a kcs:{kind} }} }}
}} GROUP BY ?place"""


def by_place(store: CatalogueStore, kind: ProjectKind = "Realisation", *, only_regions: bool = False) -> dict[str, int]:
    """How many realisations or solutions each place has (its own and those of the places in it), by
    the place's IRI; a place with none is left out."""
    places = _REGION if only_regions else "?place a kcs:Place"
    query = _BY_PLACE.format(places=places.replace("?region", "?place"), kind=kind)
    return {row["place"]: int(row["count"]) for row in store.values(PREFIXES + query)}


def realisations_by_region(store: CatalogueStore) -> dict[str, int]:
    """How many realisations each region has, by the region's IRI; a region with none is left out."""
    return by_place(store, "Realisation", only_regions=True)


@dataclass(frozen=True)
class Places:
    """The places a filter offers: the regions (all 14, whatever the catalogue has done in them), the
    towns of each region the catalogue names, and the places abroad, each in label order."""

    regions: tuple[Resource, ...]
    towns: dict[str, tuple[Resource, ...]]  # by region IRI
    abroad: tuple[Resource, ...]

    def all(self) -> set[str]:
        return {place.iri for place in (*self.regions, *self.abroad)} | {
            town.iri for towns in self.towns.values() for town in towns
        }


def places(store: CatalogueStore, lang: str = "cs") -> Places:
    """Every place of the catalogue, grouped as :class:`Places`."""
    found_regions = regions(store, lang)
    region_iris = {region.iri for region in found_regions}
    query = "SELECT ?place ?whole WHERE { ?place a kcs:Place OPTIONAL { ?place kcs:within ?whole } }"
    rows = store.values(PREFIXES + query)
    within: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        within.setdefault(row["place"], set())
        if "whole" in row:
            within[row["place"]].add(row["whole"])
    labelled = resources(store, within, lang)

    def ordered(iris: set[str]) -> tuple[Resource, ...]:
        return tuple(sorted((labelled[iri] for iri in iris if iri in labelled), key=lambda p: czech_sort_key(p.label)))

    towns: dict[str, set[str]] = defaultdict(set)
    abroad = set()
    for place, wholes in within.items():
        if place in region_iris:
            continue
        in_regions = wholes & region_iris
        for region in in_regions:
            towns[region].add(place)
        if not in_regions:
            abroad.add(place)
    return Places(tuple(found_regions), {region: ordered(towns[region]) for region in region_iris}, ordered(abroad))


# -- measures and goals -----------------------------------------------------------------------------------

_BY_CONCEPT = """SELECT ?concept (COUNT(DISTINCT ?item) AS ?count) WHERE {{
  {{ SELECT ?concept WHERE {{ ?concept a ?level VALUES ?level {{ kcs:TypeMeasure kcs:Goal }} }} }}
  LATERAL {{ SELECT DISTINCT ?concept ?item WHERE {{ {pattern} }} }}
  {{ SELECT ?item WHERE {{ ?item a kcs:{kind} }} }}
}} GROUP BY ?concept"""


def by_concept(store: CatalogueStore, kind: ProjectKind = "Realisation") -> dict[str, int]:
    """How many realisations or solutions fulfil each measure and goal, as ``ProjectFilter.concept``
    matches them, by the concept's IRI; a concept with none is left out."""
    query = _BY_CONCEPT.format(kind=kind, pattern=FULFILS_CONCEPT)
    return {row["concept"]: int(row["count"]) for row in store.values(PREFIXES + query)}


@dataclass(frozen=True)
class ConceptGroup:
    """Measures or goals of one strategy, for one group of the filter."""

    scheme: Resource | None
    kind: str  # "TypeMeasure" or "Goal"
    concepts: tuple[Resource, ...]


def concept_groups(store: CatalogueStore, counts: dict[str, int], lang: str = "cs") -> tuple[ConceptGroup, ...]:
    """The type measures (every one: a filter by measure is what the page is for), then, by strategy,
    the goals that something in ``counts`` fulfils, each in code then label order."""
    rows = store.values(
        PREFIXES
        + """SELECT ?concept ?level ?scheme WHERE { ?concept a ?level VALUES ?level { kcs:TypeMeasure kcs:Goal }
        OPTIONAL { ?concept skos:inScheme ?scheme } }"""
    )
    level_of: dict[str, str] = {}
    scheme_of: dict[str, str | None] = {}
    for row in rows:
        level_of[row["concept"]] = row["level"].rsplit("#", 1)[-1]
        scheme_of.setdefault(row["concept"], row.get("scheme"))
    wanted = [c for c, level in level_of.items() if level == "TypeMeasure" or counts.get(c)]
    labelled = resources(store, [*wanted, *(s for s in scheme_of.values() if s)], lang)
    grouped: dict[tuple[str, str | None], list[Resource]] = defaultdict(list)
    for concept in wanted:
        if concept in labelled:
            level = level_of[concept]
            grouped[(level, None if level == "TypeMeasure" else scheme_of.get(concept))].append(labelled[concept])

    def order(resource: Resource) -> tuple[object, ...]:
        return (_code_key(resource.code), czech_sort_key(resource.label), resource.iri)

    groups = [
        ConceptGroup(labelled.get(scheme or ""), level, tuple(sorted(found, key=order)))
        for (level, scheme), found in grouped.items()
    ]
    return tuple(
        sorted(groups, key=lambda g: (g.kind != "TypeMeasure", czech_sort_key(g.scheme.label if g.scheme else "")))
    )


def _code_key(code: str | None) -> tuple[object, ...]:
    """``2.10`` after ``2.9``: a code's numbers as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"[.\s]+", code or ""))


# -- a page of the list -------------------------------------------------------------------------------

SortOrder = TypingLiteral["name", "year", "cost"]
"""By name (A–Z, Czech order), by year (newest first) or by cost (highest first); an item without the
value comes last, by name."""


@dataclass(frozen=True)
class SortEntry:
    name: tuple[tuple[int, ...], str]
    text: str
    """The item's names (prefLabel and altLabel), folded for search: lower case, without diacritics."""
    year: int | None
    cost: float | None


def folded(text: str) -> str:
    """``text`` as search compares it: lower case, without diacritics (škola = skola)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


_ENTRIES = """SELECT ?item ?label ?language ?year ?cost WHERE {{
  {items}
  {{ ?item skos:prefLabel ?label FILTER (lang(?label) IN ("{lang}", "cs")) BIND (lang(?label) AS ?language) }}
  UNION {{ ?item skos:altLabel ?label BIND ("" AS ?language) }}
  UNION {{ ?item kcs:year ?year }} UNION {{ ?item kcs:costCZK ?cost }}
}}"""


def sort_entries(
    store: CatalogueStore, kind: ProjectKind, iris: list[str] | None = None, lang: str = "cs"
) -> dict[str, SortEntry]:
    """What sorting and search need of ``iris``, or of every realisation or solution when None, by IRI,
    in one store query (for every one of 50,000 realisations a few seconds: a caller keeps that table
    for the catalogue version, and otherwise asks for a few hundred items by IRI)."""
    if iris is not None and not iris:
        return {}
    items = f"?item a kcs:{kind} ." if iris is None else iri_values("item", iris)
    lang = "en" if lang == "en" else "cs"
    names: dict[str, dict[str, str]] = defaultdict(dict)
    others: dict[str, list[str]] = defaultdict(list)
    years: dict[str, str] = {}
    costs: dict[str, str] = {}
    for row in store.values(PREFIXES + _ENTRIES.format(items=items, lang=lang)):
        iri = row["item"]
        if "year" in row:
            years[iri] = row["year"]
        elif "cost" in row:
            costs[iri] = row["cost"]
        elif row.get("language"):
            names[iri][row["language"]] = min(row["label"], names[iri].get(row["language"], row["label"]))
        elif "label" in row:
            others[iri].append(row["label"])
    table: dict[str, SortEntry] = {}
    for iri in names.keys() | years.keys() | costs.keys():
        label = names[iri].get(lang) or names[iri].get("cs") or iri.rsplit("/", 1)[-1]
        digits = years.get(iri, "")[:4]
        try:
            cost = float(costs[iri]) if iri in costs else None
        except ValueError:
            cost = None
        table[iri] = SortEntry(
            czech_sort_key(label),
            folded(" ".join([label, *names[iri].values(), *others.get(iri, ())])),
            int(digits) if digits.isdigit() else None,
            cost,
        )
    return table


def sorted_and_searched(
    iris: list[str], table: dict[str, SortEntry], order: SortOrder, text: str = ""
) -> list[str]:
    """``iris`` whose names contain every word of ``text`` (folded), in ``order``."""
    words = folded(text).split()
    found = [iri for iri in iris if iri in table and all(word in table[iri].text for word in words)]

    def key(iri: str) -> tuple[object, ...]:
        entry = table[iri]
        if order == "year":
            return (entry.year is None, -(entry.year or 0), entry.name, iri)
        if order == "cost":
            return (entry.cost is None, -(entry.cost or 0.0), entry.name, iri)
        return (entry.name, iri)

    return sorted(found, key=key)


@dataclass(frozen=True)
class PracticeItem:
    """A realisation or solution as the good-practice list shows it; where the structured status or
    cost is missing, the source's note on it (``status_note``; ``cost_note`` with the amount it names)."""

    resource: Resource
    places: tuple[Resource, ...]
    year: int | None
    status: Resource | None
    cost_czk: float | None
    flagship: bool
    status_note: str | None = None
    cost_note: CostNote | None = None


@dataclass(frozen=True)
class CostNote:
    """A note of the source on the cost: the whole note, and the amount it names, if it names one."""

    note: str
    amount: str | None


@dataclass(frozen=True)
class PracticePage:
    items: tuple[PracticeItem, ...]
    total: int
    order: SortOrder | None = None
    """The order the list is in; None for the store's own."""


_AMOUNT = re.compile(
    r"(?:cca\.? |ca\.? |do )?\d[\d\u00a0 ]*(?:,\d+)?(?: ?[-–] ?\d[\d\u00a0 ]*(?:,\d+)?)?"
    r" ?(?:tis\.|mil\.?|mld\.?|milion\w*|miliard\w*)? ?Kč(?: (?:bez|s|vč\.) DPH)?"
)


def cost_note(notes: list[str]) -> CostNote | None:
    """The first (shortest) of ``notes`` that names an amount in Kč, with that amount."""
    for note in sorted(notes, key=lambda n: (len(n), n)):
        amounts = _AMOUNT.findall(note)
        if amounts:
            return CostNote(note, amounts[-1].strip() if len(amounts) == 1 else None)
    return None


_NOTES = "SELECT ?item ?property ?note WHERE { ?item ?property ?note VALUES ?property { kcs:statusNote skos:note } }"


def _notes(store: CatalogueStore, iris: list[str]) -> dict[str, dict[str, list[str]]]:
    """The status notes (``statusNote``) and other notes (``note``) of ``iris``, in the source's words."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    if not iris:
        return found
    query = PREFIXES + f"SELECT ?item ?property ?note WHERE {{ {for_each('item', iris, _NOTES)} }}"
    rows = store.values(query)
    for row in rows:
        name = row["property"].rsplit("#", 1)[-1]
        found[row["item"]][name].append(row["note"])
    return found


SORTED_BY_DEFAULT_UP_TO = 1000
"""A list this long or shorter is in name order unless another order is asked for; a longer one in
the store's order, which costs nothing, until an order is asked for."""


def practice_page(
    store: CatalogueStore,
    kind: ProjectKind,
    filters: ProjectFilter,
    *,
    offset: int,
    limit: int,
    lang: str = "cs",
    order: SortOrder | None = None,
    text: str = "",
    table: Callable[[], dict[str, SortEntry]] | None = None,
) -> PracticePage:
    """One page of the realisations or solutions matching ``filters`` and, when given, whose names hold
    every word of ``text``, with the labels of their places and status, and how many match in all.

    Sorted by ``order``; with none, by name up to :data:`SORTED_BY_DEFAULT_UP_TO` items and in the
    store's order beyond (``PracticePage.order`` says which). A long list is sorted or searched with
    ``table()`` (every item's :func:`sort_entries`, which the caller keeps), a short one with the
    entries of its own items."""
    matched = matching_projects(store, kind, filters)
    searched = bool(text.split())
    applied: SortOrder | None = order
    if order is None and not searched and len(matched) <= SORTED_BY_DEFAULT_UP_TO:
        applied = "name"
    if applied is None and not searched:
        chosen = matched
    else:
        small = len(matched) <= SORTED_BY_DEFAULT_UP_TO
        entries = sort_entries(store, kind, matched, lang) if small or table is None else table()
        chosen = sorted_and_searched(matched, entries, applied or "name", text)
        applied = applied or "name"
    start = max(offset, 0)
    iris, total = chosen[start : start + max(limit, 0)], len(chosen)
    facts_of = facts(store, iris)
    notes = _notes(store, iris)
    place_iris = {place for iri in iris if iri in facts_of for place in facts_of[iri].iris("place")}
    status_iris = {status for iri in iris if iri in facts_of for status in facts_of[iri].iris("status")}
    labelled = resources(store, [*iris, *place_iris], lang)
    statuses = descriptors(store, status_iris, lang)
    items = []
    for iri in iris:
        resource = labelled.get(iri)
        if resource is None:
            continue
        own = facts_of.get(iri)
        places = sorted(
            (labelled[place] for place in (own.iris("place") if own else []) if place in labelled),
            key=lambda place: czech_sort_key(place.label),
        )
        status = next((statuses[s] for s in (own.iris("status") if own else []) if s in statuses), None)
        cost = own.number("costCZK") if own else None
        status_notes = sorted(notes[iri]["statusNote"], key=lambda n: (len(n), n)) if iri in notes else []
        items.append(
            PracticeItem(
                resource=resource,
                places=tuple(places),
                year=own.year("year") if own else None,
                status=status,
                cost_czk=cost,
                flagship=own is not None and own.literal("isFlagship") == "true",
                status_note=status_notes[0] if status is None and status_notes else None,
                cost_note=cost_note(notes[iri]["note"]) if cost is None and iri in notes else None,
            )
        )
    return PracticePage(tuple(items), total, applied)
