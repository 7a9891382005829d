"""Options and helpers shared by the command modules."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..config import get_settings
from ..store import Store


def add_store_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--store",
        metavar="DIR",
        help="store directory (default: $AIGRAPH_STORE, else ~/.local/share/aigraph/store)",
    )


def store_path(args: argparse.Namespace) -> Path:
    return Path(args.store) if getattr(args, "store", None) else get_settings().store


def open_store(args: argparse.Namespace, *, write: bool) -> Store:
    """The store of ``--store``. Reading commands (``write=False``) also work beside a running
    ``aigraph serve``, on a read-only view; writing commands then fail with exit 2 and say
    how to write through the service."""
    return Store.open(store_path(args), write=write)


def write_out(data: bytes, output: str | None = None) -> None:
    if output:
        Path(output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def say(message: str) -> None:
    """A status line for people, on stderr (stdout stays clean for data)."""
    print(message, file=sys.stderr)
