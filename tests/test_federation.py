"""The federated example queries of docs/federation, run offline: each real endpoint IRI is
replaced by a stub SPARQL endpoint on 127.0.0.1 that replays recorded answers.

pyoxigraph evaluates SERVICE itself (a POST of the inner pattern as ``SELECT *``, without the
local bindings), so these tests run the queries through :func:`aigraph.query.run` on the store;
the HTTP service's SERVICE allow-list is tested with the service.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import unquote_plus

import pyoxigraph as ox
import pytest

from aigraph.config import Settings
from aigraph.errors import NotAllowed
from aigraph.importers.cordis import import_cordis
from aigraph.importers.ror import import_ror
from aigraph.query import run
from aigraph.store import Store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "federation"
ANSWERS = ROOT / "tests" / "fixtures" / "federation"
ENDPOINTS = {
    "https://cordis.europa.eu/datalab/sparql": "cordis",
    "https://publications.europa.eu/webapi/rdf/sparql": "publications",
    "https://query.wikidata.org/sparql": "wikidata",
}


class Stub(BaseHTTPRequestHandler):
    """Answers POST /{name} (SPARQL protocol, query in the body) with ANSWERS/{name}.srj."""

    received: list[tuple[str, str]] = []

    def do_POST(self) -> None:
        size = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(size).decode("utf-8")
        name = self.path.strip("/")
        Stub.received.append((name, body))
        answer = ANSWERS / f"{name}.srj"
        # it answers only what it was asked: a SELECT that names every variable of the answer
        wanted = json.loads(answer.read_text("utf-8"))["head"]["vars"] if answer.is_file() else []
        sent = unquote_plus(body)
        if not wanted or "SELECT" not in sent.upper() or any(f"?{v}" not in sent for v in wanted):
            self.send_response(400)
            self.end_headers()
            return
        data = answer.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def stub() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store()
    s.init()
    import_ror(s, sorted((ROOT / "tests" / "fixtures" / "ror").glob("0*.json")))
    import_cordis(s, ROOT / "tests" / "fixtures" / "cordis" / "valid")
    return s


def offline(query: str, stub: str) -> str:
    for endpoint, name in ENDPOINTS.items():
        query = query.replace(f"<{endpoint}>", f"<{stub}/{name}>")
    return query


def federated(stub: str) -> Settings:
    """Federation on, with the stand-ins for the documented endpoints on the allow-list."""
    return Settings(federation=True, service_allow=tuple(f"{stub}/{n}" for n in ENDPOINTS.values()))


def example(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8")


def test_every_example_names_an_allowed_endpoint():
    from aigraph.config import DEFAULT_SERVICE_ALLOW

    for path in sorted(EXAMPLES.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        used = [e for e in ENDPOINTS if f"<{e}>" in text]
        assert used, f"{path.name} has no SERVICE to a documented endpoint"
        assert all(e in DEFAULT_SERVICE_ALLOW for e in used)


def test_wikidata(store, stub):
    result = run(
        store.ox, offline(example("wikidata-organisations.rq"), stub), settings=federated(stub)
    )
    rows = {r["wd"]: r for r in result.bindings()}
    inria = rows["http://www.wikidata.org/entity/Q1146208"]
    assert inria["inception"].startswith("1967") and inria["website"] == "https://www.inria.fr/"
    assert inria["org"].endswith("/organisation/ror-02kvxyf05")
    assert "http://www.wikidata.org/entity/Q161057" in rows  # Fraunhofer
    name, sent = Stub.received[-1]
    assert name == "wikidata" and "wd" in sent.lower()


def test_publications_office(store, stub):
    result = run(
        store.ox,
        offline(example("publications-office-countries.rq"), stub),
        settings=federated(stub),
    )
    rows = {r["country"].rsplit("/", 1)[-1]: r for r in result.bindings()}
    assert rows["GRC"]["ga"] == "An Ghréig"  # the CORDIS participant from Greece (EL)
    assert int(rows["FRA"]["organisations"]) >= 2
    assert {"FRA", "DEU", "GRC"} <= set(rows)


def test_cordis_datalab(store, stub):
    result = run(store.ox, offline(example("cordis-projects.rq"), stub), settings=federated(stub))
    rows = {r["id"]: r for r in result.bindings()}
    assert set(rows) == {"101070001", "101070003"}  # the projects the remote graph knows
    assert rows["101070001"]["acronym"] == "TRUSTAI"
    assert rows["101070001"]["remoteTitle"] == "Trustworthy AI; methods and tools"


def test_the_recorded_answers_are_sparql_json():
    """One recorded answer per documented endpoint, each SPARQL JSON results with rows."""
    paths = sorted(ANSWERS.glob("*.srj"))
    assert {p.stem for p in paths} == set(ENDPOINTS.values())
    for path in paths:
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc["head"]["vars"], path.name
        rows = list(ox.parse_query_results(path.read_bytes(), format=ox.QueryResultsFormat.JSON))
        assert rows, f"{path.name} holds no solution"


def test_federation_is_off_unless_settings_turn_it_on(store, stub):
    """The library path holds the same policy as the service: without federation, and for an
    endpoint off the allow-list, nothing is sent."""
    before = len(Stub.received)
    query = offline(example("wikidata-organisations.rq"), stub)
    with pytest.raises(NotAllowed, match="federation is off"):
        run(store.ox, query, settings=Settings())
    on_but_elsewhere = Settings(
        federation=True, service_allow=("https://query.wikidata.org/sparql",)
    )
    with pytest.raises(NotAllowed, match="allow-list"):
        run(store.ox, query, settings=on_but_elsewhere)
    assert len(Stub.received) == before
