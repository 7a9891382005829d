"""SERVICE: refused by default, detected robustly, allowed only to the allow-list."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from aigraph.config import DEFAULT_SERVICE_ALLOW
from aigraph.sparql.lexer import inspect

ANSWER = {
    "head": {"vars": ["x"]},
    "results": {"bindings": [{"x": {"type": "literal", "value": "from afar"}}]},
}


class Endpoint(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        body = json.dumps(ANSWER).encode()
        self.send_response(200)
        self.send_header("content-type", "application/sparql-results+json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self._answer()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/sparql"
    server.shutdown()


def test_service_is_refused_by_default_naming_the_endpoint(client):
    q = "SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"
    r = client.get("/sparql", params={"query": q})
    assert r.status_code == 403
    assert "<https://query.wikidata.org/sparql>" in r.json()["detail"]


def test_prefixed_and_silent_service_is_seen(client):
    q = "PREFIX w: <https://query.wikidata.org/> SELECT * { SERVICE SILENT w:sparql { ?s ?p ?o } }"
    r = client.get("/sparql", params={"query": q})
    assert r.status_code == 403 and "https://query.wikidata.org/sparql" in r.json()["detail"]


def test_service_with_a_variable_is_refused(make_client, read_store):
    with make_client(read_store, federation=True) as c:
        r = c.get("/sparql", params={"query": "SELECT * { SERVICE ?e { ?s ?p ?o } }"})
        assert r.status_code == 403 and "variable" in r.json()["detail"]


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?x { BIND("SERVICE <http://evil.example/s> { }" AS ?x) }',
        "SELECT ?x { BIND(<http://example.org/SERVICE> AS ?x) } # SERVICE <http://evil.example/>",
        "SELECT ?service { BIND(1 AS ?service) }",
        "SELECT ?x { BIND('''multi\nline SERVICE <http://evil.example/>''' AS ?x) }",
    ],
)
def test_the_word_in_strings_iris_comments_and_variables_is_not_service(client, query):
    assert inspect(query).services == []
    assert client.get("/sparql", params={"query": query}).status_code == 200


def test_allow_list_is_shipped_with_the_eu_endpoints():
    hosts = " ".join(DEFAULT_SERVICE_ALLOW)
    for host in (
        "cordis.europa.eu",
        "publications.europa.eu",
        "data.europa.eu",
        "query.wikidata.org",
    ):
        assert host in hosts


def test_federation_on_reaches_only_the_allow_list(make_client, read_store, endpoint):
    with make_client(read_store, federation=True, service_allow=(endpoint,)) as c:
        q = f"SELECT ?x {{ SERVICE <{endpoint}> {{ ?s ?p ?x }} }}"
        r = c.get("/sparql", params={"query": q})
        assert r.status_code == 200, r.text
        assert r.json()["results"]["bindings"][0]["x"]["value"] == "from afar"
        other = "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
        r = c.get("/sparql", params={"query": other})
        assert r.status_code == 403 and "allow-list" in r.json()["detail"]


def test_allowed_endpoint_refused_when_federation_off(make_client, read_store, endpoint):
    with make_client(read_store, federation=False, service_allow=(endpoint,)) as c:
        r = c.get("/sparql", params={"query": f"SELECT * {{ SERVICE <{endpoint}> {{ }} }}"})
        assert r.status_code == 403 and "federation is off" in r.json()["detail"]
