"""Import H2020 participations (one row per organisation role in a project) as EURIO RDF.

Input: the CSV published by zambujo/eunets (``data/h2020.csv.gz``), derived from the CORDIS
H2020 open data (December 2020 snapshot, CC BY 4.0), with the columns ``rcn, role, pic, type,
contribution, country, start_date, end_date, max_contribution, total_cost, start_year,
end_year, duration, group, nunique``. Missing values are written ``NA``, except in ``country``,
where ``NA`` is Namibia.

Output, in graph ``https://w3id.org/aigraph/graph/cordis-h2020`` (see docs/data-model.md):

- each project ``id/project/rcn-{rcn}`` a ``eurio:Project`` with ``eurio:rcn``, start and end
  dates, ``aig:ecMaxContribution``, ``aig:totalCost``, ``aig:frameworkProgramme "H2020"`` and
  ``eurio:hasInvolvedParty`` -> its roles;
- each role ``id/project-role/rcn-{rcn}-pic-{pic}-{role}`` a ``eurio:OrganisationRole`` with
  ``eurio:isRoleOf``, ``eurio:isInvolvedIn``, ``eurio:roleLabel`` and ``aig:ecContribution``;
- each organisation ``id/organisation/pic-{pic}`` a ``org:Organization``, ``eurio:Organisation``
  with ``aig:country`` (EU authority table, via :class:`~.countries.CountryTable`),
  ``org:classification`` (organisation type, as in :mod:`.cordis`) and ``adms:identifier`` ->
  ``id/identifier/pic-{pic}`` (no names: the file has none);
- the graph's description (DCAT/PROV: source, licence, retrieval date) in ``graph/catalog``.

The quads are built directly as pyoxigraph terms (about 1.36 million for the full file, ~5 s).
The import replaces the graph (:func:`~.provenance.replace_graph`); every IRI and literal is a
function of the row and the retrieval date defaults to the file's date, so importing the same
file twice changes nothing. Malformed rows are reported with their row number (the file line;
the header is line 1) and skipped or failing the import (``on_error``).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError
from ..namespaces import ADMS, AIG, EURIO, ORG, RDF, SKOS, XSD, entity, graph
from ..ontology import bundled_root
from ..store import Store
from .cordis import ACTIVITY_TYPES, DATASETS, PIC_AGENCY
from .countries import CountryTable, load_table
from .provenance import CC_BY_4, PUBL, SourceDescription, file_date, progress_bar, replace_graph
from .rows import ImportReport, RowErrors

GRAPH_IRI = graph("cordis-h2020")
REQUIRED = ("rcn", "role", "pic", "type", "contribution", "country", "start_date", "end_date",
            "max_contribution", "total_cost")  # fmt: skip
ROLES = {"coordinator", "participant", "partner", "associatedPartner", "thirdParty"}
MISSING = {"", "NA"}
SOURCE = "https://github.com/zambujo/eunets/blob/master/data/h2020.csv.gz"

#: when the copy shipped in ``data/open/cordis/`` was taken from eunets
SHIPPED_RETRIEVED = dt.date(2026, 11, 29)

_DIGITS = re.compile(r"[0-9]{1,12}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def bundled_file() -> Path:
    """The H2020 participations shipped with aigraph (what ``aigraph init --with h2020`` loads)."""
    return bundled_root() / "data" / "open" / "cordis" / "h2020-participations-eunets.csv.gz"


@dataclass
class Participation:
    """One checked row: strings ready to become literals (``None`` when missing)."""

    rcn: str
    role: str
    pic: str
    org_type: str | None
    contribution: str | None
    country: str | None
    start: str | None
    end: str | None
    max_contribution: str | None
    total_cost: str | None


# ------------------------------------------------------------------------------- reading
def amount(value: str, column: str) -> str | None:
    """A non-negative amount as an xsd:decimal lexical form; ``NA`` or empty -> None."""
    v = value.strip()
    if v in MISSING:
        return None
    try:
        d = Decimal(v)
    except InvalidOperation:
        raise ValueError(f"{column} {value!r} is not an amount") from None
    if not d.is_finite() or d < 0:
        raise ValueError(f"{column} {value!r} is not a non-negative amount")
    return format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f")


def day(value: str, column: str) -> str | None:
    v = value.strip()
    if v in MISSING:
        return None
    if not _DATE.fullmatch(v):
        raise ValueError(f"{column} {value!r} is not a date (YYYY-MM-DD)")
    try:
        dt.date.fromisoformat(v)
    except ValueError:
        raise ValueError(f"{column} {value!r} is not a valid date") from None
    return v


def parse_row(row: dict[str, str], countries: CountryTable) -> Participation:
    """Check one record; raise ``ValueError`` naming the first bad column."""
    rcn, pic, role = row["rcn"].strip(), row["pic"].strip(), row["role"].strip()
    if not _DIGITS.fullmatch(rcn):
        raise ValueError(f"rcn {rcn!r} is not a record number")
    if not _DIGITS.fullmatch(pic):
        raise ValueError(f"pic {pic!r} is not a PIC")
    if role not in ROLES:
        raise ValueError(f"role {role!r} is not one of {', '.join(sorted(ROLES))}")
    org_type = row["type"].strip()
    if org_type not in ACTIVITY_TYPES and org_type not in MISSING:
        raise ValueError(f"type {org_type!r} is not one of {', '.join(ACTIVITY_TYPES)}")
    code = row["country"].strip()
    country = None
    if code:  # "NA" is Namibia in this column, not a missing value
        country = countries.from_cordis(code)
        if country is None:
            raise ValueError(f"country {code!r} is not a CORDIS country code")
    start, end = day(row["start_date"], "start_date"), day(row["end_date"], "end_date")
    if start and end and end < start:
        raise ValueError(f"end_date {end} is before start_date {start}")
    return Participation(
        rcn=rcn,
        role=role,
        pic=pic,
        org_type=ACTIVITY_TYPES.get(org_type),
        contribution=amount(row["contribution"], "contribution"),
        country=country,
        start=start,
        end=end,
        max_contribution=amount(row["max_contribution"], "max_contribution"),
        total_cost=amount(row["total_cost"], "total_cost"),
    )


def read_rows(
    path: str | Path, errors: RowErrors, countries: CountryTable | None = None
) -> Iterator[Participation]:
    """The well-formed rows of ``path``; each malformed one goes to ``errors`` (which raises
    :class:`~.rows.MalformedRowError` or records it, per ``on_error``)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    countries = countries or load_table()
    report, source = errors.report, str(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, strict=True)
            header = [h.strip() for h in next(reader, [])]
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise InputError(f"{path}, line 1: missing column(s) {', '.join(missing)}")
            start = reader.line_num + 1
            try:
                for fields in reader:
                    row, start = start, reader.line_num + 1
                    if not fields:
                        continue
                    report.rows += 1
                    if len(fields) != len(header):
                        errors(source, row, f"expected {len(header)} fields, got {len(fields)}")
                        continue
                    try:
                        p = parse_row(dict(zip(header, fields, strict=True)), countries)
                    except ValueError as err:
                        errors(source, row, str(err))
                        continue
                    report.kept += 1
                    yield p
            except csv.Error as err:
                errors(source, reader.line_num, f"CSV syntax: {err}")
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError) as err:
        raise InputError(f"{path}: unreadable ({err})") from None


# ------------------------------------------------------------------------------- building
def build_quads(
    path: str | Path,
    *,
    on_error: str = "fail",
    progress: bool = False,
    countries: CountryTable | None = None,
) -> tuple[list[ox.Quad], ImportReport]:
    """The quads of ``path`` (projects and organisations described once) and the report."""
    report = ImportReport(GRAPH_IRI)
    errors = RowErrors(report, on_error)
    N, Q, L = ox.NamedNode, ox.Quad, ox.Literal  # noqa: N806 - hot loop, local names
    g = N(GRAPH_IRI)
    a = N(str(RDF.type))
    c_project, c_role = N(str(EURIO.Project)), N(str(EURIO.OrganisationRole))
    c_org, c_eorg, c_ident = (
        N(str(ORG.Organization)),
        N(str(EURIO.Organisation)),
        N(str(ADMS.Identifier)),
    )
    p_rcn, p_start, p_end = N(str(EURIO.rcn)), N(str(EURIO.startDate)), N(str(EURIO.endDate))
    p_party, p_of, p_in = (
        N(str(EURIO.hasInvolvedParty)), N(str(EURIO.isRoleOf)), N(str(EURIO.isInvolvedIn))
    )  # fmt: skip
    p_label, p_contrib = N(str(EURIO.roleLabel)), N(str(AIG.ecContribution))
    p_max, p_cost, p_fp = (
        N(str(AIG.ecMaxContribution)),
        N(str(AIG.totalCost)),
        N(str(AIG.frameworkProgramme)),
    )
    p_country, p_class = N(str(AIG.country)), N(str(ORG.classification))
    p_ident, p_notation, p_agency = (
        N(str(ADMS.identifier)), N(str(SKOS.notation)), N(str(ADMS.schemaAgency))
    )  # fmt: skip
    t_dec, t_date, t_int = N(str(XSD.decimal)), N(str(XSD.date)), N(str(XSD.integer))
    h2020, agency = L("H2020"), L(PIC_AGENCY)
    role_labels = {r: L(r) for r in ROLES}

    out: list[ox.Quad] = []
    add = out.append
    projects: dict[str, ox.NamedNode] = {}
    orgs: dict[str, ox.NamedNode] = {}
    roles: set[str] = set()
    rows = progress_bar(read_rows(path, errors, countries), progress, "rows")
    for r in rows:
        project = projects.get(r.rcn)
        if project is None:
            project = projects[r.rcn] = N(entity("project", f"rcn-{r.rcn}"))
            add(Q(project, a, c_project, g))
            add(Q(project, p_rcn, L(r.rcn, datatype=t_int), g))
            add(Q(project, p_fp, h2020, g))
            if r.start:
                add(Q(project, p_start, L(r.start, datatype=t_date), g))
            if r.end:
                add(Q(project, p_end, L(r.end, datatype=t_date), g))
            if r.max_contribution:
                add(Q(project, p_max, L(r.max_contribution, datatype=t_dec), g))
            if r.total_cost:
                add(Q(project, p_cost, L(r.total_cost, datatype=t_dec), g))
        org = orgs.get(r.pic)
        if org is None:
            org = orgs[r.pic] = N(entity("organisation", f"pic-{r.pic}"))
            ident = N(entity("identifier", f"pic-{r.pic}"))
            add(Q(org, a, c_org, g))
            add(Q(org, a, c_eorg, g))
            add(Q(org, p_ident, ident, g))
            add(Q(ident, a, c_ident, g))
            add(Q(ident, p_notation, L(r.pic), g))
            add(Q(ident, p_agency, agency, g))
            if r.country:
                add(Q(org, p_country, N(r.country), g))
            if r.org_type:
                add(Q(org, p_class, N(entity("organisation-type", r.org_type)), g))
        key = f"rcn-{r.rcn}-pic-{r.pic}-{r.role}"
        if key in roles:
            continue
        roles.add(key)
        role = N(entity("project-role", key))
        add(Q(role, a, c_role, g))
        add(Q(role, p_of, org, g))
        add(Q(role, p_in, project, g))
        add(Q(role, p_label, role_labels[r.role], g))
        add(Q(project, p_party, role, g))
        if r.contribution:
            add(Q(role, p_contrib, L(r.contribution, datatype=t_dec), g))
    report.counts = {"projects": len(projects), "organisations": len(orgs), "roles": len(roles)}
    report.quads = len(out)
    return out, report


def description(retrieved: dt.date) -> SourceDescription:
    """What the catalog says about ``graph/cordis-h2020``."""
    return SourceDescription(
        graph=GRAPH_IRI,
        titles={
            "en": "CORDIS H2020 participations",
            "fr": "Participations aux projets H2020 (CORDIS)",
            "de": "Beteiligungen an H2020-Projekten (CORDIS)",
        },
        publisher=PUBL,
        license=CC_BY_4,
        source=SOURCE,
        derived_from=(DATASETS[0],),
        retrieved=retrieved,
        issued="2020-12-01",
        description=(
            "Organisation roles in Horizon 2020 projects, one eurio:OrganisationRole per row: the "
            "December 2020 snapshot of the CORDIS open data as cleaned by the eunets project."
        ),
    )


def import_participations(
    store: Store,
    path: str | Path,
    *,
    on_error: str = "fail",
    retrieved: dt.date | None = None,
    progress: bool = False,
    validate: bool = True,
) -> ImportReport:
    """Import ``path`` into ``graph/cordis-h2020`` (replacing it), validated and atomic.

    ``retrieved`` dates the source (default: the file's modification date). With
    ``on_error="fail"`` the first malformed row raises :class:`~.rows.MalformedRowError` and
    nothing is written; with ``"skip"`` malformed rows are left out and listed in the report.
    """
    quads, report = build_quads(path, on_error=on_error, progress=progress)
    desc = description(retrieved or file_date([path]))
    report.write = replace_graph(
        store, GRAPH_IRI, quads, desc, validate=validate, progress=progress
    )
    return report
