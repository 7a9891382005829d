"""Linked-data entity pages at ``/id/{kind}/{slug}``: content negotiation (each RDF syntax
parsed back and compared as a graph with what the store holds), 404s, escaping, the reader's
language, the browser-friendly service descriptions, and the page in a real headless Chromium."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from test_ui import chromium, dump_dom

from aigraph.store import Store

HUB = "https://w3id.org/aigraph/id/organisation/hub-france-ia"
HUB_PATH = "/id/organisation/hub-france-ia"
PRESIDENT_PATH = "/id/role/president"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
FORMATS = {
    "text/turtle": ("turtle", "ttl"),
    "application/n-triples": ("nt", "nt"),
    "application/ld+json": ("json-ld", "jsonld"),
    "application/rdf+xml": ("xml", "rdf"),
}


def expected(store: Store, iri: str) -> Graph:
    """Every triple with ``iri`` as subject or object, from every graph, read from the store
    without SPARQL."""
    node = ox.NamedNode(iri)
    g = Graph()
    for pattern in ((node, None, None, None), (None, None, node, None)):
        for q in store.ox.quads_for_pattern(*pattern):
            g.add(tuple(_rdflib(t) for t in (q.subject, q.predicate, q.object)))
    return g


def _rdflib(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:  # rdflib parses a plain literal without one
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise AssertionError(f"unexpected term {term!r}")


@pytest.mark.parametrize("media", list(FORMATS))
def test_each_rdf_syntax_is_the_entitys_description(client, read_store, media):
    rdflib_format, _alias = FORMATS[media]
    want = expected(read_store, HUB)
    assert len(want) > 30  # its own statements and the posts and memberships pointing to it
    r = client.get(HUB_PATH, headers={"Accept": media})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    assert "Accept" in r.headers["vary"]
    got = Graph().parse(data=r.content, format=rdflib_format)
    assert isomorphic(got, want)
    assert len(got) == len(want)  # each triple once, however many graphs state it


@pytest.mark.parametrize("media", list(FORMATS))
def test_format_parameter_for_links_wins_over_accept(client, read_store, media):
    rdflib_format, alias = FORMATS[media]
    r = client.get(HUB_PATH, params={"format": alias}, headers={"Accept": BROWSER})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    assert isomorphic(
        Graph().parse(data=r.content, format=rdflib_format), expected(read_store, HUB)
    )


def test_a_browser_gets_a_page_with_the_statements_and_their_sources(client):
    r = client.get(HUB_PATH, headers={"Accept": BROWSER})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "Accept" in r.headers["vary"]
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "script-src" not in csp
    links = Links()
    links.feed(r.text)
    assert "<h1>Hub France IA</h1>" in r.text
    # the pages that state it, each a link; posts pointing to it link to their own pages
    assert (
        "https://lemagit.fr/actualites/450432209/Hub-France-IA-lIA-francaise-se-met-en-etat-de-marche"
        in links.hrefs
    )
    assert "/id/post/hub-france-ia-president-patrick-albert?lang=en" in links.hrefs
    assert "/id/person/nathanael-ackerman?lang=en" in links.hrefs
    assert 'title="https://w3id.org/aigraph/graph/curated/s7-hub-france-ia-launch"' in r.text
    # each statement once: the French label, stated by several graphs, is one row
    assert r.text.count('>Hub France IA <span class="muted">@fr</span>') == 1
    # the query page, prefilled with a DESCRIBE of the entity
    assert any(h.startswith("/?query=DESCRIBE+%3Chttps%3A%2F%2Fw3id.org") for h in links.hrefs)
    assert all(re.match(r"^(/|https?://)", h) for h in links.hrefs), links.hrefs


def test_unknown_entities_are_404(client):
    r = client.get("/id/organisation/no-such-organisation", headers={"Accept": "text/turtle"})
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert "no-such-organisation" in r.json()["detail"]
    page = client.get("/id/organisation/no-such-organisation", headers={"Accept": BROWSER})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "https://w3id.org/aigraph/id/organisation/no-such-organisation" in page.text


def test_language_from_accept_language_or_the_lang_parameter(client):
    titles = {}
    for lang, header in (("en", "en-GB,en;q=0.9"), ("fr", "fr-FR,fr;q=0.9,en;q=0.5"),
                         ("de", "de;q=0.8, fr;q=0.2")):  # fmt: skip
        r = client.get(PRESIDENT_PATH, headers={"Accept": BROWSER, "Accept-Language": header})
        assert r.headers["content-language"] == lang
        assert f'<html lang="{lang}">' in r.text
        titles[lang] = re.search(r"<h1>(.*?)</h1>", r.text).group(1)
    assert titles == {"en": "President", "fr": "Président", "de": "Präsident"}
    switched = client.get(
        PRESIDENT_PATH, params={"lang": "de"}, headers={"Accept": BROWSER, "Accept-Language": "fr"}
    )
    assert "<h1>Präsident</h1>" in switched.text
    # an unsupported language falls back to English
    other = client.get(PRESIDENT_PATH, headers={"Accept": BROWSER, "Accept-Language": "ja"})
    assert "<h1>President</h1>" in other.text


def test_values_from_the_data_are_escaped_and_never_linked_unless_http(write_client):
    store = write_client.app.state.store
    hub = ox.NamedNode(HUB)
    graph = ox.NamedNode("https://w3id.org/aigraph/graph/curated/s7-hub-france-ia-launch")
    evil = '<script>alert("x")</script> & Co'
    store.write([ox.Quad(hub, ox.NamedNode(SKOS_PREF), ox.Literal(evil, language="en"), graph)])
    r = write_client.get(HUB_PATH, params={"lang": "en"}, headers={"Accept": BROWSER})
    assert r.status_code == 200
    assert "<script>" not in r.text
    assert "<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co</h1>" in r.text
    # the new label is in the RDF too, as data
    g = Graph().parse(data=write_client.get(HUB_PATH, params={"format": "nt"}).content, format="nt")
    assert (URIRef(HUB), URIRef(SKOS_PREF), Literal(evil, lang="en")) in g


def test_malformed_path_segments_are_bad_input(client):
    r = client.get("/id/organisation/%3Cx%3E", headers={"Accept": "text/turtle"})
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("path", ["/sparql", "/.well-known/void"])
def test_service_descriptions_open_in_a_browser(client, path):
    r = client.get(path, headers={"Accept": BROWSER})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "attachment" not in r.headers.get("content-disposition", "")
    assert "Accept" in r.headers["vary"]
    assert "&lt;" in r.text and "@prefix" in r.text  # the Turtle, escaped, shown in the page
    # RDF clients still get RDF, by Accept or ?format=
    rdf = client.get(path, headers={"Accept": "text/turtle"})
    assert rdf.headers["content-type"].startswith("text/turtle")
    linked = client.get(path, params={"format": "nt"}, headers={"Accept": BROWSER})
    assert linked.headers["content-type"].startswith("application/n-triples")
    assert len(Graph().parse(data=rdf.content, format="turtle")) > 10


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.hrefs += [v for k, v in attrs if k in {"href", "src", "action"} and v]


# -- a real browser ------------------------------------------------------------------------------


@pytest.mark.skipif(chromium() is None, reason="no Chromium installed: the entity page is not "
                    "tried in a real browser")  # fmt: skip
def test_entity_page_in_headless_chromium(served, tmp_path):
    dom = dump_dom(served + HUB_PATH, tmp_path / "profile", budget_ms=None)
    assert "<h1>Hub France IA</h1>" in dom, dom[-3000:]
    assert (
        '<a href="https://www.silicon.fr/hub-france-ia-think-tank-filiere-194681.html">silicon.fr</a>'
        in dom
    )
    assert '<table id="statements">' in dom and '<table id="incoming">' in dom
