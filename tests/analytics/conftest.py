"""The hand-made network (tests/fixtures/network/hand-made.trig), loaded once per test."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from aigraph.store import Store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "network" / "hand-made.trig"


@pytest.fixture
def hand_store() -> Store:
    """A bare store holding the hand-made network. It is loaded without validation: these
    tests are about the analytics; the shapes' own tests cover validation."""
    store = Store()
    store.ox.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return store
