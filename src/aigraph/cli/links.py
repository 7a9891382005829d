"""``aigraph links ...``: identifier-proven links, candidate matches and their review."""

from __future__ import annotations

import argparse
import json

from .common import add_store_option, open_store, say, write_out


def cmd_identify(args: argparse.Namespace) -> int:
    from ..linking.links import identify, list_links

    store = open_store(args, write=True)
    result = identify(store)
    proven = [link for link in list_links(store) if link.derived_from]
    say(f"{len(proven)} identifier-proven links in graph/links "
        f"(store {result.before} -> {result.after} quads)")  # fmt: skip
    return 0


def cmd_candidates(args: argparse.Namespace) -> int:
    from ..linking.links import find_candidates

    found = find_candidates(
        open_store(args, write=False), left=args.left, right=args.right, threshold=args.threshold,
        limit=args.limit,
    )  # fmt: skip
    if args.format == "json":
        rows = [m.__dict__ for m in found]
        write_out(json.dumps(rows, indent=2, ensure_ascii=False).encode() + b"\n")
        return 0
    lines = [f"{m.score:.3f}  {m.left}  {m.right}\n       {m.left_label} | {m.right_label}\n"
             f"       {m.evidence_text()}" for m in found]  # fmt: skip
    write_out(("\n".join(lines) + f"\n({len(found)} candidates)\n").encode())
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from ..linking.links import review

    result = review(
        open_store(args, write=True), args.left, args.right, by=args.by, accept=args.accept
    )
    say(f"{'accepted' if args.accept else 'rejected'}: {args.left} {args.right} "
        f"(store {result.before} -> {result.after} quads)")  # fmt: skip
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from ..linking.links import list_links

    rows = [link.as_dict() for link in list_links(open_store(args, write=False))]
    write_out(json.dumps(rows, indent=2, ensure_ascii=False).encode() + b"\n")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("links", help="links between organisations of different graphs")
    lsub = group.add_subparsers(dest="action", metavar="ACTION", required=True)

    p = lsub.add_parser("identify", help="link organisations sharing a ROR id, PIC or QID")
    add_store_option(p)
    p.set_defaults(func=cmd_identify)

    p = lsub.add_parser("candidates", help="propose name matches (score and evidence)")
    add_store_option(p)
    p.add_argument("--left", nargs="+", metavar="GRAPH", help="graphs (default: curated/)")
    p.add_argument("--right", nargs="+", metavar="GRAPH",
                   help="graphs (default: cordis cordis-h2020 ror)")  # fmt: skip
    p.add_argument("--threshold", type=float, default=0.75)
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_candidates)

    for name, accept in (("accept", True), ("reject", False)):
        p = lsub.add_parser(name, help=f"{name} a candidate (recorded with its provenance)")
        add_store_option(p)
        p.add_argument("left", metavar="LEFT_IRI")
        p.add_argument("right", metavar="RIGHT_IRI")
        p.add_argument("--by", required=True, help="who reviews (name or user id)")
        p.set_defaults(func=cmd_review, accept=accept)

    p = lsub.add_parser("list", help="the links and rejections recorded in graph/links (JSON)")
    add_store_option(p)
    p.set_defaults(func=cmd_list)
