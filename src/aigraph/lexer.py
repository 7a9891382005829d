"""A small SPARQL tokenizer: enough to see what a request *is* before an engine runs it.

It tells a query from an update, finds the query form, every ``SERVICE`` endpoint (resolving
prefixed names and ``BASE``), every ``LOAD`` and the deepest nesting of brackets, without being
fooled by those words inside strings, IRIs or comments. The engine still parses the text itself;
this only guards it, so it must read the text exactly as the engine does:

- an IRI reference is ``<`` ... ``>`` with the SPARQL grammar's characters *and* its ``\\uXXXX``
  / ``\\UXXXXXXXX`` escapes (``<urn:x\\u0041#>`` is one IRI, not an IRI cut short and a comment);
- the SPARQL 1.1 text says escape sequences may be processed over the whole request before
  parsing (some engines do, pyoxigraph 0.5 does not): :func:`inspect` reads the text both ways
  and reports every SERVICE and LOAD either reading finds, so a request is judged by the
  stricter of the two.
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
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
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


_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_OPEN, _CLOSE = "{([", "})]"


def unescape(text: str) -> str:
    """``text`` with its ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes replaced by the characters
    they stand for (an escape of an invalid code point is left as it is)."""

    def char(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group()

    return _UCHAR.sub(char, text) if "\\u" in text or "\\U" in text else text


@dataclass
class Inspection:
    """What a request is: ``form`` (SELECT, ASK, ..., or an update keyword), whether it is an
    update, the SERVICE endpoints (``None`` for a variable endpoint or one given relative to a
    ``BASE``), whether it LOADs, ``depth``: the deepest nesting of ``{``, ``(`` and ``[``, and
    ``limit``: the query's own top-level ``LIMIT`` (outside every group, so not a subquery's),
    ``None`` when it has none."""

    form: str | None
    is_update: bool
    services: list[str | None] = field(default_factory=list)
    loads: bool = False
    prefixes: dict[str, str] = field(default_factory=dict)
    base: str | None = None
    limit: int | None = None
    depth: int = 0


def is_relative(iri: str) -> bool:
    """Whether ``iri`` has no scheme (it needs a base to be resolved)."""
    return re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri) is None


def resolve(tok: Token, prefixes: Mapping[str, str], base: str | None) -> str | None:
    """The IRI a token denotes (IRIREF, escapes processed, or prefixed name), or ``None``."""
    if tok.kind == "iri":
        iri = unescape(tok.text[1:-1])
        return urljoin(base, iri) if base and is_relative(iri) else iri
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        ns = prefixes.get(prefix)
        return None if ns is None else ns + re.sub(r"\\(.)", r"\1", local)
    return None


def _endpoint(tok: Token | None, prefixes: Mapping[str, str], base: str | None) -> str | None:
    """A SERVICE endpoint, or ``None`` when it is a variable, unknown or relative (the policy
    refuses those: an allow-list compares absolute IRIs, never a resolution of our own)."""
    if tok is None or (tok.kind == "iri" and is_relative(unescape(tok.text[1:-1]))):
        return None
    iri = resolve(tok, prefixes, base)
    return None if iri is None or is_relative(iri) else iri


def _inspect_one(text: str, default_prefixes: Mapping[str, str] | None) -> Inspection:
    prefixes: dict[str, str] = dict(default_prefixes or {})
    base: str | None = None
    tokens = list(tokenize(text))
    form: str | None = None
    services: list[str | None] = []
    loads = False
    limit: int | None = None
    nesting = depth = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == "punct":
            if tok.text in _OPEN:
                nesting += 1
                depth = max(depth, nesting)
            elif tok.text in _CLOSE:
                nesting = max(0, nesting - 1)
            i += 1
            continue
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
            services.append(_endpoint(tokens[j] if j < len(tokens) else None, prefixes, base))
        i += 1
    return Inspection(
        form=form,
        is_update=form in UPDATE_FORMS,
        services=services,
        loads=loads,
        prefixes=prefixes,
        base=base,
        limit=limit,
        depth=depth,
    )


def inspect(text: str, default_prefixes: Mapping[str, str] | None = None) -> Inspection:
    """Inspect a SPARQL query or update (see :class:`Inspection`).

    When the text has ``\\u``/``\\U`` escapes it is read a second time with them processed
    first, and the SERVICE endpoints, LOAD and depth of both readings are combined: whichever
    way an engine treats the escapes, what it would run has been seen."""
    info = _inspect_one(text, default_prefixes)
    decoded = unescape(text)
    if decoded != text:
        other = _inspect_one(decoded, default_prefixes)
        for endpoint in other.services:
            if endpoint not in info.services:
                info.services.append(endpoint)
        info.loads = info.loads or other.loads
        info.depth = max(info.depth, other.depth)
        if other.is_update and not info.is_update:
            info.form, info.is_update = other.form, True
    return info
