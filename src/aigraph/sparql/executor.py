"""Where queries run: in worker processes that can be killed at the deadline, or in-process.

:class:`WorkerPool` is the service's default on an on-disk store. Each worker answers from a
read-only snapshot (see :mod:`.snapshots`); a query past its deadline gets its worker killed
(SIGKILL: the runaway stops using a core at once) and a fresh worker started in the background,
while the other workers keep answering. :class:`InProcess` runs the query in the calling thread:
for in-memory stores and tests; it cannot stop a running query (pyoxigraph has no deadline), so
it checks the deadline only once the result is written.

With ``memory`` on (``AIGRAPH_WORKER_MEMORY``), each worker loads its snapshot into memory when
it starts and on each snapshot switch (see :mod:`.worker`): heavy queries run 2-6x faster, at
the memory of one copy of the store per worker and a reload after every write.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing as mp
import pickle
import queue
import select
import threading
import time
from multiprocessing.process import BaseProcess
from typing import Protocol

from ..errors import AigraphError, QueryTimeout
from ..store import Store
from . import worker
from .results import QueryJob, Reply, evaluate
from .snapshots import Snapshots

log = logging.getLogger("aigraph.sparql")
_CTX = mp.get_context("spawn")  # no fork: the parent holds RocksDB and server threads


class Executor(Protocol):
    def execute(self, job: QueryJob, timeout: float) -> Reply: ...

    def refresh(self) -> None: ...

    def close(self) -> None: ...

    def info(self) -> dict: ...


class InProcess:
    """Queries in the calling thread, on the live store (no hard deadline)."""

    def __init__(self, store: Store):
        self.store = store

    def execute(self, job: QueryJob, timeout: float) -> Reply:
        start = time.monotonic()
        reply = evaluate(self.store.ox, job)
        if time.monotonic() - start > timeout:
            raise QueryTimeout(f"the query ran past its deadline of {timeout:g} s")
        return reply

    def refresh(self) -> None:
        pass

    def close(self) -> None:
        pass

    def info(self) -> dict:
        return {"mode": "in-process"}


class WorkerError(AigraphError):
    title = "Query worker failed"


#: seconds a worker may take to switch snapshots (an in-memory load of 1.36 M quads takes ~8 s)
SWITCH_TIMEOUT = 30.0
MEMORY_SWITCH_TIMEOUT = 600.0


class _Worker:
    def __init__(self, memory: bool = False) -> None:
        self.conn, child = _CTX.Pipe()
        self.fd = self.conn.fileno()
        self.process: BaseProcess = _CTX.Process(
            target=worker.main, args=(child, memory), daemon=True, name="aigraph-query-worker"
        )
        self.process.start()
        child.close()
        self.snapshot: str | None = None

    def wait_ready(self, timeout: float = 60.0) -> None:
        self.await_ack(timeout, "a query worker did not start", "a query worker did not start")

    def await_ack(self, timeout: float, late: str, died: str) -> None:
        """Wait for the worker's acknowledgement frame; kill it and raise if none comes."""
        if not _readable(self.fd, timeout):
            self.kill()
            raise WorkerError(late)
        try:
            worker.recv_frame(self.fd)
        except (OSError, EOFError):
            self.kill()
            raise WorkerError(died) from None

    def send(self, snapshot: str | None, job: QueryJob | None) -> None:
        worker.send_frame(self.fd, pickle.dumps((snapshot, job), pickle.HIGHEST_PROTOCOL))

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            worker.send_frame(self.fd)  # the empty frame: stop
        self.process.join(2)
        if self.process.is_alive():
            self.kill()
        else:
            self.conn.close()


def _readable(fd: int, timeout: float) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(max(0.0, timeout) * 1000))


def _wake(future: asyncio.Future, value: bool) -> None:
    if not future.done():
        future.set_result(value)


def _call(w: _Worker, snapshot: str | None, job: QueryJob | None, timeout: float):
    """Send a job and wait for the answer: a Reply (for a job), True (for a snapshot switch),
    or None when the deadline passed."""
    w.send(snapshot, job)
    if not _readable(w.fd, timeout):
        return None
    if job is None:
        worker.recv_frame(w.fd)
        return True
    return worker.read_reply(w.fd)


class WorkerPool:
    """``size`` worker processes over snapshots of ``store`` (which must be on disk); with
    ``memory``, each worker answers from an in-memory copy of its snapshot, loaded up front."""

    def __init__(self, store: Store, size: int = 2, memory: bool = False):
        self.store = store
        self.size = max(1, size)
        self.memory = memory
        self._switch_timeout = MEMORY_SWITCH_TIMEOUT if memory else SWITCH_TIMEOUT
        self._version = store.version
        self.snapshots = Snapshots(store)
        self._refresh_lock = threading.Lock()
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.killed: list[int] = []
        workers = [_Worker(memory) for _ in range(self.size)]
        for w in workers:
            w.wait_ready()
        if memory:  # the workers load in parallel; the pool is ready once they all have
            current = self.snapshots.current
            for w in workers:
                w.send(current, None)
            for w in workers:
                self._preloaded(w, current)
        for w in workers:
            self._add(w)

    def _preloaded(self, w: _Worker, snapshot: str) -> None:
        """Wait for ``w`` to confirm the switch to ``snapshot`` (sent by the caller)."""
        w.await_ack(
            self._switch_timeout,
            "a query worker did not load its snapshot in time",
            "a query worker died loading its snapshot",
        )
        w.snapshot = snapshot

    def _add(self, w: _Worker) -> None:
        with self._lock:
            if self._closed:
                w.stop()
                return
            self._all.add(w)
        self._idle.put(w)

    def _replace(self, dead: _Worker) -> None:
        with self._lock:
            self._all.discard(dead)

        def spawn() -> None:
            try:
                w = _Worker(self.memory)
                w.wait_ready()
                if self.memory:  # load before taking jobs, not within a query's deadline
                    current = self.snapshots.current
                    w.send(current, None)
                    self._preloaded(w, current)
            except (AigraphError, OSError) as err:
                log.error("could not start a query worker: %s", err)
                return
            self._add(w)

        threading.Thread(target=spawn, daemon=True, name="aigraph-respawn").start()

    def execute(self, job: QueryJob, timeout: float) -> Reply:
        deadline = time.monotonic() + timeout
        if self.store.version != self._version:  # written by someone else since the snapshot
            self.refresh()
        try:
            w = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeout(
                f"no query worker became free within the deadline of {timeout:g} s"
            ) from None
        snapshot = self.snapshots.current
        w.snapshot = snapshot
        try:
            answer = _call(w, snapshot, job, deadline - time.monotonic())
        except AigraphError:
            self._idle.put(w)  # the query failed; the worker is fine
            raise
        except (OSError, EOFError) as err:
            w.kill()
            self._replace(w)
            raise WorkerError(f"the query worker died: {err}") from None
        return self._settle(w, answer, timeout)

    async def execute_async(self, job: QueryJob, timeout: float) -> Reply:
        """:meth:`execute` for the event loop: waits on the worker's pipe with no thread hop."""
        deadline = time.monotonic() + timeout
        if self.store.version != self._version:
            await asyncio.to_thread(self.refresh)
        try:
            w = self._idle.get_nowait()
        except queue.Empty:
            try:
                w = await asyncio.to_thread(self._idle.get, True, timeout)
            except queue.Empty:
                raise QueryTimeout(
                    f"no query worker became free within the deadline of {timeout:g} s"
                ) from None
        snapshot = self.snapshots.current
        w.snapshot = snapshot
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[bool] = loop.create_future()
        try:
            w.send(snapshot, job)
            loop.add_reader(w.fd, _wake, ready, True)
            expire = loop.call_at(loop.time() + deadline - time.monotonic(), _wake, ready, False)
            try:
                answered = await ready
            finally:
                expire.cancel()
                loop.remove_reader(w.fd)
            answer = worker.read_reply(w.fd) if answered else None
        except AigraphError:
            self._idle.put(w)  # the query failed; the worker is fine
            raise
        except (OSError, EOFError) as err:
            w.kill()
            self._replace(w)
            raise WorkerError(f"the query worker died: {err}") from None
        except asyncio.CancelledError:  # the request went away: its answer would be left behind
            w.kill()
            self._replace(w)
            raise
        return self._settle(w, answer, timeout)

    def _settle(self, w: _Worker, answer: Reply | None, timeout: float) -> Reply:
        if answer is None:
            if w.pid is not None:
                self.killed.append(w.pid)
            w.kill()
            self._replace(w)
            raise QueryTimeout(f"the query ran past its deadline of {timeout:g} s and was stopped")
        self._idle.put(w)
        return answer

    def refresh(self) -> None:
        """Snapshot the live store after a write; idle workers switch to it now."""
        with self._refresh_lock:
            if self.store.version == self._version:
                return
            self._version = self.store.version
            current = self.snapshots.refresh()
        held: list[_Worker] = []
        while True:
            try:
                held.append(self._idle.get_nowait())
            except queue.Empty:
                break
        sent: list[_Worker] = []
        for w in held:  # all switch at once (an in-memory load takes seconds each)
            try:
                w.send(current, None)
            except OSError:
                w.kill()
                self._replace(w)
                continue
            sent.append(w)
        for w in sent:
            try:
                self._preloaded(w, current)
            except WorkerError:  # killed by _preloaded
                self._replace(w)
                continue
            self._idle.put(w)
        with self._lock:
            in_use = {w.snapshot for w in self._all if w.snapshot}
        self.snapshots.prune(in_use)

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._all if w.pid is not None)

    def info(self) -> dict:
        return {
            "mode": "worker-pool",
            "memory": self.memory,
            "workers": len(self.pids()),
            "idle": self._idle.qsize(),
            "snapshot": self.snapshots.generation,
        }

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.stop()
        self.snapshots.close()
