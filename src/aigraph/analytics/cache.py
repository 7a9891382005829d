"""Values computed from one state of a store, kept until that state changes.

The key is the store object itself (held weakly) and its ``version``, which every committed
write bumps (:attr:`aigraph.store.Store.version`): never the store's ``id()``, which a new
object can reuse, nor its size, which a write can leave unchanged and which pyoxigraph counts
by scanning every quad. Anything with ``.ox`` (the pyoxigraph store) and ``.version`` can be a
key: an :class:`aigraph.store.Store`, or a read-only :class:`Snapshot`.

A bare ``pyoxigraph.Store`` has no version: it is looked up among the tracked stores (those
that went through :func:`track`, which every cached call does) by identity, and when none owns
it nothing is cached across calls.

    >>> cache = VersionCache(size=2)
    >>> class S:  # a stand-in for a Store
    ...     ox, version = object(), 0
    >>> s = S()
    >>> cache.get(s, "answer", lambda: 42), cache.get(s, "answer", lambda: 0)
    (42, 42)
    >>> s.version += 1
    >>> cache.get(s, "answer", lambda: 0)
    0
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from ..namespaces import PREFIXES

T = TypeVar("T")

#: id(pyoxigraph store) -> the tracked store that holds it (checked by identity on use)
_OWNERS: dict[int, weakref.ref] = {}
_OWNERS_LOCK = threading.Lock()


class Snapshot:
    """A read-only pyoxigraph store with a fixed ``version`` (a query worker's or an analytics
    worker's snapshot): a cache key like a :class:`~aigraph.store.Store`."""

    def __init__(self, oxs: Any, version: Hashable):
        self.ox = oxs
        self.version = version

    def query(self, sparql: str, **kwargs: Any) -> Any:
        """SPARQL on the snapshot, the default graph being the union of all graphs (as
        :meth:`aigraph.store.Store.query`)."""
        kwargs.setdefault("use_default_graph_as_union", True)
        kwargs.setdefault("prefixes", PREFIXES)
        return self.ox.query(sparql, **kwargs)


def track(store: Any) -> None:
    """Remember that ``store.ox`` belongs to ``store`` (for :func:`owner`)."""
    oxs = getattr(store, "ox", None)
    if oxs is None or getattr(store, "version", None) is None:
        return
    key = id(oxs)
    with _OWNERS_LOCK:
        ref = _OWNERS.get(key)
        if ref is not None and ref() is store:
            return

        def forget(_ref: weakref.ref, key: int = key) -> None:
            with _OWNERS_LOCK:
                if _OWNERS.get(key) is _ref:
                    del _OWNERS[key]

        _OWNERS[key] = weakref.ref(store, forget)


def owner(store: Any) -> Any | None:
    """The versioned store behind ``store``: itself when it has ``.ox`` and ``.version``, the
    tracked store holding it when it is a bare pyoxigraph store, else None."""
    if getattr(store, "ox", None) is not None and getattr(store, "version", None) is not None:
        return store
    with _OWNERS_LOCK:
        ref = _OWNERS.get(id(store))
    found = ref() if ref is not None else None
    return found if found is not None and found.ox is store else None


class _Slot:
    __slots__ = ("lock", "version", "values")

    def __init__(self, version: Hashable):
        self.lock = threading.Lock()
        self.version = version
        self.values: OrderedDict = OrderedDict()


class VersionCache:
    """At most ``size`` values per store, for its current version only. Concurrent callers
    asking for the same missing key wait for one computation instead of each running it."""

    def __init__(self, size: int = 16):
        self.size = size
        self._slots: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._computing: dict[tuple[int, Hashable, Hashable], threading.Lock] = {}

    def get(self, store: Any, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per ``(store state, key)``; uncached when ``store`` has no
        version (see :func:`owner`)."""
        keyed = owner(store)
        if keyed is None:
            return compute()
        track(keyed)
        version = keyed.version
        hit, value = self._lookup(keyed, version, key)
        if hit:
            return value
        flight = (id(keyed), version, key)
        with self._lock:
            gate = self._computing.setdefault(flight, threading.Lock())
        try:
            with gate:
                hit, value = self._lookup(keyed, version, key)
                if hit:
                    return value
                value = compute()
                self._store(keyed, version, key, value)
                return value
        finally:
            with self._lock:
                self._computing.pop(flight, None)

    def _slot(self, store: Any, version: Hashable) -> _Slot:
        with self._lock:
            slot = self._slots.get(store)
            if slot is None or slot.version != version:
                slot = self._slots[store] = _Slot(version)
            return slot

    def _lookup(self, store: Any, version: Hashable, key: Hashable) -> tuple[bool, Any]:
        slot = self._slot(store, version)
        with slot.lock:
            if key in slot.values:
                slot.values.move_to_end(key)
                return True, slot.values[key]
        return False, None

    def _store(self, store: Any, version: Hashable, key: Hashable, value: Any) -> None:
        with self._lock:
            slot = self._slots.get(store)
        if slot is None or slot.version != version:  # written meanwhile: the value is stale
            return
        with slot.lock:
            slot.values[key] = value
            while len(slot.values) > self.size:
                slot.values.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._slots = weakref.WeakKeyDictionary()


__all__ = ["Snapshot", "VersionCache", "owner", "track"]
