"""What limits the site's forms across all its processes: throttles (so many events per key in a sliding
window: failed log-ins, proposals sent from one address) and one-time keys (a proposal form's token,
used once).

Both live in private graphs of the store (:data:`catalogue.graphs.PRIVATE_GRAPHS`), not in a process's
memory: the site may run as several processes over one store, and a limit each process counted on its
own would let N times as much through, and forget everything at a restart. Keys are kept as their
SHA-256, so the graphs hold no e-mail, address or token. Each write also forgets what is past its window,
so a graph holds no more than one window's events.

A one-time key is claimed by one guarded update (inserted only where no claim of it exists): the store
runs one update at a time (the embedded store's lock, the server's own serialisation), so of two requests
claiming one key at once, exactly one gets it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from catalogue.graphs import private_base, private_graph
from catalogue.settings import Settings
from catalogue.store import CatalogueStore, bind

PRIVATE = "https://w3id.org/kcs/private#"

_PREFIXES = f"PREFIX kcsp: <{PRIVATE}>\n"

_TIMES = _PREFIXES + """
SELECT ?at WHERE { GRAPH ?events { ?event kcsp:throttleKey ?key ; kcsp:at ?at } FILTER (?at > ?since) }
ORDER BY ?at
"""

_FORGET = """
DELETE { GRAPH ?events { ?event ?p ?o } }
WHERE { GRAPH ?events { ?event kcsp:at ?at ; ?p ?o } FILTER (?at <= ?since) }
"""

_COUNT = """
INSERT DATA { GRAPH ?events { ?event a ?kind ; kcsp:throttleKey ?key ; kcsp:at ?now } }
"""

_CLAIM = """
INSERT { GRAPH ?events { ?event a kcsp:UsedKey ; kcsp:throttleKey ?key ; kcsp:at ?now } }
WHERE { FILTER NOT EXISTS { GRAPH ?events { ?other kcsp:throttleKey ?key } } }
"""

_CLAIMED = "ASK { GRAPH ?events { ?event ?p ?o } }"

_HELD = _PREFIXES + "ASK { GRAPH ?events { ?event kcsp:throttleKey ?key } }"

_RELEASE = """
DELETE { GRAPH ?events { ?event ?p ?o } } WHERE { GRAPH ?events { ?event ?p ?o } }
"""


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def _time(moment: datetime) -> Literal:
    return Literal(moment.isoformat(), datatype=XSD.dateTime)


def _key(key: str) -> Literal:
    return Literal(hashlib.sha256(key.encode()).hexdigest(), datatype=XSD.string)


def _update(store: CatalogueStore, *operations: str) -> None:
    """The operations as one update request, so one transaction, made durable before returning."""
    store.update(_PREFIXES + " ;\n".join(operations))
    store.flush()


@dataclass(frozen=True)
class Throttle:
    """Events of the kind ``kind`` (their class, ``kcsp:<kind>``), kept in the private graph ``graph`` for
    ``window``. Checking and counting are apart, so a caller counts only what it let through and did."""

    graph: str
    kind: str
    window: timedelta

    def retry_after(
        self, store: CatalogueStore, settings: Settings, limits: Mapping[str, int], *, now: datetime | None = None
    ) -> float:
        """Seconds until one more event may be counted for every key of ``limits`` (each key with the most
        events it may have in the window); 0: it may now."""
        moment = _now(now)
        wait = 0.0
        for key, limit in limits.items():
            rows = store.values(_TIMES, {
                "events": private_graph(settings, self.graph), "key": _key(key), "since": _time(moment - self.window),
            })
            times = [datetime.fromisoformat(row["at"]) for row in rows]
            if len(times) >= limit:
                # Allowed again once so many have left the window that fewer than the limit remain.
                frees = times[len(times) - limit] + self.window
                wait = max(wait, (frees - moment).total_seconds())
        return wait

    def count(
        self, store: CatalogueStore, settings: Settings, keys: Iterable[str], *, now: datetime | None = None
    ) -> None:
        """Count one event for each of ``keys``, and forget the events past the window."""
        moment = _now(now)
        graph = private_graph(settings, self.graph)
        base = private_base(settings, self.graph)
        kind = URIRef(PRIVATE + self.kind)
        events = [
            bind(_COUNT, {"events": graph, "event": URIRef(f"{base}{uuid.uuid4()}"), "kind": kind, "key": _key(key),
                          "now": _time(moment)})
            for key in keys
        ]
        _update(store, *events, bind(_FORGET, {"events": graph, "since": _time(moment - self.window)}))


@dataclass(frozen=True)
class OneTimeKeys:
    """Keys that may each be claimed once, remembered in the private graph ``graph`` for ``keep`` (long
    enough that what the key stands for is refused for its age by then)."""

    graph: str
    keep: timedelta

    def claim(self, store: CatalogueStore, settings: Settings, key: str, *, now: datetime | None = None) -> str | None:
        """Claim ``key``: the claim (for :meth:`release`) when this call made it, None when ``key`` was
        claimed already and is still remembered."""
        moment = _now(now)
        graph = private_graph(settings, self.graph)
        claim = URIRef(f"{private_base(settings, self.graph)}{uuid.uuid4()}")
        # Forgetting first, in the same transaction: a claim past ``keep`` no longer holds its key.
        _update(
            store,
            bind(_FORGET, {"events": graph, "since": _time(moment - self.keep)}),
            bind(_CLAIM, {"events": graph, "event": claim, "key": _key(key), "now": _time(moment)}),
        )
        return str(claim) if store.ask(_CLAIMED, {"events": graph, "event": claim}) else None

    def claimed(self, store: CatalogueStore, settings: Settings, key: str) -> bool:
        """Whether a claim of ``key`` is remembered (one past ``keep`` may be, until the next claim)."""
        return store.ask(_HELD, {"events": private_graph(settings, self.graph), "key": _key(key)})

    def release(self, store: CatalogueStore, settings: Settings, claim: str) -> None:
        """Give up a claim (what it was made for did not happen), so its key may be claimed again."""
        _update(store, bind(_RELEASE, {"events": private_graph(settings, self.graph), "event": URIRef(claim)}))
