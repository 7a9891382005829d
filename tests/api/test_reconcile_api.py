"""/reconcile replays the requests OpenRefine sends; responses validate against the W3C
reconciliation API 0.2 schemas (tests/fixtures/reconciliation)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient

from aigraph.api import create_app
from aigraph.config import Settings
from aigraph.importers.cordis import import_cordis
from aigraph.importers.ror import import_ror
from aigraph.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCHEMAS = FIXTURES / "reconciliation"


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))


def check(doc: dict, name: str) -> None:
    jsonschema.validate(doc, schema(name), format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def client() -> TestClient:
    store = Store()
    store.init()
    import_ror(store, sorted((FIXTURES / "ror").glob("0*.json")))
    import_cordis(store, FIXTURES / "cordis" / "valid")
    return TestClient(create_app(Settings(workers=0), store))


def test_manifest(client):
    r = client.get("/reconcile")
    assert r.status_code == 200
    check(r.json(), "manifest")
    assert r.json()["suggest"]["entity"]["service_url"].endswith("/reconcile")


def test_batch_match_form_post_as_openrefine_sends_it(client):
    queries = {
        "q0": {"query": "Inria", "type": "http://www.w3.org/ns/org#Organization",
               "type_strict": "should", "limit": 5},
        "q1": {"query": "TECHNISCHE UNIVERSITAET MUENCHEN",
               "properties": [{"pid": "country", "v": "DE"}]},
        "q2": {"query": "Fraunhofer Gesellschaft zur Foerderung der angewandten Forschung eV"},
        "q3": {"query": "Nothing Like Any Organisation Whatsoever"},
    }  # fmt: skip
    r = client.post("/reconcile", data={"queries": json.dumps(queries)})
    assert r.status_code == 200
    body = r.json()
    check(body, "reconciliation-result-batch")
    assert set(body) == {"q0", "q1", "q2", "q3"}
    assert body["q1"]["result"][0]["id"] == "organisation/ror-02kkvpp62"
    assert body["q1"]["result"][0]["match"] is True
    assert body["q2"]["result"][0]["id"] == "organisation/ror-05hkkdn48"
    assert body["q3"]["result"] == []
    ids = [c["id"] for c in body["q0"]["result"]]
    assert "organisation/ror-02kvxyf05" in ids


def test_batch_match_get(client):
    r = client.get("/reconcile", params={"queries": json.dumps({"a": {"query": "INRIA"}})})
    check(r.json(), "reconciliation-result-batch")
    assert r.json()["a"]["result"]


def test_bad_queries_are_a_400(client):
    r = client.post("/reconcile", data={"queries": "{not json"})
    assert r.status_code == 400


def test_suggest(client):
    r = client.get("/reconcile/suggest/entity", params={"prefix": "fraunh"})
    check(r.json(), "suggest-entities-response")
    assert r.json()["result"][0]["id"] == "organisation/ror-05hkkdn48"
    r = client.get("/reconcile/suggest/type", params={"prefix": "org"})
    check(r.json(), "suggest-types-response")
    assert r.json()["result"][0]["id"] == "http://www.w3.org/ns/org#Organization"
    r = client.get("/reconcile/suggest/property", params={"prefix": "coun"})
    check(r.json(), "suggest-properties-response")
    assert r.json()["result"][0]["id"] == "country"


def test_preview(client):
    r = client.get("/reconcile/preview", params={"id": "organisation/ror-02kvxyf05"})
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "Inria" in r.text or "Institut national" in r.text
    assert client.get("/reconcile/preview", params={"id": "organisation/nope"}).status_code == 404


def test_data_extension(client):
    r = client.get("/reconcile/propose_properties",
                   params={"type": "http://www.w3.org/ns/org#Organization"})  # fmt: skip
    check(r.json(), "propose-properties-response")
    extend = {
        "ids": ["organisation/ror-02kvxyf05", "organisation/pic-999990001"],
        "properties": [{"id": "country"}, {"id": "ror"}, {"id": "pic"}, {"id": "city"}],
    }
    r = client.post("/reconcile", data={"extend": json.dumps(extend)})
    assert r.status_code == 200
    body = r.json()
    check(body, "data-extension-response")
    inria = body["rows"]["organisation/ror-02kvxyf05"]
    assert inria["ror"] == [{"str": "02kvxyf05"}]
    assert body["rows"]["organisation/pic-999990001"]["pic"] == [{"str": "999990001"}]
    assert body["rows"]["organisation/pic-999990001"]["country"] == [{"str": "Greece"}] or body[
        "rows"
    ]["organisation/pic-999990001"]["country"][0]["str"].endswith("GRC")
