"""Raw CORDIS exports (``project.csv``, ``organization.csv``, ``euroSciVoc.csv``) -> EURIO RDF.

The files are ``;``-separated UTF-8 with quoted fields (which may hold ``;`` and line breaks),
a comma as decimal separator in money columns, and CORDIS country codes (``EL``, ``UK``),
resolved to EU authority-table IRIs through the table's own legacy codes
(:class:`~aigraph.importers.countries.CountryTable`).

Output, in ``graph/cordis`` (see docs/data-model.md): projects ``id/project/rcn-{rcn}``,
organisations ``id/organisation/pic-{PIC}`` (PIC and VAT as ADMS identifiers, activity type,
country, city, geolocation), their roles ``id/project-role/rcn-{rcn}-pic-{pic}-{role}`` with
the EC contribution, and EuroSciVoc classifications (``dcterms:subject`` -> concepts
``id/euroscivoc/{code}`` of the scheme ``id/scheme/euroscivoc``).

``ai_only`` keeps the projects classified under the EuroSciVoc branch *natural sciences /
computer and information sciences / artificial intelligence* (and their roles and
organisations). Malformed rows are reported with their row number (the line where the record
starts; the header is line 1) and skipped or failing the import (``on_error``).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError
from ..namespaces import (
    ADMS,
    AIG,
    DCTERMS,
    EURIO,
    FOAF,
    ORG,
    RDF,
    SCHEMA,
    SKOS,
    XSD,
    entity,
    graph,
)
from ..store import Store
from .countries import CountryTable, load_table
from .provenance import (
    CC_BY_4,
    PUBL,
    Download,
    SourceDescription,
    file_date,
    nn,
    progress_bar,
    replace_graph,
)
from .rows import ImportReport, RowErrors
from .terms import Quads, identifier

GRAPH_IRI = graph("cordis")
FILES = {
    "project": "project.csv",
    "organization": "organization.csv",
    "euroscivoc": "euroSciVoc.csv",
}
PROJECT_COLUMNS = ("id", "acronym", "title", "startDate", "endDate", "totalCost",
                   "ecMaxContribution", "frameworkProgramme", "rcn")  # fmt: skip
ORGANIZATION_COLUMNS = ("projectID", "organisationID", "vatNumber", "name", "shortName",
                        "activityType", "city", "country", "geolocation", "organizationURL",
                        "role", "ecContribution")  # fmt: skip
EUROSCIVOC_COLUMNS = ("projectID", "euroSciVocCode", "euroSciVocPath", "euroSciVocTitle")
AI_BRANCH = "/natural sciences/computer and information sciences/artificial intelligence"
ROLES = {r.lower(): r for r in
         ("coordinator", "participant", "partner", "associatedPartner", "thirdParty")}  # fmt: skip
#: CORDIS activity type -> concept of the organisation-type scheme (OTH has none)
ACTIVITY_TYPES = {
    "HES": "university",
    "REC": "research-organisation",
    "PRC": "company",
    "PUB": "public-body",
    "OTH": None,
}
PIC_AGENCY = "European Commission"
VAT_AGENCY = "VIES"
SOURCE = "https://cordis.europa.eu/about/en"
DATASETS = (
    "http://data.europa.eu/88u/dataset/cordisH2020projects",
    "http://data.europa.eu/88u/dataset/cordis-eu-research-projects-under-horizon-europe-2021-2027",
)
#: the data.europa.eu dataset of each programme's CORDIS export
PROGRAMME_DATASETS = {
    "H2020": DATASETS[0],
    "HORIZON": DATASETS[1],
    "FP7": "http://data.europa.eu/88u/dataset/cordisfp7projects",
}
SCHEME = entity("scheme", "euroscivoc")

_DIGITS = re.compile(r"[0-9]{1,12}")
_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ T][0-9:.]+)?")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_EUROSCIVOC_CODE = re.compile(r"(?:/[0-9]+)+")


# ----------------------------------------------------------------------------- field parsing
def money(value: str, column: str) -> Decimal | None:
    """``"1234567,89"`` -> ``Decimal("1234567.89")``; empty -> None."""
    v = value.strip().replace("\u00a0", "").replace(" ", "")
    if not v:
        return None
    if "," in v and "." in v:  # "1.234.567,89"
        v = v.replace(".", "")
    v = v.replace(",", ".")
    try:
        d = Decimal(v)
    except InvalidOperation:
        raise ValueError(f"{column} {value!r} is not an amount") from None
    if not d.is_finite() or d < 0:
        raise ValueError(f"{column} {value!r} is not a non-negative amount")
    return d


def date(value: str, column: str) -> str | None:
    v = value.strip()
    if not v:
        return None
    m = _DATE.fullmatch(v)
    if not m:
        raise ValueError(f"{column} {value!r} is not a date (YYYY-MM-DD)")
    try:
        dt.date.fromisoformat(m.group(1))
    except ValueError:
        raise ValueError(f"{column} {value!r} is not a valid date") from None
    return m.group(1)


def geolocation(value: str) -> tuple[str, str] | None:
    """``"48.71,2.17"`` or ``"(48.71, 2.17)"`` -> (latitude, longitude)."""
    numbers = re.findall(r"-?[0-9]+(?:\.[0-9]+)?", value)
    if not value.strip():
        return None
    if len(numbers) != 2:
        raise ValueError(f"geolocation {value!r} is not 'latitude,longitude'")
    lat, lon = numbers
    if abs(float(lat)) > 90 or abs(float(lon)) > 180:
        raise ValueError(f"geolocation {value!r} is out of range")
    return lat, lon


def _decimal_literal(d: Decimal) -> ox.Literal:
    text = format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f")
    return ox.Literal(text, datatype=nn(XSD.decimal))


# ----------------------------------------------------------------------------- reading
def read_csv(
    path: Path, required: tuple[str, ...], problem: Callable[[str, int, str], None]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row number, record) for each well-formed record of a CORDIS CSV file.

    The row number is the line where the record starts (the header is line 1). A record with
    the wrong number of fields is reported through ``problem`` and not yielded.
    """
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=";", quotechar='"', doublequote=True, strict=True)
        try:
            header = next(reader, None)
            if header is None:
                raise InputError(f"{path}: empty file (expected a header line)")
            header = [h.strip() for h in header]
            missing = [c for c in required if c not in header]
            if missing:
                raise InputError(f"{path}, line 1: missing column(s) {', '.join(missing)}")
            start = reader.line_num + 1
            for fields in reader:
                row, start = start, reader.line_num + 1
                if not fields or fields == [""]:
                    continue
                if len(fields) != len(header):
                    problem(str(path), row, f"expected {len(header)} fields, got {len(fields)}")
                    continue
                yield row, dict(zip(header, fields, strict=True))
        except csv.Error as err:
            problem(str(path), reader.line_num, f"CSV syntax: {err}")
        except UnicodeDecodeError as err:
            raise InputError(f"{path}: not UTF-8 ({err})") from None


@dataclass
class Project:
    rcn: str
    ident: str
    acronym: str | None
    title: str | None
    start: str | None
    end: str | None
    total_cost: Decimal | None
    max_contribution: Decimal | None
    programme: str | None
    subjects: list[str] = field(default_factory=list)


def parse_project(r: dict[str, str]) -> Project:
    ident, rcn = r["id"].strip(), r["rcn"].strip()
    if not _DIGITS.fullmatch(ident):
        raise ValueError(f"id {ident!r} is not a CORDIS project id")
    if not _DIGITS.fullmatch(rcn):
        raise ValueError(f"rcn {rcn!r} is not a record number")
    start, end = date(r["startDate"], "startDate"), date(r["endDate"], "endDate")
    if start and end and end < start:
        raise ValueError(f"endDate {end} is before startDate {start}")
    return Project(
        rcn=rcn,
        ident=ident,
        acronym=r["acronym"].strip() or None,
        title=r["title"].strip() or None,
        start=start,
        end=end,
        total_cost=money(r["totalCost"], "totalCost"),
        max_contribution=money(r["ecMaxContribution"], "ecMaxContribution"),
        programme=r["frameworkProgramme"].strip() or None,
    )


@dataclass
class Participation:
    project_id: str
    pic: str
    role: str
    name: str
    short_name: str | None
    vat: str | None
    activity: str | None
    city: str | None
    country: str | None
    geo: tuple[str, str] | None
    url: str | None
    contribution: Decimal | None


def parse_participation(r: dict[str, str], countries: CountryTable) -> Participation:
    project_id, pic = r["projectID"].strip(), r["organisationID"].strip()
    if not _DIGITS.fullmatch(project_id):
        raise ValueError(f"projectID {project_id!r} is not a CORDIS project id")
    if not _DIGITS.fullmatch(pic):
        raise ValueError(f"organisationID {pic!r} is not a PIC")
    role = ROLES.get(r["role"].strip().lower())
    if role is None:
        raise ValueError(f"role {r['role']!r} is not one of {', '.join(ROLES.values())}")
    name = " ".join(r["name"].split())
    if not name:
        raise ValueError("name is empty")
    activity = r["activityType"].strip().upper() or None
    if activity is not None and activity not in ACTIVITY_TYPES:
        raise ValueError(f"activityType {activity!r} is not one of {', '.join(ACTIVITY_TYPES)}")
    code = r["country"].strip()
    country = None
    if code:
        country = countries.from_cordis(code)
        if country is None:
            raise ValueError(f"country {code!r} is not in the EU country authority table")
    url = r["organizationURL"].strip()
    vat = re.sub(r"[\s.\-]", "", r["vatNumber"]).upper() or None
    return Participation(
        project_id=project_id,
        pic=pic,
        role=role,
        name=name,
        short_name=r["shortName"].strip() or None,
        vat=vat,
        activity=activity,
        city=" ".join(r["city"].split()) or None,
        country=country,
        geo=geolocation(r["geolocation"]),
        url=url if url.startswith(("http://", "https://")) and " " not in url else None,
        contribution=money(r["ecContribution"], "ecContribution"),
    )


# ----------------------------------------------------------------------------- building
def _project_quads(add: Quads, p: Project) -> None:
    s = nn(entity("project", f"rcn-{p.rcn}"))
    add(s, RDF.type, nn(EURIO.Project))
    add(s, EURIO.identifier, ox.Literal(p.ident))
    add(s, EURIO.rcn, ox.Literal(p.rcn, datatype=nn(XSD.integer)))
    if p.title:
        add(s, EURIO.title, ox.Literal(p.title))
    if p.acronym:
        acro = nn(entity("acronym", f"rcn-{p.rcn}"))
        add(s, EURIO.hasAcronym, acro)
        add(acro, RDF.type, nn(EURIO.Acronym))
        add(acro, EURIO.shortForm, ox.Literal(p.acronym))
    if p.start:
        add(s, EURIO.startDate, ox.Literal(p.start, datatype=nn(XSD.date)))
    if p.end:
        add(s, EURIO.endDate, ox.Literal(p.end, datatype=nn(XSD.date)))
    if p.total_cost is not None:
        add(s, AIG.totalCost, _decimal_literal(p.total_cost))
    if p.max_contribution is not None:
        add(s, AIG.ecMaxContribution, _decimal_literal(p.max_contribution))
    if p.programme:
        add(s, AIG.frameworkProgramme, ox.Literal(p.programme))


def _organisation_quads(add: Quads, o: Participation) -> None:
    s = nn(entity("organisation", f"pic-{o.pic}"))
    add(s, RDF.type, nn(ORG.Organization))
    add(s, RDF.type, nn(EURIO.Organisation))
    add(s, SKOS.prefLabel, ox.Literal(o.name))
    if o.short_name and o.short_name != o.name:
        add(s, SKOS.altLabel, ox.Literal(o.short_name))
    add(s, ADMS.identifier, identifier(add, "pic", o.pic, PIC_AGENCY))
    if o.vat:
        add(s, ADMS.identifier, identifier(add, "vat", o.vat, VAT_AGENCY))
    if o.country:
        add(s, AIG.country, nn(o.country))
    concept = ACTIVITY_TYPES.get(o.activity or "")
    if concept:
        add(s, ORG.classification, nn(entity("organisation-type", concept)))
    if o.city:
        add(s, SCHEMA.location, ox.Literal(o.city))
    if o.geo:
        add(s, SCHEMA.latitude, ox.Literal(o.geo[0], datatype=nn(XSD.decimal)))
        add(s, SCHEMA.longitude, ox.Literal(o.geo[1], datatype=nn(XSD.decimal)))
    if o.url:
        add(s, FOAF.homepage, nn(o.url))


def _role_quads(add: Quads, rcn: str, o: Participation) -> None:
    key = f"rcn-{rcn}-pic-{o.pic}-{o.role}"
    s = nn(entity("project-role", key))
    project = nn(entity("project", f"rcn-{rcn}"))
    add(s, RDF.type, nn(EURIO.OrganisationRole))
    add(s, EURIO.isRoleOf, nn(entity("organisation", f"pic-{o.pic}")))
    add(s, EURIO.isInvolvedIn, project)
    add(s, EURIO.roleLabel, ox.Literal(o.role))
    add(project, EURIO.hasInvolvedParty, s)
    if o.contribution is not None:
        add(s, AIG.ecContribution, _decimal_literal(o.contribution))


def _concept_quads(add: Quads, code: str, path: str, title: str) -> ox.NamedNode:
    """The EuroSciVoc concept for ``code`` (``/23/39/45``), with its ancestors when the code
    and the path have as many levels."""
    codes = code.strip("/").split("/")
    titles = [t for t in path.strip("/").split("/")]
    node = nn(entity("euroscivoc", "-".join(codes)))
    levels = len(codes)
    for i in range(1, levels + 1):
        c = nn(entity("euroscivoc", "-".join(codes[:i])))
        label = title if i == levels else (titles[i - 1] if len(titles) == levels else None)
        if label is None:
            continue
        add(c, RDF.type, nn(SKOS.Concept))
        add(c, SKOS.inScheme, nn(SCHEME))
        add(c, SKOS.notation, ox.Literal("/" + "/".join(codes[:i])))
        add(c, SKOS.prefLabel, ox.Literal(label.strip(), language="en"))
        if i > 1 and len(titles) == levels:
            add(c, SKOS.broader, nn(entity("euroscivoc", "-".join(codes[: i - 1]))))
        elif i == 1:  # not skos:topConceptOf: that marks aigraph's own (trilingual) schemes
            add(nn(SCHEME), SKOS.hasTopConcept, c)
    return node


def _scheme_quads(add: Quads) -> None:
    s = nn(SCHEME)
    add(s, RDF.type, nn(SKOS.ConceptScheme))
    for text, lang in (("EuroSciVoc (as used by CORDIS)", "en"),
                       ("EuroSciVoc (tel qu'utilisé par CORDIS)", "fr"),
                       ("EuroSciVoc (wie von CORDIS verwendet)", "de")):  # fmt: skip
        add(s, SKOS.prefLabel, ox.Literal(text, language=lang))
    add(s, DCTERMS.source, nn("http://data.europa.eu/8mn/euroscivoc"))


# ----------------------------------------------------------------------------- the import
def build_quads(
    directory: str | Path,
    *,
    ai_only: bool = False,
    on_error: str = "fail",
    countries: CountryTable | None = None,
    progress: bool = False,
    graph_iri: str = GRAPH_IRI,
) -> tuple[list[ox.Quad], ImportReport]:
    """Read the three CSV files of ``directory`` and build the quads (nothing is written)."""
    d = Path(directory)
    if not d.is_dir():
        raise InputError(f"{d}: not a directory (expected the CORDIS CSV exports)")
    countries = countries or load_table()
    report = ImportReport(graph_iri)
    problem = RowErrors(report, on_error)
    add = Quads(graph_iri)

    projects: dict[str, Project] = {}
    for row, rec in progress_bar(
        read_csv(d / FILES["project"], PROJECT_COLUMNS, problem), progress, "projects"
    ):
        report.rows += 1
        try:
            p = parse_project(rec)
        except ValueError as err:
            problem(str(d / FILES["project"]), row, str(err))
            continue
        if p.ident in projects:
            problem(str(d / FILES["project"]), row, f"duplicate project id {p.ident}")
            continue
        projects[p.ident] = p
        report.kept += 1

    subjects: dict[str, list[tuple[str, str, str]]] = {}
    esv = d / FILES["euroscivoc"]
    if esv.is_file():
        records = read_csv(esv, EUROSCIVOC_COLUMNS, problem)
        for row, rec in progress_bar(records, progress, "euroSciVoc"):
            report.rows += 1
            pid, code = rec["projectID"].strip(), rec["euroSciVocCode"].strip()
            path, title = rec["euroSciVocPath"].strip(), rec["euroSciVocTitle"].strip()
            if not _DIGITS.fullmatch(pid):
                problem(str(esv), row, f"projectID {pid!r} is not a CORDIS project id")
                continue
            if not _EUROSCIVOC_CODE.fullmatch(code) or not title:
                problem(str(esv), row, f"euroSciVocCode {code!r} or title {title!r} is invalid")
                continue
            if pid not in projects:
                problem(str(esv), row, f"projectID {pid} is not in {FILES['project']}")
                continue
            subjects.setdefault(pid, []).append((code, path, title))
            report.kept += 1
    elif ai_only:
        raise InputError(f"{esv}: no such file (--ai-only needs the EuroSciVoc classifications)")

    def is_ai(pid: str) -> bool:
        return any(AI_BRANCH in path.lower() for _c, path, _t in subjects.get(pid, ()))

    keep = {pid for pid in projects if not ai_only or is_ai(pid)}
    if subjects:
        _scheme_quads(add)
    for pid in sorted(keep, key=int):
        _project_quads(add, projects[pid])
        for code, path, title in subjects.get(pid, ()):
            concept = _concept_quads(add, code, path, title)
            add(nn(entity("project", f"rcn-{projects[pid].rcn}")), DCTERMS.subject, concept)

    orgs: set[str] = set()
    roles = 0
    org_file = d / FILES["organization"]
    records = read_csv(org_file, ORGANIZATION_COLUMNS, problem)
    for row, rec in progress_bar(records, progress, "organisations"):
        report.rows += 1
        try:
            o = parse_participation(rec, countries)
        except ValueError as err:
            problem(str(org_file), row, str(err))
            continue
        if o.project_id not in projects:
            problem(str(org_file), row, f"projectID {o.project_id} is not in {FILES['project']}")
            continue
        report.kept += 1
        if o.project_id not in keep:
            continue
        if o.pic not in orgs:  # an organisation is described by its first row only
            orgs.add(o.pic)
            _organisation_quads(add, o)
        _role_quads(add, projects[o.project_id].rcn, o)
        roles += 1
    report.counts = {"projects": len(keep), "organisations": len(orgs), "roles": roles}
    report.quads = len(add.out)
    return add.out, report


def import_cordis(
    store: Store,
    directory: str | Path,
    *,
    ai_only: bool = False,
    on_error: str = "fail",
    progress: bool = False,
    validate: bool = True,
    graph_iri: str = GRAPH_IRI,
    programme: str | None = None,
    download: Download | None = None,
) -> ImportReport:
    """Import a CORDIS export directory into ``graph/cordis`` (replacing it), validated and
    atomic. Raises :class:`~aigraph.importers.rows.MalformedRowError` on the first malformed row
    with ``on_error="fail"``; with ``"skip"`` the report lists them.

    ``programme`` (``H2020``, ``HORIZON``, ``FP7``) names the framework programme of the export
    in the graph's title and source dataset; ``download`` records the file it came from."""
    quads, report = build_quads(
        directory, ai_only=ai_only, on_error=on_error, progress=progress, graph_iri=graph_iri
    )
    d = Path(directory)
    files = [d / f for f in FILES.values() if (d / f).is_file()]
    which = f" ({programme})" if programme else ""
    ai = dict.fromkeys(("en", "fr", "de"), "")
    if ai_only:
        ai = {"en": " (artificial intelligence)", "fr": " (intelligence artificielle)",
              "de": " (künstliche Intelligenz)"}  # fmt: skip
    datasets = (PROGRAMME_DATASETS[programme],) if programme in PROGRAMME_DATASETS else DATASETS
    description = SourceDescription(
        graph=graph_iri,
        titles={
            "en": f"CORDIS projects{which}, participants and EuroSciVoc classifications{ai['en']}",
            "fr": f"Projets{which}, participants et classifications EuroSciVoc de CORDIS{ai['fr']}",
            "de": f"CORDIS-Projekte{which}, Teilnehmer und EuroSciVoc-Klassifikationen{ai['de']}",
        },
        publisher=PUBL,
        license=CC_BY_4,
        source=SOURCE,
        derived_from=datasets,
        retrieved=download.retrieved.date() if download else file_date(files),
        issued=download.issued if download else None,
        download=download,
    )
    report.write = replace_graph(
        store, graph_iri, quads, description, validate=validate, progress=progress
    )
    return report
