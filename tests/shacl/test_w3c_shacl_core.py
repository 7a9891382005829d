"""The W3C SHACL Core test suite (w3c/data-shapes, data-shapes-test-suite/tests/core), run
through aigraph's SHACL-to-SPARQL engine with full compliance as the suite defines it: the
validation report, restricted to the predicates the suite compares, must be isomorphic to the
expected report of the manifest (sh:conforms, and per result sh:focusNode, sh:resultPath with
its blank-node structure, sh:value, sh:sourceShape, sh:sourceConstraintComponent,
sh:resultSeverity, and sh:resultMessage where the expected report states one)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, BNode, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from aigraph.validate import validate_graph

# rdflib warns while reading the suite's deliberately ill-formed literals
pytestmark = pytest.mark.filterwarnings("ignore:Parsing weird boolean")

SUITE = Path(__file__).parent / "w3c-core"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
SH = Namespace("http://www.w3.org/ns/shacl#")

#: What the suite compares (its "Validate RDF data" section); everything else is dropped.
COMPARED = {
    SH.result,
    SH.conforms,
    SH.focusNode,
    SH.resultPath,
    SH.resultSeverity,
    SH.sourceConstraint,
    SH.sourceConstraintComponent,
    SH.sourceShape,
    SH.value,
}
TYPES = {SH.ValidationReport, SH.ValidationResult}


@dataclass(frozen=True)
class W3CTest:
    name: str  # folder/file#entry
    manifest: Path
    entry: URIRef


_GRAPHS: dict[Path, Graph] = {}


def _graph(path: Path) -> Graph:
    """Each file parsed once, with its file URL as base (so ``<>`` names the file itself)."""
    if path not in _GRAPHS:
        # literals as written: rdflib would turn "none"^^xsd:boolean into "false"
        normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
        try:
            g = Graph().parse(path, format="turtle", publicID=path.resolve().as_uri())
        finally:
            rdflib.NORMALIZE_LITERALS = normalize
        _GRAPHS[path] = g
    return _GRAPHS[path]


def _file(uri: rdflib.term.Node) -> Path:
    assert isinstance(uri, URIRef) and str(uri).startswith("file://"), uri
    return Path(str(uri).removeprefix("file://"))


def collect(manifest: Path) -> list[W3CTest]:
    """Every sht:Validate entry reachable from ``manifest`` (mf:include and mf:entries)."""
    g = _graph(manifest)
    me = URIRef(manifest.resolve().as_uri())
    tests: list[W3CTest] = []
    for include in sorted(g.objects(me, MF.include), key=str):
        tests += collect(_file(include))
    for head in g.objects(me, MF.entries):
        for entry in Collection(g, head):
            assert isinstance(entry, URIRef)
            if (entry, RDF.type, SHT.Validate) in g:
                rel = manifest.resolve().relative_to(SUITE.resolve())
                fragment = str(entry).rsplit("/", 1)[-1]
                tests.append(W3CTest(f"{rel.parent}/{rel.name}#{fragment}", manifest, entry))
    return tests


TESTS = collect(SUITE / "manifest.ttl")


def _copy_path(src: Graph, node, dst: Graph) -> None:
    """Copy the blank-node structure of a path (lists, sh:inversePath ...) from src to dst."""
    if not isinstance(node, BNode):
        return
    for p, o in src.predicate_objects(node):
        dst.add((node, p, o))
        _copy_path(src, o, dst)


def expected_report(test: W3CTest) -> Graph:
    """The suite's expected graph: the triples of the mf:result node and of its results."""
    g = _graph(test.manifest)
    report = g.value(test.entry, MF.result)
    out = Graph()
    for p, o in g.predicate_objects(report):
        out.add((report, p, o))
    for result in g.objects(report, SH.result):
        for p, o in g.predicate_objects(result):
            out.add((result, p, o))
            if p == SH.resultPath:
                _copy_path(g, o, out)
    return out


def actual_report(report_graph: Graph, expected: Graph) -> Graph:
    """Our report, reduced to what the suite compares (sh:resultMessage only where expected)."""
    messages = set(expected.objects(None, SH.resultMessage))
    out = Graph()
    for s, p, o in report_graph:
        if (
            p in COMPARED
            or (p == RDF.type and o in TYPES)
            or (p == SH.resultMessage and o in messages)
        ):
            out.add((s, p, o))
            if p == SH.resultPath:
                _copy_path(report_graph, o, out)
    return out


def run(test: W3CTest) -> tuple[Graph, Graph]:
    """(expected, actual) report graphs of one test."""
    g = _graph(test.manifest)
    action = g.value(test.entry, MF.action)
    data = _graph(_file(g.value(action, SHT.dataGraph)))
    shapes = _graph(_file(g.value(action, SHT.shapesGraph)))
    expected = expected_report(test)
    report = validate_graph(data, shapes=shapes)
    return expected, actual_report(report.graph(), expected)


def _lines(g: Graph) -> str:
    return "\n".join(sorted(line for line in g.serialize(format="nt").splitlines() if line))


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_w3c_core(test: W3CTest):
    expected, actual = run(test)
    assert isomorphic(expected, actual), (
        f"expected:\n{_lines(expected)}\n\nactual:\n{_lines(actual)}"
    )


def test_the_whole_suite_is_collected():
    """Every test file of the copied suite is reached from the root manifest."""
    files = {t.manifest for t in TESTS}
    on_disk = {p for p in SUITE.rglob("*.ttl") if p.name != "manifest.ttl"}
    data_or_shapes = {p for p in on_disk if p.stem.endswith(("-data", "-shapes"))}
    assert files == on_disk - data_or_shapes
    assert len(TESTS) == 98
