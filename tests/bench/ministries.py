"""Data by the file and demand at national size (issue 13): a dry run of a 1,000-row import (target
≤ 10 s) and the demand page (/poptavka) over HTTP with 100,000 questions recorded, at 50,000 realisations.

The questions are recorded through the demand layer itself (one update each, as the answer page records
them): the relevance set's statements, asked over a year, a tenth with a place filter and a tenth with a
pillar filter, a third of them matching no measure well."""

from __future__ import annotations

import csv
import io
import random
import shutil
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from catalogue import imports
from catalogue.editing import accounts, demand
from catalogue.queries import browse, overview
from catalogue.search.analysis import fold
from catalogue.search.index import open_index
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from tests.conftest import running_server
from tests.relevance import load_statements

IMPORT_ROWS = 1_000
IMPORT_TARGET_SECONDS = 10.0
QUESTIONS = 100_000
QUESTIONS_PER_WRITE = 1000
"""Questions counted between two writes of the tally: about what a busy server is asked between two."""
PAGE_RUNS = 20
PASSWORD = "heslo pro měření 2026"  # noqa: S105 - an account of a throw-away copy of the store
BASE = "https://w3id.org/kcs/id/"
SOLUTION = BASE + "solution/lk-energeticky-management"
HEADER = ["skos-prefLabel", "dcterms-description", "kcs-place", "kcs-realises", "kcs-year", "kcs-costCZK",
          "dcterms-source.kcs-publicSource", "dcterms-source.kcs-section"]


def import_file(store: CatalogueStore) -> bytes:
    """1,000 new realisations, their places named as people write them (resolved by the picker)."""
    places = [place.label for place in browse.all_of_kind(store, "Place")][:40]
    rng = random.Random(13)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    for number in range(IMPORT_ROWS):
        writer.writerow([f"Chytré osvětlení, etapa {number}", "Lampy se stmívají podle provozu.", rng.choice(places),
                         SOLUTION, str(2020 + number % 6), f"{rng.randint(1, 90) * 10_000}",
                         "https://www.example.cz/zasobnik-projektu", f"Zásobník projektů, řádek {number}"])
    return buffer.getvalue().encode()


def measure_import(settings: Settings) -> float:
    """Seconds for the dry run of the 1,000-row file on the store of ``settings`` and its tantivy index."""
    index_settings = settings.model_copy(update={"search_engine": "tantivy",
                                                 "index_path": settings.store_path.parent / "index-tantivy"})
    with CatalogueStore.open(settings, read_only=True) as store, open_index(index_settings, store) as index:
        data = import_file(store)
        start = time.perf_counter()
        planned = imports.plan(store, settings, index, "realisation", "zasobnik.csv", data)
        seconds = time.perf_counter() - start
    if not planned.valid or planned.count(imports.CREATED) != IMPORT_ROWS:
        raise RuntimeError(f"the import's dry run refused the file: {planned.errors[:3]}")
    print(f"  import dry run, {IMPORT_ROWS} rows        {seconds:6.2f} s  (target ≤ {IMPORT_TARGET_SECONDS:.0f} s)")
    return seconds


def record_questions(store: CatalogueStore, settings: Settings) -> float:
    texts = [demand.normalised(fold(statement.text)) for statement in load_statements()]
    measures = [measure.iri for measure in browse.all_of_kind(store, "TypeMeasure")]
    places = [place.iri for place in browse.all_of_kind(store, "Place")]
    pillars = [pillar.iri for pillar in overview.pillars(store)]
    rng = random.Random(100)
    now = datetime.now(UTC)
    # Counted as a server counts them (catalogue.runtime): in a tally, written every so many questions.
    tally = demand.DemandTally()
    start = time.perf_counter()
    for number in range(QUESTIONS):
        well = number % 3 != 0
        tally.add(demand.Question(
            rng.choice(texts), well, tuple(rng.sample(measures, 3)) if well else (),
            pillar=rng.choice(pillars) if number % 10 == 1 else None,
            place=rng.choice(places) if number % 10 == 2 else None,
        ), now=now - timedelta(days=rng.randrange(365)))
        if number % QUESTIONS_PER_WRITE == QUESTIONS_PER_WRITE - 1:
            tally.write(store, settings)
    tally.write(store, settings)
    return time.perf_counter() - start


def measure_demand_page(settings: Settings, folder: Path) -> tuple[float, float]:
    """p50/p95 in ms of /poptavka for a ministry's account, with QUESTIONS recorded."""
    store_copy = folder / "store-with-demand"
    shutil.copytree(settings.store_path, store_copy)
    copy = settings.model_copy(update={"store_path": store_copy})
    with CatalogueStore.open(copy) as store:
        seconds = record_questions(store, copy)
        account = accounts.add_account(store, copy, "mmr@example.cz", PASSWORD, "ministry",
                                       organisation=BASE + "organisation/mmr")
        token = accounts.create_token(store, copy, account.email)
    print(f"  {QUESTIONS} questions recorded in {seconds:.1f} s ({seconds / QUESTIONS * 1000:.2f} ms each)")
    shutil.copytree(settings.store_path.parent / "index-tantivy", folder / "index")
    headers = {"Accept": "text/html", "Authorization": f"Bearer {token}"}
    with (
        running_server(folder, store_copy, {"KATALOG_SEARCH_ENGINE": "tantivy"}) as base,
        httpx.Client(base_url=base, timeout=120, headers=headers) as client,
    ):
        times = []
        for _ in range(2 + PAGE_RUNS):
            start = time.perf_counter()
            response = client.get("/poptavka")
            times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200 or "Poptávka obcí" not in response.text:
                raise RuntimeError(f"the demand page failed ({response.status_code}): {response.text[:300]}")
        csv_start = time.perf_counter()
        if client.get("/poptavka.csv").status_code != 200:
            raise RuntimeError("the demand CSV failed")
        csv_ms = (time.perf_counter() - csv_start) * 1000
    runs = times[2:]
    p50, p95 = statistics.median(runs), statistics.quantiles(runs, n=20)[-1]
    print(f"  demand page (/poptavka) p50/p95 {p50:6.1f} / {p95:.1f} ms; its CSV {csv_ms:.0f} ms")
    return p50, p95


def ministries(settings: Settings, folder: Path) -> list[str]:
    """The figures of issue 13 over the loaded store of ``settings``; the targets missed."""
    print("\nImport and demand (issue 13)")
    folder.mkdir(parents=True, exist_ok=True)
    seconds = measure_import(settings)
    measure_demand_page(settings, folder)
    return [f"import dry run {seconds:.1f} s > {IMPORT_TARGET_SECONDS:.0f} s"] if seconds > IMPORT_TARGET_SECONDS else []
