"""The ``aigraph`` command line. Commands are thin: parse, call the core, render.

Exit codes: 0 ok, 1 data does not conform to the shapes, 2 bad input (parse error, bad query,
missing file) or a refused write (a full disk, a store held by a running server), 3 internal
error.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Sequence

from ..errors import AigraphError
from ..store import is_disk_full

#: modules that each add sub-commands through ``register(subparsers)``
COMMAND_MODULES = ("core", "serve", "network", "imports", "fetch", "links", "ops")

EXIT_OK, EXIT_NONCONFORMING, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aigraph",
        description="Build, check, query and analyse the aigraph knowledge graph.",
        epilog="Exit codes: 0 ok, 1 data does not conform, 2 bad input, 3 internal error.",
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"aigraph {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        if importlib.util.find_spec(f"{__name__}.{name}") is None:
            continue
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
    except AigraphError as err:
        print(f"aigraph: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("aigraph: interrupted", file=sys.stderr)
        return EXIT_INTERNAL
    except BrokenPipeError:
        return EXIT_OK
    except OSError as err:
        if not is_disk_full(err):
            print(f"aigraph: internal error: {type(err).__name__}: {err}", file=sys.stderr)
            return EXIT_INTERNAL
        print(f"aigraph: no space left on the device: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as err:  # noqa: BLE001 - the documented exit code for internal errors
        print(f"aigraph: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_OK if code is None else int(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
