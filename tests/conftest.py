"""Shared fixtures: stores built once per session and copied, paths to the shared real data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aigraph.store import Store

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
#: real open data beside the team's checkouts (absent in a user's clone: tests skip)
SHARED_DATA = ROOT.parent / "shared" / "data"


def shared_data(relative: str) -> Path:
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(
            f"real data {relative} not present (expected beside the repository in shared/data)"
        )
    return path


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
