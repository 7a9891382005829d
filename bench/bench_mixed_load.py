"""Mixed-load benchmark of ``aigraph serve`` (issue 8, item 8): do light queries stay fast
while a heavy client and runaway queries load the service?

For each number of light clients (default 16 and 64), two runs on the same H2020 store, each
against a fresh ``aigraph serve`` with its default settings on loopback:

- *baseline*: only the light clients, each sending one lookup by PIC (a ~3 ms query) after
  another;
- *mixed*: the same, plus one heavy client (aggregations and large joins, one after another)
  and a runaway query (a cross product that would run for hours) every ``--runaway-every``
  seconds, each left to the service's deadline.

Reported per run: light-query requests/s, p50, p99 and max latency, light failures (any answer
but 200, or no answer), what the heavy and runaway requests got, and the query workers the
service started (from ``/health``): to replace workers killed at a deadline or stopped as
long queries over the lane, and workers retired after running a long query at a lower CPU
priority. Target (issue 8): in the mixed runs, light p99 under 1 s and no light query failing.

Each simulated client sends from its own loopback address (127.0.0.x: every request goes to
the server on 127.0.0.1), as distinct users would; ``--one-address`` sends everything from
127.0.0.1 instead (then the per-client limit treats all of them as one client).

Data: ``h2020-participations-eunets.csv.gz`` (shipped in data/open/cordis, or
``--csv``), imported with ``aigraph init`` and ``aigraph import cordis-participations`` into
``bench/.data/h2020-store`` once and reused. Results go to ``bench/results/``.

    python bench/bench_mixed_load.py [--clients 16 64] [--duration 60] [--runaway-every 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
RESULTS = HERE / "results"
STORE = DATA / "h2020-store"
DEFAULT_CSV = HERE.parents[1] / "data" / "open" / "cordis" / "h2020-participations-eunets.csv.gz"
ACCEPT = {"accept": "application/sparql-results+json"}
P = """PREFIX eurio: <http://data.europa.eu/s66#>
PREFIX aig: <https://w3id.org/aigraph/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
PICS = P + "SELECT ?n WHERE { ?o adms:identifier ?id . ?id skos:notation ?n } LIMIT 2000"
LIGHT = P + 'SELECT ?o WHERE {{ ?o adms:identifier ?id . ?id skos:notation "{pic}" }}'
HEAVY = [
    P
    + """SELECT ?c (SUM(?x) AS ?total) (COUNT(*) AS ?roles) WHERE {
        ?r aig:ecContribution ?x ; eurio:isRoleOf/aig:country ?c }
        GROUP BY ?c ORDER BY DESC(?total)""",
    P
    + """SELECT ?c (COUNT(?o) AS ?n) WHERE {
        ?o a org:Organization ; aig:country ?c } GROUP BY ?c ORDER BY DESC(?n)""",
    P
    + """SELECT ?p ?cost ?max WHERE { ?p a eurio:Project
        OPTIONAL { ?p aig:totalCost ?cost } OPTIONAL { ?p aig:ecMaxContribution ?max } }
        ORDER BY DESC(?cost) LIMIT 100""",
    P
    + """SELECT ?p ?o ?c WHERE {
        ?r eurio:roleLabel "coordinator" ; eurio:isInvolvedIn ?p ; eurio:isRoleOf ?o .
        ?o aig:country ?c } LIMIT 2000""",
]
RUNAWAY = "SELECT (COUNT(*) AS ?n) {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} # runaway {k}"
#: where the heavy client and the runaways come from (light clients: 127.0.0.10 and up)
ADDRESSES = ("127.0.0.2", "127.0.0.3")
#: at most this many requests per light client and run (the run is bounded in time too)
MAX_REQUESTS = 1_000_000


# ----------------------------------------------------------------------------- data
def build(csv: Path) -> Path:
    """The H2020 store, imported through the CLI (validated, as a user would) once."""
    done = STORE / ".imported"
    if done.exists():
        return STORE
    DATA.mkdir(parents=True, exist_ok=True)
    subprocess.run(["rm", "-rf", str(STORE)], check=True)
    t = time.perf_counter()
    aigraph = [sys.executable, "-m", "aigraph"]
    subprocess.run([*aigraph, "init", "--store", str(STORE)], check=True)
    subprocess.run(
        [*aigraph, "import", "cordis-participations", "--store", str(STORE), str(csv)],
        check=True,
    )
    done.write_text(f"{csv.name}\n")
    print(f"built {STORE} in {time.perf_counter() - t:.0f} s", flush=True)
    return STORE


# ----------------------------------------------------------------------------- server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``aigraph serve`` on a free loopback port, stopped with SIGINT (then SIGKILL)."""

    def __init__(self, store: Path, extra: list[str], log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log.open("wb")
        argv = [sys.executable, "-m", "aigraph", "serve", "--store", str(store)]
        argv += ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"]
        self.proc = subprocess.Popen(
            [*argv, *extra], stdout=self.log, stderr=subprocess.STDOUT, env=dict(os.environ)
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"aigraph serve exited; see {log}")
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"aigraph serve did not come up in 120 s; see {log}")

    def executor(self) -> dict:
        return httpx.get(self.base + "/health", timeout=10).json()["executor"]

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


# ----------------------------------------------------------------------------- load
@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # light, answered 200
    light: Counter = field(default_factory=Counter)  # status (or error name) -> count
    heavy: Counter = field(default_factory=Counter)
    heavy_s: list[float] = field(default_factory=list)
    runaway: Counter = field(default_factory=Counter)
    end: dict | None = None  # the executor's state when the window closed (mixed runs)


def _client(address: str | None, timeout: float) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=address) if address else None
    return httpx.AsyncClient(transport=transport, timeout=timeout, headers=ACCEPT)


async def _get(client: httpx.AsyncClient, url: str, query: str) -> str:
    try:
        r = await client.get(url, params={"query": query})
    except httpx.HTTPError as err:
        return type(err).__name__
    return str(r.status_code)


async def light_client(
    url: str, address: str | None, pics: list[str], start: float, stop: float, tally: Tally
) -> None:
    rng = random.Random(address)
    async with _client(address, 120) as client:
        for _ in range(3):  # warm-up, not counted
            await _get(client, url, LIGHT.format(pic=rng.choice(pics)))
        while time.monotonic() < start:
            await asyncio.sleep(0.01)
        for _ in range(MAX_REQUESTS):
            if time.monotonic() >= stop:
                return
            t = time.perf_counter()
            status = await _get(client, url, LIGHT.format(pic=rng.choice(pics)))
            elapsed = time.perf_counter() - t
            tally.light[status] += 1
            if status == "200":
                tally.latencies.append(elapsed)


async def heavy_client(
    url: str, address: str | None, start: float, stop: float, tally: Tally
) -> None:
    async with _client(address, 180) as client:
        while time.monotonic() < start:
            await asyncio.sleep(0.01)
        for i in range(MAX_REQUESTS):
            if time.monotonic() >= stop:
                return
            t = time.perf_counter()
            status = await _get(client, url, HEAVY[i % len(HEAVY)])
            tally.heavy[status] += 1
            if status == "200":
                tally.heavy_s.append(time.perf_counter() - t)
            elif status.startswith(("4", "5")):
                await asyncio.sleep(1)  # as a client honouring Retry-After would


async def runaway_client(
    url: str, address: str | None, start: float, stop: float, every: float, tally: Tally
) -> None:
    async def one(k: int) -> None:
        async with _client(address, 180) as client:
            tally.runaway[await _get(client, url, RUNAWAY.format(k=k))] += 1

    tasks = []
    for k in range(int((stop - start) // every) + 1):
        at = start + 1 + k * every
        if at >= stop:
            break
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        tasks.append(asyncio.create_task(one(k)))
    await asyncio.sleep(max(0.0, stop - time.monotonic()))
    async with _client(None, 10) as client:  # the pool at the end of the window
        tally.end = (await client.get(url.replace("/sparql", "/health"))).json()["executor"]
    for task in tasks:  # still running at the end: the request is dropped (its worker killed)
        if not task.done():
            task.cancel()
            tally.runaway["unfinished"] += 1
    await asyncio.gather(*tasks, return_exceptions=True)


async def run_load(
    url: str, clients: int, mixed: bool, pics: list[str], args: argparse.Namespace
) -> Tally:
    tally = Tally()
    start = time.monotonic() + 3  # time for the warm-up
    stop = start + args.duration

    def address(i: int) -> str | None:
        return None if args.one_address else f"127.0.0.{10 + i}"

    tasks = [light_client(url, address(i), pics, start, stop, tally) for i in range(clients)]
    if mixed:
        heavy_address, runaway_address = (None, None) if args.one_address else ADDRESSES
        tasks.append(heavy_client(url, heavy_address, start, stop, tally))
        tasks.append(runaway_client(url, runaway_address, start, stop, args.runaway_every, tally))
    await asyncio.gather(*tasks)
    return tally


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(tally: Tally, duration: float, before: dict, after: dict) -> dict:
    ok = tally.light.get("200", 0)
    return {
        "light_rps": ok / duration,
        "light_p50_ms": percentile(tally.latencies, 0.50) * 1000,
        "light_p99_ms": percentile(tally.latencies, 0.99) * 1000,
        "light_max_ms": max(tally.latencies, default=float("nan")) * 1000,
        "light_ok": ok,
        "light_failed": sum(n for s, n in tally.light.items() if s != "200"),
        "light_statuses": dict(tally.light),
        "heavy_statuses": dict(tally.heavy),
        "heavy_median_s": statistics.median(tally.heavy_s) if tally.heavy_s else None,
        "runaway_statuses": dict(tally.runaway),
        "workers_respawned": after["started"] - before["started"],
        "workers_killed": after.get("lost", 0) - before.get("lost", 0),
        "workers_retired": after.get("retired", 0) - before.get("retired", 0),
        "workers": after["workers"],
        "long_slots": after.get("long_slots"),
        "refused": after.get("refused", 0) - before.get("refused", 0),
    }


def table(rows: list[dict]) -> str:
    head = [
        "clients",
        "load",
        "light req/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "light failed",
        "heavy (status: n)",
        "runaway (status: n)",
        "respawned (killed + retired)",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:

        def statuses(d: dict) -> str:
            return ", ".join(f"{k}: {v}" for k, v in sorted(d.items())) or "-"

        cells = [
            str(r["clients"]),
            r["load"],
            f"{r['light_rps']:.0f}",
            f"{r['light_p50_ms']:.1f}",
            f"{r['light_p99_ms']:.1f}",
            f"{r['light_max_ms']:.0f}",
            str(r["light_failed"]),
            statuses(r["heavy_statuses"]),
            statuses(r["runaway_statuses"]),
            f"{r['workers_respawned']} ({r['workers_killed']} + {r['workers_retired']})",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--clients", type=int, nargs="+", default=[16, 64])
    ap.add_argument("--duration", type=float, default=60.0, help="seconds measured per run")
    ap.add_argument("--runaway-every", type=float, default=10.0, help="seconds between runaways")
    ap.add_argument("--one-address", action="store_true", help="all clients from 127.0.0.1")
    ap.add_argument(
        "--serve-arg",
        action="append",
        default=[],
        help="extra option for aigraph serve (repeat; default: its defaults)",
    )
    ap.add_argument("--out", default="bench_mixed_load", help="results file name (no suffix)")
    args = ap.parse_args()
    if not args.csv.exists():
        print(f"SKIP: {args.csv} is not present; pass --csv with the eunets H2020 file")
        return 0
    if not 0 < args.duration <= 600 or not 1 <= max(args.clients) <= 200:
        ap.error("--duration must be in (0, 600] s and --clients in 1..200")
    store = build(args.csv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    for clients in args.clients:
        for mixed in (False, True):
            load = "mixed" if mixed else "light only"
            server = Server(store, args.serve_arg, DATA / f"serve-{clients}-{int(mixed)}.log")
            try:
                url = server.base + "/sparql"
                answer = httpx.get(url, params={"query": PICS}, headers=ACCEPT, timeout=60)
                pics = [b["n"]["value"] for b in answer.json()["results"]["bindings"]]
                before = server.executor()
                print(f"{clients} clients, {load}: {args.duration:g} s ...", flush=True)
                tally = asyncio.run(run_load(url, clients, mixed, pics, args))
                after = tally.end or server.executor()
            finally:
                server.stop()
            row = {"clients": clients, "load": load, **summary(tally, args.duration, before, after)}
            print(table([row]).splitlines()[-1], flush=True)
            rows.append(row)
    report = {
        "duration_s": args.duration,
        "runaway_every_s": args.runaway_every,
        "one_address": args.one_address,
        "serve_args": args.serve_arg,
        "cpus": os.cpu_count(),
        "runs": rows,
    }
    (RESULTS / f"{args.out}.json").write_text(json.dumps(report, indent=2))
    text = (
        f"Mixed load, {args.duration:g} s a run, runaway every {args.runaway_every:g} s, "
        f"{os.cpu_count()} cores; workers {rows[-1]['workers']}, long-query lane "
        f"{rows[-1]['long_slots']}\n\n{table(rows)}\n"
    )
    (RESULTS / f"{args.out}.md").write_text(text)
    print()
    print(text)
    mixed_rows = [r for r in rows if r["load"] == "mixed"]
    met = all(r["light_p99_ms"] < 1000 and r["light_failed"] == 0 for r in mixed_rows)
    print("target (mixed: light p99 < 1 s, no light failure):", "met" if met else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
