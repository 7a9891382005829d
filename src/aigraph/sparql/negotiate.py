"""HTTP content negotiation (RFC 9110 ``Accept`` with q-values) over the result formats."""

from __future__ import annotations

from ..errors import NotAcceptable

#: media type -> format name, in the server's order of preference (first is the default)
SOLUTION_MEDIA: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
GRAPH_MEDIA: dict[str, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "text/n3": "n3",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/x-turtle": "turtle",
    "text/rdf+n3": "n3",
    "text/x-nquads": "nquads",
    "text/plain": "ntriples",
    "application/json": "jsonld",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
}
#: format name -> media type sent back
FORMAT_MEDIA: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "n3": "text/n3; charset=utf-8",
    "nquads": "application/n-quads",
    "trig": "application/trig",
}
#: names accepted in a ``format`` (or ``output``, ``results``) request parameter, as Fuseki and
#: Virtuoso read them: the same name means a results format for SELECT/ASK and an RDF syntax
#: for CONSTRUCT/DESCRIBE (``xml`` is SPARQL XML results or RDF/XML, ``json`` SPARQL JSON results
#: or JSON-LD), which is what SPARQLWrapper and rdflib's SPARQLStore send
SOLUTION_ALIASES = {
    "json": "json",
    "srj": "json",
    "xml": "xml",
    "srx": "xml",
    "csv": "csv",
    "tsv": "tsv",
}
GRAPH_ALIASES = {
    "turtle": "turtle",
    "ttl": "turtle",
    "n3": "n3",
    "nt": "ntriples",
    "ntriples": "ntriples",
    "n-triples": "ntriples",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "json": "jsonld",
    "xml": "rdfxml",
    "rdf": "rdfxml",
    "rdfxml": "rdfxml",
    "rdf+xml": "rdfxml",
    "rdf/xml": "rdfxml",
    "nquads": "nquads",
    "n-quads": "nquads",
    "nq": "nquads",
    "trig": "trig",
}
#: kept for callers that name formats without knowing the result's kind
FORMAT_ALIASES = {"ttl": "turtle", "nt": "ntriples", "json-ld": "jsonld", "rdf": "rdfxml"}


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """``[(media range, q, position)]`` best first; a missing header means ``*/*``."""
    if not header or not header.strip():
        return [("*/*", 1.0, 0)]
    out = []
    for pos, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        if media == "*":
            media = "*/*"
        q = 1.0
        for f in fields[1:]:
            key, _, value = f.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        out.append((media, q, pos))
    return out


def _specificity(media_range: str) -> int:
    if media_range == "*/*":
        return 0
    return 1 if media_range.endswith("/*") else 2


def _matches(media_range: str, media: str) -> bool:
    if media_range == "*/*":
        return True
    if media_range.endswith("/*"):
        return media.split("/")[0] == media_range[:-2]
    return media == media_range


def requested_format(requested: str, offered: dict[str, str]) -> str | None:
    """The format a ``format`` parameter's value names among ``offered`` (a name, an alias or
    a media type), or ``None``."""
    key = requested.strip().lower()
    names = set(offered.values())
    aliases = GRAPH_ALIASES if offered is GRAPH_MEDIA else SOLUTION_ALIASES
    if key in aliases and aliases[key] in names:
        return aliases[key]
    if key in names:
        return key
    media = key.split(";")[0].strip()
    return offered.get(media)


def choose(accept: str | None, offered: dict[str, str], requested: str | None = None) -> str:
    """The format name to answer with. ``requested`` (a ``format`` parameter: a name or a
    media type) wins over the header. Raises :class:`NotAcceptable` when nothing fits."""
    names = dict.fromkeys(offered.values())
    if requested:
        found = requested_format(requested, offered)
        if found is not None:
            return found
        raise NotAcceptable(
            f"format {requested!r} does not apply here (use one of {', '.join(names)})"
        )
    ranges = parse_accept(accept)
    best: tuple[float, int, int] | None = None
    choice: str | None = None
    rank_key: tuple[float, int, int]
    for rank, media in enumerate(offered):
        # the most specific range that matches decides the q of this media type
        matching = [r for r in ranges if _matches(r[0], media)]
        if not matching:
            continue
        media_range, q, _pos = max(matching, key=lambda r: (_specificity(r[0]), -r[2]))
        if q <= 0:
            continue
        rank_key = (q, _specificity(media_range), -rank)
        if best is None or rank_key > best:
            best, choice = rank_key, offered[media]
    if choice is None:
        raise NotAcceptable(
            f"none of the acceptable types ({accept}) is offered here; offered: "
            + ", ".join(offered)
        )
    return choice
