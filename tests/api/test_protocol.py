"""SPARQL 1.1 Protocol: the three ways to send a query, every result format parsed back."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from aigraph.namespaces import PREFIXES

SELECT = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT ?org ?name WHERE { ?org a org:Organization ; skos:prefLabel ?name } ORDER BY ?org ?name"""
CONSTRUCT = """PREFIX org: <http://www.w3.org/ns/org#>
CONSTRUCT { ?post ?p ?o } WHERE { ?post a org:Post ; ?p ?o }"""
SRX = "{http://www.w3.org/2005/sparql-results#}"


def expected_rows(store) -> list[tuple[str, str, str | None]]:
    return [(r["org"].value, r["name"].value, r["name"].language) for r in store.query(SELECT)]


def expected_graph(store) -> Graph:
    data = ox.serialize(store.query(CONSTRUCT), format=ox.RdfFormat.N_TRIPLES)
    return Graph().parse(data=data, format="nt")


def test_get_post_form_and_post_direct_agree(client):
    a = client.get("/sparql", params={"query": SELECT})
    b = client.post("/sparql", data={"query": SELECT})
    c = client.post("/sparql", content=SELECT, headers={"content-type": "application/sparql-query"})
    assert a.status_code == b.status_code == c.status_code == 200
    assert a.json() == b.json() == c.json()
    assert a.headers["content-type"] == "application/sparql-results+json"


def test_json_results(client, read_store):
    doc = client.get("/sparql", params={"query": SELECT}).json()
    assert doc["head"]["vars"] == ["org", "name"]
    got = [
        (b["org"]["value"], b["name"]["value"], b["name"].get("xml:lang"))
        for b in doc["results"]["bindings"]
    ]
    assert got == expected_rows(read_store) and got


def test_xml_results(client, read_store):
    r = client.get(
        "/sparql", params={"query": SELECT}, headers={"accept": "application/sparql-results+xml"}
    )
    assert r.headers["content-type"] == "application/sparql-results+xml"
    root = ET.fromstring(r.content)
    got = []
    for result in root.iter(f"{SRX}result"):
        cells = {b.get("name"): b[0] for b in result.iter(f"{SRX}binding")}
        lang = cells["name"].get("{http://www.w3.org/XML/1998/namespace}lang")
        got.append((cells["org"].text, cells["name"].text, lang))
    assert got == expected_rows(read_store)


def test_csv_results(client, read_store):
    r = client.get("/sparql", params={"query": SELECT}, headers={"accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["org", "name"]
    assert [tuple(row) for row in rows[1:]] == [(o, n) for o, n, _ in expected_rows(read_store)]


def test_tsv_results(client, read_store):
    r = client.get(
        "/sparql", params={"query": SELECT}, headers={"accept": "text/tab-separated-values"}
    )
    parsed = ox.parse_query_results(r.content, ox.QueryResultsFormat.TSV)
    got = [(s["org"].value, s["name"].value, s["name"].language) for s in parsed]
    assert got == expected_rows(read_store)


@pytest.mark.parametrize(
    "media,fmt",
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_graph_results(client, read_store, media, fmt):
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers={"accept": media})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    got = Graph().parse(data=r.content, format=fmt)
    want = expected_graph(read_store)
    assert len(want) > 10 and isomorphic(got, want)


@pytest.mark.parametrize(
    "media",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_ask_in_every_format(client, media):
    r = client.get("/sparql", params={"query": "ASK { ?s a org:Post }"}, headers={"accept": media})
    assert r.status_code == 200
    if "json" in media:
        assert r.json()["boolean"] is True
    elif "xml" in media:
        assert ET.fromstring(r.content).find(f"{SRX}boolean").text == "true"
    else:
        assert r.text.split()[-1] == "true"


@pytest.mark.parametrize(
    "accept,expected",
    [
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("*/*", "application/sparql-results+json"),
        ("text/*", "text/csv"),
        ("application/json", "application/sparql-results+json"),
        (
            "application/sparql-results+json;q=0, text/tab-separated-values;q=0.1",
            "text/tab-separated-values",
        ),
    ],
)
def test_negotiation_with_q_values(client, accept, expected):
    r = client.get(
        "/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 1"}, headers={"accept": accept}
    )
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == expected


def test_format_parameter_wins(client):
    r = client.get(
        "/sparql",
        params={"query": CONSTRUCT, "format": "ntriples"},
        headers={"accept": "text/turtle"},
    )
    assert r.headers["content-type"] == "application/n-triples"


def test_default_graph_is_the_union_unless_narrowed(client, read_store):
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"

    def n(**params) -> int:
        doc = client.get("/sparql", params={"query": count, **params}).json()
        return int(doc["results"]["bindings"][0]["n"]["value"])

    catalog = "https://w3id.org/aigraph/graph/catalog"
    assert n() == len(read_store)
    in_catalog = len(list(read_store.ox.quads_for_pattern(None, None, None, ox.NamedNode(catalog))))
    assert n(**{"default-graph-uri": catalog}) == in_catalog


def test_named_graph_uri_limits_graph_patterns(client):
    q = "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"
    onto = "https://w3id.org/aigraph/graph/ontology"
    doc = client.get("/sparql", params={"query": q, "named-graph-uri": onto}).json()
    assert [b["g"]["value"] for b in doc["results"]["bindings"]] == [onto]


def test_default_prefixes_are_known(client):
    r = client.get("/sparql", params={"query": "SELECT ?o { ?o a aig:CooperationAgreement }"})
    assert r.status_code == 200 and r.json()["results"]["bindings"]
    assert "aig" in PREFIXES


def test_cors_is_open_for_reads(client):
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"origin": "https://x.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "AIGraph-Truncated" in r.headers["access-control-expose-headers"]
    pre = client.options(
        "/store", headers={"origin": "https://x.org", "access-control-request-method": "PUT"}
    )
    assert pre.status_code == 400  # writes are not open cross-origin


def test_json_is_valid_json(client):
    r = client.get("/sparql", params={"query": 'SELECT ("a\\"b\\nc" AS ?x) {}'})
    assert json.loads(r.content)["results"]["bindings"][0]["x"]["value"] == 'a"b\nc'
