"""Malformed input rows: reported with their row number, then skipped or failing the import.

An importer never drops a row silently. With ``on_error="fail"`` the first malformed row raises
:class:`MalformedRowError` (nothing is written); with ``"skip"`` it is left out and listed in
the :class:`ImportReport`, which the CLI prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InputError
from ..store import WriteResult

ON_ERROR = ("skip", "fail")


class MalformedRowError(InputError):
    """A row (CSV record, JSON record) that cannot be imported; names the file and the row."""

    title = "Malformed input row"

    def __init__(self, source: str, row: int, message: str):
        self.source, self.row, self.detail = source, row, message
        super().__init__(f"{source}, row {row}: {message}")


@dataclass(frozen=True)
class RowProblem:
    source: str
    row: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}, row {self.row}: {self.message}"


@dataclass
class ImportReport:
    """What an import did: rows read, kept and skipped (with their problems), quads written."""

    graph: str
    rows: int = 0
    kept: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    quads: int = 0
    write: WriteResult | None = None

    def summary(self) -> str:
        parts = [f"{self.rows} rows read", f"{self.kept} kept"]
        if self.problems:
            parts.append(f"{len(self.problems)} malformed (skipped)")
        parts += [f"{n} {what}" for what, n in self.counts.items()]
        parts.append(f"{self.quads} quads in {self.graph}")
        return ", ".join(parts)


class RowErrors:
    """Collects or raises row problems according to ``on_error``."""

    def __init__(self, report: ImportReport, on_error: str = "fail"):
        if on_error not in ON_ERROR:
            raise InputError(f"on_error must be one of {', '.join(ON_ERROR)}, not {on_error!r}")
        self.report = report
        self.on_error = on_error

    def __call__(self, source: str, row: int, message: str) -> None:
        if self.on_error == "fail":
            raise MalformedRowError(source, row, message)
        self.report.problems.append(RowProblem(source, row, message))
