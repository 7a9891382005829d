"""SPARQL expressions for SHACL Core constraints.

:meth:`Expressions.violation` is true when one value node violates a value constraint
(``sh:datatype``, ``sh:class`` ... and the shape-based ``sh:node``, ``sh:not``, ``sh:and``,
``sh:or``, ``sh:xone``, nested ``sh:property`` and ``sh:closed``); :meth:`Expressions.conforms`
is true when a node conforms to a whole shape, every component included, which is how shapes
nest. Both are plain SPARQL (``EXISTS`` over the data), so a nested shape costs no extra pass.

Exact datatypes: Oxigraph stores ``"55"^^xsd:byte`` as ``"55"^^xsd:integer`` (and
``xsd:dateTimeStamp`` as ``xsd:dateTime``), so the stored term no longer says which datatype was
written. When the engine is given the data as written, it records each such literal's stated
datatype as a marker quad (graph :data:`MARKERS`, predicate :data:`STATED`) and the checks read
it; a stored literal with no marker (data that was already in the store) is judged by its value.
Patterns Oxigraph's regex engine cannot run are evaluated in Python by the engine, which marks
the failing terms (predicate :data:`FAILS`) before the queries run.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from .paths import iri
from .shapes import SH, Shape, ShapesGraph, is_true, qname

#: Placeholder graph for markers; the engine substitutes a graph of its own per run.
MARKERS = "urn:aigraph:shacl-markers"
STATED = "urn:aigraph:shacl:stated-datatype"
FAILS = "urn:aigraph:shacl:fails"
CLASS_PATH = f"{iri(str(RDF.type))}/{iri(str(RDFS.subClassOf))}*"
#: Stands for CLASS_PATH in compiled queries: :func:`expand_classes` writes it out, with the
#: subclasses of each class resolved once per run where they are known (a plain rdf:type test
#: costs a third of the path's).
INSTANCE_OF = "<urn:aigraph:shacl:instance-of>"
_INSTANCE = re.compile(r"EXISTS \{ (\S+) <urn:aigraph:shacl:instance-of> <([^>]*)> \}")
_TARGET = re.compile(r"(\S+) <urn:aigraph:shacl:instance-of> <([^>]*)>")
#: Above this many subclasses, a class is tested with the path.
MAX_CLASSES = 32


def classes_in(text: str) -> set[str]:
    """The classes whose instances a compiled query tests."""
    return {m.group(2) for m in _TARGET.finditer(text)}


def expand_classes(
    text: str, subclasses: dict[str, list[str]] | None = None, *, targets: bool = True
) -> str:
    """Write out the class tests of a compiled query: with ``subclasses`` (a class -> itself
    and its subclasses), as plain rdf:type tests; else, and for classes not in it, with
    ``rdf:type/rdfs:subClassOf*``. ``targets=False`` keeps the path in target patterns (when
    the focus nodes are few and marked, Oxigraph joins them to the path first)."""
    known = subclasses or {}
    rdf_type = iri(str(RDF.type))

    def exists(m: re.Match) -> str:
        v, cls = m.group(1), m.group(2)
        if cls not in known or len(known[cls]) > MAX_CLASSES:
            return f"EXISTS {{ {v} {CLASS_PATH} <{cls}> }}"
        tests = " || ".join(f"EXISTS {{ {v} {rdf_type} <{c}> }}" for c in known[cls])
        return f"({tests})"

    def target(m: re.Match) -> str:
        v, cls = m.group(1), m.group(2)
        if not targets or cls not in known or len(known[cls]) > MAX_CLASSES:
            return f"{v} {CLASS_PATH} <{cls}>"
        values = " ".join(f"<{c}>" for c in known[cls])
        return f"VALUES ?_class {{ {values} }} {v} {rdf_type} ?_class"

    return _TARGET.sub(target, _INSTANCE.sub(exists, text))


#: Integer datatypes derived from xsd:integer, with their bounds.
DERIVED_INTEGERS: dict[URIRef, tuple[int | None, int | None]] = {
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
#: Datatypes Oxigraph stores as another one (the key), losing the stated datatype.
STORED_AS: dict[URIRef, URIRef] = {d: XSD.integer for d in DERIVED_INTEGERS}
STORED_AS[XSD.dateTimeStamp] = XSD.dateTime
#: Datatypes whose stated datatype the engine records (see the module docstring).
MARKED = {*STORED_AS, XSD.integer, XSD.dateTime}
#: Datatypes Oxigraph parses: a literal whose cast fails is ill-formed.
CASTABLE = {
    XSD[n]
    for n in [
        *("integer", "decimal", "float", "double", "boolean", "date", "dateTime", "time"),
        *("gYear", "gYearMonth", "gMonthDay", "gMonth", "gDay"),
        *("duration", "dayTimeDuration", "yearMonthDuration"),
    ]
}
_INTEGER_LEXICAL = "^[+-]?[0-9]+$"
_TIMEZONE = "(Z|[+-][0-9][0-9]:[0-9][0-9])$"
#: Lexical spaces of datatypes Oxigraph stores verbatim.
LEXICAL: dict[URIRef, str] = {
    XSD.hexBinary: "^([0-9a-fA-F]{2})*$",
    XSD.base64Binary: "^[A-Za-z0-9+/= ]*$",
    XSD.language: "^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$",
    XSD.normalizedString: "^[^\\r\\n\\t]*$",
    XSD.token: "^([^\\s]+( [^\\s]+)*)?$",
    XSD.NMTOKEN: "^[\\w.:-]+$",
    XSD.Name: "^[\\p{L}_:][\\w.:-]*$",
    XSD.NCName: "^[\\p{L}_][\\w.-]*$",
    XSD.anyURI: "^[^\\s]*$",
}
NODE_KIND_TESTS: dict[Node, str] = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
COMPARISONS = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">"}
COMPARISONS[SH.maxExclusive] = "<"


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
    raise ValueError(f"a blank node ({node}) cannot be named in a query")


def string(text: str) -> str:
    return f'"{_escape(text)}"'


@dataclass(frozen=True)
class PythonPattern:
    """A pattern the engine evaluates in Python; terms failing it are marked before the run."""

    key: str
    pattern: str
    flags: str

    @property
    def marker(self) -> str:
        return f"urn:aigraph:shacl:pattern:{self.key}"

    def fails(self, text: str) -> bool:
        flags = 0
        for f, bit in (("i", re.I), ("m", re.M), ("s", re.S), ("x", re.X)):
            if f in self.flags:
                flags |= bit
        pattern = re.escape(self.pattern) if "q" in self.flags else self.pattern
        return re.search(pattern, text, flags) is None


def python_pattern(pattern: str, flags: str) -> PythonPattern:
    """The Python form of a pattern; ValueError if Python's ``re`` cannot compile it either."""
    key = hashlib.sha256(f"{flags}/{pattern}".encode()).hexdigest()[:16]
    candidate = PythonPattern(key, pattern, flags)
    try:
        candidate.fails("")
    except re.error as err:
        raise ValueError(f"the pattern {pattern!r} does not compile ({err})") from None
    return candidate


class Expressions:
    """Builds the expressions of one shapes graph. ``regex_ok(pattern, flags)`` says whether
    the SPARQL engine runs a pattern (else it is evaluated in Python)."""

    def __init__(self, shapes: ShapesGraph, regex_ok):
        self.shapes = shapes
        self.regex_ok = regex_ok
        self._vars = itertools.count()
        #: Set when a check reads the markers: stated datatypes / Python patterns.
        self.uses_stated = False
        self.patterns: dict[str, PythonPattern] = {}

    def var(self, base: str = "n") -> str:
        return f"?_{base}{next(self._vars)}"

    # ------------------------------------------------------------------ value tests
    def _stated(self, v: str, dt: Node) -> str:
        """No stated datatype of the literal other than ``dt`` (none: not stated, by value)."""
        self.uses_stated = True
        m, s, other = iri(MARKERS), iri(STATED), self.var("d")
        return f"NOT EXISTS {{ GRAPH {m} {{ {other} {s} {v} FILTER({other} != {term(dt)}) }} }}"

    def datatype_ok(self, dt: Node, v: str) -> str:
        """True when ``v`` is a well-formed literal of datatype ``dt``, as stated."""
        if dt == RDF.langString:
            return f'(isLiteral({v}) && lang({v}) != "")'
        is_dt = f"isLiteral({v}) && datatype({v}) = {term(dt)}"
        if dt in DERIVED_INTEGERS:
            low, high = DERIVED_INTEGERS[dt]  # type: ignore[index]
            value = f"{term(XSD.integer)}(STR({v}))"
            bounds = [f"{value} >= {low}"] if low is not None else []
            bounds += [f"{value} <= {high}"] if high is not None else []
            in_range = " && ".join(bounds) or "true"
            stored = f"datatype({v}) = {term(XSD.integer)} && {self._stated(v, dt)}"
            verbatim = f"datatype({v}) = {term(dt)} && REGEX(STR({v}), {string(_INTEGER_LEXICAL)})"
            return f"(isLiteral({v}) && ({stored} || {verbatim}) && COALESCE({in_range}, false))"
        if dt == XSD.dateTimeStamp:
            stored = f"datatype({v}) = {term(XSD.dateTime)} && {self._stated(v, dt)}"
            return (
                f"(isLiteral({v}) && {stored} && REGEX(STR({v}), {string(_TIMEZONE)})"
                f" && COALESCE(isLiteral({term(XSD.dateTime)}(STR({v}))), false))"
            )
        if dt in CASTABLE:
            is_dt += f" && COALESCE(isLiteral({term(dt)}(STR({v}))), false)"
        elif dt in LEXICAL:
            is_dt += f" && REGEX(STR({v}), {string(LEXICAL[dt])})"  # type: ignore[index]
        if dt in MARKED:
            is_dt += f" && {self._stated(v, dt)}"  # type: ignore[arg-type]
        return f"({is_dt})"

    def pattern_fails(self, shape: Shape, pattern: Node, v: str) -> str:
        flags_node = shape.one(SH.flags)
        flags = str(flags_node) if flags_node is not None else ""
        if self.regex_ok(str(pattern), flags):
            args = f"STR({v}), {string(str(pattern))}" + (f", {string(flags)}" if flags else "")
            return f"(isBlank({v}) || !REGEX({args}))"
        py = python_pattern(str(pattern), flags)
        self.patterns[py.key] = py
        return (
            f"(isBlank({v}) || EXISTS {{ GRAPH {iri(MARKERS)} "
            f"{{ {iri(py.marker)} {iri(FAILS)} {v} }} }})"
        )

    def violation(self, shape: Shape, pred: URIRef, obj: Node, v: str) -> str:
        """True when value node ``v`` violates the value component ``pred obj`` of ``shape``
        (for the shape-based ones, ``obj`` is ignored and ``shape.refs`` are used)."""
        if pred == SH.datatype:
            return f"!{self.datatype_ok(obj, v)}"
        if pred == SH["class"]:
            return f"!EXISTS {{ {v} {INSTANCE_OF} {term(obj)} }}"
        if pred == SH.nodeKind:
            return "!" + NODE_KIND_TESTS[obj].format(v=v)
        if pred == SH.pattern:
            return self.pattern_fails(shape, obj, v)
        if pred == SH["in"]:
            members = self.shapes.list_param(shape, pred)
            alts = " || ".join(f"sameTerm({v}, {term(m)})" for m in members)
            return f"!({alts})" if alts else "true"
        if pred in COMPARISONS:
            return f"!COALESCE({v} {COMPARISONS[pred]} {term(obj)}, false)"  # type: ignore[index]
        if pred in (SH.minLength, SH.maxLength):
            assert isinstance(obj, Literal)
            op = "<" if pred == SH.minLength else ">"
            return f"(isBlank({v}) || STRLEN(STR({v})) {op} {int(obj.toPython())})"
        if pred == SH.languageIn:
            tags = [str(m) for m in self.shapes.list_param(shape, pred)]
            alts = " || ".join(f"langMatches(lang({v}), {string(t)})" for t in tags)
            return f"!(isLiteral({v}) && ({alts or 'false'}))"
        if pred == SH.hasValue:  # on a node shape: the focus node is the only value
            return f"!sameTerm({v}, {term(obj)})"
        if pred in (SH.node, SH.property):
            return f"!{self.conforms(self.shapes.shapes[obj], v)}"
        if pred == SH["not"]:
            return self.conforms(self.shapes.shapes[obj], v)
        tests = [self.conforms(self.shapes.shapes[m], v) for m in Collection(self.shapes.g, obj)]
        if pred == SH["and"]:
            return f"!({' && '.join(tests) or 'true'})"
        if pred == SH["or"]:
            return f"!({' || '.join(tests) or 'false'})"
        if pred == SH.xone:
            count = " + ".join(f"IF({t}, 1, 0)" for t in tests) or "0"
            return f"({count}) != 1"
        if pred == SH.closed:
            p, o = self.var("p"), self.var("o")
            return f"EXISTS {{ {v} {p} {o} . {self.not_allowed(shape, p)} }}"
        raise ValueError(f"{qname(pred)} is not a value constraint")

    def allowed(self, shape: Shape) -> list[Node]:
        """The predicates a closed shape allows: its property shapes' predicate paths and
        sh:ignoredProperties."""
        preds = [
            URIRef(p.path.iri)
            for p in shape.refs.get(SH.property, [])
            if p.path is not None and p.path.is_predicate
        ]
        return preds + self.shapes.list_param(shape, SH.ignoredProperties)

    def not_allowed(self, shape: Shape, p: str) -> str:
        allowed = sorted({term(n) for n in self.allowed(shape)})
        return f"FILTER({p} NOT IN ({', '.join(allowed)}))" if allowed else ""

    # ------------------------------------------------------------------ whole shapes
    def values(self, shape: Shape, x: str, v: str) -> str:
        """A pattern binding ``v`` to each value node of ``shape`` at focus node ``x``."""
        if shape.path is None:
            return f"BIND({x} AS {v})"
        return f"{x} {shape.path.sparql()} {v} ."

    def conforms(self, shape: Shape, x: str) -> str:
        """True when node ``x`` conforms to ``shape`` (targets aside, as for sh:node)."""
        if shape.deactivated:
            return "true"
        parts: list[str] = []
        per_value: list[str] = []
        v = x if shape.path is None else self.var("v")
        for pred, obj in value_components(shape):
            per_value.append(self.violation(shape, pred, obj, v))
        if per_value:
            if shape.path is None:
                parts += [f"!({e})" for e in per_value]
            else:
                body = " || ".join(f"({e})" for e in per_value)
                parts.append(f"NOT EXISTS {{ {self.values(shape, x, v)} FILTER({body}) }}")
        for pred, obj in focus_components(shape):
            parts.append(f"!{self.focus_violation(shape, pred, obj, x)}")
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def has(self, shape: Shape, x: str, t: str) -> str:
        """True when ``t`` is a value node of ``shape`` at ``x``."""
        if shape.path is None:
            return f"sameTerm({x}, {t})"
        return f"EXISTS {{ {x} {shape.path.sparql()} {t} }}"

    def count(
        self, shape: Shape, x: str, op: str, n: int, condition: Callable[[str], str] | None = None
    ) -> str:
        """True when the number of value nodes of ``shape`` at ``x`` (those for which
        ``condition(v)`` holds, if given) is at least (``op`` ``">="``) or at most ``n``."""
        v = self.var("v")
        cond = f" FILTER({condition(v)})" if condition is not None else ""
        vals = f"{self.values(shape, x, v)}{cond}"
        if op == ">=":
            if n <= 0:
                return "true"
            if n == 1:
                return f"EXISTS {{ {vals} }}"
            return (
                f"EXISTS {{ SELECT {x} WHERE {{ {vals} }} "
                f"GROUP BY {x} HAVING (COUNT(DISTINCT {v}) >= {n}) }}"
            )
        if n == 0:
            return f"NOT EXISTS {{ {vals} }}"
        return (
            f"NOT EXISTS {{ SELECT {x} WHERE {{ {vals} }} "
            f"GROUP BY {x} HAVING (COUNT(DISTINCT {v}) > {n}) }}"
        )

    def qualified_condition(self, shape: Shape) -> Callable[[str], str]:
        """``v -> expression``: a value counts for sh:qualifiedMin/MaxCount when it conforms
        to the qualified value shape and, with sh:qualifiedValueShapesDisjoint, to none of the
        siblings' qualified value shapes."""
        (q,) = shape.refs[SH.qualifiedValueShape]
        disjoint = shape.one(SH.qualifiedValueShapesDisjoint)
        others = siblings(shape) if is_true(disjoint) else []

        def condition(v: str) -> str:
            return " && ".join([self.conforms(q, v), *(f"!{self.conforms(o, v)}" for o in others)])

        return condition

    def focus_violation(self, shape: Shape, pred: URIRef, obj: Node, x: str) -> str:
        """True when focus node ``x`` violates the focus component ``pred obj``."""
        v, o = self.var("v"), self.var("o")
        vals = self.values(shape, x, v)
        n = _count(obj)
        if pred == SH.minCount:
            return f"!{self.count(shape, x, '>=', n)}"
        if pred == SH.maxCount:
            return f"!{self.count(shape, x, '<=', n)}"
        if pred == SH.qualifiedMinCount:
            return f"!{self.count(shape, x, '>=', n, self.qualified_condition(shape))}"
        if pred == SH.qualifiedMaxCount:
            return f"!{self.count(shape, x, '<=', n, self.qualified_condition(shape))}"
        if pred == SH.uniqueLang:
            return (
                f"EXISTS {{ {vals} {self.values(shape, x, o)} "
                f'FILTER(lang({v}) != "" && LCASE(lang({v})) = LCASE(lang({o})) '
                f"&& !sameTerm({v}, {o})) }}"
            )
        if pred == SH.hasValue:
            return f"!{self.has(shape, x, term(obj))}"
        if pred == SH.equals and shape.path is None:
            eq = term(obj)
            return (
                f"(NOT EXISTS {{ {x} {eq} {x} }}"
                f" || EXISTS {{ {x} {eq} {o} . FILTER(!sameTerm({x}, {o})) }})"
            )
        if pred == SH.disjoint and shape.path is None:
            return f"EXISTS {{ {x} {term(obj)} {x} }}"
        if pred == SH.equals:
            return (
                f"(EXISTS {{ {vals} FILTER NOT EXISTS {{ {x} {term(obj)} {v} }} }}"
                f" || EXISTS {{ {x} {term(obj)} {o} . FILTER(!{self.has(shape, x, o)}) }})"
            )
        if pred == SH.disjoint:
            return f"EXISTS {{ {vals} {x} {term(obj)} {v} . }}"
        if pred in (SH.lessThan, SH.lessThanOrEquals):
            op = "<" if pred == SH.lessThan else "<="
            return (
                f"EXISTS {{ {vals} {x} {term(obj)} {o} . FILTER(!COALESCE({v} {op} {o}, false)) }}"
            )
        raise ValueError(f"{qname(pred)} is not a focus constraint")


def value_components(shape: Shape) -> list[tuple[URIRef, Node]]:
    """The shape's components tested on each value node, in a stable order: the value
    constraints, the shape-based ones, nested sh:property, sh:closed, and sh:hasValue on a node
    shape (whose only value node is the focus node)."""
    out = []
    for pred in sorted(shape.params):
        if pred in (SH.node, SH["not"], SH.property):
            out += [(pred, s.node) for s in shape.refs.get(pred, [])]
        elif pred in _VALUE or (pred == SH.hasValue and shape.path is None):
            out += [(pred, v) for v in shape.params[pred]]
        elif pred == SH.closed:
            out += [(pred, v) for v in shape.params[pred] if is_true(v)]
    return out


def focus_components(shape: Shape) -> list[tuple[URIRef, Node]]:
    out: list[tuple[URIRef, Node]] = []
    for pred in sorted(shape.params):
        values = shape.params[pred]
        qualified = pred in (SH.qualifiedMinCount, SH.qualifiedMaxCount)
        if pred == SH.uniqueLang:
            out += [(pred, v) for v in values if is_true(v)]
        elif (
            pred in _FOCUS
            or (pred == SH.hasValue and shape.path is not None)
            or (qualified and shape.refs.get(SH.qualifiedValueShape))
        ):
            out += [(pred, v) for v in values]
    return out


_VALUE = {
    SH["and"],
    SH["or"],
    SH.xone,
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.minExclusive,
    SH.minInclusive,
    SH.maxExclusive,
    SH.maxInclusive,
    SH.minLength,
    SH.maxLength,
    SH.pattern,
    SH.languageIn,
    SH["in"],
}
_FOCUS = {SH.minCount, SH.maxCount, SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals}


def siblings(shape: Shape) -> list[Shape]:
    """The qualified value shapes of the other property shapes of ``shape``'s parents."""
    own = shape.refs.get(SH.qualifiedValueShape, [])
    out: list[Shape] = []
    for parent in shape.parents:
        for prop in parent.refs.get(SH.property, []):
            for q in prop.refs.get(SH.qualifiedValueShape, []):
                if q not in own and q not in out:
                    out.append(q)
    return out


def _count(obj: Node) -> int:
    """The integer of a count parameter (0 for any other parameter's value)."""
    value = obj.toPython() if isinstance(obj, Literal) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
