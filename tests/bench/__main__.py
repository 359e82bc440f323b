"""`make bench`: load time, store size and typical query latency, for the seed catalogue and for a
generated catalogue of 50,000 realisations (target: its load ≤ 15 s on a 2-core machine)."""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rdflib import Graph

from catalogue.loader import Source, catalogue_sources, graph_iri, load
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from tests.bench.generate import generate

REALISATIONS = 50_000
LOAD_TARGET_SECONDS = 15.0

CHAIN = """
PREFIX kcs: <https://w3id.org/kcs/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?measure ?label ?goal ?component ?pillar (COUNT(DISTINCT ?funding) AS ?fundings)
       (COUNT(DISTINCT ?realisation) AS ?realisations) WHERE {
  ?measure a kcs:TypeMeasure ; skos:prefLabel ?label ; skos:broader+ ?pillar .
  ?pillar a kcs:Pillar .
  OPTIONAL { ?measure skos:broader ?goal . ?goal a kcs:Goal . ?goal skos:broader ?component }
  OPTIONAL { ?funding kcs:supportsMeasure ?measure }
  OPTIONAL { ?realisation kcs:servesMeasure ?measure }
} GROUP BY ?measure ?label ?goal ?component ?pillar LIMIT 10
"""

FILTERED = """
PREFIX kcs: <https://w3id.org/kcs/ontology#>
SELECT ?realisation ?year ?place WHERE {
  ?realisation a kcs:Realisation ; kcs:place ?place ; kcs:year ?year .
  ?place <http://purl.org/dc/terms/isPartOf> <https://w3id.org/kcs/id/place/liberecky-kraj> .
} ORDER BY DESC(?year) LIMIT 20
"""


def folder_size(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def latency(store: CatalogueStore, query: str, runs: int = 30) -> tuple[float, float]:
    store.query(query)  # warm the caches once
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        list(store.query(query))
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=20)[-1]


def measure(label: str, settings: Settings, sources: list[Source]) -> float:
    with CatalogueStore.open(settings) as store:
        start = time.perf_counter()
        load(store, sources, settings, prune=True)
        seconds = time.perf_counter() - start
        chain = latency(store, CHAIN)
        filtered = latency(store, FILTERED)
    print(f"{label}")
    print(f"  load                      {seconds:8.2f} s")
    print(f"  store on disk             {folder_size(settings.store_path):8.1f} MB")
    print(f"  chain query p50/p95       {chain[0]:8.1f} / {chain[1]:.1f} ms")
    print(f"  filtered listing p50/p95  {filtered[0]:8.1f} / {filtered[1]:.1f} ms")
    return seconds


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        seed_settings = Settings(store_path=work / "seed-store")
        seed_sources = catalogue_sources(seed_settings)
        measure("Seed catalogue", seed_settings, seed_sources)

        seed_graph = Graph()
        for source in seed_sources:
            seed_graph.parse(source.path, format="turtle")
        generated = work / "bench-realisations.ttl"
        start = time.perf_counter()
        generate(seed_graph, REALISATIONS, generated)
        print(f"\nGenerated {REALISATIONS} realisations in {time.perf_counter() - start:.1f} s")
        big_settings = Settings(store_path=work / "big-store")
        big_sources = [*catalogue_sources(big_settings), Source(generated, graph_iri(big_settings, "bench"))]
        seconds = measure(f"Seed catalogue + {REALISATIONS} realisations", big_settings, big_sources)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nPeak memory (RSS)           {peak:8.0f} MB")
    verdict = "meets" if seconds <= LOAD_TARGET_SECONDS else "MISSES"
    print(f"Load of {REALISATIONS} realisations {verdict} the target of {LOAD_TARGET_SECONDS:.0f} s")
    return 0 if seconds <= LOAD_TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
