"""The named queries researchers ask (src/aigraph/queries/*.rq): each run on real data (the
curated graph, the real H2020 participations slice, CORDIS exports in the official layout) with
its parameters bound as the API and CLI bind them, and on small hand-made graphs whose answers
are worked out by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox
import pytest

from aigraph.importers import cordis, cordis_participations
from aigraph.sparql import canned
from aigraph.store import Store

ROOT = Path(__file__).resolve().parents[1]
CORDIS_EXPORT = ROOT / "tests" / "fixtures" / "cordis" / "valid"
H2020_SLICE = ROOT / "tests" / "fixtures" / "cordis-participations" / "h2020-sample.csv"

ID = "https://w3id.org/aigraph/id/"
GRAPH = "https://w3id.org/aigraph/graph/curated/"
AIG = "https://w3id.org/aigraph/ontology#"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
NEW = (
    "conflicting-statements",
    "organisations-in-several-initiatives",
    "people-in-several-organisations",
    "projects-with-two-countries",
)


def run(store: ox.Store | Store, name: str, **params: str) -> list[dict[str, str | None]]:
    """Run a named query as the service does: parameters bound by substitution, never spliced."""
    query = canned.get(name)
    subs = {}
    for var, kind, value, datatype, _lang in canned.bind(query, params):
        if kind == "iri":
            term: ox.NamedNode | ox.Literal = ox.NamedNode(value)
        else:
            term = (
                ox.Literal(value, datatype=ox.NamedNode(datatype))
                if datatype
                else ox.Literal(value)
            )
        subs[ox.Variable(var)] = term
    target = store.ox if isinstance(store, Store) else store
    solutions = target.query(query.sparql, use_default_graph_as_union=True, substitutions=subs)
    names = [v.value for v in solutions.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in solutions]


@pytest.fixture(scope="module")
def curated() -> Store:
    store = Store()
    store.init()  # ontology, vocabularies, curated data and catalog, as `aigraph init` loads them
    return store


def tail(iri: str | None) -> str:
    return (iri or "").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def trig(text: str) -> ox.Store:
    store = ox.Store()
    prefixes = """
        @prefix : <http://example.org/> .
        @prefix aig: <https://w3id.org/aigraph/ontology#> .
        @prefix org: <http://www.w3.org/ns/org#> .
        @prefix foaf: <http://xmlns.com/foaf/0.1/> .
        @prefix schema: <https://schema.org/> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        @prefix country: <http://publications.europa.eu/resource/authority/country/> .
    """
    store.load(prefixes + text, format=ox.RdfFormat.TRIG)
    return store


# ----------------------------------------------------------------------------- the catalogue
@pytest.mark.parametrize("name", sorted(canned.catalogue()))
def test_every_named_query_speaks_english_french_and_german(name: str) -> None:
    query = canned.get(name)
    for texts in (query.titles, query.descriptions):
        assert {"en", "fr", "de"} <= set(texts), (name, texts)
        assert all(texts[lang].strip() for lang in ("en", "fr", "de")), (name, texts)
    assert query.title == query.titles["en"] and query.description == query.descriptions["en"]
    assert set(NEW) <= set(canned.catalogue())


def test_header_parser_reads_languages_and_quoted_defaults() -> None:
    q = canned.parse(
        "x",
        "# title: T\n# title@de: T-de\n# description@fr: D-fr\n"
        '# param: field literal default="artificial intelligence" A field\n'
        "# param: n literal default=H2020 Programme\nSELECT * {}",
    )
    assert q.titles == {"en": "T", "de": "T-de"} and q.descriptions["fr"] == "D-fr"
    assert [(p.name, p.default) for p in q.params] == [
        ("field", "artificial intelligence"),
        ("n", "H2020"),
    ]


# ----------------------------------------------------------------------------- conflicts
def test_conflicting_statements_in_the_curated_graph(curated: Store) -> None:
    rows = run(curated, "conflicting-statements")
    by = {}
    for r in rows:
        by.setdefault((tail(r["entity"]), tail(r["property"])), set()).add(
            (tail(r["graph"]), r["value"], r["unit"], tail(r["qualifier"]) or None)
        )
    assert {
        ("s9-ki-bundesverband-founding", "2018-03-15", None, None),
        ("s71-morgenpost-ki-bundesverband", "2018-03-16", None, None),
    } <= by[("ki-bundesverband", "foundingDate")]
    assert {
        ("s73-usine-digitale-mistral-ai", "2023-04-28", None, None),
        ("s72-larevuedudigital-mistral-ai", "2023-05", None, None),
    } <= by[("mistral-ai", "foundingDate")]
    summit = "summit-european-digital-sovereignty-2025"
    assert {
        ("s2-elysee-summit", "900", "participants", "more-than"),
        ("s76-transformit-gipfel", "900", "participants", "about"),
    } <= by[(summit, "attendance")]
    assert {
        ("s74-bmds-gipfel-startet", "1000", "participants", "more-than"),
        ("s75-lechiquiersocial-sommet", "800", "participants", None),
    } <= by[(summit, "expectedAttendance")]
    # one page, two totals: headline and body
    assert {
        ("s5-valdyerres-partnerships", "1000000000", "EUR", "about"),
        ("s5-valdyerres-partnerships", "1000000000", "USD", "more-than"),
    } <= by[(summit, "announcedAgreementValue")]
    # every row names the page it comes from, and that page is described in the catalog
    assert all(r["source"] and r["source"].startswith("http") for r in rows)
    pages = {r["source"] for r in rows}
    described = {
        s.value
        for (s,) in curated.query(
            "SELECT ?s WHERE { GRAPH <https://w3id.org/aigraph/graph/catalog> "
            "{ ?s dcterms:publisher ?p } }"
        )
    }
    assert pages <= described, pages - described
    # Hub France IA: founded "2017" (S8) and on 2017-12-20 (S7) is no disagreement
    assert ("hub-france-ia", "foundingDate") not in by


def test_conflicting_statements_for_one_entity(curated: Store) -> None:
    rows = run(curated, "conflicting-statements", entity=f"{ID}organisation/ki-bundesverband")
    assert {tail(r["entity"]) for r in rows} == {"ki-bundesverband"}
    assert {(r["value"], r["source"]) for r in rows} >= {
        ("2018-03-15", "https://the-decoder.de/?p=6088"),
        (
            "2018-03-16",
            "https://www.morgenpost.de/web-wissen/web-technik/article214050045/"
            "Kuenstliche-Intelligenz-bedeutet-nicht-nur-Horror-Szenarien.html",
        ),
    }


def test_what_counts_as_a_conflict() -> None:
    store = trig(
        """
        :g1 { :a schema:foundingDate "2018-03-15"^^xsd:date ; dcterms:source :p1 .
              :b schema:foundingDate "2017"^^xsd:gYear ; dcterms:source :p1 .
              :c schema:foundingDate "2020-01-01"^^xsd:date ; dcterms:source :p1 .
              :e aig:budget :m1 . :m1 schema:value 5 ; schema:currency "EUR" ; dcterms:source :p1 .
              :f aig:budget :m3 . :m3 schema:value 7 ; schema:currency "EUR" ;
                                      dcterms:source :p1 . }
        :g2 { :a schema:foundingDate "2018-03-16"^^xsd:date ; dcterms:source :p2 .
              :b schema:foundingDate "2017-12-20"^^xsd:date ; dcterms:source :p2 .
              :c schema:foundingDate "2020-01-01"^^xsd:date ; dcterms:source :p2 .
              :e aig:budget :m2 . :m2 schema:value 5 ; schema:currency "USD" ; dcterms:source :p2 .
              :f aig:budget :m4 . :m4 schema:value 7 ; schema:currency "EUR" ;
                                      dcterms:source :p2 . }
        """
    )
    rows = run(store, "conflicting-statements")
    got = {(tail(r["entity"]), r["value"], r["unit"], tail(r["graph"])) for r in rows}
    assert got == {
        ("a", "2018-03-15", None, "g1"),  # two different days
        ("a", "2018-03-16", None, "g2"),
        ("e", "5", "EUR", "g1"),  # same figure, different currency
        ("e", "5", "USD", "g2"),
    }
    # b: a year and a day inside it; c: the same day twice; f: the same amount twice


# ----------------------------------------------------------------------------- initiatives
def test_organisations_in_several_franco_german_initiatives(curated: Store) -> None:
    rows = run(curated, "organisations-in-several-initiatives")
    assert rows and all(int(r["initiatives"]) > 1 for r in rows)
    assert {r["country1"] for r in rows} == {f"{COUNTRY}FRA"}
    assert {r["country2"] for r in rows} == {f"{COUNTRY}DEU"}
    found = {tail(r["organisation"]): r for r in rows}
    # the two governments: the Toulon programme (S3) and the partnership with Mistral AI and
    # SAP (S4); Mistral AI: that partnership and the one with Helsing, a Munich company (S5)
    for slug in ("french-government", "german-federal-government", "mistral-ai"):
        assert slug in found, sorted(found)
    assert "Partnerschaft zwischen Mistral AI und Helsing" in found["mistral-ai"]["initiativeNames"]


def test_which_initiatives_are_bilateral() -> None:
    store = trig(
        """
        :g {
          :fr1 a org:Organization ; aig:country country:FRA .
          :fr2 a org:Organization ; aig:country country:FRA .
          :de1 a org:Organization ; aig:country country:DEU .
          :it1 a org:Organization ; aig:country country:ITA .
          :nobody a org:Organization .
          :i1 a aig:CooperationAgreement ; aig:hasParty :fr1 , :de1 .
          :i2 a schema:Project , org:Organization ; aig:steeredBy :de1 .
          :m a org:Membership ; org:organization :i2 ; org:member :fr1 .
          :m2 a org:Membership ; org:organization :i2 ; org:member :nobody .
          :i3 a aig:Partnership ; aig:hasParty :fr1 , :fr2 .
          :i4 a schema:EventSeries ; schema:organizer :fr2 ; aig:supportedBy :it1 .
          :i5 a aig:PolicyAgenda ; aig:hasParty :fr2 , :de1 , :it1 .
        }"""
    )
    rows = run(store, "organisations-in-several-initiatives")
    assert {(tail(r["organisation"]), r["initiatives"]) for r in rows} == {
        ("fr1", "2"),  # i1 and i2 (i3 is French only)
        ("de1", "3"),  # i1, i2, i5
    }
    rows = run(store, "organisations-in-several-initiatives", country2=f"{COUNTRY}ITA")
    assert {(tail(r["organisation"]), r["initiatives"]) for r in rows} == {
        ("fr2", "2"),  # i4 and i5
        ("it1", "2"),
    }


# ----------------------------------------------------------------------------- people
def test_people_in_several_organisations(curated: Store) -> None:
    rows = run(curated, "people-in-several-organisations")
    found = {tail(r["person"]): r for r in rows}
    # The Decoder (S9) names the board of the KI Bundesverband and each member's company
    for slug, company in (
        ("jorg-bienert", "aiso-lab"),
        ("rasmus-rothe", "Merantix"),
        ("fabian-behringer", "ebot7"),
    ):
        assert slug in found, sorted(found)
        assert company in found[slug]["positions"]
        assert "KI Bundesverband (Board member)" in found[slug]["positions"]
    # cross-check: the people whose posts and memberships reach two organisations
    expected = {
        tail(s.value)
        for (s,) in curated.query(
            """SELECT ?p WHERE {
                 { ?h a org:Post ; org:heldBy ?p ; org:postIn ?o }
                 UNION { ?h a org:Membership ; org:member ?p ; org:organization ?o }
                 ?p a foaf:Person }
               GROUP BY ?p HAVING (COUNT(DISTINCT ?o) > 1)"""
        )
    }
    assert set(found) == expected


def test_people_in_several_organisations_on_a_date() -> None:
    store = trig(
        """
        :g {
          :ada a foaf:Person ; foaf:name "Ada" .
          :o1 a org:Organization ; skos:prefLabel "One"@en .
          :o2 a org:Organization ; skos:prefLabel "Two"@en .
          :p1 a org:Post ; org:heldBy :ada ; org:postIn :o1 ;
              schema:startDate "2019"^^xsd:gYear ; schema:endDate "2020-06"^^xsd:gYearMonth .
          :m1 a org:Membership ; org:member :ada ; org:organization :o2 ;
              schema:startDate "2020-03-01"^^xsd:date .
        }"""
    )
    assert [r["name"] for r in run(store, "people-in-several-organisations")] == ["Ada"]
    # both running: the post ends in June 2020, the membership began in March
    assert len(run(store, "people-in-several-organisations", date="2020-06-30")) == 1
    assert run(store, "people-in-several-organisations", date="2020-07-01") == []
    assert run(store, "people-in-several-organisations", date="2019-12-31") == []


def test_role_holders_on_a_date_respect_the_start(curated: Store) -> None:
    """Regression: the date filter was never applied (BOUND() does not see a substituted
    parameter), so a 2024 president was listed for 2020."""
    hfi = f"{ID}organisation/hub-france-ia"
    president = f"{ID}role/president"

    def names(date: str) -> set[str | None]:
        rows = run(curated, "role-holders", organisation=hfi, role=president, date=date)
        return {r["name"] for r in rows}

    assert "Rim Tehraoui" not in names("2020-01-01")
    assert "Rim Tehraoui" in names("2024-01-15")  # the start is known to the month: 2024-01
    assert "Rim Tehraoui" in names("2025-12-01")


# ----------------------------------------------------------------------------- CORDIS projects
def test_projects_with_french_and_german_participants_in_the_real_h2020_slice() -> None:
    """The real H2020 participations slice (no EuroSciVoc classification in it, so every field:
    an empty field value) against the same question asked of the CSV directly."""
    store = ox.Store()
    quads, _ = cordis_participations.build_quads(H2020_SLICE)
    store.extend(quads)
    rows = run(store, "projects-with-two-countries", field="")
    countries: dict[str, dict[str, set[str]]] = {}
    with H2020_SLICE.open(newline="", encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            countries.setdefault(rec["rcn"], {}).setdefault(rec["country"], set()).add(rec["pic"])
    expected = {
        rcn: (len(c["FR"]), len(c["DE"])) for rcn, c in countries.items() if "FR" in c and "DE" in c
    }
    assert expected, "the slice has Franco-German projects"
    got = {
        r["project"].rsplit("rcn-", 1)[1]: (int(r["participants1"]), int(r["participants2"]))
        for r in rows
    }
    assert got == expected
    assert {r["programme"] for r in rows} == {"H2020"}
    # the default field is artificial intelligence: without EuroSciVoc data nothing qualifies
    assert run(store, "projects-with-two-countries") == []


def test_ai_projects_by_euroscivoc_field_in_a_cordis_export() -> None:
    """CORDIS exports in the official layout: TRUSTAI (HORIZON; French, British and Greek
    participants) is classified under artificial intelligence and machine learning; ROBOLEARN
    (H2020, machine learning) has one French participant only."""
    store = ox.Store()
    quads, _ = cordis.build_quads(CORDIS_EXPORT)
    store.extend(quads)
    assert run(store, "projects-with-two-countries") == []  # H2020, AI, FR+DE: none here
    gbr = f"{COUNTRY}GBR"
    rows = run(store, "projects-with-two-countries", programme="HORIZON", country2=gbr)
    assert [(r["acronym"], r["participants1"], r["participants2"]) for r in rows] == [
        ("TRUSTAI", "1", "1")
    ]
    assert rows[0]["field"] == "artificial intelligence"
    # a narrower field matches the project's own classification; an unrelated one does not
    assert len(run(store, "projects-with-two-countries", programme="HORIZON", country2=gbr,
                   field="machine learning")) == 1  # fmt: skip
    assert run(store, "projects-with-two-countries", programme="HORIZON", country2=gbr,
               field="agriculture, forestry, and fisheries") == []  # fmt: skip
