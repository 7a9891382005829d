"""``/network`` through the HTTP interface (the app from ``aigraph.api.create_app``)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from aigraph.api import create_app
from aigraph.config import Settings
from aigraph.store import Store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "network" / "hand-made.trig"
ORG = "https://w3id.org/aigraph/id/organisation/test-"


@pytest.fixture
def client(tmp_path):
    store = Store()
    store.ox.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    with TestClient(create_app(Settings(store=tmp_path / "unused"), store=store)) as c:
        yield c


def test_summary(client):
    r = client.get("/network/summary")
    assert r.status_code == 200
    s = r.json()
    assert (s["nodes"], s["edges"], s["components"], s["largest_component"]) == (6, 6, 2, 5)
    r = client.get("/network/summary", params={"from": "2019-01-01", "to": "2020-12-31"})
    assert r.json()["edges"] == 3
    r = client.get("/network/summary", params=[("country", "FRA"), ("country", "DEU")])
    assert r.json()["edges"] == 4


def test_metrics_and_path(client):
    r = client.get("/network/metrics", params=[("metric", "degree"), ("metric", "pagerank")])
    body = r.json()
    assert body["nodes"][0]["id"] == ORG + "c" and body["nodes"][0]["degree"] == 4
    r = client.get("/network/path", params={"source": "Alpha", "target": "Epsilon"})
    assert [n["label"] for n in r.json()["paths"][0]["nodes"]] == ["Alpha", "Gamma", "Epsilon"]
    r = client.get("/network/path", params={"source": "Alpha", "target": "Nobody"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem")


def test_bad_parameters_are_problems(client):
    r = client.get("/network/summary", params={"from": "not-a-date"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem")
    r = client.get("/network/metrics", params={"metric": "bogus"})
    assert r.status_code == 400


def test_borders_and_communities(client):
    r = client.get("/network/brokers", params={"a": "FRA", "b": "DEU"})
    assert [(b["label"], b["bridged"]) for b in r.json()["brokers"]] == [("Gamma", 2)]
    r = client.get("/network/cross-border")
    assert [round(p["index"], 6) for p in r.json()["pairs"]] == [1.2, 2.0]
    r = client.get("/network/communities")
    assert r.json()["count"] == 3


@pytest.mark.parametrize(
    "fmt, media",
    [("graphml", "application/graphml+xml"), ("gexf", "application/gexf+xml"), ("csv", "text/csv")],
)
def test_exports(client, fmt, media):
    r = client.get("/network/export", params={"format": fmt})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert "attachment" in r.headers["content-disposition"]
    if fmt == "csv":
        assert len(r.text.splitlines()) == 7
    r = client.get("/network/ego", params={"node": "test-a", "format": fmt})
    assert r.status_code == 200


def test_sparql_function_through_the_endpoint(client):
    q = f"SELECT (aigf:degree(<{ORG}c>) AS ?d) WHERE {{}}"
    r = client.get(
        "/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"}
    )
    assert r.status_code == 200
    assert r.json()["results"]["bindings"][0]["d"]["value"] == "4"
