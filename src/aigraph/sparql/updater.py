"""Where updates are planned: in a worker process of their own, killed at the deadline.

Planning an update evaluates its WHERE clauses, which can run as long as any query and, nested
deep enough, crash the engine. With a worker pool it therefore runs in an expendable process
(the same worker program as queries, cut off every network unless federation is on), against
the pool's current read-only snapshot (a checkpoint, taken after every write: the service
plans under its write lock, so the snapshot is the live state). Past the deadline the process
is killed (503, the store untouched), a crash answers 500 for that request only, and the next
update starts a fresh worker. The plan (quads to add and remove) comes back to the server,
which validates and commits it (:meth:`Store.write`).

Without a snapshot (an in-memory store: tests, the library) the update is planned in the
calling thread.
"""

from __future__ import annotations

import threading

import pyoxigraph as ox

from ..errors import AigraphError, QueryTimeout
from ..store import Store
from . import worker
from .executor import WorkerError, _readable, _Worker
from .update import UpdateJob, plan_update


class UpdateRunner:
    def __init__(self, store: Store, network: bool = False) -> None:
        self.store = store
        self.network = network
        self._worker: _Worker | None = None
        self._lock = threading.Lock()

    def _ready_worker(self) -> _Worker:
        if self._worker is None or not self._worker.process.is_alive():
            w = _Worker(network=self.network)
            w.wait_ready()
            self._worker = w
        return self._worker

    def _drop(self, w: _Worker) -> None:
        w.kill()
        self._worker = None

    def plan(
        self,
        text: str,
        timeout: float,
        snapshot: str | None = None,
        using: tuple[str, ...] = (),
        using_named: tuple[str, ...] = (),
        base: str | None = None,
    ) -> tuple[list[ox.Quad], list[ox.Quad]]:
        """``(add, remove)`` for ``text`` against ``snapshot`` (a read-only checkpoint of the
        store's current state; ``None``: the store itself, in this thread), within ``timeout``
        seconds of evaluation; ``using``/``using_named``: the Protocol's dataset."""
        if snapshot is None:
            return plan_update(self.store, text, using, using_named, base)
        with self._lock:
            w = self._ready_worker()
            try:
                job = UpdateJob(text, snapshot, using, using_named, base)
                w.send(None, job)  # type: ignore[arg-type]
                if not _readable(w.fd, timeout):
                    self._drop(w)
                    raise QueryTimeout(
                        f"the update ran past its deadline of {timeout:g} s and was stopped "
                        "(nothing was written)"
                    )
                return worker.read_plan(w.fd)
            except AigraphError:
                raise
            except (OSError, EOFError) as err:
                self._drop(w)
                raise WorkerError(
                    f"the update's worker process died ({err}); nothing was written"
                ) from None

    def close(self) -> None:
        with self._lock:
            if self._worker is not None:
                self._worker.stop()
                self._worker = None
