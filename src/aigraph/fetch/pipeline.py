"""``fetch``: download a source (or take it from the cache), check it, import it.

1. The source's address: ``url`` if given, else the setting ``AIGRAPH_FETCH_<SOURCE>_URL``, else
   the official one (:mod:`.sources`).
2. Offline, the cached copy is used (its size and sha256 checked against its sidecar); there is
   none: :class:`~.errors.FetchError`. Online, the file is downloaded into ``NAME.part``
   (resuming an interrupted part; a request made conditional on the cached copy's validators
   answers 304 when it is current, and the cached copy is used).
3. The download is checked: its size against the announced one, its md5 against the
   publisher's when there is one, and its structure (the archive opens, holds the files the
   importer reads and their CRCs match). Only then does it replace the cached copy, with its
   sidecar; a failed check deletes it and leaves the cache as it was.
4. The importer writes the source's graph in one validated, atomic write, and the catalog
   records the download (address, date, size, sha256; see
   :class:`~aigraph.importers.provenance.Download`). A failed import leaves the store as it was
   (the verified download stays cached: ``--offline`` runs the import again without
   downloading).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import httpx

from ..config import Settings, get_settings
from ..errors import InputError
from ..importers.provenance import Download
from ..importers.rows import ImportReport
from ..store import Store
from .cache import Cache, Entry
from .download import Transfer, check_address, discard, download, make_client
from .errors import FetchError
from .sources import SOURCES, Options, Resolved, Source, workdir


@dataclass
class FetchReport:
    source: Source
    address: str  # the address used (setting, --url or official)
    path: Path  # the cached file
    entry: Entry
    downloaded: bool  # False: the cached copy was used (offline, or unchanged on the server)
    resumed_from: int = 0
    imported: ImportReport | None = None

    def summary(self) -> str:
        e = self.entry
        how = (
            "downloaded" + (f" (resumed at {self.resumed_from} bytes)" if self.resumed_from else "")
            if self.downloaded
            else "cached copy"
        )
        return (
            f"{self.source.key}: {how} {e.download_url}, {e.size} bytes, sha256 {e.sha256}, "
            f"retrieved {e.retrieved} -> {self.path}"
        )


def address(source: Source, url: str | None = None, settings: Settings | None = None) -> str:
    """Where ``source`` is taken from: ``url``, else its setting, else the official address."""
    settings = settings or get_settings()
    chosen = url or dict(settings.fetch_urls).get(source.key) or source.default_url
    return check_address(chosen)


def source(key: str) -> Source:
    try:
        return SOURCES[key]
    except KeyError:
        raise InputError(f"unknown source {key!r} (one of {', '.join(SOURCES)})") from None


def fetch(
    store: Store | None,
    key: str,
    *,
    url: str | None = None,
    offline: bool = False,
    ai_only: bool = False,
    on_error: str = "fail",
    progress: bool = False,
    validate: bool = True,
    settings: Settings | None = None,
    client: httpx.Client | None = None,
) -> FetchReport:
    """Fetch the source ``key`` (see :data:`~.sources.SOURCES`) and import it into ``store``
    (``None``: download and check only)."""
    src = source(key)
    settings = settings or get_settings()
    if ai_only and not key.startswith("cordis"):
        raise InputError("--ai-only applies to CORDIS sources only")
    where = address(src, url, settings)
    cache = Cache(settings.cache)
    name = src.cache_name
    with cache.lock(name):
        if offline:
            entry = cache.verified(name)
            if entry is None:
                raise FetchError(
                    f"{src.key}: no cached copy in {cache.root} (fetch it once without --offline)"
                )
            if url and entry.url != url:
                raise FetchError(f"{src.key}: the cached copy came from {entry.url}, not {url}")
            report = FetchReport(src, where, cache.file(name), entry, downloaded=False)
        else:
            report = _download(src, where, cache, settings, progress, client)
        if store is None:
            return report
        options = Options(ai_only=ai_only, on_error=on_error, progress=progress,
                          validate=validate)  # fmt: skip
        with workdir(cache.root, name) as tmp:
            ready = src.prepare(report.path, Path(tmp), settings.fetch_max_bytes)
            report.imported = src.load(store, ready, _provenance(report.entry), options)
    return report


def _provenance(entry: Entry) -> Download:
    return Download(
        url=entry.download_url,
        retrieved=entry.retrieved_at(),
        sha256=entry.sha256,
        size=entry.size,
        modified=entry.modified_at(),
        issued=entry.issued,
    )


def _download(
    src: Source,
    where: str,
    cache: Cache,
    settings: Settings,
    progress: bool,
    client: httpx.Client | None,
) -> FetchReport:
    name = src.cache_name
    try:
        cached = cache.verified(name)
    except FetchError:
        cached = None  # a damaged cached copy is downloaded again
    own = client is None
    http = client or make_client()
    try:
        resolved = src.resolve(http, where)
        check_address(resolved.url)
        if (
            cached is not None
            and resolved.md5
            and cached.download_url == resolved.url
            and cached.md5 == resolved.md5
        ):  # the publisher's record names the file we have
            return FetchReport(src, where, cache.file(name), cached, downloaded=False)
        same = cached if cached is not None and cached.download_url == resolved.url else None
        part = cache.part(name)
        transfer = download(
            http, resolved.url, part, max_bytes=settings.fetch_max_bytes, conditional=same,
            progress=progress, label=src.key,
        )  # fmt: skip
    finally:
        if own:
            http.close()
    if transfer is None:  # 304: the cached copy is current
        assert same is not None
        return FetchReport(src, where, cache.file(name), same, downloaded=False)
    entry = _entry(src, where, resolved, transfer)
    try:
        if resolved.md5 and transfer.md5 != resolved.md5:
            raise FetchError(
                f"{resolved.url}: checksum mismatch: the publisher states md5 {resolved.md5}, "
                f"the download has {transfer.md5}"
            )
        with workdir(cache.root, name) as tmp:
            src.prepare(part, Path(tmp), settings.fetch_max_bytes)
    except FetchError as err:
        discard(part)
        raise FetchError(f"{err} (the download was discarded; the cache is unchanged)") from None
    path = cache.commit(name, part, entry)
    return FetchReport(src, where, path, entry, downloaded=True,
                       resumed_from=transfer.resumed_from)  # fmt: skip


def _entry(src: Source, where: str, resolved: Resolved, t: Transfer) -> Entry:
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    return Entry(
        source=src.key,
        url=where,
        download_url=resolved.url,
        retrieved=now.isoformat().replace("+00:00", "Z"),
        size=t.size,
        sha256=t.sha256,
        etag=t.etag,
        last_modified=t.last_modified,
        issued=resolved.issued,
        md5=resolved.md5 or t.md5,
        filename=resolved.filename or Path(t.final_url.split("?")[0]).name or None,
        version=resolved.version,
    )
