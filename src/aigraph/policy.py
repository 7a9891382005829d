"""What the service lets a request do: query vs update, federation, deadlines, sizes, writes."""

from __future__ import annotations

import hmac
import math
from collections.abc import Mapping

from .config import Settings
from .errors import InputError, NotAllowed, TooLarge, Unauthorized
from .lexer import Inspection, inspect

#: the deepest nesting of ``{``, ``(`` and ``[`` a request may have. The engine's recursive
#: parser overflows its stack (a segfault, not an error) a few thousand levels down; real
#: queries, even generated ones, stay far below this.
MAX_NESTING = 128


def check_size(text: str | bytes, limit: int, what: str = "request") -> None:
    if len(text) * 4 <= limit:  # at most 4 UTF-8 bytes a character: no need to encode
        return
    size = len(text.encode() if isinstance(text, str) else text)
    if size > limit:
        raise TooLarge(f"the {what} is {size} bytes; this service accepts at most {limit}")


def check_query(info: Inspection) -> None:
    """A query endpoint answers queries only: an update is refused before anything runs."""
    if info.is_update:
        raise InputError(
            f"this is a SPARQL update ({info.form}), not a query: send it to /update "
            "(it was not run)"
        )


def check_nesting(info: Inspection, what: str = "query") -> None:
    """Refuse, before any engine sees it, a request nested deeper than :data:`MAX_NESTING`."""
    if info.depth > MAX_NESTING:
        raise InputError(
            f"the {what} nests brackets {info.depth} levels deep; this service accepts at most "
            f"{MAX_NESTING} (it was not run)"
        )


def check_services(info: Inspection, settings: Settings) -> None:
    """SERVICE is refused unless federation is on and every endpoint is on the allow-list."""
    for endpoint in info.services:
        if endpoint is None:
            raise NotAllowed(
                "SERVICE is allowed only to an absolute endpoint IRI written in the query "
                "(not a variable, an unknown prefix or an IRI relative to BASE)"
            )
        if not settings.federation:
            raise NotAllowed(
                f"SERVICE <{endpoint}> is not allowed: federation is off on this service "
                "(the operator enables it with AIGRAPH_FEDERATION=on)"
            )
        if endpoint not in settings.service_allow:
            raise NotAllowed(
                f"SERVICE <{endpoint}> is not allowed: the endpoint is not on this service's "
                "allow-list (AIGRAPH_SERVICE_ALLOW)"
            )


def deadline(settings: Settings, requested: float | None, info: Inspection | None = None) -> float:
    """The request's deadline: the default, or the request's own up to ``max_query_timeout``,
    and for a federated query at most ``service_timeout`` per SERVICE clause (pyoxigraph's HTTP
    client has no timeout of its own; the worker is killed at the deadline)."""
    limit = min(settings.query_timeout, settings.max_query_timeout)
    if requested is not None:
        if not math.isfinite(requested) or requested <= 0:
            raise InputError(f"timeout must be a positive number of seconds, not {requested:g}")
        limit = min(requested, settings.max_query_timeout)
    if info is not None and info.services:
        limit = min(limit, settings.service_timeout * len(info.services))
    return limit


def authorize(settings: Settings, authorization: str | None) -> None:
    """Writes need ``Authorization: Bearer <AIGRAPH_WRITE_TOKEN>``; no token set: writes off."""
    if not settings.write_token:
        raise NotAllowed("writes are disabled on this service (no AIGRAPH_WRITE_TOKEN is set)")
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), settings.write_token.encode()
    ):
        raise Unauthorized("writes need the header 'Authorization: Bearer <write token>'")


def guard(
    text: str,
    settings: Settings,
    *,
    update: bool = False,
    prefixes: Mapping[str, str] | None = None,
) -> Inspection:
    """Every check a request's text must pass before an engine sees it, on every path (service,
    CLI, library): its nesting, query vs update, LOAD (never) and SERVICE (the allow-list).
    Returns the inspection."""
    return check_request(inspect(text, prefixes), settings, update=update)


def check_request(info: Inspection, settings: Settings, *, update: bool = False) -> Inspection:
    """:func:`guard` on a request already inspected (the service caches inspections)."""
    what = "update" if update else "query"
    check_nesting(info, what)
    if not update:
        check_query(info)
    elif info.loads:
        raise NotAllowed("LOAD is not allowed: this service does not fetch data from URLs")
    check_services(info, settings)
    return info
