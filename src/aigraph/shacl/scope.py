"""Which nodes a change can break, and which data validating them reads.

Validating a focus node reads the triples around the nodes its shapes reach from it: the focus
node itself, every node along a property path, the value nodes (their types for ``sh:class``,
their properties for nested shapes and ``sh:closed``), and so on through nested shapes.
:func:`reach` lists those paths (prefix-closed) for a shapes graph. A change to a triple can
then only break the focus nodes that reach one of its ends: :func:`affected` finds them with one
query, and :func:`readable` the nodes whose triples their validation reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph

from .paths import Path
from .shapes import SH, SHAPE_LISTS, SHAPE_REFS, Shape, ShapesGraph

#: Terms per query when a set of nodes goes into a VALUES block.
CHUNK = 500


def _inverse(path: Path) -> Path:
    """``^path`` with the inverse pushed down to the predicates."""
    if path.op == "iri":
        return Path("^", parts=(path,))
    if path.op == "^":
        return path.parts[0]
    if path.op == "/":
        return Path("/", parts=tuple(_inverse(p) for p in reversed(path.parts)))
    if path.op == "|":
        return Path("|", parts=tuple(_inverse(p) for p in path.parts))
    return Path(path.op, parts=(_inverse(path.parts[0]),))


def _seq(*parts: Path) -> Path:
    flat: list[Path] = []
    for p in parts:
        flat += p.parts if p.op == "/" else [p]
    return flat[0] if len(flat) == 1 else Path("/", parts=tuple(flat))


def prefixes(path: Path) -> list[Path]:
    """The non-empty prefixes of a path, itself included: every node on the way."""
    if path.op == "^" and path.parts[0].op != "iri":
        return prefixes(_inverse(path.parts[0]))
    if path.op in ("iri", "^"):
        return [path]
    if path.op == "/":
        head, rest = path.parts[0], path.parts[1:]
        tail = rest[0] if len(rest) == 1 else Path("/", parts=rest)
        return [*prefixes(head), *(_seq(head, p) for p in prefixes(tail))]
    if path.op == "|":
        return [p for part in path.parts for p in prefixes(part)]
    if path.op == "?":
        return prefixes(path.parts[0])
    star = Path("*", parts=path.parts)  # "*" and "+": any number of rounds, then a prefix
    return [_seq(star, p) for p in prefixes(path.parts[0])]


def inner_prefixes(path: Path) -> list[Path]:
    """The prefixes of a path that end before its last step: the nodes on the way that are
    not (only) its value nodes."""
    if path.op == "^" and path.parts[0].op != "iri":
        return inner_prefixes(_inverse(path.parts[0]))
    if path.op in ("iri", "^"):
        return []
    if path.op == "/":
        head, rest = path.parts[0], path.parts[1:]
        tail = rest[0] if len(rest) == 1 else Path("/", parts=rest)
        return [*prefixes(head), *(_seq(head, p) for p in inner_prefixes(tail))]
    if path.op == "|":
        return [p for part in path.parts for p in inner_prefixes(part)]
    if path.op == "?":
        return inner_prefixes(path.parts[0])
    return prefixes(path)  # after any round of a "*" or "+" path, another may follow


@dataclass(frozen=True)
class Reach:
    """The paths from a focus node to the nodes whose triples its validation reads."""

    paths: tuple[Path, ...]
    #: Predicates of sh:targetObjectsOf: a node's incoming triples with them make it a focus.
    target_objects: frozenset[str] = frozenset()

    @property
    def incoming(self) -> set[str]:
        """The predicates whose triples validation reads from their object: those followed
        backwards by a path, and those of sh:targetObjectsOf."""
        return self.inverse_predicates | self.target_objects

    @property
    def sparql(self) -> str:
        return "|".join(p._within(2) for p in self.paths)

    @property
    def inverse_predicates(self) -> set[str]:
        """Predicates some path follows backwards (their incoming triples are read)."""
        out: set[str] = set()

        def walk(p: Path) -> None:
            if p.op == "^" and p.parts[0].op == "iri":
                out.add(p.parts[0].iri)
            for part in p.parts:
                walk(part)

        for p in self.paths:
            walk(p)
        return out


#: Node-shape parameters that read the focus node's own triples.
_READS_FOCUS = {SH["class"], SH.closed, SH.equals, SH.disjoint}


def _reads_own(shape: Shape, seen: tuple[int, ...]) -> bool:
    """Whether validating a node against ``shape`` reads the node's triples (not only the
    node as a term)."""
    if id(shape) in seen or shape.deactivated:
        return False
    if shape.path is not None or _READS_FOCUS & set(shape.params):
        return True
    seen = (*seen, id(shape))
    return any(
        _reads_own(ref, seen)
        for pred in (*SHAPE_REFS, *SHAPE_LISTS)
        for ref in shape.refs.get(pred, [])
    )


def _shape_reach(shape: Shape, seen: tuple[int, ...] = ()) -> list[Path]:
    """Paths from a focus node of ``shape`` to the nodes read (the focus node itself aside)."""
    if id(shape) in seen or shape.deactivated:
        return []
    seen = (*seen, id(shape))
    nested: list[Shape] = []
    for pred in (*SHAPE_REFS, *SHAPE_LISTS):
        nested += shape.refs.get(pred, [])
    # the value nodes' own triples are read by sh:class, sh:closed and nested shapes that
    # read their focus node's triples (not by an sh:or of datatypes, say)
    reads_values = (
        SH["class"] in shape.params
        or SH.closed in shape.params
        or any(_reads_own(ref, seen) for ref in nested)
    )
    own: list[Path] = []
    if shape.path is not None:
        own = prefixes(shape.path) if reads_values else inner_prefixes(shape.path)
    out = list(own)
    for ref in nested:
        for p in _shape_reach(ref, seen):
            out.append(_seq(shape.path, p) if shape.path is not None else p)
    return out


def reach(g: Graph) -> Reach:
    """The reach of every shape of a shapes graph that validation can start from."""
    shapes = ShapesGraph(g)
    paths: dict[str, Path] = {}
    objects: set[str] = set()
    for shape in shapes.targeted:
        for p in _shape_reach(shape):
            paths.setdefault(p.sparql(), p)
        objects |= {str(p) for p in shape.params.get(SH.targetObjectsOf, [])}
    return Reach(tuple(paths[k] for k in sorted(paths)), frozenset(objects))


def _values(nodes: list[ox.NamedNode | ox.Literal]) -> str:
    return " ".join(str(n) for n in nodes)


def affected(store: ox.Store, nodes: Iterable[object], r: Reach) -> set[object]:
    """``nodes`` and every node of ``store`` that reaches one of them along ``r``: the focus
    nodes whose validation reads a triple touching ``nodes``. A blank node (which a query
    cannot name) stands for itself and its neighbours."""
    found: set[object] = set(nodes)
    named: set[ox.NamedNode | ox.Literal] = set()
    todo = [n for n in found if isinstance(n, ox.BlankNode)]
    named |= {n for n in found if isinstance(n, (ox.NamedNode, ox.Literal))}
    seen_blank: set[ox.BlankNode] = set(todo)  # type: ignore[arg-type]
    while todo:  # replace blank nodes by their neighbours
        b = todo.pop()
        for q in (
            *store.quads_for_pattern(b, None, None, None),  # type: ignore[arg-type]
            *store.quads_for_pattern(None, None, b, None),  # type: ignore[arg-type]
        ):
            for n in (q.subject, q.object):
                if isinstance(n, ox.BlankNode) and n not in seen_blank:
                    seen_blank.add(n)
                    found.add(n)
                    todo.append(n)
                elif isinstance(n, (ox.NamedNode, ox.Literal)):
                    named.add(n)
    if not r.paths:
        return found
    ordered = sorted(named, key=str)
    for i in range(0, len(ordered), CHUNK):
        query = (
            f"SELECT DISTINCT ?f WHERE {{ VALUES ?x {{ {_values(ordered[i : i + CHUNK])} }} "
            f"?f {r.sparql} ?x }}"
        )
        solutions = store.query(query, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)
        found.update(s["f"] for s in solutions)
    return found


def readable(store: ox.Store, focus: Iterable[object], r: Reach) -> set[object]:
    """The nodes of ``store`` the validation of ``focus`` reaches along ``r`` (``store`` is a
    private staging store: the focus nodes are marked in a named graph of it meanwhile)."""
    from .engine import focus_graph

    if not r.paths:
        return set()
    with focus_graph(store, focus) as g:
        query = f"SELECT DISTINCT ?n WHERE {{ GRAPH <{g}> {{ <{g}> <{g}> ?f }} ?f {r.sparql} ?n }}"
        solutions = store.query(query, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)
        return {s["n"] for s in solutions}


__all__ = ["Reach", "affected", "prefixes", "reach", "readable"]
