"""Literals as they were written, beside the form the store keeps.

Oxigraph canonicalises literals when it stores them: ``"4.0"^^xsd:decimal`` becomes ``"4"``,
``"Hallo"@DE`` becomes ``"Hallo"@de``, and ``"55"^^xsd:byte`` becomes ``"55"^^xsd:integer``. A
validation report must name the terms of the data as written, and ``sh:datatype`` must judge
the datatype as written. A :class:`Ledger` keeps the written literals that the store may change,
finds which written literals a stored one stands for (Oxigraph itself decides, on a scratch
store, only when a report needs it), and judges a written literal's datatype.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import XSD

from .expressions import CASTABLE, DERIVED_INTEGERS, string
from .paths import iri

_XSD = str(XSD)
_STRING = str(XSD.string)
_DERIVED = {str(k): v for k, v in DERIVED_INTEGERS.items()}
_INTEGER = re.compile(r"[+-]?[0-9]+")
_TIMEZONE = re.compile(r".*(Z|[+-][0-9]{2}:[0-9]{2})")


def may_change(lit: ox.Literal) -> bool:
    """Whether the store may keep ``lit`` in another form (XSD-typed, or an upper-case
    language tag)."""
    if lit.language:
        return lit.language != lit.language.lower()
    dt = lit.datatype.value
    return dt.startswith(_XSD) and dt != _STRING


_PROBE = ox.Store()
_CASTABLE = {str(d) for d in CASTABLE}


def _castable(lit: ox.Literal) -> bool:
    """Whether Oxigraph reads ``lit``'s lexical form as a value of its datatype."""
    cast = f"{iri(lit.datatype.value)}({string(lit.value)})"
    solutions = _PROBE.query(f"SELECT (COALESCE(isLiteral({cast}), false) AS ?ok) {{}}")
    assert isinstance(solutions, ox.QuerySolutions)
    ok = next(iter(solutions))["ok"]
    return isinstance(ok, ox.Literal) and ok.value == "true"


def stated_ok(lit: ox.Literal, datatype: str) -> bool:
    """Whether a written literal is a well-formed literal of ``datatype``: its datatype as
    written, its lexical form one Oxigraph reads, and a derived type's bounds."""
    if lit.datatype.value != datatype:
        return False
    if datatype in _DERIVED:
        if not _INTEGER.fullmatch(lit.value.strip()):
            return False
        low, high = _DERIVED[datatype]
        n = int(lit.value)
        return (low is None or n >= low) and (high is None or n <= high)
    if datatype == str(XSD.dateTimeStamp):
        return _TIMEZONE.fullmatch(lit.value.strip()) is not None and _castable(
            ox.Literal(lit.value, datatype=ox.NamedNode(str(XSD.dateTime)))
        )
    return datatype not in _CASTABLE or _castable(lit)


class Ledger:
    """The literals of some data as written."""

    def __init__(self, literals: Iterable[object]):
        self.stated: set[ox.Literal] = {
            t for t in literals if isinstance(t, ox.Literal) and may_change(t)
        }
        self._reverse: dict[ox.Literal, list[ox.Literal]] | None = None

    @classmethod
    def of_quads(cls, quads: Iterable[ox.Quad], extra: Iterable[object] = ()) -> Ledger:
        return cls([*(q.object for q in quads), *extra])

    def _build(self) -> dict[ox.Literal, list[ox.Literal]]:
        """stored form -> the written literals the store keeps in that form."""
        if self._reverse is None:
            written = sorted(self.stated, key=str)
            scratch = ox.Store()
            pred = ox.NamedNode("urn:aigraph:literal")
            scratch.extend(
                ox.Quad(ox.NamedNode(f"urn:aigraph:literal:{i}"), pred, lit)
                for i, lit in enumerate(written)
            )
            reverse: dict[ox.Literal, list[ox.Literal]] = defaultdict(list)
            for q in scratch.quads_for_pattern(None, pred, None, None):
                assert isinstance(q.subject, ox.NamedNode)
                i = int(q.subject.value.rsplit(":", 1)[1])
                stored = q.object
                assert isinstance(stored, ox.Literal)
                if stored != written[i]:
                    reverse[stored].append(written[i])
            self._reverse = dict(reverse)
        return self._reverse

    def written(self, stored: object) -> list[object]:
        """The written terms ``stored`` stands for (itself when the store kept it as written,
        or when it is not from this data)."""
        if not isinstance(stored, ox.Literal) or not may_change_stored(stored):
            return [stored]
        changed = self._build().get(stored)
        if not changed:
            return [stored]
        return [*sorted(changed, key=str), *([stored] if stored in self.stated else [])]


def may_change_stored(lit: ox.Literal) -> bool:
    """Whether a stored literal may stand for a differently written one."""
    return bool(lit.language) or (
        lit.datatype.value.startswith(_XSD) and lit.datatype.value != _STRING
    )
