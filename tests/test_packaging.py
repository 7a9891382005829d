"""An installed wheel works without the source tree: ontology, shapes and data ship inside it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        pytest.fail(f"building the wheel failed:\n{proc.stderr[-2000:]}")
    return next(out.glob("aigraph-*.whl"))


def test_wheel_contains_ontology_shapes_and_curated_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for folder, pattern in (
        ("ontology", ".ttl"),
        ("shapes", ".ttl"),
        ("data/curated", ".trig"),
        ("data/reference", ".rdf"),
        ("data/open/cordis", ".csv.gz"),  # what `aigraph init --with h2020` loads
    ):
        bundled = [n for n in names if n.startswith(f"aigraph/_bundled/{folder}/")]
        assert any(n.endswith(pattern) for n in bundled), f"{folder} missing from the wheel"


def test_installed_wheel_finds_its_files_outside_the_source_tree(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
    )
    code = (
        "import aigraph.ontology as o; r = o.bundled_root(); "
        "print(r); print(len(o.shapes_files()), len(o.curated_files()), len(o.ontology_files())); "
        "from aigraph.importers.cordis_participations import bundled_file; "
        "print(bundled_file().stat().st_size)"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert Path(out[0]).is_relative_to(site)
    shapes, curated, onto = (int(x) for x in out[1].split())
    assert shapes >= 1 and curated >= 1 and onto >= 1
    h2020 = ROOT / "data/open/cordis/h2020-participations-eunets.csv.gz"
    assert int(out[2]) == h2020.stat().st_size  # the shipped H2020 file, found in the install
