"""A small SPARQL tokenizer: enough to see what a request *is* before an engine runs it.

It tells a query from an update, finds the query form, every ``SERVICE`` endpoint (resolving
prefixed names and ``BASE``) and every ``LOAD``, without being fooled by those words inside
strings, IRIs or comments. The engine still parses the text itself; this only guards it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urljoin

_PN_CHARS = r"A-Za-z0-9_\-\u00B7\u00C0-\uFFFF"
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<bnode>_:[%s.]*[%s])
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF](?:[%s.]*[%s])?)?:(?:(?:[%s:%%.]|\\.)*(?:[%s:%%]|\\.))?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|.)
    """
    % ((_PN_CHARS,) * 6),
    re.VERBOSE | re.DOTALL,
)

QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_FORMS = {
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "DROP",
    "CREATE",
    "ADD",
    "MOVE",
    "COPY",
    "WITH",
}


class Token(NamedTuple):  # a tuple: several times cheaper to make than a dataclass
    kind: str
    text: str
    start: int
    depth: int  # curly-brace depth before this token

    @property
    def upper(self) -> str:
        return self.text.upper()


def tokenize(text: str) -> Iterator[Token]:
    """Significant tokens (whitespace and comments dropped), with their brace depth."""
    depth = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "punct"
        if kind == "ws" or kind == "comment":
            continue
        tok = m.group()
        if kind == "punct":
            if tok == "}":
                depth = max(0, depth - 1)
            elif tok == "{":
                yield Token(kind, tok, m.start(), depth)
                depth += 1
                continue
        yield Token(kind, tok, m.start(), depth)


@dataclass
class Inspection:
    """What a request is: ``form`` (SELECT, ASK, ..., or an update keyword), whether it is an
    update, the SERVICE endpoints (``None`` for a variable endpoint), whether it LOADs, and
    ``limit``: the query's own top-level ``LIMIT`` (outside every group, so not a subquery's),
    ``None`` when it has none."""

    form: str | None
    is_update: bool
    services: list[str | None] = field(default_factory=list)
    loads: bool = False
    prefixes: dict[str, str] = field(default_factory=dict)
    base: str | None = None
    limit: int | None = None


def resolve(tok: Token, prefixes: Mapping[str, str], base: str | None) -> str | None:
    """The IRI a token denotes (IRIREF or prefixed name), or ``None``."""
    if tok.kind == "iri":
        iri = tok.text[1:-1]
        return urljoin(base, iri) if base and ":" not in iri.split("/")[0] else iri
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        ns = prefixes.get(prefix)
        return None if ns is None else ns + re.sub(r"\\(.)", r"\1", local)
    return None


def inspect(text: str, default_prefixes: Mapping[str, str] | None = None) -> Inspection:
    """Inspect a SPARQL query or update (see :class:`Inspection`)."""
    prefixes: dict[str, str] = dict(default_prefixes or {})
    base: str | None = None
    tokens = list(tokenize(text))
    form: str | None = None
    services: list[str | None] = []
    loads = False
    limit: int | None = None
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        up = tok.upper if tok.kind == "name" else ""
        if up == "PREFIX" and i + 2 < len(tokens) and tokens[i + 1].kind == "pname":
            iri = resolve(tokens[i + 2], prefixes, base)
            if iri is not None:
                prefixes[tokens[i + 1].text.rstrip(":").split(":")[0]] = iri
            i += 3
            continue
        if up == "BASE" and i + 1 < len(tokens) and tokens[i + 1].kind == "iri":
            base = resolve(tokens[i + 1], prefixes, base)
            i += 2
            continue
        if form is None and up in QUERY_FORMS | UPDATE_FORMS:
            form = up
        if up == "LOAD":
            loads = True
        if (
            up == "LIMIT"
            and tok.depth == 0
            and i + 1 < len(tokens)
            and tokens[i + 1].kind == "number"
            and tokens[i + 1].text.isdigit()
        ):
            limit = int(tokens[i + 1].text)
        if up == "SERVICE":
            j = i + 1
            if j < len(tokens) and tokens[j].upper == "SILENT":
                j += 1
            target = tokens[j] if j < len(tokens) else None
            services.append(resolve(target, prefixes, base) if target is not None else None)
        i += 1
    return Inspection(
        form=form,
        is_update=form in UPDATE_FORMS,
        services=services,
        loads=loads,
        prefixes=prefixes,
        base=base,
        limit=limit,
    )
