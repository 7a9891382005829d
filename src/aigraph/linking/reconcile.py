"""The W3C Entity Reconciliation API (version 0.2, what OpenRefine speaks) over aigraph's
organisations and people: the logic behind ``/reconcile`` (:mod:`aigraph.api.reconcile`).

Entity ids are IRIs relative to the identifier space ``https://w3id.org/aigraph/id/``
(``organisation/ror-02kvxyf05``); types are ``org:Organization`` and ``foaf:Person``. Matching
uses :mod:`.match` (normalised names and acronyms in several languages; a ``country``
property, as an ISO or CORDIS code or an authority-table IRI, counts as evidence).
"""

from __future__ import annotations

import html
import json
import re
import threading
import weakref
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import InputError, NotFound
from ..namespaces import ID
from ..store import Store
from .links import organisations
from .match import Organisation, candidates
from .names import fold

ORGANISATION = "http://www.w3.org/ns/org#Organization"
PERSON = "http://xmlns.com/foaf/0.1/Person"
TYPES = {ORGANISATION: "Organisation", PERSON: "Person"}
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
MATCH_SCORE, MATCH_MARGIN, MIN_SCORE = 95.0, 10.0, 50.0
_HERE = Path(__file__).parent


def manifest(base_url: str) -> dict[str, Any]:
    """The service manifest; ``base_url`` is where ``/reconcile`` is served."""
    base = base_url.rstrip("/")
    service = {"service_url": base}
    return {
        "versions": ["0.2"],
        "name": "aigraph: the European sovereign-AI ecosystem",
        "identifierSpace": ID,
        "schemaSpace": "https://w3id.org/aigraph/ontology#",
        "defaultTypes": [{"id": t, "name": n} for t, n in TYPES.items()],
        "view": {"url": ID + "{{id}}"},
        "preview": {"url": base + "/preview?id={{id}}", "width": 400, "height": 160},
        "suggest": {
            "entity": {**service, "service_path": "/suggest/entity"},
            "type": {**service, "service_path": "/suggest/type"},
            "property": {**service, "service_path": "/suggest/property"},
        },
        "extend": {
            "propose_properties": {**service, "service_path": "/propose_properties"},
            "property_settings": [],
        },
    }


# ----------------------------------------------------------------------------- the index
@dataclass
class Entity:
    org: Organisation  # people too: labels are their names
    type: str


def _short(iri: str) -> str:
    return iri[len(ID) :] if iri.startswith(ID) else iri


def _full(entity_id: str) -> str:
    if entity_id.startswith(("http://", "https://")):
        return entity_id
    return ID + entity_id.lstrip("/")


class Index:
    """Organisations and people of a store, by IRI (rebuilt when the store changes size)."""

    def __init__(self, store: Store):
        self.entities: dict[str, Entity] = {}
        for iri, org in organisations(store).items():
            self.entities[iri] = Entity(org, ORGANISATION)
        for row in store.query((_HERE / "persons.rq").read_text(encoding="utf-8")):
            iri = row["person"].value
            ent = self.entities.get(iri)
            if ent is None:
                ent = self.entities[iri] = Entity(Organisation(iri), PERSON)
            if row["name"].value not in ent.org.labels:
                ent.org.labels.append(row["name"].value)

    def get(self, entity_id: str) -> Entity:
        ent = self.entities.get(_full(entity_id))
        if ent is None:
            raise NotFound(f"no organisation or person {entity_id!r}")
        return ent


_INDEXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_INDEX_LOCK = threading.Lock()


def index(store: Store) -> Index:
    """The store's index, built once per store version (any committed write rebuilds it)."""
    with _INDEX_LOCK:
        cached = _INDEXES.get(store)
        if cached is None or cached[0] != store.version:
            cached = (store.version, Index(store))
            _INDEXES[store] = cached
        return cached[1]


# ----------------------------------------------------------------------------- matching
def _country(value: Any) -> str | None:
    from ..importers.countries import load_table

    v = str(value.get("id", value.get("name", "")) if isinstance(value, dict) else value).strip()
    if v.startswith("http"):
        return v
    table = load_table()
    if len(v) == 3 and v.isalpha():
        return table.concepts.get(v.upper())
    return table.from_iso2(v) or table.from_cordis(v) if v else None


#: limits of a request: characters of its JSON, nesting of its JSON, queries in a batch,
#: candidates per query, ids in a data-extension request
MAX_JSON_CHARS = 1_000_000
MAX_JSON_DEPTH = 32
MAX_QUERIES = 1000
MAX_LIMIT = 100
MAX_IDS = 10_000
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def bounded_json(raw: str, what: str) -> Any:
    """``raw`` parsed as JSON, after checking its size and nesting depth (a deeply nested
    document would exhaust the parser's recursion)."""
    if len(raw) > MAX_JSON_CHARS:
        raise InputError(f"{what!r} is {len(raw)} characters long; at most {MAX_JSON_CHARS}")
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", raw)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            raise InputError(f"{what!r} is nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as err:
        raise InputError(f"{what!r} is not JSON: {err.msg} at position {err.pos}") from None


def _query(key: str, q: Any) -> dict:
    """One reconciliation query, checked: a string ``query``, an optional ``type`` (string or
    list of strings), ``limit`` (1-100) and ``properties`` (objects with ``pid`` and ``v``)."""
    if not isinstance(q, dict) or not isinstance(q.get("query"), str):
        raise InputError(f"query {key!r} must be an object with a string 'query'")
    wanted = q.get("type")
    if not (
        wanted is None
        or isinstance(wanted, str)
        or (isinstance(wanted, list) and all(isinstance(t, str) for t in wanted))
    ):
        raise InputError(f"query {key!r}: 'type' must be a string or a list of strings")
    limit = q.get("limit")
    if limit is not None and (
        isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= MAX_LIMIT
    ):
        raise InputError(f"query {key!r}: 'limit' must be an integer from 0 to {MAX_LIMIT}")
    props = q.get("properties")
    if props is not None and (
        not isinstance(props, list)
        or not all(isinstance(p, dict) and isinstance(p.get("pid"), str) for p in props)
    ):
        raise InputError(f"query {key!r}: 'properties' must be a list of objects with a 'pid'")
    return q


def parse_queries(raw: str | None) -> dict[str, dict]:
    """The ``queries`` parameter (JSON object of query objects) of a batch request."""
    if not raw:
        raise InputError("missing 'queries' (a JSON object of reconciliation queries)")
    queries = bounded_json(raw, "queries")
    if not isinstance(queries, dict):
        raise InputError("'queries' must map keys to objects with a string 'query'")
    if len(queries) > MAX_QUERIES:
        raise InputError(f"'queries' holds {len(queries)} queries; at most {MAX_QUERIES}")
    return {key: _query(key, q) for key, q in queries.items()}


def reconcile(store: Store, queries: dict[str, dict]) -> dict[str, dict]:
    """Answer a batch of reconciliation queries: ``{key: {"result": [candidates]}}``."""
    idx = index(store)
    probes: list[Organisation] = []
    for key, q in queries.items():
        props = {p["pid"]: p.get("v") for p in q.get("properties") or []}
        country = _country(props["country"]) if props.get("country") else None
        city = props.get("city") if isinstance(props.get("city"), str) else None
        probes.append(Organisation(key, [q["query"]], country, city))
    found = candidates(
        probes, [e.org for e in idx.entities.values()], threshold=MIN_SCORE / 100, max_block=10**9
    )
    by_key: dict[str, list] = {key: [] for key in queries}
    for m in found:
        by_key[m.left].append(m)
    out: dict[str, dict] = {}
    for key, q in queries.items():
        wanted = q.get("type")
        wanted = {wanted} if isinstance(wanted, str) else set(wanted or [])
        limit = q.get("limit") or 10
        results = []
        for m in by_key[key]:
            ent = idx.entities[m.right]
            if wanted and ent.type not in wanted:
                continue
            results.append({
                "id": _short(m.right),
                "name": ent.org.name(),
                "type": [{"id": ent.type, "name": TYPES[ent.type]}],
                "score": round(m.score * 100, 1),
                "description": m.evidence_text(),
                "match": False,
            })  # fmt: skip
        results = results[:limit]
        if (
            results
            and results[0]["score"] >= MATCH_SCORE
            and (len(results) == 1 or results[0]["score"] - results[1]["score"] >= MATCH_MARGIN)
        ):
            results[0]["match"] = True
        out[key] = {"result": results}
    return out


# ----------------------------------------------------------------------------- suggest
def suggest_entity(store: Store, prefix: str, types: list[str] | None = None) -> dict:
    p = fold(prefix)
    if not p:
        return {"result": []}
    hits = []
    for iri, ent in index(store).entities.items():
        if types and ent.type not in types:
            continue
        for label in ent.org.labels:
            f = fold(label)
            if f.startswith(p) or f" {p}" in f" {f}":
                hits.append((not f.startswith(p), len(label), iri, ent, label))
                break
    hits.sort(key=lambda h: h[:3])
    return {
        "result": [
            {
                "id": _short(iri),
                "name": ent.org.name(),
                "description": label if label != ent.org.name() else TYPES[ent.type],
            }
            for _a, _b, iri, ent, label in hits[:10]
        ]  # fmt: skip
    }


def suggest_type(prefix: str) -> dict:
    p = fold(prefix)
    return {"result": [{"id": t, "name": n} for t, n in TYPES.items() if fold(n).startswith(p)]}


def suggest_property(prefix: str) -> dict:
    p = fold(prefix)
    return {
        "result": [
            {"id": pid, "name": name}
            for pid, (name, _types) in PROPERTIES.items()
            if fold(pid).startswith(p) or fold(name).startswith(p) or f" {p}" in f" {fold(name)}"
        ]
    }


def propose_properties(type_id: str, limit: int | None = None) -> dict:
    props = [{"id": pid, "name": name} for pid, (name, types) in PROPERTIES.items()
             if type_id in types]  # fmt: skip
    return {"type": type_id, "properties": props[:limit] if limit else props}


# ----------------------------------------------------------------------------- preview, extend
def preview(store: Store, entity_id: str) -> str:
    """A small HTML card for OpenRefine's preview pane."""
    ent = index(store).get(entity_id)
    values = extend(store, {"ids": [entity_id], "properties": [{"id": p} for p in PROPERTIES]})
    row = values["rows"][entity_id]
    lines = []
    for pid, cells in row.items():
        if cells and pid not in ("prefLabel",):
            text = ", ".join(c.get("str") or c.get("name") or "" for c in cells[:5])
            lines.append(f"<dt>{html.escape(PROPERTIES[pid][0])}</dt><dd>{html.escape(text)}</dd>")
    return (
        '<html><head><meta charset="utf-8"></head><body style="font-family:sans-serif;'
        f'font-size:12px"><h3>{html.escape(ent.org.name())}</h3>'
        f'<p>{TYPES[ent.type]} &middot; <a href="{html.escape(_full(entity_id))}" '
        f'target="_blank">{html.escape(_full(entity_id))}</a></p>'
        f"<dl>{''.join(lines)}</dl></body></html>"
    )


def parse_extend(raw: str | None) -> dict:
    if not raw:
        raise InputError("missing 'extend' (a JSON object with ids and properties)")
    req = bounded_json(raw, "extend")
    if not isinstance(req, dict) or not isinstance(req.get("ids"), list):
        raise InputError("'extend' needs 'ids' (a list) and 'properties'")
    ids, props = req["ids"], req.get("properties") or []
    if len(ids) > MAX_IDS:
        raise InputError(f"'extend' asks for {len(ids)} ids; at most {MAX_IDS}")
    if not all(isinstance(i, str) for i in ids):
        raise InputError("'extend': every id must be a string")
    if not isinstance(props, list) or not all(
        isinstance(p, str) or (isinstance(p, dict) and isinstance(p.get("id"), str)) for p in props
    ):
        raise InputError("'extend': 'properties' must be a list of objects with an 'id'")
    return req


def _iri(entity_id: str) -> str:
    """The IRI of an entity id, refused when it is not a valid IRI (it goes into SPARQL)."""
    import pyoxigraph as ox

    try:
        return str(ox.NamedNode(_full(entity_id)))
    except ValueError:
        raise InputError(f"{entity_id!r} is not an entity id or IRI") from None


@lru_cache(maxsize=1)
def _extend_query() -> str:
    return (_HERE / "extend.rq").read_text(encoding="utf-8")


def extend(store: Store, request: dict) -> dict:
    """Data extension: the values of the requested properties for the requested ids."""
    ids = [str(i) for i in request.get("ids") or []]
    pids = [p["id"] if isinstance(p, dict) else str(p) for p in request.get("properties") or []]
    unknown = [p for p in pids if p not in PROPERTIES]
    if unknown:
        raise InputError(f"unknown properties {unknown} (see propose_properties)")
    rows: dict[str, dict[str, list]] = {i: {p: [] for p in pids} for i in ids}
    if ids and pids:
        values = " ".join(_iri(i) for i in ids)
        sparql = _extend_query().replace("WHERE {", f"WHERE {{ VALUES ?s {{ {values} }}", 1)
        short = {_full(i): i for i in ids}
        for r in store.query(sparql):
            key, pid = short.get(r["s"].value), r["pid"].value
            if key is None or pid not in rows[key]:
                continue
            value = r["value"]
            label = r["label"].value if r["label"] is not None else None
            if value.value.startswith(ID) and pid in ("postIn", "type"):
                cell = {"id": _short(value.value), "name": label or value.value}
            else:
                cell = {"str": label or value.value}
            if cell not in rows[key][pid]:
                rows[key][pid].append(cell)
    return {"meta": [{"id": p, "name": PROPERTIES[p][0]} for p in pids], "rows": rows}
