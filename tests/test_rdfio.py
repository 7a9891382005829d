from pathlib import Path

import pyoxigraph as ox
import pytest

from aigraph.errors import InputError, RdfSyntaxError
from aigraph.rdfio import GENID, format_for, parse_file

FIX = Path(__file__).parent / "fixtures" / "rdf"


def test_syntax_error_names_file_and_line():
    with pytest.raises(RdfSyntaxError) as info:
        parse_file(FIX / "syntax-error.ttl")
    err = info.value
    assert err.line == 4
    assert "syntax-error.ttl" in str(err) and "line 4" in str(err)
    assert err.exit_code == 2


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.ttl", ox.RdfFormat.TURTLE),
        ("a.nt", ox.RdfFormat.N_TRIPLES),
        ("a.nq", ox.RdfFormat.N_QUADS),
        ("a.trig", ox.RdfFormat.TRIG),
        ("a.jsonld", ox.RdfFormat.JSON_LD),
        ("a.rdf", ox.RdfFormat.RDF_XML),
        ("a.owl", ox.RdfFormat.RDF_XML),
        ("a.xml", ox.RdfFormat.RDF_XML),
        ("a.nt.gz", ox.RdfFormat.N_TRIPLES),
    ],
)
def test_format_from_extension(name, expected):
    assert format_for(name) == expected


def test_unknown_extension_and_missing_file_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="unknown RDF format"):
        format_for("data.csv")
    with pytest.raises(InputError, match="no such file"):
        parse_file(tmp_path / "absent.ttl")


def test_blank_nodes_are_skolemised_deterministically():
    first = parse_file(FIX / "blank-nodes.ttl").quads
    second = parse_file(FIX / "blank-nodes.ttl").quads
    assert set(first) == set(second)
    terms = [t for q in first for t in (q.subject, q.object)]
    assert not any(isinstance(t, ox.BlankNode) for t in terms)
    assert any(isinstance(t, ox.NamedNode) and t.value.startswith(GENID) for t in terms)


def test_graph_option_puts_triples_in_the_named_graph():
    quads = parse_file(FIX / "plain.nt", graph="http://example.org/g").quads
    assert {q.graph_name for q in quads} == {ox.NamedNode("http://example.org/g")}
