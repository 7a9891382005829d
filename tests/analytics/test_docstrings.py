"""The examples in the analytics docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["backend", "metrics", "communities", "paths", "borders", "summary", "projection"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"aigraph.analytics.{name}")
    result = doctest.testmod(module, extraglobs={"nx": importlib.import_module("networkx")})
    assert result.failed == 0
