"""Locating the bundled ontology, shapes and curated data.

In an installed wheel they live in ``aigraph/_bundled/``; in a source checkout (editable
install) they are read from the repository's top-level ``ontology/``, ``shapes/`` and ``data/``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from .namespaces import graph

ONTOLOGY_GRAPH = graph("ontology")
VOCABULARY_GRAPH = graph("vocabulary")
CATALOG_GRAPH = graph("catalog")


@lru_cache(maxsize=1)
def bundled_root() -> Path:
    """The folder holding ``ontology/``, ``shapes/`` and ``data/curated/``."""
    packaged = resources.files("aigraph") / "_bundled"
    if packaged.is_dir():
        return Path(str(packaged))
    source_tree = Path(__file__).resolve().parents[2]
    if (source_tree / "ontology").is_dir():
        return source_tree
    raise FileNotFoundError("aigraph's bundled ontology and shapes are missing from this install")


def ontology_files() -> list[Path]:
    """Turtle files of the OWL ontology (``ontology/*.ttl``, vocabularies excluded)."""
    return sorted(p for p in (bundled_root() / "ontology").glob("*.ttl") if "vocab" not in p.name)


def vocabulary_files() -> list[Path]:
    """Turtle files of the SKOS concept schemes (``ontology/*vocab*.ttl``)."""
    return sorted(p for p in (bundled_root() / "ontology").glob("*.ttl") if "vocab" in p.name)


def shapes_files() -> list[Path]:
    return sorted((bundled_root() / "shapes").glob("*.ttl"))


def curated_files() -> list[Path]:
    """The curated dataset: TriG files, one named graph per source, plus the catalog."""
    return sorted((bundled_root() / "data" / "curated").glob("*.trig"))


@lru_cache(maxsize=1)
def shapes_graph():
    """All shapes as one rdflib Graph (cached)."""
    from rdflib import Graph

    g = Graph()
    for path in shapes_files():
        g.parse(path, format="turtle")
    return g


@lru_cache(maxsize=1)
def ontology_graph():
    """Ontology plus vocabularies as one rdflib Graph (cached)."""
    from rdflib import Graph

    g = Graph()
    for path in ontology_files() + vocabulary_files():
        g.parse(path, format="turtle")
    return g
