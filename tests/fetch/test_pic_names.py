"""With CORDIS organisation data present, the PIC nodes of the H2020 participation network have
their names, countries and activity types: the participations file (no names) and a fetched
CORDIS export join on the PIC, in the network, the reconciliation service and SPARQL."""

from __future__ import annotations

import pytest
from loopback import H2020, Resource, cordis_zip

from aigraph import analytics as an
from aigraph.fetch import fetch
from aigraph.importers.cordis_participations import import_participations
from aigraph.linking.reconcile import reconcile
from aigraph.store import Store

ORG = "https://w3id.org/aigraph/id/organisation/pic-"
NAMES = {
    "999980001": ("UNIVERSITE EXEMPLE", "FRA", "university"),
    "999980002": ("BEISPIEL FORSCHUNGSZENTRUM GMBH", "DEU", "research-organisation"),
    "999980003": ("EXEMPLO ANALYTICS LDA", "PRT", "company"),
    "999980004": ("DIMOS PARADEIGMA", "GRC", "public-body"),
}


@pytest.fixture
def participations(tmp_path) -> Store:
    store = Store(tmp_path / "store")
    import_participations(store, H2020 / "participations.csv")
    return store


def labels(store: Store) -> dict[str, tuple[str, str, str]]:
    G = an.project(store, "co-participation")
    return {n[len(ORG) :]: (a["label"], a["country"], a["type"]) for n, a in G.nodes(data=True)}


def test_without_organisation_data_nodes_are_bare_pics(participations):
    got = labels(participations)
    assert {pic: label for pic, (label, _c, _t) in got.items()} == {
        pic: f"PIC {pic}" for pic in NAMES
    }
    # the participations file states country and type, not names
    assert {pic: (c, t) for pic, (_l, c, t) in got.items()} == {
        pic: (c, t) for pic, (_n, c, t) in NAMES.items()
    }


def test_a_fetched_cordis_export_names_every_node(participations, server, cache_dir):
    url = server.serve("/h2020.zip", Resource(cordis_zip(H2020)))
    report = fetch(participations, "cordis-h2020", url=url)
    assert report.imported is not None and report.imported.counts["organisations"] == 4
    assert labels(participations) == NAMES
    # the network's edges are the participations' (the two sources' roles are the same IRIs)
    G = an.project(participations, "co-participation")
    assert G[ORG + "999980001"][ORG + "999980002"]["weight"] == 1
    assert G[ORG + "999980002"][ORG + "999980004"]["weight"] == 1


def test_reconciliation_finds_a_pic_node_by_its_name(participations, server, cache_dir):
    url = server.serve("/h2020.zip", Resource(cordis_zip(H2020)))
    fetch(participations, "cordis-h2020", url=url)
    answer = reconcile(participations, {"q0": {"query": "Beispiel Forschungszentrum"}})
    best = answer["q0"]["result"][0]
    assert best["id"] == "organisation/pic-999980002"
    assert best["name"] == "BEISPIEL FORSCHUNGSZENTRUM GMBH"


def test_query_results_carry_the_names(participations, server, cache_dir):
    url = server.serve("/h2020.zip", Resource(cordis_zip(H2020)))
    fetch(participations, "cordis-h2020", url=url)
    rows = participations.query("""
        SELECT ?name ?country WHERE {
          GRAPH <https://w3id.org/aigraph/graph/cordis-h2020> {
            ?role eurio:isRoleOf ?org ; eurio:isInvolvedIn/eurio:rcn 900002 }
          ?org skos:prefLabel ?name ; aig:country ?country }""")
    assert {(r["name"].value, r["country"].value[-3:]) for r in rows} == {
        ("BEISPIEL FORSCHUNGSZENTRUM GMBH", "DEU"),
        ("DIMOS PARADEIGMA", "GRC"),
    }


def test_ai_only_names_the_participants_of_ai_projects(participations, server, cache_dir):
    url = server.serve("/h2020.zip", Resource(cordis_zip(H2020)))
    fetch(participations, "cordis-h2020", url=url, ai_only=True)
    got = {pic: label for pic, (label, _c, _t) in labels(participations).items()}
    assert got == {
        "999980001": "UNIVERSITE EXEMPLE",
        "999980002": "BEISPIEL FORSCHUNGSZENTRUM GMBH",
        "999980003": "EXEMPLO ANALYTICS LDA",
        "999980004": "PIC 999980004",  # only in the project outside the AI branch
    }
