"""The links between organisations of different graphs, kept in ``graph/links``.

Two kinds of link, each with its provenance on an ``owl:Axiom`` node that carries SSSOM
mapping metadata and PROV (see docs/decisions/0005-links-and-their-predicates.md):

- **identifier-proven**: two organisations share a ROR id, a PIC or a Wikidata QID ->
  ``skos:exactMatch``, ``prov:wasDerivedFrom`` the shared identifier (:func:`identify`);
- **reviewed name matches**: a candidate from :mod:`.match` that a person accepted ->
  ``skos:closeMatch``, with who, when, the score and the evidence (:func:`accept`). A rejected
  candidate is remembered (``sssom:predicate_modifier "Not"``, no link) so it is not proposed
  again (:func:`reject`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError, NotFound
from ..namespaces import OWL, PROV, RDF, RDFS, SKOS, XSD, entity, graph, slugify
from ..store import Store, WriteResult
from .match import DEFAULT_THRESHOLD, Match, Organisation, candidates, score

LINKS_GRAPH = graph("links")
SSSOM = "https://w3id.org/sssom/"
SEMAPV = "https://w3id.org/semapv/vocab/"
IMPORTED = ("cordis", "cordis-h2020", "ror")
_HERE = Path(__file__).parent


def _rq(name: str) -> str:
    return (_HERE / name).read_text(encoding="utf-8")


def _nn(iri: object) -> ox.NamedNode:
    return iri if isinstance(iri, ox.NamedNode) else ox.NamedNode(str(iri))


# ----------------------------------------------------------------------------- reading
def organisations(store: Store, graphs: list[str] | None = None) -> dict[str, Organisation]:
    """Organisations typed in the given graphs (IRIs; all graphs if None), with their labels."""
    wanted = set(graphs) if graphs is not None else None
    out: dict[str, Organisation] = {}
    labels: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in store.query(_rq("organisations.rq")):
        g = row["g"].value
        if wanted is not None and g not in wanted:
            continue
        iri = row["org"].value
        org = out.get(iri)
        if org is None:
            org = out[iri] = Organisation(iri, graph=g)
        if row["country"] is not None and org.country is None:
            org.country = row["country"].value
        if row["city"] is not None and org.city is None:
            org.city = row["city"].value
        labels[iri].append((int(row["kind"].value), row["label"].value))
    for iri, found in labels.items():
        out[iri].labels = [label for _kind, label in sorted(set(found))]
    return out


def graphs_matching(store: Store, keys: list[str]) -> list[str]:
    """Graph IRIs for keys: ``ror`` -> ``graph/ror``; ``curated/`` -> every ``graph/curated/*``."""
    names = store.named_graphs()
    out = []
    for key in keys:
        iri = graph(key)
        out += [g for g in names if g.startswith(iri)] if key.endswith("/") else [iri]
    return out


@dataclass
class Link:
    mapping: str
    left: str
    predicate: str
    right: str
    rejected: bool
    score: float | None
    evidence: str | None
    by: str | None
    when: str | None
    derived_from: str | None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def list_links(store: Store) -> list[Link]:
    """Every mapping recorded in ``graph/links`` (accepted, proven and rejected)."""
    out = []
    for r in store.query(_rq("mappings.rq")):
        out.append(
            Link(
                mapping=r["mapping"].value,
                left=r["left"].value,
                predicate=r["predicate"].value,
                right=r["right"].value,
                rejected=r["modifier"] is not None and r["modifier"].value == "Not",
                score=float(r["score"].value) if r["score"] is not None else None,
                evidence=r["evidence"].value if r["evidence"] is not None else None,
                by=r["by"].value if r["by"] is not None else None,
                when=r["when"].value if r["when"] is not None else None,
                derived_from=r["derivedFrom"].value if r["derivedFrom"] is not None else None,
            )
        )
    return out


def decided_pairs(store: Store) -> set[tuple[str, str]]:
    """Pairs already linked or rejected, both ways round."""
    out: set[tuple[str, str]] = set()
    for link in list_links(store):
        out.add((link.left, link.right))
        out.add((link.right, link.left))
    return out


def find_candidates(
    store: Store,
    *,
    left: list[str] | None = None,
    right: list[str] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int | None = None,
) -> list[Match]:
    """Candidate matches between the organisations of the ``left`` graphs (default: the
    curated ones) and those of the ``right`` graphs (default: CORDIS and ROR imports), best
    first, leaving out pairs already linked or rejected."""
    lg = graphs_matching(store, left or ["curated/"])
    rg = graphs_matching(store, right or list(IMPORTED))
    orgs_l = organisations(store, lg)
    orgs_r = organisations(store, rg)
    found = candidates(
        orgs_l.values(), orgs_r.values(), threshold=threshold, exclude=decided_pairs(store)
    )
    return found[:limit] if limit else found


# ----------------------------------------------------------------------------- writing
def mapping_iri(left: str, predicate: str, right: str) -> str:
    digest = hashlib.sha256(f"{left} {predicate} {right}".encode()).hexdigest()[:20]
    return entity("mapping", digest)


def _agent(by: str) -> tuple[ox.NamedNode, list[tuple]]:
    if not by.strip():
        raise InputError("say who reviews the link (a name or user id)")
    agent = _nn(entity("agent", slugify(by) or "anonymous"))
    return agent, [(agent, RDF.type, _nn(PROV.Agent)), (agent, RDFS.label, ox.Literal(by))]


def _now() -> ox.Literal:
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    return ox.Literal(stamp, datatype=_nn(XSD.dateTime))


def _mapping_triples(
    left: str, predicate: str, right: str, *, extra: list[tuple]
) -> tuple[ox.NamedNode, list[tuple]]:
    m = _nn(mapping_iri(left, predicate, right))
    triples = [
        (m, RDF.type, _nn(OWL.Axiom)),
        (m, RDF.type, _nn(PROV.Entity)),
        (m, OWL.annotatedSource, _nn(left)),
        (m, OWL.annotatedProperty, _nn(predicate)),
        (m, OWL.annotatedTarget, _nn(right)),
    ]
    return m, triples + [(m, p, o) for p, o in extra]


def _quads(triples: list[tuple]) -> list[ox.Quad]:
    g = _nn(LINKS_GRAPH)
    return [ox.Quad(_nn(s), _nn(p), o if not isinstance(o, str) else _nn(o), g)
            for s, p, o in triples]  # fmt: skip


def _existing(store: Store, left: str, right: str) -> list[ox.Quad]:
    """Quads of ``graph/links`` about the reviewed pair (either order): link and mapping."""
    g = _nn(LINKS_GRAPH)
    out: list[ox.Quad] = []
    for a, b in ((left, right), (right, left)):
        out += list(store.ox.quads_for_pattern(_nn(a), _nn(SKOS.closeMatch), _nn(b), g))
        m = _nn(mapping_iri(a, str(SKOS.closeMatch), b))
        out += list(store.ox.quads_for_pattern(m, None, None, g))
    return out


def _organisation(store: Store, iri: str) -> Organisation:
    org = organisations(store).get(iri)
    if org is None:
        raise NotFound(f"no organisation {iri} in the store")
    return org


def review(store: Store, left: str, right: str, *, by: str, accept: bool) -> WriteResult:
    """Record a reviewer's decision on a candidate pair, with its score and evidence."""
    for iri in (left, right):
        try:
            ox.NamedNode(iri)
        except ValueError as err:
            raise InputError(f"{iri!r} is not an IRI: {err}") from None
    m: Match = score(_organisation(store, left), _organisation(store, right))
    agent, agent_triples = _agent(by)
    extra = [
        (SSSOM + "mapping_justification", _nn(SEMAPV + "ManualMappingCuration")),
        (SSSOM + "similarity_score", ox.Literal(str(m.score), datatype=_nn(XSD.double))),
        (SSSOM + "similarity_measure", ox.Literal("aigraph name, country and city agreement")),
        (SSSOM + "comment", ox.Literal(m.evidence_text())),
        (PROV.wasAttributedTo, agent),
        (PROV.generatedAtTime, _now()),
    ]
    if not accept:
        extra.append((SSSOM + "predicate_modifier", ox.Literal("Not")))
    _m, triples = _mapping_triples(left, str(SKOS.closeMatch), right, extra=extra)
    if accept:
        triples.append((left, SKOS.closeMatch, right))
    return store.write(add=_quads(triples + agent_triples), remove=_existing(store, left, right))


def accept(store: Store, left: str, right: str, *, by: str) -> WriteResult:
    """Accept a name match: ``left skos:closeMatch right`` with its provenance."""
    return review(store, left, right, by=by, accept=True)


def reject(store: Store, left: str, right: str, *, by: str) -> WriteResult:
    """Reject a name match: remembered, never proposed again, no link asserted."""
    return review(store, left, right, by=by, accept=False)


def identify(store: Store) -> WriteResult:
    """Link (``skos:exactMatch``) every pair of organisations sharing a ROR id, PIC or Wikidata
    QID, replacing the identifier-proven links found before (so re-running is a no-op)."""
    agent, agent_triples = _agent("aigraph links identify")
    now = _now()
    triples: list[tuple] = list(agent_triples)
    seen: set[tuple[str, str]] = set()
    for r in store.query(_rq("identifier-links.rq")):
        a, b, evidence = r["a"].value, r["b"].value, r["evidence"].value
        if (a, b) not in seen:
            seen.add((a, b))
            triples.append((a, SKOS.exactMatch, b))
        m = _nn(mapping_iri(a, str(SKOS.exactMatch), b))
        triples += [
            (m, RDF.type, _nn(OWL.Axiom)), (m, RDF.type, _nn(PROV.Entity)),
            (m, OWL.annotatedSource, _nn(a)), (m, OWL.annotatedProperty, _nn(SKOS.exactMatch)),
            (m, OWL.annotatedTarget, _nn(b)), (m, PROV.wasDerivedFrom, _nn(evidence)),
            (m, PROV.wasAttributedTo, agent),
        ]  # fmt: skip
    new = _quads(triples)
    stale = _identified(store)
    keep = set(new)
    generated = _nn(PROV.generatedAtTime)
    if {q for q in stale if q.predicate != generated} == keep:
        return store.write()  # the same proven links as before: nothing to do
    for m in {t[0] for t in triples if t[1] == OWL.annotatedSource}:
        new.append(ox.Quad(m, _nn(PROV.generatedAtTime), now, _nn(LINKS_GRAPH)))
    return store.write(add=new, remove=[q for q in stale if q not in keep])


def _identified(store: Store) -> list[ox.Quad]:
    """The identifier-proven links and their mapping nodes currently in ``graph/links``."""
    g = _nn(LINKS_GRAPH)
    out: list[ox.Quad] = []
    for link in list_links(store):
        if link.predicate != str(SKOS.exactMatch) or link.derived_from is None:
            continue
        out += list(store.ox.quads_for_pattern(_nn(link.mapping), None, None, g))
        out += list(
            store.ox.quads_for_pattern(_nn(link.left), _nn(SKOS.exactMatch), _nn(link.right), g)
        )
    return out
