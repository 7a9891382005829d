"""Heavy requests (network analytics, reconciliation) off the event loop, with the deadline of
queries, cached per store version.

:meth:`Runner.run` takes a task (``"module:function"`` in :data:`TASK_MODULES`, called as
``function(store, **kwargs)``), its arguments and a deadline in seconds, and returns the
task's result. Two ways to run it:

- **process** (an on-disk store, the service's default): one worker process answers from a
  read-only checkpoint of the store taken for the current store version (hard links, like the
  query workers' snapshots), keeping its projections in memory between requests. When a task
  passes its deadline, the worker is killed (SIGKILL: the runaway stops using a core at once)
  and a fresh one started; the request gets :class:`~aigraph.errors.QueryTimeout` (503).
  Pure-Python analytics hold the GIL: in a thread they would slow every other request of
  the server, ``/health`` included, and could not be stopped (see
  ``docs/decisions/0006-heavy-handlers.md`` for the measurements).
- **thread** (an in-memory store, which a process cannot open): the task runs in a thread of
  the event loop's pool; at the deadline the request gets the same 503, but the thread cannot
  be stopped and runs on; its result is kept for the next request.

Results are cached per ``(store.version, task, arguments)``; concurrent identical requests
share one computation. At most :attr:`Runner.max_waiting` requests wait for the busy worker:
the next is refused at once (503 with ``Retry-After``), and waiting does not count against a
task's deadline, which starts when the worker takes it (waiting is bounded by the deadline too).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import itertools
import logging
import multiprocessing as mp
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ..errors import AigraphError, QueryTimeout
from .cache import Snapshot

log = logging.getLogger("aigraph.analytics")
_CTX = mp.get_context("spawn")  # no fork: the parent holds RocksDB and server threads

#: the modules whose functions may run as tasks
TASK_MODULES = ("aigraph.analytics.tasks", "aigraph.linking.reconcile")
#: results larger than this (bytes of a network file) are not kept
MAX_CACHED_BYTES = 64 * 2**20


class Busy(AigraphError):
    """Every analytics worker is taken and enough requests already wait: try again later."""

    exit_code = 3
    status = 503
    title = "Service busy"

    def __init__(self, message: str, retry_after: int = 5):
        super().__init__(message)
        self.retry_after = retry_after


class WorkerFailed(AigraphError):
    title = "Analytics worker failed"


def resolve_task(name: str, modules: tuple[str, ...] = TASK_MODULES) -> Callable:
    """The function a task names (``"module:function"``, the module one of ``modules``)."""
    module, _, function = name.partition(":")
    if module not in modules or not function.isidentifier():
        raise ValueError(f"{name!r} is not a task")
    return getattr(importlib.import_module(module), function)


def _child(conn: Connection) -> None:
    """The worker process: answer ``(snapshot, version, modules, task, kwargs)`` messages
    until None."""
    path: str | None = None
    snapshot: Snapshot | None = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        where, version, modules, task, kwargs = message
        try:
            if where != path:
                import pyoxigraph as ox

                snapshot = None  # release the old checkpoint before opening the new one
                snapshot = Snapshot(ox.Store.read_only(where), version)
                path = where
            answer: tuple[bool, Any] = (True, resolve_task(task, modules)(snapshot, **kwargs))
        except AigraphError as err:
            answer = (False, err)
        except Exception as err:  # noqa: BLE001 - reported to the parent as a 500, logged there
            answer = (False, WorkerFailed(f"{task} failed: {type(err).__name__}: {err}"))
        try:
            conn.send(answer)
        except Exception as err:  # noqa: BLE001 - e.g. an error that does not pickle
            conn.send((False, WorkerFailed(f"{task}: its answer could not be sent: {err}")))


class _Worker:
    def __init__(self) -> None:
        self.conn, child = _CTX.Pipe()
        self.process = _CTX.Process(
            target=_child, args=(child,), daemon=True, name="aigraph-analytics"
        )
        self.process.start()
        child.close()
        self.snapshot: str | None = None

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(2)
        if self.process.is_alive():
            self.kill()
        else:
            self.conn.close()


def _freeze(value: Any) -> Any:
    """A hashable form of a task's arguments (JSON-like values; other values as they are)."""
    if isinstance(value, dict):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def _size(value: Any) -> int:
    data = getattr(value, "data", None)
    return len(data) if isinstance(data, bytes) else 0


class Runner:
    """Runs tasks over ``store`` with a deadline (see the module docstring).

    ``processes``: run in a worker process (default: when the store is on disk).
    ``write_lock``: held while a checkpoint is taken, so none is taken mid-write.
    ``task_modules``: the modules whose functions may run (:data:`TASK_MODULES`).
    """

    def __init__(
        self,
        store: Any,
        *,
        processes: bool | None = None,
        write_lock: Any = None,
        max_waiting: int = 4,
        cache_size: int = 32,
        task_modules: tuple[str, ...] = TASK_MODULES,
    ):
        self.store = store
        self.task_modules = tuple(task_modules)
        self.processes = (store.path is not None) if processes is None else processes
        self.write_lock = write_lock or threading.Lock()
        self.max_waiting = max_waiting
        self.cache_size = cache_size
        self.killed = 0  # workers stopped at a deadline
        self.stopped: list[int] = []  # their process ids
        self.computed = 0  # tasks run (not answered from the cache)
        self._results: OrderedDict = OrderedDict()
        self._inflight: dict[tuple, asyncio.Future] = {}
        self._busy: asyncio.Lock | None = None
        self._waiting = 0
        self._worker: _Worker | None = None
        self._checkpoint: tuple[Any, str] | None = None
        self._names = itertools.count(1)
        self.root: Path | None = None
        if self.processes:
            if store.path is None:
                raise ValueError("a worker process needs an on-disk store")
            self.root = store.path.parent / f".{store.path.name}.analytics"
            shutil.rmtree(self.root, ignore_errors=True)  # leftovers of an earlier run

    # ------------------------------------------------------------------ public
    async def run(self, task: str, kwargs: dict, timeout: float) -> Any:
        """The task's result, from the cache when this store version already answered it."""
        key = (self.store.version, task, _freeze(kwargs))
        if key in self._results:
            self._results.move_to_end(key)
            return self._results[key]
        future = self._inflight.get(key)
        if future is None:
            future = asyncio.ensure_future(self._compute(task, kwargs, timeout))
            self._inflight[key] = future
            future.add_done_callback(lambda f: self._settle(key, f))
        return await asyncio.shield(future)

    def info(self) -> dict:
        return {
            "mode": "process" if self.processes else "thread",
            "busy": bool(self._busy and self._busy.locked()),
            "waiting": self._waiting,
            "cached": len(self._results),
            "stopped_at_deadline": self.killed,
        }

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)

    # ------------------------------------------------------------------ results
    def _settle(self, key: tuple, future: asyncio.Future) -> None:
        self._inflight.pop(key, None)
        if future.cancelled() or future.exception() is not None:
            return
        self._keep(key, future.result())

    def _keep(self, key: tuple, value: Any) -> None:
        if key[0] != self.store.version or _size(value) > MAX_CACHED_BYTES:
            return
        for old in [k for k in self._results if k[0] != key[0]]:
            del self._results[old]  # an earlier store version
        self._results[key] = value
        while len(self._results) > self.cache_size:
            self._results.popitem(last=False)

    async def _compute(self, task: str, kwargs: dict, timeout: float) -> Any:
        self.computed += 1
        if not self.processes:
            return await self._in_thread(task, kwargs, timeout)
        return await self._in_process(task, kwargs, timeout)

    # ------------------------------------------------------------------ thread
    async def _in_thread(self, task: str, kwargs: dict, timeout: float) -> Any:
        loop = asyncio.get_running_loop()
        key = (self.store.version, task, _freeze(kwargs))
        function = resolve_task(task, self.task_modules)
        job = loop.run_in_executor(None, lambda: function(self.store, **kwargs))
        try:
            return await asyncio.wait_for(asyncio.shield(job), timeout)
        except asyncio.TimeoutError:
            # a thread cannot be stopped: it runs on, and its result serves the next request
            job.add_done_callback(
                lambda f: None if f.cancelled() or f.exception() else self._keep(key, f.result())
            )
            raise QueryTimeout(
                f"the request ran past its deadline of {timeout:g} s (its computation goes on "
                "in the background; the answer is kept for this store version)"
            ) from None

    # ------------------------------------------------------------------ process
    async def _in_process(self, task: str, kwargs: dict, timeout: float) -> Any:
        if self._busy is None:
            self._busy = asyncio.Lock()
        if self._busy.locked() and self._waiting >= self.max_waiting:
            raise Busy(
                f"the analytics worker is busy and {self._waiting} requests already wait; "
                "try again shortly",
                retry_after=max(1, round(timeout / 4)),
            )
        self._waiting += 1
        try:
            await asyncio.wait_for(self._busy.acquire(), timeout)
        except asyncio.TimeoutError:
            raise QueryTimeout(
                f"the analytics worker did not become free within {timeout:g} s"
            ) from None
        finally:
            self._waiting -= 1
        try:
            version = self.store.version
            where = await asyncio.to_thread(self._current_checkpoint, version)
            worker = self._worker or self._start()
            started = time.monotonic()
            worker.conn.send((where, version, self.task_modules, task, kwargs))
            answered = await asyncio.to_thread(worker.conn.poll, timeout)
            if not answered:
                self._stop_runaway(worker)
                raise QueryTimeout(
                    f"the request ran past its deadline of {timeout:g} s and was stopped"
                )
            ok, value = await asyncio.to_thread(worker.conn.recv)
            worker.snapshot = where
            log.debug("%s took %.2f s", task, time.monotonic() - started)
            if not ok:
                raise value
            return value
        except (EOFError, OSError, BrokenPipeError) as err:
            if self._worker is not None:
                self._worker.kill()
                self._worker = None
            raise WorkerFailed(f"the analytics worker died: {err}") from None
        finally:
            self._busy.release()
            self._prune()

    def _start(self) -> _Worker:
        self._worker = _Worker()
        return self._worker

    def _stop_runaway(self, worker: _Worker) -> None:
        worker.kill()
        self.killed += 1
        if worker.process.pid is not None:
            self.stopped.append(worker.process.pid)
        self._worker = None
        with contextlib.suppress(OSError):
            self._start()  # the next request should not pay for the interpreter's start

    def _current_checkpoint(self, version: Any) -> str:
        """A read-only checkpoint of the store at ``version`` (taken when it changed)."""
        if self._checkpoint is not None and self._checkpoint[0] == version:
            return self._checkpoint[1]
        assert self.root is not None
        target = self.root / f"v{version}-{next(self._names)}"
        self.root.mkdir(parents=True, exist_ok=True)
        with self.write_lock:
            self.store.ox.flush()
            self.store.ox.backup(str(target))
        self._checkpoint = (version, str(target))
        return str(target)

    def _prune(self) -> None:
        """Delete the checkpoints that are neither current nor open in the worker."""
        if self.root is None or not self.root.exists():
            return
        keep = {self._checkpoint[1] if self._checkpoint else None}
        if self._worker is not None:
            keep.add(self._worker.snapshot)
        for path in self.root.iterdir():
            if str(path) not in keep:
                shutil.rmtree(path, ignore_errors=True)


__all__ = ["TASK_MODULES", "Busy", "Runner", "WorkerFailed", "resolve_task"]
