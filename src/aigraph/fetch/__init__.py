"""EU open data, fetched by the tool: ``aigraph fetch cordis h2020|horizon|fp7``, ``fetch ror``,
``fetch countries``.

Each source (:data:`~.sources.SOURCES`) is downloaded from its official address (a setting
``AIGRAPH_FETCH_<SOURCE>_URL`` or ``url=`` moves it) with a progress bar, resumed after an
interruption, checked, kept in a cache with its checksum, size, address and retrieval date
(:mod:`.cache`), then imported by the source's importer, the catalog recording the download
(:func:`~.pipeline.fetch`). A failed or truncated download leaves the store and the cache as
they were.
"""

from .errors import DownloadInterrupted, FetchError
from .pipeline import FetchReport, address, fetch
from .sources import PROGRAMMES, SOURCES, Source

__all__ = [
    "PROGRAMMES",
    "SOURCES",
    "DownloadInterrupted",
    "FetchError",
    "FetchReport",
    "Source",
    "address",
    "fetch",
]
