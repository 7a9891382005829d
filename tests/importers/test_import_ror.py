"""The ROR importer, on real records copied into the fixtures and on the 12 in data/open/ror."""

from __future__ import annotations

from pathlib import Path

import pytest

from aigraph.cli import main
from aigraph.importers.ror import build_quads, import_ror
from aigraph.importers.rows import MalformedRowError
from aigraph.store import Store


def fresh_store() -> Store:
    """An in-memory store with the ontology, vocabularies and curated data (what shapes need)."""
    store = Store()
    store.init()
    return store


HERE = Path(__file__).resolve()
FIXTURES = HERE.parents[1] / "fixtures" / "ror"
OPEN_DATA = HERE.parents[2] / "data" / "open"  # shipped real data
ORG = "https://w3id.org/aigraph/id/organisation/"
IDENT = "https://w3id.org/aigraph/id/identifier/"


@pytest.fixture(scope="module")
def store() -> Store:
    s = fresh_store()
    import_ror(s, sorted(FIXTURES.glob("0*.json")))
    return s


def test_names_in_several_languages(store):
    inria = f"<{ORG}ror-02kvxyf05>"
    assert store.query(
        f"ASK {{ {inria} skos:prefLabel "
        f"'Institut national de recherche en sciences et technologies du numérique'@fr, "
        f"'National Institute for Research in Digital Science and Technology'@en ; "
        f"skos:altLabel 'INRIA' }}"
    )
    n = store.query(
        "SELECT (COUNT(?l) AS ?n) WHERE { GRAPH <https://w3id.org/aigraph/graph/ror> "
        f"{{ {inria} skos:prefLabel ?l FILTER(LANG(?l) = 'fr') }} }}"
    )
    assert next(iter(n))["n"].value == "1"  # one preferred label per language


def test_identifiers(store):
    tum = f"<{ORG}ror-02kkvpp62>"
    assert store.query(
        f"ASK {{ {tum} adms:identifier <{IDENT}ror-02kkvpp62>, ?wd, ?isni, ?grid ; "
        f"skos:exactMatch <https://ror.org/02kkvpp62>, ?wdiri . "
        f"?wd adms:schemaAgency 'Wikidata' ; skos:notation ?q . "
        f"?isni adms:schemaAgency 'ISNI' . ?grid adms:schemaAgency 'GRID' "
        f"FILTER(STRSTARTS(STR(?wdiri), 'http://www.wikidata.org/entity/Q')) }}"
    )


def test_types_country_relationships(store):
    fhg = f"<{ORG}ror-05hkkdn48>"
    assert store.query(
        f"ASK {{ {fhg} aig:country <http://publications.europa.eu/resource/authority/country/DEU> ;"
        f" org:classification <https://w3id.org/aigraph/id/organisation-type/funder> ;"
        f" org:hasSubOrganization ?child ; schema:foundingDate ?y }}"
    )


def test_malformed_records():
    with pytest.raises(MalformedRowError) as err:
        build_quads([FIXTURES / "malformed.json"])
    assert err.value.row == 2 and "no names" in str(err.value)
    _q, report = build_quads([FIXTURES / "malformed.json"], on_error="skip")
    assert [p.row for p in report.problems] == [2, 3]
    assert report.kept == 1


def test_idempotent_and_cli(tmp_path):
    store_dir = str(tmp_path / "s")
    files = [str(p) for p in sorted(FIXTURES.glob("0*.json"))]
    assert main(["init", "--store", store_dir]) == 0
    assert main(["import", "ror", *files, "--store", store_dir]) == 0
    first = len(Store(store_dir))
    assert main(["import", "ror", *files, "--store", store_dir]) == 0
    assert len(Store(store_dir)) == first


def test_real_records():
    files = sorted((OPEN_DATA / "ror").glob("*.json"))
    store = fresh_store()
    report = import_ror(store, files)
    assert report.kept == 12
    n = store.query(
        "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o skos:exactMatch ?w "
        "FILTER(STRSTARTS(STR(?w), 'http://www.wikidata.org/entity/')) }"
    )
    assert next(iter(n))["n"].value == "12"


def test_zipped_dump_of_records(tmp_path):
    import json
    import zipfile

    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.glob("0*.json"))]
    dump = tmp_path / "v1.45-2024-05-16-ror-data.zip"
    with zipfile.ZipFile(dump, "w") as z:
        z.writestr("v1.45-2024-05-16-ror-data_schema_v2.json", json.dumps(records))
    _quads, report = build_quads([dump])
    assert report.kept == 3 and report.counts["organisations"] == 3
