"""Read the shapes of a SHACL shapes graph into :class:`Shape` objects.

Every problem found is collected before anything is refused: :class:`UnsupportedShapeError`
names every unsupported or malformed term, in a stable order (by term, then shape), so one
round of fixes is enough.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from ..errors import AigraphError
from ..namespaces import PREFIXES
from .paths import Path, parse_path

SH = Namespace("http://www.w3.org/ns/shacl#")

TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
#: Predicates that carry no constraint.
ANNOTATIONS = {SH.name, SH.description, SH.order, SH.group, SH.defaultValue}
#: Parameters that refer to other shapes.
SHAPE_REFS = (SH.node, SH["not"], SH.property, SH.qualifiedValueShape)
SHAPE_LISTS = (SH["and"], SH["or"], SH.xone)
#: Components applying to each value node (focus node of a node shape, values of a path).
VALUE_COMPONENTS = {
    SH["class"]: "Class",
    SH.datatype: "Datatype",
    SH.nodeKind: "NodeKind",
    SH.minExclusive: "MinExclusive",
    SH.minInclusive: "MinInclusive",
    SH.maxExclusive: "MaxExclusive",
    SH.maxInclusive: "MaxInclusive",
    SH.minLength: "MinLength",
    SH.maxLength: "MaxLength",
    SH.pattern: "Pattern",
    SH.languageIn: "LanguageIn",
    SH["in"]: "In",
    SH.node: "Node",
    SH["not"]: "Not",
    SH["and"]: "And",
    SH["or"]: "Or",
    SH.xone: "Xone",
}
#: Components about the set of values of a focus node.
FOCUS_COMPONENTS = {
    SH.minCount: "MinCount",
    SH.maxCount: "MaxCount",
    SH.uniqueLang: "UniqueLang",
    SH.equals: "Equals",
    SH.disjoint: "Disjoint",
    SH.lessThan: "LessThan",
    SH.lessThanOrEquals: "LessThanOrEquals",
    SH.hasValue: "HasValue",
    SH.closed: "Closed",
}
PROPERTY_ONLY = {
    SH.minCount,
    SH.maxCount,
    SH.uniqueLang,
    SH.lessThan,
    SH.lessThanOrEquals,
    SH.qualifiedValueShape,
}
#: Parameters read together with another one.
AUXILIARY = {
    SH.flags,
    SH.ignoredProperties,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
}
KNOWN = {
    *TARGETS,
    *ANNOTATIONS,
    *VALUE_COMPONENTS,
    *FOCUS_COMPONENTS,
    *AUXILIARY,
    SH.path,
    SH.property,
    SH.qualifiedValueShape,
    SH.message,
    SH.severity,
    SH.deactivated,
}
INTEGER_PARAMS = {
    SH.minCount,
    SH.maxCount,
    SH.minLength,
    SH.maxLength,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
}
LIST_PARAMS = {SH["in"], SH.languageIn, SH.ignoredProperties, *SHAPE_LISTS}
IRI_PARAMS = {SH["class"], SH.datatype, SH.nodeKind, SH.equals, SH.disjoint, SH.lessThan}
IRI_PARAMS |= {SH.lessThanOrEquals, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf}
NODE_KINDS = {
    SH.IRI,
    SH.BlankNode,
    SH.Literal,
    SH.BlankNodeOrIRI,
    SH.BlankNodeOrLiteral,
    SH.IRIOrLiteral,
}


class UnsupportedShapeError(AigraphError):
    """Shapes use SHACL outside what the engine evaluates, or are malformed."""

    title = "Unsupported SHACL shape"

    def __init__(self, shape: str, term: str, detail: str = "not supported"):
        self.shape = shape
        self.term = term
        self.problems: list[tuple[str, str, str]] = [(term, shape, detail)]
        super().__init__(f"shape {shape}: {term} {detail}")

    @classmethod
    def of(cls, problems: list[tuple[str, str, str]]) -> UnsupportedShapeError:
        """One error naming every (term, shape, detail), sorted by term, shape and detail."""
        ordered = sorted(set(problems))
        term, shape, detail = ordered[0]
        err = cls(shape, term, detail)
        err.problems = ordered
        if len(ordered) > 1:
            terms = ", ".join(dict.fromkeys(t for t, _, _ in ordered))
            lines = "; ".join(f"shape {s}: {t} {d}" for t, s, d in ordered)
            err.args = (f"{len(ordered)} problems in the shapes ({terms}): {lines}",)
        return err


def short_name(iri_text: str) -> str:
    """A prefixed name (``aigsh:AgreementShape``) where a known prefix fits, else ``<iri>``."""
    import re

    for prefix, ns in PREFIXES.items():
        local = iri_text[len(ns) :]
        if iri_text.startswith(ns) and re.fullmatch(r"[\w.-]*", local):
            return f"{prefix}:{local}"
    return iri_text if iri_text.startswith("_:") else f"<{iri_text}>"


def qname(node: Node) -> str:
    return short_name(str(node)) if isinstance(node, URIRef) else str(node)


def shape_id(node: Node) -> str:
    """The shape's IRI, or ``_:id`` for a blank node."""
    return str(node) if isinstance(node, URIRef) else f"_:{node}"


@dataclass(eq=False)
class Shape:
    """One shape: its node, path (property shapes), targets, parameters and severity."""

    node: Node
    path: Path | None
    params: dict[URIRef, list[Node]]
    deactivated: bool = False
    severity: str = str(SH.Violation)
    messages: list[Literal] = field(default_factory=list)
    #: Shapes referenced by sh:node, sh:property, sh:not, sh:and ... (filled in by ShapesGraph).
    refs: dict[URIRef, list[Shape]] = field(default_factory=dict)
    #: For a property shape: the shapes that hold it through sh:property.
    parents: list[Shape] = field(default_factory=list)

    @property
    def id(self) -> str:
        return shape_id(self.node)

    def one(self, pred: URIRef) -> Node | None:
        values = self.params.get(pred)
        return values[0] if values else None

    def message(self) -> Literal | None:
        """The English message (else one without a language, else the first)."""
        for want in ("en", None):
            for m in self.messages:
                if m.language == want:
                    return m
        return self.messages[0] if self.messages else None


def is_true(node: Node | None) -> bool:
    """Whether a boolean parameter is ``true``: the literal ``"true"^^xsd:boolean`` itself, as
    SHACL says (``"1"^^xsd:boolean`` does not switch a constraint on)."""
    return isinstance(node, Literal) and node.datatype == XSD.boolean and str(node) == "true"


class ShapesGraph:
    """The shapes of a graph, checked; :attr:`targeted` are those validation starts from."""

    def __init__(self, g: Graph):
        self.g = g
        self.problems: list[tuple[str, str, str]] = []
        self.shapes: dict[Node, Shape] = {}
        self.class_types = {
            c for c in g.transitive_subjects(RDFS.subClassOf, RDFS.Class) if c is not None
        }
        for node in sorted(self._shape_nodes(), key=str):
            self._read(node)
        for shape in list(self.shapes.values()):
            self._link(shape)
        self._check_cycles()
        if self.problems:
            raise UnsupportedShapeError.of(self.problems)

    def problem(self, node: Node, term: str, detail: str = "not supported") -> None:
        self.problems.append((term, shape_id(node), detail))

    # ------------------------------------------------------------------ finding shapes
    def _shape_nodes(self) -> set[Node]:
        g = self.g
        nodes: set[Node] = set(g.subjects(RDF.type, SH.NodeShape))
        nodes |= set(g.subjects(RDF.type, SH.PropertyShape))
        nodes |= {s for t in TARGETS for s in g.subjects(t, None)}
        nodes |= set(g.subjects(SH.path, None))
        for pred in (*VALUE_COMPONENTS, *FOCUS_COMPONENTS, SH.property, SH.qualifiedValueShape):
            nodes |= set(g.subjects(pred, None))
        for pred in SHAPE_REFS:
            nodes |= set(g.objects(None, pred))
        for pred in SHAPE_LISTS:
            for head in g.objects(None, pred):
                if head == RDF.nil or (head, RDF.first, None) in g:
                    nodes |= set(Collection(g, head))
        return {n for n in nodes if isinstance(n, (URIRef, BNode))}

    def _read(self, node: Node) -> None:
        g = self.g
        params: dict[URIRef, list[Node]] = {}
        for pred, obj in g.predicate_objects(node):
            if isinstance(pred, URIRef) and str(pred).startswith(str(SH)):
                params.setdefault(pred, []).append(obj)
        for pred in sorted(params):
            if pred not in KNOWN:
                self.problem(node, qname(pred))
        path = None
        paths = params.pop(SH.path, [])
        if len(paths) > 1:
            self.problem(node, "sh:path", "must have exactly one value")
        elif paths:
            try:
                path = parse_path(g, paths[0])
            except ValueError as err:  # PathError, or an IRI that cannot be written
                self.problem(node, "sh:path", str(err))
        if path is None and not paths:
            for pred in sorted(PROPERTY_ONLY & set(params)):
                self.problem(node, qname(pred), "is not allowed on a node shape")
        self._check_params(node, params)
        severity = params.get(SH.severity, [SH.Violation])[0]
        self.shapes[node] = Shape(
            node=node,
            path=path,
            params=params,
            deactivated=any(is_true(d) for d in params.get(SH.deactivated, [])),
            severity=str(severity),
            messages=[m for m in params.get(SH.message, []) if isinstance(m, Literal)],
        )

    def _check_params(self, node: Node, params: dict[URIRef, list[Node]]) -> None:
        g = self.g
        for pred, values in params.items():
            name = qname(pred)
            for value in values:
                if pred in INTEGER_PARAMS and not (
                    isinstance(value, Literal) and isinstance(value.toPython(), int)
                ):
                    self.problem(node, name, f"needs an integer, got {value}")
                elif pred in LIST_PARAMS and value != RDF.nil and (value, RDF.first, None) not in g:
                    self.problem(node, name, "needs an RDF list")
                elif pred in IRI_PARAMS and not isinstance(value, URIRef):
                    self.problem(node, name, f"needs an IRI, got {value}")
                elif pred == SH.nodeKind and value not in NODE_KINDS:
                    self.problem(node, name, f"value {value} is unknown")
                elif pred in (SH.hasValue, SH.targetNode) and isinstance(value, BNode):
                    self.problem(node, name, "a blank node cannot be named in a query")
            if pred == SH["in"]:
                for head in values:
                    is_list = head == RDF.nil or (head, RDF.first, None) in g
                    if is_list and any(isinstance(m, BNode) for m in Collection(g, head)):
                        self.problem(node, name, "a blank node cannot be named in a query")

    # ------------------------------------------------------------------ references
    def _link(self, shape: Shape) -> None:
        g = self.g
        for pred in SHAPE_REFS:
            for value in shape.params.get(pred, []):
                shape.refs.setdefault(pred, []).append(self._shape(value))
        for pred in SHAPE_LISTS:
            for head in shape.params.get(pred, []):
                if head == RDF.nil or (head, RDF.first, None) in g:
                    members = [self._shape(m) for m in Collection(g, head)]
                    shape.refs.setdefault(pred, []).extend(members)
        for prop in shape.refs.get(SH.property, []):
            if prop.path is None:
                self.problem(shape.node, "sh:property", f"{prop.id} has no sh:path")
            prop.parents.append(shape)

    def _shape(self, node: Node) -> Shape:
        if node not in self.shapes:  # a literal, or a node with no shape triple
            if isinstance(node, (URIRef, BNode)):
                self.shapes[node] = Shape(node=node, path=None, params={})
            else:
                self.problem(node, "a shape reference", f"{node} is not a shape")
                return Shape(node=BNode(), path=None, params={})
        return self.shapes[node]

    def _check_cycles(self) -> None:
        state: dict[int, int] = {}  # 1 visiting, 2 done

        def visit(shape: Shape, trail: list[Shape]) -> None:
            state[id(shape)] = 1
            for pred, shapes in sorted(shape.refs.items()):
                for ref in shapes:
                    if state.get(id(ref)) == 1:
                        cycle = [s.id for s in trail[trail.index(ref) :]] + [ref.id]
                        self.problem(
                            ref.node, qname(pred), "makes a recursive shape: " + " -> ".join(cycle)
                        )
                    elif id(ref) not in state:
                        visit(ref, [*trail, ref])
            state[id(shape)] = 2

        for shape in sorted(self.shapes.values(), key=lambda s: str(s.node)):
            if id(shape) not in state:
                visit(shape, [shape])

    # ------------------------------------------------------------------ targets
    def targets(self, shape: Shape) -> list[tuple[URIRef, Node]]:
        """(kind, value) of the shape's targets, with implicit class targets as sh:targetClass."""
        out = [(t, v) for t in TARGETS for v in shape.params.get(t, [])]
        if isinstance(shape.node, URIRef) and any(
            t in self.class_types for t in self.g.objects(shape.node, RDF.type)
        ):
            out.append((SH.targetClass, shape.node))
        return sorted(out)

    @property
    def targeted(self) -> list[Shape]:
        return [s for s in self.shapes.values() if self.targets(s) and not s.deactivated]

    def list_param(self, shape: Shape, pred: URIRef) -> list[Node]:
        head = shape.one(pred)
        return [] if head is None else list(Collection(self.g, head))
