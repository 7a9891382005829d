"""The command line beside a running ``aigraph serve`` (which holds the store): reading commands
answer as they do without it, writing commands say how to write through the service (exit 2),
and a backup is taken online."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from aigraph.backup import Manifest
from aigraph.cli import main

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "rdf"
TOKEN = "beside-the-server"
HFI = "https://w3id.org/aigraph/id/organisation/hub-france-ia"
KIBV = "https://w3id.org/aigraph/id/organisation/ki-bundesverband"
PRESIDENTS = (
    "SELECT ?org ?name WHERE { ?post org:role <https://w3id.org/aigraph/id/role/president> ; "
    "org:postIn ?org ; org:heldBy/foaf:name ?name } ORDER BY ?org ?name"
)
NEW = "http://example.org/written-through-the-service"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


READS = [
    ("stats", "--format", "json"),
    ("query", "--format", "csv", PRESIDENTS),
    ("queries", "partners-of-organisation", "-p", f"organisation={HFI}"),
    ("network", "summary", "--projection", "agreements", "--format", "json"),
    ("network", "brokers", "FRA", "DEU", "--projection", "agreements", "--format", "json"),
    ("links", "list"),
]

WRITES = [
    ("load", str(FIX / "valid-organisation.ttl")),
    ("init",),
    ("import", "countries"),
    ("links", "accept", "--by", "a reviewer", HFI, KIBV),
    ("network", "write", "--projection", "agreements"),
]


def test_the_command_line_beside_a_running_server(serve, store_dir, tmp_path, monkeypatch, capsys):
    store = ("--store", str(store_dir))
    alone = {}
    for argv in READS:
        code, out, err = run(capsys, *argv, *store)
        assert code == 0, (argv, err)
        alone[argv] = out
    code, exported, _ = run(capsys, "export", *store)
    monkeypatch.setenv("AIGRAPH_WRITE_TOKEN", TOKEN)
    with serve(store_dir) as base:
        # reading commands answer exactly as without the server
        for argv in READS:
            code, out, err = run(capsys, *argv, *store)
            assert code == 0, (argv, err)
            assert out == alone[argv], argv
        code, out, _ = run(capsys, "export", *store)
        assert code == 0 and sorted(out.splitlines()) == sorted(exported.splitlines())

        # writing commands refuse, saying who holds the store and how to write through it
        for argv in WRITES:
            code, _out, err = run(capsys, *argv, *store)
            assert code == 2, (argv, err)
            assert "aigraph serve" in err and "/update" in err and "/store" in err, err
            assert "LOCK" not in err and "internal error" not in err

        # a write through the service is seen by the next reading command
        insert = f'INSERT DATA {{ GRAPH <{NEW}> {{ <{NEW}> rdfs:label "new" }} }}'
        r = httpx.post(
            base + "/update",
            data={"update": insert},
            headers={"authorization": f"Bearer {TOKEN}"},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        code, out, err = run(
            capsys, "query", "--format", "csv", f"SELECT ?l {{ <{NEW}> rdfs:label ?l }}", *store
        )
        assert code == 0 and out.splitlines()[1:] == ["new"], err

        # an online backup holds that write; a restore is refused while the server runs
        quads = json.loads(alone[READS[0]])["quads"] + 1
        code, _out, err = run(capsys, "backup", *store, str(tmp_path / "online"))
        assert code == 0, err
        manifest = Manifest.read(tmp_path / "online")
        assert (manifest.method, manifest.quads, manifest.graphs[NEW]) == ("copy", quads, 1)
        code, _out, err = run(capsys, "restore", *store, str(tmp_path / "online"))
        assert code == 2 and "stop it" in err

    # the server stopped: the backup restores into a store that answers like the live one did
    restored = ("--store", str(tmp_path / "restored"))
    assert run(capsys, "restore", *restored, str(tmp_path / "online"))[0] == 0
    code, out, _ = run(capsys, "stats", "--format", "json", *restored)
    assert json.loads(out)["quads"] == quads
    assert run(capsys, "stats", "--format", "json", *store)[1] == out


@pytest.mark.parametrize("argv", WRITES[:1])
def test_writing_commands_work_again_once_the_server_stops(serve, store_dir, capsys, argv):
    store = ("--store", str(store_dir))
    with serve(store_dir):
        assert run(capsys, *argv, *store)[0] == 2
    code, _out, err = run(capsys, *argv, *store)
    assert code == 0, err
