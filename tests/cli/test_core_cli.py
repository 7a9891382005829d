"""The command line as a researcher meets it: exit codes, outputs, the founding questions."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from aigraph.cli import main

FIX = Path(__file__).parents[1] / "fixtures"
RDF = FIX / "rdf"
S1 = "https://www.alliancy.fr/france-allemagne-un-nouvel-accord-pour-renforcer-lia-souveraine-europeenne/amp"

WHO_PRESIDES = """
SELECT ?name ?source WHERE {
  ?post org:postIn <https://w3id.org/aigraph/id/organisation/hub-france-ia> ;
        org:role <https://w3id.org/aigraph/id/role/president> ;
        org:heldBy/foaf:name ?name ;
        dcterms:source ?source .
}"""

PRIORITY_LABELS = """
SELECT ?priority ?label (LANG(?label) AS ?lang) WHERE {
  ?agreement a aig:CooperationAgreement ; aig:hasPriority ?priority .
  ?priority skos:prefLabel ?label .
}"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_query_who_presides_hub_france_ia(store_dir, capsys):
    code, out, _ = run(capsys, "query", "--store", str(store_dir), "--format", "json", WHO_PRESIDES)
    assert code == 0
    rows = json.loads(out)["results"]["bindings"]
    names = {r["name"]["value"] for r in rows}
    # earlier presidents are in the graph too (pages on the 2017 launch): the founding article
    # names the current one
    assert "Rim Tehraoui" in names
    assert S1 in {r["source"]["value"] for r in rows if r["name"]["value"] == "Rim Tehraoui"}


def test_priority_labels_in_three_languages(store_dir, capsys):
    code, out, _ = run(
        capsys, "query", "--store", str(store_dir), "--format", "csv", PRIORITY_LABELS
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    by_priority: dict[str, set] = {}
    for r in rows:
        by_priority.setdefault(r["priority"], set()).add(r["lang"])
    assert len(by_priority) == 4
    assert all({"en", "fr", "de"} <= langs for langs in by_priority.values())


def test_example_query_shows_the_agreement(store_dir, capsys):
    _, example, _ = run(capsys, "example")
    code, out, _ = run(capsys, "query", "--store", str(store_dir), example)
    assert code == 0
    assert "Hub France IA" in out and "KI Bundesverband" in out
    assert "2025-11-18" in out
    assert "(8 rows)" in out  # two parties x four priorities
    assert "alliancy.fr" in out  # the founding article, as source


def test_query_from_file_and_stdin(store_dir, tmp_path, capsys, monkeypatch):
    qfile = tmp_path / "q.rq"
    qfile.write_text("ASK { ?a a aig:CooperationAgreement }")
    code, out, _ = run(capsys, "query", "--store", str(store_dir), "--file", str(qfile))
    assert (code, out.strip()) == (0, "true")
    monkeypatch.setattr("sys.stdin", io.StringIO("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"))
    code, out, _ = run(capsys, "query", "--store", str(store_dir), "--format", "tsv", "-")
    assert code == 0 and out.splitlines()[0] == "?n"


def test_construct_as_turtle_and_ntriples(store_dir, capsys):
    q = "CONSTRUCT { ?a ?p ?o } WHERE { ?a a aig:CooperationAgreement ; ?p ?o }"
    from rdflib import Graph
    from rdflib.compare import isomorphic

    _, ttl, _ = run(capsys, "query", "--store", str(store_dir), "--format", "turtle", q)
    _, nt, _ = run(capsys, "query", "--store", str(store_dir), "--format", "ntriples", q)
    g1, g2 = Graph().parse(data=ttl, format="turtle"), Graph().parse(data=nt, format="nt")
    assert len(g1) > 5 and isomorphic(g1, g2)


def test_bad_query_exits_2_with_position(store_dir, capsys):
    code, _, err = run(capsys, "query", "--store", str(store_dir), "SELECT * WHERE { ?s ?p }")
    assert code == 2
    assert "1:" in err  # line:column of the parser


def test_validate_exit_codes(capsys):
    code, out, _ = run(capsys, "validate", str(RDF / "valid-organisation.ttl"))
    assert code == 0, out
    code, out, _ = run(capsys, "validate", str(RDF / "invalid-agreement.ttl"))
    assert code == 1
    assert "AgreementShape" in out and "http://example.org/agreement/lonely" in out
    code, _, err = run(capsys, "validate", str(RDF / "syntax-error.ttl"))
    assert code == 2 and "line 4" in err
    code, _, err = run(capsys, "validate", str(RDF / "absent.ttl"))
    assert code == 2 and "no such file" in err


def test_invalid_shape_fixtures_exit_1(capsys):
    invalid = sorted((FIX / "shapes" / "invalid").glob("*.ttl"))
    if not invalid:
        pytest.skip("no shape fixtures")
    for path in invalid:
        code, out, _ = run(capsys, "validate", str(path))
        assert code == 1, path.name


def test_rejected_load_leaves_stats_identical(store_dir, capsys):
    _, before, _ = run(capsys, "stats", "--store", str(store_dir), "--format", "json")
    code, _, err = run(
        capsys,
        "load",
        "--store",
        str(store_dir),
        "--graph",
        "http://example.org/g",
        str(RDF / "invalid-agreement.ttl"),
    )
    assert code == 1 and "AgreementShape" in err
    code, _, err = run(capsys, "load", "--store", str(store_dir), str(RDF / "syntax-error.ttl"))
    assert code == 2 and "line 4" in err
    _, after, _ = run(capsys, "stats", "--store", str(store_dir), "--format", "json")
    assert json.loads(after) == json.loads(before)


def test_load_then_export_round_trip(store_dir, tmp_path, capsys):
    code, _, _ = run(
        capsys,
        "load",
        "--store",
        str(store_dir),
        "--graph",
        "http://example.org/g",
        str(RDF / "valid-organisation.ttl"),
    )
    assert code == 0
    out = tmp_path / "dump.trig"
    assert (
        run(capsys, "export", "--store", str(store_dir), "--format", "trig", "--output", str(out))[
            0
        ]
        == 0
    )
    fresh = tmp_path / "fresh"
    assert run(capsys, "load", "--store", str(fresh), str(out))[0] == 0
    _, a, _ = run(capsys, "stats", "--store", str(store_dir), "--format", "json")
    _, b, _ = run(capsys, "stats", "--store", str(fresh), "--format", "json")
    assert json.loads(a) == json.loads(b)
