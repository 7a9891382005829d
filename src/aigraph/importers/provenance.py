"""How an importer writes: the graph's DCAT/PROV description, and the replacing, atomic write.

Each import *replaces* its named graph: the quads the source no longer states are removed and
the new ones added, in one validated :meth:`Store.write`. Every IRI and literal is a function
of the input and the retrieval date defaults to the file's modification date, so importing the
same input twice leaves the store unchanged.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from ..namespaces import DCAT, DCTERMS, PROV, RDF, XSD
from ..ontology import CATALOG_GRAPH
from ..store import Store, WriteResult

T = TypeVar("T")

CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
#: the Publications Office of the EU, publisher of CORDIS and of the authority tables
PUBL = "http://publications.europa.eu/resource/authority/corporate-body/PUBL"


def nn(iri: object) -> ox.NamedNode:
    return iri if isinstance(iri, ox.NamedNode) else ox.NamedNode(str(iri))


@dataclass(frozen=True)
class SourceDescription:
    """What the catalog says about an imported graph."""

    graph: str
    titles: dict[str, str]  # language -> title (en, fr, de)
    publisher: str
    license: str
    source: str  # the page or dataset the data comes from
    retrieved: dt.date
    derived_from: tuple[str, ...] = ()
    issued: str | None = None  # the source's own version date, xsd:date
    version: str | None = None
    description: str | None = None

    def quads(self) -> list[ox.Quad]:
        c, ds = nn(CATALOG_GRAPH), nn(self.graph)

        def q(p: object, o: ox.NamedNode | ox.Literal) -> ox.Quad:
            return ox.Quad(ds, nn(p), o, c)

        out = [q(RDF.type, nn(DCAT.Dataset)), q(RDF.type, nn(PROV.Entity))]
        out += [q(DCTERMS.title, ox.Literal(t, language=lang)) for lang, t in self.titles.items()]
        out += [
            q(DCTERMS.publisher, nn(self.publisher)),
            q(DCTERMS.license, nn(self.license)),
            q(DCTERMS.source, nn(self.source)),
            q(PROV.wasDerivedFrom, nn(self.source)),
            q(PROV.generatedAtTime, ox.Literal(self.retrieved.isoformat(), datatype=nn(XSD.date))),
        ]
        out += [q(PROV.wasDerivedFrom, nn(d)) for d in self.derived_from]
        if self.issued:
            out.append(q(DCTERMS.issued, ox.Literal(self.issued, datatype=nn(XSD.date))))
        if self.version:
            out.append(q("http://www.w3.org/2002/07/owl#versionInfo", ox.Literal(self.version)))
        if self.description:
            out.append(q(DCTERMS.description, ox.Literal(self.description, language="en")))
        return out


def file_date(paths: Iterable[str | Path]) -> dt.date:
    """The retrieval date of a source: the newest modification date of its files."""
    stamps = [Path(p).stat().st_mtime for p in paths]
    return dt.date.fromtimestamp(max(stamps)) if stamps else dt.date.today()


def replace_graph(
    store: Store,
    graph_iri: str,
    quads: list[ox.Quad],
    description: SourceDescription,
    *,
    validate: bool = True,
    progress: bool = False,
) -> WriteResult:
    """Make ``graph_iri`` hold exactly ``quads`` and its catalog entry ``description``: one
    validated, atomic write (an invalid result leaves the store as it was)."""
    g = nn(graph_iri)
    new = set(quads)
    stale = [q for q in store.ox.quads_for_pattern(None, None, None, g) if q not in new]
    catalog = description.quads()
    keep = set(catalog)
    stale += [
        q for q in store.ox.quads_for_pattern(g, None, None, nn(CATALOG_GRAPH)) if q not in keep
    ]
    return store.write(add=list(new) + catalog, remove=stale, validate=validate, progress=progress)


def progress_bar(items: Iterable[T], enabled: bool, desc: str, unit: str = "row") -> Iterator[T]:
    """A tqdm bar on stderr that shows only after one second (so tests and pipes stay quiet)."""
    if not enabled:
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, desc=desc, unit=unit, delay=1.0, file=sys.stderr, leave=False)
