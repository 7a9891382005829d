"""ROR records (schema v2 JSON: one record, a list of records, or the zipped full dump)
-> ``graph/ror``.

Each record becomes ``id/organisation/ror-{id}`` a ``org:Organization`` with:

- its names: the ``ror_display`` name and one ``label`` per language as ``skos:prefLabel``
  (language-tagged where ROR gives a language), other labels and aliases as ``skos:altLabel``,
  acronyms as ``skos:altLabel`` without a language;
- its identifiers as ADMS identifiers ``id/identifier/{ror,wikidata,isni,grid}-{value}``
  (Wikidata: the preferred QID, or the only one) and ``skos:exactMatch`` to the ROR and
  Wikidata IRIs;
- its types (``org:classification`` -> the organisation-type scheme), country (``aig:country``
  -> the EU authority table, from the GeoNames ISO code), city (``schema:location``),
  founding year (``schema:foundingDate`` as ``xsd:gYear``) and website (``foaf:homepage``);
- its relationships to other ROR organisations: ``org:subOrganizationOf`` (parent),
  ``org:hasSubOrganization`` (child), ``org:linkedTo`` (related), ``dcterms:replaces`` /
  ``dcterms:isReplacedBy`` (predecessor / successor), pointing at ``id/organisation/ror-{id}``.

Withdrawn records are left out (and counted). ROR data is CC0.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import InputError
from ..namespaces import ADMS, AIG, DCTERMS, FOAF, ORG, RDF, SCHEMA, SKOS, XSD, entity, graph
from ..store import Store
from .countries import CountryTable, load_table
from .provenance import (
    CC0,
    Download,
    SourceDescription,
    file_date,
    nn,
    progress_bar,
    replace_graph,
)
from .rows import ImportReport, RowErrors
from .terms import Quads, identifier

GRAPH_IRI = graph("ror")
ROR = "https://ror.org/"
WIKIDATA = "http://www.wikidata.org/entity/"
SOURCE = "https://ror.org/"
DATASET = "https://doi.org/10.5281/zenodo.6347574"  # the ROR data dump concept DOI
PUBLISHER = "https://ror.org/"
#: ROR organisation types -> concepts of the organisation-type scheme. ROR's "government" means
#: a government-run body (CNRS, CEA, Inria carry it), which is our public body, not a government.
TYPES = {
    "education": "university",
    "funder": "funder",
    "government": "public-body",
    "nonprofit": "nonprofit",
    "company": "company",
    "facility": "research-organisation",
}
RELATIONS = {
    "parent": ORG.subOrganizationOf,
    "child": ORG.hasSubOrganization,
    "related": ORG.linkedTo,
    "predecessor": DCTERMS.replaces,
    "successor": DCTERMS.isReplacedBy,
}
AGENCIES = {"ror": "ROR", "wikidata": "Wikidata", "isni": "ISNI", "grid": "GRID"}
_ROR_ID = re.compile(r"0[a-hj-km-np-tv-z0-9]{6}[0-9]{2}")
_QID = re.compile(r"Q[1-9][0-9]*")


def ror_id(value: str) -> str | None:
    """``"https://ror.org/02feahw73"`` -> ``"02feahw73"`` (None if it is not a ROR id)."""
    rid = value.strip().rsplit("/", 1)[-1]
    return rid if _ROR_ID.fullmatch(rid) else None


# ----------------------------------------------------------------------------- reading
def _json_documents(path: Path) -> Iterator[tuple[str, Any]]:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as z:
                names = [n for n in z.namelist() if n.endswith(".json")]
                v2 = [n for n in names if "v2" in n] or names
                if not v2:
                    raise InputError(f"{path}: the archive holds no .json file")
                for name in v2[:1]:
                    with z.open(name) as fh:
                        yield f"{path}:{name}", json.load(io.TextIOWrapper(fh, encoding="utf-8"))
        else:
            with open(path, encoding="utf-8") as fh:
                yield str(path), json.load(fh)
    except json.JSONDecodeError as err:
        raise InputError(f"{path}, line {err.lineno}: not JSON ({err.msg})") from None
    except zipfile.BadZipFile as err:
        raise InputError(f"{path}: not a zip archive ({err})") from None


def read_records(paths: list[str | Path]) -> Iterator[tuple[str, int, Any]]:
    """Yield (source, record number from 1, record) from ROR JSON files."""
    for path in paths:
        for source, doc in _json_documents(Path(path)):
            records = doc if isinstance(doc, list) else [doc]
            for n, record in enumerate(records, start=1):
                yield source, n, record


# ----------------------------------------------------------------------------- building
def _check(record: Any) -> str:
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    rid = ror_id(str(record.get("id", "")))
    if rid is None:
        raise ValueError(f"id {record.get('id')!r} is not a ROR id")
    names = record.get("names")
    if not isinstance(names, list) or not any(
        isinstance(n, dict) and isinstance(n.get("value"), str) and n["value"].strip()
        for n in names
    ):
        raise ValueError(f"record {rid} has no names (is it schema v2?)")
    return rid


def _names(add, s: ox.NamedNode, names: list[dict]) -> None:
    pref_langs: set[str | None] = set()
    ordered = sorted(
        (n for n in names if isinstance(n, dict) and str(n.get("value", "")).strip()),
        key=lambda n: "ror_display" not in (n.get("types") or []),
    )
    for n in ordered:
        value = " ".join(str(n["value"]).split())
        lang = n.get("lang") or None
        types = n.get("types") or []
        literal = ox.Literal(value, language=lang) if lang else ox.Literal(value)
        if "acronym" in types:
            add(s, SKOS.altLabel, ox.Literal(value))
        elif ("ror_display" in types or "label" in types) and lang not in pref_langs:
            pref_langs.add(lang)
            add(s, SKOS.prefLabel, literal)
        else:
            add(s, SKOS.altLabel, literal)


def _identifier(add, s: ox.NamedNode, scheme: str, value: str) -> None:
    add(s, ADMS.identifier, identifier(add, scheme, value, AGENCIES[scheme]))


def record_quads(add, rid: str, record: dict, countries: CountryTable) -> None:
    s = nn(entity("organisation", f"ror-{rid}"))
    add(s, RDF.type, nn(ORG.Organization))
    _names(add, s, record["names"])
    _identifier(add, s, "ror", rid)
    add(s, SKOS.exactMatch, nn(ROR + rid))
    for ext in record.get("external_ids") or []:
        kind = ext.get("type")
        values = [str(v).strip() for v in ext.get("all") or [] if str(v).strip()]
        preferred = ext.get("preferred") or (values[0] if len(values) == 1 else None)
        if kind == "wikidata" and preferred and _QID.fullmatch(preferred):
            _identifier(add, s, "wikidata", preferred)
            add(s, SKOS.exactMatch, nn(WIKIDATA + preferred))
        elif kind == "isni":
            for v in values:
                _identifier(add, s, "isni", v)
        elif kind == "grid":
            for v in values:
                _identifier(add, s, "grid", v)
    for t in record.get("types") or []:
        if t in TYPES:
            add(s, ORG.classification, nn(entity("organisation-type", TYPES[t])))
    for loc in record.get("locations") or []:
        details = loc.get("geonames_details") or {}
        iri = countries.from_iso2(str(details.get("country_code") or ""))
        if iri:
            add(s, AIG.country, nn(iri))
        if details.get("name"):
            add(s, SCHEMA.location, ox.Literal(str(details["name"])))
    year = record.get("established")
    if isinstance(year, int) and 0 < year < 10000:
        add(s, SCHEMA.foundingDate, ox.Literal(f"{year:04d}", datatype=nn(XSD.gYear)))
    for link in record.get("links") or []:
        url = str(link.get("value") or "")
        if link.get("type") == "website" and url.startswith(("http://", "https://")):
            add(s, FOAF.homepage, nn(url.replace(" ", "%20")))
    for rel in record.get("relationships") or []:
        other = ror_id(str(rel.get("id", "")))
        prop = RELATIONS.get(str(rel.get("type", "")).lower())
        if other and prop is not None:
            add(s, prop, nn(entity("organisation", f"ror-{other}")))


def build_quads(
    paths: list[str | Path],
    *,
    on_error: str = "fail",
    countries: CountryTable | None = None,
    progress: bool = False,
    graph_iri: str = GRAPH_IRI,
) -> tuple[list[ox.Quad], ImportReport]:
    countries = countries or load_table()
    report = ImportReport(graph_iri)
    problem = RowErrors(report, on_error)
    add = Quads(graph_iri)
    withdrawn = 0
    seen: set[str] = set()
    for source, n, record in progress_bar(read_records(paths), progress, "ROR", unit="record"):
        report.rows += 1
        try:
            rid = _check(record)
        except ValueError as err:
            problem(source, n, str(err))
            continue
        if record.get("status") == "withdrawn":
            withdrawn += 1
            continue
        if rid in seen:
            continue
        seen.add(rid)
        record_quads(add, rid, record, countries)
        report.kept += 1
    report.counts = {"organisations": len(seen), "withdrawn (left out)": withdrawn}
    report.quads = len(add.out)
    return add.out, report


def import_ror(
    store: Store,
    paths: list[str | Path],
    *,
    on_error: str = "fail",
    progress: bool = False,
    validate: bool = True,
    graph_iri: str = GRAPH_IRI,
    download: Download | None = None,
) -> ImportReport:
    """Import ROR records into ``graph/ror`` (replacing it), validated and atomic;
    ``download`` records the file they came from (a ROR data dump)."""
    if not paths:
        raise InputError("no ROR file given")
    quads, report = build_quads(paths, on_error=on_error, progress=progress, graph_iri=graph_iri)
    description = SourceDescription(
        graph=graph_iri,
        titles={
            "en": "Research Organization Registry (ROR) records",
            "fr": "Fiches du Research Organization Registry (ROR)",
            "de": "Datensätze der Research Organization Registry (ROR)",
        },
        publisher=PUBLISHER,
        license=CC0,
        source=SOURCE,
        derived_from=(DATASET,),
        retrieved=download.retrieved.date() if download else file_date(paths),
        issued=download.issued if download else None,
        download=download,
    )
    report.write = replace_graph(
        store, graph_iri, quads, description, validate=validate, progress=progress
    )
    return report
