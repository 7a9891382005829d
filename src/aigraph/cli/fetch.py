"""``aigraph fetch cordis h2020|horizon|fp7``, ``fetch ror``, ``fetch countries``: download the
EU's open data (or take it from the cache) and import it."""

from __future__ import annotations

import argparse

from .common import open_store, say
from .imports import _print_report, add_common


def cmd_fetch(args: argparse.Namespace) -> int:
    from ..fetch import fetch

    key = f"cordis-{args.programme}" if args.source == "cordis" else args.source
    store = open_store(args, write=True)  # before downloading: a busy store fails fast
    report = fetch(
        store, key, url=args.url, offline=args.offline, ai_only=getattr(args, "ai_only", False),
        on_error=getattr(args, "on_error", "fail"), progress=True,
    )  # fmt: skip
    say(report.summary())
    assert report.imported is not None
    return _print_report(report.imported)


def _add_options(p: argparse.ArgumentParser, *, rows: bool = True) -> None:
    add_common(p, rows=rows)
    p.add_argument(
        "--url", metavar="URL",
        help="take the file from this address instead (default: AIGRAPH_FETCH_<SOURCE>_URL, "
        "else the official address)",
    )  # fmt: skip
    p.add_argument(
        "--offline", action="store_true",
        help="use the cached copy only (it fails when there is none); never contact the server",
    )  # fmt: skip
    p.set_defaults(func=cmd_fetch)


def register(sub: argparse._SubParsersAction) -> None:
    from ..fetch import PROGRAMMES

    p = sub.add_parser(
        "fetch",
        help="download EU open data (CORDIS, ROR, countries), cache it and import it",
        description="Download a source from its official address (or --url), with a progress "
        "bar, resuming an interrupted download; keep it in the cache ($AIGRAPH_CACHE) with its "
        "checksum, size and retrieval date; then import it, the catalog recording the download. "
        "A failed download leaves the store and the cache as they were (exit 2).",
    )
    group = p.add_subparsers(dest="source", metavar="SOURCE", required=True)
    c = group.add_parser("cordis", help="a CORDIS project export (projects, organisations, "
                         "EuroSciVoc) of a framework programme")  # fmt: skip
    c.add_argument("programme", choices=PROGRAMMES, metavar="PROGRAMME",
                   help=f"one of {', '.join(PROGRAMMES)}")  # fmt: skip
    c.add_argument(
        "--ai-only", action="store_true",
        help="keep only projects under EuroSciVoc 'artificial intelligence' and their participants",
    )  # fmt: skip
    _add_options(c)
    _add_options(group.add_parser("ror", help="the ROR data dump (the latest release on Zenodo)"))
    _add_options(
        group.add_parser("countries", help="the EU country authority table (Publications Office)"),
        rows=False,
    )
