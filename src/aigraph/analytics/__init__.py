"""Collaboration networks: projections of the knowledge graph, metrics, communities, paths,
cross-border analysis, exports, metrics written back as RDF and SPARQL extension functions.

    >>> from aigraph.store import Store
    >>> from aigraph import analytics as an
    >>> G = an.project(Store(), "co-participation")          # doctest: +SKIP
    >>> an.summary(G)["modularity"]                          # doctest: +SKIP

Importing this package registers the ``aigf:`` SPARQL functions (see :mod:`.functions`).
"""

from __future__ import annotations

from ..query import register_function_provider
from .borders import Broker, CountryPair, brokers, cross_border
from .communities import Communities, detect, modularity
from .export import FORMATS as EXPORT_FORMATS
from .export import export
from .functions import provider as _provider
from .metrics import Betweenness, betweenness, closeness, components, degree, pagerank, strength
from .paths import Path, all_shortest_paths, distance, ego, evidence, resolve, shortest_path
from .projection import PROJECTIONS, Filters, affiliations, agreements, co_participation, project
from .results import analyse
from .results import write as write_metrics
from .summary import METRICS, node_table, summary

register_function_provider(_provider)

__all__ = [
    "EXPORT_FORMATS",
    "METRICS",
    "PROJECTIONS",
    "Betweenness",
    "Broker",
    "Communities",
    "CountryPair",
    "Filters",
    "Path",
    "affiliations",
    "agreements",
    "all_shortest_paths",
    "analyse",
    "betweenness",
    "brokers",
    "closeness",
    "co_participation",
    "components",
    "cross_border",
    "degree",
    "detect",
    "distance",
    "ego",
    "evidence",
    "export",
    "modularity",
    "node_table",
    "pagerank",
    "project",
    "resolve",
    "shortest_path",
    "strength",
    "summary",
    "write_metrics",
]
