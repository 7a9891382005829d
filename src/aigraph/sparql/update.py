"""SPARQL 1.1 Update turned into a delta (quads to remove, quads to add), the live store untouched.

The engine is the authority on what an update means (docs/decisions/0011-updates-by-the-engine.md):
the update is applied by pyoxigraph itself to a scratch copy of the store (a hard-linked
checkpoint of the read-only snapshot, or an in-memory copy of an in-memory store), and the net
change is read off by comparing, graph by graph, what the copy holds before and after. Only the
graphs the update can write are compared (the graphs its templates, ``WITH``, ``INTO``, ``TO``
and graph-management operations name, and the default graph); when a template writes to a
variable graph, or an operation names ``ALL``/``NAMED``, every graph is compared. The delta then
goes through :meth:`Store.write`, which validates the state it would produce and commits it
atomically.

Before anything runs, the request is parsed whole by the engine without running any of it
(:func:`check_syntax`). The SPARQL 1.1 Protocol's ``using-graph-uri`` and
``using-named-graph-uri`` become ``USING``/``USING NAMED`` clauses of every operation with a
``WHERE`` (refused when the request has its own ``USING`` or ``WITH``).

Graph semantics follow SPARQL 1.1 Update: without ``WITH``/``USING`` the default graph is the
store's own default graph (not the union the query endpoint uses), so updates name their graphs.
An empty named graph is not kept (a store holds quads). ``LOAD`` is refused.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError, NotAllowed, QuerySyntaxError
from ..namespaces import PREFIXES
from ..query import engine_call, extension_functions, syntax_message
from ..store import Store, storage_error
from .lexer import Token, inspect, is_relative, resolve, tokenize

#: an operation that fails on an empty store: put before the first operation of an update, it
#: makes the engine parse the whole request and then stop before running any of it
_STOP = "DROP GRAPH <urn:aigraph:syntax-check> ; "
_POSITION = re.compile(r"error at (\d+):(\d+)")
_GRAPH_OPERATIONS = {"WITH", "INTO", "TO", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY"}


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


def check_syntax(text: str, base_iri: str | None = None) -> None:
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
        ox.Store().update(guarded, prefixes=PREFIXES, base_iri=base_iri)
    except SyntaxError as err:
        message = syntax_message(err, text)

        def shift(m: re.Match) -> str:  # positions in the request as sent
            ln, col = int(m.group(1)), int(m.group(2))
            if ln == line and col >= column + len(_STOP):
                col -= len(_STOP)
            return f"error at {ln}:{col}"

        raise QuerySyntaxError(f"malformed update: {_POSITION.sub(shift, message, 1)}") from None
    except (ValueError, OSError, RuntimeError):
        return  # the stop operation failed, as it must: the request parsed
    raise QuerySyntaxError("malformed update: it could not be checked")  # pragma: no cover


def with_dataset(text: str, using: Iterable[str] = (), using_named: Iterable[str] = ()) -> str:
    """``text`` with the Protocol's ``using-graph-uri``/``using-named-graph-uri`` written as
    ``USING``/``USING NAMED`` before the ``WHERE`` of every DELETE/INSERT operation."""
    using, using_named = list(using), list(using_named)
    if not using and not using_named:
        return text
    for iri in (*using, *using_named):
        if not iri or any(c in iri for c in '<>" {}|\\^`') or ":" not in iri:
            raise InputError(f"graph {iri!r} is not a valid absolute IRI")
    tokens = list(tokenize(text))
    if any(t.depth == 0 and t.upper in ("USING", "WITH") for t in tokens if t.kind == "name"):
        raise InputError(
            "the request has using-graph-uri/using-named-graph-uri and the update has its own "
            "USING or WITH: the SPARQL Protocol forbids both"
        )
    clause = " ".join([f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named])
    out, last = [], 0
    for i, tok in enumerate(tokens):
        if tok.depth or tok.upper != "WHERE" or tok.kind != "name":
            continue
        if i and tokens[i - 1].upper in ("DELETE", "INSERT"):  # DELETE WHERE takes no USING
            continue
        out.append(text[last : tok.start])
        out.append(clause + " ")
        last = tok.start
    out.append(text[last:])
    return "".join(out)


def _graph_at(tokens: list[Token], j: int, prefixes: dict, base: str | None):
    """The graph named at ``tokens[j]`` (after SILENT/GRAPH): an IRI, ``None`` for DEFAULT, or
    ``...`` when it could be any graph."""
    while j < len(tokens) and tokens[j].upper in ("SILENT", "GRAPH"):
        j += 1
    if j >= len(tokens):
        return None
    tok = tokens[j]
    if tok.upper == "DEFAULT":
        return None
    if tok.kind in ("iri", "pname"):
        iri = resolve(tok, prefixes, None)
        # an IRI relative to a base: the engine resolves it, not us (compare every graph)
        return iri if iri is not None and not is_relative(iri) else ...
    return ...  # ALL, NAMED, a variable, anything else: any graph


def touched_graphs(text: str) -> set[str | None] | None:
    """The graphs an update can write (``None`` in the set: the default graph), or ``None``
    when it can write any graph. An over-approximation: reading graphs may be included."""
    prefixes: dict[str, str] = dict(PREFIXES)
    base: str | None = None
    tokens = list(tokenize(text))
    graphs: set[str | None] = {None}
    template = False  # inside a DELETE/INSERT block (not a WHERE pattern)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        up = tok.upper if tok.kind == "name" else ""
        if tok.depth == 0:
            if up == "PREFIX" and i + 2 < len(tokens):
                iri = resolve(tokens[i + 2], prefixes, base)
                if iri is None:
                    return None
                prefixes[tokens[i + 1].text.split(":")[0]] = iri
                i += 3
                continue
            if up == "BASE" and i + 1 < len(tokens):
                base = resolve(tokens[i + 1], prefixes, base)
                i += 2
                continue
            if up in ("DELETE", "INSERT"):
                template = True
            elif up == "WHERE":
                template = i > 0 and tokens[i - 1].upper in ("DELETE", "INSERT")
            elif up in ("ALL", "NAMED") and i and tokens[i - 1].upper != "USING":
                return None
            elif up in _GRAPH_OPERATIONS:
                graph = _graph_at(tokens, i + 1, prefixes, base)
                if graph is ...:
                    return None
                graphs.add(graph)
        elif up == "GRAPH" and template:
            graph = _graph_at(tokens, i + 1, prefixes, base)
            if graph is ...:
                return None
            graphs.add(graph)
        i += 1
    return graphs


def _term(graph: str | None):
    return ox.DefaultGraph() if graph is None else ox.NamedNode(graph)


def _lines(store: ox.Store, graphs: set[str | None] | None) -> dict[str | None, set[bytes]]:
    """Each compared graph's content as a set of N-Triples lines (N-Quads for the whole
    store, under the key ``...``): serialised by the engine, compared as bytes."""
    if graphs is None:
        data = store.dump(format=ox.RdfFormat.N_QUADS) or b""
        return {...: set(data.splitlines())}  # type: ignore[dict-item]
    out: dict[str | None, set[bytes]] = {}
    existing = {g.value for g in store.named_graphs()}
    for g in graphs:
        if g is not None and g not in existing:
            out[g] = set()
            continue
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=_term(g)) or b""
        out[g] = set(data.splitlines())
    return out


def _quads(lines: Iterable[bytes], graph) -> list[ox.Quad]:
    data = b"\n".join(lines)
    if not data:
        return []
    if graph is ...:
        return list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    g = _term(graph)
    return [
        ox.Quad(t.subject, t.predicate, t.object, g)
        for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    ]


class UpdatePlanner:
    """Applies an update with the engine to a scratch copy of ``source`` and returns the net
    change. ``source`` is a pyoxigraph store; ``path``: where it lives on disk (its scratch copy
    is then a hard-linked checkpoint beside it), ``None`` for an in-memory copy."""

    def __init__(
        self,
        source: ox.Store,
        path: Path | None,
        text: str,
        using: Iterable[str] = (),
        using_named: Iterable[str] = (),
        base_iri: str | None = None,
        checkpoint=None,
    ):
        self.checkpoint = checkpoint
        self.base_iri = base_iri
        self.source = source
        self.path = path
        self.text = text
        self.using = tuple(using)
        self.using_named = tuple(using_named)

    def _scratch(self) -> tuple[ox.Store, str | None]:
        if self.path is not None:
            folder = tempfile.mkdtemp(dir=self.path.parent, prefix=".update-")
            shutil.rmtree(folder)
            try:
                if self.checkpoint is not None:  # the store's own: maps a full disk to 507
                    self.checkpoint(folder)
                else:
                    self.source.backup(folder)
            except OSError as err:
                shutil.rmtree(folder, ignore_errors=True)
                raise storage_error(
                    err, "copying the store to plan an update", "nothing was written"
                ) from None
            return ox.Store(folder), folder
        copy = ox.Store()
        copy.bulk_extend(self.source.quads_for_pattern(None, None, None, None))
        return copy, None

    def plan(self) -> tuple[list[ox.Quad], list[ox.Quad]]:
        if inspect(self.text).loads:  # before anything could fetch it
            raise NotAllowed("LOAD is not allowed: this service does not fetch data from URLs")
        check_syntax(self.text, self.base_iri)
        text = with_dataset(self.text, self.using, self.using_named)
        graphs = touched_graphs(text)
        scratch: ox.Store | None
        scratch, folder = self._scratch()
        apply = scratch.update
        try:
            before = _lines(scratch, graphs)
            kwargs: dict = {"prefixes": PREFIXES}
            if self.base_iri:
                kwargs["base_iri"] = self.base_iri
            functions = extension_functions(self.source)
            if functions:
                kwargs["custom_functions"] = functions
            engine_call(lambda kw: apply(text, **kw), kwargs, text, "update")
            after = _lines(scratch, graphs)
        finally:
            scratch = apply = None  # type: ignore[assignment]  # closed before it is removed
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
        add: list[ox.Quad] = []
        remove: list[ox.Quad] = []
        for graph, old in before.items():
            new = after.get(graph, set())
            add += _quads(new - old, graph)
            remove += _quads(old - new, graph)
        return add, remove


def plan_update(
    store: Store,
    text: str,
    using: Iterable[str] = (),
    using_named: Iterable[str] = (),
    base_iri: str | None = None,
) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """``(add, remove)``: the net effect ``text`` would have on ``store`` (nothing is written)."""
    if store.path is not None:
        store.ensure_writable()  # after a full disk: the database is reopened first
    return UpdatePlanner(
        store.ox, store.path, text, using, using_named, base_iri, store.checkpoint
    ).plan()


@dataclass(frozen=True)
class UpdateJob:
    """An update to plan in a worker process against the read-only snapshot at
    ``store_path``."""

    text: str
    store_path: str
    using: tuple[str, ...] = ()
    using_named: tuple[str, ...] = ()
    base_iri: str | None = None
    kind: str = "update"


def plan_update_at(job: UpdateJob) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """:func:`plan_update` against a read-only open of the store (a snapshot) at
    ``job.store_path``: what an update worker does."""
    source = ox.Store.read_only(job.store_path)
    try:
        return UpdatePlanner(
            source, Path(job.store_path), job.text, job.using, job.using_named, job.base_iri
        ).plan()
    finally:
        del source
