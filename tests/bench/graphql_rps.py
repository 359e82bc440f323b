"""GraphQL requests per second: a typical browse query against a trivial one-field query, on one server.

The issue's target: a typical browse query reaches at least 70 % of the requests per second the same
server reaches for a trivial query (strawberry's own ceiling). ``python -m tests.bench.graphql_rps URL``
measures a running server; :func:`measure_graphql_rps` is what ``make bench`` calls.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from typing import Any

import httpx

TRIVIAL = "{ __typename }"

BROWSE_QUERIES = {
    # A page of 20 realisations with their measure and place: the list a municipality browses.
    "realisations": """{ realisations(first: 20) { ... on RealisationConnection {
        items { iri label year places { iri label } measures { iri label } }
        pageInfo { hasNextPage endCursor } } } }""",
    # The concept tree with each measure's funding: the catalogue's front page.
    "pillar tree": """{ pillars { iri label components { iri label goals { iri label
        measures { iri label code funding { iri label } } } } } }""",
}
TARGET = 0.70


async def _batch(client: httpx.AsyncClient, query: str, requests: int, concurrency: int) -> tuple[float, list[float]]:
    """Seconds ``requests`` POSTs of ``query`` took, ``concurrency`` at a time, and each one's latency;
    every answer must be a 200 without errors."""
    latencies: list[float] = []
    remaining = iter(range(requests))

    async def worker() -> None:
        for _ in remaining:
            started = time.perf_counter()
            response = await client.post("/graphql", json={"query": query})
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200 or response.json().get("errors"):
                raise RuntimeError(f"the query failed ({response.status_code}): {response.text[:300]}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


def _summary(seconds: float, latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "rps": len(ordered) / seconds,
        "p50_ms": 1000 * statistics.median(ordered),
        "p95_ms": 1000 * ordered[int(0.95 * (len(ordered) - 1))],
    }


async def _measure(base_url: str, requests: int, concurrency: int, rounds: int) -> dict[str, Any]:
    queries = {"trivial": TRIVIAL, **BROWSE_QUERIES}
    seconds = dict.fromkeys(queries, 0.0)
    latencies: dict[str, list[float]] = {name: [] for name in queries}
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        # Warm up: the parser and validation caches, the answers kept, the connection pool.
        for query in queries.values():
            await _batch(client, query, concurrency * 5, concurrency)
        # The queries take turns, so a change in the machine's load meanwhile (the bench shares two
        # cores with whatever else runs) weighs on all of them alike.
        for _ in range(rounds):
            for name, query in queries.items():
                taken, each = await _batch(client, query, requests // rounds, concurrency)
                seconds[name] += taken
                latencies[name] += each
    trivial = _summary(seconds["trivial"], latencies["trivial"])
    browse = {name: _summary(seconds[name], latencies[name]) for name in BROWSE_QUERIES}
    return {
        "requests": requests // rounds * rounds,
        "concurrency": concurrency,
        "trivial": trivial,
        "browse": browse,
        "ratio": {name: result["rps"] / trivial["rps"] for name, result in browse.items()},
        "target": TARGET,
    }


def measure_graphql_rps(base_url: str, requests: int = 200, concurrency: int = 4, rounds: int = 5) -> dict[str, Any]:
    """Requests per second of the trivial query and of each typical browse query on the server at
    ``base_url`` (``requests`` of each, in ``rounds`` taking turns), with each browse query's ratio to
    the trivial one (the target is ``TARGET``)."""
    return asyncio.run(_measure(base_url, requests, concurrency, rounds))


def report(result: dict[str, Any]) -> str:
    trivial = result["trivial"]
    lines = [
        f"GraphQL, {result['requests']} requests per query, {result['concurrency']} at a time",
        f"  trivial {TRIVIAL!r:28} {trivial['rps']:7.1f} req/s  p50 {trivial['p50_ms']:6.1f} ms  "
        f"p95 {trivial['p95_ms']:6.1f} ms",
    ]
    for name, browse in result["browse"].items():
        ratio = result["ratio"][name]
        verdict = "ok" if ratio >= result["target"] else f"below the {result['target']:.0%} target"
        lines.append(
            f"  browse: {name:21} {browse['rps']:7.1f} req/s  p50 {browse['p50_ms']:6.1f} ms  "
            f"p95 {browse['p95_ms']:6.1f} ms  = {ratio:.0%} of trivial ({verdict})"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(measure_graphql_rps(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")))
