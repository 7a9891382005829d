"""Every error is RFC 9457 problem+json with the right status; updates never run on /sparql."""

from __future__ import annotations

import pytest

from aigraph.store import Store

PROBLEM = "application/problem+json"


def problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    doc = r.json()
    assert doc["status"] == status and doc["title"] and doc["detail"] and doc["type"]
    return doc


def test_malformed_query_is_400_with_message_and_position(client):
    doc = problem(client.get("/sparql", params={"query": "SELECT * WHERE {\n ?s ?p }"}), 400)
    assert doc["line"] == 2 and doc["column"] >= 1
    assert "expected" in doc["detail"]


def test_wrong_method_is_405(client):
    r = client.put("/sparql", content="x")
    problem(r, 405)
    assert "GET" in r.headers["allow"]
    problem(client.get("/update"), 405)


def test_nothing_acceptable_is_406(client):
    r = client.get("/sparql", params={"query": "SELECT * {}"}, headers={"accept": "image/png"})
    assert "application/sparql-results+json" in problem(r, 406)["detail"]
    r = client.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"accept": "application/sparql-results+json"},
    )
    problem(r, 406)


def test_body_too_large_is_413(make_client, read_store):
    with make_client(read_store, max_request_bytes=1000) as c:
        big = "SELECT * { ?s ?p ?o } #" + "x" * 2000
        problem(
            c.post("/sparql", content=big, headers={"content-type": "application/sparql-query"}),
            413,
        )
        problem(c.get("/sparql", params={"query": big}), 413)


def test_wrong_content_type_is_415(client):
    problem(
        client.post("/sparql", content="SELECT * {}", headers={"content-type": "text/plain"}), 415
    )
    problem(
        client.post(
            "/update",
            content="INSERT DATA {}",
            headers={"content-type": "application/json", "authorization": "Bearer test-token"},
        ),
        415,
    )


@pytest.mark.parametrize("send", ["get", "form", "direct", "update-type"])
def test_update_on_the_query_endpoint_is_refused(send, make_client, store_quads):
    store = Store()
    store.init()
    update = (
        "INSERT DATA { GRAPH <http://example.org/g> "
        '{ <http://example.org/a> <http://example.org/p> "x" } }'
    )
    with make_client(store) as c:
        before = store_quads(c)
        if send == "get":
            r = c.get("/sparql", params={"update": update})
        elif send == "form":
            r = c.post("/sparql", data={"update": update})
        elif send == "direct":
            r = c.post(
                "/sparql", content=update, headers={"content-type": "application/sparql-query"}
            )
        else:
            r = c.post(
                "/sparql", content=update, headers={"content-type": "application/sparql-update"}
            )
        assert "update" in problem(r, 400)["detail"]
        assert store_quads(c) == before


def test_unknown_path_is_problem_404(client):
    problem(client.get("/nowhere"), 404)


def test_bad_timeout_is_400(client):
    problem(client.get("/sparql", params={"query": "ASK {}", "timeout": "soon"}), 400)
    problem(client.get("/sparql", params={"query": "ASK {}", "timeout": "-1"}), 400)
