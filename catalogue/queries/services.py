"""Where and when each smart service was done, for a batch of services at once: the realisations that
realise it (kcs:realisesService, derived: directly or through the solution they carry out) and the
solutions that include it, each with its places, year and status, and the footing of its grouping.

The answer, the service's page and the project builder show a service this way. However many services
are asked, it costs eight store queries: the realisations and the solutions of each (each service with
its own LIMIT, so one done ten thousand times costs no more than one done twice), their facts, their
names and those of their places, the names of their statuses, and the footing (:func:`why_grouped`).

No seed names a service of its own, so grouping a solution or realisation under one is a curator's
classification, marked as such (catalogue/data/services.ttl): every list of a service's instances can
say "odvozeno" with the curator's reasoning.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from catalogue.queries import browse, concept, footing
from catalogue.queries.concept import Resource
from catalogue.queries.resources import czech_sort_key
from catalogue.store import CatalogueStore

_KCS = "https://w3id.org/kcs/ontology#"


@dataclass(frozen=True)
class ServiceInstance:
    """A realisation or solution of a service: where, when and in what state."""

    resource: Resource
    places: tuple[Resource, ...]
    year: int | None
    status: Resource | None
    realises: tuple[str, ...] = ()
    """The IRIs of the solutions and services a realisation carries out."""
    grouped: footing.Reasoning | None = None
    """Why a curator counts it as an instance of the service; None where a source says so."""


@dataclass(frozen=True)
class ServiceInstances:
    """A service's realisations and solutions: up to ``per_service`` of each, the first the store
    finds, in Czech label order."""

    realisations: tuple[ServiceInstance, ...]
    solutions: tuple[ServiceInstance, ...]

    @property
    def other_solutions(self) -> tuple[ServiceInstance, ...]:
        """The solutions that none of the listed realisations carries out: a stack entry and its
        realisation are one project, shown once."""
        carried_out = {iri for item in self.realisations for iri in item.realises}
        return tuple(item for item in self.solutions if item.resource.iri not in carried_out)


def _label_order(resource: Resource) -> tuple[tuple[tuple[int, ...], str], str]:
    return czech_sort_key(resource.label), resource.iri


def instances_of_services(
    store: CatalogueStore, iris: Sequence[str], *, per_service: int, lang: str = "cs"
) -> dict[str, ServiceInstances]:
    """For each of ``iris`` that is done anywhere, up to ``per_service`` of its realisations and of
    its solutions with their places, years and statuses."""
    iris = list(dict.fromkeys(iris))
    if not iris or per_service < 1:
        return {}
    patterns = {
        "realisations": "?item kcs:realisesService ?service ; a kcs:Realisation",
        "solutions": "?item kcs:includesService ?service ; a kcs:SmartSolution",
    }
    linked = {
        name: concept.linked_rows(store, "service", iris, pattern, limit=per_service)
        for name, pattern in patterns.items()
    }
    items = [str(row["item"]) for rows in linked.values() for row in rows]
    facts = browse.facts(store, items)
    places = {iri: facts[iri].iris("place") if iri in facts else [] for iri in items}
    names = concept.resources(store, [*items, *(place for found in places.values() for place in found)], lang)
    statuses = browse.descriptors(
        store, (status for iri in items if iri in facts for status in facts[iri].iris("status")), lang
    )
    reasons = why_grouped(store, [(str(row["item"]), str(row["service"])) for rows in linked.values() for row in rows],
                          lang)

    def instance(iri: str, service: str) -> ServiceInstance:
        own = facts.get(iri)
        status = next((statuses[s] for s in own.iris("status") if s in statuses), None) if own else None
        return ServiceInstance(
            names[iri],
            tuple(sorted((names[p] for p in places[iri] if p in names), key=_label_order)),
            own.year("year") if own else None,
            status,
            tuple(own.iris("realises")) if own else (),
            reasons.get((iri, service)),
        )

    grouped: dict[str, dict[str, list[ServiceInstance]]] = defaultdict(lambda: defaultdict(list))
    for name, rows in linked.items():
        for row in rows:
            if str(row["item"]) in names:
                grouped[str(row["service"])][name].append(instance(str(row["item"]), str(row["service"])))

    def ordered(found: list[ServiceInstance]) -> tuple[ServiceInstance, ...]:
        return tuple(sorted(found, key=lambda item: _label_order(item.resource)))

    return {
        service: ServiceInstances(ordered(lists["realisations"]), ordered(lists["solutions"]))
        for service, lists in grouped.items()
    }


def why_grouped(
    store: CatalogueStore, pairs: Sequence[tuple[str, str]], lang: str = "cs"
) -> dict[tuple[str, str], footing.Reasoning]:
    """For each (instance, service) pair, the curator's reasoning for counting the solution or
    realisation as an instance of the service, where a curator did: the mark on the solution's
    kcs:includesService, on the realisation's own kcs:realises, or, for a realisation reaching the
    service through a solution it carries out, on that solution's kcs:includesService. Three store
    queries, however many pairs."""
    pairs = list(dict.fromkeys(pairs))
    facts = browse.facts(store, [instance for instance, _ in pairs])
    realised = {
        solution for instance, _ in pairs if instance in facts for solution in facts[instance].iris("realises")
    }
    solution_facts = browse.facts(store, sorted(realised))
    links: dict[tuple[str, str], list[footing.Link]] = {}
    for instance, service in pairs:
        own = facts.get(instance)
        if own is None:
            continue
        candidates = [
            footing.Link(instance, _KCS + name, service)
            for name in ("includesService", "realises")
            if service in own.iris(name)
        ]
        candidates += [
            footing.Link(solution, _KCS + "includesService", service)
            for solution in own.iris("realises")
            if solution in solution_facts and service in solution_facts[solution].iris("includesService")
        ]
        links[(instance, service)] = candidates
    reasons = footing.of_links(store, (link for found in links.values() for link in found), lang)
    return {
        pair: next(reasons[link] for link in found if link in reasons)
        for pair, found in links.items()
        if any(link in reasons for link in found)
    }
