"""The ministries' priority type measures (kcs:MeasurePriority, kept by each ministry in the editor) and
the gaps between them and the funding: priorities nothing funds, measures nothing funds, and funded
measures no ministry names a priority. The seed talk (004) asks for exactly these: every ministry defines
its priority measures and how it supports them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rdflib import Literal

from catalogue.queries.common import PREFIXES, checked_iri, text
from catalogue.queries.concept import Resource, resources
from catalogue.queries.funding_overview import SupportMatrix
from catalogue.store import CatalogueStore

_PRIORITIES = PREFIXES + """SELECT ?priority ?organisation ?measure ?level ?reason WHERE {{
  ?priority a kcs:MeasurePriority ; kcs:priorityOf ?organisation ; kcs:priorityMeasure ?measure .
  OPTIONAL {{ ?priority kcs:priorityLevel ?level }}
  OPTIONAL {{ ?priority kcs:priorityReason ?asked FILTER (lang(?asked) = ?lang) }}
  OPTIONAL {{ ?priority kcs:priorityReason ?czech FILTER (lang(?czech) = "cs") }}
  BIND (COALESCE(?asked, ?czech) AS ?reason)
  {only}
}}"""


@dataclass(frozen=True)
class Priority:
    iri: str
    organisation: Resource
    level: int | None
    reason: str


@dataclass(frozen=True)
class Gaps:
    """What the funding matrix leaves open, each a list of measures in the matrix's order."""

    priorities_unfunded: list[tuple[Resource, list[Priority]]]
    """Priority measures no programme or call (of those shown) supports, with their priorities."""
    unfunded: list[Resource]
    funded_without_priority: list[Resource]


def priorities(store: CatalogueStore, lang: str = "cs", organisation: str | None = None) -> dict[str, list[Priority]]:
    """Each measure's priorities by IRI (of ``organisation`` only, if given), the highest level first."""
    only = f"FILTER (?organisation = <{checked_iri(organisation)}>)" if organisation is not None else ""
    rows = store.values(_PRIORITIES.format(only=only), {"lang": Literal(lang)})
    organisations = resources(store, {row["organisation"] for row in rows}, lang)
    found: dict[str, list[Priority]] = defaultdict(list)
    for row in rows:
        level = text(row, "level")
        who = organisations.get(row["organisation"], Resource(row["organisation"], row["organisation"], "Organisation"))
        found[row["measure"]].append(
            Priority(row["priority"], who, int(level) if level and level.isdigit() else None, text(row, "reason") or "")
        )
    for listed in found.values():
        listed.sort(key=lambda p: (p.level or 99, p.organisation.label))
    return dict(found)


def gaps(matrix: SupportMatrix, by_measure: Mapping[str, Sequence[Priority]]) -> Gaps:
    return Gaps(
        priorities_unfunded=[(row.measure, list(by_measure[row.measure.iri])) for row in matrix.rows
                             if not row.funded and by_measure.get(row.measure.iri)],
        unfunded=matrix.unfunded,
        funded_without_priority=[
            row.measure for row in matrix.rows if row.funded and not by_measure.get(row.measure.iri)
        ],
    )
