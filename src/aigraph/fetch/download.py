"""One HTTP download streamed to a ``.part`` file, resumed with ``Range`` after an interruption.

The part's sidecar (``NAME.part.json``) records the address and the server's validators. The
next run asks for the rest (``Range: bytes=N-`` with ``If-Range``) and accepts only a ``206``
whose ``Content-Range`` starts at N; a server that ignores the range (``200``) sends the whole
file again, which replaces the part. A body shorter than its ``Content-Length`` is an
interruption, never a complete file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..errors import InputError
from .cache import CHUNK, Entry, read_json, write_json
from .errors import DownloadInterrupted, FetchError

_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)", re.IGNORECASE)
_UNSATISFIED = re.compile(r"bytes\s+\*/(\d+)", re.IGNORECASE)


def user_agent() -> str:
    from .. import __version__

    return f"aigraph/{__version__} (+https://w3id.org/aigraph)"


def make_client(timeout: float = 60.0) -> httpx.Client:
    """The HTTP client of a fetch: redirects followed, no content coding (byte ranges and sizes
    then refer to the file itself), a connect and read timeout."""
    return httpx.Client(
        follow_redirects=True,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 30.0)),
        headers={"User-Agent": user_agent(), "Accept-Encoding": "identity"},
    )


def check_address(url: str) -> str:
    """``url`` if it is an absolute http(s) address, else :class:`InputError`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{url!r} is not an http(s) address")
    return url


@dataclass
class Transfer:
    """A complete download (in the ``.part`` file, not yet in the cache)."""

    url: str  # the address asked for
    final_url: str  # after redirects
    size: int
    sha256: str
    md5: str
    etag: str | None
    last_modified: str | None
    resumed_from: int = 0  # bytes that were already there (0: a whole download)


def _meta(part: Path) -> Path:
    return part.with_name(part.name + ".json")


def discard(part: Path) -> None:
    """Delete a part and its sidecar."""
    for p in (part, _meta(part)):
        with contextlib.suppress(FileNotFoundError):
            os.remove(p)


def _resumable(part: Path, url: str) -> tuple[int, dict[str, Any]]:
    """How much of ``url`` the part already holds (0 when there is none, or it is of another
    address, in which case it is deleted)."""
    meta = read_json(_meta(part))
    if not part.is_file() or not isinstance(meta, dict) or meta.get("url") != url:
        discard(part)
        return 0, {}
    return part.stat().st_size, meta


def _hashes(path: Path) -> tuple[str, str]:
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            sha.update(chunk)
            md5.update(chunk)
    return sha.hexdigest(), md5.hexdigest()


def _bar(enabled: bool, total: int | None, initial: int, label: str):
    from tqdm import tqdm

    return tqdm(
        total=total, initial=initial, unit="B", unit_scale=True, unit_divisor=1024,
        desc=label, file=sys.stderr, disable=not enabled, leave=False, mininterval=0.5,
    )  # fmt: skip


def download(
    client: httpx.Client,
    url: str,
    part: Path,
    *,
    max_bytes: int,
    conditional: Entry | None = None,
    progress: bool = False,
    label: str = "download",
) -> Transfer | None:
    """Download ``url`` into ``part``, resuming what an earlier run left there.

    ``conditional``: the cached entry of the same address; its validators make the request
    conditional, and ``None`` is returned when the server answers that it is unchanged (304).
    Raises :class:`DownloadInterrupted` (the part is kept, to resume) when the transfer breaks
    off, :class:`FetchError` (the part is deleted) when the server refuses or sends more than
    ``max_bytes`` or than it announced.
    """
    part.parent.mkdir(parents=True, exist_ok=True)
    for _attempt in range(2):  # a second request only when the part cannot be resumed
        offset, meta = _resumable(part, url)
        headers: dict[str, str] = {}
        if offset:
            headers["Range"] = f"bytes={offset}-"
            etag, modified = meta.get("etag"), meta.get("last_modified")
            validator = etag if etag and not etag.startswith("W/") else modified
            if validator:
                headers["If-Range"] = validator
        elif conditional is not None:
            if conditional.etag:
                headers["If-None-Match"] = conditional.etag
            if conditional.last_modified:
                headers["If-Modified-Since"] = conditional.last_modified
        try:
            with client.stream("GET", url, headers=headers) as response:
                result = _receive(response, url, part, offset, meta, max_bytes, progress, label)
        except httpx.TransportError as err:
            received = part.stat().st_size if part.is_file() else 0
            if received > offset:
                raise DownloadInterrupted(
                    f"{url}: the transfer broke off after {received} bytes ({err}); the part "
                    f"is kept in {part}: run the same command again to resume"
                ) from None
            raise FetchError(f"{url}: cannot download ({type(err).__name__}: {err})") from None
        if isinstance(result, str):  # "restart"
            discard(part)
            continue
        return result
    raise FetchError(f"{url}: the server would not resume the download nor send it whole")


def _receive(
    r: httpx.Response,
    url: str,
    part: Path,
    offset: int,
    meta: dict[str, Any],
    max_bytes: int,
    progress: bool,
    label: str,
) -> Transfer | None | str:
    status = r.status_code
    if status == 304 and not offset:
        return None
    if status == 416 and offset:
        m = _UNSATISFIED.fullmatch(r.headers.get("content-range", "").strip())
        if m and int(m.group(1)) == offset and meta.get("total") in (None, offset):
            return _finish(url, str(r.url), part, offset, meta, offset)  # it was all there
        return "restart"
    if status == 206 and offset:
        m = _CONTENT_RANGE.fullmatch(r.headers.get("content-range", "").strip())
        if not m or int(m.group(1)) != offset:
            return "restart"  # not the range asked for: start again
        total = None if m.group(3) == "*" else int(m.group(3))
        if meta.get("total") is not None and total is not None and total != meta["total"]:
            return "restart"  # another file than the part's
        mode = "ab"
    elif status == 200:
        offset, mode = 0, "wb"  # a whole file (a server that ignores Range sends this too)
        length = r.headers.get("content-length")
        total = int(length) if length and length.isdigit() else None
        meta = {
            "url": url,
            "etag": r.headers.get("etag"),
            "last_modified": r.headers.get("last-modified"),
            "total": total,
        }
        write_json(_meta(part), meta)
    else:
        raise FetchError(f"{url}: the server answered {status} {r.reason_phrase}".rstrip())
    if total is not None and total > max_bytes:
        discard(part)
        raise FetchError(f"{url}: {total} bytes is more than the limit of {max_bytes} bytes "
                         "(AIGRAPH_FETCH_MAX_BYTES)")  # fmt: skip
    received = offset
    with open(part, mode) as fh, _bar(progress, total, offset, label) as bar:
        for chunk in r.iter_bytes():  # as it arrives: an interruption loses nothing
            received += len(chunk)
            if received > max_bytes or (total is not None and received > total):
                fh.close()
                discard(part)
                raise FetchError(f"{url}: the server sent more than "
                                 f"{total if total is not None else max_bytes} bytes")  # fmt: skip
            fh.write(chunk)
            bar.update(len(chunk))
    return _finish(url, str(r.url), part, offset, meta, total)


def _finish(
    url: str, final_url: str, part: Path, offset: int, meta: dict[str, Any], total: int | None
) -> Transfer:
    size = part.stat().st_size
    if total is not None and size != total:
        raise DownloadInterrupted(
            f"{url}: the transfer ended after {size} of {total} bytes; the part is kept in "
            f"{part}: run the same command again to resume"
        )
    sha256, md5 = _hashes(part)
    return Transfer(
        url=url, final_url=final_url, size=size, sha256=sha256, md5=md5,
        etag=meta.get("etag"), last_modified=meta.get("last_modified"), resumed_from=offset,
    )  # fmt: skip
