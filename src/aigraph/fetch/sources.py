"""The sources ``aigraph fetch`` knows: where each is published, how its file is checked and
unpacked, and which importer reads it.

- ``cordis-h2020``, ``cordis-horizon``, ``cordis-fp7``: the CORDIS project export of a
  framework programme (``https://cordis.europa.eu/data/cordis-{h2020,HORIZON,fp7}projects-csv.zip``,
  a zip of CSV files) -> ``graph/cordis/{h2020,horizon,fp7}``;
- ``ror``: the ROR data dump, through its Zenodo record (``https://zenodo.org/api/records/6347574``,
  whose JSON names the current release's zip, its md5 and its date) -> ``graph/ror``;
- ``countries``: the Publications Office's distribution of the country authority table
  (``countries-skos.rdf``, RDF/XML) -> ``graph/eu-authority``.

A CORDIS archive holds ``project.csv``, ``organization.csv`` and ``euroSciVoc.csv`` (and other
files, which are not read); ROR's address is a Zenodo record, whose JSON names the current
release's zip, its md5 checksum and its publication date.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..errors import InputError
from ..importers.provenance import Download
from ..importers.rows import ImportReport
from ..namespaces import graph
from ..store import Store
from .archive import copy_member, members, open_zip
from .download import check_address
from .errors import FetchError

#: the largest Zenodo record JSON read
MAX_RECORD_BYTES = 4 * 1024 * 1024
_ZENODO_RECORD = re.compile(r"/api/records/[0-9]+/?")
_DAMAGED_CORDIS = (
    "CORDIS has published damaged archives before: try again later, or take the archive from "
    "another address with --url"
)


@dataclass(frozen=True)
class Resolved:
    """Where the file itself is, and what its publisher says about it."""

    url: str
    md5: str | None = None
    issued: str | None = None
    filename: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class Options:
    ai_only: bool = False
    on_error: str = "fail"
    progress: bool = False
    validate: bool = True


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    default_url: str
    cache_name: str  # the cached file's name
    graph: str

    def resolve(self, client: httpx.Client, url: str) -> Resolved:
        """The file behind the address (the address itself, for most sources)."""
        return Resolved(url)

    def prepare(self, path: Path, workdir: Path, max_bytes: int) -> Path:
        """Check the downloaded file and unpack what the importer reads into ``workdir``;
        return what to import. Raises :class:`FetchError` for a damaged or wrong file."""
        raise NotImplementedError

    def load(self, store: Store, ready: Path, download: Download, options: Options) -> ImportReport:
        raise NotImplementedError


@dataclass(frozen=True)
class CordisSource(Source):
    programme: str = ""
    required: tuple[str, ...] = ("project.csv", "organization.csv")
    optional: tuple[str, ...] = ("euroscivoc.csv",)

    def prepare(self, path: Path, workdir: Path, max_bytes: int) -> Path:
        from ..importers.cordis import FILES

        label = f"{self.key} archive {path.name}"
        names = {f.lower(): f for f in FILES.values()}
        with open_zip(path, f"{label}: {_DAMAGED_CORDIS}") as z:
            found = members(z, label)
            missing = [n for n in self.required if n not in found]
            if missing:
                raise FetchError(
                    f"{label}: not a CORDIS project export: no {', '.join(missing)} in it "
                    f"(it holds {', '.join(sorted(found)[:8]) or 'nothing'})"
                )
            for name in (*self.required, *self.optional):
                if name in found:
                    target = workdir / names[name]
                    try:
                        copy_member(z, found[name], target, max_bytes, label)
                    except FetchError as err:
                        raise FetchError(f"{err}. {_DAMAGED_CORDIS}") from None
        return workdir

    def load(self, store: Store, ready: Path, download: Download, options: Options) -> ImportReport:
        from ..importers.cordis import import_cordis

        return import_cordis(
            store, ready, ai_only=options.ai_only, on_error=options.on_error,
            progress=options.progress, validate=options.validate, graph_iri=self.graph,
            programme=self.programme, download=download,
        )  # fmt: skip


@dataclass(frozen=True)
class RorSource(Source):
    def resolve(self, client: httpx.Client, url: str) -> Resolved:
        """A Zenodo record address (``.../api/records/ID``) is read for its current zip;
        any other address is the archive itself."""
        if not _ZENODO_RECORD.fullmatch(urlsplit(url).path):
            return Resolved(url)
        try:
            with client.stream("GET", url, headers={"Accept": "application/json"}) as r:
                if r.status_code != 200:
                    raise FetchError(f"{url}: the server answered {r.status_code} "
                                     f"{r.reason_phrase}".rstrip())  # fmt: skip
                body = bytearray()
                for chunk in r.iter_bytes():
                    body += chunk
                    if len(body) > MAX_RECORD_BYTES:
                        raise FetchError(f"{url}: the record is larger than "
                                         f"{MAX_RECORD_BYTES} bytes")  # fmt: skip
        except httpx.TransportError as err:
            raise FetchError(
                f"{url}: cannot read the record ({type(err).__name__}: {err})"
            ) from None
        try:
            record = json.loads(bytes(body))
        except ValueError as err:
            raise FetchError(f"{url}: not a Zenodo record (not JSON: {err})") from None
        return zenodo_file(record, url)

    def prepare(self, path: Path, workdir: Path, max_bytes: int) -> Path:
        label = f"{self.key} archive {path.name}"
        with open_zip(path, label) as z:
            jsons = [i for i in z.infolist() if i.filename.lower().endswith(".json")]
            if not jsons:
                raise FetchError(f"{label}: not a ROR data dump: no .json file in it")
            v2 = [i for i in jsons if "v2" in i.filename] or jsons
            copy_member(z, v2[0], None, max_bytes, label)  # the file the importer reads
        return path

    def load(self, store: Store, ready: Path, download: Download, options: Options) -> ImportReport:
        from ..importers.ror import import_ror

        return import_ror(
            store, [ready], on_error=options.on_error, progress=options.progress,
            validate=options.validate, graph_iri=self.graph, download=download,
        )  # fmt: skip


@dataclass(frozen=True)
class CountriesSource(Source):
    def prepare(self, path: Path, workdir: Path, max_bytes: int) -> Path:
        from ..importers.countries import build_quads

        ready = workdir / "countries-skos.rdf"  # the parser goes by the extension (RDF/XML)
        try:
            os.link(path, ready)
        except OSError:
            shutil.copyfile(path, ready)
        try:
            build_quads(ready)  # parses and checks that it is the authority table
        except InputError as err:
            raise FetchError(f"{self.key}: the downloaded file is not usable: {err}") from None
        return ready

    def load(self, store: Store, ready: Path, download: Download, options: Options) -> ImportReport:
        from ..importers.countries import import_countries

        return import_countries(
            store, ready, progress=options.progress, validate=options.validate, download=download
        )


def zenodo_file(record: Any, url: str) -> Resolved:
    """The zip of a Zenodo record (its last ``.zip`` file), with checksum and date."""
    files = record.get("files") if isinstance(record, dict) else None
    if not isinstance(files, list):
        raise FetchError(f"{url}: not a Zenodo record (no files list)")
    zips = [f for f in files if isinstance(f, dict) and str(f.get("key", "")).endswith(".zip")]
    if not zips:
        raise FetchError(f"{url}: the Zenodo record lists no .zip file")
    chosen = zips[-1]
    links = chosen.get("links")
    links = links if isinstance(links, dict) else {}
    link = str(links.get("self") or links.get("download") or "")
    try:
        check_address(link)
    except InputError:
        raise FetchError(
            f"{url}: the record's file {chosen.get('key')} has no http(s) link"
        ) from None
    checksum = str(chosen.get("checksum") or "")
    md5 = checksum[4:].lower() if checksum.startswith("md5:") else None
    meta = record.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    issued = str(meta.get("publication_date") or "")
    return Resolved(
        url=link,
        md5=md5 if md5 and re.fullmatch(r"[0-9a-f]{32}", md5) else None,
        issued=issued if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", issued) else None,
        filename=str(chosen.get("key")),
        version=str(meta["version"]) if meta.get("version") else None,
    )


def _cordis(programme: str, key: str, title: str, url: str) -> CordisSource:
    return CordisSource(key=f"cordis-{key}", title=title, default_url=url,
                        cache_name=f"cordis-{key}.zip", graph=graph(f"cordis/{key}"),
                        programme=programme)  # fmt: skip


SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        _cordis(
            "H2020",
            "h2020",
            "CORDIS Horizon 2020 projects (2014-2020)",
            "https://cordis.europa.eu/data/cordis-h2020projects-csv.zip",
        ),
        _cordis(
            "HORIZON",
            "horizon",
            "CORDIS Horizon Europe projects (2021-2027)",
            "https://cordis.europa.eu/data/cordis-HORIZONprojects-csv.zip",
        ),
        _cordis(
            "FP7",
            "fp7",
            "CORDIS FP7 projects (2007-2013)",
            "https://cordis.europa.eu/data/cordis-fp7projects-csv.zip",
        ),
        RorSource(
            key="ror",
            title="ROR data dump",
            cache_name="ror.zip",
            default_url="https://zenodo.org/api/records/6347574",
            graph=graph("ror"),
        ),
        CountriesSource(
            key="countries",
            title="EU country authority table",
            cache_name="countries-skos.rdf",
            default_url="https://publications.europa.eu/resource/distribution/country/rdf/"
            "skos_core/countries-skos.rdf",
            graph=graph("eu-authority"),
        ),
    )  # fmt: skip
}
#: the CORDIS programmes, as ``aigraph fetch cordis PROGRAMME`` names them
PROGRAMMES = ("h2020", "horizon", "fp7")


def workdir(cache_root: Path, name: str) -> tempfile.TemporaryDirectory[str]:
    """A private folder beside the cache (same file system) for unpacking ``name``."""
    cache_root.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix=f"{name}-", dir=cache_root)
