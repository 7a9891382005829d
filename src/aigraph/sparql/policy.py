"""The request policy lives in :mod:`aigraph.policy` (the CLI and library paths share it)."""

from ..policy import (
    authorize,
    check_nesting,
    check_query,
    check_request,
    check_services,
    check_size,
    deadline,
    guard,
)

__all__ = [
    "authorize",
    "check_nesting",
    "check_query",
    "check_request",
    "check_services",
    "check_size",
    "deadline",
    "guard",
]
