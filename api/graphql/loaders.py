"""The request's dataloaders: every batch function of the query layer behind a DataLoader, with the
answers shared between requests for as long as the catalogue stays the same.

All the loads one level of a query asks for are answered together, with the store queries of one
batch function (two for most), run in a worker thread so the event loop keeps serving other requests.
So a page of results costs a number of store queries bounded by the depth of the query, not by the
number of items in it.

What a batch function answers depends only on the loaded data, so answers are kept in the app's
:class:`SharedAnswers` under the catalogue version (:mod:`catalogue.queries.version`): once the data
changes, nothing kept before is used again. Keeping them is what lets a typical browse query run at
the speed of GraphQL itself rather than of the store (converting the store's rows to Python costs
more than the queries), and what lets a field be resolved without waiting (:meth:`Loaders.ready`):
an awaited field costs strawberry several times what a plain one does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from api.kept import MISSING, SharedAnswers
from catalogue.editing.descriptions import Description, read_description
from catalogue.queries import browse, concept
from catalogue.queries.concept import FundingLink, Indicator, Resource
from catalogue.settings import Settings
from catalogue.store import CatalogueStore

T = TypeVar("T")

BatchFunction = Callable[[CatalogueStore, Sequence[str]], Mapping[str, T]]

_ABSENT = object()
"""Kept for a key the batch function left out, so that asking again costs nothing either."""


class Loaders:
    """One request's loaders over ``store`` at the catalogue ``version``, labels in ``lang``, answers
    shared through ``shared``."""

    def __init__(
        self, store: CatalogueStore, version: str, lang: str, shared: SharedAnswers, settings: Settings
    ) -> None:
        self._store = store
        self._settings = settings
        self._version = version
        self._lang = lang
        self._shared = shared
        shared.current(version)
        self._loaders: dict[Hashable, DataLoader[str, Any]] = {}

    def _key(self, name: Hashable, key: Hashable) -> tuple[Hashable, ...] | None:
        """The shared key of ``name``'s answer for ``key``, while the shared answers are still those
        of the request's version (a request that began before the catalogue changed keeps nothing)."""
        if self._version != self._shared.version:
            return None
        return (name, self._lang, key)

    def ready(self, name: Hashable, key: str) -> Any:
        """The answer of loader ``name`` for ``key`` if it is already kept, without waiting; else
        :data:`MISSING`."""
        shared_key = self._key(name, key)
        answer = MISSING if shared_key is None else self._shared.get(shared_key)
        if answer is _ABSENT:
            return _EMPTY.get(name if isinstance(name, str) else str(name[0]), list)()  # type: ignore[index]
        return answer

    def _kept(self, name: Hashable, key: str) -> Any:
        shared_key = self._key(name, key)
        return MISSING if shared_key is None else self._shared.get(shared_key)

    def _loader(self, name: Hashable, batch: BatchFunction[T], missing: Callable[[], T]) -> DataLoader[str, T]:
        """The request's DataLoader ``name``: a batch of IRIs is answered from the shared answers, and
        the IRIs not kept there with one call of ``batch`` in a worker thread; IRIs the batch function
        leaves out get ``missing()``."""
        if name in self._loaders:
            return self._loaders[name]
        store, shared = self._store, self._shared

        async def load(iris: list[str]) -> list[T]:
            kept = {iri: self._kept(name, iri) for iri in iris}
            wanted = [iri for iri, answer in kept.items() if answer is MISSING]
            if wanted:
                found = await asyncio.to_thread(batch, store, wanted)
                for iri in wanted:
                    kept[iri] = found.get(iri, _ABSENT)
                    if (shared_key := self._key(name, iri)) is not None:
                        shared.put(shared_key, kept[iri], version=self._version)
            return [missing() if kept[iri] is _ABSENT else kept[iri] for iri in iris]

        loader: DataLoader[str, T] = DataLoader(load_fn=load)
        self._loaders[name] = loader
        return loader

    async def shared(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A whole answer (a list, a page, a count) kept under ``key``, else ``compute()`` run in a
        worker thread and kept."""
        shared_key = self._key("whole", key)
        found = MISSING if shared_key is None else self._shared.get(shared_key)
        if found is MISSING:
            found = await asyncio.to_thread(compute)
            if shared_key is not None:
                self._shared.put(shared_key, found, version=self._version)
        return found  # type: ignore[no-any-return]

    @property
    def resource(self) -> DataLoader[str, Resource | None]:
        return self._loader("resource", partial(concept.resources, lang=self._lang), _none)

    @property
    def descriptor(self) -> DataLoader[str, Resource | None]:
        return self._loader("descriptor", partial(browse.descriptors, lang=self._lang), _none)

    @property
    def facts(self) -> DataLoader[str, browse.Facts]:
        return self._loader("facts", browse.facts, browse.Facts)

    @property
    def broader(self) -> DataLoader[str, list[Resource]]:
        return self._loader("broader", partial(concept.broader, lang=self._lang), list)

    @property
    def narrower(self) -> DataLoader[str, list[Resource]]:
        return self._loader("narrower", partial(concept.narrower, lang=self._lang), list)

    @property
    def pillars(self) -> DataLoader[str, list[Resource]]:
        return self._loader("pillars", partial(concept.pillars_of_measures, lang=self._lang), list)

    @property
    def funding(self) -> DataLoader[str, list[FundingLink]]:
        return self._loader("funding", partial(concept.funding_of_measures, lang=self._lang), list)

    @property
    def services(self) -> DataLoader[str, list[Resource]]:
        return self._loader("services", partial(concept.services_of_measures, lang=self._lang), list)

    @property
    def indicators(self) -> DataLoader[str, list[Indicator]]:
        return self._loader("indicators", partial(concept.indicators_of, lang=self._lang), list)

    @property
    def synergies(self) -> DataLoader[str, list[tuple[Resource, int]]]:
        return self._loader("synergies", partial(concept.measures_combined_with, lang=self._lang), list)

    @property
    def description(self) -> DataLoader[str, Description]:
        """Each resource's own description (:func:`read_description`): what its version is the digest of
        (as ``GET /id/…`` sends it in its ETag) and what a draft of it replaces."""
        return self._loader("description", partial(_descriptions, settings=self._settings), _no_description)

    def realisations(self, per_measure: int) -> DataLoader[str, list[Resource]]:
        """Solutions and realisations of measures, up to ``per_measure`` each."""
        batch = partial(concept.realisations_of_measures, per_measure=per_measure, lang=self._lang)
        return self._loader(("realisations", per_measure), batch, list)

    def incoming(self, prop: str, limit: int) -> DataLoader[str, list[str]]:
        """IRIs of up to ``limit`` resources linking to each IRI by ``prop`` (see
        :data:`browse.INCOMING_PROPERTIES`)."""
        return self._loader(("incoming", prop, limit), partial(browse.linked_from, prop=prop, limit=limit), list)


def _descriptions(store: CatalogueStore, iris: Sequence[str], *, settings: Settings) -> dict[str, Description]:
    # One query per resource: the editing layer reads descriptions one at a time, and the version is a
    # digest of the whole description (its nodes too), which only that reading gives.
    return {iri: read_description(store, settings, iri) for iri in iris}


def _no_description() -> Description:
    return Description("", ())


def _none() -> None:
    return None


_EMPTY: dict[str, Callable[[], Any]] = {
    "resource": _none,
    "descriptor": _none,
    "facts": browse.Facts,
    "description": _no_description,
}
"""What each loader answers for a key its batch function found nothing for (the others: an empty list)."""
