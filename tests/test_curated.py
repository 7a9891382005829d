"""The curated dataset: conforms to the shapes, encodes the founding article's facts, cites a
source for every entity, has no blank nodes and states no identifier a record does not state."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from rdflib import RDF, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS, XSD

from aigraph.ontology import ontology_graph

ROOT = Path(__file__).resolve().parents[1]
CURATED = ROOT / "data" / "curated"
ROR_RECORDS = ROOT / "data" / "open" / "ror"  # the 12 real ROR records, shipped

ID = "https://w3id.org/aigraph/id/"
GRAPH = "https://w3id.org/aigraph/graph/"
S1 = URIRef(
    "https://www.alliancy.fr/france-allemagne-un-nouvel-accord-pour-renforcer-lia-souveraine-europeenne/amp"
)
S8 = URIRef(
    "https://www.ecoreseau.fr/entreprendre/reseaux-influence/"
    "hub-france-ia-veut-promouvoir-ladoption-de-lia-intelligence-pour-tous-2024-06-26-105940"
)
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
CC0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
WD = "http://www.wikidata.org/entity/"
ELYSEE_FR = (
    "https://www.elysee.fr/emmanuel-macron/2025/11/18/sommet-sur-la-souverainete-numerique-"
    "europeenne-des-engagements-emblematiques-pour-une-europe-plus-competitive-et-souveraine"
)

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
PREFIX otype: <https://w3id.org/aigraph/id/organisation-type/>
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
        # catalog.trig and the catalog-*.trig files of later waves all write graph/catalog
        is_catalog = path.stem == "catalog" or path.stem.startswith("catalog-")
        expected = f"{GRAPH}catalog" if is_catalog else f"{GRAPH}curated/{path.stem}"
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
    assert {r["t"] for r in dt} == {str(XSD.date)}


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
    # earlier presidents are in the graph too (their posts with the pages that name them)
    rows = [r for r in rows if r["name"] == "Rim Tehraoui"]
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
    assert {(r["name"], r["role"].rsplit("/", 1)[1]) for r in rows} >= {
        ("Annika von Mutius", "president"),
        ("Daniel Abbou", "managing-director"),
        ("Jörg Bienert", "president"),
        ("Jörg Bienert", "board-member"),
    }


def test_summit_facts() -> None:
    summit = URIRef(f"{ID}event/summit-european-digital-sovereignty-2025")
    g = union()
    schema = Namespace("https://schema.org/")
    aig = Namespace("https://w3id.org/aigraph/ontology#")
    names = {n.language: str(n) for n in g.objects(summit, schema.name)}
    assert set(names) == {"en", "fr", "de"}
    assert g.value(summit, schema.startDate) == Literal("2025-11-18", datatype=XSD.date)
    assert g.value(g.value(summit, schema.location), schema.name, any=True) is not None
    assert {str(o).rsplit("/", 1)[1] for o in g.objects(summit, aig.ledBy)} == {
        "emmanuel-macron",
        "friedrich-merz",
    }
    assert len(set(g.objects(summit, aig.hasArea))) == 4
    agenda = g.value(summit, aig.implements)
    council = g.value(agenda, aig.adoptedAt)
    assert g.value(council, schema.startDate) == Literal("2025-08-29", datatype=XSD.date)
    partnerships = {str(p).rsplit("/", 1)[1] for p in g.subjects(aig.announcedAt, summit)}
    assert partnerships >= {
        "sap-mistral-ai-2025",
        "delos-bleu-2025",
        "mistral-ai-helsing-2025",
        "france-germany-mistral-ai-sap-sovereign-ai-administration",
    }


def test_summit_names_each_from_a_page_in_that_language() -> None:
    """The French name comes from French text (S3 quotes the communiqué's title), not from the
    English Élysée page; the English page gives the English name only."""
    summit = URIRef(f"{ID}event/summit-european-digital-sovereignty-2025")
    name = URIRef("https://schema.org/name")
    s2 = dataset().graph(URIRef(f"{GRAPH}curated/s2-elysee-summit"))
    assert {n.language for n in s2.objects(summit, name)} == {"en"}
    s3 = dataset().graph(URIRef(f"{GRAPH}curated/s3-france-blog-gipfel"))
    assert Literal("Sommet sur la souveraineté numérique européenne", lang="fr") in set(
        s3.objects(summit, name)
    )


def test_summit_is_led_not_organised_by_the_leaders() -> None:
    """S3 says Macron and Merz led the summit; it names no organiser."""
    s3 = dataset().graph(URIRef(f"{GRAPH}curated/s3-france-blog-gipfel"))
    summit = URIRef(f"{ID}event/summit-european-digital-sovereignty-2025")
    assert not list(s3.objects(summit, URIRef("https://schema.org/organizer")))


def test_review_defects_stay_fixed() -> None:
    d = dataset()
    otype = f"{ID}organisation-type/"
    org_class = URIRef("http://www.w3.org/ns/org#classification")
    country = URIRef("https://w3id.org/aigraph/ontology#country")
    # S6 states neither IMT's type nor its country
    s6 = d.graph(URIRef(f"{GRAPH}curated/s6-imt-dialogue"))
    imt = URIRef(f"{ID}organisation/institut-mines-telecom")
    assert not list(s6.objects(imt, org_class)) and not list(s6.objects(imt, country))
    # S1 does not call Hub France IA an association; S7 and S8 do
    hfi = URIRef(f"{ID}organisation/hub-france-ia")
    assoc = URIRef(otype + "association")
    assert (hfi, org_class, assoc) not in d.graph(URIRef(f"{GRAPH}curated/s1-alliancy-accord"))
    for key in ("s7-hub-france-ia-launch", "s8-ecoreseau-tehraoui"):
        assert (hfi, org_class, assoc) in d.graph(URIRef(f"{GRAPH}curated/{key}")), key
    # the English name of the KI Bundesverband is in the graph of the English page that states it
    english = Literal("German AI Association", lang="en")
    kibv = URIRef(f"{ID}organisation/ki-bundesverband")
    holders = {str(c) for _, _, o, c in d.quads((kibv, SKOS.altLabel, None, None)) if o == english}
    assert holders == {f"{GRAPH}curated/s70-civic-innovation-german-ai-association"}
    # S3's own wording for the Toulon programme
    s3 = d.graph(URIRef(f"{GRAPH}curated/s3-france-blog-gipfel"))
    agenda = URIRef(f"{ID}agenda/franco-german-competitiveness-agenda-2025")
    assert set(s3.objects(agenda, SKOS.prefLabel)) == {
        Literal("Deutsch-französisches Wettbewerbsprogramm", lang="de")
    }


def test_fairer_digital_markets_french_label_is_the_communiques() -> None:
    g = ontology_graph()
    concept = URIRef(f"{ID}summit-area/fairer-digital-markets")
    fr = {str(o) for o in g.objects(concept, SKOS.prefLabel) if o.language == "fr"}
    assert fr == {"Marchés numériques plus justes"}
    assert (concept, DCTERMS.source, URIRef(ELYSEE_FR)) in g


def test_amounts_carry_currency_and_approximation() -> None:
    """S5: "about EUR 1 bn" in the body, "several billion dollars" in the headline: two amounts,
    each with its currency and qualifier, both in S5's graph; no bare number survives."""
    rows = select(
        """
        SELECT ?amount ?value ?currency ?q ?g WHERE {
          GRAPH ?g { ?summit aig:announcedAgreementValue ?amount .
                     ?amount schema:value ?value ; schema:currency ?currency .
                     OPTIONAL { ?amount aig:valueQualifier ?q } }
        }"""
    )
    s5 = f"{GRAPH}curated/s5-valdyerres-partnerships"
    got = {
        (r["currency"], r["value"], (r["q"] or "").rsplit("/", 1)[-1]) for r in rows if r["g"] == s5
    }
    assert got == {("EUR", "1000000000", "about"), ("USD", "1000000000", "more-than")}
    deprecated = {"announcedAgreementVolume", "participantsMoreThan"}
    aig = "https://w3id.org/aigraph/ontology#"
    assert not [t for t in union() if str(t[1]).removeprefix(aig) in deprecated]


SOURCE_PAGE_TYPES = {
    URIRef("https://schema.org/NewsArticle"),
    URIRef("https://schema.org/WebPage"),
    URIRef("https://schema.org/BlogPosting"),
}
HTTP_URL = re.compile(r"https?://[^/\s]+\.[^/\s]+(/\S*)?")


def cited_sources() -> dict[URIRef, set[str]]:
    """Every object of dcterms:source / prov:wasDerivedFrom in the curated data, the catalog and
    the vocabularies, with the graphs (or files) that cite it."""
    cited: dict[URIRef, set[str]] = {}
    for _, p, o, c in dataset().quads((None, None, None, None)):
        if p in (DCTERMS.source, PROV.wasDerivedFrom):
            cited.setdefault(o, set()).add(str(c))
    for o in ontology_graph().objects(None, DCTERMS.source):
        cited.setdefault(o, set()).add("ontology/vocabularies")
    return cited


def test_no_minted_source_iris() -> None:
    """A source is the URL of the page itself: an http(s) IRI outside aigraph's own namespace
    (the review found id/source/... IRIs minted for pages that are stored and reachable)."""
    bad = {
        str(o): sorted(where)
        for o, where in cited_sources().items()
        if not isinstance(o, URIRef)
        or not HTTP_URL.fullmatch(str(o))
        or str(o).startswith("https://w3id.org/aigraph/")
    }
    assert not bad, bad


def test_every_cited_page_is_described_in_the_catalog() -> None:
    """Each page a curated fact cites is a schema:NewsArticle/WebPage/BlogPosting in the catalog
    with its publisher and language (ROR records, cited by graph curated/ror, are records)."""
    catalog = dataset().graph(URIRef(f"{GRAPH}catalog"))
    undescribed = []
    for page in cited_sources():
        if str(page).startswith("https://ror.org/"):
            continue
        types = set(catalog.objects(page, RDF.type))
        if not (
            types & SOURCE_PAGE_TYPES
            and (page, DCTERMS.publisher, None) in catalog
            and (page, DCTERMS.language, None) in catalog
        ):
            undescribed.append(str(page))
    assert not undescribed, undescribed


def test_every_curated_statement_has_a_source_url() -> None:
    """Every subject of every curated graph (entities, posts, memberships, amounts, counts,
    places) cites, in that same graph, the URL of a page the catalog derives the graph from."""
    d = dataset()
    catalog = d.graph(URIRef(f"{GRAPH}catalog"))
    missing = []
    for name in graph_names():
        if not name.startswith(f"{GRAPH}curated/"):
            continue
        g = d.graph(URIRef(name))
        pages = set(catalog.objects(URIRef(name), PROV.wasDerivedFrom))
        for subject in set(g.subjects()):
            cited = set(g.objects(subject, DCTERMS.source))
            if (
                not cited
                or not cited <= pages
                or not all(HTTP_URL.fullmatch(str(c)) for c in cited)
            ):
                missing.append((name.rsplit("/", 1)[1], str(subject)))
    assert not missing, missing


def test_post_holders_belong_to_the_organisation_of_the_post() -> None:
    """A post is held in an organisation its holder is a member of. Roles bound to a kind of
    organisation say which (aig:heldInOrganisationType: a president of the republic in a state, a
    chancellor or minister in a government, an EU executive vice-president in an EU body), and
    their posts must be in an organisation of that kind. The review found the President of the
    Republic modelled as a post in the French Government, of which he is not a member."""
    bound = {str(role): {str(t) for t in types} for role, types in _held_in().items()}
    assert bound
    rows = select(
        """
        SELECT ?post ?org ?role (GROUP_CONCAT(DISTINCT STR(?type)) AS ?types) WHERE {
          ?post a org:Post ; org:postIn ?org ; org:role ?role .
          OPTIONAL { ?org org:classification ?type }
        } GROUP BY ?post ?org ?role"""
    )
    checked = [r for r in rows if r["role"] in bound]
    assert checked
    wrong = [
        (r["post"], sorted(bound[r["role"]]), r["types"])
        for r in checked
        if not set((r["types"] or "").split()) & bound[r["role"]]
    ]
    assert not wrong, wrong
    # the defect itself
    posts = {r["post"].rsplit("/", 1)[1] for r in rows}
    assert "french-government-president-of-the-republic-emmanuel-macron" not in posts
    assert "french-republic-president-of-the-republic-emmanuel-macron" in posts


def _held_in() -> dict[URIRef, set[URIRef]]:
    g = ontology_graph()
    held = URIRef("https://w3id.org/aigraph/ontology#heldInOrganisationType")
    out: dict[URIRef, set[URIRef]] = {}
    for role, t in g.subject_objects(held):
        out.setdefault(role, set()).add(t)
    return out


#: properties that pages may disagree on: the union may hold several values, one graph one
ONE_PER_GRAPH = [
    URIRef("https://schema.org/foundingDate"),
    URIRef("https://schema.org/startDate"),
    URIRef("https://schema.org/endDate"),
    URIRef("https://w3id.org/aigraph/ontology#signingDate"),
    URIRef("https://w3id.org/aigraph/ontology#announcedAgreementCount"),
    URIRef("https://w3id.org/aigraph/ontology#attendance"),
    URIRef("https://w3id.org/aigraph/ontology#expectedAttendance"),
]


def test_one_value_per_graph_for_facts_sources_disagree_on() -> None:
    d = dataset()
    several = []
    for name in graph_names():
        g = d.graph(URIRef(name))
        for p in ONE_PER_GRAPH:
            for subject in set(g.subjects(p, None)):
                values = set(g.objects(subject, p))
                if len(values) > 1:
                    several.append((name.rsplit("/", 1)[1], str(subject), str(p), sorted(values)))
    assert not several, several


def test_disagreements_are_kept_each_in_its_source_graph() -> None:
    """The founding day of the KI Bundesverband, the founding month of Mistral AI and the
    attendance of the summit: each value stays in the graph of the page that states it."""
    d = dataset()
    founding = URIRef("https://schema.org/foundingDate")

    def values(subject: str, p: URIRef) -> dict[str, str]:
        return {
            str(c).rsplit("/", 1)[1]: str(o)
            for _, _, o, c in d.quads((URIRef(f"{ID}{subject}"), p, None, None))
        }

    kibv = values("organisation/ki-bundesverband", founding)
    assert kibv["s9-ki-bundesverband-founding"] == "2018-03-15"
    assert kibv["s71-morgenpost-ki-bundesverband"] == "2018-03-16"
    mistral = values("organisation/mistral-ai", founding)
    assert mistral["s73-usine-digitale-mistral-ai"] == "2023-04-28"
    assert mistral["s72-larevuedudigital-mistral-ai"] == "2023-05"
    rows = select(
        """
        SELECT ?g ?p ?v ?q WHERE {
          GRAPH ?g { <https://w3id.org/aigraph/id/event/summit-european-digital-sovereignty-2025>
                       ?p ?n . ?n schema:value ?v . OPTIONAL { ?n aig:valueQualifier ?q } }
          FILTER(?p IN (aig:attendance, aig:expectedAttendance))
        }"""
    )
    seen = {
        (
            r["g"].rsplit("/", 1)[1],
            r["p"].rsplit("#", 1)[1],
            r["v"],
            (r["q"] or "").rsplit("/", 1)[-1],
        )
        for r in rows
    }
    assert {
        ("s2-elysee-summit", "attendance", "900", "more-than"),
        ("s76-transformit-gipfel", "attendance", "900", "about"),
        ("s74-bmds-gipfel-startet", "expectedAttendance", "1000", "more-than"),
        ("s75-lechiquiersocial-sommet", "expectedAttendance", "800", ""),
    } <= seen


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
    stated = set()
    for path in ROR_RECORDS.glob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        for ext in record["external_ids"]:
            if ext["type"] == "wikidata":
                stated |= set(ext["all"]) | ({ext["preferred"]} if ext.get("preferred") else set())
    assert qids_in_data() <= stated, qids_in_data() - stated


def test_no_curated_file_names_the_minted_source_namespace():
    """Sources are page URLs: not even a prefix for minted source IRIs stays in the files."""
    minted = "https://w3id.org/aigraph/id/source/"
    offenders = [p.name for p in sorted(CURATED.glob("*.trig")) if minted in p.read_text("utf-8")]
    assert offenders == []
