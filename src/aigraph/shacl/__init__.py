"""SHACL Core validation by compiling shapes to SPARQL run on pyoxigraph.

:func:`compile_shapes` turns a shapes graph into checks; :func:`run_checks` runs them on a
store. The public entry points are in :mod:`aigraph.validate`.
"""

from .compiler import CompiledCheck, compile_shapes
from .engine import run_checks
from .shapes import UnsupportedShapeError

__all__ = ["CompiledCheck", "UnsupportedShapeError", "compile_shapes", "run_checks"]
