"""The raw CORDIS importer, on fixtures written from the CORDIS headers and on real exports."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from aigraph.cli import main
from aigraph.importers.cordis import GRAPH_IRI, build_quads, import_cordis, money
from aigraph.importers.rows import MalformedRowError
from aigraph.store import Store


def fresh_store() -> Store:
    """An in-memory store with the ontology, vocabularies and curated data (what shapes need)."""
    store = Store()
    store.init()
    return store


HERE = Path(__file__).resolve()
FIXTURES = HERE.parents[1] / "fixtures" / "cordis"
ID = "https://w3id.org/aigraph/id/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"


def ask(store: Store, body: str) -> bool:
    return bool(store.query(f"ASK {{ {body} }}"))


def values(store: Store, subject: str, predicate: str) -> set[str]:
    return {
        q.object.value
        for q in store.ox.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None)
    }


@pytest.fixture
def imported() -> Store:
    store = fresh_store()
    import_cordis(store, FIXTURES / "valid")
    return store


def test_money_uses_the_comma_as_decimal_separator():
    assert money("4999875,5", "x") == Decimal("4999875.5")
    assert money("", "x") is None
    with pytest.raises(ValueError, match="not an amount"):
        money("12OO", "x")


def test_projects_roles_and_organisations(imported):
    p = f"{ID}project/rcn-241001"
    assert values(imported, p, "http://data.europa.eu/s66#title") == {
        "Trustworthy AI; methods and tools"  # a quoted field holding ';'
    }
    assert values(imported, p, "https://w3id.org/aigraph/ontology#totalCost") == {"4999875.5"}
    assert ask(imported, f"<{p}> eurio:hasAcronym/eurio:shortForm 'TRUSTAI'")
    role = f"{ID}project-role/rcn-241001-pic-999990001-coordinator"
    assert ask(
        imported,
        f"<{role}> a eurio:OrganisationRole ; eurio:isInvolvedIn <{p}> ; "
        f"eurio:isRoleOf <{ID}organisation/pic-999990001> ; "
        f"aig:ecContribution 1500000.25",
    )
    certh = f"{ID}organisation/pic-999990001"
    assert values(imported, certh, "https://w3id.org/aigraph/ontology#country") == {f"{COUNTRY}GRC"}
    assert values(imported, certh, "http://www.w3.org/2004/02/skos/core#prefLabel") == {
        "ETHNIKO KENTRO EREVNAS; TECHNOLOGIKIS ANAPTYXIS"
    }
    assert ask(
        imported,
        f"<{certh}> adms:identifier [ skos:notation '999990001' ; "
        f"adms:schemaAgency 'European Commission' ] ; "
        f"adms:identifier <{ID}identifier/vat-EL123456789> ; "
        f"schema:location 'THESSALONIKI' ; schema:latitude 40.5667 ; "
        f"org:classification <{ID}organisation-type/research-organisation>",
    )
    edinburgh = f"{ID}organisation/pic-999990002"
    assert values(imported, edinburgh, "https://w3id.org/aigraph/ontology#country") == {
        f"{COUNTRY}GBR"
    }
    # empty fields leave the property out
    soil = f"{ID}organisation/pic-999990004"
    assert not values(imported, soil, "https://schema.org/location")
    assert not values(imported, soil, "https://schema.org/latitude")
    # an organisation in two projects is one node with two roles
    inria = f"{ID}organisation/pic-999990003"
    n = list(imported.query(f"SELECT (COUNT(?r) AS ?n) WHERE {{ ?r eurio:isRoleOf <{inria}> }}"))
    assert n[0]["n"].value == "2"


def test_euroscivoc_classification(imported):
    p = f"{ID}project/rcn-241001"
    assert ask(
        imported,
        f"<{p}> dcterms:subject ?c . ?c skos:prefLabel 'machine learning'@en ; "
        f"skos:broader+ ?ai . ?ai skos:prefLabel 'artificial intelligence'@en",
    )


def test_ai_only_keeps_the_ai_branch():
    _quads, report = build_quads(FIXTURES / "valid", ai_only=True)
    assert report.counts["projects"] == 2  # 241001 (AI + ML) and 231003 (ML), not the soil one
    store = fresh_store()
    import_cordis(store, FIXTURES / "valid", ai_only=True)
    assert not ask(store, f"<{ID}project/rcn-241002> ?p ?o")
    assert not ask(store, f"<{ID}organisation/pic-999990004> ?p ?o")
    assert ask(store, f"<{ID}project/rcn-231003> a eurio:Project")


def test_import_is_idempotent_and_replaces_its_graph():
    store = fresh_store()
    first = import_cordis(store, FIXTURES / "valid")
    size = len(store)
    again = import_cordis(store, FIXTURES / "valid")
    assert len(store) == size and again.write.after == first.write.after
    import_cordis(store, FIXTURES / "valid", ai_only=True)  # the non-AI project goes
    assert not ask(store, f"<{ID}project/rcn-241002> ?p ?o")
    assert len(store) < size


def test_graph_is_described_in_the_catalog(imported):
    assert ask(
        imported,
        f"GRAPH <https://w3id.org/aigraph/graph/catalog> {{ <{GRAPH_IRI}> "
        "a dcat:Dataset, prov:Entity ; dcterms:license "
        "<https://creativecommons.org/licenses/by/4.0/> ; dcterms:source ?s ; "
        "prov:generatedAtTime ?d ; dcterms:title ?t FILTER(LANG(?t) = 'fr') }",
    )


def test_malformed_rows_fail_the_import_with_their_row_number():
    store = fresh_store()
    with pytest.raises(MalformedRowError) as err:
        import_cordis(store, FIXTURES / "malformed")
    assert err.value.row == 3 and "organization.csv" in str(err.value)
    assert "'ZZ'" in str(err.value)
    assert not store.query(f"ASK {{ GRAPH <{GRAPH_IRI}> {{ ?s ?p ?o }} }}")  # nothing written


def test_malformed_rows_are_skipped_and_reported():
    store = fresh_store()
    report = import_cordis(store, FIXTURES / "malformed", on_error="skip")
    assert [(p.row, p.message.split(" ")[0]) for p in report.problems] == [
        (3, "country"),
        (4, "ecContribution"),
        (5, "expected"),
    ]
    assert ask(store, f"<{ID}organisation/pic-999990004> a org:Organization")


def test_cli(tmp_path, capsys):
    assert main(["init", "--store", str(tmp_path / "s")]) == 0
    code = main(
        [
            "import",
            "cordis",
            str(FIXTURES / "malformed"),
            "--store",
            str(tmp_path / "s"),
            "--on-error",
            "skip",
        ]
    )
    assert code == 0
    err = capsys.readouterr().err
    assert "organization.csv, row 4: ecContribution" in err
    assert (
        main(["import", "cordis", str(FIXTURES / "malformed"), "--store", str(tmp_path / "t")]) == 2
    )


@pytest.mark.slow
def test_real_cordis_export(tmp_path):
    """A real CORDIS export, too large to ship: the archive ``aigraph fetch cordis h2020`` keeps
    in its cache (fetch it once, then ``pytest -m slow``)."""
    from aigraph.config import get_settings
    from aigraph.fetch.sources import SOURCES

    archive = get_settings().cache / "cordis-h2020.zip"
    if not archive.is_file():
        pytest.skip(f"no CORDIS H2020 export in {archive}: run `aigraph fetch cordis h2020` once")
    directory = SOURCES["cordis-h2020"].prepare(archive, tmp_path, get_settings().fetch_max_bytes)
    _quads, report = build_quads(directory, on_error="skip", ai_only=True)
    assert report.counts["projects"] > 0
