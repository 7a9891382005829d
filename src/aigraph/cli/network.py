"""``aigraph network summary|metrics|communities|path|ego|brokers|cross-border|export|write``.

Every sub-command projects the store (``--projection``, filters ``--from``/``--to``,
``--country``, ``--type``, ``--priority``), calls :mod:`aigraph.analytics` and renders JSON,
a table, CSV, or a graph file.
"""

from __future__ import annotations

import argparse
import csv
import io
import json

from ..errors import InputError
from .common import add_store_option, open_store, say, write_out


def _graph(args: argparse.Namespace, *, write: bool = False):
    from .. import analytics as an

    filters = an.Filters.of(
        start=args.start,
        end=args.end,
        countries=args.country,
        org_types=args.type,
        priorities=args.priority,
    )
    store = open_store(args, write=write)
    funding = getattr(args, "weight", "projects") == "funding"
    G = an.project(store, args.projection, filters, funding=funding)
    return an, store, G, filters


def _node(G, value: str):
    from ..analytics.paths import resolve

    return resolve(G, value)


def _json(obj) -> bytes:
    return json.dumps(obj, indent=2, ensure_ascii=False, default=str).encode() + b"\n"


def _rows_out(rows: list[dict], fmt: str) -> bytes:
    if fmt == "json":
        return _json(rows)
    if not rows:
        return b"(no rows)\n" if fmt == "table" else b""
    keys = list(rows[0])
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, keys, lineterminator="\r\n")
        w.writeheader()
        w.writerows(rows)
        return buf.getvalue().encode()

    def cell(x) -> str:
        if isinstance(x, float):
            return f"{x:.6g}"
        s = str(x)
        return s if len(s) <= 60 else s[:59] + "…"

    cells = [[cell(r[k]) for k in keys] for r in rows]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    lines = ["  ".join(k.ljust(w) for k, w in zip(keys, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return ("\n".join(line.rstrip() for line in lines) + "\n").encode()


# ----------------------------------------------------------------------------- commands
def cmd_summary(args: argparse.Namespace) -> int:
    an, _store, G, _f = _graph(args)
    s = an.summary(G, seed=args.seed)
    if args.format == "json":
        write_out(_json(s))
    else:
        write_out("".join(f"{k:<18} {v}\n" for k, v in s.items()).encode())
    return 0


def cmd_metrics(args: argparse.Namespace) -> int:
    an, _store, G, _f = _graph(args)
    metrics = tuple(args.metric or ("degree", "strength", "pagerank"))
    rows, params = an.node_table(G, metrics, k=args.k, seed=args.seed)
    sort = args.sort or metrics[0]
    if sort not in metrics:
        raise InputError(f"--sort {sort} is not one of the metrics asked ({', '.join(metrics)})")
    rows.sort(key=lambda r: (-(r[sort] or 0), r["id"]))
    if args.top:
        rows = rows[: args.top]
    if "betweenness" in params:
        b = params["betweenness"]
        say(
            "betweenness: exact"
            if b["exact"]
            else f"betweenness: sampled from k={b['k']} sources (seed {b['seed']})"
        )
    write_out(_rows_out(rows, args.format), args.output)
    return 0


def cmd_communities(args: argparse.Namespace) -> int:
    an, _store, G, _f = _graph(args)
    c = an.detect(G, algorithm=args.algorithm, resolution=args.resolution, seed=args.seed)
    doc = {
        "algorithm": c.algorithm,
        "parameters": c.parameters,
        "modularity": c.modularity,
        "count": len(c.communities),
        "communities": [
            {
                "id": i,
                "size": len(members),
                "members": sorted(str(v) for v in members)[: args.members],
                "labels": sorted(str(G.nodes[v].get("label", v)) for v in members)[: args.members],
            }
            for i, members in enumerate(c.communities[: args.top])
        ],
    }
    if args.format == "json":
        write_out(_json(doc))
    else:
        lines = [f"{c.algorithm}: {len(c.communities)} communities, modularity {c.modularity:.4f}"]
        lines += [
            f"{d['id']:>4}  {d['size']:>6}  {', '.join(d['labels'][:5])}"
            for d in doc["communities"]
        ]
        write_out(("\n".join(lines) + "\n").encode())
    return 0


def cmd_path(args: argparse.Namespace) -> int:
    an, _store, G, _f = _graph(args)
    a, b = _node(G, args.source), _node(G, args.target)
    if args.all:
        paths = an.all_shortest_paths(G, a, b, limit=args.limit)
    else:
        one = an.shortest_path(G, a, b)
        paths = [one] if one is not None else []
    if not paths:
        say(f"aigraph: {args.source} and {args.target} are not connected")
    docs = [p.to_json(G) for p in paths]
    if args.format == "json":
        write_out(_json(docs))
    else:
        out = []
        for d in docs:
            out.append(" -> ".join(n["label"] for n in d["nodes"]) + f"  ({d['length']} hops)")
            for h in d["hops"]:
                ev = ", ".join(h["evidence"][:5]) + (" ..." if len(h["evidence"]) > 5 else "")
                out.append(f"    {h['from']} -- {h['to']}: {ev}")
        write_out(("\n".join(out) + "\n").encode() if out else b"")
    return 0 if paths else 1


def cmd_ego(args: argparse.Namespace) -> int:
    an, _store, G, _f = _graph(args)
    E = an.ego(G, _node(G, args.node), radius=args.radius)
    write_out(an.export(E, args.format), args.output)
    return 0


def cmd_brokers(args: argparse.Namespace) -> int:
    an, _store, G, _f = _graph(args)
    rows = [
        {
            "id": str(b.node),
            "label": b.label,
            "country": b.country,
            "bridged": b.bridged,
            "pairs": b.pairs,
            "share": b.share,
            f"neighbours_{args.a.upper()}": b.neighbours_a,
            f"neighbours_{args.b.upper()}": b.neighbours_b,
        }
        for b in an.brokers(G, args.a, args.b, top=args.top)
    ]
    write_out(_rows_out(rows, args.format), args.output)
    return 0


def cmd_cross_border(args: argparse.Namespace) -> int:
    an, _store, G, _f = _graph(args)
    pairs = an.cross_border(G, countries=args.only)
    if args.top:
        pairs = pairs[: args.top]
    rows = [
        {
            "a": p.a,
            "b": p.b,
            "observed": p.observed,
            "expected": p.expected,
            "index": p.index,
            "edges": p.edges,
        }
        for p in pairs
    ]
    write_out(_rows_out(rows, args.format), args.output)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    an, _store, G, _f = _graph(args)
    write_out(an.export(G, args.format), args.output)
    if args.output:
        say(f"wrote {G.number_of_nodes()} nodes, {G.number_of_edges()} edges to {args.output}")
    return 0


def cmd_write(args: argparse.Namespace) -> int:
    an, store, G, f = _graph(args, write=True)
    filters = {
        "start": f.start,
        "end": f.end,
        "countries": sorted(f.countries),
        "org_types": sorted(f.org_types),
        "priorities": sorted(f.priorities),
    }
    analysis = an.analyse(
        G,
        projection=args.projection,
        with_betweenness=args.betweenness,
        betweenness_k=args.k,
        seed=args.seed,
        filters={k: (str(v) if v else v) for k, v in filters.items()},
    )
    result = an.write_metrics(store, analysis)
    say(
        f"wrote metrics of {G.number_of_nodes()} nodes ({args.projection}) into graph/analytics: "
        f"store {result.before} -> {result.after} quads"
    )
    return 0


# ----------------------------------------------------------------------------- parser
def _common(p: argparse.ArgumentParser) -> None:
    add_store_option(p)
    p.add_argument(
        "--projection",
        "-p",
        default="co-participation",
        choices=["co-participation", "agreements", "affiliation"],
    )
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="time window start")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="time window end")
    p.add_argument(
        "--country",
        action="append",
        metavar="ISO3",
        help="keep organisations of this country (repeatable): FRA, DEU, ...",
    )
    p.add_argument(
        "--type",
        action="append",
        metavar="TYPE",
        help="keep this organisation type (repeatable): university, company, ...",
    )
    p.add_argument(
        "--priority",
        action="append",
        metavar="PRIORITY",
        help="agreements: keep those with this priority (repeatable)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (communities, sampling)")


def register(sub: argparse._SubParsersAction) -> None:
    net = sub.add_parser("network", help="collaboration networks: metrics, communities, paths")
    group = net.add_subparsers(dest="network_command", metavar="COMMAND", required=True)

    p = group.add_parser("summary", help="nodes, edges, components, modularity")
    _common(p)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_summary)

    p = group.add_parser("metrics", help="per-node degree, strength, PageRank, betweenness, ...")
    _common(p)
    p.add_argument(
        "--metric",
        "-m",
        action="append",
        choices=["degree", "strength", "pagerank", "betweenness", "closeness", "component"],
    )
    p.add_argument("--k", type=int, help="betweenness: sample size (default: exact if small)")
    p.add_argument("--sort", help="metric to sort by (default: the first)")
    p.add_argument("--top", type=int, default=20, help="rows shown (0: all)")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--output", "-o", metavar="FILE")
    p.add_argument("--weight", choices=["projects", "funding"], default="projects")
    p.set_defaults(func=cmd_metrics)

    p = group.add_parser("communities", help="Louvain or Leiden communities and modularity")
    _common(p)
    p.add_argument("--algorithm", choices=["louvain", "leiden"], default="louvain")
    p.add_argument("--resolution", type=float, default=1.0)
    p.add_argument("--top", type=int, default=20, help="communities listed")
    p.add_argument("--members", type=int, default=50, help="members listed per community")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_communities)

    p = group.add_parser("path", help="shortest path(s) between two organisations, with evidence")
    _common(p)
    p.add_argument("source", help="IRI, PIC or exact label")
    p.add_argument("target", help="IRI, PIC or exact label")
    p.add_argument("--all", action="store_true", help="all shortest paths")
    p.add_argument("--limit", type=int, default=20, help="with --all: at most this many")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_path)

    p = group.add_parser("ego", help="the network within RADIUS hops of a node")
    _common(p)
    p.add_argument("node", help="IRI, PIC or exact label")
    p.add_argument("--radius", "-r", type=int, default=1)
    p.add_argument("--format", choices=["json", "graphml", "gexf", "csv"], default="json")
    p.add_argument("--output", "-o", metavar="FILE")
    p.set_defaults(func=cmd_ego)

    p = group.add_parser("brokers", help="organisations that most connect actors of A and B")
    _common(p)
    p.add_argument("a", metavar="A", help="ISO3 country code, e.g. FRA")
    p.add_argument("b", metavar="B", help="ISO3 country code, e.g. DEU")
    p.add_argument("--top", type=int, default=20)
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--output", "-o", metavar="FILE")
    p.set_defaults(func=cmd_brokers)

    p = group.add_parser("cross-border", help="observed / expected collaboration per country pair")
    _common(p)
    p.add_argument(
        "--only",
        action="append",
        metavar="ISO3",
        help="report pairs of these countries only (repeatable)",
    )
    p.add_argument("--top", type=int, default=0, help="rows shown (0: all)")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--output", "-o", metavar="FILE")
    p.set_defaults(func=cmd_cross_border)

    p = group.add_parser("export", help="the network as GraphML, GEXF, CSV edge list or JSON")
    _common(p)
    p.add_argument("--format", choices=["graphml", "gexf", "csv", "json"], default="graphml")
    p.add_argument(
        "--weight",
        choices=["projects", "funding"],
        default="projects",
        help="co-participation: also compute the funding of each edge",
    )
    p.add_argument("--output", "-o", metavar="FILE")
    p.set_defaults(func=cmd_export)

    p = group.add_parser("write", help="store the metrics as RDF in graph/analytics (PROV)")
    _common(p)
    p.add_argument("--betweenness", action="store_true", help="also betweenness (sampled if big)")
    p.add_argument("--k", type=int, help="betweenness sample size")
    p.set_defaults(func=cmd_write)
