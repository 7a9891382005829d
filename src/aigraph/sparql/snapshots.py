"""Read-only snapshots of the on-disk store for the query workers.

``Store.ox.backup`` makes a RocksDB checkpoint: hard links to the immutable SST files, so it is
cheap and, unlike opening the live store read-only while it is written, well defined. After each
committed write the service takes a new snapshot; workers switch on their next job; a snapshot
no worker holds any more is deleted.
"""

from __future__ import annotations

import shutil
import threading

from ..errors import InputError
from ..store import Store


class Snapshots:
    def __init__(self, store: Store):
        if store.path is None:
            raise InputError("snapshots need an on-disk store")
        self.store = store
        self.root = store.path.parent / f".{store.path.name}.snapshots"
        shutil.rmtree(self.root, ignore_errors=True)  # leftovers of an earlier run
        self.root.mkdir(parents=True)
        self._lock = threading.Lock()
        self._generation = 0
        self.current = self._take()

    def _take(self) -> str:
        self._generation += 1
        target = self.root / f"gen-{self._generation:06d}"
        self.store.ox.flush()
        self.store.ox.backup(str(target))
        return str(target)

    @property
    def generation(self) -> int:
        return self._generation

    def refresh(self) -> str:
        """Take a new snapshot of the live store and make it current."""
        with self._lock:
            self.current = self._take()
            return self.current

    def prune(self, in_use: set[str]) -> None:
        """Delete the snapshots that are neither current nor held by a worker."""
        with self._lock:
            keep = in_use | {self.current}
            for path in self.root.iterdir():
                if str(path) not in keep:
                    shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


__all__ = ["Snapshots"]
