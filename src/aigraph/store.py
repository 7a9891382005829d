"""The store: an embedded Oxigraph database behind a small interface.

Every write goes through one path, :meth:`Store.write`: the new quads (and the quads to remove)
are staged in memory together with what the store already says about the nodes they touch
and the ontology; the staged state is checked against the SHACL shapes; only if it conforms is
the change committed, in one transaction. An invalid or interrupted write leaves the store
exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from .errors import InputError, NonConformingError
from .namespaces import PREFIXES
from .ontology import (
    CATALOG_GRAPH,
    ONTOLOGY_GRAPH,
    VOCABULARY_GRAPH,
    curated_files,
    ontology_files,
    vocabulary_files,
)
from .rdfio import parse_file

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


class Store:
    """An aigraph store: ``Store(path)`` opens (or creates) one on disk, ``Store()`` in memory."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else None
        #: bumped by every committed write (readers of snapshots compare it to see staleness)
        self.version = 0
        if self.path is not None:
            self._recover()
            self.path.mkdir(parents=True, exist_ok=True)
            try:
                self.ox = ox.Store(str(self.path))
            except OSError as err:
                raise InputError(f"cannot open the store at {self.path}: {err}") from None
        else:
            self.ox = ox.Store()

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

    def stats(self) -> dict:
        """Triples per named graph and entities per class (over the union of graphs)."""
        per_graph: Counter[str] = Counter()
        for g in self.ox.named_graphs():
            per_graph[g.value] = sum(1 for _ in self.ox.quads_for_pattern(None, None, None, g))
        default = sum(1 for _ in self.ox.quads_for_pattern(None, None, None, ox.DefaultGraph()))
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
        graphs = dict(sorted(per_graph.items()))
        if default:
            graphs["(default graph)"] = default
        return {"quads": len(self.ox), "graphs": graphs, "classes": classes}

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
        quads: list[ox.Quad] = []
        with _Progress(progress, len(paths) + 2) as bar:
            for path in paths:
                bar.step(f"parsing {Path(path).name}")
                quads.extend(parse_file(path, graph=graph, fmt=fmt).quads)
            return self.write(add=quads, validate=validate, progress=bar)

    def write(
        self,
        add: Iterable[ox.Quad] = (),
        remove: Iterable[ox.Quad] = (),
        *,
        validate: bool = True,
        progress: _Progress | bool = False,
    ) -> WriteResult:
        """Validate the state this change would produce, then commit it atomically.

        Raises :class:`NonConformingError` (with the SHACL report) and changes nothing when the
        resulting data would violate the shapes.
        """
        add = add if isinstance(add, list) else list(add)
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
        self._commit(add, remove)
        self.version += 1
        result.after = len(self.ox)
        bar.close()
        return result

    def _commit(self, add: list[ox.Quad], remove: list[ox.Quad]) -> None:
        """Commit a checked change in one transaction, or for a large change on disk by
        building the new state in a private checkpoint and switching to it (see
        :meth:`_commit_by_swap`)."""
        new = [q for q in add if q not in self.ox]
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

    def _aside(self, kind: str) -> Path:
        assert self.path is not None
        return self.path.parent / f".{self.path.name}.{kind}"

    def _commit_by_swap(self, add: list[ox.Quad], remove: list[ox.Quad]) -> None:
        """Large writes: a RocksDB transaction of a million quads is slow (35 s against 8 s for
        the bulk loader), and the bulk loader is not atomic. So the change is bulk-loaded into a
        hard-linked checkpoint of the store (``.NAME.staging``), which is then renamed
        ``.NAME.committed`` (the commit point, one atomic rename) and switched into place. A
        crash before the commit point leaves the old store; after it, :meth:`_recover` finishes
        the switch the next time the store is opened."""
        staging, committed = self._aside("staging"), self._aside("committed")
        shutil.rmtree(staging, ignore_errors=True)
        self.ox.flush()
        self.ox.backup(str(staging))
        copy = ox.Store(str(staging))
        for q in remove:
            copy.remove(q)
        copy.bulk_extend(add)
        copy.flush()
        del copy
        os.replace(staging, committed)  # the commit point
        del self.ox
        self._recover()
        self.ox = ox.Store(str(self.path))

    def _recover(self) -> None:
        """Finish a switch that a crash interrupted; drop an unfinished staging copy."""
        if self.path is None:
            return
        staging, committed, old = (self._aside(k) for k in ("staging", "committed", "old"))
        shutil.rmtree(staging, ignore_errors=True)
        if committed.is_dir():
            shutil.rmtree(old, ignore_errors=True)
            if self.path.exists():
                os.replace(self.path, old)
            os.replace(committed, self.path)
        shutil.rmtree(old, ignore_errors=True)

    def check(self, add: Sequence[ox.Quad], remove: Sequence[ox.Quad] = ()):
        """The SHACL report for the state the change would produce (the store is untouched)."""
        from .validate import validate_store

        staging = ox.Store()
        staging.extend(add)
        removed = set(remove)
        focus: set[ox.NamedNode] = set()
        for q in (*add, *remove):
            if isinstance(q.subject, ox.NamedNode):
                focus.add(q.subject)
            if isinstance(q.object, ox.NamedNode) and q.predicate != RDF_TYPE:
                focus.add(q.object)
        context: list[ox.Quad] = []
        for node in focus:
            context.extend(self.ox.quads_for_pattern(node, None, None, None))
            context.extend(self.ox.quads_for_pattern(None, None, node, None))
        # the types of the nodes the context points to (e.g. a concept's scheme), for sh:class
        for q in list(context):
            if isinstance(q.object, ox.NamedNode) and q.predicate != RDF_TYPE:
                context.extend(self.ox.quads_for_pattern(q.object, RDF_TYPE, None, None))
        for q in self._schema_quads():
            context.append(q)
        staging.extend(q for q in context if q not in removed)
        added = set(add)
        for q in removed - added:
            staging.remove(q)
        return validate_store(staging, focus_nodes=focus)

    def _schema_quads(self) -> list[ox.Quad]:
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
        if self.path is not None:
            self.ox.flush()

    def destroy(self) -> None:
        """Delete an on-disk store (used by ``aigraph init --reset``)."""
        if self.path is not None:
            del self.ox
            shutil.rmtree(self.path, ignore_errors=True)


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


__all__ = ["Store", "WriteResult", "CATALOG_GRAPH", "ONTOLOGY_GRAPH", "VOCABULARY_GRAPH"]
