"""The SPARQL service core: policy, negotiation, query workers, updates, GSP, self-description.

The HTTP edge (:mod:`aigraph.api`) and the CLI call :class:`SparqlService`; nothing here
imports them.
"""

from .results import QueryJob, Reply
from .service import QueryRequest, SparqlService

__all__ = ["QueryJob", "QueryRequest", "Reply", "SparqlService"]
