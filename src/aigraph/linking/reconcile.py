"""The W3C Entity Reconciliation API over aigraph's organisations and people, in versions 0.2
(what OpenRefine speaks) and 1.0-draft: the logic behind ``/reconcile``
(:mod:`aigraph.api.reconcile`).

Entity ids are IRIs relative to ``https://w3id.org/aigraph/id/`` (``organisation/ror-02kvxyf05``;
a full IRI is accepted too); types are ``org:Organization`` and ``foaf:Person``. Requests are
read by :mod:`.queries`, matched by :mod:`.search` against an index of the store built once per
store version (:attr:`aigraph.store.Store.version`, which every committed write bumps: a label
changed without changing the store's size is seen at the next request).

The two versions' manifests cannot be one document (0.2 announces its suggest services as
objects and entity views as ``{{id}}``, 1.0 as booleans and RFC 6570 templates), so
:func:`manifest` gives three: the default lists both versions and holds what both schemas
accept (no ``suggest``), ``version="0.2"`` and ``version="1.0-draft"`` the full manifest of one
(see ``docs/decisions/0012-reconciliation-versions.md``).
"""

from __future__ import annotations

import html
import threading
import weakref
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import InputError, NotFound
from ..namespaces import ID
from .names import fold
from .queries import MAX_IDS as MAX_IDS
from .queries import MAX_JSON_CHARS as MAX_JSON_CHARS
from .queries import MAX_JSON_DEPTH as MAX_JSON_DEPTH
from .queries import MAX_LIMIT, MAX_QUERIES
from .queries import bounded_json as bounded_json
from .queries import check_extend as check_extend
from .queries import parse_batch as parse_batch
from .queries import parse_extend as parse_extend
from .queries import parse_queries as parse_queries
from .search import Candidate, Condition, Entity, Index, Query, search

ORGANISATION = "http://www.w3.org/ns/org#Organization"
PERSON = "http://xmlns.com/foaf/0.1/Person"
TYPES = {ORGANISATION: "Organisation", PERSON: "Person"}
VERSIONS = ("0.2", "1.0-draft")
NAME = "aigraph: the European sovereign-AI ecosystem"
#: data-extension properties: id -> (name, applies to types)
PROPERTIES = {
    "prefLabel": ("preferred name", (ORGANISATION,)),
    "altLabel": ("other names and acronyms", (ORGANISATION,)),
    "country": ("country", (ORGANISATION,)),
    "city": ("city", (ORGANISATION,)),
    "type": ("organisation type", (ORGANISATION,)),
    "ror": ("ROR id", (ORGANISATION,)),
    "pic": ("PIC (EU participant identification code)", (ORGANISATION,)),
    "vat": ("VAT number", (ORGANISATION,)),
    "wikidata": ("Wikidata QID", (ORGANISATION,)),
    "isni": ("ISNI", (ORGANISATION,)),
    "grid": ("GRID id", (ORGANISATION,)),
    "homepage": ("website", (ORGANISATION,)),
    "foundingDate": ("founding date", (ORGANISATION,)),
    "postIn": ("holds a post in", (PERSON,)),
}
#: the matching features of a candidate: id -> name
FEATURES = {
    "id": "the entity's id",
    "name_exact": "the full name, as asked",
    "acronym_exact": "an acronym or one-word label, as asked",
    "short_name": "the name without its organisation-kind words",
    "name_similarity": "name similarity (0 to 1)",
    "namesakes": "entities with the matched name",
    "country": "same country",
    "city": "same city",
    **{s: f"same {s.upper()}" for s in ("ror", "pic", "vat", "wikidata", "isni", "grid")},
}
PREVIEW = {"width": 400, "height": 160}
_HERE = Path(__file__).parent


def manifest(base_url: str, version: str | None = None) -> dict[str, Any]:
    """The service manifest; ``base_url`` is where ``/reconcile`` is served. Without
    ``version``, the manifest of both versions (valid under both schemas); with ``"0.2"`` or
    ``"1.0-draft"``, the full manifest of that version."""
    base = base_url.rstrip("/")
    common: dict[str, Any] = {
        "name": NAME,
        "serviceVersion": __version__,
        "defaultTypes": [{"id": t, "name": n} for t, n in TYPES.items()],
        "batchSize": MAX_QUERIES,
        "lang": "en",
        "standardizedScore": True,
    }
    v02: dict[str, Any] = {
        "identifierSpace": ID,
        "schemaSpace": "https://w3id.org/aigraph/ontology#",
        "view": {"url": ID + "{{id}}"},
        "preview": {"url": base + "/preview?id={{id}}", **PREVIEW},
    }
    extend02 = {
        "propose_properties": {"service_url": base, "service_path": "/propose_properties"},
        "property_settings": [],
    }
    extend10 = {"proposeProperties": True, "propertySettings": []}
    if version is None:
        return {"versions": list(VERSIONS), **common, **v02, "extend": {**extend02, **extend10}}
    if version == "0.2":
        suggest = {
            kind: {"service_url": base, "service_path": f"/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        }
        return {"versions": ["0.2"], **common, **v02, "suggest": suggest, "extend": extend02}
    if version == "1.0-draft":
        return {
            "versions": ["1.0-draft"],
            **common,
            "view": {"url": ID + "{+id}"},
            "preview": PREVIEW,
            "suggest": {"entity": True, "property": True, "type": True},
            "extend": extend10,
        }
    raise InputError(f"unknown API version {version!r}; this service speaks {', '.join(VERSIONS)}")


# ----------------------------------------------------------------------------- the index
def _short(iri: str) -> str:
    return iri[len(ID) :] if iri.startswith(ID) else iri


def _full(entity_id: str) -> str:
    if entity_id.startswith(("http://", "https://")):
        return entity_id
    return ID + entity_id.lstrip("/")


def _rq(name: str) -> str:
    return (_HERE / name).read_text(encoding="utf-8")


def build_index(store: Any) -> Index:
    """Organisations (preferred labels first, then other names and acronyms), people, and the
    organisations' identifiers."""
    entities: dict[str, Entity] = {}
    labels: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for row in store.query(_rq("organisations.rq")):
        iri = row["org"].value
        ent = entities.get(iri)
        if ent is None:
            ent = entities[iri] = Entity(iri, ORGANISATION)
        if row["country"] is not None and ent.country is None:
            ent.country = row["country"].value
        if row["city"] is not None and ent.city is None:
            ent.city = row["city"].value
        labels[iri].add((int(row["kind"].value), row["label"].value))
    for iri, found in labels.items():
        ordered = sorted(found)
        entities[iri].labels = list(dict.fromkeys(label for _kind, label in ordered))
        entities[iri].preferred = sum(1 for kind, _label in ordered if kind == 0)
    for row in store.query(_rq("identifiers.rq")):
        ent = entities.get(row["org"].value)
        if ent is not None:
            ent.identifiers.setdefault(row["scheme"].value, set()).add(row["value"].value)
    for row in store.query(_rq("persons.rq")):
        iri = row["person"].value
        ent = entities.get(iri)
        if ent is None:
            ent = entities[iri] = Entity(iri, PERSON, preferred=0)
        if row["name"].value not in ent.labels:
            ent.labels.append(row["name"].value)
            ent.preferred += 1
    return Index(entities)


_INDEXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_INDEX_LOCK = threading.Lock()


def index(store: Any) -> Index:
    """The store's index, built once per store version: every committed write bumps
    ``store.version`` (a snapshot carries the version it was taken at), so a write that
    leaves the store's size as it was is seen too."""
    with _INDEX_LOCK:
        cached = _INDEXES.get(store)
        if cached is None or cached[0] != store.version:
            cached = (store.version, build_index(store))
            _INDEXES[store] = cached
        return cached[1]


def entity(store: Any, entity_id: str) -> Entity:
    ent = index(store).entities.get(_full(entity_id))
    if ent is None:
        raise NotFound(f"no organisation or person {entity_id!r}")
    return ent


# ----------------------------------------------------------------------------- queries
@lru_cache(maxsize=1)
def _country_table() -> tuple[dict[str, str], dict[str, str]]:
    """From the bundled EU authority table: folded country names in the EU languages (and
    codes) -> IRI, and IRI -> English name."""
    import pyoxigraph as ox

    from ..importers.countries import build_quads

    quads, table = build_quads()
    names: dict[str, str] = {}
    english: dict[str, str] = {}
    for q in quads:
        s, o = q.subject, q.object
        if (
            q.predicate.value.endswith(("#prefLabel", "#altLabel"))
            and isinstance(s, ox.NamedNode)
            and isinstance(o, ox.Literal)
            and s.value not in table.deprecated
        ):
            names.setdefault(fold(o.value), s.value)
            if o.language == "en" and q.predicate.value.endswith("#prefLabel"):
                english[s.value] = o.value
    for code, iri in table.concepts.items():
        if iri not in table.deprecated:
            names[fold(code)] = iri
    return names, english


def _country(value: str) -> str | None:
    """The authority-table IRI of a country given as an IRI, an ISO or CORDIS code or a name
    in an EU language; None when it is none of these."""
    from ..importers.countries import load_table

    v = value.strip()
    if v.startswith(("http://", "https://")):
        return v
    table = load_table()
    if len(v) == 2 and v.isalpha():
        return table.from_iso2(v) or table.from_cordis(v)
    return _country_table()[0].get(fold(v))


def _condition(kind: str, values: list, pid: str | None = None, **kw: Any) -> Condition:
    """A search condition from canonical values (strings, or ``{"id", "name"}`` entities)."""
    if kind == "name":
        strings = [v["name"] or v["id"] if isinstance(v, dict) else v for v in values]
    elif kind == "id":
        strings = [_full(v["id"] if isinstance(v, dict) else v) for v in values]
    else:
        strings = [v["id"] if isinstance(v, dict) else v for v in values]
        if pid == "country":  # an unknown country is no evidence either way
            strings = [c for c in map(_country, strings) if c]
    return Condition(kind, strings, pid, **kw)


def _query_02(q: dict) -> Query:
    conditions = [_condition("name", [q["query"]])] if q.get("query") else []
    conditions += [_condition("property", p["v"], p["pid"]) for p in q.get("properties", ())]
    return Query(conditions, frozenset(q.get("type", ())), q.get("limit") or 10)


def _query_10(q: dict) -> Query:
    conditions = [
        _condition(
            c["matchType"], c["propertyValue"], c.get("propertyId"),
            required=c["required"], quantifier=c["matchQuantifier"],
        )
        for c in q["conditions"]
    ]  # fmt: skip
    types = frozenset([q["type"]]) if "type" in q else frozenset()
    return Query(conditions, types, q.get("limit", 10))


def _candidate(c: Candidate) -> dict[str, Any]:
    ent = c.entity
    return {
        "id": _short(ent.iri),
        "name": ent.name(),
        "description": "; ".join(c.evidence),
        "type": [{"id": ent.type, "name": TYPES[ent.type]}],
        "score": c.score,
        "features": [
            {"id": fid, "name": FEATURES.get(fid, fid), "value": value}
            for fid, value in c.features.items()
        ],
        "match": c.match,
    }


def reconcile(store: Any, queries: dict[str, dict]) -> dict[str, dict]:
    """A 0.2 batch (checked by :func:`parse_queries`): ``{key: {"result": [candidates]}}``."""
    idx = index(store)
    return {
        key: {"result": [_candidate(c) for c in search(idx, _query_02(q))]}
        for key, q in queries.items()
    }


def match(store: Any, queries: list[dict]) -> dict[str, list]:
    """A 1.0 batch (checked by :func:`parse_batch`): ``{"results": [{"candidates": [...]}]}``,
    in the order of the queries."""
    idx = index(store)
    return {
        "results": [
            {"candidates": [_candidate(c) for c in search(idx, _query_10(q))]} for q in queries
        ]
    }


# ----------------------------------------------------------------------------- suggest
def _page(items: list, limit: int | None, offset: int | None) -> list:
    start = max(0, offset or 0)
    return items[start : start + min(MAX_LIMIT, limit or 10)]


def suggest_entity(
    store: Any,
    prefix: str,
    types: list[str] | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> dict:
    """Entities whose name (or a word of it) starts with ``prefix``; an entity id as the
    prefix gives that entity first; an empty prefix lists every entity, by name."""
    p = fold(prefix)
    idx = index(store)
    hits = []
    by_id = idx.entities.get(_full(prefix.strip())) if prefix.strip() else None
    for iri, ent in idx.entities.items():
        if types and ent.type not in types:
            continue
        if ent is by_id:
            hits.append((0, 0, iri, ent, ent.name()))
            continue
        for label in ent.labels:
            f = fold(label)
            if f.startswith(p) or f" {p}" in f" {f}":
                hits.append((1 if f.startswith(p) else 2, len(label), iri, ent, label))
                break
    # the id first, then names starting with the prefix, then names with a word starting
    # with it, shortest first; an empty prefix lists every entity by name
    hits.sort(key=lambda h: (h[0], h[1], h[2]) if p else (h[0], fold(h[3].name()), h[2]))
    return {
        "result": [
            {
                "id": _short(iri),
                "name": ent.name(),
                "description": label if label != ent.name() else TYPES[ent.type],
                "notable": [{"id": ent.type, "name": TYPES[ent.type]}],
            }
            for _a, _b, iri, ent, label in _page(hits, limit, offset)
        ]  # fmt: skip
    }


def _matches(prefix: str, key: str, name: str) -> bool:
    p = fold(prefix)
    return not p or prefix == key or fold(key).startswith(p) or f" {p}" in f" {fold(name)}"


def suggest_type(prefix: str, limit: int | None = None, offset: int | None = None) -> dict:
    found = [{"id": t, "name": n} for t, n in TYPES.items() if _matches(prefix, t, n)]
    return {"result": _page(found, limit, offset)}


def suggest_property(prefix: str, limit: int | None = None, offset: int | None = None) -> dict:
    found = [
        {"id": pid, "name": name}
        for pid, (name, _types) in PROPERTIES.items()
        if _matches(prefix, pid, name)
    ]
    return {"result": _page(found, limit, offset)}


def propose_properties(type_id: str, limit: int | None = None) -> dict:
    props = [{"id": pid, "name": name} for pid, (name, types) in PROPERTIES.items()
             if type_id in types]  # fmt: skip
    out: dict[str, Any] = {"type": type_id, "properties": props[:limit] if limit else props}
    if limit:
        out["limit"] = limit
    return out


# ----------------------------------------------------------------------------- preview, extend
def preview(store: Any, entity_id: str) -> str:
    """A small HTML card for a client's preview pane."""
    ent = entity(store, entity_id)
    values = extend(store, {"ids": [entity_id], "properties": list(PROPERTIES)})
    row = values["rows"][entity_id]
    lines = []
    for pid, cells in row.items():
        if cells and pid not in ("prefLabel",):
            text = ", ".join(c.get("str") or c.get("name") or "" for c in cells[:5])
            lines.append(f"<dt>{html.escape(PROPERTIES[pid][0])}</dt><dd>{html.escape(text)}</dd>")
    return (
        '<html lang="en"><head><meta charset="utf-8"></head><body style="font-family:sans-serif;'
        f'font-size:0.8em"><h3>{html.escape(ent.name())}</h3>'
        f'<p>{TYPES[ent.type]} &middot; <a href="{html.escape(_full(entity_id))}" '
        f'target="_blank">{html.escape(_full(entity_id))}</a></p>'
        f"<dl>{''.join(lines)}</dl></body></html>"
    )


def _iri(entity_id: str) -> str:
    """The IRI of an entity id, refused when it is not a valid IRI (it goes into SPARQL)."""
    import pyoxigraph as ox

    try:
        return str(ox.NamedNode(_full(entity_id)))
    except ValueError:
        raise InputError(f"{entity_id!r} is not an entity id or IRI") from None


def extend(store: Any, request: dict, version: str = "0.2") -> dict:
    """Data extension: the values of the requested properties for the requested ids, as the
    0.2 response (rows by id) or the 1.0 one (a list of rows)."""
    request = check_extend(request)
    ids, pids = request["ids"], request["properties"]
    unknown = [p for p in pids if p not in PROPERTIES]
    if unknown:
        raise InputError(f"unknown properties {unknown} (see the property proposals)")
    rows: dict[str, dict[str, list]] = {i: {p: [] for p in pids} for i in ids}
    if ids and pids:
        idx = index(store)
        values = " ".join(_iri(i) for i in ids)
        sparql = _rq("extend.rq").replace("WHERE {", f"WHERE {{ VALUES ?s {{ {values} }}", 1)
        short: dict[str, list[str]] = defaultdict(list)
        for i in ids:
            short[_full(i)].append(i)
        for r in store.query(sparql):
            pid = r["pid"].value
            value = r["value"]
            label = r["label"].value if r["label"] is not None else None
            if pid == "country" and label is None:  # the authority table is not in the store
                label = _country_table()[1].get(value.value)
            if value.value in idx.entities and pid == "postIn":
                cell = {"id": _short(value.value), "name": label or value.value}
            else:
                cell = {"str": label or value.value}
            for key in short.get(r["s"].value, ()):
                if pid in rows[key] and cell not in rows[key][pid]:
                    rows[key][pid].append(cell)
    meta = [{"id": p, "name": PROPERTIES[p][0]} for p in pids]
    if version == "1.0-draft":
        return {
            "meta": meta,
            "rows": [
                {"id": i, "properties": [{"id": p, "values": rows[i][p]} for p in pids]}
                for i in dict.fromkeys(ids)
            ],
        }
    return {"meta": meta, "rows": rows}


__all__ = [
    "FEATURES",
    "ORGANISATION",
    "PERSON",
    "PROPERTIES",
    "TYPES",
    "VERSIONS",
    "build_index",
    "entity",
    "extend",
    "index",
    "manifest",
    "match",
    "preview",
    "propose_properties",
    "reconcile",
    "suggest_entity",
    "suggest_property",
    "suggest_type",
]
