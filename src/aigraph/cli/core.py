"""init, load, validate, query, export, stats."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..config import get_settings
from ..errors import InputError
from ..query import GRAPH_FORMATS, SOLUTION_FORMATS, example_query, run, serialize
from .common import add_store_option, open_store, say, store_path, write_out


def cmd_init(args: argparse.Namespace) -> int:
    if args.reset:
        open_store(args, write=True).destroy()
    store = open_store(args, write=True)
    result = store.init(progress=True)
    say(
        f"store {store_path(args)}: {result.after} quads "
        f"({result.after - result.before} new) in {len(store.named_graphs())} graphs"
    )
    if "h2020" in (args.with_ or ()):
        from ..importers import cordis_participations as h2020

        report = h2020.import_participations(
            store, h2020.bundled_file(), retrieved=h2020.SHIPPED_RETRIEVED, progress=True
        )
        say(report.summary())
        assert report.write is not None
        say(f"store {report.write.before} -> {report.write.after} quads")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    store = open_store(args, write=True)
    result = store.load_files(args.files, graph=args.graph, fmt=args.format, progress=True)
    say(
        f"loaded {result.added} quads from {len(args.files)} file(s): "
        f"store {result.before} -> {result.after} quads"
    )
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from ..validate import validate_files

    report = validate_files(args.files, engine=args.engine)
    if args.format == "json":
        write_out(json.dumps(report.to_json(), indent=2).encode() + b"\n")
    elif args.format == "turtle":
        write_out(report.graph().serialize(format="turtle").encode())
    else:
        write_out(report.text(limit=args.limit).encode() + b"\n")
    return 0 if report.conforms else 1


def _read_query(args: argparse.Namespace) -> str:
    if args.file:
        path = Path(args.file)
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        return path.read_text(encoding="utf-8")
    if args.sparql and args.sparql != "-":
        return args.sparql
    if sys.stdin.isatty() and not args.sparql:
        raise InputError("no query: give it as an argument, with --file, or on stdin")
    return sys.stdin.read()


def cmd_query(args: argparse.Namespace) -> int:
    sparql = _read_query(args)
    store = open_store(args, write=False)
    settings = get_settings().with_(federation=True if args.federation else None)
    result = run(store.ox, sparql, max_rows=args.max_rows, settings=settings)
    fmt = args.format or ("turtle" if result.kind == "graph" else "table")
    write_out(serialize(result, fmt), args.output)
    if result.truncated:
        say(f"aigraph: result truncated at {args.max_rows} rows (raise --max-rows)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    store = open_store(args, write=False)
    if args.output:
        store.export(args.format, args.output)
        say(f"exported {len(store)} quads to {args.output}")
    else:
        write_out(store.export(args.format))
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    stats = open_store(args, write=False).stats()
    if args.format == "json":
        write_out(json.dumps(stats, indent=2).encode() + b"\n")
        return 0
    lines = [f"{stats['quads']} quads", "", "triples per named graph:"]
    lines += [f"  {n:>9}  {g}" for g, n in stats["graphs"].items()]
    lines += ["", "entities per class:"]
    lines += [f"  {n:>9}  {c}" for c, n in stats["classes"].items()]
    write_out(("\n".join(lines) + "\n").encode())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="create the store and load ontology, vocabularies and data")
    add_store_option(p)
    p.add_argument("--reset", action="store_true", help="delete the store first")
    p.add_argument(
        "--with", dest="with_", action="append", choices=["h2020"], metavar="DATA",
        help="also load shipped open data: h2020 = the 145 k H2020 participations "
        "(CORDIS, via eunets) into graph/cordis-h2020, for the network commands",
    )  # fmt: skip
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("load", help="validate RDF files and add them to the store atomically")
    add_store_option(p)
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--graph", metavar="IRI", help="named graph for triples formats")
    p.add_argument("--format", help="override the format guessed from the extension")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("validate", help="check RDF files against the shapes (no store needed)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=["text", "json", "turtle"], default="text")
    p.add_argument(
        "--engine",
        choices=["sparql", "pyshacl"],
        default="sparql",
        help="sparql: the fast compiled engine; pyshacl: the reference",
    )
    p.add_argument("--limit", type=int, default=50, help="results shown in the text report")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("query", help="run a SPARQL query (argument, --file, or stdin)")
    add_store_option(p)
    p.add_argument("sparql", nargs="?", help="the query text, or - for stdin")
    p.add_argument("--file", "-f", metavar="FILE", help="read the query from a file")
    p.add_argument(
        "--format",
        choices=sorted(set(SOLUTION_FORMATS) | set(GRAPH_FORMATS)),
        help="table (default for SELECT/ASK), json, csv, tsv, xml; turtle, ntriples, jsonld, "
        "rdfxml for CONSTRUCT/DESCRIBE",
    )
    p.add_argument("--max-rows", type=int, default=None, help="cap on rows (default: none)")
    p.add_argument("--output", "-o", metavar="FILE")
    p.add_argument(
        "--federation",
        action="store_true",
        help="let SERVICE reach the allow-listed endpoints (AIGRAPH_SERVICE_ALLOW); "
        "default: AIGRAPH_FEDERATION, off",
    )
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("export", help="write the whole dataset (lossless)")
    add_store_option(p)
    p.add_argument("--format", choices=["nquads", "trig"], default="nquads")
    p.add_argument("--output", "-o", metavar="FILE")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("stats", help="triples per named graph and entities per class")
    add_store_option(p)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("example", help="print an example query (the agreement)")
    p.set_defaults(func=lambda a: write_out(example_query().encode()))
