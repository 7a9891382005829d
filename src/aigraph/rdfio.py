"""Reading RDF files into pyoxigraph quads: formats by extension, errors with file and line,
and deterministic skolemisation of blank nodes (so that loading a file twice is a no-op)."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError, RdfSyntaxError

GENID = "https://w3id.org/aigraph/.well-known/genid/"

#: extension -> (format, is a dataset format)
FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "n3": ox.RdfFormat.N3,
}
DATASET_FORMATS = {ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD}


def format_for(path: str | Path, explicit: str | None = None) -> ox.RdfFormat:
    """The RDF format of ``path`` from its extension (``.gz`` is looked through)."""
    if explicit:
        key = explicit.lower().lstrip(".")
    else:
        suffixes = [s.lstrip(".").lower() for s in Path(path).suffixes]
        if suffixes and suffixes[-1] == "gz":
            suffixes = suffixes[:-1]
        key = suffixes[-1] if suffixes else ""
    fmt = FORMATS.get(key)
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise InputError(f"{path}: unknown RDF format {key!r} (known extensions: {known})")
    return fmt


def read_bytes(path: str | Path) -> bytes:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such file")
    data = p.read_bytes()
    if p.suffix == ".gz":
        data = gzip.decompress(data)
    return data


def _syntax_error(source: str, err: SyntaxError) -> RdfSyntaxError:
    message = str(err.args[0]) if err.args else str(err)
    line = column = None
    if len(err.args) > 1 and isinstance(err.args[1], tuple) and len(err.args[1]) >= 3:
        line, column = err.args[1][1], err.args[1][2]
    elif getattr(err, "lineno", None):
        line, column = err.lineno, getattr(err, "offset", None)
    return RdfSyntaxError(source, message, line, column)


@dataclass
class ParsedDocument:
    """The quads of one document, blank nodes already replaced by skolem IRIs."""

    source: str
    quads: list[ox.Quad]


def _may_have_blank_nodes(data: bytes, fmt: ox.RdfFormat) -> bool:
    if b"_:" in data:
        return True
    if fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        return False
    return b"[" in data or b"(" in data or fmt in (ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD)


def _skolemise(quads: Iterable[ox.Quad], digest: str) -> Iterator[ox.Quad]:
    """Replace each blank node by ``GENID{digest}-{n}``, n in order of first appearance.

    The same document always gets the same IRIs, so reloading it changes nothing.
    """
    mapping: dict[str, ox.NamedNode] = {}

    def sk(term):
        if isinstance(term, ox.BlankNode):
            node = mapping.get(term.value)
            if node is None:
                node = ox.NamedNode(f"{GENID}{digest}-{len(mapping)}")
                mapping[term.value] = node
            return node
        return term

    for q in quads:
        s, o, g = q.subject, q.object, q.graph_name
        if (
            isinstance(s, ox.BlankNode)
            or isinstance(o, ox.BlankNode)
            or isinstance(g, ox.BlankNode)
        ):
            yield ox.Quad(sk(s), q.predicate, sk(o), sk(g))
        else:
            yield q


#: deepest element nesting accepted in RDF/XML (the engine's parser slows down with the square
#: of the depth: 200,000 levels take minutes); real documents stay far below this
MAX_XML_DEPTH = 1000


def check_xml(data: bytes, source: str) -> None:
    """Read RDF/XML with expat first: refuse entity expansion bombs (expat's amplification
    limits) and over-deep nesting before the engine, which has neither, sees the document."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    depth = 0

    def start(_name: str, _attrs: dict) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_XML_DEPTH:
            raise RdfSyntaxError(
                source,
                f"elements nested more than {MAX_XML_DEPTH} levels deep",
                parser.CurrentLineNumber,
                parser.CurrentColumnNumber + 1,
            )

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    def entity(name, _is_parameter, value, _base, system_id, _public_id, _notation) -> None:
        # flat internal entities (OWL files' namespace shorthands) are fine; one built of other
        # entities is how an expansion bomb grows, and an external one would need a fetch
        if value is None or system_id is not None or "&" in value or "%" in value:
            raise RdfSyntaxError(
                source,
                f"the entity {name!r} is external or made of other entities: not accepted",
                parser.CurrentLineNumber,
                parser.CurrentColumnNumber + 1,
            )

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.EntityDeclHandler = entity
    try:
        parser.Parse(data, True)
    except expat.ExpatError as err:
        raise RdfSyntaxError(
            source,
            f"not well-formed XML: {expat.errors.messages[err.code]}",
            err.lineno,
            err.offset + 1,
        ) from None


def parse_bytes(
    data: bytes,
    fmt: ox.RdfFormat,
    *,
    source: str,
    graph: str | None = None,
    base_iri: str | None = None,
) -> list[ox.Quad]:
    """Parse ``data``; triples go to ``graph`` (a named graph IRI) or the default graph."""
    target = ox.NamedNode(graph) if graph else None
    if target is not None and fmt in DATASET_FORMATS and fmt is not ox.RdfFormat.JSON_LD:
        raise InputError(f"{source}: --graph applies to triples formats, not to {fmt.name}")
    if fmt is ox.RdfFormat.RDF_XML:
        check_xml(data, source)
    try:
        quads: Iterable[ox.Quad] = ox.parse(data, format=fmt, base_iri=base_iri)
        if _may_have_blank_nodes(data, fmt):
            digest = hashlib.sha256(data).hexdigest()[:20]
            quads = _skolemise(quads, digest)
        if target is not None:
            out = [
                ox.Quad(q.subject, q.predicate, q.object, target)
                if isinstance(q.graph_name, ox.DefaultGraph)
                else q
                for q in quads
            ]
        else:
            out = list(quads)
    except SyntaxError as err:
        raise _syntax_error(source, err) from None
    return out


def parse_file(
    path: str | Path, *, graph: str | None = None, fmt: str | None = None
) -> ParsedDocument:
    """Parse a file of any supported format (``.gz`` allowed) into skolemised quads."""
    p = Path(path)
    rdf_format = format_for(p, fmt)
    data = read_bytes(p)
    # No base IRI: a relative IRI is an error naming its line, never a machine path in the data.
    return ParsedDocument(str(p), parse_bytes(data, rdf_format, source=str(p), graph=graph))
