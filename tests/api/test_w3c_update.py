"""The W3C SPARQL 1.1 Update evaluation tests, differentially: each request runs through
``/update`` (the policy, the update worker's planner, validation and commit) and through plain
pyoxigraph from the same data; the two stores must end up the same graph by graph (blank nodes
compared by isomorphism), and both must hold the test's expected result.

Fixtures: tests/fixtures/w3c-update (see its README for source and licence).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RLiteral
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, Namespace

from aigraph.api import create_app
from aigraph.config import Settings
from aigraph.rdfio import GENID
from aigraph.store import Store

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "w3c-update"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
AUTH = {"authorization": "Bearer test-token", "content-type": "application/sparql-update"}


def _files(node, graph: Graph) -> tuple[Path | None, dict[str, Path]]:
    """(default graph data, {graph name: data}) of an action or result node."""
    data = graph.value(node, UT.data)
    named = {}
    for gd in graph.objects(node, UT.graphData):
        named[str(graph.value(gd, RDFS.label))] = Path(str(graph.value(gd, UT.graph))[7:])
    return (Path(str(data)[7:]) if data is not None else None), named


def _cases() -> Iterator:
    for manifest in sorted(ROOT.glob("*/manifest.ttl")):
        g = Graph().parse(manifest, publicID=manifest.as_uri())
        for test in g.subjects(predicate=None, object=MF.UpdateEvaluationTest):
            action, result = g.value(test, MF.action), g.value(test, MF.result)
            request = Path(str(g.value(action, UT.request))[7:])
            name = f"{manifest.parent.name}/{str(test).rsplit('#', 1)[-1]}"
            yield pytest.param(request, _files(action, g), _files(result, g), id=name)


CASES = list(_cases())


def _quads(default: Path | None, named: dict[str, Path]) -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    if default is not None:
        quads += ox.parse(path=str(default), format=ox.RdfFormat.TURTLE, base_iri=default.as_uri())
    for name, path in named.items():
        g = ox.NamedNode(name)
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()):
            quads.append(ox.Quad(q.subject, q.predicate, q.object, g))
    return quads


def _rdflib(term):
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.NamedNode):
        # a skolem IRI written by the store stands for a blank node
        return BNode(term.value) if term.value.startswith(GENID) else URIRef(term.value)
    if term.language:
        return RLiteral(term.value, lang=term.language)
    return RLiteral(term.value, datatype=URIRef(term.datatype.value))


def _graphs(quads) -> dict[str, Graph]:
    """The dataset graph by graph (empty graphs dropped: a store keeps no empty graph)."""
    out: dict[str, Graph] = {}
    for q in quads:
        name = "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        out.setdefault(name, Graph()).add(
            (_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object))
        )
    return out


def _same(a: dict[str, Graph], b: dict[str, Graph]) -> bool:
    return a.keys() == b.keys() and all(isomorphic(a[k], b[k]) for k in a)


class _Conforms:
    conforms = True


class W3CStore(Store):
    """The suite's data (``ex:john foaf:name ...``) is not aigraph data: the project's shapes,
    which want a source on every person, would refuse it. Everything else of a write (the plan,
    the net change, the commit) is the service's own."""

    def check(self, add, remove=()):
        return _Conforms()


@pytest.fixture(scope="module")
def pool_client(tmp_path_factory) -> Iterator[TestClient]:
    """A service over an on-disk store with a worker pool: updates go through the update
    worker, as in production. Each test empties it and loads its own data."""
    path = tmp_path_factory.mktemp("w3c-update") / "store"
    app = create_app(Settings(write_token="test-token", workers=1), W3CStore(path))
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def memory_client() -> Iterator[TestClient]:
    """A service over an in-memory store: the same planner, validation and commit, in-process
    (every test of the suite runs here; one test of each folder also runs through the pool)."""
    app = create_app(Settings(write_token="test-token", workers=0), W3CStore())
    with TestClient(app) as c:
        yield c


def _first_of_each_folder(cases: list) -> list:
    seen: set[str] = set()
    out = []
    for case in cases:
        folder = case.id.split("/")[0]
        if folder not in seen:
            seen.add(folder)
            out.append(case)
    return out


def _reset(store: Store, quads: list[ox.Quad]) -> None:
    current = list(store.ox.quads_for_pattern(None, None, None, None))
    store.write(add=quads, remove=current)


@pytest.mark.parametrize(("request_file", "before", "after"), CASES)
def test_update_matches_the_engine_and_the_standard(memory_client, request_file, before, after):
    _check(memory_client, request_file, before, after)


@pytest.mark.parametrize(("request_file", "before", "after"), _first_of_each_folder(CASES))
def test_update_through_the_update_worker(pool_client, request_file, before, after):
    _check(pool_client, request_file, before, after)


def _check(client: TestClient, request_file: Path, before, after) -> None:
    text = request_file.read_text(encoding="utf-8")
    initial = _quads(*before)

    engine = ox.Store()
    engine.extend(initial)
    try:
        engine.update(text, base_iri=request_file.as_uri())
        engine_failed = False
    except (SyntaxError, OSError, RuntimeError, ValueError):
        engine_failed = True
    engine_state = _graphs(engine.quads_for_pattern(None, None, None, None))

    store: Store = client.app.state.store
    _reset(store, initial)
    start = _graphs(store.ox.quads_for_pattern(None, None, None, None))
    # the tests' requests name absolute IRIs; a relative one would need the file's base
    r = client.post("/update", content=text.encode(), headers=AUTH)
    ours = _graphs(store.ox.quads_for_pattern(None, None, None, None))

    if "LOAD" in text.upper().split():  # refused by policy: the service fetches nothing
        assert r.status_code == 403, r.text
        assert _same(ours, start)
        return
    if engine_failed:
        assert r.status_code == 400, r.text
        assert _same(ours, start), "a refused update changed the store"
        return
    assert r.status_code == 200, r.text
    assert _same(ours, engine_state), "the store differs from what the engine itself makes"
    expected = _graphs(_quads(*after))
    assert _same(ours, expected), "the store differs from the test's expected result"
