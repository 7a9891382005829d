"""The second wall around query and update workers: no network unless federation is on.

The policy (:func:`aigraph.policy.guard`) refuses SERVICE and LOAD before an engine sees a
request. Should a request ever get past it, a worker that evaluates it still cannot reach the
network: at start, before it opens any store or starts a thread, the worker moves itself into a
new, empty network namespace (Linux ``unshare(CLONE_NEWNET)``, inside a new user namespace when
the process is not privileged). There, every address, loopback included, is unreachable; the
worker talks to the server only through its pipe, which is not a network socket.

Where the kernel refuses namespaces (another OS, or user namespaces disabled), the worker runs
as before, logs a warning, and the policy remains the only wall.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys

log = logging.getLogger("aigraph.sparql")

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000

#: this process's state: None (not tried), True (isolated), False (could not be)
_state: bool | None = None


def _unshare(flags: int) -> int:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    if libc.unshare(flags) == 0:
        return 0
    return ctypes.get_errno()


def isolate_network() -> bool:
    """Cut this process off every network (see the module). Call it before the process starts
    threads. Returns whether the process is now isolated."""
    global _state
    if _state is not None:
        return _state
    if not sys.platform.startswith("linux"):
        _state = False
        return False
    errno = _unshare(CLONE_NEWNET)
    if errno:  # not privileged: a user namespace of our own lets us have a network one
        errno = _unshare(CLONE_NEWUSER | CLONE_NEWNET)
    if errno:
        log.warning(
            "query workers keep network access: the kernel refused a network namespace (%s)",
            os.strerror(errno),
        )
    _state = errno == 0
    return _state
