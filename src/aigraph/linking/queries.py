"""Reading reconciliation requests, bounded and checked: 0.2 query batches (an object of
queries, what OpenRefine sends in ``queries=``), 1.0-draft query batches (``{"queries": [...]}``
with conditions, sent as JSON) and data-extension requests of either version.

Each parser returns plain JSON values, checked and in a canonical form (scalars as strings):
the service's tasks (:mod:`.reconcile`) turn
them into :class:`~.search.Query` objects. Every refusal is an :class:`~aigraph.errors.InputError`
(400) naming the query and the member at fault; a batch larger than :data:`MAX_QUERIES` is
:class:`~aigraph.errors.TooLarge` (413), as the manifest's ``batchSize`` announces.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ..errors import InputError, TooLarge

#: limits of a request: characters of its JSON, nesting of its JSON, queries in a batch,
#: candidates per query, ids in a data-extension request
MAX_JSON_CHARS = 1_000_000
MAX_JSON_DEPTH = 32
MAX_QUERIES = 1000
MAX_LIMIT = 100
MAX_IDS = 10_000
#: property ids a query may compare (names and ids have their own conditions)
MATCH_PROPERTIES = ("country", "city", "ror", "pic", "vat", "wikidata", "isni", "grid")
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


def _batch_size(n: int) -> None:
    if n > MAX_QUERIES:
        raise TooLarge(f"the batch holds {n} queries; at most {MAX_QUERIES} (the batchSize)")


def _limit(where: str, limit: Any, least: int) -> None:
    ok = (
        isinstance(limit, (int, float))
        and not isinstance(limit, bool)
        and math.isfinite(limit)
        and limit == int(limit)
        and least <= limit <= MAX_LIMIT
    )
    if not ok:
        raise InputError(f"{where}: 'limit' must be an integer from {least} to {MAX_LIMIT}")


def _match_property(where: str, pid: Any) -> str:
    if pid not in MATCH_PROPERTIES:
        raise InputError(
            f"{where}: cannot match on property {pid!r}; properties a query may use: "
            + ", ".join(MATCH_PROPERTIES)
        )
    return str(pid)


def _values(where: str, value: Any) -> list:
    """A property value or a list of them (strings, numbers, booleans, ``{"id": ...}``), in a
    canonical form: scalars as strings (``true``, ``12``), entities as ``{"id", "name"}``."""
    values = value if isinstance(value, list) else [value]
    if not values:
        raise InputError(f"{where}: no value")
    out: list = []
    for v in values:
        if isinstance(v, bool):
            out.append("true" if v else "false")
        elif isinstance(v, str):
            out.append(v)
        elif isinstance(v, (int, float)) and math.isfinite(v):
            out.append(str(int(v)) if v == int(v) else repr(v))
        elif isinstance(v, dict) and isinstance(v.get("id"), str):
            name = v.get("name")
            out.append({"id": v["id"], "name": name if isinstance(name, str) else ""})
        else:
            raise InputError(f"{where}: a value must be a string, a number, a boolean or an "
                             "object with a string 'id'")  # fmt: skip
    return out


# ----------------------------------------------------------------------------- 0.2
def _query_02(key: str, q: Any) -> dict:
    """One 0.2 query, checked: a string ``query``, an optional ``type`` (string or list of
    strings), ``limit`` (0-100; 0 is the default) and ``properties`` (``pid`` and ``v``)."""
    where = f"query {key!r}"
    if not isinstance(q, dict) or not isinstance(q.get("query", ""), str):
        raise InputError(f"{where} must be an object with a string 'query'")
    if "query" not in q and not q.get("properties"):
        raise InputError(f"{where} needs a 'query' or 'properties'")
    wanted = q.get("type")
    if not (
        wanted is None
        or isinstance(wanted, str)
        or (isinstance(wanted, list) and all(isinstance(t, str) for t in wanted))
    ):
        raise InputError(f"{where}: 'type' must be a string or a list of strings")
    if q.get("limit") is not None:
        _limit(where, q["limit"], 0)
    props = q.get("properties")
    if props is not None and (
        not isinstance(props, list)
        or not all(isinstance(p, dict) and isinstance(p.get("pid"), str) for p in props)
    ):
        raise InputError(f"{where}: 'properties' must be a list of objects with a 'pid'")
    out: dict[str, Any] = {"query": q.get("query", "")}
    if wanted:
        out["type"] = [wanted] if isinstance(wanted, str) else list(wanted)
    if q.get("limit"):
        out["limit"] = int(q["limit"])
    if props:
        out["properties"] = [
            {
                "pid": _match_property(where, p["pid"]),
                "v": _values(f"{where}, property {p['pid']!r}", p.get("v")),
            }
            for p in props
        ]
    return out


def parse_queries(raw: str | None) -> dict[str, dict]:
    """The ``queries`` parameter of a 0.2 request: a JSON object of query objects."""
    if not raw:
        raise InputError("missing 'queries' (a JSON object of reconciliation queries)")
    queries = bounded_json(raw, "queries")
    if not isinstance(queries, dict):
        raise InputError("'queries' must map keys to objects with a string 'query'")
    _batch_size(len(queries))
    return {key: _query_02(key, q) for key, q in queries.items()}


# ----------------------------------------------------------------------------- 1.0-draft
QUERY_MEMBERS = ("conditions", "type", "limit", "lang", "dir")
MATCH_TYPES = ("name", "id", "property")
QUANTIFIERS = ("any", "all", "none")


def _condition(where: str, c: Any) -> dict:
    if not isinstance(c, dict):
        raise InputError(f"{where} must be an object")
    kind = c.get("matchType")
    if kind not in MATCH_TYPES:
        raise InputError(f"{where}: 'matchType' must be one of {', '.join(MATCH_TYPES)}")
    if "propertyValue" not in c:
        raise InputError(f"{where}: missing 'propertyValue'")
    if not isinstance(c.get("required", False), bool):
        raise InputError(f"{where}: 'required' must be true or false")
    quantifier = c.get("matchQuantifier", "any")
    if quantifier not in QUANTIFIERS:
        raise InputError(f"{where}: 'matchQuantifier' must be one of {', '.join(QUANTIFIERS)}")
    if "matchQualifier" in c:
        raise InputError(
            f"{where}: this service supports no 'matchQualifier' (its property suggestions "
            "list none)"
        )
    out = {
        "matchType": kind,
        "propertyValue": _values(where, c["propertyValue"]),
        "required": c.get("required", False),
        "matchQuantifier": quantifier,
    }
    if kind == "property":
        out["propertyId"] = _match_property(where, c.get("propertyId"))
    return out


def _query_10(i: int, q: Any) -> dict:
    where = f"query {i}"
    if not isinstance(q, dict):
        raise InputError(f"{where} must be an object with 'conditions'")
    unknown = sorted(set(q) - set(QUERY_MEMBERS))
    if unknown:
        hint = (
            ' (in 1.0 a name is a condition: {"matchType": "name", "propertyValue": ...})'
            if "query" in unknown or "properties" in unknown
            else ""
        )
        raise InputError(f"{where}: unknown members {', '.join(map(repr, unknown))}{hint}")
    conditions = q.get("conditions")
    if not isinstance(conditions, list) or not conditions:
        raise InputError(f"{where}: 'conditions' must be a list of at least one condition")
    out: dict[str, Any] = {
        "conditions": [_condition(f"{where}, condition {j}", c) for j, c in enumerate(conditions)]
    }
    if "type" in q:
        if not isinstance(q["type"], str):
            raise InputError(f"{where}: 'type' must be one type id (a string)")
        out["type"] = q["type"]
    if "limit" in q:
        _limit(where, q["limit"], 1)
        out["limit"] = int(q["limit"])
    if "lang" in q and not isinstance(q["lang"], str):
        raise InputError(f"{where}: 'lang' must be a language tag")
    if q.get("dir", "ltr") not in ("ltr", "rtl", "auto"):
        raise InputError(f"{where}: 'dir' must be ltr, rtl or auto")
    return out


def parse_batch(doc: Any) -> list[dict]:
    """A 1.0 reconciliation query batch (the parsed JSON body of ``POST /match``)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("queries"), list):
        raise InputError("a 1.0 query batch is an object whose 'queries' is a list of queries")
    _batch_size(len(doc["queries"]))
    return [_query_10(i, q) for i, q in enumerate(doc["queries"])]


# ----------------------------------------------------------------------------- extension
def check_extend(req: Any) -> dict:
    """A data-extension query (either version): ``ids`` (strings) and ``properties`` (objects
    with an ``id``, or 0.2's bare strings), as ``{"ids": [...], "properties": [ids]}``."""
    if not isinstance(req, dict) or not isinstance(req.get("ids"), list):
        raise InputError("a data-extension query needs 'ids' (a list) and 'properties'")
    ids, props = req["ids"], req.get("properties") or []
    if len(ids) > MAX_IDS:
        raise InputError(f"the data-extension query asks for {len(ids)} ids; at most {MAX_IDS}")
    if not all(isinstance(i, str) for i in ids):
        raise InputError("data extension: every id must be a string")
    if not isinstance(props, list) or not all(
        isinstance(p, str) or (isinstance(p, dict) and isinstance(p.get("id"), str)) for p in props
    ):
        raise InputError("data extension: 'properties' must be a list of objects with an 'id'")
    return {"ids": ids, "properties": [p if isinstance(p, str) else p["id"] for p in props]}


def parse_extend(raw: str | None) -> dict:
    """The ``extend`` parameter of a 0.2 request."""
    if not raw:
        raise InputError("missing 'extend' (a JSON object with ids and properties)")
    return check_extend(bounded_json(raw, "extend"))
