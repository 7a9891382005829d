"""``aigraph network ...`` on the hand-made network (tests/analytics/test_hand_made.py has the
hand computations)."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from aigraph.cli import main
from aigraph.store import Store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "network" / "hand-made.trig"
ORG = "https://w3id.org/aigraph/id/organisation/test-"


@pytest.fixture
def store_arg(tmp_path) -> list[str]:
    path = tmp_path / "store"
    store = Store(path)
    store.ox.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)  # analytics, not validation
    store.close()
    del store
    gc.collect()
    return ["--store", str(path)]


def out_json(capsys):
    return json.loads(capsys.readouterr().out)


def test_summary_json(store_arg, capsys):
    assert (
        main(
            [
                "network",
                "summary",
                "--projection",
                "co-participation",
                "--format",
                "json",
                *store_arg,
            ]
        )
        == 0
    )
    s = out_json(capsys)
    assert {"nodes", "edges", "components", "largest_component", "modularity"} <= set(s)
    assert (s["nodes"], s["edges"], s["components"], s["largest_component"]) == (6, 6, 2, 5)
    assert s["modularity"] == pytest.approx(6 / 49)


def test_filters_from_the_command_line(store_arg, capsys):
    assert (
        main(
            [
                "network",
                "summary",
                "--format",
                "json",
                "--from",
                "2019-01-01",
                "--to",
                "2020-12-31",
                *store_arg,
            ]
        )
        == 0
    )
    assert out_json(capsys)["edges"] == 3
    assert (
        main(
            [
                "network",
                "summary",
                "--format",
                "json",
                "--country",
                "FRA",
                "--country",
                "DEU",
                *store_arg,
            ]
        )
        == 0
    )
    assert out_json(capsys)["edges"] == 4
    assert main(["network", "summary", "--format", "json", "--from", "2020-13-01", *store_arg]) == 2


def test_metrics(store_arg, capsys):
    assert (
        main(
            [
                "network",
                "metrics",
                "-m",
                "degree",
                "-m",
                "betweenness",
                "--format",
                "json",
                *store_arg,
            ]
        )
        == 0
    )
    rows = out_json(capsys)
    assert rows[0]["id"] == ORG + "c" and rows[0]["degree"] == 4
    assert rows[0]["betweenness"] == pytest.approx(0.4)


def test_path_and_ego(store_arg, capsys):
    assert main(["network", "path", "Alpha", "Epsilon", "--format", "json", *store_arg]) == 0
    (path,) = out_json(capsys)
    assert [n["label"] for n in path["nodes"]] == ["Alpha", "Gamma", "Epsilon"]
    assert path["hops"][1]["evidence"] == ["https://w3id.org/aigraph/id/project/rcn-3"]
    assert main(["network", "path", "Alpha", "Phi", *store_arg]) == 1  # not connected
    assert main(["network", "path", "Alpha", "Nobody", *store_arg]) == 2
    capsys.readouterr()
    assert main(["network", "ego", "test-a", "--format", "json", *store_arg]) == 0
    assert {n["id"] for n in out_json(capsys)["nodes"]} == {ORG + x for x in "abc"}


def test_communities_brokers_cross_border(store_arg, capsys):
    assert main(["network", "communities", "--format", "json", *store_arg]) == 0
    doc = out_json(capsys)
    assert [c["size"] for c in doc["communities"]] == [3, 2, 1]
    assert main(["network", "brokers", "FRA", "DEU", "--format", "json", *store_arg]) == 0
    assert [(b["label"], b["bridged"]) for b in out_json(capsys)] == [("Gamma", 2)]
    assert main(["network", "cross-border", "--format", "json", *store_arg]) == 0
    pairs = out_json(capsys)
    assert [(p["a"], p["b"], round(p["index"], 6)) for p in pairs] == [
        ("DEU", "FRA", 1.2),
        ("DEU", "ITA", 2.0),
    ]


def test_export_and_agreements(store_arg, tmp_path, capsys):
    import networkx as nx

    out = tmp_path / "net.graphml"
    assert main(["network", "export", "--format", "graphml", "-o", str(out), *store_arg]) == 0
    assert nx.read_graphml(out).number_of_edges() == 6
    assert (
        main(["network", "export", "--projection", "agreements", "--format", "csv", *store_arg])
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "source,target,weight,agreements" and len(lines) == 5


def test_write_then_sparql(store_arg, capsys, monkeypatch):
    import aigraph.store

    # the fixture is loaded unvalidated; the write path's validation is not under test here
    monkeypatch.setattr(aigraph.store.Store, "check", _conforming)
    assert main(["network", "write", "--betweenness", *store_arg]) == 0
    q = (
        f"SELECT ?b WHERE {{ ?m aig:measuredNode <{ORG}c> ; aig:betweenness ?b ; "
        'prov:wasGeneratedBy/aig:projection "co-participation" }'
    )
    assert main(["query", q, "--format", "json", *store_arg]) == 0
    (row,) = out_json(capsys)["results"]["bindings"]
    assert float(row["b"]["value"]) == pytest.approx(0.4)


def _conforming(self, add, remove=()):
    class Report:
        conforms = True

    return Report()


def test_network_write_passes_validation_on_real_data(initialised_store_dir, tmp_path, capsys):
    """`network write` with the write path's validation on: the curated store plus a slice of
    the real H2020 participations; the metrics and their catalog entry conform (the catalog
    entry had no publisher, which the shapes require)."""
    import shutil

    from aigraph.importers.cordis_participations import import_participations

    target = tmp_path / "store"
    shutil.copytree(initialised_store_dir, target)
    store = Store(target)
    sample = Path(__file__).resolve().parents[1] / "fixtures" / "cordis-participations"
    import_participations(store, sample / "h2020-sample.csv")
    store.close()
    del store
    gc.collect()
    assert main(["network", "write", "--store", str(target)]) == 0, capsys.readouterr().err
    q = "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?m aig:measuredNode ?o ; aig:pageRank ?p }"
    assert main(["query", q, "--format", "json", "--store", str(target)]) == 0
    (row,) = out_json(capsys)["results"]["bindings"]
    assert int(row["n"]["value"]) > 100
