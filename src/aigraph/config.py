"""Settings from ``AIGRAPH_*`` environment variables, read by a cached getter (not at import).

| variable | default | meaning |
|---|---|---|
| AIGRAPH_STORE | ``$XDG_DATA_HOME/aigraph/store`` (else ``~/.local/share/...``) | store folder |
| AIGRAPH_HOST / AIGRAPH_PORT | 127.0.0.1 / 7878 | where ``aigraph serve`` listens |
| AIGRAPH_QUERY_TIMEOUT | 30 | default per-query deadline, seconds |
| AIGRAPH_MAX_QUERY_TIMEOUT | 120 | a request may lower the deadline, never raise it past this |
| AIGRAPH_MAX_ROWS | 10000 | row cap of a SELECT result (truncation is signalled) |
| AIGRAPH_MAX_REQUEST_BYTES | 1048576 | largest query or update body accepted |
| AIGRAPH_MAX_UPLOAD_BYTES | 104857600 | largest Graph Store upload accepted |
| AIGRAPH_WRITE_TOKEN | unset | bearer token for writes; unset means writes are off |
| AIGRAPH_FEDERATION | off | ``on`` lets SERVICE reach the allow-list |
| AIGRAPH_SERVICE_ALLOW | ``DEFAULT_SERVICE_ALLOW`` (EU endpoints) | space-separated IRIs |
| AIGRAPH_SERVICE_TIMEOUT | 10 | seconds for an outgoing SERVICE call |
| AIGRAPH_WORKERS | auto (2 a core, within memory) | query worker processes; 0: in-process |
| AIGRAPH_LONG_SLOTS | auto (workers // 2) | queries that may run past LONG_AFTER at once |
| AIGRAPH_LONG_AFTER | 1 | seconds of execution after which a query is long |
| AIGRAPH_CLIENT_SLOTS | auto (max(4, workers)) | queries a client may have running or waiting |
| AIGRAPH_QUEUE_WAIT | 3 | seconds a query may wait for a worker before a 503 |
| AIGRAPH_QUEUE_SIZE | 256 | queries that may wait for a worker at once |
| AIGRAPH_WORKER_MEMORY | off | ``on``: workers query an in-memory copy of the snapshot |
| AIGRAPH_CACHE | ``$XDG_DATA_HOME/aigraph/cache`` | downloads kept by ``aigraph fetch`` |
| AIGRAPH_FETCH_<SOURCE>_URL | the official address | where ``aigraph fetch`` takes SOURCE |
| AIGRAPH_FETCH_MAX_BYTES | 8589934592 | largest download (and unpacked member) accepted |

SOURCE is CORDIS_H2020, CORDIS_HORIZON, CORDIS_FP7, ROR or COUNTRIES.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

DEFAULT_SERVICE_ALLOW = (
    "https://cordis.europa.eu/datalab/sparql",
    "https://publications.europa.eu/webapi/rdf/sparql",
    "https://data.europa.eu/sparql",
    "https://query.wikidata.org/sparql",
)


def default_store_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "aigraph" / "store"


def default_cache_path() -> Path:
    return default_store_path().parent / "cache"


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    store: Path = field(default_factory=default_store_path)
    host: str = "127.0.0.1"
    port: int = 7878
    query_timeout: float = 30.0
    max_query_timeout: float = 120.0
    max_rows: int = 10_000
    max_request_bytes: int = 1_048_576
    max_upload_bytes: int = 104_857_600
    write_token: str | None = None
    federation: bool = False
    service_allow: tuple[str, ...] = DEFAULT_SERVICE_ALLOW
    service_timeout: float = 10.0
    workers: int | None = None
    worker_memory: bool = False
    long_slots: int | None = None
    long_after: float = 1.0
    client_slots: int | None = None
    queue_wait: float = 3.0
    queue_size: int = 256
    cache: Path = field(default_factory=default_cache_path)
    #: (source, address) pairs overriding where ``aigraph fetch`` takes a source
    fetch_urls: tuple[tuple[str, str], ...] = ()
    fetch_max_bytes: int = 8 * 1024**3

    def with_(self, **changes) -> Settings:
        """A copy with some fields changed (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def settings_from_env(env: dict[str, str] | None = None) -> Settings:
    e = os.environ if env is None else env
    s = Settings()
    allow = e.get("AIGRAPH_SERVICE_ALLOW")
    return s.with_(
        store=Path(e["AIGRAPH_STORE"]) if e.get("AIGRAPH_STORE") else None,
        host=e.get("AIGRAPH_HOST") or None,
        port=int(e["AIGRAPH_PORT"]) if e.get("AIGRAPH_PORT") else None,
        query_timeout=float(e["AIGRAPH_QUERY_TIMEOUT"]) if e.get("AIGRAPH_QUERY_TIMEOUT") else None,
        max_query_timeout=(
            float(e["AIGRAPH_MAX_QUERY_TIMEOUT"]) if e.get("AIGRAPH_MAX_QUERY_TIMEOUT") else None
        ),
        max_rows=int(e["AIGRAPH_MAX_ROWS"]) if e.get("AIGRAPH_MAX_ROWS") else None,
        max_request_bytes=(
            int(e["AIGRAPH_MAX_REQUEST_BYTES"]) if e.get("AIGRAPH_MAX_REQUEST_BYTES") else None
        ),
        max_upload_bytes=(
            int(e["AIGRAPH_MAX_UPLOAD_BYTES"]) if e.get("AIGRAPH_MAX_UPLOAD_BYTES") else None
        ),
        write_token=e.get("AIGRAPH_WRITE_TOKEN") or None,
        federation=_bool(e.get("AIGRAPH_FEDERATION")),
        service_allow=tuple(allow.split()) if allow else None,
        service_timeout=(
            float(e["AIGRAPH_SERVICE_TIMEOUT"]) if e.get("AIGRAPH_SERVICE_TIMEOUT") else None
        ),
        workers=int(e["AIGRAPH_WORKERS"]) if e.get("AIGRAPH_WORKERS") else None,
        worker_memory=_bool(e.get("AIGRAPH_WORKER_MEMORY")),
        long_slots=int(e["AIGRAPH_LONG_SLOTS"]) if e.get("AIGRAPH_LONG_SLOTS") else None,
        long_after=float(e["AIGRAPH_LONG_AFTER"]) if e.get("AIGRAPH_LONG_AFTER") else None,
        client_slots=int(e["AIGRAPH_CLIENT_SLOTS"]) if e.get("AIGRAPH_CLIENT_SLOTS") else None,
        queue_wait=float(e["AIGRAPH_QUEUE_WAIT"]) if e.get("AIGRAPH_QUEUE_WAIT") else None,
        queue_size=int(e["AIGRAPH_QUEUE_SIZE"]) if e.get("AIGRAPH_QUEUE_SIZE") else None,
        cache=Path(e["AIGRAPH_CACHE"]) if e.get("AIGRAPH_CACHE") else None,
        fetch_urls=tuple(
            sorted(
                (k[len("AIGRAPH_FETCH_") : -len("_URL")].lower().replace("_", "-"), v.strip())
                for k, v in e.items()
                if k.startswith("AIGRAPH_FETCH_") and k.endswith("_URL") and v.strip()
            )
        )
        or None,
        fetch_max_bytes=(
            int(e["AIGRAPH_FETCH_MAX_BYTES"]) if e.get("AIGRAPH_FETCH_MAX_BYTES") else None
        ),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process settings, read once from the environment."""
    return settings_from_env()
