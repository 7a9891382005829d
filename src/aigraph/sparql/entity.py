"""Linked-data entity pages: what the store says about one IRI under ``https://w3id.org/aigraph/id/``.

:func:`lookup` gathers, over every named graph, the statements the entity is the subject of (each
once, with the graphs that state it and the pages those graphs cite for it) and the statements
pointing to it; :func:`rdf` writes the entity's description (a CONSTRUCT over the union of the
graphs, so each triple once) in an RDF syntax; :func:`render` writes the HTML page. Every value
from the data is HTML-escaped and only ``http(s)`` IRIs become links: nothing from the data is
ever executed. The SPARQL lives in ``entity-*.rq`` beside this module.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode, urlsplit

import pyoxigraph as ox

from ..errors import InputError, NotAcceptable, NotFound
from ..namespaces import PREFIXES
from ..store import Store
from . import negotiate
from .describe import rq, write

BASE = "https://w3id.org/aigraph/id/"
GRAPHS = "https://w3id.org/aigraph/graph/"
LANGS = ("en", "fr", "de")
#: incoming statements shown on a page (an H2020 organisation can be the object of thousands)
MAX_INCOMING = 500
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~%-]{0,200}$")
_DCT_SOURCE = "http://purl.org/dc/terms/source"
_LABELS = tuple(
    ox.NamedNode(p)
    for p in (
        "http://www.w3.org/2004/02/skos/core#prefLabel",
        "http://www.w3.org/2000/01/rdf-schema#label",
        "http://xmlns.com/foaf/0.1/name",
        "https://schema.org/name",
    )
)
_ENTITY = ox.Variable("entity")
_WIKIDATA = re.compile(r"^https?://www\.wikidata\.org/entity/(Q\d+)$")


def entity_iri(kind: str, slug: str) -> ox.NamedNode:
    """The IRI ``{BASE}{kind}/{slug}``; raises :class:`InputError` for a malformed segment."""
    for name, part in (("kind", kind), ("slug", slug)):
        if not _SLUG.match(part):
            raise InputError(f"entity {name} {part[:80]!r} is not a valid IRI path segment")
    return ox.NamedNode(f"{BASE}{kind}/{slug}")


def known(store: Store, iri: ox.NamedNode) -> bool:
    """Whether the store has a triple with ``iri`` as subject or object."""
    for pattern in ((iri, None, None, None), (None, None, iri, None)):
        if next(iter(store.ox.quads_for_pattern(*pattern)), None) is not None:
            return True
    return False


def _require(store: Store, iri: ox.NamedNode) -> None:
    if not known(store, iri):
        raise NotFound(f"the store knows nothing about {iri.value}")


def rdf(store: Store, iri: ox.NamedNode, fmt: str) -> bytes:
    """The entity's description in ``fmt`` (a name of ``negotiate.FORMAT_MEDIA``)."""
    _require(store, iri)
    triples = store.query(rq("entity-describe.rq"), substitutions={_ENTITY: iri})
    return write(list(triples), fmt)  # type: ignore[arg-type]


@dataclass
class Statement:
    """``subject predicate object`` with ``{graph: [source pages]}``."""

    subject: ox.NamedNode | ox.BlankNode
    predicate: ox.NamedNode
    object: ox.NamedNode | ox.BlankNode | ox.Literal
    graphs: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Entity:
    iri: ox.NamedNode
    statements: list[Statement]
    incoming: list[Statement]
    incoming_truncated: bool
    labels: dict[str, list[ox.Literal]]  # IRI -> labels, for the entity and the IRIs it links


def _add(found: dict, key: tuple, graph, src) -> None:
    g = graph.value if isinstance(graph, ox.NamedNode) else str(graph)
    sources = found[key].graphs.setdefault(g, [])
    if isinstance(src, ox.NamedNode) and src.value not in sources:
        sources.append(src.value)


def lookup(store: Store, iri: ox.NamedNode) -> Entity:
    """What the store says about ``iri``; raises :class:`NotFound` when it knows nothing."""
    _require(store, iri)
    out: dict[tuple, Statement] = {}
    for row in store.query(rq("entity-statements.rq"), substitutions={_ENTITY: iri}):
        key = (row["p"], row["o"])
        out.setdefault(key, Statement(iri, row["p"], row["o"]))  # type: ignore[arg-type]
        _add(out, key, row["g"], row["src"])
    inc: dict[tuple, Statement] = {}
    truncated = False
    for row in store.query(rq("entity-incoming.rq"), substitutions={_ENTITY: iri}):
        key = (row["s"], row["p"])
        if key not in inc:
            if len(inc) >= MAX_INCOMING:
                truncated = True
                break
            inc[key] = Statement(row["s"], row["p"], iri)  # type: ignore[arg-type]
        _add(inc, key, row["g"], row["src"])
    statements = sorted(out.values(), key=lambda s: (_order(s.predicate), str(s.object)))
    named = {iri.value} | {
        t.value
        for s in [*out.values(), *inc.values()]
        for t in (s.subject, s.object)
        if isinstance(t, ox.NamedNode)
    }
    labels: dict[str, list[ox.Literal]] = {}
    for value in sorted(named)[:2000]:
        node = ox.NamedNode(value)
        found = [
            q.object
            for p in _LABELS
            for q in store.ox.quads_for_pattern(node, p, None, None)
            if isinstance(q.object, ox.Literal)
        ]
        if found:
            labels[value] = list(dict.fromkeys(found))
    return Entity(iri, statements, list(inc.values()), truncated, labels)


def _order(p: ox.NamedNode) -> tuple[int, str]:
    first = (str(_LABELS[0].value), "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    return (0 if p.value in first else 1, p.value)


def choose_language(requested: str | None, accept_language: str | None) -> str:
    """``?lang=`` when it is one of :data:`LANGS`, else the best of ``Accept-Language``, else en."""
    if requested and requested.lower() in LANGS:
        return requested.lower()
    best: tuple[float, int, str] | None = None
    for pos, part in enumerate((accept_language or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        tag = fields[0].lower().split("-")[0]
        q = 1.0
        for f in fields[1:]:
            key, _, value = f.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag in LANGS and q > 0 and (best is None or (q, -pos) > (best[0], best[1])):
            best = (q, -pos, tag)
    return best[2] if best else "en"


def pick_label(labels: list[ox.Literal], lang: str) -> str | None:
    """The label in ``lang``, else English, else untagged, else any."""
    for want in (lang, "en", None):
        for lit in labels:
            tag = (lit.language or "").split("-")[0].lower() or None
            if tag == want:
                return lit.value
    return labels[0].value if labels else None


# -- HTML -----------------------------------------------------------------------------------------

_TEXT = {
    "en": (
        "Statements",
        "Pointing here",
        "source",
        "graph",
        "Query this entity",
        "Formats",
        "more statements point here than are shown",
        "Not found",
        "Language",
    ),
    "fr": (
        "Déclarations",
        "Mentions de cette entité",
        "source",
        "graphe",
        "Interroger cette entité",
        "Formats",
        "d'autres déclarations pointent ici",
        "Introuvable",
        "Langue",
    ),
    "de": (
        "Aussagen",
        "Verweise hierher",
        "Quelle",
        "Graph",
        "Diese Entität abfragen",
        "Formate",
        "weitere Aussagen verweisen hierher",
        "Nicht gefunden",
        "Sprache",
    ),
}
_STYLE = """
:root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg2: #f6f8fa; --accent: #0a58ca;
  font: 15px/1.45 system-ui, sans-serif; color: var(--fg); }
body { margin: 0; }
header { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline;
  padding: .6rem 1rem; border-bottom: 1px solid var(--line); background: var(--bg2); }
header strong { font-size: 1.15rem; }
header nav { display: flex; gap: 1rem; flex-wrap: wrap; }
main { padding: 1rem; max-width: 72rem; overflow-wrap: anywhere; }
a { color: var(--accent); }
h1 { font-size: 1.5rem; margin: 0 0 .2rem; }
h2 { font-size: 1.1rem; margin: 1.4rem 0 .4rem; }
.iri, .muted { color: var(--muted); word-break: break-all; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
  border-bottom: 1px solid var(--line); }
th { background: var(--bg2); }
td.p { white-space: nowrap; }
.prov { font-size: .85em; color: var(--muted); }
.prov a { word-break: break-all; }
pre { white-space: pre-wrap; word-break: break-all; background: var(--bg2); padding: .6rem; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _compact(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _href(iri: str, lang: str) -> str | None:
    """Where a link to ``iri`` goes: its own page for an aigraph entity, Wikidata's page for a
    Wikidata entity, the IRI itself when http(s); None for anything else (never followed)."""
    if iri.startswith(BASE):
        return "/id/" + quote(iri[len(BASE) :], safe="/%-._~") + f"?lang={lang}"
    m = _WIKIDATA.match(iri)
    if m:
        return f"https://www.wikidata.org/wiki/{m.group(1)}"
    if re.match(r"^https?://[^\s<>\"']+$", iri):
        return iri
    return None


def _link(iri: str, text: str, lang: str) -> str:
    href = _href(iri, lang)
    if href is None:
        return _e(text)
    return f'<a href="{_e(href)}">{_e(text)}</a>'


def _term(term, entity: Entity, lang: str) -> str:
    if isinstance(term, ox.NamedNode):
        label = pick_label(entity.labels.get(term.value, []), lang)
        shown = _link(term.value, label or _compact(term.value), lang)
        return shown + (f' <span class="iri">{_e(_compact(term.value))}</span>' if label else "")
    if isinstance(term, ox.Literal):
        extra = ""
        if term.language:
            extra = f' <span class="muted">@{_e(term.language)}</span>'
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            extra = f' <span class="muted">{_e(_compact(term.datatype.value))}</span>'
        return _e(term.value) + extra
    return f"<code>{_e(str(term))}</code>"


def _host(url: str) -> str:
    """A source page named by its site (the link itself goes to the page)."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def _prov(s: Statement, words: tuple[str, ...]) -> str:
    parts = []
    for graph, sources in sorted(s.graphs.items()):
        links = ", ".join(_link(src, _host(src), "en") for src in sources)
        src = f"{words[2]}: {links} · " if links else ""
        short = graph.removeprefix(GRAPHS)
        parts.append(f'<div>{src}{words[3]}: <code title="{_e(graph)}">{_e(short)}</code></div>')
    return f'<div class="prov">{"".join(parts)}</div>'


def _sheet() -> tuple[str, str]:
    digest = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
    return _STYLE, f"'sha256-{digest}'"


def csp() -> str:
    """The pages' Content-Security-Policy: no script, only this page's own style."""
    return (
        f"default-src 'none'; style-src {_sheet()[1]}; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
    )


def _shell(title: str, body: str, lang: str, path: str) -> str:
    words = _TEXT[lang]
    switch = " ".join(
        f'<a href="{_e(path)}?lang={code}" hreflang="{code}"'
        + (' aria-current="true"' if code == lang else "")
        + f">{code}</a>"
        for code in LANGS
    )
    switch = f'<nav aria-label="{words[8]}">{switch}</nav>' if path else ""
    return (
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)} · aigraph</title>\n<style>{_sheet()[0]}</style>\n</head>\n<body>\n"
        '<header><strong><a href="/">aigraph</a></strong><nav><a href="/">SPARQL</a>'
        '<a href="/.well-known/void">VoID</a><a href="/docs">API</a></nav>'
        f"{switch}</header>\n<main>\n{body}</main>\n"
        "</body>\n</html>\n"
    )


def render(entity: Entity, lang: str) -> str:
    """The entity's HTML page in ``lang`` (one of :data:`LANGS`)."""
    words = _TEXT[lang]
    iri = entity.iri.value
    path = "/id/" + quote(iri[len(BASE) :], safe="/%-._~")
    title = pick_label(entity.labels.get(iri, []), lang) or iri[len(BASE) :]
    query = f"DESCRIBE <{iri}>"
    formats = " · ".join(
        f'<a href="{_e(path)}?format={f}">{name}</a>'
        for f, name in (
            ("ttl", "Turtle"),
            ("nt", "N-Triples"),
            ("jsonld", "JSON-LD"),
            ("rdf", "RDF/XML"),
        )
    )
    rows = "".join(
        f'<tr><td class="p">{_term(s.predicate, entity, lang)}</td>'
        f"<td>{_term(s.object, entity, lang)}{_prov(s, words)}</td></tr>\n"
        for s in entity.statements
    )
    inc = "".join(
        f"<tr><td>{_term(s.subject, entity, lang)}</td>"
        f'<td class="p">{_term(s.predicate, entity, lang)}{_prov(s, words)}</td></tr>\n'
        for s in entity.incoming
    )
    more = f'<p class="muted">{words[6]} ({MAX_INCOMING}+)</p>' if entity.incoming_truncated else ""
    body = (
        f'<h1>{_e(title)}</h1>\n<p class="iri">{_e(iri)}</p>\n'
        f'<p><a href="/?{_e(urlencode({"query": query}))}">{words[4]}</a> · '
        f"{words[5]}: {formats}</p>\n"
        f'<h2>{words[0]}</h2>\n<table id="statements"><tbody>\n{rows}</tbody></table>\n'
        + (
            f'<h2>{words[1]}</h2>\n<table id="incoming"><tbody>\n{inc}</tbody></table>\n{more}'
            if inc
            else ""
        )
    )
    return _shell(title, body, lang, path)


def render_not_found(iri: str, lang: str) -> str:
    words = _TEXT[lang]
    body = f'<h1>{words[7]}</h1>\n<p class="iri">{_e(iri)}</p>\n'
    path = "/id/" + quote(iri[len(BASE) :], safe="/%-._~") if iri.startswith(BASE) else "/"
    return _shell(words[7], body, lang, path)


# -- content negotiation --------------------------------------------------------------------------

#: what an entity page offers: the RDF syntaxes first (a client that accepts anything gets
#: Turtle), then HTML, chosen by a browser whose Accept names text/html above */*
HTML_MEDIA = {"text/html": "html", "application/xhtml+xml": "html"}


def choose_format(accept: str | None, requested: str | None) -> str:
    """``html`` or an RDF format name for an entity or a service description. ``requested`` (a
    ``?format=``: ``html``, ``ttl``, ``nt``, ``jsonld``, ``rdf`` or a media type) wins over
    ``Accept``; raises :class:`NotAcceptable` when nothing fits."""
    if requested and requested.strip().lower() in ("html", "text/html"):
        return "html"
    if requested:
        return negotiate.choose(None, negotiate.GRAPH_MEDIA, requested)
    return negotiate.choose(accept, {**negotiate.GRAPH_MEDIA, **HTML_MEDIA})


def wants_html(accept: str | None) -> bool:
    """Whether ``Accept`` prefers HTML to every RDF syntax (a browser's does)."""
    try:
        return choose_format(accept, None) == "html"
    except NotAcceptable:
        return False


def render_rdf(title: str, text: str, links: dict[str, str]) -> str:
    """A small page showing an RDF document (Turtle) to a browser, with links to its formats."""
    nav = " · ".join(f'<a href="{_e(href)}">{_e(name)}</a>' for name, href in links.items())
    body = f"<h1>{_e(title)}</h1>\n<p>{nav}</p>\n<pre><code>{_e(text)}</code></pre>\n"
    return _shell(title, body, "en", "")
