"""Compile a SHACL-Core subset into SPARQL SELECT queries.

Each constraint of each shape becomes one :class:`CompiledCheck`: a query whose solutions are
the violations (``?this``, the focus node, and ``?value`` where SHACL reports one), plus the
metadata of the validation result (source shape, result path, constraint component, message,
severity). Anything outside the supported subset raises :class:`UnsupportedShapeError`, so no
one relies on a constraint that is silently left unchecked.

Supported: node and property shapes; targets ``sh:targetClass`` (with ``rdfs:subClassOf*`` in
the data), ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, ``sh:targetNode`` and implicit class
targets; ``sh:property``; paths made of an IRI, ``[sh:inversePath IRI]`` or a list of those;
``sh:minCount``, ``sh:maxCount``, ``sh:uniqueLang`` (property shapes) and ``sh:datatype``,
``sh:class``, ``sh:nodeKind``, ``sh:pattern`` (+ ``sh:flags``), ``sh:in``, ``sh:hasValue``,
``sh:min/maxInclusive``, ``sh:min/maxExclusive``, ``sh:min/maxLength``, ``sh:languageIn`` and
``sh:or`` over shapes holding only ``sh:datatype``/``sh:class``/``sh:nodeKind`` (node and
property shapes); ``sh:message``, ``sh:severity``, ``sh:deactivated``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from ..errors import AigraphError
from ..namespaces import PREFIXES

SH = Namespace("http://www.w3.org/ns/shacl#")

TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
#: Predicates that carry no constraint and are ignored.
ANNOTATIONS = {SH.name, SH.description, SH.order, SH.group, SH.defaultValue}
COMMON = {*TARGETS, SH.message, SH.severity, SH.deactivated, *ANNOTATIONS}
VALUE_CONSTRAINTS = {
    SH.datatype,
    SH["class"],
    SH.nodeKind,
    SH.pattern,
    SH.flags,
    SH["in"],
    SH.hasValue,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.minLength,
    SH.maxLength,
    SH.languageIn,
    SH["or"],
}
NODE_SHAPE_TERMS = COMMON | VALUE_CONSTRAINTS | {SH.property}
PROPERTY_SHAPE_TERMS = (
    COMMON | VALUE_CONSTRAINTS | {SH.path, SH.minCount, SH.maxCount, SH.uniqueLang}
)
OR_MEMBER_TERMS = {SH.datatype, SH["class"], SH.nodeKind, SH.message, *ANNOTATIONS}

NODE_KINDS: dict[Node, str] = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
#: Datatypes whose lexical form is checked by a SPARQL cast (an ill-typed literal violates).
CASTABLE = {
    XSD[n]
    for n in [
        "integer",
        "decimal",
        "float",
        "double",
        "boolean",
        "date",
        "dateTime",
        "time",
        "gYear",
        "gYearMonth",
        "duration",
        "dayTimeDuration",
        "yearMonthDuration",
    ]
}
#: Integer subtypes with their bounds: Oxigraph stores them as xsd:integer, so the check is
#: "an xsd:integer (or the subtype itself) within the bounds".
INTEGER_SUBTYPES: dict[URIRef, tuple[int | None, int | None]] = {
    XSD.nonNegativeInteger: (0, None),
    XSD.positiveInteger: (1, None),
    XSD.nonPositiveInteger: (None, 0),
    XSD.negativeInteger: (None, -1),
    XSD.long: (-(2**63), 2**63 - 1),
    XSD.int: (-(2**31), 2**31 - 1),
    XSD.short: (-(2**15), 2**15 - 1),
    XSD.byte: (-128, 127),
    XSD.unsignedLong: (0, 2**64 - 1),
    XSD.unsignedInt: (0, 2**32 - 1),
    XSD.unsignedShort: (0, 2**16 - 1),
    XSD.unsignedByte: (0, 255),
}

CLASS_PATH = (
    "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/"
    "<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"
)
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


class UnsupportedShapeError(AigraphError):
    """A shape uses SHACL outside the supported subset, or is malformed."""

    title = "Unsupported SHACL shape"

    def __init__(self, shape: str, term: str, detail: str = "not supported"):
        self.shape = shape
        self.term = term
        super().__init__(f"shape {shape}: {term} {detail}")


@dataclass(frozen=True)
class CompiledCheck:
    """One constraint of one shape, as a SPARQL query yielding ``?this`` (and ``?value``).

    ``targets`` is a SPARQL group pattern binding ``?this`` to the shape's focus nodes;
    ``body`` follows it and keeps only the violations. :meth:`query` joins them.
    """

    source_shape: str
    constraint_component: str
    result_path: str | None
    message: str
    severity: str
    targets: str
    body: str
    select: str = "DISTINCT ?this ?value"
    modifiers: str = ""
    custom_message: bool = False

    def query(self, focus_graph: str | None = None) -> str:
        """The SELECT query; with ``focus_graph``, only nodes marked in that graph are checked
        (a quad ``<focus_graph> <focus_graph> node`` in graph ``<focus_graph>``)."""
        marker = ""
        if focus_graph is not None:
            g = iri(focus_graph)
            marker = f"GRAPH {g} {{ {g} {g} ?this }}\n    "
        return (
            f"SELECT {self.select} WHERE {{\n"
            f"  {{ SELECT DISTINCT ?this WHERE {{\n    {marker}{self.targets}\n  }} }}\n"
            f"  {self.body}\n}}{self.modifiers}"
        )


# ----------------------------------------------------------------------------- terms
def iri(value: str) -> str:
    """``<value>`` for a SPARQL query; refuses characters that would break out of it."""
    if _BAD_IRI.search(value):
        raise ValueError(f"<{value}> is not a valid IRI")
    return f"<{value}>"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def term(node: Node) -> str:
    """An rdflib IRI or literal in SPARQL syntax (blank nodes cannot appear in a query)."""
    if isinstance(node, URIRef):
        return iri(str(node))
    if isinstance(node, Literal):
        text = f'"{_escape(str(node))}"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None and node.datatype != XSD.string:
            return f"{text}^^{iri(str(node.datatype))}"
        return text
    raise ValueError(f"a blank node ({node}) cannot be a constraint parameter")


def short_name(iri_text: str) -> str:
    """A prefixed name (``aigsh:AgreementShape``) where a known prefix fits, else ``<iri>``."""
    for prefix, ns in PREFIXES.items():
        local = iri_text[len(ns) :]
        if iri_text.startswith(ns) and re.fullmatch(r"[\w.-]*", local):
            return f"{prefix}:{local}"
    return iri_text if iri_text.startswith("_:") else f"<{iri_text}>"


def _qname(g: Graph, node: Node) -> str:
    """``sh:minCount`` for an IRI with a known prefix, else the term as text."""
    return short_name(str(node)) if isinstance(node, URIRef) else str(node)


def shape_id(node: Node) -> str:
    """The shape's IRI, or ``_:id`` for a blank node."""
    return str(node) if isinstance(node, URIRef) else f"_:{node}"


# ----------------------------------------------------------------------------- paths
@dataclass(frozen=True)
class Path:
    """A SHACL path: steps of (predicate IRI, inverse?)."""

    steps: tuple[tuple[str, bool], ...]

    def sparql(self) -> str:
        return "/".join(("^" if inv else "") + iri(p) for p, inv in self.steps)

    def text(self) -> str:
        """The IRI for a predicate path, else the SPARQL property path syntax."""
        if len(self.steps) == 1 and not self.steps[0][1]:
            return self.steps[0][0]
        return self.sparql()


def parse_path_text(text: str) -> list[tuple[str, bool]]:
    """Inverse of :meth:`Path.text`: the (IRI, inverse?) steps."""
    if not text.startswith(("<", "^")):
        return [(text, False)]
    return [(m.group(2), m.group(1) == "^") for m in re.finditer(r"(\^?)<([^>]*)>", text)]


def _path(g: Graph, shape: Node, node: Node) -> Path:
    name = shape_id(shape)
    if isinstance(node, URIRef):
        return Path(((str(node), False),))
    if (node, RDF.first, None) in g:
        steps: list[tuple[str, bool]] = []
        for item in Collection(g, node):
            steps.extend(_path(g, shape, item).steps)
        if len(steps) < 2:
            raise UnsupportedShapeError(name, "sh:path", "sequence needs two or more members")
        return Path(tuple(steps))
    inverse = g.value(node, SH.inversePath)
    if isinstance(inverse, URIRef) and len(set(g.predicate_objects(node))) == 1:
        return Path(((str(inverse), True),))
    preds = sorted(str(p) for p in g.predicates(node))
    raise UnsupportedShapeError(name, "sh:path", f"form {preds} is not supported")


# ----------------------------------------------------------------------------- conditions
def _int(g: Graph, shape: Node, pred: Node, value: Node) -> int:
    if isinstance(value, Literal) and isinstance(value.toPython(), int):
        return int(value.toPython())
    raise UnsupportedShapeError(shape_id(shape), _qname(g, pred), f"needs an integer, got {value}")


def _list(g: Graph, shape: Node, pred: Node, head: Node) -> list[Node]:
    if head != RDF.nil and (head, RDF.first, None) not in g:
        raise UnsupportedShapeError(shape_id(shape), _qname(g, pred), "needs an RDF list")
    return list(Collection(g, head))


def datatype_ok(dt: Node, v: str = "?value") -> str:
    """A SPARQL expression true when ``v`` is a well-formed literal of datatype ``dt``."""
    if dt == RDFS.Literal:
        return f"isLiteral({v})"
    if dt == RDF.langString:
        return f'(isLiteral({v}) && lang({v}) != "")'
    if dt in INTEGER_SUBTYPES:
        low, high = INTEGER_SUBTYPES[dt]  # type: ignore[index]
        cond = [
            f"isLiteral({v})",
            f"datatype({v}) IN ({term(XSD.integer)}, {term(dt)})",
            f"COALESCE(isLiteral({term(XSD.integer)}(STR({v}))), false)",
        ]
        if low is not None:
            cond.append(f"{term(XSD.integer)}(STR({v})) >= {low}")
        if high is not None:
            cond.append(f"{term(XSD.integer)}(STR({v})) <= {high}")
        return "(" + " && ".join(cond) + ")"
    plain = f"isLiteral({v}) && datatype({v}) = {term(dt)}"
    if dt in CASTABLE:
        plain += f" && COALESCE(isLiteral({term(dt)}(STR({v}))), false)"
    return f"({plain})"


def class_ok(cls: Node, v: str = "?value") -> str:
    return f"EXISTS {{ {v} {CLASS_PATH} {term(cls)} }}"


def nodekind_ok(g: Graph, shape: Node, kind: Node, v: str = "?value") -> str:
    if kind not in NODE_KINDS:
        raise UnsupportedShapeError(shape_id(shape), "sh:nodeKind", f"value {kind} is unknown")
    return NODE_KINDS[kind].format(v=v)  # type: ignore[index]


def _or_member(g: Graph, shape: Node, member: Node) -> str:
    name = shape_id(shape)
    conds = []
    for p, o in g.predicate_objects(member):
        if p == RDF.type:
            continue
        if p not in OR_MEMBER_TERMS:
            raise UnsupportedShapeError(name, f"sh:or member {_qname(g, p)}")
        if p == SH.datatype:
            conds.append(datatype_ok(o))
        elif p == SH["class"]:
            conds.append(class_ok(o))
        elif p == SH.nodeKind:
            conds.append(nodekind_ok(g, shape, o))
    return "(" + " && ".join(conds) + ")" if conds else "true"


def value_violation(g: Graph, shape: Node, pred: Node, obj: Node) -> str | None:
    """A SPARQL expression over ``?value``, true when it violates ``pred obj``.

    None for the parameters that are not constraints by themselves (``sh:flags``).
    """
    v = "?value"
    if pred == SH.datatype:
        return f"!{datatype_ok(obj)}"
    if pred == SH["class"]:
        return f"!{class_ok(obj)}"
    if pred == SH.nodeKind:
        return f"!{nodekind_ok(g, shape, obj)}"
    if pred == SH.pattern:
        flags = g.value(shape, SH.flags)
        args = f"STR({v}), {term(Literal(str(obj)))}"
        if flags is not None:
            args += f", {term(Literal(str(flags)))}"
        return f"(isBlank({v}) || !REGEX({args}))"
    if pred == SH["in"]:
        members = _list(g, shape, pred, obj)
        alts = " || ".join(f"sameTerm({v}, {term(m)})" for m in members)
        return f"!({alts})" if alts else "true"
    ops: dict[Node, str] = {
        SH.minInclusive: ">=",
        SH.maxInclusive: "<=",
        SH.minExclusive: ">",
        SH.maxExclusive: "<",
    }
    if pred in ops:
        return f"!COALESCE({v} {ops[pred]} {term(obj)}, false)"
    if pred in (SH.minLength, SH.maxLength):
        n = _int(g, shape, pred, obj)
        op = "<" if pred == SH.minLength else ">"
        return f"(isBlank({v}) || STRLEN(STR({v})) {op} {n})"
    if pred == SH.languageIn:
        ranges = [str(m) for m in _list(g, shape, pred, obj)]
        alts = " || ".join(f"langMatches(lang({v}), {term(Literal(r))})" for r in ranges)
        return f"!(isLiteral({v}) && ({alts or 'false'}))"
    if pred == SH["or"]:
        alternatives = [_or_member(g, shape, m) for m in _list(g, shape, pred, obj)]
        return f"!({' || '.join(alternatives) or 'false'})"
    return None


COMPONENTS: dict[Node, str] = {
    SH.datatype: "Datatype",
    SH["class"]: "Class",
    SH.nodeKind: "NodeKind",
    SH.pattern: "Pattern",
    SH["in"]: "In",
    SH.hasValue: "HasValue",
    SH.minInclusive: "MinInclusive",
    SH.maxInclusive: "MaxInclusive",
    SH.minExclusive: "MinExclusive",
    SH.maxExclusive: "MaxExclusive",
    SH.minLength: "MinLength",
    SH.maxLength: "MaxLength",
    SH.languageIn: "LanguageIn",
    SH["or"]: "Or",
    SH.minCount: "MinCount",
    SH.maxCount: "MaxCount",
    SH.uniqueLang: "UniqueLang",
}


def component(pred: Node) -> str:
    return f"{SH}{COMPONENTS[pred]}ConstraintComponent"


def default_message(g: Graph, pred: Node, obj: Node, path: Path | None) -> str:
    """A readable message when the shape has no ``sh:message``."""
    if path is None:
        where, each = "the node", "the node"
    else:
        simple = len(path.steps) == 1 and not path.steps[0][1]
        where = short_name(path.text()) if simple else path.sparql()
        each = f"each value of {where}"
    shown = _qname(g, obj)
    if pred in (SH["in"], SH.languageIn):
        shown = "(" + ", ".join(_qname(g, m) for m in Collection(g, obj)) + ")"
    messages: dict[Node, str] = {
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
        SH["or"]: f"{each} must satisfy one of the sh:or alternatives",
    }
    return messages[pred]


def _message(g: Graph, shape: Node) -> str | None:
    msgs = list(g.objects(shape, SH.message))
    if not msgs:
        return None
    for want in ("en", None):
        for m in msgs:
            if isinstance(m, Literal) and m.language == want:
                return str(m)
    return str(msgs[0])


# ----------------------------------------------------------------------------- shapes
def _is_deactivated(g: Graph, shape: Node) -> bool:
    return any(
        isinstance(o, Literal) and o.toPython() is True for o in g.objects(shape, SH.deactivated)
    )


def _class_types(g: Graph) -> set[Node]:
    """rdfs:Class and its subclasses in the shapes graph (for implicit class targets)."""
    return {c for c in g.transitive_subjects(RDFS.subClassOf, RDFS.Class) if c is not None}


def targets_pattern(g: Graph, shape: Node, class_types: set[Node]) -> str | None:
    """A group pattern binding ``?this`` to the shape's focus nodes, or None if it has none."""
    alts = [f"?this {CLASS_PATH} {term(c)}" for c in g.objects(shape, SH.targetClass)]
    if isinstance(shape, URIRef) and any(t in class_types for t in g.objects(shape, RDF.type)):
        alts.append(f"?this {CLASS_PATH} {term(shape)}")
    alts += [f"?this {term(p)} []" for p in g.objects(shape, SH.targetSubjectsOf)]
    alts += [f"[] {term(p)} ?this" for p in g.objects(shape, SH.targetObjectsOf)]
    nodes = [term(n) for n in g.objects(shape, SH.targetNode)]
    if nodes:
        alts.append(f"VALUES ?this {{ {' '.join(nodes)} }}")
    if not alts:
        return None
    return " UNION ".join(f"{{ {a} }}" for a in alts)


def _checks_for(g: Graph, shape: Node, targets: str, path: Path | None) -> list[CompiledCheck]:
    """The checks of one shape's own constraints, for focus nodes bound by ``targets``."""
    name = shape_id(shape)
    custom = _message(g, shape)
    severity = str(g.value(shape, SH.severity) or SH.Violation)
    result_path = path.text() if path else None
    value_pattern = f"?this {path.sparql()} ?value ." if path else "BIND(?this AS ?value)"
    checks = []
    for pred, obj in sorted(g.predicate_objects(shape)):
        if pred not in COMPONENTS:
            continue
        base: dict = dict(
            source_shape=name,
            constraint_component=component(pred),
            result_path=result_path,
            message=custom or default_message(g, pred, obj, path),
            severity=severity,
            targets=targets,
            custom_message=custom is not None,
        )
        viol = value_violation(g, shape, pred, obj)
        if viol is not None:
            checks.append(CompiledCheck(body=f"{value_pattern}\n  FILTER({viol})", **base))
            continue
        if pred == SH.hasValue:
            body = (
                f"FILTER NOT EXISTS {{ ?this {path.sparql()} {term(obj)} }}"
                if path
                else f"FILTER(!sameTerm(?this, {term(obj)}))"
            )
            checks.append(CompiledCheck(body=body, select="?this", **base))
            continue
        assert path is not None  # count constraints exist on property shapes only
        p = path.sparql()
        if pred == SH.minCount:
            n = _int(g, shape, pred, obj)
            if n == 1:
                checks.append(
                    CompiledCheck(
                        body=f"FILTER NOT EXISTS {{ ?this {p} [] }}", select="?this", **base
                    )
                )
            elif n > 1:
                checks.append(
                    CompiledCheck(
                        body=f"OPTIONAL {{ ?this {p} ?value }}",
                        select="?this",
                        modifiers=f" GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {n})",
                        **base,
                    )
                )
        elif pred == SH.maxCount:
            n = _int(g, shape, pred, obj)
            checks.append(
                CompiledCheck(
                    body=f"?this {p} ?value .",
                    select="?this",
                    modifiers=f" GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {n})",
                    **base,
                )
            )
        elif pred == SH.uniqueLang and isinstance(obj, Literal) and obj.toPython() is True:
            checks.append(
                CompiledCheck(
                    body=f'?this {p} ?value . FILTER(lang(?value) != "")\n'
                    "  BIND(LCASE(lang(?value)) AS ?lang)",
                    select="?this",
                    modifiers=" GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?value) > 1)",
                    **base,
                )
            )
    return checks


def _check_terms(g: Graph, shape: Node, allowed: set[URIRef]) -> None:
    for pred in set(g.predicates(shape)):
        if str(pred).startswith(str(SH)) and pred not in allowed:
            raise UnsupportedShapeError(shape_id(shape), _qname(g, pred))


def find_shapes(g: Graph) -> tuple[list[Node], list[Node]]:
    """(node shapes, property shapes) of the shapes graph, in a stable order."""
    props = set(g.subjects(SH.path, None)) | set(g.objects(None, SH.property))
    props |= set(g.subjects(RDF.type, SH.PropertyShape))
    nodes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(SH.property, None))
    nodes |= {s for t in TARGETS for s in g.subjects(t, None)}
    nodes -= props
    return sorted(nodes, key=str), sorted(props, key=str)


def compile_shapes(g: Graph) -> list[CompiledCheck]:
    """Every constraint of every active, targeted shape of ``g`` as a check."""
    node_shapes, prop_shapes = find_shapes(g)
    for s in node_shapes:
        _check_terms(g, s, NODE_SHAPE_TERMS)
        for p in g.objects(s, SH.property):
            if (p, SH.path, None) not in g:
                raise UnsupportedShapeError(shape_id(s), "sh:property", f"{p} has no sh:path")
    paths = {}
    for s in prop_shapes:
        _check_terms(g, s, PROPERTY_SHAPE_TERMS)
        path_nodes = list(g.objects(s, SH.path))
        if len(path_nodes) != 1:
            raise UnsupportedShapeError(shape_id(s), "sh:path", "must have exactly one value")
        paths[s] = _path(g, s, path_nodes[0])
    for s in (*node_shapes, *prop_shapes):  # parse every constraint once, to fail early
        for pred, obj in g.predicate_objects(s):
            if pred in COMPONENTS and pred not in (SH.minCount, SH.maxCount, SH.uniqueLang):
                try:
                    value_violation(g, s, pred, obj)
                except ValueError as err:
                    raise UnsupportedShapeError(shape_id(s), _qname(g, pred), str(err)) from None

    class_types = _class_types(g)
    checks: list[CompiledCheck] = []
    for s in (*node_shapes, *prop_shapes):
        if _is_deactivated(g, s):
            continue
        try:
            targets = targets_pattern(g, s, class_types)
            if targets is None:
                continue
            checks += _checks_for(g, s, targets, paths.get(s))
            for p in sorted(g.objects(s, SH.property), key=str):
                if not _is_deactivated(g, p):
                    checks += _checks_for(g, p, targets, paths[p])
        except ValueError as err:
            raise UnsupportedShapeError(shape_id(s), "a term", str(err)) from None
    return checks
