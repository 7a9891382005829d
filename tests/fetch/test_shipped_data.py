"""``aigraph init --with h2020``: the H2020 participations shipped in data/open, loaded so that
the network quickstart works right after install."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aigraph.cli import main
from aigraph.importers import cordis_participations
from aigraph.store import Store

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "fixtures" / "cordis-participations" / "h2020-sample.csv"
H2020_GRAPH = "https://w3id.org/aigraph/graph/cordis-h2020"


def test_the_shipped_file_is_the_one_init_loads():
    assert cordis_participations.bundled_file() == (
        ROOT / "data" / "open" / "cordis" / "h2020-participations-eunets.csv.gz"
    )
    assert cordis_participations.bundled_file().stat().st_size > 2_000_000


def test_init_with_h2020_loads_the_participations(tmp_path, monkeypatch, capsys):
    # the 311-row slice of the shipped file stands in for it here (the whole file: -m slow)
    monkeypatch.setattr(cordis_participations, "bundled_file", lambda: SAMPLE)
    store = str(tmp_path / "store")
    assert main(["init", "--with", "h2020", "--store", store]) == 0
    assert "311 rows read" in capsys.readouterr().err
    assert main(["network", "summary", "--projection", "co-participation", "--format", "json",
                 "--store", store]) == 0  # fmt: skip
    summary = json.loads(capsys.readouterr().out)
    assert summary["nodes"] > 0 and summary["edges"] > 0
    s = Store(store)
    assert s.query(f"""ASK {{ GRAPH <https://w3id.org/aigraph/graph/catalog> {{
        <{H2020_GRAPH}> prov:generatedAtTime "2026-11-29"^^xsd:date }} }}""")
    before = len(s)
    del s
    assert main(["init", "--with", "h2020", "--store", store]) == 0  # again: nothing changes
    assert len(Store(store)) == before


@pytest.mark.slow
def test_init_with_h2020_on_the_shipped_file(tmp_path, capsys):
    store = str(tmp_path / "store")
    assert main(["init", "--with", "h2020", "--store", store]) == 0
    assert "144726 rows read, 144726 kept, 31451 projects, 35871 organisations" in (
        capsys.readouterr().err
    )
    assert main(["network", "summary", "--projection", "co-participation", "--format", "json",
                 "--store", store]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out)["nodes"] == 35_871
