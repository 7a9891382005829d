"""A write is validated on every node it can break: the incremental check of a change gives
the verdict, and the results, of a full validation of the state it would produce."""

from __future__ import annotations

import random
from collections import Counter

import pyoxigraph as ox
import pytest
import rdflib

from aigraph import validate
from aigraph.errors import NonConformingError
from aigraph.shacl.paths import path_from_text
from aigraph.shacl.scope import inner_prefixes, prefixes, reach
from aigraph.store import Store
from aigraph.validate import ValidationReport, validate_change, validate_store

ID = "https://w3id.org/aigraph/id/"
HFI = ox.NamedNode(ID + "organisation/hub-france-ia")
RDF_TYPE = ox.NamedNode(str(rdflib.RDF.type))
CURATED = "https://w3id.org/aigraph/graph/curated/"
EX = "http://example.org/"


@pytest.fixture(scope="module")
def curated() -> Store:
    """The initialised in-memory store; the tests only check changes, never write them."""
    store = Store()
    store.init()
    return store


def _key(report: ValidationReport) -> Counter:
    return Counter(
        (r.focus_node, r.source_shape, r.constraint_component, r.result_path, r.value)
        for r in report.results
    )


def full_validation(store: ox.Store, add: list[ox.Quad], remove: list[ox.Quad]):
    """The reference: every node of the state the change would produce, validated."""
    state = ox.Store()
    state.extend(store)
    for q in set(remove) - set(add):
        state.remove(q)
    state.extend(add)
    return validate_store(state, given=add)


def test_curated_store_conforms(curated):
    assert validate_store(curated.ox).conforms


def test_removing_an_organisations_types_is_refused(memory_store):
    """Hub France IA loses every rdf:type in every graph: the posts in it, its memberships
    and the agreements it is party to point at it, and fail (they did not before)."""
    remove = list(memory_store.ox.quads_for_pattern(HFI, RDF_TYPE, None, None))
    before = set(memory_store.ox)
    with pytest.raises(NonConformingError) as info:
        memory_store.write(remove=remove)
    assert set(memory_store.ox) == before
    report = info.value.report
    failing = {(r.focus_node.removeprefix(ID), r.result_path) for r in report.results}
    assert (
        "post/hub-france-ia-president-rim-tehraoui",
        "http://www.w3.org/ns/org#postIn",
    ) in failing
    assert any(f.startswith("agreement/") for f, _ in failing)
    assert any(f.startswith("membership/") for f, _ in failing)
    assert all(r.value == str(HFI) for r in report.results)
    assert _key(report) == _key(full_validation(memory_store.ox, [], remove))


# ----------------------------------------------------------------------------- property test
def _random_change(store: ox.Store, rng: random.Random) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """One to three random edits of the curated data: a triple removed from every graph, an
    entity's types or whole description removed, an edge re-pointed, a type added, a literal
    replaced by another of the same property or of another datatype."""
    quads = sorted((q for q in store if str(q.graph_name).startswith(f"<{CURATED}")), key=str)
    subjects = sorted({q.subject for q in quads if isinstance(q.subject, ox.NamedNode)}, key=str)
    classes = sorted({q.object for q in quads if q.predicate == RDF_TYPE}, key=str)
    literals = sorted({q.object for q in quads if isinstance(q.object, ox.Literal)}, key=str)
    add: list[ox.Quad] = []
    remove: list[ox.Quad] = []

    def every_graph(s, p, o) -> list[ox.Quad]:
        return list(store.quads_for_pattern(s, p, o, None))

    for _ in range(rng.randint(1, 3)):
        q = rng.choice(quads)
        kind = rng.choice(["drop", "untype", "delete", "repoint", "type", "literal"])
        if kind == "drop":
            remove += every_graph(q.subject, q.predicate, q.object)
        elif kind == "untype":
            remove += every_graph(q.subject, RDF_TYPE, None)
        elif kind == "delete":
            remove += every_graph(q.subject, None, None)
        elif kind == "repoint" and isinstance(q.object, ox.NamedNode):
            remove += every_graph(q.subject, q.predicate, q.object)
            add.append(ox.Quad(q.subject, q.predicate, rng.choice(subjects), q.graph_name))
        elif kind == "type":
            add.append(ox.Quad(rng.choice(subjects), RDF_TYPE, rng.choice(classes), q.graph_name))
        else:
            remove += every_graph(q.subject, q.predicate, q.object)
            add.append(ox.Quad(q.subject, q.predicate, rng.choice(literals), q.graph_name))
    return add, remove


@pytest.mark.parametrize("seed", range(40))
def test_incremental_check_equals_full_validation(curated, seed):
    add, remove = _random_change(curated.ox, random.Random(seed))
    incremental = curated.check(add, remove)
    full = full_validation(curated.ox, add, remove)
    assert incremental.conforms is full.conforms
    assert _key(incremental) == _key(full), incremental.text() + "\n---\n" + full.text()


@pytest.mark.parametrize("seed", range(5))
def test_large_changes_are_checked_on_the_whole_new_state(curated, seed, monkeypatch):
    monkeypatch.setattr(validate, "FULL_CHECK_RATIO", 10**9)
    add, remove = _random_change(curated.ox, random.Random(1000 + seed))
    assert _key(curated.check(add, remove)) == _key(full_validation(curated.ox, add, remove))


# ----------------------------------------------------------------------------- reach
def _g(ttl: str) -> rdflib.Graph:
    return rdflib.Graph().parse(
        data="@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
        + ttl,
        format="turtle",
    )


def test_prefixes_of_paths():
    def texts(paths):
        return [p.sparql().replace(EX, "") for p in paths]

    seq = path_from_text(f"<{EX}a>/<{EX}b>/<{EX}c>")
    assert texts(prefixes(seq)) == ["<a>", "<a>/<b>", "<a>/<b>/<c>"]
    assert texts(inner_prefixes(seq)) == ["<a>", "<a>/<b>"]
    inverse = path_from_text(f"^(<{EX}a>/<{EX}b>)")
    assert texts(prefixes(inverse)) == ["^<b>", "^<b>/^<a>"]
    star = path_from_text(f"(<{EX}a>/<{EX}b>)*")
    assert texts(prefixes(star)) == ["(<a>/<b>)*/<a>", "(<a>/<b>)*/<a>/<b>"]
    alt = path_from_text(f"<{EX}a>|<{EX}b>/<{EX}c>")
    assert texts(inner_prefixes(alt)) == ["<b>"]


def test_reach_follows_nested_shapes_and_value_reads():
    r = reach(
        _g("""ex:S sh:targetClass ex:A ; sh:property ex:P, ex:Q .
              ex:P sh:path ( ex:p ex:q ) ; sh:datatype ex:D .
              ex:Q sh:path ex:r ; sh:node ex:N .
              ex:N sh:property [ sh:path [ sh:inversePath ex:s ] ; sh:class ex:C ] .""")
    )
    assert {p.sparql().replace(EX, "") for p in r.paths} == {
        "<p>",  # the middle of (p q); its value nodes are only compared to a datatype
        "<r>",  # the values of r, validated against ex:N
        "<r>/^<s>",  # their ^s values, whose types sh:class reads
    }
    assert r.inverse_predicates == {EX + "s"}


@pytest.mark.parametrize("whole", [False, True], ids=["incremental", "whole-state"])
def test_change_far_along_a_path_reaches_the_focus_node(whole, monkeypatch):
    """A type removed two hops away breaks the focus node whose path reaches it."""
    monkeypatch.setattr(validate, "FULL_CHECK_RATIO", 10**9 if whole else 0)
    shapes = _g("""ex:S sh:targetClass ex:A ;
                       sh:property [ sh:path ( ex:p [ sh:zeroOrMorePath ex:next ] ) ;
                                     sh:class ex:C ] .""")
    live = ox.Store()
    live.load(
        b"""@prefix ex: <http://example.org/> .
            ex:a a ex:A ; ex:p ex:m .  ex:m ex:next ex:n .  ex:m a ex:C .  ex:n a ex:C .""",
        ox.RdfFormat.TURTLE,
    )
    remove = [ox.Quad(ox.NamedNode(EX + "n"), RDF_TYPE, ox.NamedNode(EX + "C"))]
    report = validate_change(live, [], remove, shapes=shapes)
    assert [(r.focus_node, r.value) for r in report.results] == [(EX + "a", f"<{EX}n>")]
    # and an added edge to an untyped node is seen through the path as well
    add = [ox.Quad(ox.NamedNode(EX + "n"), ox.NamedNode(EX + "next"), ox.NamedNode(EX + "z"))]
    report = validate_change(live, add, [], shapes=shapes)
    assert [(r.focus_node, r.value) for r in report.results] == [(EX + "a", f"<{EX}z>")]
