"""/reconcile speaks the W3C Reconciliation API 0.2 (replaying what OpenRefine sends) and
1.0-draft (JSON bodies); every response is validated against the Community Group's own JSON
schemas of its version, and the manifest of both versions against both schema sets
(tests/fixtures/reconciliation/README.md).

The store: the curated data plus three ROR records and a CORDIS extract, so that Inria is two
entities (its ROR record and its CORDIS participant, not linked) and Fraunhofer one.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from aigraph.api import create_app
from aigraph.config import Settings
from aigraph.importers.cordis import import_cordis
from aigraph.importers.ror import import_ror
from aigraph.linking import search
from aigraph.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCHEMAS = FIXTURES / "reconciliation" / "schemas"
V02, V10 = "0.2", "1.0-draft"
ID = "https://w3id.org/aigraph/id/"
ORG = "http://www.w3.org/ns/org#Organization"
INRIA_ROR, INRIA_PIC = "organisation/ror-02kvxyf05", "organisation/pic-999990003"
FRAUNHOFER = "organisation/ror-05hkkdn48"
TUM = "organisation/ror-02kkvpp62"
JSON = "application/json"


@cache
def registry(version: str) -> Registry:
    """The version's schemas by their ``$id`` (``type.json`` and ``lang.json`` resolve within
    the version: both folders hold a property-proposal schema with the same ``$id``)."""
    resources = []
    for path in sorted((SCHEMAS / version).glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        resources.append((doc["$id"], Resource.from_contents(doc, default_specification=DRAFT7)))
    return Registry().with_resources(resources)


def errors(doc, version: str, name: str) -> list[str]:
    schema = json.loads((SCHEMAS / version / f"{name}.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(
        schema, registry=registry(version), format_checker=jsonschema.FormatChecker()
    )
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)
    ]


def check(doc, version: str, name: str) -> None:
    found = errors(doc, version, name)
    assert not found, f"invalid {version} {name}: {found}"


def check_both(doc, name: str) -> None:
    check(doc, V02, name)
    check(doc, V10, name)


@pytest.fixture(scope="module")
def store() -> Store:
    store = Store()
    store.init()
    import_ror(store, sorted((FIXTURES / "ror").glob("0*.json")))
    import_cordis(store, FIXTURES / "cordis" / "valid")
    return store


@pytest.fixture(scope="module")
def client(store):
    with TestClient(create_app(Settings(workers=0), store)) as c:
        yield c


def match10(client, *queries, path="/reconcile/match") -> list[list[dict]]:
    r = client.post(path, json={"queries": list(queries)})
    assert r.status_code == 200, r.text
    check(r.json(), V10, "reconciliation-result-batch")
    return [res["candidates"] for res in r.json()["results"]]


def name(value, **more) -> dict:
    return {"conditions": [{"matchType": "name", "propertyValue": value}], **more}


def feature(candidate: dict, fid: str):
    return {f["id"]: f["value"] for f in candidate["features"]}[fid]


# -- the manifests ------------------------------------------------------------------------------


def test_the_manifest_lists_both_versions_and_is_valid_under_both_schema_sets(client):
    r = client.get("/reconcile")
    assert r.status_code == 200
    manifest = r.json()
    assert manifest["versions"] == [V02, V10]
    check_both(manifest, "manifest")
    # what each version's clients use is there: 0.2's view and preview templates, both
    # versions' data-extension announcements
    assert manifest["view"]["url"].replace("{{id}}", INRIA_ROR) == ID + INRIA_ROR
    assert manifest["preview"]["url"].endswith("/reconcile/preview?id={{id}}")
    assert manifest["extend"]["propose_properties"]["service_path"] == "/propose_properties"
    assert manifest["extend"]["proposeProperties"] is True
    assert manifest["batchSize"] >= 1 and manifest["standardizedScore"] is True


def test_each_version_has_its_full_manifest(client):
    v02 = client.get("/reconcile", params={"version": V02}).json()
    check(v02, V02, "manifest")
    assert v02["versions"] == [V02]
    assert v02["suggest"]["entity"]["service_url"].endswith("/reconcile")
    assert v02["suggest"]["entity"]["service_path"] == "/suggest/entity"
    v10 = client.get("/reconcile", params={"version": V10}).json()
    check(v10, V10, "manifest")
    assert v10["versions"] == [V10]
    assert v10["suggest"] == {"entity": True, "property": True, "type": True}
    # an RFC 6570 template: reserved expansion keeps the "/" of the ids
    assert v10["view"]["url"].replace("{+id}", INRIA_ROR) == ID + INRIA_ROR
    # the schemas cannot both accept one manifest with a suggest member
    assert errors(v02, V10, "manifest") and errors(v10, V02, "manifest")
    r = client.get("/reconcile", params={"version": "2.0"})
    assert r.status_code == 400 and "version" in r.text


def test_a_post_without_a_body_is_the_manifest(client):
    r = client.post("/reconcile")
    assert r.status_code == 200 and r.json()["versions"] == [V02, V10]


# -- 1.0: JSON bodies ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/reconcile/match", "/reconcile"])
def test_a_1_0_json_batch_gets_results_not_the_manifest(client, path):
    inria, fraunhofer, nothing = match10(
        client,
        name("Inria", type=ORG, limit=5),
        name("Fraunhofer"),
        name("Nothing Like Any Organisation Whatsoever"),
        path=path,
    )
    assert [c["id"] for c in inria] == [INRIA_ROR, INRIA_PIC]
    assert fraunhofer[0]["id"] == FRAUNHOFER
    assert nothing == []


def test_1_0_property_conditions(client):
    tum_de, tum_fr, tum_fr_required, by_pic, not_the_pic = match10(
        client,
        {"conditions": [
            {"matchType": "name", "propertyValue": "TECHNISCHE UNIVERSITAET MUENCHEN"},
            {"matchType": "property", "propertyId": "country", "propertyValue": "DE"},
        ]},
        {"conditions": [
            {"matchType": "name", "propertyValue": "TECHNISCHE UNIVERSITAET MUENCHEN"},
            {"matchType": "property", "propertyId": "country", "propertyValue": "France"},
        ]},
        {"conditions": [
            {"matchType": "name", "propertyValue": "TECHNISCHE UNIVERSITAET MUENCHEN"},
            {"matchType": "property", "propertyId": "country",
             "propertyValue": {"id": "http://publications.europa.eu/resource/authority/country/FRA"},
             "required": True},
        ]},
        {"conditions": [
            {"matchType": "property", "propertyId": "pic", "propertyValue": 999990003},
        ]},
        {"conditions": [
            {"matchType": "name", "propertyValue": "INRIA"},
            {"matchType": "id", "propertyValue": INRIA_PIC, "matchQuantifier": "none"},
        ]},
    )  # fmt: skip
    assert tum_de[0]["id"] == TUM and tum_de[0]["match"] is True
    assert feature(tum_de[0], "country") is True
    assert tum_fr[0]["id"] == TUM and feature(tum_fr[0], "country") is False
    assert tum_fr[0]["score"] < tum_de[0]["score"] and tum_fr[0]["match"] is False
    assert tum_fr_required == []
    assert [c["id"] for c in by_pic] == [INRIA_PIC] and feature(by_pic[0], "pic") is True
    assert [c["id"] for c in not_the_pic] == [INRIA_ROR]


def test_an_entity_id_as_the_query_finds_the_entity(client):
    (found,) = match10(client, {"conditions": [{"matchType": "id", "propertyValue": FRAUNHOFER}]})
    assert found[0]["id"] == FRAUNHOFER and found[0]["score"] == 100


@pytest.mark.parametrize(
    ("batch", "says"),
    [
        ({"queries": [{"query": "Inria"}]}, "matchType"),  # the 0.2 form of a query
        ({"queries": [{"conditions": []}]}, "at least one condition"),
        ({"queries": [name("Inria", type=[ORG])]}, "one type id"),
        ({"queries": [name("Inria", limit=0)]}, "'limit'"),
        ({"queries": [{"conditions": [{"matchType": "label",
                                       "propertyValue": "x"}]}]}, "matchType"),
        ({"queries": [{"conditions": [{"matchType": "name"}]}]}, "propertyValue"),
        ({"queries": [{"conditions": [{"matchType": "property", "propertyId": "homepage",
                                       "propertyValue": "x"}]}]}, "homepage"),
        ({"queries": [{"conditions": [{"matchType": "name", "propertyValue": "x",
                                       "matchQualifier": "skos:exactMatch"}]}]}, "matchQualifier"),
        ({"queries": [{"conditions": [{"matchType": "name", "propertyValue": [["x"]]}]}]}, "value"),
        ({"queries": "Inria"}, "'queries'"),
    ],
)  # fmt: skip
def test_malformed_1_0_batches_are_a_400_naming_the_fault(client, batch, says):
    r = client.post("/reconcile/match", json=batch)
    assert r.status_code == 400, r.text
    assert says in r.json()["detail"]


def test_a_batch_over_the_batch_size_is_a_413(client):
    size = client.get("/reconcile").json()["batchSize"]
    r = client.post("/reconcile/match", json={"queries": [name("x")] * (size + 1)})
    assert r.status_code == 413


def test_1_0_routes_take_json_only(client):
    r = client.post("/reconcile/match", data={"queries": json.dumps({"q0": {"query": "x"}})})
    assert r.status_code == 415
    r = client.post("/reconcile", content=b'{"q0": {}}', headers={"Content-Type": JSON})
    assert r.status_code == 400
    deep = "[" * 100 + "]" * 100
    r = client.post("/reconcile/match", content=deep, headers={"Content-Type": JSON})
    assert r.status_code == 400 and "nested deeper" in r.json()["detail"]


def test_1_0_data_extension(client):
    query = {
        "ids": [INRIA_ROR, INRIA_PIC],
        "properties": [{"id": "country"}, {"id": "ror"}, {"id": "pic"}, {"id": "city"}],
    }
    for path in ("/reconcile/extend", "/reconcile"):
        r = client.post(path, json=query)
        assert r.status_code == 200, r.text
        body = r.json()
        check(body, V10, "data-extension-response")
        rows = {
            row["id"]: {p["id"]: p["values"] for p in row["properties"]} for row in body["rows"]
        }
        assert list(rows) == [INRIA_ROR, INRIA_PIC]
        assert rows[INRIA_ROR]["ror"] == [{"str": "02kvxyf05"}]
        assert rows[INRIA_PIC]["pic"] == [{"str": "999990003"}]
        assert rows[INRIA_PIC]["country"] == [{"str": "France"}]
    r = client.get("/reconcile/extend/propose", params={"type": ORG, "limit": 3})
    check(r.json(), V10, "data-extension-property-proposal")
    assert r.json()["type"] == ORG and len(r.json()["properties"]) == 3
    assert r.json()["limit"] == 3


# -- 0.2: what OpenRefine sends -----------------------------------------------------------------


def test_0_2_batch_form_post_as_openrefine_sends_it(client):
    queries = {
        "q0": {"query": "Inria", "type": ORG, "type_strict": "should", "limit": 5},
        "q1": {"query": "TECHNISCHE UNIVERSITAET MUENCHEN",
               "properties": [{"pid": "country", "v": "DE"}]},
        "q2": {"query": "Fraunhofer Gesellschaft zur Foerderung der angewandten Forschung eV"},
        "q3": {"query": "Nothing Like Any Organisation Whatsoever"},
    }  # fmt: skip
    r = client.post("/reconcile", data={"queries": json.dumps(queries)})
    assert r.status_code == 200
    body = r.json()
    check(body, V02, "reconciliation-result-batch")
    assert set(body) == {"q0", "q1", "q2", "q3"}
    assert body["q1"]["result"][0]["id"] == TUM and body["q1"]["result"][0]["match"] is True
    assert body["q2"]["result"][0]["id"] == FRAUNHOFER
    assert body["q3"]["result"] == []
    assert [c["id"] for c in body["q0"]["result"]] == [INRIA_ROR, INRIA_PIC]


def test_0_2_batch_get(client):
    r = client.get("/reconcile", params={"queries": json.dumps({"a": {"query": "INRIA"}})})
    check(r.json(), V02, "reconciliation-result-batch")
    assert r.json()["a"]["result"][0]["id"] == INRIA_ROR


def test_0_2_bad_queries_are_a_400(client):
    assert client.post("/reconcile", data={"queries": "{not json"}).status_code == 400
    r = client.post("/reconcile", data={"queries": json.dumps({"q": {"query": "x", "properties": [
        {"pid": "shoe size", "v": "42"}]}})})  # fmt: skip
    assert r.status_code == 400 and "shoe size" in r.json()["detail"]


def test_0_2_data_extension(client):
    r = client.get("/reconcile/propose_properties", params={"type": ORG})
    check(r.json(), V02, "data-extension-property-proposal")
    extend = {
        "ids": [INRIA_ROR, "organisation/pic-999990001"],
        "properties": [{"id": "country"}, {"id": "ror"}, {"id": "pic"}, {"id": "city"}],
    }
    r = client.post("/reconcile", data={"extend": json.dumps(extend)})
    assert r.status_code == 200
    body = r.json()
    check(body, V02, "data-extension-response")
    assert body["rows"][INRIA_ROR]["ror"] == [{"str": "02kvxyf05"}]
    assert body["rows"]["organisation/pic-999990001"]["pic"] == [{"str": "999990001"}]
    assert body["rows"]["organisation/pic-999990001"]["country"] == [{"str": "Greece"}]


# -- both versions: suggest, preview, property proposals -----------------------------------------


def test_suggest_responses_are_valid_under_both_versions(client):
    r = client.get("/reconcile/suggest/entity", params={"prefix": "fraunh"})
    check_both(r.json(), "suggest-entities-response")
    assert r.json()["result"][0]["id"] == FRAUNHOFER
    r = client.get("/reconcile/suggest/type", params={"prefix": "org"})
    check_both(r.json(), "suggest-types-response")
    assert r.json()["result"][0]["id"] == ORG
    r = client.get("/reconcile/suggest/property", params={"prefix": "coun"})
    check_both(r.json(), "suggest-properties-response")
    assert r.json()["result"][0]["id"] == "country"
    for path in ("/reconcile/propose_properties", "/reconcile/extend/propose"):
        check_both(
            client.get(path, params={"type": ORG}).json(), "data-extension-property-proposal"
        )


def test_suggest_pages_lists_everything_for_an_empty_prefix_and_knows_ids(client):
    first = client.get("/reconcile/suggest/entity", params={"prefix": "", "limit": 3}).json()
    second = client.get(
        "/reconcile/suggest/entity", params={"prefix": "", "limit": 3, "offset": 3}
    ).json()
    assert len(first["result"]) == 3 and len(second["result"]) == 3
    assert not {e["id"] for e in first["result"]} & {e["id"] for e in second["result"]}
    cursor = client.get("/reconcile/suggest/entity", params={"prefix": "", "limit": 3, "cursor": 3})
    assert cursor.json() == second
    by_id = client.get("/reconcile/suggest/entity", params={"prefix": INRIA_PIC}).json()
    assert by_id["result"][0]["id"] == INRIA_PIC
    assert (
        client.get("/reconcile/suggest/type", params={"prefix": ORG}).json()["result"][0]["id"]
        == ORG
    )
    assert len(client.get("/reconcile/suggest/property", params={"limit": 2}).json()["result"]) == 2


def test_preview(client):
    r = client.get("/reconcile/preview", params={"id": INRIA_ROR})
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "Institut national" in r.text
    assert client.get("/reconcile/preview", params={"id": "organisation/nope"}).status_code == 404


# -- candidates worth reviewing -----------------------------------------------------------------


def test_inria_and_fraunhofer_by_acronym_and_short_name(client):
    """Through both versions: the acronym ``Inria`` scores as an exact acronym for both Inria
    entities (tied, so no automatic match); ``Fraunhofer`` as the short name of the
    Fraunhofer-Gesellschaft; ``FhG`` as its acronym."""
    body = client.post("/reconcile", data={"queries": json.dumps({
        "inria": {"query": "Inria"}, "fraunhofer": {"query": "Fraunhofer"}, "fhg": {"query": "FhG"},
    })}).json()  # fmt: skip
    inria, fraunhofer, fhg = match10(client, name("Inria"), name("Fraunhofer"), name("FhG"))
    assert [c["id"] for c in body["inria"]["result"]] == [c["id"] for c in inria]
    assert [c["score"] for c in inria] == [search.ACRONYM, search.ACRONYM]
    assert all(feature(c, "acronym_exact") and feature(c, "namesakes") == 2 for c in inria)
    assert not inria[0]["match"]
    assert fraunhofer[0]["id"] == FRAUNHOFER == body["fraunhofer"]["result"][0]["id"]
    assert fraunhofer[0]["score"] == search.SHORT_NAME and feature(fraunhofer[0], "short_name")
    assert fhg[0]["id"] == FRAUNHOFER and fhg[0]["score"] == search.ACRONYM
    assert fhg[0]["match"] is True


def test_limit_returns_every_candidate_up_to_it(client):
    one, five = match10(client, name("Inria", limit=1), name("Inria", limit=5))
    assert [c["id"] for c in one] == [INRIA_ROR]
    assert [c["id"] for c in five] == [INRIA_ROR, INRIA_PIC]
    (planck,) = match10(client, name("Max Planck", limit=3))
    assert len(planck) == 3
    assert [c["score"] for c in planck] == sorted((c["score"] for c in planck), reverse=True)


def test_both_versions_through_the_analytics_worker(pool_client):
    """An on-disk store: matching and extension run in the worker process, over a
    checkpoint of the curated store (where Inria is one entity)."""
    (inria,) = match10(pool_client, name("Inria"))
    assert inria[0]["id"] == INRIA_ROR and inria[0]["match"] is True
    r = pool_client.post("/reconcile", data={"queries": json.dumps({"q": {"query": "Inria"}})})
    check(r.json(), V02, "reconciliation-result-batch")
    assert r.json()["q"]["result"][0]["id"] == INRIA_ROR
    r = pool_client.post(
        "/reconcile/extend", json={"ids": [INRIA_ROR], "properties": [{"id": "ror"}]}
    )
    check(r.json(), V10, "data-extension-response")
    assert r.json()["rows"][0]["properties"][0]["values"] == [{"str": "02kvxyf05"}]
