"""Self-description: service description, VoID/DCAT with triple counts, health, OpenAPI."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")


def test_service_description_at_get_sparql(client):
    r = client.get("/sparql")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    svc = URIRef("http://testserver/sparql")
    assert (svc, RDF.type, SD.Service) in g
    assert (svc, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (svc, SD.feature, SD.UnionDefaultGraph) in g
    names = set(g.objects(None, SD.name))
    assert URIRef("https://w3id.org/aigraph/graph/catalog") in names


def test_service_description_is_negotiable(client):
    r = client.get("/sparql", headers={"accept": "application/ld+json"})
    assert r.headers["content-type"] == "application/ld+json"
    assert len(Graph().parse(data=r.text, format="json-ld")) > 10


def test_void_counts_triples_per_graph(client, read_store):
    r = client.get("/.well-known/void")
    g = Graph().parse(data=r.text, format="turtle")
    dataset = URIRef("http://testserver/.well-known/void#dataset")
    assert int(g.value(dataset, VOID.triples)) == len(read_store)
    for name in read_store.named_graphs():
        n = sum(1 for _ in read_store.ox.quads_for_pattern(None, None, None, ox.NamedNode(name)))
        assert int(g.value(URIRef(name), VOID.triples)) == n
    catalog = URIRef("https://w3id.org/aigraph/graph/catalog")
    assert g.value(catalog, DCTERMS.title) is not None  # copied from the catalog graph


def test_health_and_openapi(client):
    assert client.get("/health").json()["status"] == "ok"
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/sparql", "/update", "/store", "/queries/{name}"} <= set(paths)
