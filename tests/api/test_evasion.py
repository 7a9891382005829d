"""No way around the SERVICE/LOAD policy: a corpus of evasions against every path that runs a
query, with a listener on loopback that fails the test if anything reaches it.

Each request of the corpus hides a SERVICE call or a LOAD (escapes, comments, strings, prefixed
names, BASE, case, nesting, VALUES, sub-queries, updates). Whatever the path (library, CLI,
``/sparql``, ``/update``), it must be refused and the listener must stay silent. A last test
goes around the policy on purpose, straight to a query worker, to check the second wall: the
worker has no network.
"""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator

import pytest

from aigraph import policy
from aigraph.cli import main as cli
from aigraph.config import Settings
from aigraph.errors import AigraphError, InputError, NotAllowed
from aigraph.namespaces import PREFIXES
from aigraph.query import run
from aigraph.sparql import sandbox
from aigraph.sparql.executor import WorkerPool
from aigraph.sparql.results import QueryJob
from aigraph.store import Store

TOKEN = "test-token"  # the write token of the clients made by conftest.client_for

QUERIES = {
    "unicode escape then # in an IRI": r"ASK { BIND(<urn:x\u0041#> AS ?z) SERVICE <{url}> { ?s ?p ?o } }",  # noqa: E501
    "long escape then # in an IRI": r"ASK { BIND(<urn:x\U00000041#> AS ?z) SERVICE <{url}> { ?s ?p ?o } }",  # noqa: E501
    "escaped # in an IRI": r"ASK { BIND(<urn:x\u0023> AS ?z) SERVICE <{url}> { ?s ?p ?o } }",
    "escapes in the endpoint": r"SELECT * { SERVICE <{url}\u0078> { ?s ?p ?o } }",
    "escaped keyword": r"SELECT * { SERV\u0049CE <{url}> { ?s ?p ?o } }",
    "escaped newline ends a comment": "SELECT * { # c\\u000A SERVICE <{url}> { ?s ?p ?o } }",
    "lower case": "select * { service <{url}> { ?s ?p ?o } }",
    "mixed case silent": "SELECT * { SeRvIcE sIlEnT <{url}> { ?s ?p ?o } }",
    "comment between keyword and endpoint": "SELECT * { SERVICE # x\n <{url}> { ?s ?p ?o } }",
    "no spaces": "SELECT*{SERVICE<{url}>{?s?p?o}}",
    "prefixed name": "PREFIX e: <{url}> SELECT * { SERVICE e: { ?s ?p ?o } }",
    "prefixed name with local escape": "PREFIX e: <{url}> SELECT * { SERVICE e:a\\.b { ?s ?p ?o } }",  # noqa: E501
    "prefix IRI with escapes": r"PREFIX e: <{url}\u0061> SELECT * { SERVICE e:b { ?s ?p ?o } }",
    "BASE and a relative endpoint": "BASE <{url}> SELECT * { SERVICE <x> { ?s ?p ?o } }",
    "empty relative endpoint": "BASE <{url}> SELECT * { SERVICE <> { ?s ?p ?o } }",
    "VALUES feeds a variable endpoint": "SELECT * { VALUES ?e { <{url}> } SERVICE ?e { ?s ?p ?o } }",  # noqa: E501
    "sub-query": "SELECT * { { SELECT * { SERVICE <{url}> { ?s ?p ?o } } } }",
    "OPTIONAL, UNION, MINUS": (
        "SELECT * { { ?a ?b ?c } UNION { OPTIONAL { MINUS { SERVICE <{url}> { ?s ?p ?o } } } } }"
    ),
    "inside FILTER EXISTS": "SELECT * { ?a ?b ?c FILTER EXISTS { SERVICE <{url}> { ?s ?p ?o } } }",
    "after a string with an escaped quote": (
        'SELECT * { BIND("a\\" # " AS ?x) SERVICE <{url}> { ?s ?p ?o } }'
    ),
    "after a long string with a #": (
        "SELECT * { BIND('''# ''' AS ?x) SERVICE <{url}> { ?s ?p ?o } }"
    ),
    "after a single-quoted string": "SELECT * { BIND('#' AS ?x) SERVICE <{url}> { ?s ?p ?o } }",
}

UPDATES = {
    "LOAD hidden after an escaped IRI": (
        r"INSERT DATA { GRAPH <urn:g> { <urn:x\u0041#> <urn:p> <urn:o> } } ; LOAD <{url}>"
    ),
    "LOAD": "LOAD <{url}>",
    "LOAD SILENT INTO": "load silent <{url}> into graph <urn:g>",
    "SERVICE in WHERE": "INSERT { GRAPH <urn:g> { ?s ?p ?o } } WHERE { SERVICE <{url}> { ?s ?p ?o } }",  # noqa: E501
    "SERVICE hidden in WHERE": (
        r"INSERT { GRAPH <urn:g> { <urn:a> <urn:b> ?z } } "
        r"WHERE { BIND(<urn:x\u0041#> AS ?z) SERVICE <{url}> { ?s ?p ?o } }"
    ),
    "escaped LOAD keyword": r"LO\u0041D <{url}>",
}


class Tripwire:
    """A TCP listener on loopback that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.hits: list[tuple] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/sparql"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, addr = self.sock.accept()
            except OSError:
                continue
            self.hits.append(addr)
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self.thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def tripwire() -> Iterator[Tripwire]:
    wire = Tripwire()
    yield wire
    wire.close()
    assert wire.hits == [], f"something reached the listener: {wire.hits}"


def _text(template: str, wire: Tripwire) -> str:
    return template.replace("{url}", wire.url)


SETTINGS = {
    "federation off": Settings(),
    "federation on, listener not allowed": Settings(
        federation=True, service_allow=("https://query.wikidata.org/sparql",)
    ),
}


@pytest.mark.parametrize("name", sorted(QUERIES))
@pytest.mark.parametrize("mode", sorted(SETTINGS))
def test_the_policy_refuses_every_hidden_service(name, mode, tripwire):
    with pytest.raises((NotAllowed, InputError)):
        policy.guard(_text(QUERIES[name], tripwire), SETTINGS[mode], prefixes=PREFIXES)


@pytest.mark.parametrize("name", sorted(UPDATES))
def test_the_policy_refuses_every_hidden_load_or_service_in_updates(name, tripwire):
    with pytest.raises(NotAllowed):
        policy.guard(_text(UPDATES[name], tripwire), Settings(), update=True, prefixes=PREFIXES)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_the_library_path_holds_the_policy(name, memory_store, tripwire):
    with pytest.raises(AigraphError):
        run(memory_store.ox, _text(QUERIES[name], tripwire), settings=Settings())


def test_the_command_line_holds_the_policy(initialised_store_dir, tmp_path, tripwire, capsys):
    target = tmp_path / "store"
    shutil.copytree(initialised_store_dir, target)
    for name in ("unicode escape then # in an IRI", "prefixed name", "lower case"):
        code = cli(["query", "--store", str(target), _text(QUERIES[name], tripwire)])
        err = capsys.readouterr().err
        assert code == 2, (name, err)
        assert "not allowed" in err and "internal error" not in err


@pytest.fixture(scope="module")
def pool_store(initialised_store_dir, tmp_path_factory) -> Store:
    target = tmp_path_factory.mktemp("evasion") / "store"
    shutil.copytree(initialised_store_dir, target)
    return Store(target)


@pytest.mark.parametrize("mode", sorted(SETTINGS))
def test_the_service_refuses_the_corpus(mode, pool_store, make_client, tripwire):
    settings = SETTINGS[mode]
    with make_client(
        pool_store, federation=settings.federation, service_allow=settings.service_allow
    ) as c:
        before = set(pool_store.ox.quads_for_pattern(None, None, None, None))
        for name, template in QUERIES.items():
            r = c.get("/sparql", params={"query": _text(template, tripwire)})
            assert r.status_code in (400, 403), (name, r.status_code, r.text)
            r = c.post("/sparql", data={"query": _text(template, tripwire)})
            assert r.status_code in (400, 403), (name, r.status_code, r.text)
        auth = {"Authorization": f"Bearer {TOKEN}"}
        for name, template in UPDATES.items():
            r = c.post("/update", data={"update": _text(template, tripwire)}, headers=auth)
            assert r.status_code in (400, 403), (name, r.status_code, r.text)
        assert set(pool_store.ox.quads_for_pattern(None, None, None, None)) == before


def _probe_isolation(port: int) -> tuple[bool, bool]:
    """In a fresh process: isolate, then try to reach ``port`` on loopback."""
    isolated = sandbox.isolate_network()
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return isolated, True
    except OSError:
        return isolated, False


@pytest.fixture(scope="module")
def kernel_isolates() -> bool:
    import multiprocessing as mp

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        with mp.get_context("spawn").Pool(1) as p:
            isolated, reached = p.apply(_probe_isolation, (listener.getsockname()[1],))
    assert not (isolated and reached), "an isolated process reached the loopback"
    return isolated


def test_a_worker_has_no_network_even_past_the_policy(pool_store, tripwire, kernel_isolates):
    """The second wall: a SERVICE sent straight to a query worker (no policy on this path)
    cannot reach the listener."""
    if not kernel_isolates:
        pytest.skip("this kernel refuses network namespaces: the policy is the only wall here")
    pool = WorkerPool(pool_store, size=1)
    try:
        job = QueryJob(f"SELECT * {{ SERVICE <{tripwire.url}> {{ ?s ?p ?o }} }}", max_rows=10)
        with pytest.raises(AigraphError, match="(?i)unreachable|network"):
            pool.execute(job, 10)
    finally:
        pool.close()


def test_an_unprivileged_process_is_isolated_too(kernel_isolates):
    """Not only root: a worker started by an ordinary user gets its network namespace inside a
    user namespace of its own (where the kernel allows those)."""
    import os
    import subprocess
    import sys

    if os.geteuid() != 0:
        assert kernel_isolates or not sys.platform.startswith("linux")
        return
    probe = (
        "import os, socket; from aigraph.sparql import sandbox;"
        "os.setgid(65534); os.setuid(65534); ok = sandbox.isolate_network();"
        "s = socket.socket(); s.settimeout(1);"
        "code = s.connect_ex(('127.0.0.1', 9)); print(ok, code)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    isolated, code = out.stdout.split() or ("?", out.stderr)
    if isolated != "True":
        pytest.skip("user namespaces are off for unprivileged users on this kernel")
    assert int(code) == 101  # ENETUNREACH: no route anywhere, loopback included


def test_the_update_syntax_check_runs_nothing(tripwire):
    """Even handed a LOAD directly (no policy in front), the syntax check only parses: the
    engine stops at the guard operation before the request's own first one."""
    from aigraph.sparql.update import check_syntax

    check_syntax(
        f"INSERT DATA {{ GRAPH <urn:g> {{ <urn:a> <urn:b> <urn:c> }} }} ; LOAD <{tripwire.url}>"
    )
    check_syntax(f"PREFIX e: <{tripwire.url}>\nLOAD e:x")


def test_with_federation_on_only_allowed_service_queries_get_the_network(
    pool_store, make_client, tripwire, monkeypatch
):
    """Federation on: a query whose SERVICE endpoints the policy found on the allow-list runs in
    a worker with network and gets its answer; any other query runs where nothing can be
    reached, so a SERVICE the policy did not see (simulated here by blinding the inspection)
    still reaches nothing."""
    from http.server import HTTPServer

    from test_service_policy import Endpoint

    from aigraph.lexer import Inspection
    from aigraph.sparql import service as service_module

    server = HTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    allowed = f"http://127.0.0.1:{server.server_port}/sparql"
    try:
        with make_client(pool_store, federation=True, service_allow=(allowed,)) as c:
            q = f"SELECT ?x {{ SERVICE <{allowed}> {{ ?s ?p ?x }} }}"
            r = c.get("/sparql", params={"query": q})
            assert r.status_code == 200, r.text
            assert r.json()["results"]["bindings"][0]["x"]["value"] == "from afar"

            blind = Inspection(form="SELECT", is_update=False)
            monkeypatch.setattr(service_module, "inspect_query", lambda text: blind)
            hidden = f"SELECT * {{ SERVICE <{tripwire.url}> {{ ?s ?p ?o }} }}"
            r = c.get("/sparql", params={"query": hidden})
            assert r.status_code == 400, r.text
            assert "unreachable" in r.json()["detail"].lower()
    finally:
        server.shutdown()
