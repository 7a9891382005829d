"""The body of a query worker process: open a read-only snapshot, answer jobs until told to stop.

A worker is expendable: the parent kills it (SIGKILL) when a query passes its deadline, which
is the only way to stop pyoxigraph mid-query, and starts another.
"""

from __future__ import annotations

import importlib
import importlib.util
from multiprocessing.connection import Connection

import pyoxigraph as ox

from ..errors import AigraphError
from .results import evaluate

#: feature modules that register SPARQL extension functions when imported
EXTENSION_MODULES = ("aigraph.analytics",)


def load_extensions() -> None:
    for name in EXTENSION_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def main(conn: Connection) -> None:
    load_extensions()
    conn.send(("ready", None))
    path: str | None = None
    store: ox.Store | None = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        snapshot, job = message
        if snapshot != path:
            store = None  # release the old snapshot before opening the new one
            store = ox.Store.read_only(snapshot)
            path = snapshot
        if job is None:  # only switch snapshots
            conn.send(("ok", None))
            continue
        try:
            assert store is not None
            conn.send(("ok", evaluate(store, job)))
        except AigraphError as err:
            conn.send(("error", err))
