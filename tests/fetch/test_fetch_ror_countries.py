"""``aigraph fetch ror`` (through the dump's Zenodo record, as ROR documents it) and
``aigraph fetch countries``, against a loopback server."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

from loopback import Resource

from aigraph.cli import main
from aigraph.fetch import fetch
from aigraph.store import Store

ROOT = Path(__file__).resolve().parents[2]
ROR_RECORDS = sorted((ROOT / "data" / "open" / "ror").glob("*.json"))  # 12 real records
COUNTRIES = ROOT / "data" / "reference" / "countries-skos.rdf"
CATALOG = "https://w3id.org/aigraph/graph/catalog"
RELEASE = "v2.1-2026-09-01-ror-data"


def dump_records() -> list[dict]:
    """The real records whose parents are among them: a dump holds every record a parent link
    names (the European Commission's parent is not among the 12)."""
    records = [json.loads(p.read_text(encoding="utf-8")) for p in ROR_RECORDS]
    ids = {r["id"] for r in records}
    return [
        r for r in records
        if all(x["id"] in ids for x in r.get("relationships", []) if x["type"] == "parent")
    ]  # fmt: skip


def ror_dump() -> bytes:
    """A ROR release in the dump's layout: one JSON list of schema v2 records, and its CSV."""
    records = dump_records()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{RELEASE}.json", json.dumps(records))
        z.writestr(f"{RELEASE}.csv", "id,name\n" + "".join(f"{r['id']},x\n" for r in records))
    return buf.getvalue()


def zenodo(server, dump: bytes, *, md5: str | None = None) -> str:
    """The concept record (a redirect to the latest version, as on Zenodo) and the version's
    record JSON naming the file, its md5 and the publication date."""
    file_url = server.serve(f"/api/records/99999/files/{RELEASE}.zip/content", Resource(dump))
    record = {
        "id": 99999,
        "doi": "10.5281/zenodo.99999",
        "conceptdoi": "10.5281/zenodo.6347574",
        "metadata": {"publication_date": "2026-09-01", "version": "v2.1"},
        "files": [{
            "key": f"{RELEASE}.zip",
            "size": len(dump),
            "checksum": "md5:" + (md5 or hashlib.md5(dump).hexdigest()),
            "links": {"self": file_url},
        }],
    }  # fmt: skip
    server.serve("/api/records/99999", Resource(json.dumps(record).encode(), "application/json"))
    return server.serve(
        "/api/records/6347574",
        Resource(b"", status=302, headers={"Location": "/api/records/99999"}),
    )


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


def test_fetch_ror_takes_the_latest_release_from_zenodo(server, cache_dir, store_dir, capsys):
    dump = ror_dump()
    record = zenodo(server, dump)
    code, err = run(capsys, "fetch", "ror", "--url", record, "--store", str(store_dir))
    assert code == 0, err
    side = json.loads((cache_dir / "ror.zip.json").read_text())
    assert side["url"] == record
    assert side["download_url"].endswith(f"/files/{RELEASE}.zip/content")
    assert (side["md5"], side["issued"], side["version"], side["filename"]) == (
        hashlib.md5(dump).hexdigest(), "2026-09-01", "v2.1", f"{RELEASE}.zip"
    )  # fmt: skip
    store = Store(store_dir)
    n = store.query("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { GRAPH <https://w3id.org/aigraph/"
                    "graph/ror> { ?o a org:Organization } }")  # fmt: skip
    assert next(iter(n))["n"].value == str(len(dump_records())) == "11"
    g = "<https://w3id.org/aigraph/graph/ror>"
    assert store.query(f"""ASK {{ GRAPH <{CATALOG}> {{ {g} dcterms:issued "2026-09-01"^^xsd:date ;
        prov:wasDerivedFrom <{side["download_url"]}> ;
        dcat:distribution/dcat:downloadURL <{side["download_url"]}> }} }}""")


def test_an_unchanged_release_is_not_downloaded_again(server, cache_dir):
    record = zenodo(server, ror_dump())
    assert fetch(None, "ror", url=record).downloaded
    report = fetch(None, "ror", url=record)
    assert not report.downloaded
    assert [r.path for r in server.requests][-2:] == ["/api/records/6347574", "/api/records/99999"]


def test_a_release_that_fails_its_md5_is_discarded(server, cache_dir, store_dir, capsys):
    record = zenodo(server, ror_dump(), md5="0" * 32)
    code, err = run(capsys, "fetch", "ror", "--url", record, "--store", str(store_dir))
    assert code == 2 and "checksum mismatch" in err and "cache is unchanged" in err
    assert sorted(p.name for p in cache_dir.iterdir() if p.suffix != ".lock") == []


def test_a_record_without_a_zip_is_refused(server, cache_dir, capsys, tmp_path):
    url = server.serve("/api/records/5", Resource(b'{"files": []}', "application/json"))
    code, err = run(capsys, "fetch", "ror", "--url", url, "--store", str(tmp_path / "s"))
    assert code == 2 and "lists no .zip file" in err


def test_a_direct_address_of_a_dump_works_too(server, cache_dir, store_dir, capsys):
    url = server.serve("/mirror/ror.zip", Resource(ror_dump()))
    assert run(capsys, "fetch", "ror", "--url", url, "--store", str(store_dir))[0] == 0


def test_fetch_countries(server, cache_dir, store_dir, capsys):
    body = COUNTRIES.read_bytes()
    url = server.serve("/countries-skos.rdf", Resource(body, "application/rdf+xml"))
    code, err = run(capsys, "fetch", "countries", "--url", url, "--store", str(store_dir))
    assert code == 0, err
    store = Store(store_dir)
    n = store.query("SELECT (COUNT(?c) AS ?n) WHERE { GRAPH <https://w3id.org/aigraph/graph/"
                    "eu-authority> { ?c a skos:Concept } }")  # fmt: skip
    assert next(iter(n))["n"].value == "284"
    sha = hashlib.sha256(body).hexdigest()
    assert store.query(f"""ASK {{ GRAPH <{CATALOG}> {{
        <https://w3id.org/aigraph/graph/eu-authority> owl:versionInfo "20221214-0" ;
            dcat:distribution <https://w3id.org/aigraph/id/distribution/sha256-{sha}> }} }}""")


def test_a_file_that_is_not_the_country_table_is_refused(server, cache_dir, capsys, tmp_path):
    other = (ROOT / "ontology" / "aigraph.ttl").read_bytes()
    url = server.serve("/countries-skos.rdf", Resource(other, "text/turtle"))
    code, err = run(capsys, "fetch", "countries", "--url", url, "--store", str(tmp_path / "s"))
    assert code == 2 and "not usable" in err
    assert sorted(p.name for p in cache_dir.iterdir() if p.suffix != ".lock") == []
