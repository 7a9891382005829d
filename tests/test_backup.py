"""Backup and restore: a consistent copy with its manifest, and a restore that is all or nothing.

The round trips compare every quad (curated store) or the quad count and the count of each
graph (H2020 store, slow) before the backup and after the restore.
"""

from __future__ import annotations

import gc
import json
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from aigraph import __version__
from aigraph.backup import MANIFEST, Manifest, backup, restore
from aigraph.cli import main
from aigraph.errors import InputError, StoreBusy
from aigraph.store import Store, graph_counts

G = ox.NamedNode("http://example.org/graph/after-backup")
#: real data shipped in the repository (data/open/README.md)
H2020 = Path(__file__).resolve().parents[1] / "data/open/cordis/h2020-participations-eunets.csv.gz"


def _quads(store: Store) -> set:
    return set(store.ox.quads_for_pattern(None, None, None, None))


def _snapshot(path: Path) -> tuple[set, dict[str, int]]:
    store = Store(path, read_only=True)
    return _quads(store), graph_counts(store.ox)


def _change(path: Path) -> None:
    """Add a graph and drop a curated one: a store that differs from the backup."""
    store = Store(path)
    store.write(
        add=[
            ox.Quad(
                ox.NamedNode("http://example.org/x"),
                ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                ox.Literal("added after the backup"),
                G,
            )
        ],
        validate=False,
    )
    catalog = ox.NamedNode("https://w3id.org/aigraph/graph/curated/s7-hub-france-ia-launch")
    store.write(remove=list(store.ox.quads_for_pattern(None, None, None, catalog)), validate=False)
    del store
    gc.collect()


def test_round_trip_on_the_curated_store(store_dir, tmp_path):
    quads, counts = _snapshot(store_dir)
    manifest = backup(store_dir, tmp_path / "backup")
    assert manifest.method == "checkpoint"
    assert manifest.quads == len(quads) and manifest.graphs == counts
    on_disk = json.loads((tmp_path / "backup" / MANIFEST).read_text())
    assert on_disk["quads"] == len(quads) and on_disk["graphs"] == counts
    assert on_disk["aigraph_version"] == __version__ and on_disk["created"]
    _change(store_dir)
    assert _snapshot(store_dir)[0] != quads
    restore(tmp_path / "backup", store_dir)
    assert _snapshot(store_dir) == (quads, counts)
    # the restored store takes writes, and the backup is untouched by them
    _change(store_dir)
    restore(tmp_path / "backup", tmp_path / "elsewhere")
    assert _snapshot(tmp_path / "elsewhere") == (quads, counts)


def test_backup_beside_a_process_holding_the_store(store_dir, tmp_path):
    holder = Store(store_dir)  # as a running server does
    quads = _quads(holder)
    manifest = backup(store_dir, tmp_path / "backup")
    assert manifest.method == "copy" and manifest.quads == len(quads)
    with pytest.raises(StoreBusy, match="stop it before restoring"):
        restore(tmp_path / "backup", store_dir)
    del holder
    gc.collect()
    restore(tmp_path / "backup", tmp_path / "restored")
    assert _snapshot(tmp_path / "restored")[0] == quads


def test_a_backup_that_does_not_match_its_manifest_is_refused(store_dir, tmp_path):
    backup(store_dir, tmp_path / "backup")
    path = tmp_path / "backup" / MANIFEST
    doc = json.loads(path.read_text())
    doc["quads"] += 1
    path.write_text(json.dumps(doc))
    _change(store_dir)
    before = _snapshot(store_dir)
    with pytest.raises(InputError, match="does not match its manifest"):
        restore(tmp_path / "backup", store_dir)
    assert _snapshot(store_dir) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".store.")] == [".store.lock"]


@pytest.mark.parametrize("damage", ["no CURRENT", "truncated tables"])
def test_a_damaged_backup_is_refused(store_dir, tmp_path, damage):
    backup(store_dir, tmp_path / "backup")
    data = tmp_path / "backup" / "store"
    if damage == "no CURRENT":
        (data / "CURRENT").unlink()
    else:
        for sst in data.glob("*.sst"):
            content = sst.read_bytes()
            sst.unlink()  # a hard link to the live store's file: replace it, do not write it
            sst.write_bytes(content[: len(content) // 2])
    before = _snapshot(store_dir)
    with pytest.raises(InputError):
        restore(tmp_path / "backup", store_dir)
    assert _snapshot(store_dir) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".store.")] == [".store.lock"]


def test_bad_targets_and_sources_are_named(store_dir, tmp_path, capsys):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    assert main(["backup", "--store", str(store_dir), str(tmp_path / "full")]) == 2
    assert "full" in capsys.readouterr().err
    assert main(["restore", "--store", str(store_dir), str(tmp_path / "full")]) == 2
    assert "not an aigraph backup" in capsys.readouterr().err
    assert main(["backup", "--store", str(tmp_path / "none"), str(tmp_path / "b")]) == 2
    assert "no store at" in capsys.readouterr().err
    with pytest.raises(InputError, match="format"):
        (tmp_path / "fake").mkdir()
        (tmp_path / "fake" / MANIFEST).write_text('{"format": "something else"}')
        Manifest.read(tmp_path / "fake")


def test_backup_and_restore_from_the_command_line(store_dir, tmp_path, capsys):
    quads, counts = _snapshot(store_dir)
    assert main(["backup", "--store", str(store_dir), str(tmp_path / "b")]) == 0
    assert f"{len(quads)} quads" in capsys.readouterr().err
    _change(store_dir)
    assert main(["restore", "--store", str(store_dir), str(tmp_path / "b")]) == 0
    assert _snapshot(store_dir) == (quads, counts)


@pytest.mark.slow
def test_round_trip_on_the_h2020_store(tmp_path):
    """The 1.36 M-quad H2020 store: counts identical after backup and restore (times shown)."""
    from aigraph.importers.cordis_participations import import_participations

    csv = H2020
    path = tmp_path / "store"
    store = Store(path)
    store.init()
    import_participations(store, csv)
    expected = (len(store), graph_counts(store.ox))
    assert expected[0] > 1_300_000
    del store
    gc.collect()
    t0 = time.perf_counter()
    offline = backup(path, tmp_path / "offline")
    t_offline = time.perf_counter() - t0
    holder = Store(path)  # as a running server holds it: the backup copies a read-only view
    t0 = time.perf_counter()
    online = backup(path, tmp_path / "online")
    t_online = time.perf_counter() - t0
    assert (offline.method, online.method) == ("checkpoint", "copy")
    assert (offline.quads, offline.graphs) == expected == (online.quads, online.graphs)
    t0 = time.perf_counter()
    restore(tmp_path / "online", tmp_path / "restored")
    t_restore = time.perf_counter() - t0
    restored = Store(tmp_path / "restored", read_only=True)
    assert (len(restored), graph_counts(restored.ox)) == expected
    del holder
    gc.collect()
    t0 = time.perf_counter()
    restore(tmp_path / "offline", path)
    t_restore_live = time.perf_counter() - t0
    live = Store(path, read_only=True)
    assert (len(live), graph_counts(live.ox)) == expected
    print(
        f"\nH2020 ({expected[0]} quads): backup {t_offline:.2f} s (checkpoint), "
        f"{t_online:.2f} s (copy beside a holder); restore {t_restore:.2f} s (new store), "
        f"{t_restore_live:.2f} s (over the store)"
    )
