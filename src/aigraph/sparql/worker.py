"""The body of a query worker process: open a read-only snapshot, answer jobs until told to stop.

With ``memory`` on, the worker copies each snapshot into an in-memory pyoxigraph store when it
switches to it (``bulk_extend`` from the read-only snapshot: ~8 s and ~540 MB for 1.36 M quads,
faster than a dump and reload) and answers from that copy.

A worker is expendable: the parent kills it (SIGKILL) when a query passes its deadline, which
is the only way to stop pyoxigraph mid-query, and starts another.

The pipe carries raw frames (an 8-byte length, then the payload), written with one ``writev``
and read with as few ``read`` calls as the size allows. Parent to worker: a pickled
``(snapshot, job)``; ``job`` is ``None`` to switch snapshots only, and the empty frame means
stop. Worker to parent: a fixed head (:data:`HEAD`: status, kind, format, truncated, row count)
then the result body, exactly as the worker serialised it: no pickling, no copies of the body
beyond the pipe's own.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pickle
import struct
from multiprocessing.connection import Connection

import pyoxigraph as ox

from ..errors import AigraphError
from ..query import extension_functions
from . import sandbox
from .results import Reply, evaluate

#: feature modules that register SPARQL extension functions when imported
EXTENSION_MODULES = ("aigraph.analytics",)

_LENGTH = struct.Struct("<Q")
#: reply head: status (OK, ERROR, READY, PLAN), kind index, format index, truncated, row count
#: (-1: n/a)
HEAD = struct.Struct("<cBB?q")
OK, ERROR, READY, PLAN = b"o", b"e", b"r", b"p"
KINDS = ("select", "ask", "graph")
FORMATS = (
    "json",
    "xml",
    "csv",
    "tsv",
    "turtle",
    "ntriples",
    "jsonld",
    "rdfxml",
    "n3",
    "nquads",
    "trig",
)
_FIRST_READ = 1 << 16
_IOV_MAX = 1024


def load_extensions() -> None:
    for name in EXTENSION_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def send_frame(fd: int, *parts: bytes) -> None:
    """Write one frame made of ``parts`` (gathered by the kernel, not joined here)."""
    views = [memoryview(_LENGTH.pack(sum(len(p) for p in parts)))]
    views += [memoryview(p) for p in parts if len(p)]
    while views:
        written = os.writev(fd, views[:_IOV_MAX])
        while written:
            if written >= len(views[0]):
                written -= len(views[0])
                views.pop(0)
            else:
                views[0] = views[0][written:]
                written = 0


def _read_exactly(fd: int, n: int) -> bytes:
    chunks = []
    while n > 0:
        chunk = os.read(fd, n)
        if not chunk:
            raise EOFError("the pipe was closed")
        chunks.append(chunk)
        n -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def recv_frame(fd: int, head: int = 0) -> tuple[bytes, bytes]:
    """Read one frame (blocking): its first ``head`` bytes, and the rest."""
    first = os.read(fd, _FIRST_READ)  # one call is the whole frame when it is small
    if not first:
        raise EOFError("the pipe was closed")
    if len(first) < _LENGTH.size + head:
        first += _read_exactly(fd, _LENGTH.size + head - len(first))
    (size,) = _LENGTH.unpack_from(first)
    start = _LENGTH.size + head
    missing = _LENGTH.size + size - len(first)
    if missing < 0:
        raise EOFError("the pipe carried more than one frame")
    body = first[start:]
    if missing:
        body = b"".join((body, _read_exactly(fd, missing)))
    return first[_LENGTH.size : start], body


def send_reply(fd: int, reply: Reply) -> None:
    count = -1 if reply.count is None else reply.count
    head = HEAD.pack(OK, KINDS.index(reply.kind), FORMATS.index(reply.fmt), reply.truncated, count)
    send_frame(fd, head, reply.body)


def send_status(fd: int, status: bytes, payload: bytes = b"") -> None:
    send_frame(fd, HEAD.pack(status, 0, 0, False, -1), payload)


def read_reply(fd: int) -> Reply:
    """The worker's answer to a job: a :class:`Reply`, or its error raised here."""
    head, body = recv_frame(fd, HEAD.size)
    status, kind, fmt, truncated, count = HEAD.unpack(head)
    if status == ERROR:
        raise pickle.loads(body)
    if status != OK:
        raise EOFError(f"unexpected message from a query worker: {status!r}")
    return Reply(KINDS[kind], FORMATS[fmt], body, truncated, None if count < 0 else count)


def read_plan(fd: int) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """The worker's answer to an :class:`~.update.UpdateJob`: ``(add, remove)``, or its error
    raised here."""
    head, body = recv_frame(fd, HEAD.size)
    status = HEAD.unpack(head)[0]
    if status == ERROR:
        raise pickle.loads(body)
    if status != PLAN:
        raise EOFError(f"unexpected message from an update worker: {status!r}")
    return pickle.loads(body)


def _plan(fd: int, job) -> None:
    from .update import plan_update_at

    try:
        add, remove = plan_update_at(job)
    except AigraphError as err:
        send_status(fd, ERROR, pickle.dumps(err))
        return
    send_status(fd, PLAN, pickle.dumps((add, remove), pickle.HIGHEST_PROTOCOL))


def open_snapshot(path: str, memory: bool = False) -> ox.Store:
    """The read-only snapshot at ``path``, or (``memory``) an in-memory copy of it."""
    disk = ox.Store.read_only(path)
    if not memory:
        return disk
    mem = ox.Store()
    mem.bulk_extend(disk.quads_for_pattern(None, None, None, None))
    return mem


def main(conn: Connection, memory: bool = False, network: bool = False) -> None:
    """Answer jobs from the pipe ``conn``: without ``network``, first cut this process off
    every network (before any store is open or thread started; see :mod:`.sandbox`)."""
    if not network:
        sandbox.isolate_network()
    fd = conn.fileno()
    load_extensions()
    send_status(fd, READY)
    path: str | None = None
    store: ox.Store | None = None
    functions: dict | None = None
    while True:
        try:
            _, message = recv_frame(fd)
        except (EOFError, OSError):
            return
        if not message:
            return
        snapshot, job = pickle.loads(message)
        if getattr(job, "kind", None) == "update":
            _plan(fd, job)
            continue
        if snapshot != path:
            store = functions = None  # release the old snapshot before opening the new one
            store = open_snapshot(snapshot, memory)
            functions = extension_functions(store)
            path = snapshot
        if job is None:  # only switch snapshots
            send_status(fd, READY)
            continue
        try:
            assert store is not None
            reply = evaluate(store, job, functions)
        except AigraphError as err:
            send_status(fd, ERROR, pickle.dumps(err))
            continue
        send_reply(fd, reply)
