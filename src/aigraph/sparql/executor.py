"""Where queries run: in worker processes that can be killed at the deadline, or in-process.

:class:`WorkerPool` is the service's default on an on-disk store. Each worker answers from a
read-only snapshot (see :mod:`.snapshots`); a query past its deadline gets its worker killed
(SIGKILL: the runaway stops using a core at once) and a replacement takes its place, while the
other workers keep answering. :class:`InProcess` runs the query in the calling thread: for
in-memory stores and tests; it cannot stop a running query (pyoxigraph has no deadline), so it
checks the deadline only once the result is written.

The pool shares its workers fairly (docs/decisions/0006-fair-scheduling.md, :class:`Limits`):

- the deadline bounds a query's *execution*; waiting for a worker is bounded on its own
  (``queue_wait``, ``queue_size``) and ends in :class:`~aigraph.errors.Overloaded` (503 with
  ``Retry-After``), never in a killed worker;
- a query that runs past ``long_after`` seconds is *long* and needs a place in the long-query
  lane (``long_slots`` places, a client at most half of them): the other workers always stay
  free for short queries. A query that turns long when the lane (or its client's share of it)
  is full is stopped then and answered 503 (429 for the client's share) with ``Retry-After``;
- a client (the remote address) may have at most ``client_slots`` queries running or waiting;
- a killed worker is replaced at once by a spare started ahead, and a background thread starts
  the next spare, one process at a time (backing off when starting fails).

With ``memory`` on (``AIGRAPH_WORKER_MEMORY``), each worker loads its snapshot into memory when
it starts and on each snapshot switch (see :mod:`.worker`): heavy queries run 2-4x faster, at
the memory of one copy of the store per worker and a reload after every write.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing as mp
import os
import pickle
import select
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Protocol

from ..errors import AigraphError, Overloaded, QueryTimeout
from ..store import Store
from . import worker
from .results import QueryJob, Reply, evaluate
from .snapshots import Snapshots

log = logging.getLogger("aigraph.sparql")
_CTX = mp.get_context("spawn")  # no fork: the parent holds RocksDB and server threads


class Executor(Protocol):
    def execute(self, job: QueryJob, timeout: float, client: str | None = None) -> Reply: ...

    def refresh(self) -> None: ...

    def close(self) -> None: ...

    def info(self) -> dict: ...


class InProcess:
    """Queries in the calling thread, on the live store (no hard deadline)."""

    def __init__(self, store: Store):
        self.store = store

    def execute(self, job: QueryJob, timeout: float, client: str | None = None) -> Reply:
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
#: memory budgeted for one worker on an on-disk snapshot (measured: 60-120 MB resident)
WORKER_BYTES = 160 << 20
#: an in-memory copy of a snapshot takes ~2.3x the store's size on disk (540 MB for 233 MB)
MEMORY_COPY_FACTOR = 2.5
MAX_WORKERS = 32
#: CPU priority (nice) of a worker running a long query: short queries get the cores first
#: (weight 335 against 1024: a long query keeps about a quarter of a core it shares). Not in
#: memory mode, where the worker replacing a lowered one would reload the store.
LONG_NICE = 5


@dataclass(frozen=True)
class Limits:
    """How a :class:`WorkerPool` shares its workers (seconds, counts; 0 ``client_slots``: no
    per-client limit)."""

    #: queries that may run past ``long_after`` at once; the other workers stay for short ones
    long_slots: int = 1
    #: seconds of execution after which a query is long
    long_after: float = 1.0
    #: queries one client may have running or waiting at once
    client_slots: int = 0
    #: seconds a query may wait for a worker (its deadline counts only its execution)
    queue_wait: float = 3.0
    #: queries that may wait for a worker at once
    queue_size: int = 256
    #: workers started ahead, ready to replace a killed one at once
    spares: int = 1

    @property
    def client_long(self) -> int:
        """Places of the long-query lane one client may hold: half of them, at least one."""
        return max(1, self.long_slots // 2)


def cpus() -> int:
    """Cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def available_memory() -> int | None:
    """Bytes of memory available to new processes (Linux ``MemAvailable``), else ``None``."""
    with contextlib.suppress(OSError, ValueError), open("/proc/meminfo", encoding="ascii") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return None


def machine_workers(memory: bool = False, store_bytes: int = 0) -> int:
    """A pool size for this machine: two workers a core (half of them may run long queries, the
    rest stay for short ones), within half the available memory, at most :data:`MAX_WORKERS`."""
    by_cpu = 2 * cpus()
    per_worker = WORKER_BYTES + (int(MEMORY_COPY_FACTOR * store_bytes) if memory else 0)
    free = available_memory()
    by_memory = MAX_WORKERS if free is None else (free // 2) // per_worker
    return max(1, min(by_cpu, by_memory, MAX_WORKERS))


def store_bytes(store: Store) -> int:
    if store.path is None:
        return 0
    return sum(p.stat().st_size for p in store.path.iterdir() if p.is_file())


class _Worker:
    """A worker process; without ``network`` it cuts itself off every network at start."""

    def __init__(self, memory: bool = False, network: bool = False) -> None:
        self.conn, child = _CTX.Pipe()
        self.fd = self.conn.fileno()
        self.process: BaseProcess = _CTX.Process(
            target=worker.main,
            args=(child, memory, network),
            daemon=True,
            name="aigraph-query-worker",
        )
        self.process.start()
        child.close()
        self.snapshot: str | None = None
        self.niced = False  # ran a long query at a lower CPU priority (cannot be raised again)

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
        self.ask_to_stop()
        self.join_stopped()

    def ask_to_stop(self) -> None:
        with contextlib.suppress(OSError):
            worker.send_frame(self.fd)  # the empty frame: stop

    def join_stopped(self, timeout: float = 2.0) -> None:
        self.process.join(timeout)
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


async def _reply_within(fd: int, until: float) -> bool:
    """Wait (on the event loop, no thread) until ``fd`` is readable or ``until`` (monotonic)."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[bool] = loop.create_future()
    loop.add_reader(fd, _wake, ready, True)
    expire = loop.call_at(loop.time() + until - time.monotonic(), _wake, ready, False)
    try:
        return await ready
    finally:
        expire.cancel()
        loop.remove_reader(fd)


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


class _Waiter:
    """A query waiting for a worker: ``worker`` is set, under the pool's lock, when one is
    handed over, and ``wake`` is called."""

    __slots__ = ("wake", "worker")

    def __init__(self, wake: Callable[[], object]) -> None:
        self.wake = wake
        self.worker: _Worker | None = None


class WorkerPool:
    """``size`` worker processes over snapshots of ``store`` (which must be on disk), shared as
    ``limits`` says; with ``memory``, each worker answers from an in-memory copy of its
    snapshot, loaded up front; without ``network`` (federation off), workers have no network."""

    def __init__(
        self,
        store: Store,
        size: int = 2,
        memory: bool = False,
        network: bool = False,
        limits: Limits | None = None,
    ):
        self.store = store
        self.size = max(1, size)
        self.memory = memory
        self.network = network
        self.limits = limits if limits is not None else Limits(long_slots=max(1, self.size // 2))
        self._switch_timeout = MEMORY_SWITCH_TIMEOUT if memory else SWITCH_TIMEOUT
        self._version = store.version
        self.snapshots = Snapshots(store)
        self._refresh_lock = threading.Lock()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # a worker lost, or the pool closed
        self._idle: list[_Worker] = []  # last in, first out: the hot worker keeps its caches
        self._all: set[_Worker] = set()  # in service: idle or running a query
        self._spares: list[_Worker] = []  # started ahead, not in service
        self._waiters: deque[_Waiter] = deque()
        self._clients: dict[str, int] = {}  # queries running or waiting, per client
        #: the long-query lane: each worker running a long query, with its client and deadline
        self._long: dict[_Worker, tuple[str | None, float]] = {}
        self._switching = 0  # spares held by refresh() while they switch snapshots
        self._closed = False
        self.killed: list[int] = []  # pids the pool killed (deadline, long lane full, cancelled)
        self.started = 0  # worker processes started, the first ones included
        self.lost = 0  # workers killed or dead
        self.retired = 0  # workers stopped after a long query (they ran at a lower priority)
        self.refused = 0  # queries answered 503/429 without a worker, or stopped as long
        workers = [_Worker(memory, network) for _ in range(self.size + self.limits.spares)]
        self.started = len(workers)
        for w in workers:
            w.wait_ready()
        if memory:  # the workers load in parallel; the pool is ready once they all have
            current = self.snapshots.current
            for w in workers:
                w.send(current, None)
            for w in workers:
                self._preloaded(w, current)
        self._spares = workers[self.size :]
        for w in workers[: self.size]:
            self._all.add(w)
            self._idle.append(w)
        self._respawner = threading.Thread(
            target=self._respawn_loop, daemon=True, name="aigraph-respawn"
        )
        self._respawner.start()

    # ------------------------------------------------------------------ workers in and out
    def _preloaded(self, w: _Worker, snapshot: str) -> None:
        """Wait for ``w`` to confirm the switch to ``snapshot`` (sent by the caller)."""
        w.await_ack(
            self._switch_timeout,
            "a query worker did not load its snapshot in time",
            "a query worker died loading its snapshot",
        )
        w.snapshot = snapshot

    def _give_back(self, w: _Worker) -> None:
        """A free worker (called under the lock): to the first waiting query, else idle."""
        self._long.pop(w, None)
        while self._waiters:
            waiter = self._waiters.popleft()
            try:
                waiter.wake()
            except RuntimeError:  # its event loop is closed: nobody waits there any more
                continue
            waiter.worker = w
            return
        self._idle.append(w)

    def _release(self, w: _Worker) -> None:
        if w.niced:  # a process may lower its priority, never raise it again: a fresh one
            self._retire(w)
            return
        with self._lock:
            if w in self._all:
                self._give_back(w)

    def _take_out(self, w: _Worker) -> bool:
        """Under the lock: ``w`` leaves service, a spare takes its place at once, and the
        background thread is told to start the next spare. False if ``w`` was not in service."""
        self._long.pop(w, None)
        if w not in self._all:
            return False
        self._all.discard(w)
        if self._spares and not self._closed:
            spare = self._spares.pop()
            self._all.add(spare)
            self._give_back(spare)
        self._changed.notify_all()
        return True

    def _retire(self, w: _Worker) -> None:
        """Take ``w`` out of service and stop it in the background."""
        with self._lock:
            if self._take_out(w):
                self.retired += 1
        threading.Thread(target=w.stop, daemon=True, name="aigraph-retire").start()

    def _lose(self, w: _Worker, killed: bool = True) -> None:
        """Kill ``w`` (if ``killed``: recorded in :attr:`killed`) and take it out of service."""
        if killed and w.pid is not None:
            self.killed.append(w.pid)
        w.kill()
        with self._lock:
            if self._take_out(w):
                self.lost += 1

    def _missing(self) -> int:
        have = len(self._all) + len(self._spares) + self._switching
        return self.size + self.limits.spares - have

    def _start_worker(self) -> _Worker:
        w = _Worker(self.memory, self.network)
        w.wait_ready()
        if self.memory:  # load before taking jobs, not within a query's deadline
            current = self.snapshots.current
            w.send(current, None)
            self._preloaded(w, current)
        return w

    def _respawn_loop(self) -> None:
        """Keep the pool and its spares full: one process at a time (starting one costs about
        half a second of a core), backing off up to 30 s while starting fails."""
        backoff = 0.0
        while True:
            with self._lock:
                while not self._closed and self._missing() <= 0:
                    self._changed.wait()
                if self._closed:
                    return
            try:
                w = self._start_worker()
            except (AigraphError, OSError) as err:
                if self._closed:
                    return
                backoff = min(30.0, max(0.5, 2 * backoff))
                log.error("could not start a query worker (next try in %g s): %s", backoff, err)
                with self._lock:
                    self._changed.wait_for(lambda: self._closed, backoff)
                continue
            backoff = 0.0
            with self._lock:
                self.started += 1
                if self._closed:
                    stop = True
                elif len(self._all) < self.size:
                    stop = False
                    self._all.add(w)
                    self._give_back(w)
                else:
                    stop = False
                    self._spares.append(w)
            if stop:
                w.stop()
                return

    # ------------------------------------------------------------------ admission
    def _enter(self, client: str | None, make_waiter: Callable[[], _Waiter]) -> _Worker | _Waiter:
        """An idle worker, else a place in the queue; counts the query for its client. Raises
        :class:`Overloaded` (nothing counted) when the client or the queue is full."""
        lim = self.limits
        with self._lock:
            if self._closed:
                raise WorkerError("the query service is shutting down")
            held = self._clients.get(client, 0) if client is not None else 0
            if client is not None and lim.client_slots and held >= lim.client_slots:
                self.refused += 1
                raise Overloaded(
                    f"this client already has {held} {'query' if held == 1 else 'queries'} "
                    "running or waiting, as many as one client may; send the next one when an "
                    "answer has come",
                    retry_after=1,
                    too_many=True,
                )
            got: _Worker | _Waiter
            if self._idle:
                got = self._idle.pop()
            elif len(self._waiters) >= lim.queue_size:
                self.refused += 1
                raise Overloaded(
                    f"all query workers are busy and {len(self._waiters)} queries are already "
                    "waiting for one (nothing was run)",
                    retry_after=lim.queue_wait,
                )
            else:
                got = make_waiter()
                self._waiters.append(got)
            if client is not None:
                self._clients[client] = held + 1
            return got

    def _leave(self, client: str | None) -> None:
        if client is None:
            return
        with self._lock:
            n = self._clients.get(client, 0) - 1
            if n > 0:
                self._clients[client] = n
            else:
                self._clients.pop(client, None)

    def _withdraw(self, waiter: _Waiter) -> _Worker | None:
        """Leave the queue (under the lock): the worker handed over meanwhile, if any."""
        if waiter.worker is None:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)
        return waiter.worker

    def _no_worker(self, wait: float) -> Overloaded:
        with self._lock:
            self.refused += 1
        return Overloaded(
            f"no query worker became free within {wait:g} s (nothing was run)",
            retry_after=self.limits.queue_wait,
        )

    def _go_long(self, w: _Worker, client: str | None, deadline: float) -> Overloaded | None:
        """A query on ``w`` has run ``long_after`` seconds: a place in the long-query lane (its
        worker then runs at a lower priority), or the refusal to answer it with (the caller
        then stops the query)."""
        with self._lock:
            refused = self._long_refusal(client)
            if refused is None:
                self._long[w] = (client, deadline)
            else:
                self.refused += 1
        if refused is None and w.pid is not None and not w.niced and not self.memory:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, w.pid, LONG_NICE)
                w.niced = True
        return refused

    def _long_refusal(self, client: str | None) -> Overloaded | None:
        """Under the lock: why the lane has no place for one more query of ``client``."""
        lim = self.limits
        now = time.monotonic()
        running = [d for _, d in self._long.values()]
        if len(running) >= lim.long_slots:
            return Overloaded(
                f"the service already runs {len(running)} long queries, as many as it runs at "
                f"once; this one was stopped after {lim.long_after:g} s",
                retry_after=(min(running) - now) if running else lim.long_after,
            )
        mine = [d for c, d in self._long.values() if client is not None and c == client]
        if len(mine) >= lim.client_long:
            return Overloaded(
                f"this client already runs {len(mine)} long queries, its share of the "
                f"{lim.long_slots} the service runs at once; this one was stopped after "
                f"{lim.long_after:g} s",
                retry_after=min(mine) - now,
                too_many=True,
            )
        return None

    # ------------------------------------------------------------------ queries
    def execute(self, job: QueryJob, timeout: float, client: str | None = None) -> Reply:
        if self.store.version != self._version:  # written by someone else since the snapshot
            self.refresh()
        event = threading.Event()
        got = self._enter(client, lambda: _Waiter(event.set))
        try:
            if isinstance(got, _Waiter):
                event.wait(self.limits.queue_wait)
                w = self._taken(got)
            else:
                w = got
            return self._run(w, job, timeout, client)
        finally:
            self._leave(client)

    def _taken(self, waiter: _Waiter) -> _Worker:
        """The worker handed to ``waiter`` once its wait is over, or the 503 that no worker
        became free within the queue wait."""
        with self._lock:
            w = self._withdraw(waiter)
        if w is None:
            raise self._no_worker(self.limits.queue_wait)
        return w

    def _run(self, w: _Worker, job: QueryJob, timeout: float, client: str | None) -> Reply:
        snapshot = self.snapshots.current
        w.snapshot = snapshot
        start = time.monotonic()
        deadline, long_at = start + timeout, start + self.limits.long_after
        refused = None
        try:
            w.send(snapshot, job)
            answered = _readable(w.fd, min(long_at, deadline) - start)
            if not answered and long_at < deadline:  # a long query: in the lane, or stopped
                refused = self._go_long(w, client, deadline)
                if refused is None:
                    answered = _readable(w.fd, deadline - time.monotonic())
            answer = worker.read_reply(w.fd) if answered else None
        except AigraphError:
            self._release(w)  # the query failed; the worker is fine
            raise
        except (OSError, EOFError) as err:
            self._lose(w, killed=False)
            raise WorkerError(f"the query worker died: {err}") from None
        return self._settle(w, answer, timeout, refused)

    async def execute_async(
        self, job: QueryJob, timeout: float, client: str | None = None
    ) -> Reply:
        """:meth:`execute` for the event loop: waits on the worker's pipe with no thread hop."""
        if self.store.version != self._version:
            await asyncio.to_thread(self.refresh)
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[bool] | None = None

        def make_waiter() -> _Waiter:
            nonlocal ready
            future: asyncio.Future[bool] = loop.create_future()
            ready = future
            return _Waiter(lambda: loop.call_soon_threadsafe(_wake, future, True))

        got = self._enter(client, make_waiter)
        try:
            if isinstance(got, _Waiter):
                assert ready is not None
                expire = loop.call_later(self.limits.queue_wait, _wake, ready, False)
                try:
                    await ready
                except asyncio.CancelledError:  # the request went away while it waited
                    with self._lock:
                        given = self._withdraw(got)
                        if given is not None:
                            self._give_back(given)
                    raise
                finally:
                    expire.cancel()
                w = self._taken(got)
            else:
                w = got
            return await self._run_async(w, job, timeout, client)
        finally:
            self._leave(client)

    async def _run_async(
        self, w: _Worker, job: QueryJob, timeout: float, client: str | None
    ) -> Reply:
        snapshot = self.snapshots.current
        w.snapshot = snapshot
        start = time.monotonic()
        deadline, long_at = start + timeout, start + self.limits.long_after
        refused = None
        try:
            w.send(snapshot, job)
            answered = await _reply_within(w.fd, min(long_at, deadline))
            answered = answered or _readable(w.fd, 0)  # the answer came with the timer
            if not answered and long_at < deadline:  # a long query: in the lane, or stopped
                refused = self._go_long(w, client, deadline)
                if refused is None:
                    answered = await _reply_within(w.fd, deadline) or _readable(w.fd, 0)
            answer = worker.read_reply(w.fd) if answered else None
        except AigraphError:
            self._release(w)  # the query failed; the worker is fine
            raise
        except (OSError, EOFError) as err:
            self._lose(w, killed=False)
            raise WorkerError(f"the query worker died: {err}") from None
        except asyncio.CancelledError:  # the request went away: its answer would be left behind
            self._lose(w)
            raise
        return self._settle(w, answer, timeout, refused)

    def _settle(
        self, w: _Worker, answer: Reply | None, timeout: float, refused: Overloaded | None
    ) -> Reply:
        if refused is not None:
            self._lose(w)
            raise refused
        if answer is None:
            self._lose(w)
            raise QueryTimeout(f"the query ran past its deadline of {timeout:g} s and was stopped")
        self._release(w)
        return answer

    # ------------------------------------------------------------------ snapshots
    def refresh(self) -> None:
        """Snapshot the live store after a write; idle workers and spares switch to it now."""
        with self._refresh_lock:
            if self.store.version == self._version:
                return
            self._version = self.store.version
            current = self.snapshots.refresh()
        with self._lock:
            held = self._idle + self._spares
            spares = set(self._spares)
            self._switching += len(spares)
            self._idle, self._spares = [], []
        sent: list[_Worker] = []
        for w in held:  # all switch at once (an in-memory load takes seconds each)
            try:
                w.send(current, None)
            except OSError:
                self._drop(w, spares)
                continue
            sent.append(w)
        for w in sent:
            try:
                self._preloaded(w, current)
            except WorkerError:  # killed by _preloaded
                self._drop(w, spares)
                continue
            with self._lock:
                closed = self._closed
                if w in spares:
                    self._switching -= 1
                    if not closed:
                        self._spares.append(w)
                elif w in self._all:
                    self._give_back(w)
            if closed and w in spares:
                w.stop()
        with self._lock:
            in_use = {w.snapshot for w in (*self._all, *self._spares) if w.snapshot}
        self.snapshots.prune(in_use)

    def _drop(self, w: _Worker, spares: set[_Worker]) -> None:
        """A held worker that failed to switch: gone; the background thread replaces it."""
        if w in spares:
            w.kill()
            with self._lock:
                self._switching -= 1
                self.lost += 1
                self._changed.notify_all()
        else:
            self._lose(w, killed=False)

    # ------------------------------------------------------------------ state
    def pids(self) -> list[int]:
        """The workers in service (spares not included)."""
        with self._lock:
            return sorted(w.pid for w in self._all if w.pid is not None)

    def long_pids(self) -> list[int]:
        """The workers now running a long query (in the long-query lane)."""
        with self._lock:
            return sorted(w.pid for w in self._long if w.pid is not None)

    def snapshots_in_use(self) -> set[str | None]:
        """The snapshot each worker in service answers from (for operators and tests)."""
        with self._lock:
            return {w.snapshot for w in self._all}

    def info(self) -> dict:
        with self._lock:
            return {
                "mode": "worker-pool",
                "memory": self.memory,
                "network": self.network,  # False: workers cut themselves off every network
                "workers": len(self._all),
                "idle": len(self._idle),
                "spares": len(self._spares),
                "waiting": len(self._waiters),
                "long": len(self._long),
                "long_slots": self.limits.long_slots,
                "started": self.started,
                "lost": self.lost,
                "retired": self.retired,
                "refused": self.refused,
                "snapshot": self.snapshots.generation,
            }

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = [*self._all, *self._spares]
            self._all.clear()
            self._spares.clear()
            self._idle.clear()
            self._changed.notify_all()
        for w in workers:  # all stop at once
            w.ask_to_stop()
        for w in workers:
            w.join_stopped()
        self.snapshots.close()
