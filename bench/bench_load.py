"""Load ~1 M triples through aigraph's validated load path, beside pyoxigraph's bare bulk_load.

Usage: python bench/bench_load.py [FILE.nq|FILE.nt] [--repeat N]

Without FILE, the input is made from the H2020 participations CSV (CORDIS open data, in
``data/open/cordis``, shipped) with ``aigraph import cordis-participations`` and
``aigraph export``; when that CSV is absent the benchmark skips with a message. Each measurement
runs in its own process, so peak memory (max RSS) is that step's alone. Results are printed and
written to ``bench/results/load.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CSV = ROOT / "data" / "open" / "cordis" / "h2020-participations-eunets.csv.gz"
CACHE = ROOT / "bench" / ".data"
RESULTS = ROOT / "bench" / "results"

BARE = """
import sys, time, pyoxigraph as ox
t = time.perf_counter()
store = ox.Store(sys.argv[2]) if sys.argv[2] != "-" else ox.Store()
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.from_extension(sys.argv[1].rsplit(".", 1)[1]))
store.flush() if sys.argv[2] != "-" else None
print(time.perf_counter() - t, len(store))
"""

AIGRAPH = """
import sys, time
from aigraph.store import Store
t = time.perf_counter()
store = Store(sys.argv[2] if sys.argv[2] != "-" else None)
store.load_files([sys.argv[1]])
print(time.perf_counter() - t, len(store))
"""


def make_input() -> Path:
    target = CACHE / "cordis-h2020.nq"
    if target.exists():
        return target
    if not CSV.exists():
        print(f"SKIP: {CSV.name} not found in data/open/cordis; pass an N-Quads file instead")
        sys.exit(0)
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        aigraph = [sys.executable, "-m", "aigraph"]
        subprocess.run([*aigraph, "init", "--store", str(store)], check=True)
        subprocess.run(
            [*aigraph, "import", "cordis-participations", str(CSV), "--store", str(store)],
            check=True,
        )
        subprocess.run(
            [
                *aigraph,
                "export",
                "--store",
                str(store),
                "--format",
                "nquads",
                "--output",
                str(target),
            ],
            check=True,
        )
    return target


def peak_of(code: str, data: Path, on_disk: bool) -> tuple[float, float, int]:
    """(seconds, peak RSS MB, quads) of one run in a fresh process (peak from wait4)."""

    with tempfile.TemporaryDirectory() as tmp:
        where = str(Path(tmp) / "store") if on_disk else "-"
        proc = subprocess.Popen(
            [sys.executable, "-c", code, str(data), where], stdout=subprocess.PIPE, text=True
        )
        _, status, usage = os.wait4(proc.pid, 0)
        out = proc.stdout.read()
        if status:
            raise SystemExit(f"benchmark step failed ({status})")
        seconds, quads = out.split()
        return float(seconds), usage.ru_maxrss / 1024, int(quads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = args.file or make_input()
    rows = []
    for on_disk in (True, False):
        for name, code in (("pyoxigraph bulk_load", BARE), ("aigraph validated load", AIGRAPH)):
            runs = [peak_of(code, data, on_disk) for _ in range(args.repeat)]
            rows.append(
                {
                    "step": name,
                    "store": "disk" if on_disk else "memory",
                    "quads": runs[0][2],
                    "median_s": statistics.median(r[0] for r in runs),
                    "peak_rss_mb": max(r[1] for r in runs),
                }
            )
    for on_disk in ("disk", "memory"):
        bare, ours = (r for r in rows if r["store"] == on_disk)
        ours["ratio_vs_bulk_load"] = ours["median_s"] / bare["median_s"]
    print(f"input: {data.name}, {rows[0]['quads']} quads, median of {args.repeat} runs")
    print(f"{'step':26} {'store':7} {'median s':>9} {'peak MB':>9} {'ratio':>6}")
    for r in rows:
        ratio = f"{r['ratio_vs_bulk_load']:.2f}" if "ratio_vs_bulk_load" in r else ""
        print(
            f"{r['step']:26} {r['store']:7} {r['median_s']:9.2f} {r['peak_rss_mb']:9.0f} {ratio:>6}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
