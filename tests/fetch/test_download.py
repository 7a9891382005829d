"""The download layer on its own: what a resumed transfer accepts from the server."""

from __future__ import annotations

import json

import pytest
from loopback import Resource, cordis_zip

from aigraph.fetch.download import DownloadInterrupted, download, make_client

MAX = 10**9


def part_of(tmp_path, body: bytes, n: int, url: str, etag: str | None, total: int | None):
    part = tmp_path / "x.zip.part"
    part.write_bytes(body[:n])
    meta = {"url": url, "etag": etag, "last_modified": None, "total": total}
    (tmp_path / "x.zip.part.json").write_text(json.dumps(meta))
    return part


def test_a_complete_part_is_finished_without_a_body(server, tmp_path):
    body = cordis_zip()
    res = Resource(body)
    url = server.serve("/x.zip", res)
    part = part_of(tmp_path, body, len(body), url, res.etag, len(body))
    with make_client() as client:
        t = download(client, url, part, max_bytes=MAX)
    assert t is not None and t.size == len(body) and t.resumed_from == len(body)
    assert part.read_bytes() == body
    assert server.requests[-1].headers["range"] == f"bytes={len(body)}-"  # answered 416


def test_a_range_that_starts_elsewhere_restarts_the_download(server, tmp_path):
    body = cordis_zip()
    res = Resource(body, wrong_range=True)
    url = server.serve("/x.zip", res)
    part = part_of(tmp_path, body, 100, url, res.etag, len(body))
    with make_client() as client:
        t = download(client, url, part, max_bytes=MAX)
    assert t is not None and t.resumed_from == 0
    assert part.read_bytes() == body  # not the first 100 bytes followed by the whole file
    assert [r.headers.get("range") for r in server.requests] == ["bytes=100-", None]


def test_a_part_of_another_address_is_not_resumed(server, tmp_path):
    body = cordis_zip()
    url = server.serve("/x.zip", Resource(body))
    part = part_of(tmp_path, b"elsewhere" * 50, 300, server.base + "/other.zip", None, None)
    with make_client() as client:
        t = download(client, url, part, max_bytes=MAX)
    assert t is not None and t.resumed_from == 0 and part.read_bytes() == body
    assert "range" not in server.requests[-1].headers


def test_a_short_body_is_an_interruption_and_keeps_its_part(server, tmp_path):
    body = cordis_zip()
    url = server.serve("/x.zip", Resource(body, cut_after=10, cuts=1))
    part = tmp_path / "x.zip.part"
    with make_client() as client, pytest.raises(DownloadInterrupted, match="resume"):
        download(client, url, part, max_bytes=MAX)
    assert part.read_bytes() == body[:10]
