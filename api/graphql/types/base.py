"""What every type shares: the ``Resource`` interface (IRI, label, class, code), the registry that turns a
query-layer resource into the GraphQL type of its class, the helpers that resolve a field from the
request's loaders, and the small types of the catalogue's supporting classes (organisations, places,
code-list values, indicators).

Fields are resolved by plain functions that answer at once when what they need is already kept (see
:meth:`Loaders.ready`) and hand GraphQL an awaitable only when it has to be loaded: strawberry spends
several times as long on an awaited field as on a plain one, and a page of twenty items has hundreds.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from functools import lru_cache, partial
from typing import Any, TypeVar

import pyoxigraph as ox
import strawberry

from api.graphql.context import Context
from api.kept import MISSING
from catalogue.editing.descriptions import TURTLE_PREFIXES, Description
from catalogue.queries.browse import Facts
from catalogue.queries.concept import Resource as ResourceRow
from catalogue.queries.resources import czech_sort_key

Info = strawberry.Info[Context, None]

MAX_LINKED = 100
"""Most resources a list nested in an answer holds (a solution's realisations, a programme's calls …)."""


@strawberry.interface(
    name="Resource",
    description="Any resource of the catalogue: its IRI (which dereferences on this server), its label in "
    "the asked language (Czech by default), its class and its code where it has one.",
)
class Node:
    iri: str
    label: str
    kind: str = strawberry.field(description="The ontology class, e.g. `TypeMeasure` or `Realisation`.")
    code: str | None = strawberry.field(description="The code (skos:notation), e.g. `A4.1`.")

    @strawberry.field(
        description="The version of the resource's description: it changes exactly when the description does, "
        "and is what `GET` of the IRI sends as its `ETag` and what `saveDraft` takes as `baseVersion`."
    )
    def version(self, info: Info) -> str:
        return with_loaded(info, "description", self.iri, _version)  # type: ignore[no-any-return]

    @strawberry.field(
        description="The resource's own description in Turtle (its statements and its source references): what "
        "`saveDraft` takes, changed, with this `version` as its `baseVersion`."
    )
    def turtle(self, info: Info) -> str:
        return with_loaded(info, "description", self.iri, turtle_of)  # type: ignore[no-any-return]


N = TypeVar("N", bound=Node)
V = TypeVar("V")

NODE_TYPES: dict[str, type[Node]] = {}
"""The GraphQL type of each ontology class, filled by :func:`node_type` as the type modules load."""

# Czech collation walks the label letter by letter (half a millisecond for a measure's long label);
# the same labels come back in every request.
label_order = lru_cache(maxsize=65_536)(czech_sort_key)


def node_type(*kinds: str) -> Callable[[type[N]], type[N]]:
    """Register the decorated type as the GraphQL type of the classes ``kinds``."""

    def register(cls: type[N]) -> type[N]:
        for kind in kinds:
            NODE_TYPES[kind] = cls
        return cls

    return register


def as_node(resource: ResourceRow) -> Node:
    """The resource as an object of its class's GraphQL type."""
    return NODE_TYPES[resource.kind](iri=resource.iri, label=resource.label, kind=resource.kind, code=resource.code)


def of_type(resources: Iterable[ResourceRow], cls: type[N]) -> list[N]:
    """Those of ``resources`` whose GraphQL type is ``cls``, as such."""
    return [node for node in map(as_node, resources) if isinstance(node, cls)]


# -- resolving from the loaders --------------------------------------------------------------------


def when_loaded(ready: V, load: Callable[[], Awaitable[V]], then: Callable[[V], Any]) -> Any:
    """``then(ready)`` at once when ``ready`` is known, else an awaitable of ``then`` of what
    ``load()`` gives (``then`` may itself answer with an awaitable)."""
    if ready is not MISSING:
        return then(ready)

    async def later() -> Any:
        result = then(await load())
        return await result if inspect.isawaitable(result) else result

    return later()


def with_loaded(info: Info, name: str, key: str, then: Callable[[Any], Any]) -> Any:
    """``then`` of what the loader ``name`` (an attribute of :class:`Loaders`) answers for ``key``."""
    loaders = info.context.loaders
    return when_loaded(loaders.ready(name, key), lambda: getattr(loaders, name).load(key), then)


def many_loaded(info: Info, name: str, keys: list[str], then: Callable[[list[Any]], Any]) -> Any:
    """``then`` of what the loader ``name`` answers for each of ``keys``."""
    loaders = info.context.loaders
    kept = [loaders.ready(name, key) for key in keys]
    return when_loaded(
        MISSING if any(item is MISSING for item in kept) else kept,
        lambda: getattr(loaders, name).load_many(keys),
        then,
    )


def _version(description: Description) -> str:
    return description.version


def turtle_of(description: Description) -> str:
    """The description as Turtle, with the prefixes a draft may use (so it can be sent back as it is)."""
    text = ox.serialize(description.triples, format=ox.RdfFormat.TURTLE, prefixes=TURTLE_PREFIXES)
    return text.decode("utf-8") if text is not None else ""


def with_facts(info: Info, iri: str, then: Callable[[Facts], Any]) -> Any:
    """``then`` of the resource's facts (:func:`browse.facts`)."""
    return with_loaded(info, "facts", iri, then)


def _sorted(found: Iterable[ResourceRow | None], cls: type[N]) -> list[N]:
    nodes = of_type((resource for resource in found if resource is not None), cls)
    return sorted(nodes, key=lambda node: (label_order(node.label), node.iri)) if len(nodes) > 1 else nodes


def nodes(info: Info, iris: Iterable[str], cls: type[N], *, sort: bool = True) -> Any:
    """The resources of ``iris`` whose type is ``cls``, labelled, in label order (or in the order of
    ``iris``)."""
    arrange = partial(_sorted, cls=cls) if sort else partial(_in_order, cls=cls)
    return many_loaded(info, "resource", list(dict.fromkeys(iris)), arrange)


def _in_order(found: Iterable[ResourceRow | None], cls: type[N]) -> list[N]:
    return of_type((resource for resource in found if resource is not None), cls)


async def settled(value: Any) -> Any:
    """``value``, or what it gives when it is an awaitable."""
    return await value if inspect.isawaitable(value) else value


def linked_nodes(info: Info, iri: str, name: str, cls: type[N]) -> Any:
    """The resources the resource links to by the fact ``name``, of type ``cls``, in label order."""
    return with_facts(info, iri, lambda facts: nodes(info, facts.iris(name), cls))


def incoming_nodes(info: Info, iri: str, prop: str, limit: int, cls: type[N]) -> Any:
    """Up to ``limit`` resources linking to the resource by ``prop`` (see
    :data:`browse.INCOMING_PROPERTIES`), of type ``cls``, in label order."""
    loaders = info.context.loaders
    return when_loaded(
        loaders.ready(("incoming", prop, limit), iri),
        lambda: loaders.incoming(prop, limit).load(iri),
        lambda iris: nodes(info, iris, cls),
    )


def first(found: Any) -> Any:
    """The first of a list, or of the list an awaitable gives; None for none."""
    if inspect.isawaitable(found):

        async def later() -> Any:
            items = await found
            return items[0] if items else None

        return later()
    return found[0] if found else None


def descriptors(info: Info, iris: Iterable[str]) -> Any:
    """The code-list values of ``iris``, in code then label order."""

    def ordered(found: Iterable[ResourceRow | None]) -> list[Descriptor]:
        values = of_type((resource for resource in found if resource is not None), Descriptor)
        return sorted(values, key=lambda node: (node.code or "", label_order(node.label)))

    return many_loaded(info, "descriptor", list(dict.fromkeys(iris)), ordered)


def literal(info: Info, iri: str, name: str) -> Any:
    """The resource's literal ``name`` in the asked language (else Czech, else any)."""
    return with_facts(info, iri, lambda facts: facts.literal(name, info.context.lang))


# -- the supporting classes ------------------------------------------------------------------------


@node_type("Descriptor")
@strawberry.type(
    description="A value of a code list: a project status, a type of applicant, an area of a regional concept."
)
class Descriptor(Node):
    pass


@node_type("Organisation")
@strawberry.type(description="An office, ministry, municipality, company or other body named in the sources.")
class Organisation(Node):
    pass


@node_type("Place")
@strawberry.type(description="A municipality, town, region, country or other territory.")
class Place(Node):
    @strawberry.field(description="The territories this place is part of (a town's region, a region's country).")
    def part_of(self, info: Info) -> list[Place]:
        return linked_nodes(info, self.iri, "isPartOf", Place)


@node_type("Indicator")
@strawberry.type(description="A measurable indicator of success.")
class Indicator(Node):
    @strawberry.field
    def unit(self, info: Info) -> str | None:
        return literal(info, self.iri, "unit")

    @strawberry.field
    def baseline(self, info: Info) -> str | None:
        return literal(info, self.iri, "baseline")

    @strawberry.field
    def target(self, info: Info) -> str | None:
        return literal(info, self.iri, "targetValue")

    @strawberry.field(description="When the target is to be reached.")
    def target_date(self, info: Info) -> str | None:
        return literal(info, self.iri, "targetDate")

    @strawberry.field(description="How it is measured.")
    def method(self, info: Info) -> str | None:
        return literal(info, self.iri, "method")

    @strawberry.field(description="How often it is measured.")
    def frequency(self, info: Info) -> str | None:
        return literal(info, self.iri, "frequency")
