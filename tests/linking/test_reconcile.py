"""Reconciliation candidates on the curated store, the meaning of their scores, and an index
that never answers from an old state of the store (a label changed, or an acronym moved to
another organisation, leaves the store's size as it was)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from aigraph.api import create_app
from aigraph.config import Settings
from aigraph.linking import reconcile as rc
from aigraph.linking import search
from aigraph.linking.search import Condition, Entity, Index, Query
from aigraph.store import Store

ID = "https://w3id.org/aigraph/id/"
INRIA, FRAUNHOFER = "organisation/ror-02kvxyf05", "organisation/ror-05hkkdn48"
HUB, DFKI = "organisation/hub-france-ia", "organisation/dfki"
SKOS = "http://www.w3.org/2004/02/skos/core#"
#: curated pages where DFKI and Inria are both organisations
BOTH_TYPED = ("s27-inria-dfki-mou", "s35-dfki-inria-mou-invitation", "s36-diplomatie-inria-dfki")


@pytest.fixture(scope="module")
def curated() -> Store:
    store = Store()
    store.init()
    return store


@pytest.fixture
def curated_copy() -> Store:
    store = Store()
    store.init()
    return store


def best(store, text: str, limit: int = 10) -> list[dict]:
    return rc.reconcile(store, {"q": {"query": text, "limit": limit}})["q"]["result"]


def features(candidate: dict) -> dict:
    return {f["id"]: f["value"] for f in candidate["features"]}


def test_inria_is_found_by_its_acronym(curated):
    found = best(curated, "Inria")
    assert found[0]["id"] == INRIA
    assert found[0]["score"] == search.ACRONYM and found[0]["match"] is True
    assert features(found[0])["acronym_exact"] is True
    assert all(c["score"] <= found[0]["score"] - search.MATCH_MARGIN for c in found[1:])


def test_fraunhofer_is_found_by_its_short_name(curated):
    found = best(curated, "Fraunhofer")
    assert found[0]["id"] == FRAUNHOFER
    assert found[0]["score"] == search.SHORT_NAME
    assert features(found[0])["short_name"] is True
    assert found[0]["match"] is False  # a short name is a candidate to review
    # its full names and its acronym score higher
    assert best(curated, "Fraunhofer-Gesellschaft")[0]["score"] == search.EXACT_NAME
    fhg = best(curated, "FHG")[0]
    assert fhg["id"] == FRAUNHOFER and fhg["score"] == search.ACRONYM


def test_limit_gives_more_candidates_when_more_exist(curated):
    three = best(curated, "Max Planck", limit=3)
    assert len(three) == 3
    assert three[0]["id"] == "organisation/max-planck-society" or "Society" in three[0]["name"]
    assert three[0]["score"] == search.SHORT_NAME > three[1]["score"] >= three[2]["score"]
    assert best(curated, "Max Planck", limit=1) == three[:1]


def test_the_score_tiers():
    """One organisation, asked for by each kind of name: the scores order the evidence."""
    ent = Entity(
        "x", rc.ORGANISATION,
        ["Beispiel-Gesellschaft für Forschung", "Beispiel Research Society", "BGF"], preferred=2,
    )  # fmt: skip
    idx = Index({"x": ent})

    def score(text: str) -> float:
        (cand,) = search.search(idx, Query([Condition("name", [text])]))
        return cand.score

    assert score("BEISPIEL GESELLSCHAFT FUR FORSCHUNG") == search.EXACT_NAME
    assert score("bgf") == search.ACRONYM
    assert score("Beispiel Research") == search.SHORT_NAME
    assert search.MIN_SCORE <= score("Beispiel Gesellschaft") < search.SHORT_NAME
    assert search.search(idx, Query([Condition("name", ["Nichts"])])) == []


def test_a_property_alone_names_no_one_but_an_identifier_does(curated):
    assert search.search(rc.index(curated), Query([Condition("property", ["x"], "country")])) == []
    (hit,) = search.search(rc.index(curated), Query([Condition("property", ["02kvxyf05"], "ror")]))
    assert hit.entity.iri == ID + INRIA and hit.score == search.EXACT_NAME


def _label_quads(store: Store, iri: str, prop: str, text: str) -> list[ox.Quad]:
    return [
        q
        for q in store.ox.quads_for_pattern(ox.NamedNode(ID + iri), ox.NamedNode(SKOS + prop), None)
        if isinstance(q.object, ox.Literal) and q.object.value == text
    ]


def _relabel(store: Store, quads: list[ox.Quad], iri: str | None, text: str | None) -> None:
    """Each quad again, with another subject or text: the store keeps its size. Validation is
    left out: this is about the index, and the shapes have their own tests."""
    new = [
        ox.Quad(
            ox.NamedNode(ID + iri) if iri else q.subject,
            q.predicate,
            ox.Literal(text, language=q.object.language) if text else q.object,
            q.graph_name,
        )
        for q in quads
    ]
    size, version = len(store), store.version
    store.write(add=new, remove=quads, validate=False)
    assert len(store) == size and store.version > version


def test_a_changed_label_is_seen_though_the_size_stays(curated_copy):
    store = curated_copy
    old = rc.index(store)
    assert rc.index(store) is old  # built once per version
    assert best(store, "Hub France IA")[0]["score"] == search.EXACT_NAME
    quads = _label_quads(store, HUB, "prefLabel", "Hub France IA")
    assert len(quads) > 1  # several pages state it
    _relabel(store, quads, None, "Hub Intelligence Artificielle France")
    assert rc.index(store) is not old
    new = best(store, "Hub Intelligence Artificielle France")
    assert new[0]["id"] == HUB and new[0]["score"] == search.EXACT_NAME
    assert all(c["score"] < search.EXACT_NAME for c in best(store, "Hub France IA"))


def test_an_acronym_moved_to_another_organisation_is_seen_through_the_service(curated_copy):
    """The service caches answers per store version: once the pages that type both DFKI and
    Inria give the acronym to Inria (and the other pages another acronym to DFKI), "DFKI"
    finds Inria."""
    store = curated_copy
    with TestClient(create_app(Settings(workers=0), store)) as client:

        def top(text: str) -> dict:
            body = client.post("/reconcile/match", json={"queries": [
                {"conditions": [{"matchType": "name", "propertyValue": text}]}]})  # fmt: skip
            assert body.status_code == 200, body.text
            return body.json()["results"][0]["candidates"][0]

        assert top("DFKI")["id"] == DFKI
        quads = _label_quads(store, DFKI, "altLabel", "DFKI")
        both = {f"{ID.replace('/id/', '/graph/')}curated/{page}" for page in BOTH_TYPED}
        _relabel(store, [q for q in quads if q.graph_name.value in both], INRIA, None)
        _relabel(store, [q for q in quads if q.graph_name.value not in both], None, "GRCAI")
        moved = top("DFKI")
        assert moved["id"] == INRIA and moved["score"] == search.ACRONYM
        assert top("GRCAI")["id"] == DFKI
