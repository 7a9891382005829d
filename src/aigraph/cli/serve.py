"""serve (the HTTP service) and queries (the named queries, from the command line)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..config import get_settings
from ..errors import InputError
from .common import add_store_option, open_store, say, write_out


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from ..api import create_app

    settings = get_settings().with_(
        store=Path(args.store) if args.store else None,
        host=args.host,
        port=args.port,
        workers=args.workers,
        query_timeout=args.timeout,
        max_rows=args.max_rows,
        federation=True if args.federation else None,
        worker_memory=True if args.worker_memory else None,
        long_slots=args.long_slots,
        long_after=args.long_after,
        client_slots=args.client_slots,
        queue_wait=args.queue_wait,
        queue_size=args.queue_size,
    )
    app = create_app(settings)
    say(f"aigraph: serving {settings.store} on http://{settings.host}:{settings.port}/sparql")
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=args.log_level,
        access_log=args.log_level == "debug",
    )
    return 0


def _params(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise InputError(f"--param takes NAME=VALUE, not {pair!r}")
        out[key] = value
    return out


def cmd_queries(args: argparse.Namespace) -> int:
    from ..sparql import QueryRequest, SparqlService, canned
    from ..sparql.executor import InProcess

    if not args.name:
        for q in canned.catalogue().values():
            params = ", ".join(f"{p.name}:{p.type}{'' if p.required else '?'}" for p in q.params)
            write_out(f"{q.name}({params})  {q.title}\n".encode())
        return 0
    query = canned.get(args.name)
    store = open_store(args, write=False)
    service = SparqlService(store, get_settings(), executor=InProcess(store))
    reply = service.query(
        QueryRequest(
            query.sparql, format=args.format, substitutions=canned.bind(query, _params(args.param))
        )
    )
    if args.format == "json":
        write_out(json.dumps(json.loads(reply.body), indent=2).encode() + b"\n")
    else:
        write_out(reply.body)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="start the SPARQL service (creates the store when empty)")
    add_store_option(p)
    p.add_argument("--host", help="interface (default: $AIGRAPH_HOST, else 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: $AIGRAPH_PORT, else 7878)")
    p.add_argument(
        "--workers",
        type=int,
        help="query worker processes (default: $AIGRAPH_WORKERS, else two a core within half "
        "the free memory; 0 runs queries in the server process, without a hard deadline)",
    )
    p.add_argument(
        "--long-slots",
        type=int,
        help="queries that may run past --long-after at once; the other workers stay for "
        "short queries (default: $AIGRAPH_LONG_SLOTS, else half the workers)",
    )
    p.add_argument(
        "--long-after",
        type=float,
        help="seconds of execution after which a query is long (default 1)",
    )
    p.add_argument(
        "--client-slots",
        type=int,
        help="queries one client (remote address) may have running or waiting; more get 429 "
        "(default: max(4, workers); 0: no limit)",
    )
    p.add_argument(
        "--queue-wait",
        type=float,
        help="seconds a query may wait for a free worker before a 503 with Retry-After "
        "(default 3; the deadline counts only execution)",
    )
    p.add_argument(
        "--queue-size", type=int, help="queries that may wait for a worker at once (default 256)"
    )
    p.add_argument("--timeout", type=float, help="default query deadline in seconds")
    p.add_argument("--max-rows", type=int, help="row cap of a result")
    p.add_argument(
        "--worker-memory",
        action="store_true",
        help="each worker queries an in-memory copy of the snapshot (2-4x faster "
        "heavy queries; one copy of the store per worker, reloaded after writes)",
    )
    p.add_argument(
        "--federation",
        action="store_true",
        help="let SERVICE reach the endpoints of the allow-list",
    )
    p.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("queries", help="list the named queries, or run one with --param k=v")
    add_store_option(p)
    p.add_argument("name", nargs="?", help="the query to run (none: list them)")
    p.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--format", choices=["json", "csv", "tsv", "xml"], default="csv")
    p.set_defaults(func=cmd_queries)
