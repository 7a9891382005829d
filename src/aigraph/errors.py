"""One error hierarchy for the whole package.

Every error names the offending input (file and line, query position, shape and focus node).
The CLI maps them to exit codes and the API to RFC 9457 problem responses, each in one place.
"""

from __future__ import annotations

import math


class AigraphError(Exception):
    """Base class. ``exit_code`` is the CLI's, ``status`` the HTTP one."""

    exit_code = 3
    status = 500
    title = "Internal error"


class InputError(AigraphError):
    """Bad input from the user: missing file, unknown format, bad option."""

    exit_code = 2
    status = 400
    title = "Bad input"


class RdfSyntaxError(InputError):
    """An RDF document that does not parse. Names the file (or source) and the line."""

    title = "RDF syntax error"

    def __init__(
        self, source: str, message: str, line: int | None = None, column: int | None = None
    ):
        self.source = source
        self.line = line
        self.column = column
        self.detail = message
        where = (
            source
            if line is None
            else f"{source}, line {line}" + (f", column {column}" if column is not None else "")
        )
        super().__init__(f"{where}: {message}")


class QuerySyntaxError(InputError):
    """A SPARQL query or update that does not parse; the message carries the position."""

    title = "Malformed SPARQL"


class UnsupportedMediaType(InputError):
    status = 415
    title = "Unsupported media type"


class NotAcceptable(InputError):
    status = 406
    title = "Not acceptable"


class NotAllowed(AigraphError):
    """Refused by policy: writes without a token, SERVICE outside the allow-list, LOAD."""

    exit_code = 2
    status = 403
    title = "Forbidden"


class NotFound(AigraphError):
    exit_code = 2
    status = 404
    title = "Not found"


class TooLarge(AigraphError):
    exit_code = 2
    status = 413
    title = "Request too large"


class QueryTimeout(AigraphError):
    """A query ran past its deadline and was stopped."""

    exit_code = 3
    status = 503
    title = "Query timeout"


class Overloaded(AigraphError):
    """No room for the request now: 503 when the service is busy, 429 (``too_many``) when the
    client is over its share. ``retry_after``: whole seconds to wait before trying again."""

    exit_code = 3
    status = 503
    title = "Service busy"

    def __init__(self, message: str, retry_after: float = 1.0, too_many: bool = False):
        super().__init__(message)
        self.retry_after = max(1, math.ceil(retry_after))
        if too_many:
            self.status = 429
            self.title = "Too many requests"


class NonConformingError(AigraphError):
    """Data that violates the SHACL shapes; carries the validation report."""

    exit_code = 1
    status = 422
    title = "Data does not conform to the shapes"

    def __init__(self, report):  # report: aigraph.validate.ValidationReport
        self.report = report
        super().__init__(report.text())


class Unauthorized(NotAllowed):
    """A write without the right bearer token (writes are enabled but the caller is unknown)."""

    status = 401
    title = "Unauthorized"


class StoreBusy(AigraphError):
    """The store is held by another process (usually a running ``aigraph serve``): it can be
    read beside it, but not written."""

    exit_code = 2
    status = 409
    title = "Store in use"


class StoreWriteError(AigraphError):
    """A write (or checkpoint, backup, restore) that the file system refused: the store is left
    as it was, and the same write works again once the cause is fixed."""

    exit_code = 2
    status = 507
    title = "Insufficient storage"


class StorageFull(StoreWriteError):
    """No space left on the device (or quota exceeded) while writing."""
