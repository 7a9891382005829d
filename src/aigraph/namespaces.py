"""Namespaces and IRI minting. See docs/data-model.md (the IRIs are fixed once published)."""

from __future__ import annotations

import re
import unicodedata

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

AIG = Namespace("https://w3id.org/aigraph/ontology#")
AIGSH = Namespace("https://w3id.org/aigraph/shapes#")
AIGF = Namespace("https://w3id.org/aigraph/function#")
ID = "https://w3id.org/aigraph/id/"
GRAPH = "https://w3id.org/aigraph/graph/"
EURIO = Namespace("http://data.europa.eu/s66#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SCHEMA = Namespace("https://schema.org/")
PERSON = Namespace("http://www.w3.org/ns/person#")
FIBO_AGR = Namespace("https://spec.edmcouncil.org/fibo/ontology/FND/Agreements/Agreements/")
COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
SH = Namespace("http://www.w3.org/ns/shacl#")
VOID = Namespace("http://rdfs.org/ns/void#")
WD = Namespace("http://www.wikidata.org/entity/")

PREFIXES: dict[str, str] = {
    "aig": str(AIG),
    "aigsh": str(AIGSH),
    "aigf": str(AIGF),
    "eurio": str(EURIO),
    "org": str(ORG),
    "foaf": str(FOAF),
    "person": str(PERSON),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "schema": str(SCHEMA),
    "adms": str(ADMS),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
    "void": str(VOID),
    "country": str(COUNTRY),
    "wd": str(WD),
    "fibo-fnd-agr-agr": str(FIBO_AGR),
}


def sparql_prefixes() -> str:
    """The PREFIX lines for every namespace above, to prepend to a query."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def slugify(text: str) -> str:
    """Lower-case ASCII slug: ``slugify("KI Bundesverband e.V.") == "ki-bundesverband-e-v"``."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-")


def entity(kind: str, slug: str) -> str:
    """IRI of an entity: ``entity("organisation", "hub-france-ia")``."""
    return f"{ID}{kind}/{slug}"


def graph(source: str) -> str:
    """IRI of a named graph: ``graph("cordis")``, ``graph("curated/alliancy-2025-accord")``."""
    return f"{GRAPH}{source}"
