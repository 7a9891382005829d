"""Finding and scoring the entities a reconciliation query names (organisations and people).

The protocol (:mod:`.reconcile`) turns a 0.2 or 1.0 query into a :class:`Query`: conditions on
the name, the id or a property (country, city, an identifier such as a PIC or ROR id), a type
and a limit. :func:`search` answers it from an :class:`Index` of the store's entities.

Scores run from 0 to 100 and say what kind of evidence matched, so a reader can trust them:

======  ============================================================================
100     the full name (any label, any language; case, accents, punctuation and legal
        forms aside), or the entity's id
95      an acronym or one-word short label the entity has (``Inria``, ``FhG``, ``CNRS``)
90      a short name: a label without its organisation-kind words
        (``Fraunhofer`` for ``Fraunhofer-Gesellschaft``, ``Max Planck`` for
        ``Max Planck Society``)
< 85    a similar name: 85 x the token overlap (:func:`.match.name_similarity`)
======  ============================================================================

then +5 for the same country, -35 for another, +5 for the same city, 100 for the same
identifier and -40 for another of the same scheme (at most 100, at least 0). Every candidate
carries these as matching features. ``match`` (a decision a client may apply without review)
is set on the best candidate when it scores at least 95 and leads the next by 10 or more.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass, field

from .match import name_similarity
from .names import fold, is_acronym, tokens, variants

EXACT_NAME, ACRONYM, SHORT_NAME, SIMILAR = 100.0, 95.0, 90.0, 85.0
COUNTRY_AGREES, COUNTRY_DIFFERS, CITY_AGREES = 5.0, -35.0, 5.0
IDENTIFIER_DIFFERS = -40.0
MATCH_SCORE, MATCH_MARGIN = 95.0, 10.0
#: candidates scoring below this are not proposed
MIN_SCORE = 40.0
#: at most this many entities are scored for one query (the rarest name tokens first)
MAX_SCORED = 1000
#: at most this many (entity, token) pairs are looked at to find the candidates of a name
MAX_POSTINGS = 200_000
#: words that say what kind of organisation a name is, not which one
KIND_WORDS = frozenset(
    [
        "gesellschaft",
        "society",
        "societe",
        "societa",
        "sociedad",
        "association",
        "verband",
        "vereinigung",
        "institute",
        "institut",
        "instituto",
        "istituto",
        "group",
        "gruppe",
        "groupe",
        "gruppo",
        "holding",
        "company",
        "compagnie",
        "unternehmen",
        "organisation",
        "organization",
    ]
)
#: identifier schemes a query may compare (as property ids), beside ``country`` and ``city``
IDENTIFIERS = ("ror", "pic", "vat", "wikidata", "isni", "grid")


@dataclass
class Entity:
    iri: str
    type: str
    labels: list[str] = field(default_factory=list)  # preferred first
    preferred: int = 1  # how many of the labels are preferred ones (a name in a language)
    country: str | None = None  # authority-table IRI
    city: str | None = None
    identifiers: dict[str, set[str]] = field(default_factory=dict)  # scheme -> values

    def name(self) -> str:
        return self.labels[0] if self.labels else self.iri


@dataclass
class Condition:
    """One condition of a query: ``kind`` is ``name``, ``id`` or ``property`` (then ``pid``
    says which); ``values`` are strings (or, for countries, authority-table IRIs)."""

    kind: str
    values: list[str]
    pid: str | None = None
    required: bool = False
    quantifier: str = "any"  # any | all | none


@dataclass
class Query:
    conditions: list[Condition]
    types: frozenset[str] = frozenset()  # empty: any type
    limit: int = 10


@dataclass
class Candidate:
    entity: Entity
    score: float
    evidence: list[str]
    features: dict[str, bool | float] = field(default_factory=dict)
    match: bool = False


def _short_names(label: str) -> set[str]:
    """Keys a label is found by as a short name: its tokens without organisation-kind words."""
    out = set()
    for v in variants(label):
        rest = tuple(t for t in v if t not in KIND_WORDS)
        if rest and rest != v:
            out.add(" ".join(rest))
    return out


def _is_short_label(label: str) -> bool:
    """An acronym (``CNRS``, ``FhG``) or a one-word label (``Inria``)."""
    words = fold(label).split()
    return is_acronym(label) or (len(words) == 1 and 2 <= len(words[0]) <= 12)


class Index:
    """The entities, with the keys a query finds them by."""

    def __init__(self, entities: dict[str, Entity]):
        self.entities = entities
        self.exact: dict[str, set[str]] = defaultdict(set)  # normalised full name
        self.acronyms: dict[str, set[str]] = defaultdict(set)  # folded short label
        self.short: dict[str, set[str]] = defaultdict(set)  # name without kind words
        self.tokens: dict[str, set[str]] = defaultdict(set)  # name token (and its prefix)
        self.ids: dict[tuple[str, str], set[str]] = defaultdict(set)  # (scheme, value)
        for iri, ent in entities.items():
            for label in ent.labels:
                if _is_short_label(label):
                    self.acronyms[fold(label)].add(iri)
                for v in variants(label):
                    self.exact[" ".join(v)].add(iri)
                    for t in v:
                        self.tokens[t].add(iri)
                        if len(t) >= 6:
                            self.tokens[t[:5] + "*"].add(iri)
                for key in _short_names(label):
                    self.short[key].add(iri)
            for scheme, values in ent.identifiers.items():
                for value in values:
                    self.ids[(scheme, _id_value(value))].add(iri)

    def by_name(self, name: str) -> set[str]:
        """Entities worth scoring for ``name``: its exact, acronym and short-name keys, then
        the :data:`MAX_SCORED` entities sharing the most of its name tokens (each weighted by
        its rarity); tokens that together name more than :data:`MAX_POSTINGS` entities are
        left out, the commonest first."""
        found = set(self.acronyms.get(fold(name), ()))
        keys: set[str] = set()
        for v in variants(name):
            found |= self.exact.get(" ".join(v), set()) | self.short.get(" ".join(v), set())
            keys.update(v)
            keys.update(t[:5] + "*" for t in v if len(t) >= 6)
        postings = sorted((self.tokens[k] for k in keys if k in self.tokens), key=len)
        n = len(self.entities) + 1
        weight: dict[str, float] = defaultdict(float)
        total = 0
        for i, hits in enumerate(postings):
            total += len(hits)
            if i and total > MAX_POSTINGS:
                break
            w = math.log(n / len(hits)) + 0.1
            for iri in hits:
                weight[iri] += w
        if len(weight) > MAX_SCORED:
            return found | set(heapq.nlargest(MAX_SCORED, weight, key=lambda e: (weight[e], e)))
        return found | set(weight)


def _id_value(value: str) -> str:
    return "".join(value.split()).upper()


def _name_score(name: str, ent: Entity) -> tuple[float, str, str, float]:
    """(score, how, label, similarity) of ``name`` against the entity's labels; among labels
    of the same kind, one written exactly as asked wins."""
    f = fold(name)
    keys = {" ".join(v) for v in variants(name)}
    best: tuple[float, bool, str, str] = (0.0, False, "", "")
    for i, label in enumerate(ent.labels):
        short = i >= ent.preferred and _is_short_label(label)
        if {" ".join(v) for v in variants(label)} & keys or (short and fold(label) == f):
            cand = (ACRONYM, "exact acronym") if short else (EXACT_NAME, "exact name")
        elif keys & _short_names(label):
            cand = (SHORT_NAME, "short name")
        else:
            continue
        best = max(best, (cand[0], label == name.strip(), cand[1], label))
    if best[0]:
        sim = name_similarity([name], [best[3]])[0] if best[0] < EXACT_NAME else 1.0
        return best[0], best[2], best[3], round(sim, 3)
    sim, _la, lb, _how = name_similarity([name], ent.labels)
    return round(SIMILAR * sim, 1), "similar name", lb, round(sim, 3)


def _namesakes(index: Index, how: str, label: str) -> int:
    """How many entities share the label (or acronym, or short name) a candidate matched by."""
    if how == "exact acronym":
        return len(index.acronyms.get(fold(label), ())) or 1
    if how == "short name":
        return max((len(index.short.get(k, ())) for k in _short_names(label)), default=1)
    return len(index.exact.get(" ".join(tokens(label)), ())) or 1


def _agree(values: list[str], have: set[str], quantifier: str) -> bool | None:
    """Whether the entity's values ``have`` satisfy the condition (None: it has none)."""
    if not have:
        return None
    hits = [v in have for v in values]
    if quantifier == "all":
        return all(hits)
    if quantifier == "none":
        return not any(hits)
    return any(hits)


def _property(cond: Condition, ent: Entity) -> tuple[float, str, bool | None]:
    """(score change, evidence, agreement) of a property condition for an entity."""
    pid = cond.pid or ""
    if pid == "country":
        code = (ent.country or "").rsplit("/", 1)[-1]
        agree = _agree(cond.values, {ent.country} if ent.country else set(), cond.quantifier)
        if agree is None:
            return 0.0, "", None
        if agree:
            return COUNTRY_AGREES, f"same country {code}", True
        return COUNTRY_DIFFERS, f"other country {code}", False
    if pid == "city":
        have = {" ".join(v) for v in variants(ent.city)} if ent.city else set()
        wanted = [" ".join(v) for value in cond.values for v in variants(value)]
        agree = _agree(wanted, have, cond.quantifier)
        if agree is None:
            return 0.0, "", None
        return (CITY_AGREES, f"same city {ent.city}", True) if agree else (0.0, "", False)
    have = {_id_value(v) for v in ent.identifiers.get(pid, ())}
    agree = _agree([_id_value(v) for v in cond.values], have, cond.quantifier)
    if agree is None:
        return 0.0, "", None
    said = f"{pid.upper()} {', '.join(sorted(have))}"
    if agree:
        return EXACT_NAME, f"same {said}", True
    return IDENTIFIER_DIFFERS, f"other {said}", False


def search(index: Index, query: Query) -> list[Candidate]:
    """The candidates for ``query``, best first, at most ``query.limit``."""
    names = [c for c in query.conditions if c.kind == "name"]
    ids = [c for c in query.conditions if c.kind == "id"]
    props = [c for c in query.conditions if c.kind == "property"]
    pool: set[str] = set()
    for c in names:
        if c.quantifier != "none":
            for value in c.values:
                pool |= index.by_name(value)
    for c in ids:
        if c.quantifier != "none":
            pool.update(v for v in c.values if v in index.entities)
    for c in props:
        if c.pid in IDENTIFIERS and c.quantifier != "none":
            for value in c.values:
                pool |= index.ids.get((c.pid, _id_value(value)), set())
    if not names and not ids and not any(c.pid in IDENTIFIERS for c in props):
        return []  # a country or a city alone names no one
    out: list[Candidate] = []
    for iri in pool:
        ent = index.entities[iri]
        if query.types and ent.type not in query.types:
            continue
        cand = _score(index, ent, names, ids, props)
        if cand is not None and cand.score >= MIN_SCORE:
            out.append(cand)
    out.sort(key=_rank)
    out = out[: query.limit]
    if out and out[0].score >= MATCH_SCORE:
        out[0].match = len(out) == 1 or out[0].score - out[1].score >= MATCH_MARGIN
    return out


def _score(
    index: Index, ent: Entity, names: list[Condition], ids: list[Condition], props: list[Condition]
) -> Candidate | None:
    """The candidate ``ent`` makes for the conditions, None when a required one fails."""
    score, evidence = 0.0, []
    features: dict[str, bool | float] = {}
    for c in names:
        results = [_name_score(v, ent) for v in c.values]
        if c.quantifier == "none":
            if max(r[0] for r in results) >= MIN_SCORE:
                return None
            continue
        s, how, label, sim = min(results) if c.quantifier == "all" else max(results)
        if c.required and s < MIN_SCORE:
            return None
        if s > score:
            score, evidence = s, [f"{how}: {label!r}" if label else how]
            features.update(
                name_exact=how == "exact name",
                acronym_exact=how == "exact acronym",
                short_name=how == "short name",
                name_similarity=sim,
                namesakes=_namesakes(index, how, label) if label else 0,
            )
    for c in ids:
        hit = ent.iri in c.values
        if c.quantifier == "none":
            if hit:
                return None
        elif hit:
            score, features["id"] = EXACT_NAME, True
            evidence.insert(0, "the entity's id")
        elif c.required:
            return None
    for c in props:
        change, said, agree = _property(c, ent)
        if c.required and agree is not True:
            return None
        if agree is None:
            continue
        features[c.pid or "property"] = agree
        score = EXACT_NAME if change == EXACT_NAME else score + change
        if said:
            evidence.append(said)
    return Candidate(ent, round(min(100.0, max(0.0, score)), 1), evidence, features)


def _rank(c: Candidate) -> tuple:
    """Best first: score, then the better-described entity (more labels), then the IRI (a
    stable order)."""
    return (-c.score, -len(c.entity.labels), c.entity.iri)
