"""SHACL validation: the report types and the two entry points.

:func:`validate_store` checks a pyoxigraph store with the SPARQL compilation of the shapes
(:mod:`aigraph.shacl`); :func:`validate_files` checks RDF files together with the bundled
ontology and vocabularies, with that engine or with pyshacl, the reference implementation.
Non-conformance is a report, not an exception: the caller decides.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import RDF, BNode, Literal, URIRef

from .errors import InputError
from .namespaces import SH
from .ontology import ONTOLOGY_GRAPH, VOCABULARY_GRAPH, ontology_files, shapes_graph
from .ontology import vocabulary_files as _vocabulary_files
from .rdfio import parse_file
from .shacl import CompiledCheck, compile_shapes, run_checks
from .shacl.engine import RawResult
from .shacl.literals import Ledger, stated_ok
from .shacl.paths import parse_path, path_from_text
from .shacl.scope import Reach, affected, reach, readable
from .shacl.shapes import short_name as _short

ENGINES = ("sparql", "pyshacl")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_TYPE = ox.NamedNode(str(RDF.type))
_SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
#: A change touching more than one node per this many quads of the store is checked by
#: validating the whole state it would produce.
FULL_CHECK_RATIO = 20
FULL_CHECK_MIN = 500


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL validation result. IRIs as plain strings; ``value`` in N-Triples syntax."""

    focus_node: str
    result_path: str | None
    value: str | None
    source_shape: str
    constraint_component: str
    message: str
    severity: str
    #: The language tag of the shape's sh:message the message comes from, if it has one.
    message_language: str | None = None


def _constraint(r: ValidationResult) -> str:
    """``sh:minCount`` for ``sh:MinCountConstraintComponent``."""
    name = r.constraint_component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    return "sh:" + name[:1].lower() + name[1:]


@dataclass
class ValidationReport:
    """The outcome of a validation: ``conforms`` is true when there is no result at all."""

    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)

    def text(self, limit: int = 50) -> str:
        """One line per problem (severity, shape, focus node, path, value, message). Results of
        one property shape that share a message and differ only in their constraint (its
        ``sh:class`` failing on a value and its ``sh:minCount`` on the same property) are one
        line, naming the constraints, rather than the same message twice."""
        if self.conforms:
            return "Conforms."
        groups: dict[tuple, list[ValidationResult]] = {}
        for r in sorted(self.results, key=lambda r: r.value is None):  # valued ones first
            base = (r.severity, r.source_shape, r.focus_node, r.result_path, r.message)
            key = (*base, r.value)
            if r.value is None:  # e.g. sh:minCount: joins a line on the same property
                key = next((k for k in groups if k[:5] == base), key)
            groups.setdefault(key, []).append(r)
        lines = [f"Does not conform: {len(self.results)} result(s)."]
        for (severity, shape, focus, path, message, _), rs in list(groups.items())[:limit]:
            parts = [_short(severity), _short(shape), f"focus {_node_text(focus)}"]
            if path:
                parts.append(f"path {_path_text(path)}")
            values = list(dict.fromkeys(r.value for r in rs if r.value is not None))
            if values:
                parts.append(f"value {', '.join(values)}")
            if len(rs) > 1:
                parts.append(f"({', '.join(dict.fromkeys(_constraint(r) for r in rs))})")
            lines.append("  ".join(parts) + f": {message}")
        if len(groups) > limit:
            lines.append(f"... and {len(groups) - limit} more")
        return "\n".join(lines)

    def graph(self) -> rdflib.Graph:
        """The report as a standard ``sh:ValidationReport`` graph."""
        g = rdflib.Graph()
        g.bind("sh", SH)
        report = BNode()
        g.add((report, RDF.type, SH.ValidationReport))
        g.add((report, SH.conforms, Literal(self.conforms)))
        for r in self.results:
            node = BNode()
            g.add((report, SH.result, node))
            g.add((node, RDF.type, SH.ValidationResult))
            g.add((node, SH.focusNode, _from_text(r.focus_node)))
            if r.result_path:
                g.add((node, SH.resultPath, _path_node(g, r.result_path)))
            if r.value is not None:
                g.add((node, SH.value, _from_text(r.value)))
            g.add((node, SH.sourceShape, _from_text(r.source_shape)))
            g.add((node, SH.sourceConstraintComponent, URIRef(r.constraint_component)))
            g.add((node, SH.resultMessage, Literal(r.message, lang=r.message_language)))
            g.add((node, SH.resultSeverity, URIRef(r.severity)))
        return g

    def to_json(self) -> dict:
        return {"conforms": self.conforms, "results": [asdict(r) for r in self.results]}


# ----------------------------------------------------------------------------- engines
@lru_cache(maxsize=1)
def default_checks() -> tuple[CompiledCheck, ...]:
    """The compiled bundled shapes (compiled once per process)."""
    return tuple(compile_shapes(shapes_graph()))


@lru_cache(maxsize=1)
def _default_shape_literals() -> tuple[ox.Literal, ...]:
    return _shape_literals(shapes_graph())


def _shape_literals(shapes: rdflib.Graph) -> tuple[ox.Literal, ...]:
    return tuple(to_ox(o) for o in set(shapes.objects()) if isinstance(o, Literal))


def validate_store(
    store: ox.Store,
    *,
    focus_nodes: Collection[object] | None = None,
    shapes: rdflib.Graph | None = None,
    given: Iterable[ox.Quad] | None = None,
) -> ValidationReport:
    """Validate ``store`` (the union of its graphs) against ``shapes`` (default: bundled).

    With ``focus_nodes``, only those nodes are validated as focus nodes (their values are still
    looked up in the whole store). ``given`` are the quads as they were written, before the
    store canonicalised their literals: with them, ``sh:datatype`` judges each literal by the
    datatype it was written with (``"55"^^xsd:integer`` is not an ``xsd:byte``) and the report
    names the literals as written; without, a stored literal is judged by its stored form, an
    ``xsd:integer`` in range counting for the derived integer types. Marker quads are written
    to, then removed from, ``store``.
    """
    if shapes is None:
        checks = list(default_checks())
        literals = _default_shape_literals() if given is not None else ()
    else:
        checks = compile_shapes(shapes)
        literals = _shape_literals(shapes) if given is not None else ()
    ledger = Ledger.of_quads(given, literals) if given is not None else None
    raw = run_checks(
        store,
        checks,
        focus_nodes=focus_nodes,
        stated=ledger.stated if ledger is not None else None,
    )
    return _report(r for item in raw for r in _results(item, ledger))


@lru_cache(maxsize=1)
def default_reach() -> Reach:
    return reach(shapes_graph())


def validate_change(
    live: ox.Store,
    add: Sequence[ox.Quad],
    remove: Sequence[ox.Quad] = (),
    *,
    schema: Iterable[ox.Quad] = (),
    shapes: rdflib.Graph | None = None,
) -> ValidationReport:
    """The report for the state ``live`` would be in after removing ``remove`` and adding
    ``add`` (``live`` is untouched).

    Every node the change can break is validated: the ends of the changed triples, the
    instances below a class whose hierarchy changes, and every node whose shapes reach one of
    those along a path (the agreement whose party loses its type, the post in an organisation
    that is removed). They are validated in a staging store holding the change and everything
    their validation reads (the nodes' triples, and the triples to them with the predicates
    that paths follow backwards or targets name), found by following the shapes' paths from
    them until nothing new turns up; ``schema`` (the class and property hierarchy) is added as
    it is. A change touching
    a large share of the store is checked by validating the whole new state instead.
    """
    r = default_reach() if shapes is None else reach(shapes)
    added = set(add)
    removed = set(remove) - added
    changed: set[object] = set()
    for q in (*added, *removed):
        changed.update((q.subject, q.object))
        if q.predicate == _SUBCLASS_OF:
            changed.update(_instances(live, q.subject))
            changed.update(a.subject for a in added if a.predicate == _RDF_TYPE)
    staging = ox.Store()
    focus: set[object] | None = None
    # (len() of a store counts its quads: only asked when the change is large enough to matter)
    if len(changed) > FULL_CHECK_MIN and len(changed) * FULL_CHECK_RATIO > len(live):
        staging.extend(q for q in live if q not in removed)
    else:
        focus = affected(live, changed, r)
        incoming = [ox.NamedNode(p) for p in sorted(r.incoming)]
        staging.extend(_around(live, focus, incoming, removed))
        staging.extend(add)
        seen = set(focus)
        frontier = readable(staging, focus, r) - seen
        while frontier:
            staging.extend(_around(live, frontier, incoming, removed))
            seen |= frontier
            frontier = readable(staging, focus, r) - seen
    staging.extend(add)
    staging.extend(q for q in schema if q not in removed)
    return validate_store(staging, focus_nodes=focus, shapes=shapes, given=add)


def _instances(store: ox.Store, cls) -> set[object]:
    """The instances of ``cls`` and of its subclasses in ``store``."""
    if not isinstance(cls, ox.NamedNode):
        return set()
    solutions = store.query(
        f"SELECT DISTINCT ?i WHERE {{ ?i {_RDF_TYPE}/{_SUBCLASS_OF}* {cls} }}",
        use_default_graph_as_union=True,
    )
    assert isinstance(solutions, ox.QuerySolutions)
    return {s["i"] for s in solutions}


def _around(
    store: ox.Store,
    nodes: Iterable[object],
    incoming: list[ox.NamedNode],
    removed: set[ox.Quad],
) -> list[ox.Quad]:
    """The quads of ``store`` from ``nodes``, and those to them with the predicates
    ``incoming`` (all a validation reads), except ``removed``."""
    out: list[ox.Quad] = []
    for n in nodes:
        if isinstance(n, (ox.NamedNode, ox.BlankNode)):
            out.extend(store.quads_for_pattern(n, None, None, None))
        for p in incoming:
            out.extend(store.quads_for_pattern(None, p, n, None))  # type: ignore[arg-type]
    return [q for q in out if q not in removed]


def validate_graph(data: rdflib.Graph, *, shapes: rdflib.Graph | None = None) -> ValidationReport:
    """Validate an rdflib graph (in a scratch store) against ``shapes`` (default: bundled),
    with its literals judged and reported as written."""
    store = ox.Store()
    quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in data]
    store.extend(quads)
    return validate_store(store, shapes=shapes, given=quads)


def validate_files(
    paths: Sequence[str | Path] | str | Path, *, engine: str = "sparql"
) -> ValidationReport:
    """Validate what RDF files describe, with the bundled ontology and vocabularies loaded.

    The focus nodes are the subjects and objects appearing in the files. ``engine`` is
    ``"sparql"`` (the compiled shapes on pyoxigraph) or ``"pyshacl"`` (the reference).
    """
    if engine not in ENGINES:
        raise InputError(f"unknown validation engine {engine!r} (use {' or '.join(ENGINES)})")
    if isinstance(paths, (str, Path)):
        paths = [paths]
    data: list[ox.Quad] = []
    for path in paths:
        data.extend(parse_file(path).quads)
    focus = {q.subject for q in data} | {q.object for q in data}
    context: list[ox.Quad] = []
    for path in ontology_files():
        context.extend(parse_file(path, graph=ONTOLOGY_GRAPH).quads)
    for path in _vocabulary_files():
        context.extend(parse_file(path, graph=VOCABULARY_GRAPH).quads)
    if engine == "pyshacl":
        g = rdflib.Graph()
        for q in (*data, *context):
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        return pyshacl_report(g, shapes_graph(), focus={_node_str(n) for n in focus})
    store = ox.Store()
    store.extend(data)
    store.extend(context)
    return validate_store(store, focus_nodes=focus, given=data)


def pyshacl_report(
    data: rdflib.Graph, shapes: rdflib.Graph, *, focus: set[str] | None = None
) -> ValidationReport:
    """Run pyshacl (no inference) and convert its report; keep only ``focus`` nodes if given."""
    import pyshacl

    _, report_graph, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=False
    )
    results = []
    # the report's own results (those nested under sh:detail explain them, and are not results)
    for node in report_graph.objects(None, SH.result):
        focus_node = _node_str(to_ox(report_graph.value(node, SH.focusNode)))
        if focus is not None and focus_node not in focus:
            continue
        path = report_graph.value(node, SH.resultPath)
        value = report_graph.value(node, SH.value)
        message = report_graph.value(node, SH.resultMessage)
        results.append(
            ValidationResult(
                focus_node=focus_node,
                result_path=_path_from_graph(report_graph, path) if path is not None else None,
                value=str(to_ox(value)) if value is not None else None,
                source_shape=_node_str(to_ox(report_graph.value(node, SH.sourceShape))),
                constraint_component=str(report_graph.value(node, SH.sourceConstraintComponent)),
                message=str(message) if message is not None else "",
                severity=str(report_graph.value(node, SH.resultSeverity)),
            )
        )
    return _report(results)


# ----------------------------------------------------------------------------- helpers
def _report(results: Iterable[ValidationResult]) -> ValidationReport:
    """Results in a stable order. Equal results are kept: SHACL reports a nested shape once
    for each way validation reaches it."""
    ordered = sorted(
        results,
        key=lambda r: (r.source_shape, r.focus_node, r.constraint_component, r.value or ""),
    )
    return ValidationReport(conforms=not ordered, results=ordered)


def _results(raw: RawResult, ledger: Ledger | None) -> list[ValidationResult]:
    """The reported results of one raw result: its stored literals mapped back to the literals
    as written (one result per written literal a stored one stands for; for sh:datatype, those
    written with a datatype other than the shape's)."""
    check = raw.check
    if ledger is None:
        return [_result(check, raw.focus, raw.value, raw.path)]
    foci = ledger.written(raw.focus)
    if raw.value is None:
        return [_result(check, f, None, raw.path) for f in foci]

    values = ledger.written(raw.value)
    if check.datatype is not None and values != [raw.value]:
        # the stored literal stands for several written ones: judge each as written
        values = [
            v for v in values if not (isinstance(v, ox.Literal) and stated_ok(v, check.datatype))
        ]
    if raw.value == raw.focus:  # a node shape: the focus node is the value
        return [_result(check, v, v, raw.path) for v in values]
    return [_result(check, f, v, raw.path) for f in foci for v in values]


def _result(check: CompiledCheck, this, value, path: str | None = None) -> ValidationResult:
    focus = _node_str(this)
    value_text = str(value) if value is not None else None
    result_path = path if path is not None else check.result_path
    message = check.message
    if check.custom_message and "{" in message:
        for var, text in (
            ("this", str(this)),
            ("value", value_text or ""),
            ("path", result_path or ""),
        ):
            message = message.replace(f"{{${var}}}", text).replace(f"{{?{var}}}", text)
    return ValidationResult(
        focus_node=focus,
        result_path=result_path,
        value=value_text,
        source_shape=check.source_shape,
        constraint_component=check.constraint_component,
        message=message,
        severity=check.severity,
        message_language=check.message_language,
    )


def _node_str(node) -> str:
    """IRI as is, blank node as ``_:id``, literal in N-Triples syntax."""
    if isinstance(node, ox.NamedNode):
        return node.value
    return str(node)


def to_ox(node):
    """rdflib term → pyoxigraph term."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise TypeError(f"not an RDF term: {node!r}")


def to_rdflib(node):
    """pyoxigraph term → rdflib term."""
    if isinstance(node, ox.NamedNode):
        return URIRef(node.value)
    if isinstance(node, ox.BlankNode):
        return BNode(node.value)
    if isinstance(node, ox.Literal):
        if node.language:
            return Literal(node.value, lang=node.language)
        if node.datatype.value == _XSD_STRING:  # rdflib's plain literal, as its parsers make
            return Literal(node.value)
        # as written: rdflib would rewrite an ill-formed "none"^^xsd:boolean as "false"
        return Literal(node.value, datatype=URIRef(node.datatype.value), normalize=False)
    raise TypeError(f"not an RDF term: {node!r}")


def _from_text(text: str):
    """A string from a result (IRI, ``_:id`` or N-Triples term) → rdflib term."""
    if text.startswith("_:"):
        return BNode(text[2:])
    if text.startswith(('"', "<")):
        quad = next(iter(ox.parse(f"<urn:s> <urn:p> {text} .", format=ox.RdfFormat.N_TRIPLES)))
        return to_rdflib(quad.object)
    return URIRef(text)


def _path_node(g: rdflib.Graph, text: str):
    """A result path's text → its SHACL path structure, added to ``g``."""
    return path_from_text(text).to_rdf(g)


def _path_from_graph(g: rdflib.Graph, node) -> str:
    """A ``sh:resultPath`` node of a report → the text form used in results."""
    return parse_path(g, node).text()


def _node_text(text: str) -> str:
    return text if text.startswith(('"', "_:")) else f"<{text}>"


def _path_text(text: str) -> str:
    if not text.startswith(("<", "^", "(")):
        return _short(text)
    return re.sub(r"<([^>]*)>", lambda m: _short(m.group(1)), text)
