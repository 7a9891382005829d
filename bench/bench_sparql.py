"""Benchmark of the SPARQL service on a ~1.4 M-quad CORDIS-shaped graph, side by side:

1. pyoxigraph in-process (query + JSON serialisation, no HTTP);
2. a minimal FastAPI app that just calls pyoxigraph (the floor for HTTP);
3. aigraph's service (``aigraph serve``: worker processes, snapshots, policy, row cap);
4. rdflib-endpoint, on a smaller sample (loading 1 M triples into rdflib costs ~35 s and
   1.2 GB), compared with aigraph on the same sample.

Data: ``h2020-participations-eunets.csv.gz`` (shipped in data/open/cordis, or
``--csv``) imported with :mod:`aigraph.importers.cordis_participations` plus the curated data.
Results (medians, ratios, peak memory) go to ``bench/results/``.

    python bench/bench_sparql.py [--csv FILE] [--reps 7] [--rdflib-rows 5000]
    python bench/bench_sparql.py --sample-only --rdflib-rows 45000 --out bench_sparql_500k
    python bench/bench_sparql.py --sample-only --rdflib-rows 0 --out bench_sparql_rdflib_full
    python bench/bench_sparql.py --sample-only --rdflib-rows 0 --worker-memory \
        --out bench_sparql_rdflib_full_memory
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import itertools
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil
import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
RESULTS = HERE / "results"
DEFAULT_CSV = HERE.parents[1] / "data" / "open" / "cordis" / "h2020-participations-eunets.csv.gz"
PIC = "984516342"
ORG = f"<https://w3id.org/aigraph/id/organisation/pic-{PIC}>"
P = """PREFIX eurio: <http://data.europa.eu/s66#>
PREFIX aig: <https://w3id.org/aigraph/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
QUERIES = {
    "lookup-by-pic": P
    + f"""SELECT ?o WHERE {{
        ?o adms:identifier ?id . ?id skos:notation "{PIC}" }}""",
    "page-100": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 100",
    "count-by-country": P
    + """SELECT ?c (COUNT(?o) AS ?n) WHERE {
        ?o a org:Organization ; aig:country ?c } GROUP BY ?c ORDER BY DESC(?n)""",
    "join-coordinators": P
    + """SELECT ?p ?o ?c WHERE {
        ?r eurio:roleLabel "coordinator" ; eurio:isInvolvedIn ?p ; eurio:isRoleOf ?o .
        ?o aig:country ?c } LIMIT 2000""",
    "two-hop-partners": P
    + f"""SELECT DISTINCT ?other WHERE {{
        ?r1 eurio:isRoleOf {ORG} ; eurio:isInvolvedIn ?p .
        ?r2 eurio:isInvolvedIn ?p ; eurio:isRoleOf ?other . FILTER(?other != {ORG}) }}""",
    "property-path": P
    + f"""SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{
        {ORG} ^eurio:isRoleOf/eurio:isInvolvedIn/eurio:hasInvolvedParty/eurio:isRoleOf
              /aig:country ?c }}""",
    "regex-filter": P
    + """SELECT ?p ?rcn WHERE { ?p a eurio:Project ; eurio:rcn ?rcn
        FILTER(REGEX(STR(?rcn), "^2218")) }""",
    "optional-order-by": P
    + """SELECT ?p ?cost ?max WHERE { ?p a eurio:Project
        OPTIONAL { ?p aig:totalCost ?cost } OPTIONAL { ?p aig:ecMaxContribution ?max } }
        ORDER BY DESC(?cost) LIMIT 100""",
    "sum-by-country": P
    + """SELECT ?c (SUM(?x) AS ?total) (COUNT(*) AS ?roles) WHERE {
        ?r aig:ecContribution ?x ; eurio:isRoleOf/aig:country ?c }
        GROUP BY ?c ORDER BY DESC(?total)""",
    "ask-small": P + f"ASK {{ {ORG} a org:Organization }}",
}
ACCEPT = "application/sparql-results+json"


# ----------------------------------------------------------------------------- data
def build(csv_path: Path, rows: int | None, name: str) -> Path:
    """An on-disk pyoxigraph store with the curated data and the (first ``rows``) CSV rows."""
    target = DATA / name
    if (target / "CURRENT").exists():
        return target
    from aigraph.importers.cordis_participations import build_quads
    from aigraph.store import Store

    source = csv_path
    if rows is not None:
        source = DATA / f"{name}.csv.gz"
        with gzip.open(csv_path, "rt") as f, gzip.open(source, "wt") as out:
            out.writelines(itertools.islice(f, rows + 1))
    t = time.perf_counter()
    quads, _report = build_quads(source)
    shutil.rmtree(target, ignore_errors=True)
    store = Store(target)
    store.init()
    store.ox.bulk_extend(quads)  # the importer's own write validates; the bench skips that
    store.ox.flush()
    store.ox.optimize()
    print(f"built {name}: {len(store.ox)} quads in {time.perf_counter() - t:.1f} s", flush=True)
    nq = DATA / f"{name}.nq"
    store.ox.dump(str(nq), ox.RdfFormat.N_QUADS)
    del store
    return target


def copy_store(src: Path, name: str) -> Path:
    dst = DATA / "run" / name
    shutil.rmtree(dst, ignore_errors=True)
    dst.parent.mkdir(parents=True, exist_ok=True)
    store = ox.Store.read_only(str(src))
    store.backup(str(dst))
    return dst


# ----------------------------------------------------------------------------- servers
def serve_minimal(store_dir: str, port: int) -> None:
    import uvicorn
    from fastapi import FastAPI, Response

    store = ox.Store.read_only(store_dir)
    app = FastAPI()

    @app.get("/sparql")
    def sparql(query: str) -> Response:
        result = store.query(query, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryBoolean):
            body = json.dumps({"head": {}, "boolean": bool(result)}).encode()
        else:
            body = result.serialize(format=ox.QueryResultsFormat.JSON)
        return Response(body, media_type=ACCEPT)

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def serve_rdflib(nq: str, port: int) -> None:
    import uvicorn
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    ds = Dataset(default_union=True)
    ds.parse(nq, format="nquads")
    app = SparqlEndpoint(graph=ds, path="/sparql")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name: str, argv: list[str], env: dict | None = None):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.proc = subprocess.Popen(
            [a.replace("{port}", str(self.port)) for a in argv],
            env={**os.environ, **(env or {})},
        )
        self.peak = 0
        self._stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url, params={"query": "ASK {}"}, timeout=2)
                return
            except httpx.TransportError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{name} exited") from None
                time.sleep(0.3)
        raise RuntimeError(f"{name} did not start")

    def _sample(self) -> None:
        try:
            root = psutil.Process(self.proc.pid)
            while not self._stop.is_set():
                procs = [root, *root.children(recursive=True)]
                rss = 0
                for p in procs:
                    with contextlib.suppress(psutil.Error):
                        rss += p.memory_info().rss
                self.peak = max(self.peak, rss)
                time.sleep(0.05)
        except psutil.Error:
            return

    def stop(self) -> None:
        self._stop.set()
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# ----------------------------------------------------------------------------- timing
def time_http(url: str, reps: int, timeout: float, min_time: float = 0.0) -> dict[str, float]:
    """Median of ``reps`` timed requests per query (after one warm-up), and more for fast
    queries until the samples add up to ``min_time`` seconds (at most 5000)."""
    out = {}
    with httpx.Client(timeout=timeout) as client:
        for name, q in QUERIES.items():
            samples: list[float] = []
            i = 0
            while i <= reps or (sum(samples) < min_time and len(samples) < 5000):
                t = time.perf_counter()
                r = client.get(url, params={"query": q}, headers={"accept": ACCEPT})
                elapsed = time.perf_counter() - t
                r.raise_for_status()
                if i:  # the first run warms caches
                    samples.append(elapsed)
                if elapsed > timeout / 4 and len(samples) >= 2:
                    break
                i += 1
            out[name] = statistics.median(samples)
    return out


def time_inprocess(store_dir: Path, reps: int) -> tuple[dict[str, float], int]:
    store = ox.Store.read_only(str(store_dir))
    out = {}
    for name, q in QUERIES.items():
        samples = []
        for i in range(reps + 1):
            t = time.perf_counter()
            result = store.query(q, use_default_graph_as_union=True)
            if not isinstance(result, ox.QueryBoolean):
                result.serialize(format=ox.QueryResultsFormat.JSON)
            if i:
                samples.append(time.perf_counter() - t)
        out[name] = statistics.median(samples)
    return out, psutil.Process().memory_info().rss


def table(columns: dict[str, dict[str, float]], ratios: list[tuple[str, str]]) -> str:
    names = list(columns)
    head = ["query", *[f"{n} ms" for n in names], *[f"{a}/{b}" for a, b in ratios]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for q in QUERIES:
        cells = [q, *[f"{columns[n][q] * 1000:.1f}" for n in names]]
        cells += [f"{columns[a][q] / columns[b][q]:.2f}x" for a, b in ratios]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--rows", type=int, default=None, help="CSV rows for the big graph (all)")
    ap.add_argument(
        "--rdflib-rows",
        type=int,
        default=20000,
        help="CSV rows of the sample served by rdflib-endpoint (0: all)",
    )
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument(
        "--min-time",
        type=float,
        default=0.0,
        help="HTTP: keep timing a fast query until its samples add up to this many "
        "seconds (steadier medians for millisecond queries)",
    )
    ap.add_argument(
        "--sample-only",
        action="store_true",
        help="skip the big graph: only the rdflib-endpoint comparison",
    )
    ap.add_argument(
        "--worker-memory",
        action="store_true",
        help="aigraph's workers query an in-memory copy of the snapshot (AIGRAPH_WORKER_MEMORY=on)",
    )
    ap.add_argument("--out", default="bench_sparql", help="results file name (no suffix)")
    ap.add_argument("--serve-minimal", nargs=2, metavar=("STORE", "PORT"))
    ap.add_argument("--serve-rdflib", nargs=2, metavar=("NQ", "PORT"))
    args = ap.parse_args()
    if args.serve_minimal:
        serve_minimal(args.serve_minimal[0], int(args.serve_minimal[1]))
        return 0
    if args.serve_rdflib:
        serve_rdflib(args.serve_rdflib[0], int(args.serve_rdflib[1]))
        return 0
    if not args.csv.exists():
        print(f"SKIP: {args.csv} is not present; pass --csv with the eunets H2020 file")
        return 0
    DATA.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    big = None
    if not args.sample_only:
        big = build(args.csv, args.rows, "full" if args.rows is None else f"rows-{args.rows}")
    rows = args.rdflib_rows or None  # 0: the whole file
    small = build(args.csv, rows, "full" if rows is None else f"rows-{rows}")
    me = [sys.executable, str(Path(__file__).resolve())]
    report: dict = {
        "reps": args.reps,
        "min_time_s": args.min_time,
        "worker_memory": args.worker_memory,
    }
    aigraph_env = {
        "AIGRAPH_WORKERS": "2",
        "AIGRAPH_WORKER_MEMORY": "on" if args.worker_memory else "off",
    }

    def run_servers(store_dir: Path, label: str, with_rdflib: bool) -> dict:
        cols: dict[str, dict[str, float]] = {}
        mem: dict[str, int] = {}
        up: dict[str, float] = {}
        n = len(ox.Store.read_only(str(store_dir)))
        cols["in-process"], mem["in-process"] = time_inprocess(store_dir, args.reps)
        servers = [
            (
                "minimal-fastapi",
                [*me, "--serve-minimal", str(copy_store(store_dir, "min")), "{port}"],
                None,
            ),
            (
                "aigraph",
                [
                    sys.executable,
                    "-m",
                    "aigraph",
                    "serve",
                    "--store",
                    str(copy_store(store_dir, "aig")),
                    "--port",
                    "{port}",
                    "--log-level",
                    "warning",
                ],
                aigraph_env,
            ),
        ]
        if with_rdflib:
            servers.append(
                (
                    "rdflib-endpoint",
                    [*me, "--serve-rdflib", str(DATA / f"{store_dir.name}.nq"), "{port}"],
                    None,
                )
            )
        for name, argv, env in servers:
            t = time.perf_counter()
            server = Server(name, argv, env)
            up[name] = time.perf_counter() - t
            print(f"[{label}] {name} up in {up[name]:.1f} s", flush=True)
            try:
                reps = args.reps if name != "rdflib-endpoint" else max(3, args.reps // 2)
                cols[name] = time_http(server.url, reps, timeout=300, min_time=args.min_time)
            finally:
                server.stop()
            mem[name] = server.peak
        return {"quads": n, "medians_s": cols, "peak_rss_bytes": mem, "startup_s": up}

    if big is not None:
        report["big"] = run_servers(big, "big", with_rdflib=False)
    report["sample"] = run_servers(small, "sample", with_rdflib=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(report, indent=2))

    small_t = table(
        report["sample"]["medians_s"],
        [("rdflib-endpoint", "aigraph"), ("aigraph", "in-process"), ("aigraph", "minimal-fastapi")],
    )

    def mem(section: str) -> str:
        peak = ", ".join(
            f"{k} {v / 2**20:.0f} MB" for k, v in report[section]["peak_rss_bytes"].items()
        )
        up = ", ".join(f"{k} {v:.1f} s" for k, v in report[section]["startup_s"].items())
        return f"{peak}; up (load) in: {up}"

    text = "aigraph workers in memory (AIGRAPH_WORKER_MEMORY=on)\n\n" if args.worker_memory else ""
    if big is not None:
        big_t = table(
            report["big"]["medians_s"], [("aigraph", "in-process"), ("aigraph", "minimal-fastapi")]
        )
        text += f"## {report['big']['quads']} quads\n\n{big_t}\n\npeak RSS: {mem('big')}\n\n"
    text += (
        f"## sample: {report['sample']['quads']} quads (rdflib-endpoint)\n\n{small_t}\n\n"
        f"peak RSS: {mem('sample')}\n"
    )
    (RESULTS / f"{args.out}.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
