"""Running SPARQL on the store with a row cap, and writing results in the standard formats.

The row cap is never silent: :class:`QueryResult.truncated` says when it cut a result, and the
writers put that in the output (the JSON results carry ``"truncated": true`` beside ``head``).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from .config import Settings, get_settings
from .errors import InputError, QuerySyntaxError
from .namespaces import PREFIXES
from .policy import guard

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: result format name -> media type
SOLUTION_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "table": "text/plain",
}
GRAPH_FORMATS = {
    "turtle": ("text/turtle", ox.RdfFormat.TURTLE),
    "ntriples": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "rdfxml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}


#: Providers of SPARQL extension functions: each is called with the pyoxigraph store and returns
#: ``{NamedNode(function IRI): callable}``. Feature modules (e.g. ``aigraph.analytics``) register
#: themselves here when imported, so this layer never imports them.
FUNCTION_PROVIDERS: list = []


def register_function_provider(provider) -> None:
    if provider not in FUNCTION_PROVIDERS:
        FUNCTION_PROVIDERS.append(provider)


def extension_functions(store: ox.Store) -> dict:
    """All registered extension functions for ``store``."""
    out: dict = {}
    for provider in FUNCTION_PROVIDERS:
        out.update(provider(store))
    return out


_UNKNOWN_FUNCTION = re.compile(r"The custom function <([^>]*)> is not supported")
#: at most this many unknown functions are stood in for in one query
MAX_UNKNOWN_FUNCTIONS = 32


def _unbound(*_args):
    return None


def engine_call(call, kwargs: dict, text: str, what: str = "query"):
    """``call(kwargs)`` (a query or update on pyoxigraph, ``text`` its SPARQL), with the
    engine's errors as aigraph's: a syntax error names its position, a function the engine does
    not know leaves its value unbound (see :func:`unknown_function`; the call is made again,
    safe since a query reads and an update is applied whole or not at all), anything else is a
    bad request about ``what``."""
    while True:
        try:
            return call(kwargs)
        except SyntaxError as err:
            raise QuerySyntaxError(f"malformed {what}: {syntax_message(err, text)}") from None
        except RuntimeError as err:
            more = unknown_function(err, kwargs.get("custom_functions", {}))
            if more is None:
                raise InputError(f"{what} failed: {err}") from None
            kwargs["custom_functions"] = more
        except (ValueError, OSError) as err:
            raise InputError(f"{what} failed: {err}") from None


def unknown_function(err: Exception, functions: dict) -> dict | None:
    """When ``err`` is the engine refusing a function it does not know, ``functions`` plus a
    stand-in for it that leaves its value unbound, else ``None``.

    SPARQL 1.1 (17.6, extensible value testing) makes a call to an unsupported function an
    evaluation error: the expression has no value, the query still answers. pyoxigraph fails
    the whole query instead, so the query is run again with a stand-in for each function it
    names that the engine does not know."""
    m = _UNKNOWN_FUNCTION.search(str(err))
    if m is None or sum(f is _unbound for f in functions.values()) >= MAX_UNKNOWN_FUNCTIONS:
        return None
    iri = ox.NamedNode(m.group(1))
    if iri in functions:
        return None
    return {**functions, iri: _unbound}


@dataclass
class QueryResult:
    """A query's result: ``kind`` is ``select``, ``ask`` or ``graph``."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[ox.QuerySolution] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False
    limit: int | None = None

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "select" else len(self.triples)

    def bindings(self) -> list[dict[str, str]]:
        """Rows as plain dicts of variable -> lexical value (unbound variables left out)."""
        out = []
        for row in self.rows:
            d = {}
            for v in self.variables:
                t = row[v]
                if t is not None:
                    d[v] = t.value
            out.append(d)
        return out


def run(
    store: ox.Store,
    sparql: str,
    *,
    max_rows: int | None = None,
    union_default_graph: bool = True,
    default_graph: list[str] | None = None,
    named_graphs: list[str] | None = None,
    custom_functions: dict | None = None,
    settings: Settings | None = None,
) -> QueryResult:
    """Run a SPARQL query; keep at most ``max_rows`` rows (or triples), flagging truncation.

    The query passes the same policy as on the service first (:func:`aigraph.policy.guard`):
    no update, no over-deep nesting, and ``SERVICE`` only when ``settings`` (by default the
    process settings, ``AIGRAPH_FEDERATION`` / ``AIGRAPH_SERVICE_ALLOW``) allow its endpoint.
    """
    guard(sparql, settings or get_settings(), prefixes=PREFIXES)
    kwargs: dict = {"prefixes": PREFIXES}
    if default_graph:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
    elif union_default_graph:
        kwargs["use_default_graph_as_union"] = True
    if named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    functions = extension_functions(store) if custom_functions is None else custom_functions
    if functions:
        kwargs["custom_functions"] = functions
    # results are lazy: a SERVICE call or a store read can fail while they are taken
    return engine_call(lambda kw: _evaluate(store, sparql, kw, max_rows), kwargs, sparql)


def _evaluate(store: ox.Store, sparql: str, kwargs: dict, max_rows: int | None) -> QueryResult:
    answer = store.query(sparql, **kwargs)
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows, truncated = _take(answer, max_rows)
        return QueryResult("select", variables, rows=rows, truncated=truncated, limit=max_rows)
    triples, truncated = _take(answer, max_rows)
    return QueryResult("graph", triples=triples, truncated=truncated, limit=max_rows)


def syntax_message(err: SyntaxError, sparql: str = "") -> str:
    """The engine's syntax error, readable: an undeclared prefix is named (the engine lists
    every character a name could have gone on with instead)."""
    message = str(err.args[0] if err.args else err)
    if "Prefix not found" in message:
        where = message.split(": expected", 1)[0]
        prefix = undeclared_prefix(sparql) if sparql else None
        named = f"the prefix '{prefix}:' is not declared" if prefix is not None else "a prefix"
        return f"{where}: {named} (declare it with PREFIX {prefix or 'name'}: <namespace IRI>)"
    if "expected one of" in message and len(message) > 300:
        message = message[: message.index("expected one of")] + "unexpected input"
    return message


def undeclared_prefix(sparql: str, prefixes=PREFIXES) -> str | None:
    """The first prefix ``sparql`` uses but neither declares nor is predeclared, if any."""
    from .lexer import inspect, tokenize

    declared = inspect(sparql, prefixes).prefixes
    for tok in tokenize(sparql):
        if tok.kind == "pname":
            prefix = tok.text.partition(":")[0]
            if prefix not in declared:
                return prefix
    return None


def _take(items: Iterable, cap: int | None) -> tuple[list, bool]:
    if cap is None:
        return list(items), False
    it = iter(items)
    got = list(islice(it, cap))
    more = next(it, None) is not None
    return got, more


# --------------------------------------------------------------------------- writers
def _term_json(t) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            d["datatype"] = t.datatype.value
        return d
    return {
        "type": "triple",
        "value": {
            "subject": _term_json(t.subject),
            "predicate": _term_json(t.predicate),
            "object": _term_json(t.object),
        },
    }


def to_json(result: QueryResult) -> bytes:
    """SPARQL 1.1 Query Results JSON; a capped result carries ``"truncated": true``."""
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": result.boolean}).encode()
    doc: dict = {"head": {"vars": result.variables}}
    if result.truncated:
        doc["head"]["link"] = []
        doc["truncated"] = True
        doc["limit"] = result.limit
    doc["results"] = {
        "bindings": [
            {v: _term_json(row[v]) for v in result.variables if row[v] is not None}
            for row in result.rows
        ]
    }
    return json.dumps(doc, ensure_ascii=False).encode()


def _csv_field(t) -> str:
    if t is None:
        return ""
    value = t.value if not isinstance(t, ox.BlankNode) else f"_:{t.value}"
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def to_csv(result: QueryResult) -> bytes:
    if result.kind == "ask":
        return f"_askResult\r\n{str(result.boolean).lower()}\r\n".encode()
    lines = [",".join(result.variables)]
    lines += [",".join(_csv_field(row[v]) for v in result.variables) for row in result.rows]
    return ("\r\n".join(lines) + "\r\n").encode()


def to_tsv(result: QueryResult) -> bytes:
    if result.kind == "ask":
        return f"?_askResult\n{str(result.boolean).lower()}\n".encode()
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += [
        "\t".join("" if row[v] is None else str(row[v]) for v in result.variables)
        for row in result.rows
    ]
    return ("\n".join(lines) + "\n").encode()


def _term_xml(t) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{escape(t.value)}</literal>"
        if t.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(t.datatype.value)}>{escape(t.value)}</literal>"
        return f"<literal>{escape(t.value)}</literal>"
    return f"<literal>{escape(str(t))}</literal>"


def to_xml(result: QueryResult) -> bytes:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if result.kind == "ask":
        out.append(f"<head/><boolean>{str(result.boolean).lower()}</boolean></sparql>")
        return "\n".join(out).encode()
    out.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in result.variables))
    if result.truncated:
        out.append('<link href="urn:aigraph:truncated"/>')
    out.append("</head><results>")
    for row in result.rows:
        cells = "".join(
            f"<binding name={quoteattr(v)}>{_term_xml(row[v])}</binding>"
            for v in result.variables
            if row[v] is not None
        )
        out.append(f"<result>{cells}</result>")
    out.append("</results></sparql>")
    return "\n".join(out).encode()


def _short(t) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.NamedNode):
        for prefix, ns in PREFIXES.items():
            if t.value.startswith(ns) and "/" not in t.value[len(ns) :]:
                return f"{prefix}:{t.value[len(ns) :]}"
        return f"<{t.value}>"
    if isinstance(t, ox.Literal):
        return f"{t.value}@{t.language}" if t.language else t.value
    return str(t)


def to_table(result: QueryResult) -> bytes:
    """A readable fixed-width table (IRIs shortened with the known prefixes)."""
    if result.kind == "ask":
        return f"{str(result.boolean).lower()}\n".encode()
    if result.kind == "graph":
        return serialize_graph(result, "turtle")
    header = result.variables
    cells = [[_short(row[v]) for v in header] for row in result.rows]
    widths = [min(60, max([len(h)] + [len(r[i]) for r in cells])) for i, h in enumerate(header)]

    def fit(value: str, width: int) -> str:
        return (value if len(value) <= width else value[: width - 1] + "…").ljust(width)

    def fmt(values: list[str]) -> str:
        return " | ".join(fit(v, w) for v, w in zip(values, widths, strict=True)).rstrip()

    lines = [fmt(header), "-+-".join("-" * w for w in widths)]
    lines += [fmt(r) for r in cells]
    n = len(cells)
    tail = f"({n} row{'s' if n != 1 else ''}"
    tail += f"; truncated at the row cap of {result.limit})" if result.truncated else ")"
    lines.append(tail)
    return ("\n".join(lines) + "\n").encode()


def serialize_graph(result: QueryResult, fmt: str) -> bytes:
    try:
        _media, rdf_format = GRAPH_FORMATS[fmt]
    except KeyError:
        raise InputError(
            f"format {fmt!r} does not apply to a graph result "
            f"(use one of {', '.join(GRAPH_FORMATS)})"
        ) from None
    buf = io.BytesIO()
    ox.serialize(result.triples, buf, rdf_format, prefixes=PREFIXES if fmt == "turtle" else None)
    return buf.getvalue()


SOLUTION_WRITERS = {
    "json": to_json,
    "xml": to_xml,
    "csv": to_csv,
    "tsv": to_tsv,
    "table": to_table,
}


def serialize(result: QueryResult, fmt: str) -> bytes:
    """Write ``result`` in ``fmt`` (``json``, ``xml``, ``csv``, ``tsv``, ``table`` for SELECT and
    ASK; ``turtle``, ``ntriples``, ``jsonld``, ``rdfxml`` for CONSTRUCT and DESCRIBE)."""
    if result.kind == "graph":
        if fmt == "table":
            fmt = "turtle"
        return serialize_graph(result, fmt)
    writer = SOLUTION_WRITERS.get(fmt)
    if writer is None:
        raise InputError(
            f"format {fmt!r} does not apply to a {result.kind.upper()} result "
            f"(use one of {', '.join(SOLUTION_WRITERS)})"
        )
    return writer(result)


def example_query() -> str:
    """The example query of the README, ``aigraph example`` and the query page (``example.rq``)."""
    from importlib import resources

    return (resources.files("aigraph") / "example.rq").read_text(encoding="utf-8")
