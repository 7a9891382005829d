"""The store: an embedded Oxigraph database behind a small interface.

Every write goes through one path, :meth:`Store.write`: the new quads (and the quads to remove)
are staged in memory together with what the store already says about the nodes they touch
and the ontology; the staged state is checked against the SHACL shapes; only if it conforms is
the change committed, in one transaction. An invalid or interrupted write leaves the store
exactly as it was.

One process at a time holds an on-disk store for writing (an ``flock`` on ``.NAME.lock`` beside
it, then RocksDB's own lock); other processes can open it read-only (:meth:`Store.open` with
``write=False``) and see it as it was when they opened it. A write that the file system refuses
(a full disk, above all) raises :class:`StoreWriteError` (:class:`StorageFull`) and leaves the
store as it was; the next write reopens the database, so writes work again once there is space.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from .errors import InputError, NonConformingError, StorageFull, StoreBusy, StoreWriteError
from .namespaces import PREFIXES
from .ontology import (
    CATALOG_GRAPH,
    ONTOLOGY_GRAPH,
    VOCABULARY_GRAPH,
    curated_files,
    ontology_files,
    vocabulary_files,
)
from .rdfio import GENID, parse_file

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_SCHEMA_PREDICATES = {
    ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
    ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subPropertyOf"),
}

#: changes of at least this many quads on disk are committed by switching to a bulk-loaded copy
SWAP_THRESHOLD = 100_000

EXPORT_FORMATS = {
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}


@dataclass
class WriteResult:
    """What a write did: quads asked to add/remove, and the store size before and after."""

    added: int = 0
    removed: int = 0
    before: int = 0
    after: int = 0
    graphs: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return abs(self.after - self.before) if self.after != self.before else 0


def _quad_sparql(q: ox.Quad) -> str:
    triple = f"{q.subject} {q.predicate} {q.object} ."
    if isinstance(q.graph_name, ox.DefaultGraph):
        return triple
    return f"GRAPH {q.graph_name} {{ {triple} }}"


# pyoxigraph types for the signatures inside Store, whose ``ox`` property hides the module there
_Quad = ox.Quad
_OxStore = ox.Store

#: the key of the default graph's count in :func:`graph_counts` and :meth:`Store.stats`
DEFAULT_GRAPH_KEY = "(default graph)"
#: attempts to open a store read-only beside its writer (which may be switching directories)
READ_ONLY_ATTEMPTS = 5


def graph_counts(store: ox.Store) -> dict[str, int]:
    """Quads per named graph (sorted by IRI; an empty named graph counts 0), and in the default
    graph under :data:`DEFAULT_GRAPH_KEY` when it holds any. Counted by the engine."""
    text = (resources.files("aigraph") / "graph-counts.rq").read_text(encoding="utf-8")
    solutions = store.query(text)
    assert isinstance(solutions, ox.QuerySolutions)
    counts = {sol["g"].value: int(sol["n"].value) for sol in solutions}
    for g in store.named_graphs():
        counts.setdefault(g.value, 0)
    out = dict(sorted(counts.items()))
    default = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    if default:
        out[DEFAULT_GRAPH_KEY] = default
    return out


def is_disk_full(err: BaseException) -> bool:
    """An error meaning "no space left" (ENOSPC, or a quota), from Python or from RocksDB (whose
    errors carry the system's message but no errno)."""
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(err)
    return "No space left on device" in text or "Disk quota exceeded" in text


def storage_error(err: Exception, doing: str, outcome: str) -> StoreWriteError:
    """The error for an I/O failure while ``doing`` something to a store; ``outcome`` says what
    became of the store."""
    if is_disk_full(err):
        return StorageFull(
            f"no space left on the device while {doing}: {outcome}. Free some space and run it "
            f"again ({err})"
        )
    return StoreWriteError(f"the file system refused {doing}: {outcome} ({err})")


def busy_message(path: Path | None) -> str:
    return (
        f"the store at {path} is held by another process, probably a running `aigraph serve`. "
        "Reading commands work beside it; to write, stop it or write through the service: a SPARQL "
        "update to POST /update, or RDF to PUT/POST /store?graph=IRI, with the header "
        "'Authorization: Bearer $AIGRAPH_WRITE_TOKEN'"
    )


def _is_lock_error(err: OSError) -> bool:
    text = str(err)
    return "LOCK" in text and ("temporarily unavailable" in text or "lock hold" in text)


def _remove(path: Path) -> None:
    """Delete a directory and the ``.tmp`` one a RocksDB checkpoint leaves when it fails."""
    shutil.rmtree(path, ignore_errors=True)
    shutil.rmtree(path.with_name(path.name + ".tmp"), ignore_errors=True)


def _link_or_copy(src: str, dst: str) -> None:
    """Copy a store's file; its immutable table files (``.sst``) are hard-linked when possible,
    as a RocksDB checkpoint does."""
    if src.endswith(".sst"):
        try:
            os.link(src, dst)
            return
        except OSError:
            pass
    shutil.copy2(src, dst)


def _hold(lock_file: Path, store: Path) -> IO[str] | None:
    """Take the writer's lock of a store (an exclusive ``flock`` on ``lock_file``, held as long
    as the returned file is open), or raise :class:`StoreBusy`. Taken before anything else
    touches the store's directories, so a reader never interferes with a writer's switch."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - no flock (Windows): RocksDB's lock still guards
        return None
    try:
        handle = open(lock_file, "a")  # noqa: SIM115 - held for the lifetime of the Store
    except OSError as err:
        if is_disk_full(err):
            raise storage_error(
                err, f"opening the store at {store}", "nothing was changed"
            ) from None
        raise InputError(f"cannot open the store at {store}: {err}") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise StoreBusy(busy_message(store)) from None
    return handle


class Store:
    """An aigraph store: ``Store(path)`` opens (or creates) one on disk for reading and writing,
    ``Store(path, read_only=True)`` opens one for reading only, beside the process that holds it
    (see :meth:`open`); ``Store()`` makes one in memory."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False):
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        #: bumped by every committed write (readers of snapshots compare it to see staleness)
        self.version = 0
        self._holder: IO[str] | None = None
        self._ox: ox.Store | None = None
        #: a write failed: the database is reopened before the next one (after an I/O error,
        #: RocksDB refuses every write until it is reopened)
        self._stale = False
        if self.path is None:
            if read_only:
                raise InputError("a read-only store needs a path")
            self._ox = ox.Store()
        elif read_only:
            self._ox = self._open_read_only()
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._holder = _hold(self._aside("lock"), self.path)
            self._recover()
            self.path.mkdir(parents=True, exist_ok=True)
            self._ox = self._open()

    @classmethod
    def open(cls, path: str | Path, *, write: bool = True) -> Store:
        """The on-disk store at ``path``. For reading (``write=False``), a store that another
        process holds (a running ``aigraph serve``) is opened read-only: it shows the data as
        it was when opened. For writing, that case raises :class:`StoreBusy`."""
        try:
            return cls(path)
        except StoreBusy:
            if write:
                raise
            return cls(path, read_only=True)

    @property
    def ox(self) -> _OxStore:
        """The pyoxigraph store (reopened here if a failed write left it closed)."""
        if self._ox is None:
            error = self._reopen()
            if self._ox is None:
                assert error is not None
                raise error
        return self._ox

    def _open(self) -> _OxStore:
        assert self.path is not None
        try:
            return ox.Store(str(self.path))
        except OSError as err:
            if _is_lock_error(err):
                raise StoreBusy(busy_message(self.path)) from None
            if is_disk_full(err):
                raise storage_error(
                    err, f"opening the store at {self.path}", "it is unchanged"
                ) from None
            raise InputError(f"cannot open the store at {self.path}: {err}") from None

    def _open_read_only(self) -> _OxStore:
        """Open read-only, retrying briefly: a writer switching to a bulk-loaded copy (see
        :meth:`_commit_by_swap`) renames the directory away for a moment."""
        assert self.path is not None
        last: Exception | None = None
        for attempt in range(READ_ONLY_ATTEMPTS):
            try:
                return ox.Store.read_only(str(self.path))
            except (OSError, RuntimeError) as err:
                # RuntimeError: RocksDB's "Corruption" when the writer compacted away a file
                # between our reading its list of files and opening one: try again
                last = err
                time.sleep(0.1 * (attempt + 1))
        raise InputError(f"cannot open the store at {self.path} for reading: {last}")

    def _reopen(self) -> StoreWriteError | StoreBusy | InputError | None:
        """Close the database and open it again, finishing an interrupted switch first. When it
        cannot be opened for writing yet (the disk still full), a read-only handle keeps reads
        going and the next write tries again. Returns the error that kept it from writing."""
        assert self.path is not None
        self._ox = None  # closes the database once no query holds it any more
        try:
            self._recover()
            self._ox = self._open()
            self._stale = False
            return None
        except OSError as err:
            error: StoreWriteError | StoreBusy | InputError = storage_error(
                err, f"reopening the store at {self.path}", "it is not written to meanwhile"
            )
        except StoreBusy:  # our own old handle, still held by a read in progress
            error = StoreWriteError(
                f"the store at {self.path} could not be reopened after a failed write while "
                "a read still holds it: the store is unchanged; try the write again shortly"
            )
        except (StoreWriteError, InputError) as err:
            error = err
        self._stale = True
        try:
            self._ox = self._open_read_only()
        except InputError:
            self._ox = None
        return error

    # ----------------------------------------------------------------- reading
    def __len__(self) -> int:
        return len(self.ox)

    def is_empty(self) -> bool:
        return next(iter(self.ox.quads_for_pattern(None, None, None, None)), None) is None

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))

    def query(self, sparql: str, **kwargs):
        """Run SPARQL directly on the engine, the default graph being the union of all graphs."""
        kwargs.setdefault("use_default_graph_as_union", True)
        kwargs.setdefault("prefixes", PREFIXES)
        return self.ox.query(sparql, **kwargs)

    def graph_counts(self) -> dict[str, int]:
        """Quads per named graph (see :func:`graph_counts`)."""
        return graph_counts(self.ox)

    def stats(self) -> dict:
        """Triples per named graph and entities per class (over the union of graphs)."""
        solutions = self.ox.query(
            "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } "
            "GROUP BY ?class ORDER BY DESC(?n) ?class",
            use_default_graph_as_union=True,
        )
        assert isinstance(solutions, ox.QuerySolutions)
        classes = {
            sol["class"].value: int(sol["n"].value)
            for sol in solutions
            if isinstance(sol["class"], ox.NamedNode)
        }
        return {"quads": len(self.ox), "graphs": self.graph_counts(), "classes": classes}

    def export(self, fmt: str = "nquads", output: IO[bytes] | str | Path | None = None):
        """Serialise the whole dataset (all graphs) as N-Quads or TriG: a lossless round trip."""
        rdf_format = EXPORT_FORMATS.get(fmt)
        if rdf_format is None:
            raise InputError(f"unknown export format {fmt!r} (use nquads or trig)")
        prefixes = PREFIXES if rdf_format is ox.RdfFormat.TRIG else None
        if isinstance(output, (str, Path)):
            output = str(output)
        return (
            self.ox.dump(output, rdf_format, prefixes=prefixes)
            if prefixes
            else self.ox.dump(output, rdf_format)
        )

    # ----------------------------------------------------------------- writing
    def load_files(
        self,
        paths: Sequence[str | Path],
        *,
        graph: str | None = None,
        fmt: str | None = None,
        validate: bool = True,
        progress: bool = False,
    ) -> WriteResult:
        """Parse, validate and commit files as one atomic write (all of them or none)."""
        if graph is not None:
            _check_graph_iri(graph)
        quads: list[ox.Quad] = []
        with _Progress(progress, len(paths) + 2) as bar:
            for path in paths:
                bar.step(f"parsing {Path(path).name}")
                quads.extend(parse_file(path, graph=graph, fmt=fmt).quads)
            return self.write(add=quads, validate=validate, progress=bar)

    def _writable(self) -> None:
        """Refuse to write through a read-only handle; reopen after a failed write."""
        if self.read_only:
            raise StoreBusy(busy_message(self.path))
        if self._stale:
            error = self._reopen()
            if error is not None:
                raise error

    def ensure_writable(self) -> None:
        """Raise :class:`StoreBusy` for a read-only handle; after a failed write (a full disk),
        reopen the database, or raise why it cannot be yet."""
        self._writable()

    def write(
        self,
        add: Iterable[_Quad] = (),
        remove: Iterable[_Quad] = (),
        *,
        validate: bool = True,
        progress: _Progress | bool = False,
    ) -> WriteResult:
        """Validate the state this change would produce, then commit it atomically.

        Raises :class:`NonConformingError` (with the SHACL report) and changes nothing when the
        resulting data would violate the shapes; raises :class:`StoreWriteError`
        (:class:`StorageFull` for a full disk) and changes nothing when the file system refuses
        the commit.
        """
        self._writable()
        add = skolemise_new(add if isinstance(add, list) else list(add))
        remove = list(remove)
        if remove:
            # compare in Oxigraph's canonical form ("0.0" and "0" are one xsd:double): a quad
            # both removed and added stays, in whichever lexical form the store has it
            added = ox.Store()
            added.extend(add)
            remove = [q for q in remove if q in self.ox and q not in added]
        result = WriteResult(added=len(add), removed=len(remove), before=len(self.ox))
        result.graphs = sorted(
            {q.graph_name.value for q in add if isinstance(q.graph_name, ox.NamedNode)}
        )
        bar = progress if isinstance(progress, _Progress) else _Progress(progress, 2)
        if validate and (add or remove):
            bar.step(f"validating {len(add) + len(remove)} quads")
            report = self.check(add, remove)
            if not report.conforms:
                bar.close()
                raise NonConformingError(report)
        bar.step(f"committing {len(add) + len(remove)} quads")
        new = [q for q in add if q not in self.ox]
        try:
            self._commit(new, remove)
        except OSError as err:
            bar.close()
            self._after_failed_commit(err, new, remove)
        self.version += 1
        result.after = len(self.ox)
        bar.close()
        return result

    def _commit(self, new: list[_Quad], remove: list[_Quad]) -> None:
        """Commit a checked change (``new``: quads not in the store yet) in one transaction, or
        for a large change on disk by building the new state in a private checkpoint and
        switching to it (see :meth:`_commit_by_swap`)."""
        if self.path is not None and len(new) + len(remove) >= SWAP_THRESHOLD:
            self._commit_by_swap(new, remove)
        elif remove:
            # one SPARQL update = one transaction for the removals and additions together
            body = "\n".join(_quad_sparql(q) for q in remove)
            ins = "\n".join(_quad_sparql(q) for q in new)
            self.ox.update(f"DELETE DATA {{ {body} }} ;\nINSERT DATA {{ {ins} }}")
        elif new:
            self.ox.extend(new)  # one transaction
        if self.path is not None:
            self.ox.flush()

    def _after_failed_commit(self, err: OSError, new: list[_Quad], remove: list[_Quad]) -> None:
        """A commit failed on an I/O error (a full disk): clean up, reopen the database (RocksDB
        refuses writes after such an error until reopened), and raise, unless the change did
        land before the error (a flush failing after the commit): then return."""
        doing = f"writing {len(new) + len(remove)} quads to the store at {self.path}"
        if self.path is None:
            raise storage_error(err, doing, "the store is unchanged") from None
        _remove(self._aside("staging"))
        self._reopen()  # a read-only handle at worst: enough to check, and reads go on
        if self._ox is None:
            raise storage_error(err, doing, "the store could not be reopened to check it") from None
        if self._landed(new, remove):
            return
        raise storage_error(err, doing, "the store is unchanged") from None

    def _landed(self, new: list[_Quad], remove: list[_Quad]) -> bool:
        """Whether a change is in the store: commits are all or nothing, so one quad tells."""
        if new:
            return new[0] in self.ox
        if remove:
            return remove[0] not in self.ox
        return True

    def _aside(self, kind: str) -> Path:
        assert self.path is not None
        return self.path.parent / f".{self.path.name}.{kind}"

    def _commit_by_swap(self, add: list[_Quad], remove: list[_Quad]) -> None:
        """Large writes: a RocksDB transaction of a million quads is slow (35 s against 8 s for
        the bulk loader), and the bulk loader is not atomic. So the change is bulk-loaded into a
        hard-linked checkpoint of the store (``.NAME.staging``), which is then renamed
        ``.NAME.committed`` (the commit point, one atomic rename) and switched into place. A
        failure before the commit point removes the staging copy and leaves the old store; a
        crash after it is finished by :meth:`_recover` the next time the store is opened."""
        staging, committed = self._aside("staging"), self._aside("committed")
        _remove(staging)
        try:
            self.ox.flush()
            self.ox.backup(str(staging))
            copy = ox.Store(str(staging))
            try:
                for q in remove:
                    copy.remove(q)
                copy.bulk_extend(add)
                copy.flush()
            finally:
                del copy
        except BaseException:
            _remove(staging)
            raise
        os.replace(staging, committed)  # the commit point
        self._switch()

    def _switch(self) -> None:
        """Close the database and switch to the committed copy (see :meth:`_recover`). When
        it cannot be reopened now, the next use of the store tries again."""
        self._ox = None
        try:
            self._recover()
            self._ox = self._open()
        except (OSError, StoreWriteError, StoreBusy, InputError):
            self._stale = True

    def _recover(self) -> None:
        """Finish a switch that a crash interrupted; drop an unfinished staging copy. Only
        called by the process that holds the store's lock."""
        if self.path is None:
            return
        staging, committed, old = (self._aside(k) for k in ("staging", "committed", "old"))
        _remove(staging)
        if committed.is_dir():
            shutil.rmtree(old, ignore_errors=True)
            if self.path.exists():
                os.replace(self.path, old)
            os.replace(committed, self.path)
        shutil.rmtree(old, ignore_errors=True)

    def checkpoint(self, target: str | Path) -> None:
        """Copy the store as it is now into the new directory ``target`` with RocksDB's own
        checkpoint: consistent, and cheap on the same file system (hard links to the immutable
        files). On failure nothing is left at ``target``."""
        if self.path is None or self.read_only:
            raise InputError("only an on-disk store opened for writing has checkpoints")
        target = Path(target)
        try:
            self.ox.flush()
            self.ox.backup(str(target))
        except OSError as err:
            _remove(target)
            self._stale = True  # a failed flush leaves RocksDB refusing writes until reopened
            raise storage_error(
                err, f"copying the store to {target}", "the store is unchanged"
            ) from None

    def replace_with(self, source: str | Path, check: Callable[[_OxStore], str | None]) -> None:
        """Replace the whole store by the store at ``source``, all or nothing: a copy is made
        beside the store (``.NAME.staging``) and opened; ``check`` returns why to refuse it
        (raised as :class:`InputError`), or None; then it is switched in by the commit point of
        large writes."""
        self._writable()
        source = Path(source)
        staging, committed = self._aside("staging"), self._aside("committed")
        _remove(staging)
        try:
            shutil.copytree(source, staging, copy_function=_link_or_copy)
        except OSError as err:
            _remove(staging)
            raise storage_error(
                err, f"copying {source} beside the store", "the store is unchanged"
            ) from None
        try:
            copy = ox.Store(str(staging))
        except (OSError, RuntimeError) as err:  # RuntimeError: RocksDB's "Corruption"
            _remove(staging)
            if is_disk_full(err):
                raise storage_error(
                    err, f"opening the copy of {source}", "the store is unchanged"
                ) from None
            raise InputError(f"{source} does not open as a store: {err}") from None
        try:
            refused = check(copy)
            if refused is None:
                copy.flush()
        except (OSError, RuntimeError) as err:  # a damaged file, found while reading it
            if is_disk_full(err):
                refused = f"no space left on the device while checking the copy of {source}"
            else:
                refused = f"{source} cannot be read as a store ({err})"
        finally:
            del copy  # closed before its directory is removed or renamed
        if refused is not None:
            _remove(staging)
            raise InputError(f"{refused}: the store is unchanged")
        os.replace(staging, committed)  # the commit point
        self._switch()
        self.version += 1

    def check(self, add: Sequence[_Quad], remove: Sequence[_Quad] = ()):
        """The SHACL report for the state the change would produce (the store is untouched):
        every node the change can break is validated (see
        :func:`aigraph.validate.validate_change`)."""
        from .validate import validate_change

        return validate_change(self.ox, list(add), list(remove), schema=self._schema_quads())

    def _schema_quads(self) -> list[_Quad]:
        """Class and property hierarchy (the store's, else the bundled ontology's)."""
        quads = [
            q for p in _SCHEMA_PREDICATES for q in self.ox.quads_for_pattern(None, p, None, None)
        ]
        if quads:
            return quads
        out: list[ox.Quad] = []
        for path in ontology_files():
            out.extend(
                q
                for q in parse_file(path, graph=ONTOLOGY_GRAPH).quads
                if q.predicate in _SCHEMA_PREDICATES
            )
        return out

    def remove_graph(self, graph_iri: str) -> WriteResult:
        """Drop a named graph, after checking that what remains conforms."""
        g = ox.NamedNode(graph_iri)
        return self.write(remove=list(self.ox.quads_for_pattern(None, None, None, g)))

    def init(self, *, progress: bool = False) -> WriteResult:
        """Load the ontology, the vocabularies and the curated data (idempotent)."""
        quads: list[ox.Quad] = []
        for path in ontology_files():
            quads.extend(parse_file(path, graph=ONTOLOGY_GRAPH).quads)
        for path in vocabulary_files():
            quads.extend(parse_file(path, graph=VOCABULARY_GRAPH).quads)
        for path in curated_files():
            quads.extend(parse_file(path).quads)
        return self.write(add=quads, progress=progress)

    def close(self) -> None:
        """Flush to disk (the store stays open; it is closed when no longer referenced)."""
        if self.path is None or self.read_only or self._ox is None:
            return
        try:
            self._ox.flush()
        except OSError as err:
            self._stale = True
            raise storage_error(
                err, f"flushing the store at {self.path}", "it is unchanged"
            ) from None

    def destroy(self) -> None:
        """Delete an on-disk store (used by ``aigraph init --reset``)."""
        self._writable()
        if self.path is not None:
            self._ox = None
            shutil.rmtree(self.path, ignore_errors=True)


def _check_graph_iri(graph: str) -> None:
    """A graph name must be an absolute IRI (``--graph``): say so instead of failing deep down."""
    try:
        ox.NamedNode(graph)
    except ValueError as err:
        raise InputError(f"--graph {graph!r} is not an absolute IRI ({err})") from None


def skolemise_new(quads: list[_Quad]) -> list[_Quad]:
    """``quads`` with every blank node replaced by a fresh skolem IRI under
    ``/.well-known/genid/`` (RDF 1.1, 3.5), one per blank node of the change: a blank node
    written to the store keeps a name by which a later write can find and remove it (SPARQL's
    DELETE DATA cannot name a blank node)."""
    if not any(_has_blank(q) for q in quads):
        return quads
    names: dict[str, ox.NamedNode] = {}

    def sk(term):
        if isinstance(term, ox.BlankNode):
            name = names.get(term.value)
            if name is None:
                name = names[term.value] = ox.NamedNode(GENID + uuid.uuid4().hex)
            return name
        if isinstance(term, ox.Triple):
            return ox.Triple(sk(term.subject), term.predicate, sk(term.object))
        return term

    return [
        ox.Quad(sk(q.subject), q.predicate, sk(q.object), sk(q.graph_name)) if _has_blank(q) else q
        for q in quads
    ]


def _has_blank(q: _Quad) -> bool:
    return any(
        isinstance(t, (ox.BlankNode, ox.Triple)) for t in (q.subject, q.object, q.graph_name)
    )


class _Progress:
    """A stage progress bar on stderr, shown only when a write takes more than a second."""

    def __init__(self, enabled: bool, total: int):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                delay=1.0,
                file=sys.stderr,
                leave=False,
                bar_format="{desc:40.40} {bar} {n_fmt}/{total_fmt} [{elapsed}]",
            )

    def step(self, desc: str) -> None:
        if self.bar is not None:
            self.bar.set_description_str(desc)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = [
    "Store",
    "WriteResult",
    "graph_counts",
    "is_disk_full",
    "CATALOG_GRAPH",
    "ONTOLOGY_GRAPH",
    "VOCABULARY_GRAPH",
]
