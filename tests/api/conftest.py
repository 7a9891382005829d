"""Clients of the full service (aigraph.api.create_app) over the curated data.

Read tests share one in-memory store per module; the worker-pool client uses a copy of the
session's on-disk store; write tests get a private on-disk copy each.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from aigraph.api import create_app
from aigraph.config import Settings
from aigraph.store import Store

TOKEN = "test-token"


def client_for(store: Store, **settings) -> TestClient:
    base = {"write_token": TOKEN, "workers": 0 if store.path is None else 2}
    return TestClient(create_app(Settings(**{**base, **settings}), store))


@pytest.fixture(scope="module")
def read_store() -> Store:
    store = Store()
    store.init()
    return store


@pytest.fixture(scope="module")
def client(read_store) -> Iterator[TestClient]:
    with client_for(read_store) as c:
        yield c


@pytest.fixture(scope="module")
def pool_client(initialised_store_dir, tmp_path_factory) -> Iterator[TestClient]:
    target = tmp_path_factory.mktemp("pool") / "store"
    shutil.copytree(initialised_store_dir, target)
    with client_for(Store(target), max_rows=5) as c:
        yield c


@pytest.fixture
def write_client(store_dir) -> Iterator[TestClient]:
    with client_for(Store(store_dir)) as c:
        yield c


def quads(client: TestClient) -> set:
    store = client.app.state.store
    return set(store.ox.quads_for_pattern(None, None, None, None))


@pytest.fixture
def make_client():
    """``make_client(store, **settings)``: a client of the full service with these settings."""
    return client_for


@pytest.fixture
def store_quads():
    """``store_quads(client)``: every quad of the client's store, as a set."""
    return quads
