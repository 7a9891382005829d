"""Compile a SHACL Core shapes graph into SPARQL SELECT queries.

Each constraint of each shape validation starts from becomes one :class:`CompiledCheck`: a query
whose solutions are the validation results (``?this``, the focus node; ``?value`` where SHACL
reports one; ``?path`` for sh:closed), with the result's metadata (source shape, result path,
constraint component, message, severity). Property shapes nested with ``sh:property`` are
checked on the value nodes that reach them, one result per way they are reached (as SHACL
reports them); shapes referenced by ``sh:node``, ``sh:not``, ``sh:and``, ``sh:or``,
``sh:xone`` and ``sh:qualifiedValueShape`` are inlined as conformance tests
(:mod:`aigraph.shacl.expressions`).

All of SHACL Core is supported: every constraint component, every path form, the four
targets and implicit class targets, ``sh:deactivated``, ``sh:severity`` and ``sh:message``.
Shapes graphs that use anything else (SHACL-SPARQL, unknown ``sh:`` terms), are malformed or are
recursive raise :class:`UnsupportedShapeError`, naming every problem, so no constraint is
silently left unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache

import pyoxigraph as ox
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from .expressions import (
    INSTANCE_OF,
    MARKERS,
    Expressions,
    PythonPattern,
    expand_classes,
    focus_components,
    string,
    term,
    value_components,
)
from .paths import Path, iri
from .shapes import (
    FOCUS_COMPONENTS,
    SH,
    VALUE_COMPONENTS,
    Shape,
    ShapesGraph,
    UnsupportedShapeError,
    qname,
    short_name,
)

__all__ = ["CompiledCheck", "UnsupportedShapeError", "compile_shapes", "iri", "short_name"]

_ONE_CLASS = re.compile(r"\{ \?_root <urn:aigraph:shacl:instance-of> <([^>]*)> \}")
COMPONENTS = {**VALUE_COMPONENTS, **FOCUS_COMPONENTS}
COMPONENTS[SH.qualifiedMinCount] = "QualifiedMinCount"
COMPONENTS[SH.qualifiedMaxCount] = "QualifiedMaxCount"
COMPONENTS[SH.property] = "Property"


@dataclass(frozen=True)
class CompiledCheck:
    """One constraint of one shape, as a SPARQL query yielding validation results.

    ``targets`` is a group pattern binding the root variable to the focus nodes of the shape
    validation starts from; ``steps`` are the paths from there to this shape's focus nodes
    (``?this``) when it is nested with ``sh:property`` in property shapes; ``body`` keeps the
    violations. :meth:`query` joins them.
    """

    source_shape: str
    constraint_component: str
    result_path: str | None
    message: str
    severity: str
    targets: str
    body: str
    steps: tuple[Path, ...] = ()
    #: Variables selected beside the chain and ?this: "?value", "?path", "?lang" ...
    extra: tuple[str, ...] = ("?value",)
    group: bool = False
    having: str = ""
    custom_message: bool = False
    message_language: str | None = None
    #: For sh:datatype checks, the datatype (the engine judges stated literals by it).
    datatype: str | None = None
    uses_stated: bool = False
    patterns: tuple[PythonPattern, ...] = field(default=())
    #: The violation test of a per-value check (true for a violating ``?value``).
    test: str = ""
    #: A query checking several constraints at once: the checks it reports for, one flag
    #: variable ``?_kN`` each (this check's own metadata are those of the first).
    parts: tuple[CompiledCheck, ...] = ()
    #: For ``parts``: the flags, bound on the violations only (binding them on every value
    #: would cost Oxigraph its join order).
    binds: str = ""

    @property
    def chain(self) -> tuple[str, ...]:
        """The variables from the root focus node to ``?this`` (just ``?this`` at the top)."""
        return (*(f"?_r{i}" for i in range(len(self.steps))), "?this")

    @property
    def has_value(self) -> bool:
        return "?value" in self.extra

    @property
    def has_path(self) -> bool:
        return "?path" in self.extra

    def query(
        self,
        focus_graph: str | None = None,
        markers: str | None = None,
        subclasses: dict[str, list[str]] | None = None,
    ) -> str:
        """The SELECT query. With ``focus_graph``, only root focus nodes marked in that graph
        are checked (a quad ``<g> <g> node`` in graph ``<g>``); ``markers`` names the graph of
        the run's markers (see :mod:`aigraph.shacl.expressions`); ``subclasses`` the classes
        below each class tested, where the engine has resolved them."""
        chain = self.chain
        root = chain[0]
        marker = ""
        if focus_graph is not None:
            g = iri(focus_graph)
            marker = f"GRAPH {g} {{ {g} {g} {root} }}\n    "
        steps = "".join(
            f"\n  {chain[i]} {p.sparql()} {chain[i + 1]} ." for i, p in enumerate(self.steps)
        )
        targets = self.targets.replace("?_root", root)
        variables = " ".join((*chain, *self.extra))
        head = f"SELECT {variables}" if self.group else f"SELECT DISTINCT {variables}"
        single = _ONE_CLASS.fullmatch(self.targets)
        if focus_graph is None and single and (subclasses or {}).get(single[1]) == [single[1]]:
            # instances of one class without subclasses: joined directly, which spares
            # Oxigraph a DISTINCT pass (the results are distinct, and counts count distinct
            # values, whatever the duplicates of a triple stated in several graphs)
            focus = f"{root} {iri(str(RDF.type))} <{single[1]}> ."
        else:
            focus = f"{{ SELECT DISTINCT {root} WHERE {{\n    {marker}{targets}\n  }} }}"
        text = f"{head} WHERE {{\n  {focus}{steps}\n  {self.body}\n}}"
        if self.group:
            text += f" GROUP BY {variables} HAVING ({self.having})"
        if self.binds:
            flags = " ".join(f"?_k{i}" for i in range(len(self.parts)))
            text = f"SELECT {variables} {flags} WHERE {{\n{{ {text} }}\n  {self.binds}\n}}"
        if markers is not None:
            text = text.replace(iri(MARKERS), iri(markers))
        return expand_classes(text, subclasses, targets=focus_graph is None)


# ----------------------------------------------------------------------------- regexes
_PROBE = ox.Store()


@lru_cache(maxsize=4096)
def oxigraph_regex_ok(pattern: str, flags: str) -> bool:
    """Whether Oxigraph's REGEX accepts the pattern (else the engine uses Python's ``re``)."""
    args = string(pattern) + (f", {string(flags)}" if flags else "")
    try:
        solutions = _PROBE.query(f'SELECT (REGEX("", {args}) AS ?r) {{}}')
        assert isinstance(solutions, ox.QuerySolutions)
        return next(iter(solutions))["r"] is not None
    except (SyntaxError, ValueError, OSError):
        return False


# ----------------------------------------------------------------------------- messages
def _shown(shapes: ShapesGraph, shape: Shape, pred: URIRef, obj: Node) -> str:
    if pred in (SH["in"], SH.languageIn):
        return "(" + ", ".join(qname(m) for m in shapes.list_param(shape, pred)) + ")"
    if pred in (SH["and"], SH["or"], SH.xone):
        return "(" + ", ".join(qname(m) for m in Collection(shapes.g, obj)) + ")"
    if isinstance(obj, Literal):
        return str(obj)
    return qname(obj) if isinstance(obj, URIRef) else f"_:{obj}"


def default_message(shapes: ShapesGraph, shape: Shape, pred: URIRef, obj: Node) -> str:
    """A readable message when the shape has no ``sh:message``."""
    path = shape.path
    if path is None:
        where, each = "the node", "the node"
    else:
        where = short_name(path.iri) if path.is_predicate else path.sparql()
        each = f"each value of {where}"
    shown = _shown(shapes, shape, pred, obj)
    messages: dict[URIRef, str] = {
        SH.minCount: f"expected at least {shown} value(s) of {where}",
        SH.maxCount: f"expected at most {shown} value(s) of {where}",
        SH.uniqueLang: f"more than one value of {where} in the same language",
        SH.hasValue: f"{where} must have the value {shown}",
        SH.datatype: f"{each} must be a literal of datatype {shown}",
        SH["class"]: f"{each} must be an instance of {shown}",
        SH.nodeKind: f"{each} must be of node kind {shown}",
        SH.pattern: f"{each} must match the pattern {shown}",
        SH["in"]: f"{each} must be one of {shown}",
        SH.minInclusive: f"{each} must be >= {shown}",
        SH.maxInclusive: f"{each} must be <= {shown}",
        SH.minExclusive: f"{each} must be > {shown}",
        SH.maxExclusive: f"{each} must be < {shown}",
        SH.minLength: f"{each} must be at least {shown} characters long",
        SH.maxLength: f"{each} must be at most {shown} characters long",
        SH.languageIn: f"{each} must have a language tag in {shown}",
        SH.node: f"{each} must conform to the shape {shown}",
        SH["not"]: f"{each} must not conform to the shape {shown}",
        SH["and"]: f"{each} must conform to all the shapes {shown}",
        SH["or"]: f"{each} must conform to at least one of the shapes {shown}",
        SH.xone: f"{each} must conform to exactly one of the shapes {shown}",
        SH.equals: f"the values of {where} must equal those of {shown}",
        SH.disjoint: f"the values of {where} must not be values of {shown}",
        SH.lessThan: f"{each} must be less than every value of {shown}",
        SH.lessThanOrEquals: f"{each} must be at most every value of {shown}",
        SH.closed: "the node has a property its closed shape does not allow",
        SH.qualifiedMinCount: f"expected at least {shown} value(s) of {where} conforming "
        "to the qualified value shape",
        SH.qualifiedMaxCount: f"expected at most {shown} value(s) of {where} conforming "
        "to the qualified value shape",
    }
    return messages[pred]


# ----------------------------------------------------------------------------- checks
def targets_pattern(shapes: ShapesGraph, shape: Shape) -> str | None:
    """A group pattern binding ``?_root`` to the shape's focus nodes, or None if none."""
    alts: list[str] = []
    nodes: list[str] = []
    for kind, value in shapes.targets(shape):
        if kind == SH.targetClass:
            alts.append(f"?_root {INSTANCE_OF} {term(value)}")
        elif kind == SH.targetSubjectsOf:
            alts.append(f"?_root {term(value)} []")
        elif kind == SH.targetObjectsOf:
            alts.append(f"[] {term(value)} ?_root")
        else:
            nodes.append(term(value))
    if nodes:
        alts.append(f"VALUES ?_root {{ {' '.join(nodes)} }}")
    if not alts:
        return None
    return " UNION ".join(f"{{ {a} }}" for a in alts)


class _Compiler:
    def __init__(self, shapes: ShapesGraph, regex_ok: Callable[[str, str], bool]):
        self.shapes = shapes
        self.ex = Expressions(shapes, regex_ok)
        self.checks: list[CompiledCheck] = []
        self.problems: list[tuple[str, str, str]] = []

    def add(self, shape: Shape, pred: URIRef, obj: Node, targets: str, steps, **kw) -> None:
        self.ex.uses_stated = False
        self.ex.patterns = {}
        body = kw.pop("body")
        try:
            body = body() if callable(body) else body
        except ValueError as err:  # an IRI that cannot be written, a pattern that won't compile
            self.problems.append((qname(pred), shape.id, str(err)))
            return
        custom = shape.message()
        path = shape.path
        self.checks.append(
            CompiledCheck(
                source_shape=shape.id,
                constraint_component=f"{SH}{COMPONENTS[pred]}ConstraintComponent",
                result_path=path.text() if path is not None else None,
                message=str(custom)
                if custom is not None
                else default_message(self.shapes, shape, pred, obj),
                severity=shape.severity,
                targets=targets,
                steps=tuple(steps),
                body=body,
                custom_message=custom is not None,
                message_language=custom.language if custom is not None else None,
                uses_stated=self.ex.uses_stated,
                patterns=tuple(self.ex.patterns.values()),
                **kw,
            )
        )

    def shape(self, shape: Shape, targets: str, steps: tuple[Path, ...]) -> None:
        """The checks of ``shape`` for the focus nodes at the end of ``steps``."""
        if shape.deactivated:
            return
        ex = self.ex
        path = shape.path
        vp = f"?this {path.sparql()} ?value ." if path else "BIND(?this AS ?value)"
        per_value: list[CompiledCheck] = []
        for pred, obj in value_components(shape):
            if pred == SH.property:
                nested = self.shapes.shapes[obj]
                self.shape(nested, targets, steps if path is None else (*steps, path))
            elif pred == SH.closed:
                if path is None:
                    body = f"?this ?path ?value . {ex.not_allowed(shape, '?path')}"
                    extra: tuple[str, ...] = ("?path", "?value")
                else:
                    body = f"?this {path.sparql()} ?_vn . ?_vn ?path ?value . "
                    body += ex.not_allowed(shape, "?path")
                    extra = ("?_vn", "?path", "?value")
                self.add(shape, pred, obj, targets, steps, body=body, extra=extra)
            elif pred == SH.hasValue:  # node shape: the focus node must be the value
                body = f"FILTER(!sameTerm(?this, {term(obj)}))"
                self.add(shape, pred, obj, targets, steps, body=body, extra=())
            else:
                datatype = str(obj) if pred == SH.datatype else None
                test = ""

                def body_fn(pred=pred, obj=obj) -> str:
                    nonlocal test
                    test = ex.violation(shape, pred, obj, "?value")
                    return f"{vp}\n  FILTER({test})"

                self.add(shape, pred, obj, targets, steps, body=body_fn, datatype=datatype)
                if test:  # compiled (add() records a problem instead when it cannot be)
                    self.checks[-1] = replace(self.checks[-1], test=test)
                    per_value.append(self.checks.pop())
        self.merge(per_value, targets, steps, vp)
        for pred, obj in focus_components(shape):
            self.focus_check(shape, pred, obj, targets, steps, vp)

    def merge(self, checks: list[CompiledCheck], targets: str, steps, vp: str) -> None:
        """One query for the per-value checks of a shape: the targets and the path are
        evaluated once, each test is bound to a flag (``?_k0`` ...), and the engine reports
        the checks whose flag is true."""
        if len(checks) == 1:
            self.checks += checks
            return
        if not checks:
            return
        binds = "\n  ".join(f"BIND(({c.test}) AS ?_k{i})" for i, c in enumerate(checks))
        tests = " || ".join(f"({c.test})" for c in checks)
        first = checks[0]
        self.checks.append(
            replace(
                first,
                body=f"{vp}\n  FILTER({tests})",
                binds=binds,
                extra=("?value",),
                parts=tuple(checks),
                uses_stated=any(c.uses_stated for c in checks),
                patterns=tuple({p.key: p for c in checks for p in c.patterns}.values()),
                targets=targets,
                steps=tuple(steps),
            )
        )

    def focus_check(self, shape, pred, obj, targets, steps, vp) -> None:
        ex = self.ex
        path = shape.path
        n = _count(obj)
        add = self.add
        if pred in (SH.minCount, SH.qualifiedMinCount):
            if n <= 0:
                return

            def body_min(pred=pred) -> str:
                cond = ""
                if pred == SH.qualifiedMinCount:
                    cond = f" FILTER({ex.qualified_condition(shape)('?value')})"
                if n == 1:
                    return f"FILTER NOT EXISTS {{ {vp}{cond} }}"
                return f"OPTIONAL {{ {vp}{cond} }}"

            having = f"COUNT(DISTINCT ?value) < {n}"
            if n == 1:
                add(shape, pred, obj, targets, steps, body=body_min, extra=())
            else:
                add(
                    shape,
                    pred,
                    obj,
                    targets,
                    steps,
                    body=body_min,
                    extra=(),
                    group=True,
                    having=having,
                )
        elif pred == SH.maxCount and n == 1 and path is not None:
            # two distinct values: a self-join is cheaper than grouping every focus node
            p = path.sparql()
            body = f"?this {p} ?_v1 . ?this {p} ?_v2 . FILTER(!sameTerm(?_v1, ?_v2))"
            add(shape, pred, obj, targets, steps, body=body, extra=())
        elif pred in (SH.maxCount, SH.qualifiedMaxCount):

            def body_max(pred=pred) -> str:
                if pred == SH.qualifiedMaxCount:
                    return f"{vp} FILTER({ex.qualified_condition(shape)('?value')})"
                return vp

            add(
                shape,
                pred,
                obj,
                targets,
                steps,
                body=body_max,
                extra=(),
                group=True,
                having=f"COUNT(DISTINCT ?value) > {n}",
            )
        elif pred == SH.uniqueLang:
            body = f'{vp} FILTER(lang(?value) != "")\n  BIND(LCASE(lang(?value)) AS ?lang)'
            add(
                shape,
                pred,
                obj,
                targets,
                steps,
                body=body,
                extra=("?lang",),
                group=True,
                having="COUNT(DISTINCT ?value) > 1",
            )
        elif pred == SH.hasValue:
            assert path is not None
            body = f"FILTER NOT EXISTS {{ ?this {path.sparql()} {term(obj)} }}"
            add(shape, pred, obj, targets, steps, body=body, extra=())
        elif pred == SH.equals:
            # two checks: values of the path missing from sh:equals, and the other way round
            add(
                shape,
                pred,
                obj,
                targets,
                steps,
                body=f"{vp} FILTER NOT EXISTS {{ ?this {term(obj)} ?value }}",
            )
            body = f"?this {term(obj)} ?value . FILTER(!{ex.has(shape, '?this', '?value')})"
            add(shape, pred, obj, targets, steps, body=body)
        elif pred == SH.disjoint:
            add(shape, pred, obj, targets, steps, body=f"{vp} ?this {term(obj)} ?value .")
        elif pred in (SH.lessThan, SH.lessThanOrEquals):
            op = "<" if pred == SH.lessThan else "<="
            body = f"{vp} ?this {term(obj)} ?_o . FILTER(!COALESCE(?value {op} ?_o, false))"
            add(shape, pred, obj, targets, steps, body=body, extra=("?value", "?_o"))


def compile_shapes(
    g: Graph, *, regex_ok: Callable[[str, str], bool] = oxigraph_regex_ok
) -> list[CompiledCheck]:
    """Every constraint of every active, targeted shape of ``g`` as a check."""
    shapes = ShapesGraph(g)
    compiler = _Compiler(shapes, regex_ok)
    for shape in sorted(shapes.targeted, key=lambda s: s.id):
        try:
            targets = targets_pattern(shapes, shape)
        except ValueError as err:  # a target IRI that cannot be written in a query
            compiler.problems.append(("a target", shape.id, str(err)))
            continue
        if targets is not None:
            compiler.shape(shape, targets, ())
    if compiler.problems:
        raise UnsupportedShapeError.of(compiler.problems)
    return compiler.checks


def _count(obj: Node) -> int:
    """The integer of a count parameter (0 for any other parameter's value)."""
    value = obj.toPython() if isinstance(obj, Literal) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
