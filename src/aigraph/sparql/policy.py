"""What the service lets a request do: query vs update, federation, deadlines, sizes, writes."""

from __future__ import annotations

import hmac

from ..config import Settings
from ..errors import InputError, NotAllowed, TooLarge, Unauthorized
from .lexer import Inspection


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


def check_services(info: Inspection, settings: Settings) -> None:
    """SERVICE is refused unless federation is on and every endpoint is on the allow-list."""
    for endpoint in info.services:
        if endpoint is None:
            raise NotAllowed("SERVICE with a variable endpoint is not allowed")
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
    """The request's deadline: the default, lowered (never raised) by the request, and for a
    federated query at most ``service_timeout`` per SERVICE clause (pyoxigraph's HTTP client
    has no timeout of its own; the worker is killed at the deadline)."""
    limit = min(settings.query_timeout, settings.max_query_timeout)
    if requested is not None:
        if requested <= 0:
            raise InputError(f"timeout must be positive, not {requested:g}")
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
