"""The EU country authority table importer."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from aigraph.importers.cordis import import_cordis
from aigraph.importers.countries import (
    ALPHA2,
    ALPHA3,
    GRAPH_IRI,
    bundled_table,
    import_countries,
    load_table,
)
from aigraph.store import Store


def fresh_store() -> Store:
    """An in-memory store with the ontology, vocabularies and curated data (what shapes need)."""
    store = Store()
    store.init()
    return store


HERE = Path(__file__).resolve()
C = "http://publications.europa.eu/resource/authority/country/"


@pytest.fixture(scope="module")
def store() -> Store:
    s = fresh_store()
    import_countries(s)
    import_cordis(s, HERE.parents[1] / "fixtures" / "cordis" / "valid")
    return s


def test_codes_resolve_through_the_tables_legacy_codes():
    t = load_table()
    assert t.from_cordis("EL") == C + "GRC"
    assert t.from_cordis("UK") == C + "GBR"
    assert t.from_cordis("FR") == C + "FRA"
    assert t.from_iso2("GB") == C + "GBR"
    assert t.from_iso2("GR") == C + "GRC"
    assert t.from_cordis("ZZ") is None
    assert t.version == "20221214-0"


def test_all_concepts_with_deprecated_ones(store):
    n = store.query(
        f"SELECT (COUNT(?c) AS ?n) WHERE {{ GRAPH <{GRAPH_IRI}> {{ ?c a skos:Concept }} }}"
    )
    assert next(iter(n))["n"].value == "284"
    dep = store.query(
        "PREFIX at: <http://publications.europa.eu/ontology/authority/> "
        "SELECT (COUNT(?c) AS ?n) WHERE { ?c a skos:Concept ; at:deprecated 'true' }"
    )
    assert next(iter(dep))["n"].value == "31"


def test_iso_notations(store):
    assert store.query(f'ASK {{ <{C}GBR> skos:notation "GB"^^<{ALPHA2}>, "GBR"^^<{ALPHA3}> }}')
    assert store.query(f'ASK {{ <{C}GRC> skos:notation "GR"^^<{ALPHA2}> }}')


def test_every_country_in_the_graph_has_labels_and_codes(store):
    rows = store.query(
        f"""SELECT DISTINCT ?c WHERE {{ ?x aig:country ?c
        FILTER NOT EXISTS {{ GRAPH <{GRAPH_IRI}> {{
            ?c skos:prefLabel ?en, ?fr, ?de ; skos:notation ?code
            FILTER(LANG(?en) = "en" && LANG(?fr) = "fr" && LANG(?de) = "de") }} }} }}"""
    )
    assert [r["c"].value for r in rows] == []
    assert store.query(f'ASK {{ <{C}GRC> skos:prefLabel "Grèce"@fr, "Griechenland"@de }}')


def test_import_is_idempotent(store):
    before = len(store)
    import_countries(store)
    assert len(store) == before


def test_bundled_copy_is_the_documented_table():
    """The shipped table is the published file data/reference/README.md names (its sha256)."""
    readme = (HERE.parents[2] / "data" / "reference" / "README.md").read_text(encoding="utf-8")
    documented = re.search(r"sha256 `([0-9a-f]{64})`", readme)
    assert documented, "data/reference/README.md states the table's sha256"
    assert hashlib.sha256(bundled_table().read_bytes()).hexdigest() == documented.group(1)
