"""Shared fixtures: stores built once per session and copied."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aigraph.store import Store

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
# Real open data ships in the repository (data/open, data/reference; see data/open/README.md):
# tests find it by its path from their own file, so a clean clone runs every real-data test.


@pytest.fixture(scope="session")
def initialised_store_dir(tmp_path_factory) -> Path:
    """An on-disk store with ontology, vocabularies and curated data, built once."""
    path = tmp_path_factory.mktemp("store-template") / "store"
    store = Store(path)
    store.init()
    store.close()
    del store
    return path


@pytest.fixture
def store_dir(initialised_store_dir, tmp_path) -> Path:
    """A private copy of the initialised store, free to be written to."""
    target = tmp_path / "store"
    shutil.copytree(initialised_store_dir, target)
    return target


@pytest.fixture
def memory_store() -> Store:
    """An in-memory store holding ontology, vocabularies and curated data."""
    store = Store()
    store.init()
    return store
