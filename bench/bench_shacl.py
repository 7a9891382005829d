"""Time the SHACL-to-SPARQL engine on ~1 M synthetic CORDIS-shaped triples.

    python bench/bench_shacl.py [--projects 30000] [--pyshacl]

Generates projects, organisation roles and organisations (EURIO / W3C ORG, as in
docs/data-model.md), a few deliberate violations, and shapes like the bundled ones; then times
a full validation, a validation restricted to 100 k focus nodes and one to 10. With
``--pyshacl``, also pyshacl on the same data (after rdflib's parse, not timed) and the ratio.
"""

from __future__ import annotations

import argparse
import time

import pyoxigraph as ox
import rdflib

from aigraph.shacl import compile_shapes
from aigraph.validate import validate_store

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix eurio: <http://data.europa.eu/s66#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix aig: <https://w3id.org/aigraph/ontology#> .
@prefix b: <https://w3id.org/aigraph/shapes#bench-> .

b:Project a sh:NodeShape ; sh:targetClass eurio:Project ; sh:nodeKind sh:IRI ;
  sh:pattern "^https://w3id.org/aigraph/id/project/rcn-[0-9]+$" ;
  sh:property b:Project-identifier, b:Project-title, b:Project-start, b:Project-cost,
              b:Project-party, b:Project-roles .
b:Project-identifier sh:path eurio:identifier ; sh:minCount 1 ; sh:maxCount 1 ;
  sh:datatype xsd:string ; sh:pattern "^[0-9]+$" .
b:Project-title sh:path eurio:title ; sh:minCount 1 ; sh:maxLength 500 .
b:Project-start sh:path eurio:startDate ; sh:maxCount 1 ;
  sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:gYear ] ) .
b:Project-cost sh:path aig:totalCost ; sh:datatype xsd:decimal ; sh:minInclusive 0 .
b:Project-party sh:path eurio:hasInvolvedParty ; sh:class eurio:OrganisationRole .
b:Project-roles sh:path ( eurio:hasInvolvedParty eurio:isRoleOf ) ; sh:class org:Organization .

b:Role a sh:NodeShape ; sh:targetClass eurio:OrganisationRole ;
  sh:property b:Role-of, b:Role-in, b:Role-label, b:Role-contribution, b:Role-back .
b:Role-of sh:path eurio:isRoleOf ; sh:minCount 1 ; sh:maxCount 1 ; sh:class org:Organization .
b:Role-in sh:path eurio:isInvolvedIn ; sh:minCount 1 ; sh:maxCount 1 ; sh:class eurio:Project .
b:Role-label sh:path eurio:roleLabel ; sh:minCount 1 ;
  sh:in ( "coordinator" "participant" "partner" "associatedPartner" "thirdParty" ) .
b:Role-contribution sh:path aig:ecContribution ; sh:datatype xsd:decimal ; sh:minInclusive 0 .
b:Role-back sh:path [ sh:inversePath eurio:hasInvolvedParty ] ; sh:minCount 1 .

b:Organisation a sh:NodeShape ; sh:targetClass org:Organization ;
  sh:property b:Org-label, b:Org-alt, b:Org-country .
b:Org-label sh:path skos:prefLabel ; sh:minCount 1 ; sh:uniqueLang true ;
  sh:languageIn ( "en" "fr" "de" ) .
b:Org-alt sh:path skos:altLabel ; sh:maxLength 200 .
b:Org-country sh:path aig:country ; sh:maxCount 1 ; sh:nodeKind sh:IRI ;
  sh:pattern "^http://publications.europa.eu/resource/authority/country/[A-Z]{3}$" .
"""


def generate(projects: int) -> str:
    """N-Triples for ``projects`` projects, 3 roles each and one organisation per project."""
    ID, E, A = (
        "https://w3id.org/aigraph/id/",
        "http://data.europa.eu/s66#",
        "https://w3id.org/aigraph/ontology#",
    )
    T, X = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "http://www.w3.org/2001/XMLSchema#"
    ORG, SKOS = "http://www.w3.org/ns/org#", "http://www.w3.org/2004/02/skos/core#"
    labels = ("coordinator", "participant", "partner")
    out = []
    for i in range(projects):
        p = f"<{ID}project/rcn-{i}>"
        out += [
            f"{p} {T} <{E}Project> .",
            f'{p} <{E}identifier> "{100000 + i}" .',
            f'{p} <{E}rcn> "{i}" .',
            f'{p} <{E}title> "Project number {i}" .',
            f'{p} <{E}startDate> "2020-01-01"^^<{X}date> .',
            f'{p} <{E}endDate> "2023-12-31"^^<{X}date> .',
            f'{p} <{A}totalCost> "{1000 + i}.50"^^<{X}decimal> .',
            f'{p} <{A}frameworkProgramme> "H2020" .',
        ]
        o = f"<{ID}organisation/pic-{i}>"
        out += [
            f"{o} {T} <{ORG}Organization> .",
            f'{o} <{SKOS}prefLabel> "Org {i}"@en .',
            f'{o} <{SKOS}altLabel> "O{i}" .',
            f"{o} <{A}country> <http://publications.europa.eu/resource/authority/country/FRA> .",
        ]
        for k, label in enumerate(labels):
            r = f"<{ID}project-role/rcn-{i}-{k}>"
            org = f"<{ID}organisation/pic-{(i + k) % projects}>"
            out += [
                f"{r} {T} <{E}OrganisationRole> .",
                f"{r} <{E}isRoleOf> {org} .",
                f"{r} <{E}isInvolvedIn> {p} .",
                f'{r} <{E}roleLabel> "{label}" .',
                f'{r} <{A}ecContribution> "{100 + k}"^^<{X}decimal> .',
                f"{p} <{E}hasInvolvedParty> {r} .",
            ]
    # a few violations
    out += [
        f'<{ID}project/rcn-0> <{E}identifier> "x1" .',
        f'<{ID}project-role/rcn-1-0> <{E}roleLabel> "boss" .',
        f'<{ID}organisation/pic-2> <{SKOS}prefLabel> "Org 2 bis"@en .',
    ]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=30000)
    parser.add_argument("--pyshacl", action="store_true", help="also time pyshacl (slow)")
    args = parser.parse_args()
    data = generate(args.projects)
    store = ox.Store()
    t = time.perf_counter()
    store.bulk_load(data.encode(), ox.RdfFormat.N_TRIPLES)
    print(
        f"{len(store):,} triples, {args.projects * 5:,} entities; "
        f"load {time.perf_counter() - t:.1f} s"
    )
    shapes = rdflib.Graph().parse(data=SHAPES, format="turtle")
    print(f"{len(compile_shapes(shapes))} compiled checks")

    t = time.perf_counter()
    report = full_report = validate_store(store, shapes=shapes)
    full = time.perf_counter() - t
    print(f"full validation: {full:.2f} s, {len(report.results)} results")
    print(report.text(limit=10))

    subjects = {q.subject for q in store.quads_for_pattern(None, None, None, None)}
    focus = sorted(subjects, key=str)[:100_000]
    t = time.perf_counter()
    report = validate_store(store, shapes=shapes, focus_nodes=focus)
    print(f"100k focus nodes: {time.perf_counter() - t:.2f} s, {len(report.results)} results")
    few = [ox.NamedNode(f"https://w3id.org/aigraph/id/project/rcn-{i}") for i in range(10)]
    t = time.perf_counter()
    report = validate_store(store, shapes=shapes, focus_nodes=few)
    print(
        f"10 focus nodes: {(time.perf_counter() - t) * 1000:.0f} ms, {len(report.results)} results"
    )

    if args.pyshacl:
        from aigraph.validate import pyshacl_report

        g = rdflib.Graph().parse(data=data, format="nt")
        t = time.perf_counter()
        ref = pyshacl_report(g, shapes)
        took = time.perf_counter() - t
        print(f"pyshacl: {took:.1f} s, {len(ref.results)} results ({took / full:.1f}x aigraph's)")
        same = {(r.focus_node, r.source_shape, r.constraint_component) for r in ref.results}
        print(
            "same results as pyshacl:",
            same
            == {
                (r.focus_node, r.source_shape, r.constraint_component) for r in full_report.results
            },
        )


if __name__ == "__main__":
    main()
