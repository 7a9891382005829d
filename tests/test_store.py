"""The store: validated atomic writes, idempotent loads, persistence, lossless export."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic

from aigraph.errors import NonConformingError, RdfSyntaxError
from aigraph.store import Store

FIX = Path(__file__).parent / "fixtures" / "rdf"
HFI = "https://w3id.org/aigraph/id/organisation/hub-france-ia"


def _quads(store: Store) -> set:
    return set(store.ox.quads_for_pattern(None, None, None, None))


def test_init_is_idempotent(memory_store):
    before = _quads(memory_store)
    result = memory_store.init()
    assert result.after == result.before == len(before)
    assert _quads(memory_store) == before


def test_init_loads_ontology_vocabularies_and_curated_graphs(memory_store):
    graphs = memory_store.named_graphs()
    assert "https://w3id.org/aigraph/graph/ontology" in graphs
    assert "https://w3id.org/aigraph/graph/vocabulary" in graphs
    assert "https://w3id.org/aigraph/graph/catalog" in graphs
    assert any(g.startswith("https://w3id.org/aigraph/graph/curated/") for g in graphs)


def test_loading_the_same_file_twice_changes_nothing(memory_store):
    memory_store.load_files([FIX / "blank-nodes.ttl"], graph="http://example.org/g")
    once = _quads(memory_store)
    memory_store.load_files([FIX / "blank-nodes.ttl"], graph="http://example.org/g")
    assert _quads(memory_store) == once


def test_nonconforming_load_is_rejected_whole_with_report(memory_store):
    before = _quads(memory_store)
    with pytest.raises(NonConformingError) as info:
        memory_store.load_files(
            [FIX / "valid-organisation.ttl", FIX / "invalid-agreement.ttl"],
            graph="http://example.org/g",
        )
    report = info.value.report
    assert not report.conforms
    focus = {r.focus_node for r in report.results}
    assert "http://example.org/agreement/lonely" in focus
    assert any("AgreementShape" in r.source_shape for r in report.results)
    assert _quads(memory_store) == before  # the valid file was not loaded either


def test_syntax_error_leaves_store_unchanged(memory_store):
    before = _quads(memory_store)
    with pytest.raises(RdfSyntaxError):
        memory_store.load_files([FIX / "plain.nt", FIX / "syntax-error.ttl"])
    assert _quads(memory_store) == before


def test_removal_that_breaks_a_shape_is_refused(memory_store):
    """Removing one party of the founding agreement would leave it with one: refused."""
    party = ox.NamedNode("https://w3id.org/aigraph/ontology#hasParty")
    founding = ox.NamedNode(
        "https://w3id.org/aigraph/id/agreement/hub-france-ia-ki-bundesverband-2025"
    )
    quads = list(memory_store.ox.quads_for_pattern(founding, party, ox.NamedNode(HFI), None))
    assert quads, "the curated agreement names Hub France IA as a party"
    before = _quads(memory_store)
    with pytest.raises(NonConformingError):
        memory_store.write(remove=quads[:1])
    assert _quads(memory_store) == before


def test_on_disk_store_survives_reopening(tmp_path):
    path = tmp_path / "s"
    store = Store(path)
    store.load_files([FIX / "valid-organisation.ttl"], graph="http://example.org/g")
    n = len(store)
    del store
    reopened = Store(path)
    assert len(reopened) == n > 0


def test_export_round_trips_losslessly(memory_store):
    for fmt in ("nquads", "trig"):
        data = memory_store.export(fmt)
        copy = Store()
        copy.ox.load(data, ox.RdfFormat.N_QUADS if fmt == "nquads" else ox.RdfFormat.TRIG)
        assert _quads(copy) == _quads(memory_store)
        original, restored = Dataset(), Dataset()
        original.parse(data=memory_store.export("nquads"), format="nquads")
        restored.parse(data=data, format="nquads" if fmt == "nquads" else "trig")
        for g in original.graphs():
            assert isomorphic(g, restored.graph(g.identifier)), g.identifier


def test_stats_count_graphs_and_classes(memory_store):
    stats = memory_store.stats()
    assert stats["quads"] == len(memory_store)
    assert sum(stats["graphs"].values()) == stats["quads"]
    assert stats["classes"]["https://w3id.org/aigraph/ontology#CooperationAgreement"] >= 1


def test_crash_mid_load_leaves_the_old_state(tmp_path):
    """Kill a process while it commits a large load: the store is old or new, never half."""
    path = tmp_path / "s"
    Store(path).load_files([FIX / "valid-organisation.ttl"], graph="http://example.org/g")
    baseline = len(Store(path))
    big = tmp_path / "big.nt"
    with big.open("w") as f:
        for i in range(300_000):
            f.write(f'<http://example.org/n{i}> <http://example.org/p> "{i}" .\n')
    script = textwrap.dedent(
        f"""
        import sys
        from aigraph.store import Store
        s = Store({str(path)!r})
        print("ready", flush=True)
        s.load_files([{str(big)!r}], graph="http://example.org/big", validate=False)
        print("done", flush=True)
        """
    )
    for delay in (0.3, 0.8, 1.5):
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        n = len(Store(path))
        assert n in (baseline, baseline + 300_000), f"half-written store: {n} quads"
        if n != baseline:
            break


def test_large_write_interrupted_after_its_commit_point_is_finished_on_reopen(tmp_path):
    """A large on-disk write switches to a bulk-loaded copy; a crash right after the commit
    point (the rename of the copy) is rolled forward the next time the store is opened."""
    path = tmp_path / "s"
    Store(path).load_files([FIX / "valid-organisation.ttl"], graph="http://example.org/g")
    baseline = len(Store(path))
    script = textwrap.dedent(
        f"""
        import os
        import pyoxigraph as ox
        from aigraph import store as st
        st.SWAP_THRESHOLD = 10
        st.Store._recover = lambda self: os._exit(9) if self._aside("committed").exists() else None
        s = st.Store({str(path)!r})
        quads = [ox.Quad(ox.NamedNode(f"http://example.org/n{{i}}"),
                         ox.NamedNode("http://example.org/p"), ox.Literal(str(i)),
                         ox.NamedNode("http://example.org/big")) for i in range(50)]
        s.write(add=quads, validate=False)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script])
    assert proc.returncode == 9  # died between the commit point and the switch
    assert (tmp_path / ".s.committed").is_dir()
    assert len(Store(path)) == baseline + 50
    assert not (tmp_path / ".s.committed").exists()
    assert not (tmp_path / ".s.old").exists()


def test_large_write_is_validated_and_rejected_whole(tmp_path, monkeypatch):
    from aigraph import store as st

    monkeypatch.setattr(st, "SWAP_THRESHOLD", 5)
    store = Store(tmp_path / "s")
    store.init()
    before = _quads(store)
    with pytest.raises(NonConformingError):
        store.load_files(
            [FIX / "valid-organisation.ttl", FIX / "invalid-agreement.ttl"],
            graph="http://example.org/g",
        )
    assert _quads(store) == before
    store.load_files([FIX / "valid-organisation.ttl"], graph="http://example.org/g")
    assert len(store) > len(before)
    assert not (tmp_path / ".s.staging").exists() and not (tmp_path / ".s.committed").exists()


def test_a_value_removed_and_re_added_in_another_lexical_form_stays():
    """Oxigraph stores "0.0"^^xsd:double as "0": replacing a value by an equal one must keep it."""
    store = Store()
    g = ox.NamedNode("http://example.org/g")
    s, p = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")
    double = ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")
    store.write(add=[ox.Quad(s, p, ox.Literal("0.0", datatype=double), g)], validate=False)
    [stored] = list(store.ox.quads_for_pattern(s, p, None, g))
    store.write(
        add=[ox.Quad(s, p, ox.Literal("0.0", datatype=double), g)], remove=[stored], validate=False
    )
    assert len(list(store.ox.quads_for_pattern(s, p, None, g))) == 1
