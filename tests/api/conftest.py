"""Clients of the full service (aigraph.api.create_app) over the curated data.

Read tests share one in-memory store per module; the worker-pool client uses a copy of the
session's on-disk store; write tests get a private on-disk copy each.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
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


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_process(store_path: Path) -> Iterator[str]:
    """``aigraph serve`` as a real process on a free loopback port; yields its base URL and
    stops it (SIGINT, then SIGKILL after 15 s) when the block ends."""
    port = free_port()
    env = {**os.environ, "AIGRAPH_STORE": str(store_path), "AIGRAPH_WORKERS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "aigraph", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                out = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"aigraph serve did not come up:\n{out}")
            time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def served(store_dir):
    """``aigraph serve`` on a free loopback port over a private copy of the initialised store;
    yields its base URL."""
    with serve_process(store_dir) as base:
        yield base


@pytest.fixture
def serve():
    """The :func:`serve_process` context manager, for tests that need a real server."""
    return serve_process
