"""End to end: ``aigraph serve`` as a real process on loopback, queried with SPARQLWrapper."""

from __future__ import annotations

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper


@pytest.fixture
def server(tmp_path, serve):
    with serve(tmp_path / "store") as base:
        yield base
    assert not (tmp_path / ".store.snapshots").exists()  # cleaned up on shutdown


def test_serve_answers_sparqlwrapper(server):
    sparql = SPARQLWrapper(server + "/sparql")
    sparql.setQuery("""PREFIX aig: <https://w3id.org/aigraph/ontology#>
        SELECT ?a WHERE { ?a a aig:CooperationAgreement }""")
    sparql.setReturnFormat(JSON)
    rows = sparql.query().convert()["results"]["bindings"]
    assert rows and rows[0]["a"]["type"] == "uri"
    sparql.setMethod("POST")
    sparql.setQuery("ASK { ?s ?p ?o }")
    assert sparql.query().convert()["boolean"] is True
