"""A generated catalogue of the product's shape, for measuring load and query speed at national size."""

from __future__ import annotations

import random
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF

from catalogue.vocabulary import KCS as KCS_TERMS

KCS = "https://w3id.org/kcs/ontology#"
BASE = "https://w3id.org/kcs/id/"
WORDS = [
    "chytré",
    "veřejné",
    "osvětlení",
    "senzory",
    "parkování",
    "dopravní",
    "data",
    "energetický",
    "management",
    "škola",
    "úspory",
    "brownfield",
    "revitalizace",
    "areálu",
    "sdílená",
    "kancelář",
    "coworking",
    "kamerový",
    "systém",
    "odpadové",
    "hospodářství",
    "chytré",
    "popelnice",
    "sběr",
    "dat",
    "portál",
    "otevřených",
    "dat",
    "mobilní",
    "aplikace",
    "komunikace",
    "s",
    "občany",
    "zeleň",
    "hospodaření",
    "s",
    "vodou",
    "šedá",
    "voda",
    "dešťová",
    "voda",
    "fotovoltaika",
    "komunitní",
    "energetika",
    "bydlení",
    "sociální",
]


def generate(seed_catalogue: Graph, realisations: int, path: Path, *, seed: int = 20211) -> int:
    """Write ``realisations`` realisations linked to the seed catalogue's places, solutions and measures."""
    rng = random.Random(seed)  # a fixed seed: every run measures the same catalogue
    places = sorted(str(p) for p in seed_catalogue.subjects(RDF.type, KCS_TERMS.Place))
    solutions = sorted(str(s) for s in seed_catalogue.subjects(RDF.type, KCS_TERMS.SmartSolution))
    measures = sorted(str(m) for m in seed_catalogue.subjects(RDF.type, KCS_TERMS.TypeMeasure))
    statuses = [f"{BASE}descriptor/stav-projektu-{n}" for n in range(1, 5)]
    source = f"<{BASE}bench/source>"
    lines = [
        f'{source} a <{KCS}SourceReference> ; <{KCS}seedFile> "002_46e3fac40e81357b.txt" ; '
        f'<{KCS}section> "generovaná data pro měření" .'
    ]
    for number in range(realisations):
        words = " ".join(rng.choice(WORDS) for _ in range(12))
        iri = f"<{BASE}realisation/bench-{number}>"
        lines.append(
            f"{iri} a <{KCS}Realisation> ;\n"
            f'  <http://www.w3.org/2004/02/skos/core#prefLabel> "Realizace {number}: {" ".join(words.split()[:4])}"@cs ;\n'
            f'  <http://purl.org/dc/terms/description> "{words}"@cs ;\n'
            f"  <{KCS}realises> <{rng.choice(solutions)}> ;\n"
            f"  <{KCS}servesMeasure> <{rng.choice(measures)}> ;\n"
            f"  <{KCS}place> <{rng.choice(places)}> ;\n"
            f'  <{KCS}year> "{rng.randint(2015, 2026)}"^^<http://www.w3.org/2001/XMLSchema#gYear> ;\n'
            f'  <{KCS}costCZK> "{rng.randint(1, 5000) * 10000}.0"^^<http://www.w3.org/2001/XMLSchema#decimal> ;\n'
            f"  <{KCS}status> <{rng.choice(statuses)}> ;\n"
            f"  <http://purl.org/dc/terms/source> {source} ."
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return realisations
