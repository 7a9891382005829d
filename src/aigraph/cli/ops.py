"""backup and restore (see :mod:`aigraph.backup` and docs/operations.md)."""

from __future__ import annotations

import argparse

from .common import add_store_option, say, store_path


def cmd_backup(args: argparse.Namespace) -> int:
    from ..backup import backup

    m = backup(store_path(args), args.directory)
    say(
        f"backup of {store_path(args)} in {args.directory}: {m.quads} quads in "
        f"{len(m.graphs)} graphs ({m.method}, {m.seconds:g} s)"
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from ..backup import restore

    m = restore(args.directory, store_path(args))
    say(
        f"restored {store_path(args)} from {args.directory} (made {m.created}): {m.quads} quads "
        f"in {len(m.graphs)} graphs"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "backup", help="a consistent copy of the store in a new directory (works beside serve)"
    )
    add_store_option(p)
    p.add_argument("directory", metavar="DIR", help="new (or empty) directory for the backup")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser(
        "restore", help="replace the store by a backup, all or nothing (stop serve first)"
    )
    add_store_option(p)
    p.add_argument("directory", metavar="DIR", help="a directory written by aigraph backup")
    p.set_defaults(func=cmd_restore)
