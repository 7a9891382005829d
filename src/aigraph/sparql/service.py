"""The SPARQL service: the policy and the engines behind ``/sparql``, ``/update`` and ``/store``.

Routes and the CLI call this; it owns the store, the executor (worker pool or in-process) and
the write lock. Every write is validated and committed by :meth:`Store.write`, then the query
workers switch to a fresh snapshot.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from functools import lru_cache

from ..config import Settings
from ..errors import InputError
from ..namespaces import PREFIXES
from ..store import Store, WriteResult
from . import gsp, negotiate, policy
from .executor import Executor, InProcess, Limits, WorkerPool, machine_workers, store_bytes
from .lexer import Inspection, inspect
from .results import QueryJob, Reply
from .updater import UpdateRunner


@dataclass
class QueryRequest:
    query: str
    accept: str | None = None
    #: a ``format``/``output`` parameter: a name, an alias or a media type, or several (the
    #: first that applies to the result's kind is taken, as SPARQLWrapper may send two)
    format: str | tuple[str, ...] | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    timeout: float | None = None
    substitutions: tuple = ()
    #: who asks (the remote address): the worker pool limits each client to its share
    client: str | None = None
    #: the request's URL: relative IRIs in the query resolve against it (SPARQL Protocol)
    base: str | None = None


#: queries up to this size have their inspection cached (by text): a dashboard or a client
#: library sends the same queries again and again
CACHED_QUERY_CHARS = 8192


@lru_cache(maxsize=512)
def _inspect_cached(text: str) -> Inspection:
    return inspect(text, PREFIXES)


def inspect_query(text: str) -> Inspection:
    """:func:`~.lexer.inspect` with the standard prefixes (cached for short texts; the result
    is shared: do not change it)."""
    return _inspect_cached(text) if len(text) <= CACHED_QUERY_CHARS else inspect(text, PREFIXES)


@lru_cache(maxsize=256)
def _choose(accept: str | None, graph_form: bool, requested: str | tuple[str, ...] | None) -> str:
    offered = negotiate.GRAPH_MEDIA if graph_form else negotiate.SOLUTION_MEDIA
    if isinstance(requested, tuple):  # the first value that names a format for this result
        found = [f for f in (negotiate.requested_format(r, offered) for r in requested) if f]
        requested = found[0] if found else (requested[0] if requested else None)
    return negotiate.choose(accept, offered, requested)


def pool_limits(settings: Settings, size: int) -> Limits:
    """How a pool of ``size`` workers is shared (``None`` settings: derived from ``size``)."""
    long_slots = settings.long_slots if settings.long_slots is not None else max(1, size // 2)
    client_slots = settings.client_slots
    limits = Limits(
        long_slots=long_slots,
        long_after=settings.long_after,
        client_slots=max(4, size) if client_slots is None else client_slots,
        queue_wait=settings.queue_wait,
        queue_size=settings.queue_size,
    )
    for name in ("long_slots", "client_slots", "queue_size"):
        if getattr(limits, name) < 0:
            raise InputError(f"{name} must be 0 or more, not {getattr(limits, name)}")
    for name in ("long_after", "queue_wait"):
        value = getattr(limits, name)
        if not 0 < value < float("inf"):
            raise InputError(f"{name} must be a positive number of seconds, not {value}")
    return limits


def make_executor(store: Store, settings: Settings) -> Executor:
    """A worker pool for an on-disk store (unless ``workers == 0``), else in-process. The pool's
    size, unless set, comes from the machine's cores and memory. Its workers have no network
    (see :mod:`.sandbox`): federated queries go to :func:`make_federated_executor`'s."""
    if store.path is None or settings.workers == 0:
        return InProcess(store)
    size = settings.workers or machine_workers(settings.worker_memory, store_bytes(store))
    return WorkerPool(
        store, size, memory=settings.worker_memory, limits=pool_limits(settings, size)
    )


def make_federated_executor(store: Store, settings: Settings, main: Executor) -> Executor | None:
    """With federation on and a worker pool, a small pool whose workers keep the network, for
    the queries whose SERVICE endpoints the policy found all on the allow-list. Every other
    query runs where nothing can be reached, so a SERVICE hidden from the policy in a query
    without a visible allowed one still reaches nothing."""
    if not settings.federation or not isinstance(main, WorkerPool):
        return None
    size = max(1, min(2, main.size // 2))
    return WorkerPool(store, size, network=True, limits=pool_limits(settings, size))


class SparqlService:
    def __init__(self, store: Store, settings: Settings, executor: Executor | None = None):
        self.store = store
        self.settings = settings
        self.executor = executor if executor is not None else make_executor(store, settings)
        self.federated = make_federated_executor(store, settings, self.executor)
        self.updates = UpdateRunner(store)
        self.federated_updates = UpdateRunner(store, network=True) if settings.federation else None
        self.write_lock = threading.Lock()
        self.generation = 0  # bumped by every committed write (caches key on it)

    # ------------------------------------------------------------------ reads
    def _executor_for(self, text: str) -> Executor:
        """The networked pool for a query with (allowed) SERVICE clauses, else the main one."""
        if self.federated is not None and inspect_query(text).services:
            return self.federated
        return self.executor

    def query(self, req: QueryRequest) -> Reply:
        job, timeout = self.prepare(req)
        return self._executor_for(req.query).execute(job, timeout, req.client)

    async def query_async(self, req: QueryRequest) -> Reply:
        """:meth:`query` for an event loop (the worker pool waits without a thread hop)."""
        job, timeout = self.prepare(req)
        executor = self._executor_for(req.query)
        execute_async = getattr(executor, "execute_async", None)
        if execute_async is not None:
            return await execute_async(job, timeout, req.client)
        return await asyncio.to_thread(executor.execute, job, timeout, req.client)

    def prepare(self, req: QueryRequest) -> tuple[QueryJob, float]:
        """Policy, negotiation and deadline: the job to run and its timeout (nothing runs)."""
        policy.check_size(req.query, self.settings.max_request_bytes, "query")
        info = policy.check_request(inspect_query(req.query), self.settings)
        graph_form = info.form in ("CONSTRUCT", "DESCRIBE")
        fmt = _choose(req.accept, graph_form, req.format)
        max_rows = self.settings.max_rows
        job = QueryJob(
            req.query,
            max_rows=max_rows,
            solution_fmt="json" if graph_form else fmt,
            graph_fmt=fmt if graph_form else "turtle",
            default_graph=tuple(req.default_graphs),
            named_graphs=tuple(req.named_graphs),
            substitutions=tuple(req.substitutions),
            base_iri=req.base,
            direct=info.form == "SELECT" and info.limit is not None and info.limit <= max_rows,
        )
        for iri in (*req.default_graphs, *req.named_graphs):
            if not iri or any(c in iri for c in '<>" {}|\\^`'):
                raise InputError(f"graph {iri!r} is not a valid IRI")
        return job, policy.deadline(self.settings, req.timeout, info)

    # ------------------------------------------------------------------ writes
    def _committed(self) -> None:
        self.generation += 1
        self.executor.refresh()
        if self.federated is not None:
            self.federated.refresh()

    def _snapshot(self) -> str | None:
        """The worker pool's read-only snapshot of the live store, brought up to date (``None``
        without a pool: updates are then planned in-process)."""
        snapshots = getattr(self.executor, "snapshots", None)
        if snapshots is None:
            return None
        self.executor.refresh()
        return snapshots.current

    def update(
        self,
        text: str,
        authorization: str | None,
        timeout: float | None = None,
        using: tuple[str, ...] = (),
        using_named: tuple[str, ...] = (),
        base: str | None = None,
    ) -> WriteResult:
        """Plan ``text`` in an update worker within the deadline, then validate and commit.
        ``using``/``using_named``: the Protocol's ``using-graph-uri``/``using-named-graph-uri``."""
        policy.authorize(self.settings, authorization)
        policy.check_size(text, self.settings.max_request_bytes, "update")
        info = policy.check_request(inspect_query(text), self.settings, update=True)
        deadline = policy.deadline(self.settings, timeout, info)
        with self.write_lock:
            runner = self.updates
            if info.services and self.federated_updates is not None:
                runner = self.federated_updates  # SERVICE clauses the policy allowed
            add, remove = runner.plan(text, deadline, self._snapshot(), using, using_named, base)
            result = self.store.write(add=add, remove=remove)
            self._committed()
            return result

    def graph_read(
        self, graph: str | None, default: bool, accept: str | None, fmt: str | None = None
    ) -> tuple[bytes, str]:
        g = gsp.target(graph, default)
        name = _choose(accept, True, fmt)
        return gsp.read(self.store, g, name), name

    def graph_write(
        self,
        method: str,
        graph: str | None,
        default: bool,
        body: bytes,
        content_type: str | None,
        authorization: str | None,
    ) -> tuple[WriteResult, bool]:
        """PUT (replace), POST (merge) or DELETE; returns (result, graph was created)."""
        policy.authorize(self.settings, authorization)
        g = gsp.target(graph, default)
        with self.write_lock:
            if method == "DELETE":
                result, created = gsp.delete(self.store, g), False
            else:
                policy.check_size(body, self.settings.max_upload_bytes, "upload")
                quads = gsp.parse_upload(body, content_type, g)
                write = gsp.replace if method == "PUT" else gsp.merge
                result, created = write(self.store, g, quads)
            self._committed()
            return result, created

    def close(self) -> None:
        self.updates.close()
        if self.federated_updates is not None:
            self.federated_updates.close()
        if self.federated is not None:
            self.federated.close()
        self.executor.close()
