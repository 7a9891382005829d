"""``aigraph fetch`` + import: wall time and peak memory, against a loopback HTTP server.

Usage: python bench/bench_fetch.py [--repeat N] [--no-large]

Archives (built into ``bench/.data/fetch/`` and served from 127.0.0.1 by ``http.server``):

- ``cordis-fixture.zip``: the CORDIS test fixture (``tests/fixtures/cordis/valid``, 3 projects);
- ``cordis-h2020-fixture.zip``: the fetch fixture (``tests/fixtures/fetch/h2020``, 3 projects);
- ``ror-fixture.zip``: a ROR dump of the 11 shipped records whose parents are among them;
- ``countries-skos.rdf``: the shipped EU country table (1.6 MB RDF/XML, 284 concepts);
- ``cordis-h2020-scale.zip`` (unless ``--no-large``): an archive in the CORDIS layout at H2020
  scale, made from the shipped eunets participations (real projects, PICs, roles, countries,
  dates and amounts; the file has no names, so organisations are named ``ORGANISATION {pic}``):
  31,451 projects and 144,726 participation rows.

Each run is its own process (``aigraph fetch SOURCE --url ... --store NEW`` with a new cache):
download, checks, cache, validated import into an empty on-disk store. Reported: median wall
time of ``--repeat`` runs, median CPU time (user + system: steadier than wall time on a shared
machine; the process start and ``import aigraph`` are not counted), and the peak resident memory
(``ru_maxrss``) of the process. Results
are printed and written to ``bench/results/fetch.json``.
"""

from __future__ import annotations

import argparse
import csv
import functools
import gzip
import http.server
import io
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / ".data" / "fetch"
RESULTS = ROOT / "bench" / "results"
H2020_CSV = ROOT / "data" / "open" / "cordis" / "h2020-participations-eunets.csv.gz"
PROJECT = ("id;acronym;status;title;startDate;endDate;totalCost;ecMaxContribution;legalBasis;"
           "topics;ecSignatureDate;frameworkProgramme;masterCall;subCall;fundingScheme;nature;"
           "objective;contentUpdateDate;rcn;grantDoi")  # fmt: skip
ORGANIZATION = ("projectID;projectAcronym;organisationID;vatNumber;name;shortName;SME;activityType;"
                "street;postCode;city;country;nutsCode;geolocation;organizationURL;contactForm;"
                "contentUpdateDate;rcn;order;role;ecContribution;netEcContribution;totalCost;"
                "endOfParticipation;active")  # fmt: skip
ESV = "projectID;euroSciVocCode;euroSciVocPath;euroSciVocTitle;euroSciVocDescription"

CHILD = """
import json, resource, sys, time
from aigraph.cli import main
t = time.perf_counter()
code = main(sys.argv[1:])
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"code": code, "seconds": time.perf_counter() - t,
                  "cpu_seconds": u.ru_utime + u.ru_stime, "peak_mb": u.ru_maxrss / 1024}))
"""


def zip_dir(directory: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name in ("project.csv", "organization.csv", "euroSciVoc.csv"):
            z.write(directory / name, name)
    return target


def ror_zip(target: Path) -> Path:
    records = [
        json.loads(p.read_text("utf-8")) for p in sorted((ROOT / "data/open/ror").glob("*.json"))
    ]
    ids = {r["id"] for r in records}
    kept = [
        r
        for r in records  # a dump holds every record a parent link names
        if all(x["id"] in ids for x in r.get("relationships", []) if x["type"] == "parent")
    ]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("v2.1-bench-ror-data.json", json.dumps(kept))
    return target


def h2020_scale_zip(target: Path) -> Path:
    """The eunets rows rewritten in the CORDIS layout (';', decimal comma, CORDIS codes)."""

    def amount(v: str) -> str:
        return "" if v in ("", "NA") else v.replace(".", ",")

    def day(v: str) -> str:
        return "" if v in ("", "NA") else v

    projects: dict[str, list[str]] = {}
    orgs = io.StringIO()
    w = csv.writer(orgs, delimiter=";", lineterminator="\n")
    w.writerow(ORGANIZATION.split(";"))
    with gzip.open(H2020_CSV, "rt", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            rcn = r["rcn"]
            if rcn not in projects:
                projects[rcn] = [rcn, "", "CLOSED", "", day(r["start_date"]), day(r["end_date"]),
                                 amount(r["total_cost"]), amount(r["max_contribution"]), "", "",
                                 "", "H2020", "", "", "", "", "", "", rcn, ""]  # fmt: skip
            t = r["type"] if r["type"] in ("HES", "REC", "PRC", "PUB", "OTH") else ""
            w.writerow([rcn, "", r["pic"], "", f"ORGANISATION {r['pic']}", "", "", t, "", "", "",
                        r["country"], "", "", "", "", "", "", "", r["role"],
                        amount(r["contribution"]), "", "", "", ""])  # fmt: skip
    proj = io.StringIO()
    pw = csv.writer(proj, delimiter=";", lineterminator="\n")
    pw.writerow(PROJECT.split(";"))
    pw.writerows(projects.values())
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.csv", proj.getvalue())
        z.writestr("organization.csv", orgs.getvalue())
        z.writestr("euroSciVoc.csv", ESV + "\n")
    return target


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def run_once(args: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = {"AIGRAPH_CACHE": f"{tmp}/cache", "PATH": "/usr/bin:/bin"}
        out = subprocess.run([sys.executable, "-c", CHILD, *args, "--store", f"{tmp}/store"],
                             capture_output=True, text=True, env=env, cwd=ROOT)  # fmt: skip
        if out.returncode != 0 or not out.stdout.strip():
            raise SystemExit(f"failed: {args}\n{out.stderr[-2000:]}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        if result["code"] != 0:
            raise SystemExit(f"aigraph exited {result['code']}: {args}\n{out.stderr[-2000:]}")
        return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-large", action="store_true", help="skip the H2020-scale archive")
    opts = ap.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    cases = [
        ("cordis-fixture.zip", ["cordis", "h2020"],
         lambda p: zip_dir(ROOT / "tests/fixtures/cordis/valid", p)),
        ("cordis-h2020-fixture.zip", ["cordis", "h2020"],
         lambda p: zip_dir(ROOT / "tests/fixtures/fetch/h2020", p)),
        ("ror-fixture.zip", ["ror"], ror_zip),
        ("countries-skos.rdf", ["countries"],
         lambda p: shutil.copyfile(ROOT / "data/reference/countries-skos.rdf", p)),
    ]  # fmt: skip
    if not opts.no_large:
        cases.append(("cordis-h2020-scale.zip", ["cordis", "h2020"], h2020_scale_zip))
    httpd, base = serve(DATA)
    rows = []
    try:
        for name, source, build in cases:
            path = DATA / name
            if not path.exists():
                build(path)
            runs = [run_once(["fetch", *source, "--url", f"{base}/{name}"])
                    for _ in range(opts.repeat)]  # fmt: skip
            row = {
                "archive": name,
                "bytes": path.stat().st_size,
                "seconds_median": round(statistics.median(r["seconds"] for r in runs), 2),
                "cpu_seconds_median": round(statistics.median(r["cpu_seconds"] for r in runs), 2),
                "peak_mb_max": round(max(r["peak_mb"] for r in runs), 1),
                "runs": len(runs),
            }
            rows.append(row)
            print(
                f"{name:28} {row['bytes']:>11,} B  {row['seconds_median']:>7.2f} s "
                f"({row['cpu_seconds_median']:.2f} s CPU)  {row['peak_mb_max']:>7.1f} MB peak"
            )
    finally:
        httpd.shutdown()
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {"machine": platform.platform(), "python": platform.python_version(), "rows": rows}
    (RESULTS / "fetch.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
