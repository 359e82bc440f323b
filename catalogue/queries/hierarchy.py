"""Every strategy as a whole tree: pillar (or cross-cutting area) → component → goal → measure, with
how much hangs under each node, and the links between goals of different strategies.

The whole catalogue's trees cost five store queries however big the concept is: the hierarchy's
edges, one aggregate counting the projects and services of every measure and goal, the
cross-strategy links, the labels (:func:`concept.resources`) and the curators' marks on the
placings no source states (:func:`footing.of_predicates`). Projects are counted by the
store (``COUNT`` grouped by measure), never fetched: at 50,000 realisations a measure may have
thousands.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from catalogue.queries import footing
from catalogue.queries.common import PREFIXES, checked_iri
from catalogue.queries.concept import Resource, resources
from catalogue.queries.resources import czech_sort_key
from catalogue.store import CatalogueStore

LEVELS = ("Pillar", "CrossCuttingArea", "Component", "Goal", "TypeMeasure")
"""The kinds of concept a strategy's tree holds, from the top down."""

MAPPING_PROPERTIES = (
    "kcs:servesGoal",
    "skos:relatedMatch",
    "skos:closeMatch",
    "skos:exactMatch",
    "skos:broadMatch",
    "skos:narrowMatch",
)
"""Properties by which a concept of one strategy is stated to serve or match one of another
(``kcs:servesGoal`` is the ontology's own, a sub-property of ``skos:relatedMatch``)."""


@dataclass(frozen=True)
class Node:
    """A concept in a strategy's tree. ``below`` counts the distinct concepts under it by kind;
    ``projects`` are the solutions and realisations fulfilling it (kcs:fulfils: directly, or by
    realising a solution that does), ``services`` the smart services fulfilling it (directly, or as part
    of a solution that serves it)."""

    concept: Resource
    children: tuple[Node, ...] = ()
    below: Mapping[str, int] = field(default_factory=dict)
    projects: int = 0
    services: int = 0
    inferred: footing.Reasoning | None = None
    """The curator's reasoning when no source places the concept under its parent in the tree."""


@dataclass(frozen=True)
class StrategyTree:
    strategy: Resource
    roots: tuple[Node, ...]
    totals: Mapping[str, int]
    """The distinct concepts of the strategy by kind."""


@dataclass(frozen=True)
class GoalLink:
    """A goal (or measure) of one strategy linked to a concept of another: stated in the sources
    (``via`` is None) or through a project that serves both (``via`` is that project)."""

    source: Resource
    source_strategy: Resource
    target: Resource
    target_strategy: Resource
    via: Resource | None


@dataclass(frozen=True)
class Hierarchy:
    trees: list[StrategyTree]
    """Strategies with a hierarchy first (those with pillars before the others), then the rest."""
    links: list[GoalLink]


_LEVEL_FILTER = ", ".join(f"kcs:{kind}" for kind in LEVELS)

# A concept belongs to a strategy by skos:inScheme (the rules add it for top concepts) and names its
# parent by skos:broader (the rules add it where the sources state skos:narrower on the parent).
_EDGES = f"""SELECT ?strategy ?item ?parent WHERE {{
  ?strategy a kcs:Strategy .
  OPTIONAL {{
    ?item skos:inScheme ?strategy ; a ?class FILTER (?class IN ({_LEVEL_FILTER}))
    OPTIONAL {{ ?item skos:broader ?parent }}
  }}
}}"""

# Projects (solutions and realisations) of a concept are everything fulfilling it (kcs:fulfils) less the
# services fulfilling it (few, found from their class); by the ontology nothing else fulfils a concept,
# so no realisation's rdf:type is looked up, which at 50,000 realisations would cost ten times the count.
_COUNTS = """SELECT ?concept ?what (COUNT(DISTINCT ?thing) AS ?count) WHERE {
  { ?thing kcs:fulfils ?concept . BIND ("fulfilling" AS ?what) }
  UNION { ?thing a kcs:SmartService ; kcs:fulfils ?concept . BIND ("services" AS ?what) }
} GROUP BY ?concept ?what"""

# Stated links, and projects serving a goal of one strategy and a goal or measure of another. Both
# start from kcs:servesGoal (a few hundred triples), never from the realisations' servesMeasure.
_LINKS = f"""SELECT DISTINCT ?source ?sourceStrategy ?target ?targetStrategy ?via WHERE {{
  {{ ?source {"|".join(MAPPING_PROPERTIES)} ?target }}
  UNION {{ ?via kcs:servesGoal ?source ; a ?viaClass
           FILTER (?viaClass IN (kcs:SmartSolution, kcs:Realisation, kcs:SmartService))
           ?via kcs:servesGoal|kcs:servesMeasure ?target }}
  ?source skos:inScheme ?sourceStrategy . ?sourceStrategy a kcs:Strategy .
  ?target skos:inScheme ?targetStrategy . ?targetStrategy a kcs:Strategy .
  FILTER (?sourceStrategy != ?targetStrategy)
}}"""


def _code_key(code: str | None) -> tuple[int, tuple[tuple[int, int, str], ...]]:
    """Codes in reading order: A4.2 before A4.10; concepts without a code after those with one."""
    if code is None:
        return (1, ())
    parts = re.findall(r"\d+|\D+", code)
    return (0, tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts))


def _order(resource: Resource, code: str | None = None) -> tuple[object, ...]:
    """Pillars before the cross-cutting area, goals before measures filed beside them; then by code
    (``code`` when given, else the concept's own) and label."""
    level = LEVELS.index(resource.kind) if resource.kind in LEVELS else len(LEVELS)
    return (level, _code_key(code or resource.code), czech_sort_key(resource.label), resource.iri)


def _tree_order(
    known: set[str], children_of: Mapping[str, set[str]], found: Mapping[str, Resource]
) -> dict[str, tuple[object, ...]]:
    """Each concept's place among its siblings. One without a code of its own goes where the first
    code under it does: the Liberec Region's strategic goals have none, but their specific goals
    are numbered 1.x (Zrychlit), 2.x (Ušetřit) and 3.x (Zlepšit)."""
    first_code: dict[str, str | None] = {}

    def first(iri: str, path: frozenset[str]) -> str | None:
        if iri not in first_code:
            codes = [found[iri].code] if found[iri].code else []
            codes += [code for child in children_of.get(iri, ()) if child not in path
                      if (code := first(child, path | {child})) is not None]
            first_code[iri] = min(codes, key=_code_key) if codes else None
        return first_code[iri]

    return {iri: _order(found[iri], first(iri, frozenset({iri}))) for iri in known}


@dataclass(frozen=True)
class _Tree:
    """What building a strategy's tree reads: children, labels, order, counts and the marks on placings."""

    children_of: Mapping[str, set[str]]
    found: Mapping[str, Resource]
    order: Mapping[str, tuple[object, ...]]
    counts: Mapping[str, Counter[str]]
    placings: Mapping[footing.Link, footing.Reasoning]

    def placed(self, child: str, parent: str | None) -> footing.Reasoning | None:
        if parent is None:
            return None
        marked = [self.placings[link] for link in footing.broader_links(child, parent) if link in self.placings]
        return marked[0] if marked else None


def _build(iri: str, parent: str | None, tree: _Tree, ancestors: frozenset[str]) -> tuple[Node, set[str]]:
    """The node of ``iri`` (under ``parent``) and the set of concepts under it; a cycle in the sources'
    broader links is cut where it comes back to a concept already on the path."""
    children: list[Node] = []
    under: set[str] = set()
    for child in sorted(tree.children_of.get(iri, ()), key=tree.order.__getitem__):
        if child in ancestors:
            continue
        node, child_under = _build(child, iri, tree, ancestors | {child})
        children.append(node)
        under |= {child} | child_under
    figures = tree.counts.get(iri, Counter())
    node = Node(
        concept=tree.found[iri],
        children=tuple(children),
        below=dict(Counter(tree.found[concept].kind for concept in under)),
        projects=figures["fulfilling"] - figures["services"],
        services=figures["services"],
        inferred=tree.placed(iri, parent),
    )
    return node, under


def _tree(
    strategy: Resource, items: set[str], parents: Mapping[str, set[str]], found: Mapping[str, Resource],
    counts: Mapping[str, Counter[str]], placings: Mapping[footing.Link, footing.Reasoning],
) -> StrategyTree:
    known = {item for item in items if item in found}
    children_of: dict[str, set[str]] = defaultdict(set)
    for item in known:
        for parent in parents.get(item, set()) & known:
            children_of[parent].add(item)
    # Roots: concepts with no parent in the same strategy (top concepts, and any the sources left
    # hanging); a cycle with no way in gets its first concept as root so that nothing is lost.
    roots = [item for item in known if not parents.get(item, set()) & known]
    order = _tree_order(known, children_of, found)
    tree = _Tree(children_of, found, order, counts, placings)
    reached: set[str] = set()
    nodes: list[Node] = []
    for root in sorted(roots, key=order.__getitem__):
        node, under = _build(root, None, tree, frozenset({root}))
        nodes.append(node)
        reached |= {root} | under
    for item in sorted(known - reached, key=order.__getitem__):
        if item not in reached:
            node, under = _build(item, None, tree, frozenset({item}))
            nodes.append(node)
            reached |= {item} | under
    return StrategyTree(strategy, tuple(nodes), dict(Counter(found[item].kind for item in known)))


def _strategy_order(tree: StrategyTree) -> tuple[object, ...]:
    return (not tree.roots, "Pillar" not in tree.totals, czech_sort_key(tree.strategy.label), tree.strategy.iri)


def hierarchy(store: CatalogueStore, lang: str = "cs", *, strategy: str | None = None) -> Hierarchy:
    """Every strategy's tree with its counts, and the links between goals of different strategies;
    with ``strategy`` (an IRI, checked: :class:`common.InvalidIRI`) that strategy only, and the links
    that touch it. An IRI that names no strategy gives no tree.

    The trees of all strategies are built either way (the catalogue has a handful): which side of
    a link is the regional one depends on the strategies' order, which one strategy cannot tell."""
    if strategy is not None:
        checked_iri(strategy)
    rows = store.values(PREFIXES + _EDGES)
    items_of: dict[str, set[str]] = defaultdict(set)
    parents: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        items = items_of[row["strategy"]]
        if "item" in row:
            items.add(row["item"])
            if "parent" in row:
                parents[row["item"]].add(row["parent"])

    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in store.values(PREFIXES + _COUNTS):
        counts[row["concept"]][row["what"]] = int(row["count"])

    link_rows = store.values(PREFIXES + _LINKS)
    wanted = set(items_of) | {iri for items in items_of.values() for iri in items}
    for row in link_rows:
        wanted |= {row["source"], row["sourceStrategy"], row["target"], row["targetStrategy"]}
        if "via" in row:
            wanted.add(row["via"])
    found = resources(store, wanted, lang)
    placings = footing.of_predicates(store, footing.HIERARCHY, lang)

    trees = sorted(
        (
            _tree(found[iri], items, parents, found, counts, placings)
            for iri, items in items_of.items()
            if iri in found
        ),
        key=_strategy_order,
    )
    links = _links(link_rows, found, [tree.strategy.iri for tree in trees])
    if strategy is None:
        return Hierarchy(trees, links)
    return Hierarchy(
        [tree for tree in trees if tree.strategy.iri == strategy],
        [link for link in links if strategy in (link.source_strategy.iri, link.target_strategy.iri)],
    )


def _links(rows: Sequence[Mapping[str, str]], found: Mapping[str, Resource], ranked: Sequence[str]) -> list[GoalLink]:
    """One link per pair of concepts and way (stated, or each shared project), pointing from the
    strategy ranked lower (a regional one) to the one ranked higher (the national concept)."""
    rank = {iri: position for position, iri in enumerate(ranked)}
    links: dict[tuple[str, str, str | None], GoalLink] = {}
    for row in rows:
        source, target = row["source"], row["target"]
        source_strategy, target_strategy = row["sourceStrategy"], row["targetStrategy"]
        if rank.get(source_strategy, len(rank)) < rank.get(target_strategy, len(rank)):
            source, target, source_strategy, target_strategy = target, source, target_strategy, source_strategy
        via = row.get("via")
        named = [source, target, source_strategy, target_strategy] + ([via] if via else [])
        if any(iri not in found for iri in named):
            continue
        links.setdefault(
            (source, target, via),
            GoalLink(
                found[source], found[source_strategy], found[target], found[target_strategy],
                found[via] if via else None,
            ),
        )
    return sorted(
        links.values(),
        key=lambda link: (
            czech_sort_key(link.source_strategy.label), _order(link.source), _order(link.target),
            link.via is not None, link.via.label if link.via else "",
        ),
    )
