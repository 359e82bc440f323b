"""A few warm worker processes that run /sparql queries, and the hard time limit that kills them.

pyoxigraph cannot cancel a query in-process, so each user query runs in a worker
(:mod:`api.sparql_worker`); one that outlives ``sparql_endpoint_timeout`` is killed on the spot
(SIGKILL, so the query really stops) and a fresh worker starts in its place. The server only waits on
the workers' pipes with asyncio, so it keeps answering other requests, even while every worker is busy.
Warm workers cost a pipe round trip per query, not a process start.

Over the embedded store, workers read a snapshot (:meth:`CatalogueStore.public_snapshot`) the server
makes for each catalogue version: when the version changes, the next query makes a new snapshot,
workers on the old one are replaced once their query ends, and the old snapshot is removed when no
worker reads it any more.

Each client (its address, :func:`web.clients.client_address`) may have at most
``sparql_client_concurrency`` queries running, waiting or being sent, and use ``sparql_client_seconds_per_minute`` of
worker time in a rolling minute (:class:`ClientLedger`): without that, a few clients sending slow queries
held every worker and everyone else waited, then got 503. The ledger is this process's, in memory, and
that is enough: it guards this process's own workers, which no other process shares; across processes
(several ``katalog serve`` behind nginx) nginx limits the connections per address.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import sys
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from api.sparql_worker import FRAME_LENGTH, QueryRequest, frame
from catalogue.runtime import Catalogue

logger = logging.getLogger(__name__)

# Two cores on the target machine: two workers let a normal query run beside one runaway query.
WORKERS = 2
STARTUP_TIMEOUT = 60.0
# How much longer than the time limit a query may wait for a worker: a killed worker's replacement needs
# about a second to start (more on a loaded machine).
STARTUP_ALLOWANCE = 10.0
# Address space a worker may use. The time limit alone does not bound memory: a runaway ORDER BY over a
# cross product grows by about 230 MB a second here. An idle worker uses under 0.5 GB of address space.
MEMORY_LIMIT = 2 << 30
# How long a query waits for a busy worker to come free. Most queries take milliseconds, so this covers a
# burst; a worker held longer is held by a slow query, which may run to the time limit, and a client is
# better told at once to come back (503 with Retry-After) than kept waiting on its connection for up to
# the time limit behind queries of others (20 s before this, then 503 anyway).
QUEUE_WAIT = 2.0
# The rolling window of the per-client time budget.
WINDOW = 60.0


class QueryTimeout(Exception):
    """The query ran past the time limit; its worker was killed."""


class PoolUnavailable(Exception):
    """No worker could take the query in time (all busy, or none could open the store)."""


class WorkerFailed(Exception):
    """A worker died or broke the protocol; it has been replaced."""


class MemoryExceeded(WorkerFailed):
    """The query needed more memory than a worker may use; the worker died of it and was replaced."""


class ClientBusy(Exception):
    """The client already has as many queries running or waiting as it may."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"{limit} queries running")
        self.limit = limit


class ClientOverBudget(Exception):
    """The client's queries used its worker time of the last minute; ``retry_after`` seconds until they
    used less."""

    def __init__(self, budget: float, retry_after: float) -> None:
        super().__init__(f"over {budget:g} s a minute; retry after {retry_after:.1f} s")
        self.budget = budget
        self.retry_after = retry_after


class ClientSlot:
    """One admitted query of a client: it holds one of the client's places until :meth:`leave`, and its
    worker time is charged to the client."""

    def __init__(self, ledger: ClientLedger, client: str) -> None:
        self._ledger = ledger
        self.client = client
        self._left = False

    def charge(self, seconds: float) -> None:
        self._ledger.charge(self.client, seconds)

    def leave(self) -> None:
        """Give the place back; only the first call counts, so every way out may call it."""
        if not self._left:
            self._left = True
            self._ledger.leave(self.client)


class ClientLedger:
    """Per client: how many queries it has running or waiting (or, at the endpoint, still being sent), and
    the worker time its queries used.

    A query's time (from taking a worker to giving it back, or to killing it) counts against its client
    for a minute after it ended. The check is made when a query comes: one admitted under the budget may
    take the client past it by at most the time limit. Only clients with a query running or ended within
    the minute are kept, so the ledger stays as small as the set of recent clients."""

    def __init__(
        self, concurrency: int, seconds_per_minute: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.concurrency = concurrency
        self.budget = seconds_per_minute
        self._clock = clock
        self._running: Counter[str] = Counter()
        self._used: dict[str, deque[tuple[float, float]]] = {}  # client: (ended at, seconds), oldest first
        self._swept = clock()

    def admit(self, client: str) -> ClientSlot:
        """A place for a query of ``client``; raises :class:`ClientBusy` or :class:`ClientOverBudget`."""
        now = self._clock()
        self._sweep(now)
        if self._running[client] >= self.concurrency:
            raise ClientBusy(self.concurrency)
        used = self._expire(client, now)
        total = sum(seconds for _, seconds in used)
        if total >= self.budget:
            # The oldest queries' time stops counting first: wait until enough of it has.
            for ended, seconds in used:
                total -= seconds
                if total < self.budget:
                    raise ClientOverBudget(self.budget, max(ended + WINDOW - now, 0.0))
        self._running[client] += 1
        return ClientSlot(self, client)

    def charge(self, client: str, seconds: float) -> None:
        """A query of ``client`` held a worker for ``seconds``, ending now."""
        if seconds > 0:
            self._used.setdefault(client, deque()).append((self._clock(), seconds))

    def leave(self, client: str) -> None:
        self._running[client] -= 1
        if self._running[client] <= 0:
            del self._running[client]

    def _expire(self, client: str, now: float) -> deque[tuple[float, float]]:
        """The time of ``client``'s queries that ended within the last minute; older is forgotten."""
        used = self._used.get(client)
        if used is None:
            return deque()
        while used and used[0][0] <= now - WINDOW:
            used.popleft()
        if not used:
            del self._used[client]
        return used

    def _sweep(self, now: float) -> None:
        """Forget every client whose queries all ended over a minute ago, once a minute at most."""
        if now - self._swept < WINDOW:
            return
        self._swept = now
        for client in list(self._used):
            self._expire(client, now)


@dataclass(frozen=True)
class Reply:
    header: dict[str, Any]
    body: bytes


class _Worker:
    def __init__(self, process: asyncio.subprocess.Process, snapshot: Path | None) -> None:
        self.process = process
        self.snapshot = snapshot
        assert process.stdin is not None and process.stdout is not None
        self._stdin = process.stdin
        self._stdout = process.stdout

    @classmethod
    async def start(cls, settings_json: str, memory_limit: int, snapshot: Path | None) -> _Worker:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "api.sparql_worker",
            settings_json,
            str(os.getpid()),
            str(memory_limit),
            str(snapshot or ""),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        worker = cls(process, snapshot)
        try:
            hello = json.loads(await asyncio.wait_for(worker._read_frame(), STARTUP_TIMEOUT))
        except BaseException as error:  # cancelled as well: never leave a half-started worker behind
            worker.kill()
            worker.close_pipes()
            if isinstance(error, TimeoutError | WorkerFailed | ValueError):
                raise WorkerFailed(f"pracovní proces SPARQL se nespustil ({type(error).__name__})") from error
            raise
        if not hello.get("ready"):
            await worker.finished()
            raise WorkerFailed(f"pracovní proces SPARQL nemůže otevřít úložiště: {hello.get('error')}")
        return worker

    async def _read_frame(self, limit: int | None = None) -> bytes:
        try:
            (length,) = FRAME_LENGTH.unpack(await self._stdout.readexactly(FRAME_LENGTH.size))
            if limit is not None and length > limit:
                # The worker keeps answers to the cap; never buffer a longer one here, whatever it says.
                raise WorkerFailed(f"pracovní proces SPARQL poslal odpověď delší než limit ({length} B)")
            return await self._stdout.readexactly(length)
        except asyncio.IncompleteReadError as error:
            raise await self._death() from error

    async def ask(self, request: QueryRequest) -> Reply:
        self._stdin.write(frame(json.dumps(asdict(request)).encode()))
        try:
            await self._stdin.drain()
        except ConnectionError as error:
            raise await self._death() from error
        header = json.loads(await self._read_frame())
        return Reply(header, await self._read_frame(request.byte_limit))

    async def _death(self) -> WorkerFailed:
        """Why the worker's pipe closed: Rust aborts the process when an allocation fails."""
        try:
            code = await asyncio.wait_for(self.process.wait(), 1.0)
        except TimeoutError:
            code = None
        if code == -signal.SIGABRT:
            return MemoryExceeded()
        return WorkerFailed(f"pracovní proces SPARQL nečekaně skončil (návratový kód {code})")

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()

    async def stop(self) -> None:
        """Let the worker finish on end of input; kill it if it does not within a second."""
        self._stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 1.0)
        except TimeoutError:
            self.kill()
        await self.finished()

    async def finished(self) -> None:
        """Wait for the process to end and release its pipes while the event loop still runs: a subprocess
        transport left to the garbage collector after its loop closed raises in ``__del__``, at any
        moment of a later test."""
        self._stdin.close()
        await self.process.wait()
        self.close_pipes()

    def close_pipes(self) -> None:
        transport = getattr(self.process, "_transport", None)  # asyncio.subprocess.Process has no close()
        if transport is not None:
            transport.close()


class QueryPool:
    """Runs queries on warm workers with a hard time limit. Start and stop it within the event loop."""

    def __init__(self, catalogue: Catalogue, size: int = WORKERS, memory_limit: int = MEMORY_LIMIT) -> None:
        settings = catalogue.settings
        self._catalogue = catalogue
        self._settings_json = settings.model_dump_json()
        self.memory_limit = memory_limit
        self._timeout = settings.sparql_endpoint_timeout
        self.clients = ClientLedger(settings.sparql_client_concurrency, settings.sparql_client_seconds_per_minute)
        self._snapshots = settings.store_path.parent / "sparql-snapshots" if catalogue.store.embedded else None
        self._snapshot: Path | None = None
        self._snapshot_version: str | None = None
        self._snapshotting = asyncio.Lock()
        # Snapshots no worker in ``_workers`` reads yet, but which must stay: one being made, and those
        # that starting workers are opening (one removed under a worker fails its first queries).
        self._pinned: Counter[Path] = Counter()
        self._size = size
        self._idle: list[_Worker] = []  # the last one back is used first: its caches are warm
        self._changed = asyncio.Event()  # set when a worker comes back, or a start ends either way
        self._workers: set[_Worker] = set()
        self._starts: set[asyncio.Task[None]] = set()
        self._reaps: set[asyncio.Task[None]] = set()  # of killed workers: awaited, never cancelled
        self._starting = 0
        self._failure: str | None = None
        self._closed = False

    async def start(self) -> None:
        """Make the first snapshot, then start the workers in the background: the server need not wait
        for them to answer other requests."""
        if self._snapshots is not None:
            shutil.rmtree(self._snapshots, ignore_errors=True)  # left by a server that was killed
            self._snapshots.mkdir(mode=0o700, parents=True)
        await self._follow_version()
        self._top_up()

    async def _follow_version(self) -> None:
        """Over the embedded store, a snapshot of the current catalogue version for new workers; idle
        workers on an older one are replaced."""
        if self._snapshots is None or self._snapshot_version == self._catalogue.version:
            return
        async with self._snapshotting:
            version = self._catalogue.version
            if self._snapshot_version == version:
                return
            folder = self._snapshots / f"{version}-{uuid.uuid4().hex[:8]}"
            self._pinned[folder] += 1
            try:
                await asyncio.to_thread(self._catalogue.store.public_snapshot, folder)
                self._snapshot, self._snapshot_version = folder, version
            finally:
                self._pinned[folder] -= 1
        for worker in [worker for worker in self._idle if worker.snapshot != folder]:
            self._idle.remove(worker)
            self._replace(worker)

    def _forget_unused_snapshots(self) -> None:
        if self._snapshots is None:
            return
        used = {worker.snapshot for worker in self._workers} | {self._snapshot} | set(+self._pinned)
        for folder in self._snapshots.iterdir():
            if folder not in used:
                shutil.rmtree(folder, ignore_errors=True)

    def _top_up(self) -> None:
        for _ in range(self._size - len(self._workers) - self._starting):
            self._starting += 1
            self._background(self._start_worker(), self._starts)

    def _background(self, coroutine: Any, tasks: set[asyncio.Task[None]]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def _start_worker(self) -> None:
        snapshot = self._snapshot
        if snapshot is not None:
            self._pinned[snapshot] += 1
        try:
            worker = await _Worker.start(self._settings_json, self.memory_limit, snapshot)
        except WorkerFailed as error:
            self._failure = str(error)
            logger.error("%s", error)
            return
        finally:
            if snapshot is not None:
                self._pinned[snapshot] -= 1
            self._starting -= 1
            self._changed.set()
        if self._closed:
            await worker.stop()
            return
        self._failure = None
        self._workers.add(worker)
        if worker.snapshot != self._snapshot:
            self._replace(worker)  # the version moved on while it started: it would answer from the old one
        else:
            self._release(worker)

    def _release(self, worker: _Worker) -> None:
        self._idle.append(worker)
        self._changed.set()

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` now (its query stops with it), reap it in the background, start a fresh one."""
        worker.kill()
        self._workers.discard(worker)
        self._background(self._reap(worker), self._reaps)
        if not self._closed:
            self._top_up()

    async def _reap(self, worker: _Worker) -> None:
        await worker.finished()
        self._forget_unused_snapshots()

    async def _acquire(self) -> _Worker:
        """An idle worker. One being started (at the server's start, or in place of a killed one) comes within
        seconds: for it a query waits up to the time limit and STARTUP_ALLOWANCE. When every worker is busy
        with a query, it waits QUEUE_WAIT at most: see there why."""
        self._top_up()  # a worker that could not start earlier gets another chance
        loop = asyncio.get_running_loop()
        began = loop.time()
        while not self._idle:
            if self._failure and not self._workers and not self._starting:
                raise PoolUnavailable(self._failure)
            patience = self._timeout + STARTUP_ALLOWANCE if self._starting else QUEUE_WAIT
            remaining = began + patience - loop.time()
            if remaining <= 0:
                raise PoolUnavailable("všechny pracovní procesy SPARQL jsou zaneprázdněné")
            self._changed.clear()
            # On a timeout the loop checks again: a worker may have started meanwhile, changing the patience.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return self._idle.pop()

    async def run(self, request: QueryRequest, slot: ClientSlot | None = None) -> Reply:
        """The worker's reply to ``request``; raises :class:`QueryTimeout`, :class:`PoolUnavailable`,
        :class:`MemoryExceeded` or :class:`WorkerFailed`. The time it held a worker is charged to the
        client of ``slot`` (from :meth:`ClientLedger.admit` on :attr:`clients`), which the caller leaves."""
        await self._follow_version()
        worker = await self._acquire()
        loop = asyncio.get_running_loop()
        began = loop.time()
        try:
            reply = await asyncio.wait_for(worker.ask(request), self._timeout)
        except TimeoutError:
            self._replace(worker)
            logger.warning("a /sparql query ran past %g s; its worker was killed: %.200r", self._timeout, request.query)
            raise QueryTimeout from None
        except BaseException:
            # A failed or cancelled exchange leaves the pipe mid-message: never reuse that worker.
            self._replace(worker)
            raise
        finally:
            if slot is not None:
                slot.charge(loop.time() - began)
        if reply.header.get("error") == "memory":
            self._replace(worker)  # Python ran out of memory: the worker's heap may be left fragmented
            raise MemoryExceeded
        if reply.header.get("restart") or worker.snapshot != self._snapshot:
            self._replace(worker)
        else:
            self._release(worker)
        return reply

    async def stop(self) -> None:
        self._closed = True
        for task in list(self._starts):
            task.cancel()
        await asyncio.gather(*self._starts, *self._reaps, return_exceptions=True)
        await asyncio.gather(*(worker.stop() for worker in self._workers), return_exceptions=True)
        self._workers.clear()
        self._idle.clear()
        if self._snapshots is not None:
            shutil.rmtree(self._snapshots, ignore_errors=True)
