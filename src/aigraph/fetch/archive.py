"""Checking and unpacking downloaded zip archives, with bounds.

An archive is trusted for nothing: a member is found by its file name wherever it sits in the
archive and written under a fixed name (no path from the archive is used), its size is bounded
while it is read (a header cannot lie its way past the limit), and its CRC is checked as it is
read. A damaged archive (a bad central directory, a truncated member, a CRC mismatch, a
compression method Python cannot read) raises :class:`~.errors.FetchError` naming the file.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path, PurePosixPath

from .cache import CHUNK
from .errors import FetchError

DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError)


def open_zip(path: Path, label: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except DAMAGE as err:
        raise FetchError(f"{label}: not a readable zip archive ({err})") from None


def members(z: zipfile.ZipFile, label: str) -> dict[str, zipfile.ZipInfo]:
    """The archive's files by lower-cased base name (a name found twice is an error)."""
    out: dict[str, zipfile.ZipInfo] = {}
    for info in z.infolist():
        if info.is_dir():
            continue
        name = PurePosixPath(info.filename.replace("\\", "/")).name.lower()
        if name in out:
            raise FetchError(f"{label}: the archive holds {name} twice "
                             f"({out[name].filename}, {info.filename})")  # fmt: skip
        out[name] = info
    return out


def copy_member(
    z: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path | None, max_bytes: int, label: str
) -> int:
    """Read one member to its end (checking its CRC), into ``target`` or nowhere; returns its
    size. Stops at ``max_bytes``, whatever the header says."""
    if info.file_size > max_bytes:
        raise FetchError(f"{label}: {info.filename} unpacks to {info.file_size} bytes, more than "
                         f"the limit of {max_bytes} (AIGRAPH_FETCH_MAX_BYTES)")  # fmt: skip
    size = 0
    try:
        with z.open(info) as src, open(target, "wb") if target else _Null() as dst:
            while chunk := src.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"{label}: {info.filename} unpacks to more than "
                                     f"{max_bytes} bytes (AIGRAPH_FETCH_MAX_BYTES)")  # fmt: skip
                dst.write(chunk)
    except DAMAGE as err:
        raise FetchError(
            f"{label}: damaged archive: {info.filename} cannot be read ({err})"
        ) from None
    return size


class _Null:
    def write(self, data: bytes) -> int:
        return len(data)

    def __enter__(self) -> _Null:
        return self

    def __exit__(self, *exc: object) -> None:
        return None
