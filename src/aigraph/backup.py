"""Backups of an on-disk store, and restoring one: all or nothing both ways.

A backup is a directory holding ``store/`` (an Oxigraph store, which :class:`~aigraph.store.Store`
opens as it is) and ``manifest.json``: format, aigraph and pyoxigraph versions, creation time,
how it was made, the number of quads and the quads of each graph.

How it is made depends on who holds the store:

- **nobody** (no server running): RocksDB's own checkpoint of the store, taken by the engine
  while holding the store's writer lock, so it is consistent; on the same file system it
  hard-links the immutable table files and takes a fraction of a second (``method:
  checkpoint``);
- **a running** ``aigraph serve``: the store is opened read-only, which shows it as of its last
  committed write, and that view is copied into a new store with the bulk loader (``method:
  copy``), then counted against the view. A checkpoint of a read-only view is not used: it
  leaves out what the server has not yet flushed, and a flush is not atomic across the store's
  column families, so such a checkpoint could hold half a write.

Either way the backup is built under a temporary name beside ``target`` and renamed into place
only once complete and counted: ``target`` holds a whole backup or nothing.

A restore copies ``store/`` beside the live store (hard links for the table files), opens the
copy and checks its counts against the manifest, then switches it in through the store's own
commit point (see :meth:`aigraph.store.Store.replace_with`). It needs the store's writer lock,
so it refuses to run while a server holds the store.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError, StoreBusy, StoreWriteError
from .store import Store, graph_counts, is_disk_full, storage_error

MANIFEST = "manifest.json"
DATA = "store"
FORMAT = "aigraph-backup/1"
#: attempts at copying a read-only view (a server compacting its files can remove one under it)
COPY_ATTEMPTS = 3


@dataclass
class Manifest:
    """What a backup holds, written beside it as ``manifest.json``."""

    quads: int
    graphs: dict[str, int]
    created: str
    method: str
    aigraph_version: str
    pyoxigraph_version: str
    format: str = FORMAT
    source: str = ""
    seconds: float = field(default=0.0, compare=False)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST
        if not path.is_file():
            raise InputError(f"{directory} is not an aigraph backup: no {MANIFEST} in it")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise InputError(f"{path}: backup format {data.get('format')!r} is not {FORMAT!r}")
            manifest = cls(**data)
        except (ValueError, TypeError, AttributeError) as err:
            raise InputError(f"{path} is not a valid backup manifest: {err}") from None
        if not isinstance(manifest.graphs, dict) or not isinstance(manifest.quads, int):
            raise InputError(f"{path} is not a valid backup manifest: quads or graphs missing")
        return manifest


def _versions() -> tuple[str, str]:
    from importlib.metadata import version

    from . import __version__

    return __version__, version("pyoxigraph")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def _counts(store: ox.Store) -> tuple[int, dict[str, int]]:
    return len(store), graph_counts(store)


def _copy_view(view: Store, target: Path) -> tuple[int, dict[str, int]]:
    """Copy a read-only view into a new store at ``target`` and check the copy against it."""
    expected = _counts(view.ox)
    copy = ox.Store(str(target))
    try:
        copy.bulk_extend(view.ox.quads_for_pattern(None, None, None, None))
        copy.flush()
        found = _counts(copy)
    finally:
        del copy
    if found != expected:
        raise StoreWriteError(
            f"the copy of the store holds {found[0]} quads where the store held {expected[0]}: "
            "no backup was made"
        )
    return found


def backup(store_path: str | Path, target: str | Path) -> Manifest:
    """Back the store at ``store_path`` up into the new directory ``target`` (see the module
    documentation); works beside a running ``aigraph serve``."""
    started = dt.datetime.now()
    store_path, target = Path(store_path), Path(target)
    if not store_path.is_dir():
        raise InputError(f"no store at {store_path}")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(f"{target} already exists and is not empty: give a new directory")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    except OSError as err:
        raise storage_error(err, f"creating {target}", "no backup was made") from None
    try:
        method, (quads, graphs) = _make(store_path, work / DATA)
        aigraph_version, ox_version = _versions()
        manifest = Manifest(
            quads=quads,
            graphs=graphs,
            created=_now(),
            method=method,
            aigraph_version=aigraph_version,
            pyoxigraph_version=ox_version,
            source=str(store_path.resolve()),
        )
        manifest.seconds = round((dt.datetime.now() - started).total_seconds(), 2)
        (work / MANIFEST).write_text(json.dumps(manifest.to_json(), indent=2) + "\n")
        os.replace(work, target)  # a whole backup at target, or none
    except OSError as err:
        raise storage_error(err, f"writing the backup {target}", "no backup was made") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return manifest


def _make(store_path: Path, data: Path) -> tuple[str, tuple[int, dict[str, int]]]:
    store = Store.open(store_path, write=False)
    if not store.read_only:
        store.checkpoint(data)
        del store  # release the store before counting the copy
        return "checkpoint", _counts(ox.Store.read_only(str(data)))
    last: Exception | None = None
    for _ in range(COPY_ATTEMPTS):
        try:
            return "copy", _copy_view(store, data)
        except (OSError, RuntimeError) as err:  # RuntimeError: RocksDB's "Corruption"
            if is_disk_full(err):
                raise
            last = err  # a file the server compacted away under the view: open it again
            shutil.rmtree(data, ignore_errors=True)
            store = Store.open(store_path, write=False)
    raise StoreWriteError(
        f"the store at {store_path} kept changing under the backup ({last}): no backup was made"
    )


def restore(source: str | Path, store_path: str | Path) -> Manifest:
    """Replace the store at ``store_path`` by the backup in ``source``, all or nothing: the
    backup is copied beside the store and checked against its manifest before the switch.
    Refused (:class:`StoreBusy`) while another process, such as a server, holds the store."""
    source, store_path = Path(source), Path(store_path)
    manifest = Manifest.read(source)
    data = source / DATA
    if not data.is_dir():
        raise InputError(f"{source} is not an aigraph backup: no {DATA}/ in it")
    try:
        store = Store.open(store_path, write=True)
    except StoreBusy:
        raise StoreBusy(
            f"the store at {store_path} is held by another process, probably a running "
            "`aigraph serve`: stop it before restoring, since a restore replaces the whole store"
        ) from None

    def check(copy: ox.Store) -> str | None:
        quads, graphs = _counts(copy)
        if quads == manifest.quads and graphs == manifest.graphs:
            return None
        differ = sorted(
            g for g in set(graphs) | set(manifest.graphs) if graphs.get(g) != manifest.graphs.get(g)
        )
        return (
            f"the backup {source} does not match its manifest ({quads} quads, "
            f"{manifest.quads} listed; graphs that differ: {', '.join(differ) or 'none'})"
        )

    store.replace_with(data, check)
    return manifest


__all__ = ["Manifest", "backup", "restore", "MANIFEST", "FORMAT"]
