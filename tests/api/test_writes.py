"""Writes: token required, every write validated on the state it would produce, atomic."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "rdf"
AUTH = {"authorization": "Bearer test-token"}
G = "http://example.org/graph/test"
INVALID = (FIX / "invalid-agreement.ttl").read_text(encoding="utf-8")
VALID = (FIX / "valid-organisation.ttl").read_text(encoding="utf-8")
LONELY_UPDATE = """PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT DATA { GRAPH <http://example.org/graph/test> {
  <http://example.org/agreement/lonely> a aig:CooperationAgreement ;
    skos:prefLabel "A lonely agreement"@en ;
    aig:hasParty <https://w3id.org/aigraph/id/organisation/hub-france-ia> ;
    aig:signingDate "2025-11-18"^^xsd:date ;
    dcterms:source <http://example.org/source> . } }"""


def ttl(**headers) -> dict:
    return {"content-type": "text/turtle", **headers}


def test_writes_are_off_without_a_configured_token(make_client, read_store):
    with make_client(read_store, write_token=None) as c:
        for r in (
            c.put("/store", params={"graph": G}, content=VALID, headers=ttl(**AUTH)),
            c.post("/store", params={"graph": G}, content=VALID, headers=ttl()),
            c.delete("/store", params={"graph": G}),
            c.post("/update", data={"update": "CLEAR ALL"}),
        ):
            assert r.status_code == 403, r.text
            assert "AIGRAPH_WRITE_TOKEN" in r.json()["detail"]


def test_writes_without_the_right_token_are_401(client, store_quads):
    before = store_quads(client)
    for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": "Basic x"}):
        r = client.put("/store", params={"graph": G}, content=VALID, headers=ttl(**headers))
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
        r = client.post("/update", data={"update": "CLEAR ALL"}, headers=headers)
        assert r.status_code == 401
    assert store_quads(client) == before


def test_gsp_put_round_trips(write_client):
    r = write_client.put("/store", params={"graph": G}, content=VALID, headers=ttl(**AUTH))
    assert r.status_code == 201
    back = write_client.get("/store", params={"graph": G}, headers={"accept": "text/turtle"})
    assert back.status_code == 200
    assert isomorphic(
        Graph().parse(data=back.text, format="turtle"), Graph().parse(data=VALID, format="turtle")
    )
    again = write_client.put("/store", params={"graph": G}, content=VALID, headers=ttl(**AUTH))
    assert again.status_code == 204
    # the query workers see the write (they switched to a new snapshot)
    ask = f"ASK {{ GRAPH <{G}> {{ <http://example.org/organisation/example-lab> ?p ?o }} }}"
    assert write_client.get("/sparql", params={"query": ask}).json()["boolean"] is True


def test_gsp_post_merges_and_delete_removes(write_client, store_quads):
    before = store_quads(write_client)
    assert (
        write_client.post(
            "/store", params={"graph": G}, content=VALID, headers=ttl(**AUTH)
        ).status_code
        == 201
    )
    assert len(store_quads(write_client)) > len(before)
    assert write_client.delete("/store", params={"graph": G}, headers=AUTH).status_code == 204
    assert store_quads(write_client) == before
    assert write_client.get("/store", params={"graph": G}).status_code == 404
    assert write_client.delete("/store", params={"graph": G}, headers=AUTH).status_code == 404


@pytest.mark.parametrize("how", ["put", "post", "update"])
def test_invalid_write_is_422_with_report_and_changes_nothing(write_client, store_quads, how):
    before = store_quads(write_client)
    if how == "update":
        r = write_client.post(
            "/update",
            content=LONELY_UPDATE,
            headers={"content-type": "application/sparql-update", **AUTH},
        )
    else:
        r = getattr(write_client, how)(
            "/store", params={"graph": G}, content=INVALID, headers=ttl(**AUTH)
        )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    report = r.json()["report"]
    assert report["conforms"] is False
    assert "http://example.org/agreement/lonely" in str(report)
    assert store_quads(write_client) == before


def test_update_is_applied_and_visible_to_queries(write_client, store_quads):
    before = store_quads(write_client)
    insert = f'INSERT DATA {{ GRAPH <{G}> {{ <http://example.org/x> rdfs:label "x" }} }}'
    r = write_client.post("/update", data={"update": insert}, headers=AUTH)
    assert r.status_code == 200 and r.json()["added"] == 1
    assert len(store_quads(write_client)) == len(before) + 1
    q = "SELECT ?l { <http://example.org/x> rdfs:label ?l }"
    rows = write_client.get("/sparql", params={"query": q}).json()["results"]["bindings"]
    assert rows == [{"l": {"type": "literal", "value": "x"}}]
    change = (
        'DELETE { GRAPH ?g { ?s rdfs:label ?l } } INSERT { GRAPH ?g { ?s rdfs:label "y" } } '
        "WHERE { GRAPH ?g { ?s rdfs:label ?l FILTER(?s = <http://example.org/x>) } }"
    )
    r = write_client.post("/update", data={"update": change}, headers=AUTH)
    assert r.json()["removed"] == 1 and r.json()["added"] == 1
    rows = write_client.get("/sparql", params={"query": q}).json()["results"]["bindings"]
    assert rows[0]["l"]["value"] == "y"


def test_load_is_refused(write_client, store_quads):
    before = store_quads(write_client)
    r = write_client.post(
        "/update", data={"update": "LOAD <http://example.org/data.ttl>"}, headers=AUTH
    )
    assert r.status_code == 403 and "LOAD" in r.json()["detail"]
    assert store_quads(write_client) == before


def test_malformed_update_is_400_with_position(client):
    r = client.post("/update", data={"update": "INSERT DATA { <a> }"}, headers=AUTH)
    assert r.status_code == 400 and "1:" in r.json()["detail"]


def test_upload_of_unknown_type_is_415_and_too_large_is_413(make_client, read_store):
    with make_client(read_store, max_upload_bytes=100) as c:
        small = b"%PDF-1.7"  # within the size limit: only its type is wrong
        r = c.put(
            "/store",
            params={"graph": G},
            content=small,
            headers={"content-type": "application/pdf", **AUTH},
        )
        assert r.status_code == 415
        r = c.put("/store", params={"graph": G}, content=VALID, headers=ttl(**AUTH))
        assert r.status_code == 413
