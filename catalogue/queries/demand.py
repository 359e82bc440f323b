"""Reading demand: the aggregates of the questions asked (written by :mod:`catalogue.editing.demand`), as
the demand page (``/poptavka``) and its CSV show them.

A text is shown only once it has been asked at least ``KATALOG_DEMAND_MIN_ASKED`` times (2 by default),
summed over its days and filters, so that one person's words are never published. The trend by month and
the demand per region are counts only, of every question.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from catalogue.graphs import DEMAND, private_graph
from catalogue.queries.common import iri_values
from catalogue.queries.concept import Resource, resources
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

PRIVATE = "https://w3id.org/kcs/private#"
KCS = "https://w3id.org/kcs/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"


@dataclass(frozen=True)
class Aggregate:
    """One (text, day, filter) aggregate as stored."""

    text: str
    day: str
    count: int
    matched_well: bool
    top: tuple[str, ...]
    pillar: str | None
    place: str | None


@dataclass
class AskedText:
    """One text over all its aggregates: how often it was asked, on which days, whether its latest answer
    matched well and with which type measures."""

    text: str
    count: int = 0
    first_day: str = ""
    last_day: str = ""
    matched_well: bool = False
    top: tuple[str, ...] = ()
    pillars: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Group:
    """A pillar or measure and the shown texts whose best match it is, the most asked first."""

    resource: Resource
    count: int
    texts: tuple[AskedText, ...]


@dataclass(frozen=True)
class Month:
    month: str
    asked: int
    matched_well: int


@dataclass(frozen=True)
class Demand:
    total: int
    """Every question recorded (shown or not)."""
    min_asked: int
    texts: tuple[AskedText, ...]
    """The texts asked at least ``min_asked`` times, the most asked first."""
    by_pillar: tuple[Group, ...]
    by_measure: tuple[Group, ...]
    unmatched: tuple[AskedText, ...]
    months: tuple[Month, ...]
    regions: tuple[tuple[Resource, int], ...]
    labels: dict[str, Resource]


def aggregates(store: CatalogueStore, settings: Settings) -> list[Aggregate]:
    graph = private_graph(settings, DEMAND)
    rows = store.values(
        f"""SELECT ?a ?text ?day ?count ?well ?pillar ?place WHERE {{ GRAPH <{graph}> {{
          ?a a <{PRIVATE}DemandAggregate> ; <{PRIVATE}demandText> ?text ; <{PRIVATE}demandDay> ?day ;
             <{PRIVATE}demandCount> ?count ; <{PRIVATE}matchedWell> ?well .
          OPTIONAL {{ ?a <{PRIVATE}pillarFilter> ?pillar }}
          OPTIONAL {{ ?a <{PRIVATE}placeFilter> ?place }} }} }}"""
    )
    tops: dict[str, list[str]] = defaultdict(list)
    for row in store.values(f"SELECT ?a ?top WHERE {{ GRAPH <{graph}> {{ ?a <{PRIVATE}topMatch> ?top }} }}"):
        tops[row["a"]].append(row["top"])
    return [
        Aggregate(row["text"], row["day"], int(row["count"]), row["well"] == "true",
                  tuple(sorted(tops.get(row["a"], []))), row.get("pillar"), row.get("place"))
        for row in rows
    ]


def _texts(found: Iterable[Aggregate]) -> dict[str, AskedText]:
    texts: dict[str, AskedText] = {}
    for aggregate in sorted(found, key=lambda a: a.day):
        text = texts.setdefault(aggregate.text, AskedText(aggregate.text, first_day=aggregate.day))
        text.count += aggregate.count
        text.last_day = aggregate.day
        text.matched_well = aggregate.matched_well  # the latest day's answer
        text.top = aggregate.top or text.top
        if aggregate.pillar:
            text.pillars.add(aggregate.pillar)
        if aggregate.place:
            text.places.add(aggregate.place)
    return texts


def _pillars_of(store: CatalogueStore, measures: list[str]) -> dict[str, str]:
    if not measures:
        return {}
    rows = store.values(
        f"SELECT ?m ?p WHERE {{ {iri_values('m', measures)} ?m <{SKOS}broaderTransitive> ?p . ?p a <{KCS}Pillar> }}"
    )
    return {row["m"]: row["p"] for row in sorted(rows, key=lambda r: r["p"])}


def _regions_of(store: CatalogueStore, places: list[str]) -> dict[str, str]:
    """The region (a place with an ISO 3166-2:CZ code) each place is or lies in."""
    if not places:
        return {}
    rows = store.values(
        f"""SELECT ?place ?region WHERE {{ {iri_values('place', places)}
          {{ ?place <{SKOS}notation> ?code FILTER(STRSTARTS(STR(?code), "CZ-")) BIND(?place AS ?region) }}
          UNION {{ ?place <{DCTERMS}isPartOf>+ ?region .
                   ?region <{SKOS}notation> ?c FILTER(STRSTARTS(STR(?c), "CZ-")) }}
        }}"""
    )
    return {row["place"]: row["region"] for row in rows}


def _groups(texts: list[AskedText], key_of: dict[str, str], labels: dict[str, Resource]) -> tuple[Group, ...]:
    grouped: dict[str, list[AskedText]] = defaultdict(list)
    for text in texts:
        key = key_of.get(text.text)
        if key and key in labels:
            grouped[key].append(text)
    groups = [Group(labels[key], sum(t.count for t in found), tuple(found)) for key, found in grouped.items()]
    return tuple(sorted(groups, key=lambda g: (-g.count, g.resource.label)))


def demand(store: CatalogueStore, settings: Settings, lang: str = "cs") -> Demand:
    """What the demand page shows."""
    found = aggregates(store, settings)
    min_asked = settings.demand_min_asked
    all_texts = _texts(found)
    shown = sorted((t for t in all_texts.values() if t.count >= min_asked), key=lambda t: (-t.count, t.text))
    best = {t.text: t.top[0] for t in shown if t.top}
    pillar_of_measure = _pillars_of(store, sorted(set(best.values())))
    pillar_of_text = {text: pillar_of_measure[m] for text, m in best.items() if m in pillar_of_measure}
    for t in shown:  # with no measure, the pillar the question was filtered by
        if t.text not in pillar_of_text and len(t.pillars) == 1:
            pillar_of_text[t.text] = next(iter(t.pillars))
    places = sorted({a.place for a in found if a.place})
    region_of = _regions_of(store, places)
    regions: Counter[str] = Counter()
    for aggregate in found:
        if aggregate.place:
            regions[region_of.get(aggregate.place, aggregate.place)] += aggregate.count
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for aggregate in found:
        month = months[aggregate.day[:7]]
        month[0] += aggregate.count
        month[1] += aggregate.count if aggregate.matched_well else 0
    iris = (set(best.values()) | set(pillar_of_text.values()) | set(regions)
            | {iri for t in shown for iri in t.top})
    labels = resources(store, sorted(iris), lang)
    return Demand(
        total=sum(a.count for a in found),
        min_asked=min_asked,
        texts=tuple(shown),
        by_pillar=_groups(shown, pillar_of_text, labels),
        by_measure=_groups(shown, best, labels),
        unmatched=tuple(t for t in shown if not t.matched_well),
        months=tuple(Month(m, counts[0], counts[1]) for m, counts in sorted(months.items())),
        regions=tuple(sorted(((labels[r], n) for r, n in regions.items() if r in labels),
                             key=lambda item: (-item[1], item[0].label))),
        labels=labels,
    )
