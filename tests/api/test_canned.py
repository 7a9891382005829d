"""Named queries: listed with their parameters, bound safely, JSON or CSV."""

from __future__ import annotations

import csv
import io

HFI = "https://w3id.org/aigraph/id/organisation/hub-france-ia"


def test_list_has_parameters(client):
    queries = {q["name"]: q for q in client.get("/queries").json()}
    assert {
        "organisations-by-country",
        "posts-of-person",
        "partners-of-organisation",
        "agreements-by-priority",
        "role-holders",
        "sources-of-entity",
    } <= set(queries)
    params = {p["name"]: p for p in queries["role-holders"]["params"]}
    assert params["organisation"]["type"] == "iri" and params["organisation"]["required"]
    assert params["date"]["type"] == "date" and not params["date"]["required"]


def test_run_as_json_and_csv(client):
    r = client.get("/queries/partners-of-organisation", params={"organisation": HFI})
    assert r.status_code == 200
    partners = {b["partner"]["value"] for b in r.json()["results"]["bindings"]}
    assert "https://w3id.org/aigraph/id/organisation/ki-bundesverband" in partners
    r = client.get("/queries/organisations-by-country", headers={"accept": "text/csv"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows and all(row["country"].endswith("/FRA") for row in rows)


def test_role_holders_on_a_date(client):
    r = client.get("/queries/role-holders", params={"organisation": HFI, "date": "2025-12-01"})
    names = {b["name"]["value"] for b in r.json()["results"]["bindings"]}
    assert "Rim Tehraoui" in names


def test_values_are_bound_not_interpolated(client):
    evil = HFI + "> } } SELECT * { ?s ?p ?o"
    r = client.get("/queries/partners-of-organisation", params={"organisation": evil})
    assert r.status_code == 400
    r = client.get("/queries/partners-of-organisation", params={"organisation": "not an iri"})
    assert r.status_code == 400


def test_parameter_errors(client):
    assert client.get("/queries/posts-of-person").status_code == 400
    assert client.get("/queries/posts-of-person", params={"nobody": "x"}).status_code == 400
    assert (
        client.get(
            "/queries/role-holders", params={"organisation": HFI, "date": "yesterday"}
        ).status_code
        == 400
    )
    assert client.get("/queries/no-such-query").status_code == 404
