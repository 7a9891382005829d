"""Run compiled SHACL checks on a pyoxigraph store.

Queries run with the default graph as the union of all graphs, several at a time (pyoxigraph
releases the GIL while a query runs). To validate only some focus nodes, they are written as
marker quads into a fresh named graph of the store, joined on by every query, and removed at
the end: this scales to hundreds of thousands of focus nodes where a ``VALUES`` block would not.
Likewise the stated datatypes of literals and the terms failing patterns that are evaluated in
Python (see :mod:`aigraph.shacl.expressions`) go into a fresh graph for the run. The store
should be a disposable staging store, since concurrent readers would see the markers.
Oxigraph joins the markers by nested loops (a few milliseconds for a handful of nodes); when the
focus set is a large share of the store, a full run filtered on the focus set is faster.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import NamedTuple

import pyoxigraph as ox

from .compiler import CompiledCheck
from .expressions import FAILS, MARKED, STATED, PythonPattern, classes_in

FOCUS_GRAPH_PREFIX = "urn:aigraph:shacl-focus:"
MARKER_GRAPH_PREFIX = "urn:aigraph:shacl-markers:"
#: Above one focus node per this many quads, validate everything and filter (measured crossover
#: on 0.9 M triples: ~25).
FULL_RUN_RATIO = 20
_MARKED = {str(d) for d in MARKED}

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class RawResult(NamedTuple):
    """One solution of a check: a validation result before it is reported."""

    check: CompiledCheck
    root: Term  # the focus node validation started from
    focus: Term
    value: Term | None
    path: str | None  # the predicate, for sh:closed
    row: tuple  # every selected term: results differing here are reported separately


@contextmanager
def focus_graph(store: ox.Store, nodes: Iterable[object]) -> Iterator[str]:
    """Mark ``nodes`` in a new named graph of ``store``; yield its IRI; remove it afterwards."""
    name = f"{FOCUS_GRAPH_PREFIX}{uuid.uuid4()}"
    g = ox.NamedNode(name)
    store.extend(ox.Quad(g, g, node, g) for node in nodes)  # type: ignore[arg-type]
    try:
        yield name
    finally:
        store.remove_graph(g)


def _distinct_terms(store: ox.Store) -> set[Term]:
    terms: set[Term] = set()
    for q in store.quads_for_pattern(None, None, None, None):
        terms.add(q.subject)  # type: ignore[arg-type]
        terms.add(q.object)  # type: ignore[arg-type]
    return terms


def marker_quads(
    store: ox.Store,
    checks: list[CompiledCheck],
    graph: ox.NamedNode,
    stated: Iterable[ox.Literal] | None,
) -> list[ox.Quad]:
    """The markers the checks read: stated datatypes, and terms failing Python patterns."""
    quads: list[ox.Quad] = []
    if stated is not None and any(c.uses_stated for c in checks):
        pred = ox.NamedNode(STATED)
        for lit in stated:
            if lit.datatype.value in _MARKED:
                quads.append(ox.Quad(ox.NamedNode(lit.datatype.value), pred, lit, graph))
    patterns: dict[str, PythonPattern] = {p.key: p for c in checks for p in c.patterns}
    if patterns:
        fails = ox.NamedNode(FAILS)
        terms = [t for t in _distinct_terms(store) if not isinstance(t, ox.BlankNode)]
        for pattern in patterns.values():
            subject = ox.NamedNode(pattern.marker)
            quads += [ox.Quad(subject, fails, t, graph) for t in terms if pattern.fails(t.value)]
    return quads


@contextmanager
def marker_graph(
    store: ox.Store, checks: list[CompiledCheck], stated: Iterable[ox.Literal] | None
) -> Iterator[str | None]:
    """Write the run's markers to a new named graph (None when there are none); remove it."""
    g = ox.NamedNode(f"{MARKER_GRAPH_PREFIX}{uuid.uuid4()}")
    quads = marker_quads(store, checks, g, stated)
    if not quads:
        yield None
        return
    store.extend(quads)
    try:
        yield g.value
    finally:
        store.remove_graph(g)


def subclasses(store: ox.Store, checks: list[CompiledCheck]) -> dict[str, list[str]]:
    """Each class the checks test instances of -> itself and its subclasses in ``store``."""
    texts = (f"{c.targets} {c.body} {c.binds}" for c in checks)
    classes = sorted({cls for text in texts for cls in classes_in(text)})
    if not classes:
        return {}
    values = " ".join(f"<{c}>" for c in classes)
    solutions = store.query(
        f"SELECT ?sub ?c WHERE {{ VALUES ?c {{ {values} }} "
        "?sub <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ ?c }",
        use_default_graph_as_union=True,
    )
    assert isinstance(solutions, ox.QuerySolutions)
    out: dict[str, set[str]] = {c: {c} for c in classes}
    unnamed: set[str] = set()  # a blank-node subclass cannot be named: those keep the path
    for s in solutions:
        if isinstance(s["sub"], ox.NamedNode):
            out[s["c"].value].add(s["sub"].value)
        else:
            unnamed.add(s["c"].value)
    return {c: sorted(subs) for c, subs in out.items() if c not in unnamed}


def _run(
    store: ox.Store,
    check: CompiledCheck,
    graph: str | None,
    markers: str | None,
    classes: dict[str, list[str]] | None = None,
) -> list[RawResult]:
    text = check.query(graph, markers, classes)
    solutions = store.query(text, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    chain = check.chain
    names = [v[1:] for v in (*chain, *check.extra)]
    root, this = chain[0][1:], "this"
    out = []
    for s in solutions:
        row = tuple(s[n] for n in names)
        path = s["path"] if check.has_path else None
        value = s["value"] if check.has_value else None
        if check.parts:  # several checks in one query: one flag each
            for i, part in enumerate(check.parts):
                flag = s[f"_k{i}"]
                if isinstance(flag, ox.Literal) and flag.value == "true":
                    out.append(RawResult(part, s[root], s[this], value, None, row))
            continue
        out.append(RawResult(check, s[root], s[this], value, path.value if path else None, row))
    return out


def run_checks(
    store: ox.Store,
    checks: list[CompiledCheck],
    *,
    focus_nodes: Iterable[object] | None = None,
    workers: int | None = None,
    stated: Iterable[ox.Literal] | None = None,
) -> list[RawResult]:
    """Every validation result of ``checks`` in ``store`` (restricted to the root focus nodes
    ``focus_nodes`` if given). ``stated``: the literals as written, before the store
    canonicalised them (for exact datatypes)."""
    workers = workers or min(4, os.cpu_count() or 1)
    with marker_graph(store, checks, stated) as markers:
        if focus_nodes is not None:
            nodes = set(focus_nodes)
            if not nodes:
                return []
            if len(nodes) > 1000 and len(nodes) * FULL_RUN_RATIO > len(store):
                return [
                    r for r in _run_all(store, checks, None, markers, workers) if r.root in nodes
                ]
            with focus_graph(store, nodes) as graph:
                return _run_all(store, checks, graph, markers, workers)
        return _run_all(store, checks, None, markers, workers)


def _run_all(
    store: ox.Store,
    checks: list[CompiledCheck],
    graph: str | None,
    markers: str | None,
    workers: int,
) -> list[RawResult]:
    classes = subclasses(store, checks)
    if workers <= 1 or len(checks) <= 1:
        return [r for c in checks for r in _run(store, c, graph, markers, classes)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = pool.map(lambda c: _run(store, c, graph, markers, classes), checks)
        return [r for part in parts for r in part]
