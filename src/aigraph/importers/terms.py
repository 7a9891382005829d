"""Building an importer's quads: a de-duplicating collector and ADMS identifier nodes."""

from __future__ import annotations

import re

import pyoxigraph as ox

from ..namespaces import ADMS, RDF, SKOS, entity
from .provenance import nn


class Quads:
    """Collects quads in one graph without duplicates."""

    def __init__(self, graph_iri: str):
        self.g = nn(graph_iri)
        self.seen: set[ox.Quad] = set()
        self.out: list[ox.Quad] = []

    def __call__(self, s: str | ox.NamedNode, p: object, o: ox.NamedNode | ox.Literal) -> None:
        q = ox.Quad(s if isinstance(s, ox.NamedNode) else nn(s), nn(p), o, self.g)
        if q not in self.seen:
            self.seen.add(q)
            self.out.append(q)


def identifier_slug(value: str) -> str:
    """The value as it is, save characters unsafe in an IRI path (``grid.4444.0``, ``Q280413``)."""
    compact = re.sub(r"\s+", "", value)  # ISNI "0000 0001 2259 7504" -> 0000000122597504
    return re.sub(r"[^A-Za-z0-9._~-]+", "-", compact).strip("-")


def identifier(add: Quads, scheme: str, value: str, agency: str) -> ox.NamedNode:
    """The ADMS identifier node ``id/identifier/{scheme}-{value}``."""
    node = nn(entity("identifier", f"{scheme}-{identifier_slug(value)}"))
    add(node, RDF.type, nn(ADMS.Identifier))
    add(node, SKOS.notation, ox.Literal(value))
    add(node, ADMS.schemaAgency, ox.Literal(agency))
    return node
