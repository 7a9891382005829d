"""``aigraph import SOURCE ...``: one sub-command per importer.

To add an importer, write ``_add_<source>(group)`` adding its sub-parser (with
:func:`add_common`) and append it to ``IMPORTERS``. Every importer returns an
:class:`~aigraph.importers.rows.ImportReport`, printed by :func:`_print_report`.
"""

from __future__ import annotations

import argparse
import datetime as dt

from .common import add_store_option, open_store, say

#: how many malformed rows are listed on stderr (all are counted in the summary)
SHOW_PROBLEMS = 50


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def add_common(p: argparse.ArgumentParser, *, rows: bool = True) -> None:
    add_store_option(p)
    if rows:
        p.add_argument(
            "--on-error",
            choices=["fail", "skip"],
            default="fail",
            help="on a malformed row: fail the import, writing nothing (default), or skip the "
            "row; either way it is reported with its row number",
        )


def _print_report(report) -> int:
    for problem in report.problems[:SHOW_PROBLEMS]:
        say(f"aigraph: skipped {problem}")
    if len(report.problems) > SHOW_PROBLEMS:
        say(f"aigraph: ... and {len(report.problems) - SHOW_PROBLEMS} more malformed rows")
    say(report.summary())
    if report.write is not None:
        say(f"store {report.write.before} -> {report.write.after} quads")
    return 0


# ----------------------------------------------------------------------------- importers
def cmd_cordis(args: argparse.Namespace) -> int:
    from ..importers.cordis import import_cordis

    report = import_cordis(
        open_store(args, write=True), args.directory, ai_only=args.ai_only, on_error=args.on_error,
        progress=True,
    )  # fmt: skip
    return _print_report(report)


def _add_cordis(group: argparse._SubParsersAction) -> None:
    p = group.add_parser(
        "cordis", help="a raw CORDIS export directory (project.csv, organization.csv, ...)"
    )
    add_common(p)
    p.add_argument("directory", metavar="DIR")
    p.add_argument(
        "--ai-only",
        action="store_true",
        help="keep only projects under EuroSciVoc 'artificial intelligence'",
    )
    p.set_defaults(func=cmd_cordis)


def cmd_countries(args: argparse.Namespace) -> int:
    from ..importers.countries import import_countries

    return _print_report(import_countries(open_store(args, write=True), args.file, progress=True))


def _add_countries(group: argparse._SubParsersAction) -> None:
    p = group.add_parser("countries", help="the EU country authority table (default: bundled)")
    add_common(p, rows=False)
    p.add_argument("file", metavar="FILE", nargs="?", help="countries-skos.rdf (optional)")
    p.set_defaults(func=cmd_countries)


def cmd_ror(args: argparse.Namespace) -> int:
    from ..importers.ror import import_ror

    report = import_ror(
        open_store(args, write=True), args.files, on_error=args.on_error, progress=True
    )
    return _print_report(report)


def _add_ror(group: argparse._SubParsersAction) -> None:
    p = group.add_parser("ror", help="ROR records (schema v2 JSON: one record, a list, or a dump)")
    add_common(p)
    p.add_argument("files", metavar="FILE", nargs="+")
    p.set_defaults(func=cmd_ror)


def cmd_cordis_participations(args: argparse.Namespace) -> int:
    from ..importers.cordis_participations import import_participations

    report = import_participations(
        open_store(args, write=True), args.file, on_error=args.on_error, retrieved=args.retrieved,
        progress=True,
    )  # fmt: skip
    return _print_report(report)


def _add_cordis_participations(group: argparse._SubParsersAction) -> None:
    p = group.add_parser(
        "cordis-participations",
        help="an H2020 participations CSV (rcn, role, pic, type, country, ...) as EURIO roles",
    )
    add_common(p)
    p.add_argument("file", metavar="FILE", help="the CSV (.csv or .csv.gz)")
    p.add_argument("--retrieved", type=_date, metavar="YYYY-MM-DD",
                   help="when the source was retrieved (default: the file's date)")  # fmt: skip
    p.set_defaults(func=cmd_cordis_participations)


IMPORTERS = [_add_cordis, _add_countries, _add_ror, _add_cordis_participations]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="import a source into the store (validated, atomic)")
    group = p.add_subparsers(dest="source", metavar="SOURCE", required=True)
    for add in IMPORTERS:
        add(group)
