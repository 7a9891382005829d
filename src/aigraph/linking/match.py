"""Scoring candidate matches between organisations: names and acronyms (normalised, several
languages), with country and city agreement as further evidence.

:func:`score` compares two :class:`Organisation` records and returns a :class:`Match` with a
score in [0, 1] and the evidence, in words, that produced it. :func:`candidates` finds the
pairs worth a reviewer's time between two sets of organisations, using a token index so it
does not compare every pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .names import fold, is_acronym, variants

#: a candidate at or above this score is proposed for review
DEFAULT_THRESHOLD = 0.75
COUNTRY_AGREES, COUNTRY_DIFFERS, CITY_AGREES = 0.05, -0.35, 0.05


@dataclass
class Organisation:
    iri: str
    labels: list[str] = field(default_factory=list)  # preferred first
    country: str | None = None  # authority-table IRI
    city: str | None = None
    graph: str | None = None

    def name(self) -> str:
        return self.labels[0] if self.labels else self.iri


@dataclass
class Match:
    left: str
    right: str
    score: float
    evidence: list[str]
    left_label: str = ""
    right_label: str = ""

    def evidence_text(self) -> str:
        return "; ".join(self.evidence)


#: two tokens count as the same word at this character similarity (FORDERUNG / FOERDERUNG)
TOKEN_SIMILARITY = 0.85


def _token_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if min(len(a), len(b)) < 4:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _seq_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Soft Dice overlap of two token sequences: each token of ``a`` is paired with its most
    similar unused token of ``b`` (same word, or a spelling variant at
    :data:`TOKEN_SIMILARITY`); the score is twice the paired weight over the token count.
    Word order does not matter; one differing distinctive word (PARIS SACLAY / PARIS CITE)
    costs a lot."""
    if a == b:
        return 1.0
    unused = list(b)
    paired = 0.0
    for t in a:
        best, best_j = 0.0, -1
        for j, u in enumerate(unused):
            sim = _token_similarity(t, u)
            if sim > best:
                best, best_j = sim, j
        if best >= TOKEN_SIMILARITY:
            paired += best
            unused.pop(best_j)
    return 2 * paired / (len(a) + len(b))


def name_similarity(left: Iterable[str], right: Iterable[str]) -> tuple[float, str, str, str]:
    """Best similarity over all label pairs: (score, left label, right label, how)."""
    best = (0.0, "", "", "")
    right = list(right)
    for la in left:
        for lb in right:
            if is_acronym(la) or is_acronym(lb):
                # an acronym counts only when the other label is the same word ("Inria" / INRIA)
                if fold(la) == fold(lb):
                    cand = (0.85, la, lb, "same acronym")
                    best = max(best, cand, key=lambda x: x[0])
                continue
            for va in variants(la):
                for vb in variants(lb):
                    s = _seq_similarity(va, vb)
                    if s > best[0]:
                        how = "same normalised name" if s == 1.0 else "similar name"
                        best = (s, la, lb, how)
    return best


def score(a: Organisation, b: Organisation) -> Match:
    """How likely ``a`` and ``b`` are the same organisation, with the evidence."""
    sim, la, lb, how = name_similarity(a.labels, b.labels)
    evidence = [f"{how}: {la!r} ~ {lb!r} ({sim:.2f})"] if la else ["no comparable names"]
    s = sim
    if a.country and b.country:
        if a.country == b.country:
            s += COUNTRY_AGREES
            evidence.append(f"same country {a.country.rsplit('/', 1)[-1]}")
        else:
            s += COUNTRY_DIFFERS
            evidence.append(
                f"different countries {a.country.rsplit('/', 1)[-1]} / "
                f"{b.country.rsplit('/', 1)[-1]}"
            )
    if a.city and b.city and set(variants(a.city)) & set(variants(b.city)):
        s += CITY_AGREES
        evidence.append(f"same city {b.city}")
    s = round(min(1.0, max(0.0, s)), 3)
    return Match(a.iri, b.iri, s, evidence, a.name(), b.name())


def _keys(org: Organisation) -> set[str]:
    """Blocking keys: each significant token of each label (accents folded) and acronyms."""
    keys: set[str] = set()
    for label in org.labels:
        if is_acronym(label):
            keys.add(fold(label))
            continue
        for v in variants(label):
            keys.update(t for t in v if len(t) > 2)
    return keys


def candidates(
    left: Iterable[Organisation],
    right: Iterable[Organisation],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    exclude: set[tuple[str, str]] | None = None,
    max_block: int = 2000,
) -> list[Match]:
    """Pairs (left, right) scoring at least ``threshold``, best first.

    Only pairs sharing a blocking key (a name token or an acronym) are scored; very common
    tokens (in more than ``max_block`` right-hand organisations) are not used as keys.
    ``exclude`` holds pairs already decided (accepted, rejected or proven).
    """
    exclude = exclude or set()
    right = list(right)
    index: dict[str, list[int]] = defaultdict(list)
    for i, org in enumerate(right):
        for k in _keys(org):
            index[k].append(i)
    out: list[Match] = []
    for a in left:
        seen: set[int] = set()
        for k in _keys(a):
            hits = index.get(k, [])
            if len(hits) <= max_block:
                seen.update(hits)
        for i in seen:
            b = right[i]
            if a.iri == b.iri or (a.iri, b.iri) in exclude:
                continue
            m = score(a, b)
            if m.score >= threshold:
                out.append(m)
    out.sort(key=lambda m: (-m.score, m.left, m.right))
    return out
