"""How an importer writes: the graph's DCAT/PROV description, and the replacing, atomic write.

Each import *replaces* its named graph: the quads the source no longer states are removed and
the new ones added, in one validated :meth:`Store.write` (of the changes only: importing the
same input again writes, and validates, nothing). Every IRI and literal is a function
of the input and the retrieval date defaults to the file's modification date, so importing the
same input twice leaves the store unchanged.

A graph imported from a download (``aigraph fetch``) also says where and when the file was
taken: ``prov:wasDerivedFrom`` its URL and ``dcat:distribution`` a node
``id/distribution/sha256-{hex}`` (named by the file's checksum) with ``dcat:downloadURL``,
``dcat:byteSize``, ``spdx:checksum`` and the server's ``dcterms:modified``; the graph's
``prov:generatedAtTime`` is then the download date.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from ..namespaces import DCAT, DCTERMS, PROV, RDF, XSD, entity
from ..ontology import CATALOG_GRAPH
from ..store import Store, WriteResult

T = TypeVar("T")

CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
#: the Publications Office of the EU, publisher of CORDIS and of the authority tables
PUBL = "http://publications.europa.eu/resource/authority/corporate-body/PUBL"
SPDX = "http://spdx.org/rdf/terms#"


def nn(iri: object) -> ox.NamedNode:
    return iri if isinstance(iri, ox.NamedNode) else ox.NamedNode(str(iri))


@dataclass(frozen=True)
class Download:
    """A file taken from the web: where, when, and what came (see :mod:`aigraph.fetch`)."""

    url: str  # the address the file was downloaded from
    retrieved: dt.datetime  # when the download completed (UTC)
    sha256: str
    size: int
    modified: dt.datetime | None = None  # the server's Last-Modified
    issued: str | None = None  # the release date the publisher states (xsd:date), if any

    @property
    def iri(self) -> str:
        return entity("distribution", f"sha256-{self.sha256}")

    def quads(self, dataset: ox.NamedNode, catalog: ox.NamedNode) -> list[ox.Quad]:
        d, chk = nn(self.iri), nn(entity("checksum", f"sha256-{self.sha256}"))

        def q(s: ox.NamedNode, p: object, o: ox.NamedNode | ox.Literal) -> ox.Quad:
            return ox.Quad(s, nn(p), o, catalog)

        out = [
            q(dataset, PROV.wasDerivedFrom, nn(self.url)),
            q(dataset, DCAT.distribution, d),
            q(d, RDF.type, nn(DCAT.Distribution)),
            q(d, DCAT.downloadURL, nn(self.url)),
            q(d, DCAT.byteSize, ox.Literal(str(self.size), datatype=nn(XSD.nonNegativeInteger))),
            q(d, SPDX + "checksum", chk),
            q(chk, RDF.type, nn(SPDX + "Checksum")),
            q(chk, SPDX + "algorithm", nn(SPDX + "checksumAlgorithm_sha256")),
            q(chk, SPDX + "checksumValue", ox.Literal(self.sha256, datatype=nn(XSD.hexBinary))),
        ]
        if self.modified is not None:
            stamp = self.modified.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            out.append(q(d, DCTERMS.modified, ox.Literal(stamp, datatype=nn(XSD.dateTime))))
        return out


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
    download: Download | None = None

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
        if self.download is not None:
            out += self.download.quads(ds, c)
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
    g, c = nn(graph_iri), nn(CATALOG_GRAPH)
    new = set(quads)
    stale = [q for q in store.ox.quads_for_pattern(None, None, None, g) if q not in new]
    catalog = description.quads()
    keep = set(catalog)
    described: list[ox.NamedNode] = [g]  # the graph, the downloads it came from, checksums
    dist, checksum = nn(DCAT.distribution), nn(SPDX + "checksum")
    for d in store.ox.quads_for_pattern(g, dist, None, c):
        if not isinstance(d.object, ox.NamedNode) or any(
            x.subject != g for x in store.ox.quads_for_pattern(None, dist, d.object, c)
        ):
            continue  # the same file also describes another graph: its description stays
        described.append(d.object)
        for x in store.ox.quads_for_pattern(d.object, checksum, None, c):
            if isinstance(x.object, ox.NamedNode):
                described.append(x.object)
    stale += [
        q for s in described for q in store.ox.quads_for_pattern(s, None, None, c) if q not in keep
    ]
    if stale:  # compared in the engine's canonical form, as the store holds them
        target = ox.Store()
        target.extend(new)
        target.extend(catalog)
        stale = [q for q in stale if q not in target]
    # only what changes is written (and validated): re-importing the same input writes nothing
    todo = [q for q in (*new, *catalog) if q not in store.ox]
    if not todo and not stale:
        size = len(store.ox)
        return WriteResult(before=size, after=size)
    return store.write(add=todo, remove=stale, validate=validate, progress=progress)


def progress_bar(items: Iterable[T], enabled: bool, desc: str, unit: str = "row") -> Iterator[T]:
    """A tqdm bar on stderr that shows only after one second (so tests and pipes stay quiet)."""
    if not enabled:
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, desc=desc, unit=unit, delay=1.0, file=sys.stderr, leave=False)
