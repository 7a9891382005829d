"""A full disk is bad luck, not a bug: the write fails with a clear error (exit 2, HTTP 507),
the store is left as it was, and the next write works once there is space, without a restart.

The portable tests inject RocksDB's own error (an ``OSError`` carrying "No space left on
device", raised again on every write until the database is reopened, as RocksDB does). As root
on Linux, the last tests fill a real, small tmpfs.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import gc
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

import aigraph.store as store_module
from aigraph.cli import main
from aigraph.errors import StorageFull, StoreWriteError
from aigraph.store import Store

FIX = Path(__file__).parent / "fixtures" / "rdf"
G = ox.NamedNode("http://example.org/graph/full-disk")
ENOSPC = "IO error: No space left on device: While appending to file: 000042.log: No space left"


def _quad(i: int) -> ox.Quad:
    return ox.Quad(
        ox.NamedNode(f"http://example.org/thing/{i}"),
        ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
        ox.Literal(f"thing {i}"),
        G,
    )


def _quads(store: Store) -> set:
    return set(store.ox.quads_for_pattern(None, None, None, None))


def _raise(message: str, err: int | None, *args, **kwargs):
    raise OSError(err, message) if err else OSError(message)


class StickyFailure:
    """A pyoxigraph store whose writes fail as RocksDB's do after an I/O error: every time,
    until the database is closed and opened again. Reads go through."""

    WRITES = frozenset({"extend", "update", "add", "remove", "bulk_extend", "flush", "backup"})

    def __init__(self, real: ox.Store, message: str = ENOSPC, err: int | None = None):
        self._real, self._message, self._errno = real, message, err

    def __getattr__(self, name: str):
        if name in self.WRITES:
            # the raising function holds no reference to the database (a traceback keeps the
            # frames of the functions it went through alive, and so what they refer to)
            return functools.partial(_raise, self._message, self._errno)
        return getattr(self._real, name)

    def __len__(self) -> int:
        return len(self._real)

    def __contains__(self, quad) -> bool:
        return quad in self._real


def _break(store: Store, **kw) -> None:
    store._ox = StickyFailure(store.ox, **kw)  # type: ignore[assignment]


def test_a_write_on_a_full_disk_is_a_clear_error_and_changes_nothing(store_dir):
    store = Store(store_dir)
    before = _quads(store)
    _break(store)
    with pytest.raises(StorageFull) as info:
        store.write(add=[_quad(1)])
    assert "no space left" in str(info.value) and "unchanged" in str(info.value)
    assert info.value.exit_code == 2 and info.value.status == 507
    assert _quads(store) == before
    # space is back: the same Store object writes again (the database was reopened)
    result = store.write(add=[_quad(1)])
    assert result.after == len(before) + 1 and _quad(1) in store.ox


def test_a_removal_on_a_full_disk_changes_nothing(store_dir):
    store = Store(store_dir)
    store.write(add=[_quad(1), _quad(2)])
    before = _quads(store)
    _break(store)
    with pytest.raises(StorageFull):
        store.write(add=[_quad(3)], remove=[_quad(1)])
    assert _quads(store) == before
    store.write(add=[_quad(3)], remove=[_quad(1)])
    assert _quad(3) in store.ox and _quad(1) not in store.ox


def test_a_read_holding_the_old_database_delays_the_reopen_only(store_dir):
    """In the server, a read in progress may still hold the database when a write fails: the
    store answers reads meanwhile, refuses writes with a clear error, and writes again once
    that read is done."""
    store = Store(store_dir)
    before = _quads(store)
    reading = store.ox  # a read in progress keeps this handle (and RocksDB's lock) alive
    _break(store)
    with pytest.raises(StorageFull):
        store.write(add=[_quad(1)])
    assert _quads(store) == before  # reads go on (through a read-only handle)
    with pytest.raises(StoreWriteError, match="try the write again"):
        store.write(add=[_quad(1)])
    del reading
    gc.collect()
    store.write(add=[_quad(1)])
    assert _quad(1) in store.ox and len(_quads(store)) == len(before) + 1


def test_other_io_errors_are_a_write_error_not_an_internal_error(store_dir):
    store = Store(store_dir)
    before = _quads(store)
    _break(store, message="IO error: Input/output error", err=errno.EIO)
    with pytest.raises(StoreWriteError) as info:
        store.write(add=[_quad(1)])
    assert not isinstance(info.value, StorageFull) and "unchanged" in str(info.value)
    assert _quads(store) == before
    store.write(add=[_quad(1)])
    assert _quad(1) in store.ox


class _FailingStaging:
    """pyoxigraph as the store module sees it, except that the private copy a large write is
    bulk-loaded into (``.NAME.staging``) runs out of space half-way."""

    def __init__(self, real):
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)

    def Store(self, path=None):  # noqa: N802 - stands in for pyoxigraph.Store
        if path is None:
            return self._real.Store()
        real = self._real.Store(path)
        if not path.endswith(".staging"):
            return real

        class HalfFull(StickyFailure):
            def __getattr__(self, name):
                if name == "bulk_extend":

                    def half(quads):
                        quads = list(quads)
                        real.bulk_extend(quads[: len(quads) // 2])
                        raise OSError(ENOSPC)

                    return half
                return super().__getattr__(name)

        return HalfFull(real)


def test_a_large_write_failing_in_its_bulk_load_leaves_the_store_and_no_debris(
    store_dir, monkeypatch
):
    monkeypatch.setattr(store_module, "SWAP_THRESHOLD", 10)  # the checkpoint + rename path
    store = Store(store_dir)
    before = _quads(store)
    with monkeypatch.context() as m:
        m.setattr(store_module, "ox", _FailingStaging(ox))
        with pytest.raises(StorageFull):
            store.write(add=[_quad(i) for i in range(50)])
    assert _quads(store) == before
    leftovers = [p.name for p in store_dir.parent.iterdir() if p.name.startswith(".store.")]
    assert leftovers == [".store.lock"]
    store.write(add=[_quad(i) for i in range(50)])
    assert len(_quads(store)) == len(before) + 50
    assert len(_quads(Store(store_dir, read_only=True))) == len(before) + 50  # on disk


def test_the_command_line_exits_2_with_the_reason(store_dir, monkeypatch, capsys):
    real_open = Store.open

    def full_disk_store(path, *, write=True):
        store = real_open(path, write=write)
        _break(store)
        return store

    monkeypatch.setattr(Store, "open", staticmethod(full_disk_store))
    code = main(["load", "--store", str(store_dir), str(FIX / "valid-organisation.ttl")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "no space left on the device" in err and "internal error" not in err


def test_the_service_answers_507_and_takes_writes_again(store_dir):
    from fastapi.testclient import TestClient

    from aigraph.api import create_app
    from aigraph.config import Settings

    store = Store(store_dir)
    before = _quads(store)
    insert = (
        'INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/x> rdfs:label "x" } }'
    )
    auth = {"authorization": "Bearer full-disk"}
    with TestClient(create_app(Settings(write_token="full-disk", workers=0), store)) as client:
        _break(store)
        r = client.post("/update", data={"update": insert}, headers=auth)
        assert r.status_code == 507, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "no space left" in r.json()["detail"]
        assert _quads(store) == before
        r = client.post("/update", data={"update": insert}, headers=auth)
        assert r.status_code == 200, r.text
        assert len(_quads(store)) == len(before) + 1


# ------------------------------------------------------------------- a real full disk (root)
@pytest.fixture
def small_disk(tmp_path) -> Path:
    """A 24 MB tmpfs (root on Linux only), unmounted afterwards."""
    if sys.platform != "linux" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a real full disk needs root on Linux (to mount a small tmpfs)")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path) -> Path:
    ballast = disk / "ballast"
    with contextlib.suppress(OSError), open(ballast, "wb") as f:  # close may fail too
        while True:
            f.write(b"\0" * 65536)
            f.flush()
    with contextlib.suppress(OSError), open(disk / "crumbs", "wb") as f:
        while True:  # the last few bytes too
            f.write(b"\0" * 512)
            f.flush()
    return ballast


@pytest.mark.parametrize("large", [False, True], ids=["transaction", "checkpoint-and-swap"])
def test_a_real_full_disk(initialised_store_dir, small_disk, monkeypatch, large):
    if large:
        monkeypatch.setattr(store_module, "SWAP_THRESHOLD", 10)
    path = small_disk / "store"
    shutil.copytree(initialised_store_dir, path)
    store = Store(path)
    before = _quads(store)
    add = [_quad(i) for i in range(2000)]
    ballast = _fill(small_disk)
    with pytest.raises(StorageFull) as info:
        store.write(add=add)
    assert "no space left" in str(info.value)
    assert _quads(store) == before
    assert not [p for p in small_disk.iterdir() if p.name.startswith(".store.s")]
    with pytest.raises(StorageFull):  # still full: still refused, still unchanged
        store.write(add=add)
    ballast.unlink()
    (small_disk / "crumbs").unlink()
    result = store.write(add=add)  # no restart
    assert result.after == len(before) + len(add)
    assert len(_quads(Store(path, read_only=True))) == len(before) + len(add)  # on disk


def test_a_real_full_disk_from_the_command_line(initialised_store_dir, small_disk, capsys):
    path = small_disk / "store"
    shutil.copytree(initialised_store_dir, path)
    ballast = _fill(small_disk)
    argv = ["load", "--store", str(path), str(FIX / "valid-organisation.ttl")]
    assert main(argv) == 2
    assert "no space left" in capsys.readouterr().err
    backup = ["backup", "--store", str(path), str(small_disk / "backup")]
    ballast.unlink()
    assert main(argv) == 0
    (small_disk / "crumbs").unlink()
    capsys.readouterr()
    _fill(small_disk)
    code = main(backup)
    err = capsys.readouterr().err
    assert code in (0, 2), err  # a checkpoint on the same disk is hard links: it may fit
    if code == 2:
        assert "no space left" in err and not (small_disk / "backup").exists()
        assert not [p for p in small_disk.iterdir() if ".partial-" in p.name]
