"""The ontology and vocabularies: they parse, every aig: term and every concept is labelled in
English, French and German, the OWL 2 RL closure of everything curated is consistent, and every
class and property the curated data and the shapes use is declared."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import owlrl
import pytest
from rdflib import OWL, RDF, RDFS, XSD, BNode, Dataset, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, SKOS

ROOT = Path(__file__).resolve().parents[1]
AIG = Namespace("https://w3id.org/aigraph/ontology#")
#: owlrl reports an inconsistency as ``[] a err:ErrorMessage ; err:error "..."`` (owlrl.Closure)
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")
LANGS = {"en", "fr", "de"}
BUILT_IN = (str(RDF), str(RDFS), str(OWL), str(SH), str(XSD))

ONTOLOGY_FILES = sorted(p for p in (ROOT / "ontology").glob("*.ttl") if "vocab" not in p.name)
VOCABULARY_FILES = sorted(p for p in (ROOT / "ontology").glob("*.ttl") if "vocab" in p.name)
SHAPES_FILES = sorted((ROOT / "shapes").glob("*.ttl"))
CURATED_FILES = sorted((ROOT / "data" / "curated").glob("*.trig"))


def parse(paths: list[Path]) -> Graph:
    g = Graph()
    for p in paths:
        g.parse(p, format="turtle")
    return g


@lru_cache(maxsize=1)
def ontology() -> Graph:
    return parse(ONTOLOGY_FILES)


@lru_cache(maxsize=1)
def vocabularies() -> Graph:
    return parse(VOCABULARY_FILES)


@lru_cache(maxsize=1)
def curated() -> Graph:
    """All curated named graphs (and the catalog) merged into one graph."""
    g = Graph()
    for p in CURATED_FILES:
        d = Dataset()
        d.parse(p, format="trig")
        for s, p_, o, _ in d.quads():
            g.add((s, p_, o))
    return g


@pytest.mark.parametrize(
    "path", ONTOLOGY_FILES + VOCABULARY_FILES + SHAPES_FILES + CURATED_FILES, ids=lambda p: p.name
)
def test_file_parses(path: Path) -> None:
    if path.suffix == ".trig":
        d = Dataset()
        d.parse(path, format="trig")
        assert len(d) > 0
    else:
        assert len(Graph().parse(path, format="turtle")) > 0


def test_files_exist() -> None:
    assert ONTOLOGY_FILES and VOCABULARY_FILES and SHAPES_FILES and CURATED_FILES


def aig_terms() -> set[URIRef]:
    g = ontology()
    return {s for s in g.subjects() if isinstance(s, URIRef) and s.startswith(str(AIG))}


def test_required_aig_terms_declared() -> None:
    g = ontology()
    for name in ("CooperationAgreement", "Partnership", "Summit"):
        assert (AIG[name], RDF.type, OWL.Class) in g
    for name in ("hasParty", "signedAt", "hasPriority", "announcedAt", "hasArea", "country"):
        assert (AIG[name], RDF.type, OWL.ObjectProperty) in g
    for name in (
        "signingDate",
        "totalCost",
        "ecMaxContribution",
        "ecContribution",
        "frameworkProgramme",
    ):
        assert (AIG[name], RDF.type, OWL.DatatypeProperty) in g
    mutual = URIRef(
        "https://spec.edmcouncil.org/fibo/ontology/FND/Agreements/Agreements/MutualAgreement"
    )
    assert (AIG.CooperationAgreement, RDFS.subClassOf, mutual) in g
    assert (AIG.Partnership, RDFS.subClassOf, mutual) in g
    assert (AIG.Summit, RDFS.subClassOf, URIRef("https://schema.org/Event")) in g


@pytest.mark.parametrize("term", sorted(aig_terms()), ids=lambda t: t.split("#")[1])
def test_aig_term_labelled_and_defined_in_three_languages(term: URIRef) -> None:
    g = ontology()
    for prop in (RDFS.label, SKOS.definition):
        langs = [o.language for o in g.objects(term, prop)]
        assert set(langs) >= LANGS, f"{term} {prop}: languages {langs}"
        assert len(langs) == len(set(langs)), f"{term} {prop}: two values in one language"


def test_every_aig_term_used_anywhere_is_declared() -> None:
    used = set()
    for g in (curated(), parse(SHAPES_FILES), vocabularies()):
        used |= {
            t for triple in g for t in triple if isinstance(t, URIRef) and t.startswith(str(AIG))
        }
    assert used <= aig_terms(), sorted(used - aig_terms())


def concepts() -> list[URIRef]:
    return sorted(vocabularies().subjects(RDF.type, SKOS.Concept))


@pytest.mark.parametrize("concept", concepts(), ids=lambda c: c.split("/id/")[1])
def test_concept_has_labels_and_scheme(concept: URIRef) -> None:
    g = vocabularies()
    langs = [o.language for o in g.objects(concept, SKOS.prefLabel)]
    assert sorted(langs) == sorted(LANGS), f"{concept}: prefLabel languages {langs}"
    schemes = set(g.objects(concept, SKOS.inScheme))
    assert schemes and schemes <= set(g.subjects(RDF.type, SKOS.ConceptScheme))
    assert set(g.objects(concept, SKOS.topConceptOf)) <= schemes
    for scheme in schemes:
        assert scheme.startswith("https://w3id.org/aigraph/id/scheme/")
        assert concept.startswith(scheme.replace("/scheme/", "/") + "/")


def test_required_concepts_present() -> None:
    g = vocabularies()
    base = "https://w3id.org/aigraph/id/"
    required = {
        "priority": [
            "sovereign-ai",
            "innovation-capacity",
            "cross-border-rd",
            "regulatory-harmonisation",
        ],
        "summit-area": [
            "simplification",
            "fairer-digital-markets",
            "data-sovereignty",
            "digital-commons",
        ],
        "role": ["president", "managing-director"],
        "organisation-type": [
            "association",
            "company",
            "research-organisation",
            "university",
            "public-body",
            "government",
        ],
        "project-role": [
            "coordinator",
            "participant",
            "partner",
            "associated-partner",
            "third-party",
        ],
    }
    for scheme, slugs in required.items():
        s = URIRef(f"{base}scheme/{scheme}")
        assert (s, RDF.type, SKOS.ConceptScheme) in g
        assert {o.language for o in g.objects(s, SKOS.prefLabel)} >= LANGS
        for slug in slugs:
            c = URIRef(f"{base}{scheme}/{slug}")
            assert (c, SKOS.topConceptOf, s) in g and (s, SKOS.hasTopConcept, c) in g


def test_owl_rl_closure_is_consistent() -> None:
    g = Graph()
    g += ontology()
    g += vocabularies()
    g += curated()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    errors = [
        str(m) for e in g.subjects(RDF.type, ERR.ErrorMessage) for m in g.objects(e, ERR.error)
    ]
    assert not errors, errors
    assert not list(g.subjects(RDF.type, OWL.Nothing))
    # the closure did run: the agreement is inferred to be a FIBO mutual agreement
    assert (
        URIRef("https://w3id.org/aigraph/id/agreement/hub-france-ia-ki-bundesverband-2025"),
        RDF.type,
        URIRef(
            "https://spec.edmcouncil.org/fibo/ontology/FND/Agreements/Agreements/MutualAgreement"
        ),
    ) in g


def declared() -> set[URIRef]:
    g = ontology()
    kinds = (
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        RDF.Property,
    )
    return {s for k in kinds for s in g.subjects(RDF.type, k)}


def built_in(term: URIRef) -> bool:
    return str(term).startswith(BUILT_IN)


def used_in_data() -> set[URIRef]:
    g = curated() + vocabularies()
    used = set(g.predicates())
    used |= {o for o in g.objects(None, RDF.type) if isinstance(o, URIRef)}
    return used


def used_in_shapes() -> set[URIRef]:
    g = parse(SHAPES_FILES)
    used = set(g.predicates())
    for p in (SH.targetClass, SH["class"], SH.targetSubjectsOf, SH.targetObjectsOf):
        used |= set(g.objects(None, p))
    used |= {o for o in g.objects(None, RDF.type) if isinstance(o, URIRef)}
    for path in g.objects(None, SH.path):
        if isinstance(path, URIRef):
            used.add(path)
        elif (inverse := g.value(path, SH.inversePath)) is not None:
            used.add(inverse)
        else:
            used |= set(Collection(g, path))
    return used


@pytest.mark.parametrize("where", ["data", "shapes"])
def test_every_used_class_and_property_is_declared(where: str) -> None:
    used = used_in_data() if where == "data" else used_in_shapes()
    missing = {t for t in used if not built_in(t)} - declared()
    assert not missing, sorted(missing)


def test_reused_terms_point_to_their_vocabulary() -> None:
    g = ontology()
    for term in declared():
        if term.startswith(str(AIG)):
            continue
        defined_by = g.value(term, RDFS.isDefinedBy)
        assert defined_by is not None, f"{term} has no rdfs:isDefinedBy"
        assert str(term).startswith(str(defined_by).rstrip("#/")), (term, defined_by)


def test_no_blank_nodes_in_ontology_and_vocabularies() -> None:
    for g in (ontology(), vocabularies()):
        assert not any(isinstance(t, BNode) for triple in g for t in triple)


def test_ontology_stays_light() -> None:
    """No axioms that would make the closure explode or clash with the data."""
    g = ontology()
    for p in (OWL.disjointWith, OWL.propertyDisjointWith, OWL.complementOf, OWL.AllDisjointClasses):
        assert not list(g.triples((None, p, None))) and not list(g.subjects(RDF.type, p))
    for k in (OWL.FunctionalProperty, OWL.InverseFunctionalProperty):
        assert not list(g.subjects(RDF.type, k))
