"""/links: candidates, review with the write token, and the recorded links."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from aigraph.api.links import router
from aigraph.config import get_settings
from aigraph.errors import AigraphError
from aigraph.importers.cordis import import_cordis
from aigraph.importers.ror import import_ror
from aigraph.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ORG = "https://w3id.org/aigraph/id/organisation/"


@pytest.fixture
def client(monkeypatch) -> TestClient:
    monkeypatch.setenv("AIGRAPH_WRITE_TOKEN", "s3cret")
    get_settings.cache_clear()
    store = Store()
    store.init()
    import_ror(store, [FIXTURES / "ror" / "02kvxyf05.json"])
    import_cordis(store, FIXTURES / "cordis" / "valid")
    app = FastAPI()
    app.state.store = store
    app.include_router(router)

    @app.exception_handler(AigraphError)
    def problem(_request: Request, err: AigraphError) -> JSONResponse:
        return JSONResponse({"detail": str(err)}, status_code=err.status)

    yield TestClient(app)
    get_settings.cache_clear()


def test_review_through_the_api(client):
    found = client.get("/links/candidates", params={"left": "ror", "right": "cordis"}).json()
    assert found[0]["left"] == f"{ORG}ror-02kvxyf05" and found[0]["evidence"]
    body = {"left": found[0]["left"], "right": found[0]["right"], "by": "ada"}
    assert client.post("/links/accept", json=body).status_code == 403
    r = client.post("/links/accept", json=body, headers={"Authorization": "Bearer s3cret"})
    assert r.status_code == 200
    [link] = client.get("/links").json()
    assert link["by"] == "ada" and not link["rejected"]
    assert client.get("/links/candidates", params={"left": "ror", "right": "cordis"}).json() == []
