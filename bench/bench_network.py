"""The H2020 co-participation network: aigraph's analytics beside plain networkx.

Usage: python bench/bench_network.py [--repeat N] [--no-networkx]

Imports the H2020 participations CSV (CORDIS open data, shipped in ``data/open/cordis`` of the
repository; skips with a message when absent) into an in-memory store through the validated
import path, then times, in one run:

- aigraph: projection (SPARQL + scipy B·Bᵀ + networkx graph with its igraph twin), degree,
  PageRank, connected components, Louvain communities (the budget: <= 5 s in total);
- plain networkx on the same steps, from the same SPARQL rows: bipartite graph +
  ``bipartite.weighted_projected_graph``, ``degree``, ``pagerank``, ``connected_components``,
  ``community.louvain_communities``.

Reports each step's wall time (median of ``--repeat`` runs for aigraph; networkx runs once),
the ratio, the resident memory after each step and the peak (``ru_maxrss``). Results are
printed and written to ``bench/results/network.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CSV = ROOT / "data" / "open" / "cordis" / "h2020-participations-eunets.csv.gz"
RESULTS = ROOT / "bench" / "results"
BUDGET_S = 5.0


def rss_mb() -> float:
    try:
        import psutil

        return psutil.Process().memory_info().rss / 2**20
    except ImportError:  # pragma: no cover - psutil is in the bench extra
        return float("nan")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def run_aigraph(store) -> tuple[dict, dict]:
    from aigraph import analytics as an
    from aigraph.analytics import projection

    projection._CACHE.clear()
    times, facts = {}, {}
    G, times["projection"] = timed(lambda: an.co_participation(store))
    _, times["degree"] = timed(lambda: an.degree(G))
    _, times["pagerank"] = timed(lambda: an.pagerank(G))
    comps, times["components"] = timed(lambda: an.components(G))
    parts, times["communities"] = timed(lambda: an.detect(G, seed=0))
    facts = {
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "components": len(comps),
        "largest_component": len(comps[0]),
        "communities": len(parts.communities),
        "modularity": parts.modularity,
    }
    return times, facts


def run_networkx(store) -> tuple[dict, dict, dict]:
    import networkx as nx

    from aigraph.analytics.projection import select

    times, rss = {}, {}

    def project():
        B = nx.Graph()
        rows = select(store, "co-participation")
        orgs = {r[0] for r in rows}
        B.add_nodes_from(orgs, bipartite=0)
        B.add_nodes_from({r[1] for r in rows}, bipartite=1)
        B.add_edges_from((r[0], r[1]) for r in rows)
        return nx.bipartite.weighted_projected_graph(B, orgs)

    G, times["projection"] = timed(project)
    rss["projection"] = rss_mb()
    _, times["degree"] = timed(lambda: dict(G.degree()))
    _, times["pagerank"] = timed(lambda: nx.pagerank(G, weight="weight"))
    comps, times["components"] = timed(lambda: list(nx.connected_components(G)))
    parts, times["communities"] = timed(
        lambda: nx.community.louvain_communities(G, weight="weight", seed=0)
    )
    rss["after"] = rss_mb()
    facts = {
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "components": len(comps),
        "modularity": nx.community.modularity(G, parts, weight="weight"),
    }
    return times, facts, rss


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-networkx", action="store_true", help="skip the networkx reference")
    args = ap.parse_args()
    if not CSV.is_file():
        print(f"skipped: {CSV.name} not found (expected in data/open/cordis)")
        return 0
    from aigraph.importers.cordis_participations import import_participations
    from aigraph.store import Store

    store = Store()
    store.init()
    _, t_import = timed(lambda: import_participations(store, CSV))
    base = rss_mb()
    print(f"import (validated) {t_import:.1f} s, {len(store)} quads, RSS {base:.0f} MB")

    runs = []
    for _ in range(args.repeat):
        times, facts = run_aigraph(store)
        runs.append(times)
    after_ours = rss_mb()
    ours = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    ours_total = sum(ours.values())
    result: dict = {
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        "import_s": t_import,
        "quads": len(store),
        "network": facts,
        "aigraph_s": ours,
        "aigraph_total_s": ours_total,
        "budget_s": BUDGET_S,
        "within_budget": ours_total <= BUDGET_S,
        "rss_mb": {"after_import": base, "after_aigraph": after_ours},
    }
    if not args.no_networkx:
        ref, ref_facts, ref_rss = run_networkx(store)
        result["networkx_s"] = ref
        result["networkx_total_s"] = sum(ref.values())
        result["speedup"] = {k: ref[k] / ours[k] if ours[k] else None for k in ours}
        result["speedup_total"] = result["networkx_total_s"] / ours_total
        result["networkx_network"] = ref_facts
        result["rss_mb"].update({f"networkx_{k}": v for k, v in ref_rss.items()})
        assert ref_facts["nodes"] == facts["nodes"] and ref_facts["edges"] == facts["edges"]
    result["peak_rss_mb"] = peak_mb()

    print(
        f"network: {facts['nodes']} organisations, {facts['edges']} edges, "
        f"{facts['components']} components (largest {facts['largest_component']}), "
        f"modularity {facts['modularity']:.3f}"
    )
    print(f"{'step':<12} {'aigraph s':>10} {'networkx s':>11} {'ratio':>7}")
    for k, v in ours.items():
        ref_v = result.get("networkx_s", {}).get(k)
        ratio = f"{ref_v / v:7.1f}" if ref_v and v else "      -"
        print(f"{k:<12} {v:>10.3f} {ref_v if ref_v is not None else float('nan'):>11.3f} {ratio}")
    print(
        f"{'total':<12} {ours_total:>10.3f} "
        f"{result.get('networkx_total_s', float('nan')):>11.3f}"
        f" {result.get('speedup_total', float('nan')):>7.1f}   (budget {BUDGET_S} s: "
        f"{'ok' if result['within_budget'] else 'OVER'})"
    )
    print(
        f"peak RSS {result['peak_rss_mb']:.0f} MB; RSS after import {base:.0f} MB, after "
        f"aigraph {after_ours:.0f} MB"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "network.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
