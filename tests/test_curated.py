"""The curated dataset: conforms to the shapes, encodes the founding article's facts, cites a
source for every entity, has no blank nodes and states no identifier a record does not state."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import RDF, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS, XSD

from aigraph.ontology import ontology_graph

ROOT = Path(__file__).resolve().parents[1]
CURATED = ROOT / "data" / "curated"
ROR_RECORDS = ROOT.parent / "shared" / "data" / "ror"  # real data beside the checkout, if present

ID = "https://w3id.org/aigraph/id/"
GRAPH = "https://w3id.org/aigraph/graph/"
S1 = URIRef(
    "https://www.alliancy.fr/france-allemagne-un-nouvel-accord-pour-renforcer-lia-souveraine-europeenne/amp"
)
S8 = URIRef(f"{ID}source/ecoreseau-portrait-rim-tehraoui-2024")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
CC0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
WD = "http://www.wikidata.org/entity/"

PREFIXES = """
PREFIX aig: <https://w3id.org/aigraph/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX orgn: <https://w3id.org/aigraph/id/organisation/>
PREFIX role: <https://w3id.org/aigraph/id/role/>
"""


@lru_cache(maxsize=1)
def dataset() -> Dataset:
    d = Dataset()
    for path in sorted(CURATED.glob("*.trig")):
        d.parse(path, format="trig")
    return d


@lru_cache(maxsize=1)
def union() -> Graph:
    g = Graph()
    for s, p, o, _ in dataset().quads():
        g.add((s, p, o))
    return g


@lru_cache(maxsize=1)
def store() -> ox.Store:
    s = ox.Store()
    for path in sorted(CURATED.glob("*.trig")):
        s.load(path=str(path), format=ox.RdfFormat.TRIG)
    return s


def select(query: str) -> list[dict[str, str]]:
    rows = store().query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in rows.variables]
    return [{n: row[n].value if row[n] is not None else None for n in names} for row in rows]


def graph_names() -> set[str]:
    return {
        str(g.identifier)
        for g in dataset().graphs()
        if len(g)
        and isinstance(g.identifier, URIRef)
        and g.identifier != dataset().default_graph.identifier
    }


def test_each_file_holds_one_named_graph_and_no_default_triples() -> None:
    for path in sorted(CURATED.glob("*.trig")):
        d = Dataset()
        d.parse(path, format="trig")
        named = {str(c) for _, _, _, c in d.quads() if c is not None}
        assert len(named) == 1, (path.name, named)
        (name,) = named
        expected = f"{GRAPH}catalog" if path.stem == "catalog" else f"{GRAPH}curated/{path.stem}"
        assert name == expected, (path.name, name)
        assert len(d.default_graph) == 0


def test_curated_data_conforms_to_shapes() -> None:
    shapes = Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        shapes.parse(path, format="turtle")
    conforms, _, text = pyshacl.validate(
        union() + ontology_graph(), shacl_graph=shapes, inference="none"
    )
    assert conforms, text


def test_no_blank_nodes() -> None:
    assert not [q for q in dataset().quads() if any(isinstance(t, BNode) for t in q[:3])]


def test_agreement_parties_date_event_and_priorities() -> None:
    rows = select(
        """
        SELECT ?party ?date ?event ?priority WHERE {
          ?a a aig:CooperationAgreement ; aig:hasParty ?party ; aig:signingDate ?date ;
             aig:signedAt ?event ; aig:hasPriority ?priority ; dcterms:source ?src .
          FILTER(?src = $S1)
        }""".replace("$S1", f"<{S1}>")
    )
    assert {r["party"] for r in rows} == {
        f"{ID}organisation/hub-france-ia",
        f"{ID}organisation/ki-bundesverband",
    }
    assert {r["date"] for r in rows} == {"2025-11-18"}
    assert {r["event"] for r in rows} == {f"{ID}event/summit-european-digital-sovereignty-2025"}
    assert {r["priority"] for r in rows} == {
        f"{ID}priority/{p}"
        for p in (
            "sovereign-ai",
            "innovation-capacity",
            "cross-border-rd",
            "regulatory-harmonisation",
        )
    }
    dt = select(
        "SELECT (DATATYPE(?d) AS ?t) WHERE { ?a a aig:CooperationAgreement ; aig:signingDate ?d }"
    )
    assert dt == [{"t": str(XSD.date)}]


def test_who_presides_hub_france_ia() -> None:
    rows = select(
        """
        SELECT ?name ?src ?start WHERE {
          ?post org:postIn orgn:hub-france-ia ; org:role role:president ;
                org:heldBy ?person ; dcterms:source ?src .
          ?person foaf:name ?name .
          OPTIONAL { ?post schema:startDate ?start }
        }"""
    )
    assert {r["name"] for r in rows} == {"Rim Tehraoui"}
    assert str(S1) in {r["src"] for r in rows}
    assert {r["start"] for r in rows} == {"2024-01"}
    # the start date is stated by the portrait (S8), in that source's graph
    g = dataset().graph(URIRef(f"{GRAPH}curated/s8-ecoreseau-tehraoui"))
    post = URIRef(f"{ID}post/hub-france-ia-president-rim-tehraoui")
    assert g.value(post, URIRef("https://schema.org/startDate")) == Literal(
        "2024-01", datatype=XSD.gYearMonth
    )
    assert (post, DCTERMS.source, S8) in g


def test_ki_bundesverband_posts() -> None:
    rows = select(
        """
        SELECT ?name ?role WHERE {
          ?post org:postIn orgn:ki-bundesverband ; org:role ?role ;
                org:heldBy/foaf:name ?name .
        }"""
    )
    assert {(r["name"], r["role"].rsplit("/", 1)[1]) for r in rows} == {
        ("Annika von Mutius", "president"),
        ("Daniel Abbou", "managing-director"),
    }


def test_summit_facts() -> None:
    summit = URIRef(f"{ID}event/summit-european-digital-sovereignty-2025")
    g = union()
    schema = Namespace("https://schema.org/")
    names = {n.language: str(n) for n in g.objects(summit, schema.name)}
    assert set(names) == {"en", "fr", "de"}
    assert g.value(summit, schema.startDate) == Literal("2025-11-18", datatype=XSD.date)
    assert g.value(g.value(summit, schema.location), schema.name, any=True) is not None
    aig = Namespace("https://w3id.org/aigraph/ontology#")
    assert int(g.value(summit, aig.participantsMoreThan)) == 900
    assert len(set(g.objects(summit, aig.hasArea))) == 4
    assert {str(o).rsplit("/", 1)[1] for o in g.objects(summit, schema.organizer)} == {
        "emmanuel-macron",
        "friedrich-merz",
    }
    agenda = g.value(summit, aig.implements)
    council = g.value(agenda, aig.adoptedAt)
    assert g.value(council, schema.startDate) == Literal("2025-08-29", datatype=XSD.date)
    partnerships = set(g.subjects(aig.announcedAt, summit))
    assert len(partnerships) == 4


def test_every_entity_has_a_source() -> None:
    d = dataset()
    missing = []
    for g in d.graphs():
        if not str(g.identifier).startswith(f"{GRAPH}curated/"):
            continue
        for s in set(g.subjects(RDF.type, None)):
            if str(s).startswith(ID) and (s, DCTERMS.source, None) not in g:
                missing.append((str(g.identifier), str(s)))
    assert not missing, missing


def test_each_graph_cites_its_own_source() -> None:
    """Facts in graph curated/{key} cite the page(s) the catalog says the graph derives from."""
    d = dataset()
    catalog = d.graph(URIRef(f"{GRAPH}catalog"))
    for name in graph_names():
        if not name.startswith(f"{GRAPH}curated/"):
            continue
        pages = set(catalog.objects(URIRef(name), PROV.wasDerivedFrom))
        assert pages, f"{name} is not described in the catalog"
        cited = set(d.graph(URIRef(name)).objects(None, DCTERMS.source))
        assert cited and cited <= pages, (name, cited - pages)


def test_catalog_describes_every_graph() -> None:
    catalog = dataset().graph(URIRef(f"{GRAPH}catalog"))
    described = {str(s) for s in catalog.subjects(RDF.type, DCAT.Dataset)}
    expected = graph_names() | {f"{GRAPH}ontology", f"{GRAPH}vocabulary", f"{GRAPH}catalog"}
    assert expected <= described, expected - described
    for name in described:
        lic = catalog.value(URIRef(name), DCTERMS.license)
        assert lic == (CC0 if name.endswith("/curated/ror") else CC_BY), name
    # each cited source page is described (type, publisher, language)
    for page in {
        o
        for o in union().objects(None, DCTERMS.source)
        if not str(o).startswith("https://ror.org/")
    }:
        assert (page, RDF.type, None) in catalog, page
        assert (page, DCTERMS.publisher, None) in catalog, page
        assert (page, DCTERMS.language, None) in catalog, page


def test_ror_organisations() -> None:
    g = dataset().graph(URIRef(f"{GRAPH}curated/ror"))
    orgs = {s for s in g.subjects(RDF.type, URIRef("http://www.w3.org/ns/org#FormalOrganization"))}
    assert len(orgs) == 12
    for o in orgs:
        rid = str(o).rsplit("ror-", 1)[1]
        assert (o, SKOS.exactMatch, URIRef(f"https://ror.org/{rid}")) in g
        assert (o, DCTERMS.source, URIRef(f"https://ror.org/{rid}")) in g
        country = g.value(o, URIRef("https://w3id.org/aigraph/ontology#country"))
        assert re.fullmatch(
            r"http://publications\.europa\.eu/resource/authority/country/(FRA|DEU|BEL)",
            str(country),
        )


def qids_in_data() -> set[str]:
    g = union()
    qids = {
        str(t)[len(WD) :]
        for triple in g
        for t in triple
        if isinstance(t, URIRef) and str(t).startswith(WD)
    }
    for ident in g.subjects(URIRef("http://www.w3.org/ns/adms#schemaAgency"), Literal("Wikidata")):
        qids.add(str(g.value(ident, SKOS.notation)))
    qids |= {str(o) for o in g.objects(None, SKOS.notation) if re.fullmatch(r"Q\d+", str(o))}
    return qids


def test_qids_only_on_ror_described_organisations() -> None:
    g = union()
    ror_graph = dataset().graph(URIRef(f"{GRAPH}curated/ror"))
    for s, o in g.subject_objects(SKOS.exactMatch):
        if str(o).startswith(WD):
            assert (s, SKOS.exactMatch, o) in ror_graph
    assert len(qids_in_data()) == 12
    for slug in ("hub-france-ia", "ki-bundesverband"):
        assert not [o for o in g.objects(URIRef(f"{ID}organisation/{slug}"), SKOS.exactMatch)]


def test_every_qid_is_stated_by_a_ror_record() -> None:
    if not ROR_RECORDS.is_dir():
        pytest.skip("ROR records not present beside the repository (shared/data/ror)")
    stated = set()
    for path in ROR_RECORDS.glob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        for ext in record["external_ids"]:
            if ext["type"] == "wikidata":
                stated |= set(ext["all"]) | ({ext["preferred"]} if ext.get("preferred") else set())
    assert qids_in_data() <= stated, qids_in_data() - stated
