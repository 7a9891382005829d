"""Clear errors with the README's exit codes: bad input is 2 and names the input; a SHACL
problem is reported once."""

from __future__ import annotations

from pathlib import Path

import pytest

from aigraph.cli import main

FIX = Path(__file__).resolve().parents[1] / "fixtures"
HAND_MADE = FIX / "network" / "hand-made.trig"

LONELY = """@prefix aig: <https://w3id.org/aigraph/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/agreement/lonely> a aig:CooperationAgreement ;
    skos:prefLabel "A lonely agreement"@en ;
    aig:hasParty <http://example.org/not-an-organisation> ;
    aig:signingDate "2025-11-18"^^xsd:date ;
    dcterms:source <http://example.org/source> .
"""
MESSAGE = "A cooperation agreement has at least two aig:hasParty values"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("graph", ["not-an-iri", "graph/relative", "http://exa mple.org/"])
def test_load_with_a_graph_that_is_not_an_iri(store_dir, capsys, graph):
    file = FIX / "rdf" / "plain.nt"
    code, _out, err = run(capsys, "load", "--store", str(store_dir), "--graph", graph, str(file))
    assert code == 2, err
    assert repr(graph) in err and "not an absolute IRI" in err
    assert "internal error" not in err


@pytest.fixture
def network_store(tmp_path) -> str:
    """The hand-made network (countries FRA, DEU, ITA, ESP) in an on-disk store."""
    import pyoxigraph as ox

    from aigraph.store import Store

    path = tmp_path / "network"
    store = Store(path)
    store.ox.load(path=str(HAND_MADE), format=ox.RdfFormat.TRIG)
    store.close()
    return str(path)


@pytest.mark.parametrize(
    ("a", "b", "named", "says"),
    [
        ("FRA", "XYZ", "'XYZ'", "unknown country"),
        ("XYZ", "FRA", "'XYZ'", "unknown country"),
        ("FRA", "FR", "'FR'", "not a country code"),
        ("fra", "12E", "'12E'", "not a country code"),
    ],
)
def test_brokers_of_an_unknown_country(network_store, capsys, a, b, named, says):
    code, out, err = run(capsys, "network", "brokers", a, b, "--store", network_store)
    assert code == 2, (out, err)
    assert named in err and says in err and "(no rows)" not in out
    if says == "unknown country":
        assert "DEU, ESP, FRA, ITA" in err  # the countries there are


def test_known_countries_still_answer(network_store, capsys):
    code, out, err = run(capsys, "network", "brokers", "fra", "DEU", "--store", network_store)
    assert code == 0 and "Gamma" in out, err
    argv = ("network", "cross-border", "--only", "DEU", "--only", "XYZ", "--store", network_store)
    code, _out, err = run(capsys, *argv)
    assert code == 2 and "'XYZ'" in err


def test_a_shacl_problem_is_reported_once(store_dir, tmp_path, capsys):
    """One party that is not an organisation fails two constraints of one property shape
    (sh:minCount 2 and sh:class) that share a message: one line, naming both."""
    path = tmp_path / "lonely.ttl"
    path.write_text(LONELY, encoding="utf-8")
    code, out, _err = run(capsys, "validate", str(path))
    assert code == 1
    assert out.count(MESSAGE) == 1 and "sh:class" in out and "sh:minCount" in out
    code, _out, err = run(capsys, "load", "--store", str(store_dir), str(path))
    assert code == 1
    assert err.count(MESSAGE) == 1 and "example.org/not-an-organisation" in err
