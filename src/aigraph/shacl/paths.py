"""SHACL property paths: read from a shapes graph, written as SPARQL, as text and as RDF.

Every SHACL path form is supported: predicate, sequence, alternative, inverse, zero-or-more,
one-or-more and zero-or-one, nested in any way. Each becomes the SPARQL 1.1 property path of the
same meaning (SHACL defines its paths by that mapping). A path's text form, used in validation
results, is the IRI for a predicate path and the SPARQL property path otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import RDF, BNode, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

SH = Namespace("http://www.w3.org/ns/shacl#")
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_UNARY = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}
_UNARY_PRED = {v: k for k, v in _UNARY.items()}


#: How tightly each form binds in SPARQL's path syntax.
_PRECEDENCE = {"|": 1, "/": 2, "^": 3, "*": 4, "+": 4, "?": 4, "iri": 5}


class PathError(ValueError):
    """A path node that is not a well-formed SHACL path."""


def iri(value: str) -> str:
    """``<value>`` for a SPARQL query; refuses characters that would break out of it."""
    if _BAD_IRI.search(value):
        raise ValueError(f"<{value}> is not a valid IRI")
    return f"<{value}>"


@dataclass(frozen=True)
class Path:
    """A SHACL path. ``op`` is ``"iri"``, ``"^"``, ``"/"``, ``"|"``, ``"*"``, ``"+"`` or ``"?"``;
    ``iri`` is set for ``"iri"``, ``parts`` holds the sub-paths of the others."""

    op: str
    iri: str = ""
    parts: tuple[Path, ...] = ()

    @property
    def is_predicate(self) -> bool:
        return self.op == "iri"

    def sparql(self) -> str:
        """The SPARQL 1.1 property path (parentheses only where precedence needs them)."""
        if self.op == "iri":
            return iri(self.iri)
        if self.op == "|":
            return "|".join(p._within(2) for p in self.parts)
        if self.op == "/":
            return "/".join(p._within(3) for p in self.parts)
        if self.op == "^":
            return "^" + self.parts[0]._within(4)
        return self.parts[0]._within(5) + self.op

    def _within(self, needed: int) -> str:
        """This path as an operand that must bind at least as tightly as ``needed``."""
        text = self.sparql()
        return text if _PRECEDENCE[self.op] >= needed else f"({text})"

    def text(self) -> str:
        """The IRI for a predicate path, else the SPARQL property path."""
        return self.iri if self.op == "iri" else self.sparql()

    def to_rdf(self, g: Graph) -> Node:
        """Add this path's SHACL structure to ``g`` (fresh blank nodes); return its node."""
        if self.op == "iri":
            return URIRef(self.iri)
        if self.op == "/":
            head = BNode()
            Collection(g, head, [p.to_rdf(g) for p in self.parts])
            return head
        node = BNode()
        if self.op == "|":
            head = BNode()
            Collection(g, head, [p.to_rdf(g) for p in self.parts])
            g.add((node, SH.alternativePath, head))
        elif self.op == "^":
            g.add((node, SH.inversePath, self.parts[0].to_rdf(g)))
        else:
            g.add((node, _UNARY_PRED[self.op], self.parts[0].to_rdf(g)))
        return node


def predicate(value: str) -> Path:
    return Path("iri", iri=value)


def _members(g: Graph, node: Node) -> list[Node]:
    if node != RDF.nil and (node, RDF.first, None) not in g:
        raise PathError(f"{node} is not an RDF list")
    return list(Collection(g, node))


def parse_path(g: Graph, node: Node, depth: int = 0) -> Path:
    """The path that ``node`` describes in ``g``; :class:`PathError` if malformed."""
    if depth > 64:
        raise PathError("nested too deeply (a cyclic path?)")
    if isinstance(node, URIRef):
        iri(str(node))
        return predicate(str(node))
    if not isinstance(node, BNode):
        raise PathError(f"{node} is not an IRI or a blank node")
    if (node, RDF.first, None) in g:
        members = [parse_path(g, m, depth + 1) for m in _members(g, node)]
        if len(members) < 2:
            raise PathError("a sequence path needs two or more members")
        return Path("/", parts=tuple(members))
    preds = set(g.predicates(node))
    if len(preds) != 1 or len(list(g.objects(node, next(iter(preds))))) != 1:
        raise PathError(f"form {sorted(str(p) for p in preds)} is not a SHACL path")
    (pred,) = preds
    value = g.value(node, pred)
    assert value is not None
    if pred == SH.alternativePath:
        members = [parse_path(g, m, depth + 1) for m in _members(g, value)]
        if len(members) < 2:
            raise PathError("an alternative path needs two or more members")
        return Path("|", parts=tuple(members))
    if pred == SH.inversePath:
        return Path("^", parts=(parse_path(g, value, depth + 1),))
    if pred in _UNARY:
        return Path(_UNARY[pred], parts=(parse_path(g, value, depth + 1),))  # type: ignore[index]
    raise PathError(f"form [{pred}] is not a SHACL path")


# ----------------------------------------------------------------------------- text form
_TOKEN = re.compile(r"\s*(<[^>]*>|[()/|^*+?])")


def path_from_text(text: str) -> Path:
    """Inverse of :meth:`Path.text`."""
    if not text.startswith(("<", "^", "(")):
        return predicate(text)
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            if text[pos:].strip() == "":
                break
            raise PathError(f"cannot read the path {text!r} at {pos}")
        tokens.append(m.group(1))
        pos = m.end()
    path, end = _alternative(tokens, 0)
    if end != len(tokens):
        raise PathError(f"cannot read the path {text!r}")
    return path


def _alternative(tokens: list[str], i: int) -> tuple[Path, int]:
    parts = []
    part, i = _sequence(tokens, i)
    parts.append(part)
    while i < len(tokens) and tokens[i] == "|":
        part, i = _sequence(tokens, i + 1)
        parts.append(part)
    return (parts[0] if len(parts) == 1 else Path("|", parts=tuple(parts))), i


def _sequence(tokens: list[str], i: int) -> tuple[Path, int]:
    parts = []
    part, i = _unary(tokens, i)
    parts.append(part)
    while i < len(tokens) and tokens[i] == "/":
        part, i = _unary(tokens, i + 1)
        parts.append(part)
    return (parts[0] if len(parts) == 1 else Path("/", parts=tuple(parts))), i


def _unary(tokens: list[str], i: int) -> tuple[Path, int]:
    if i < len(tokens) and tokens[i] == "^":
        inner, i = _unary(tokens, i + 1)
        return Path("^", parts=(inner,)), i
    if i >= len(tokens):
        raise PathError("a path ends too early")
    tok = tokens[i]
    if tok == "(":
        inner, i = _alternative(tokens, i + 1)
        if i >= len(tokens) or tokens[i] != ")":
            raise PathError("unbalanced parentheses in a path")
        i += 1
    elif tok.startswith("<"):
        inner, i = predicate(tok[1:-1]), i + 1
    else:
        raise PathError(f"unexpected {tok!r} in a path")
    while i < len(tokens) and tokens[i] in ("*", "+", "?"):
        inner, i = Path(tokens[i], parts=(inner,)), i + 1
    return inner, i
