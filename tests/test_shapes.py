"""SHACL shapes: each shape has a valid and an invalid fixture; invalid fixtures state, in
``# expect: aigsh:Shape ex:focus`` lines, which shape must fail on which focus node.

Also checks that the shapes keep to the SHACL Core subset that aigraph's SHACL-to-SPARQL
compiler supports, and that every shape is named by an IRI and carries a message."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from aigraph.ontology import ontology_graph

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
AIGSH = "https://w3id.org/aigraph/shapes#"
EXPECT = re.compile(r"^#\s*expect:\s*(\S+)\s+(\S+)\s*$")

VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))

#: the SHACL vocabulary the compiler understands (predicates allowed on shapes)
ALLOWED = {
    SH[t]
    for t in [
        "targetClass",
        "targetSubjectsOf",
        "targetObjectsOf",
        "targetNode",
        "property",
        "path",
        "inversePath",
        "minCount",
        "maxCount",
        "datatype",
        "class",
        "nodeKind",
        "pattern",
        "flags",
        "in",
        "hasValue",
        "minInclusive",
        "maxInclusive",
        "minExclusive",
        "maxExclusive",
        "minLength",
        "maxLength",
        "languageIn",
        "uniqueLang",
        "or",
        "message",
        "severity",
        "deactivated",
        "name",
        "description",
    ]
}
TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)


@lru_cache(maxsize=1)
def shapes() -> Graph:
    g = Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


def validate(path: Path) -> tuple[bool, Graph, str, Graph]:
    data = Graph()
    data.parse(path, format="turtle")
    merged = data + ontology_graph()  # the ontology and vocabularies are part of the data graph
    conforms, report, text = pyshacl.validate(merged, shacl_graph=shapes(), inference="none")
    return conforms, report, text, data


def expectations(path: Path, data: Graph) -> list[tuple[URIRef, URIRef]]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = EXPECT.match(line)
        if m:
            shape = URIRef(AIGSH + m.group(1).split(":", 1)[1])
            focus = (
                data.namespace_manager.expand_curie(m.group(2))
                if not m.group(2).startswith("<")
                else URIRef(m.group(2)[1:-1])
            )
            found.append((shape, URIRef(focus)))
    return found


def node_shapes() -> list[URIRef]:
    g = shapes()
    return sorted({s for t in TARGETS for s in g.subjects(t, None)})


def property_shapes_of(shape: URIRef) -> set[URIRef]:
    return set(shapes().objects(shape, SH.property))


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_conforms(path: Path) -> None:
    conforms, _, text, data = validate(path)
    assert conforms, text
    assert not any(isinstance(t, BNode) for triple in data for t in triple)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_fails_as_stated(path: Path) -> None:
    conforms, report, text, data = validate(path)
    assert not conforms
    assert not any(isinstance(t, BNode) for triple in data for t in triple)
    expected = expectations(path, data)
    assert expected, f"{path.name} states no '# expect:' line"
    got = {
        (report.value(r, SH.sourceShape), report.value(r, SH.focusNode))
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }
    for shape, focus in expected:
        assert (shape, focus) in got, f"{path.name}: expected {shape} on {focus}\n{text}"
    # every result is one the fixture announced: fixtures fail for the stated reasons only
    assert got <= set(expected), f"{path.name}: unannounced results {got - set(expected)}"


@pytest.mark.parametrize("shape", node_shapes(), ids=lambda s: s.split("#")[1])
def test_every_shape_has_valid_and_invalid_fixture(shape: URIRef) -> None:
    name = shape.split("#")[1]
    assert (FIXTURES / "valid" / f"{name}.ttl").exists(), f"no valid fixture for {name}"
    own = {shape} | property_shapes_of(shape)
    failing = set()
    for path in INVALID:
        failing |= {s for s, _ in expectations(path, Graph().parse(path, format="turtle"))}
    assert own & failing, f"no invalid fixture expects {name} or one of its property shapes to fail"


def test_every_property_shape_is_exercised_by_an_invalid_fixture() -> None:
    failing = set()
    for path in INVALID:
        failing |= {s for s, _ in expectations(path, Graph().parse(path, format="turtle"))}
    untested = {p for s in node_shapes() for p in property_shapes_of(s)} - failing
    assert not untested, sorted(untested)


def test_shapes_are_named_and_have_messages() -> None:
    g = shapes()
    all_shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(
        g.subjects(RDF.type, SH.PropertyShape)
    )
    all_shapes |= set(g.objects(None, SH.property))
    for s in all_shapes:
        assert isinstance(s, URIRef) and s.startswith(AIGSH), f"shape without an aigsh: IRI: {s}"
        constraints = (
            {p for p in g.predicates(s, None) if p in ALLOWED}
            - set(TARGETS)
            - {SH.property, SH.name, SH.description, SH.message, SH.severity, SH.deactivated}
        )
        if constraints:  # a shape that carries constraints says what to fix
            assert any(m.language == "en" for m in g.objects(s, SH.message)), (
                f"{s} has no English sh:message"
            )
    for s in g.objects(None, SH.property):
        assert s.split("#")[1].startswith(
            next(iter(g.subjects(SH.property, s))).split("#")[1] + "-"
        ), f"property shape {s} is not named after its node shape"


def test_shapes_use_only_the_supported_shacl_subset() -> None:
    g = shapes()
    for s, p, _ in g:
        if str(p).startswith(str(SH)):
            assert p in ALLOWED, f"unsupported SHACL term {p} on {s}"
    for members in g.objects(None, SH["or"]):
        for member in Collection(g, members):
            preds = {p for p, _ in g.predicate_objects(member)} - {RDF.type, SH.message, SH.name}
            assert preds and preds <= {SH.datatype, SH["class"], SH.nodeKind}, (
                f"sh:or member {member}: {preds}"
            )
    for path in g.objects(None, SH.path):
        if isinstance(path, URIRef):
            continue
        inverse = g.value(path, SH.inversePath)
        if inverse is not None:
            assert isinstance(inverse, URIRef)
        else:
            assert all(isinstance(x, URIRef) for x in Collection(g, path)), (
                f"unsupported path {path}"
            )
