from pathlib import Path

import pyoxigraph as ox
import pytest

from aigraph import rdfio
from aigraph.errors import InputError, RdfSyntaxError
from aigraph.rdfio import GENID, format_for, parse_bytes, parse_file

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


RDF_XML_HEAD = (
    '<?xml version="1.0"?>{doctype}<rdf:RDF '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:p="http://example.org/p/">'
)


def _rdfxml(body: str, doctype: str = "") -> bytes:
    return (RDF_XML_HEAD.format(doctype=doctype) + body + "</rdf:RDF>").encode()


def test_an_entity_expansion_bomb_is_refused_before_the_engine():
    """Nested entities ("billion laughs") would have the engine expand them without end."""
    entities = '<!ENTITY a0 "xxxxxxxxxx">' + "".join(
        '<!ENTITY a{} "{}">'.format(i, f"&a{i - 1};" * 10) for i in range(1, 10)
    )
    data = _rdfxml(
        '<rdf:Description rdf:about="http://example.org/a"><p:p>&a9;</p:p></rdf:Description>',
        f"<!DOCTYPE rdf:RDF [{entities}]>",
    )
    with pytest.raises(RdfSyntaxError, match="entit") as err:
        parse_bytes(data, ox.RdfFormat.RDF_XML, source="upload.rdf")
    assert "upload.rdf" in str(err.value) and "line 1" in str(err.value)


def test_over_deep_rdf_xml_is_refused_with_its_line():
    n = rdfio.MAX_XML_DEPTH + 10
    body = "<rdf:Description><p:p>\n" * n + "x" + "</p:p></rdf:Description>" * n
    with pytest.raises(RdfSyntaxError, match="nested more than") as err:
        parse_bytes(_rdfxml(body), ox.RdfFormat.RDF_XML, source="deep.rdf")
    # rdf:RDF is the first level, then two elements a line: the 1001st opens on line 500
    assert f"line {rdfio.MAX_XML_DEPTH // 2}," in str(err.value)


def test_flat_entities_as_in_owl_files_still_parse():
    data = _rdfxml(
        '<rdf:Description rdf:about="&ex;a"><p:p>x</p:p></rdf:Description>',
        '<!DOCTYPE rdf:RDF [<!ENTITY ex "http://example.org/">]>',
    )
    (quad,) = parse_bytes(data, ox.RdfFormat.RDF_XML, source="ok.rdf")
    assert quad.subject == ox.NamedNode("http://example.org/a")
