"""The H2020 co-participation network: organisations, edges, components and the top
organisations by degree, cross-checked against an independent pandas computation on the CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from aigraph import analytics as an
from aigraph.importers.cordis_participations import import_participations
from aigraph.store import Store

CSV = Path(__file__).resolve().parents[2] / "data/open/cordis/h2020-participations-eunets.csv.gz"
ORG = "https://w3id.org/aigraph/id/organisation/pic-"


@pytest.fixture(scope="module")
def h2020():
    import pandas as pd

    store = Store()
    # validation is covered on the sample (tests/importers); here it would only add ~12 s
    import_participations(store, CSV, validate=False)
    df = pd.read_csv(CSV, keep_default_na=False, dtype=str)[["rcn", "pic", "country"]]
    return store, df


def test_network_matches_pandas(h2020):
    import networkx as nx
    import pandas as pd

    store, df = h2020
    G = an.project(store, "co-participation")
    # independent: organisation pairs sharing a project, by a self-merge on rcn
    pairs = df[["rcn", "pic"]].drop_duplicates()
    m = pairs.merge(pairs, on="rcn")
    m = m[m.pic_x < m.pic_y]
    weights = m.groupby(["pic_x", "pic_y"]).size()
    assert G.number_of_nodes() == df.pic.nunique() == 35_871
    assert G.number_of_edges() == len(weights)
    # weights agree on every edge
    ours = pd.Series(
        {
            (u[len(ORG) :], v[len(ORG) :]) if u < v else (v[len(ORG) :], u[len(ORG) :]): w
            for u, v, w in G.edges(data="weight")
        }
    ).sort_index()
    assert ours.to_dict() == weights.to_dict()
    # components: networkx on the pandas edge list (plus isolated organisations)
    H = nx.Graph()
    H.add_nodes_from(df.pic.unique())
    H.add_edges_from(weights.index)
    comps = an.components(G)
    assert len(comps) == nx.number_connected_components(H)
    assert len(comps[0]) == len(max(nx.connected_components(H), key=len))
    # top 10 by degree: number of distinct partners from the pandas pairs
    pair_index = weights.index.to_frame(index=False)
    deg = pd.concat([pair_index.pic_x, pair_index.pic_y]).value_counts()
    ours_deg = an.degree(G)
    top = sorted(ours_deg, key=lambda v: (-ours_deg[v], v))[:10]
    assert [ours_deg[v] for v in top] == deg.sort_values(ascending=False).head(10).tolist()
    assert all(deg[v[len(ORG) :]] == ours_deg[v] for v in top)
    s = an.summary(G)
    assert s["nodes"] == 35_871 and s["components"] == len(comps)
    assert 0.3 < s["modularity"] < 0.6


def test_cross_border_fra_deu(h2020):
    store, df = h2020
    G = an.project(store, "co-participation")
    pair = next(p for p in an.cross_border(G) if (p.a, p.b) == ("DEU", "FRA"))
    assert pair.observed > 0 and pair.expected > 0
    brokers = an.brokers(G, "FRA", "DEU", top=5)
    assert len(brokers) == 5 and brokers[0].bridged >= brokers[-1].bridged > 0
