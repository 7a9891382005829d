"""Precision and recall of link discovery on a labelled set (tests/fixtures/linking/README.md):
the 12 ROR organisations' names against CORDIS-style upper-case legal-name variants."""

from __future__ import annotations

import csv
from pathlib import Path

from aigraph.importers.countries import load_table
from aigraph.linking.match import DEFAULT_THRESHOLD, Organisation, candidates
from aigraph.linking.names import normalise

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "linking"


def labelled_set() -> tuple[list[Organisation], list[Organisation], set[tuple[str, str]]]:
    table = load_table()
    with open(FIXTURES / "ror-organisations.csv", encoding="utf-8") as fh:
        left = [
            Organisation(
                f"https://ror.org/{r['ror_id']}",
                r["labels"].split("|"),
                table.from_iso2(r["country"]),
                r["city"],
            )  # fmt: skip
            for r in csv.DictReader(fh, delimiter=";")
        ]
    right, truth = [], set()
    with open(FIXTURES / "cordis-names.csv", encoding="utf-8") as fh:
        for i, r in enumerate(csv.DictReader(fh, delimiter=";"), start=2):
            labels = [r["name"]] + ([r["short_name"]] if r["short_name"] else [])
            right.append(
                Organisation(f"row:{i}", labels, table.from_cordis(r["country"]), r["city"])
            )
            if r["ror_id"]:
                truth.add((f"https://ror.org/{r['ror_id']}", f"row:{i}"))
    return left, right, truth


def precision_recall(threshold: float) -> tuple[float, float, int, int]:
    left, right, truth = labelled_set()
    predicted = {(m.left, m.right) for m in candidates(left, right, threshold=threshold)}
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 1.0
    return precision, tp / len(truth), len(predicted), len(truth)


def test_normalisation_strips_legal_forms_accents_and_case():
    assert normalise("Fraunhofer-Gesellschaft zur Förderung der angewandten Forschung e. V.") == (
        "fraunhofer gesellschaft forderung angewandten forschung"
    )
    assert normalise("SAP SE") == "sap"
    assert normalise("Hub France IA (association loi 1901)") == "hub france ia loi 1901"
    assert normalise("MISTRAL AI SAS") == normalise("Mistral AI")
    assert normalise("Société Générale SA") == "societe generale"


def test_precision_and_recall_at_the_default_threshold():
    precision, recall, predicted, true = precision_recall(DEFAULT_THRESHOLD)
    print(f"threshold {DEFAULT_THRESHOLD}: precision {precision:.3f}, recall {recall:.3f} "
          f"({predicted} proposed, {true} true pairs)")  # fmt: skip
    assert true == 27
    assert precision >= 0.95
    assert recall >= 0.9


def test_a_lower_threshold_trades_precision_for_recall():
    p_low, r_low, _n, _t = precision_recall(0.6)
    p_high, r_high, _n, _t = precision_recall(0.9)
    assert p_low < p_high and r_low >= r_high
