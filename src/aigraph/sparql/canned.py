"""Named, parameterised queries shipped in ``aigraph/queries/*.rq``.

Each file starts with a header of comments::

    # title: Organisations by country
    # title@fr: Organisations par pays
    # description: ...
    # description@de: ...
    # param: NAME TYPE SPEC DESCRIPTION

``title`` and ``description`` are English; ``title@fr``, ``description@de`` ... give the other
languages. TYPE is ``iri``, ``literal`` or ``date``; SPEC is ``required``, ``optional`` (left
unbound when not given) or ``default=VALUE`` (``default="two words"`` for a value with spaces).
Values are bound with pyoxigraph ``substitutions`` (the SEP-0007 way), never by editing the query
text; a parameter must be projected by the query. A substituted variable is not seen by
``BOUND()`` inside the pattern: test an optional parameter with ``COALESCE(test, true)``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources

import pyoxigraph as ox

from ..errors import InputError, NotFound

TYPES = ("iri", "literal", "date")
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
_PARAM = re.compile(
    r'#\s*param:\s*(\w+)\s+(\w+)\s+(required|optional|default="[^"]*"|default=\S+)\s*(.*)'
)
_FIELD = re.compile(r"#\s*(title|description)(?:@([a-z]{2}))?:\s*(.*)")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool
    default: str | None
    description: str


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...] = field(default_factory=tuple)
    sparql: str = ""
    titles: dict[str, str] = field(default_factory=dict)  # language -> title (en, fr, de)
    descriptions: dict[str, str] = field(default_factory=dict)

    def summary(self) -> dict:
        d = asdict(self)
        d.pop("sparql")
        d["params"] = [asdict(p) for p in self.params]
        return d


def parse(name: str, text: str) -> CannedQuery:
    texts: dict[str, dict[str, str]] = {"title": {"en": name}, "description": {"en": ""}}
    params: list[Param] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if m := _PARAM.match(line):
            pname, ptype, spec, desc = m.groups()
            if ptype not in TYPES:
                raise InputError(f"{name}.rq: parameter {pname} has unknown type {ptype!r}")
            default = spec[len("default=") :] if spec.startswith("default=") else None
            if default is not None and default.startswith('"'):
                default = default[1:-1]
            params.append(Param(pname, ptype, spec == "required", default, desc.strip()))
        elif m := _FIELD.match(line):
            kind, lang, value = m.groups()
            texts[kind][lang or "en"] = value.strip()
    return CannedQuery(
        name,
        texts["title"]["en"],
        texts["description"]["en"],
        tuple(params),
        text,
        titles=texts["title"],
        descriptions=texts["description"],
    )


@lru_cache(maxsize=1)
def catalogue() -> dict[str, CannedQuery]:
    folder = resources.files("aigraph") / "queries"
    out = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name[:-3]
            out[name] = parse(name, entry.read_text(encoding="utf-8"))
    return out


def get(name: str) -> CannedQuery:
    query = catalogue().get(name)
    if query is None:
        raise NotFound(f"no query named {name!r} (see /queries)")
    return query


def _spec(param: Param, value: str) -> tuple:
    if param.type == "iri":
        try:
            ox.NamedNode(value)
        except ValueError as err:
            raise InputError(f"parameter {param.name}: {value!r} is not an IRI ({err})") from None
        return (param.name, "iri", value, None, None)
    if param.type == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise InputError(
                f"parameter {param.name}: {value!r} is not a date (YYYY-MM-DD)"
            ) from None
        return (param.name, "literal", value, XSD_DATE, None)
    return (param.name, "literal", value, None, None)


def bind(query: CannedQuery, values: dict[str, str]) -> tuple:
    """Substitution specs for :class:`~aigraph.sparql.results.QueryJob` from request values."""
    known = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise InputError(
            f"query {query.name!r} has no parameter {', '.join(unknown)} "
            f"(parameters: {', '.join(known) or 'none'})"
        )
    specs = []
    for p in query.params:
        value = values.get(p.name, p.default)
        if value is None:
            if p.required:
                raise InputError(f"query {query.name!r} needs the parameter {p.name} ({p.type})")
            continue
        specs.append(_spec(p, value))
    return tuple(specs)
