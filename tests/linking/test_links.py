"""Identifier-proven links, candidate review (accept / reject) and their provenance."""

from __future__ import annotations

from pathlib import Path

import pytest

from aigraph.cli import main
from aigraph.importers.cordis import import_cordis
from aigraph.importers.ror import import_ror
from aigraph.linking import links
from aigraph.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ORG = "https://w3id.org/aigraph/id/organisation/"
INRIA_ROR, INRIA_PIC = f"{ORG}ror-02kvxyf05", f"{ORG}pic-999990003"


@pytest.fixture
def store() -> Store:
    s = Store()
    s.init()
    import_ror(s, sorted((FIXTURES / "ror").glob("0*.json")))
    import_cordis(s, FIXTURES / "cordis" / "valid")
    return s


def test_candidates_have_scores_and_evidence(store):
    found = links.find_candidates(store, left=["ror"], right=["cordis"])
    assert found[0].left == INRIA_ROR and found[0].right == INRIA_PIC
    assert found[0].score >= 0.9
    assert any("same country FRA" in e for e in found[0].evidence)


def test_accept_writes_a_close_match_with_provenance(store):
    links.accept(store, INRIA_ROR, INRIA_PIC, by="Ada Lovelace")
    assert store.query(
        f"ASK {{ GRAPH <{links.LINKS_GRAPH}> {{ <{INRIA_ROR}> skos:closeMatch <{INRIA_PIC}> . "
        f"?m owl:annotatedSource <{INRIA_ROR}> ; owl:annotatedTarget <{INRIA_PIC}> ; "
        "prov:wasAttributedTo/rdfs:label 'Ada Lovelace' ; prov:generatedAtTime ?t ; "
        "<https://w3id.org/sssom/similarity_score> ?s ; <https://w3id.org/sssom/comment> ?e } }"
    )
    assert not links.find_candidates(store, left=["ror"], right=["cordis"])  # decided
    [link] = links.list_links(store)
    assert not link.rejected and link.by == "Ada Lovelace" and link.score >= 0.9


def test_reject_is_remembered_and_not_proposed_again(store):
    links.accept(store, INRIA_ROR, INRIA_PIC, by="ada")
    links.reject(store, INRIA_ROR, INRIA_PIC, by="grace")  # a later decision replaces it
    assert not store.query(f"ASK {{ <{INRIA_ROR}> skos:closeMatch <{INRIA_PIC}> }}")
    [link] = links.list_links(store)
    assert link.rejected and link.by == "grace"
    assert not links.find_candidates(store, left=["ror"], right=["cordis"])


def test_identify_links_what_an_identifier_proves(store):
    # a CORDIS organisation that also states the ROR id, as a curated record would
    import pyoxigraph as ox

    g = ox.NamedNode("https://w3id.org/aigraph/graph/cordis")
    store.write(add=[ox.Quad(ox.NamedNode(INRIA_PIC),
                             ox.NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch"),
                             ox.NamedNode("https://ror.org/02kvxyf05"), g)])  # fmt: skip
    links.identify(store)
    assert store.query(
        f"ASK {{ GRAPH <{links.LINKS_GRAPH}> {{ <{INRIA_PIC}> skos:exactMatch <{INRIA_ROR}> . "
        "?m owl:annotatedSource ?a ; prov:wasDerivedFrom <https://ror.org/02kvxyf05> } }"
    )
    size = len(store)
    links.identify(store)  # idempotent
    assert len(store) == size


def test_cli(tmp_path, capsys):
    s = str(tmp_path / "s")
    assert main(["init", "--store", s]) == 0
    assert main(["import", "ror", str(FIXTURES / "ror" / "02kvxyf05.json"), "--store", s]) == 0
    assert main(["import", "cordis", str(FIXTURES / "cordis" / "valid"), "--store", s]) == 0
    capsys.readouterr()
    assert main(["links", "candidates", "--left", "ror", "--right", "cordis", "--store", s]) == 0
    assert INRIA_PIC in capsys.readouterr().out
    assert main(["links", "accept", INRIA_ROR, INRIA_PIC, "--by", "ada", "--store", s]) == 0
    assert main(["links", "list", "--store", s]) == 0
    assert '"by": "ada"' in capsys.readouterr().out
    assert main(["links", "identify", "--store", s]) == 0
