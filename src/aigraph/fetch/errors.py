"""What can go wrong while fetching: every case leaves the store and the cache as they were."""

from __future__ import annotations

from ..errors import InputError


class FetchError(InputError):
    """A download that failed or that cannot be used (refused by the server, truncated,
    damaged, not the expected file, no cached copy offline). Names the address or the file."""

    status = 502
    title = "Download failed"


class DownloadInterrupted(FetchError):
    """The transfer broke off before the end: the part received is kept beside the cache, and
    the next run resumes from it (HTTP Range)."""
