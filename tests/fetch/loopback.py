"""A loopback HTTP server for the fetch tests, and archives in the official layouts.

:class:`Server` serves :class:`Resource` bodies from ``127.0.0.1`` (a thread of
``http.server``): full bodies with ``Content-Length``, ``ETag`` and ``Last-Modified``; byte
ranges (``Range: bytes=N-``, honouring ``If-Range``) unless told to ignore them; ``304`` to a
matching ``If-None-Match``; and, to simulate a broken transfer, a response cut after some bytes
(the connection is closed before the announced length). Every request is recorded.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.server
import io
import re
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CORDIS_VALID = FIXTURES / "cordis" / "valid"
H2020 = FIXTURES / "fetch" / "h2020"
CORDIS_FILES = ("project.csv", "organization.csv", "euroSciVoc.csv")


@dataclass
class Resource:
    body: bytes
    content_type: str = "application/zip"
    etag: str | None = None
    last_modified: str = "Tue, 01 Sep 2026 10:00:00 GMT"
    ranges: bool = True  # honour Range requests
    cut_after: int | None = None  # close the connection after this many body bytes...
    cuts: int = 0  # ...this many times
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    wrong_range: bool = False  # answer a range request with a 206 of the whole body

    def __post_init__(self) -> None:
        if self.etag is None:
            self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


@dataclass
class Request:
    path: str
    headers: dict[str, str]


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: a cut body ends the connection
    server: _HTTPServer

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        srv = self.server.owner
        srv.requests.append(Request(self.path, {k.lower(): v for k, v in self.headers.items()}))
        res = srv.routes.get(self.path)
        if res is None:
            self.send_error(404, "Not Found")
            return
        if res.status in (301, 302):
            self.send_response(res.status)
            for k, v in res.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if res.status != 200:
            self.send_error(res.status)
            return
        body, status, extra = res.body, 200, {}
        if self.headers.get("If-None-Match") == res.etag:
            self.send_response(304)
            self.send_header("ETag", str(res.etag))
            self.end_headers()
            return
        rng = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if rng and res.ranges and (if_range is None or if_range in (res.etag, res.last_modified)):
            m = re.fullmatch(r"bytes=(\d+)-", rng)
            assert m, rng
            start = int(m.group(1))
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
            if res.wrong_range:
                start = 0
            extra["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
            body = body[start:]
        self.send_response(status)
        self.send_header("Content-Type", res.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", str(res.etag))
        self.send_header("Last-Modified", res.last_modified)
        if res.ranges:
            self.send_header("Accept-Ranges", "bytes")
        for k, v in {**extra, **res.headers}.items():
            self.send_header(k, v)
        self.end_headers()
        if res.cut_after is not None and res.cuts > 0:
            res.cuts -= 1
            self.wfile.write(body[: res.cut_after])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    owner: Server


class Server:
    """``http://127.0.0.1:PORT`` serving ``routes`` (path -> :class:`Resource`)."""

    def __init__(self) -> None:
        self.routes: dict[str, Resource] = {}
        self.requests: list[Request] = []
        self.httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.owner = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def serve(self, path: str, resource: Resource) -> str:
        self.routes[path] = resource
        return self.base + path

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def cordis_zip(directory: Path = CORDIS_VALID, *, folder: str = "") -> bytes:
    """A CORDIS project export archive (the three CSV files, deflated) from ``directory``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in CORDIS_FILES:
            z.write(directory / name, f"{folder}{name}")
    return buf.getvalue()


def corrupt(archive: bytes, member: str = "project.csv") -> bytes:
    """``archive`` with one byte of ``member``'s compressed data flipped (its CRC no longer
    matches: the central directory still reads)."""
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        info = z.getinfo(member)
    data = bytearray(archive)
    name_len = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    data[start + info.compress_size // 2] ^= 0xFF
    return bytes(data)


def http_date(t: float | None = None) -> str:
    return email.utils.formatdate(t if t is not None else time.time(), usegmt=True)
