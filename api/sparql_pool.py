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
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import signal
import sys
import uuid
from collections import Counter
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


class QueryTimeout(Exception):
    """The query ran past the time limit; its worker was killed."""


class PoolUnavailable(Exception):
    """No worker could take the query in time (all busy, or none could open the store)."""


class WorkerFailed(Exception):
    """A worker died or broke the protocol; it has been replaced."""


class MemoryExceeded(WorkerFailed):
    """The query needed more memory than a worker may use; the worker died of it and was replaced."""


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

    async def _read_frame(self) -> bytes:
        try:
            (length,) = FRAME_LENGTH.unpack(await self._stdout.readexactly(FRAME_LENGTH.size))
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
        return Reply(header, await self._read_frame())

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
        """An idle worker. A busy one is freed within the time limit (its query ends or it is killed and
        replaced, which takes a moment), so waiting longer than that and STARTUP_ALLOWANCE is pointless."""
        self._top_up()  # a worker that could not start earlier gets another chance
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout + STARTUP_ALLOWANCE
        while not self._idle:
            if self._failure and not self._workers and not self._starting:
                raise PoolUnavailable(self._failure)
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), deadline - loop.time())
            except TimeoutError:
                raise PoolUnavailable("všechny pracovní procesy SPARQL jsou zaneprázdněné") from None
        return self._idle.pop()

    async def run(self, request: QueryRequest) -> Reply:
        """The worker's reply to ``request``; raises :class:`QueryTimeout`, :class:`PoolUnavailable`,
        :class:`MemoryExceeded` or :class:`WorkerFailed`."""
        await self._follow_version()
        worker = await self._acquire()
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
