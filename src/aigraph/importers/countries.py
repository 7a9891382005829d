"""The EU country authority table (Publications Office, SKOS in RDF/XML) -> ``graph/eu-authority``.

The table is kept as published (labels in the EU languages, ``at:authority-code``,
``dc:identifier``, legacy codes as ``at:op-mapped-code``; blank nodes skolemised), and each
concept gains its ISO 3166-1 codes as typed ``skos:notation`` (datatypes of the EU
Vocabularies' euvoc model):

- alpha-3: the authority code, where it is three letters (``FRA``);
- alpha-2: the table's TED legacy code (``FR``), except where TED uses the EU convention
  instead of ISO (``UK`` for the United Kingdom, ISO ``GB``).

:class:`CountryTable` resolves codes found in other sources to concept IRIs from the table's own
mappings, not a hand-written list: CORDIS codes (ISO alpha-2 with the EU's ``EL`` and ``UK``) via
the TED codes, then the EU interinstitutional codes (EurLex FD_140: ``EL``); ISO alpha-2 codes
(ROR) via TED, then EurLex FD_010 (``GB``).

A copy of the table (version 20221214-0, CC BY 4.0) ships in the package, so
``aigraph import countries`` needs no argument.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError
from ..namespaces import SKOS, graph
from ..ontology import bundled_root
from ..rdfio import parse_file
from ..store import Store
from .provenance import CC_BY_4, PUBL, Download, SourceDescription, file_date, nn, replace_graph
from .rows import ImportReport

GRAPH_IRI = graph("eu-authority")
SCHEME = "http://publications.europa.eu/resource/authority/country"
EUVOC = "http://publications.europa.eu/ontology/euvoc#"
ALPHA2 = EUVOC + "ISO_3166_1_ALPHA_2"
ALPHA3 = EUVOC + "ISO_3166_1_ALPHA_3"
SOURCE = (
    "https://github.com/europarl/open-data-beta-testing/blob/main/"
    "controlled-vocabularies/countries-skos.rdf"
)
DATASET = "http://publications.europa.eu/resource/dataset/country"
#: where TED's two-letter code is the EU convention rather than ISO 3166-1 alpha-2
TED_NOT_ISO = {"UK": "GB"}
#: codes in use that the table maps nowhere: Kosovo (``XK``, user-assigned) -> authority ``1A0``;
#: US Minor Outlying Islands (``UM``, in the H2020 participations) -> ``UMI``
UNMAPPED = {"XK": "1A0", "UM": "UMI"}
_QUERY = Path(__file__).with_name("country-codes.rq").read_text(encoding="utf-8")
_VERSION_QUERY = Path(__file__).with_name("country-table-version.rq").read_text(encoding="utf-8")


def bundled_table() -> Path:
    """The copy of the authority table shipped with aigraph."""
    return bundled_root() / "data" / "reference" / "countries-skos.rdf"


@dataclass
class CountryTable:
    """Code lookups built from the authority table's own mappings."""

    version: str | None = None
    concepts: dict[str, str] = field(default_factory=dict)  # authority code -> IRI
    deprecated: set[str] = field(default_factory=set)  # IRIs
    legacy: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    @classmethod
    def from_store(cls, store: ox.Store) -> CountryTable:
        table = cls()
        legacy: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
        solutions = store.query(_QUERY, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)
        for row in solutions:
            iri, code = row["concept"].value, row["code"].value
            table.concepts[code] = iri
            if row["deprecated"] is not None and row["deprecated"].value == "true":
                table.deprecated.add(iri)
                continue  # a legacy code resolves to the concept in use, never a deprecated one
            if row["legacy"] is not None:
                key = (row["source"].value, row["table"].value if row["table"] else "")
                legacy[key].setdefault(row["legacy"].value, iri)
        table.legacy = dict(legacy)
        version = store.query(_VERSION_QUERY, use_default_graph_as_union=True)
        assert isinstance(version, ox.QuerySolutions)
        for sol in version:
            table.version = sol["v"].value
        return table

    def _lookup(self, code: str, chain: tuple[tuple[str, str], ...]) -> str | None:
        code = code.strip().upper()
        for key in chain:
            iri = self.legacy.get(key, {}).get(code)
            if iri:
                return iri
        return self.concepts.get(UNMAPPED.get(code, ""))

    def from_cordis(self, code: str) -> str | None:
        """IRI for a CORDIS country code (``FR``, ``EL``, ``UK``), or None."""
        return self._lookup(code, (("TED", ""), ("EurLex", "FD_140")))

    def from_iso2(self, code: str) -> str | None:
        """IRI for an ISO 3166-1 alpha-2 code (``FR``, ``GB``), or None."""
        return self._lookup(code, (("TED", ""), ("EurLex", "FD_010")))

    def notations(self) -> dict[str, tuple[str | None, str | None]]:
        """IRI -> (ISO alpha-2, ISO alpha-3) for the concepts in use."""
        out: dict[str, tuple[str | None, str | None]] = {}
        ted = {iri: code for code, iri in self.legacy.get(("TED", ""), {}).items()}
        for code, iri in self.concepts.items():
            if iri in self.deprecated:
                continue
            a3 = code if len(code) == 3 and code.isalpha() else None
            a2 = ted.get(iri)
            out[iri] = (TED_NOT_ISO.get(a2, a2) if a2 else None, a3)
        return out


def _load(path: Path) -> tuple[list[ox.Quad], CountryTable]:
    quads = parse_file(path, graph=GRAPH_IRI).quads
    if not any(q.subject == ox.NamedNode(SCHEME) for q in quads):
        raise InputError(f"{path}: not the EU country authority table (no concept scheme {SCHEME})")
    staging = ox.Store()
    staging.extend(quads)
    return quads, CountryTable.from_store(staging)


@lru_cache(maxsize=4)
def load_table(path: str | None = None) -> CountryTable:
    """The code lookups of the table at ``path`` (default: the bundled copy), cached."""
    return _load(Path(path) if path else bundled_table())[1]


def build_quads(path: str | Path | None = None) -> tuple[list[ox.Quad], CountryTable]:
    """The table's quads plus the ISO notations, all in ``graph/eu-authority``."""
    quads, table = _load(Path(path) if path else bundled_table())
    g, notation = nn(GRAPH_IRI), nn(SKOS.notation)
    for iri, (a2, a3) in table.notations().items():
        if a2:
            quads.append(ox.Quad(nn(iri), notation, ox.Literal(a2, datatype=nn(ALPHA2)), g))
        if a3:
            quads.append(ox.Quad(nn(iri), notation, ox.Literal(a3, datatype=nn(ALPHA3)), g))
    return quads, table


def import_countries(
    store: Store,
    path: str | Path | None = None,
    *,
    progress: bool = False,
    validate: bool = True,
    download: Download | None = None,
) -> ImportReport:
    """Import the authority table (default: the bundled copy) into ``graph/eu-authority``;
    ``download`` records the file it came from."""
    source = Path(path) if path else bundled_table()
    quads, table = build_quads(source)
    report = ImportReport(GRAPH_IRI, rows=len(table.concepts), kept=len(table.concepts))
    report.counts = {
        "concepts": len(table.concepts),
        "deprecated": len(table.deprecated),
    }
    description = SourceDescription(
        graph=GRAPH_IRI,
        titles={
            "en": "EU country authority table",
            "fr": "Table d'autorité des pays de l'UE",
            "de": "EU-Normdatentabelle der Länder",
        },
        publisher=PUBL,
        license=CC_BY_4,
        source=SOURCE,
        derived_from=(DATASET,),
        retrieved=download.retrieved.date() if download else file_date([source]),
        issued=download.issued if download else None,
        version=table.version,
        download=download,
    )
    report.quads = len(quads)
    report.write = replace_graph(
        store, GRAPH_IRI, quads, description, validate=validate, progress=progress
    )
    return report
