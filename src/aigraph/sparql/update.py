"""SPARQL 1.1 Update turned into a delta (quads to remove, quads to add), the live store untouched.

Decision (docs/decisions/0003-sparql-service.md): the update is first parsed by pyoxigraph on an
empty in-memory store (exact syntax errors with positions, nothing to touch). Then each
operation is computed, not applied: the WHERE part runs as a ``SELECT *`` on the store (or, when
an earlier operation of the same request changed something, on a scratch copy: a hard-linked
checkpoint for an on-disk store) and the DELETE/INSERT templates are instantiated with each
solution. The templates are read by pyoxigraph's TriG parser after variables are replaced by
placeholder IRIs. The net delta then goes through :meth:`Store.write`, which validates the state
it would produce and commits it atomically.

Graph semantics follow SPARQL 1.1 Update: without ``WITH``/``USING`` the default graph is the
store's own default graph (not the union the query endpoint uses), so updates name their graphs.
``LOAD`` is refused.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError, NotAllowed, QuerySyntaxError
from ..namespaces import PREFIXES, sparql_prefixes
from ..query import extension_functions
from ..store import Store
from .lexer import Token, inspect, resolve, tokenize

VAR_IRI = "urn:aigraph:var:"
_ALL = ox.NamedNode("urn:aigraph:all")  # pseudo-graph of CLEAR/DROP ALL
_NAMED = ox.NamedNode("urn:aigraph:named")


@dataclass
class Operation:
    keyword: str
    tokens: list[Token]
    prologue: str
    prefixes: dict[str, str]
    base: str | None


@dataclass
class Delta:
    add: dict = field(default_factory=dict)
    remove: dict = field(default_factory=dict)

    def quads(self) -> tuple[list[ox.Quad], list[ox.Quad]]:
        return list(self.add), list(self.remove)


#: an operation that fails on an empty store: put before the first operation of an update, it
#: makes the engine parse the whole request and then stop before running any of it
_STOP = "DROP GRAPH <urn:aigraph:syntax-check> ; "
_POSITION = re.compile(r"error at (\d+):(\d+)")


def _first_operation(tokens: list[Token]) -> int | None:
    """Index of the first token after the prologue (PREFIX and BASE declarations)."""
    i = 0
    while i < len(tokens):
        up = tokens[i].upper
        if up == "PREFIX":
            i += 3
        elif up == "BASE":
            i += 2
        else:
            return i
    return None


def check_syntax(text: str) -> None:
    """Have pyoxigraph parse ``text`` as an update without running any of it (raises
    :class:`QuerySyntaxError` with the engine's position in ``text``).

    The engine parses a request whole before it evaluates the first operation, so the update is
    given to an empty in-memory store behind an operation that must fail there (dropping a graph
    that does not exist): a syntax error anywhere is reported; otherwise evaluation stops at that
    first operation, before the request's own. Nothing of the request is executed."""
    tokens = list(tokenize(text))
    first = _first_operation(tokens)
    # only a prologue (or nothing) is a valid, empty update
    at = len(text) if first is None else tokens[first].start
    guarded = text[:at] + _STOP + text[at:]
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    try:
        ox.Store().update(guarded, prefixes=PREFIXES)
    except SyntaxError as err:
        message = str(err.args[0] if err.args else err)

        def shift(m: re.Match) -> str:  # positions in the request as sent
            ln, col = int(m.group(1)), int(m.group(2))
            if ln == line and col >= column + len(_STOP):
                col -= len(_STOP)
            return f"error at {ln}:{col}"

        raise QuerySyntaxError(f"malformed update: {_POSITION.sub(shift, message, 1)}") from None
    except (ValueError, OSError, RuntimeError):
        return  # the stop operation failed, as it must: the request parsed
    raise QuerySyntaxError("malformed update: it could not be checked")  # pragma: no cover


def operations(text: str) -> list[Operation]:
    """Split an update request into its operations, each with the prologue in force."""
    ops: list[Operation] = []
    prologue: list[str] = []
    prefixes: dict[str, str] = dict(PREFIXES)
    base: str | None = None
    current: list[Token] = []
    tokens = list(tokenize(text))
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        up = tok.upper
        if not current and up == "PREFIX" and i + 2 < len(tokens):
            iri = resolve(tokens[i + 2], prefixes, base)
            prefixes[tokens[i + 1].text.split(":")[0]] = iri or ""
            prologue.append(f"PREFIX {tokens[i + 1].text} <{iri}>")
            i += 3
            continue
        if not current and up == "BASE" and i + 1 < len(tokens):
            base = resolve(tokens[i + 1], prefixes, base)
            prologue.append(f"BASE <{base}>")
            i += 2
            continue
        if tok.text == ";" and tok.depth == 0:
            if current:
                ops.append(
                    Operation(current[0].upper, current, "\n".join(prologue), dict(prefixes), base)
                )
            current = []
        else:
            current.append(tok)
        i += 1
    if current:
        ops.append(Operation(current[0].upper, current, "\n".join(prologue), dict(prefixes), base))
    return ops


def _block(tokens: list[Token], start: int) -> tuple[int, int]:
    """Indexes of the ``{`` at or after ``start`` and of its matching ``}``."""
    open_i = next(i for i in range(start, len(tokens)) if tokens[i].text == "{")
    depth = tokens[open_i].depth
    close_i = next(
        i
        for i in range(open_i + 1, len(tokens))
        if tokens[i].text == "}" and tokens[i].depth == depth
    )
    return open_i, close_i


def _template_trig(text: str, tokens: list[Token], open_i: int, close_i: int) -> str:
    """The quads template between two braces, as TriG with variables as placeholder IRIs."""
    top = tokens[open_i].depth + 1
    pieces: list[str] = []
    prev: Token | None = None
    for tok in tokens[open_i + 1 : close_i]:
        at_top = tok.depth == top
        if at_top and tok.upper == "GRAPH" and prev is not None and prev.text not in ".}":
            pieces.append(" .")
        if at_top and tok.text == "." and prev is not None and prev.text == "}":
            prev = tok
            continue
        pieces.append(" " + (f"<{VAR_IRI}{tok.text[1:]}>" if tok.kind == "var" else tok.text))
        prev = tok
    if prev is not None and prev.text not in ".}":
        pieces.append(" .")
    return "".join(pieces)


def _parse_template(op: Operation, text: str, open_i: int, close_i: int) -> list[ox.Quad]:
    trig = sparql_prefixes() + op.prologue + "\n" + _template_trig(text, op.tokens, open_i, close_i)
    try:
        return list(ox.parse(trig, format=ox.RdfFormat.TRIG))
    except SyntaxError as err:
        raise QuerySyntaxError(f"malformed update template: {err}") from None


class _Instantiator:
    def __init__(self, solution: ox.QuerySolution):
        self.solution = solution
        self.fresh: dict[str, ox.BlankNode] = {}

    def term(self, t):
        if isinstance(t, ox.NamedNode) and t.value.startswith(VAR_IRI):
            return self.solution[t.value[len(VAR_IRI) :]]
        if isinstance(t, ox.BlankNode):
            return self.fresh.setdefault(t.value, ox.BlankNode())
        if isinstance(t, ox.Triple):
            s, p, o = self.term(t.subject), self.term(t.predicate), self.term(t.object)
            return ox.Triple(s, p, o) if s is not None and p is not None and o is not None else None
        return t

    def quad(self, q: ox.Quad, default_graph) -> ox.Quad | None:
        s, p, o = self.term(q.subject), self.term(q.predicate), self.term(q.object)
        g = default_graph if isinstance(q.graph_name, ox.DefaultGraph) else self.term(q.graph_name)
        if (
            not isinstance(s, (ox.NamedNode, ox.BlankNode, ox.Triple))
            or not isinstance(p, ox.NamedNode)
            or o is None
            or not isinstance(g, (ox.NamedNode, ox.DefaultGraph))
        ):
            return None
        return ox.Quad(s, p, o, g)


class UpdatePlanner:
    """Computes the net delta of an update request against ``store``."""

    def __init__(self, store: Store, text: str):
        self.store = store
        self.text = text
        self.delta = Delta()
        self._scratch: ox.Store | None = None
        self._scratch_dir: str | None = None

    # --------------------------------------------------------------- the view
    def view(self) -> ox.Store:
        """Where WHERE clauses run: the store, or a scratch copy once something changed."""
        if not self.delta.add and not self.delta.remove:
            return self._scratch or self.store.ox
        if self._scratch is None:
            if self.store.path is not None:
                self._scratch_dir = tempfile.mkdtemp(dir=self.store.path.parent, prefix=".update-")
                shutil.rmtree(self._scratch_dir)
                self.store.ox.backup(self._scratch_dir)
                self._scratch = ox.Store(self._scratch_dir)
            else:
                self._scratch = ox.Store()
                self._scratch.extend(self.store.ox.quads_for_pattern(None, None, None, None))
            for q in self.delta.remove:
                self._scratch.remove(q)
            self._scratch.extend(self.delta.add)
        return self._scratch

    def _apply(self, remove: list[ox.Quad], add: list[ox.Quad]) -> None:
        scratch = self._scratch
        for q in remove:
            self.delta.add.pop(q, None)
            if q in self.store.ox:
                self.delta.remove[q] = None
            if scratch is not None:
                scratch.remove(q)
        for q in add:
            self.delta.remove.pop(q, None)
            if q not in self.store.ox:
                self.delta.add[q] = None
        if scratch is not None:
            scratch.extend(add)

    def close(self) -> None:
        self._scratch = None
        if self._scratch_dir:
            shutil.rmtree(self._scratch_dir, ignore_errors=True)

    # --------------------------------------------------------------- operations
    def plan(self) -> Delta:
        if inspect(self.text).loads:  # before anything could fetch it
            raise NotAllowed("LOAD is not allowed: this service does not fetch data from URLs")
        check_syntax(self.text)
        try:
            for op in operations(self.text):
                self._operation(op)
        finally:
            self.close()
        return self.delta

    def _graph_ref(self, op: Operation, i: int) -> tuple[ox.NamedNode | ox.DefaultGraph, int]:
        tok = op.tokens[i]
        if tok.upper == "GRAPH":
            i += 1
            tok = op.tokens[i]
        if tok.upper == "DEFAULT":
            return ox.DefaultGraph(), i + 1
        if tok.upper == "ALL":
            return _ALL, i + 1
        if tok.upper == "NAMED":
            return _NAMED, i + 1
        return ox.NamedNode(resolve(tok, op.prefixes, op.base) or ""), i + 1

    def _quads_of(self, graph) -> list[ox.Quad]:
        view = self.view()
        if graph is _ALL:
            return list(view.quads_for_pattern(None, None, None, None))
        if graph is _NAMED:
            return [
                q
                for q in view.quads_for_pattern(None, None, None, None)
                if not isinstance(q.graph_name, ox.DefaultGraph)
            ]
        return list(view.quads_for_pattern(None, None, None, graph))

    def _operation(self, op: Operation) -> None:
        kw = op.keyword
        toks = op.tokens
        i = 1
        if i < len(toks) and toks[i].upper == "SILENT":
            i += 1
        if kw == "LOAD":
            raise NotAllowed("LOAD is not allowed: this service does not fetch data from URLs")
        if kw in ("CLEAR", "DROP"):
            graph, _ = self._graph_ref(op, i)
            self._apply(self._quads_of(graph), [])
        elif kw == "CREATE":
            return
        elif kw in ("ADD", "MOVE", "COPY"):
            src, i = self._graph_ref(op, i)
            dst, _ = self._graph_ref(op, i + 1)  # skip TO
            if src == dst:
                return
            moved = [ox.Quad(q.subject, q.predicate, q.object, dst) for q in self._quads_of(src)]
            remove = self._quads_of(dst) if kw in ("MOVE", "COPY") else []
            if kw == "MOVE":
                remove += self._quads_of(src)
            self._apply(remove, moved)
        elif toks[1].upper == "DATA":
            open_i, close_i = _block(toks, 1)
            quads = _parse_template(op, self.text, open_i, close_i)
            self._apply(quads if kw == "DELETE" else [], quads if kw == "INSERT" else [])
        else:
            self._modify(op)

    def _modify(self, op: Operation) -> None:
        toks = op.tokens
        with_graph = None
        i = 0
        if toks[0].upper == "WITH":
            with_graph = ox.NamedNode(resolve(toks[1], op.prefixes, op.base) or "")
            i = 2
        delete_t: list[ox.Quad] = []
        insert_t: list[ox.Quad] = []
        using: list[ox.NamedNode] = []
        using_named: list[ox.NamedNode] = []
        where: tuple[int, int] | None = None
        while i < len(toks):
            up = toks[i].upper
            if up in ("DELETE", "INSERT") and toks[i + 1].upper == "WHERE":  # DELETE WHERE
                open_i, close_i = _block(toks, i + 1)
                delete_t = _parse_template(op, self.text, open_i, close_i)
                where = (open_i, close_i)
                i = close_i + 1
            elif up in ("DELETE", "INSERT"):
                open_i, close_i = _block(toks, i + 1)
                parsed = _parse_template(op, self.text, open_i, close_i)
                (delete_t if up == "DELETE" else insert_t).extend(parsed)
                i = close_i + 1
            elif up == "USING":
                named = toks[i + 1].upper == "NAMED"
                j = i + 2 if named else i + 1
                iri = ox.NamedNode(resolve(toks[j], op.prefixes, op.base) or "")
                (using_named if named else using).append(iri)
                i = j + 1
            elif up == "WHERE":
                where = _block(toks, i + 1)
                i = where[1] + 1
            else:
                i += 1
        if where is None:
            raise QuerySyntaxError("malformed update: an operation without WHERE")
        target = with_graph if with_graph is not None else ox.DefaultGraph()
        remove: list[ox.Quad] = []
        add: list[ox.Quad] = []
        for solution in self._solutions(op, where, with_graph, using, using_named):
            inst = _Instantiator(solution)
            remove.extend(q for q in (inst.quad(t, target) for t in delete_t) if q is not None)
            add.extend(q for q in (inst.quad(t, target) for t in insert_t) if q is not None)
        self._apply(remove, add)

    def _solutions(self, op, where, with_graph, using, using_named) -> Iterator[ox.QuerySolution]:
        open_i, close_i = where
        body = self.text[op.tokens[open_i].start : op.tokens[close_i].start + 1]
        kwargs: dict = {"prefixes": PREFIXES}
        if using:
            kwargs["default_graph"] = using
        elif with_graph is not None:
            kwargs["default_graph"] = [with_graph]
        if using_named:
            kwargs["named_graphs"] = using_named
        view = self.view()
        functions = extension_functions(view)
        if functions:
            kwargs["custom_functions"] = functions
        try:
            solutions = view.query(f"{op.prologue}\nSELECT * WHERE {body}", **kwargs)
            assert isinstance(solutions, ox.QuerySolutions)
            yield from solutions
        except SyntaxError as err:
            raise QuerySyntaxError(f"malformed update: {err}") from None
        except (ValueError, OSError, RuntimeError) as err:
            raise InputError(f"update failed: {err}") from None


def plan_update(store: Store, text: str) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """``(add, remove)``: the net effect ``text`` would have on ``store``."""
    return UpdatePlanner(store, text).plan().quads()


@dataclass(frozen=True)
class UpdateJob:
    """An update to plan in a worker process against the read-only snapshot at
    ``store_path``."""

    text: str
    store_path: str
    kind: str = "update"


@dataclass
class _ReadOnly:
    """What the planner needs of a store: the engine's store and where it lives."""

    ox: ox.Store
    path: Path


def plan_update_at(store_path: str, text: str) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """:func:`plan_update` against a read-only open of the store (a snapshot) at
    ``store_path``: what an update worker does."""
    view = _ReadOnly(ox.Store.read_only(store_path), Path(store_path))
    try:
        return UpdatePlanner(view, text).plan().quads()  # type: ignore[arg-type]
    finally:
        del view
