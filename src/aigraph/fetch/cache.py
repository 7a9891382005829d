"""The download cache: one verified file per source, with a sidecar saying what it is.

Layout, in the cache folder (``AIGRAPH_CACHE``, default ``$XDG_DATA_HOME/aigraph/cache``)::

    cordis-h2020.zip          the last complete, verified download of the source
    cordis-h2020.zip.json     its sidecar: source, address, file URL, retrieval time, size,
                              sha256, the server's ETag / Last-Modified, the publisher's date
    cordis-h2020.zip.part     a download in progress or interrupted (resumed by the next run)
    cordis-h2020.zip.part.json  what the part is (URL, validators, expected size)
    cordis-h2020.zip.lock     held while a fetch of the source runs

Only a complete download whose size, checksum (when the publisher gives one) and archive
structure were checked ever replaces the cached file, so a failed download leaves the cache as
it was. Reading an entry checks its size and sha256 against the sidecar.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import IO, Any

from .errors import FetchError

CHUNK = 1 << 20


@dataclass
class Entry:
    """What a sidecar says about a cached file."""

    source: str  # the source key (cordis-h2020, ror, countries, ...)
    url: str  # the address asked for (the setting or --url)
    download_url: str  # the file's own address (after resolving a Zenodo record)
    retrieved: str  # when the download completed, ISO 8601 UTC
    size: int
    sha256: str
    etag: str | None = None
    last_modified: str | None = None  # the server's Last-Modified header, as sent
    issued: str | None = None  # the release date the publisher states (YYYY-MM-DD)
    md5: str | None = None  # the file's md5 (checked against the publisher's, when it states one)
    filename: str | None = None  # the publisher's file name
    version: str | None = None  # the publisher's version label

    @classmethod
    def from_json(cls, data: Any, where: Path) -> Entry:
        names = {f.name for f in fields(cls)}
        if not isinstance(data, dict) or not {"source", "url", "size", "sha256"} <= set(data):
            raise FetchError(f"{where}: not a cache sidecar (delete it and fetch again)")
        return cls(**{k: v for k, v in data.items() if k in names})

    def retrieved_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.retrieved.replace("Z", "+00:00"))

    def modified_at(self) -> dt.datetime | None:
        if not self.last_modified:
            return None
        from email.utils import parsedate_to_datetime

        try:
            return parsedate_to_datetime(self.last_modified)
        except (TypeError, ValueError):
            return None


def digest(path: Path, md5: bool = False) -> tuple[str, str | None]:
    """The sha256 (and md5, if asked) of a file, read in chunks."""
    sha, m = hashlib.sha256(), hashlib.md5(usedforsecurity=False) if md5 else None
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            sha.update(chunk)
            if m is not None:
                m.update(chunk)
    return sha.hexdigest(), m.hexdigest() if m is not None else None


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` to ``path`` atomically (a temporary file renamed over it)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class Cache:
    """The cache folder. Methods take the file name of a source's entry (``cordis-h2020.zip``)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def file(self, name: str) -> Path:
        return self.root / name

    def sidecar(self, name: str) -> Path:
        return self.root / f"{name}.json"

    def part(self, name: str) -> Path:
        return self.root / f"{name}.part"

    def entry(self, name: str) -> Entry | None:
        """The sidecar of ``name``, or None when there is no cached copy."""
        side, file = self.sidecar(name), self.file(name)
        if not side.is_file() or not file.is_file():
            return None
        data = read_json(side)
        if data is None:
            raise FetchError(f"{side}: unreadable cache sidecar (delete it and fetch again)")
        return Entry.from_json(data, side)

    def verified(self, name: str) -> Entry | None:
        """The entry of ``name`` if its file still has the size and sha256 the sidecar states;
        None when there is none. A damaged entry raises :class:`FetchError`."""
        entry = self.entry(name)
        if entry is None:
            return None
        file = self.file(name)
        size = file.stat().st_size
        if size != entry.size or digest(file)[0] != entry.sha256:
            raise FetchError(
                f"{file}: the cached copy does not match its sidecar (size {size}, expected "
                f"{entry.size} and sha256 {entry.sha256[:12]}...): fetch it again online"
            )
        return entry

    def commit(self, name: str, part: Path, entry: Entry) -> Path:
        """Make the complete, verified ``part`` the cached copy of ``name``, with its sidecar.

        The sidecar is staged first and each step is a rename, so the cache holds either the
        old entry or the new one; a crash between the two renames leaves a file that no longer
        matches its sidecar, which :meth:`verified` detects."""
        self.root.mkdir(parents=True, exist_ok=True)
        side = self.sidecar(name)
        staged = side.with_name(side.name + ".new")
        staged.write_text(json.dumps(asdict(entry), indent=2, sort_keys=True) + "\n", "utf-8")
        os.replace(part, self.file(name))
        os.replace(staged, side)
        with contextlib.suppress(FileNotFoundError):
            os.remove(part.with_name(part.name + ".json"))
        return self.file(name)

    @contextlib.contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """Hold ``name``'s lock for the duration (one fetch of a source at a time)."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"{name}.lock"
        handle: IO[str] = open(path, "a")  # noqa: SIM115 - closed below
        try:
            try:
                import fcntl
            except ImportError:  # pragma: no cover - no flock (Windows)
                yield
                return
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise FetchError(
                    f"another aigraph fetch is using the cache of {name} ({path}): wait for it"
                ) from None
            yield
        finally:
            handle.close()
