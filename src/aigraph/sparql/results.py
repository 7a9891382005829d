"""Evaluating one query on a pyoxigraph store and writing its result, capped, in Rust.

The row cap is applied without building Python objects per row: solutions are written as TSV
by pyoxigraph into a writer that stops the evaluation once ``max_rows + 1`` rows have come
(one line per row: TSV escapes line breaks), then the kept lines are re-read and written in the
asked format, again by pyoxigraph. A cut result says so (``Reply.truncated``; JSON results
carry ``"truncated": true`` and ``"limit"`` beside ``head``, XML a ``<link>``).

A SELECT whose own top-level ``LIMIT`` is within the cap cannot be cut: it is written straight
in the asked format (``QueryJob.direct``), with no TSV round trip.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field
from itertools import islice

import pyoxigraph as ox

from ..namespaces import PREFIXES
from ..query import engine_call, extension_functions

RESULTS_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "n3": ox.RdfFormat.N3,
    "nquads": ox.RdfFormat.N_QUADS,  # a graph result is the dataset's default graph
    "trig": ox.RdfFormat.TRIG,
}
#: syntaxes that take prefixes
PREFIXED = {"turtle", "n3", "trig"}
TRUNCATED_LINK = "urn:aigraph:truncated"


@dataclass(frozen=True)
class QueryJob:
    """Everything needed to run one query, picklable (it crosses to worker processes).

    ``default_graph``/``named_graphs`` narrow the dataset (SPARQL protocol ``default-graph-uri``
    and ``named-graph-uri``); without them the default graph is the union of all graphs.
    ``substitutions`` binds variables: name -> (``iri`` | ``literal``, value, datatype, lang).
    ``direct``: the query's own top-level ``LIMIT`` is within ``max_rows`` (see
    :attr:`~aigraph.sparql.lexer.Inspection.limit`), so solutions are written straight in
    ``solution_fmt``, uncapped.
    """

    sparql: str
    max_rows: int
    solution_fmt: str = "json"
    graph_fmt: str = "turtle"
    default_graph: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    substitutions: tuple[tuple[str, str, str, str | None, str | None], ...] = ()
    direct: bool = False
    #: the base IRI relative IRIs in the query resolve against (the Protocol: the request's
    #: URL), ``None`` for none
    base_iri: str | None = None


@dataclass
class Reply:
    kind: str  # select | ask | graph
    fmt: str
    body: bytes
    truncated: bool = False
    count: int | None = None
    meta: dict = field(default_factory=dict)


class _Full(Exception):
    pass


class _LineCap(io.RawIOBase):
    """Keeps the first ``lines`` lines written to it, then stops the writer."""

    def __init__(self, lines: int):
        self.limit = lines
        self.lines = 0
        self.chunks: list[bytes] = []
        self.full = False

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:  # type: ignore[override]
        data = bytes(b)
        if self.lines >= self.limit:
            if data:
                self.full = True
                raise _Full
            return 0
        n = data.count(b"\n")
        if self.lines + n < self.limit:
            self.lines += n
            self.chunks.append(data)
            return len(data)
        idx = -1
        for _ in range(self.limit - self.lines):
            idx = data.index(b"\n", idx + 1)
        self.chunks.append(data[: idx + 1])
        self.lines = self.limit
        if idx + 1 < len(data):
            self.full = True
            raise _Full
        return len(data)


def _term(kind: str, value: str, datatype: str | None, lang: str | None):
    if kind == "iri":
        return ox.NamedNode(value)
    if lang:
        return ox.Literal(value, language=lang)
    if datatype:
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    return ox.Literal(value)


def _kwargs(store: ox.Store, job: QueryJob, functions: dict | None) -> dict:
    kwargs: dict = {"prefixes": PREFIXES}
    if job.base_iri:
        kwargs["base_iri"] = job.base_iri
    if job.default_graph:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graph]
    else:
        kwargs["use_default_graph_as_union"] = True
    if job.named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    if job.substitutions:
        kwargs["substitutions"] = {
            ox.Variable(name): _term(kind, value, datatype, lang)
            for name, kind, value, datatype, lang in job.substitutions
        }
    if functions is None:
        functions = extension_functions(store)
    if functions:
        kwargs["custom_functions"] = functions
    return kwargs


def _mark_truncated(body: bytes, fmt: str, cap: int) -> bytes:
    if fmt == "json" and body.startswith(b"{"):
        return b'{"truncated":true,"limit":%d,' % cap + body[1:]
    if fmt == "xml":
        return body.replace(b"</head>", b'<link href="%s"/></head>' % TRUNCATED_LINK.encode(), 1)
    return body


def _solutions(answer: ox.QuerySolutions, fmt: str, cap: int, direct: bool) -> Reply:
    if direct:  # the query's own LIMIT is within the cap: nothing to cut, no TSV round trip
        return Reply("select", fmt, answer.serialize(format=RESULTS_FORMATS[fmt]) or b"")
    sink = _LineCap(cap + 1)  # header + cap rows
    # pyoxigraph passes our stop signal through and stops evaluating
    with contextlib.suppress(_Full):
        answer.serialize(sink, ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]
    tsv = b"".join(sink.chunks)
    count = max(0, tsv.count(b"\n") - 1)
    if fmt == "tsv":
        body = tsv
    else:
        parsed = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
        body = parsed.serialize(format=RESULTS_FORMATS[fmt]) or b""
    if sink.full:
        body = _mark_truncated(body, fmt, cap)
    return Reply("select", fmt, body, truncated=sink.full, count=count)


def _triples(answer: ox.QueryTriples, fmt: str, cap: int) -> Reply:
    triples = list(islice(answer, cap + 1))
    truncated = len(triples) > cap
    del triples[cap:]
    buf = io.BytesIO()
    prefixes = PREFIXES if fmt in PREFIXED else None
    if prefixes:
        ox.serialize(triples, buf, RDF_FORMATS[fmt], prefixes=prefixes)
    else:
        ox.serialize(triples, buf, RDF_FORMATS[fmt])
    return Reply("graph", fmt, buf.getvalue(), truncated=truncated, count=len(triples))


def evaluate(store: ox.Store, job: QueryJob, functions: dict | None = None) -> Reply:
    """Run ``job`` on ``store``; the result's kind picks ``solution_fmt`` or ``graph_fmt``.
    ``functions``: the extension functions bound to ``store``, when the caller keeps them
    (a worker does, per snapshot); else they are looked up."""
    kwargs = _kwargs(store, job, functions)
    return engine_call(lambda kw: _answer(store, job, kw), kwargs, job.sparql)


def _answer(store: ox.Store, job: QueryJob, kwargs: dict) -> Reply:
    answer = store.query(job.sparql, **kwargs)
    if isinstance(answer, ox.QueryBoolean):
        fmt = job.solution_fmt
        return Reply("ask", fmt, answer.serialize(format=RESULTS_FORMATS[fmt]) or b"")
    if isinstance(answer, ox.QuerySolutions):
        return _solutions(answer, job.solution_fmt, job.max_rows, job.direct)
    return _triples(answer, job.graph_fmt, job.max_rows)
