"""The values a filter form offers: the code-list values that the catalogue actually uses, so that no
choice leads to a certainly empty list."""

from __future__ import annotations

from catalogue.queries.browse import descriptors
from catalogue.queries.common import PREFIXES
from catalogue.queries.concept import Resource
from catalogue.queries.resources import czech_sort_key
from catalogue.store import CatalogueStore


def applicant_types(store: CatalogueStore, lang: str = "cs") -> list[Resource]:
    """The applicant types that some programme or call is open to, in label order."""
    rows = store.values(PREFIXES + "SELECT DISTINCT ?type WHERE { ?funding kcs:eligibleApplicant ?type }")
    found = descriptors(store, (row["type"] for row in rows), lang)
    return sorted(found.values(), key=lambda resource: (czech_sort_key(resource.label), resource.iri))
