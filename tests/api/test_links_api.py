"""/links: candidates, review with the write token, and the recorded links."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from aigraph.api import create_app
from aigraph.config import Settings
from aigraph.importers.cordis import import_cordis
from aigraph.importers.ror import import_ror
from aigraph.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ORG = "https://w3id.org/aigraph/id/organisation/"


@pytest.fixture
def client() -> TestClient:
    store = Store()
    store.init()
    import_ror(store, [FIXTURES / "ror" / "02kvxyf05.json"])
    import_cordis(store, FIXTURES / "cordis" / "valid")
    with TestClient(create_app(Settings(write_token="s3cret", workers=0), store)) as c:
        yield c


def test_review_through_the_api(client):
    found = client.get("/links/candidates", params={"left": "ror", "right": "cordis"}).json()
    assert found[0]["left"] == f"{ORG}ror-02kvxyf05" and found[0]["evidence"]
    body = {"left": found[0]["left"], "right": found[0]["right"], "by": "ada"}
    assert client.post("/links/accept", json=body).status_code == 401  # no token sent
    wrong = {"Authorization": "Bearer guess"}
    assert client.post("/links/accept", json=body, headers=wrong).status_code == 401
    assert client.get("/links").json() == []
    r = client.post("/links/accept", json=body, headers={"Authorization": "Bearer s3cret"})
    assert r.status_code == 200
    [link] = client.get("/links").json()
    assert link["by"] == "ada" and not link["rejected"]
    assert client.get("/links/candidates", params={"left": "ror", "right": "cordis"}).json() == []


def test_review_is_off_when_no_write_token_is_set():
    store = Store()
    store.init()
    with TestClient(create_app(Settings(workers=0), store)) as c:
        body = {"left": f"{ORG}a", "right": f"{ORG}b", "by": "ada"}
        r = c.post("/links/accept", json=body, headers={"Authorization": "Bearer x"})
        assert r.status_code == 403
        assert r.headers["content-type"].startswith("application/problem+json")
