"""The SPARQL tokenizer lives in :mod:`aigraph.lexer` (the query layer uses it too)."""

from ..lexer import (
    QUERY_FORMS,
    UPDATE_FORMS,
    Inspection,
    Token,
    inspect,
    is_relative,
    resolve,
    tokenize,
)

__all__ = [
    "QUERY_FORMS",
    "UPDATE_FORMS",
    "Inspection",
    "Token",
    "inspect",
    "is_relative",
    "resolve",
    "tokenize",
]
