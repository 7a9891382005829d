"""Fair scheduling of the query workers (docs/decisions/0006-fair-scheduling.md): the deadline
bounds execution, not waiting; a full queue or a busy pool answers 503/429 with Retry-After at
once; long queries cannot take the workers short ones need; killed workers come back.

Pools of 1-3 workers over a small on-disk store; a "runaway" is a cross product that would run
for hours, so it ends only when its worker is killed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from aigraph.config import Settings, settings_from_env
from aigraph.errors import InputError
from aigraph.sparql.service import pool_limits
from aigraph.store import Store

RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SHORT = "ASK { ?s a org:Post }"


def ask(client: TestClient, query: str = SHORT, **params) -> tuple[object, float]:
    start = time.monotonic()
    r = client.get("/sparql", params={"query": query, **params})
    return r, time.monotonic() - start


def in_background(call: Callable[[], tuple[object, float]]) -> tuple[threading.Thread, dict]:
    out: dict = {}

    def run() -> None:
        out["response"], out["elapsed"] = call()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def busy(r, status: int = 503) -> dict:
    """The problem document of a refusal for lack of room, checked."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert int(r.headers["Retry-After"]) >= 1
    doc = r.json()
    assert doc["status"] == status
    return doc


def test_short_queries_keep_their_workers_while_long_ones_fill_the_lane(make_client, store_dir):
    with make_client(
        Store(store_dir), workers=2, long_slots=1, long_after=0.3, queue_wait=5
    ) as client:
        pool = client.app.state.sparql.executor
        first = set(pool.pids())
        a, out_a = in_background(lambda: ask(client, RUNAWAY, timeout="3"))
        assert wait_for(lambda: pool.info()["long"] == 1, 2.5)  # the lane's one place
        b, out_b = in_background(lambda: ask(client, RUNAWAY, timeout="3"))
        time.sleep(0.05)
        times = []
        for _ in range(10):
            r, elapsed = ask(client)
            assert r.status_code == 200 and r.json()["boolean"] is True
            times.append(elapsed)
        b.join(10)
        # the second runaway was stopped when it turned long, not at its deadline
        doc = busy(out_b["response"])
        assert "long queries" in doc["detail"]
        assert out_b["elapsed"] < 1.5
        assert int(out_b["response"].headers["Retry-After"]) <= 3  # when the lane frees
        assert max(times) < 2.0, times  # not until the first runaway's deadline
        a.join(10)
        assert out_a["response"].status_code == 503  # the first one ran to its deadline
        assert "deadline" in out_a["response"].json()["detail"]
        assert 2.9 < out_a["elapsed"] < 4.5
        assert len(pool.killed) == 2 and pool.killed[0] in first
        # the pool comes back to full size, spare included, and keeps answering
        assert wait_for(lambda: len(pool.pids()) == 2 and pool.info()["spares"] == 1)
        assert not set(pool.killed) & set(pool.pids())
        assert pool.info()["started"] == 3 + 2  # two workers and a spare, then two replacements
        assert ask(client)[0].status_code == 200


def test_no_free_worker_is_a_503_with_retry_after_at_once_not_a_kill(make_client, store_dir):
    store = Store(store_dir)
    with make_client(store, workers=1, long_slots=1, long_after=0.2, queue_wait=0.4) as c:
        pool = c.app.state.sparql.executor
        runaway, out = in_background(lambda: ask(c, RUNAWAY, timeout="2.5"))
        time.sleep(0.4)
        r, elapsed = ask(c)  # its deadline is 30 s; it may wait 0.4 s
        doc = busy(r)
        assert "no query worker became free within 0.4 s" in doc["detail"]
        assert 0.35 < elapsed < 2.0  # the runaway holds the worker for 2.5 s
        assert pool.killed == []  # waiting killed nothing
        runaway.join(10)
        assert out["response"].status_code == 503
        assert len(pool.killed) == 1  # the runaway, at its own deadline


def test_a_full_queue_answers_at_once(make_client, store_dir):
    with make_client(Store(store_dir), workers=1, long_slots=1, queue_size=0, queue_wait=5) as c:
        pool = c.app.state.sparql.executor
        runaway, out = in_background(lambda: ask(c, RUNAWAY, timeout="1.5"))
        time.sleep(0.3)
        r, elapsed = ask(c)
        assert "waiting" in busy(r)["detail"]
        assert elapsed < 1.0
        runaway.join(10)
        assert pool.info()["refused"] == 1 and len(pool.killed) == 1


def test_waiting_does_not_count_against_the_deadline(make_client, store_dir):
    with make_client(Store(store_dir), workers=1, long_slots=1, long_after=0.2, queue_wait=5) as c:
        pool = c.app.state.sparql.executor
        runaway, _ = in_background(lambda: ask(c, RUNAWAY, timeout="1.5"))
        time.sleep(0.3)
        r, elapsed = ask(c, timeout="0.5")  # waits ~1.2 s for the worker, then runs in ms
        assert r.status_code == 200, r.text
        assert elapsed > 1.0
        runaway.join(10)
        assert len(pool.killed) == 1  # only the runaway's worker


def test_a_client_over_its_share_of_queries_gets_429_at_once(make_client, store_dir):
    with make_client(Store(store_dir), workers=2, client_slots=1, queue_wait=5) as a:
        b = TestClient(a.app, client=("192.0.2.7", 50000))  # another remote address
        pool = a.app.state.sparql.executor
        runaway, out = in_background(lambda: ask(a, RUNAWAY, timeout="1.5"))
        assert wait_for(lambda: pool.info()["idle"] == 1, 1.0)
        r, elapsed = ask(a)  # a second query from the same address: over its one slot
        assert "already has 1 query running or waiting" in busy(r, 429)["detail"]
        assert elapsed < 1.0
        assert ask(b)[0].status_code == 200  # another client is served meanwhile
        runaway.join(10)
        assert out["response"].status_code == 503
        assert ask(a)[0].status_code == 200  # the client's count went back to zero


def test_a_client_over_its_share_of_the_long_lane_gets_429_others_get_a_place(
    make_client, store_dir
):
    with make_client(
        Store(store_dir), workers=3, long_slots=2, long_after=0.2, client_slots=0, queue_wait=5
    ) as a:
        b = TestClient(a.app, client=("192.0.2.7", 50000))
        pool = a.app.state.sparql.executor
        a1, out_a1 = in_background(lambda: ask(a, RUNAWAY, timeout="2.5"))
        # long now: one of the lane's two places, a client's whole share
        assert wait_for(lambda: pool.info()["long"] == 1, 1.5)
        r, elapsed = ask(a, RUNAWAY, timeout="2.5")  # the lane has room, not for this client
        assert "its share" in busy(r, 429)["detail"]
        assert elapsed < 1.8  # stopped as it turned long, before its deadline
        b1, out_b1 = in_background(lambda: ask(b, RUNAWAY, timeout="2"))
        assert wait_for(lambda: pool.info()["long"] == 2, 1.5)  # the other client's place
        b1.join(10)
        a1.join(10)
        for out in (out_a1, out_b1):  # both long queries ran to their own deadlines
            assert out["response"].status_code == 503
            assert "deadline" in out["response"].json()["detail"]
        assert len(pool.killed) == 3


def test_scheduling_settings_come_from_the_environment_and_are_checked():
    s = settings_from_env(
        {
            "AIGRAPH_LONG_SLOTS": "3",
            "AIGRAPH_LONG_AFTER": "0.5",
            "AIGRAPH_CLIENT_SLOTS": "0",
            "AIGRAPH_QUEUE_WAIT": "2",
            "AIGRAPH_QUEUE_SIZE": "10",
        }
    )
    limits = pool_limits(s, 6)
    assert (limits.long_slots, limits.long_after, limits.client_slots) == (3, 0.5, 0)
    assert (limits.queue_wait, limits.queue_size, limits.client_long) == (2, 10, 1)
    derived = pool_limits(Settings(), 6)
    assert (derived.long_slots, derived.client_slots) == (3, 6)
    for bad in ({"queue_wait": float("nan")}, {"long_after": 0}, {"queue_size": -1}):
        with pytest.raises(InputError, match=next(iter(bad))):
            pool_limits(Settings(**bad), 4)


def test_a_long_query_runs_at_a_lower_priority_and_its_worker_is_then_replaced(
    make_client, store_dir
):
    psutil = pytest.importorskip("psutil")
    # 4 M combinations: long enough to turn long (0.1 s), short enough to finish well within
    # its deadline on a loaded machine, whatever the size of the curated data
    square = (
        "SELECT (COUNT(*) AS ?n) { { SELECT * { ?a ?b ?c } LIMIT 2000 } "
        "{ SELECT * { ?d ?e ?f } LIMIT 2000 } }"
    )
    with make_client(Store(store_dir), workers=2, long_after=0.1, query_timeout=30) as c:
        pool = c.app.state.sparql.executor
        one = c.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?a ?b ?c }"})
        triples = int(one.json()["results"]["bindings"][0]["n"]["value"])
        thread, out = in_background(lambda: ask(c, square))
        assert wait_for(lambda: pool.info()["long"] == 1, 10)
        (long_pid,) = pool.long_pids()
        assert psutil.Process(long_pid).nice() == 5
        r, _ = ask(c)  # meanwhile, a short query on a worker of normal priority
        assert r.status_code == 200
        thread.join(30)
        r = out["response"]
        assert r.status_code == 200, r.text
        assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == min(triples, 2000) ** 2
        assert pool.killed == []  # it finished: stopped, not killed
        assert pool.info()["retired"] == 1 and long_pid not in pool.pids()
        assert wait_for(lambda: len(pool.pids()) == 2 and pool.info()["spares"] == 1)
        assert all(psutil.Process(pid).nice() == 0 for pid in pool.pids())
