"""``aigraph fetch cordis``, end to end against a loopback server: download, cache with its
sidecar, resume, conditional revalidation, failures that leave store and cache as they were,
offline use, and the catalog's record of the download."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from loopback import H2020, Resource, cordis_zip, corrupt

from aigraph.cli import main
from aigraph.fetch import fetch
from aigraph.store import Store

G = "https://w3id.org/aigraph/graph/cordis/h2020"
CATALOG = "https://w3id.org/aigraph/graph/catalog"
ID = "https://w3id.org/aigraph/id/"


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


def quads(store_dir: Path) -> set[ox.Quad]:
    store = Store(store_dir)
    out = set(store.ox.quads_for_pattern(None, None, None, None))
    del store
    return out


def cache_state(cache: Path) -> dict[str, bytes]:
    """Every file of the cache (lock files aside), with its bytes."""
    if not cache.exists():
        return {}
    return {p.name: p.read_bytes() for p in sorted(cache.iterdir()) if p.suffix != ".lock"}


def select(store_dir: Path, sparql: str) -> list[dict[str, str]]:
    store = Store(store_dir)
    result = store.query(sparql)
    names = [v.value for v in result.variables]
    rows = [{n: r[n].value for n in names if r[n] is not None} for r in result]
    del store
    return rows


def test_fetch_downloads_caches_and_imports(server, cache_dir, store_dir, capsys):
    body = cordis_zip()
    url = server.serve("/data/cordis-h2020projects-csv.zip", Resource(body))
    code, err = run(capsys, "fetch", "cordis", "h2020", "--url", url, "--store", str(store_dir))
    assert code == 0, err
    # the cache: the file as served, and its sidecar
    cached = cache_dir / "cordis-h2020.zip"
    assert cached.read_bytes() == body
    side = json.loads((cache_dir / "cordis-h2020.zip.json").read_text())
    assert side["sha256"] == hashlib.sha256(body).hexdigest()
    assert side["size"] == len(body)
    assert side["url"] == side["download_url"] == url
    retrieved = dt.datetime.fromisoformat(side["retrieved"].replace("Z", "+00:00"))
    assert abs((dt.datetime.now(dt.timezone.utc) - retrieved).total_seconds()) < 120
    assert side["last_modified"] == "Tue, 01 Sep 2026 10:00:00 GMT"
    assert not (cache_dir / "cordis-h2020.zip.part").exists()
    # the store: the projects of the archive in the programme's graph
    projects = select(store_dir, f"SELECT ?p WHERE {{ GRAPH <{G}> {{ ?p a eurio:Project }} }}")
    assert {r["p"] for r in projects} == {
        f"{ID}project/rcn-{n}" for n in ("241001", "241002", "231003")
    }
    assert "downloaded" in err and "sha256" in err


def test_the_catalog_records_the_download(server, cache_dir, store_dir, capsys):
    body = cordis_zip()
    url = server.serve("/cordis.zip", Resource(body))
    assert run(capsys, "fetch", "cordis", "h2020", "--url", url, "--store", str(store_dir))[0] == 0
    sha = hashlib.sha256(body).hexdigest()
    rows = select(store_dir, f"""
        PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT ?from ?when ?dist ?size ?sum ?mod ?title WHERE {{ GRAPH <{CATALOG}> {{
          <{G}> prov:wasDerivedFrom ?from ; prov:generatedAtTime ?when ; dcat:distribution ?dist ;
                dcterms:title ?title .
          ?dist dcat:downloadURL <{url}> ; dcat:byteSize ?size ; dcterms:modified ?mod ;
                spdx:checksum/spdx:checksumValue ?sum .
          FILTER(LANG(?title) = "en") }} }}""")  # fmt: skip
    assert {r["from"] for r in rows} >= {
        url,
        "http://data.europa.eu/88u/dataset/cordisH2020projects",
    }
    assert {(r["dist"], r["size"], r["sum"]) for r in rows} == {
        (f"{ID}distribution/sha256-{sha}", str(len(body)), sha)
    }
    assert {r["when"] for r in rows} == {dt.date.today().isoformat()}
    assert {r["mod"] for r in rows} == {"2026-09-01T10:00:00Z"}
    assert {r["title"] for r in rows} == {
        "CORDIS projects (H2020), participants and EuroSciVoc classifications"
    }


def test_a_setting_moves_the_address(server, cache_dir, store_dir, capsys, monkeypatch):
    from aigraph.config import get_settings

    url = server.serve("/mirror/h2020.zip", Resource(cordis_zip()))
    monkeypatch.setenv("AIGRAPH_FETCH_CORDIS_H2020_URL", url)
    get_settings.cache_clear()
    code, err = run(capsys, "fetch", "cordis", "h2020", "--store", str(store_dir))
    assert code == 0, err
    assert [r.path for r in server.requests] == ["/mirror/h2020.zip"]
    assert json.loads((cache_dir / "cordis-h2020.zip.json").read_text())["url"] == url


def test_an_interrupted_download_resumes_with_range(server, cache_dir, store_dir, capsys):
    body = cordis_zip(H2020)
    half = len(body) // 2
    url = server.serve("/h2020.zip", Resource(body, cut_after=half, cuts=1))
    before = quads(store_dir)
    code, err = run(capsys, "fetch", "cordis", "h2020", "--url", url, "--store", str(store_dir))
    assert code == 2
    assert "broke off" in err and "resume" in err
    assert quads(store_dir) == before  # the store is as it was
    assert not (cache_dir / "cordis-h2020.zip").exists()  # nothing half-done in the cache
    assert (cache_dir / "cordis-h2020.zip.part").read_bytes() == body[:half]
    # the second run asks for the rest only, and completes
    code, err = run(capsys, "fetch", "cordis", "h2020", "--url", url, "--store", str(store_dir))
    assert code == 0, err
    last = server.requests[-1].headers
    assert last["range"] == f"bytes={half}-"
    assert last["if-range"] == server.routes["/h2020.zip"].etag
    assert f"resumed at {half} bytes" in err
    assert (cache_dir / "cordis-h2020.zip").read_bytes() == body
    assert not (cache_dir / "cordis-h2020.zip.part").exists()
    assert len(quads(store_dir)) > len(before)


def test_a_server_that_ignores_range_sends_it_all_again(server, cache_dir, capsys):
    body = cordis_zip(H2020)
    url = server.serve("/h2020.zip", Resource(body, ranges=False, cut_after=100, cuts=1))
    with pytest.raises(Exception, match="broke off"):
        fetch(None, "cordis-h2020", url=url)
    report = fetch(None, "cordis-h2020", url=url)
    assert server.requests[-1].headers.get("range") == "bytes=100-"  # asked, but got a 200
    assert report.resumed_from == 0 and report.downloaded
    assert (cache_dir / "cordis-h2020.zip").read_bytes() == body


def test_a_changed_file_is_not_spliced_onto_an_old_part(server, cache_dir):
    old = cordis_zip(H2020)
    url = server.serve("/h2020.zip", Resource(old, cut_after=300, cuts=1))
    with pytest.raises(Exception, match="broke off"):
        fetch(None, "cordis-h2020", url=url)
    new = cordis_zip()  # the publisher replaced the file meanwhile: another ETag
    server.routes["/h2020.zip"] = Resource(new)
    fetch(None, "cordis-h2020", url=url)
    assert server.requests[-1].headers["if-range"] != server.routes["/h2020.zip"].etag
    assert (cache_dir / "cordis-h2020.zip").read_bytes() == new


def test_a_current_cache_is_revalidated_not_downloaded(server, cache_dir, store_dir, capsys):
    body = cordis_zip()
    url = server.serve("/h2020.zip", Resource(body))
    assert run(capsys, "fetch", "cordis", "h2020", "--url", url, "--store", str(store_dir))[0] == 0
    after_first = quads(store_dir)
    code, err = run(capsys, "fetch", "cordis", "h2020", "--url", url, "--store", str(store_dir))
    assert code == 0, err
    assert server.requests[-1].headers["if-none-match"] == server.routes["/h2020.zip"].etag
    assert "cached copy" in err
    assert quads(store_dir) == after_first  # the same file imported again changes nothing


def test_a_corrupt_archive_leaves_store_and_cache_as_they_were(
    server, cache_dir, store_dir, capsys
):
    url = server.serve("/h2020.zip", Resource(cordis_zip()))
    assert run(capsys, "fetch", "cordis", "h2020", "--url", url, "--store", str(store_dir))[0] == 0
    store_before, cache_before = quads(store_dir), cache_state(cache_dir)
    server.routes["/h2020.zip"] = Resource(corrupt(cordis_zip(H2020)))  # a new, damaged release
    code, err = run(capsys, "fetch", "cordis", "h2020", "--url", url, "--store", str(store_dir))
    assert code == 2
    assert "damaged archive" in err and "project.csv" in err and "cache is unchanged" in err
    assert quads(store_dir) == store_before
    assert cache_state(cache_dir) == cache_before  # no part left behind either


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html><body>Service unavailable</body></html>", "not a readable zip archive"),
        (cordis_zip()[:-40], "not a readable zip archive"),  # a zip cut short, sent whole
    ],
)
def test_a_file_that_is_no_zip_is_refused(server, cache_dir, store_dir, capsys, body, message):
    url = server.serve("/h2020.zip", Resource(body, content_type="text/html"))
    before = quads(store_dir)
    code, err = run(capsys, "fetch", "cordis", "h2020", "--url", url, "--store", str(store_dir))
    assert code == 2 and message in err
    assert quads(store_dir) == before and cache_state(cache_dir) == {}


def test_an_archive_without_the_export_files_is_refused(server, cache_dir, capsys, tmp_path):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("project.csv", (H2020 / "project.csv").read_bytes())
    url = server.serve("/h2020.zip", Resource(buf.getvalue()))
    code, err = run(
        capsys, "fetch", "cordis", "h2020", "--url", url, "--store", str(tmp_path / "s")
    )
    assert code == 2 and "no organization.csv" in err
    assert cache_state(cache_dir) == {}


def test_files_in_a_folder_of_the_archive_are_found(server, cache_dir, store_dir, capsys):
    url = server.serve("/h2020.zip", Resource(cordis_zip(folder="cordis-h2020projects-csv/")))
    assert run(capsys, "fetch", "cordis", "h2020", "--url", url, "--store", str(store_dir))[0] == 0


def test_offline_without_a_cache_fails_and_asks_nothing(server, cache_dir, store_dir, capsys):
    url = server.serve("/h2020.zip", Resource(cordis_zip()))
    before = quads(store_dir)
    code, err = run(capsys, "fetch", "cordis", "h2020", "--url", url, "--offline",
                    "--store", str(store_dir))  # fmt: skip
    assert code == 2 and "no cached copy" in err
    assert server.requests == [] and quads(store_dir) == before


def test_offline_with_a_cache_imports_without_asking(server, cache_dir, tmp_path, capsys):
    url = server.serve("/h2020.zip", Resource(cordis_zip()))
    assert fetch(None, "cordis-h2020", url=url).downloaded  # download only, no store
    asked = len(server.requests)
    store = tmp_path / "store"
    code, err = run(capsys, "fetch", "cordis", "h2020", "--offline", "--store", str(store))
    assert code == 0, err
    assert len(server.requests) == asked
    assert Store(store).query(f"ASK {{ GRAPH <{G}> {{ ?p a eurio:Project }} }}")


def test_a_tampered_cache_is_not_used_offline(server, cache_dir, capsys, tmp_path):
    url = server.serve("/h2020.zip", Resource(cordis_zip()))
    fetch(None, "cordis-h2020", url=url)
    cached = cache_dir / "cordis-h2020.zip"
    data = bytearray(cached.read_bytes())
    data[len(data) // 2] ^= 0xFF
    cached.write_bytes(bytes(data))
    code, err = run(capsys, "fetch", "cordis", "h2020", "--offline", "--store", str(tmp_path / "s"))
    assert code == 2 and "does not match its sidecar" in err


def test_server_errors_and_bad_addresses_exit_2(server, cache_dir, capsys, tmp_path):
    store = str(tmp_path / "s")
    code, err = run(capsys, "fetch", "cordis", "h2020", "--url", server.base + "/gone.zip",
                    "--store", store)  # fmt: skip
    assert code == 2 and "answered 404" in err
    code, err = run(capsys, "fetch", "cordis", "h2020", "--url", "ftp://example.org/x.zip",
                    "--store", store)  # fmt: skip
    assert code == 2 and "not an http(s) address" in err
    code, err = run(capsys, "fetch", "cordis", "h2020", "--url", "http://127.0.0.1:9/x.zip",
                    "--store", store)  # fmt: skip
    assert code == 2 and "cannot download" in err
    assert cache_state(cache_dir) == {}


def test_a_download_past_the_limit_is_refused(server, cache_dir, monkeypatch, capsys, tmp_path):
    from aigraph.config import get_settings

    monkeypatch.setenv("AIGRAPH_FETCH_MAX_BYTES", "1000")
    get_settings.cache_clear()
    url = server.serve("/h2020.zip", Resource(cordis_zip()))
    code, err = run(
        capsys, "fetch", "cordis", "h2020", "--url", url, "--store", str(tmp_path / "s")
    )
    assert code == 2 and "more than the limit of 1000 bytes" in err
    assert cache_state(cache_dir) == {}


def test_a_running_fetch_of_the_same_source_holds_it(server, cache_dir, capsys, tmp_path):
    from aigraph.fetch.cache import Cache

    url = server.serve("/h2020.zip", Resource(cordis_zip()))
    with Cache(cache_dir).lock("cordis-h2020.zip"):
        code, err = run(capsys, "fetch", "cordis", "h2020", "--url", url,
                        "--store", str(tmp_path / "s"))  # fmt: skip
    assert code == 2 and "another aigraph fetch" in err
    assert server.requests == []


def test_malformed_rows_fail_the_import_but_keep_the_download(server, cache_dir, capsys, tmp_path):
    from loopback import FIXTURES

    url = server.serve("/h2020.zip", Resource(cordis_zip(FIXTURES / "cordis" / "malformed")))
    store = tmp_path / "s"
    code, err = run(capsys, "fetch", "cordis", "h2020", "--url", url, "--store", str(store))
    assert code == 2 and "organization.csv, row" in err
    assert not Store(store).query(f"ASK {{ GRAPH <{G}> {{ ?s ?p ?o }} }}")
    assert (cache_dir / "cordis-h2020.zip").is_file()  # verified: --offline can import it again
    code, err = run(capsys, "fetch", "cordis", "h2020", "--offline", "--on-error", "skip",
                    "--store", str(store))  # fmt: skip
    assert code == 0 and "malformed (skipped)" in err


def test_ai_only_keeps_the_ai_projects_and_their_participants(server, cache_dir, capsys, tmp_path):
    url = server.serve("/h2020.zip", Resource(cordis_zip(H2020)))
    store = tmp_path / "s"
    code, err = run(capsys, "fetch", "cordis", "h2020", "--ai-only", "--url", url,
                    "--store", str(store))  # fmt: skip
    assert code == 0, err
    projects = select(
        store, f"SELECT ?a WHERE {{ GRAPH <{G}> {{ ?p eurio:hasAcronym/eurio:shortForm ?a }} }}"
    )
    assert {r["a"] for r in projects} == {"EXAIMPLE", "ROBOTEACH"}
    orgs = select(
        store, f"SELECT ?n WHERE {{ GRAPH <{G}> {{ ?o a org:Organization ; skos:prefLabel ?n }} }}"
    )
    assert {r["n"] for r in orgs} == {
        "UNIVERSITE EXEMPLE",
        "BEISPIEL FORSCHUNGSZENTRUM GMBH",
        "EXEMPLO ANALYTICS LDA",
    }  # DIMOS PARADEIGMA takes part only in the non-AI project
    title = select(store, f"SELECT ?t WHERE {{ <{G}> dcterms:title ?t FILTER(LANG(?t) = 'en') }}")
    assert title[0]["t"].endswith("(artificial intelligence)")


def test_a_new_release_replaces_the_old_distribution(server, cache_dir, tmp_path):
    store = Store(tmp_path / "s")
    url = server.serve("/h2020.zip", Resource(cordis_zip()))
    fetch(store, "cordis-h2020", url=url)
    server.routes["/h2020.zip"] = Resource(cordis_zip(H2020))
    fetch(store, "cordis-h2020", url=url)
    dists = list(
        store.query(f"SELECT ?d WHERE {{ GRAPH <{CATALOG}> {{ <{G}> dcat:distribution ?d }} }}")
    )
    sha = hashlib.sha256(cordis_zip(H2020)).hexdigest()
    assert [r["d"].value for r in dists] == [f"{ID}distribution/sha256-{sha}"]
    old = hashlib.sha256(cordis_zip()).hexdigest()
    assert not store.query(f"ASK {{ <{ID}distribution/sha256-{old}> ?p ?o }}")
    assert not store.query(f"ASK {{ <{ID}checksum/sha256-{old}> ?p ?o }}")
