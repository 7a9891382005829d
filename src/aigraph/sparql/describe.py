"""The service describing itself: SPARQL 1.1 Service Description and a VoID/DCAT dataset card.

Both are built as triples and written in the negotiated RDF format. Triple counts come from
``graph-sizes.rq``, graph metadata from the catalog graph (``catalog-descriptions.rq``).
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

import pyoxigraph as ox

from ..namespaces import PREFIXES, VOID
from ..query import extension_functions
from ..rdfio import GENID
from ..store import Store
from .results import PREFIXED, RDF_FORMATS

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INT = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
    "N3",
    "N-Quads",
    "TriG",
)


@cache
def rq(name: str) -> str:
    """A SPARQL file beside this module."""
    return (resources.files(__package__) / name).read_text(encoding="utf-8")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def write(triples: list[ox.Triple], fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt in PREFIXED:
        prefixes = {**PREFIXES, "sd": SD, "formats": FORMATS}
        ox.serialize(triples, buf, RDF_FORMATS[fmt], prefixes=prefixes)
    else:
        ox.serialize(triples, buf, RDF_FORMATS[fmt])
    return buf.getvalue()


def service_description(
    store: Store, endpoint: str, *, update: bool, federation: bool, void_iri: str
) -> list[ox.Triple]:
    """``sd:Service`` for ``endpoint``: languages, formats, features, the default dataset."""
    svc = _n(endpoint)
    t = [
        ox.Triple(svc, RDF_TYPE, _n(SD + "Service")),
        ox.Triple(svc, _n(SD + "endpoint"), svc),
        ox.Triple(svc, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        ox.Triple(svc, _n(SD + "feature"), _n(SD + "UnionDefaultGraph")),
    ]
    if update:
        t.append(ox.Triple(svc, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Update")))
        t.append(
            ox.Triple(
                svc,
                _n("http://www.w3.org/2000/01/rdf-schema#comment"),
                ox.Literal(
                    "Blank nodes written to this service (updates, Graph Store uploads) are "
                    f"replaced by skolem IRIs under {GENID} (RDF 1.1, section 3.5): a later "
                    "write can name them.",
                    language="en",
                ),
            )
        )
    if federation:
        t.append(ox.Triple(svc, _n(SD + "feature"), _n(SD + "BasicFederatedQuery")))
    t += [ox.Triple(svc, _n(SD + "resultFormat"), _n(FORMATS + f)) for f in RESULT_FORMATS]
    t += [
        ox.Triple(svc, _n(SD + "extensionFunction"), f)
        for f in sorted(extension_functions(store.ox), key=str)
    ]
    dataset = ox.BlankNode("dataset")
    default = ox.BlankNode("default")
    t += [
        ox.Triple(svc, _n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _n(SD + "Dataset")),
        ox.Triple(dataset, _n(str(VOID) + "inDataset"), _n(void_iri)),
        ox.Triple(dataset, _n(SD + "defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, _n(SD + "Graph")),
    ]
    for i, g in enumerate(store.named_graphs()):
        node = ox.BlankNode(f"g{i}")
        t += [
            ox.Triple(dataset, _n(SD + "namedGraph"), node),
            ox.Triple(node, RDF_TYPE, _n(SD + "NamedGraph")),
            ox.Triple(node, _n(SD + "name"), _n(g)),
        ]
    return t


def void_description(store: Store, dataset_iri: str, endpoint: str) -> list[ox.Triple]:
    """VoID + DCAT: the dataset, its SPARQL endpoint, each named graph with its triple count
    and what the catalog says about it (title, publisher, licence, dates, sources)."""
    ds = _n(dataset_iri)
    sizes = {
        row["g"]: int(row["n"].value)
        for row in store.ox.query(rq("graph-sizes.rq"))  # type: ignore[union-attr]
        if isinstance(row["g"], ox.NamedNode)
    }
    t = [
        ox.Triple(ds, RDF_TYPE, _n(str(VOID) + "Dataset")),
        ox.Triple(ds, RDF_TYPE, _n(DCAT + "Dataset")),
        ox.Triple(ds, _n(DCT + "title"), ox.Literal("aigraph", language="en")),
        ox.Triple(
            ds,
            _n(DCT + "description"),
            ox.Literal(
                "An open knowledge graph of the European sovereign-AI ecosystem.", language="en"
            ),
        ),
        ox.Triple(ds, _n(str(VOID) + "sparqlEndpoint"), _n(endpoint)),
        ox.Triple(
            ds, _n(str(VOID) + "triples"), ox.Literal(str(sum(sizes.values())), datatype=XSD_INT)
        ),
    ]
    for g, n in sorted(sizes.items(), key=lambda kv: kv[0].value):
        t += [
            ox.Triple(ds, _n(str(VOID) + "subset"), g),
            ox.Triple(g, RDF_TYPE, _n(str(VOID) + "Dataset")),
            ox.Triple(g, _n(str(VOID) + "triples"), ox.Literal(str(n), datatype=XSD_INT)),
            ox.Triple(g, _n(str(VOID) + "sparqlEndpoint"), _n(endpoint)),
        ]
    t += list(store.ox.query(rq("catalog-descriptions.rq")))  # type: ignore[arg-type]
    return t
