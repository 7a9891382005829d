"""SPARQL 1.1 Protocol and Update, item by item as the standards and real clients expect."""

from __future__ import annotations

import shutil
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from rdflib import Graph

from aigraph.store import Store

AUTH = {"authorization": "Bearer test-token"}
G1, G2, OUT = "http://example.org/g1", "http://example.org/g2", "http://example.org/out"
TWO_GRAPHS = f"""INSERT DATA {{
  GRAPH <{G1}> {{ <urn:a> <urn:p> "one" }}
  GRAPH <{G2}> {{ <urn:b> <urn:p> "two" }} }}"""
COPY_P = f"INSERT {{ GRAPH <{OUT}> {{ ?s <urn:p> ?o }} }} WHERE {{ ?s <urn:p> ?o }}"


@pytest.fixture
def disk(initialised_store_dir, tmp_path) -> Store:
    target = tmp_path / "store"
    shutil.copytree(initialised_store_dir, target)
    return Store(target)


def graph(store: Store, name: str) -> set:
    return {
        (q.subject.value, q.predicate.value, q.object.value)
        for q in store.ox.quads_for_pattern(None, None, None, ox.NamedNode(name))
    }


def update(client, text: str, **params):
    return client.post("/update", data={"update": text, **params}, headers=AUTH)


# ---------------------------------------------------------------- one query, one update
FORM = {"content-type": "application/x-www-form-urlencoded"}


def test_two_query_parameters_are_refused(client):
    r = client.get("/sparql", params=[("query", "ASK {}"), ("query", "SELECT * {}")])
    assert r.status_code == 400 and "2 'query' parameters" in r.json()["detail"]
    body = urlencode([("query", "ASK {}"), ("query", "ASK {}")])
    r = client.post("/sparql", content=body, headers=FORM)
    assert r.status_code == 400


def test_two_update_parameters_are_refused(write_client):
    before = write_client.app.state.store.version
    body = urlencode([("update", TWO_GRAPHS), ("update", "CLEAR ALL")])
    r = write_client.post("/update", content=body, headers={**AUTH, **FORM})
    assert r.status_code == 400 and "'update'" in r.json()["detail"]
    assert write_client.app.state.store.version == before


def test_a_direct_post_takes_no_query_parameter(client):
    r = client.post(
        "/sparql",
        params={"query": "ASK {}"},
        content="SELECT * {}",
        headers={"content-type": "application/sparql-query"},
    )
    assert r.status_code == 400


# ---------------------------------------------------------------- the update dataset
def test_using_graph_uri_narrows_the_update_dataset(make_client, disk):
    with make_client(disk) as c:
        assert update(c, TWO_GRAPHS).status_code == 200
        r = update(c, COPY_P, **{"using-graph-uri": G1})
        assert r.status_code == 200, r.text
        assert graph(disk, OUT) == {("urn:a", "urn:p", "one")}  # G2's triple is not seen


def test_using_named_graph_uri_is_the_named_dataset(make_client, disk):
    with make_client(disk) as c:
        assert update(c, TWO_GRAPHS).status_code == 200
        text = (
            f"INSERT {{ GRAPH <{OUT}> {{ ?s <urn:p> ?o }} }} "
            "WHERE { GRAPH ?g { ?s <urn:p> ?o } }"
        )
        r = update(c, text, **{"using-named-graph-uri": G2})
        assert r.status_code == 200, r.text
        assert graph(disk, OUT) == {("urn:b", "urn:p", "two")}


def test_using_parameters_beside_using_or_with_are_refused(make_client, disk):
    with make_client(disk) as c:
        own_using = f"INSERT {{ GRAPH <{OUT}> {{ ?s ?p ?o }} }} USING <{G2}> WHERE {{ ?s ?p ?o }}"
        own_with = f"WITH <{G2}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}"
        for text in (own_using, own_with):
            r = update(c, text, **{"using-graph-uri": G1})
            assert r.status_code == 400 and "USING or WITH" in r.json()["detail"]


def test_with_and_using_named_mean_what_the_engine_means(make_client, disk):
    """WITH sets the template's graph; USING NAMED alone leaves the default graph empty, so
    nothing matches outside GRAPH and nothing is deleted."""
    with make_client(disk) as c:
        assert update(c, TWO_GRAPHS).status_code == 200
        text = f"WITH <{G1}> DELETE {{ ?s ?p ?o }} USING NAMED <{G1}> WHERE {{ ?s ?p ?o }}"
        r = update(c, text)
        assert r.status_code == 200, r.text
        assert graph(disk, G1) == {("urn:a", "urn:p", "one")}


# ---------------------------------------------------------------- every operation
def test_drop_right_after_insert_in_one_request(make_client, disk):
    with make_client(disk) as c:
        r = update(c, f"INSERT DATA {{ GRAPH <{G1}> {{ <urn:a> <urn:p> 1 }} }} ; DROP GRAPH <{G1}>")
        assert r.status_code == 200, r.text
        assert graph(disk, G1) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BASE <http://example.org/> INSERT DATA { GRAPH <g1> { <a> <p> <b> } }", G1),
        (f"INSERT {{ GRAPH <{G1}> {{ <urn:a> <urn:n> -5, +5 }} }} WHERE {{}}", G1),
        (f"CREATE GRAPH <{G1}> ; INSERT DATA {{ GRAPH <{G1}> {{ <urn:a> <urn:p> 1 }} }}", G1),
    ],
    ids=["BASE", "signed numbers in a template", "CREATE then INSERT"],
)
def test_updates_the_old_planner_refused(make_client, disk, text, expected):
    with make_client(disk) as c:
        r = update(c, text)
        assert r.status_code == 200, r.text
        assert graph(disk, expected)


def test_silent_operations_on_missing_graphs(make_client, disk):
    with make_client(disk) as c:
        before = set(disk.ox.quads_for_pattern(None, None, None, None))
        for op in ("DROP SILENT GRAPH", "CLEAR SILENT GRAPH"):
            assert update(c, f"{op} <http://example.org/none>").status_code == 200
        r = update(c, "DROP GRAPH <http://example.org/none>")
        assert r.status_code == 400 and "does not exist" in r.json()["detail"]
        r = update(c, f"MOVE SILENT <http://example.org/none> TO <{G1}>")
        assert r.status_code == 200
        assert set(disk.ox.quads_for_pattern(None, None, None, None)) == before


def test_add_move_copy_between_graphs(make_client, disk):
    with make_client(disk) as c:
        assert update(c, TWO_GRAPHS).status_code == 200
        assert update(c, f"ADD <{G1}> TO <{G2}>").status_code == 200
        assert graph(disk, G2) == {("urn:a", "urn:p", "one"), ("urn:b", "urn:p", "two")}
        assert update(c, f"COPY <{G1}> TO <{OUT}>").status_code == 200
        assert graph(disk, OUT) == {("urn:a", "urn:p", "one")}
        assert update(c, f"MOVE <{G2}> TO <{G1}>").status_code == 200
        assert graph(disk, G2) == set()
        assert graph(disk, G1) == {("urn:a", "urn:p", "one"), ("urn:b", "urn:p", "two")}


def test_blank_nodes_are_skolemised_on_write(make_client, disk):
    with make_client(disk) as c:
        r = update(c, f"INSERT DATA {{ GRAPH <{G1}> {{ _:x <urn:p> 1 . _:x <urn:q> 2 }} }}")
        assert r.status_code == 200
        subjects = {
            q.subject for q in disk.ox.quads_for_pattern(None, None, None, ox.NamedNode(G1))
        }
        assert len(subjects) == 1
        (s,) = subjects
        assert isinstance(s, ox.NamedNode) and "/.well-known/genid/" in s.value
        # and a later write can name it to remove it
        r = update(c, f"DELETE DATA {{ GRAPH <{G1}> {{ <{s.value}> <urn:p> 1 }} }}")
        assert r.status_code == 200 and r.json()["removed"] == 1
        sd = c.get("/sparql", headers={"accept": "text/turtle"}).text
        assert "/.well-known/genid/" in sd


# ---------------------------------------------------------------- results and clients
@pytest.mark.parametrize(
    ("fmt", "media", "syntax"),
    [
        ("xml", "application/rdf+xml", "xml"),
        ("json", "application/ld+json", "json-ld"),
        ("json-ld", "application/ld+json", "json-ld"),
        ("n3", "text/n3", "n3"),
        ("turtle", "text/turtle", "turtle"),
        ("nt", "application/n-triples", "nt"),
        ("nquads", "application/n-quads", "nquads"),
        ("trig", "application/trig", "trig"),
    ],
)
def test_format_parameter_names_the_graph_syntax(client, fmt, media, syntax):
    q = "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 5"
    r = client.get("/sparql", params=[("query", q), ("format", fmt), ("format", fmt)])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    if syntax in ("nquads", "trig"):
        from rdflib import Dataset

        assert len(Dataset().parse(data=r.content, format=syntax)) == 5
    else:
        assert len(Graph().parse(data=r.content, format=syntax)) == 5


@pytest.mark.parametrize(
    "accept", ["text/n3", "application/n-quads", "application/trig", "text/plain"]
)
def test_graph_types_by_accept(client, accept):
    r = client.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s a ?t } LIMIT 3"},
        headers={"accept": accept},
    )
    assert r.status_code == 200
    media = "application/n-triples" if accept == "text/plain" else accept
    assert r.headers["content-type"].startswith(media)


def test_output_parameter_for_select_as_virtuoso_reads_it(client):
    r = client.get("/sparql", params={"query": "SELECT * { ?s a ?t } LIMIT 1", "output": "xml"})
    assert r.headers["content-type"].startswith("application/sparql-results+xml")


def test_an_unknown_function_leaves_its_value_unbound(client):
    q = (
        "PREFIX ex: <http://example.org/> SELECT ?x ?y WHERE "
        "{ VALUES ?x { 1 2 } BIND(ex:function(?x) AS ?y) }"
    )
    r = client.get("/sparql", params={"query": q}, headers={"accept": "application/json"})
    assert r.status_code == 200, r.text
    rows = r.json()["results"]["bindings"]
    assert [row["x"]["value"] for row in rows] == ["1", "2"]
    assert all("y" not in row for row in rows)


def test_an_unknown_function_in_the_cli(memory_store):
    from aigraph.query import run

    result = run(memory_store.ox, "SELECT ?y { BIND(<http://example.org/f>(1) AS ?y) }")
    assert result.bindings() == [{}]


def test_sparqlwrapper_and_rdflib_against_a_served_store(serve, initialised_store_dir, tmp_path):
    """Real clients with their default requests: SPARQLWrapper's CONSTRUCT asks format=xml
    beside its Accept header (it used to get 406), JSON-LD and N3 too; rdflib's SPARQLStore."""
    from SPARQLWrapper import JSON, JSONLD, N3, RDFXML, TURTLE, XML, SPARQLWrapper

    target = tmp_path / "store"
    shutil.copytree(initialised_store_dir, target)
    with serve(target) as base:
        construct = (
            "CONSTRUCT { ?a a aig:CooperationAgreement } WHERE { ?a a aig:CooperationAgreement }"
        )
        for fmt in (XML, RDFXML, JSONLD, N3, TURTLE):
            w = SPARQLWrapper(base + "/sparql")
            w.setQuery(construct)
            w.setReturnFormat(fmt)
            g = w.queryAndConvert()
            if not isinstance(g, Graph):
                g = Graph().parse(data=g, format={N3: "n3", TURTLE: "turtle"}.get(fmt, fmt))
            assert len(g) >= 1, fmt
        w = SPARQLWrapper(base + "/sparql")
        w.setQuery("SELECT ?a WHERE { ?a a aig:CooperationAgreement }")
        w.setReturnFormat(JSON)
        assert w.queryAndConvert()["results"]["bindings"]

        from rdflib.plugins.stores.sparqlstore import SPARQLStore

        remote = Graph(store=SPARQLStore(base + "/sparql"))
        rows = list(
            remote.query(
                "SELECT ?a WHERE { ?a a <https://w3id.org/aigraph/ontology#CooperationAgreement> }"
            )
        )
        assert rows
        ask = remote.query("ASK { ?a a <https://w3id.org/aigraph/ontology#CooperationAgreement> }")
        assert ask.askAnswer is True


def test_relative_iris_resolve_against_the_request_url(client):
    """The W3C Protocol test query_content_type_construct: a POSTed CONSTRUCT with relative
    IRIs (the base is the endpoint's URL)."""
    r = client.post(
        "/sparql",
        params={"default-graph-uri": "http://kasei.us/2009/09/sparql/data/data0.rdf"},
        content="CONSTRUCT { <s> <p> 1 } WHERE {}",
        headers={"content-type": "application/sparql-query", "accept": "text/turtle"},
    )
    assert r.status_code == 200, r.text
    (triple,) = Graph().parse(data=r.text, format="turtle")
    assert str(triple[0]) == "http://testserver/s"


def test_update_base_is_the_request_url(make_client, disk):
    with make_client(disk) as c:
        r = update(c, "INSERT DATA { GRAPH <g> { <s> <p> 1 } }")
        assert r.status_code == 200, r.text
        assert graph(disk, "http://testserver/g") == {
            ("http://testserver/s", "http://testserver/p", "1")
        }
