"""Shared fixtures: the seed texts and the catalogue graph parsed from `catalogue/data/`."""

from __future__ import annotations

import errno
import fcntl
import os
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from html import unescape
from pathlib import Path

import httpx
import pytest
from rdflib import Graph

REPO = Path(__file__).resolve().parent.parent
CATALOGUE_DATA = REPO / "catalogue" / "data"
ONTOLOGY = REPO / "ontology"


ALONE = {
    "tests/test_follow_version.py::test_a_load_by_another_process_shows_in_running_servers_within_two_seconds",
    "tests/test_graphql_cost.py::test_the_fan_out_query_is_refused_within_two_seconds_naming_the_limit",
    "tests/test_graphql_cost.py::test_the_time_limit_stops_an_operation_that_never_waits",
    "tests/test_graphql_cost.py::test_the_time_limit_stops_an_operation_waiting_for_the_store",
    "tests/test_graphql_cost.py::test_healthz_answers_within_a_second_while_a_costly_query_runs",
    "tests/test_sparql_endpoint.py::test_a_runaway_query_is_killed_at_the_time_limit_while_the_server_answers",
    "tests/test_sparql_endpoint.py::test_a_query_past_the_memory_limit_is_stopped_and_its_worker_replaced",
}
"""Tests that time the product by the wall clock: marked ``alone`` (as a test may mark itself)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.split("[", 1)[0] in ALONE:
            item.add_marker(pytest.mark.alone)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """Under pytest-xdist, a test marked ``alone`` runs while no other worker runs a test (they wait for
    it, and it waits for theirs to end): the others' load would make its time limits fail. Every other
    test holds a shared lock for its run, an ``alone`` one the exclusive lock; a turnstile in front keeps
    new shared holders out while an exclusive one waits."""
    folder = os.environ.get("PYTEST_XDIST_WORKER") and item.config._tmp_path_factory.getbasetemp().parent  # type: ignore[attr-defined]
    if not folder:
        yield
        return
    alone = item.get_closest_marker("alone") is not None
    with open(folder / "tests-alone.turnstile", "a") as turnstile, open(folder / "tests-alone.lock", "a") as lock:
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        finally:
            fcntl.flock(turnstile, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


TEST_HASHER_PARAMETERS = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
"""Argon2id at its lowest cost, for the accounts the tests make in this process (hundreds of hashes; each
takes 0.3-1 s at the production parameters on a two-core machine). The production parameters stay tested:
by the fixture :func:`production_hasher` (tests/test_accounts.py checks that a hash is made, and a weaker one
replaced, at them) and in every `katalog` process the tests start (the CLI and the servers), which never
see this hasher."""


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashes():
    """Passwords hashed in-process at :data:`TEST_HASHER_PARAMETERS` rather than the production ones;
    yields the product's own hasher (see :func:`production_hasher`)."""
    from argon2 import PasswordHasher

    from catalogue.editing import accounts

    production = accounts._hasher
    accounts._hasher = PasswordHasher(**TEST_HASHER_PARAMETERS)
    yield production
    accounts._hasher = production


@pytest.fixture
def production_hasher(cheap_password_hashes, monkeypatch: pytest.MonkeyPatch):
    """The product's own password hasher (catalogue.editing.accounts as imported), in force for this
    test; returns it."""
    from catalogue.editing import accounts

    monkeypatch.setattr(accounts, "_hasher", cheap_password_hashes)
    return cheap_password_hashes


def seeds_dir() -> Path:
    """Where the seed documents are: beside the clone in CI, or where KATALOG_SEEDS_DIR says."""
    return Path(os.environ.get("KATALOG_SEEDS_DIR", REPO.parent / "shared" / "seeds"))


@pytest.fixture(scope="session")
def seeds() -> dict[str, str]:
    """The seed texts by file name; a checkout without them fails loudly instead of passing."""
    folder = seeds_dir()
    files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    if not files:
        pytest.fail(
            f"The seed documents are missing: no *.txt in {folder}. CI has them in ../shared/seeds "
            "beside the clone; elsewhere set KATALOG_SEEDS_DIR to their folder.",
            pytrace=False,
        )
    return {path.name: path.read_text(encoding="utf-8") for path in files}


@pytest.fixture(scope="session")
def catalogue() -> Graph:
    """Every catalogue file merged into one plain graph (small enough for rdflib's engine)."""
    graph = Graph()
    for path in sorted(CATALOGUE_DATA.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture
def settings(tmp_path: Path):
    """Settings with a store of the test's own, so no test touches another's data or var/."""
    from catalogue.settings import Settings

    return Settings(store_path=tmp_path / "store", index_path=tmp_path / "index")


@pytest.fixture(scope="session")
def loaded_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store with the whole catalogue loaded once for the session (opened read-only by tests)."""
    from catalogue.loader import catalogue_sources, load
    from catalogue.settings import Settings
    from catalogue.store import CatalogueStore

    path = tmp_path_factory.mktemp("loaded") / "store"
    settings = Settings(store_path=path)
    with CatalogueStore.open(settings) as store:
        load(store, catalogue_sources(settings), settings, prune=True)
    return path


def katalog(*args: str, env: dict[str, str] | None = None, stdin: str | None = None):
    """Run the real `katalog` console script of this environment. The search index goes beside the
    test's store unless the test names one, so no test writes the repository's var/."""
    env = dict(env or {})
    if "KATALOG_STORE_PATH" in env:
        env.setdefault("KATALOG_INDEX_PATH", env["KATALOG_STORE_PATH"] + "-index")
    executable = Path(sys.executable).parent / "katalog"
    return subprocess.run(
        [str(executable), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )


def _ephemeral_ports() -> range:
    """The ports the system gives outgoing connections (Linux's ip_local_port_range)."""
    try:
        low, high = (int(part) for part in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999
    return range(low, high + 1)


def free_port() -> int:
    """A port free on 127.0.0.1 now, below the ports the system gives outgoing connections: a test's many
    client connections (to the app, to Oxigraph's server, chromium's) would otherwise take the port
    between choosing it and the server binding it. Under pytest-xdist (`pytest -n`) each worker is given
    only ports of its own residue modulo the number of workers, so two workers never pick the same one."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")) % workers
    ephemeral = _ephemeral_ports()
    candidates = [port for port in range(20000, ephemeral.start) if port % workers == worker] or [
        port for port in range(1024, 65536) if port not in ephemeral and port % workers == worker
    ]
    for port in random.sample(candidates, len(candidates)):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port on 127.0.0.1")


def answers(ready: Callable[[], bool], *, within: float) -> bool:
    """Whether a server starting up answers ``ready()`` truly within ``within`` seconds (a refused
    connection counts as not yet)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if ready():
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return False


def limit_open_files(count: int) -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (count, count))


@contextmanager
def running_server(
    folder: Path, store: Path | None, env: dict[str, str] | None = None, *, open_files: int | None = None
) -> Iterator[str]:
    """A real `katalog serve` on 127.0.0.1 over a copy of the embedded ``store``, or (None) over the
    Oxigraph server ``env`` names; the index lives in ``folder``. Yields its base URL once /healthz
    answers 200 and stops it afterwards. ``open_files`` lowers the process's file descriptor limit
    (``ulimit -n``) to that."""
    copy = folder / "store"
    folder.mkdir(parents=True, exist_ok=True)
    if store is not None:
        shutil.copytree(store, copy)
    port = free_port()
    # The server's output goes to a file: a pipe nobody reads fills up (64 KB of access log) and then
    # blocks the server in the middle of a request.
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - closed when the server stops
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "katalog"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={
            "KATALOG_STORE_PATH": str(copy),
            "KATALOG_INDEX_PATH": str(folder / "index"),
            "PATH": str(Path(sys.executable).parent),
            **(env or {}),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        # Only sets a resource limit, before the server starts any thread.
        preexec_fn=None if open_files is None else partial(limit_open_files, open_files),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        healthy = answers(lambda: httpx.get(f"{base}/healthz", timeout=1).status_code == 200, within=60)
        # Still running: a server that could not bind its port has not been answering for it.
        if not healthy or process.poll() is not None:
            process.terminate()
            process.wait(timeout=10)
            output = (folder / "server.log").read_text(errors="replace")
            pytest.fail(f"the server did not become healthy within 60 s:\n{output}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path) -> Iterator[str]:
    """One real server per test module, on its own copy of the loaded store: for what is about the server
    itself (processes, time limits, several clients at once); everything else uses :func:`site`."""
    with running_server(tmp_path_factory.mktemp("server"), loaded_store_path) as base:
        yield base


STORE_KINDS = ("embedded", "oxigraph-server")
"""The stores the catalogue runs on: the same tests give the same results on both."""
TEST_BASE_URL = "http://testserver"


@contextmanager
def app_client(settings, **headers: str):
    """The app in-process (the ASGI transport), started, with ``settings``; redirects are not followed."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    with TestClient(create_app(settings), base_url=TEST_BASE_URL, follow_redirects=False, headers=headers) as client:
        yield client


def store_settings(kind: str, request: pytest.FixtureRequest, folder: Path, loaded_store_path: Path, **more: object):
    """Settings over the loaded catalogue: a copy of the embedded store, or the session's Oxigraph server."""
    from catalogue.settings import Settings

    if kind == "embedded":
        shutil.copytree(loaded_store_path, folder / "store")
        return Settings(store_path=folder / "store", index_path=folder / "index", **more)
    return server_settings(request.getfixturevalue("loaded_oxigraph_server"), folder, **more)


@pytest.fixture(scope="module", params=STORE_KINDS)
def site_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, loaded_store_path: Path):
    """The app in-process over the loaded catalogue, once on the embedded store and once on the Oxigraph
    server: every test using it runs on both."""
    settings = store_settings(request.param, request, tmp_path_factory.mktemp("site"), loaded_store_path)
    with app_client(settings) as client:
        yield client


@pytest.fixture
def site(site_app):
    """The in-process app of the module (:func:`site_app`) with an empty cookie jar for this test."""
    site_app.cookies.clear()
    return site_app


@pytest.fixture(scope="session")
def catalogue_search(request: pytest.FixtureRequest, loaded_store_path: Path, tmp_path_factory: pytest.TempPathFactory):
    """``open(engine, store="embedded")`` → (store, index) over the loaded catalogue, on the embedded store
    (opened read-only, so tests may share it) or on the session's Oxigraph server; one index per engine
    and store for the session."""
    from catalogue.search.index import open_index
    from catalogue.settings import Settings
    from catalogue.store import CatalogueStore

    opened: dict[tuple[str, str], tuple] = {}
    stores: dict[str, CatalogueStore] = {}

    def open_for(engine: str, store: str = "embedded"):
        if (engine, store) not in opened:
            folder = tmp_path_factory.mktemp(f"index-{engine}-{store}")
            if store == "embedded":
                settings = Settings(store_path=loaded_store_path, index_path=folder, search_engine=engine)
            else:
                settings = server_settings(
                    request.getfixturevalue("loaded_oxigraph_server"), folder, search_engine=engine
                )
            if store not in stores:
                stores[store] = CatalogueStore.open(settings, read_only=True)
            opened[(engine, store)] = (stores[store], open_index(settings, stores[store]))
        return opened[(engine, store)]

    yield open_for
    for _, index in opened.values():
        index.close()
    for store in stores.values():
        store.close()


@contextmanager
def oxigraph_server(folder: Path) -> Iterator[dict[str, str]]:
    """A real Oxigraph server (`oxigraph serve`, the `oxigraph` package) on 127.0.0.1 over an empty store
    in ``folder``, run as the README says; yields the environment that points `katalog` at it, and
    stops it afterwards."""
    port = free_port()
    log = open(folder / "oxigraph.log", "wb")  # noqa: SIM115 - closed when the server stops
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "oxigraph"), "serve", "--location", str(folder / "oxigraph"),
         "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        started = answers(lambda: httpx.post(f"{base}/query", data={"query": "ASK {}"}, timeout=1).is_success, within=30)
        if not started or process.poll() is not None:
            pytest.fail(f"the Oxigraph server did not start within 30 s:\n{(folder / 'oxigraph.log').read_text()}")
        yield {
            "KATALOG_STORE": "sparql",
            "KATALOG_SPARQL_QUERY_ENDPOINT": f"{base}/query",
            "KATALOG_SPARQL_UPDATE_ENDPOINT": f"{base}/update",
        }
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def server_settings(environment: dict[str, str], folder: Path, **more: object):
    """Settings of a `katalog` process that uses the Oxigraph server of ``environment``."""
    from catalogue.settings import Settings

    return Settings(
        store="sparql",
        sparql_query_endpoint=environment["KATALOG_SPARQL_QUERY_ENDPOINT"],
        sparql_update_endpoint=environment["KATALOG_SPARQL_UPDATE_ENDPOINT"],
        store_path=folder / "unused-store",
        index_path=folder / "index",
        **more,
    )


@pytest.fixture(scope="session")
def loaded_oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One Oxigraph server for the session with the whole catalogue loaded into it by `katalog load`;
    tests only read it. Yields the environment that points `katalog` at it."""
    folder = tmp_path_factory.mktemp("oxigraph-server")
    with oxigraph_server(folder) as environment:
        loaded = katalog("load", env={**environment, "KATALOG_INDEX_PATH": str(folder / "index")})
        assert loaded.returncode == 0, loaded.stderr
        yield environment


def load_extra(store_path: Path, name: str, turtle: str) -> None:
    """Add ``turtle`` to the embedded store at ``store_path`` as a graph of its own, the way the data's
    own files are loaded (so the rules derive from it too)."""
    from catalogue.graphs import graph_iri
    from catalogue.loader import Source, load
    from catalogue.settings import Settings
    from catalogue.store import CatalogueStore

    extra = store_path.parent / f"{name}.ttl"
    extra.write_text(turtle, encoding="utf-8")
    settings = Settings(store_path=store_path, index_path=store_path.parent / f"{name}-index")
    with CatalogueStore.open(settings) as store:
        load(store, [Source(extra, graph_iri(settings, name))], settings)


def logged_in_client(app, email: str | None, password: str, *, address: str = "testclient"):
    """Another browser on the running ``app`` (own cookies, own client address), logged in as ``email``
    through the log-in page (none: anonymous)."""
    from fastapi.testclient import TestClient

    client = TestClient(app, base_url=TEST_BASE_URL, follow_redirects=False, client=(address, 50000))
    if email is not None:
        page = client.get("/prihlaseni", headers={"Accept": "text/html"})
        token = re.search(r'name="token" value="([^"]+)"', page.text)
        assert token, "the log-in form carries its token"
        answer = client.post("/prihlaseni", data={"email": email, "heslo": password, "token": token.group(1)},
                             headers={"Accept": "text/html"})
        assert answer.status_code == 303, "logged in"
    return client


def page_csrf(page: str) -> str:
    """The session's anti-forgery token in a logged-in page's forms."""
    match = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    assert match, "every form of a logged-in person carries the anti-forgery token"
    return match.group(1)


def form_values(page: str, name: str) -> list[str]:
    """The values of a page's inputs and textareas called ``name``, in the page's order."""
    found = []
    for match in re.finditer(r"<(input|textarea)\b([^>]*)>", page):
        attributes = match.group(2)
        if re.search(rf'\bname="{re.escape(name)}"', attributes):
            if match.group(1) == "input":
                value = re.search(r'\bvalue="([^"]*)"', attributes)
                found.append(unescape(value.group(1)) if value else "")
            else:
                end = page.index("</textarea>", match.end())
                found.append(unescape(page[match.end():end]))
    return found


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 MB tmpfs of the test's own, unmounted afterwards (mounting needs root, as the test machine
    runs; elsewhere the test is skipped)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def fill(disk: Path) -> Path:
    """Fill ``disk`` to its last page with one file; removing it gives the room back."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out:
        for chunk in (1 << 20, 1 << 16, 512):  # then the last pages, smaller than the blocks before
            try:
                while True:
                    out.write(b"\0" * chunk)
            except OSError as error:
                assert error.errno == errno.ENOSPC, error
    return filler


@pytest.fixture
def store_env(tmp_path: Path, loaded_store_path: Path) -> dict[str, str]:
    """A private copy of the loaded store, so a test may write to it: the environment of `katalog` over it."""
    path = tmp_path / "store"
    shutil.copytree(loaded_store_path, path)
    return {"KATALOG_STORE_PATH": str(path)}


def store_snapshot(env: dict[str, str]) -> set[str]:
    """Every quad of the store ``env`` names, as text (the store closed again afterwards)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(env["KATALOG_STORE_PATH"])
    try:
        return {str(quad) for quad in store}
    finally:
        del store
