"""Fixtures of the fetch tests: a loopback server (see :mod:`loopback`) and a private cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from loopback import Server

from aigraph.config import get_settings


@pytest.fixture
def server():
    srv = Server()
    yield srv
    srv.close()


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    """A private cache (AIGRAPH_CACHE), the settings re-read around the test."""
    path = tmp_path / "cache"
    monkeypatch.setenv("AIGRAPH_CACHE", str(path))
    for var in ("CORDIS_H2020", "CORDIS_HORIZON", "CORDIS_FP7", "ROR", "COUNTRIES"):
        monkeypatch.delenv(f"AIGRAPH_FETCH_{var}_URL", raising=False)
    monkeypatch.delenv("AIGRAPH_FETCH_MAX_BYTES", raising=False)
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


@pytest.fixture
def store_dir(tmp_path) -> Path:
    """A new, empty store's folder: the fetch tests need no curated data (the importers'
    writes are validated against the bundled ontology and shapes all the same)."""
    return tmp_path / "store"
